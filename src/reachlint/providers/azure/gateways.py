"""Virtual network gateways, their point-to-site clients, and NAT gateways.

A virtual network gateway sits in its network's GatewaySubnet; all its IP configurations share
that subnet. Point-to-site clients reach the network from the gateway's client address pool
(https://learn.microsoft.com/azure/vpn-gateway/point-to-site-about), an on-premises end of
their own. A NAT gateway serves the subnets associated with it, and gives internet egress only
through the public IPs or prefixes associated with it
(https://learn.microsoft.com/azure/nat-gateway/nat-overview).
"""

from __future__ import annotations

from reachlint.model.network import Gateway, OnPremSite
from reachlint.providers.azure.networks import subnets_using
from reachlint.providers.azure.resources import Build, Resource


def virtual_network_gateways(build: Build) -> None:
    """Every virtual network gateway, in the network of its subnet."""
    settings = build.settings
    for resource in build.source.of("virtual_network_gateway"):
        gateway = Gateway(
            address=resource.address,
            type=resource.type,
            origin=resource.origin,
            kind="vpn-gateway",
        )
        subnet = resource.link("subnet", gateway.unknown)
        placed = build.model.subnets.get(subnet or "")
        network = placed.network if placed is not None else None
        if not network and subnet is not None:
            network = build.source.parent_network(subnet) or network
        gateway.subnet, gateway.network = subnet, network
        if network is None and settings.name_unknown_gateway_network:
            gateway.unknown.append("network")
        build.model.gateways[gateway.address] = gateway
        if settings.point_to_site_with_gateway:
            point_to_site(build, resource)


def points_to_site(build: Build) -> None:
    """Every gateway's point-to-site clients, read apart from the gateways."""
    for resource in build.source.of("virtual_network_gateway"):
        point_to_site(build, resource)


def point_to_site(build: Build, gateway: Resource) -> None:
    """A gateway's point-to-site clients: an on-premises end with the client address pool."""
    as_ranges = build.settings.client_pool_unknown_ranges
    for entry in gateway.entries("client_pools"):
        site = OnPremSite(
            address=entry.address, type=entry.type, origin=entry.origin, gateway=gateway.address
        )
        ranges = site.unknown_ranges if as_ranges else None
        site.cidrs = entry.cidrs("address_prefixes", site.unknown, ranges)
        build.model.onprem_sites[site.address] = site


def nat_gateways(build: Build) -> None:
    """Every NAT gateway, in the network of the first subnet that uses it."""
    settings = build.settings
    public_ips = (
        build.source.of("nat_gateway_public_ip") if settings.nat_public_from_associations else []
    )
    for resource in build.source.of("nat_gateway"):
        users = subnets_using(build, "nat_gateway", resource.address)
        networks = [build.model.subnets[s].network for s in users if s in build.model.subnets]
        gateway = Gateway(
            address=resource.address,
            type=resource.type,
            origin=resource.origin,
            kind="nat-gateway",
            network=networks[0] if networks else None,
        )
        if not users and settings.nat_without_subnet:
            resource.note(settings.nat_without_subnet)
        if settings.nat_public_from_associations:
            gateway.public = any(
                association.link("nat_gateway") == resource.address for association in public_ips
            )
            if not gateway.public:
                resource.note(settings.notes["no nat public ip"])
        build.model.gateways[gateway.address] = gateway
