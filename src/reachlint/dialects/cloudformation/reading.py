"""CloudFormation resources read through the AWS provider's protocol (providers/aws/source.py).

Each resource's type is one of the provider's kinds, and each provider field one property path
(the table in `cloudformation/table.py`). Values come evaluated: a `Ref` or `Fn::GetAtt` of a
resource is a link to it, and reads as a value only the deployment knows; an `Unknown` (a
parameter without a value, an SSM parameter, an import) is named in notes and `unknown` lists by
what it rests on.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from msgspec import Struct, field

from reachlint.dialects.cloudformation.specs import EntrySpec, FieldSpec, KindSpec, Spawn
from reachlint.dialects.cloudformation.stacks import CfnResource, Stack
from reachlint.dialects.cloudformation.table import TYPES
from reachlint.formats.cloudformation.values import NO_VALUE, ResourceRef, Unknown
from reachlint.formats.jsonpos import JsonArray, JsonObject
from reachlint.providers.aws.source import Entry, Kinds, Links
from reachlint.providers.values import dedupe
from reachlint.sources import UNKNOWN, Origin, UnknownValue

NOTE_SAMPLE = 5

# Types not modelled that may change what is reachable: each is named in a note, never passed
# over in silence (their Terraform counterparts likewise).
NETWORK_ADJACENT = (
    "AWS::Redshift::",
    "AWS::RedshiftServerless::",
    "AWS::OpenSearchService::",
    "AWS::Elasticsearch::",
    "AWS::EFS::MountTarget",
    "AWS::MSK::",
    "AWS::AmazonMQ::",
    "AWS::DirectConnect::",
    "AWS::EC2::ClientVpn",
    "AWS::EC2::VPNGatewayRoutePropagation",
    "AWS::EC2::TrafficMirror",
    "AWS::EC2::TransitGateway",
    "AWS::EC2::VPCEndpointService",
    "AWS::GlobalAccelerator::",
    "AWS::EKS::",
    "AWS::Route53Resolver::",
    "AWS::ApiGatewayV2::VpcLink",
    "AWS::ElasticLoadBalancingV2::",
    "AWS::NetworkFirewall::",
)

# What AWS gives every VPC, named as Fn::GetAtt names the first two (a main route table has no
# attribute of its own).
_IMPLIED = {
    "default-security-group": "DefaultSecurityGroup",
    "default-network-acl": "DefaultNetworkAcl",
    "default-route-table": "MainRouteTable",
    "internet-gateway": "InternetGateway",
}


class Inventory(Struct):
    """Every resource of the input's stacks that the AWS provider maps, by kind."""

    stacks: list[Stack]
    notes: list[tuple[str, str, Origin]] = field(default_factory=list)
    _by_kind: dict[str, list[Resource]] = field(default_factory=dict)
    _by_address: dict[str, Resource] = field(default_factory=dict)
    _aliases: dict[str, str] = field(default_factory=dict)
    # Groups an AWS::EC2::SecurityGroupEgress adds a rule to: CloudFormation then removes the
    # egress AWS gives a new group, as it does for egress rules written in the group
    # (aws/aws-cdk#987, whose fix keeps a placeholder rule for exactly this).
    egress_written: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        unmodelled: dict[str, list[CfnResource]] = {}
        for stack in self.stacks:
            for cfn in stack.resources.values():
                group = cfn.properties.get("GroupId")
                if cfn.type == "AWS::EC2::SecurityGroupEgress" and isinstance(group, ResourceRef):
                    self.egress_written.add(cfn.address_of(group))  # read when entries are
                spec = TYPES.get(cfn.type)
                if spec is None:
                    if cfn.type.startswith(NETWORK_ADJACENT):  # a resource not deployed is none
                        unmodelled.setdefault(cfn.type, []).append(cfn)
                    continue
                kind = spec.kind_of(cfn.properties)
                if kind is None:
                    continue
                resource = Resource(self, cfn, kind, spec)
                self._add(resource)
                for spawn in spec.spawns:
                    self._spawn(resource, spawn)
                if isinstance(cfn.condition, Unknown):
                    resource.note(
                        f"{cfn.address} is deployed only if condition {cfn.condition_name} holds, "
                        f"which rests on {', '.join(cfn.condition.names)}; read as deployed"
                    )

        for type_name, found in sorted(unmodelled.items()):
            sample = ", ".join(cfn.address for cfn in found[:NOTE_SAMPLE])
            more = f" and {len(found) - NOTE_SAMPLE} more" if len(found) > NOTE_SAMPLE else ""
            message = f"{len(found)} {type_name} resource(s) may affect reachability but are "
            self.notes.append(("", f"{message}not modelled: {sample}{more}", found[0].origin))

    def _add(self, resource: Resource) -> None:
        self._by_kind.setdefault(resource.kind, []).append(resource)
        self._by_address[resource.address] = resource

    def _spawn(self, parent: Resource, spawn: Spawn) -> None:
        listed: Any = parent.values
        for key in spawn.path:
            listed = listed.get(key) if isinstance(listed, dict) else None
        if isinstance(listed, Unknown):
            parent.note(
                f"{'.'.join(spawn.path)} is known only at deployment ({_rests_on(listed)}); "
                "not read"
            )
            return
        if not isinstance(listed, list):
            return
        link = FieldSpec(constant=ResourceRef(parent.cfn.logical_id))
        for position, item in enumerate(listed):
            if isinstance(item, JsonObject):
                where = f"{'.'.join(spawn.path)}[{position}]"
                self._add(
                    _Spawned(self, parent, item, spawn, {**spawn.fields, spawn.parent: link}, where)
                )

    def of(self, *kinds: str) -> Iterator[Resource]:
        for kind in kinds:
            yield from self._by_kind.get(kind, [])

    def existing(self, kind: str) -> Iterator[Resource]:
        return iter(())  # a template reads nothing from the account

    def get(self, address: str) -> Resource | None:
        return self._by_address.get(self._aliases.get(address, address))

    def named(self, kind: str, name: str) -> str | None:
        for resource in self._by_kind.get(kind, []):
            if resource.value("name") == name:
                return resource.address
        return None

    def alias(self, address: str, to: str) -> None:
        self._aliases[address] = to

    def type_name(self, kind: str) -> str:
        for cfn_type, spec in TYPES.items():
            if kind in spec.kinds:
                return cfn_type
        return kind

    def implied_name(self, kind: str) -> str:
        return _IMPLIED[kind]

    def field_name(self, kind: str, field_name: str) -> str:
        for spec in TYPES.values():
            if kind in spec.kinds and field_name in spec.fields:
                return ".".join(spec.fields[field_name].path)
        return field_name

    def labels(self) -> dict[str, str]:
        """Construct paths, by address."""
        return {
            address: resource.cfn.construct_path
            for address, resource in self._by_address.items()
            if resource.cfn.construct_path and resource.address == resource.cfn.address
        }

    def kind_of(self, address: str) -> str | None:
        resource = self.get(address)
        return resource.kind if resource is not None else None


