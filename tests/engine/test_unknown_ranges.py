"""SPEC §4, unknown values: an address range that is unknown stays an unknown in the engine.

Each place a range enters the engine gets a test: network and subnet ranges (local route,
where an endpoint's address lies, internet clients), security-group rules, network ACL entries,
NSG rules and the VirtualNetwork tag, route destinations, prefix lists and on-premises sites.
What does not depend on the value is decided in both modes, with no unknown named; what does
follows --assume-unknown, and under `open` names the value with the traffic that rests on it.
"""

from __future__ import annotations

import pytest

from reachlint.engine.flows import Doubt, Flow, private_address_of
from reachlint.engine.reach import AssumeUnknown
from reachlint.model.network import AddressSpec, OnPremSite, PrefixList, Route, SecurityGroupRule
from reachlint.model.traffic import Traffic, parse_protocol, ports_from_spec
from reachlint.sources import UnknownValue
from tests.engine.azure_builder import AzureNet, rule
from tests.engine.builder import Net, Result, egress, entry, ingress
from tests.engine.test_aws_semantics import public_vpc

WORLD = "0.0.0.0/0"
VPC_CIDR = UnknownValue(sources=("var.cidr",), exactly="var.cidr", version=4)
SUBNET_CIDR = UnknownValue(sources=("var.cidr",), version=4)  # cidrsubnet(var.cidr, 8, n)
ADMIN = UnknownValue(sources=("var.admin_range",), exactly="var.admin_range", version=4)


def names(result: Result, source: str, destination: str, traffic: str) -> set[str]:
    """What the flows' `traffic` rests on, as a finding about it would name it."""
    wanted = _traffic(traffic)
    found: set[str] = set()
    for flow in result.flows(source, destination):
        found |= _names_for(flow, wanted)
    return found


def _names_for(flow: Flow, wanted: Traffic) -> set[str]:
    found: set[str] = set()
    for unknown in flow.unknowns:
        if isinstance(unknown, Doubt):
            if unknown.traffic & wanted:
                found.add(unknown.name)
        else:
            found.add(unknown)
    return found


def _traffic(text: str) -> Traffic:
    protocol, _, ports = text.partition(" ")
    return Traffic.box(parse_protocol(protocol), ports=ports_from_spec(ports.split(",")))


def unknown_vpc() -> tuple[Net, str, str, str]:
    """A public subnet in a VPC whose range is `var.cidr` and whose subnets are carved from it."""
    net = Net()
    vpc = net.vpc("main", "10.0.0.0/16")
    network = net.model.networks[vpc]
    network.cidrs, network.unknown_ranges = [], [VPC_CIDR]
    igw = net.gateway("gw", "internet-gateway", vpc)
    table = net.table("public", vpc, (WORLD, "internet-gateway", igw))
    public = net.subnet("public", vpc, "10.0.1.0/24", table=table)
    private = net.subnet("private", vpc, "10.0.2.0/24")
    for address in (public, private):
        subnet = net.model.subnets[address]
        subnet.cidrs, subnet.unknown_ranges = [], [SUBNET_CIDR]
    return net, vpc, public, private


def both(net: Net) -> dict[AssumeUnknown, Result]:
    return {"open": net.reach("open"), "closed": net.reach("closed")}


# ----- network and subnet ranges -----------------------------------------------------------


def test_a_public_host_with_ssh_open_is_reached_whatever_the_vpc_range_is() -> None:
    net, _vpc, public, _private = unknown_vpc()
    ssh = net.sg("ssh", ingress("tcp", (22, 22), WORLD))
    net.instance("host", public, ssh, public=True)
    for result in both(net).values():
        assert result.traffic("internet", "aws_instance.host") == "tcp 22"
        # Decided without the value: nothing rests on var.cidr.
        assert names(result, "internet", "aws_instance.host", "tcp 22") == set()


def test_the_local_route_carries_traffic_between_subnets_of_an_unknown_range() -> None:
    net, _vpc, public, private = unknown_vpc()
    app = net.sg("app", egress())
    db = net.sg("db", ingress("tcp", (5432, 5432), WORLD))
    net.instance("app", public, app)
    net.instance("db", private, db)
    for result in both(net).values():
        assert result.traffic("aws_instance.app", "aws_instance.db") == "tcp 5432"
        assert names(result, "aws_instance.app", "aws_instance.db", "tcp 5432") == set()


