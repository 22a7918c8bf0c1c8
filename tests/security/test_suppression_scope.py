"""A suppression covers exactly the traffic that the rules in its block open, never what another
rule opens between the same ends (fixtures/*/suppress-scope: how the expectations are derived
from AWS's and Azure's documentation is in their READMEs)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reachlint.commands.cli import app
from reachlint.rules.findings import TrafficEntry, fingerprint

REPO = Path(__file__).resolve().parents[2]
AWS = REPO / "fixtures" / "aws" / "suppress-scope"
ARM = REPO / "fixtures" / "azure" / "suppress-scope"

Summary = dict[tuple[str, str], str | None]  # (rule, traffic) -> reason of the suppression


def _check(*args: str) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(app, ["check", *args, "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def _traffic(finding: dict[str, object]) -> str:
    entries = finding["traffic"]
    assert isinstance(entries, list)
    return "; ".join(
        f"{entry['protocol']} "
        + ", ".join(f"{lo}" if lo == hi else f"{lo}-{hi}" for lo, hi in entry["ports"])
        for entry in entries
    )


def _summary(document: dict[str, object]) -> Summary:
    findings = document["findings"]
    assert isinstance(findings, list)
    return {
        (item["rule"], _traffic(item)): (item.get("suppressed") or {}).get("reason")
        for item in findings
    }


SSH = "bastion host: key-only SSH, reviewed in SEC-101"
EXPORTER = "node exporter, scraped by the hosted Prometheus (OPS-88)"


@pytest.mark.parametrize("head", [AWS / "head", AWS / "head" / "plan.json"], ids=["hcl", "plan"])
def test_a_suppressed_rule_does_not_hide_the_port_another_rule_of_its_group_opens(
    head: Path,
) -> None:
    """Before: the SSH block's suppression hid the whole INTERNET-NON-WEB-PORTS finding, tcp 8080
    (the API block, no suppression) included."""
    status, document = _check(str(head))
    summary = _summary(document)
    assert summary[("INTERNET-NON-WEB-PORTS", "tcp 8080")] is None  # reported
    # SSH is reported once, under INTERNET-ADMIN-PORTS (INTERNET-NON-WEB-PORTS defers to it).
    assert summary[("INTERNET-NON-WEB-PORTS", "tcp 9100")] == EXPORTER
    assert summary[("INTERNET-ADMIN-PORTS", "tcp 22")] == SSH
    assert len(summary) == 3 and status == 1
    reported = next(f for f in document["findings"] if not f.get("suppressed"))
    # Its own path: the API block opens it, neither suppressed block is on it.
    assert [hop["line"] for hop in reported["path"] if hop["kind"] == "security-group-rule"] == [14]


def test_an_arm_nsg_suppression_does_not_hide_a_rule_resource_outside_its_block() -> None:
    """Before: the NSG's metadata hid tcp 3389, which a securityRules resource of its own opens."""
    status, document = _check(str(ARM / "head" / "azuredeploy.json"))
    summary = _summary(document)
    reason = "web admins reach the servers over SSH with keys only (SEC-214)"
    assert summary == {
        ("INTERNET-ADMIN-PORTS", "tcp 22"): reason,
        ("INTERNET-ADMIN-PORTS", "tcp 3389"): None,
    }
    assert status == 1


def test_the_base_stays_suppressed_though_the_default_acl_admits_everything() -> None:
    """A flow passes each filter through any one of its rules: the SSH block alone opens tcp 22
    in the security group, so the (uncovered) default network ACL does not keep it reported."""
    status, document = _check(str(AWS / "base"))
    assert status == 0 and document["summary"]["findings"] == 0
    assert document["summary"]["suppressed"] == 1  # SSH, under INTERNET-ADMIN-PORTS only


def _head_copy(
    tmp_path: Path, edit: tuple[str, str] | None = None, file: str = "sg.tf", name: str = "head"
) -> Path:
    """The fixture's head as a directory, one piece of text replaced."""
    head = tmp_path / name
    shutil.copytree(AWS / "head", head, ignore=shutil.ignore_patterns("plan.json"))
    if edit is not None:
        path = head / file
        anchor, replacement = edit
        text = path.read_text()
        assert text.count(anchor) == 1
        path.write_text(text.replace(anchor, replacement))
    return head


ANY_PORT = """
  ingress {
    description = "everything, for the load test"
    protocol    = "tcp"
    from_port   = 0
    to_port     = 65535
    cidr_blocks = ["0.0.0.0/0"]
  }
"""


def _add_block(head: Path, block: str) -> None:
    """One more block at the end of security group `main`."""
    path = head / "sg.tf"
    text = path.read_text().rstrip()
    assert text.endswith("}")
    path.write_text(text[:-1] + block + "}\n")


