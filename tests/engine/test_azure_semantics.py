"""SPEC §4 (Azure) on hand-built models: one test per documented fact."""

from __future__ import annotations

import pytest

from reachlint.model.network import PortRange
from tests.engine.azure_builder import AzureNet, rule

INTERNET = "Internet"


def two_vms(web_rules: tuple = (), subnet_rules: tuple | None = None) -> AzureNet:  # type: ignore[type-arg]
    net = AzureNet()
    vnet = net.vnet("app", "10.1.0.0/16")
    subnet_nsg = net.nsg("subnet-nsg", *subnet_rules) if subnet_rules is not None else None
    subnet = net.subnet_in(vnet, "web", "10.1.1.0/24", nsg=subnet_nsg)
    nic_nsg = net.nsg("web-nsg", *web_rules)
    net.vm("web-0", subnet, nic_nsg, public=True)
    net.vm("web-1", subnet, nic_nsg, public=True)
    return net


def test_nsg_priority_order_first_match_wins() -> None:
    net = two_vms(
        (
            rule("deny-ssh", 100, "inbound", False, INTERNET, "*", "22"),
            rule("allow-low", 200, "inbound", True, INTERNET, "*", "0-1023"),
        )
    )
    result = net.reach()
    assert (
        result.traffic("internet", "Microsoft.Compute/virtualMachines/web-0") == "tcp 0-21, 23-1023"
    )


def test_default_rules_deny_internet_and_allow_vnet_peers() -> None:
    net = two_vms()
    result = net.reach()
    assert result.traffic("internet", "Microsoft.Compute/virtualMachines/web-0") == ""
    # AllowVnetInBound: subnet peers talk unless an NSG says otherwise (unlike AWS ACLs).
    assert (
        result.traffic(
            "Microsoft.Compute/virtualMachines/web-0", "Microsoft.Compute/virtualMachines/web-1"
        )
        == "all"
    )


def test_deny_virtual_network_stops_peers_in_the_same_subnet() -> None:
    net = two_vms(
        (
            rule("http", 100, "inbound", True, INTERNET, "*", "80"),
            rule("no-peers", 200, "inbound", False, "VirtualNetwork", "VirtualNetwork", "*", "*"),
        )
    )
    result = net.reach()
    web0, web1 = (
        "Microsoft.Compute/virtualMachines/web-0",
        "Microsoft.Compute/virtualMachines/web-1",
    )
    assert result.traffic(web0, web1) == ""
    assert result.traffic("internet", web0) == "tcp 80"


def test_subnet_and_nic_nsgs_must_both_allow() -> None:
    allow_http = (rule("http", 100, "inbound", True, INTERNET, "*", "80-443"),)
    only_443 = (rule("https", 100, "inbound", True, INTERNET, "*", "443"),)
    net = two_vms(allow_http, subnet_rules=only_443)
    web0 = "Microsoft.Compute/virtualMachines/web-0"
    result = net.reach()
    assert result.traffic("internet", web0) == "tcp 443"
    path = result.path("internet", web0)
    assert path.index("Microsoft.Network/networkSecurityGroups/subnet-nsg/securityRules/https") < (
        path.index("Microsoft.Network/networkSecurityGroups/web-nsg/securityRules/http")
    )


def test_a_level_without_nsg_allows() -> None:
    net = AzureNet()
    vnet = net.vnet("app", "10.1.0.0/16")
    subnet = net.subnet_in(vnet, "open", "10.1.1.0/24")
    vm = net.vm("bare", subnet, None, public=True)
    assert net.reach().traffic("internet", vm) == "all"


def test_nsgs_are_stateful_outbound_deny_does_not_break_replies() -> None:
    net = two_vms(
        (
            rule("http", 100, "inbound", True, INTERNET, "*", "80"),
            rule("no-out", 100, "outbound", False, "*", "*", "*", "*"),
        )
    )
    result = net.reach()
    assert result.traffic("internet", "Microsoft.Compute/virtualMachines/web-0") == "tcp 80"
    assert (
        result.flows("internet", "Microsoft.Compute/virtualMachines/web-0", "reply-dropped") == []
    )


