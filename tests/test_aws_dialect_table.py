"""Terraform's aws dialect: a table from Terraform's types and attributes to AWS's kinds and fields,
read through the provider's protocol, and a provider package that never spells Terraform."""

from __future__ import annotations

import ast
from pathlib import Path

from reachlint.dialects.terraform.aws import TYPES
from reachlint.dialects.terraform.inventory import TerraformInventory
from reachlint.dialects.terraform.links import Resolver, ResourceIndex
from reachlint.formats.terraform.records import UNKNOWN, TfResource
from reachlint.model.network import NetworkModel
from reachlint.providers.aws.source import KINDS
from reachlint.sources import Origin

PROVIDER = Path(__file__).resolve().parent.parent / "src" / "reachlint" / "providers" / "aws"


def _inventory(*resources: TfResource) -> tuple[TerraformInventory, NetworkModel]:
    model = NetworkModel()
    index = ResourceIndex(list(resources))
    return TerraformInventory(index, Resolver(index, {}, model.note), TYPES), model


def _subnet(values: dict[str, object], references: dict[str, list[str]]) -> TfResource:
    return TfResource(
        address="aws_subnet.a",
        type="aws_subnet",
        name="a",
        values=values,
        references=references,
        origin=Origin(file="main.tf", line=1),
    )


# Kinds only CloudFormation writes as resources of their own: Terraform's aws provider has a
# subnet's IPv6 block on `aws_subnet` alone.
CLOUDFORMATION_ONLY = {"subnet-cidr-block"}


def test_every_kind_in_the_table_is_one_aws_knows_and_every_kind_has_a_type() -> None:
    in_table = {kind.kind for kind in TYPES.values()}
    assert in_table - set(KINDS) == set()
    assert set(KINDS) - in_table == CLOUDFORMATION_ONLY


def test_an_attribute_the_provider_computes_reads_as_unwritten_while_unknown() -> None:
    # The aws provider assigns a subnet's IPv6 block itself when none is written: unknown in a
    # plan and referring to nothing, the attribute says nothing about the subnet.
    inv, _ = _inventory(_subnet({"ipv6_cidr_block": UNKNOWN}, {}))
    (subnet,) = inv.of("subnet")
    assert subnet.value("ipv6_cidr") is None
    # Written from something known only after apply, it is unknown.
    inv, _ = _inventory(_subnet({"ipv6_cidr_block": UNKNOWN}, {"ipv6_cidr_block": ["var.v6"]}))
    (subnet,) = inv.of("subnet")
    assert subnet.value("ipv6_cidr") is UNKNOWN
    # An attribute the provider does not compute stays unknown.
    assert subnet.value("cidr") is None
    inv, _ = _inventory(_subnet({"cidr_block": UNKNOWN}, {}))
    (subnet,) = inv.of("subnet")
    assert subnet.value("cidr") is UNKNOWN


def test_fields_are_spelled_as_terraform_writes_them_in_notes() -> None:
    inv, model = _inventory(_subnet({"vpc_id": "vpc-0abc"}, {}))
    (subnet,) = inv.of("subnet")
    assert subnet.path("network") == "vpc_id"
    links = subnet.links("network", frozenset({"vpc"}), "VPC", unknown := [])
    assert (links.literals, unknown) == (["vpc-0abc"], ["vpc_id"])
    assert [n.message for n in model.notes] == [
        "vpc_id names vpc-0abc, which is not in the input; its VPC is unknown"
    ]


def test_the_provider_package_never_spells_a_terraform_type_or_attribute() -> None:
    spelled = []
    for module in sorted(PROVIDER.glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
                if text.startswith("aws_") or text.endswith(("_id", "_ids", "_arn", "_arns")):
                    spelled.append(f"{module.name}: {text!r}")
    assert spelled == []
