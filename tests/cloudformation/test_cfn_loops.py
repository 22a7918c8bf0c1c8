"""Fn::ForEach (AWS::LanguageExtensions), written out as the transform does: `${x}` and
`&{x}` in keys and values, `Ref: x`, nested loops, a collection from a parameter; a collection
only the deployment knows is named in a note, never read as empty without a word."""

from __future__ import annotations

from pathlib import Path

import pytest

from reachlint.errors import InputError
from reachlint.formats.cloudformation.document import parse_template
from reachlint.formats.cloudformation.intrinsics import Evaluator
from reachlint.formats.cloudformation.loops import expand_loops
from reachlint.inputs.load import build_model
from tests.cloudformation.templates import NETWORK

HEAD = "Transform: AWS::LanguageExtensions\nResources:\n"
# NETWORK with a nested stack whose output is the SSH rule's source, and a loop beside.
PARENT = "Transform: AWS::LanguageExtensions\n" + NETWORK.replace(
    "GROUP_RULES",
    "      SecurityGroupIngress:\n"
    "        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !GetAtt Child.Outputs.Admin}\n"
    "  Child:\n    Type: AWS::CloudFormation::Stack\n"
    "    Properties: {TemplateURL: ./child.yaml}\n"
    "  Fn::ForEach::Extra:\n    - N\n    - [a]\n"
    "    - Tag${N}: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.8.0.0/16}}",
)


def _expanded(text: str) -> tuple[dict[str, object], list[tuple[str, str, int | None]]]:
    document = parse_template(text, "t.yaml")
    notes: list[tuple[str, str, int | None]] = []
    evaluator = Evaluator(document, "t.yaml")
    result = expand_loops(document, "t.yaml", evaluator.value, lambda *n: notes.append(n))
    return dict(result["Resources"]), notes


def test_keys_values_and_refs_take_each_value() -> None:
    resources, notes = _expanded(
        HEAD
        + "  Fn::ForEach::Topics:\n    - Name\n    - [a.b, c-d]\n"
        + "    - Topic&{Name}:\n        Type: AWS::SNS::Topic\n"
        + "        Properties: {TopicName: !Ref Name, DisplayName: !Sub 'x-${Name}'}\n"
    )
    assert notes == []
    assert sorted(resources) == ["Topicab", "Topiccd"]
    assert resources["Topicab"]["Properties"] == {
        "TopicName": "a.b",
        "DisplayName": {"Fn::Sub": "x-a.b"},
    }


def test_loops_nest() -> None:
    resources, _ = _expanded(
        HEAD
        + "  Fn::ForEach::Outer:\n    - Tier\n    - [web, app]\n"
        + "    - Fn::ForEach::Inner:\n        - Zone\n        - [a, b]\n"
        + "        - ${Tier}${Zone}:\n            Type: AWS::EC2::Subnet\n"
    )
    assert sorted(resources) == ["appa", "appb", "weba", "webb"]


def test_a_collection_from_a_parameter_and_one_not_known() -> None:
    text = (
        "Parameters:\n  Given: {Type: CommaDelimitedList, Default: 'x,y'}\n"
        "  Later: {Type: CommaDelimitedList}\n" + HEAD
        + "  Fn::ForEach::Known:\n    - N\n    - !Ref Given\n    - R${N}: {Type: AWS::SNS::Topic}\n"
        + "  Fn::ForEach::Later:\n    - N\n    - !Ref Later\n    - L${N}: {Type: AWS::SNS::Topic}\n"
    )  # fmt: skip
    resources, notes = _expanded(text)
    assert sorted(resources) == ["Rx", "Ry"]
    assert [(key, line) for key, _message, line in notes] == [("Fn::ForEach::Later", 10)]
    assert "known only at deployment" in notes[0][1]


@pytest.mark.parametrize(
    ("loop", "words"),
    [
        ("    - N\n    - [a, a]\n    - R${N}: {Type: AWS::SNS::Topic}\n", "more than once"),
        ("    - N\n    - [a]\n", "takes [identifier, collection"),
        ("    - ''\n    - [a]\n    - R: {Type: AWS::SNS::Topic}\n", "must be a name"),
    ],
)
def test_a_loop_written_wrong_is_an_input_error(loop: str, words: str) -> None:
    with pytest.raises(InputError, match=r".*") as raised:
        _expanded(HEAD + "  Fn::ForEach::L:\n" + loop)
    assert words in str(raised.value)


def test_what_a_loop_writes_is_bounded() -> None:
    # Two nested loops of 400 values write 160,000 entries: past the resources a template may
    # hold, refused before they are made.
    values = "[" + ", ".join(f"v{i}" for i in range(400)) + "]"
    text = (
        HEAD + f"  Fn::ForEach::A:\n    - X\n    - {values}\n"
        f"    - Fn::ForEach::B:\n        - Y\n        - {values}\n"
        "        - R${X}${Y}: {Type: AWS::SNS::Topic}\n"
    )
    with pytest.raises(InputError, match="Fn::ForEach writes too many entries"):
        _expanded(text)


def test_a_template_with_loops_is_modelled(tmp_path: Path) -> None:
    fixture = Path(__file__).resolve().parents[2] / "fixtures/cloudformation/for-each-servers"
    model = build_model([fixture / "template.yaml"])
    assert {"webServer", "apiServer"} <= set(model.endpoints)
    assert any("Fn::ForEach::Unknown" in note.message for note in model.notes)


def test_a_template_with_loops_reads_its_nested_stacks_outputs(tmp_path: Path) -> None:
    # The SSH rule's source is a nested stack's output (a documentation range): with a loop in
    # the parent, the output must still be read, not taken as any address.
    (tmp_path / "child.yaml").write_text(
        "Resources:\n  Dummy:\n    Type: AWS::EC2::VPC\n    Properties: {CidrBlock: 10.9.0.0/16}\n"
        "Outputs:\n  Admin:\n    Value: 203.0.113.0/24\n"
    )
    parent = tmp_path / "parent.yaml"
    parent.write_text(PARENT)
    model = build_model([parent])
    rules = [r for g in model.security_groups.values() for r in g.rules if r.direction == "ingress"]
    assert [rule.cidrs for rule in rules if rule.cidrs] == [["203.0.113.0/24"]]


def test_a_ref_that_names_no_identifier_is_left_as_written() -> None:
    resources, _ = _expanded(
        HEAD
        + "  Odd:\n    Type: AWS::SNS::Topic\n    Properties: {TopicName: {Ref: [Vpc]}}\n"
        + "  Fn::ForEach::L:\n    - N\n    - [a]\n    - R${N}: {Type: AWS::SNS::Topic}\n"
    )
    assert sorted(resources) == ["Odd", "Ra"]


def test_a_small_loop_over_a_large_fragment_is_bounded() -> None:
    big = "[" + ", ".join("0" for _ in range(50_000)) + "]"
    values = "[" + ", ".join(f"v{i}" for i in range(60)) + "]"
    text = (
        HEAD + f"  Fn::ForEach::A:\n    - X\n    - {values}\n"
        f"    - R${{X}}:\n        Type: AWS::SNS::Topic\n        Metadata: {{M: {big}}}\n"
    )
    with pytest.raises(InputError, match="Fn::ForEach writes too large a template"):
        _expanded(text)
