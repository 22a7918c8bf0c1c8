"""A number longer than Python reads as an integer (4,300 digits: reading one is quadratic
without that bound), and an escape naming no Unicode character: wherever an input may hold
them, they are an input error naming the file and line, never an internal error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.security.support import reachlint, refused

LONG = "9" * 4_301
ARM_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
TEMPLATE = {"$schema": ARM_SCHEMA, "contentVersion": "1.0.0.0", "resources": []}
PLAN_START = '{"format_version": "1.2",\n"variables": {"x": {"value": '
WORDS = ("a number of 4,301 digits", "limit of 4,300 digits")


def _write(directory: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("files", "given", "refused_file", "line"),
    [
        pytest.param(
            {"plan.json": PLAN_START + LONG + "}}}"},
            "plan.json", "plan.json", 2, id="plan",
        ),
        pytest.param(
            {"azuredeploy.json": json.dumps(TEMPLATE)[:-1] + ',\n"outputs": {"x": ' + LONG + "}}"},
            "azuredeploy.json", "azuredeploy.json", 2, id="arm-template",
        ),
        pytest.param(
            {
                "azuredeploy.json": json.dumps({**TEMPLATE, "parameters": {"n": {"type": "int"}}}),
                "azuredeploy.parameters.json": '{"parameters":\n{"n": {"value": ' + LONG + "}}}",
            },
            "azuredeploy.json", "azuredeploy.parameters.json", 2, id="arm-parameters",
        ),
        pytest.param(
            {"template.yaml": "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\nX: " + LONG},
            "template.yaml", "template.yaml", 3, id="cloudformation-yaml",
        ),
        pytest.param(
            {"main.tf": 'locals {\n  n = ' + LONG + "\n}"}, ".", "main.tf", 2, id="hcl-number",
        ),
        pytest.param(
            {"main.tf": 'locals {\n  l = [1]\n  n = local.l.' + LONG + "\n}"},
            ".", "main.tf", 3, id="hcl-index",
        ),
        pytest.param(
            {"main.tf": 'variable "n" {}', "terraform.tfvars.json": '{\n"n": ' + LONG + "}"},
            ".", "terraform.tfvars.json", 2, id="tfvars-json",
        ),
        pytest.param(
            {"main.tf": 'variable "n" {}', "terraform.tfvars": "\nn = " + LONG},
            ".", "terraform.tfvars", 2, id="tfvars",
        ),
    ],
)  # fmt: skip
def test_a_number_too_long_to_read_is_refused_at_its_line(
    tmp_path: Path, files: dict[str, str], given: str, refused_file: str, line: int
) -> None:
    _write(tmp_path, files)
    sentence = refused(reachlint("check", tmp_path / given), refused_file, *WORDS)
    assert f"{refused_file}:{line}: " in sentence


def test_a_long_number_in_a_plan_s_resource_changes_is_refused_naming_the_plan(
    tmp_path: Path,
) -> None:
    # The changes of a resource the plan lists nowhere else are decoded only when read.
    change = {"actions": ["create"], "after": {"cidr_block": 0}}
    plan = {"format_version": "1.2", "resource_changes": [
        {"address": "aws_vpc.a", "mode": "managed", "type": "aws_vpc", "name": "a",
         "change": change}
    ]}  # fmt: skip
    text = json.dumps(plan).replace('"cidr_block": 0', '"cidr_block": ' + LONG)
    _write(tmp_path, {"plan.json": text})
    refused(reachlint("check", tmp_path / "plan.json"), "plan.json", "too many digits")


def test_a_long_number_in_an_arm_expression_is_refused_at_its_line(tmp_path: Path) -> None:
    resource = {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-04-01",
                "name": f"[string({LONG})]", "location": "westeurope"}  # fmt: skip
    _write(tmp_path, {"azuredeploy.json": json.dumps({**TEMPLATE, "resources": [resource]})})
    sentence = refused(
        reachlint("check", tmp_path / "azuredeploy.json"), "azuredeploy.json", "4,301 digits"
    )
    assert "azuredeploy.json:1: " in sentence


def test_a_cloud_assembly_manifest_with_a_long_number_is_refused_at_its_line(
    tmp_path: Path,
) -> None:
    assembly = tmp_path / "cdk.out"
    assembly.mkdir()
    (assembly / "manifest.json").write_text('{"version": "36.0.0",\n"x": ' + LONG + "}")
    sentence = refused(reachlint("check", assembly), "manifest.json", *WORDS)
    assert "manifest.json:2: " in sentence and "set_int_max_str_digits" not in sentence


def test_a_rules_file_with_a_number_too_long_to_read_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, {"main.tf": "", "rules.yaml": "version: 1\nrules:\n  - id: " + LONG})
    sentence = refused(
        reachlint("check", tmp_path, "--rules", tmp_path / "rules.yaml"), "rules.yaml"
    )
    assert "rules.yaml:3: a number of 4,301 digits" in sentence


@pytest.mark.parametrize("escape", ["\\U00110000", "\\uD800", "\\UDFFFFFFF"])
def test_an_hcl_escape_naming_no_unicode_character_is_a_syntax_error(
    tmp_path: Path, escape: str
) -> None:
    _write(tmp_path, {"main.tf": 'locals {\n  s = "' + escape + '"\n}'})
    sentence = refused(reachlint("check", tmp_path), "main.tf", "invalid escape sequence")
    assert "main.tf:2: " in sentence


def test_a_reader_that_names_no_file_still_gives_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Python's own error, from wherever a reader did not bound the number yet: the input's
    # doing, so exit 2 and one sentence, never "internal error".
    from reachlint.commands import check

    def reads_too_long(*_args: object, **_kwargs: object) -> None:
        int(LONG)

    monkeypatch.setattr(check, "build_model", reads_too_long)
    _write(tmp_path, {"main.tf": ""})
    sentence = refused(reachlint("check", tmp_path), "an input", *WORDS[1:])
    assert "a number of too many digits" in sentence