class _View:
    """What a resource and an entry share: fields read from one evaluated mapping."""

    inventory: Inventory
    cfn: CfnResource
    values: JsonObject
    fields: dict[str, FieldSpec]
    _prefix: str

    @property
    def address(self) -> str:
        return self.cfn.address

    @property
    def type(self) -> str:
        return self.cfn.type

    @property
    def prefix(self) -> str:
        return self._prefix

    def name(self, field_name: str) -> str:
        spec = self.fields.get(field_name)
        return ".".join(spec.path) if spec is not None and spec.path else field_name

    def path(self, field_name: str = "") -> str:
        if not field_name:
            return self._prefix.rstrip(".") or self.address
        return f"{self._prefix}{self.name(field_name)}"

    def _raw(self, field_name: str) -> Any:
        spec = self.fields.get(field_name)
        if spec is None:
            return None
        if spec.constant is not None:
            return spec.constant
        if spec.compute is not None:
            return spec.compute(self.values)
        current: Any = self.values
        for key in spec.path:
            if isinstance(current, Unknown):
                return current
            if not isinstance(current, dict):
                return None
            current = current.get(key)
        if spec.convert is not None and current is not None and not isinstance(current, Unknown):
            return spec.convert(current)
        return current

    def value(self, field_name: str) -> Any:
        return _plain(self._raw(field_name))

    def refers(self, field_name: str) -> bool:
        raw = self._raw(field_name)
        items = raw if isinstance(raw, list) else [raw]
        return any(isinstance(item, ResourceRef) for item in items)

    def _defaults(self, field_name: str) -> bool:
        """Whether what CloudFormation deploys for an absent property is deployed: not a new
        group's egress when another resource adds an egress rule to it."""
        return not (field_name == "egress" and self.cfn.address in self.inventory.egress_written)

    def entries(self, field_name: str) -> list[Entry]:
        spec = self.fields.get(field_name)
        if not isinstance(spec, EntrySpec):
            return []
        raw = self._raw(field_name)
        if spec.single and isinstance(raw, dict):
            raw = [raw]
        if (raw is None or raw == []) and spec.absent is not None and self._defaults(field_name):
            return [
                _Entry(self.inventory, self.cfn, default, spec.fields, f"{self.name(field_name)}.")
                for default in spec.absent
            ]
        if isinstance(raw, Unknown):
            # The whole list is unknown: named by its field.
            prefix = f"{self._prefix}{self.name(field_name)}."
            return [_Entry(self.inventory, self.cfn, JsonObject(), spec.fields, prefix, False)]
        if not isinstance(raw, list):
            return []
        found: list[Entry] = []
        for position, item in enumerate(raw):
            prefix = f"{self._prefix}{self.name(field_name)}[{position}]."
            if isinstance(item, JsonObject):
                found.append(_Entry(self.inventory, self.cfn, item, spec.fields, prefix))
            elif (written := _written_or_not(item)) is not None:
                # An `Fn::If` not decided between this entry and AWS::NoValue (or another).
                condition = ", ".join(dedupe(written[1]))
                found.extend(
                    _Entry(self.inventory, self.cfn, branch, spec.fields, prefix, True, condition)
                    for branch in written[0]
                )
            elif isinstance(item, Unknown):
                found.append(
                    _Entry(self.inventory, self.cfn, JsonObject(), spec.fields, prefix, False)
                )
        return found

    def links(
        self,
        field_name: str,
        kinds: Kinds,
        what: str = "resource",
        unknown: list[str] | None = None,
        *,
        single: bool = False,
        likely: Kinds = None,
    ) -> Links:
        raw = self._raw(field_name)
        found = Links(given=raw is not None)
        chosen: list[str] = []  # the conditions not known that choose among the branches
        for item in _branches(raw, chosen):
            if isinstance(item, ResourceRef):
                address = self.cfn.address_of(item)
                target = self.inventory.get(address)
                if target is not None and (kinds is None or target.kind in kinds):
                    found.addresses.append(target.address)
                else:
                    found.unresolved = True
            elif isinstance(item, str) and item:
                found.literals.append(item)
            elif isinstance(item, Unknown):
                found.unresolved = True
        found.addresses = dedupe(found.addresses)
        if chosen:
            # The input says only which resources the value is among: an `Fn::If` whose
            # condition the deployment decides.
            found.ambiguous = len(found.addresses) > 1
            found.rests_on = dedupe(chosen)
        if found.unresolved and unknown is not None:
            path = self.path(field_name)
            if path not in unknown:
                unknown.append(path)
            rests_on = _rests_on(raw)
            self.note(
                f"{path} names a {what} that is not in the input"
                + (f" (it rests on {rests_on})" if rests_on else ""),
                field_name,
            )
        return found

    def link(
        self, field_name: str, kinds: Kinds, what: str, unknown: list[str] | None
    ) -> str | None:
        found = self.links(field_name, kinds, what, unknown, single=True)
        if len(found.addresses) == 1:
            return found.addresses[0]
        return None

    def origin_of(self, field_name: str) -> Origin:
        spec = self.fields.get(field_name)
        if spec is not None and spec.path and spec.path[0] in self.values.key_lines:
            return Origin(file=self.cfn.origin.file, line=self.values.key_lines[spec.path[0]])
        return self.origin

    def origin_within(self, field_name: str, path: str) -> Origin:
        current: Any = self._raw(field_name)
        line: int | None = None
        for key in path.split("."):
            if isinstance(current, JsonObject) and key in current:
                line = current.key_lines.get(key, line)
                current = current[key]
            elif isinstance(current, JsonArray) and key.isdecimal() and int(key) < len(current):
                position = int(key)
                if position < len(current.item_lines):
                    line = current.item_lines[position]
                current = current[position]
            else:
                break
        if line is None:
            return self.origin_of(field_name)
        return Origin(file=self.cfn.origin.file, line=line)

    @property
    def origin(self) -> Origin:
        line = self.values.line
        if line is None or self.values is self.cfn.properties:
            return self.cfn.origin
        return Origin(file=self.cfn.origin.file, line=line)

    def unknown_ranges(self, field_name: str) -> list[UnknownValue]:
        raw = self._raw(field_name)
        items = raw if isinstance(raw, list) else [raw]
        ranges: list[UnknownValue] = []
        for item in items:
            if isinstance(item, ResourceRef):
                name = f"{self.cfn.address_of(item)}.{item.attribute or 'Ref'}"
                ranges.append(UnknownValue(sources=(name,), exactly=name))
            elif isinstance(item, Unknown):
                ranges.append(UnknownValue(sources=item.names or (self.path(field_name),)))
        return ranges

    def note(self, message: str, field_name: str | None = None) -> None:
        origin = self.origin_of(field_name) if field_name else self.origin
        self.inventory.notes.append((self.address, _in_cloudformation_words(message), origin))


