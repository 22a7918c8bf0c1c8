"""The Azure fixtures as models: Azure's facts made explicit, and both template forms agreeing."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import msgspec
import pytest
from arm_helpers import FIXTURES, template_document, write_template

from reachlint.dialects.arm import load_arm_template
from reachlint.model.network import NetworkModel, PortRange

NAMES = sorted(p.name for p in FIXTURES.iterdir() if (p / "template.json").is_file())
NET = "Microsoft.Network"
VNET = f"{NET}/virtualNetworks"


@cache
def model(name: str, form: str = "template.json") -> NetworkModel:
    return load_arm_template(FIXTURES / name / form)


def without_origins(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_origins(v) for k, v in value.items() if k not in ("origin", "inputs")}
    if isinstance(value, list):
        return [without_origins(v) for v in value]
    return value


def _data(loaded: NetworkModel) -> dict[str, Any]:
    fields = [name for name in loaded.__struct_fields__ if name != "type_names"]
    return {name: msgspec.to_builtins(getattr(loaded, name)) for name in fields}


def test_every_fixture_has_both_forms() -> None:
    assert NAMES == [
        "firewall-dnat-fqdn",
        "firewall-forced-tunneling",
        "firewall-policy-ipgroups",
        "hub-spoke",
        "hybrid",
        "public-web",
        "public-web-peers",
        "standard-ip-port-rule",
    ]
    for name in NAMES:
        assert (FIXTURES / name / "template.symbolic.json").is_file()


@pytest.mark.parametrize("name", NAMES)
def test_classic_and_symbolic_forms_give_the_same_model(name: str) -> None:
    classic = without_origins(_data(model(name)))
    symbolic = without_origins(_data(model(name, "template.symbolic.json")))
    assert classic == symbolic


@pytest.mark.parametrize("name", NAMES)
def test_origins_point_into_the_template(name: str) -> None:
    for form in ("template.json", "template.symbolic.json"):
        loaded = model(name, form)
        for endpoint in loaded.endpoints.values():
            assert endpoint.origin.file == str(FIXTURES / name / form)
            assert endpoint.origin.line


def test_every_nsg_carries_azures_six_default_rules() -> None:
    nsg = model("public-web").network_security_groups[f"{NET}/networkSecurityGroups/web-nic-nsg"]
    defaults = {(r.name, r.priority, r.direction, r.allow) for r in nsg.rules if r.is_default}
    assert defaults == {
        ("AllowVnetInBound", 65000, "inbound", True),
        ("AllowAzureLoadBalancerInBound", 65001, "inbound", True),
        ("DenyAllInBound", 65500, "inbound", False),
        ("AllowVnetOutBound", 65000, "outbound", True),
        ("AllowInternetOutBound", 65001, "outbound", True),
        ("DenyAllOutBound", 65500, "outbound", False),
    }
    own = [r for r in nsg.rules if not r.is_default]
    assert [(r.name, r.priority, r.allow) for r in own] == [
        ("deny-vnet-peers", 100, False),
        ("allow-http-from-internet", 110, True),
    ]
    deny = own[0]
    assert deny.source.service_tags == ["VirtualNetwork"] and deny.protocol == "all"
    assert deny.address == f"{NET}/networkSecurityGroups/web-nic-nsg/securityRules/deny-vnet-peers"
    assert deny.origin.line == 43


def test_the_nic_belongs_to_its_vm() -> None:
    loaded = model("public-web")
    vm = loaded.endpoints["Microsoft.Compute/virtualMachines/web-vm-0"]
    assert vm.kind == "virtual-machine" and vm.tags == {"Tier": "web"}
    (interface,) = vm.interfaces
    assert interface.address == f"{NET}/networkInterfaces/web-nic-0"
    assert interface.subnet == f"{VNET}/web-vnet/subnets/web"
    assert interface.network == f"{VNET}/web-vnet"
    assert interface.network_security_group == f"{NET}/networkSecurityGroups/web-nic-nsg"
    assert interface.security_groups == [] and not interface.public
    assert not any(e.kind == "network-interface" for e in loaded.endpoints.values())


def test_load_balancer_rule_to_listener_to_target_group_to_vms() -> None:
    loaded = model("public-web")
    lb = loaded.endpoints[f"{NET}/loadBalancers/web-lb"]
    assert lb.kind == "load-balancer" and lb.load_balancer is not None
    assert lb.load_balancer.scheme == "internet-facing"
    assert lb.load_balancer.flavor == "network" and lb.load_balancer.preserves_client_address
    (frontend,) = lb.interfaces
    assert frontend.public and frontend.public_source == f"{NET}/publicIPAddresses/web-lb-pip"
    assert frontend.subnet is None and frontend.network == f"{VNET}/web-vnet"
    assert loaded.elastic_ips[f"{NET}/publicIPAddresses/web-lb-pip"].endpoint == lb.address
    (listener,) = lb.load_balancer.listeners
    assert listener.address == f"{NET}/loadBalancers/web-lb/loadBalancingRules/http"
    assert (listener.protocol, listener.port) == ("tcp", 80)
    group = loaded.target_groups[listener.target_groups[0]]
    assert group.port == 80
    assert [t.endpoint for t in group.targets] == [
        "Microsoft.Compute/virtualMachines/web-vm-0",
        "Microsoft.Compute/virtualMachines/web-vm-1",
    ]
    assert group.targets[0].via == f"{NET}/networkInterfaces/web-nic-0/ipConfigurations/ipconfig1"


def test_user_defined_route_to_the_vpn_gateway_and_the_on_premises_site() -> None:
    loaded = model("hybrid")
    table = loaded.route_tables[f"{NET}/routeTables/app-routes"]
    assert table.network == f"{VNET}/hybrid-vnet"
    assert table.subnets == [f"{VNET}/hybrid-vnet/subnets/app"]
    (route,) = table.routes
    assert (route.destination, route.target_kind) == ("0.0.0.0/0", "vpn-gateway")
    assert route.target == f"{NET}/virtualNetworkGateways/hybrid-vpngw"
    gateway = loaded.gateways[route.target]
    assert gateway.kind == "vpn-gateway" and gateway.network == f"{VNET}/hybrid-vnet"
    site = loaded.onprem_sites[f"{NET}/localNetworkGateways/onprem-site"]
    assert site.gateway == gateway.address and site.cidrs == ["192.168.0.0/16"]
    assert site.type == f"{NET}/localNetworkGateways"


def test_subnets_nsgs_and_static_addresses_in_the_hybrid_network() -> None:
    loaded = model("hybrid")
    app = loaded.subnets[f"{VNET}/hybrid-vnet/subnets/app"]
    assert app.security_group == f"{NET}/networkSecurityGroups/app-nsg"
    assert app.route_table == f"{NET}/routeTables/app-routes"
    assert not app.default_outbound_access
    assert loaded.subnets[f"{VNET}/hybrid-vnet/subnets/GatewaySubnet"].cidrs == ["10.10.255.0/27"]
    web = loaded.endpoints["Microsoft.Compute/virtualMachines/web-vm"].interfaces[0]
    assert web.private_ips == ["10.10.1.10"] and web.public
    assert loaded.elastic_ips[f"{NET}/publicIPAddresses/web-pip"].interface == web.address
    rules = loaded.network_security_groups[f"{NET}/networkSecurityGroups/app-nsg"].rules
    admin = next(r for r in rules if r.name == "allow-admin-ssh")
    assert admin.source.cidrs == ["192.168.10.0/24"]
    assert admin.destination_ports is not None and admin.destination_ports[0].low == 22


def test_spoke_routes_lead_to_the_firewall() -> None:
    loaded = model("hub-spoke")
    firewall = loaded.gateways[f"{NET}/azureFirewalls/hub-fw"]
    assert firewall.kind == "firewall" and firewall.private_ips == ["10.0.1.4"]
    assert firewall.subnet == f"{VNET}/hub-vnet/subnets/AzureFirewallSubnet"
    for spoke in ("spoke1", "spoke2"):
        (route,) = loaded.route_tables[f"{NET}/routeTables/{spoke}-routes"].routes
        assert (route.destination, route.target_kind) == ("0.0.0.0/0", "virtual-appliance")
        assert route.target == firewall.address
    assert firewall.policy is not None
    (rule,) = firewall.policy.rules
    assert (rule.name, rule.action, rule.destination_ports) == (
        "https-between-spokes",
        "allow",
        [PortRange(low=443, high=443)],
    )


def test_the_two_directions_of_a_peering_are_one_peering() -> None:
    peerings = model("hub-spoke").peerings
    assert len(peerings) == 2
    for spoke in ("spoke1", "spoke2"):
        (peering,) = [p for p in peerings.values() if f"{spoke}-vnet" in str(p.requester)]
        assert peering.accepter == f"{VNET}/hub-vnet"
        assert peering.active and peering.allow_forwarded_traffic
        assert peering.gateway_user is None
    spokes = model("hub-spoke").endpoints
    assert {e.tags["Spoke"] for e in spokes.values()} == {"spoke1", "spoke2"}


def test_a_template_of_modelled_resources_leaves_no_notes() -> None:
    assert model("public-web").notes == []


def test_an_unmodelled_type_is_noted_once_with_its_count(tmp_path: Path) -> None:
    resource = {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01"}
    document = template_document(resources=[{**resource, "name": f"store{i}"} for i in range(5)])
    loaded = load_arm_template(write_template(tmp_path, document))
    (note,) = loaded.notes
    assert note.message == (
        "5 Microsoft.Storage/storageAccounts resource(s) not modelled: "
        "Microsoft.Storage/storageAccounts/store0, Microsoft.Storage/storageAccounts/store1, "
        "Microsoft.Storage/storageAccounts/store2 and 2 more"
    )
