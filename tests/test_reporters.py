"""The text and JSON reports read the Report alone, deterministically."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

from reachlint.reports import render, render_pieces
from reachlint.reports.contents import count_by_severity, sort_findings
from reachlint.reports.schema import NoteRef, Report, Summary, SuppressionProblem, Tool
from reachlint.reports.text import traffic_text
from reachlint.rules.findings import EndRef, Finding, HopRef, Suppression, TrafficEntry
from reachlint.safe_text import for_output, json_text, json_text_pieces

INTERNET = EndRef(address="internet", kind="internet")
APP = EndRef(address="module.app.aws_instance.this[0]", kind="instance", file="app.tf", line=21)
WEB = EndRef(address="aws_instance.web", kind="instance")


def _finding(
    rule: str = "INTERNET-ONLY-WEB",
    severity: str = "high",
    source: EndRef = INTERNET,
    destination: EndRef = APP,
    **extra: object,
) -> Finding:
    fields: dict[str, object] = {
        "rule": rule,
        "severity": severity,
        "title": "From the internet only HTTP and HTTPS",
        "message": f"{source.address} reaches {destination.address}",
        "from": source,
        "to": destination,
        "traffic": [TrafficEntry(protocol="tcp", ports=[(0, 79), (81, 442), (444, 65535)])],
        "path": [
            HopRef(
                address="aws_internet_gateway.main",
                kind="internet-gateway",
                detail="routes 0.0.0.0/0 from the subnet",
                file="main.tf",
                line=40,
            ),
            HopRef(
                address="aws_security_group.app",
                kind="security-group",
                detail="allows tcp from 0.0.0.0/0",
            ),
        ],
        **extra,
    }
    return msgspec.convert(fields, Finding)


def _report(findings: list[Finding], notes: list[NoteRef] | None = None) -> Report:
    return Report(
        tool=Tool(version="9.9.9"),
        inputs=["plan.json", "other.json"],
        findings=sort_findings(findings),
        summary=Summary(
            findings=len(findings),
            by_severity=count_by_severity(findings),
            rules=4,
            endpoints=12,
        ),
        notes=notes or [],
    )


SAMPLE = _report(
    [
        _finding(),
        _finding(
            rule="EGRESS-ONLY-UPDATES",
            severity="medium",
            source=WEB,
            destination=INTERNET,
            addresses=["1.0.0.0/8", "2.0.0.0/7", "4.0.0.0/6", "8.0.0.0/7", "11.0.0.0/8"],
            depends_on_unknown=[f"aws_instance.web[{n}]: subnet_id" for n in range(5)],
            state="reply-dropped",
        ),
        _finding(severity="high", source=INTERNET, destination=WEB),
        _finding(rule="NO-SSH", severity="critical"),
    ],
    notes=[NoteRef(address="aws_lambda_function.f", message="not attached to a VPC")],
)


def test_text_report_layout() -> None:
    text = render(SAMPLE, "text")
    assert text.splitlines()[0] == "reachlint 9.9.9 · checked plan.json, other.json"
    assert "NO-SSH [critical] From the internet only HTTP and HTTPS — 1 finding" in text
    assert "INTERNET-ONLY-WEB [high] From the internet only HTTP and HTTPS — 2 findings" in text
    assert "  internet -> module.app.aws_instance.this[0] (instance)  [app.tf:21]\n" in text
    assert "    traffic: tcp 0-79, 81-442, 444-65535\n" in text
    assert (
        "      1. aws_internet_gateway.main (internet-gateway)"
        " — routes 0.0.0.0/0 from the subnet  [main.tf:40]\n"
    ) in text
    assert "      2. aws_security_group.app (security-group) — allows tcp from 0.0.0.0/0\n" in text
    assert text.endswith("\n4 findings: 1 critical, 2 high, 1 medium · 4 rules · 12 endpoints\n")


def test_text_report_groups_rules_most_severe_first() -> None:
    lines = render(SAMPLE, "text").splitlines()
    headers = [line.split()[0] for line in lines if line[:1].isupper() and " [" in line]
    assert headers == ["NO-SSH", "INTERNET-ONLY-WEB", "EGRESS-ONLY-UPDATES"]


def test_text_report_shows_addresses_state_unknowns_and_notes() -> None:
    text = render(SAMPLE, "text")
    assert "    addresses: 1.0.0.0/8, 2.0.0.0/7, 4.0.0.0/6 and 2 more\n" in text
    assert "replies are dropped on the way back" in text
    assert (
        "    depends on unknown values: aws_instance.web[0]: subnet_id, "
        "aws_instance.web[1]: subnet_id, aws_instance.web[2]: subnet_id and 2 more\n"
    ) in text
    assert "1 note on what could not be modelled or known:" in text
    assert "  - aws_lambda_function.f: not attached to a VPC\n" in text


def test_text_report_without_findings() -> None:
    text = render(_report([]), "text")
    assert text.endswith("\nNo findings · 4 rules · 12 endpoints\n")


def test_text_report_colour_only_when_asked() -> None:
    assert "\033[" not in render(SAMPLE, "text")
    assert "\033[1;31mcritical\033[0m" in render(SAMPLE, "text", color=True)


def test_text_report_is_deterministic() -> None:
    shuffled = _report(list(reversed(SAMPLE.findings)), notes=SAMPLE.notes)
    assert render(shuffled, "text") == render(SAMPLE, "text")


@pytest.mark.parametrize(
    ("entries", "text"),
    [
        ([TrafficEntry(protocol="tcp", ports=[(22, 22), (80, 81)])], "tcp 22, 80-81"),
        (
            [TrafficEntry(protocol="udp", ports=[(53, 53)]), TrafficEntry(protocol="icmp")],
            "udp 53; icmp",
        ),
        ([TrafficEntry(protocol="other", numbers="47,50-51")], "protocols 47,50-51"),
        ([TrafficEntry(protocol="all")], "all"),
    ],
)
def test_traffic_text(entries: list[TrafficEntry], text: str) -> None:
    assert traffic_text(entries) == text


def test_json_report_uses_the_contract_names_and_round_trips() -> None:
    document = json.loads(render(SAMPLE, "json"))
    first = document["findings"][0]
    assert first["from"] == {"address": "internet", "kind": "internet"}
    assert first["to"]["address"] == "module.app.aws_instance.this[0]"
    assert first["traffic"] == [{"protocol": "tcp", "ports": [[0, 79], [81, 442], [444, 65535]]}]
    assert "file" not in first["path"][1]  # unknown values are left out, not null
    assert document["summary"] == {
        "findings": 4,
        "by_severity": {"critical": 1, "high": 2, "medium": 1},
        "rules": 4,
        "endpoints": 12,
    }
    assert msgspec.convert(document, Report) == SAMPLE


def test_json_text_is_what_json_dumps_writes() -> None:
    document = {
        "é": ['\u2028\x1b\x7f\t\n"\\/', [], {}, None, True, 3, -(2**40)],
        "nested": {"empty": [], "list": [[0, 79], [81, 65535]]},
        "beyond 64 bits": [2**70, -(2**70)],
    }
    assert json_text(document) == json.dumps(document, indent=2, ensure_ascii=False)


def test_json_output_escapes_what_a_reader_should_not_see_as_itself() -> None:
    """DEL, C1 controls, format characters, separators and unpaired surrogates become escapes;
    other characters beyond ASCII stay as they are, and so does a CI command prefix's `#`."""
    text = '["a \ud83d\ude00 b", "\u2028 \x7f \x85 \u202e \ud800", "é 😀 ##[x"]'
    expected = (
        '["a \\ud83d\\ude00 b", "\\u2028 \\u007f \\u0085 \\u202e \\ud800", "é 😀 ##\\u005bx"]'
    )
    assert for_output(text, "json") == expected


