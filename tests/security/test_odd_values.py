"""Values no real template writes but a pull request can: infinities and nulls where a number
goes, a lone surrogate (JSON's "\\ud800") in a name or a file name, an argument of the wrong
shape. Each is an input error naming the file (or is read as written), never an internal
error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.security.support import reachlint, refused

CFN_HEAD = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n"


def _vpc_with(cidr: str) -> str:
    return CFN_HEAD + f"  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: {cidr}\n"


@pytest.mark.parametrize(
    ("cidr", "words"),
    [
        ("!Select [.inf, [10.0.0.0/16]]", ("Fn::Select's index inf is not a number",)),
        ("!Select [0, !Cidr [10.0.0.0/16, 2, null]]", ("Fn::Cidr cannot split",)),
        ("!Select [0, !Cidr [10.0.0.0/16, .inf, 8]]", ("Fn::Cidr cannot split",)),
        ("!Select [0, !Cidr [10.0.0.0/16, [2], 8]]", ("Fn::Cidr cannot split",)),
        ("!FindInMap [M, a, b, x]", ("fourth argument is a map",)),
    ],
)
def test_an_intrinsic_given_what_it_cannot_take_is_an_input_error(
    tmp_path: Path, cidr: str, words: tuple[str, ...]
) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(_vpc_with(cidr), encoding="utf-8")
    refused(reachlint("check", template), "template.yaml", *words)


def test_a_condition_on_a_resource_s_value_says_which_in_words(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(
        "Conditions:\n  Odd: !Not [!Ref Other]\n"
        + _vpc_with("10.0.0.0/16").replace(
            "Type: AWS::EC2::VPC", "Type: AWS::EC2::VPC\n    Condition: Odd"
        )
        + "  Other:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.1.0.0/16\n",
        encoding="utf-8",
    )
    sentence = refused(reachlint("check", template), "template.yaml", "the value of Other")
    assert "ResourceRef" not in sentence


def test_a_lone_surrogate_to_encode_in_base64_is_read_as_written(tmp_path: Path) -> None:
    instance = {"Type": "AWS::EC2::Instance", "Properties": {
        "ImageId": "ami-12345678", "UserData": {"Fn::Base64": "\ud800"}}}  # fmt: skip
    template = tmp_path / "template.json"
    template.write_text(json.dumps({"Resources": {"I": instance}}), encoding="utf-8")
    run = reachlint("check", template)
    assert run.code in (0, 1), run.stderr
    assert "internal error" not in run.stderr


def test_an_arm_name_known_at_deployment_with_a_lone_surrogate_is_read(tmp_path: Path) -> None:
    schema = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
    network = {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-04-01",
               "name": "[uniqueString('\ud800')]", "location": "westeurope",
               "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}  # fmt: skip
    template = tmp_path / "azuredeploy.json"
    template.write_text(
        json.dumps({"$schema": schema, "contentVersion": "1.0.0.0", "resources": [network]}),
        encoding="utf-8",
    )
    run = reachlint("check", template)
    assert run.code == 0, run.stderr


def test_a_nested_stack_file_name_no_file_can_have_is_refused(tmp_path: Path) -> None:
    stack = {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "\ud800.yaml"}}
    template = tmp_path / "parent.json"
    template.write_text(json.dumps({"Resources": {"N": stack}}), encoding="utf-8")
    refused(reachlint("check", template), "parent.json", "no file name can hold")


def test_a_cloud_assembly_file_name_no_file_can_have_is_refused(tmp_path: Path) -> None:
    assembly = tmp_path / "cdk.out"
    assembly.mkdir()
    nested = {"type": "cdk:cloud-assembly", "properties": {"directoryName": "\ud800"}}
    (assembly / "manifest.json").write_text(
        json.dumps({"version": "36.0.0", "artifacts": {"Inner": nested}}), encoding="utf-8"
    )
    refused(reachlint("check", assembly), "manifest.json", "no file name can hold")
