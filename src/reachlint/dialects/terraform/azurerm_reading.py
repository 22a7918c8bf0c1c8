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
from typing import Any

from msgspec.structs import replace

from reachlint.dialects.terraform.azurerm_links import AzurermLinks, blocks
from reachlint.dialects.terraform.azurerm_table import (
    DATA,
    ENTRIES,
    FIELDS,
    SETTINGS,
    SUBNET_TYPES,
    TYPES,
    VNET_TYPES,
    Field,
)
from reachlint.dialects.terraform.values import unknown_ranges
from reachlint.formats.terraform.records import TfResource
from reachlint.providers.azure.resources import Resource, Settings
from reachlint.providers.values import (
    TagValues,
    has_unknown,
    integer,
    string_value,
    strings,
    tag_values,
)
from reachlint.sources import Origin, UnknownValue, not_known


class TfInput:
    """azurerm resources, read for the Azure provider; notes in Terraform's words."""

    def __init__(self, links: AzurermLinks, default_sku: str | None = None) -> None:
        # The SKU of a public IP or load balancer that writes none (the provider's version
        # decides); None: not known.
        self.settings: Settings = replace(SETTINGS, public_ip_default_sku=default_sku)
        self.links = links
        self.idx = links.idx
        self.model = links.model

    def of(self, kind: str) -> list[Resource]:
        found: list[Resource] = []
        if kind == "subnet_association":
            found.extend(self.inline_associations())
        for type_name, its_kind in TYPES.items():
            if its_kind == kind:
                found.extend(TfEntry(self, r, kind, type_name) for r in self.idx.of(type_name))
        for type_name, its_kind in DATA.items():
            if its_kind == kind:
                found.extend(
                    TfEntry(self, resource, kind, f"data.{type_name}")
                    for resource in self.idx.data.get(type_name, ())
                    if not self.is_twin(resource)
                )
        if kind == "virtual_network":
            self.links.declared_networks.extend(entry.address for entry in found)
        return found

    def is_twin(self, resource: TfResource) -> bool:
        """A data source that reads a managed resource of the input is another name for it."""
        if resource.type in VNET_TYPES:
            twins = [
                r
                for r in self.idx.named(
                    VNET_TYPES,
                    string_value(resource.values.get("name")) or "",
                    string_value(resource.values.get("resource_group_name")),
                )
                if r.mode == "managed"
            ]
            twin = twins[0].address if len(twins) == 1 else None
        else:
            twin = self.links.managed_twin_subnet(resource)
        if twin is not None:
            self.links.alias[resource.address] = twin
        return twin is not None

    def inline_associations(self) -> list[Resource]:
        """The NSG and route table written on a VNet's inline subnet blocks."""
        found: list[Resource] = []
        for network, inline in self.links.inline_subnets.items():
            resource = self.idx.by_address[network]
            for position, block in enumerate(blocks(resource.values.get("subnet"))):
                address = inline.get(string_value(block.get("name")) or "")
                if address is not None:
                    entry = TfEntry(
                        self, resource, "subnet_association",
                        "azurerm_virtual_network.subnet_association",
                        prefix=f"subnet.{position}.", block=block,
                    )  # fmt: skip
                    entry.fixed["subnet"] = address
                    found.append(entry)
        return found

    def remote_network(
        self, resource: TfResource, path: str, unknown: list[str] | None
    ) -> str | None:
        """The peered network: in the input, or outside it (then taken to peer back)."""
        links = self.links.resolve(resource, path, VNET_TYPES, single=True)
        if len(links.addresses) == 1:
            return links.addresses[0]
        if links.literals:
            self.note(
                resource,
                f"the remote virtual network {links.literals[0]} is outside the input; "
                "assumed to peer back",
                path,
            )
        else:
            if unknown is not None:
                unknown.append(path)
            self.note(resource, f"{path} cannot be resolved; the peer is unknown", path)
        return None

    def resource(self, address: str, kind: str) -> Resource | None:
        found = self.idx.by_address.get(address)
        if found is None:
            return None
        fields = f"data.{found.type}" if found.mode == "data" else found.type
        return TfEntry(self, found, kind, fields)

    def entry(self, resource: TfResource) -> TfEntry:
        """A resource itself, as the provider's `Resource`."""
        return TfEntry(self, resource, "", "")

    def parent_network(self, subnet: str) -> str | None:
        return None  # an address names no network: a subnet outside the input is placed in one

    def drop_listed_twins(self) -> None:
        """An existing VNet lists every subnet Azure has, its azurerm_subnet ones included:
        the separate resource is the one a reviewer edits."""
        separate = {
            (
                subnet.network,
                (string_value(self.idx.by_address[address].values.get("name")) or "").lower(),
            ): address
            for address, subnet in self.model.subnets.items()
            if address in self.idx.by_address and subnet.type in SUBNET_TYPES
        }
        for network, inline in self.links.inline_subnets.items():
            for name, address in list(inline.items()):
                twin = separate.get((network, name.lower()))
                if twin is not None:
                    del self.model.subnets[address]
                    inline[name] = twin

    def note(self, resource: TfResource, message: str, path: str | None = None) -> None:
        origin = resource.attribute_origins.get(path, resource.origin) if path else None
        self.model.note(message, resource.address, origin or resource.origin)

    def block_origin(self, resource: TfResource, path: str) -> Origin:
        return resource.attribute_origins.get(path, resource.origin)


