"""Rules, groups and baseline files, plans and templates are read only when they are regular
files of bounded size, and their YAML or JSON only to a bounded depth and size: a link to
/dev/zero, a named pipe or a 2 GB file is refused at once with one sentence naming it."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.security.subprocess_run import run, terraform

GIGABYTES = 2 * 1024**3


def device(path: Path) -> None:
    path.symlink_to("/dev/zero")


def pipe(path: Path) -> None:
    os.mkfifo(path)


def huge(path: Path) -> None:
    with path.open("wb") as sparse:  # two gigabytes that take no disk
        sparse.truncate(GIGABYTES)


def directory(path: Path) -> None:
    path.mkdir()


KINDS: dict[str, tuple[Callable[[Path], None], list[str]]] = {
    "device": (device, ["is not a regular file (a device)"]),
    "pipe": (pipe, ["is not a regular file (a named pipe)"]),
    "huge": (huge, ["has 2,147,483,648 bytes", "more than reachlint's limit of"]),
    "directory": (directory, ["is not a regular file (a directory)"]),
}
OPTIONS = {
    "rules": ["check", "config", "--rules"],
    "baseline": ["check", "config", "--baseline"],
    "groups": ["matrix", "config", "--groups"],
}


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("option", list(OPTIONS))
def test_a_file_given_by_option_must_be_a_regular_file_of_bounded_size(
    option: str, kind: str, tmp_path: Path
) -> None:
    terraform(tmp_path / "config", "")
    make, words = KINDS[kind]
    make(tmp_path / "given")
    outcome = run(*OPTIONS[option], "given", cwd=tmp_path)
    outcome.refused("given:", *words)


@pytest.mark.parametrize("kind", ["device", "pipe", "huge"])
def test_a_plan_must_be_a_regular_file_of_bounded_size(kind: str, tmp_path: Path) -> None:
    make, words = KINDS[kind]
    if kind == "huge":
        words = ["has 2,147,483,648 bytes", "536,870,912 bytes"]
    make(tmp_path / "plan.json")
    run("check", "plan.json", cwd=tmp_path).refused("plan.json:", *words)


def test_a_rules_file_nested_too_deeply_is_refused(tmp_path: Path) -> None:
    terraform(tmp_path / "config", "")
    (tmp_path / "rules.yaml").write_text("version: 1\nrules: " + "[" * 100_000 + "]" * 100_000)
    outcome = run("check", "config", "--rules", "rules.yaml", cwd=tmp_path)
    outcome.refused("rules.yaml:2:", "the YAML is nested too deeply", "64 levels")


def test_a_rules_file_whose_aliases_expand_without_end_is_refused(tmp_path: Path) -> None:
    terraform(tmp_path / "config", "")
    lines = ["version: 1", "x-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for previous, name in zip("abcdefghi", "bcdefghij", strict=True):
        lines.append(f"x-{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    (tmp_path / "rules.yaml").write_text("\n".join(lines) + "\nrules: []\n")
    outcome = run("check", "config", "--rules", "rules.yaml", cwd=tmp_path)
    outcome.refused("rules.yaml:", "too large once its aliases are expanded", "100,000 values")


def test_a_baseline_nested_too_deeply_is_refused(tmp_path: Path) -> None:
    terraform(tmp_path / "config", "")
    nesting = "[" * 100_000 + "]" * 100_000
    (tmp_path / "baseline.json").write_text('{"version": 1, "findings": ' + nesting + "}")
    outcome = run("check", "config", "--baseline", "baseline.json", cwd=tmp_path)
    assert outcome.code == 2, outcome.stderr
    assert "internal error" not in outcome.stderr
    assert "baseline.json" in outcome.stderr


def test_a_plan_nested_just_below_the_parser_limit_is_an_input_error(tmp_path: Path) -> None:
    """JSON the parser accepts, nested deep enough that walking it again would overflow."""
    nesting = "[" * 900 + "]" * 900
    plan = (
        '{"format_version": "1.2", "terraform_version": "1.11.0", "planned_values": '
        '{"root_module": {"resources": [{"address": "aws_security_group.deep", '
        '"mode": "managed", "type": "aws_security_group", "name": "deep", '
        '"provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 1, '
        '"values": {"name": "deep", "ingress": ' + nesting + "}}]}}, "
        '"resource_changes": [], "configuration": {"root_module": {}}}'
    )
    (tmp_path / "plan.json").write_text(plan)
    outcome = run("check", "plan.json", cwd=tmp_path)
    assert outcome.code in (0, 1, 2), outcome.stderr
    assert "internal error" not in outcome.stderr