def test_a_rule_naming_the_vpc_range_admits_its_members_and_no_internet_client() -> None:
    # cidr_blocks = [aws_vpc.main.cidr_block], and the VPC's cidr_block = var.cidr.
    net, _vpc, public, private = unknown_vpc()
    from_vpc = ingress("tcp", (80, 80))
    from_vpc.unknown_ranges = [VPC_CIDR]
    web = net.sg("web", from_vpc)
    lb = net.sg("lb", egress())
    net.instance("web", public, web, public=True)
    net.instance("lb", private, lb)
    for result in both(net).values():
        assert result.traffic("aws_instance.lb", "aws_instance.web") == "tcp 80"
        assert names(result, "aws_instance.lb", "aws_instance.web", "tcp 80") == set()
        # An internet client is never inside the VPC's own range: traffic to it stays local.
        assert result.traffic("internet", "aws_instance.web") == ""


def test_query_names_the_group_that_admits_the_vpc_range_but_no_internet_client() -> None:
    from reachlint.engine.analysis import Analysis
    from reachlint.engine.flows import External

    net, _vpc, public, _private = unknown_vpc()
    from_vpc = ingress("tcp", (80, 80))
    from_vpc.unknown_ranges = [VPC_CIDR]
    net.instance("web", public, net.sg("web", from_vpc), public=True)
    analysis = Analysis(net.model, "open")
    web = next(
        c for c in analysis.reachability.classes if c.members[0].endpoint == "aws_instance.web"
    )
    blocked = analysis.explain(External("internet", "internet"), web, _traffic("tcp 80"))
    assert blocked is not None and blocked.code == "security-group"
    assert blocked.address == "aws_security_group.web"


def test_an_address_inside_the_subnet_that_a_rule_splits_is_the_endpoints_own_unknown() -> None:
    net = Net()
    vpc = net.vpc("main", "10.0.0.0/16")
    subnet = net.subnet("a", vpc, "10.0.1.0/24")
    client = net.sg("client", egress())
    half = net.sg("half", ingress("tcp", (22, 22), "10.0.1.0/25"))
    net.instance("client", subnet, client)  # its address: anywhere in 10.0.1.0/24
    net.instance("server", subnet, half, ip="10.0.1.200")
    opened, closed = net.reach("open"), net.reach("closed")
    assert opened.traffic("aws_instance.client", "aws_instance.server") == "tcp 22"
    (flow,) = opened.flows("aws_instance.client", "aws_instance.server")
    doubts = [u for u in flow.unknowns if isinstance(u, Doubt)]
    assert [d.name for d in doubts] == [private_address_of(flow.source.id)]  # type: ignore[union-attr]
    assert closed.traffic("aws_instance.client", "aws_instance.server") == ""


# ----- security-group rules ----------------------------------------------------------------


def test_a_rule_from_an_unknown_range_follows_assume_unknown_and_is_named() -> None:
    net, _vpc, public, _private = unknown_vpc()
    admin = ingress("tcp", (22, 22))
    admin.unknown_ranges = [ADMIN]
    web = net.sg("web", admin, ingress("tcp", (443, 443), WORLD))
    net.instance("web", public, web, public=True)
    opened, closed = net.reach("open"), net.reach("closed")
    assert opened.traffic("internet", "aws_instance.web") == "tcp 22, 443"
    assert names(opened, "internet", "aws_instance.web", "tcp 22") == {"var.admin_range"}
    # The HTTPS opening does not rest on the admin range.
    assert names(opened, "internet", "aws_instance.web", "tcp 443") == set()
    assert closed.traffic("internet", "aws_instance.web") == "tcp 443"


