"""One suppression story for both tools: `# checkov:skip=` and `# reachlint:ignore` on a checkov
finding, for a plan (where checkov cannot see the .tf comments) and for its directory."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from reachlint.commands.cli import app

pytest.importorskip("checkov.terraform.runner", reason="the checkov extra is not installed")

NONCOMPLIANT = Path(__file__).resolve().parents[2] / "fixtures" / "aws" / "naa-noncompliant"
SKIP_REASON = "administrators come in through the VPN only"
IGNORE_REASON = "the web server answers plain HTTP with a redirect"


@pytest.fixture(scope="module")
def commented(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture with a checkov skip inside the web group and a reachlint ignore above it."""
    directory = tmp_path_factory.mktemp("stack") / "naa-noncompliant"
    shutil.copytree(NONCOMPLIANT, directory)
    business = directory / "business.tf"
    text = business.read_text()
    text = text.replace(
        'resource "aws_security_group" "web" {\n  name        = "web"\n',
        f"# reachlint:ignore CKV_AWS_260 {IGNORE_REASON}\n"
        'resource "aws_security_group" "web" {\n  name        = "web"\n'
        f"  # checkov:skip=CKV_AWS_24:{SKIP_REASON}\n",
    )
    assert SKIP_REASON in text
    business.write_text(text)
    return directory


def _findings(path: Path) -> list[dict[str, Any]]:
    result = CliRunner().invoke(
        app, ["check", str(path), "--checkov", "--format", "json", "--fail-on", "never"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert "suppression_problems" not in report
    findings: list[dict[str, Any]] = report["findings"]
    return findings


def _by_rule(findings: list[dict[str, Any]], rule: str) -> dict[str, Any]:
    [finding] = [finding for finding in findings if finding["rule"] == rule]
    return finding


@pytest.mark.parametrize("input_name", ["plan.json", "."])
def test_both_syntaxes_suppress_checkov_findings(commented: Path, input_name: str) -> None:
    findings = _findings(commented / input_name)

    skipped = _by_rule(findings, "CKV_AWS_24")["suppressed"]
    assert (skipped["kind"], skipped["reason"]) == ("inline", SKIP_REASON)
    assert Path(skipped["file"]).name == "business.tf"
    ignored = _by_rule(findings, "CKV_AWS_260")["suppressed"]
    assert (ignored["kind"], ignored["reason"]) == ("inline", IGNORE_REASON)
    assert ignored["line"] == 43  # the comment, above the group's block
    # Each names one check: reachlint's finding through the same group still counts.
    assert "suppressed" not in _by_rule(findings, "INTERNET-ADMIN-PORTS")


def test_a_skip_in_another_resource_does_not_reach_this_one(commented: Path) -> None:
    findings = _findings(commented / "plan.json")
    # The skip sits in aws_security_group.web; the instance's checks are untouched.
    instance = [f for f in findings if f["to"]["address"] == "aws_instance.web"]
    assert instance
    assert all("suppressed" not in finding for finding in instance)
