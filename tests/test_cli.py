"""The command line: exit codes, formats, output files and one-sentence errors."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest
from expectations import AWS_FIXTURES, BAD_FIXTURES
from typer.testing import CliRunner, Result

from reachlint import __version__
from reachlint.commands.cli import app
from reachlint.commands.cli.options import exit_code
from reachlint.errors import InputError
from reachlint.inputs.detect import detect

# With --no-builtin and its own rules this fixture has high and medium findings and no others.
NONCOMPLIANT = AWS_FIXTURES / "naa-noncompliant"
COMPLIANT = AWS_FIXTURES / "naa-compliant"


def _run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(arg) for arg in args])


def _check(fixture: Path, *args: str | Path) -> Result:
    return _run(
        "check", fixture / "plan.json", "--rules", fixture / "rules.yaml", "--no-builtin", *args
    )


def _one_error_line(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert result.stdout == ""
    return lines[0]


def test_version() -> None:
    result = _run("--version")
    assert (result.exit_code, result.stdout) == (0, f"reachlint {__version__}\n")


def test_help_names_the_commands() -> None:
    result = _run("--help")
    assert result.exit_code == 0
    for command in ("check", "rules", "schema"):
        assert command in result.stdout


@pytest.mark.parametrize(
    ("fail_on", "code"),
    [("low", 1), ("medium", 1), ("high", 1), ("critical", 0), ("never", 0)],
)
def test_fail_on_threshold_decides_the_exit_code(fail_on: str, code: int) -> None:
    result = _check(NONCOMPLIANT, "--fail-on", fail_on)
    assert result.exit_code == code, result.output
    assert "high" in result.stdout and "medium" in result.stdout


def test_no_findings_exit_0() -> None:
    result = _check(COMPLIANT)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].startswith("No findings · 3 rules")


def test_json_report_validates_against_the_published_schema() -> None:
    schema = json.loads(_run("schema", "report").stdout)
    result = _check(NONCOMPLIANT, "--format", "json")
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    jsonschema.validate(document, schema)
    assert document["inputs"] == [str(NONCOMPLIANT / "plan.json")]
    assert document["summary"]["findings"] == len(document["findings"]) > 0


def test_output_writes_the_report_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    result = _check(NONCOMPLIANT, "--format", "json", "--output", target)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert json.loads(target.read_text())["tool"]["name"] == "reachlint"


def test_output_into_a_missing_directory_is_an_input_error(tmp_path: Path) -> None:
    line = _one_error_line(_check(COMPLIANT, "--output", tmp_path / "no" / "report.txt"))
    assert line.startswith("reachlint: error: ") and "report.txt" in line


def test_several_paths_are_one_model() -> None:
    plans = [NONCOMPLIANT / "plan.json", AWS_FIXTURES / "private-vpn" / "plan.json"]
    result = _run("check", *plans, "--no-builtin", "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["inputs"] == [str(plan) for plan in plans]


def test_timings_go_to_stderr() -> None:
    result = _check(COMPLIANT, "--timings")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("timings: ")
    for phase in ("load", "model", "engine", "rules", "report", "output"):
        assert f"{phase} " in result.stderr


def test_assume_unknown_closed_is_accepted() -> None:
    assert _check(COMPLIANT, "--assume-unknown", "closed").exit_code == 0


def test_missing_path_is_named() -> None:
    line = _one_error_line(_run("check", "no-such-plan.json"))
    assert line == "reachlint: error: no-such-plan.json: no such file or directory"


def test_unknown_format_is_refused_with_the_choices() -> None:
    line = _one_error_line(_check(COMPLIANT, "--format", "xml"))
    assert "unknown --format 'xml'; expected text, json, sarif" in line


def test_bad_option_value_is_a_usage_error() -> None:
    assert _check(COMPLIANT, "--fail-on", "severe").exit_code == 2


def _bad_cases() -> list[Path]:
    if not BAD_FIXTURES.is_dir():
        return []
    return sorted(path for path in BAD_FIXTURES.iterdir() if path.suffix != ".md")


@pytest.mark.parametrize("bad", _bad_cases(), ids=lambda path: path.name)
def test_bad_input_is_one_sentence_naming_the_file(bad: Path) -> None:
    if bad.suffix in {".yaml", ".yml"}:
        result = _run("check", COMPLIANT / "plan.json", "--rules", bad)
    else:
        result = _run("check", bad, "--no-builtin")
    line = _one_error_line(result)
    assert line.startswith("reachlint: error: ")
    assert bad.name in line


_ARM = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def _unsupported_input(case: str, directory: Path) -> Path:
    """A small input of each kind reachlint cannot read, made in `directory`."""
    if case == "empty-dir":
        return directory
    if case == "binary-plan":
        path = directory / "plan.tfplan"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("tfplan", "binary")
        return path
    files = {
        "rules-file": ("rules.yml", "version: 1\nrules: []\n"),
        "text-plan": ("plan.txt", "Terraform will perform the following actions:\n"),
        "bicep": ("main.bicep", "param location string"),
        "other-json": ("input.json", "[1, 2]"),
    }
    name, text = files[case]
    (directory / name).write_text(text)
    return directory / name


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("empty-dir", "is a directory without .tf files"),
        ("bicep", "reads Bicep through its compiled JSON; run `bicep build`"),
        ("rules-file", "is a rules file; give it with --rules"),
        ("text-plan", "is the human-readable output of terraform plan"),
        ("binary-plan", "binary Terraform plan file; convert it first"),
        ("other-json", "neither a Terraform plan, an ARM template nor a CloudFormation template"),
    ],
)
def test_unsupported_inputs_say_what_to_give(case: str, words: str, tmp_path: Path) -> None:
    path = _unsupported_input(case, tmp_path)
    line = _one_error_line(_run("check", path, "--no-builtin"))
    assert words in line and str(path) in line


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("plan.json", "terraform-plan"),
        ("main.bicep", "bicep"),
        ("azuredeploy.json", "arm"),
    ],
)
def test_detect_by_content(name: str, kind: str, tmp_path: Path) -> None:
    contents = {
        "plan.json": (NONCOMPLIANT / "plan.json").read_text(),
        "main.bicep": "param location string",
        "azuredeploy.json": json.dumps({"$schema": _ARM}),
    }
    # Names mislead on purpose: content decides, except for Bicep source.
    path = tmp_path / ("input.txt" if name != "main.bicep" else name)
    path.write_text(contents[name])
    assert detect(path) == kind


def test_detect_terraform_directory(tmp_path: Path) -> None:
    (tmp_path / "vpc.tf").write_text('resource "aws_vpc" "main" {}')
    assert detect(tmp_path) == "terraform-dir"


def test_detect_missing_path() -> None:
    with pytest.raises(InputError, match="no such file"):
        detect(Path("absent.json"))


def test_internal_errors_are_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("model lost\nits way")

    monkeypatch.setattr("reachlint.commands.check.run_check", broken)
    monkeypatch.delenv("REACHLINT_DEBUG", raising=False)
    line = _one_error_line(_check(COMPLIANT))
    assert line == (
        "reachlint: internal error: RuntimeError: model lost its way "
        "(set REACHLINT_DEBUG=1 for the traceback)"
    )
    monkeypatch.setenv("REACHLINT_DEBUG", "1")
    assert isinstance(_check(COMPLIANT).exception, RuntimeError)


@pytest.mark.parametrize(
    ("severities", "fail_on", "code"),
    [
        ([], "low", 0),
        (["low"], "low", 1),
        (["low", "medium"], "high", 0),
        (["critical"], "high", 1),
        (["critical"], "never", 0),
    ],
)
def test_exit_code(severities: list[str], fail_on: str, code: int) -> None:
    assert exit_code(severities, fail_on) == code


def test_rules_list_names_the_builtin_rules() -> None:
    listed = _run("rules", "list")
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.strip()
    assert _run("rules").stdout == listed.stdout


def test_rules_list_includes_a_rules_file() -> None:
    result = _run("rules", "list", "--no-builtin", "--rules", NONCOMPLIANT / "rules.yaml")
    assert result.exit_code == 0, result.output
    assert [line.split()[0] for line in result.stdout.splitlines()] == [
        "INTERNET-ONLY-WEB",
        "BUSINESS-TO-DIRECTORY-DNS-ONLY",
        "EGRESS-ONLY-UPDATES",
    ]


def test_rules_show_prints_the_documentation() -> None:
    first = _run("rules", "list").stdout.split()[0]
    shown = _run("rules", "show", first)
    assert shown.exit_code == 0, shown.output
    assert first in shown.stdout


def test_rules_show_unknown_id() -> None:
    line = _one_error_line(_run("rules", "show", "NO-SUCH-RULE"))
    assert "'NO-SUCH-RULE'" in line


@pytest.mark.parametrize("name", ["rules", "report"])
def test_schemas_are_valid_json_schemas(name: str) -> None:
    result = _run("schema", name)
    assert result.exit_code == 0, result.output
    jsonschema.Draft202012Validator.check_schema(json.loads(result.stdout))


def test_installed_console_script() -> None:
    script = Path(sys.executable).parent / "reachlint"
    completed = subprocess.run(
        [script, "check", NONCOMPLIANT / "plan.json", "--format", "json", "--fail-on", "never"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["summary"]["rules"] > 0


def test_report_summary_and_notes_come_from_the_model() -> None:
    from reachlint.commands.check import run_check
    from reachlint.inputs.load import build_model

    plan = AWS_FIXTURES / "three-tier" / "plan.json"
    model = build_model([plan])
    report = run_check([plan], [], builtin=False)
    assert report.summary.endpoints == len(model.endpoints) > 0
    assert report.summary.rules == 0
    assert [(note.address, note.message) for note in report.notes] == [
        (note.address, note.message) for note in model.notes
    ]


@pytest.mark.parametrize(
    ("tty", "no_color", "wanted"),
    [(True, None, True), (True, "", True), (True, "1", False), (False, None, False)],
)
def test_colour_only_on_a_terminal_without_no_color(
    tty: bool, no_color: str | None, wanted: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reachlint.commands.cli.options import wants_color

    monkeypatch.setattr(sys.stdout, "isatty", lambda: tty)
    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    assert wants_color() is wanted


def test_terraform_directory_is_read_and_names_its_lines(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n'
        'resource "aws_internet_gateway" "gw" {\n  vpc_id = aws_vpc.main.id\n}\n'
        'resource "aws_route_table" "public" {\n  vpc_id = aws_vpc.main.id\n'
        '  route {\n    cidr_block = "0.0.0.0/0"\n'
        "    gateway_id = aws_internet_gateway.gw.id\n  }\n}\n"
        'resource "aws_subnet" "public" {\n  vpc_id = aws_vpc.main.id\n'
        '  cidr_block = "10.0.1.0/24"\n  map_public_ip_on_launch = true\n}\n'
        'resource "aws_route_table_association" "public" {\n'
        "  subnet_id = aws_subnet.public.id\n  route_table_id = aws_route_table.public.id\n}\n"
        'resource "aws_security_group" "ssh" {\n  vpc_id = aws_vpc.main.id\n'
        '  ingress {\n    from_port = 22\n    to_port = 22\n    protocol = "tcp"\n'
        '    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n'
        'resource "aws_instance" "box" {\n  ami = "ami-1"\n  instance_type = "t3.micro"\n'
        "  subnet_id = aws_subnet.public.id\n"
        "  vpc_security_group_ids = [aws_security_group.ssh.id]\n}\n"
    )
    result = _run("check", tmp_path, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    admin = next(f for f in report["findings"] if f["rule"] == "INTERNET-ADMIN-PORTS")
    assert admin["to"] == {
        "address": "aws_instance.box",
        "kind": "instance",
        "type": "aws_instance",
        "file": str(tmp_path / "main.tf"),
        "line": 32,
    }
    rule_hop = next(h for h in admin["path"] if h["kind"] == "security-group-rule")
    assert (rule_hop["file"], rule_hop["line"]) == (str(tmp_path / "main.tf"), 25)


def test_a_config_dir_that_is_no_directory_is_refused(tmp_path: Path) -> None:
    # Read without it, the plan's findings would have no lines and nothing would say why.
    result = _check(COMPLIANT, "--config-dir", tmp_path / "missing")
    assert result.exit_code == 2
    assert _one_error_line(result) == (
        f"reachlint: error: {tmp_path / 'missing'}: is not a directory; expected the .tf files "
        "a plan was made from"
    )
