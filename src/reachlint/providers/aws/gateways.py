"""Gateways out of a VPC: internet, egress-only, NAT, VPN and transit gateways, gateway
endpoints, peerings and site-to-site VPN.

A NAT gateway is public unless private; a transit gateway propagates into its default table
unless told not to; a peering is active only when accepted (or auto-accepted), and is not
transitive; a VPN's local network of everything says nothing more than its routes.

Fields: a gateway's `network` (a NAT gateway: `subnet`, `connectivity`; a transit gateway:
`default_propagation`; a gateway endpoint: `network`, `endpoint_type`, `route_tables`, `service`);
attachments `gateway` and `network`; a peering `network`, `peer_network`, `auto_accept`, its
accepter `peering` and `network`; a transit attachment `transit_gateway`, `network`, `subnets`;
a transit route `table`, `destination`, `blackhole`, `attachment`, and a transit table
`transit_gateway`; a VPN connection `vpn_gateway`, `transit_gateway`, `customer_gateway`,
`local_cidr`, `local_ipv6_cidr`, `static_routes_only`; a VPN route `connection`, `destination`.
"""

from __future__ import annotations

from typing import Any

from reachlint.model.network import (
    Gateway,
    GatewayKind,
    OnPremSite,
    Peering,
    TransitGatewayAttachment,
    TransitGatewayRoute,
)
from reachlint.providers.aws.networks import (
    ALL_V4,
    ALL_V6,
    NETWORK_LINK_KINDS,
    SUBNET_KINDS,
    cidr_values,
    network_of,
    network_via,
    optional_network_of,
)
from reachlint.providers.aws.routing import (
    RT_LINK_KINDS,
    TGW_KINDS,
    VGW_KINDS,
    route_table_of,
    table_address,
)
from reachlint.providers.aws.source import Fields, Resource
from reachlint.providers.aws.state import Build
from reachlint.providers.values import dedupe
from reachlint.sources import UNKNOWN, UnknownValue


def add_gateway(b: Build, resource: Fields, kind: GatewayKind, **rest: Any) -> Gateway:
    gateway = Gateway(
        address=resource.address, type=resource.type, origin=resource.origin, kind=kind, **rest
    )
    b.model.gateways[resource.address] = gateway
    return gateway


def add_gateways(b: Build) -> None:
    simple: tuple[tuple[str, GatewayKind], ...] = (
        ("internet-gateway", "internet-gateway"),
        ("egress-only-internet-gateway", "egress-only-internet-gateway"),
        ("vpn-gateway", "vpn-gateway"),
    )
    for resource_kind, kind in simple:
        for resource in b.inv.of(resource_kind):
            unknown: list[str] = []
            network = optional_network_of(b, resource, "network", unknown)
            add_gateway(b, resource, kind, network=network, unknown=unknown)
    for resource in b.inv.of("internet-gateway-attachment", "vpn-gateway-attachment"):
        unknown = []
        address = resource.link("gateway", None, "gateway", unknown)
        gateway = b.model.gateways.get(address or "")
        if gateway is not None:
            gateway.network = network_of(b, resource, "network", gateway.unknown)
    for resource in b.inv.of("nat-gateway"):
        unknown = []
        subnet = resource.link("subnet", SUBNET_KINDS, "subnet", unknown)
        placed = b.model.subnets.get(subnet or "")
        add_gateway(
            b,
            resource,
            "nat-gateway",
            network=placed.network if placed is not None else None,
            subnet=subnet,
            public=resource.value("connectivity") != "private",
            unknown=unknown,
        )
    for resource in b.inv.of("transit-gateway"):
        propagation = resource.value("default_propagation")
        add_gateway(b, resource, "transit-gateway", default_propagation=propagation != "disable")
    for resource in b.inv.of("vpc-endpoint"):
        if resource.value("endpoint_type") not in (None, UNKNOWN, "Gateway"):
            continue  # interface and load balancer endpoints are endpoints, not hops
        unknown = []
        network = network_of(b, resource, "network", unknown)
        tables = resource.links("route_tables", RT_LINK_KINDS, "route table", unknown)
        service = resource.value("service")
        add_gateway(
            b,
            resource,
            "gateway-endpoint",
            network=network,
            service=service if isinstance(service, str) else None,
            route_tables=[table_address(b, a) for a in tables.addresses],
            unknown=unknown,
        )
    for resource in b.inv.of("vpc-endpoint-route-table-association"):
        unknown = []
        address = resource.link("endpoint", None, "VPC endpoint", unknown)
        gateway = b.model.gateways.get(address or "")
        table = route_table_of(b, resource, unknown)
        if gateway is not None and table is not None:
            gateway.route_tables = dedupe([*gateway.route_tables, table.address])


