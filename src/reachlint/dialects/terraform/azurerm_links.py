"""azurerm's links: which resource of the input an attribute names.

A link follows the references Terraform resolved, then known Azure ids (case-insensitive, and by
the names an id spells out), then names (`virtual_network_name` + `resource_group_name`); what
cannot be resolved is named in the element's unknown list and in a note. A subnet or network the
input names but does not declare is placed outside it, with its ranges unknown.
"""

from __future__ import annotations

import ipaddress
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from msgspec import Struct

from reachlint.dialects.terraform.azurerm_table import (
    APP_GATEWAY_TYPES,
    ASG_TYPES,
    CIRCUIT_TYPES,
    FIREWALL_TYPES,
    LB_TYPES,
    LNG_TYPES,
    NAT_GATEWAY_TYPES,
    NIC_TYPES,
    NSG_TYPES,
    PIP_PREFIX_TYPES,
    PIP_TYPES,
    POOL_TYPES,
    ROUTE_TABLE_TYPES,
    SCALE_SET_TYPES,
    SUBNET_LINK_TYPES,
    SUBNET_TYPES,
    VM_TYPES,
    VNET_TYPES,
    VNG_TYPES,
)
from reachlint.dialects.terraform.links import (
    Links,
    ResourceIndex,
    Types,
    concluded,
    note_on,
    only_one,
    value_at,
    without_positions,
)
from reachlint.dialects.terraform.values import outside_range, unknown_ranges
from reachlint.formats.terraform.records import TfResource
from reachlint.model.network import NetworkModel
from reachlint.providers.azure.networks import outside_network, outside_subnet
from reachlint.providers.values import dedupe, has_unknown, string_value, strings
from reachlint.sources import Origin, UnknownValue, not_known

_NETWORK_TYPE = "azurerm_virtual_network"
NOTE_SAMPLE = 5  # how many choices a note lists

# Resource types of Azure ids (lower case, children joined by "/") -> azurerm types.
_ARM_TYPES: dict[str, frozenset[str]] = {
    "microsoft.network/virtualnetworks": VNET_TYPES,
    "microsoft.network/virtualnetworks/subnets": SUBNET_TYPES,
    "microsoft.network/networksecuritygroups": NSG_TYPES,
    "microsoft.network/applicationsecuritygroups": ASG_TYPES,
    "microsoft.network/networkinterfaces": NIC_TYPES,
    "microsoft.network/publicipaddresses": PIP_TYPES,
    "microsoft.network/publicipprefixes": PIP_PREFIX_TYPES,
    "microsoft.network/routetables": ROUTE_TABLE_TYPES,
    "microsoft.network/natgateways": NAT_GATEWAY_TYPES,
    "microsoft.network/loadbalancers": LB_TYPES,
    "microsoft.network/loadbalancers/backendaddresspools": POOL_TYPES,
    "microsoft.network/loadbalancers/inboundnatrules": frozenset({"azurerm_lb_nat_rule"}),
    "microsoft.network/loadbalancers/inboundnatpools": frozenset({"azurerm_lb_nat_pool"}),
    "microsoft.network/applicationgateways": APP_GATEWAY_TYPES,
    "microsoft.network/virtualnetworkgateways": VNG_TYPES,
    "microsoft.network/localnetworkgateways": LNG_TYPES,
    "microsoft.network/expressroutecircuits": CIRCUIT_TYPES,
    "microsoft.network/azurefirewalls": FIREWALL_TYPES,
    "microsoft.network/bastionhosts": frozenset({"azurerm_bastion_host"}),
    "microsoft.compute/virtualmachines": VM_TYPES,
    "microsoft.compute/virtualmachinescalesets": SCALE_SET_TYPES,
}
_AZURE_ID = re.compile(
    r"^/subscriptions/[^/]+/resourcegroups/([^/]+)/providers/([^/]+)/(.+)$", re.I
)


