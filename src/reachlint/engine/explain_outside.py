"""Why not, with an end outside the networks: in from the internet (a public address, the
route of the replies, a firewall both ways, a firewall's DNAT rules, load balancers in front)
and out to it, in from an on-premises site and out to one.
"""

from __future__ import annotations

from msgspec.structs import replace

from reachlint.engine.borders import Leg
from reachlint.engine.classes import ClassView
from reachlint.engine.dnat import dnat_targets, dnat_traffic
from reachlint.engine.explain import Blocked, Explainer, firewall_block, forwarder_block
from reachlint.engine.explain_services import behind_balancers, through_balancer
from reachlint.engine.firewall import FirewallView
from reachlint.engine.flows import INTERNET, External, Hop
from reachlint.engine.inbound import closed_public_address
from reachlint.model.network import Subnet
from reachlint.model.traffic import (
    EPHEMERAL,
    PUBLIC_ADDRESSES,
    TCP,
    IntervalSet,
    Traffic,
    addresses_as_cidrs,
    parse_protocol,
)


def from_internet(explainer: Explainer, b: ClassView, wanted: Traffic) -> Blocked | None:
    endpoint = explainer.engine.model.endpoints[explainer.name(b, "destination")]
    if b.service.pass_through:
        return through_balancer(explainer, INTERNET, b, wanted)
    if not b.info.public and _dnat_ways(explainer, b):
        return _through_dnat(explainer, b, wanted)
    if not b.info.public:
        behind = behind_balancers(explainer, b, wanted)
        if behind is not None:
            return behind
        return Blocked(
            "no-public-address",
            endpoint.address,
            endpoint.kind,
            f"{endpoint.address} has no public address",
            endpoint.origin,
        )
    closed, _ = closed_public_address(explainer.engine, b)
    if closed:
        source = b.public_source or endpoint.address
        address = explainer.engine.model.elastic_ips.get(source)
        return Blocked(
            "nsg",
            source,
            "public-address",
            f"{source} is a Standard public IP, closed to inbound traffic unless an NSG "
            f"allows it, and no NSG applies to {endpoint.address} "
            "(https://learn.microsoft.com/azure/virtual-network/ip-services/public-ip-addresses#sku)",
            address.origin if address is not None else endpoint.origin,
        )
    clients, _, _ = explainer.engine.borders.internet_return(b.routes)
    clients &= PUBLIC_ADDRESSES
    if not clients:
        ways = explainer.engine.borders.internet_in_through_firewalls(b.routes, b.addresses)
        if ways:
            return _through_firewalls_in(explainer, b, wanted, ways)
        return explainer.no_route_out(b)
    return _arriving(explainer, b, wanted, clients)


def _through_firewalls_in(
    explainer: Explainer,
    b: ClassView,
    wanted: Traffic,
    ways: list[tuple[IntervalSet, list[Hop], str]],
) -> Blocked | None:
    engine = explainer.engine
    first: Blocked | None = None
    for clients, _hops, firewall in ways:
        view = engine.firewalls.get(firewall)
        if view is None:
            continue
        evaluated = view.evaluate("destination", b.addresses, b.address_known)
        engine.filters.take_unknowns()
        reach = clients & PUBLIC_ADDRESSES & wanted.addresses()
        scoped = wanted.services_everywhere().only_addresses(reach)
        if not evaluated.allowed & scoped:
            first = first or firewall_block(view, evaluated, scoped)
            continue
        blocked = _arriving(explainer, b, scoped & evaluated.allowed, reach)
        if blocked is None:
            return None
        first = first or blocked
    return first


def _dnat_ways(explainer: Explainer, b: ClassView) -> list[tuple[FirewallView, Traffic]]:
    """(firewall, what its DNAT rules send b) for every firewall that translates to b."""
    engine = explainer.engine
    ways = []
    for view in engine.firewalls.views.values():
        sent = Traffic()
        for rule in view.policy.dnat:
            if any(cls is b for cls, _unsure in dnat_targets(engine, rule)):
                sent |= dnat_traffic(engine, rule)[0]
        if sent:
            ways.append((view, sent))
    return ways


