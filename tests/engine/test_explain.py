"""Blocked flows are explained with Reachability Analyzer's codes and the component that blocks."""

from __future__ import annotations

from reachlint.engine.analysis import Analysis
from reachlint.engine.flows import EndpointClass, External
from reachlint.model.network import Gateway
from reachlint.model.traffic import (
    IntervalSet,
    Traffic,
    cidrs,
    parse_protocol,
    ports_from_spec,
)
from tests.engine.builder import Net, egress, entry, ingress
from tests.engine.test_aws_semantics import WORLD, public_vpc


def tcp(port: int) -> Traffic:
    return Traffic.box(parse_protocol("tcp"), ports=ports_from_spec([port]))


def class_of(analysis: Analysis, endpoint: str) -> EndpointClass:
    return next(
        c for c in analysis.reachability.classes if any(m.endpoint == endpoint for m in c.members)
    )


INTERNET = External(address="internet", kind="internet")


def test_no_public_address() -> None:
    net, _vpc, subnet, _ = public_vpc()
    net.instance("web", subnet, net.sg("web", ingress("tcp", (80, 80), WORLD)))
    analysis = Analysis(net.model)
    blocked = analysis.explain(INTERNET, class_of(analysis, "aws_instance.web"), tcp(80))
    assert blocked is not None and blocked.code == "no-public-address"
    assert blocked.address == "aws_instance.web"


def test_no_route_to_internet_gateway() -> None:
    net = Net()
    vpc = net.vpc("main", "10.0.0.0/16")
    subnet = net.subnet("private", vpc, "10.0.1.0/24")
    net.instance("web", subnet, net.sg("web", ingress("tcp", (80, 80), WORLD)), public=True)
    analysis = Analysis(net.model)
    blocked = analysis.explain(INTERNET, class_of(analysis, "aws_instance.web"), tcp(80))
    assert blocked is not None and blocked.code == "no-route"


TO_DNS = Traffic.box(parse_protocol("tcp"), cidrs(["8.8.8.8/32"]), IntervalSet([(443, 443)]))


def _dual_stack_web(*routes: tuple[str, str]) -> tuple[Analysis, str, str]:
    """An instance with an IPv6 address and no public IPv4 one, its subnet's table sending
    each (destination, gateway kind) to a gateway of that kind; the analysis, table, instance."""
    net = Net()
    vpc = net.vpc("main", "10.0.0.0/16")
    net.model.networks[vpc].cidrs.append("2600:1f18::/56")
    gateways = {}
    for _destination, kind in routes:
        address = f"aws_{kind.replace('-', '_')}.out"
        net.model.gateways[address] = Gateway(address=address, type=address, kind=kind, network=vpc)
        gateways[kind] = address
    table = net.table("out", vpc, *((d, kind, gateways[kind]) for d, kind in routes))
    subnet = net.subnet("web", vpc, "10.0.1.0/24", table=table)
    net.model.subnets[subnet].cidrs.append("2600:1f18::/64")
    web = net.instance("web", subnet, net.sg("web", egress("-1", None, "0.0.0.0/0", "::/0")))
    net.model.endpoints[web].interfaces[0].ipv6 = True
    return Analysis(net.model), table, web


def test_a_way_out_for_ipv6_alone_is_no_route_for_an_ipv4_address() -> None:
    """An egress-only internet gateway carries IPv6 alone ("for use with IPv6 traffic only",
    https://docs.aws.amazon.com/vpc/latest/userguide/egress-only-internet-gateway.html): asked
    about 8.8.8.8, the route table has no route there, whatever the group allows."""
    analysis, table, web = _dual_stack_web(("::/0", "egress-only-internet-gateway"))
    blocked = analysis.explain(class_of(analysis, web), INTERNET, TO_DNS)
    assert blocked is not None and blocked.code == "no-route", blocked
    assert blocked.address == table
    assert "8.8.8.8/32" in blocked.reason
    assert analysis.explain(class_of(analysis, web), INTERNET, tcp(443)) is None  # over IPv6