def test_a_rule_from_an_unknown_range_admits_an_endpoint_peer_only_when_open() -> None:
    net, _vpc, public, private = unknown_vpc()
    admin = ingress("tcp", (22, 22))
    admin.unknown_ranges = [ADMIN]
    net.instance("web", public, net.sg("web", admin))
    net.instance("ops", private, net.sg("ops", egress()))
    opened, closed = net.reach("open"), net.reach("closed")
    assert opened.traffic("aws_instance.ops", "aws_instance.web") == "tcp 22"
    assert names(opened, "aws_instance.ops", "aws_instance.web", "tcp 22") == {"var.admin_range"}
    assert closed.traffic("aws_instance.ops", "aws_instance.web") == ""


def test_a_prefix_list_with_unknown_entries_lends_them_to_the_rules_that_name_it() -> None:
    net, _vpc, public, _private = unknown_vpc()
    listed = UnknownValue(sources=("data.aws_ip_ranges.office",), version=4)
    net.model.prefix_lists["aws_ec2_managed_prefix_list.office"] = PrefixList(
        address="aws_ec2_managed_prefix_list.office",
        type="aws_ec2_managed_prefix_list",
        unknown_ranges=[listed],
    )
    office = ingress("tcp", (3389, 3389))
    office.prefix_lists = ["aws_ec2_managed_prefix_list.office"]
    net.instance("desk", public, net.sg("desk", office), public=True)
    opened, closed = net.reach("open"), net.reach("closed")
    assert opened.traffic("internet", "aws_instance.desk") == "tcp 3389"
    assert names(opened, "internet", "aws_instance.desk", "tcp 3389") == {
        "data.aws_ip_ranges.office"
    }
    assert closed.traffic("internet", "aws_instance.desk") == ""


# ----- network ACLs ------------------------------------------------------------------------


def test_an_acl_that_admits_only_the_vpc_range_admits_its_subnets_never_the_internet() -> None:
    # The data tier's NACL: allow everything from var.vpc_cidr, both ways; the rest is denied.
    net, vpc, public, private = unknown_vpc()
    inside = entry(100, False, True, cidr="")
    inside.unknown_ranges = [VPC_CIDR]
    outside = entry(100, True, True, cidr="")
    outside.unknown_ranges = [VPC_CIDR]
    acl = net.acl("data", vpc, inside, outside)
    net.model.subnets[private].network_acl = acl
    net.instance("app", public, net.sg("app", egress()))
    net.instance("db", private, net.sg("db", ingress("tcp", (5432, 5432), WORLD)), public=True)
    for result in both(net).values():
        assert result.traffic("aws_instance.app", "aws_instance.db") == "tcp 5432"
        assert names(result, "aws_instance.app", "aws_instance.db", "tcp 5432") == set()
        assert result.traffic("internet", "aws_instance.db") == ""


def test_an_acl_deny_of_an_unknown_range_lets_traffic_through_only_when_open() -> None:
    net, vpc, public, _private = unknown_vpc()
    blocked = entry(90, False, False, cidr="")  # a deny
    blocked.unknown_ranges = [UnknownValue(sources=("var.blocked",), version=4)]
    acl = net.acl("edge", vpc, blocked, entry(100, False, True), entry(100, True, True))
    net.model.subnets[public].network_acl = acl
    net.instance("web", public, net.sg("web", ingress("tcp", (443, 443), WORLD)), public=True)
    opened, closed = net.reach("open"), net.reach("closed")
    assert opened.traffic("internet", "aws_instance.web") == "tcp 443"
    assert names(opened, "internet", "aws_instance.web", "tcp 443") == {"var.blocked"}
    assert closed.traffic("internet", "aws_instance.web") == ""


def _replies_to(clients_range: UnknownValue) -> Net:
    """A database whose subnet's ACL lets replies out only to a range that is unknown."""
    net = Net()
    vpc = net.vpc("main", "10.0.0.0/16")
    app_subnet = net.subnet("app", vpc, "10.0.1.0/24")
    data_subnet = net.subnet("data", vpc, "10.0.2.0/24")
    replies = entry(100, True, True, "tcp", cidr="", ports=(1024, 65535))
    replies.unknown_ranges = [clients_range]
    net.model.subnets[data_subnet].network_acl = net.acl(
        "data", vpc, entry(100, False, True), replies
    )
    net.instance("app", app_subnet, net.sg("app", egress()))
    net.instance("db", data_subnet, net.sg("db", ingress("tcp", (5432, 5432), WORLD)))
    return net


