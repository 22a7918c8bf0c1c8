"""The ways in: from the internet and from on-premises sites to the classes.

A client outside reaches a class when its table sends the replies back the way they came (an
internet gateway, Azure's Internet route, a VPN gateway), the class can be addressed from there
(a public IPv4 address, or IPv6), and its filters, listeners and network ACL admit the traffic;
a network ACL must also let the replies out. Through a firewall both ways (an AWS ingress route
table), the firewall's rules judge it too.
"""

from __future__ import annotations

from msgspec.structs import replace

from reachlint.engine.classes import ClassView, counts_as_public
from reachlint.engine.core import Engine
from reachlint.engine.firewall import with_firewall_rules
from reachlint.engine.flows import INTERNET, Hop, merged_hops
from reachlint.model.traffic import PUBLIC_ADDRESSES, V4_ALL, V6_ALL, IntervalSet, Traffic


def from_internet(engine: Engine) -> None:
    for b in engine.classes:
        _direct(engine, b)
        _through_firewalls(engine, b)


def _through_firewalls(engine: Engine, b: ClassView) -> None:
    """From the internet through a firewall on both ways (an AWS ingress route table)."""
    families = (V4_ALL if b.info.public else IntervalSet()) | (b.families & V6_ALL)
    ways = engine.borders.internet_in_through_firewalls(b.routes, b.addresses)
    for clients, route_hops, firewall in ways:
        clients = clients & PUBLIC_ADDRESSES & families & b.families
        view = engine.firewalls.get(firewall)
        if not clients or view is None:
            continue
        evaluated = view.evaluate("destination", b.addresses, b.address_known)
        engine.filters.unknowns.extend(evaluated.unknowns)
        allowed = Traffic.box(addresses=clients) & evaluated.allowed
        allowed &= b.guards.region("ingress", b.outside)
        allowed = b.service.accepts("internet", allowed)
        if b.load_balancer is not None:
            allowed &= engine.listeners.traffic(
                b.load_balancer, b.frontends, engine.filters.unknowns
            )
        allowed &= engine.acls.region(b.acl, "ingress", b.outside)
        if not allowed:
            engine.filters.take_unknowns()
            continue
        replies = engine.acls.reply_addresses(b.acl, "egress", b.outside)
        unknowns = [*b.unknowns, *engine.filters.take_unknowns()]
        path = with_firewall_rules(route_hops, [(view, evaluated)], allowed, None)
        path.extend(_public_hops(engine, b))
        path.extend(engine.acls.hops(b.acl, "ingress", allowed, None, b.outside))
        path.extend(b.guards.hops("ingress", allowed, None, b.outside))
        engine.emit(INTERNET, b.info, allowed, path, True, unknowns, replies)


def _direct(engine: Engine, b: ClassView) -> None:
    """From the internet by the route of the replies, straight to the class. In Azure a
    subnet's routes steer only what leaves it: a packet for a public address arrives whatever
    they say, and without a way back only TCP's replies are lost."""
    clients, routes, route_unknowns = engine.borders.internet_return(b.routes)
    families = V4_ALL if b.info.public else IntervalSet()
    # IPv6 addresses are global: a dual-stack subnet needs no public IPv4 for them.
    families = families | (b.families & V6_ALL)
    unrouted = _arrives_unrouted(engine, b)
    replied = clients
    clients = (PUBLIC_ADDRESSES if unrouted else clients) & PUBLIC_ADDRESSES & families & b.families
    if not clients:
        return
    closed, unsure_sku = closed_public_address(engine, b)
    if closed:
        return
    allowed = Traffic.box(addresses=clients)
    allowed &= b.guards.region("ingress", b.outside)
    allowed = b.service.accepts("internet", allowed)
    if b.load_balancer is not None:
        allowed &= engine.listeners.traffic(b.load_balancer, b.frontends, engine.filters.unknowns)
    allowed &= engine.acls.region(b.acl, "ingress", b.outside)
    if not allowed:
        engine.filters.take_unknowns()
        return
    if unsure_sku is not None:
        engine.filters.unknowns.append(unsure_sku)
    replies = engine.acls.reply_addresses(b.acl, "egress", b.outside)
    if unrouted:
        replies = replies & replied
    unknowns = [*b.unknowns, *route_unknowns, *engine.filters.take_unknowns()]
    # The routes of the addresses admitted (IPv4 and IPv6 clients: both routes), and a public
    # address only for IPv4 clients (IPv6 addresses are global).
    reached = allowed.addresses()
    path: list[Hop] = []
    for part, hops in routes:
        if part & reached:
            # Each route admits the clients it carries back: a finding about one family's
            # clients (a change that opens IPv6 alone) shows that family's route alone.
            clients_of = Traffic.box(addresses=part)
            hops = [replace(hop, admits=clients_of) if hop.kind == "route" else hop for hop in hops]
            path = merged_hops(path, hops)
    if reached & V4_ALL:
        path.extend(replace(hop, admits=_V4_CLIENTS) for hop in _public_hops(engine, b))
    path.extend(engine.acls.hops(b.acl, "ingress", allowed, None, b.outside))
    path.extend(b.guards.hops("ingress", allowed, None, b.outside))
    engine.emit(INTERNET, b.info, allowed, path, True, unknowns, replies)


