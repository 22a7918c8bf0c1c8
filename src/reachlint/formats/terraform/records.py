"""Terraform resources as both Terraform loaders hand them to the provider mappers.

A plan (`terraform show -json`) and a configuration directory both come down to a list of
`TfResource`: the resource's values as far as they are known before apply, and, per attribute,
the resources its expression refers to. References are what connect objects in a new plan,
where every id is "known after apply".
"""

from __future__ import annotations

from typing import Any, Literal

from msgspec import Struct, field

from reachlint.sensitive import texts
from reachlint.sources import UNKNOWN as UNKNOWN  # every reader's marker, named here too
from reachlint.sources import Origin, UnknownValue


def is_unknown(value: object) -> bool:
    return value is UNKNOWN


class ProviderConfig(Struct):
    """The configuration of the provider a resource uses, as far as it is known before apply."""

    address: str  # provider.aws.west, module.net.provider.aws
    values: dict[str, Any] = field(default_factory=dict)  # UNKNOWN where not known
    sensitive: list[str] = field(default_factory=list)  # attribute paths, as TfResource's


class TfResource(Struct):
    address: str  # full instance address: module.web.aws_instance.this[0], aws_subnet.a["x"]
    type: str  # aws_instance
    name: str  # this
    module: str = ""  # module.web ("" for the root module)
    index: int | str | None = None  # count index or for_each key
    mode: Literal["managed", "data"] = "managed"
    # Values as planned; UNKNOWN where known only after apply. Nested blocks are lists of dicts.
    values: dict[str, Any] = field(default_factory=dict)
    # Attribute path -> addresses of the resources the expression refers to, resolved through
    # module inputs and outputs to the resource itself (with its index where it is known).
    # Paths join block names, block positions and attribute names with dots:
    # "vpc_id", "vpc_security_group_ids", "ingress.0.security_groups", "subnet_mapping.1.subnet_id".
    references: dict[str, list[str]] = field(default_factory=dict)
    origin: Origin = field(default_factory=Origin)
    # Attribute path -> where that attribute or block is written (when the source is known).
    attribute_origins: dict[str, Origin] = field(default_factory=dict)
    # Planned change: "create", "update", "no-op", "replace", "read" ("delete" never reaches here).
    action: str = "create"
    # Attribute paths (as in `references`) whose values are sensitive: used, never shown.
    sensitive: list[str] = field(default_factory=list)
    # Attribute path -> what its unknown values rest on (var.x, data.y.z, aws_vpc.main.cidr_block);
    # one entry per unknown value at that path, on the path convention of `references`.
    unknown_values: dict[str, list[UnknownValue]] = field(default_factory=dict)
    # Whether the input says how the resource is written. A plan without its configuration
    # does not: there, a value known only after apply may be written, or left to the provider.
    configured: bool = True
    # Its provider's configuration, where the input says which it is and the provider's
    # dialect reads it (default tags); None: not written, or not read.
    provider: ProviderConfig | None = None

    def sensitive_texts(self) -> set[str]:
        """The text of every sensitive value of this resource and of its provider's."""
        found: set[str] = set()
        for path in self.sensitive:
            found.update(texts(_at_path(self.values, path.split("."))))
        if self.provider is not None:
            for path in self.provider.sensitive:
                found.update(texts(_at_path(self.provider.values, path.split("."))))
        return found


def _at_path(value: Any, steps: list[str]) -> Any:
    """The value at a dotted path; list positions are numbers, a list of scalars ends one."""
    for step in steps:
        if isinstance(value, dict):
            value = value.get(step)
        elif isinstance(value, list) and step.isdecimal() and int(step) < len(value):
            value = value[int(step)]
        else:
            return None
    return value
