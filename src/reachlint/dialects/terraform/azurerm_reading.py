"""azurerm's own reading: planned values, UNKNOWN, and the references Terraform resolved.

`TfInput` presents azurerm resources to the Azure provider (`providers/azure`) through its
`Resource` protocol, with `azurerm_table` saying which attribute holds each field. A value known
only after apply is UNKNOWN (noted `... is known only after apply`, or, for an address range,
by what it rests on); a link follows the references the loader resolved, then known Azure ids,
then names (see `azurerm_links`). Entries are nested blocks, addressed by their path
(`security_rule.0.priority`) so that each note points at its own line.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from reachlint.dialects.terraform.azurerm_table import ENTRIES, FIELDS, SETTINGS, TYPES, Field
from reachlint.dialects.terraform.values import (
    has_unknown,
    integer,
    string_value,
    strings,
    unknown_ranges,
)
from reachlint.formats.terraform.records import TfResource
from reachlint.providers.azure.resources import Resource, Settings
from reachlint.sources import Origin, UnknownValue

if TYPE_CHECKING:
    from reachlint.dialects.terraform.azurerm import _Mapper


def blocks(value: Any) -> list[dict[str, Any]]:
    """Nested blocks as dicts; UNKNOWN or absent means none are written here."""
    if isinstance(value, dict):
        return [value]
    return [b for b in value if isinstance(b, dict)] if isinstance(value, list) else []


class TfInput:
    """azurerm resources, read for the Azure provider; notes in Terraform's words."""

    settings: Settings = SETTINGS

    def __init__(self, links: _Mapper) -> None:
        self.links = links
        self.idx = links.idx
        self.model = links.model

    def of(self, kind: str) -> list[Resource]:
        return [
            TfEntry(self, resource, kind)
            for type_name, its_kind in TYPES.items()
            if its_kind == kind
            for resource in self.idx.of(type_name)
        ]

    def note(self, resource: TfResource, message: str, path: str | None = None) -> None:
        origin = resource.attribute_origins.get(path, resource.origin) if path else None
        self.model.note(message, resource.address, origin or resource.origin)

    def block_origin(self, resource: TfResource, path: str) -> Origin:
        return resource.attribute_origins.get(path, resource.origin)


class TfEntry:
    """A resource, or a block written inside one, as the provider's `Resource`."""

    def __init__(
        self,
        tf: TfInput,
        resource: TfResource,
        kind: str,
        *,
        prefix: str = "",
        block: dict[str, Any] | None = None,
        address: str | None = None,
    ) -> None:
        self.tf = tf
        self.resource = resource
        self.kind = kind
        self.fields = FIELDS.get(kind, {})
        self.prefix = prefix  # "security_rule.0." for a block; "" for the resource itself
        self.block = block if block is not None else resource.values
        self.address = address or resource.address
        self.type = resource.type
        self.origin = tf.block_origin(resource, prefix[:-1]) if prefix else resource.origin
        self.name = string_value(self.block.get("name")) or self.address

    def _spec(self, field: str) -> tuple[Field, Any]:
        spec = self.fields[field]
        return spec, self.block.get(spec.names[0])

    def text(self, field: str, unknown: list[str] | None = None) -> str | None:
        value = self._spec(field)[1]
        return value if isinstance(value, str) else None

    def number(self, field: str, unknown: list[str] | None = None) -> int | None:
        return integer(self._spec(field)[1])

    def flag(self, field: str) -> bool | None:
        value = self._spec(field)[1]
        return value if isinstance(value, bool) else None

    def texts(self, field: str, unknown: list[str] | None = None) -> list[str]:
        found: list[str] = []
        for name in self.fields[field].names:
            value = self.block.get(name)
            if has_unknown(value):
                if unknown is not None:
                    unknown.append(name)
                path = self.prefix + name
                self.tf.note(self.resource, f"{path} is known only after apply", path)
            listed = value if isinstance(value, list) else [value]
            found.extend(str(v) for v in listed if isinstance(v, str | int) and v != "")
        return found

    def cidrs(
        self, field: str, unknown: list[str], ranges: list[UnknownValue] | None = None
    ) -> list[str]:
        raise NotImplementedError

    def prefixes(self, field: str, unknown: list[str], ranges: list[UnknownValue]) -> list[str]:
        found: list[str] = []
        for name in self.fields[field].names:
            value = self.block.get(name)
            found.extend(strings(value))
            if not has_unknown(value):
                continue
            path = self.prefix + name
            # `azurerm_subnet.web.address_prefixes`: the range of a subnet or VNet in the input.
            known = self.tf.links.referenced_ranges(self.resource, path)
            if known:
                found.extend(known)
                continue
            named = unknown_ranges(self.resource, path)
            ranges.extend(named)
            rests_on = ", ".join(s for r in named for s in r.sources)
            self.tf.note(self.resource, f"{path} is not known before apply: {rests_on}", path)
        return found

    def link(self, field: str, unknown: list[str] | None = None) -> str | None:
        spec, value = self._spec(field)
        path = self.prefix + spec.names[0]
        found = self.tf.links.one(
            self.resource, path, spec.types, unknown, spec.what, by_name=spec.by_name
        )
        if found is None and spec.assume_only and has_unknown(value):
            candidates = list(self.tf.idx.of(*sorted(spec.types or ())))
            if len(candidates) == 1:
                found = candidates[0].address
                self.tf.note(self.resource, spec.assume_only.format(address=found))
        return found

    def links(self, field: str, unknown: list[str] | None = None) -> list[str]:
        spec = self.fields[field]
        path = self.prefix + spec.names[0]
        if not spec.unresolved:
            return self.tf.links.resolve(
                self.resource, path, spec.types, unknown, spec.what
            ).addresses
        found = self.tf.links.resolve(self.resource, path, spec.types, None, spec.what)
        if found.unresolved:
            if unknown is not None:
                unknown.append(spec.names[0])
            what = ", ".join(found.literals) or "groups that cannot be resolved"
            self.tf.note(self.resource, spec.unresolved.format(path=path, what=what), path)
        return found.addresses

    def given(self, field: str) -> bool:
        spec = self.fields[field]
        return self.tf.links.resolve(self.resource, self.prefix + spec.names[0], spec.types).given

    def entries(self, field: str, unknown: list[str] | None = None) -> list[Resource]:
        spec = ENTRIES[self.kind][field]
        return [
            TfEntry(self.tf, self.resource, spec.kind, prefix=f"{self.prefix}{spec.block}.{i}.",
                    block=block, address=self.address)
            for i, block in enumerate(blocks(self.block.get(spec.block)))
        ]  # fmt: skip

    def note(self, message: str, here: bool = False) -> None:
        self.tf.note(self.resource, message, self.prefix[:-1] if here and self.prefix else None)

    def missing(self, field: str, unknown: list[str]) -> None:
        spec = self.fields[field]
        unknown.append(spec.names[0])
        path = self.prefix + spec.names[0]
        self.tf.note(self.resource, spec.missing.format(path=path, name=self.name), path)

    def invalid(self, field: str, written: Iterable[str], unknown: list[str]) -> None:
        spec = self.fields[field]
        unknown.append(spec.names[0])
        path = self.prefix + spec.names[0]
        self.tf.note(self.resource, spec.invalid.format(path=path, written=list(written)))
