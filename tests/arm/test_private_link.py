"""Azure Private Link services: a private endpoint's clients go on to the service's load balancer
backends, from the service's NAT address (fixtures/azure/private-link-service)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from arm_helpers import FIXTURES

from reachlint.commands.check import run_check
from reachlint.dialects.arm import load_arm_template
from reachlint.engine.analysis import Analysis
from reachlint.engine.flows import EndpointClass
from reachlint.model.traffic import IntervalSet, Traffic, parse_protocol

FIXTURE = FIXTURES / "private-link-service"
RULES = [FIXTURE / "rules.yaml"]
CONSUMER = "Microsoft.Compute/virtualMachines/myConsumerVm2dk"
BACKEND = "Microsoft.Compute/virtualMachines/myVm2dkdvtdq2sh"
SERVICE = "Microsoft.Network/privateLinkServices/myPLS"


def _changed(tmp_path: Path, source: str, change: Any) -> Path:
    document = json.loads((FIXTURE / source).read_text())
    change(document)
    template = tmp_path / "template.json"
    template.write_text(json.dumps(document))
    return template


def _resource(document: dict[str, Any], type_name: str) -> dict[str, Any]:
    (found,) = [r for r in document["resources"] if r["type"] == type_name]
    return found


def _reached(template: Path, assume: str = "open") -> list[tuple[str, list[str] | None]]:
    report = run_check([template], RULES, builtin=False, assume_unknown=assume)
    return [
        (", ".join(f"{t.protocol} {t.ports}" for t in f.traffic), f.depends_on_unknown)
        for f in report.findings
        if f.destination.address == BACKEND
    ]


def _analysed(template: Path) -> tuple[Analysis, dict[str, EndpointClass]]:
    analysis = Analysis(load_arm_template(template))
    classes = {
        member.endpoint: cls for cls in analysis.reachability.classes for member in cls.members
    }
    return analysis, classes


def test_the_service_is_read_with_its_frontend_subnet_and_endpoints() -> None:
    # The id spells `frontendIpConfigurations`; the frontend is the load balancer's own.
    model = load_arm_template(FIXTURE / "manual.json")
    service = model.private_link_services[SERVICE]
    assert (service.frontends, service.subnet, service.endpoints, service.manual) == (
        ["Microsoft.Network/loadBalancers/myILB/frontendIPConfigurations/myFrontEnd"],
        "Microsoft.Network/virtualNetworks/myVirtualNetwork/subnets/frontendSubnet",
        ["Microsoft.Network/privateEndpoints/myPrivateEndpoint"],
        ["Microsoft.Network/privateEndpoints/myPrivateEndpoint"],
    )
    assert not [n for n in model.notes if "privateLinkServices" in n.message]


def test_a_nat_subnet_not_known_is_named_and_lies_in_the_load_balancers_vnet(
    tmp_path: Path,
) -> None:
    # nsg.json with the NAT subnet from a parameter without value. The NAT address lies in the
    # load balancer's VNet: AllowVnetInBound admits tcp 80 whatever it is; the deny for
    # 10.0.1.0/24 decides tcp 3389, so only 3389 rests on where the address is.
    def unknown_subnet(document: dict[str, Any]) -> None:
        document["parameters"]["natSubnetId"] = {"type": "string"}
        service = _resource(document, "Microsoft.Network/privateLinkServices")
        configuration = service["properties"]["ipConfigurations"][0]["properties"]
        configuration["subnet"]["id"] = "[parameters('natSubnetId')]"

    template = _changed(tmp_path, "nsg.json", unknown_subnet)
    subnet = f"{SERVICE}: subnet"
    within = "the address of an endpoint within its subnet"
    assert _reached(template) == [("tcp [(80, 80), (3389, 3389)]", [subnet, within])]
    assert _reached(template, "closed") == [("tcp [(80, 80)]", [subnet])]


def test_a_service_on_a_load_balancer_outside_the_input_leads_nowhere(tmp_path: Path) -> None:
    def elsewhere(document: dict[str, Any]) -> None:
        service = _resource(document, "Microsoft.Network/privateLinkServices")
        service["properties"]["loadBalancerFrontendIpConfigurations"] = [
            {"id": "/subscriptions/s/resourceGroups/other/providers/Microsoft.Network/"
                   "loadBalancers/theirs/frontendIPConfigurations/front"}
        ]  # fmt: skip

    assert _reached(_changed(tmp_path, "azuredeploy.json", elsewhere)) == []


def test_query_says_what_stops_the_flow_through_the_service() -> None:
    # The backend's NSG denies tcp 3389 from the NAT subnet: the answer names that rule, not
    # the two VNets that nothing connects.
    analysis, classes = _analysed(FIXTURE / "nsg.json")
    rdp = Traffic.box(parse_protocol("tcp"), ports=IntervalSet([(3389, 3389)]))
    blocked = analysis.explain_through_balancers(classes[CONSUMER], classes[BACKEND], rdp)
    assert blocked is not None
    assert blocked.address.endswith("securityRules/DenyRdpFromServiceNat")
    assert blocked.reason.startswith(f"through {SERVICE}: ")


def test_an_automatic_connection_carries_the_flow_whatever_a_manual_one_beside_it(
    tmp_path: Path,
) -> None:
    # A second private endpoint in the same subnet asks by a manual request: the two are one
    # class, and the automatic one reaches the backend for certain, in both modes.
    def second(document: dict[str, Any]) -> None:
        endpoint = _resource(document, "Microsoft.Network/privateEndpoints")
        manual = json.loads(json.dumps(endpoint))
        manual["name"] = "mySecondEndpoint"
        properties = manual["properties"]
        properties["manualPrivateLinkServiceConnections"] = properties.pop(
            "privateLinkServiceConnections"
        )
        document["resources"].append(manual)

    template = _changed(tmp_path, "azuredeploy.json", second)
    for assume in ("open", "closed"):
        assert _reached(template, assume) == [("tcp [(80, 80), (3389, 3389)]", None)]


def test_a_basic_load_balancer_takes_no_private_link_and_a_note_says_so(tmp_path: Path) -> None:
    def basic(document: dict[str, Any]) -> None:
        _resource(document, "Microsoft.Network/loadBalancers")["sku"]["name"] = "Basic"

    template = _changed(tmp_path, "azuredeploy.json", basic)
    assert _reached(template) == []
    notes = [n.message for n in load_arm_template(template).notes if n.address == SERVICE]
    assert notes == [
        "its load balancer is of the Basic SKU, which Private Link does not take: its private "
        "endpoints' clients go no further"
    ]


def test_the_nat_subnets_route_table_does_not_apply(tmp_path: Path) -> None:
    # The NAT addresses are no interface of the subnet, whose network policies are off: a
    # route dropping the backends' subnet there does not stop the service's flow.
    def dropping(document: dict[str, Any]) -> None:
        document["resources"].insert(0, {
            "type": "Microsoft.Network/routeTables", "apiVersion": "2021-05-01",
            "name": "natRoutes", "location": "[parameters('location')]",
            "properties": {"routes": [{"name": "drop", "properties": {
                "addressPrefix": "10.0.2.0/24", "nextHopType": "None"}}]},
        })  # fmt: skip
        network = next(
            r
            for r in document["resources"]
            if r["type"] == "Microsoft.Network/virtualNetworks"
            and r["name"] == "[variables('vnetName')]"
        )
        network["properties"]["subnets"][0]["properties"]["routeTable"] = {
            "id": "[resourceId('Microsoft.Network/routeTables', 'natRoutes')]"
        }

    template = _changed(tmp_path, "azuredeploy.json", dropping)
    assert _reached(template) == [("tcp [(80, 80), (3389, 3389)]", None)]


def test_query_says_when_the_load_balancer_hears_none_of_it() -> None:
    analysis, classes = _analysed(FIXTURE / "azuredeploy.json")
    https = Traffic.box(parse_protocol("tcp"), ports=IntervalSet([(443, 443)]))
    blocked = analysis.explain_through_balancers(classes[CONSUMER], classes[BACKEND], https)
    assert blocked is not None
    assert (blocked.code, blocked.address) == (
        "no-listener",
        "Microsoft.Network/loadBalancers/myILB",
    )
    assert blocked.reason.startswith(f"through {SERVICE}: no rule of ")


def test_frontends_not_known_may_be_any_of_the_vnets_load_balancers(tmp_path: Path) -> None:
    # loadBalancerFrontendIpConfigurations from a parameter without value: open, the service
    # may be on myILB's frontend (the one load balancer of its NAT subnet's VNet), named;
    # closed, on none. Before, the service led nowhere under both.
    def unknown_frontends(document: dict[str, Any]) -> None:
        document["parameters"]["frontends"] = {"type": "array"}
        service = _resource(document, "Microsoft.Network/privateLinkServices")
        service["properties"]["loadBalancerFrontendIpConfigurations"] = "[parameters('frontends')]"

    template = _changed(tmp_path, "azuredeploy.json", unknown_frontends)
    named = f"{SERVICE}: loadBalancerFrontendIpConfigurations"
    assert _reached(template) == [("tcp [(80, 80), (3389, 3389)]", [named])]
    assert _reached(template, "closed") == []


def test_frontends_not_known_may_be_on_any_load_balancer_of_the_vnet(tmp_path: Path) -> None:
    # With a second internal load balancer in the provider VNet (tcp 8080 to the same backend),
    # frontends not known may be either's: open, the backend is reached through both.
    def two_balancers(document: dict[str, Any]) -> None:
        document["parameters"]["frontends"] = {"type": "array"}
        service = _resource(document, "Microsoft.Network/privateLinkServices")
        service["properties"]["loadBalancerFrontendIpConfigurations"] = "[parameters('frontends')]"
        first = _resource(document, "Microsoft.Network/loadBalancers")
        second = json.loads(json.dumps(first).replace("variables('loadbalancerName')", "'lb2'"))
        second["name"] = "lb2"
        second["properties"]["inboundNatRules"] = []
        (rule,) = second["properties"]["loadBalancingRules"]
        rule["properties"] |= {"frontendPort": 8080, "backendPort": 8080}
        document["resources"].append(second)
        nic = next(
            r
            for r in document["resources"]
            if r["type"] == "Microsoft.Network/networkInterfaces"
            and "loadBalancerBackendAddressPools" in json.dumps(r)
        )
        pools = nic["properties"]["ipConfigurations"][0]["properties"]
        pools["loadBalancerBackendAddressPools"].append(
            {"id": "[resourceId('Microsoft.Network/loadBalancers/backendAddressPools', 'lb2', "
                   "variables('backendPoolName'))]"}
        )  # fmt: skip

    template = _changed(tmp_path, "azuredeploy.json", two_balancers)
    named = f"{SERVICE}: loadBalancerFrontendIpConfigurations"
    assert _reached(template) == [("tcp [(80, 80), (3389, 3389), (8080, 8080)]", [named])]
