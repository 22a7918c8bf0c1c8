"""Values no real template writes but a pull request can: infinities and nulls where a number
goes, a lone surrogate (JSON's "\\ud800") in a name or a file name, an argument of the wrong
shape. Each is an input error naming the file (or is read as written), never an internal
error."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.arm.arm_helpers import template_document, write_template
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
        ("!Select [null, [10.0.0.0/16]]", ("Fn::Select's index null is not a number",)),
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
    network = _network("[uniqueString('\ud800')]", addressSpace=_prefixes("10.0.0.0/16"))
    run = reachlint("check", _arm(tmp_path, network))
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


@pytest.mark.parametrize(
    "value", ["!!bool x", '!!int ""', "!!int x", "!!map x", "!!map [a]", "!!seq x", "0x_", "0b_"]
)
def test_a_value_yaml_cannot_read_as_its_type_is_refused_at_its_line(
    tmp_path: Path, value: str
) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(_vpc_with(value), encoding="utf-8")
    sentence = refused(reachlint("check", template), "template.yaml", "YAML cannot read this value")
    assert "template.yaml:6: " in sentence


def _timed_check(path: Path) -> tuple[int | None, float]:
    started = time.monotonic()
    run = reachlint("check", path)
    assert "internal error" not in run.stderr, run.stderr
    return run.code, time.monotonic() - started


def test_attributes_named_over_and_over_are_read_once(tmp_path: Path) -> None:
    # Each VPC's range is a choice among ten readings of the previous one's: read anew each
    # time, twelve levels are ten to the twelfth readings.
    lines = [
        CFN_HEAD,
        "  V0:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n",
    ]
    for level in range(1, 13):
        readings = ", ".join([f"!GetAtt V{level - 1}.CidrBlock"] * 10)
        lines.append(
            f"  V{level}:\n    Type: AWS::EC2::VPC\n    Properties:\n"
            f"      CidrBlock: !Select [0, [{readings}]]\n"
        )
    template = tmp_path / "template.yaml"
    template.write_text("".join(lines), encoding="utf-8")
    code, seconds = _timed_check(template)
    assert code == 0 and seconds < 10


@pytest.mark.parametrize(
    "text",
    [
        "${" * 60_000,
        "{{resolve:ssm:" * 20_000,
        "${" * 30_000 + "}",
        "{{resolve:ssm:" * 20_000 + "}",
    ],
    ids=["sub-opens", "resolve-opens", "sub-one-close", "resolve-one-close"],
)
def test_strings_of_many_openings_are_read_in_one_pass(tmp_path: Path, text: str) -> None:
    value = {"Fn::Sub": text} if text.startswith("${") else text  # a dynamic reference: plain
    tags = [{"Key": "n", "Value": value}]
    vpc = {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16", "Tags": tags}}
    template = tmp_path / "template.json"
    template.write_text(json.dumps({"Resources": {"Vpc": vpc}}), encoding="utf-8")
    code, seconds = _timed_check(template)
    assert code in (0, 2) and seconds < 10


def test_values_not_known_are_named_in_words_in_errors(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(
        "Conditions:\n  C: [!Ref AWS::Region]\n"
        + _vpc_with("!Select [!Ref Other, [10.0.0.0/16]]")
        + "  Other:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.1.0.0/16\n",
        encoding="utf-8",
    )
    sentence = refused(reachlint("check", template), "template.yaml", "the value of")
    assert "ResourceRef" not in sentence and "Unknown(" not in sentence


def test_a_second_byte_order_mark_is_named_without_python_s_advice(tmp_path: Path) -> None:
    path = tmp_path / "template.json"
    path.write_text("\ufeff\ufeff" + json.dumps({"Resources": {}}), encoding="utf-8")
    sentence = refused(reachlint("check", path), "template.json", "second byte order mark")
    assert "utf-8-sig" not in sentence


# An array that holds the one before it twice, forty times over: 2**40 leaves, 41 arrays.
DOUBLED = "reduce(range(0, 40), createArray({seed}), lambda('a', 'b', " + (
    "createArray(lambdaVariables('a'), lambdaVariables('a'))))"
)


def _network(name: str = "v", **properties: object) -> dict[str, object]:
    return {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-04-01",
            "name": name, "location": "westeurope", "properties": properties}  # fmt: skip


def _prefixes(*prefixes: str) -> dict[str, object]:
    return {"addressPrefixes": list(prefixes)}


def _arm(tmp_path: Path, *resources: dict[str, object], **sections: object) -> Path:
    return write_template(tmp_path, template_document(resources=list(resources), **sections))


@pytest.mark.parametrize(
    ("value", "secure"),
    [
        (f"[{DOUBLED.format(seed=chr(39) + 'x' + chr(39))}]", False),
        (f"[{DOUBLED.format(seed='parameters(' + chr(39) + 's' + chr(39) + ')')}]", True),
        (f"[union({DOUBLED.format(seed='1')}, createArray())]", False),
        (f"[equals({DOUBLED.format(seed='1')}, {DOUBLED.format(seed='1')})]", False),
        ("[sort(range(0, 4000), lambda('a', 'b', greater(lambdaVariables('a'), "
         "lambdaVariables('b'))))]", False),
    ],
    ids=["doubled", "doubled-secure", "union", "equals", "sort-4000"],
)  # fmt: skip
def test_a_value_that_holds_one_array_many_times_costs_what_its_arrays_do(
    tmp_path: Path, value: str, secure: bool
) -> None:
    secret = {"s": {"type": "securestring", "defaultValue": "hidden"}}
    path = _arm(tmp_path, _network(p=value), parameters=secret if secure else {})
    code, seconds = _timed_check(path)
    assert code in (0, 1) and seconds < 10


@pytest.mark.parametrize("written", ["[1]", '"parameters"'])
def test_a_parameters_file_beside_a_template_of_another_shape_is_refused(
    tmp_path: Path, written: str
) -> None:
    path = _arm(tmp_path, _network())
    (tmp_path / "azuredeploy.parameters.json").write_text(written, encoding="utf-8")
    refused(
        reachlint("check", path), "azuredeploy.parameters.json", "is not an ARM parameters file"
    )


def test_arm_notes_say_in_words_what_python_would_say(tmp_path: Path) -> None:
    network = _network(
        "[string(createArray(newGuid()))]",
        addressSpace=_prefixes(f"[json('{'1' * 4_400}')]", "[tenantResourceId()]"),
    )
    run = reachlint("check", _arm(tmp_path, network))
    assert run.code == 0, run.stderr
    assert "reads a number of too many digits" in run.stdout
    assert "cannot be evaluated with these arguments" in run.stdout
    for python in ("set_int_max_str_digits", "index out of range", "Unknown(", "object at 0x"):
        assert python not in run.stdout


def test_a_lambda_outside_the_functions_that_take_one_is_refused(tmp_path: Path) -> None:
    path = _arm(tmp_path, _network(p="[string(lambda('a', 1))]"))
    refused(reachlint("check", path), "t.json", "lambda() is only an argument")
    # A lambda that map() leaves in its result is no value either: said in words.
    nested = "[string(map(createArray(1), lambda('x', lambda('y', 1))))]"
    run = reachlint("check", _arm(tmp_path, _network(addressSpace=_prefixes(nested))))
    assert run.code == 0 and "is given a lambda()" in run.stdout, run.stdout
    assert "object at 0x" not in run.stdout


def test_a_string_of_long_digits_where_a_number_goes_is_not_read_as_one(tmp_path: Path) -> None:
    rule = {"name": "r", "properties": {"priority": "1" * 4_400, "protocol": "Tcp",
            "access": "Allow", "direction": "Inbound"}}  # fmt: skip
    group = {"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-04-01",
             "name": "nsg", "location": "westeurope",
             "properties": {"securityRules": [rule]}}  # fmt: skip
    run = reachlint("check", _arm(tmp_path, group))
    assert run.code == 0 and "too many digits" not in run.stderr, run.stderr


def test_a_chain_of_variables_within_the_evaluation_bounds_is_read(tmp_path: Path) -> None:
    # Each variable is the next one's text and a letter: 90 of them recurse deeper than
    # Python's default allows, well within reachlint's bound on evaluation depth.
    variables = {f"v{i}": f"[concat(variables('v{i + 1}'), 'a')]" for i in range(90)}
    path = _arm(tmp_path, _network("[variables('v0')]"), variables=variables | {"v90": "x"})
    run = reachlint("check", path)
    assert run.code == 0, run.stderr
