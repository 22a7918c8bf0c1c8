"""Reading Terraform resource values and addresses: helpers every provider mapper shares."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from reachlint.formats.terraform.records import UNKNOWN, TfResource
from reachlint.sources import UnknownValue

_SEGMENT = re.compile(r'([^.\[]+)((?:\[(?:\d+|"(?:[^"\\]|\\.)*")\])?)\.?')


def value_at(values: dict[str, Any], path: str) -> Any:
    current: Any = values
    for part in path.split("."):
        if current is UNKNOWN:
            return UNKNOWN
        if isinstance(current, dict):
            current = current.get(part)
        elif isinstance(current, list) and part.isdigit():
            position = int(part)
            current = current[position] if position < len(current) else None
        else:
            return None
        if current is None:
            return None
    return current


def string_value(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def strings(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, str) and item]


def has_unknown(value: Any) -> bool:
    return value is UNKNOWN or (isinstance(value, list) and any(v is UNKNOWN for v in value))


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


def index_text(index: int | str) -> str:
    if isinstance(index, int):
        return f"[{index}]"
    escaped = index.replace("\\", "\\\\").replace('"', '\\"')
    return f'["{escaped}"]'


def without_positions(path: str) -> str:
    return ".".join(part for part in path.split(".") if not part.isdigit())


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


def dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


_INDEX = re.compile(r'\[(?:\d+|"(?:[^"\\]|\\.)*")\]')
Types = frozenset[str] | None  # None: a link of any type


class ResourceIndex:
    """Resources by address, by type and by address without indexes, built once."""

    def __init__(self, resources: list[TfResource]) -> None:
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
        self._matches: dict[tuple[str, Types], list[str]] = {}

    def of(self, *types: str) -> Iterator[TfResource]:
        for type_name in types:
            yield from self.managed.get(type_name, ())

    def matches(self, reference: str, types: Types, index: int | str | None) -> list[str]:
        """Instances a reference denotes, of these types; `index` aligns count/for_each."""
        exact = self.by_address.get(reference)
        if exact is not None:
            return [reference] if types is None or exact.type in types else []
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
