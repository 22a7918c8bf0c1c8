"""SPEC §4 (AWS) on hand-built models: one test per documented fact."""

from __future__ import annotations

from reachlint.model.traffic import cidrs
from tests.engine.builder import Net, egress, entry, ingress

WORLD = "0.0.0.0/0"


def public_vpc() -> tuple[Net, str, str, str]:
    net = Net()
    vpc = net.vpc("main", "10.0.0.0/16")
    igw = net.gateway("gw", "internet-gateway", vpc)
    table = net.table("public", vpc, (WORLD, "internet-gateway", igw))
    subnet = net.subnet("public", vpc, "10.0.1.0/24", table=table)
    return net, vpc, subnet, igw


def test_security_groups_are_stateful_replies_need_no_egress_rule() -> None:
    net, _vpc, subnet, _ = public_vpc()
    web = net.sg("web", ingress("tcp", (443, 443), WORLD))  # no egress rule at all
    net.instance("web", subnet, web, public=True)
    assert net.reach().traffic("internet", "aws_instance.web") == "tcp 443"


def test_group_without_egress_rule_sends_nothing() -> None:
    net, _vpc, subnet, _ = public_vpc()
    quiet = net.sg("quiet", ingress("-1", None, "10.0.0.0/16"))
    open_ = net.sg("open", ingress("-1", None, "10.0.0.0/16"), egress())
    net.instance("a", subnet, quiet)
    net.instance("b", subnet, open_)
    result = net.reach()
    assert result.traffic("aws_instance.a", "aws_instance.b") == ""
    assert result.traffic("aws_instance.b", "aws_instance.a") == "all"
    assert result.traffic("aws_instance.a", "internet") == ""


def test_group_reference_means_members_of_that_group() -> None:
    net, _vpc, subnet, _ = public_vpc()
    app = net.sg("app", egress())
    other = net.sg("other", egress())
    db = net.sg("db", ingress("tcp", (5432, 5432), groups=(app,)))
    net.instance("app", subnet, app)
    net.instance("other", subnet, other)
    net.instance("db", subnet, db)
    result = net.reach()
    assert result.traffic("aws_instance.app", "aws_instance.db") == "tcp 5432"
    assert result.traffic("aws_instance.other", "aws_instance.db") == ""


def test_self_rule_admits_members_only_and_self_flow_is_not_a_flow() -> None:
    net, _vpc, subnet, _ = public_vpc()
    group = net.sg("peers", ingress("-1", None, self_ref=True), egress())
    net.instance("one", subnet, group)
    result = net.reach()
    assert result.traffic("aws_instance.one", "aws_instance.one") == ""
    net.instance("two", subnet, group)
    result = net.reach()
    assert result.traffic("aws_instance.one", "aws_instance.two") == "all"
    assert result.traffic("aws_instance.two", "aws_instance.one") == "all"


def test_internet_is_public_address_space_only() -> None:
    net, _vpc, subnet, _ = public_vpc()
    private_only = net.sg("corp", ingress("tcp", (22, 22), "10.0.0.0/8", "192.168.0.0/16"))
    net.instance("box", subnet, private_only, public=True)
    assert net.reach().traffic("internet", "aws_instance.box") == ""


def test_internet_ingress_needs_public_address_and_igw_route() -> None:
    net, vpc, subnet, igw = public_vpc()
    web = net.sg("web", ingress("tcp", (80, 80), WORLD))
    net.instance("no_public_ip", subnet, web, public=False)
    routeless = net.subnet("routeless", vpc, "10.0.2.0/24")
    net.instance("no_route", routeless, web, public=True)
    net.instance("both", subnet, web, public=True)
    result = net.reach()
    assert result.traffic("internet", "aws_instance.no_public_ip") == ""
    assert result.traffic("internet", "aws_instance.no_route") == ""
    assert result.traffic("internet", "aws_instance.both") == "tcp 80"
    assert igw in result.path("internet", "aws_instance.both")