class Resource(_View):
    def __init__(self, inventory: Inventory, cfn: CfnResource, kind: str, spec: KindSpec) -> None:
        self.inventory = inventory
        self.cfn = cfn
        self.values = cfn.properties
        self.fields = spec.fields
        self._prefix = ""
        self._kind = kind

    @property
    def kind(self) -> str:
        return self._kind

    @property
    def existing(self) -> bool:
        return False

    @property
    def construct_path(self) -> str | None:
        return self.cfn.construct_path


class _Spawned(Resource):
    """An entry of a resource read as a resource of its own (a target group's inline target)."""

    def __init__(
        self,
        inventory: Inventory,
        parent: Resource,
        values: JsonObject,
        spawn: Spawn,
        fields: dict[str, FieldSpec],
        where: str,
    ) -> None:
        self.inventory = inventory
        self.cfn = parent.cfn
        self.values = values
        self.fields = fields
        self._prefix = f"{where}."
        self._kind = spawn.kind
        self._address = f"{parent.address}.{where}"

    @property
    def address(self) -> str:
        return self._address


class _Entry(_View):
    def __init__(
        self,
        inventory: Inventory,
        cfn: CfnResource,
        values: JsonObject,
        fields: dict[str, FieldSpec],
        prefix: str,
        known: bool = True,
        written_if: str | None = None,
    ) -> None:
        self.inventory = inventory
        self.cfn = cfn
        self.values = values
        self.fields = fields
        self._prefix = prefix
        self._known = known
        self._written_if = written_if

    @property
    def known(self) -> bool:
        return self._known

    @property
    def written_if(self) -> str | None:
        return self._written_if