_ABSENT = Field(())


class TfEntry:
    """A resource, or a block written inside one, as the provider's `Resource`."""

    def __init__(
        self,
        tf: TfInput,
        resource: TfResource,
        kind: str,
        fields: str,
        *,
        prefix: str = "",
        block: dict[str, Any] | None = None,
        address: str | None = None,
    ) -> None:
        self.tf = tf
        self.resource = resource
        self.kind = kind
        self.fields = FIELDS.get(fields, {})
        self.fixed: dict[str, str] = {}  # links known from where the entry is
        self.prefix = prefix  # "security_rule.0." for a block; "" for the resource itself
        self.block = block if block is not None else resource.values
        self.address = address or resource.address
        self.type = resource.type
        self.origin = tf.block_origin(resource, prefix[:-1]) if prefix else resource.origin
        self.name = string_value(self.block.get("name")) or self.address

    def _spec(self, field: str) -> tuple[Field, Any]:
        spec = self.fields.get(field, _ABSENT)
        return spec, self.block.get(spec.names[0]) if spec.names else None

    def tags(self) -> TagValues:
        return tag_values(self.resource.values.get("tags"), f"{self.address}: tags")

    def sku(self) -> str | None:
        written = self.resource.values.get("sku")
        if written is None and self.type == "azurerm_lb":
            return self.tf.settings.public_ip_default_sku  # azurerm changed both at once
        return string_value(written)

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
        """`address_prefixes` or the older `address_prefix`: the provider computes the one not
        written, so the known one counts; only when neither is known is the range unknown."""
        names = self.fields[field].names
        for wanted in (strings, has_unknown):
            for name in names:
                if wanted(self.block.get(name)):
                    named: list[str] = []
                    path = self.prefix + name
                    found = self.tf.links.cidr_values(self.resource, path, named, ranges)
                    if named and name not in unknown:
                        unknown.append(name)
                    return found
        return []

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
            self.tf.note(self.resource, not_known(path, named), path)
        return found

    @property
    def path(self) -> str:
        return self.prefix

    def address_range(self, field: str, ranges: list[UnknownValue]) -> str | None:
        spec, value = self._spec(field)
        if isinstance(value, str):
            return value
        if has_unknown(value):
            path = self.prefix + spec.names[0]
            named = unknown_ranges(self.resource, path)
            ranges.extend(named)
            self.tf.note(self.resource, not_known(path, named))
        return None

    def link(self, field: str, unknown: list[str] | None = None) -> str | None:
        if field in self.fixed:
            return self.fixed[field]
        spec, value = self._spec(field)
        if not spec.names:
            return None
        path = self.prefix + spec.names[0]
        if spec.resolver == "network_of_subnet":
            return self.tf.links.network_of_subnet(
                self.resource, unknown if unknown is not None else []
            )
        if spec.resolver == "remote_network":
            return self.tf.remote_network(self.resource, path, unknown)
        if spec.resolver == "gateway_subnet":
            return self.tf.links.gateway_subnet(
                self.resource, unknown if unknown is not None else []
            )
        if spec.resolver == "subnet_of":
            return self.tf.links.subnet_of(self.resource, path, unknown)
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
        spec = self.fields.get(field, _ABSENT)
        if not spec.names:
            return []
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
        spec = self.fields.get(field, _ABSENT)
        if not spec.names or spec.required:
            return spec.required
        return self.tf.links.resolve(self.resource, self.prefix + spec.names[0], spec.types).given

    def entries(self, field: str, unknown: list[str] | None = None) -> list[Resource]:
        spec = ENTRIES.get(self.resource.type, {}).get(field)
        if spec is None or self.prefix:
            return []
        found: list[Resource] = []
        named: dict[str, str] = {}
        for i, block in enumerate(blocks(self.block.get(spec.block))):
            address = self.address
            if "{name}" in spec.address:
                name = string_value(block.get("name"))
                if name is None:
                    continue
                address = spec.address.format(parent=self.address, name=name)
                named[name] = address
            elif spec.address:
                address = spec.address.format(parent=self.address)
            found.append(
                TfEntry(self.tf, self.resource, spec.kind, spec.fields,
                        prefix=f"{spec.block}.{i}.", block=block, address=address)
            )  # fmt: skip
        if spec.kind == "subnet":
            self.tf.links.inline_subnets[self.address] = named
        return found

    def unknowable(self, what: str, why: str, unknown: list[str]) -> None:
        unknown.append(what)
        self.note(f"{what} is {why}")

    def note(self, message: str, here: bool = False, at: str | None = None) -> None:
        if at is not None:
            self.tf.note(self.resource, message, self.prefix + self.fields[at].names[0])
            return
        self.tf.note(self.resource, message, self.prefix[:-1] if here and self.prefix else None)

    def name_unknown(self, field: str, unknown: list[str]) -> None:
        unknown.append(self.fields[field].names[0])

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
