"""Links between Terraform resources: what an attribute refers to, in any provider.

A plan or a configuration records, per attribute, the resources its expression refers to; an
attribute may also hold an id or ARN known before apply, or a name. Resolving a link tries the
references first, then known ids, then names. Blocks written as attributes (`ingress = [...]`)
and dynamic blocks keep their references for the whole list: those are shared by the blocks, and
source order can still deal them out. A data source that reads a managed resource of the input
is another name for it (an alias).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from msgspec import Struct, field

from reachlint.formats.terraform.records import UNKNOWN, TfResource
from reachlint.model.network import NetworkModel
from reachlint.providers.values import dedupe, has_unknown, string_value, strings
from reachlint.sources import Origin

Types = frozenset[str] | None  # None: a link of any type
NOTE_SAMPLE = 5  # how many choices a note names
# One index in an address: [0] or ["key"] (keys may hold escaped quotes).
_INDEX = re.compile(r'\[(?:\d+|"(?:[^"\\]|\\.)*")\]')
_SEGMENT = re.compile(r'([^.\[]+)((?:\[(?:\d+|"(?:[^"\\]|\\.)*")\])?)\.?')


def value_at(values: dict[str, Any], path: str) -> Any:
    """The value at an attribute path: block names, positions and attributes joined by dots."""
    current: Any = values
    for part in path.split("."):
        if current is UNKNOWN:
            return UNKNOWN
        if isinstance(current, dict):
            current = current.get(part)
        elif isinstance(current, list) and part.isdecimal():
            position = int(part)
            current = current[position] if position < len(current) else None
        else:
            return None
        if current is None:
            return None
    return current


def origin_at(resource: TfResource, path: str) -> Origin:
    """Where the attribute or block at `path` is written; else where the resource is."""
    return resource.attribute_origins.get(path, resource.origin)


def without_positions(path: str) -> str:
    return ".".join(part for part in path.split(".") if not part.isdecimal())


def index_text(index: int | str) -> str:
    if isinstance(index, int):
        return f"[{index}]"
    escaped = index.replace("\\", "\\\\").replace('"', '\\"')
    return f'["{escaped}"]'


def segments(address: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in _SEGMENT.finditer(address)]


def compatible(reference: str, address: str) -> bool:
    """Whether `address` is an instance of `reference`, which may omit some indexes."""
    wanted, actual = segments(reference), segments(address)
    if len(wanted) != len(actual):
        return False
    return all(
        name == other and (not index or index == other_index)
        for (name, index), (other, other_index) in zip(wanted, actual, strict=True)
    )


def one_per_object(resources: list[TfResource]) -> tuple[list[TfResource], dict[str, str]]:
    """The resources with data sources that read one object (the same type, the same known id)
    kept once, under the first address; and the others' addresses, as aliases of it."""
    first: dict[tuple[str, str], str] = {}
    reading = 0
    for resource in resources:
        key = _object_read(resource)
        if key is None:
            continue
        reading += 1
        known = first.get(key)
        if known is None or resource.address < known:
            first[key] = resource.address
    if reading == len(first):
        return resources, {}
    kept: list[TfResource] = []
    aliases: dict[str, str] = {}
    for resource in resources:
        key = _object_read(resource)
        if key is not None and first[key] != resource.address:
            aliases[resource.address] = first[key]
        else:
            kept.append(resource)
    return kept, aliases


def _object_read(resource: TfResource) -> tuple[str, str] | None:
    """A data source's type and known id: the object it reads."""
    if resource.mode != "data":
        return None
    found = resource.values.get("id")
    return (resource.type, found) if isinstance(found, str) and found else None


