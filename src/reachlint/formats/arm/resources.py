"""The resources a deployment holds, found by address, and what `reference()` reads of them.

An `ArmResource` is one resource instance whose properties are evaluated on first use. Read
through `reference()`, a resource shows its properties as Azure reports them once deployed:
values Azure assigns at deployment are unknown, those it derives (an Azure Firewall's private
address) are filled in; a nested deployment shows its outputs.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Mapping
from typing import Any

from msgspec import Struct, field

from reachlint.formats.arm.evaluator import Scope, Template, evaluate, loop_count
from reachlint.formats.arm.resource_ids import address_from_id, split_group
from reachlint.formats.arm.values import (
    RuntimeObject,
    Unknown,
    as_mapping,
    as_runtime,
    find_key,
    lookup,
)
from reachlint.formats.jsonpos import JsonObject
from reachlint.sensitive import Sensitive, has_marks, mark, marked_texts, unmark

DEPLOYMENTS = "microsoft.resources/deployments"
FIREWALLS = "microsoft.network/azurefirewalls"
_INDEXED_SYMBOL = re.compile(r"^(?P<name>[^\[\]]+)\[(?P<index>[0-9]+)\]$")
_UNSET = object()


class ArmResource(Struct, eq=False):
    """One deployed (or referenced) resource instance with its expressions still unevaluated."""

    template: Template
    scope: Scope
    raw: Mapping[str, Any]
    type: str
    name: str | Unknown
    address: str
    symbolic: str | None
    deployed: bool
    existing: bool
    line: int | None
    # Why its name, copy count or condition (or its parent's, or its deployment's) is unknown.
    doubts: list[Unknown] = field(default_factory=list)
    inner: Template | None = None  # nested deployment: the template it deploys
    outer_outputs: Mapping[str, Any] | None = None  # outer-scoped nested deployment
    # The texts of the sensitive values among its properties: used, never shown.
    secrets: set[str] = field(default_factory=set)
    _values: dict[str, Any] = field(default_factory=dict)
    _plain: dict[str, Any] = field(default_factory=dict)
    _outputs: Any = _UNSET

    @property
    def file(self) -> str:
        return self.template.file

    def get(self, key: str) -> Any:
        """A top-level property (`properties`, `sku`, `tags`, `zones`) evaluated once, as the
        model reads it: sensitive values plain, their texts remembered in `secrets`."""
        lowered = key.lower()
        if lowered not in self._plain:
            value = self.marked(key)
            if has_marks(value):
                self.secrets.update(marked_texts(value))
                value = unmark(value)
            self._plain[lowered] = value
        return self._plain[lowered]

    def marked(self, key: str) -> Any:
        """A top-level property with its sensitive values marked, for other resources."""
        lowered = key.lower()
        if lowered in self._values:
            value = self._values[lowered]
            if value is _UNSET:
                return Unknown(f"{self.address} refers to its own {key}")
            return value
        self._values[lowered] = _UNSET
        found = find_key(self.raw, key)
        value = None
        if found is not None:
            line = self.raw.key_lines.get(found) if isinstance(self.raw, JsonObject) else None
            value = evaluate(self.raw[found], self.scope, line)
        self._values[lowered] = value
        return value

    @property
    def properties(self) -> Any:
        return self.get("properties")


class DeployedResources:
    """Every resource of a template and of the nested deployments it contains, by address."""

    def __init__(self) -> None:
        self.resources: list[ArmResource] = []
        self.by_address: dict[str, list[ArmResource]] = {}
        # Resource groups nested deployments deploy to apart from the deployment's own.
        self.groups: set[str] = set()

    def find(self, address: str) -> ArmResource | None:
        """The resource at `address`, the deployed declaration first."""
        found = self.by_address.get(address.lower())
        if not found:
            return None
        deployed = [r for r in found if r.deployed]
        return (deployed or found)[-1]

    def deployed(self) -> Iterator[ArmResource]:
        """Each deployed address once: a later declaration of the same resource wins."""
        last: dict[str, ArmResource] = {}
        for resource in self.resources:
            if resource.deployed:
                last[resource.address.lower()] = resource
        yield from last.values()

    def reference(self, scope: Scope, target: Any, full: bool) -> Any:
        """`reference(...)`: what the template sets on that resource; the rest is unknown."""
        resource = self._referenced(scope, target)
        if resource is None:
            return RuntimeObject()
        if resource.type.lower() == DEPLOYMENTS:
            outputs = self.outputs(resource)
            state = RuntimeObject()
            state["outputs"] = outputs
            return _full(resource, state) if full else state
        address = resource.address
        if resource.existing or not resource.deployed:
            state = RuntimeObject(resource=address)
            return _full(resource, state) if full else state
        properties = resource.marked("properties")
        if isinstance(properties, Sensitive):
            state = mark(as_runtime(self._as_deployed(resource, properties.value), address))
        else:
            state = as_runtime(self._as_deployed(resource, properties), address)
        return _full(resource, state) if full else state

    def _as_deployed(self, resource: ArmResource, properties: Any) -> dict[str, Any]:
        """A resource's properties as Azure reports them once deployed: the values Azure
        assigns at deployment are removed (they are unknown), those it derives are added."""
        if not isinstance(properties, dict):
            return {}
        state = dict(properties)
        base = f"{_full_id(resource)}"
        for key, value in state.items():
            if isinstance(value, list) and all(_is_named_child(item) for item in value):
                state[key] = [_deployed_child(item, f"{base}/{key}") for item in value]
        if resource.type.lower() == FIREWALLS:
            self._firewall_address(state)
        return state

    def _firewall_address(self, state: dict[str, Any]) -> None:
        """Azure gives an Azure Firewall the first free address of AzureFirewallSubnet (.4)."""
        configurations = lookup(state, "ipConfigurations")
        if not isinstance(configurations, list) or not configurations:
            return
        first = configurations[0]
        properties = lookup(first, "properties") if isinstance(first, dict) else None
        if not isinstance(properties, dict) or find_key(properties, "privateIPAddress"):
            return
        subnet = lookup(lookup(properties, "subnet") or {}, "id")
        prefix = self.subnet_prefix(subnet) if isinstance(subnet, str) else None
        if prefix is not None and prefix.num_addresses > 4:
            properties = dict(properties)
            properties["privateIPAddress"] = str(prefix.network_address + 4)
            configurations[0] = {**first, "properties": properties}

    def subnet_prefix(self, subnet_id: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
        """The first address prefix of a subnet the template declares (inline or as a child)."""
        address = address_from_id(subnet_id, self.groups)
        if address is None or "/subnets/" not in address.lower():
            return None
        declared = self.find(address)
        properties: Any = declared.properties if declared is not None else None
        if declared is None:
            network_address, _, name = address.rpartition("/subnets/")
            network = self.find(network_address)
            subnets = lookup(network.properties or {}, "subnets") if network else None
            for subnet in subnets if isinstance(subnets, list) else []:
                if isinstance(subnet, dict) and str(lookup(subnet, "name")).lower() == name.lower():
                    properties = lookup(subnet, "properties")
        if not isinstance(properties, dict):
            return None
        prefix = lookup(properties, "addressPrefix")
        if not isinstance(prefix, str):
            prefixes = lookup(properties, "addressPrefixes")
            prefix = prefixes[0] if isinstance(prefixes, list) and prefixes else None
        try:
            return ipaddress.ip_network(prefix, strict=False) if isinstance(prefix, str) else None
        except ValueError:
            return None

    def _referenced(self, scope: Scope, target: Any) -> ArmResource | None:
        if isinstance(target, dict):  # resourceInfo()-style objects carry an id
            target = lookup(target, "id")
        if not isinstance(target, str):
            return None
        symbol = _INDEXED_SYMBOL.match(target)
        wanted, position = (symbol["name"], int(symbol["index"])) if symbol else (target, 0)
        declared: list[ArmResource] | None = scope.template.symbols.get(wanted.lower())
        if declared:
            return declared[min(position, len(declared) - 1)]
        address = address_from_id(target, self.groups)
        if address is not None:
            # A template reads its own declaration of a resource that several templates deploy.
            found = self.by_address.get(address.lower(), [])
            mine = [r for r in found if r.template is scope.template and r.deployed]
            return mine[-1] if mine else self.find(address)
        # Classic templates may name a resource of the same template by its name alone.
        matches = [
            r
            for r in self.resources
            if isinstance(r.name, str) and r.name.lower() == target.lower()
        ]
        same_template = [r for r in matches if r.template is scope.template]
        chosen = same_template or matches
        return chosen[-1] if chosen else None

    def outputs(self, resource: ArmResource) -> Any:
        if resource._outputs is _UNSET:
            resource._outputs = Unknown(f"outputs of {resource.address} refer to themselves")
            resource._outputs = self._evaluate_outputs(resource)
        return resource._outputs

    def _evaluate_outputs(self, resource: ArmResource) -> Any:
        if resource.inner is not None:
            declared = as_mapping(lookup(resource.inner.document, "outputs"))
            scope = Scope(resource.inner)
        elif resource.outer_outputs is not None:
            declared, scope = resource.outer_outputs, resource.scope
        else:
            return RuntimeObject()
        outputs = RuntimeObject()
        for name, output in declared.items():
            if not isinstance(output, dict):
                continue
            value_key = find_key(output, "value")
            loop = lookup(output, "copy")
            line = getattr(output, "line", None)
            if value_key is not None:
                value = evaluate(output[value_key], scope, line)
            elif isinstance(loop, dict):
                value = _output_loop(loop, scope, line)
            else:
                value = Unknown(f"output '{name}' has no value")
            entry = RuntimeObject()
            entry.update(type=lookup(output, "type"), value=value)
            outputs[name] = entry
        return outputs


def _output_loop(loop: Mapping[str, Any], scope: Scope, line: int | None) -> Any:
    count = loop_count(evaluate(lookup(loop, "count"), scope, line))
    if isinstance(count, Unknown):
        return count
    return [evaluate(lookup(loop, "input"), scope.loop("", i, True), line) for i in range(count)]


def _full_id(resource: ArmResource) -> str:
    info = resource.template.info
    group, address = split_group(resource.address)
    return (
        f"/subscriptions/{info.subscription_id}/resourceGroups/{group or info.resource_group}"
        f"/providers/{address}"
    )


def _is_named_child(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(lookup(item, "name"), str)


def _deployed_child(item: Mapping[str, Any], collection: str) -> dict[str, Any]:
    """An element declared inline (a subnet, an IP configuration) gets its resource id, and an
    address Azure assigns dynamically is unknown until deployment."""
    child = dict(item)
    child.setdefault("id", f"{collection}/{lookup(item, 'name')}")
    properties = lookup(child, "properties")
    if isinstance(properties, dict) and find_key(properties, "privateIPAddress") is not None:
        method = lookup(properties, "privateIPAllocationMethod")
        if not (isinstance(method, str) and method.lower() == "static"):
            properties = {k: v for k, v in properties.items() if k.lower() != "privateipaddress"}
            child["properties"] = properties
    return child


def _full(resource: ArmResource, properties: Any) -> RuntimeObject:
    state = RuntimeObject(resource=resource.address)
    state.update(
        id=_full_id(resource),
        name=resource.name,
        type=resource.type,
        properties=properties,
    )
    for key in ("location", "tags", "sku", "zones", "kind", "identity"):
        if find_key(resource.raw, key) is not None and resource.deployed:
            state[key] = as_runtime(resource.get(key), resource.address)
    return state
