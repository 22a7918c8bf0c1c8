"""Inline suppressions: what a `# reachlint:ignore RULE reason` comment or ARM metadata entry
covers, how it shows, and what happens to one that is wrong."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from int_support import DIFF, FIXTURES
from typer.testing import CliRunner

from reachlint.commands.changes.comments import Directive, collect
from reachlint.commands.changes.suppress import apply
from reachlint.commands.cli import app
from reachlint.engine.flows import Reachability
from reachlint.rules import RuleSet

TF = """\
resource "aws_security_group" "web" {
  name = "web"

  ingress {  # reachlint:ignore EXPORTER-PRIVATE scraped by the vendor, ticket OPS-7
    from_port   = 9100
    to_port     = 9100
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    description = "not a comment: # reachlint:ignore EXPORTER-PRIVATE in a string"
    from_port   = 22
    to_port     = 22
  }
}

# reachlint:ignore EXPORTER-PRIVATE, OTHER-RULE the instance is a honeypot
resource "aws_instance" "honeypot" {
  user_data = <<-EOT
    # reachlint:ignore EXPORTER-PRIVATE inside a heredoc, not a comment
    echo "${var.greeting}"
  EOT
  tags = {
    Name = "honeypot"  // reachlint:ignore EXPORTER-PRIVATE on an attribute
  }
}