def test_main_route_table_serves_subnets_without_association() -> None:
    net = Net()
    vpc = net.vpc("main", "10.0.0.0/16")
    igw = net.gateway("gw", "internet-gateway", vpc)
    net.main_routes(vpc, (WORLD, "internet-gateway", igw))
    subnet = net.subnet("implicit", vpc, "10.0.1.0/24")
    net.instance("web", subnet, net.sg("web", ingress("tcp", (443, 443), WORLD)), public=True)
    assert net.reach().traffic("internet", "aws_instance.web") == "tcp 443"


def test_longest_prefix_wins() -> None:
    net, vpc, subnet, _igw = public_vpc()
    vgw = net.gateway("vpn", "vpn-gateway", vpc)
    site = net.site("dc", vgw, "8.8.8.0/24")
    table = net.model.subnets[subnet].route_table
    assert table is not None
    net.model.route_tables[table].routes.append(
        net.model.route_tables[net.table("x", vpc, ("8.8.8.0/24", "vpn-gateway", vgw))].routes[0]
    )
    net.instance("web", subnet, net.sg("web", egress()), public=True)
    result = net.reach()
    to_internet = result.flows("aws_instance.web", "internet")
    assert to_internet
    assert all(not f.traffic.addresses() & cidrs(["8.8.8.0/24"]) for f in to_internet)
    to_site = result.flows("aws_instance.web", site)
    assert to_site and to_site[0].traffic.addresses() == cidrs(["8.8.8.0/24"])


def test_nat_gateway_is_egress_only() -> None:
    net, vpc, public, _igw = public_vpc()
    nat = net.gateway("nat", "nat-gateway", vpc, subnet=public)
    private_table = net.table("private", vpc, (WORLD, "nat-gateway", nat))
    private = net.subnet("private", vpc, "10.0.2.0/24", table=private_table)
    net.instance("worker", private, net.sg("worker", ingress("tcp", (22, 22), WORLD), egress()))
    result = net.reach()
    assert result.traffic("internet", "aws_instance.worker") == ""
    assert result.traffic("aws_instance.worker", "internet") == "all"
    assert nat in result.path("aws_instance.worker", "internet")


def test_acl_first_match_wins_in_rule_number_order() -> None:
    net, vpc, subnet, _ = public_vpc()
    acl = net.acl(
        "dmz",
        vpc,
        entry(100, False, False, "tcp", WORLD, (22, 22)),
        entry(200, False, True, "-1", WORLD),
        entry(100, True, True, "-1", WORLD),
    )
    net.model.subnets[subnet].network_acl = acl
    net.instance("web", subnet, net.sg("web", ingress("tcp", (0, 65535), WORLD)), public=True)
    assert net.reach().traffic("internet", "aws_instance.web") == "tcp 0-21, 23-65535"


def test_custom_acl_without_entries_denies_everything() -> None:
    net, vpc, subnet, _ = public_vpc()
    net.model.subnets[subnet].network_acl = net.acl("empty", vpc)
    net.instance("web", subnet, net.sg("web", ingress("-1", None, WORLD)), public=True)
    assert net.reach().traffic("internet", "aws_instance.web") == ""


def test_acl_dropping_replies_gives_reply_dropped_flow() -> None:
    net, vpc, subnet, _ = public_vpc()
    acl = net.acl(
        "strict",
        vpc,
        entry(100, False, True, "tcp", WORLD, (443, 443)),
        entry(100, True, True, "tcp", WORLD, (443, 443)),  # forgets the ephemeral ports
    )
    net.model.subnets[subnet].network_acl = acl
    net.instance("web", subnet, net.sg("web", ingress("tcp", (443, 443), WORLD)), public=True)
    result = net.reach()
    assert result.traffic("internet", "aws_instance.web") == ""
    assert result.traffic("internet", "aws_instance.web", "reply-dropped") == "tcp 443"


