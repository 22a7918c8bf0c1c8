"""A change of very many flows: the first MAX_LISTED_CHANGES are listed with their paths, those
that break a rule first, and the rest are counted, with a note saying so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reachlint.commands.changes import diff
from reachlint.commands.changes.diff import run_diff

HEADER = {
    "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
    "Subnet": {
        "Type": "AWS::EC2::Subnet",
        "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24"},
    },
}


def _stack(path: Path, groups: int, ssh_to: int | None, https_to: int | None = None) -> Path:
    """`groups` private instances, each in its own group admitting tcp 80 from the subnet
    (and, for instance `ssh_to`, tcp 22 from it as well; for `https_to`, tcp 443)."""
    resources = dict(HEADER)
    for i in range(groups):
        ingress = [{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "10.0.0.0/24"}]
        for port, to in ((22, ssh_to), (443, https_to)):
            if i == to:
                ingress.append(
                    {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "CidrIp": "10.0.0.0/24"}
                )
        resources[f"Group{i}"] = {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {"GroupDescription": "g", "VpcId": {"Ref": "Vpc"},
                           "SecurityGroupIngress": ingress},
        }  # fmt: skip
        resources[f"Host{i}"] = {
            "Type": "AWS::EC2::Instance",
            "Properties": {"ImageId": "ami-1", "SubnetId": {"Ref": "Subnet"},
                           "SecurityGroupIds": [{"Ref": f"Group{i}"}]},
        }  # fmt: skip
    path.write_text(json.dumps({"Resources": resources}))
    return path


RULES = """version: 1
rules:
  - id: NO-SSH-INSIDE
    severity: high
    match: {from: any, to: any, ports: [22]}
"""


def test_a_change_past_the_listed_bound_is_counted_with_a_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(diff, "MAX_LISTED_CHANGES", 3)
    base = _stack(tmp_path / "base.json", 4, ssh_to=None)
    head = _stack(tmp_path / "head.json", 4, ssh_to=3, https_to=0)
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    report = run_diff(base, head, [rules], builtin=False)
    # Three other hosts gain tcp 22 to Host3, breaking the rule, and tcp 443 to Host0: six
    # opened flows, the three that break the rule listed.
    assert report.summary.opened == 6 and len(report.opened) == 3
    assert all(change.rules == ["NO-SSH-INSIDE"] and change.path for change in report.opened)
    assert [change.destination.address for change in report.opened] == ["Host3"] * 3
    (note,) = report.notes
    assert note.message.startswith("3 more opened flows are counted, not listed")
    monkeypatch.setattr(diff, "MAX_LISTED_CHANGES", 6)
    report = run_diff(base, head, [rules], builtin=False)
    assert report.summary.opened == len(report.opened) == 6 and report.notes == []