class ResourceIndex:
    """Resources by address, by type and by address without indexes, built once."""

    def __init__(self, resources: list[TfResource], aliases: dict[str, str] | None = None) -> None:
        self.by_address: dict[str, TfResource] = {}
        self.managed: dict[str, list[TfResource]] = defaultdict(list)
        self.data: dict[str, list[TfResource]] = defaultdict(list)
        self.instances: dict[str, list[str]] = defaultdict(list)
        for resource in resources:
            if resource.address in self.by_address:
                continue
            self.by_address[resource.address] = resource
            kind = self.managed if resource.mode == "managed" else self.data
            kind[resource.type].append(resource)
            bare = _INDEX.sub("", resource.address)
            if bare != resource.address:
                self.instances[bare].append(resource.address)
        # Other names of a resource (data sources that read the same object): references to
        # them denote it.
        for alias, address in (aliases or {}).items():
            self.by_address.setdefault(alias, self.by_address[address])
        self._matches: dict[tuple[str, Types], list[str]] = {}

    def of(self, *types: str) -> Iterator[TfResource]:
        for type_name in types:
            yield from self.managed.get(type_name, ())

    def matches(self, reference: str, types: Types, index: int | str | None) -> list[str]:
        """Instances a reference denotes, of these types; `index` aligns count/for_each."""
        exact = self.by_address.get(reference)
        if exact is not None:
            return [exact.address] if types is None or exact.type in types else []
        if index is not None:
            aligned = reference + index_text(index)
            resource = self.by_address.get(aligned)
            if resource is not None and (types is None or resource.type in types):
                return [aligned]
        key = (reference, types)
        found = self._matches.get(key)
        if found is None:
            bare = _INDEX.sub("", reference)
            candidates = self.instances.get(bare, [])
            if bare != reference:
                candidates = [c for c in candidates if compatible(reference, c)]
            found = [c for c in candidates if types is None or self.by_address[c].type in types]
            self._matches[key] = found
        return found


class Links(Struct):
    """What an attribute links to."""

    addresses: list[str] = field(default_factory=list)
    given: bool = False  # the attribute is set at all
    unresolved: bool = False  # some of it could not be resolved
    literals: list[str] = field(default_factory=list)  # known values not in the input
    shared: bool = False  # read from references that sibling blocks share
    rests_on: list[str] = field(default_factory=list)  # what an unknown value is unknown for


# Notes on a resource: (resource, message, attribute path where it is written or None).
NoteOn = Callable[[TfResource, str, str | None], None]


def note_on(
    note: Callable[[str, str, Origin], None],
    resource: TfResource,
    message: str,
    path: str | None = None,
) -> None:
    """A note on the resource, placed where `path` is written (None: the resource)."""
    origin = resource.attribute_origins.get(path, resource.origin) if path else None
    note(message, resource.address, origin or resource.origin)


def concluded(
    links: Links,
    resource: TfResource,
    path: str,
    value: Any,
    references: list[str],
    unknown_value: bool,
    what: str,
    unknown: list[str] | None,
    note: NoteOn,
) -> Links:
    """Whether the attribute is written and resolved; with `unknown`, a note on why not.

    `unknown_value`: the value is unknown and may mean the attribute is written.
    """
    links.given = bool(references) or bool(strings(value)) or unknown_value
    unresolved_references = bool(references) and not links.addresses
    links.unresolved = bool(links.literals) or unknown_value or unresolved_references
    if links.unresolved and unknown is not None:
        if path not in unknown:
            unknown.append(path)
        if links.literals:
            reason = f"names {', '.join(links.literals)}, which is not in the input"
        elif unresolved_references:
            reason = f"refers to {', '.join(references)}, which is not a {what} in the input"
        elif links.rests_on:
            reason = f"is not known (it rests on {', '.join(links.rests_on)})"
        else:
            reason = "is known only after apply"
        note(resource, f"{path} {reason}; its {what} is unknown", path)
    return links


def only_one(
    links: Links,
    resource: TfResource,
    path: str,
    what: str,
    unknown: list[str] | None,
    note: NoteOn,
) -> str | None:
    """The one resource the links name; None (and, with `unknown`, a note) otherwise."""
    if len(links.addresses) == 1:
        return links.addresses[0]
    if len(links.addresses) > 1 and unknown is not None:
        if path not in unknown:
            unknown.append(path)
        choices = ", ".join(links.addresses[:NOTE_SAMPLE])
        note(resource, f"{path} may be any of {choices}; its {what} is unknown", path)
    return None


