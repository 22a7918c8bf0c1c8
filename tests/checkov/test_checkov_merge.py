"""`reachlint check --checkov`: checkov's failed checks in reachlint's report (needs the extra)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner, Result

from reachlint.commands.cli import app
from tests.cloudformation.templates import NETWORK, SSH_FROM_ANYWHERE

pytest.importorskip("checkov.terraform.runner", reason="the checkov extra is not installed")

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
NONCOMPLIANT = FIXTURES / "aws" / "naa-noncompliant"
SARIF_SCHEMA = FIXTURES.parent / "tests" / "integrations" / "data" / "sarif-schema-2.1.0.json"

UNREACHABLE = """
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "private" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}

resource "aws_security_group" "ssh" {
  vpc_id = aws_vpc.main.id

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "rdp" {
  vpc_id = aws_vpc.main.id

  ingress {
    from_port   = 3389
    to_port     = 3389
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_instance" "box" {
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.private.id
  vpc_security_group_ids = [aws_security_group.ssh.id]
}
"""


def _run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(arg) for arg in args])


def _report(*args: str | Path) -> dict[str, Any]:
    result = _run("check", *args, "--checkov", "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def _one(report: dict[str, Any], rule: str, to: str) -> dict[str, Any]:
    found = [f for f in report["findings"] if f["rule"] == rule and f["to"]["address"] == to]
    assert len(found) == 1, [(f["rule"], f["to"]["address"]) for f in report["findings"]]
    return found[0]


@pytest.fixture(scope="module")
def plan_report() -> dict[str, Any]:
    return _report(NONCOMPLIANT / "plan.json")


def test_plan_findings_of_both_tools_in_one_report(plan_report: dict[str, Any]) -> None:
    tools = {finding["rule"]: finding["tool"] for finding in plan_report["findings"]}
    assert tools["INTERNET-ADMIN-PORTS"] == "reachlint"
    assert tools["CKV_AWS_24"] == "checkov"
    assert tools["CKV_AWS_79"] == "checkov"  # a check reachlint has nothing to say about
    assert plan_report["summary"]["findings"] == len(plan_report["findings"])


def test_plan_findings_land_on_the_tf_lines_not_the_plan(plan_report: dict[str, Any]) -> None:
    checkov = [finding for finding in plan_report["findings"] if finding["tool"] == "checkov"]
    assert checkov
    assert all(finding["to"]["file"].endswith(".tf") for finding in checkov)
    ssh = _one(plan_report, "CKV_AWS_24", "aws_security_group.web")
    assert (Path(ssh["to"]["file"]).name, ssh["to"]["line"]) == ("business.tf", 43)
    assert ssh["from"] == ssh["to"]
    assert ssh["traffic"] == []
    # The rule that opens port 22 to the world, where reachlint's own finding points.
    [rule] = ssh["path"]
    assert (rule["kind"], rule["line"]) == ("security-group-rule", 64)
    assert rule["detail"] == "aws_security_group.web allows tcp 22 from 0.0.0.0/0"
    assert ssh["severity"] == "medium"  # checkov has no severity offline


def test_an_open_group_and_the_path_through_it_point_at_each_other(
    plan_report: dict[str, Any],
) -> None:
    ssh = _one(plan_report, "CKV_AWS_24", "aws_security_group.web")
    path = _one(plan_report, "INTERNET-ADMIN-PORTS", "aws_instance.web")
    assert path["fingerprint"] in ssh["related"]
    assert path["related"] == [ssh["fingerprint"]]
    assert ssh["message"] == (
        "checkov CKV_AWS_24 fails on aws_security_group.web; reachlint: the internet reaches "
        "aws_instance.web through it on tcp 22 (INTERNET-ADMIN-PORTS)"
    )
    assert "checkov CKV_AWS_24 flags aws_security_group.web" in path["message"]
    # Port 80 is open to the world too, and reachable, but no reachlint rule forbids it.
    http = _one(plan_report, "CKV_AWS_260", "aws_security_group.web")
    assert "related" not in http
    assert http["message"].endswith(
        "reachlint: the internet reaches aws_instance.web on tcp 80, which no rule checked forbids"
    )


def test_directory_findings_merge_the_same_way() -> None:
    report = _report(NONCOMPLIANT)
    ssh = _one(report, "CKV_AWS_24", "aws_security_group.web")
    assert (Path(ssh["to"]["file"]).name, ssh["to"]["line"]) == ("business.tf", 43)
    path = _one(report, "INTERNET-ADMIN-PORTS", "aws_instance.web")
    assert path["fingerprint"] in ssh["related"]
    assert path["related"] == [ssh["fingerprint"]]


def test_an_open_group_nothing_reachable_uses_says_so(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(UNREACHABLE)
    report = _report(tmp_path)
    ssh = _one(report, "CKV_AWS_24", "aws_security_group.ssh")
    assert ssh["message"].endswith(
        "reachlint: no endpoint in this group is reachable from the internet on tcp 22"
    )
    rdp = _one(report, "CKV_AWS_25", "aws_security_group.rdp")
    assert rdp["message"].endswith(
        "reachlint: this group has no members, so nothing is reachable through it"
    )


def test_a_copied_template_resource_is_one_finding_per_copy() -> None:
    template = FIXTURES / "azure" / "hybrid" / "template.json"
    report = _report(template)
    vms = {
        finding["to"]["address"]
        for finding in report["findings"]
        if finding["rule"] == "CKV_AZURE_50"
    }
    assert vms == {
        "Microsoft.Compute/virtualMachines/web-vm",
        "Microsoft.Compute/virtualMachines/app-vm",
    }


def test_base_leaves_out_the_checks_that_failed_before() -> None:
    plan = NONCOMPLIANT / "plan.json"
    report = _report(plan, "--base", plan)
    assert [finding for finding in report["findings"] if finding["tool"] == "checkov"] == []


def test_a_baseline_covers_checkov_findings_too(tmp_path: Path) -> None:
    plan = NONCOMPLIANT / "plan.json"
    baseline = tmp_path / "baseline.json"
    created = _run("check", plan, "--checkov", "--create-baseline", baseline)
    assert created.exit_code == 0, created.output
    written = json.loads(baseline.read_text())["findings"]
    assert {"rule": "CKV_AWS_24", "from": "aws_security_group.web"}.items() <= next(
        entry for entry in written if entry["rule"] == "CKV_AWS_24"
    ).items()

    result = _run("check", plan, "--checkov", "--baseline", baseline, "--format", "json")
    assert result.exit_code == 0, result.output
    findings = json.loads(result.stdout)["findings"]
    assert {finding["tool"] for finding in findings} == {"reachlint", "checkov"}
    assert all(finding["suppressed"]["kind"] == "baseline" for finding in findings)


def _rendered(fmt: str) -> str:
    result = _run("check", NONCOMPLIANT / "plan.json", "--checkov", "--format", fmt)
    assert result.exit_code == 1, result.output
    return result.stdout


def test_every_format_marks_checkov_findings_and_their_source() -> None:
    text = _rendered("text")
    assert "CKV_AWS_24 (checkov) [medium] Ensure no security groups allow ingress" in text
    assert "checkov CKV_AWS_24 flags aws_security_group.web for this opening" in text

    sarif = json.loads(_rendered("sarif"))
    validator = jsonschema.Draft202012Validator(json.loads(SARIF_SCHEMA.read_text()))
    assert [error.message for error in validator.iter_errors(sarif)] == []
    run = sarif["runs"][0]
    [descriptor] = [rule for rule in run["tool"]["driver"]["rules"] if rule["id"] == "CKV_AWS_24"]
    assert "checkov" in descriptor["properties"]["tags"]
    [result] = [result for result in run["results"] if result["ruleId"] == "CKV_AWS_24"]
    assert result["properties"]["tool"] == "checkov"
    region = result["locations"][0]["physicalLocation"]
    assert region["artifactLocation"]["uri"].endswith("business.tf")
    assert region["region"]["startLine"] == 64  # the rule that opens port 22

    github = _rendered("github")
    assert "title=checkov CKV_AWS_24 (medium)" in github
    markdown = _rendered("markdown")
    assert "### 🟡 checkov CKV_AWS_24 (medium)" in markdown
    assert "**`aws_security_group.web`**: checkov CKV_AWS_24 fails" in markdown
    junit = _rendered("junit")
    assert 'classname="checkov.CKV_AWS_24" name="aws_security_group.web"' in junit
    gitlab = json.loads(_rendered("gitlab"))
    [issue] = [issue for issue in gitlab if issue["check_name"] == "CKV_AWS_24"]
    assert issue["engine_name"] == "checkov"


def test_the_json_report_with_checkov_findings_matches_its_schema() -> None:
    schema = json.loads(_run("schema", "report").stdout)
    jsonschema.validate(json.loads(_rendered("json")), schema)


def test_checkov_runs_without_reaching_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    attempts: list[object] = []

    def refuse(_socket: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("reachlint --checkov must not reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    report = _report(NONCOMPLIANT)
    assert any(finding["tool"] == "checkov" for finding in report["findings"])
    assert attempts == []


CLOUDFORMATION_SSH = NETWORK.replace("GROUP_RULES", SSH_FROM_ANYWHERE)


def test_template_findings_land_on_the_template_and_merge_the_same_way(tmp_path: Path) -> None:
    pytest.importorskip("checkov.cloudformation.runner")
    template = tmp_path / "template.yaml"
    template.write_text(CLOUDFORMATION_SSH)
    report = _report(template)
    ssh = _one(report, "CKV_AWS_24", "Group")
    group_line = CLOUDFORMATION_SSH.splitlines().index("  Group:") + 1
    assert ssh["to"]["file"].endswith("template.yaml") and ssh["to"]["line"] == group_line
    path = _one(report, "INTERNET-ADMIN-PORTS", "Web")
    assert path["fingerprint"] in ssh["related"]
    assert path["related"] == [ssh["fingerprint"]]