def test_a_lone_surrogate_from_the_input_is_written_as_its_escape() -> None:
    finding = msgspec.structs.replace(SAMPLE.findings[0], message="name \ud800 here")
    report = msgspec.structs.replace(SAMPLE, findings=[finding])
    written = for_output(render(report, "json"), "json")  # as the command line writes it
    assert "name \\ud800 here" in written.encode("utf-8").decode("utf-8")
    assert json.loads(written)["findings"][0]["message"] == "name \ud800 here"


@pytest.mark.parametrize("fmt", ["json", "sarif", "gitlab", "asff"])
@pytest.mark.parametrize(
    "findings",
    [
        [],
        SAMPLE.findings[:1],
        SAMPLE.findings,
        [
            msgspec.structs.replace(SAMPLE.findings[0], message="a \ud800 b\n::error::x ##[y"),
            *SAMPLE.findings,
        ],
    ],
    ids=["none", "one", "several", "hostile"],
)
def test_a_report_in_pieces_is_the_report_indented_whole(findings: list[Finding], fmt: str) -> None:
    """A large JSON, SARIF, GitLab or ASFF report is written a finding at a time: the pieces
    join to the text of the whole document indented at once, and guarded one by one they are
    the same as that text guarded."""
    problem = SuppressionProblem(file="r.yaml", line=3, message="suppresses nothing")
    report = msgspec.structs.replace(SAMPLE, findings=findings, suppression_problems=[problem])
    pieces = list(render_pieces(report, fmt))
    assert len(pieces) > len(findings)  # really in pieces, not one text
    joined = "".join(pieces)
    document = json.loads(joined)
    assert joined == json_text(document) + "\n"
    guarded = "".join(for_output(piece, "json") for piece in pieces)
    assert guarded == for_output(joined, "json")
    hostile = any("\ud800" in finding.message for finding in findings)
    assert ("\\ud800" in guarded) is hostile