_V4_CLIENTS = Traffic.box(addresses=V4_ALL)  # what a public IPv4 address lets in


def _arrives_unrouted(engine: Engine, b: ClassView) -> bool:
    network = engine.model.networks.get(b.info.network or "")
    return network is not None and network.provider == "azure"


def closed_public_address(engine: Engine, b: ClassView) -> tuple[bool, str | None]:
    """Whether a Standard public IP keeps the internet out, no NSG applying to allow it; and
    the unknown SKU that answer rests on, if any."""
    managed = b.load_balancer is not None or b.service.exposure is not None
    if b.closed_without_nsg is False or b.guards.nsgs or managed:
        return False, None  # a managed service's frontend follows its own documentation
    if b.closed_without_nsg:
        return True, None
    name = (
        f"{b.public_source or 'the public address'}: its SKU (a Standard public IP is closed "
        "to inbound traffic unless an NSG allows it)"
    )
    return engine.assume == "closed", name


def _public_hops(engine: Engine, b: ClassView) -> list[Hop]:
    """How the class's first member gets its public address; the path is every member's, so
    a subnet that gives addresses to several is not said to give one to the first alone."""
    hops: list[Hop] = []
    several = len({member.endpoint for member in b.info.members}) > 1
    for member in b.info.members[:1]:
        endpoint = engine.model.endpoints[member.endpoint]
        for interface in endpoint.interfaces:
            if interface.address != member.interface or not counts_as_public(
                interface, engine.assume
            ):
                continue
            source = interface.public_source or endpoint.address
            element = engine.model.elastic_ips.get(source) or engine.model.subnets.get(source)
            origin = element.origin if element is not None else endpoint.origin
            kind_of = element.type if element is not None else endpoint.type
            if not several:
                detail = f"gives {endpoint.address} a public address"
            elif source in engine.model.subnets:
                detail = "gives each endpoint launched in it a public address"
            else:
                detail = f"gives {endpoint.address} and the others like it a public address"
            hops.append(
                Hop(
                    address=source,
                    kind="public-address",
                    type=kind_of,
                    detail=detail,
                    origin=origin,
                )
            )
    return hops


def from_sites(engine: Engine) -> None:
    """From each on-premises site whose replies a class's table sends back over its VPN."""
    for b in engine.classes:
        for leg in engine.borders.onprem_return(b.routes, b.families):
            where = engine.placement_of(b, leg.external)
            allowed = Traffic.box(addresses=leg.addresses)
            allowed &= b.guards.region("ingress", where)
            allowed = b.service.accepts("onprem", allowed)
            if b.load_balancer is not None:
                allowed &= engine.listeners.traffic(
                    b.load_balancer, b.frontends, engine.filters.unknowns
                )
            allowed &= engine.acls.region(b.acl, "ingress", where)
            allowed = engine.settle(allowed, leg)
            if not allowed:
                engine.filters.take_unknowns()
                continue
            replies = engine.acls.reply_addresses(b.acl, "egress", where)
            path = [*leg.hops]
            path.extend(engine.acls.hops(b.acl, "ingress", allowed, None, where))
            path.extend(b.guards.hops("ingress", allowed, None, where))
            unknowns = [*b.unknowns, *leg.unknowns, *engine.filters.take_unknowns()]
            engine.emit(leg.external, b.info, allowed, path, True, unknowns, replies)