def test_ipv6_alone_out_for_want_of_a_public_ipv4_address_says_so() -> None:
    """A dual-stack subnet routes both families to the internet gateway; an instance with an
    IPv6 address and no public IPv4 address goes out over IPv6 alone: asked about 8.8.8.8, what
    is missing is a public address, not a route."""
    analysis, _table, web = _dual_stack_web(
        ("0.0.0.0/0", "internet-gateway"), ("::/0", "internet-gateway")
    )
    blocked = analysis.explain(class_of(analysis, web), INTERNET, TO_DNS)
    assert blocked is not None and blocked.code == "no-public-address", blocked
    assert blocked.address == web


def test_security_group_without_matching_rule() -> None:
    net, _vpc, subnet, _ = public_vpc()
    net.instance("web", subnet, net.sg("web", ingress("tcp", (443, 443), WORLD)), public=True)
    analysis = Analysis(net.model)
    blocked = analysis.explain(INTERNET, class_of(analysis, "aws_instance.web"), tcp(22))
    assert blocked is not None and blocked.code == "security-group"
    assert blocked.address == "aws_security_group.web"
    assert analysis.explain(INTERNET, class_of(analysis, "aws_instance.web"), tcp(443)) is None


def test_acl_rule_that_denies_is_named() -> None:
    net, vpc, subnet, _ = public_vpc()
    acl = net.acl(
        "dmz",
        vpc,
        entry(100, False, False, "tcp", WORLD, (22, 22)),
        entry(200, False, True, "-1", WORLD),
        entry(100, True, True, "-1", WORLD),
    )
    net.model.subnets[subnet].network_acl = acl
    net.instance("web", subnet, net.sg("web", ingress("tcp", (22, 22), WORLD)), public=True)
    analysis = Analysis(net.model)
    blocked = analysis.explain(INTERNET, class_of(analysis, "aws_instance.web"), tcp(22))
    assert blocked is not None and blocked.code == "network-acl"
    assert "rule 100 denies tcp 22" in blocked.reason


def test_replies_dropped() -> None:
    net, vpc, subnet, _ = public_vpc()
    acl = net.acl(
        "strict",
        vpc,
        entry(100, False, True, "tcp", WORLD, (443, 443)),
        entry(100, True, True, "tcp", WORLD, (443, 443)),
    )
    net.model.subnets[subnet].network_acl = acl
    net.instance("web", subnet, net.sg("web", ingress("tcp", (443, 443), WORLD)), public=True)
    analysis = Analysis(net.model)
    blocked = analysis.explain(INTERNET, class_of(analysis, "aws_instance.web"), tcp(443))
    assert blocked is not None and blocked.code == "reply-dropped"


def test_peering_not_transitive() -> None:
    net = Net()
    a, b, c = net.vpc("a", "10.1.0.0/16"), net.vpc("b", "10.2.0.0/16"), net.vpc("c", "10.3.0.0/16")
    ab, bc = net.peer("ab", a, b), net.peer("bc", b, c)
    net.main_routes(a, ("10.3.0.0/16", "peering", ab))
    net.main_routes(c, ("10.1.0.0/16", "peering", bc))
    group = net.sg("all", ingress("-1", None, "10.0.0.0/8"), egress())
    net.instance("a", net.subnet("a", a, "10.1.0.0/24"), group)
    net.instance("c", net.subnet("c", c, "10.3.0.0/24"), group)
    analysis = Analysis(net.model)
    blocked = analysis.explain(
        class_of(analysis, "aws_instance.a"), class_of(analysis, "aws_instance.c"), tcp(22)
    )
    assert blocked is not None and blocked.code == "not-transitive"
    assert blocked.address == ab


