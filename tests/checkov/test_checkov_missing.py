"""`--checkov` without the extra, and checkov's check ids in suppressions of runs without it.

These need no checkov: its absence is simulated where it is installed.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from reachlint.commands.cli import app

NONCOMPLIANT = Path(__file__).resolve().parents[2] / "fixtures" / "aws" / "naa-noncompliant"


def _run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(arg) for arg in args])


def test_checkov_flag_without_the_extra_exits_2_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A None entry makes `import checkov...` fail as if the package were not installed.
    for name in [name for name in sys.modules if name.split(".")[0] == "checkov"]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "checkov", None)

    result = _run("check", NONCOMPLIANT / "plan.json", "--checkov")

    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "pip install 'checkov>=3.2,<4'" in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.splitlines()) == 1


def test_an_ignore_naming_a_checkov_check_is_no_mistake_without_checkov(tmp_path: Path) -> None:
    fixture = tmp_path / "stack"
    shutil.copytree(NONCOMPLIANT, fixture)
    business = fixture / "business.tf"
    business.write_text(
        business.read_text().replace(
            'resource "aws_security_group" "web" {',
            "# reachlint:ignore CKV_AWS_24 SSH is open only while the VPN is built\n"
            'resource "aws_security_group" "web" {',
        )
    )

    result = _run("check", fixture / "plan.json", "--format", "json", "--fail-on", "never")

    report = json.loads(result.stdout)
    assert "suppression_problems" not in report
    assert all(finding["tool"] == "reachlint" for finding in report["findings"])
