"""Selectors: globs, tags, places, CIDRs (narrowing the internet), any_of / not, groups, hops."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rules_scenario import build, rules_from

from reachlint.engine.flows import EndpointClass, External, Hop
from reachlint.model.network import NetworkModel, SecurityGroup, SecurityGroupRule
from reachlint.model.traffic import ALL_ADDRESSES, IntervalSet, cidrs
from reachlint.rules import EndSubject, Matcher, glob_match, parse_selector

SCENARIO: dict[str, Any] = {
    "subnets": {"aws_subnet.web": ["10.0.1.0/24"], "aws_subnet.db": ["10.0.9.0/24"]},
    "onprem": {"aws_vpn_connection.office": ["192.168.0.0/16"]},
    "endpoints": [
        {
            "address": "module.web.aws_instance.this[0]",
            "tags": {"Tier": "web-frontend", "Env": "prod"},
            "subnet": "aws_subnet.web",
            "security_groups": ["aws_security_group.web"],
            "private_ips": ["10.0.1.10"],
        },
        {
            "address": 'aws_instance.worker["batch"]',
            "tags": {"Tier": "worker"},
            "subnet": "aws_subnet.web",
            "network": "aws_vpc.other",
        },
        {
            "address": "aws_db_instance.orders",
            "kind": "database",
            "tags": {"Tier": "data"},
            "subnet": "aws_subnet.db",
        },
    ],
}


@pytest.fixture(scope="module")
def world() -> tuple[NetworkModel, dict[str, EndSubject]]:
    model, reach = build(SCENARIO)
    subjects: dict[str, EndSubject] = {}
    for endpoint_class in reach.classes:
        for member in endpoint_class.members:
            endpoint = model.endpoints[member.endpoint]
            subjects[member.endpoint] = EndSubject(
                address=member.endpoint,
                endpoint=endpoint,
                interface=endpoint.interfaces[0],
                endpoint_class=endpoint_class,
            )
    for external in reach.externals:
        subjects[external.address] = EndSubject(address=external.address, external=external)
    return model, subjects


def _selected(world: tuple[NetworkModel, dict[str, EndSubject]], text: str, **kw: Any) -> set[str]:
    """The subjects a selector holds for (for any of their addresses)."""
    model, subjects = world
    selector = parse_selector(text, **kw)
    matcher = Matcher(model)
    return {address for address, subject in subjects.items() if matcher.end(selector, subject)}


WEB = "module.web.aws_instance.this[0]"
WORKER = 'aws_instance.worker["batch"]'
DB = "aws_db_instance.orders"
OFFICE = "aws_vpn_connection.office"


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("aws_instance.web[*]", "aws_instance.web[0]", True),
        ("aws_instance.web[*]", 'aws_instance.web["a"]', True),
        ("aws_instance.web[*]", "aws_instance.web", False),
        ("aws_instance.web[*]", "aws_instance.webx[0]", False),
        ("aws_instance.web[0]", "aws_instance.web[1]", False),
        ("aws_instance.web[0]", "aws_instance.web[0]", True),
        ("aws_instance.web[?]", "aws_instance.web[7]", True),
        ("aws_instance.web[?]", "aws_instance.web[10]", False),
        ("module.app.*", "module.app.aws_instance.this[0]", True),
        ("module.app.*", "module.application.aws_instance.this", False),
        # A resource named without its instance key stands for all its instances.
        ("aws_instance.web", "aws_instance.web[3]", True),
        ("aws_instance.web", 'aws_instance.web["blue"]', True),
        ("aws_instance.web", "aws_instance.web_2", False),
        ("aws_security_group.*", "aws_security_group.web", True),
    ],
)
def test_glob_brackets_are_literal(pattern: str, value: str, matches: bool) -> None:
    assert glob_match(pattern, value) is matches


def test_words(world: tuple[NetworkModel, dict[str, EndSubject]]) -> None:
    assert _selected(world, "any") == {WEB, WORKER, DB, "internet", OFFICE}
    assert _selected(world, "endpoints") == {WEB, WORKER, DB}
    assert _selected(world, "internet") == {"internet"}
    assert _selected(world, "onprem") == {OFFICE}


def test_addresses_types_and_kinds(world: tuple[NetworkModel, dict[str, EndSubject]]) -> None:
    assert _selected(world, '{addresses: ["module.web.*"]}') == {WEB}
    assert _selected(world, '{addresses: ["aws_instance.worker[*]"]}') == {WORKER}
    assert _selected(world, "{addresses: aws_instance.worker}") == {WORKER}
    assert _selected(world, "{types: [aws_instance]}") == {WEB, WORKER}
    assert _selected(world, "{types: [aws_vpn_connection]}") == {OFFICE}
    assert _selected(world, "{kinds: [database, cache]}") == {DB}


def test_tags_must_all_hold_and_values_are_globs(
    world: tuple[NetworkModel, dict[str, EndSubject]],
) -> None:
    assert _selected(world, '{tags: {Tier: "web*"}}') == {WEB}
    assert _selected(world, '{tags: {Tier: "web*", Env: dev}}') == set()
    assert _selected(world, '{tags: {Env: "*"}}') == {WEB}


def test_places(world: tuple[NetworkModel, dict[str, EndSubject]]) -> None:
    assert _selected(world, "{subnets: [aws_subnet.web]}") == {WEB, WORKER}
    assert _selected(world, "{networks: [aws_vpc.main]}") == {WEB, DB}
    assert _selected(world, '{security_groups: ["aws_security_group.w*"]}') == {WEB}
    assert _selected(world, "{subnets: [aws_subnet.web], networks: [aws_vpc.other]}") == {WORKER}


def test_cidrs_hold_for_endpoints_inside(world: tuple[NetworkModel, dict[str, EndSubject]]) -> None:
    # The web instance's private address is known; the worker counts by its whole subnet.
    assert _selected(world, "{cidrs: [10.0.1.10/32]}") >= {WEB}
    assert WORKER not in _selected(world, "{cidrs: [10.0.1.10/32]}")
    assert {WEB, WORKER} <= _selected(world, "{cidrs: [10.0.1.0/24]}")
    assert DB not in _selected(world, "{cidrs: [10.0.1.0/24]}")
    assert DB in _selected(world, "{cidrs: [10.0.0.0/16]}")


def test_cidrs_narrow_the_internet_and_onprem(
    world: tuple[NetworkModel, dict[str, EndSubject]],
) -> None:
    model, subjects = world
    matcher = Matcher(model)
    mirror = parse_selector("{cidrs: [55.3.0.0/16]}")
    assert matcher.end(mirror, subjects["internet"]) == cidrs(["55.3.0.0/16"])
    assert matcher.end(mirror, subjects[OFFICE]) == cidrs(["55.3.0.0/16"])
    internet_mirror = parse_selector("{any_of: [internet], cidrs: 55.3.0.0/16}")
    assert matcher.end(internet_mirror, subjects["internet"]) == cidrs(["55.3.0.0/16"])
    assert not matcher.end(internet_mirror, subjects[OFFICE])
    outside = parse_selector("{not: {cidrs: [55.3.0.0/16]}}")
    assert matcher.end(outside, subjects["internet"]) == ALL_ADDRESSES - cidrs(["55.3.0.0/16"])


def test_one_onprem_site_by_address() -> None:
    model, reach = build({"onprem": {OFFICE: ["192.168.0.0/16"], "aws_vpn_connection.dc": []}})
    matcher = Matcher(model)
    office = parse_selector(f"{{addresses: [{OFFICE}]}}")
    held = {
        external.address
        for external in reach.externals
        if matcher.end(office, EndSubject(address=external.address, external=external))
    }
    assert held == {OFFICE}


def test_any_of_and_not(world: tuple[NetworkModel, dict[str, EndSubject]]) -> None:
    assert _selected(world, "{any_of: [internet, {kinds: [database]}]}") == {"internet", DB}
    assert _selected(world, "{not: endpoints}") == {"internet", OFFICE}
    assert _selected(world, "{not: any}") == set()
    assert _selected(world, "{not: {tags: {Tier: data}}}") == {WEB, WORKER, "internet", OFFICE}


def test_groups_refer_to_groups(
    world: tuple[NetworkModel, dict[str, EndSubject]], tmp_path: Path
) -> None:
    rules = rules_from(
        """\
