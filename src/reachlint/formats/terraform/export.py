"""Evaluated resource instances as the `TfResource` records the AWS mapper reads.

Unknown values become the shared UNKNOWN marker, and the resources they (and strings read from
other resources) come from become references, on the path convention of terraform_resources:
a list of strings keeps the list's path, blocks add their position ("ingress.0.cidr_blocks").
"""

from __future__ import annotations

from msgspec import Struct

from reachlint.formats.hcl.expansion import STAR
from reachlint.formats.hcl.instances import InstanceRecord, ProviderState
from reachlint.formats.hcl.values import EvalError, SourcedStr, Unknown, Value, to_number, to_string
from reachlint.formats.terraform.records import UNKNOWN, ProviderConfig, TfResource
from reachlint.sensitive import Sensitive, unmark
from reachlint.sources import Origin, UnknownValue

# A few attributes whose type the AWS provider fixes: written as strings (or numbers), they
# are planned as the provider's type, so they are converted the same way here.
_NUMBER_ATTRIBUTES = frozenset(
    {
        "from_port",
        "to_port",
        "port",
        "rule_number",
        "rule_no",
        "priority",
        "icmp_type",
        "icmp_code",
        "device_index",
    }
)
_BOOL_ATTRIBUTES = frozenset(
    {
        "map_public_ip_on_launch",
        "associate_public_ip_address",
        "self",
        "egress",
        "internal",
        "publicly_accessible",
        "source_dest_check",
        "enable_dns_support",
        "enable_dns_hostnames",
        "auto_accept",
        "private_dns_enabled",
    }
)
_STRING_ATTRIBUTES = frozenset({"protocol", "ip_protocol", "cidr_block", "rule_action", "bgp_asn"})


def to_resource(
    record: InstanceRecord, providers: dict[int, ProviderConfig] | None = None
) -> TfResource:
    """A resource record as the dialects read it; `providers` holds the provider
    configurations already exported, shared by the resources of one configuration."""
    decl = record.decl
    references: dict[str, dict[str, None]] = {}
    sensitive: set[str] = set()
    unknowns: dict[str, list[UnknownValue]] = {}
    found = _Found(references, sensitive, unknowns)
    values = {name: _export(value, name, name, found) for name, value in record.values.items()}
    for addresses in references.values():
        addresses.pop(record.address, None)
    return TfResource(
        address=record.address,
        type=decl.type,
        name=decl.name,
        module=record.module,
        index=None if record.key == STAR else record.key,
        mode="data" if decl.mode == "data" else "managed",
        values=values,
        references={path: list(found) for path, found in references.items() if found},
        origin=Origin(file=decl.file.origin, line=decl.line),
        attribute_origins=record.origins,
        action="read" if decl.mode == "data" else "create",
        sensitive=sorted(sensitive),
        unknown_values=unknowns,
        provider=_exported(record.provider, providers) if record.provider is not None else None,
    )


def _exported(state: ProviderState, done: dict[int, ProviderConfig] | None) -> ProviderConfig:
    if done is None:
        return _provider(state)
    found = done.get(id(state))
    if found is None:
        found = done[id(state)] = _provider(state)
    return found


def _provider(state: ProviderState) -> ProviderConfig:
    # What the configuration's values refer to does not link the resource to anything.
    found = _Found({}, set(), {})
    values = {name: _export(value, name, name, found) for name, value in state.values.items()}
    return ProviderConfig(state.address, values, sorted(found.sensitive))


class _Found(Struct):
    """What exporting a resource's values finds besides them, by attribute path."""

    references: dict[str, dict[str, None]]
    sensitive: set[str]
    unknowns: dict[str, list[UnknownValue]]


def _export(
    value: Value,
    name: str,
    path: str,
    found: _Found,
) -> Value:
    if isinstance(value, Sensitive):
        found.sensitive.add(path)
        return _export(unmark(value), name, path, found)
    if isinstance(value, Unknown):
        if value.sources:
            sources = found.references.setdefault(path, {})
            for source in sorted(value.sources):
                sources[source] = None
        if value.names:
            named = UnknownValue(sources=tuple(sorted(value.names)), exactly=value.exactly)
            found.unknowns.setdefault(path, []).append(named)
        return UNKNOWN
    if isinstance(value, SourcedStr):
        found.references.setdefault(path, {})[value.source] = None
        return _provider_type(name, str(value))
    if isinstance(value, dict):
        return {str(key): _export(item, key, f"{path}.{key}", found) for key, item in value.items()}
    if isinstance(value, list):
        exported: list[Value] = []
        for position, item in enumerate(value):
            if isinstance(item, dict | list):
                exported.append(_export(item, name, f"{path}.{position}", found))
            else:
                exported.append(_export(item, name, path, found))
        return exported
    return _provider_type(name, value)


def _provider_type(name: str, value: Value) -> Value:
    if name in _NUMBER_ATTRIBUTES and isinstance(value, str):
        try:
            return to_number(value)
        except EvalError:
            return value
    if name in _BOOL_ATTRIBUTES and value in ("true", "false"):
        return value == "true"
    if (
        name in _STRING_ATTRIBUTES
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ):
        return to_string(value)
    return value
