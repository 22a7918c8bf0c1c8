"""A finding never hides a source range: when its ports come from different external addresses
(SSH from an office range, 9100 from anywhere), every format says which addresses each part
comes from or goes to. The fixture and its hand-derived findings: fixtures/aws/facts/
source-range-per-port (README)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from expectations import AWS_FIXTURES

from reachlint.commands.changes.diff import run_diff
from reachlint.commands.check import run_check
from reachlint.model.traffic import (
    PUBLIC_ADDRESSES,
    IntervalSet,
    Traffic,
    addresses_as_cidrs,
    cidrs,
    narrower_than_public,
)
from reachlint.reports import DIFF_FORMATS, FORMATS, render, render_diff
from reachlint.rules.findings import entries_text, traffic_by_addresses

FIXTURE = AWS_FIXTURES / "facts" / "source-range-per-port"
SSH_FROM_OFFICE = "tcp 22 from 81.2.69.160/27"
METRICS_FROM_ANYWHERE = "tcp 9100 from any address"
MAIL_TO_ANYWHERE = "tcp 25 to any address"
DATABASE_TO_OFFICE = "tcp 5432 to 81.2.69.160/27"


def _report():  # type: ignore[no-untyped-def]
    return run_check([FIXTURE / "plan.json"], [FIXTURE / "rules.yaml"], builtin=False)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_gives_each_part_its_addresses(fmt: str) -> None:
    text = render(_report(), fmt)
    for part in (SSH_FROM_OFFICE, METRICS_FROM_ANYWHERE, MAIL_TO_ANYWHERE, DATABASE_TO_OFFICE):
        assert part in text, (fmt, part)


def test_the_text_report_lists_one_part_a_line() -> None:
    text = render(_report(), "text")
    assert "traffic: tcp 22, 9100" not in text
    assert re.search(rf"traffic: {SSH_FROM_OFFICE}\n +{METRICS_FROM_ANYWHERE}\n", text), text


def test_the_markdown_path_diagram_says_it_on_its_first_arrow() -> None:
    arrows = re.findall(r's0 -- "([^"]*)" --> s1', render(_report(), "markdown"))
    assert arrows == [
        f"{SSH_FROM_OFFICE} and on {METRICS_FROM_ANYWHERE}",
        f"{MAIL_TO_ANYWHERE} and on {DATABASE_TO_OFFICE}",
    ]


def test_the_message_says_it_too() -> None:
    messages = {finding.rule: finding.message for finding in _report().findings}
    assert messages["INTERNET-ONLY-HTTPS"] == (
        f"internet reaches aws_instance.node on {SSH_FROM_OFFICE} and on {METRICS_FROM_ANYWHERE}"
    )
    assert messages["EGRESS-ONLY-HTTPS"] == (
        f"aws_instance.node reaches internet on {MAIL_TO_ANYWHERE} and on {DATABASE_TO_OFFICE}"
    )


def test_the_json_report_carries_the_parts_and_keeps_its_traffic() -> None:
    document = json.loads(render(_report(), "json"))
    finding = next(f for f in document["findings"] if f["rule"] == "INTERNET-ONLY-HTTPS")
    assert finding["traffic"] == [{"protocol": "tcp", "ports": [[22, 22], [9100, 9100]]}]
    assert "addresses" not in finding  # together they come from every public address
    assert finding["traffic_by_addresses"] == [
        {"traffic": [{"protocol": "tcp", "ports": [[22, 22]]}], "addresses": ["81.2.69.160/27"]},
        {"traffic": [{"protocol": "tcp", "ports": [[9100, 9100]]}]},
    ]


def test_one_set_of_addresses_is_not_split() -> None:
    traffic = Traffic.box(IntervalSet([(6, 6)]), cidrs(["81.2.69.160/27"]), IntervalSet([(22, 23)]))
    ((addresses, part),) = traffic.by_addresses()
    assert addresses_as_cidrs(addresses) == ["81.2.69.160/27"] and part == traffic


def test_parts_are_exact_and_cover_the_traffic() -> None:
    office, other = cidrs(["81.2.69.160/27"]), cidrs(["198.51.100.0/24"])
    traffic = (
        Traffic.box(IntervalSet([(6, 6)]), office, IntervalSet([(20, 30)]))
        | Traffic.box(IntervalSet([(6, 6)]), PUBLIC_ADDRESSES, IntervalSet([(25, 25)]))
        | Traffic.box(IntervalSet([(17, 17)]), other, IntervalSet([(53, 53)]))
    )
    parts = traffic.by_addresses()
    union = Traffic()
    for addresses, part in parts:
        assert part.addresses() == addresses  # each part holds exactly its addresses
        union = union | part
    assert union == traffic
    texts = {(part.text(), len(addresses_as_cidrs(addresses))) for addresses, part in parts}
    assert ("tcp 20-24, 26-30", 1) in texts and ("udp 53", 1) in texts
    assert any(text == "tcp 25" for text, _count in texts)


def test_ipv6_alone_is_never_any_address() -> None:
    """IPv4-only networks read "any address" as every IPv4 client: traffic that only IPv6
    clients send (an IPv6 route whose replies a network ACL drops) names its addresses, and
    beside traffic from both families it is a part of its own."""
    tcp = IntervalSet([(6, 6)])
    v6_public = PUBLIC_ADDRESSES & cidrs(["::/0"])
    from_v6 = Traffic.box(tcp, v6_public, IntervalSet([(80, 80)]))
    assert traffic_by_addresses(from_v6) is None  # one set of addresses: one part
    assert addresses_as_cidrs(from_v6.addresses()) == ["2000::/3"]
    assert narrower_than_public(from_v6.addresses())
    from_both = Traffic.box(tcp, PUBLIC_ADDRESSES, IntervalSet([(443, 443)]))
    parts = traffic_by_addresses(from_v6 | from_both)
    assert parts is not None
    shown = [(entries_text(part.traffic), part.addresses) for part in parts]
    assert sorted(shown, key=str) == sorted([("tcp 80", ["2000::/3"]), ("tcp 443", None)], key=str)
    from_v4 = Traffic.box(tcp, PUBLIC_ADDRESSES & cidrs(["0.0.0.0/0"]), IntervalSet([(22, 22)]))
    assert not narrower_than_public(from_v4.addresses())


def test_diff_gives_each_opened_part_its_addresses(tmp_path: Path) -> None:
    base = tmp_path / "base"
    base.mkdir()
    (base / "providers.tf").write_text((FIXTURE / "providers.tf").read_text())
    written = (FIXTURE / "main.tf").read_text()
    # Before the change the group admits nothing from outside.
    closed = re.sub(r"\n  ingress \{.*?\n  \}\n", "\n", written, flags=re.DOTALL)
    assert "ingress" not in closed
    (base / "main.tf").write_text(closed)
    diff = run_diff(base, FIXTURE / "plan.json", [FIXTURE / "rules.yaml"], builtin=False)
    opened = [change for change in diff.opened if change.source.address == "internet"]
    assert len(opened) == 1 and opened[0].traffic_by_addresses
    for fmt in DIFF_FORMATS:
        text = render_diff(diff, fmt)
        if fmt == "json":  # a flow has no message: its parts are structured
            flow = json.loads(text)["opened"][0]
            assert flow["traffic_by_addresses"][0]["addresses"] == ["81.2.69.160/27"]
            continue
        assert SSH_FROM_OFFICE in text and METRICS_FROM_ANYWHERE in text, fmt


def test_query_gives_each_part_its_addresses() -> None:
    from reachlint.commands.design.query import run_query
    from reachlint.commands.design.query_text import render_answer

    question, answer = run_query([FIXTURE / "plan.json"], "internet", "aws_instance.node")
    text = render_answer(question, answer, "text")
    assert f"on {SSH_FROM_OFFICE} and on {METRICS_FROM_ANYWHERE}" in text.splitlines()[0]
    assert f"path ({SSH_FROM_OFFICE} and on {METRICS_FROM_ANYWHERE})" in text
    (route,) = answer.paths
    assert route.traffic_by_addresses is not None
    assert [part.addresses for part in route.traffic_by_addresses] == [["81.2.69.160/27"], None]
    # Asked from the office alone, nothing differs: no parts.
    _question, narrowed = run_query(
        [FIXTURE / "plan.json"], "cidr:81.2.69.161", "aws_instance.node"
    )
    assert narrowed.traffic_by_addresses is None
    assert narrowed.paths[0].traffic_by_addresses is None
