"""GitHub annotations, the pull-request comment, JUnit and GitLab code quality: each on the
line that opens the path, suppressed findings kept out of what fails."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

from int_support import DIFF, finding, report
from typer.testing import CliRunner

from reachlint.commands.changes.diff import run_diff
from reachlint.commands.check import run_check
from reachlint.commands.cli import app
from reachlint.reports import render, render_diff
from reachlint.reports.github import write_step_summary
from reachlint.reports.markdown import BUDGET, DIAGRAMS_PER_GROUP
from reachlint.reports.schema import SuppressionProblem
from reachlint.rules.findings import EndRef, Finding, Suppression

SUPPRESSED = finding(
    rule="SUPPRESSED-RULE",
    severity="critical",
    suppressed=Suppression(kind="inline", reason="accepted risk", file="security.tf", line=65),
)
PROBLEM = SuppressionProblem(
    message="reachlint:ignore NOPE names NOPE, which is not a rule reachlint knows",
    rule="NOPE",
    file="security.tf",
    line=3,
)


def _hosts(count: int, severity: str = "medium", rule: str = "EXPORTER-PRIVATE") -> list[Finding]:
    return [
        finding(
            rule=rule,
            severity=severity,
            destination=EndRef(address=f"aws_instance.host[{n}]", kind="instance"),
        )
        for n in range(count)
    ]


# --- GitHub workflow commands -------------------------------------------------------------


def test_annotations_sit_on_the_opening_line_most_severe_first() -> None:
    findings = [finding(severity="low"), finding(rule="B", severity="critical"), SUPPRESSED]
    lines = render(report(findings, suppression_problems=[PROBLEM]), "github").splitlines()
    assert [line.split(" ")[0] for line in lines] == [
        "::error",
        "::notice",
        "::warning",
        "reachlint:",
    ]
    assert lines[0].startswith(
        "::error file=security.tf,line=66,title=B (critical)%3A The exporter"
    )
    assert "SUPPRESSED-RULE" not in "\n".join(lines)
    assert lines[2].startswith("::warning file=security.tf,line=3,title=reachlint suppression::")
    assert lines[3] == "reachlint: 2 findings: 1 critical, 1 low, 1 suppressed"


def test_annotation_text_is_escaped_for_workflow_commands() -> None:
    line = render(report([finding()]), "github").splitlines()[0]
    properties, message = line.split("::")[1:3]
    assert "%3A" in properties  # ':' in the title would end the property list
    assert "\n" not in line and "%0Apath:%0A1. internet%0A2. aws_internet_gateway.main" in message
    assert "[main.tf:9]" in message


def test_more_annotations_than_github_shows_point_to_the_job_summary() -> None:
    lines = render(report(_hosts(11)), "github").splitlines()
    assert len(lines) == 12
    assert "the job summary lists all" in lines[-1]
    assert "job summary" not in render(report(_hosts(10)), "github")


def test_step_summary_gets_the_whole_report(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    assert write_step_summary("# report", {"GITHUB_STEP_SUMMARY": str(summary)})
    assert summary.read_text() == "earlier step\n# report\n"
    assert not write_step_summary("# report", {})


def test_check_format_github_writes_annotations_and_the_job_summary(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    result = CliRunner().invoke(
        app,
        ["check", str(DIFF / "head" / "plan.json"), "--format", "github"],
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert result.exit_code == 1
    assert result.stdout.startswith("::error file=")
    assert "```mermaid" in summary.read_text()


# --- the pull-request comment --------------------------------------------------------------


def test_comment_has_a_table_by_severity_and_a_flowchart_per_finding() -> None:
    text = render(report([finding(severity="critical"), *_hosts(2, "low", "LOW-RULE")]), "markdown")
    assert text.startswith("<!-- reachlint -->\n## reachlint: 3 findings\n")
    assert "| 🔴 critical | 1 |" in text and "| 🔵 low | 2 |" in text
    assert text.count("```mermaid\nflowchart TB") == 3
    assert 's0(["internet"])' in text
    assert 's0 -- "tcp 9100" --> s1' in text
    assert "opened at `security.tf:66`" in text


def test_long_lists_are_collapsed_and_huge_ones_cut_whole() -> None:
    text = render(report(_hosts(DIAGRAMS_PER_GROUP + 2)), "markdown")
    assert text.count("```mermaid") == DIAGRAMS_PER_GROUP
    assert "<details><summary>2 more EXPORTER-PRIVATE findings</summary>" in text
    huge = render(report(_hosts(3000)), "markdown")
    assert len(huge) < BUDGET + 1000
    assert "more findings not shown" in huge


def test_mermaid_labels_cannot_break_the_chart() -> None:
    odd = EndRef(address='aws_instance.web["a\\"b"]', kind="instance")
    text = render(report([finding(destination=odd)]), "markdown")
    chart = text.split("```mermaid")[1].split("```")[0]
    assert "#quot;" in chart and '\\"' not in chart


def test_comment_lists_suppressed_findings_and_wrong_suppressions() -> None:
    text = render(report([finding(), SUPPRESSED], suppression_problems=[PROBLEM]), "markdown")
    assert "<details><summary>1 suppressed finding</summary>" in text
    assert "suppressed at `security.tf:65`: accepted risk" in text
    assert "### Suppressions that suppress nothing" in text
    assert "`security.tf:3`" in text


def test_diff_comment_shows_the_opened_flow() -> None:
    text = render_diff(run_diff(DIFF / "base", DIFF / "head", []), "markdown")
    assert "## reachlint diff: 1 flow opened, 0 closed" in text
    assert "Breaks `INTERNET-NON-WEB-PORTS`." in text
    assert text.count("```mermaid") == 1


# --- JUnit and GitLab ----------------------------------------------------------------------


def test_junit_fails_one_case_per_finding_and_skips_suppressed_ones() -> None:
    findings = [finding(), *_hosts(1, "low", "LOW-RULE"), SUPPRESSED]
    text = render(report(findings, suppression_problems=[PROBLEM]), "junit")
    root = ElementTree.fromstring(text.split("\n", 1)[1])
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("4", "3", "1")
    case = root.find("testsuite/testcase")
    assert case is not None and case.get("file") == "security.tf" and case.get("line") == "66"
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "high"
    assert "4. aws_network_acl.public" in (failure.text or "")
    skipped = root.find(".//skipped")
    assert skipped is not None and skipped.get("message") == "accepted risk"


def test_junit_passes_a_rule_without_findings() -> None:
    text = render(run_check([DIFF / "head" / "plan.json"], []), "junit")
    root = ElementTree.fromstring(text.split("\n", 1)[1])
    suites = {suite.get("name", "").split(":")[0]: suite for suite in root.iter("testsuite")}
    assert suites["INTERNET-DATA-STORES"].get("failures") == "0"
    assert suites["INTERNET-NON-WEB-PORTS"].get("failures") == "1"


def test_gitlab_code_quality_issues() -> None:
    findings = [finding(severity="critical"), *_hosts(2), SUPPRESSED]
    issues = json.loads(render(report(findings), "gitlab"))
    assert len(issues) == 3  # the suppressed finding is not an issue
    first = issues[0]
    assert first["severity"] == "blocker" and first["check_name"] == "EXPORTER-PRIVATE"
    assert first["location"] == {"path": "security.tf", "lines": {"begin": 66}}
    assert {issue["severity"] for issue in issues[1:]} == {"major"}
    assert len({issue["fingerprint"] for issue in issues}) == 3


def test_gitlab_diff_lists_opened_flows() -> None:
    (issue,) = json.loads(render_diff(run_diff(DIFF / "base", DIFF / "head", []), "gitlab"))
    assert issue["check_name"] == "FLOW-OPENED" and issue["severity"] == "major"
    assert issue["location"]["path"].endswith("head/main.tf")
