"""Baselines: accepted findings keyed on the path's identity (rule, ends, traffic), not lines."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from int_support import DIFF, finding
from typer.testing import CliRunner, Result

from reachlint.commands.changes.baseline import (
    KnownFindings,
    entries_traffic,
    identity,
    read_baseline,
)
from reachlint.commands.cli import app
from reachlint.errors import InputError

HEAD, BASE = DIFF / "head", DIFF / "base"


def _run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(arg) for arg in args])


def test_create_then_use_a_baseline(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    created = _run("check", HEAD, "--create-baseline", baseline)
    assert created.exit_code == 0
    assert created.stderr == f"reachlint: wrote 2 findings to {baseline}\n"
    entries = json.loads(baseline.read_text())["findings"]
    assert [(entry["rule"], entry["to"]) for entry in entries] == [
        ("INTERNET-ADMIN-PORTS", "aws_instance.monitoring"),
        ("INTERNET-NON-WEB-PORTS", "aws_instance.monitoring"),
    ]
    assert all("line" not in json.dumps(entry) for entry in entries)

    used = _run("check", HEAD, "--baseline", baseline, "--format", "json")
    assert used.exit_code == 0
    document = json.loads(used.stdout)
    assert document["summary"]["suppressed"] == 2
    assert {item["suppressed"]["kind"] for item in document["findings"]} == {"baseline"}
    sarif = json.loads(_run("check", HEAD, "--baseline", baseline, "--format", "sarif").stdout)
    kinds = {r["suppressions"][0]["kind"] for r in sarif["runs"][0]["results"]}
    assert kinds == {"external"}


def test_a_baseline_survives_moved_lines(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    _run("check", HEAD, "--create-baseline", baseline)
    moved = tmp_path / "head"
    shutil.copytree(HEAD, moved)
    (moved / "main.tf").write_text("\n\n\n" + (moved / "main.tf").read_text())
    assert _run("check", moved, "--baseline", baseline).exit_code == 0


def test_what_the_change_adds_to_a_baselined_path_is_reported(tmp_path: Path) -> None:
    """Baseline of the night before (SSH open, an INTERNET-ADMIN-PORTS finding); the new
    exporter rule opens tcp 9100 to the same host: only that is reported (SSH stays one finding,
    under INTERNET-ADMIN-PORTS, which INTERNET-NON-WEB-PORTS defers to)."""
    baseline = tmp_path / "baseline.json"
    _run("check", BASE, "--create-baseline", baseline)
    result = _run("check", HEAD, "--baseline", baseline, "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    active = [item for item in document["findings"] if "suppressed" not in item]
    assert [(item["rule"], item["traffic"]) for item in active] == [
        ("INTERNET-NON-WEB-PORTS", [{"protocol": "tcp", "ports": [[9100, 9100]]}])
    ]


def test_new_services_alone_narrow_the_finding() -> None:
    known = KnownFindings()
    old = finding(ports=(9100, 9100))
    known.add(identity(old), entries_traffic(old.traffic), None)
    wider = finding(ports=(9100, 9200))
    new = known.new_part(wider)
    assert new is not None and new.traffic[0].ports == [(9101, 9200)]
    assert new.message == "internet reaches aws_instance.monitoring on tcp 9101-9200"
    assert known.new_part(old) is None
    assert new.fingerprint != wider.fingerprint


def test_wider_addresses_report_the_whole_finding() -> None:
    known = KnownFindings()
    office = finding(addresses=["81.2.69.160/27"])
    known.add(identity(office), entries_traffic(office.traffic), office.addresses)
    everyone = finding()
    assert known.new_part(everyone) is everyone
    assert known.new_part(office) is None


def test_a_file_that_is_not_a_baseline_is_refused_in_one_sentence(tmp_path: Path) -> None:
    wrong = tmp_path / "baseline.json"
    wrong.write_text('{"version": 1, "findings": [{"rule": "X"}]}')
    result = _run("check", HEAD, "--baseline", wrong)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"reachlint: error: {wrong}: is not a reachlint baseline")
    assert len(result.stderr.splitlines()) == 1
    newer = tmp_path / "newer.json"
    newer.write_text('{"version": 9, "findings": []}')
    with pytest.raises(InputError, match="is a baseline of version 9"):
        read_baseline(newer)
