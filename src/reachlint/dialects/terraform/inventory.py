"""A provider's protocol over Terraform resources: kinds and fields read through a dialect's table.

A table maps each Terraform type to a provider kind and each provider field to the attribute
path that holds it (`Field`). Reading a field reads that attribute; links follow the plan's
references, then known ids (`links.Resolver`). What Terraform itself decides lives here: an
attribute the provider computes when it is not written reads as not written while unknown;
blocks written as one list share their references, dealt out by source order when they can be.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from msgspec import Struct, field

from reachlint.dialects.terraform.links import (
    Resolver,
    ResourceIndex,
    blocks,
    origin_at,
    value_at,
)
from reachlint.dialects.terraform.values import unknown_ranges
from reachlint.formats.terraform.records import UNKNOWN, TfResource
from reachlint.providers.aws.source import Entry, Kinds, Links
from reachlint.providers.values import dedupe, has_unknown
from reachlint.sources import Origin, UnknownValue


class Field(Struct):
    """Where a provider field is written in a Terraform type."""

    path: str
    # The provider fills the attribute in when it is not written: unknown and referring to
    # nothing (neither a resource nor a value not known, such as a variable without one), it
    # reads as not written.
    computed: bool = False
    unless: str | None = None  # ...except when this flag of the resource is true
    by_name: bool = False  # it may name a resource by its name
    fixed: Any = None  # a value the type itself says (an ingress rule's direction)
    default: Any = None  # the provider's value when it is not written
    entries: Fields | None = None  # nested blocks, and their fields
    # Links written anywhere inside the block, under these keys (actions nested in actions).
    nested: tuple[str, ...] = ()
    of_provider: bool = False  # written in the configuration of the resource's provider
    # The value as the provider reads the field, from what Terraform writes (blocks as a map).
    convert: Callable[[Any], Any] | None = None

    def __post_init__(self) -> None:
        if self.entries is not None:
            self.entries = _specs(self.entries)


Fields = Mapping[str, Field | str]  # provider field -> where it is written (a path: a Field)


def entries(path: str, fields: Fields) -> Field:
    return Field(path, entries=fields)


def _specs(fields: Fields) -> dict[str, Field]:
    return {name: Field(f) if isinstance(f, str) else f for name, f in fields.items()}


class Kind(Struct):
    """A Terraform type as a provider kind, with its fields."""

    kind: str
    fields: Fields = field(default_factory=dict)
    modelled: bool = True  # False: named as a link's kind only; the type still gets its note

    def __post_init__(self) -> None:
        self.fields = _specs(self.fields)


def _field(fields: Fields, name: str) -> Field | None:
    found = fields.get(name)
    return Field(found) if isinstance(found, str) else found


# The attributes of aws_vpc that name what AWS gives every VPC, without their `_id`.
_IMPLIED = {
    "default-security-group": "default_security_group",
    "default-network-acl": "default_network_acl",
    "default-route-table": "main_route_table",
    "internet-gateway": "internet_gateway",
}


class TerraformInventory:
    """The resources of one input that a table maps, as the provider's protocol reads them."""

    def __init__(self, index: ResourceIndex, links: Resolver, table: Mapping[str, Kind]) -> None:
        self.idx = index
        self.links = links
        self.table = table
        self.types: dict[str, list[str]] = {}
        for type_name, kind in table.items():
            self.types.setdefault(kind.kind, []).append(type_name)
        self._types_of: dict[frozenset[str], frozenset[str]] = {}

    def types_of(self, kinds: Kinds) -> frozenset[str] | None:
        if kinds is None:
            return None
        found = self._types_of.get(kinds)
        if found is None:
            found = frozenset(t for kind in kinds for t in self.types.get(kind, ()))
            self._types_of[kinds] = found
        return found

    def view(self, resource: TfResource) -> TerraformResource | None:
        kind = self.table.get(resource.type)
        return TerraformResource(self, resource, kind) if kind is not None else None

    def of(self, *kinds: str) -> Iterator[TerraformResource]:
        for kind in kinds:
            for type_name in self.types.get(kind, ()):
                for resource in self.idx.of(type_name):
                    yield TerraformResource(self, resource, self.table[type_name])

    def existing(self, kind: str) -> Iterator[TerraformResource]:
        family = self.types_of(frozenset({kind, f"default-{kind}"})) or frozenset()
        for type_name in self.types.get(kind, ()):
            for resource in self.idx.data.get(type_name, ()):
                if self.links.data_alias(resource, family) is None:
                    yield TerraformResource(self, resource, self.table[type_name])

    def get(self, address: str) -> TerraformResource | None:
        resource = self.idx.by_address.get(address)
        return self.view(resource) if resource is not None else None

    def named(self, kind: str, name: str) -> str | None:
        return self.links.named(self.types_of(frozenset({kind})), name)

    def alias(self, address: str, to: str) -> None:
        self.links.alias[address] = to

    def type_name(self, kind: str) -> str:
        return self.types[kind][0]

    def implied_name(self, kind: str) -> str:
        return _IMPLIED[kind]

    def field_name(self, kind: str, name: str) -> str:
        found = _field(self.table[self.type_name(kind)].fields, name)
        assert found is not None, f"{kind} has no field {name}"
        return found.path


