"""Virtual networks and subnets: their address ranges, and what a subnet is associated with.

A range allocated from an IPAM pool is decided at deployment. A subnet keeps default outbound
access unless it is turned off (https://learn.microsoft.com/azure/virtual-network/ip-services/
default-outbound-access). A subnet's NSG, route table and NAT gateway are links, written on the
subnet or in an association of their own; Azure keeps the first four addresses of every subnet,
so the first it hands out is the fifth (`first_host`).

A subnet's NSG filters traffic to the private endpoints in it only when its private endpoint
network policies enable NSGs: `Enabled` or `NetworkSecurityGroupEnabled`, not `Disabled` (the
default) or `RouteTableEnabled`
(https://learn.microsoft.com/azure/private-link/disable-private-endpoint-network-policy).
"""

from __future__ import annotations

import ipaddress

from reachlint.model.network import Network, NetworkModel, Subnet
from reachlint.providers.azure import peerings
from reachlint.providers.azure.nsgs import nsg_not_known
from reachlint.providers.azure.resources import Build, Resource
from reachlint.sources import UnknownValue

SUBNET_LINKS = ("security_group", "route_table", "nat_gateway")
# Private endpoint network policies, by whether the subnet's NSG filters private endpoints.
ENDPOINT_NSG = {
    "enabled": True,
    "networksecuritygroupenabled": True,
    "disabled": False,
    "routetableenabled": False,
}


def virtual_networks(build: Build) -> None:
    """Every virtual network with its inline subnets and peerings."""
    for resource in build.source.of("virtual_network"):
        network = Network(
            address=resource.address, type=resource.type, origin=resource.origin, provider="azure"
        )
        network.cidrs = resource.cidrs("address_space", network.unknown, network.unknown_ranges)
        if not network.cidrs and resource.given("ipam_pool"):
            resource.unknowable("cidrs", "allocated from an IPAM pool", network.unknown)
        build.model.networks[network.address] = network
        for entry in resource.entries("subnets", network.unknown):
            add_subnet(build, entry, network.address, [])
        for entry in resource.entries("peerings"):
            build.peering_sides.append(peerings.side(entry, network.address))


def subnets(build: Build) -> None:
    """Subnets written as resources of their own, in the network their link names."""
    note = build.settings.subnet_without_network
    for resource in build.source.of("subnet"):
        unknown: list[str] = []
        network = resource.link("network", unknown) or ""
        if note and network not in build.model.networks:
            resource.note(note.format(network=network))
        add_subnet(build, resource, network, unknown)


def add_subnet(build: Build, entry: Resource, network: str, unknown: list[str]) -> None:
    subnet = Subnet(
        address=entry.address,
        type=entry.type,
        origin=entry.origin,
        network=network,
        unknown=unknown,
    )
    cidrs = entry.cidrs("address_prefixes", subnet.unknown, subnet.unknown_ranges)
    subnet.cidrs = list(dict.fromkeys(cidrs)) if build.settings.dedupe_subnet_ranges else cidrs
    if not subnet.cidrs and entry.given("ipam_pool"):
        entry.unknowable("cidrs", "allocated from an IPAM pool", subnet.unknown)
    for field in SUBNET_LINKS:
        if entry.given(field):
            marks = [] if build.settings.name_unresolved_subnet_links else subnet.unknown
            attach(build, subnet, field, entry.link(field, marks))
    if entry.flag("default_outbound_access") is False:
        subnet.default_outbound_access = False
    endpoint_policies(build, entry, subnet.address)
    build.model.subnets[subnet.address] = subnet


def endpoint_policies(build: Build, entry: Resource, subnet: str) -> None:
    """Whether the subnet's NSG filters traffic to its private endpoints: read from its private
    endpoint network policies (or the older flag); one not known is named."""
    field = "private_endpoint_policies"
    names: list[str] = []
    policy = entry.text(field, names)
    if policy is None and not names and entry.given(field):
        entry.name_unknown(field, names)
    if policy is None and not names:
        enabled = entry.flag("private_endpoint_policies_enabled")
        if enabled is not None:
            policy = "Enabled" if enabled else "Disabled"
        elif entry.given("private_endpoint_policies_enabled"):
            entry.name_unknown("private_endpoint_policies_enabled", names)
        else:
            policy = build.settings.private_endpoint_policies_default
    filters = ENDPOINT_NSG.get(policy.lower()) if policy is not None else None
    if policy is not None and filters is None:
        entry.invalid(field, [policy], names)
    if names:
        build.endpoint_nsg[subnet] = f"{subnet}: {names[-1]}"
    elif filters is not None:
        build.endpoint_nsg[subnet] = filters


def associations(build: Build) -> None:
    """NSGs, route tables and NAT gateways associated with subnets apart from the subnet."""
    for resource in build.source.of("subnet_association"):
        unknown: list[str] = []
        subnet = build.model.subnets.get(resource.link("subnet", unknown) or "")
        for field in SUBNET_LINKS:
            if resource.given(field):
                target = resource.link(field, unknown)
                if subnet is not None:
                    attach(build, subnet, field, target)


def attach(build: Build, subnet: Subnet, field: str, target: str | None) -> None:
    """Associate a subnet with an NSG, route table or NAT gateway; None: it is unknown which.
    An NSG not known is one whose rules are not known (none at all would be a guess)."""
    if field == "security_group" and target is None:
        target = nsg_not_known(build, subnet.address)
    setattr(subnet, field, target)
    if target is None and build.settings.name_unresolved_subnet_links:
        if field not in subnet.unknown:
            subnet.unknown.append(field)
    elif target is not None and field in build.users:
        build.users[field][target].append(subnet.address)


def subnets_using(build: Build, field: str, target: str) -> list[str]:
    """The subnets associated with a route table or NAT gateway (see
    `Settings.subnets_from_model`)."""
    if build.settings.subnets_from_model:
        return [s.address for s in build.model.subnets.values() if getattr(s, field) == target]
    return list(dict.fromkeys(build.users[field].get(target, [])))


def network_of(build: Build, subnet: str | None) -> str | None:
    """The network of a subnet: the model's, else the one its address names, when declared."""
    placed = build.model.subnets.get(subnet or "")
    if placed is not None:
        return placed.network
    parent = build.source.parent_network(subnet) if subnet else None
    return parent if parent in build.model.networks else None


def first_host(cidr: str) -> str | None:
    """Azure keeps a subnet's first four addresses: the first it hands out is x.x.x.4."""
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return None
    return str(network.network_address + 4) if network.num_addresses > 4 else None


def outside_network(
    model: NetworkModel, address: str, type_name: str, range_of: UnknownValue
) -> None:
    """A virtual network the input names but does not declare: its address space is unknown."""
    if address not in model.networks:
        model.networks[address] = Network(
            address=address,
            type=type_name,
            provider="azure",
            outside=True,
            unknown_ranges=[range_of],
        )


def outside_subnet(
    model: NetworkModel, address: str, type_name: str, network: str, range_of: UnknownValue
) -> None:
    """A subnet the input names but does not declare: its address range is unknown."""
    if address not in model.subnets:
        model.subnets[address] = Subnet(
            address=address,
            type=type_name,
            network=network,
            outside=True,
            unknown_ranges=[range_of],
        )