def test_acl_does_not_filter_inside_one_subnet() -> None:
    net, vpc, subnet, _ = public_vpc()
    other = net.subnet("other", vpc, "10.0.2.0/24")
    deny_all = net.acl("deny", vpc)
    net.model.subnets[subnet].network_acl = deny_all
    net.model.subnets[other].network_acl = deny_all
    group = net.sg("peers", ingress("-1", None, self_ref=True), egress())
    net.instance("a", subnet, group)
    net.instance("b", subnet, group)
    net.instance("c", other, group)
    result = net.reach()
    assert result.traffic("aws_instance.a", "aws_instance.b") == "all"
    assert result.traffic("aws_instance.a", "aws_instance.c") == ""


def test_peering_is_not_transitive_and_needs_routes_both_ways() -> None:
    net = Net()
    a, b, c = net.vpc("a", "10.1.0.0/16"), net.vpc("b", "10.2.0.0/16"), net.vpc("c", "10.3.0.0/16")
    ab, bc = net.peer("ab", a, b), net.peer("bc", b, c)
    igw_b = net.gateway("b", "internet-gateway", b)
    net.main_routes(
        a, ("10.2.0.0/16", "peering", ab), ("10.3.0.0/16", "peering", ab), (WORLD, "peering", ab)
    )
    net.main_routes(
        b,
        ("10.1.0.0/16", "peering", ab),
        ("10.3.0.0/16", "peering", bc),
        (WORLD, "internet-gateway", igw_b),
    )
    net.main_routes(c, ("10.2.0.0/16", "peering", bc))  # no route back to a
    everyone = net.sg("all", ingress("-1", None, "10.0.0.0/8"), egress())
    net.instance("a", net.subnet("a", a, "10.1.0.0/24"), everyone, public=True)
    net.instance("b", net.subnet("b", b, "10.2.0.0/24"), everyone)
    net.instance("c", net.subnet("c", c, "10.3.0.0/24"), everyone)
    result = net.reach()
    assert result.traffic("aws_instance.a", "aws_instance.b") == "all"
    assert ab in result.path("aws_instance.a", "aws_instance.b")
    assert result.traffic("aws_instance.a", "aws_instance.c") == ""
    assert result.traffic("aws_instance.a", "internet") == ""  # not through b's gateway
    assert result.traffic("aws_instance.b", "aws_instance.c") == "all"
    net.model.route_tables[net.model.networks[c].main_route_table or ""].routes.clear()
    one_way = net.reach()
    # Without the route back, UDP and ICMP still arrive but no TCP connection completes.
    assert one_way.traffic("aws_instance.b", "aws_instance.c", "reply-dropped") == "tcp 0-65535"
    assert "udp 0-65535" in one_way.traffic("aws_instance.b", "aws_instance.c")
    assert "tcp" not in one_way.traffic("aws_instance.b", "aws_instance.c")


def test_load_balancer_forwards_on_target_port_and_is_on_the_path() -> None:
    net, _vpc, subnet, _ = public_vpc()
    lb_group = net.sg("lb", ingress("tcp", (443, 443), WORLD), egress())
    web_group = net.sg("web", ingress("tcp", (80, 80), groups=("aws_security_group.lb",)))
    web = net.instance("web", subnet, web_group)
    lb = net.alb("front", [subnet], [lb_group], listen=443, forward=80, targets=[web])
    result = net.reach()
    assert result.traffic("internet", lb) == "tcp 443"
    assert result.traffic("internet", web) == "tcp 80"
    assert lb in result.path("internet", web)


def test_internal_load_balancer_is_not_reachable_from_internet() -> None:
    net, _vpc, subnet, _ = public_vpc()
    lb_group = net.sg("lb", ingress("tcp", (443, 443), WORLD), egress())
    web = net.instance("web", subnet, net.sg("web", ingress("tcp", (80, 80), WORLD)))
    net.alb("inner", [subnet], [lb_group], 443, 80, [web], internal=True)
    result = net.reach()
    assert result.traffic("internet", "aws_lb.inner") == ""
    assert result.traffic("internet", web) == ""