def _through_dnat(explainer: Explainer, b: ClassView, wanted: Traffic) -> Blocked | None:
    first: Blocked | None = None
    for view, sent in _dnat_ways(explainer, b):
        if not sent & wanted:
            first = first or Blocked(
                "firewall",
                view.gateway.address,
                "firewall",
                f"firewall {view.gateway.address} has no DNAT rule that translates "
                f"{wanted.text() or 'the traffic'} to {explainer.name(b, 'destination')}",
                view.gateway.origin,
            )
            continue
        peer, _routes = explainer.engine.firewall_peer(view)
        blocked = explainer.guards(
            b, "ingress", peer, (sent & wanted).services_everywhere(), "destination"
        )
        if blocked is None:
            return None
        first = first or blocked
    return first


def _arriving(
    explainer: Explainer, b: ClassView, wanted: Traffic, clients: IntervalSet
) -> Blocked | None:
    """Filters on the way in from outside, then the stateless way back."""
    scoped = wanted.services_everywhere().only_addresses(clients & wanted.addresses())
    blocked = (
        explainer.guards(b, "ingress", None, scoped, "destination")
        or explainer.listener(b, scoped)
        or explainer.acl(b.acl, "ingress", scoped, None, b.outside)
    )
    if blocked is not None:
        return blocked
    if b.acl is not None and scoped & Traffic.box(parse_protocol("tcp")):
        replies = b.acl.regions["egress"].addresses_with(TCP, IntervalSet([EPHEMERAL]))
        if not replies & scoped.addresses():
            return explainer.reply_block(b.acl, None)
    return None


def to_internet(explainer: Explainer, a: ClassView, wanted: Traffic) -> Blocked | None:
    engine = explainer.engine
    subnet = engine.model.subnets.get(a.info.subnet or "")
    legs = engine.borders.internet_legs(
        a.routes, a.info.public, a.families, subnet, a.default_outbound
    )
    legs = [leg for leg in legs if leg.external.kind == "internet"]
    if not legs:
        return _without_public_address(explainer, a, wanted, subnet) or (
            _to_non_forwarder(explainer, a) or explainer.no_route_out(a)
        )
    destinations = IntervalSet()
    for leg in legs:
        destinations = destinations | leg.addresses
    if wanted and not destinations & wanted.addresses():
        # A way out for other addresses only: IPv6 through an egress-only gateway, or IPv6
        # alone for an endpoint without a public IPv4 address.
        shown = ", ".join(addresses_as_cidrs(wanted.addresses() & PUBLIC_ADDRESSES)[:3])
        return _without_public_address(explainer, a, wanted, subnet) or explainer.no_route_out(
            a, f"the internet for {shown or 'these addresses'}"
        )
    return _leaving(explainer, a, wanted, destinations) or _firewalls_out(
        explainer, a, wanted, legs
    )


def _without_public_address(
    explainer: Explainer, a: ClassView, wanted: Traffic, subnet: Subnet | None
) -> Blocked | None:
    """A way out that a public address (or Azure's default outbound access) would open for
    `wanted`: what is missing is that."""
    engine = explainer.engine
    with_public = engine.borders.internet_legs(a.routes, True, a.families, subnet)
    reached = IntervalSet()
    for leg in with_public:
        if leg.external.kind == "internet":
            reached = reached | leg.addresses
    if not reached or (wanted and not reached & wanted.addresses()):
        return None
    endpoint = engine.model.endpoints[explainer.name(a, "source")]
    if not a.default_outbound:
        reason = (
            f"only internal Standard load balancers serve {endpoint.address}, which leaves it "
            "no default outbound access, and it has no public address or NAT gateway of its own"
        )
    else:
        reason = f"{endpoint.address} has no public address to use the internet gateway"
    return Blocked("no-public-address", endpoint.address, endpoint.kind, reason, endpoint.origin)