def test_the_text_report_in_pieces_is_whole_lines_guarded_alike() -> None:
    """The text report is written a finding at a time, each piece whole lines: a CI command at
    the start of a line is escaped in a piece as it is in the whole text."""
    hostile = msgspec.structs.replace(
        SAMPLE.findings[0], message="x", title="t\n::error::owned ##[warning]y"
    )
    report = msgspec.structs.replace(SAMPLE, findings=[hostile, *SAMPLE.findings])
    pieces = list(render_pieces(report, "text"))
    assert len(pieces) > len(report.findings)
    assert all(piece.endswith("\n") for piece in pieces)
    whole = render(report, "text")
    assert "".join(pieces) == whole
    assert "".join(for_output(piece) for piece in pieces) == for_output(whole)


@pytest.mark.parametrize("copies", [1, 600])
@pytest.mark.parametrize("problems", [0, 1], ids=["rules", "rules-and-problems"])
def test_the_junit_report_in_pieces_is_the_tree_written_whole(problems: int, copies: int) -> None:
    """JUnit is written a few hundred test cases at a time, its counts made before its cases:
    the text is what counting and indenting the whole tree of elements gives."""
    from xml.etree import ElementTree

    from reachlint.reports.junit import _document

    skipped = Suppression(kind="baseline", reason="accepted <risk> & more")
    hostile = msgspec.structs.replace(SAMPLE.findings[1], message="x\n::error::y ##[z")
    findings = [
        msgspec.structs.replace(SAMPLE.findings[0], suppressed=skipped),
        *[hostile] * copies,
    ]
    problem = SuppressionProblem(file="r.yaml", line=3, message="suppresses nothing")
    report = msgspec.structs.replace(
        SAMPLE, findings=findings, suppression_problems=[problem] * problems
    )
    pieces = list(render_pieces(report, "junit"))
    assert len(pieces) >= 4 + copies // 256  # the suites' tags apart, cases in pieces
    joined = "".join(pieces)
    body = joined.split("\n", 1)[1]  # after the XML declaration
    root = ElementTree.fromstring(body)
    assert joined == _document(root)
    assert root.get("skipped") == "1" and root.get("tests") == str(len(findings) + problems)
    guarded = "".join(for_output(piece, "xml") for piece in pieces)
    assert guarded == for_output(joined, "xml") and "##\\[z" in guarded


@pytest.mark.parametrize("count", [0, 1, 3])
def test_json_text_pieces_put_the_items_at_their_depth(count: int) -> None:
    items = [{"a": [1, {"b": []}], "c": "x\ny"}, [], "s"][:count]
    document: dict[str, object] = {"a": 1, "runs": [{"results": [], "z": [1, 2]}], "b": {}}
    whole = json.loads(json.dumps(document))
    whole["runs"][0]["results"] = items
    listed = document["runs"][0]["results"]  # type: ignore[index]
    assert "".join(json_text_pieces(document, listed, iter(items))) == json_text(whole)


def test_a_report_that_hides_sensitive_values_is_rendered_whole() -> None:
    finding = msgspec.structs.replace(SAMPLE.findings[0], message="key s3cr3t-value here")
    report = msgspec.structs.replace(SAMPLE, findings=[finding], sensitive={"s3cr3t-value"})
    pieces = list(render_pieces(report, "json"))
    assert pieces == [render(report, "json")]
    assert "s3cr3t-value" not in pieces[0]


def test_findings_sort_by_severity_then_rule_then_ends() -> None:
    ordered = sort_findings(
        [
            _finding(rule="B", severity="low"),
            _finding(rule="A", severity="low", source=WEB),
            _finding(rule="A", severity="low"),
            _finding(rule="C", severity="critical"),
        ]
    )
    assert [(f.rule, f.source.address) for f in ordered] == [
        ("C", "internet"),
        ("A", "aws_instance.web"),
        ("A", "internet"),
        ("B", "internet"),
    ]


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="xml"):
        render(SAMPLE, "xml")


def test_markdown_report_draws_the_network() -> None:
    from typer.testing import CliRunner

    from reachlint.commands.cli import app

    plan = Path(__file__).resolve().parents[1] / "fixtures/aws/three-tier/plan.json"
    result = CliRunner().invoke(app, ["check", str(plan), "--format", "markdown"])
    assert "<summary>The network</summary>" in result.stdout
    drawing = result.stdout.split("<summary>The network</summary>", 1)[1]
    assert "```mermaid" in drawing and "flowchart" in drawing and "aws_lb.front" in drawing
    json_out = CliRunner().invoke(app, ["check", str(plan), "--format", "json"]).stdout
    assert "flowchart" not in json_out