def note_unmodelled(
    index: ResourceIndex,
    model: NetworkModel,
    provider: str,
    handled: frozenset[str],
    adjacent: tuple[str, ...],
    reasons: tuple[tuple[str, str], ...] = (),
) -> None:
    """One note per type of this provider that no handler reads; `adjacent` types may change
    what is reachable, `reasons` say more about some (by type prefix)."""
    for type_name in sorted(index.managed):
        if type_name in handled or not type_name.startswith(provider):
            continue
        resources = index.managed[type_name]
        sample = ", ".join(r.address for r in resources[:NOTE_SAMPLE])
        more = f" and {len(resources) - NOTE_SAMPLE} more" if len(resources) > NOTE_SAMPLE else ""
        why = next((reason for start, reason in reasons if type_name.startswith(start)), None)
        if why is None and type_name.startswith(adjacent):
            why = "may affect reachability but is not modelled"
        model.note(
            f"{len(resources)} {type_name} resource(s) {why or 'not modelled'}: {sample}{more}",
            origin=resources[0].origin,
        )


class Resolver:
    """Links of the resources in one index, with notes on what cannot be resolved.

    `ids` maps known ids and ARNs to addresses; `note` writes a note (message, address, origin).
    """

    def __init__(
        self,
        index: ResourceIndex,
        ids: dict[str, str],
        note: Callable[[str, str, Origin], None],
    ) -> None:
        self.idx = index
        self.ids = ids
        self._note = note
        # Data sources that are another name for a resource in the input.
        self.alias: dict[str, str] = {}
        self._names: dict[str, dict[str, str]] = {}
        self._ids_of: dict[str, dict[str, str]] = {}

    def note(self, resource: TfResource, message: str, path: str | None = None) -> None:
        note_on(self._note, resource, message, path)

    def resolve(
        self,
        resource: TfResource,
        path: str,
        types: Types,
        unknown: list[str] | None = None,
        what: str = "resource",
        *,
        computed: bool = False,
        by_name: bool = False,
        single: bool = False,
        ancestor_types: Types = None,
    ) -> Links:
        """Addresses that attribute `path` links to: references first, then known ids.

        `computed`: the provider fills the attribute in when it is not written, so UNKNOWN
        without references means "not written" (an empty reference list says it is written),
        where the input records how the resource is written.
        `unknown`, when given, collects `path` if the link cannot be resolved (and a note says
        why). `single`: the attribute names one resource, so a counted resource's reference
        means the instance with its own index. `ancestor_types`: the types to pick from
        references recorded for the enclosing blocks (default `types`).
        """
        value = value_at(resource.values, path)
        references, shared = self.references_of(
            resource, path, value, ancestor_types if ancestor_types is not None else types
        )
        hint = resource.index if single else None
        found: list[str] = []
        for reference in references or ():
            for address in self.idx.matches(reference, types, hint):
                found.append(self.alias.get(address, address))
        missing: list[str] = []
        for literal in strings(value):
            known = self.lookup(literal, types, by_name)
            if known is None:
                missing.append(literal)
            else:
                found.append(known)
        links = Links(addresses=dedupe(found), literals=missing, shared=shared)
        # A list with unknown items was written; only a wholly unknown value may be unset, and
        # one that rests on something (a variable without value) is written too.
        unknown_value = has_unknown(value) and not references
        rests_on = resource.unknown_values.get(path, ())
        links.rests_on = dedupe(name for each in rests_on for name in each.sources)
        # An item that rests on variables without value alone names none of the references
        # beside it: `[aws_security_group.web.id, var.extra]`.
        if references and rests_on and isinstance(value, list):
            unknown_value = any(
                each.sources and all(name.startswith("var.") for name in each.sources)
                for each in rests_on
            )
        if (
            computed
            and value is UNKNOWN
            and path not in resource.references
            and not links.rests_on
            and resource.configured
        ):
            unknown_value = False
        return concluded(
            links, resource, path, value, references, unknown_value, what, unknown, self.note
        )

    def one(
        self,
        resource: TfResource,
        path: str,
        types: Types,
        unknown: list[str] | None,
        what: str,
        *,
        computed: bool = False,
        by_name: bool = False,
    ) -> str | None:
        """The one resource `path` links to; None (and, with `unknown`, a note) otherwise."""
        links = self.resolve(
            resource, path, types, unknown, what, computed=computed, by_name=by_name, single=True
        )
        return only_one(links, resource, path, what, unknown, self.note)

    def references_of(
        self, resource: TfResource, path: str, value: Any, types: Types
    ) -> tuple[list[str], bool]:
        """References recorded for `path`, and whether they are shared with sibling blocks.

        Blocks written as attributes (`ingress`, `route`) and dynamic blocks keep their
        references for the whole list, not per block; those fill in only unknown values.
        """
        references = resource.references.get(path)
        if references is not None:
            return references, False
        parts = path.split(".")
        if not any(part.isdecimal() for part in parts) or not has_unknown(value):
            return [], False
        stripped = resource.references.get(without_positions(path))
        if stripped is not None:
            return stripped, True
        if types is None:
            return [], False
        for end in range(len(parts) - 1, 0, -1):
            enclosing = resource.references.get(".".join(parts[:end]))
            if enclosing:
                return [r for r in enclosing if self.idx.matches(r, types, None)], True
        return [], False

    def shared_slots(
        self, resource: TfResource, blocks_path: str, attribute: str, types: frozenset[str]
    ) -> list[list[str]] | None:
        """Shared references dealt out to the blocks whose `attribute` is unknown, in order.

        Terraform lists an expression's references in source order, so when every unknown
        value has exactly one candidate left, block order tells them apart; otherwise None.
        """
        candidates = dedupe(
            address
            for reference in resource.references.get(blocks_path, ())
            for address in self.idx.matches(reference, types, None)
        )
        counts = []
        for block in blocks(value_at(resource.values, blocks_path)):
            value = block.get(attribute) if isinstance(block, dict) else None
            if isinstance(value, list):
                counts.append(sum(1 for item in value if item is UNKNOWN))
            else:
                counts.append(1 if value is UNKNOWN else 0)
        if sum(counts) != len(candidates):
            return None
        slots, start = [], 0
        for count in counts:
            slots.append([self.alias.get(a, a) for a in candidates[start : start + count]])
            start += count
        return slots

    def lookup(self, literal: str, types: Types, by_name: bool = False) -> str | None:
        """The resource a known id or ARN names; with `by_name`, also one so named."""
        address = self.ids.get(literal)
        if address is not None:
            resource = self.idx.by_address.get(address)
            if resource is None or types is None or resource.type in types:
                return self.alias.get(address, address)
            # A resource of another type may carry the same id (aws_subnet_ids: its VPC's).
            address = self._with_id(literal, types)
            if address is not None:
                return self.alias.get(address, address)
        if by_name:
            return self.named(types, literal)
        return None

    def _managed(self, address: str) -> bool:
        found = self.idx.by_address.get(address)
        return found is not None and found.mode == "managed"

    def _with_id(self, literal: str, types: frozenset[str]) -> str | None:
        """The resource of these types whose own id or ARN is this, looked up by type."""
        for type_name in sorted(types):
            known = self._ids_of.get(type_name)
            if known is None:
                known = self._ids_of[type_name] = {}
                of_type = (*self.idx.managed.get(type_name, ()), *self.idx.data.get(type_name, ()))
                for resource in of_type:
                    for attribute in ("id", "arn"):
                        value = resource.values.get(attribute)
                        if isinstance(value, str) and value:
                            known.setdefault(value, resource.address)
            if literal in known:
                return known[literal]
        return None

    def named(self, types: Types, name: str) -> str | None:
        """The managed resource of these types whose `name` is this (subnet groups...)."""
        for type_name in sorted(types or ()):
            names = self._names.get(type_name)
            if names is None:
                names = {}
                for resource in self.idx.managed.get(type_name, ()):
                    value = string_value(resource.values.get("name"))
                    if value is not None:
                        names.setdefault(value, resource.address)
                self._names[type_name] = names
            if name in names:
                return names[name]
        return None

    def data_alias(self, resource: TfResource, types: frozenset[str]) -> str | None:
        """The managed resource a data source reads (by its id, or a filter on it), if any."""
        found = self.resolve(resource, "id", types).addresses
        found += [
            address
            for references in resource.references.values()
            for reference in references
            for address in self.idx.matches(reference, types, None)
        ]
        managed = dedupe(a for a in found if self._managed(a))
        if len(managed) == 1:
            self.alias[resource.address] = managed[0]
            return managed[0]
        return None


def blocks(value: Any) -> list[Any]:
    """Nested blocks; UNKNOWN or absent means none are written here."""
    return value if isinstance(value, list) else []