def test_replies_that_pass_only_by_an_unknown_range_make_the_connection_rest_on_it() -> None:
    clients = UnknownValue(sources=("var.clients",), version=4)
    opened, closed = both(_replies_to(clients)).values()
    assert opened.traffic("aws_instance.app", "aws_instance.db") == "tcp 5432"
    assert names(opened, "aws_instance.app", "aws_instance.db", "tcp 5432") == {"var.clients"}
    assert opened.traffic("aws_instance.app", "aws_instance.db", "reply-dropped") == ""
    assert closed.traffic("aws_instance.app", "aws_instance.db") == ""
    assert closed.traffic("aws_instance.app", "aws_instance.db", "reply-dropped") == "tcp 5432"


# ----- routes ------------------------------------------------------------------------------


def _peered(destination: UnknownValue) -> tuple[Net, Result, Result]:
    net = Net()
    a = net.vpc("a", "10.0.0.0/16")
    b = net.vpc("b", "10.1.0.0/16")
    peer_net = net.model.networks[b]
    peer_net.cidrs = []
    peer_net.unknown_ranges = [
        UnknownValue(sources=("aws_vpc.b.cidr_block",), exactly="aws_vpc.b.cidr_block")
    ]
    link = net.peer("ab", a, b)
    for vpc, range_ in ((a, destination), (b, None)):
        table = net.model.route_tables[net.model.networks[vpc].main_route_table or ""]
        route = Route(
            address=f"aws_route.to_peer_of_{vpc}",
            type="aws_route",
            destination=None if range_ is not None else "10.0.0.0/16",
            target_kind="peering",
            target=link,
            unknown_ranges=[range_] if range_ is not None else [],
        )
        table.routes.append(route)
    net.instance("client", net.subnet("a1", a, "10.0.1.0/24"), net.sg("c", egress()))
    server_subnet = net.subnet("b1", b, "10.1.1.0/24")
    net.model.subnets[server_subnet].cidrs = []
    net.model.subnets[server_subnet].unknown_ranges = [UnknownValue(sources=("var.x",))]
    net.instance("server", server_subnet, net.sg("s", ingress("tcp", (22, 22), "10.0.0.0/16")))
    return net, net.reach("open"), net.reach("closed")


def test_a_route_to_the_peers_range_as_an_attribute_delivers_whatever_it_is() -> None:
    # destination_cidr_block = aws_vpc.b.cidr_block, known only after apply.
    exact = UnknownValue(sources=("aws_vpc.b.cidr_block",), exactly="aws_vpc.b.cidr_block")
    _net, opened, closed = _peered(exact)
    for result in (opened, closed):
        assert result.traffic("aws_instance.client", "aws_instance.server") == "tcp 22"
        assert names(result, "aws_instance.client", "aws_instance.server", "tcp 22") == set()


def test_a_route_to_an_unrelated_unknown_range_delivers_only_when_open() -> None:
    _net, opened, closed = _peered(UnknownValue(sources=("var.peer_range",)))
    assert opened.traffic("aws_instance.client", "aws_instance.server") == "tcp 22"
    assert names(opened, "aws_instance.client", "aws_instance.server", "tcp 22") == {
        "var.peer_range"
    }
    assert closed.traffic("aws_instance.client", "aws_instance.server") == ""


def test_a_route_to_an_unknown_range_through_the_internet_gateway_is_used_only_when_open() -> None:
    net = Net()
    vpc = net.vpc("main", "10.0.0.0/16")
    igw = net.gateway("gw", "internet-gateway", vpc)
    table = net.table("t", vpc)
    net.model.route_tables[table].routes.append(
        Route(
            address="aws_route.partners",
            type="aws_route",
            target_kind="internet-gateway",
            target=igw,
            unknown_ranges=[UnknownValue(sources=("var.partners",), version=4)],
        )
    )
    subnet = net.subnet("s", vpc, "10.0.1.0/24", table=table)
    net.instance("app", subnet, net.sg("app", egress()), public=True)
    opened, closed = net.reach("open"), net.reach("closed")
    assert opened.traffic("aws_instance.app", "internet") == "all"
    assert names(opened, "aws_instance.app", "internet", "tcp 443") == {"var.partners"}
    assert closed.traffic("aws_instance.app", "internet") == ""