version: 1
groups:
  tiers: {any_of: [front, data]}
  front: {tags: {Tier: "web*"}}
  data: {kinds: [database]}
  not-front: {not: front}
""",
        tmp_path,
    )
    assert _selected(world, "tiers", rules=rules) == {WEB, DB}
    assert _selected(world, "{any_of: [data, internet]}", rules=rules) == {DB, "internet"}
    assert _selected(world, "not-front", rules=rules) == {WORKER, DB, "internet", OFFICE}


def _hop(address: str, kind: str, type_: str) -> Hop:
    return Hop(address=address, kind=kind, type=type_, detail="")


def test_through_selects_hops_by_address_type_kind_and_model_facts() -> None:
    model, _reach = build(
        {
            "endpoints": [
                {"address": "aws_lb.front", "kind": "load-balancer", "tags": {"Role": "edge"}},
            ]
        }
    )
    model.security_groups["aws_security_group.lb"] = SecurityGroup(
        address="aws_security_group.lb",
        type="aws_security_group",
        network="aws_vpc.main",
        rules=[
            SecurityGroupRule(
                address="aws_security_group_rule.https", type="x", direction="ingress"
            )
        ],
    )
    matcher = Matcher(model)
    lb = _hop("aws_lb.front", "load-balancer", "aws_lb")
    rule = _hop("aws_security_group_rule.https", "security-group-rule", "aws_security_group_rule")
    igw = _hop("aws_internet_gateway.main", "internet-gateway", "aws_internet_gateway")

    def through(text: str) -> set[str]:
        selector = parse_selector(text, use="hop")
        return {hop.address for hop in (lb, rule, igw) if matcher.hop(selector, hop)[0]}

    assert through("{kinds: [load-balancer]}") == {"aws_lb.front"}
    assert through('{types: ["aws_*_gateway"]}') == {"aws_internet_gateway.main"}
    assert through('{addresses: ["aws_security_group_rule.*"]}') == {rule.address}
    assert through("{tags: {Role: edge}}") == {"aws_lb.front"}
    assert through("{networks: [aws_vpc.main]}") == {"aws_lb.front", rule.address}
    assert through("{security_groups: [aws_security_group.lb]}") == {rule.address}
    assert through("any") == {"aws_lb.front", rule.address, "aws_internet_gateway.main"}
    assert through("{not: {kinds: [load-balancer]}}") == {rule.address, igw.address}
    assert matcher.through(parse_selector("{kinds: [nat-gateway]}", use="hop"), [lb, igw]) == (
        False,
        False,
        (),
    )


def test_end_selectors_see_the_class_placement() -> None:
    # The engine's class is what counts for where an interface sits.
    endpoint_class = EndpointClass(
        id=0, network="aws_vpc.a", subnet="aws_subnet.x", public=False, security_groups=()
    )
    subject = EndSubject(address="aws_instance.a", endpoint_class=endpoint_class)
    matcher = Matcher(NetworkModel())
    assert matcher.end(parse_selector("{subnets: aws_subnet.x}"), subject) == ALL_ADDRESSES
    assert matcher.end(parse_selector("{subnets: aws_subnet.y}"), subject) == IntervalSet()
    internet = EndSubject(address="internet", external=External("internet", "internet"))
    assert not matcher.end(parse_selector("{subnets: aws_subnet.x}"), internet)
