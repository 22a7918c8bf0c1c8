"""`reachlint rules export --format naa`: rules as Network Access Scopes, and back.

A scope document is the input of create-network-insights-access-scope --cli-input-json
(https://docs.aws.amazon.com/cli/latest/reference/ec2/create-network-insights-access-scope.html):
MatchPaths, ExcludePaths and TagSpecifications. Read back with --rules, an exported rule must
report what the rule reports.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from reachlint.commands.check import run_check
from reachlint.commands.cli import app
from reachlint.rules import load_rules
from reachlint.rules.export import export_scopes
from reachlint.rules.findings import plain

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
CASES = sorted(
    case
    for case in FIXTURES.glob("**/expected*.yaml")
    if (yaml.safe_load(case.read_text()) or {}).get("rules")
)


def _exported(text: str, tmp_path: Path) -> dict[str, Any]:
    """rule id -> its scope document, or the reason it has none."""
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    return {
        item.rule: item.document if item.document is not None else item.reason
        for item in export_scopes(load_rules([path], builtin=False))
    }


def _found(report: Any) -> set[tuple[str, str, str, str]]:
    return {
        (
            f.rule,
            f.source.address,
            f.destination.address,
            json.dumps([plain(t) for t in f.traffic]),
        )
        for f in report.findings
    }


@pytest.mark.parametrize(
    "case", CASES, ids=lambda case: case.parent.relative_to(FIXTURES).as_posix() + "/" + case.stem
)
def test_exported_rules_read_back_report_the_same_findings(case: Path, tmp_path: Path) -> None:
    expectation = yaml.safe_load(case.read_text())
    inputs = [case.parent / name for name in expectation.get("inputs") or ["plan.json"]]
    rules = [case.parent / name for name in expectation["rules"]]
    ruleset = load_rules(rules, builtin=False)
    exported = [item for item in export_scopes(ruleset) if item.document is not None]
    if not exported:
        pytest.skip("no rule of this fixture can be a scope")
    scopes = []
    for item in exported:
        scope = tmp_path / f"{item.rule}.json"
        scope.write_text(json.dumps(item.document))
        scopes.append(scope)
    assume = "closed" if expectation.get("assume_unknown") == "closed" else "open"
    original = run_check(inputs, rules, builtin=False, assume_unknown=assume)
    read_back = run_check(inputs, scopes, builtin=False, assume_unknown=assume)
    ids = {item.rule for item in exported}
    assert {f for f in _found(original) if f[0] in ids} == _found(read_back)


def test_the_round_trip_covers_rules_with_findings() -> None:
    """The round trip above is not vacuous: the NAA fixture's three rules all export."""
    rules = load_rules([FIXTURES / "aws" / "naa-noncompliant" / "rules.yaml"], builtin=False)
    assert all(item.document is not None for item in export_scopes(rules))


def test_ends_ports_and_addresses_become_statements(tmp_path: Path) -> None:
    exported = _exported(
        """
version: 1
groups:
  business: {networks: [aws_vpc.business]}
rules:
  - id: WEB
    severity: high
    title: From the internet only web ports
    match: {from: internet, to: {kinds: [instance]}}
    allow:
      - {protocol: tcp, ports: [80, 443, "8000-8080"]}
      - {from: {cidrs: [203.0.113.0/24]}}
  - id: DNS
    match: {from: business, to: {addresses: [aws_instance.directory]}, protocol: udp}
""",
        tmp_path,
    )
    assert exported["WEB"] == {
        "MatchPaths": [
            {
                "Source": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::InternetGateway"]}},
                "Destination": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::Instance"]}},
            }
        ],
        "ExcludePaths": [
            {
                "Destination": {
                    "PacketHeaderStatement": {
                        "DestinationPorts": ["80", "443", "8000-8080"],
                        "Protocols": ["tcp"],
                    }
                }
            },
            {"Source": {"PacketHeaderStatement": {"SourceAddresses": ["203.0.113.0/24"]}}},
        ],
        "TagSpecifications": [
            {
                "ResourceType": "network-insights-access-scope",
                "Tags": [
                    {"Key": "Name", "Value": "WEB"},
                    {"Key": "reachlint:severity", "Value": "high"},
                    {"Key": "reachlint:title", "Value": "From the internet only web ports"},
                ],
            }
        ],
    }
    dns = exported["DNS"]["MatchPaths"]
    assert dns == [
        {
            "Source": {"ResourceStatement": {"Resources": ["aws_vpc.business"]}},
            "Destination": {
                "ResourceStatement": {"Resources": ["aws_instance.directory"]},
                "PacketHeaderStatement": {"Protocols": ["udp"]},
            },
        }
    ]


