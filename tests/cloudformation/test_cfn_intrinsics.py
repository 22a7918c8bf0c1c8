"""Intrinsic functions evaluated as CloudFormation documents them; unknowns named, not guessed."""

from __future__ import annotations

from typing import Any

import pytest

from reachlint.errors import InputError
from reachlint.formats.cloudformation.document import parse_template
from reachlint.formats.cloudformation.intrinsics import Evaluator
from reachlint.formats.cloudformation.values import NO_VALUE, ResourceRef, Unknown

TEMPLATE = """\
Parameters:
  Env: {Type: String, AllowedValues: [prod, test]}
  VpcCidr: {Type: String, Default: 10.0.0.0/16}
  Ports: {Type: CommaDelimitedList, Default: "80,443"}
  Count: {Type: Number, Default: "2"}
  Ami: {Type: "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", Default: /aws/ami}
Mappings:
  SubnetConfig:
    Public: {CIDR: 10.0.0.0/24}
  AdminPort:
    prod: {Ssh: 22, Range: 10.0.0.0/8}
    test: {Ssh: 22, Range: 0.0.0.0/0}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsBig: !Equals [!Ref Count, 2]
  ProdOrBig: !Or [!Condition IsProd, !Condition IsBig]
  ProdAndBig: !And [!Condition IsProd, !Condition IsBig]
  NotBig: !Not [!Condition IsBig]
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: !Ref VpcCidr}}
"""


def evaluator(values: dict[str, Any] | None = None) -> Evaluator:
    document = parse_template(TEMPLATE, "stack.yaml")

    def attribute(logical_id: str, name: str, ev: Evaluator) -> Any:
        if (logical_id, name) == ("Vpc", "CidrBlock"):
            return ev.value(ev.resources["Vpc"]["Properties"]["CidrBlock"])
        return NotImplemented

    return Evaluator(document, "stack.yaml", dict(values or {}), attribute)


def value(text: str, values: dict[str, Any] | None = None) -> Any:
    node = parse_template(f"v: {text}\n", "stack.yaml")["v"]
    return evaluator(values).value(node)


def test_fn_cidr_carves_blocks_as_the_documentation_shows() -> None:
    # AWS's own example: six /27 blocks out of a /24 (cidrBits 5).
    assert value('!Cidr ["192.168.0.0/24", 6, 5]') == [
        "192.168.0.0/27",
        "192.168.0.32/27",
        "192.168.0.64/27",
        "192.168.0.96/27",
        "192.168.0.128/27",
        "192.168.0.160/27",
    ]
    assert value("!Select [1, !Cidr [!GetAtt Vpc.CidrBlock, 4, 8]]") == "10.0.1.0/24"
    assert value('!Cidr ["2001:db8::/56", 2, 64]') == ["2001:db8::/64", "2001:db8:0:1::/64"]


@pytest.mark.parametrize(
    "text",
    ['!Cidr ["10.0.0.0/24", 300, 4]', '!Cidr ["10.0.0.0/24", 2, 9]', '!Cidr ["x", 2, 4]'],
)
def test_fn_cidr_refuses_what_aws_refuses(text: str) -> None:
    with pytest.raises(InputError, match="Fn::Cidr"):
        value(text)


def test_parameters_defaults_types_and_unknowns() -> None:
    assert value("!Ref VpcCidr") == "10.0.0.0/16"
    assert value("!Ref Ports") == ["80", "443"]
    assert value("!Ref Count") == 2
    env = value("!Ref Env")
    assert isinstance(env, Unknown) and env.names == ("Env",)
    ami = value("!Ref Ami")
    assert isinstance(ami, Unknown) and ami.names == ("SSM parameter /aws/ami",)
    assert value("!Ref VpcCidr", {"VpcCidr": "172.16.0.0/16"}) == "172.16.0.0/16"


def test_a_value_outside_allowed_values_or_an_undeclared_parameter_is_an_input_error() -> None:
    with pytest.raises(InputError, match="AllowedValues"):
        value("!Ref Env", {"Env": "staging"})
    with pytest.raises(InputError, match="declares no such parameter"):
        value("!Ref Env", {"Nope": "x"})


def test_pseudo_parameters_resources_and_no_value() -> None:
    region = value("!Ref AWS::Region")
    assert isinstance(region, Unknown) and region.names == ("AWS::Region",)
    assert value("!Ref Vpc") == ResourceRef("Vpc")
    assert value("!GetAtt Vpc.DefaultSecurityGroup") == ResourceRef("Vpc", "DefaultSecurityGroup")
    assert value("!Ref AWS::NoValue") is NO_VALUE
    assert value("{A: 1, B: !Ref AWS::NoValue}") == {"A": 1}
    assert value("[1, !Ref AWS::NoValue, 2]") == [1, 2]