def _in_cloudformation_words(message: str) -> str:
    """The provider speaks of apply, as Terraform does; a stack is deployed."""
    return message.replace(" after apply", " at deployment").replace(
        " before apply", " before deployment"
    )


def _plain(value: Any) -> Any:
    """A provider value: what the deployment decides reads as UNKNOWN."""
    if isinstance(value, (ResourceRef, Unknown)):
        return UNKNOWN
    if isinstance(value, JsonArray | list):
        return [_plain(item) for item in value]
    return value


def _written_or_not(item: Any) -> tuple[list[JsonObject], list[str]] | None:
    """The entries an `Fn::If` not decided may write, and the conditions that decide, when
    every branch is an entry or AWS::NoValue."""
    if not isinstance(item, Unknown) or item.alternatives is None:
        return None
    chosen: list[str] = []
    branches = list(_branches(item, chosen))
    if not branches or not all(isinstance(branch, JsonObject) for branch in branches):
        return None
    return branches, chosen


def _branches(value: Any, chosen: list[str]) -> Iterator[Any]:
    """The items a field's value may hold: each branch of an `Fn::If` not decided (whose
    condition goes to `chosen`), lists flattened; AWS::NoValue, a branch that writes nothing,
    holds none."""
    if isinstance(value, Unknown) and value.alternatives is not None:
        chosen.extend(value.names)
        for alternative in value.alternatives:
            yield from _branches(alternative, chosen)
    elif isinstance(value, list):
        for item in value:
            yield from _branches(item, chosen)
    elif value is not None and value is not NO_VALUE:
        yield value


def _rests_on(value: Any) -> str:
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, Unknown):
            names.extend(item.names)
        elif isinstance(item, ResourceRef):
            names.append(str(item))
    return ", ".join(dedupe(names)[:NOTE_SAMPLE])
