"""A CloudFormation template or CDK cloud assembly that asks for unbounded work is refused in
seconds with the limit it passed: exit 2, never a hang. A few nested-stack resources that deploy
their own template again, or a manifest that lists a nested assembly many times, multiply at
every level; the depth limits alone let 4**8 stacks or 8**6 assemblies through."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.security.subprocess_run import run

FAN_OUT = """AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  L: {Type: String, Default: ''}
Conditions:
  More: !Not [!Equals [!Ref L, xxxxxxxx]]
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
"""
for name in "ABCD":
    FAN_OUT += (
        f"  {name}: {{Type: AWS::CloudFormation::Stack, Condition: More, Properties: "
        "{TemplateURL: ./stack.yaml, Parameters: {L: !Sub '${L}x'}}}\n"
    )


def test_nested_stacks_that_multiply_are_refused(tmp_path: Path) -> None:
    (tmp_path / "stack.yaml").write_text(FAN_OUT)
    outcome = run("check", "stack.yaml", "--no-builtin", cwd=tmp_path)
    assert outcome.code == 2, outcome
    assert "reachlint's limit of 2,000 stacks" in outcome.stderr
    assert outcome.stderr.startswith("reachlint: error: stack.yaml:8: ")
    assert outcome.seconds < 20


def test_a_few_nested_stacks_are_read(tmp_path: Path) -> None:
    # Two levels of four: 21 stacks, well within the limit.
    (tmp_path / "stack.yaml").write_text(FAN_OUT.replace("xxxxxxxx", "xx"))
    assert run("check", "stack.yaml", "--no-builtin", cwd=tmp_path).code == 0


OUTPUTS_FAN_OUT = """Parameters:
  L: {Type: String, Default: ''}
Conditions:
  More: !Not [!Equals [!Ref L, xxxxxx]]
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: !GetAtt A.Outputs.X}}
"""
for name in "ABCDEFGH":
    OUTPUTS_FAN_OUT += (
        f"  {name}: {{Type: AWS::CloudFormation::Stack, Properties: "
        "{TemplateURL: ./stack.yaml, Parameters: {L: !Sub '${L}x'}}}\n"
    )
OUTPUTS_FAN_OUT += (
    "Outputs:\n  X: {Value: !If [More, !Join ['', ["
    + ", ".join(f"!GetAtt {name}.Outputs.X" for name in "ABCDEFGH")
    + "]], 10.0.0.0/16]}\n"
)


def test_outputs_of_nested_stacks_that_multiply_are_refused(tmp_path: Path) -> None:
    # Reading one output reads eight of the level below, six levels down: 8**6 stacks, made
    # for their outputs before any of their resources is read.
    (tmp_path / "stack.yaml").write_text(OUTPUTS_FAN_OUT)
    outcome = run("check", "stack.yaml", "--no-builtin", cwd=tmp_path)
    assert outcome.code == 2, outcome
    assert "reachlint's limit of 2,000 stacks" in outcome.stderr
    assert outcome.stderr.startswith("reachlint: error: stack.yaml:")
    assert outcome.stderr.count("\n") == 1
    assert outcome.seconds < 20


def test_a_template_that_reads_the_outputs_of_itself_nested_is_refused(tmp_path: Path) -> None:
    template = (
        "Resources:\n"
        "  A: {Type: AWS::CloudFormation::Stack, Properties: {TemplateURL: ./stack.yaml}}\n"
        "  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: !GetAtt A.Outputs.X}}\n"
        "Outputs:\n  X: {Value: !GetAtt A.Outputs.X}\n"
    )
    (tmp_path / "stack.yaml").write_text(template)
    outcome = run("check", "stack.yaml", "--no-builtin", cwd=tmp_path)
    assert outcome.code == 2, outcome
    assert outcome.stderr == "reachlint: error: stack.yaml:2: nests stacks more than 16 deep\n"


def _assembly(root: Path, levels: int, fan_out: int) -> Path:
    directory = root / "cdk.out"
    for _ in range(levels):
        directory.mkdir(parents=True)
        artifacts = {
            f"s{i}": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "n"}}
            for i in range(fan_out)
        }
        (directory / "manifest.json").write_text(json.dumps({"artifacts": artifacts}))
        directory = directory / "n"
    directory.mkdir(parents=True)
    stack = {"type": "aws:cloudformation:stack", "properties": {"templateFile": "t.json"}}
    (directory / "manifest.json").write_text(json.dumps({"artifacts": {"Stack": stack}}))
    template = {"Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {}}}}
    (directory / "t.json").write_text(json.dumps(template))
    return root / "cdk.out"


def test_nested_assemblies_that_multiply_are_refused(tmp_path: Path) -> None:
    _assembly(tmp_path, 6, 8)
    outcome = run("check", "cdk.out", "--no-builtin", cwd=tmp_path)
    assert outcome.code == 2, outcome
    assert "reachlint's limit of 2,000 stacks" in outcome.stderr
    assert outcome.seconds < 20


def test_a_few_nested_assemblies_are_read(tmp_path: Path) -> None:
    _assembly(tmp_path, 2, 3)  # 9 stacks
    assert run("check", "cdk.out", "--no-builtin", cwd=tmp_path).code == 0


def test_one_manifest_listing_too_many_stacks_is_refused_before_their_templates(
    tmp_path: Path,
) -> None:
    directory = tmp_path / "cdk.out"
    directory.mkdir()
    stack = {"type": "aws:cloudformation:stack", "properties": {"templateFile": "t.json"}}
    artifacts = {f"Stack{i}": stack for i in range(2_500)}
    (directory / "manifest.json").write_text(json.dumps({"artifacts": artifacts}))
    template = {"Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {}}}}
    (directory / "t.json").write_text(json.dumps(template))
    outcome = run("check", "cdk.out", "--no-builtin", cwd=tmp_path)
    outcome.refused("reachlint's limit of 2,000 stacks")
    assert "manifest.json" in outcome.stderr, outcome.stderr


def test_a_template_s_evaluation_is_bounded_in_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As ARM's and Terraform's are: past the budget (none here), one sentence naming the file.
    from reachlint import limits
    from tests.security.support import reachlint, refused

    monkeypatch.setattr(limits, "MAX_EVALUATION_SECONDS", 0.0)
    groups = {
        f"G{n}": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
            "GroupDescription": {"Fn::Sub": "group ${AWS::Region}"},
            "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                                      "CidrIp": "0.0.0.0/0"}]}}
        for n in range(300)
    }  # fmt: skip
    template = tmp_path / "template.json"
    template.write_text(json.dumps({"Resources": groups}), encoding="utf-8")
    refused(reachlint("check", template), "template.json", "the evaluation takes too long")
