"""What Terraform's unknown values rest on, as the input names them.

The reading helpers every Terraform provider shares live in `links` (paths and links) and in
`reachlint.providers.values` (text, numbers, unknown items); they are named here too, for the
mappers that read them from here.
"""

from __future__ import annotations

from reachlint.dialects.terraform.links import ResourceIndex as ResourceIndex
from reachlint.dialects.terraform.links import Types as Types
from reachlint.dialects.terraform.links import value_at as value_at
from reachlint.dialects.terraform.links import without_positions as without_positions
from reachlint.formats.terraform.records import TfResource
from reachlint.providers.values import dedupe as dedupe
from reachlint.providers.values import has_unknown as has_unknown
from reachlint.providers.values import integer as integer
from reachlint.providers.values import string_value as string_value
from reachlint.providers.values import strings as strings
from reachlint.sources import UnknownValue


def unknown_ranges(resource: TfResource, path: str) -> list[UnknownValue]:
    """The unknown address ranges at `path`, named by what they rest on: the variable, data
    source or attribute the configuration names, else the attribute itself."""
    version = 6 if "ipv6" in path.rsplit(".", 1)[-1] else 4
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
        return [r.model_copy(update={"version": version}) for r in named]
    attribute = f"{resource.address}.{path}"
    # Not in a block: the attribute itself is the one value (aws_vpc.main.cidr_block).
    exactly = attribute if "." not in path else None
    return [UnknownValue(sources=(attribute,), exactly=exactly, version=version)]


def outside_range(address: str, attribute: str) -> UnknownValue:
    """The range of a network or subnet the input names but does not declare."""
    name = f"{address}.{attribute}"
    return UnknownValue(sources=(name,), exactly=name)
