"""Why not, between two classes of endpoints: the routes both ways, the source's filters, the
firewalls on the way, the network ACLs, the destination's filters and listener, and whether
the replies get back through the ACLs.
"""

from __future__ import annotations

from msgspec.structs import replace

from reachlint.engine.classes import ClassView
from reachlint.engine.explain import Blocked, Explainer, firewall_block, forwarder_block
from reachlint.engine.explain_services import through_balancer
from reachlint.engine.pairs import routed
from reachlint.model.traffic import EPHEMERAL, IntervalSet, Traffic, parse_protocol


def between(explainer: Explainer, a: ClassView, b: ClassView, wanted: Traffic) -> Blocked | None:
    """The first component that stops `wanted` from members of `a` to members of `b`, over
    each address family both hold (a connection keeps its family end to end)."""
    if b.service.pass_through:
        return through_balancer(explainer, a, b, wanted)
    found: list[tuple[str, Blocked | None]] = [
        (family, _over_one_family(explainer, a_view, b_view, wanted))
        for family, a_view, b_view in zip(
            ("IPv4", "IPv6"), a.over_families, b.over_families, strict=True
        )
        if a_view is not None and b_view is not None
    ]
    if not found:
        return Blocked(
            "no-path",
            b.info.members[0].endpoint,
            "endpoint",
            "the two ends hold no address of the same family (IPv4 or IPv6)",
        )
    if len(found) == 1:
        blocked = found[0][1]
        lacking = _lacking_family(explainer, a, b)
        if blocked is None or lacking is None:
            return blocked
        return replace(blocked, reason=f"{blocked.reason}; {lacking}")
    if any(blocked is None for _, blocked in found):
        return None
    (_, v4), (_, v6) = found
    assert v4 is not None and v6 is not None
    if (v4.address, v4.reason) == (v6.address, v6.reason):
        return v4
    where = f"{v6.address} ({v6.kind})"
    return replace(v4, reason=f"over IPv4, {v4.reason}; over IPv6, at {where}: {v6.reason}")


def _lacking_family(explainer: Explainer, a: ClassView, b: ClassView) -> str | None:
    """That one end holds no address of a family the other holds, when so."""
    for index, family in enumerate(("IPv4", "IPv6")):
        a_view, b_view = a.over_families[index], b.over_families[index]
        if (a_view is None) != (b_view is None):
            lacks = a if a_view is None else b
            named = explainer.source_name if lacks is a else explainer.destination_name
            return f"{named or lacks.info.members[0].endpoint} holds no {family} address"
    return None


def _over_one_family(
    explainer: Explainer, a: ClassView, b: ClassView, wanted: Traffic
) -> Blocked | None:
    engine = explainer.engine
    crosses = routed(engine.model, a, b)
    if crosses:
        blocked = explainer.route(a, b, "forward") or explainer.route(b, a, "back")
        if blocked is not None:
            return blocked
    blocked = explainer.guards(a, "egress", b.peer, wanted, "source")
    if blocked is not None:
        return blocked
    if crosses:
        blocked = _firewalls_between(explainer, a, b, wanted)
        if blocked is not None:
            return blocked
    if crosses:
        blocked = explainer.acl(a.acl, "egress", wanted, b.addresses, b.placement) or explainer.acl(
            b.acl, "ingress", wanted, a.addresses, a.placement
        )
        if blocked is not None:
            return blocked
    blocked = explainer.guards(b, "ingress", a.peer, wanted, "destination")
    if blocked is not None:
        return blocked
    blocked = explainer.listener(b, wanted)
    if blocked is not None:
        return blocked
    if crosses and wanted & Traffic.box(parse_protocol("tcp")):
        back = engine.acls.toward(b.acl, "egress", a.addresses)
        back &= engine.acls.toward(a.acl, "ingress", b.addresses)
        if not back & Traffic.box(parse_protocol("tcp"), ports=IntervalSet([EPHEMERAL])):
            return explainer.reply_block(b.acl, a.acl)
    return None


def _firewalls_between(
    explainer: Explainer, a: ClassView, b: ClassView, wanted: Traffic
) -> Blocked | None:
    engine = explainer.engine
    legs = engine.interconnect.between(a.routes, a.info.network, b.addresses, b.info.network)
    for hop in legs or []:
        # An AWS instance that forwards (a NAT or appliance instance): its groups see both ends.
        if hop.kind == "virtual-appliance" and (
            blocked := forwarder_block(engine, hop.address, wanted, a.peer, b.peer)
        ):
            return blocked
    for view in engine.firewalls.on_path(legs or []):
        evaluated = view.evaluate("source", a.addresses, a.address_known)
        admitted = engine.filters.project(
            evaluated.allowed, b.addresses, b.address_known, b.address_names
        )
        engine.filters.take_unknowns()
        if not admitted & wanted.services_everywhere():
            scoped = wanted.services_everywhere().only_addresses(b.addresses)
            return firewall_block(view, evaluated, scoped)
    return None
