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
