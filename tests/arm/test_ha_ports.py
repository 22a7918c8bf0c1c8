"""HA ports (an internal Standard load balancer's rule with protocol All and ports 0) and a
route whose next hop is such a load balancer's frontend
(https://learn.microsoft.com/azure/load-balancer/load-balancer-ha-ports-overview), on the
`azure/lb-ha-ports` fixture's template changed one fact at a time."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reachlint.commands.check import run_check
from reachlint.engine.flows import EndpointClass, External
from reachlint.engine.reach import compute_reachability
from reachlint.inputs.load import build_model
from reachlint.model.network import NetworkModel
from reachlint.model.traffic import Traffic, parse_protocol

FIXTURE = Path(__file__).parents[2] / "fixtures" / "azure" / "lb-ha-ports"
BALANCER = "Microsoft.Network/loadBalancers/myLoadBalancer"
Document = dict[str, Any]


def _resource(document: Document, name: str) -> dict[str, Any]:
    return next(r for r in document["resources"] if r["name"] == name)


def _rule(document: Document) -> dict[str, Any]:
    balancer = _resource(document, "[variables('loadBalancerName')]")
    rule: dict[str, Any] = balancer["properties"]["loadBalancingRules"][0]["properties"]
    return rule


def _model(tmp_path: Path, change: Callable[[Document], None], name: str) -> NetworkModel:
    document = json.loads((FIXTURE / name).read_text())
    change(document)
    path = tmp_path / "t.json"
    path.write_text(json.dumps(document))
    return build_model([path])


def _notes(model: NetworkModel) -> str:
    return "\n".join(note.message for note in model.notes)


def test_the_rule_listens_on_every_port_of_tcp_and_udp(tmp_path: Path) -> None:
    model = _model(tmp_path, lambda document: None, "azuredeploy.json")
    spec = model.endpoints[BALANCER].load_balancer
    assert spec is not None
    [listener] = spec.listeners
    assert (listener.every_port, listener.protocol, listener.port, listener.unknown) == (
        True,
        "tcp_udp",
        None,
        [],
    )
    assert "HA ports" not in _notes(model)


def _public_frontend(document: Document) -> None:
    balancer = _resource(document, "[variables('loadBalancerName')]")
    ip = {"id": "[resourceId('Microsoft.Network/publicIPAddresses', 'lbip')]"}
    balancer["properties"]["frontendIPConfigurations"][0]["properties"] = {"publicIPAddress": ip}
    document["resources"].append(
        {
            "type": "Microsoft.Network/publicIPAddresses",
            "apiVersion": "2023-09-01",
            "name": "lbip",
            "location": "westeurope",
            "sku": {"name": "Standard"},
            "properties": {"publicIPAllocationMethod": "Static"},
        }
    )


def _backend_port(document: Document) -> None:
    _rule(document)["backendPort"] = 8080


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (
            _public_frontend,
            "uses HA ports (port 0), which Azure takes on an internal load balancer's",
        ),
        (_backend_port, "has frontend port 0 (every port) but backend port 8080"),
    ],
)
def test_port_zero_that_azure_does_not_take_is_a_note(
    tmp_path: Path, change: Callable[[Document], None], said: str
) -> None:
    model = _model(tmp_path, change, "azuredeploy.json")
    spec = model.endpoints[BALANCER].load_balancer
    assert spec is not None
    assert spec.listeners == []
    assert f"load balancing rule myHARule {said}" in _notes(model)


def test_a_route_to_the_frontend_leads_to_the_load_balancer(tmp_path: Path) -> None:
    model = _model(tmp_path, lambda document: None, "nva-route.json")
    route = model.route_tables["Microsoft.Network/routeTables/myClientRoutes"].routes[0]
    assert (route.target_kind, route.target) == ("virtual-appliance", BALANCER)
    assert "IP forwarding" not in _notes(model)
    assert "HA ports" not in _notes(model)


def _no_forwarding(document: Document) -> None:
    _resource(document, "[variables('nicName')]")["properties"]["enableIPForwarding"] = False


def _one_port(document: Document) -> None:
    _rule(document).update(protocol="Tcp", frontendPort=443, backendPort=443)


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (_no_forwarding, "whose backends do not enable IP forwarding: Azure drops what they"),
        (_one_port, "which has no HA ports rule there: it passes on only the ports its rules"),
    ],
)
def test_a_frontend_that_would_not_pass_the_traffic_on_is_a_note(
    tmp_path: Path, change: Callable[[Document], None], said: str
) -> None:
    model = _model(tmp_path, change, "nva-route.json")
    expected = (
        "route Microsoft.Network/routeTables/myClientRoutes/routes/toAppliances sends traffic "
        f"to 10.0.0.100, a frontend of {BALANCER}, {said}"
    )
    assert expected in _notes(model)
    # Never the note for a machine's own interface: a load balancer's frontend is not one.
    assert "which does not enable IP forwarding" not in _notes(model)


def _internet_traffic(model: NetworkModel) -> Traffic:
    """What the client sends that reaches the internet."""
    client = "Microsoft.Network/networkInterfaces/myClientNIC"
    reached = Traffic()
    for flow in compute_reachability(model).flows:
        if (
            isinstance(flow.source, EndpointClass)
            and client in (member.endpoint for member in flow.source.members)
            and isinstance(flow.destination, External)
            and flow.destination.kind == "internet"
            and flow.state == "reachable"
        ):
            reached |= flow.traffic
    return reached


def _no_nat_gateway(document: Document) -> None:
    network = _resource(document, "[variables('virtualNetworkName')]")
    del network["properties"]["subnets"][0]["properties"]["natGateway"]
    network["dependsOn"] = [d for d in network["dependsOn"] if "natGateways" not in d]
    document["resources"].remove(_resource(document, "myNatGateway"))


def _public_appliance(document: Document) -> None:
    _no_nat_gateway(document)
    nic = _resource(document, "[variables('nicName')]")
    ip = {"id": "[resourceId('Microsoft.Network/publicIPAddresses', 'myNatIP')]"}
    nic["properties"]["ipConfigurations"][0]["properties"]["publicIPAddress"] = ip


@pytest.mark.parametrize(
    ("change", "out"),
    [
        (lambda document: None, True),  # the NAT gateway of the appliance's subnet
        (_no_nat_gateway, False),  # only an internal load balancer serves it: no default access
        (_public_appliance, True),  # its own public IP
    ],
)
def test_the_appliance_goes_out_its_own_way(
    tmp_path: Path, change: Callable[[Document], None], out: bool
) -> None:
    traffic = _internet_traffic(_model(tmp_path, change, "nva-route.json"))
    assert bool(traffic & Traffic.box(parse_protocol("tcp"))) is out


def _internet_traffic_of(tmp_path: Path, change: Callable[[Document], None], assume: str) -> str:
    document = json.loads((FIXTURE / "nva-route.json").read_text())
    change(document)
    path = tmp_path / "t.json"
    path.write_text(json.dumps(document))
    model = build_model([path])
    client = "Microsoft.Network/networkInterfaces/myClientNIC"
    reached = Traffic()
    for flow in compute_reachability(model, assume_unknown=assume).flows:  # type: ignore[arg-type]
        if (
            isinstance(flow.source, EndpointClass)
            and client in (member.endpoint for member in flow.source.members)
            and isinstance(flow.destination, External)
            and flow.state == "reachable"
        ):
            reached |= flow.traffic
    return reached.text()


def _frontend_in_a_subnet_of_its_own(nat_on: str) -> Callable[[Document], None]:
    """The frontend in subnet myLbSubnet (10.0.2.0/24), the NAT gateway on `nat_on`."""

    def change(document: Document) -> None:
        network = _resource(document, "[variables('virtualNetworkName')]")
        subnets = network["properties"]["subnets"]
        nat = subnets[0]["properties"].pop("natGateway")
        subnets.append({"name": "myLbSubnet", "properties": {"addressPrefix": "10.0.2.0/24"}})
        (subnets[0] if nat_on == "backends" else subnets[-1])["properties"]["natGateway"] = nat
        lb_subnet = (
            "[resourceId('Microsoft.Network/virtualNetworks/subnets', "
            "variables('virtualNetworkName'), 'myLbSubnet')]"
        )
        balancer = _resource(document, "[variables('loadBalancerName')]")
        frontend = balancer["properties"]["frontendIPConfigurations"][0]["properties"]
        frontend.update(subnet={"id": lb_subnet}, privateIPAddress="10.0.2.100")
        document["variables"]["frontendIp"] = "10.0.2.100"

    return change


def test_the_appliances_go_out_from_their_own_subnet_not_the_frontends(tmp_path: Path) -> None:
    """The load balancer hands the traffic to its appliances, which send it on by their own
    subnet's routes and NAT gateway: a NAT gateway on the frontend's subnet alone is no way
    out for them."""
    backends = _internet_traffic_of(tmp_path, _frontend_in_a_subnet_of_its_own("backends"), "open")
    assert "tcp 0-65535" in backends
    frontend = _internet_traffic_of(tmp_path, _frontend_in_a_subnet_of_its_own("frontend"), "open")
    assert frontend == ""


def test_the_load_balancer_passes_on_only_what_its_rules_hear(tmp_path: Path) -> None:
    """HA ports carry TCP and UDP ("balances all TCP and UDP flows"), not ICMP; a rule for one
    port passes that port alone; no rule passes nothing."""
    assert _internet_traffic_of(tmp_path, lambda document: None, "open") == (
        "tcp 0-65535; udp 0-65535"
    )
    assert _internet_traffic_of(tmp_path, _one_port, "open") == "tcp 443"

    def no_rules(document: Document) -> None:
        balancer = _resource(document, "[variables('loadBalancerName')]")
        balancer["properties"]["loadBalancingRules"] = []

    assert _internet_traffic_of(tmp_path, no_rules, "open") == ""


def test_a_backend_port_not_known_is_named_and_closed_takes_no_ha_ports(tmp_path: Path) -> None:
    def backend_parameter(document: Document) -> None:
        document["parameters"]["backendPort"] = {"type": "int"}
        _rule(document)["backendPort"] = "[parameters('backendPort')]"

    path = tmp_path / "t.json"
    document = json.loads((FIXTURE / "azuredeploy.json").read_text())
    backend_parameter(document)
    path.write_text(json.dumps(document))
    rules = FIXTURE / "rules.yaml"
    opened = run_check([path], [rules], builtin=False)
    [finding] = opened.findings
    assert any("backendPort" in value for value in finding.depends_on_unknown or [])
    assert run_check([path], [rules], builtin=False, assume_unknown="closed").findings == []


def test_ha_ports_on_a_basic_load_balancer_is_a_note(tmp_path: Path) -> None:
    def basic(document: Document) -> None:
        _resource(document, "[variables('loadBalancerName')]")["sku"] = {"name": "Basic"}

    model = _model(tmp_path, basic, "azuredeploy.json")
    spec = model.endpoints[BALANCER].load_balancer
    assert spec is not None and spec.listeners == []
    assert "which Azure takes on a Standard load balancer only" in _notes(model)