def blocks(value: Any) -> list[dict[str, Any]]:
    """Nested blocks as dicts; UNKNOWN or absent means none are written here."""
    if isinstance(value, dict):
        return [value]
    return [b for b in value if isinstance(b, dict)] if isinstance(value, list) else []


def as_cidr(text: str) -> str | None:
    try:
        return str(ipaddress.ip_network(text.strip(), strict=False))
    except ValueError:
        return None


def ip_text(value: Any) -> str | None:
    """An IP address, spaces around it dropped, in its canonical spelling; None if not one."""
    try:
        return str(ipaddress.ip_address(value.strip())) if isinstance(value, str) else None
    except ValueError:
        return None


def same_name(left: Any, right: Any) -> bool:
    """Azure names compare without case."""
    return isinstance(left, str) and isinstance(right, str) and left.casefold() == right.casefold()


class AzureId(Struct, frozen=True):
    resource_group: str
    kind: str  # "microsoft.network/virtualnetworks/subnets"
    names: tuple[str, ...]  # ("vnet", "web")


def parse_azure_id(text: str) -> AzureId | None:
    match = _AZURE_ID.match(text.strip())
    if match is None:
        return None
    parts = match.group(3).strip("/").split("/")
    if len(parts) % 2:
        return None
    kinds = [match.group(2).lower(), *(parts[i].lower() for i in range(0, len(parts), 2))]
    return AzureId(match.group(1), "/".join(kinds), tuple(parts[1::2]))


# ----- the resource index ---------------------------------------------------------------------


class AzureIndex(ResourceIndex):
    """The shared index, with what this provider looks resources up by."""

    def __init__(self, resources: list[TfResource], ids: dict[str, str]) -> None:
        super().__init__(resources)
        # Azure ids are case-insensitive; ids given by the loader win over those seen here.
        self.ids: dict[str, str] = {}
        for resource in resources:
            own = string_value(resource.values.get("id"))
            if own is not None:
                self.ids.setdefault(own.lower(), resource.address)
        for text, address in ids.items():
            self.ids[text.lower()] = address
        self._by_name: dict[str, list[TfResource]] | None = None

    def named(self, types: Iterable[str], name: str, group: str | None) -> list[TfResource]:
        """Resources of these types with this name, in this resource group where both say.

        Managed resources come before data sources.
        """
        if self._by_name is None:
            self._by_name = defaultdict(list)
            for resource in self.by_address.values():
                own = resource.values.get("name")
                if isinstance(own, str):
                    self._by_name[own.casefold()].append(resource)
            for candidates in self._by_name.values():
                candidates.sort(key=lambda r: r.mode != "managed")
        wanted = set(types)
        found = []
        for resource in self._by_name.get(name.casefold(), ()):
            theirs = resource.values.get("resource_group_name")
            if resource.type not in wanted or (
                group is not None and isinstance(theirs, str) and not same_name(theirs, group)
            ):
                continue
            found.append(resource)
        return found


