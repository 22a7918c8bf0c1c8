"""Checking rules on flows: allow subtraction, same, through, only_if, grouping and the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rules_scenario import check, rules_from, summary

from reachlint.rules.findings import plain

WEB = {"address": "aws_instance.web", "tags": {"Tier": "web"}, "subnet": "aws_subnet.a"}
APP = {"address": "aws_instance.app", "tags": {"Tier": "app"}, "subnet": "aws_subnet.a"}
IGW = {
    "address": "aws_internet_gateway.main",
    "kind": "internet-gateway",
    "detail": "admits internet traffic",
}
DB = {"address": "aws_db_instance.db", "kind": "database", "subnet": "aws_subnet.b"}


def _flow(
    source: str, destination: str, protocol: str | None = None, *ports: Any, **more: Any
) -> dict[str, Any]:
    """A flow of the scenario: `protocol` on `ports` (every port without any)."""
    flow: dict[str, Any] = {"from": source, "to": destination, **more}
    if protocol is not None:
        flow["protocol"] = protocol
    if ports:
        flow["ports"] = list(ports)
    return flow


def _findings(rules_text: str, spec: dict[str, Any], tmp_path: Path) -> list[Any]:
    return summary(check(rules_from(rules_text, tmp_path), spec))


def test_allow_subtracts_exactly_and_leaves_the_rest(tmp_path: Path) -> None:
    rules = """\
version: 1
rules:
  - id: ONLY-WEB
    match: {from: internet, to: any, protocol: tcp}
    allow:
      - {protocol: tcp, ports: [80, 443]}
"""
    spec = {"endpoints": [WEB], "flows": [_flow("internet", "aws_instance.web")]}
    assert _findings(rules, spec, tmp_path) == [
        ("ONLY-WEB", "internet", "aws_instance.web", "tcp 0-79, 81-442, 444-65535")
    ]


def test_allow_by_source_group_and_address_range(tmp_path: Path) -> None:
    rules = """\
version: 1
groups:
  web: {tags: {Tier: web}}
rules:
  - id: APP-ONLY-FROM-WEB
    severity: high
    match: {from: {any_of: [any, internet]}, to: {tags: {Tier: app}}}
    allow:
      - {from: web, protocol: tcp, ports: [8080]}
      - {from: {cidrs: [55.3.0.0/16]}, protocol: tcp, ports: ["8080-8081"]}
"""
    spec = {
        "endpoints": [WEB, APP],
        "flows": [
            _flow("aws_instance.web", "aws_instance.app", "tcp"),
            _flow("internet", "aws_instance.app", "tcp", 8080),
        ],
    }
    found = check(rules_from(rules, tmp_path), spec)
    assert summary(found) == [
        ("APP-ONLY-FROM-WEB", "aws_instance.web", "aws_instance.app", "tcp 0-8079, 8081-65535"),
        ("APP-ONLY-FROM-WEB", "internet", "aws_instance.app", "tcp 8080"),
    ]
    # Everything public except the allowed range is left over.
    assert found[1].addresses is not None and "55.2.0.0/16" in found[1].addresses
    assert "55.3.0.0/16" not in found[1].addresses


def test_members_of_one_class_get_their_own_signature(tmp_path: Path) -> None:
    rules = """\
version: 1
rules:
  - id: NO-SSH
    match: {from: any, to: any, protocol: tcp, ports: [22]}
    allow:
      - {from: {tags: {Tier: web}}}
"""
    spec = {
        "endpoints": [{**WEB, "class": "front"}, {**APP, "class": "front"}, DB],
        "flows": [_flow("front", "aws_db_instance.db", "tcp")],
    }
    assert _findings(rules, spec, tmp_path) == [
        ("NO-SSH", "aws_instance.app", "aws_db_instance.db", "tcp 22")
    ]


def test_same_subnet_and_network(tmp_path: Path) -> None:
    rules = """\
version: 1
rules:
  - id: NO-SUBNET-PEERS
    match: {from: any, to: any, same: subnet}
  - id: NO-NETWORK-PEERS
    severity: low
    match: {from: {any_of: [any, internet]}, to: any, same: network}
