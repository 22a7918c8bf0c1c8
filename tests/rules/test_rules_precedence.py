"""One opening, one finding: a rule leaves out what the more specific rules it defers to report.

The built-in order (rules/*.yaml `defers_to`): INTERNET-DATA-STORES, then INTERNET-ADMIN-PORTS,
then INTERNET-ALL-PORTS, then the catch-all INTERNET-NON-WEB-PORTS. Switching a rule off hands
its traffic to the next; rules without `defers_to` (every user rule unless it says otherwise)
report everything they match.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rules_scenario import check, rules_from, summary

from reachlint.errors import InputError
from reachlint.rules import RuleSet, load_rules
from reachlint.rules.pack import rule_doc

WEB = {"endpoints": [{"address": "aws_instance.web", "public": True}]}
ADMIN = "tcp 22, 3389, 5985-5986"
REST_OF_TCP = "tcp 0-21, 23-3388, 3390-5984, 5987-65535"


def _scenario(**flow: Any) -> dict[str, Any]:
    return {**WEB, "flows": [{"from": "internet", "to": "aws_instance.web", **flow}]}


def _found(rules: RuleSet, spec: dict[str, Any]) -> list[tuple[str, str]]:
    return [(rule, traffic) for rule, _source, _destination, traffic in summary(check(rules, spec))]


def _with(text: str, directory: Path) -> RuleSet:
    directory.mkdir(parents=True, exist_ok=True)
    return rules_from("version: 1\n" + text, directory, builtin=True)


def test_ssh_open_to_the_world_is_one_finding() -> None:
    found = _found(load_rules([]), _scenario(protocol="tcp", ports=[22]))
    assert found == [("INTERNET-ADMIN-PORTS", "tcp 22")]


def test_with_the_admin_rule_off_ssh_is_a_non_web_port(tmp_path: Path) -> None:
    rules = _with("disable: [INTERNET-ADMIN-PORTS]\n", tmp_path)
    assert _found(rules, _scenario(protocol="tcp", ports=[22])) == [
        ("INTERNET-NON-WEB-PORTS", "tcp 22")
    ]


def test_every_tcp_port_is_split_between_the_specific_rules() -> None:
    found = _found(load_rules([]), _scenario(protocol="tcp"))
    assert found == [("INTERNET-ADMIN-PORTS", ADMIN), ("INTERNET-ALL-PORTS", REST_OF_TCP)]


def test_each_rule_switched_off_hands_its_traffic_to_the_next(tmp_path: Path) -> None:
    every_tcp_port = _scenario(protocol="tcp")
    rules = _with("disable: [INTERNET-ALL-PORTS]\n", tmp_path / "a")
    assert _found(rules, every_tcp_port) == [
        ("INTERNET-ADMIN-PORTS", ADMIN),
        ("INTERNET-NON-WEB-PORTS", "tcp 0-21, 23-79, 81-442, 444-3388, 3390-5984, 5987-65535"),
    ]
    rules = _with("disable: [INTERNET-ADMIN-PORTS]\n", tmp_path / "b")
    assert _found(rules, every_tcp_port) == [("INTERNET-ALL-PORTS", "tcp 0-65535")]
    rules = _with("disable: [INTERNET-ADMIN-PORTS, INTERNET-ALL-PORTS]\n", tmp_path / "c")
    assert _found(rules, every_tcp_port) == [
        ("INTERNET-NON-WEB-PORTS", "tcp 0-79, 81-442, 444-65535")
    ]


def test_a_public_data_store_is_reported_once_whatever_is_open(tmp_path: Path) -> None:
    database = {
        "endpoints": [{"address": "aws_db_instance.orders", "kind": "database"}],
        "flows": [{"from": "internet", "to": "aws_db_instance.orders"}],
    }
    assert _found(load_rules([]), database) == [("INTERNET-DATA-STORES", "all")]
    rules = _with("disable: [INTERNET-DATA-STORES]\n", tmp_path)
    assert [rule for rule, _ in _found(rules, database)] == [
        "INTERNET-ADMIN-PORTS",
        "INTERNET-ALL-PORTS",
    ]


def test_user_rules_report_everything_they_match(tmp_path: Path) -> None:
    rules = rules_from(
        "version: 1\nrules:\n"
        "  - {id: NO-SSH, match: {from: internet, to: any, protocol: tcp, ports: [22]}}\n"
        "  - {id: WEB-ONLY, match: {from: internet, to: any},"
        " allow: [{protocol: tcp, ports: [80, 443]}]}\n",
        tmp_path,
    )
    found = _found(rules, _scenario(protocol="tcp", ports=[22, 8080]))
    assert found == [("NO-SSH", "tcp 22"), ("WEB-ONLY", "tcp 22, 8080")]


def test_a_user_rule_may_defer_to_another(tmp_path: Path) -> None:
    rules = rules_from(
        "version: 1\nrules:\n"
        "  - {id: NO-SSH, severity: high, match: {from: internet, to: any, protocol: tcp,"
        " ports: [22]}}\n"
        "  - id: WEB-ONLY\n    defers_to: [NO-SSH]\n    match: {from: internet, to: any}\n"
        "    allow: [{protocol: tcp, ports: [80, 443]}]\n",
        tmp_path,
    )
    (ssh, web) = check(rules, _scenario(protocol="tcp", ports=[22, 8080]))
    assert (ssh.rule, web.rule) == ("NO-SSH", "WEB-ONLY")
    assert web.message == (
        "internet reaches aws_instance.web on tcp 8080 (and on tcp 22, reported under NO-SSH)"
    )
    page = rule_doc("WEB-ONLY", rules)
    assert page is not None and "Defers to NO-SSH: what they report" in page


def test_a_built_in_rule_defers_to_the_rule_that_replaces_its_target(tmp_path: Path) -> None:
    # The replacement accepts SSH from one range; the catch-all reports what nobody reports.
    rules = _with(
        "disable: [INTERNET-ADMIN-PORTS]\nrules:\n"
        "  - id: INTERNET-ADMIN-PORTS\n    severity: critical\n"
        "    match: {from: internet, to: any, protocol: tcp, ports: [22]}\n"
        "    allow: [{from: {cidrs: [55.3.0.0/16]}}]\n",
        tmp_path,
    )
    admin, non_web = check(rules, _scenario(protocol="tcp", ports=[22]))
    assert (admin.rule, non_web.rule) == ("INTERNET-ADMIN-PORTS", "INTERNET-NON-WEB-PORTS")
    assert admin.addresses is not None and "55.3.0.0/16" not in admin.addresses
    assert "55.2.0.0/16" in admin.addresses and "55.4.0.0/14" in admin.addresses
    assert non_web.addresses == ["55.3.0.0/16"]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (
            "  - {id: A, match: {from: internet}, defers_to: [INTERNET-ADMIN-PORT]}\n",
            3,
            "rule A: defers_to names 'INTERNET-ADMIN-PORT', which no rule has; "
            "did you mean 'INTERNET-ADMIN-PORTS'?",
        ),
        (
            "  - {id: A, match: {from: internet}, defers_to: [A]}\n",
            3,
            "rule A: a rule cannot defer to itself",
        ),
        (
            "  - {id: A, match: {from: internet}, defers_to: [B]}\n"
            "  - {id: B, match: {from: internet},\n     defers_to: [A]}\n",
            3,
            "rule A: defers_to makes a cycle: A -> B -> A",
        ),
    ],
    ids=["unknown", "itself", "cycle"],
)
def test_defers_to_mistakes_name_file_and_line(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    with pytest.raises(InputError) as raised:
        rules_from("version: 1\nrules:\n" + text, tmp_path)
    assert (raised.value.file, raised.value.line) == (str(tmp_path / "rules.yaml"), line)
    assert raised.value.message == words


def test_each_rule_page_shows_its_place_in_the_order() -> None:
    rules = load_rules([])
    deferring = {rule.id: rule.defers_to for rule in rules.rules}
    for rule in rules.rules:
        page = rule_doc(rule.id, rules)
        assert page is not None and "## Precedence" in page, rule.id
        section = page.split("## Precedence", 1)[1].split("\n## ", 1)[0]
        for target in rule.defers_to:
            assert target in section, (rule.id, target)
        for other, targets in deferring.items():
            if rule.id in targets:
                assert other in section, (rule.id, other)


def test_a_rule_defers_only_to_rules_about_flows_in_its_state(tmp_path: Path) -> None:
    # A dropped reply and a connection that works are different flows, even on the same port.
    rules = rules_from(
        "version: 1\nrules:\n"
        "  - {id: NO-SSH, match: {from: internet, to: any, protocol: tcp, ports: [22]}}\n"
        "  - {id: HANGS, defers_to: [NO-SSH],"
        " match: {from: internet, to: any, state: reply-dropped}}\n",
        tmp_path,
    )
    spec = {
        **WEB,
        "flows": [
            {"from": "internet", "to": "aws_instance.web", "protocol": "tcp", "ports": [22]},
            {
                "from": "internet",
                "to": "aws_instance.web",
                "protocol": "tcp",
                "ports": [22],
                "state": "reply-dropped",
            },
        ],
    }
    assert _found(rules, spec) == [("HANGS", "tcp 22"), ("NO-SSH", "tcp 22")]