def test_sub_join_select_split() -> None:
    assert value("!Sub 'x-${VpcCidr}-${!Literal}'") == "x-10.0.0.0/16-${Literal}"
    assert value("!Sub ['${A}/${B}', {A: 10.1.0.0, B: 16}]") == "10.1.0.0/16"
    assert value("!Sub '${Vpc}'") == ResourceRef("Vpc")
    named = value("!Sub '${AWS::StackName}-web'")
    assert isinstance(named, Unknown) and named.names == ("AWS::StackName",)
    assert value("!Join ['-', [a, b, c]]") == "a-b-c"
    assert value("!Select [1, !Split [',', 'a,b,c']]") == "b"
    assert value("!Select ['0', [x, y]]") == "x"


def test_conditions_decide_with_three_valued_logic() -> None:
    assert value("!If [IsBig, yes-big, no]") == "yes-big"
    assert value("!If [NotBig, big, small]") == "small"
    # Env has no value: IsProd is unknown, but IsBig alone decides the Or.
    assert value("!If [ProdOrBig, a, b]") == "a"
    unsure = value("!If [ProdAndBig, 10.0.0.0/8, 0.0.0.0/0]")
    assert isinstance(unsure, Unknown)
    assert unsure.names == ("Env",)
    assert unsure.alternatives == ("10.0.0.0/8", "0.0.0.0/0")
    assert value("!If [ProdAndBig, a, b]", {"Env": "prod"}) == "a"


def test_find_in_map_get_azs_import_value_and_dynamic_references() -> None:
    assert value("!FindInMap [SubnetConfig, Public, CIDR]") == "10.0.0.0/24"
    zone = value("!Select [0, !GetAZs '']")
    assert isinstance(zone, Unknown) and "availability zones" in zone.names[0]
    imported = value("!ImportValue shared-vpc-id")
    assert isinstance(imported, Unknown) and imported.names == ("Fn::ImportValue shared-vpc-id",)
    secret = value("'{{resolve:ssm:/net/office-cidr}}'")
    assert isinstance(secret, Unknown) and secret.names == ("{{resolve:ssm:/net/office-cidr}}",)


def test_a_lookup_on_a_key_not_known_is_the_value_every_entry_holds_or_one_of_them() -> None:
    # Env has no value: every entry maps Ssh to 22, so the port is known.
    assert value("!FindInMap [AdminPort, !Ref Env, Ssh]") == 22
    ranges = value("!FindInMap [AdminPort, !Ref Env, Range]")
    assert isinstance(ranges, Unknown) and ranges.names == ("Env",)
    assert ranges.alternatives == ("10.0.0.0/8", "0.0.0.0/0")


def test_base64_length_to_json_string() -> None:
    assert value("!Base64 hello") == "aGVsbG8="
    assert value("!Length [a, b, c]") == 3
    assert value("!ToJsonString {a: [1, 2]}") == '{"a":[1,2]}'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("!Ref Nothing", "no parameter or resource"),
        ("!GetAtt Nothing.Id", "no resource"),
        ("!If [Undeclared, a, b]", "not declared in Conditions"),
        ("!Select [5, [a]]", "outside the list"),
        ("!FindInMap [SubnetConfig, Private, CIDR]", "not in Mappings"),
        ("{'Fn::Bogus': 1}", "not a CloudFormation intrinsic function"),
    ],
)
def test_broken_functions_are_input_errors(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        value(text)
    assert caught.value.file == "stack.yaml"


def test_a_condition_that_refers_to_itself_is_an_input_error() -> None:
    document = parse_template(
        "Conditions:\n  A: !Condition B\n  B: !Condition A\nResources: {}\n", "loop.yaml"
    )
    with pytest.raises(InputError, match="refers to itself"):
        Evaluator(document, "loop.yaml").condition("A")


def test_functions_over_a_list_attribute_only_the_deployment_fills_are_unknown() -> None:
    # aws-cloudformation-templates EC2/SingleENIwithMultipleEIPs.yaml selects from an ENI's
    # SecondaryPrivateIpAddresses.
    from reachlint.formats.cloudformation.intrinsics import Evaluator
    from reachlint.formats.cloudformation.values import Unknown

    document = {"Resources": {"Eni": {"Type": "AWS::EC2::NetworkInterface"}}}
    evaluator = Evaluator(document, "t.yaml")
    attribute = {"Fn::GetAtt": ["Eni", "SecondaryPrivateIpAddresses"]}
    selected = evaluator.value({"Fn::Select": ["0", attribute]})
    assert isinstance(selected, Unknown) and selected.names == (
        "Eni.SecondaryPrivateIpAddresses[0]",
    )
    assert isinstance(evaluator.value({"Fn::Length": attribute}), Unknown)
    split = evaluator.value(
        {"Fn::Split": [",", {"Fn::GetAtt": ["Eni", "PrimaryPrivateIpAddress"]}]}
    )
    assert isinstance(split, Unknown)