def test_application_security_groups_select_member_nics() -> None:
    net = AzureNet()
    vnet = net.vnet("app", "10.1.0.0/16")
    subnet = net.subnet_in(vnet, "mixed", "10.1.1.0/24")
    asg_web = "Microsoft.Network/applicationSecurityGroups/web"
    asg_db = "Microsoft.Network/applicationSecurityGroups/db"
    db_nsg = net.nsg(
        "db",
        rule(
            "from-web",
            100,
            "inbound",
            True,
            [],
            [],
            "5432",
            source_asgs=(asg_web,),
            destination_asgs=(asg_db,),
        ),
        rule("no-vnet", 200, "inbound", False, "VirtualNetwork", "*", "*", "*"),
    )
    web = net.vm("web", subnet, None, asgs=(asg_web,))
    other = net.vm("other", subnet, None)
    db = net.vm("db", subnet, db_nsg, asgs=(asg_db,))
    result = net.reach()
    assert result.traffic(web, db) == "tcp 5432"
    assert result.traffic(other, db) == ""


def test_internet_ingress_needs_public_ip_or_public_load_balancer() -> None:
    net = AzureNet()
    vnet = net.vnet("app", "10.1.0.0/16")
    nsg = net.nsg("web", rule("http", 100, "inbound", True, INTERNET, "*", "80"))
    subnet = net.subnet_in(vnet, "web", "10.1.1.0/24", nsg=nsg)
    private = net.vm("private", subnet)
    behind = net.vm("behind", subnet)
    lb = net.public_lb("front", vnet, 80, 80, [behind])
    result = net.reach()
    assert result.traffic("internet", private) == ""
    assert result.traffic("internet", lb) == "tcp 80"
    assert result.traffic("internet", behind) == "tcp 80"
    assert lb in result.path("internet", behind)


def test_internet_tag_is_public_space_outside_the_vnet() -> None:
    net = AzureNet()
    vnet = net.vnet("app", "10.1.0.0/16")
    nsg = net.nsg("web", rule("from-internet", 100, "inbound", True, INTERNET, "*", "22"))
    subnet = net.subnet_in(vnet, "web", "10.1.1.0/24", nsg=nsg)
    other_subnet = net.subnet_in(vnet, "other", "10.1.2.0/24")
    target = net.vm("target", subnet, public=True)
    peer = net.vm("peer", other_subnet)
    result = net.reach()
    assert result.traffic("internet", target) == "tcp 22"
    # AllowVnetInBound still admits the VNet, but not via the Internet rule: all of it.
    assert result.traffic(peer, target) == "all"


def test_virtual_network_tag_covers_peered_vnets_and_onprem_ranges() -> None:
    net = AzureNet()
    hub = net.vnet("hub", "10.0.0.0/16")
    spoke = net.vnet("spoke", "10.2.0.0/16")
    net.vnet_peering(hub, spoke)
    _, site = net.vpn(hub, ["192.168.0.0/16"])
    only_vnet = net.nsg(
        "app",
        rule("vnet-ssh", 100, "inbound", True, "VirtualNetwork", "*", "22"),
        rule("deny", 200, "inbound", False, "*", "*", "*", "*"),
    )
    app = net.vm("app", net.subnet_in(hub, "app", "10.0.1.0/24", nsg=only_vnet))
    spoke_vm = net.vm("spoke", net.subnet_in(spoke, "s", "10.2.1.0/24"))
    result = net.reach()
    assert result.traffic(spoke_vm, app) == "tcp 22"
    assert result.traffic(site, app) == "tcp 22"


def test_forced_tunnelling_sends_internet_traffic_on_premises() -> None:
    net = AzureNet()
    vnet = net.vnet("hybrid", "10.1.0.0/16")
    gateway, site = net.vpn(vnet, ["192.168.0.0/16"])
    table = net.route_table("force", vnet, ("0.0.0.0/0", "vpn-gateway", gateway))
    app = net.vm("app", net.subnet_in(vnet, "app", "10.1.2.0/24", table=table))
    result = net.reach()
    assert result.traffic(app, "internet") == ""
    assert result.traffic(app, site) == "all"


def test_route_to_none_drops_and_default_route_reaches_internet() -> None:
    net = AzureNet()
    vnet = net.vnet("app", "10.1.0.0/16")
    dropped = net.route_table("drop", vnet, ("0.0.0.0/0", "blackhole", None))
    quiet = net.vm("quiet", net.subnet_in(vnet, "quiet", "10.1.1.0/24", table=dropped))
    chatty = net.vm("chatty", net.subnet_in(vnet, "chatty", "10.1.2.0/24"))
    result = net.reach()
    assert result.traffic(quiet, "internet") == ""
    # The default rule AllowInternetOutBound and Azure's system route let it out.
    assert result.traffic(chatty, "internet") == "all"


