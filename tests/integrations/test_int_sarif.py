"""SARIF 2.1.0 as GitHub code scanning reads it: valid against the schema for every fixture, on
the line that opens the path, every hop linked, fingerprints that survive moved lines."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import msgspec
import pytest
from int_support import (
    DIFF,
    FIXTURES,
    MONITORING,
    finding,
    path_hops,
    report,
    sarif_errors,
)

from reachlint.commands.changes.baseline import with_fingerprint
from reachlint.commands.changes.diff import run_diff
from reachlint.commands.check import run_check
from reachlint.reports.sarif import FINGERPRINT_KEY, render_sarif, render_sarif_diff
from reachlint.reports.schema import SuppressionProblem
from reachlint.rules.findings import EndRef, Finding, Suppression

INPUTS = sorted(
    path
    for pattern in ("plan.json", "template*.json")
    for path in FIXTURES.rglob(pattern)
    if "bad" not in path.parts
)


def _sarif(findings: list[Finding], **extra: Any) -> dict[str, Any]:
    return json.loads(render_sarif(report(findings, **extra)))


@pytest.mark.parametrize("source", INPUTS, ids=lambda path: str(path.relative_to(FIXTURES)))
def test_sarif_of_every_fixture_validates_against_the_schema(source: Path) -> None:
    rules = [source.parent / "rules.yaml"] if (source.parent / "rules.yaml").is_file() else []
    document = json.loads(render_sarif(run_check([source], rules)))
    assert sarif_errors(document) == []
    assert document["runs"][0]["tool"]["driver"]["rules"], "every run describes its rules"


def test_sarif_of_a_diff_validates_and_names_the_opened_flow() -> None:
    document = json.loads(render_sarif_diff(run_diff(DIFF / "base", DIFF / "head", [])))
    assert sarif_errors(document) == []
    (result,) = document["runs"][0]["results"]
    assert result["ruleId"] == "FLOW-OPENED"
    assert result["level"] == "warning"  # it breaks a medium rule
    assert result["properties"]["rules"] == ["INTERNET-NON-WEB-PORTS"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("head/main.tf")
    text = (DIFF / "head" / "main.tf").read_text().splitlines()
    assert "monitoring_exporter_customer" in text[location["region"]["startLine"] - 1]


def test_result_sits_on_the_security_group_rule_that_opens_the_path() -> None:
    (result,) = _sarif([finding()])["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "security.tf", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 66}


def test_without_a_filter_rule_with_a_file_the_destination_then_the_input_is_the_place() -> None:
    unplaced = [msgspec.structs.replace(hop, file=None, line=None) for hop in path_hops()]
    on_destination = _sarif([finding(path=unplaced)])["runs"][0]["results"][0]
    nowhere = finding(path=unplaced, destination=EndRef(address="aws_instance.x", kind="instance"))
    on_input = _sarif([nowhere])["runs"][0]["results"][0]
    assert on_destination["locations"][0]["physicalLocation"]["region"] == {"startLine": 90}
    place = on_input["locations"][0]["physicalLocation"]
    assert (place["artifactLocation"]["uri"], place["region"]) == ("plan.json", {"startLine": 1})


def test_every_step_of_the_path_is_a_related_location_linked_from_the_message() -> None:
    result = _sarif([finding()])["runs"][0]["results"][0]
    related = result["relatedLocations"]
    names = [location["logicalLocations"][0]["fullyQualifiedName"] for location in related]
    assert names == [
        "internet",
        "aws_internet_gateway.main",
        "aws_route_table.public",
        "aws_network_acl.public",
        "aws_security_group_rule.exporter[0]",
        "aws_instance.monitoring",
    ]
    links = [int(number) for number in re.findall(r"\]\((\d+)\)", result["message"]["text"])]
    assert links == [location["id"] for location in related]
    # Brackets in addresses are escaped, so `[0]` is not read as a link.
    assert r"aws_security_group_rule.exporter\[0\]" in result["message"]["text"]
    gateway = related[1]["physicalLocation"]
    assert (gateway["artifactLocation"]["uri"], gateway["region"]["startLine"]) == ("main.tf", 9)
    assert "physicalLocation" not in related[2]  # the route has no file: a logical location only


def test_the_whole_path_is_a_code_flow() -> None:
    result = _sarif([finding()])["runs"][0]["results"][0]
    (flow,) = result["codeFlows"]
    steps = flow["threadFlows"][0]["locations"]
    assert len(steps) == len(result["relatedLocations"]) == 6
    assert steps[-1]["location"]["logicalLocations"][0]["fullyQualifiedName"] == MONITORING.address
    assert steps[3]["location"]["message"]["text"] == (
        "aws_network_acl.public (network-acl-entry) — rule 100 allows all from 0.0.0.0/0"
    )


@pytest.mark.parametrize(
    ("severity", "level", "band"),
    [("critical", "error", (9.0, 10.0)), ("high", "error", (7.0, 8.9)),
     ("medium", "warning", (4.0, 6.9)), ("low", "note", (0.1, 3.9))],
)  # fmt: skip
def test_rules_carry_what_github_shows(
    severity: str, level: str, band: tuple[float, float]
) -> None:
    document = _sarif([finding(severity=severity)])
    (rule,) = document["runs"][0]["tool"]["driver"]["rules"]
    assert rule["shortDescription"]["text"] == "The exporter is reachable only from inside"
    assert rule["fullDescription"]["text"] == "Why it matters."
    assert rule["help"]["markdown"].startswith("# EXPORTER-PRIVATE")
    assert isinstance(rule["properties"]["security-severity"], str)
    assert band[0] <= float(rule["properties"]["security-severity"]) <= band[1]
    assert "security" in rule["properties"]["tags"]
    assert document["runs"][0]["results"][0]["level"] == level


def test_builtin_rule_help_says_what_why_and_how_to_fix() -> None:
    document = json.loads(render_sarif(run_check([DIFF / "head" / "plan.json"], [])))
    rules = {rule["id"]: rule for rule in document["runs"][0]["tool"]["driver"]["rules"]}
    markdown = rules["INTERNET-ADMIN-PORTS"]["help"]["markdown"]
    for heading in ("## What it does", "## Why is this bad?", "## How to fix"):
        assert heading in markdown


def test_fingerprints_stay_when_unrelated_lines_move(tmp_path: Path) -> None:
    """Lines inserted above every resource move every place; no fingerprint changes."""
    moved = tmp_path / "head"
    shutil.copytree(DIFF / "head", moved)
    main = moved / "main.tf"
    main.write_text("# Monitoring\n# for the operations team\n\n" + main.read_text())

    def results(directory: Path) -> dict[str, dict[str, Any]]:
        document = json.loads(render_sarif(run_check([directory / "plan.json"], [])))
        return {
            r["partialFingerprints"][FINGERPRINT_KEY]: r for r in document["runs"][0]["results"]
        }

    before, after = results(DIFF / "head"), results(moved)
    assert before.keys() == after.keys() and len(before) == 2
    for key, result in before.items():
        old = result["locations"][0]["physicalLocation"]["region"]["startLine"]
        new = after[key]["locations"][0]["physicalLocation"]["region"]["startLine"]
        assert new == old + 3


def test_fingerprints_follow_the_path_identity_not_its_lines() -> None:
    base = with_fingerprint(finding())
    moved = with_fingerprint(finding(path=path_hops(shift=12)))
    wider = with_fingerprint(finding(ports=(9100, 9101)))
    other_rule = with_fingerprint(finding(rule="OTHER"))
    assert base.fingerprint == moved.fingerprint
    assert len({base.fingerprint, wider.fingerprint, other_rule.fingerprint}) == 3


def test_suppressed_findings_stay_visible_as_suppressed() -> None:
    inline = finding(
        suppressed=Suppression(kind="inline", reason="customer scrape", file="security.tf", line=65)
    )
    baselined = finding(
        rule="OTHER", suppressed=Suppression(kind="baseline", reason="in the baseline")
    )
    document = _sarif([inline, baselined])
    assert sarif_errors(document) == []
    first, second = document["runs"][0]["results"]
    assert first["suppressions"] == [
        {
            "kind": "inSource",
            "status": "accepted",
            "justification": "customer scrape",
            "location": {
                "physicalLocation": {
                    "artifactLocation": {"uri": "security.tf", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 65},
                }
            },
        }
    ]
    assert second["suppressions"][0]["kind"] == "external"


def test_a_wrong_suppression_is_a_result_of_its_own() -> None:
    problem = SuppressionProblem(
        message="reachlint:ignore EXPORTER-PRIVATE gives no reason", file="security.tf", line=65
    )
    document = _sarif([finding()], suppression_problems=[problem])
    assert sarif_errors(document) == []
    results = document["runs"][0]["results"]
    assert [result["ruleId"] for result in results] == ["EXPORTER-PRIVATE", "REACHLINT-SUPPRESSION"]
    rule_ids = [rule["id"] for rule in document["runs"][0]["tool"]["driver"]["rules"]]
    assert rule_ids[results[1]["ruleIndex"]] == "REACHLINT-SUPPRESSION"