class TerraformFields:
    """A resource, or one block nested in it, read by the provider's field names."""

    def __init__(
        self,
        inv: TerraformInventory,
        resource: TfResource,
        fields: Mapping[str, Field | str],
        prefix: str = "",
        block: Any = None,
        position: int = 0,
    ) -> None:
        self.inv = inv
        self.resource = resource
        self.fields = fields
        self._prefix = prefix
        self.block = resource.values if not prefix else block
        self.position = position

    @property
    def address(self) -> str:
        return self.resource.address

    @property
    def type(self) -> str:
        return self.resource.type

    @property
    def origin(self) -> Origin:
        if not self._prefix:
            return self.resource.origin
        return origin_at(self.resource, self._prefix[:-1])

    @property
    def prefix(self) -> str:
        return self._prefix

    def _spec(self, name: str) -> Field:
        found = _field(self.fields, name)
        if found is None:
            raise KeyError(f"{self.resource.type} has no field {name!r}")
        return found

    def name(self, field: str) -> str:
        return self._spec(field).path

    def path(self, field: str = "") -> str:
        if not field:
            return self._prefix[:-1]
        spec = self._spec(field)
        provider = self.resource.provider
        if spec.of_provider and provider is not None:
            return f"{provider.address}: {spec.path}"
        return self._prefix + spec.path

    def _computed(self, spec: Field) -> bool:
        """Whether an unknown value without references is one the provider fills in: only
        where the input records how the resource is written."""
        if not spec.computed or not self.resource.configured:
            return False
        return not (spec.unless and self.resource.values.get(spec.unless) is True)

    def value(self, field: str) -> Any:
        spec = _field(self.fields, field)
        if spec is None:
            return None
        if spec.fixed is not None:
            return spec.fixed
        if spec.of_provider:
            provider = self.resource.provider
            return value_at(provider.values, spec.path) if provider is not None else None
        path = self._prefix + spec.path
        values = self.resource.values
        value: Any = values.get(path) if "." not in path else value_at(values, path)
        written = path in self.resource.references or path in self.resource.unknown_values
        if self._computed(spec) and has_unknown(value) and not written:
            return None if value is UNKNOWN else [v for v in value if v is not UNKNOWN]
        if value is None and spec.unless and values.get(spec.unless) is True:
            return UNKNOWN  # asked of the provider (a generated IPv6 block): not in the files
        if value is None and spec.default is not None:
            return spec.default
        if spec.convert is not None and value is not None:
            return spec.convert(value)
        return value

    def refers(self, field: str) -> bool:
        spec = _field(self.fields, field)
        return spec is not None and bool(self.resource.references.get(self._prefix + spec.path))

    def entries(self, field: str) -> list[Entry]:
        spec = _field(self.fields, field)
        if spec is None:
            return []
        path = self._prefix + spec.path
        return [
            TerraformEntry(self.inv, self.resource, spec.entries or {}, f"{path}.{n}.", b, n)
            for n, b in enumerate(blocks(value_at(self.resource.values, path)))
        ]

    def links(
        self,
        field: str,
        kinds: Kinds,
        what: str = "resource",
        unknown: list[str] | None = None,
        *,
        single: bool = False,
        likely: Kinds = None,
    ) -> Links:
        spec = _field(self.fields, field)
        if spec is None:
            return Links()
        path = self._prefix + spec.path
        if spec.nested:
            return self._nested(path, spec.nested, self.inv.types_of(kinds))
        likely_types = self.inv.types_of(likely)
        found = self.inv.links.resolve(
            self.resource,
            path,
            self.inv.types_of(kinds),
            unknown,
            what,
            computed=self._computed(spec),
            by_name=spec.by_name,
            single=single,
            ancestor_types=likely_types,
        )
        links = Links(
            addresses=found.addresses,
            given=found.given,
            unresolved=found.unresolved,
            literals=found.literals,
            rests_on=found.rests_on,
        )
        if found.shared and likely_types is not None:
            self._deal(links, spec.path, likely_types, single=single)
        if single and len(links.addresses) > 1:
            self._one_of(links, likely_types)
        return links

    def _one_of(self, links: Links, likely_types: frozenset[str] | None) -> None:
        """A field that holds one value refers to several resources (a condition not known
        decides, or what the value is built from is named too): those of the kinds the field
        names, if there are any; still several, the input says only that it is one of them."""
        if likely_types is not None:
            by_address = self.inv.idx.by_address
            likely = [
                a for a in links.addresses if (r := by_address.get(a)) and r.type in likely_types
            ]
            links.addresses = likely or links.addresses
        links.ambiguous = len(links.addresses) > 1

    def _nested(self, path: str, keys: tuple[str, ...], types: frozenset[str] | None) -> Links:
        found: list[str] = []
        for written, references in self.resource.references.items():
            if written == path or written.startswith(path + "."):
                for reference in references:
                    found.extend(self.inv.idx.matches(reference, types, None))
        missing: list[str] = []
        for literal in _under(value_at(self.resource.values, path), keys):
            address = self.inv.links.lookup(literal, types)
            if address is not None:
                found.append(address)
            elif literal:
                missing.append(literal)
        return Links(addresses=dedupe(found), given=bool(found or missing), literals=missing)

    def _deal(self, links: Links, name: str, types: frozenset[str], *, single: bool) -> None:
        """References shared by sibling blocks, dealt out by source order where it tells."""
        list_path = self._prefix.split(".")[0]
        if single:
            if len(links.addresses) <= 1:
                return
            slots = self.inv.links.shared_slots(self.resource, list_path, name, types)
            if slots is not None and len(slots[self.position]) == 1:
                links.addresses = slots[self.position]
            else:
                links.ambiguous = True
            return
        siblings = blocks(self.resource.values.get(list_path))
        contested = sum(1 for b in siblings if isinstance(b, dict) and has_unknown(b.get(name)))
        if contested <= 1:
            return
        slots = self.inv.links.shared_slots(self.resource, list_path, name, types)
        if slots is not None:
            links.addresses = slots[self.position]
        else:
            links.ambiguous = len(links.addresses) > 1

    def link(self, field: str, kinds: Kinds, what: str, unknown: list[str] | None) -> str | None:
        spec = _field(self.fields, field)
        if spec is None:
            return None
        return self.inv.links.one(
            self.resource,
            self._prefix + spec.path,
            self.inv.types_of(kinds),
            unknown,
            what,
            computed=self._computed(spec),
            by_name=spec.by_name,
        )

    def origin_of(self, field: str) -> Origin:
        return origin_at(self.resource, self.path(field))

    def origin_within(self, field: str, path: str) -> Origin:
        return origin_at(self.resource, f"{self.path(field)}.{path}")

    def unknown_ranges(self, field: str) -> list[UnknownValue]:
        return unknown_ranges(self.resource, self.path(field))

    def note(self, message: str, field: str | None = None) -> None:
        path = self.path(field) if field is not None else None
        self.inv.links.note(self.resource, message, path)


def _under(value: Any, keys: tuple[str, ...]) -> Iterator[str]:
    """Text held under these keys anywhere inside a value, in order."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in keys and isinstance(item, str):
                yield item
            else:
                yield from _under(item, keys)
    elif isinstance(value, list):
        for item in value:
            yield from _under(item, keys)


class TerraformEntry(TerraformFields):
    @property
    def known(self) -> bool:
        return isinstance(self.block, dict)

    @property
    def written_if(self) -> str | None:
        return None  # a dynamic block over values not known is an entry not known

    def value(self, field: str) -> Any:
        return super().value(field) if self.known else None


class TerraformResource(TerraformFields):
    def __init__(self, inv: TerraformInventory, resource: TfResource, kind: Kind) -> None:
        super().__init__(inv, resource, kind.fields)
        self._kind = kind.kind

    @property
    def kind(self) -> str:
        return self._kind

    @property
    def existing(self) -> bool:
        return self.resource.mode == "data"