def test_traffic_to_virtual_appliance_goes_through_the_firewall() -> None:
    net = AzureNet()
    hub = net.vnet("hub", "10.0.0.0/16")
    spoke_a, spoke_b = net.vnet("a", "10.1.0.0/16"), net.vnet("b", "10.2.0.0/16")
    fw_subnet = net.subnet_in(hub, "AzureFirewallSubnet", "10.0.1.0/26")
    firewall = net.firewall(hub, fw_subnet, "10.0.1.4")
    into_hub = net.vnet_peering(hub, spoke_a)
    out_of_hub = net.vnet_peering(hub, spoke_b)
    table_a = net.route_table("a", spoke_a, ("0.0.0.0/0", "virtual-appliance", firewall))
    table_b = net.route_table("b", spoke_b, ("0.0.0.0/0", "virtual-appliance", firewall))
    vm_a = net.vm("a", net.subnet_in(spoke_a, "w", "10.1.1.0/24", table=table_a))
    vm_b = net.vm("b", net.subnet_in(spoke_b, "w", "10.2.1.0/24", table=table_b))
    result = net.reach()
    assert result.traffic(vm_a, vm_b) == "all"
    path = result.path(vm_a, vm_b)
    # The peerings crossed into the hub and out of it are on the path, around the firewall.
    assert path.index(into_hub) < path.index(firewall) < path.index(out_of_hub)
    assert firewall in result.path(vm_a, "internet")


def test_vnet_peering_is_not_transitive() -> None:
    net = AzureNet()
    a, b, c = (
        net.vnet("a", "10.1.0.0/16"),
        net.vnet("b", "10.2.0.0/16"),
        net.vnet("c", "10.3.0.0/16"),
    )
    net.vnet_peering(a, b)
    net.vnet_peering(b, c)
    vm_a = net.vm("a", net.subnet_in(a, "s", "10.1.1.0/24"))
    vm_b = net.vm("b", net.subnet_in(b, "s", "10.2.1.0/24"))
    vm_c = net.vm("c", net.subnet_in(c, "s", "10.3.1.0/24"))
    result = net.reach()
    assert result.traffic(vm_a, vm_b) == "all"
    assert result.traffic(vm_a, vm_c) == ""


def test_a_forced_tunnel_route_does_not_empty_the_internet_tag() -> None:
    net = AzureNet()
    vnet = net.vnet("hybrid", "10.1.0.0/16")
    gateway, _site = net.vpn(vnet, ["192.168.0.0/16"])
    table = net.route_table("force", vnet, ("0.0.0.0/0", "vpn-gateway", gateway))
    net.subnet_in(vnet, "app", "10.1.2.0/24", table=table)
    web_nsg = net.nsg("web", rule("https", 100, "inbound", True, INTERNET, "*", "443"))
    web = net.vm("web", net.subnet_in(vnet, "web", "10.1.1.0/24", nsg=web_nsg), public=True)
    assert net.reach().traffic("internet", web) == "tcp 443"


def test_a_vm_can_be_the_virtual_appliance() -> None:
    net = AzureNet()
    hub = net.vnet("hub", "10.0.0.0/16")
    spoke = net.vnet("spoke", "10.1.0.0/16")
    net.vnet_peering(hub, spoke)
    nva = net.vm("nva", net.subnet_in(hub, "nva", "10.0.2.0/24"), public=True, ip="10.0.2.4")
    table = net.route_table("via-nva", spoke, ("0.0.0.0/0", "virtual-appliance", nva))
    app = net.vm("app", net.subnet_in(spoke, "app", "10.1.1.0/24", table=table))
    result = net.reach()
    assert nva in result.path(app, "internet")


def test_a_rule_for_some_ports_admits_no_icmp_whatever_its_protocol() -> None:
    """Ports bind TCP and UDP only: protocol Any on port 80 lets in tcp and udp 80, and ICMP,
    which has no port, stays out (the NSG's DenyAllInBound decides it)."""
    net = AzureNet()
    vnet = net.vnet("app", "10.1.0.0/16")
    nsg = net.nsg("web", rule("http", 100, "inbound", True, INTERNET, "*", "80", protocol="*"))
    subnet = net.subnet_in(vnet, "web", "10.1.1.0/24", nsg=nsg)
    web = net.vm("web", subnet, public=True)
    result = net.reach()
    assert result.traffic("internet", web) == "tcp 80; udp 80"


