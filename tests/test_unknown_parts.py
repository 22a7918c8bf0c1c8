"""A value not known is named for the traffic that rests on it, and a finding whose traffic
rests on it only in part says which part: SSH open to a parameter without value beside a
database port open to the world reads "AdminCidr (tcp 22 only)", not as if the database port
rested on it too."""

from __future__ import annotations

from pathlib import Path

from reachlint.commands.check import run_check
from reachlint.reports import render
from tests.cloudformation.templates import NETWORK

RULES = """version: 1
rules:
  - id: FROM-INTERNET
    title: Everything the internet reaches
    severity: low
    match: {from: internet, to: any}
"""
GROUP_RULES = """      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref AdminCidr}
        - {IpProtocol: tcp, FromPort: 5432, ToPort: 5432, CidrIp: 0.0.0.0/0}"""


def test_a_finding_names_the_part_a_value_not_known_decides(tmp_path: Path) -> None:
    template, rules = tmp_path / "template.yaml", tmp_path / "rules.yaml"
    template.write_text(NETWORK.replace("GROUP_RULES", GROUP_RULES))
    rules.write_text(RULES)
    report = run_check([template], [rules], builtin=False)
    [finding] = report.findings
    assert [(e.protocol, e.ports) for e in finding.traffic] == [("tcp", [(22, 22), (5432, 5432)])]
    [value] = finding.depends_on_unknown or []
    assert "AdminCidr" in value
    [part] = finding.depends_on_unknown_for or []
    assert part.value == value
    assert [(e.protocol, e.ports) for e in part.traffic] == [("tcp", [(22, 22)])]
    assert f"depends on unknown values: {value} (tcp 22 only)" in render(report, "text")
    assert '"dependsOnUnknownFor"' in render(report, "sarif")
    closed = run_check([template], [rules], builtin=False, assume_unknown="closed")
    [certain] = closed.findings
    assert [(e.protocol, e.ports) for e in certain.traffic] == [("tcp", [(5432, 5432)])]
    assert certain.depends_on_unknown is None and certain.depends_on_unknown_for is None
