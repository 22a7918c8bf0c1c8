"""Each input type's counterparts in the other dialects of its provider.

A dialect's table says which of the provider's kinds each of its types is; types of two dialects
that are the same kind are counterparts (`aws_instance` and `AWS::EC2::Instance`), so a rule's
`types` selects the same endpoints whatever the input. Types of one dialect are never each
other's counterparts: `aws_security_group_rule` does not select
`aws_vpc_security_group_ingress_rule`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache


@cache
def _kinds() -> dict[str, dict[str, list[str]]]:
    """Per dialect, each kind's types."""
    from reachlint.dialects.cloudformation.table import TYPES as CLOUDFORMATION
    from reachlint.dialects.terraform.aws import TYPES as TERRAFORM_AWS

    dialects: dict[str, dict[str, list[str]]] = {"terraform-aws": {}, "cloudformation": {}}
    for type_name, kind in TERRAFORM_AWS.items():
        if kind.modelled:
            dialects["terraform-aws"].setdefault(kind.kind, []).append(type_name)
    for type_name, spec in CLOUDFORMATION.items():
        for kind_name in spec.kinds:
            dialects["cloudformation"].setdefault(kind_name, []).append(type_name)
    return dialects


@cache
def counterparts() -> dict[str, list[str]]:
    """Every type's counterparts in the other dialects."""
    found: dict[str, list[str]] = {}
    dialects = _kinds()
    for dialect, kinds in dialects.items():
        for kind_name, types in kinds.items():
            others = [
                other
                for name, other_kinds in dialects.items()
                if name != dialect
                for other in other_kinds.get(kind_name, [])
            ]
            for type_name in types:
                found.setdefault(type_name, [])
                found[type_name] += [o for o in others if o not in found[type_name]]
    return {type_name: others for type_name, others in found.items() if others}


class Counterparts(Mapping[str, list[str]]):
    """`counterparts()`, read when first asked: most checks use no `types` selector, and the
    tables of every dialect need not be imported for them."""

    def __getitem__(self, type_name: str) -> list[str]:
        return counterparts()[type_name]

    def __iter__(self) -> Iterator[str]:
        return iter(counterparts())

    def __len__(self) -> int:
        return len(counterparts())


def markdown_table() -> str:
    """The table docs/types.md shows: each kind with its Terraform and CloudFormation types."""
    dialects = _kinds()
    kinds = sorted(set(dialects["terraform-aws"]) | set(dialects["cloudformation"]))
    lines = [
        "| kind | Terraform (aws) | CloudFormation |",
        "|---|---|---|",
    ]
    for kind_name in kinds:
        terraform = ", ".join(f"`{t}`" for t in dialects["terraform-aws"].get(kind_name, []))
        cloudformation = ", ".join(f"`{t}`" for t in dialects["cloudformation"].get(kind_name, []))
        lines.append(f"| {kind_name} | {terraform or '—'} | {cloudformation or '—'} |")
    return "\n".join(lines) + "\n"