def _to_non_forwarder(explainer: Explainer, a: ClassView) -> Blocked | None:
    """A route out to an instance that passes nothing on (its source/destination check on,
    or not in the input)."""
    for part, entry in a.routes.partition(a.families):
        if entry.target_kind in ("instance", "network-interface") and part & PUBLIC_ADDRESSES:
            blocked = explainer.no_route_out(a)
            reason = (
                f"route table {blocked.address} sends {entry.destination} to {entry.target}, "
                "an instance the input does not show passing traffic on (its "
                "source/destination check is on, or it is not in the input)"
            )
            return replace(blocked, reason=reason)
    return None


def _leaving(
    explainer: Explainer, a: ClassView, wanted: Traffic, destinations: IntervalSet
) -> Blocked | None:
    scoped = wanted.services_everywhere().only_addresses(destinations & wanted.addresses())
    return explainer.guards(a, "egress", None, scoped, "source") or explainer.acl(
        a.acl, "egress", scoped, None, a.outside
    )


def from_site(
    explainer: Explainer, site: External, b: ClassView, wanted: Traffic
) -> Blocked | None:
    if b.service.pass_through:
        return through_balancer(explainer, site, b, wanted)
    clients = IntervalSet()
    for leg in explainer.engine.borders.onprem_return(b.routes, b.families):
        if leg.external.address == site.address:
            clients = clients | leg.addresses
    if not clients:
        return explainer.no_route_out(b, f"{site.address} (for the replies)")
    return _arriving(explainer, b, wanted, clients)


def to_site(explainer: Explainer, a: ClassView, site: External, wanted: Traffic) -> Blocked | None:
    engine = explainer.engine
    subnet = engine.model.subnets.get(a.info.subnet or "")
    destinations = IntervalSet()
    for leg in engine.borders.internet_legs(
        a.routes, a.info.public, a.families, subnet, a.default_outbound
    ):
        if leg.external.address == site.address:
            destinations = destinations | leg.addresses
    if not destinations:
        return explainer.no_route_out(a, site.address)
    legs = [
        leg
        for leg in engine.borders.internet_legs(
            a.routes, a.info.public, a.families, subnet, a.default_outbound
        )
        if leg.external.address == site.address
    ]
    return _leaving(explainer, a, wanted, destinations) or _firewalls_out(
        explainer, a, wanted, legs
    )


def _firewalls_out(
    explainer: Explainer, a: ClassView, wanted: Traffic, legs: list[Leg]
) -> Blocked | None:
    """None when some leg's firewalls admit part of `wanted`; else the first that stops it."""
    engine = explainer.engine
    first: Blocked | None = None
    for leg in legs:
        scoped = wanted.services_everywhere().only_addresses(leg.addresses & wanted.addresses())
        blocked = None
        for view in engine.firewalls.on_path(leg.hops):
            evaluated = view.evaluate("source", a.addresses, a.address_known)
            engine.filters.take_unknowns()
            if not evaluated.allowed & scoped:
                blocked = firewall_block(view, evaluated, scoped)
                break
            scoped &= evaluated.allowed
        sender = a.of_family(leg.addresses)
        if blocked is None and scoped and leg.forwarder:
            # A NAT instance's groups judge what it forwards, as an endpoint's do.
            blocked = forwarder_block(engine, leg.forwarder, scoped, sender.peer, None)
        if blocked is None and scoped and leg.nat_subnet not in (None, a.info.subnet):
            # So does the network ACL of the NAT's subnet, both ways.
            nat_acl = engine.acls.acl_for(engine.model.subnets.get(leg.nat_subnet or ""))
            blocked = explainer.acl(
                nat_acl, "ingress", scoped, sender.addresses, sender.placement
            ) or explainer.acl(nat_acl, "egress", scoped, None, a.outside)
        if blocked is None and scoped:
            return None
        first = first or blocked
    return first
