"""ARM's own reading: evaluated properties, with positions and parameters without a value.

`ArmInput` presents a deployment's resources to the Azure provider (`providers/azure`) through
its `Resource` protocol, with `arm_table` saying where each field is. A value known only at
deployment is an `Unknown` (noted `... is unknown: <why>`); a string parameter without a value
is a `Placeholder` that stands for itself (`{vmName}`): an address range resting on one is an
unknown range named by the parameter. An id names a resource by its address; resources declared
inside another (inline subnets, rules) get the address their own id would give them.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from reachlint.dialects.arm_table import (
    ENTRY_KINDS,
    FIELDS,
    SETTINGS,
    TYPES,
    Entries,
    Field,
    Kind,
)
from reachlint.formats.arm.deployment import Deployment
from reachlint.formats.arm.resource_ids import address_from_id, child_address
from reachlint.formats.arm.resources import ArmResource
from reachlint.formats.arm.values import (
    MissingParameter,
    Placeholder,
    Unknown,
    find_key,
    parameter_reference,
)
from reachlint.limits import MAX_NUMBER_DIGITS
from reachlint.model.network import NetworkModel
from reachlint.providers.azure.resources import Resource, Settings
from reachlint.providers.values import TagValues, tag_values, valid_cidr
from reachlint.sources import Origin, UnknownValue


def at(data: Any, *path: str | int) -> Any:
    """The value at a path of keys (any case) and list positions; Unknown stops the walk (a
    list whose value is unknown, or that is inside an unknown value, has no known item: None)."""
    for position, key in enumerate(path):
        if isinstance(data, Unknown):
            return None if any(isinstance(k, int) for k in path[position:]) else data
        if isinstance(data, dict) and isinstance(key, str):
            found = find_key(data, key)
            data = data[found] if found is not None else None
        elif isinstance(data, list) and isinstance(key, int):
            data = data[key] if 0 <= key < len(data) else None
        else:
            return None
    return data


def each(data: Any, path: tuple[str | int, ...]) -> Iterator[Any]:
    """The values at `path`, where "*" stands for every item of a list."""
    if not path:
        yield data
        return
    head, rest = path[0], path[1:]
    if head == "*":
        for item in items(data):
            yield from each(item, rest)
    else:
        yield from each(at(data, head), rest)


def items(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def parent_of(address: str, marker: str) -> str:
    """`.../loadBalancers/lb/backendAddressPools/p` -> `.../loadBalancers/lb`."""
    lowered = address.lower()
    position = lowered.rfind(f"/{marker.lower()}/")
    return address[:position] if position >= 0 else address


class ArmInput:
    """A deployment's resources, read for the Azure provider; ARM's notes in ARM's words."""

    settings: Settings = SETTINGS

    def __init__(self, deployment: Deployment, file: str) -> None:
        self.file = file
        self.model = NetworkModel(inputs=[file])
        self.by_type: dict[str, list[ArmResource]] = defaultdict(list)
        for resource in deployment.deployed():
            self.by_type[resource.type.lower()].append(resource)
        self.groups = deployment.groups
        self.known: dict[str, str] = {}  # lower-case address -> address as declared
        for resource in deployment.resources:
            self.known.setdefault(resource.address.lower(), resource.address)
        self.doubted: set[str] = set()

    def of(self, kind: str) -> list[Resource]:
        return [
            ArmEntry(self, resource, None, spec)
            for type_name, spec in TYPES.items()
            if spec.kind == kind
            for resource in self.by_type.get(type_name, [])
        ]

    def resource(self, address: str, kind: str) -> Resource | None:
        for type_name, spec in TYPES.items():
            for resource in self.by_type.get(type_name, []) if spec.kind == kind else []:
                if resource.address == address:
                    return ArmEntry(self, resource, None, spec)
        return None

    def parent_network(self, subnet: str) -> str | None:
        return self.canonical(parent_of(subnet, "subnets"))

    def resources(self, *types: str) -> list[ArmResource]:
        return [r for t in types for r in self.by_type.get(t, [])]

    def entry(self, resource: ArmResource) -> ArmEntry:
        """A resource itself, as the provider's `Resource`."""
        return ArmEntry(self, resource, None, TYPES.get(resource.type.lower(), _ANY_KIND))

    # --- where things are and notes -----------------------------------------------------------

    def origin(self, resource: ArmResource, data: Any = None) -> Origin:
        line = getattr(data, "line", None)
        source = getattr(data, "source", None)
        if line:
            return Origin(file=source or resource.file, line=line)
        return Origin(file=resource.file, line=resource.line)

    def note(self, resource: ArmResource | None, message: str, data: Any = None) -> None:
        if resource is None:
            self.model.note(message, origin=Origin(file=self.file))
            return
        self.model.note(message, resource.address, self.origin(resource, data))

    def properties(self, resource: ArmResource) -> Any:
        """A modelled resource's properties; what left its name, count or condition open is
        noted."""
        if resource.address not in self.doubted:
            self.doubted.add(resource.address)
            for doubt in resource.doubts:
                self.note(resource, doubt.reason)
        return resource.properties

    def canonical(self, address: str) -> str:
        return self.known.get(address.lower(), address)

    def remember(self, address: str) -> str:
        self.known.setdefault(address.lower(), address)
        return address

    # --- values ---------------------------------------------------------------------------------

    def unknown(
        self, resource: ArmResource, unknown: list[str] | None, what: str, value: Unknown
    ) -> None:
        if unknown is not None and what not in unknown:
            unknown.append(what)
        self.note(resource, f"{what} is unknown: {value.reason}")

    def ref(
        self, resource: ArmResource, value: Any, what: str, unknown: list[str] | None = None
    ) -> str | None:
        """The address a `{"id": ...}` reference (or an id string) names."""
        if isinstance(value, dict):
            value = at(value, "id")
        if value is None:
            return None
        if isinstance(value, Unknown):
            self.unknown(resource, unknown, what, value)
            return None
        if not isinstance(value, str):
            return None
        address = address_from_id(value, self.groups)
        if address is None and isinstance(value, Placeholder):
            # An id passed in as a parameter that has no value: the resource is unknown.
            missing = MissingParameter("", None, None, value.parameters)
            self.unknown(resource, unknown, what, missing)
            return None
        if address is None:
            self.note(resource, f"{what} {value!r} is not a resource id; ignored")
            return None
        return self.canonical(address)

    def subnet_ref(
        self, resource: ArmResource, value: Any, unknown: list[str] | None, what: str = "subnet"
    ) -> str | None:
        """A link to a subnet; one this deployment does not deploy is noted."""
        subnet = self.ref(resource, value, what, unknown)
        if subnet is not None and subnet not in self.model.subnets:
            self.note(
                resource,
                f"{what} {subnet} is not deployed by this template; its address range is unknown",
            )
        return subnet

    def refs(
        self, resource: ArmResource, values: Any, what: str, unknown: list[str] | None = None
    ) -> list[str]:
        if isinstance(values, Unknown):
            self.unknown(resource, unknown, what, values)
            return []
        found = (self.ref(resource, v, what, unknown) for v in items(values))
        return [a for a in found if a]

    def text(
        self, resource: ArmResource, value: Any, what: str, unknown: list[str] | None = None
    ) -> str | None:
        if isinstance(value, Unknown):
            self.unknown(resource, unknown, what, value)
            return None
        if isinstance(value, str) and value:
            return value
        return None

    def integer(
        self, resource: ArmResource, value: Any, what: str, unknown: list[str] | None = None
    ) -> int | None:
        if isinstance(value, Unknown):
            self.unknown(resource, unknown, what, value)
            return None
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            text = value.strip()
            digits = text[1:] if text.startswith("-") else text
            # ASCII digits, as many as Python reads: int() also takes other scripts' digits.
            readable = digits.isascii() and digits.isdecimal()
            return int(text) if readable and len(digits) <= MAX_NUMBER_DIGITS else None
        return None

    def flag(self, resource: ArmResource, value: Any, what: str) -> bool | None:
        if isinstance(value, Unknown):
            self.note(resource, f"{what} is unknown: {value.reason}")
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        return None

    def texts(
        self,
        resource: ArmResource,
        *values: Any,
        what: str,
        unknown: list[str] | None = None,
        ranges: list[UnknownValue] | None = None,
    ) -> list[str]:
        """Strings from singular and plural properties together (addressPrefix(es)); with
        `ranges`, what is unknown is an unknown address range there."""
        out: list[str] = []
        for value in values:
            for item in [value] if isinstance(value, Unknown) else items(value) or [value]:
                if isinstance(item, Unknown) and ranges is not None:
                    ranges.append(self.unknown_range(item, f"{resource.address} {what}"))
                    self.note(resource, f"{what} is unknown: {item.reason}")
                elif isinstance(item, Unknown):
                    self.unknown(resource, unknown, what, item)
                elif isinstance(item, str) and item:
                    out.append(item)
                elif isinstance(item, int) and not isinstance(item, bool):
                    out.append(str(item))
        return out

    def cidrs(
        self,
        resource: ArmResource,
        *values: Any,
        what: str,
        unknown: list[str],
        ranges: list[UnknownValue],
    ) -> list[str]:
        """The CIDRs of address prefix properties; unknown values are unknown ranges."""
        found = []
        for text in self.texts(resource, *values, what=what, unknown=unknown, ranges=ranges):
            if isinstance(text, Placeholder):
                ranges.append(self.unknown_range(text))
            elif valid_cidr(text):
                found.append(str(ipaddress.ip_network(text, strict=False)))
            else:
                self.note(resource, f"{what} {text!r} is not a CIDR; ignored")
        return found

    def unknown_range(self, value: Placeholder | Unknown, where: str = "") -> UnknownValue:
        """An address range that is a parameter without a value (named by it), or a value
        known only at deployment."""
        if isinstance(value, Placeholder):
            sources = tuple(parameter_reference(p) for p in sorted(value.parameters))
            return UnknownValue(sources=sources, exactly=sources[0] if value.exact else None)
        if isinstance(value, MissingParameter):
            return UnknownValue(sources=tuple(parameter_reference(p) for p in sorted(value.names)))
        return UnknownValue(sources=(f"{where} ({value.reason})" if where else value.reason,))


