"""CloudFormation templates read from YAML and JSON, with lines and the short forms."""

from __future__ import annotations

import pytest

from reachlint.errors import InputError
from reachlint.formats.cloudformation.document import looks_like_template, parse_template

YAML = """\
AWSTemplateFormatVersion: 2010-09-09
Parameters:
  VpcCidr:
    Type: String
    Default: 10.0.0.0/16
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: !Ref VpcCidr
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: !Select [0, !Cidr [!GetAtt Vpc.CidrBlock, 2, 8]]
      AvailabilityZone: !Select
        - 0
        - !GetAZs ''
      Tags:
        - Key: Name
          Value: !Sub '${AWS::StackName}-subnet'
"""


def test_yaml_short_forms_become_the_long_form() -> None:
    template = parse_template(YAML, "stack.yaml")
    subnet = template["Resources"]["Subnet"]["Properties"]
    assert template["Resources"]["Vpc"]["Properties"]["CidrBlock"] == {"Ref": "VpcCidr"}
    assert subnet["CidrBlock"] == {
        "Fn::Select": [0, {"Fn::Cidr": [{"Fn::GetAtt": ["Vpc", "CidrBlock"]}, 2, 8]}]
    }
    assert subnet["AvailabilityZone"] == {"Fn::Select": [0, {"Fn::GetAZs": ""}]}
    assert subnet["Tags"][0]["Value"] == {"Fn::Sub": "${AWS::StackName}-subnet"}


def test_the_version_date_stays_text_and_lines_are_kept() -> None:
    template = parse_template(YAML, "stack.yaml")
    assert template["AWSTemplateFormatVersion"] == "2010-09-09"
    resources = template["Resources"]
    assert resources.key_lines["Subnet"] == 11
    assert resources["Subnet"]["Properties"].key_lines["CidrBlock"] == 15
    assert resources["Subnet"]["Properties"]["Tags"].item_lines == [20]
    assert template.source == "stack.yaml"


def test_get_att_keeps_dots_in_the_attribute() -> None:
    text = "Resources:\n  A: {Type: AWS::X::Y, Properties: {P: !GetAtt Db.Endpoint.Address}}\n"
    template = parse_template(text, "t")
    assert template["Resources"]["A"]["Properties"]["P"] == {
        "Fn::GetAtt": ["Db", "Endpoint.Address"]
    }


def test_json_templates_read_with_lines() -> None:
    text = '{\n  "Resources": {\n    "Vpc": {"Type": "AWS::EC2::VPC"}\n  }\n}\n'
    template = parse_template(text, "stack.json")
    assert template["Resources"].key_lines["Vpc"] == 3
    assert looks_like_template(template)


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("a: &x [1]\nb: *x\n", "YAML aliases are not allowed", 1),
        ("Resources:\n  A: {}\n  A: {}\n", "duplicate key 'A'", 3),
        ("Resources:\n  A: !Bogus x\n", "unknown tag !Bogus", 2),
        ("Resources:\n  A: [1, 2\n", "broken YAML", None),
    ],
)
def test_broken_templates_are_input_errors_with_a_line(
    text: str, message: str, line: int | None
) -> None:
    with pytest.raises(InputError) as caught:
        parse_template(text, "stack.yaml")
    assert message in caught.value.message
    if line is not None:
        assert caught.value.line == line


def test_billion_laughs_is_refused_before_it_expands() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for name, previous in zip("bcdefghi", "abcdefgh", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    with pytest.raises(InputError, match="aliases"):
        parse_template("\n".join(lines), "laughs.yaml")


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"AWSTemplateFormatVersion": "2010-09-09"}, True),
        ({"Resources": {"A": {"Type": "AWS::EC2::VPC"}}}, True),
        ({"Resources": {"A": {"Type": "Microsoft.Network/virtualNetworks"}}}, False),
        ({"resource_changes": []}, False),
        ([], False),
    ],
)
def test_templates_are_recognised_by_content(document: object, expected: bool) -> None:
    assert looks_like_template(document) is expected
