"""Why not, between two classes of endpoints: the routes both ways, the source's filters, the
firewalls on the way, the network ACLs, the destination's filters and listener, and whether
the replies get back through the ACLs.
"""

from __future__ import annotations

from reachlint.engine.classes import ClassView
from reachlint.engine.explain import Blocked, Explainer, firewall_block
from reachlint.engine.explain_services import through_balancer
from reachlint.engine.pairs import routed
from reachlint.model.traffic import EPHEMERAL, IntervalSet, Traffic, parse_protocol


def between(explainer: Explainer, a: ClassView, b: ClassView, wanted: Traffic) -> Blocked | None:
    """The first component that stops `wanted` from members of `a` to members of `b`."""
    engine = explainer.engine
    if b.service.pass_through:
        return through_balancer(explainer, a, b, wanted)
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