def _public_vm(closed: bool | None, nsg_rules: tuple | None = None) -> tuple[AzureNet, str]:  # type: ignore[type-arg]
    net = AzureNet()
    vnet = net.vnet("app", "10.1.0.0/16")
    nsg = net.nsg("web", *nsg_rules) if nsg_rules is not None else None
    subnet = net.subnet_in(vnet, "web", "10.1.1.0/24", nsg=nsg)
    vm = net.vm("web", subnet, public=True)
    (interface,) = net.model.endpoints[vm].interfaces
    interface.public_source = "Microsoft.Network/publicIPAddresses/web-ip"
    interface.closed_without_nsg = closed
    return net, vm


def test_a_standard_public_ip_is_closed_unless_an_nsg_allows() -> None:
    """Microsoft: Standard public IPs are secure by default and closed to inbound traffic until
    an NSG allows it; Basic ones are open (public-ip-addresses#sku)."""
    closed, vm = _public_vm(True)
    assert closed.reach().traffic("internet", vm) == ""
    basic, vm = _public_vm(False)
    assert basic.reach().traffic("internet", vm) == "all"
    allowed, vm = _public_vm(True, (rule("ssh", 100, "inbound", True, INTERNET, "*", "22"),))
    assert allowed.reach().traffic("internet", vm) == "tcp 22"


def test_a_public_ip_of_unknown_sku_follows_assume_unknown() -> None:
    net, vm = _public_vm(None)
    result = net.reach()
    assert result.traffic("internet", vm) == "all"
    (flow,) = result.flows("internet", vm)
    assert [str(u) for u in flow.unknowns] == [
        "Microsoft.Network/publicIPAddresses/web-ip: its SKU (a Standard public IP is closed to "
        "inbound traffic unless an NSG allows it)"
    ]
    assert net.reach("closed").traffic("internet", vm) == ""


def test_a_default_route_puts_the_internet_in_virtual_network_and_the_path_says_why() -> None:
    """Microsoft: VirtualNetwork includes "address prefixes used on user-defined routes"; with a
    0.0.0.0/0 route on the subnet, AllowVnetInBound admits every address (fwm-docs-qs)."""
    net = AzureNet()
    vnet = net.vnet("spoke", "10.0.0.0/16")
    table = net.route_table("rt", vnet, ("0.0.0.0/0", "internet", None))
    nsg = net.nsg("jump", rule("rdp", 300, "inbound", True, "*", "*", "3389"))
    jump = net.vm("jump", net.subnet_in(vnet, "jump", "10.0.1.0/24", table=table), nsg, public=True)
    result = net.reach()
    assert result.traffic("internet", jump) == "all"
    (flow,) = result.flows("internet", jump)
    details = [hop.detail for hop in flow.path if hop.address.endswith("AllowVnetInBound")]
    assert details and details[0].endswith(
        "(VirtualNetwork takes in the prefixes of the user-defined routes of "
        "Microsoft.Network/routeTables/rt: 0.0.0.0/0)"
    )


def test_routes_steer_only_what_leaves_a_subnet_so_a_public_vm_is_reached_without_replies() -> None:
    net = AzureNet()
    vnet = net.vnet("app", "10.1.0.0/16")
    dropped = net.route_table("drop", vnet, ("0.0.0.0/0", "blackhole", None))
    nsg = net.nsg(
        "web-nsg",
        rule("snmp", 100, "inbound", True, INTERNET, "*", "161", "udp"),
        rule("ssh", 110, "inbound", True, INTERNET, "*", "22"),
        rule("deny-rest", 4000, "inbound", False, "*", "*", "*", "*"),
    )
    web = net.vm(
        "web", net.subnet_in(vnet, "web", "10.1.1.0/24", nsg=nsg, table=dropped), public=True
    )
    result = net.reach()
    # The packet arrives whatever the table says; TCP's replies follow the table and are lost.
    assert result.traffic("internet", web) == "udp 161"
    assert result.traffic("internet", web, "reply-dropped") == "tcp 22"


