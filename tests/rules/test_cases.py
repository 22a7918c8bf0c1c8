"""The built-in rules against the pass/fail cases in cases/<RULE-ID>.yaml.

A case file names its rule and lists cases; each case is a scenario (see rules_scenario) and the
findings that rule must report for it, in report order: `from`, `to` and `traffic` always, and
`addresses`, `message`, `state` or `path` (hop addresses) when given. Keys at the top of the
file (endpoints, onprem, subnets) are the default scenario of every case.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from rules_scenario import check, summary

from reachlint.rules import RuleSet, load_rules
from reachlint.rules.findings import Finding

CASES = Path(__file__).parent / "cases"


def _case_files() -> dict[str, dict[str, Any]]:
    return {path.stem: yaml.safe_load(path.read_text()) for path in sorted(CASES.glob("*.yaml"))}


def _cases() -> list[Any]:
    params = []
    for data in _case_files().values():
        defaults = {key: value for key, value in data.items() if key not in {"rule", "cases"}}
        for case in data["cases"]:
            spec = {**defaults, **case}
            params.append(pytest.param(data["rule"], spec, id=f"{data['rule']}:{case['name']}"))
    return params


@pytest.fixture(scope="module")
def builtin() -> RuleSet:
    return load_rules([])


def _as_expected(finding: Finding, expected: dict[str, Any]) -> dict[str, Any]:
    (_rule, source, destination, traffic), *_ = summary([finding])
    actual: dict[str, Any] = {"from": source, "to": destination, "traffic": traffic}
    if "addresses" in expected:
        actual["addresses"] = finding.addresses
    if "message" in expected:
        actual["message"] = finding.message
    if "state" in expected:
        actual["state"] = finding.state
    if "path" in expected:
        actual["path"] = [hop.address for hop in finding.path]
    return actual


@pytest.mark.parametrize(("rule_id", "spec"), _cases())
def test_case(rule_id: str, spec: dict[str, Any], builtin: RuleSet) -> None:
    findings = [finding for finding in check(builtin, spec) if finding.rule == rule_id]
    expected = spec["findings"]
    assert len(findings) == len(expected), summary(findings)
    for finding, wanted in zip(findings, expected, strict=True):
        assert _as_expected(finding, wanted) == wanted


def test_every_builtin_rule_has_failing_and_passing_cases(builtin: RuleSet) -> None:
    files = _case_files()
    assert set(files) == {rule.id for rule in builtin.rules}
    for rule_id, data in files.items():
        assert data["rule"] == rule_id
        assert any(case["findings"] for case in data["cases"]), rule_id
        assert any(not case["findings"] for case in data["cases"]), rule_id