def test_any_of_and_through_become_lists(tmp_path: Path) -> None:
    exported = _exported(
        """
version: 1
rules:
  - id: VIA-NAT
    match:
      from:
        any_of:
          - {addresses: [aws_instance.a]}
          - {addresses: [aws_instance.b]}
          - {kinds: [instance]}
      to: internet
      through: {kinds: [nat-gateway]}
""",
        tmp_path,
    )
    # A resource statement holds ids or types, not both: one path for each.
    nat = [{"ResourceStatement": {"ResourceTypes": ["AWS::EC2::NatGateway"]}}]
    internet = {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::InternetGateway"]}}
    assert exported["VIA-NAT"]["MatchPaths"] == [
        {
            "Source": {"ResourceStatement": {"Resources": ["aws_instance.a", "aws_instance.b"]}},
            "Destination": internet,
            "ThroughResources": nat,
        },
        {
            "Source": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::Instance"]}},
            "Destination": internet,
            "ThroughResources": nat,
        },
    ]


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ("match: {from: internet, to: {tags: {Tier: web}}}", "selects by tags"),
        ("match: {from: internet, to: {addresses: ['module.web.*']}}", "is a pattern"),
        ("match: {from: internet, to: {not: {kinds: [instance]}}}", "uses not"),
        ("match: {from: internet, to: any, protocol: icmp}", "not tcp or udp"),
        ("match: {from: any, to: any, same: subnet}", "same: subnet"),
        ("match: {from: internet, to: any, state: reply-dropped}", "replies that are dropped"),
        ("match: {from: internet, to: any}\n    only_if: all-ports", "only_if all-ports"),
        ("match: {from: internet, to: {kinds: [database]}}", "no resource type in a scope"),
        (
            "match: {from: internet, to: {kinds: [instance], networks: [aws_vpc.a]}}",
            "two conditions at once",
        ),
    ],
)
def test_what_a_scope_cannot_say_is_named_with_its_reason(
    rule: str, reason: str, tmp_path: Path
) -> None:
    exported = _exported(f"version: 1\nrules:\n  - id: R\n    {rule}\n", tmp_path)
    assert isinstance(exported["R"], str) and reason in exported["R"]


def test_a_scope_file_exports_as_itself_with_its_tags(tmp_path: Path) -> None:
    source = FIXTURES / "aws" / "naa-scopes" / "terraform" / "all_vpc_egress_to_port.json"
    (item,) = export_scopes(load_rules([source], builtin=False))
    assert item.document is not None
    written = json.loads(source.read_text())
    assert item.document["MatchPaths"] == written["MatchPaths"]
    assert item.document["ExcludePaths"] == written["ExcludePaths"]
    tags = item.document["TagSpecifications"][0]["Tags"]
    assert {"Key": "Name", "Value": "all_vpc_egress_to_port"} in tags


def test_cli_writes_one_file_per_rule_and_names_the_rest(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: 1\nrules:\n"
        "  - {id: OK, match: {from: internet, to: {kinds: [instance]}}}\n"
        "  - {id: TAGGED, match: {from: internet, to: {tags: {Tier: web}}}}\n"
    )
    out = tmp_path / "scopes"
    out.mkdir()
    result = CliRunner().invoke(
        app, ["rules", "export", "--format", "naa", str(rules), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in out.iterdir()) == ["OK.json"]
    assert "TAGGED cannot be a scope: it selects by tags" in result.output
    (rule,) = load_rules([out / "OK.json"], builtin=False).rules
    assert rule.id == "OK"


def test_cli_refuses_a_missing_output_directory(tmp_path: Path) -> None:
    rules = FIXTURES / "aws" / "naa-noncompliant" / "rules.yaml"
    result = CliRunner().invoke(app, ["rules", "export", str(rules), "-o", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "existing directory" in result.output


def test_with_an_input_that_knows_ids_resources_are_named_by_id(tmp_path: Path) -> None:
    """A plan of the deployed network (prior state) knows the VPCs' ids: the scope uses them."""
    noncompliant = FIXTURES / "aws" / "naa-noncompliant"
    plan = json.loads((noncompliant / "plan.json").read_text())
    live = {"aws_vpc.business": "vpc-0a1b2c3d4e5f60718"}
    prior = [
        dict(resource, values=dict(resource["values"], id=live[resource["address"]]))
        for resource in plan["planned_values"]["root_module"]["resources"]
        if resource["address"] in live
    ]
    plan["prior_state"] = {"format_version": "1.0", "values": {"root_module": {"resources": prior}}}
    deployed = tmp_path / "plan.json"
    deployed.write_text(json.dumps(plan))
    out = tmp_path / "scopes"
    out.mkdir()
    rules = noncompliant / "rules.yaml"
    result = CliRunner().invoke(
        app, ["rules", "export", str(rules), "-o", str(out), "--input", str(deployed)]
    )
    assert result.exit_code == 0, result.output
    document = json.loads((out / "BUSINESS-TO-DIRECTORY-DNS-ONLY.json").read_text())
    (path,) = document["MatchPaths"]
    assert path["Source"]["ResourceStatement"] == {"Resources": ["vpc-0a1b2c3d4e5f60718"]}
    # The directory VPC has no id yet: it keeps its Terraform address, to be replaced.
    assert path["Destination"]["ResourceStatement"] == {"Resources": ["aws_vpc.directory"]}
    # And read back against the same plan, the scope reports what the rule does.
    scopes = run_check([deployed], [out / "BUSINESS-TO-DIRECTORY-DNS-ONLY.json"], builtin=False)
    original = run_check([deployed], [rules], builtin=False)
    assert _found(scopes) == {
        f for f in _found(original) if f[0] == "BUSINESS-TO-DIRECTORY-DNS-ONLY"
    }