def test_the_internet_system_route_covers_ipv6() -> None:
    net = AzureNet()
    vnet = net.vnet("app", "10.1.0.0/16", "ace:cab:deca::/48")
    vm = net.vm("v6", net.subnet_in(vnet, "dual", "ace:cab:deca:deed::/64"))
    # AllowInternetOutBound and Azure's default routes, ::/0 as 0.0.0.0/0, let it out.
    assert "all" in net.reach().traffic(vm, "internet")


def _with_source_ports(net: AzureNet, nsg: str, name: str, low: int, high: int) -> None:
    for written in net.model.network_security_groups[nsg].rules:
        if written.name == name:
            written.source_ports = [PortRange(low=low, high=high)]


def _ssh_with_client_ports(*rules: tuple[str, int, bool, tuple[int, int] | None]) -> AzureNet:
    net = AzureNet()
    vnet = net.vnet("app", "10.1.0.0/16")
    nsg = net.nsg(
        "web-nsg",
        *(rule(name, p, "inbound", allow, INTERNET, "*", "22") for name, p, allow, _ in rules),
    )
    for name, _, _, ports in rules:
        if ports is not None:
            _with_source_ports(net, nsg, name, *ports)
    net.vm("web", net.subnet_in(vnet, "web", "10.1.1.0/24"), nsg, public=True)
    return net


WEB = "Microsoft.Compute/virtualMachines/web"


@pytest.mark.parametrize("assume", ["open", "closed"])
def test_a_rule_for_one_client_port_admits_the_client_that_picks_it(assume: str) -> None:
    # Reachable means for some client port in 1024-65535: no value here is unknown.
    net = _ssh_with_client_ports(("ssh-from-1234", 100, True, (1234, 1234)))
    result = net.reach(assume)  # type: ignore[arg-type]
    assert result.traffic("internet", WEB) == "tcp 22"
    assert all(not flow.unknowns for flow in result.flows("internet", WEB))


def test_a_deny_of_every_client_port_denies_and_of_some_lets_the_others_by() -> None:
    every = _ssh_with_client_ports(("deny", 100, False, (1024, 65535)), ("allow", 200, True, None))
    assert every.reach().traffic("internet", WEB) == ""
    some = _ssh_with_client_ports(("deny", 100, False, (1024, 30000)), ("allow", 200, True, None))
    assert some.reach().traffic("internet", WEB) == "tcp 22"


def test_an_allow_for_client_ports_a_deny_before_it_covers_admits_none() -> None:
    net = _ssh_with_client_ports(
        ("deny", 100, False, (1024, 5000)), ("allow", 200, True, (3000, 4000))
    )
    assert net.reach().traffic("internet", WEB) == ""


@pytest.mark.parametrize("learns", [True, False])
def test_routes_the_gateway_learns_reach_a_subnet_only_while_its_table_propagates_them(
    learns: bool,
) -> None:
    net = AzureNet()
    vnet = net.vnet("hybrid", "10.1.0.0/16")
    _gateway, site = net.vpn(vnet, ["192.168.0.0/16"])
    table = net.route_table("quiet", vnet)
    net.model.route_tables[table].learns_gateway_routes = learns
    app = net.vm("app", net.subnet_in(vnet, "app", "10.1.2.0/24", table=table))
    result = net.reach()
    expected = "all" if learns else ""
    assert result.traffic(app, site) == expected
    assert result.traffic(site, app) == expected


def test_a_service_tag_not_known_is_a_doubt_only_for_what_its_rule_decides() -> None:
    net = AzureNet()
    vnet = net.vnet("app", "10.1.0.0/16")
    nsg = net.nsg(
        "web-nsg",
        rule("ssh", 100, "inbound", True, INTERNET, "*", "22"),
        rule("pg", 110, "inbound", True, "AzureCloud", "*", "5432"),
    )
    web = net.vm("web", net.subnet_in(vnet, "web", "10.1.1.0/24"), nsg, public=True)
    (flow,) = net.reach().flows("internet", web)
    assert flow.traffic.text() == "tcp 22, 5432"
    doubts = [u for u in flow.unknowns if not isinstance(u, str)]
    assert [(d.name.rsplit(": ", 1)[-1], d.traffic.text()) for d in doubts] == [
        ("addresses of a service tag", "tcp 5432")
    ]
    assert not [u for u in flow.unknowns if isinstance(u, str)]  # none on the flow as a whole
