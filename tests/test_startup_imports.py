"""What a command imports is most of what it costs in pre-commit and CI: the heavy libraries
stay out of the commands that do not need them (benchmarks/RESULTS.md has the times)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
THREE_TIER = ROOT / "fixtures" / "aws" / "three-tier"


def _imported(*args: str, status: tuple[int, ...] = (0, 1)) -> set[str]:
    """The top-level packages a run of `reachlint ARGS` imports."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "reachlint", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode in status, done.stderr[-2000:]
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    assert "reachlint" in names
    return names


@pytest.mark.parametrize("output", ["text", "json", "sarif"])
def test_check_imports_neither_pydantic_nor_jsonschema(output: str) -> None:
    imported = _imported(
        "check",
        str(THREE_TIER / "plan.json"),
        "--rules",
        str(THREE_TIER / "rules.yaml"),
        "--format",
        output,
    )
    assert not imported & {"pydantic", "pydantic_core", "jsonschema"}


def test_the_built_in_rules_alone_need_no_yaml_parser() -> None:
    # The pack is read from rules/composed.json; YAML only for a rules file the user gives.
    assert "yaml" not in _imported("check", str(THREE_TIER / "plan.json"))
    assert "yaml" in _imported(
        "check", str(THREE_TIER / "plan.json"), "--rules", str(THREE_TIER / "rules.yaml")
    )


def test_a_broken_rules_file_gets_jsonschema_for_its_sentence(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("version: 1\nrules:\n  - id: X\n    severity: severe\n", encoding="utf-8")
    imported = _imported("check", str(THREE_TIER / "plan.json"), "--rules", str(rules), status=(2,))
    assert "jsonschema" in imported


def test_help_imports_no_reader_of_inputs() -> None:
    imported = _imported("--help")
    assert not imported & {"pydantic", "jsonschema", "jsonschema_rs", "yaml", "msgspec"}