class ArmEntry:
    """One resource, or an entry written inside one, as the provider's `Resource`."""

    def __init__(
        self,
        arm: ArmInput,
        resource: ArmResource,
        data: Any,
        spec: Kind,
        *,
        address: str | None = None,
        name: str | None = None,
        flat: bool = False,
    ) -> None:
        self.arm = arm
        self.flat = flat  # its fields are in `data` itself
        self.resource = resource  # the resource that holds it: notes are on its address
        self.data = data  # the entry as written inside it; None for the resource itself
        self.spec = spec
        self.fields = FIELDS.get(spec.kind, {})
        self.address = address or resource.address
        self.name = name if data is not None else resource.address.rsplit("/", 1)[-1]
        self.type = spec.type or resource.type

    @property
    def origin(self) -> Origin:
        if self.data is None and self.spec.origin_at_properties:
            return self.arm.origin(self.resource, self.properties)
        return self.arm.origin(self.resource, self.data)

    @property
    def path(self) -> str:
        return ""

    @property
    def properties(self) -> Any:
        if self.data is None:
            return self.arm.properties(self.resource)
        return self.data if self.flat else at(self.data, "properties")

    def _field(self, name: str) -> tuple[Field, list[Any]]:
        spec = self.fields.get(name, _ABSENT)
        if spec is _ABSENT:
            return spec, [None]  # ARM has no such property for this kind
        properties = self.properties
        return spec, [at(properties, *path) for path in spec.paths]

    def _what(self, spec: Field) -> str:
        return spec.what.format(name=self.name, address=self.address)

    def tags(self) -> TagValues:
        # A parameter without a value (or a text built from one) is known only at deployment.
        return tag_values(
            self.resource.get("tags"),
            f"{self.address}: tags",
            unknown=lambda value: isinstance(value, Unknown | Placeholder),
            text=lambda value: str(value) if isinstance(value, int | bool) else None,
        )

    def sku(self) -> str | None:
        name = at(self.resource.get("sku"), "name")
        return name if isinstance(name, str) else None

    def text(self, field: str, unknown: list[str] | None = None) -> str | None:
        spec, values = self._field(field)
        if spec.quiet:
            return values[0] if isinstance(values[0], str) and values[0] else None
        return self.arm.text(self.resource, values[0], self._what(spec), unknown)

    def number(self, field: str, unknown: list[str] | None = None) -> int | None:
        spec, values = self._field(field)
        return self.arm.integer(self.resource, values[0], self._what(spec), unknown)

    def flag(self, field: str) -> bool | None:
        spec, values = self._field(field)
        if spec.quiet:
            return values[0] if isinstance(values[0], bool) else None
        return self.arm.flag(self.resource, values[0], self._what(spec))

    def texts(self, field: str, unknown: list[str] | None = None) -> list[str]:
        spec, values = self._field(field)
        return self.arm.texts(self.resource, *values, what=self._what(spec), unknown=unknown)

    def cidrs(
        self, field: str, unknown: list[str], ranges: list[UnknownValue] | None = None
    ) -> list[str]:
        spec, values = self._field(field)
        what = self._what(spec)
        return self.arm.cidrs(
            self.resource, *values, what=what, unknown=unknown,
            ranges=ranges if ranges is not None else [],
        )  # fmt: skip

    def prefixes(self, field: str, unknown: list[str], ranges: list[UnknownValue]) -> list[str]:
        spec, values = self._field(field)
        written = self.arm.texts(
            self.resource, *values, what=self._what(spec), unknown=unknown, ranges=ranges
        )
        ranges.extend(self.arm.unknown_range(p) for p in written if isinstance(p, Placeholder))
        return [p for p in written if not isinstance(p, Placeholder)]

    def address_range(self, field: str, ranges: list[UnknownValue]) -> str | None:
        spec, values = self._field(field)
        written = self.arm.texts(self.resource, *values, what=self._what(spec), ranges=ranges)
        first = written[0] if written else None
        if isinstance(first, Placeholder):
            ranges.append(self.arm.unknown_range(first))
            return None
        return first

    def link(self, field: str, unknown: list[str] | None = None) -> str | None:
        if self.spec.parent is not None and field == self.spec.parent[0]:
            return self.arm.canonical(parent_of(self.resource.address, self.spec.parent[1]))
        spec, values = self._field(field)
        if spec.subnet:
            return self.link_to_subnet(spec, values[0], unknown)
        return self.arm.ref(self.resource, values[0], self._what(spec), unknown)

    def links(self, field: str, unknown: list[str] | None = None) -> list[str]:
        spec, values = self._field(field)
        if not spec.subnet:
            return self.arm.refs(self.resource, values[0], self._what(spec), unknown)
        # Subnets, at every path (`*`: each item of a list), each noted when not deployed.
        found: list[str] = []
        for path in spec.paths:
            for value in each(self.properties, path):
                subnet = self.link_to_subnet(spec, value, unknown)
                if subnet is not None and subnet not in found:
                    found.append(subnet)
        return found

    def link_to_subnet(self, spec: Field, value: Any, unknown: list[str] | None) -> str | None:
        return self.arm.subnet_ref(self.resource, value, unknown, self._what(spec))

    def given(self, field: str) -> bool:
        return any(value is not None for value in self._field(field)[1])

    def entries(self, field: str, unknown: list[str] | None = None) -> list[Resource]:
        spec: Entries | None = self.spec.entries.get(field)
        if spec is None:
            return []
        listed = at(self.properties, *spec.path.split("."))
        if spec.single:
            written = [] if listed is None else [listed]
        else:
            if isinstance(listed, Unknown) and spec.noted:
                self.arm.unknown(self.resource, unknown, spec.path, listed)
            written = items(listed)
        found: list[Resource] = []
        for data in written:
            name = spec.unnamed
            if not spec.single and not spec.anonymous:
                name = self.arm.text(self.resource, at(data, "name"), spec.what) or name
            if spec.anonymous:
                address = self.address
            elif name is None:
                continue
            else:
                address = child_address(self.address, spec.segment, name)
            if spec.remember:
                self.arm.remember(address)
            found.append(
                ArmEntry(self.arm, self.resource, data, TYPES_BY_KIND[spec.kind],
                         address=address, name=name, flat=spec.flat)
            )  # fmt: skip
        return found

    def note(self, message: str, here: bool = False, at: str | None = None) -> None:
        self.arm.note(self.resource, message, self.data if here else None)

    def unknowable(self, what: str, why: str, unknown: list[str]) -> None:
        self.arm.unknown(self.resource, unknown, what, Unknown(why))

    def name_unknown(self, field: str, unknown: list[str]) -> None:
        what = self._what(self.fields[field])
        if what not in unknown:
            unknown.append(what)

    def missing(self, field: str, unknown: list[str]) -> None:
        written = self._field(field)[1][0]
        if isinstance(written, Placeholder):  # a parameter without a value: name it
            self.invalid(field, [written], unknown)
            return
        what = self._what(self.fields[field])
        if what not in unknown:
            unknown.append(what)
        self.note(f"{what} is unknown", here=True)

    def invalid(self, field: str, written: Iterable[str], unknown: list[str]) -> None:
        spec = self.fields[field]
        what = self._what(spec)
        values = list(written)
        parameters = sorted({p for v in values if isinstance(v, Placeholder) for p in v.parameters})
        if parameters:
            # Not what Azure refuses: a parameter without a value, which the reader names.
            named = ", ".join(f"parameter '{p}'" for p in parameters)
            verb = "has" if len(parameters) == 1 else "have"
            self.arm.note(self.resource, f"{what} is unknown: {named} {verb} no value")
            unknown.append(f"{what} ({', '.join(parameter_reference(p) for p in parameters)})")
            return
        self.arm.note(
            self.resource, spec.invalid.format(address=self.address, what=what, written=values)
        )
        unknown.append(what)


_ABSENT = Field((), "")
_ANY_KIND = Kind("")  # a resource read only for what every resource has (tags, SKU)
# Entries of a kind read like a resource of that kind.
TYPES_BY_KIND: dict[str, Kind] = dict(ENTRY_KINDS)
for _spec in TYPES.values():
    TYPES_BY_KIND.setdefault(_spec.kind, _spec)