# ----- on-premises sites ---------------------------------------------------------------------


def test_a_site_with_an_unknown_range_is_reached_over_its_learned_route() -> None:
    net = Net()
    vpc = net.vpc("main", "10.0.0.0/16")
    vgw = net.gateway("vgw", "vpn-gateway", vpc)
    table = net.table("t", vpc)
    net.model.route_tables[table].propagating_gateways = [vgw]
    subnet = net.subnet("s", vpc, "10.0.1.0/24", table=table)
    net.model.onprem_sites["aws_vpn_connection.office"] = OnPremSite(
        address="aws_vpn_connection.office",
        type="aws_vpn_connection",
        gateway=vgw,
        unknown_ranges=[UnknownValue(sources=("var.office_cidr",), exactly="var.office_cidr")],
    )
    anyone = ingress("tcp", (22, 22), WORLD)
    only_ten = ingress("tcp", (3389, 3389), "10.20.0.0/16")
    net.instance("jump", subnet, net.sg("jump", anyone, only_ten, egress()))
    opened, closed = net.reach("open"), net.reach("closed")
    site = "aws_vpn_connection.office"
    # SSH from anywhere admits the site whatever its range; RDP only if it lies in 10.20/16.
    assert opened.traffic(site, "aws_instance.jump") == "tcp 22, 3389"
    assert names(opened, site, "aws_instance.jump", "tcp 22") == set()
    assert names(opened, site, "aws_instance.jump", "tcp 3389") == {"var.office_cidr"}
    assert closed.traffic(site, "aws_instance.jump") == "tcp 22"
    assert closed.traffic("aws_instance.jump", site) == "all"


# ----- Azure: NSG rules and the VirtualNetwork tag ----------------------------------------------


def _unknown_vnet() -> tuple[AzureNet, str, str, str]:
    """nsg-dmz-in-vnet without its parameters: every prefix is a parameter without a value."""
    net = AzureNet()
    vnet = net.vnet("dmz")
    net.model.networks[vnet].unknown_ranges = [
        UnknownValue(
            sources=("parameters('addressPrefix')",), exactly="parameters('addressPrefix')"
        )
    ]
    fe = net.subnet_in(vnet, "FESubnet", "10.0.0.0/24")
    app = net.subnet_in(vnet, "AppSubnet", "10.0.1.0/24")
    for address, parameter in ((fe, "FESubnetPrefix"), (app, "AppSubnetPrefix")):
        reference = f"parameters('{parameter}')"
        subnet = net.model.subnets[address]
        subnet.cidrs = []
        subnet.unknown_ranges = [UnknownValue(sources=(reference,), exactly=reference)]
    return net, vnet, fe, app


def test_vms_of_a_vnet_with_an_unknown_space_talk_under_allow_vnet_inbound() -> None:
    net, _vnet, fe, app = _unknown_vnet()
    net.vm("fe", fe)
    net.vm("app", app)
    for result in both(net).values():
        assert (
            result.traffic(
                "Microsoft.Compute/virtualMachines/fe", "Microsoft.Compute/virtualMachines/app"
            )
            == "all"
        )


