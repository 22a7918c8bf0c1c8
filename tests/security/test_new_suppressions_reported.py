"""A pull request cannot silence reachlint quietly: in `check --base` and `diff`, every
suppression the head adds (a comment, ARM metadata, a baseline entry, a rules file that switches a
rule off or lets more through) is a low NEW-SUPPRESSION finding at its place, reason quoted, in
every format (fixtures/*/suppress-scope)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reachlint.commands.cli import app
from reachlint.reports import DIFF_FORMATS

REPO = Path(__file__).resolve().parents[2]
AWS = REPO / "fixtures" / "aws" / "suppress-scope"
ARM = REPO / "fixtures" / "azure" / "suppress-scope"
EXPORTER = "node exporter, scraped by the hosted Prometheus (OPS-88)"


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, result.stdout


def _added(document: dict[str, object]) -> list[dict[str, object]]:
    """The NEW-SUPPRESSION findings of a check report, or of a diff report."""
    findings = document.get("findings", document.get("new_suppressions")) or []
    assert isinstance(findings, list)
    return [finding for finding in findings if finding["rule"] == "NEW-SUPPRESSION"]


def _copy(tmp_path: Path, source: Path, name: str, edits: dict[str, tuple[str, str]]) -> Path:
    """A copy of a fixture folder with text replaced in some of its files."""
    target = tmp_path / name
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("plan.json"))
    for file, (anchor, replacement) in edits.items():
        path = target / file
        text = path.read_text()
        assert text.count(anchor) == 1, anchor
        path.write_text(text.replace(anchor, replacement))
    return target


@pytest.mark.parametrize("inputs", ["", "plan.json"], ids=["hcl", "plan"])
def test_check_base_reports_the_suppression_the_head_adds(inputs: str) -> None:
    head, base = AWS / "head" / inputs, AWS / "base" / inputs
    status, out = _run("check", str(head), "--base", str(base), "--format", "json")
    (added,) = _added(json.loads(out))  # the SSH block's suppression is in both: not new
    assert added["severity"] == "low" and "suppressed" not in added
    assert added["to"]["file"].endswith("head/sg.tf") and added["to"]["line"] == 22
    assert (
        f'INTERNET-NON-WEB-PORTS on aws_security_group.main ingress: "{EXPORTER}"'
        in added["message"]
    )
    assert status == 1


def test_a_new_suppression_alone_fails_at_low(tmp_path: Path) -> None:
    """The head changes nothing but one comment: nothing is introduced, yet the check fails."""
    comment = "  # reachlint:ignore REPLY-DROPPED replies go out by another route\n"
    head = _copy(
        tmp_path, AWS / "base", "head", {"sg.tf": ("  ingress {\n", comment + "  ingress {\n")}
    )
    status, out = _run("check", str(head), "--base", str(AWS / "base"), "--format", "json")
    document = json.loads(out)
    assert [f["rule"] for f in document["findings"] if not f.get("suppressed")] == [
        "NEW-SUPPRESSION"
    ]
    assert status == 1
    status, _ = _run("check", str(head), "--base", str(AWS / "base"), "--fail-on", "medium")
    assert status == 0


def test_moving_a_suppressed_block_adds_nothing_and_editing_it_does(tmp_path: Path) -> None:
    anchor = 'resource "aws_security_group" "main" {'
    moved = _copy(
        tmp_path, AWS / "base", "moved", {"sg.tf": (anchor, f"# the group\n\n\n{anchor}")}
    )
    _, out = _run("check", str(moved), "--base", str(AWS / "base"), "--format", "json")
    assert _added(json.loads(out)) == []
    # The same comment on a block that now opens tcp 22-23: it covers something else.
    wider = _copy(
        tmp_path, AWS / "base", "wider", {"sg.tf": ("to_port     = 22", "to_port     = 23")}
    )
    status, out = _run("check", str(wider), "--base", str(AWS / "base"), "--format", "json")
    (added,) = _added(json.loads(out))
    assert added["message"].startswith(
        "the change edits aws_security_group.main ingress, which a suppression"
    )
    assert status == 1


PLACE = re.compile(r"head/sg\.tf\D{1,40}22\b")


@pytest.mark.parametrize("output_format", DIFF_FORMATS)
def test_every_format_shows_it_at_its_place(output_format: str) -> None:
    for command in (
        ["check", str(AWS / "head"), "--base", str(AWS / "base")],
        ["diff", str(AWS / "base"), str(AWS / "head")],
    ):
        status, out = _run(*command, "--format", output_format)
        assert "NEW-SUPPRESSION" in out or "Suppressions the change adds" in out, command
        assert EXPORTER in out.replace("\\", "")
        if output_format == "sarif":
            run = json.loads(out)["runs"][0]
            (result,) = [r for r in run["results"] if r["ruleId"] == "NEW-SUPPRESSION"]
            location = result["locations"][0]["physicalLocation"]
            assert location["artifactLocation"]["uri"].endswith("head/sg.tf")
            assert location["region"]["startLine"] == 22
        else:
            assert PLACE.search(out), (command, out[-2000:])
        assert status == 1


def test_diff_reports_it_and_fails_at_low() -> None:
    status, out = _run("diff", str(AWS / "base"), str(AWS / "head"), "--format", "json")
    document = json.loads(out)
    (added,) = _added(document)
    assert document["summary"]["new_suppressions"] == 1 and status == 1
    assert added["to"]["line"] == 22


def test_new_arm_metadata_is_reported_and_the_unchanged_one_is_not(tmp_path: Path) -> None:
    base, head = ARM / "base" / "azuredeploy.json", ARM / "head" / "azuredeploy.json"
    _, out = _run("check", str(head), "--base", str(base), "--format", "json")
    assert _added(json.loads(out)) == []
    anchor = '"comments": "Remote desktop for the support team",'
    entry = '{"rule": "INTERNET-ADMIN-PORTS", "reason": "support\\n::error::RDP"}'
    metadata = f'{anchor}\n      "metadata": {{"reachlint:ignore": {entry}}},'
    quiet = _copy(tmp_path, ARM / "head", "quiet", {"azuredeploy.json": (anchor, metadata)})
    # An ARM suppression sits on the line its resource opens on.
    opening = (quiet / "azuredeploy.json").read_text().splitlines().index(f"      {anchor}")
    for command in (
        ["check", str(quiet / "azuredeploy.json"), "--base", str(base)],
        ["diff", str(base), str(quiet / "azuredeploy.json")],
    ):
        status, out = _run(*command, "--format", "json")
        (added,) = _added(json.loads(out))
        assert added["to"]["line"] == opening and added["to"]["address"].endswith("AllowRdpAll')]")
        # The reason is quoted as JSON: its line break cannot start a line of its own.
        assert added["message"].endswith('"support\\n::error::RDP"') and status == 1


def _baseline(tmp_path: Path, name: str, source: Path) -> Path:
    path = tmp_path / name
    result = CliRunner().invoke(app, ["check", str(source), "--create-baseline", str(path)])
    assert result.exit_code == 0, result.output
    return path


def test_a_baseline_entry_the_head_adds_is_reported_at_its_line(tmp_path: Path) -> None:
    base_baseline = _baseline(tmp_path, "base.json", AWS / "base")  # everything is suppressed
    head_baseline = _baseline(tmp_path, "head.json", AWS / "head")  # accepts tcp 8080
    args = [
        "check",
        str(AWS / "head"),
        "--base",
        str(AWS / "base"),
        "--baseline",
        str(head_baseline),
    ]
    status, out = _run(*args, "--base-baseline", str(base_baseline), "--format", "json")
    document = json.loads(out)
    added = [f for f in _added(document) if f["to"]["kind"] == "baseline entry"]
    assert len(added) == 1 and added[0]["to"]["file"] == str(head_baseline)
    entry_line = head_baseline.read_text().splitlines().index("    {") + 1
    assert added[0]["to"]["line"] == entry_line
    assert (
        "accepts INTERNET-NON-WEB-PORTS from internet to aws_instance.main on tcp 8080"
        in added[0]["message"]
    )
    assert status == 1
    # The same baseline on both sides adds no entry, but it hides what the change opens.
    status, out = _run(*args, "--base-baseline", str(head_baseline), "--format", "json")
    (hides,) = [f for f in _added(json.loads(out)) if f["to"]["kind"] == "baseline entry"]
    assert hides["message"] == (
        "the change opens internet to aws_instance.main on tcp 8080 (INTERNET-NON-WEB-PORTS), "
        "which a baseline entry accepts"
    )
    assert hides["to"]["line"] == entry_line and status == 1


RULES_BASE = """version: 1
rules:
  - id: NO-EXPORTER
    severity: high
    match: {from: internet, to: any, ports: [9100]}
