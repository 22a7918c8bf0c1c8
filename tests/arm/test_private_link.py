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
    model = load_arm_template(FIXTURE / "nsg.json")
    analysis = Analysis(model)
    classes = {
        member.endpoint: cls for cls in analysis.reachability.classes for member in cls.members
    }
    rdp = Traffic.box(parse_protocol("tcp"), ports=IntervalSet([(3389, 3389)]))
    blocked = analysis.explain_through_balancers(classes[CONSUMER], classes[BACKEND], rdp)
    assert blocked is not None
    assert blocked.address.endswith("securityRules/DenyRdpFromServiceNat")
    assert blocked.reason.startswith(f"through {SERVICE}: ")