def test_an_nsg_rule_naming_the_subnets_own_prefix_parameter_is_decided() -> None:
    net, vnet, fe, app = _unknown_vnet()
    from_fe = AddressSpec(
        unknown_ranges=[
            UnknownValue(
                sources=("parameters('FESubnetPrefix')",), exactly="parameters('FESubnetPrefix')"
            )
        ]
    )
    nsg = net.nsg(
        "App_NSG",
        rule("Allow_FE", 100, "inbound", True, ports="443"),
        rule("Deny_Rest", 4000, "inbound", False, protocol="*"),
    )
    net.model.network_security_groups[nsg].rules[0].source = from_fe
    net.model.subnets[app].security_group = nsg
    net.vm("fe", fe)
    net.vm("app", app)
    other = net.subnet_in(vnet, "Other", "10.0.9.0/24")
    net.vm("other", other)
    opened, closed = net.reach("open"), net.reach("closed")
    fe_vm, app_vm = "Microsoft.Compute/virtualMachines/fe", "Microsoft.Compute/virtualMachines/app"
    other_vm = "Microsoft.Compute/virtualMachines/other"
    for result in (opened, closed):
        assert result.traffic(fe_vm, app_vm) == "tcp 443"
        assert names(result, fe_vm, app_vm, "tcp 443") == set()
    # A VM elsewhere in the VNet: is its address in FESubnetPrefix? Only the value can say.
    assert opened.traffic(other_vm, app_vm) == "tcp 443"
    assert names(opened, other_vm, app_vm, "tcp 443") == {"parameters('FESubnetPrefix')"}
    assert closed.traffic(other_vm, app_vm) == ""


def test_an_nsg_deny_of_an_unknown_source_blocks_only_when_closed() -> None:
    net = AzureNet()
    vnet = net.vnet("v", "10.0.0.0/16")
    nsg = net.nsg(
        "web",
        rule("Deny_Blocked", 100, "inbound", False, protocol="*"),
        rule("Allow_Web", 200, "inbound", True, source="Internet", ports="443"),
    )
    net.model.network_security_groups[nsg].rules[0].source = AddressSpec(
        unknown_ranges=[UnknownValue(sources=("parameters('blockedRange')",))]
    )
    subnet = net.subnet_in(vnet, "web", "10.0.1.0/24", nsg=nsg)
    net.vm("web", subnet, public=True)
    opened, closed = net.reach("open"), net.reach("closed")
    web = "Microsoft.Compute/virtualMachines/web"
    assert opened.traffic("internet", web) == "tcp 443"
    assert names(opened, "internet", web, "tcp 443") == {"parameters('blockedRange')"}
    assert closed.traffic("internet", web) == ""


def test_a_peered_vnet_with_an_unknown_space_is_reached_over_the_system_route() -> None:
    net = AzureNet()
    hub = net.vnet("hub", "10.0.0.0/16")
    spoke = net.vnet("spoke")
    net.model.networks[spoke].unknown_ranges = [UnknownValue(sources=("parameters('spoke')",))]
    net.vnet_peering(hub, spoke)
    net.vm("a", net.subnet_in(hub, "a", "10.0.1.0/24"))
    b_subnet = net.subnet_in(spoke, "b", "10.1.1.0/24")
    net.model.subnets[b_subnet].cidrs = []
    net.model.subnets[b_subnet].unknown_ranges = [UnknownValue(sources=("parameters('b')",))]
    net.vm("b", b_subnet)
    a, b = "Microsoft.Compute/virtualMachines/a", "Microsoft.Compute/virtualMachines/b"
    for result in both(net).values():
        assert result.traffic(a, b) == "all"
        assert result.traffic(b, a) == "all"


@pytest.mark.parametrize(
    ("admin_port", "from_anywhere", "rests_on"),
    [(22, [ingress("tcp", (80, 80), WORLD)], set()), (80, [], {"var.admin_range"})],
    ids=["doubt-on-another-port", "doubt-on-the-listener"],
)
def test_a_forwarded_flow_rests_on_what_the_listener_heard_only(
    admin_port: int, from_anywhere: list[SecurityGroupRule], rests_on: set[str]
) -> None:
    """Behind a load balancer, the doubt about a range its group admits carries on only when
    it is about the traffic the listener hears."""
    net, _vpc, public, _gateway = public_vpc()  # known ranges: the admin range is the doubt
    admin = ingress("tcp", (admin_port, admin_port))
    admin.unknown_ranges = [ADMIN]
    lb_group = net.sg("lb", admin, *from_anywhere, egress())
    web = net.instance("web", public, net.sg("web", ingress("tcp", (8080, 8080), "10.0.0.0/16")))
    net.alb("front", [public], [lb_group], listen=80, forward=8080, targets=[web])
    opened = net.reach("open")
    assert opened.traffic("internet", web) == "tcp 8080"
    assert names(opened, "internet", web, "tcp 8080") == rests_on
