"""Digits that are not ASCII: Python's str.isdigit() says yes to "²", int() says no.

Wherever reachlint reads a number out of text (a plan's format version, a list index in a path,
an ARM priority, a provider version in the lock file, a number after a dot in HCL), such text is
read as text that is not a number: an input error or a value passed over, never an internal error.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.security.support import reachlint, refused

PLAN: dict[str, object] = {"format_version": "1.2", "terraform_version": "1.9.0"}
VPC = {"address": "aws_vpc.v", "mode": "managed", "type": "aws_vpc", "name": "v"}


def _plan(path: Path, **keys: object) -> Path:
    path.write_text(json.dumps({**PLAN, **keys}), encoding="utf-8")
    return path


def test_a_plan_format_version_in_superscript_is_refused(tmp_path: Path) -> None:
    plan = _plan(tmp_path / "plan.json", format_version="\u00b2.0", planned_values={})
    refused(reachlint("check", plan), "plan.json", "unsupported plan format version")


@pytest.mark.parametrize("step", ["\u00b2", "\u0663"])  # superscript two, Arabic-Indic three
def test_a_sensitive_mark_at_an_index_that_is_not_ascii_is_passed_over(
    tmp_path: Path, step: str
) -> None:
    values = {"cidr_block": "10.0.0.0/16", "tags": ["a"]}
    marks = {"tags": {step: True}}
    resource = {**VPC, "values": values, "sensitive_values": marks}
    change = {"actions": ["create"], "before": None, "after": values, "after_unknown": {},
              "after_sensitive": marks}  # fmt: skip
    plan = _plan(
        tmp_path / "plan.json",
        planned_values={"root_module": {"resources": [resource]}},
        resource_changes=[{**VPC, "change": change}],
    )
    run = reachlint("check", plan)
    assert run.code == 0, run.output


@pytest.mark.parametrize("priority", ["1\u00b2", "--100"])
def test_an_arm_priority_that_is_not_a_number_is_not_an_internal_error(
    tmp_path: Path, priority: str
) -> None:
    rule = {"name": "r", "properties": {"priority": priority, "access": "Allow",
            "direction": "Inbound", "protocol": "Tcp", "sourceAddressPrefix": "*",
            "sourcePortRange": "*", "destinationAddressPrefix": "*",
            "destinationPortRange": "22"}}  # fmt: skip
    nsg = {"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-09-01",
           "name": "nsg", "properties": {"securityRules": [rule]}}  # fmt: skip
    template = tmp_path / "azuredeploy.json"
    template.write_text(json.dumps({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0", "resources": [nsg]}))  # fmt: skip
    run = reachlint("check", template)
    assert run.code in (0, 1, 2) and "internal error" not in run.stderr, run.output


def test_a_provider_version_in_superscript_in_the_lock_file_is_not_an_internal_error(
    tmp_path: Path,
) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n}\n')
    (tmp_path / ".terraform.lock.hcl").write_text(
        'provider "registry.terraform.io/hashicorp/aws" {\n  version = "5.\u00b2"\n}\n',
        encoding="utf-8",
    )
    run = reachlint("check", tmp_path)
    assert run.code in (0, 1, 2) and "internal error" not in run.stderr, run.output


@pytest.mark.parametrize("port", ["\u0663", "\uff13", "2_2"])  # Arabic-Indic 3, fullwidth 3
def test_a_port_asked_for_in_digits_that_are_not_ascii_is_refused(
    tmp_path: Path, port: str
) -> None:
    # int() reads all three (as 3, 3 and 22); a port is written in ASCII digits.
    plan = _plan(tmp_path / "plan.json", planned_values={"root_module": {}})
    run = reachlint("query", plan, "--from", "internet", "--to", "any", "--port", port)
    refused(run, "--port", "is not a port")


@pytest.mark.parametrize(("key", "value"), [("ports", "\u0663"), ("protocol", "\u0666")])
def test_a_rules_file_port_or_protocol_in_digits_that_are_not_ascii_is_refused(
    tmp_path: Path, key: str, value: str
) -> None:
    rules = tmp_path / "rules.yaml"
    written = f"[{value!r}]" if key == "ports" else repr(value)
    rules.write_text(
        "version: 1\nrules:\n  - id: R\n    title: t\n    severity: low\n"
        f"    match: {{from: internet, to: any, {key}: {written}}}\n",
        encoding="utf-8",
    )
    plan = _plan(tmp_path / "plan.json", planned_values={"root_module": {}})
    # The rules file's schema refuses them before the ports are read.
    refused(reachlint("check", plan, "--rules", rules), "rules.yaml", "is not valid")


def test_a_protocol_asked_for_in_digits_that_are_not_ascii_is_refused(tmp_path: Path) -> None:
    plan = _plan(tmp_path / "plan.json", planned_values={"root_module": {}})
    run = reachlint("query", plan, "--from", "internet", "--to", "any", "--protocol", "\u0666")
    refused(run, "--protocol", "is not a protocol")
