"""What Terraform's unknown values rest on, as the input names them.

The reading helpers every Terraform provider shares live in `links` (paths and links) and in
`reachlint.providers.values` (text, numbers, unknown items).
"""

from __future__ import annotations

from typing import Literal

from msgspec.structs import replace

from reachlint.formats.terraform.records import TfResource
from reachlint.sources import UnknownValue


def unknown_ranges(resource: TfResource, path: str) -> list[UnknownValue]:
    """The unknown address ranges at `path`, named by what they rest on: the variable, data
    source or attribute the configuration names, else the attribute itself."""
    version: Literal[4, 6] = 6 if "ipv6" in path.rsplit(".", 1)[-1] else 4
    parts = path.split(".")
    # A plan may record one expression for a whole list of blocks (ingress = [...]).
    named = next(
        (
            found
            for size in range(len(parts), 0, -1)
            if (found := resource.unknown_values.get(".".join(parts[:size])))
        ),
        None,
    )
    if named:
        return [replace(r, version=version) for r in named]
    attribute = f"{resource.address}.{path}"
    # Not in a block: the attribute itself is the one value (aws_vpc.main.cidr_block).
    exactly = attribute if "." not in path else None
    return [UnknownValue(sources=(attribute,), exactly=exactly, version=version)]


def outside_range(address: str, attribute: str) -> UnknownValue:
    """The range of a network or subnet the input names but does not declare."""
    name = f"{address}.{attribute}"
    return UnknownValue(sources=(name,), exactly=name)