"""
    spec = {
        "endpoints": [WEB, APP, DB],
        "flows": [
            _flow("aws_instance.web", "aws_instance.app", "tcp", 1),
            _flow("aws_instance.web", "aws_db_instance.db", "tcp", 2),
            _flow("internet", "aws_instance.web", "tcp", 3),
        ],
    }
    assert _findings(rules, spec, tmp_path) == [
        ("NO-SUBNET-PEERS", "aws_instance.web", "aws_instance.app", "tcp 1"),
        ("NO-NETWORK-PEERS", "aws_instance.web", "aws_db_instance.db", "tcp 2"),
        ("NO-NETWORK-PEERS", "aws_instance.web", "aws_instance.app", "tcp 1"),
    ]


def test_a_class_never_reaches_itself_but_its_members_reach_each_other(tmp_path: Path) -> None:
    rules = "version: 1\nrules:\n  - id: PEERS\n    match: {same: subnet}\n"
    spec = {
        "endpoints": [{**WEB, "class": "pool"}, {**APP, "class": "pool"}],
        "flows": [_flow("pool", "pool", "udp", 53)],
    }
    assert _findings(rules, spec, tmp_path) == [
        ("PEERS", "aws_instance.app", "aws_instance.web", "udp 53"),
        ("PEERS", "aws_instance.web", "aws_instance.app", "udp 53"),
    ]


def test_through_in_match_and_allow(tmp_path: Path) -> None:
    rules = """\
version: 1
rules:
  - id: VIA-NAT
    match: {from: any, to: internet, through: {kinds: [nat-gateway]}}
  - id: WEB-VIA-LB-ONLY
    match: {from: internet, to: any}
    allow:
      - {through: {types: [aws_lb]}}
"""
    nat = [{"address": "aws_nat_gateway.main", "kind": "nat-gateway"}]
    lb = [{"address": "aws_lb.front", "kind": "load-balancer", "type": "aws_lb"}]
    spec = {
        "endpoints": [WEB, APP],
        "flows": [
            _flow("aws_instance.app", "internet", "tcp", 443, path=nat),
            _flow("aws_instance.web", "internet", "tcp", 443),
            _flow("internet", "aws_instance.web", "tcp", 80, path=lb),
            _flow("internet", "aws_instance.app", "tcp", 80),
        ],
    }
    assert _findings(rules, spec, tmp_path) == [
        ("VIA-NAT", "aws_instance.app", "internet", "tcp 443"),
        ("WEB-VIA-LB-ONLY", "internet", "aws_instance.app", "tcp 80"),
    ]


def test_only_if_all_ports(tmp_path: Path) -> None:
    rules = """\
version: 1
rules:
  - id: WIDE-OPEN
    match: {from: any, to: any}
    only_if: all-ports
"""
    spec = {
        "endpoints": [WEB, APP, DB],
        "flows": [
            _flow("aws_instance.web", "aws_instance.app", "udp"),
            _flow("aws_instance.web", "aws_db_instance.db", "tcp", "2-65535"),
            _flow("aws_instance.app", "aws_db_instance.db", "50"),
        ],
    }
    assert _findings(rules, spec, tmp_path) == [
        ("WIDE-OPEN", "aws_instance.web", "aws_instance.app", "udp 0-65535")
    ]


def test_protocol_numbers_and_ports_without_protocol(tmp_path: Path) -> None:
    rules = """\
version: 1
rules:
  - id: ESP
    match: {protocol: 50}
  - id: DNS
    match: {ports: [53]}
