"""Route tables and their user-defined routes (https://learn.microsoft.com/azure/virtual-network/
virtual-networks-udr-overview).

A route table routes only the subnets associated with it: one that no subnet uses routes
nothing. Its routes are written inside it or as resources of their own; Azure keeps whichever
is applied last, so both are modelled. A route's next hop is a virtual network gateway (the
network's own, or through peering the hub's whose gateway it uses), the network itself, the
internet, nothing (traffic dropped), or a virtual appliance: the firewall or machine that holds
the next-hop address. With gateway (BGP) route propagation off, routes the virtual network
gateway learns do not reach the table's subnets.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict

from reachlint.model.network import (
    Endpoint,
    Route,
    RouteTable,
    RouteTarget,
    every_port_listeners,
    targets_of,
)
from reachlint.providers.azure.networks import subnets_using
from reachlint.providers.azure.resources import Build, Resource
from reachlint.sources import UnknownValue

NEXT_HOPS: dict[str, RouteTarget] = {
    "virtualnetworkgateway": "vpn-gateway",
    "vnetlocal": "local",
    "internet": "internet",
    "virtualappliance": "virtual-appliance",
    "none": "blackhole",
}


def route_tables(build: Build) -> None:
    """Every route table some subnet uses, with its routes written inline or apart."""
    settings = build.settings
    notes = settings.notes
    separate: dict[str, list[Resource]] = defaultdict(list)
    for resource in build.source.of("route"):
        parent = resource.link("route_table", [])
        if parent is not None:
            separate[parent].append(resource)
    for resource in build.source.of("route_table"):
        subnets = subnets_using(build, "route_table", resource.address)
        if build.settings.subnets_from_model:
            subnets.sort()
        if not subnets:
            resource.note(notes["table unused"])
            continue
        table = RouteTable(
            address=resource.address,
            type=resource.type,
            origin=resource.origin,
            network=build.model.subnets[subnets[0]].network,
            subnets=subnets,
        )
        if not settings.note_bgp_after_routes:
            _bgp(resource, table, notes["no bgp"])
        for entry in resource.entries("routes", table.unknown):
            built = route(build, entry, table.network)
            if built is not None:
                table.routes.append(built)
        apart = separate.pop(resource.address, [])
        if table.routes and apart and settings.inline_and_separate_routes:
            resource.note(settings.inline_and_separate_routes)
        for entry in apart:
            built = route(build, entry, table.network)
            if built is not None:
                table.routes.append(built)
        if settings.note_bgp_after_routes:
            _bgp(resource, table, notes["no bgp"])
        build.model.route_tables[table.address] = table
    if settings.route_without_table:
        for parent, routes in separate.items():
            if parent not in build.model.route_tables:
                routes[0].note(settings.route_without_table.format(table=parent))


def _bgp(resource: Resource, table: RouteTable, note: str) -> None:
    off = resource.flag("disable_bgp_route_propagation") is True
    if off or resource.flag("bgp_route_propagation") is False:
        table.learns_gateway_routes = False
        resource.note(note)


def route(build: Build, entry: Resource, network: str) -> Route | None:
    """One route; what it does not say is named unknown, or it is skipped (see `Settings`)."""
    settings = build.settings
    notes = settings.notes
    keep = settings.keep_incomplete_routes
    here = settings.route_notes_here
    unknown: list[str] = []
    ranges: list[UnknownValue] = []
    origin = entry.origin
    written = entry.address_range("address_prefix", ranges)
    hop = entry.text("next_hop_type")
    words = {"address": entry.address, "path": entry.path, "network": network}
    if not keep and ((written is None and not ranges) or hop is None):
        entry.note(notes["route incomplete"].format(**words), here=here)
        return None
    destination = None
    if written is not None:
        destination = _cidr(written.strip() if settings.normalise_addresses else written)
        if destination is None:
            if not keep:
                entry.note(notes["service tag"].format(prefix=written, **words), here=here)
                return None
            entry.name_unknown("address_prefix", unknown)
            entry.note(notes["service tag"].format(prefix=written, **words), here=here)
    elif not ranges:
        entry.name_unknown("address_prefix", unknown)
    kind = NEXT_HOPS.get((hop or "").lower(), "unknown")
    if kind == "unknown":
        if keep:
            entry.name_unknown("next_hop_type", unknown)
        entry.note(notes["unknown hop"].format(hop=hop, **words), here=here)
    target: str | None = None
    if kind == "vpn-gateway":
        target = vpn_gateway(build, network)
        if target is None:
            entry.note(notes["no vpn gateway"].format(**words), here=here)
    elif kind == "virtual-appliance":
        named: list[str] = []
        ip = entry.text("next_hop_ip", named)
        # An address known only after apply, taken from the appliance itself (a firewall's
        # private IP): the route leads to that appliance.
        linkable = settings.hop_by_reference and ip is None and entry.given("next_hop_ip")
        target = _linked_appliance(build, entry) if linkable else None
        if target is None:
            unknown.extend(named)
            if settings.check_next_hop_ip:
                ip = _ip(ip)
                if ip is None:
                    entry.name_unknown("next_hop_ip", unknown)
                    entry.note(notes["no hop address"].format(**words), here=here)
            target = appliance(build, entry, ip) if ip else None
    return Route(
        address=entry.address,
        type=entry.type,
        origin=origin,
        destination=destination,
        target_kind=kind,
        target=target,
        unknown=unknown,
        unknown_ranges=ranges,
    )


def vpn_gateway(build: Build, network: str) -> str | None:
    """The VPN gateway of a network, or of the hub whose gateway it uses through peering."""
    own = _gateway_in(build, network)
    if own is not None or not build.settings.gateway_through_peering:
        return own
    for side in build.peering_sides:
        if side.local == network and side.flag("use_remote_gateways") is True:
            remote = _gateway_in(build, side.remote)
            if remote is not None:
                return remote
    return None


def _gateway_in(build: Build, network: str | None) -> str | None:
    if network is None:
        return None
    for gateway in build.model.gateways.values():
        if gateway.kind == "vpn-gateway" and gateway.network == network:
            return gateway.address
    return None


def appliance(build: Build, entry: Resource, ip: str) -> str:
    """The firewall or machine that holds a next-hop address, else the address itself."""
    checks = build.settings.check_appliance
    notes = build.settings.notes
    for gateway in build.model.gateways.values():
        if ip in gateway.private_ips:
            return gateway.address
    for endpoint in build.model.endpoints.values():
        for interface in endpoint.interfaces:
            if ip in interface.private_ips:
                if endpoint.load_balancer is not None:
                    if checks:
                        _check_balanced_appliances(build, entry, endpoint, interface.address, ip)
                    return endpoint.address
                if checks and interface.address not in build.forwarding_nics:
                    words = {"address": entry.address, "ip": ip, "interface": interface.address}
                    entry.note(notes["no ip forwarding"].format(**words))
                return endpoint.address
    if checks:
        entry.note(notes["no appliance"].format(address=entry.address, ip=ip))
    return ip


def _check_balanced_appliances(
    build: Build, entry: Resource, balancer: Endpoint, frontend: str, ip: str
) -> None:
    """An internal load balancer's frontend as the next hop: its HA ports rule passes every
    flow to appliances in its backend pool, which must forward it
    (https://learn.microsoft.com/azure/load-balancer/load-balancer-ha-ports-overview).
    Modelled as the load balancer passing the traffic on; a note where Azure would not."""
    words = {"address": entry.address, "ip": ip, "balancer": balancer.address}
    every_port = every_port_listeners(balancer, frontend)
    if not every_port:
        entry.note(build.settings.notes["balancer without ha ports"].format(**words))
        return
    backends = targets_of(build.model, every_port)
    if not any(
        interface.address in build.forwarding_nics
        for backend in backends
        for interface in backend.interfaces
    ):
        entry.note(build.settings.notes["backends without ip forwarding"].format(**words))


def _linked_appliance(build: Build, entry: Resource) -> str | None:
    """The firewall or machine whose own address a route's next hop is written as."""
    linked = entry.link("next_hop_ip")
    if linked is None:
        return None
    if linked in build.model.gateways:
        return linked
    for endpoint in build.model.endpoints.values():
        if linked == endpoint.address or any(i.address == linked for i in endpoint.interfaces):
            return endpoint.address
    return None


def _cidr(text: str) -> str | None:
    try:
        return str(ipaddress.ip_network(text, strict=False))
    except ValueError:
        return None


def _ip(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None