class AzurermLinks:
    """The input's resources indexed, and the links between them resolved."""

    def __init__(self, resources: list[TfResource], ids: dict[str, str]) -> None:
        self.idx = AzureIndex(resources, ids)
        self.model = NetworkModel()
        # Data sources that are another name for a resource in the input.
        self.alias: dict[str, str] = {}
        self.declared_networks: list[str] = []
        self.inline_subnets: dict[str, dict[str, str]] = {}  # VNet -> inline name -> address

    # ----- notes and link resolution ----------------------------------------------------------

    def note(self, resource: TfResource, message: str, path: str | None = None) -> None:
        note_on(self.model.note, resource, message, path)

    def block_origin(self, resource: TfResource, path: str) -> Origin:
        return resource.attribute_origins.get(path, resource.origin)

    def resolve(
        self,
        resource: TfResource,
        path: str,
        types: Types,
        unknown: list[str] | None = None,
        what: str = "resource",
        *,
        by_name: bool = False,
        single: bool = False,
        computed: bool = False,
    ) -> Links:
        """Addresses that attribute `path` links to: references, then known ids, then names.

        `by_name`: the attribute holds a name (`virtual_network_name`), matched within the
        resource's own resource group. `computed`: Azure fills the attribute in when it is not
        written, so UNKNOWN without references means "not written". `unknown`, when given,
        collects `path` if the link cannot be resolved (and a note says why).
        """
        references = resource.references.get(path)
        if references is None and any(part.isdecimal() for part in path.split(".")):
            # Dynamic blocks keep their references at the block level.
            references = resource.references.get(without_positions(path))
        value = value_at(resource.values, path)
        hint = resource.index if single else None
        found: list[str] = []
        for reference in references or ():
            for address in self.idx.matches(reference, types, hint):
                found.append(self.alias.get(address, address))
        missing: list[str] = []
        if not found:
            for literal in strings(value):
                known = (
                    self.lookup_name(resource, literal, types)
                    if by_name
                    else self.lookup(literal, types)
                )
                if known is None:
                    missing.append(literal)
                else:
                    found.append(known)
        links = Links(addresses=dedupe(found), literals=missing)
        # A value resting on something (a variable without value) is written, even where Azure
        # would fill the attribute in.
        links.rests_on = dedupe(
            name for each in resource.unknown_values.get(path, ()) for name in each.sources
        )
        unknown_value = has_unknown(value) and not references
        if computed and not links.rests_on:
            unknown_value = False
        return concluded(
            links, resource, path, value, references or [], unknown_value, what, unknown, self.note
        )

    def lookup(self, literal: str, types: Types) -> str | None:
        """The resource a known Azure id names: by the id itself, else by the names it spells."""
        address = self.idx.ids.get(literal.lower())
        if address is not None:
            resource = self.idx.by_address.get(address)
            if resource is None or types is None or resource.type in types:
                return self.alias.get(address, address)
        parsed = parse_azure_id(literal)
        if parsed is None:
            return None
        if parsed.kind == "microsoft.network/virtualnetworks/subnets":
            inline = self.inline_subnet_named(parsed.names[0], parsed.names[1])
            if inline is not None and (types is None or VNET_TYPES & types):
                return inline
        kind_types = _ARM_TYPES.get(parsed.kind)
        if kind_types is None:
            return None
        wanted = kind_types if types is None else kind_types & types
        candidates = [
            r
            for r in self.named(wanted, parsed.names[-1], parsed.resource_group)
            if len(parsed.names) < 2 or self.parent_matches(r, parsed.names[-2])
        ]
        return candidates[0].address if len(candidates) == 1 else None

    def lookup_name(self, resource: TfResource, name: str, types: Types) -> str | None:
        group = string_value(resource.values.get("resource_group_name"))
        candidates = self.named(types or (), name, group)
        if len(candidates) == 1:
            return candidates[0].address
        return None

    def named(self, types: Iterable[str], name: str, group: str | None) -> list[TfResource]:
        """Resources so named, a data source that reads a managed one counting as that one."""
        return [r for r in self.idx.named(types, name, group) if r.address not in self.alias]

    def parent_matches(self, resource: TfResource, parent: str) -> bool:
        """Whether a child resource (subnet, backend pool) belongs to the parent so named."""
        if resource.type in SUBNET_TYPES:
            written = resource.values.get("virtual_network_name")
            return not isinstance(written, str) or same_name(written, parent)
        links = self.resolve(resource, "loadbalancer_id", LB_TYPES)
        if len(links.addresses) != 1:
            return True
        balancer = self.idx.by_address.get(links.addresses[0])
        return (
            balancer is None
            or same_name(balancer.values.get("name"), parent)
            or (not isinstance(balancer.values.get("name"), str))
        )

    def one(
        self,
        resource: TfResource,
        path: str,
        types: Types,
        unknown: list[str] | None,
        what: str,
        *,
        by_name: bool = False,
    ) -> str | None:
        links = self.resolve(resource, path, types, unknown, what, by_name=by_name, single=True)
        return only_one(links, resource, path, what, unknown, self.note)

    # ----- virtual networks and subnets -------------------------------------------------------

    def inline_subnet_named(self, network_name: str, subnet_name: str) -> str | None:
        for network, subnets in self.inline_subnets.items():
            resource = self.idx.by_address.get(network)
            if resource is None or not same_name(resource.values.get("name"), network_name):
                continue
            for name, address in subnets.items():
                if same_name(name, subnet_name):
                    return address
        return None

    def cidr_values(
        self,
        resource: TfResource,
        path: str,
        unknown: list[str],
        ranges: list[UnknownValue] | None = None,
    ) -> list[str]:
        """The CIDRs at `path`; what is unknown goes to `ranges` as unknown address ranges
        when given, else to `unknown` as the attribute's name."""
        value = value_at(resource.values, path)
        if has_unknown(value) and ranges is not None:
            found_ranges = unknown_ranges(resource, path)
            ranges.extend(r for r in found_ranges if r not in ranges)
            self.note(resource, not_known(path, found_ranges), path)
        elif has_unknown(value):
            if path not in unknown:
                unknown.append(path)
            self.note(resource, f"{path} is known only after apply", path)
        found: list[str] = []
        for text in strings(value):
            cidr = as_cidr(text)
            if cidr is None:
                self.note(resource, f"{path} holds {text!r}, which is not a CIDR", path)
            else:
                found.append(cidr)
        return found

    def managed_twin_subnet(self, resource: TfResource) -> str | None:
        name = string_value(resource.values.get("name"))
        network_name = string_value(resource.values.get("virtual_network_name"))
        if name is None:
            return None
        candidates = [
            r
            for r in self.idx.named(
                SUBNET_TYPES, name, string_value(resource.values.get("resource_group_name"))
            )
            if r.mode == "managed"
            and (network_name is None or self.parent_matches(r, network_name))
        ]
        return candidates[0].address if len(candidates) == 1 else None

    def network_of_subnet(self, resource: TfResource, unknown: list[str]) -> str:
        links = self.resolve(
            resource, "virtual_network_name", VNET_TYPES, by_name=True, single=True
        )
        found = [a for a in links.addresses if a in self.model.networks]
        if len(found) == 1:
            return found[0]
        path = "virtual_network_name"
        unknown.append(path)
        if links.literals:
            return self.external_network(
                resource, f"Microsoft.Network/virtualNetworks/{links.literals[0]}", path
            )
        if len(found) > 1:
            reason = f"{path} may be any of {', '.join(found[:NOTE_SAMPLE])}"
        else:
            reason = f"{path} cannot be resolved"
        if len(self.declared_networks) == 1:
            only = self.declared_networks[0]
            self.note(
                resource, f"{reason}; assumed {only}, the only virtual network in the input", path
            )
            return only
        return self.external_network(resource, "unknown-vnet", path, reason)

    def external_network(
        self, resource: TfResource, address: str, path: str, reason: str | None = None
    ) -> str:
        """A virtual network outside the input, whose address space is unknown."""
        outside_network(self.model, address, _NETWORK_TYPE, outside_range(address, "address_space"))
        why = (
            reason
            or f"{path} names {address.rsplit('/', 1)[-1]}, a virtual network outside the input"
        )
        self.note(resource, f"{why}; placed in {address}", path)
        return address

    def subnet_of(
        self,
        resource: TfResource,
        path: str,
        unknown: list[str] | None,
        what: str = "subnet",
        *,
        computed: bool = False,
    ) -> str | None:
        """The subnet an attribute names: an azurerm_subnet, an inline subnet, or one outside."""
        links = self.resolve(resource, path, SUBNET_LINK_TYPES, single=True, computed=computed)
        found: list[str] = []
        for address in links.addresses:
            if address in self.model.subnets:
                found.append(address)
            elif address in self.model.networks:
                inline = list(self.inline_subnets.get(address, {}).values())
                found.extend(inline if len(inline) == 1 else [])
                if len(inline) != 1 and unknown is not None:
                    self.note(
                        resource,
                        f"{path} refers to {address}, whose subnet cannot be told apart",
                        path,
                    )
        found = dedupe(found)
        if len(found) == 1:
            return found[0]
        if not found and links.literals:
            external = self.external_subnet(resource, links.literals[0], path)
            if external is not None:
                return external
        if unknown is not None and links.given:
            if path not in unknown:
                unknown.append(path)
            if len(found) > 1:
                choices = ", ".join(found[:NOTE_SAMPLE])
                self.note(resource, f"{path} may be any of {choices}; its {what} is unknown", path)
            elif links.literals:
                self.note(
                    resource, f"{path} names {links.literals[0]}, which is not a subnet id", path
                )
            elif resource.references.get(path):
                refs = ", ".join(resource.references[path])
                self.note(
                    resource,
                    f"{path} refers to {refs}, which is not a subnet in the input; its {what} "
                    "is unknown",
                    path,
                )
            else:
                rests_on = ", ".join(links.rests_on)
                why = (
                    f"is not known (it rests on {rests_on})"
                    if rests_on
                    else "is known only after apply"
                )
                self.note(resource, f"{path} {why}; its {what} is unknown", path)
        return None

    def external_subnet(self, resource: TfResource, literal: str, path: str) -> str | None:
        """A subnet outside the input that a known id names, in its virtual network."""
        parsed = parse_azure_id(literal)
        if parsed is None or parsed.kind != "microsoft.network/virtualnetworks/subnets":
            return None
        if literal not in self.model.subnets:
            network = self.lookup(literal.rsplit("/subnets/", 1)[0], VNET_TYPES)
            if network is None:
                network = literal.rsplit("/subnets/", 1)[0]
                outside_network(
                    self.model, network, _NETWORK_TYPE, outside_range(network, "address_space")
                )
            outside_subnet(
                self.model, literal, "azurerm_subnet", network,
                outside_range(literal, "address_prefixes"),
            )  # fmt: skip
        self.note(resource, f"{path} names {literal}, a subnet outside the input", path)
        return literal

    def subnet_network(self, subnet: str | None) -> str | None:
        placed = self.model.subnets.get(subnet or "")
        return placed.network if placed is not None else None

    def subnet_name(self, subnet: str) -> str:
        """The Azure name of a subnet (inline blocks are addressed `<vnet>/subnet/<name>`)."""
        resource = self.idx.by_address.get(subnet)
        if resource is not None and resource.type in SUBNET_TYPES:
            return string_value(resource.values.get("name")) or ""
        return subnet.rsplit("/", 1)[-1]

    # ----- security groups --------------------------------------------------------------------

    def referenced_ranges(self, resource: TfResource, path: str) -> list[str]:
        """The address ranges of the subnets and VNets an expression refers to, all known."""
        links = self.resolve(resource, path, SUBNET_TYPES | VNET_TYPES)
        found: list[str] = []
        for address in links.addresses:
            element = self.model.subnets.get(address) or self.model.networks.get(address)
            if element is None or not element.cidrs or element.unknown:
                return []
            found.extend(element.cidrs)
        return found

    def gateway_subnet(self, resource: TfResource, unknown: list[str]) -> str | None:
        """The subnet of a gateway's first ip configuration (all share one subnet)."""
        for position, _ in enumerate(blocks(resource.values.get("ip_configuration"))):
            subnet = self.subnet_of(resource, f"ip_configuration.{position}.subnet_id", unknown)
            if subnet is not None:
                return subnet
        if not blocks(resource.values.get("ip_configuration")):
            unknown.append("ip_configuration")
            self.note(resource, "ip_configuration is not known; its subnet is unknown")
        return None
