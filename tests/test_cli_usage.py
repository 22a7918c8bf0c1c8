"""The command line as a new user meets it: a closed pipe, a mistyped option, `--help`.

These run the installed `reachlint` script in a real process: a closed pipe and the argument
parser's errors only show there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from expectations import AWS_FIXTURES

SCRIPT = Path(sys.executable).parent / "reachlint"
THREE_TIER = AWS_FIXTURES / "three-tier"
PLAN = THREE_TIER / "plan.json"
RULES = THREE_TIER / "rules.yaml"


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SCRIPT, *map(str, args)], capture_output=True, text=True, check=False, timeout=60
    )


def _piped(args: list[str | Path], reader: list[str]) -> tuple[int, str]:
    """Run reachlint into `reader` through a real pipe; its exit status and standard error."""
    writer = subprocess.Popen(
        [SCRIPT, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert writer.stdout is not None and writer.stderr is not None
    subprocess.run(reader, stdin=writer.stdout, stdout=subprocess.DEVNULL, check=False)
    writer.stdout.close()  # only the reader holds the pipe: it has gone away
    error = writer.stderr.read().decode()
    return writer.wait(timeout=60), error


@pytest.mark.parametrize("reader", [["true"], ["head", "-1"]])
def test_a_closed_pipe_ends_quietly_with_the_verdict(reader: list[str]) -> None:
    # The three-tier example's rules find four paths: exit 1, whoever reads the report.
    code, error = _piped(["check", PLAN, "--rules", RULES], reader)
    assert (code, error) == (1, "")
    code, error = _piped(["check", PLAN, "--rules", RULES, "--fail-on", "never"], reader)
    assert (code, error) == (0, "")


@pytest.mark.parametrize(
    "args",
    [
        ["graph", PLAN],
        ["matrix", PLAN],
        ["check", PLAN, "--format", "sarif"],
        ["rules", "list"],
        ["schema", "report"],
        ["--version"],
        ["--help"],
        ["check", "--help"],
    ],
)
def test_every_command_ends_quietly_on_a_closed_pipe(args: list[str | Path]) -> None:
    code, error = _piped(args, ["true"])
    assert (code, error) == (0, "")


@pytest.mark.parametrize("reader", [["true"], ["head", "-c", "10"]])
def test_a_closed_pipe_behind_output_dev_stdout_ends_quietly(reader: list[str]) -> None:
    code, error = _piped(["check", PLAN, "--rules", RULES, "--output", "/dev/stdout"], reader)
    assert (code, error) == (1, "")


def test_a_full_disk_is_one_sentence() -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [SCRIPT, "check", PLAN, "--rules", RULES],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            timeout=60,
        )
    assert done.returncode == 2
    assert done.stderr == (
        "reachlint: error: cannot write to standard output: No space left on device\n"
    )


@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "gitlab", "asff", "junit"])
def test_a_console_that_cannot_encode_every_character_is_no_internal_error(
    output_format: str,
) -> None:
    """A Latin-1 or cp1252 standard output (a Windows runner's redirect): the text report shows
    what it cannot hold as escapes; the formats that declare UTF-8 are written in UTF-8."""
    done = subprocess.run(
        [SCRIPT, "check", PLAN, "--rules", RULES, "--format", output_format],
        capture_output=True,
        check=False,
        timeout=60,
        env={**os.environ, "PYTHONIOENCODING": "latin-1"},
    )
    assert (done.returncode, done.stderr) == (1, b"")
    if output_format == "text":
        assert "on 8080 \\u2014 4 findings" in done.stdout.decode("latin-1")
    elif output_format == "junit":
        ElementTree.fromstring(done.stdout)  # as its declaration says, UTF-8
    else:
        json.loads(done.stdout.decode("utf-8"))


def test_a_closed_pipe_with_standard_error_in_it_still_gives_the_verdict() -> None:
    command = f"'{SCRIPT}' check '{PLAN}' --rules '{RULES}' --timings 2>&1 | true"
    completed = subprocess.run(
        ["bash", "-c", command + "; exit ${PIPESTATUS[0]}"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert (completed.returncode, completed.stderr) == (1, "")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["check", PLAN, "--fail-on", "severe"],
            "reachlint: error: --fail-on: 'severe' is not one of low, medium, high, critical "
            "or never (see reachlint check --help)",
        ),
        (
            ["check", PLAN, "--assume-unknown", "maybe"],
            "reachlint: error: --assume-unknown: 'maybe' is not one of open or closed "
            "(see reachlint check --help)",
        ),
        (["check"], "reachlint: error: missing argument PATH (see reachlint check --help)"),
        (
            ["query", PLAN, "--from", "internet"],
            "reachlint: error: missing option --to (see reachlint query --help)",
        ),
        (
            ["schema", "rule"],
            "reachlint: error: SCHEMA: 'rule' is not one of rules or report "
            "(see reachlint schema --help)",
        ),
        (["frobnicate"], "reachlint: error: no such command 'frobnicate' (see reachlint --help)"),
        (
            ["check", PLAN, "--format"],
            "reachlint: error: option --format requires an argument (see reachlint check --help)",
        ),
        (
            ["rules", "show"],
            "reachlint: error: missing argument ID (see reachlint rules show --help)",
        ),
    ],
)
def test_option_errors_read_like_reachlints_own(args: list[str | Path], expected: str) -> None:
    completed = _run(*args)
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr == expected + "\n"


def test_an_unknown_option_is_named_in_one_line() -> None:
    completed = _run("check", PLAN, "--rule", RULES)
    assert completed.returncode == 2
    assert completed.stderr.startswith("reachlint: error: no such option: --rule")
    assert completed.stderr.count("\n") == 1


def test_reachlint_alone_still_shows_the_help() -> None:
    completed = _run()
    assert completed.returncode == 2
    assert "Usage: reachlint" in completed.stdout + completed.stderr


def test_schema_without_a_name_lists_the_schemas() -> None:
    completed = _run("schema")
    assert completed.returncode == 0, completed.stderr
    names = [line.split()[0] for line in completed.stdout.splitlines()[1:]]
    assert names == ["rules", "report"]
    for name in names:  # each one listed is one that prints
        assert _run("schema", name).returncode == 0


def test_check_help_names_every_input_kind_with_a_readable_metavar() -> None:
    completed = _run("check", "--help")
    assert completed.returncode == 0
    text = " ".join(completed.stdout.split())
    assert "<list[Path]>" not in text and "PATH..." in text
    for kind in ("Terraform plan", "Terraform directory", "ARM template", "Bicep"):
        assert kind in text, kind