def test_onprem_blocked_by_security_group_and_no_route() -> None:
    net = Net()
    vpc = net.vpc("main", "10.0.0.0/16")
    vgw = net.gateway("vpn", "vpn-gateway", vpc)
    site_address = net.site("dc", vgw, "172.16.0.0/16")
    net.main_routes(vpc, ("172.16.0.0/16", "vpn-gateway", vgw))
    group = net.sg("app", ingress("tcp", (22, 22), "172.16.0.0/16"), egress())
    net.instance("app", net.subnet("app", vpc, "10.0.1.0/24"), group)
    isolated = net.vpc("isolated", "10.9.0.0/16")
    net.instance("lonely", net.subnet("lonely", isolated, "10.9.1.0/24"), group)
    analysis = Analysis(net.model)
    site = next(e for e in analysis.reachability.externals if e.address == site_address)
    app = class_of(analysis, "aws_instance.app")
    assert analysis.explain(site, app, tcp(22)) is None
    blocked = analysis.explain(site, app, tcp(3389), destination_endpoint="aws_instance.app")
    assert blocked is not None and blocked.code == "security-group"
    assert "aws_instance.app" in blocked.reason
    lonely = class_of(analysis, "aws_instance.lonely")
    blocked = analysis.explain(site, lonely, tcp(22))
    assert blocked is not None and blocked.code == "no-route"
    assert "of None" not in blocked.reason


def test_each_member_path_names_its_own_public_address() -> None:
    net, _vpc, subnet, _ = public_vpc()
    group = net.sg("web", ingress("tcp", (443, 443), WORLD))
    for name in ("a", "b"):
        net.instance(name, subnet, group)
        interface = net.model.endpoints[f"aws_instance.{name}"].interfaces[0]
        interface.public, interface.public_source = True, f"aws_eip.{name}"
    result = net.reach()
    assert "aws_eip.b" in result.path("internet", "aws_instance.b")
    assert "aws_eip.a" not in result.path("internet", "aws_instance.b")


def test_a_rule_for_addresses_outside_the_internet_is_named_as_such() -> None:
    # 203.0.113.0/24 is a documentation range: no internet client has it.
    net, _vpc, subnet, _ = public_vpc()
    sg = net.sg("web", ingress("tcp", (22, 22), "203.0.113.0/24"))
    net.instance("web", subnet, sg, public=True)
    analysis = Analysis(net.model)
    blocked = analysis.explain(INTERNET, class_of(analysis, "aws_instance.web"), tcp(22))
    assert blocked is not None and blocked.code == "security-group"
    assert "admits tcp 22 for aws_instance.web only from addresses not the internet's" in (
        blocked.reason
    )
    assert "no ingress rule" not in blocked.reason


def test_a_backend_behind_a_load_balancer_is_blocked_by_its_group_not_its_address() -> None:
    # The load balancer admits tcp 80 from anywhere and sends tcp 8080 on; the backend's group
    # admits 8080 from 10.9.0.0/16 only, which holds neither the internet nor the balancer.
    net, vpc, subnet, _ = public_vpc()
    private = net.subnet("private", vpc, "10.0.2.0/24")
    app_group = net.sg("app", ingress("tcp", (8080, 8080), "10.9.0.0/16"))
    net.instance("app", private, app_group)
    lb_group = net.sg("lb", ingress("tcp", (80, 80), WORLD), egress("-1", None, WORLD))
    net.alb("web", [subnet], [lb_group], 80, 8080, ["aws_instance.app"])
    analysis = Analysis(net.model)
    blocked = analysis.explain(INTERNET, class_of(analysis, "aws_instance.app"), tcp(8080))
    assert blocked is not None and blocked.code == "security-group"
    assert blocked.address == "aws_security_group.app"


def test_a_load_balancer_the_internet_does_not_reach_is_named_before_its_backends() -> None:
    net, vpc, subnet, _ = public_vpc()
    private = net.subnet("private", vpc, "10.0.2.0/24")
    net.instance("app", private, net.sg("app", ingress("tcp", (8080, 8080), "10.0.0.0/16")))
    lb_group = net.sg("lb", ingress("tcp", (443, 443), WORLD), egress("-1", None, WORLD))
    net.alb("web", [subnet], [lb_group], 80, 8080, ["aws_instance.app"])
    analysis = Analysis(net.model)
    blocked = analysis.explain(INTERNET, class_of(analysis, "aws_instance.app"), tcp(8080))
    assert blocked is not None and blocked.code == "security-group"
    assert blocked.address == "aws_security_group.lb"
