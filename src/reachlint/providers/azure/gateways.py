"""Virtual network gateways, their point-to-site clients, NAT gateways and Azure Firewalls.

A virtual network gateway sits in its network's GatewaySubnet; all its IP configurations share
that subnet. Point-to-site clients reach the network from the gateway's client address pool
(https://learn.microsoft.com/azure/vpn-gateway/point-to-site-about), an on-premises end of
their own. A NAT gateway serves the subnets associated with it, and gives internet egress only
through the public IPs or prefixes associated with it
(https://learn.microsoft.com/azure/nat-gateway/nat-overview). An Azure Firewall sits in its
network's AzureFirewallSubnet at a private address Azure hands out there, the first it may: it
keeps a subnet's first four (https://learn.microsoft.com/azure/virtual-network/ip-services/
private-ip-addresses; https://learn.microsoft.com/azure/firewall/firewall-faq). Its rules are
read by the dialect; what they mean is `firewall`'s.
"""

from __future__ import annotations

from reachlint.model.network import Gateway, OnPremSite
from reachlint.providers.azure.compute import address
from reachlint.providers.azure.networks import first_host, network_of, subnets_using
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


def firewall(build: Build, resource: Resource) -> bool:
    """An Azure Firewall placed in its subnet; whether it has a public IP (DNAT needs one)."""
    settings = build.settings
    gateway = Gateway(
        address=resource.address, type=resource.type, origin=resource.origin, kind="firewall"
    )
    subnet = resource.link("subnet", gateway.unknown)
    gateway.subnet, gateway.network = subnet, network_of(build, subnet)
    configurations = resource.entries("ip_configurations")
    fixing = configurations[:1] if settings.firewall_address_of_first_only else configurations
    for entry in fixing:
        ip = address(entry.text("private_ip"), settings.normalise_addresses)
        if ip is not None:
            gateway.private_ips.append(ip)
    placed = build.model.subnets.get(subnet or "")
    first = first_host(placed.cidrs[0]) if placed is not None and placed.cidrs else None
    if not gateway.private_ips and first is not None:
        gateway.private_ips = [first]
        resource.note(settings.notes["firewall first address"].format(ip=first, subnet=subnet))
    named = settings.firewall_subnet_not_named
    if placed is not None and named and _name(build, placed.address).lower() != FIREWALL_SUBNET:
        resource.note(named.format(subnet=subnet))
    if not gateway.private_ips:
        name, note = settings.firewall_address_unknown
        gateway.unknown.append(name)
        if note:
            resource.note(note)
    if resource.given("virtual_hub"):
        resource.note("a firewall in a Virtual WAN hub is not placed in a network")
    public = any(entry.given("public_ip") for entry in configurations)
    if settings.firewall_public_from_address:
        gateway.public = public
    build.model.gateways[gateway.address] = gateway
    return public


FIREWALL_SUBNET = "azurefirewallsubnet"


def _name(build: Build, subnet: str) -> str:
    """A subnet's own name: its resource's, else the last part of its address."""
    written = build.source.resource(subnet, "subnet")
    return written.name or "" if written is not None else subnet.rsplit("/", 1)[-1]