"""


@pytest.mark.parametrize(
    ("head_rules", "expected"),
    [
        (
            "disable: [INTERNET-NON-WEB-PORTS]\n",
            [(2, "switches off rule INTERNET-NON-WEB-PORTS (medium)")],
        ),
        (
            "builtin: false\n",
            [
                (2, f"switches off rule {rule}")
                for rule in (
                    "INTERNET-ADMIN-PORTS",
                    "INTERNET-ALL-PORTS",
                    "INTERNET-DATA-STORES",
                    "INTERNET-NON-WEB-PORTS",
                    "REPLY-DROPPED",
                )
            ],
        ),
        ("", []),
    ],
    ids=["disable", "builtin-false", "unchanged"],
)
def test_rules_files_that_switch_rules_off_are_reported(
    tmp_path: Path, head_rules: str, expected: list[tuple[int, str]]
) -> None:
    base_rules, rules = tmp_path / "base.yaml", tmp_path / "reachlint.yaml"
    base_rules.write_text(RULES_BASE)
    rules.write_text(RULES_BASE.replace("version: 1\n", "version: 1\n" + head_rules))
    for command in (
        ["check", str(AWS / "head"), "--base", str(AWS / "base")],
        ["diff", str(AWS / "base"), str(AWS / "head")],
    ):
        _, out = _run(
            *command, "--rules", str(rules), "--base-rules", str(base_rules), "--format", "json"
        )
        found = [
            (f["to"]["line"], f["message"])
            for f in _added(json.loads(out))
            if f["to"]["kind"] == "rules file"
        ]
        assert [line for line, _ in found] == [line for line, _ in expected]
        assert all(text in message for (_, message), (_, text) in zip(found, expected, strict=True))
        assert all(
            f["to"]["file"] == str(rules)
            for f in _added(json.loads(out))
            if f["to"]["kind"] == "rules file"
        )


def test_rules_that_allow_more_or_count_less_are_reported(tmp_path: Path) -> None:
    base_rules, rules = tmp_path / "base.yaml", tmp_path / "reachlint.yaml"
    base_rules.write_text(RULES_BASE)
    rules.write_text(
        RULES_BASE.replace("severity: high", "severity: low").replace(
            "ports: [9100]}\n", "ports: [9100]}\n    allow:\n      - {from: {cidrs: [0.0.0.0/0]}}\n"
        )
    )
    _, out = _run(
        "check", str(AWS / "head"), "--base", str(AWS / "base"), "--rules", str(rules),
        "--base-rules", str(base_rules), "--format", "json",
    )  # fmt: skip
    messages = sorted(
        (f["to"]["line"], f["message"])
        for f in _added(json.loads(out))
        if f["to"]["kind"] == "rules file"
    )
    assert messages == [
        (3, "the change lowers NO-EXPORTER from high to low"),
        (
            7,
            "the change adds an allow entry to NO-EXPORTER (low): "
            '{"from": {"cidrs": ["0.0.0.0/0"]}}',
        ),
    ]


def test_a_new_suppression_cannot_be_suppressed_or_baselined(tmp_path: Path) -> None:
    comment = "  # reachlint:ignore NEW-SUPPRESSION, INTERNET-NON-WEB-PORTS nothing to see\n"
    head = _copy(
        tmp_path,
        AWS / "head",
        "head",
        {
            "sg.tf": (
                '  ingress {\n    description = "golang',
                comment + '  ingress {\n    description = "golang',
            )
        },
    )
    baseline = tmp_path / "baseline.json"
    args = ["check", str(head), "--base", str(AWS / "base")]
    result = CliRunner().invoke(app, [*args, "--create-baseline", str(baseline)])
    assert result.exit_code == 0, result.output
    assert "NEW-SUPPRESSION" not in baseline.read_text()
    status, out = _run(*args, "--baseline", str(baseline), "--format", "json")
    document = json.loads(out)
    # The exporter's comment, and tcp 8080, which the change opens and the baseline accepts.
    added = _added(document)
    assert sorted(f["to"]["kind"] for f in added) == ["baseline entry", "suppression"]
    assert not any(f.get("suppressed") for f in added)
    (problem,) = document["suppression_problems"]
    assert "NEW-SUPPRESSION" in problem["message"] and status == 1


def test_an_old_suppression_that_now_covers_more_is_reported(tmp_path: Path) -> None:
    """The exporter's block takes its port from a variable: the pull request changes only
    terraform.tfvars, the block and its comment stay as they were, yet the comment now hides
    tcp 9101 too."""
    block = (
        '  ingress {\n    description = "node exporter"\n    protocol    = "tcp"\n'
        "    from_port   = 9100\n    to_port     = 9100\n"
    )
    variable = block.replace("to_port     = 9100", "to_port     = var.exporter_last_port")
    declared = 'variable "exporter_last_port" {\n  type = number\n}\n'
    base = _copy(tmp_path, AWS / "head", "base", {"sg.tf": (block, variable)})
    (base / "variables.tf").write_text(declared)
    (base / "terraform.tfvars").write_text("exporter_last_port = 9100\n")
    head = tmp_path / "head"
    shutil.copytree(base, head)
    (head / "terraform.tfvars").write_text("exporter_last_port = 9101\n")
    status, out = _run("check", str(head), "--base", str(base), "--format", "json")
    (added,) = _added(json.loads(out))
    assert added["to"]["file"].endswith("sg.tf") and added["to"]["line"] == 22
    assert added["message"] == (
        "the change opens internet to aws_instance.main on tcp 9101 (INTERNET-NON-WEB-PORTS), "
        f'which a suppression accepts: "{EXPORTER}"'
    )
    assert status == 1