def test_what_an_uncovered_rule_also_admits_stays_reported(tmp_path: Path) -> None:
    """Another rule of the same group admits every tcp port: the SSH block no longer opens
    tcp 22 on its own, so nothing of it is suppressed."""
    head = _head_copy(tmp_path)
    _add_block(head, ANY_PORT)
    status, document = _check(str(head))
    # Each port once, under its most specific rule.
    assert _summary(document) == {
        ("INTERNET-ADMIN-PORTS", "tcp 22, 3389, 5985-5986"): None,
        ("INTERNET-ALL-PORTS", "tcp 0-21, 23-3388, 3390-5984, 5987-65535"): None,
    }
    assert status == 1


@pytest.mark.parametrize(
    ("anchor", "place"),
    [
        ('resource "aws_instance" "main" {', "aws_instance.main"),  # the destination
        ('resource "aws_vpc" "main" {', "aws_vpc.main.default_network_acl"),  # a default ACL
        ('resource "aws_route" "public_internet_access" {', "aws_route.public_internet_access"),
    ],
    ids=["endpoint", "vpc", "route"],
)
def test_a_suppression_on_what_filters_nothing_hides_nothing_and_is_reported(
    tmp_path: Path, anchor: str, place: str
) -> None:
    """Before: a suppression on the instance, the VPC or the route hid every path through it,
    whatever rule opened it. They admit nothing themselves (the default network ACL is written by
    nobody), so they cover nothing, and the mistake is reported."""
    file = "ec2.tf" if "instance" in anchor else "network.tf"
    comment = "# reachlint:ignore INTERNET-NON-WEB-PORTS the whole host is a honeypot\n"
    head = _head_copy(tmp_path, (anchor, comment + anchor), file)
    status, document = _check(str(head))
    summary = _summary(document)
    assert summary[("INTERNET-NON-WEB-PORTS", "tcp 8080")] is None
    (problem,) = document["suppression_problems"]
    assert problem["rule"] == "INTERNET-NON-WEB-PORTS" and problem["file"].endswith(file)
    assert f"sits on {place}, which filters no traffic" in problem["message"]
    assert status == 1


def test_split_parts_keep_the_fingerprint_of_their_own_traffic(tmp_path: Path) -> None:
    """The reported part is identified as a finding of tcp 8080 alone would be, and moving lines
    (a comment added on top) changes no fingerprint."""
    _, document = _check(str(AWS / "head"))
    anchor = 'resource "aws_security_group"'
    shifted = _head_copy(tmp_path, (anchor, f"# moved down\n\n{anchor}"))
    _, moved = _check(str(shifted))
    fingerprints = {(f["rule"], _traffic(f)): f["fingerprint"] for f in document["findings"]}
    assert fingerprints == {(f["rule"], _traffic(f)): f["fingerprint"] for f in moved["findings"]}
    alone = fingerprint(
        "INTERNET-NON-WEB-PORTS",
        "internet",
        "aws_instance.main",
        [TrafficEntry(protocol="tcp", ports=[(8080, 8080)])],
    )
    assert fingerprints[("INTERNET-NON-WEB-PORTS", "tcp 8080")] == alone
    assert len(set(fingerprints.values())) == 3


def test_a_rule_only_for_every_port_is_not_left_with_one_port(tmp_path: Path) -> None:
    """INTERNET-ALL-PORTS reports flows open on every port. A suppressed block opens every tcp
    port; what the API block opens besides (tcp 8080) is no longer every port, so that rule has
    nothing left to report (INTERNET-NON-WEB-PORTS still reports tcp 8080)."""
    comment = (
        "\n  # reachlint:ignore INTERNET-ALL-PORTS, INTERNET-ADMIN-PORTS, INTERNET-NON-WEB-PORTS "
        "load test, until Friday"
    )
    head = _head_copy(tmp_path)
    _add_block(head, comment + ANY_PORT)
    status, document = _check(str(head))
    active = {(f["rule"], _traffic(f)) for f in document["findings"] if not f.get("suppressed")}
    assert active == {("INTERNET-NON-WEB-PORTS", "tcp 8080")}
    assert status == 1


def test_a_baseline_covers_the_reported_part_and_reports_what_it_grows_into(
    tmp_path: Path,
) -> None:
    baseline = tmp_path / "baseline.json"
    result = CliRunner().invoke(
        app, ["check", str(AWS / "head"), "--create-baseline", str(baseline)]
    )
    assert result.exit_code == 0, result.output
    entries = json.loads(baseline.read_text())["findings"]
    assert [(e["rule"], e["traffic"]) for e in entries] == [
        ("INTERNET-NON-WEB-PORTS", [{"protocol": "tcp", "ports": [[8080, 8080]]}])
    ]
    status, document = _check(str(AWS / "head"), "--baseline", str(baseline))
    assert status == 0 and document["summary"]["findings"] == 0
    wider = _head_copy(tmp_path, ("    to_port     = 8080", "    to_port     = 8081"), name="wider")
    status, document = _check(str(wider), "--baseline", str(baseline))
    active = {(f["rule"], _traffic(f)) for f in document["findings"] if not f.get("suppressed")}
    assert active == {("INTERNET-NON-WEB-PORTS", "tcp 8081")} and status == 1