"""
    spec = {
        "endpoints": [WEB, APP],
        "flows": [_flow("aws_instance.web", "aws_instance.app")],
    }
    dns, esp = check(rules_from(rules, tmp_path), spec)
    assert [plain(entry) for entry in dns.traffic] == [
        {"protocol": "tcp", "ports": [(53, 53)]},
        {"protocol": "udp", "ports": [(53, 53)]},
    ]
    assert [plain(entry) for entry in esp.traffic] == [{"protocol": "other", "numbers": "50"}]


def test_state_decides_which_flows_a_rule_sees(tmp_path: Path) -> None:
    rules = "version: 1\nrules:\n  - id: ANY\n    match: {from: internet}\n"
    spec = {
        "endpoints": [WEB],
        "flows": [
            _flow("internet", "aws_instance.web", "tcp", 22, state="reply-dropped"),
        ],
    }
    assert _findings(rules, spec, tmp_path) == []


def test_flows_of_one_pair_are_one_finding(tmp_path: Path) -> None:
    rules = "version: 1\nrules:\n  - id: ANY\n    match: {from: internet}\n"
    spec = {
        "endpoints": [WEB],
        "flows": [
            _flow(
                "internet",
                "aws_instance.web",
                "tcp",
                22,
                path=[{"address": "aws_security_group_rule.ssh"}],
                unknowns=["var.cidr"],
            ),
            _flow(
                "internet",
                "aws_instance.web",
                "tcp",
                "8000-8100",
                path=[{"address": "aws_security_group_rule.app"}],
            ),
        ],
    }
    (finding,) = check(rules_from(rules, tmp_path), spec)
    assert finding.message == "internet reaches aws_instance.web on tcp 22, 8000-8100"
    # The path of the flow that carries most, joined by the other's way for tcp 22.
    assert [hop.address for hop in finding.path] == [
        "aws_security_group_rule.app",
        "aws_security_group_rule.ssh",
    ]
    assert finding.depends_on_unknown == ["var.cidr"]
    # The flow comes from all public addresses: nothing to narrow down.
    assert finding.addresses is None


def test_report_fields_and_order(tmp_path: Path) -> None:
    rules = """\
version: 1
rules:
  - id: B-LOW
    severity: low
    title: Low
    match: {from: any, to: onprem}
  - id: A-CRITICAL
    severity: critical
    match: {from: internet}
"""
    spec = {
        "endpoints": [WEB, APP],
        "onprem": {"aws_vpn_connection.office": ["192.168.0.0/16"]},
        "flows": [
            _flow("aws_instance.web", "aws_vpn_connection.office", "icmp"),
            _flow("internet", "aws_instance.app", "tcp", 22, path=[IGW]),
        ],
    }
    critical, low = check(rules_from(rules, tmp_path), spec)
    assert (critical.rule, critical.severity, critical.title) == (
        "A-CRITICAL",
        "critical",
        "A-CRITICAL",
    )
    assert plain(critical.source) == {
        "address": "internet",
        "kind": "internet",
    }
    assert plain(critical.destination) == {
        "address": "aws_instance.app",
        "kind": "instance",
        "type": "aws_instance",
        "file": "main.tf",
        "line": 20,
    }
    assert [plain(hop) for hop in critical.path] == [IGW]
    assert (low.rule, low.title, low.message) == (
        "B-LOW",
        "Low",
        "aws_instance.web reaches aws_vpn_connection.office on icmp",
    )
    assert plain(low.destination) == {
        "address": "aws_vpn_connection.office",
        "kind": "onprem",
        "file": "vpn.tf",
        "line": 1,
    }
    assert low.addresses == ["192.168.0.0/16"]
    assert low.depends_on_unknown is None
    report = plain(low)
    assert (report["from"]["address"], report["state"]) == ("aws_instance.web", "reachable")


def test_cidrs_on_the_destination_narrow_egress(tmp_path: Path) -> None:
    rules = """\
version: 1
rules:
  - id: EGRESS-ONLY-UPDATES
    match: {from: {types: [aws_instance]}, to: internet}
    allow:
      - {to: {cidrs: [55.3.0.0/16]}}
"""
    spec = {
        "endpoints": [WEB],
        "flows": [
            _flow("aws_instance.web", "internet", "tcp", 443, cidrs=["55.3.0.0/16", "8.8.8.0/24"]),
        ],
    }
    (finding,) = check(rules_from(rules, tmp_path), spec)
    assert finding.addresses == ["8.8.8.0/24"]
    assert finding.message == "aws_instance.web reaches internet on tcp 443"
