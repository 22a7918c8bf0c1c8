"""On-premises ends: local network gateways and ExpressRoute circuits, joined to a virtual
network gateway by a connection (https://learn.microsoft.com/azure/vpn-gateway/
vpn-gateway-about-vpn-gateway-settings#connection).

A site-to-site (IPsec) connection joins a local network gateway, whose address space is the
on-premises ranges; BGP may advertise others. An ExpressRoute connection joins a circuit, whose
on-premises ranges are learned over BGP and unknown before deployment. VNet-to-VNet connections
are not modelled. How the ends are found is a setting (`Settings.sites_from_connections`): from
the connections (azurerm), or every local network gateway and circuit, behind the gateway a
connection joins it to (ARM).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from reachlint.model.network import OnPremSite
from reachlint.providers.azure.resources import Build, Resource
from reachlint.sources import UnknownValue


def _learned_over_bgp(site: OnPremSite) -> None:
    """The ranges a site advertises over BGP: not known before deployment, named so that what
    rests on them follows --assume-unknown and never passes unseen."""
    learned = f"{site.address}: ranges learned over BGP"
    site.unknown_ranges.append(UnknownValue(sources=(learned,), exactly=learned))


def on_premises(build: Build) -> None:
    """Every on-premises end and the gateway it is reached through."""
    if build.settings.sites_from_connections:
        _sites_from_connections(build)
    else:
        _sites_behind_gateways(build)


def _sites_behind_gateways(build: Build) -> None:
    notes = build.settings.notes
    gateways: dict[str, list[str]] = defaultdict(list)
    for resource in build.source.of("connection"):
        kind = resource.text("connection_type")
        gateway = resource.link("gateway")
        local = resource.link("local_gateway")
        circuit = resource.link("circuit")
        if (kind or "").lower() == "vnet2vnet":
            resource.note(notes["vnet2vnet"])
            continue
        far_end = local or circuit
        if gateway is not None and far_end is not None:
            gateways[far_end.lower()].append(gateway)
        elif far_end is None:
            resource.note(notes["no far end"])
    for resource in build.source.of("local_network_gateway"):
        site = OnPremSite(address=resource.address, type=resource.type, origin=resource.origin)
        site.cidrs = resource.cidrs("address_space", site.unknown, site.unknown_ranges)
        _behind(resource, site, gateways.get(resource.address.lower(), []), notes)
        if resource.entries("bgp"):
            resource.note(notes["bgp"])
            _learned_over_bgp(site)
        build.model.onprem_sites[site.address] = site
    for resource in build.source.of("express_route_circuit"):
        site = OnPremSite(address=resource.address, type=resource.type, origin=resource.origin)
        _behind(resource, site, gateways.get(resource.address.lower(), []), notes)
        resource.note(notes["circuit ranges"])
        _learned_over_bgp(site)
        build.model.onprem_sites[site.address] = site


def _behind(
    resource: Resource, site: OnPremSite, gateways: list[str], notes: Mapping[str, str]
) -> None:
    """A site behind the first gateway connected to it."""
    if not gateways:
        resource.note(notes["not connected"])
        return
    site.gateway = gateways[0]
    if len(set(gateways)) > 1:
        resource.note(notes["several gateways"].format(gateway=gateways[0]))


def _sites_from_connections(build: Build) -> None:
    notes = build.settings.notes
    connected: set[str] = set()
    for resource in build.source.of("connection"):
        unknown: list[str] = []
        gateway = resource.link("gateway", unknown)
        kind = (resource.text("connection_type") or "").lower()
        if kind == "ipsec":
            local = resource.link("local_gateway", unknown)
            if local is not None:
                connected.add(local)
                site = build.source.resource(local, "local_network_gateway")
                if site is not None:  # a link names a resource of the input
                    _local_site(build, site, gateway, resource)
        elif kind == "expressroute":
            found = resource.link("circuit", unknown)
            circuit = build.source.resource(found, "express_route_circuit") if found else None
            circuit = circuit or resource
            address = found or f"{resource.address}/express_route_circuit"
            behind = OnPremSite(address=address, type=circuit.type, origin=circuit.origin)
            behind.gateway = gateway
            _learned_over_bgp(behind)
            build.model.onprem_sites[address] = behind
            resource.note(notes["circuit ranges"])
        elif kind == "vnet2vnet":
            resource.note(notes["vnet2vnet"])
        else:
            resource.note(notes["unknown connection type"], at="connection_type")
    for resource in build.source.of("local_network_gateway"):
        if resource.address not in connected:
            resource.note(notes["not connected"])


def _local_site(build: Build, local: Resource, gateway: str | None, connection: Resource) -> None:
    """The local network gateway a connection joins; a second connection to it is noted."""
    notes = build.settings.notes
    existing = build.model.onprem_sites.get(local.address)
    if existing is not None:
        words = {"site": local.address, "gateway": existing.gateway}
        connection.note(notes["second connection"].format(**words))
        return
    site = OnPremSite(address=local.address, type=local.type, origin=local.origin, gateway=gateway)
    site.cidrs = local.cidrs("address_space", site.unknown, site.unknown_ranges)
    if local.entries("bgp"):
        _learned_over_bgp(site)
    if not site.cidrs and not site.unknown_ranges:
        local.note(notes["empty address space"])
    elif not site.cidrs and local.entries("bgp"):
        local.note(notes["bgp ranges"])
    build.model.onprem_sites[site.address] = site