def test_network_load_balancer_targets_judge_the_client_address() -> None:
    net, _vpc, subnet, _ = public_vpc()
    web = net.instance("web", subnet, net.sg("web", ingress("tcp", (80, 80), WORLD)))
    net.alb("nlb", [subnet], [], listen=80, forward=80, targets=[web], flavor="network")
    result = net.reach()
    assert result.traffic("internet", "aws_lb.nlb") == "tcp 80"
    assert result.traffic("internet", web) == "tcp 80"


def test_vpn_route_reaches_onprem_not_internet_whatever_the_address() -> None:
    net = Net()
    vpc = net.vpc("main", "10.0.0.0/16")
    vgw = net.gateway("vpn", "vpn-gateway", vpc)
    site = net.site("dc", vgw, "172.16.0.0/16")
    net.main_routes(vpc, (WORLD, "vpn-gateway", vgw))
    net.instance(
        "app",
        net.subnet("app", vpc, "10.0.1.0/24"),
        net.sg("app", ingress("tcp", (22, 22), "172.16.0.0/16"), egress()),
    )
    result = net.reach()
    assert result.traffic("aws_instance.app", "internet") == ""
    assert result.traffic("aws_instance.app", site) == "all"
    assert result.traffic(site, "aws_instance.app") == "tcp 22"


def test_unknown_rule_source_is_open_by_default_and_recorded() -> None:
    net, _vpc, subnet, _ = public_vpc()
    group = net.sg("web", ingress("tcp", (22, 22), unknown=("cidr_blocks",)))
    net.instance("web", subnet, group, public=True)
    opened = net.reach("open")
    flows = opened.flows("internet", "aws_instance.web")
    assert opened.traffic("internet", "aws_instance.web") == "tcp 22"
    names = {u if isinstance(u, str) else u.name for f in flows for u in f.unknowns}
    assert any("cidr_blocks" in name for name in names)
    assert net.reach("closed").traffic("internet", "aws_instance.web") == ""


def test_known_address_decides_partial_cidr_rules() -> None:
    net, _vpc, subnet, _ = public_vpc()
    admin = net.sg("admin", egress())
    box = net.sg("box", ingress("tcp", (22, 22), "10.0.1.10/32"))
    net.instance("jump", subnet, admin, ip="10.0.1.10")
    net.instance("other", subnet, admin, ip="10.0.1.11")
    net.instance("box", subnet, box)
    result = net.reach()
    assert result.traffic("aws_instance.jump", "aws_instance.box") == "tcp 22"
    assert result.traffic("aws_instance.other", "aws_instance.box") == ""


def test_only_the_load_balancer_targets_are_reached_through_it() -> None:
    net, _vpc, subnet, _ = public_vpc()
    lb_group = net.sg("lb", ingress("tcp", (443, 443), WORLD), egress())
    web_group = net.sg("web", ingress("tcp", (80, 80), groups=("aws_security_group.lb",)))
    target = net.instance("target", subnet, web_group)
    bystander = net.instance("bystander", subnet, web_group)
    net.alb("front", [subnet], [lb_group], listen=443, forward=80, targets=[target])
    result = net.reach()
    assert result.traffic("internet", target) == "tcp 80"
    assert result.traffic("internet", bystander) == ""


def test_unknown_public_address_is_public_unless_assumed_closed() -> None:
    net, _vpc, subnet, _ = public_vpc()
    net.instance("web", subnet, net.sg("web", ingress("tcp", (22, 22), WORLD)))
    net.model.endpoints["aws_instance.web"].interfaces[0].unknown.append(
        "associate_public_ip_address"
    )
    opened = net.reach("open")
    assert opened.traffic("internet", "aws_instance.web") == "tcp 22"
    flows = opened.flows("internet", "aws_instance.web")
    assert any("associate_public_ip_address" in u for f in flows for u in f.unknowns)
    assert net.reach("closed").traffic("internet", "aws_instance.web") == ""