/* reachlint:ignore NO-REASON-RULE */
resource "aws_instance" "other" {}
"""

ARM = """\
{
  // ARM templates may carry comments
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "resources": [
    {
      "type": "Microsoft.Network/networkSecurityGroups",
      "name": "web-nsg",
      "metadata": {
        "reachlint:ignore": [
          {"rule": "EXPORTER-PRIVATE", "reason": "vendor scrape"},
          {"rule": "OTHER-RULE"}
        ]
      },
      "properties": {"securityRules": []}
    },
    {
      "type": "Microsoft.Compute/virtualMachines",
      "name": "vm",
      "resources": [
        {
          "type": "extensions",
          "name": "agent",
          "metadata": {"reachlint:ignore": {"rule": "EXPORTER-PRIVATE", "reason": "nested"}}
        }
      ]
    }
  ]
}
"""

BICEP = """\
// reachlint:ignore EXPORTER-PRIVATE the jump host is reached over the VPN only
resource nsg 'Microsoft.Network/networkSecurityGroups@2023-04-01' = {
  name: 'jump-${suffix}'
  properties: {
    securityRules: []
  }
}
"""


def _directives(tmp_path: Path, name: str, text: str) -> list[Directive]:
    path = tmp_path / name
    path.write_text(text)
    return collect([(path, name)]).all()


def test_terraform_comments_cover_the_block_they_sit_on(tmp_path: Path) -> None:
    found = {
        (d.line, d.first, d.last): (d.rules, d.reason) for d in _directives(tmp_path, "main.tf", TF)
    }
    assert found == {
        # a trailing comment on `ingress {` covers that block only
        (4, 4, 8): (("EXPORTER-PRIVATE",), "scraped by the vendor, ticket OPS-7"),
        # a comment of its own covers the resource on the next line, heredoc and all
        (17, 18, 26): (("EXPORTER-PRIVATE", "OTHER-RULE"), "the instance is a honeypot"),
        # a comment on an attribute covers the innermost block around it
        (24, 23, 25): (("EXPORTER-PRIVATE",), "on an attribute"),
        (28, 29, 29): (("NO-REASON-RULE",), ""),
    }


def test_arm_metadata_covers_the_resource_it_sits_in(tmp_path: Path) -> None:
    found = sorted(
        (d.first, d.last, d.rules, d.reason) for d in _directives(tmp_path, "t.json", ARM)
    )
    assert found == [
        (5, 15, ("EXPORTER-PRIVATE",), "vendor scrape"),
        (5, 15, ("OTHER-RULE",), ""),
        (20, 24, ("EXPORTER-PRIVATE",), "nested"),
    ]


def test_bicep_comments_cover_the_resource(tmp_path: Path) -> None:
    (directive,) = _directives(tmp_path, "main.bicep", BICEP)
    assert (directive.first, directive.last, directive.rules) == (2, 7, ("EXPORTER-PRIVATE",))


def test_wrong_suppressions_suppress_nothing_and_are_reported(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TF)
    suppressions = collect([(tmp_path / "main.tf", "main.tf")])
    nothing = Reachability(classes=[], externals=[], flows=[])
    settled = apply(
        [], suppressions, {"EXPORTER-PRIVATE", "NO-REASON-RULE"}, [], nothing, RuleSet()
    )
    messages = sorted((problem.line, problem.message) for problem in settled.problems)
    assert messages == [
        (
            17,
            "reachlint:ignore names OTHER-RULE, which is not a rule reachlint knows; "
            "`reachlint rules list` names them",
        ),
        (28, "reachlint:ignore NO-REASON-RULE gives no reason; add one after the rule id"),
    ]


def _head_copy(tmp_path: Path, edits: dict[str, str]) -> Path:
    head = tmp_path / "head"
    shutil.copytree(DIFF / "head", head)
    main = head / "main.tf"
    text = main.read_text()
    for anchor, comment in edits.items():
        assert anchor in text
        text = text.replace(anchor, f"{comment}\n{anchor}")
    main.write_text(text)
    return head


EXPORTER = 'resource "aws_security_group_rule" "monitoring_exporter_customer" {'
SSH = 'resource "aws_security_group_rule" "monitoring_ssh_office" {'


def test_suppressed_findings_stay_in_json_and_do_not_fail(tmp_path: Path) -> None:
    head = _head_copy(
        tmp_path,
        {
            EXPORTER: "# reachlint:ignore INTERNET-NON-WEB-PORTS customer integration, OPS-1234",
            SSH: "# reachlint:ignore INTERNET-ADMIN-PORTS, INTERNET-NON-WEB-PORTS office only, "
            "reviewed by security",
        },
    )
    result = CliRunner().invoke(app, ["check", str(head), "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["summary"]["findings"] == 0 and document["summary"]["suppressed"] == 2
    by_rule = {item["rule"]: item["suppressed"] for item in document["findings"]}
    assert by_rule["INTERNET-ADMIN-PORTS"]["reason"] == "office only, reviewed by security"
    # tcp 22 and 9100, each opened by a suppressed rule: one of the two speaks for both.
    reasons = {"customer integration, OPS-1234", "office only, reviewed by security"}
    assert by_rule["INTERNET-NON-WEB-PORTS"]["reason"] in reasons
    assert by_rule["INTERNET-NON-WEB-PORTS"]["kind"] == "inline"
    text = CliRunner().invoke(app, ["check", str(head)]).stdout
    assert "No findings · 2 suppressed" in text


def test_a_suppression_without_reason_fails_the_check(tmp_path: Path) -> None:
    head = _head_copy(tmp_path, {EXPORTER: "# reachlint:ignore INTERNET-NON-WEB-PORTS"})
    result = CliRunner().invoke(app, ["check", str(head), "--format", "json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    (problem,) = document["suppression_problems"]
    assert problem["rule"] == "INTERNET-NON-WEB-PORTS" and problem["line"] == 66
    assert all(item.get("suppressed") is None for item in document["findings"])


def test_arm_metadata_suppresses_paths_through_the_resource(tmp_path: Path) -> None:
    fixture = FIXTURES / "azure" / "public-web"
    template = json.loads((fixture / "template.json").read_text())
    nsg = next(r for r in template["resources"] if r["type"].endswith("networkSecurityGroups"))
    nsg["metadata"] = {
        "reachlint:ignore": [{"rule": "INTERNET-TO-WEB", "reason": "the public web tier"}]
    }
    copy = tmp_path / "template.json"
    copy.write_text(json.dumps(template, indent=2))
    args = ["check", str(copy), "--rules", str(fixture / "rules.yaml"), "--format", "json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    suppressed = [item["suppressed"] for item in document["findings"]]
    assert suppressed and all(item["reason"] == "the public web tier" for item in suppressed)
