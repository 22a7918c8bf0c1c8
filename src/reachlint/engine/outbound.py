"""The ways out: from the classes to the internet and to on-premises sites.

Each way out is a leg of the class's route table (borders.py). The class's filters and network
ACL judge the traffic toward the leg's addresses, so do the firewalls on it, and a NAT gateway
in another subnet adds that subnet's ACL both ways; the ACLs decide which replies get back.
"""

from __future__ import annotations

from reachlint.engine.borders import Leg
from reachlint.engine.classes import ClassView
from reachlint.engine.core import EPHEMERAL_PORTS, Engine, end_side
from reachlint.engine.firewall import Evaluated, FirewallView, FixedEnd, with_firewall_rules
from reachlint.engine.flows import Hop
from reachlint.model.traffic import IntervalSet, Traffic, parse_protocol


def to_outside(engine: Engine) -> None:
    for a in engine.classes:
        subnet = engine.model.subnets.get(a.info.subnet or "")
        for leg in engine.borders.internet_legs(
            a.routes, a.info.public, a.families, subnet, a.default_outbound
        ):
            if not a.service.starts_nothing(end_side(leg.external)):
                _along(engine, a, leg)


def _along(engine: Engine, a: ClassView, leg: Leg) -> None:
    acls = engine.acls
    where = engine.placement_of(a, leg.external)
    allowed = a.service.sends(end_side(leg.external), Traffic.box(addresses=leg.addresses))
    if leg.carries is not None:
        allowed &= leg.carries
    public = leg.external.kind == "internet"
    judged = _judge(engine, leg.hops, "source", a.addresses, a.address_known, public)
    for _view, evaluated in judged:
        allowed &= evaluated.allowed
    allowed &= a.guards.region("egress", where)
    allowed &= acls.region(a.acl, "egress", where)
    reply_addresses = acls.reply_addresses(a.acl, "ingress", where)
    sent = allowed  # what the class's own filters let out, as their hops show it
    # What a NAT sees comes from the sender's address of the leg's family.
    sender = a.of_family(leg.addresses)
    # A NAT instance's groups admit what it forwards, and let out what it sends on.
    forwarder = engine.forwarder(leg.forwarder) if leg.forwarder else None
    if forwarder is not None:
        allowed &= forwarder.guards.toward("ingress", sender.peer)
        allowed &= forwarder.guards.region("egress", where)
    if leg.nat_subnet is not None and leg.nat_subnet != a.info.subnet:
        nat_acl = acls.acl_for(engine.model.subnets.get(leg.nat_subnet))
        from_sender = (sender.addresses, sender.placement, sender.address_names)
        allowed &= acls.toward(nat_acl, "ingress", *from_sender)
        allowed &= acls.region(nat_acl, "egress", where)
        nat_replies = acls.reply_addresses(nat_acl, "ingress", where)
        back_in = acls.toward(nat_acl, "egress", *from_sender)
        if not back_in & Traffic.box(parse_protocol("tcp"), ports=EPHEMERAL_PORTS):
            nat_replies = IntervalSet()
        reply_addresses = reply_addresses & nat_replies
    elif leg.nat_subnet is not None:
        nat_acl = a.acl
    else:
        nat_acl = None
    allowed = engine.settle(allowed, leg)
    if not allowed:
        engine.filters.take_unknowns()
        return

    def build_path() -> list[Hop]:
        path = a.guards.hops("egress", sent, None, where)
        path.extend(acls.hops(a.acl, "egress", sent, None, where))
        at_nat: list[Hop] = []
        if nat_acl is not None and leg.nat_subnet != a.info.subnet:
            at_nat.extend(
                acls.hops(nat_acl, "ingress", allowed, sender.addresses, sender.placement)
            )
        through = with_firewall_rules(leg.hops, judged, allowed, None)
        if forwarder is None:
            return [*path, *at_nat, *through]
        at_nat.extend(forwarder.guards.hops("ingress", allowed, sender.peer))
        at_nat.extend(forwarder.guards.hops("egress", allowed, None, where))
        # Its filters where the instance stands on the way.
        after = next((i + 1 for i, h in enumerate(through) if h.address == leg.forwarder), 0)
        return [*path, *through[:after], *at_nat, *through[after:]]

    unknowns = [*a.unknowns, *leg.unknowns, *engine.filters.take_unknowns()]
    engine.emit(a.info, leg.external, allowed, build_path, True, unknowns, reply_addresses)


def _judge(
    engine: Engine,
    hops: list[Hop],
    fixed_side: FixedEnd,
    fixed: IntervalSet,
    known: bool,
    to_public: bool = False,
) -> list[tuple[FirewallView, Evaluated]]:
    """The firewalls on a way out or in, evaluated for the endpoint end of the flow. An
    Azure Firewall translates the source of what it sends to public addresses to its own:
    a firewall after it sees an address of its subnet."""
    judged = []
    for view in engine.firewalls.on_path(hops):
        evaluated = view.evaluate(fixed_side, fixed, known)
        engine.filters.unknowns.extend(evaluated.unknowns)
        judged.append((view, evaluated))
        if to_public and fixed_side == "source" and view.translates_source:
            fixed, known = engine.firewall_peer(view)[0].addresses, False
    return judged