def add_peerings(b: Build) -> None:
    accepted: dict[str, Resource] = {}
    requesters = frozenset({"vpc-peering-connection"})
    for resource in b.inv.of("vpc-peering-connection-accepter"):
        address = resource.link("peering", requesters, "peering", None)
        if address is not None:
            accepted[address] = resource
            continue
        # The requester lives elsewhere: this side of the peering is what the input has.
        unknown: list[str] = []
        network = optional_network_of(b, resource, "network", unknown)
        b.model.peerings[resource.address] = Peering(
            address=resource.address,
            type=resource.type,
            origin=resource.origin,
            accepter=network,
            unknown=unknown,
        )
        resource.note("the requesting VPC of this peering is outside the input")
    for resource in b.inv.of("vpc-peering-connection"):
        unknown = []
        requester = network_of(b, resource, "network", unknown)
        links = resource.links("peer_network", NETWORK_LINK_KINDS, single=True)
        accepters = dedupe(n for n in (network_via(b, a) for a in links.addresses) if n is not None)
        accepter = accepters[0] if len(accepters) == 1 else None
        if accepter is None:
            path = resource.path("peer_network")
            if path not in unknown:
                unknown.append(path)
            resource.note("the peer VPC is outside the input", "peer_network")
        active = resource.value("auto_accept") is True or resource.address in accepted
        if not active:
            resource.note(
                f"nothing accepts this peering (no {resource.name('auto_accept')}); inactive"
            )
        b.model.peerings[resource.address] = Peering(
            address=resource.address,
            type=resource.type,
            origin=resource.origin,
            requester=requester,
            accepter=accepter,
            active=active,
            unknown=unknown,
        )


def add_transit(b: Build) -> None:
    for resource in b.inv.of("transit-gateway-vpc-attachment"):
        unknown: list[str] = []
        gateway = _transit_gateway_of(resource, unknown)
        if gateway is None:
            continue
        network = network_of(b, resource, "network", unknown)
        subnets = resource.links("subnets", SUBNET_KINDS, "subnet", unknown)
        b.model.transit_gateway_attachments[resource.address] = TransitGatewayAttachment(
            address=resource.address,
            type=resource.type,
            origin=resource.origin,
            transit_gateway=gateway,
            network=network,
            subnets=subnets.addresses,
            unknown=unknown,
        )
    tables = frozenset({"transit-gateway-route-table"}) | TGW_KINDS
    for resource in b.inv.of("transit-gateway-route"):
        unknown = []
        table = b.inv.get(resource.link("table", tables, "table", unknown) or "")
        if table is None:
            continue
        owner: str | None = table.address
        if table.kind != "transit-gateway":
            owner = _transit_gateway_of(table, unknown)
        destination = cidr_values(resource, "destination", unknown)
        if owner is None or not destination:
            resource.note("its gateway or destination is unknown; route skipped")
            continue
        blackhole = resource.value("blackhole") is True
        attachment = None
        if not blackhole:
            attachment = resource.link("attachment", None, "attachment", unknown)
        b.model.transit_gateway_routes[resource.address] = TransitGatewayRoute(
            address=resource.address,
            type=resource.type,
            origin=resource.origin,
            transit_gateway=owner,
            destination=destination[0],
            attachment=attachment,
            blackhole=blackhole,
            unknown=unknown,
        )


def _transit_gateway_of(resource: Resource, unknown: list[str]) -> str | None:
    field = "transit_gateway"
    links = resource.links(field, TGW_KINDS, "transit gateway", unknown, single=True)
    if links.addresses:
        return links.addresses[0]
    if links.literals:
        return links.literals[0]
    resource.note("its transit gateway cannot be resolved; not modelled", field)
    return None


def add_vpn(b: Build) -> None:
    for resource in b.inv.of("vpn-connection"):
        unknown: list[str] = []
        gateway = resource.link("vpn_gateway", VGW_KINDS, "VPN gateway", unknown) or (
            resource.link("transit_gateway", TGW_KINDS, "gateway", unknown)
        )
        customer = resource.link(
            "customer_gateway", frozenset({"customer-gateway"}), "customer gateway", unknown
        )
        ranges: list[UnknownValue] = []
        cidrs = [
            cidr
            for name, everything in (("local_cidr", ALL_V4), ("local_ipv6_cidr", ALL_V6))
            for cidr in cidr_values(resource, name, unknown, ranges=ranges)
            if cidr != everything
        ]
        b.model.onprem_sites[resource.address] = OnPremSite(
            address=resource.address,
            type=resource.type,
            origin=resource.origin,
            gateway=gateway,
            customer_gateway=customer,
            cidrs=cidrs,
            static_routes_only=resource.value("static_routes_only") is True,
            unknown=unknown,
            unknown_ranges=ranges,
        )
    for resource in b.inv.of("vpn-connection-route"):
        unknown = []
        connections = frozenset({"vpn-connection"})
        address = resource.link("connection", connections, "VPN connection", unknown)
        site = b.model.onprem_sites.get(address or "")
        if site is not None:
            found = cidr_values(resource, "destination", site.unknown, ranges=site.unknown_ranges)
            site.cidrs = dedupe([*site.cidrs, *found])
