"""Flows between classes: what members of one class can send members of another, and whether
TCP replies get back.

A pair is judged once: the source's egress and the destination's ingress filters first (their
verdicts are cached per peer and stop most pairs), then the routes between their networks, the
firewalls on the way, the network ACLs both ways and the routes and ACLs of the replies. Its
path is described only when a flow's path is first read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from msgspec import Struct

from reachlint.engine.classes import ClassView
from reachlint.engine.core import EPHEMERAL_PORTS, TCP_ONLY, Engine
from reachlint.engine.filters import Direction
from reachlint.engine.firewall import Evaluated, FirewallView, with_firewall_rules
from reachlint.engine.flows import Doubt, Hop, Unknown, merged_hops
from reachlint.engine.network_acls import AclView, Verdict
from reachlint.limits import MAX_CLASS_PAIRS, LimitError
from reachlint.model.network import NetworkModel
from reachlint.model.traffic import Traffic, parse_protocol

_REPLIES = Traffic.box(parse_protocol("tcp"), ports=EPHEMERAL_PORTS)


class Pair(Struct):
    """What one class can send another, before it is split into reachable and reply-dropped."""

    allowed: Traffic
    build_path: Callable[[], list[Hop]]
    reply_ok: bool
    unknowns: list[Unknown]
    _path: list[Hop] | None = None

    @property
    def path(self) -> list[Hop]:
        return self.hops()

    def hops(self) -> list[Hop]:
        """Built once, when a flow's path is first read."""
        if self._path is None:
            self._path = self.build_path()
        return self._path


class EitherFamilyPair(Pair):
    """A pair that passes over IPv4 and over IPv6, with replies that may get back over one
    only: the TCP traffic that passes only where they do not (`reply_ok` holds for the rest).
    A class of its own, so the many pairs of one family carry no such field."""

    replies_dropped: Traffic | None = None


# A pair not judged yet (None is judged: nothing passes).
_NOT_YET = Pair(Traffic(), list, True, [])


class Pairs:
    """Every pair of classes judged once, whoever asks: flows between classes, and the way on
    from a load balancer to its targets."""

    def __init__(self, engine: Engine) -> None:
        self.filters = engine.filters
        self.acls = engine.acls
        self.listeners = engine.listeners
        self.interconnect = engine.interconnect
        self.firewalls = engine.firewalls
        self.model = engine.model
        self._forwarder = engine.forwarder
        self._pairs: dict[tuple[int, ...], Pair | None] = {}
        self._replies: dict[tuple[int, int], tuple[Verdict, Verdict, bool, list[Unknown]]] = {}

    def forget(self) -> None:
        """Let go of every pair judged, and with them the builders of their paths."""
        self._pairs.clear()
        self._replies.clear()

    def pair(
        self, a: ClassView, b: ClassView, judge_source: bool = True, family: int | None = None
    ) -> Pair | None:
        """Traffic members of `a` can send to members of `b`, and whether TCP replies return.

        With judge_source False the destination's security groups are left out: a load balancer
        that keeps the client's address has them judge the client instead. `family` (0: IPv4,
        1: IPv6) keeps to one address family: a load balancer reaches its targets over the
        family of their target group.
        """
        # The one-family pairs of load balancers' legs apart; the rest keyed small (there are
        # many).
        key: tuple[int, ...] = (a.info.id, b.info.id, judge_source)
        if family is not None:
            key = (*key, family)
        found = self._pairs.get(key, _NOT_YET)
        if found is _NOT_YET:
            found = self._pairs[key] = self._compute_pair(a, b, judge_source, family)
        return found

    def _compute_pair(
        self, a: ClassView, b: ClassView, judge_source: bool, family: int | None
    ) -> Pair | None:
        """Judged over each address family both ends hold: a group that sends only to
        0.0.0.0/0 and one that admits only from ::/0 let nothing through together."""
        a_v4, a_v6 = a.over_families
        b_v4, b_v6 = b.over_families
        if family == 0:
            a_v6 = b_v6 = None
        elif family == 1:
            a_v4 = b_v4 = None
        over_v4 = None
        if a_v4 is not None and b_v4 is not None:
            over_v4 = self._judge(a_v4, b_v4, judge_source)
        if a_v6 is None or b_v6 is None:
            return over_v4
        over_v6 = self._judge(a_v6, b_v6, judge_source)
        if over_v4 is None or over_v6 is None:
            return over_v4 or over_v6
        return _over_either(over_v4, over_v6)

    def _judge(self, a: ClassView, b: ClassView, judge_source: bool) -> Pair | None:
        # Filter verdicts are cached per peer and stop most pairs: ask them before routing,
        # the destination's first (egress rules mostly allow everything).
        if judge_source:
            allowed = b.guards.toward("ingress", a.peer)
            if allowed:
                allowed &= a.guards.toward("egress", b.peer)
        else:
            allowed = a.guards.toward("egress", b.peer)
        if b.load_balancer is not None:
            allowed &= self.listeners.traffic(b.load_balancer, b.frontends, self.filters.unknowns)
        if not allowed:
            self.filters.take_unknowns()
            return None
        unknowns = [*a.unknowns, *b.unknowns]
        path: list[Hop] = []
        judged: list[tuple[FirewallView, Evaluated]] = []
        crosses_subnets = routed(self.model, a, b)
        reply_ok = True
        if crosses_subnets:
            legs = self.interconnect.between(
                a.routes, a.info.network, b.addresses, b.info.network, b.placement
            )
            if legs is None:
                self.filters.take_unknowns()
                self.interconnect.take_unknowns()
                return None
            path.extend(legs)
            for forwarder in self._forwarders(legs):
                allowed &= forwarder.guards.toward("ingress", a.peer)
                allowed &= forwarder.guards.toward("egress", b.peer)
            for view in self.firewalls.on_path(legs):
                evaluated = view.evaluate("source", a.addresses, a.address_known)
                # Its doubts are over the destination's addresses: what they leave of it.
                self.filters.unknowns.extend(
                    Doubt(doubt.name, part.services_everywhere())
                    for doubt in evaluated.unknowns
                    if (part := doubt.traffic.only_addresses(b.addresses))
                )
                allowed &= self.filters.project(
                    evaluated.allowed, b.addresses, b.address_known, b.address_names
                )
                judged.append((view, evaluated))
            allowed &= self.acls.toward(a.acl, "egress", b.addresses, b.placement, b.address_names)
            allowed &= self.acls.toward(b.acl, "ingress", a.addresses, a.placement, a.address_names)
            # Without a route back, UDP and ICMP still arrive; TCP never completes.
            back = self.interconnect.between(
                b.routes, b.info.network, a.addresses, a.info.network, a.placement
            )
            reply_ok = (
                back is not None
                and self._tcp_replies_pass(b, a)
                and self._seen_both_ways(judged, back)
            )
        unknowns.extend(self.filters.take_unknowns())
        unknowns.extend(self.interconnect.take_unknowns())
        if not allowed:
            return None

        def build_path() -> list[Hop]:
            hops = [*with_firewall_rules(path, judged, allowed, b.addresses)]
            for forwarder in self._forwarders(path):
                hops.extend(forwarder.guards.hops("ingress", allowed, a.peer))
                hops.extend(forwarder.guards.hops("egress", allowed, b.peer))
            hops.extend(a.guards.hops("egress", allowed, b.peer))
            if crosses_subnets:
                hops.extend(self.acls.hops(a.acl, "egress", allowed, b.addresses, b.placement))
                hops.extend(self.acls.hops(b.acl, "ingress", allowed, a.addresses, a.placement))
            if judge_source:
                hops.extend(b.guards.hops("ingress", allowed, a.peer))
            return hops

        return Pair(allowed, build_path, reply_ok, unknowns)

    def _forwarders(self, legs: list[Hop]) -> list[ClassView]:
        """The AWS instances that forward on the way: their groups see both ends' addresses."""
        return [
            forwarder
            for hop in legs
            if hop.kind == "virtual-appliance" and (forwarder := self._forwarder(hop.address))
        ]

    def _seen_both_ways(
        self, forward: list[tuple[FirewallView, Evaluated]], back: list[Hop]
    ) -> bool:
        """Whether each firewall on the way sees the replies too. Azure Firewall "drops the
        returning packet because the firewall isn't aware of such an established session"
        (https://learn.microsoft.com/azure/firewall/integrate-lb); "Network Firewall doesn't
        support asymmetric routing" (https://docs.aws.amazon.com/network-firewall/latest/
        developerguide/asymmetric-routing.html)."""
        there = {view.gateway.address for view, _ in forward}
        return there == {view.gateway.address for view in self.firewalls.on_path(back)}

    def _tcp_replies_pass(self, server: ClassView, client: ClassView) -> bool:
        """Some client port 1024-65535 must pass both stateless filters on the way back."""
        acls = self.acls
        out = acls.verdict(
            server.acl, "egress", client.addresses, client.placement, client.address_names
        )
        back_in = acls.verdict(
            client.acl, "ingress", server.addresses, server.placement, server.address_names
        )
        # Classes the ACLs treat alike share their verdicts: each pair of them is judged once
        # (the verdicts are kept with the answer, so their ids stay theirs).
        key = (id(out), id(back_in))
        found = self._replies.get(key)
        if found is None:
            found = self._replies[key] = (out, back_in, *_replies_pass(out, back_in))
        self.filters.unknowns.extend(found[3])
        if not found[2]:
            self.filters.unknowns.extend(self._dropped_resting(server, client))
        return found[2]

    def _dropped_resting(self, server: ClassView, client: ClassView) -> list[Unknown]:
        """Closed: replies dropped only because entries not decided are taken as closed rest
        on those entries (a dropped reply is a finding of its own)."""
        ways: tuple[tuple[AclView | None, Direction, ClassView], ...] = (
            (server.acl, "egress", client),
            (client.acl, "ingress", server),
        )
        opened = [
            self.acls.if_open(acl, direction, peer.placement) for acl, direction, peer in ways
        ]
        if opened == [None, None]:
            return []  # decided (always so when open)
        replies = _REPLIES
        names: list[str] = []
        for (acl, direction, peer), if_open in zip(ways, opened, strict=True):
            if acl is None:
                continue
            if if_open is None:
                lets = acl.compiled(direction, peer.placement).allowed
            else:
                lets, names = if_open[0], names + if_open[1]
            replies &= lets.only_addresses(peer.addresses).services_everywhere()
        if not replies:
            return []
        return [Doubt(name, TCP_ONLY) for name in dict.fromkeys(names)]


def _over_either(v4: Pair, v6: Pair) -> Pair:
    """What passes over IPv4 or IPv6, with the hops of both ways; TCP whose replies get back
    over neither family is told apart."""

    def build_path() -> list[Hop]:
        return merged_hops(v4.hops(), v6.hops())

    unknowns = [*v4.unknowns, *(u for u in v6.unknowns if u not in v4.unknowns)]
    allowed = v4.allowed | v6.allowed
    if v4.reply_ok == v6.reply_ok:
        return Pair(allowed, build_path, v4.reply_ok, unknowns)
    answered, unanswered = (v4, v6) if v4.reply_ok else (v6, v4)
    dropped = (unanswered.allowed & TCP_ONLY) - answered.allowed
    return EitherFamilyPair(allowed, build_path, True, unknowns, replies_dropped=dropped)


def routed(model: NetworkModel, a: ClassView, b: ClassView) -> bool:
    """Whether traffic from `a` to `b` goes by the route tables (and the network ACLs): between
    subnets, and in Azure within one too when its table has user routes, the longest prefix
    winning over the virtual network's own route; AWS never routes within a subnet."""
    if a.info.subnet is None or a.info.subnet != b.info.subnet:
        return True
    table = a.routes.table
    if table is None or not table.routes:
        return False
    network = model.networks.get(a.info.network or "")
    return network is not None and network.provider == "azure"


def _replies_pass(out: Verdict, back_in: Verdict) -> tuple[bool, list[Unknown]]:
    """Whether TCP replies pass both verdicts, and the unknowns that answer rests on."""
    replies = out[0] & back_in[0] & _REPLIES
    rests_on: list[Unknown] = []
    # Replies that pass only by assumption make every TCP connection rest on it.
    doubtful = Traffic()
    doubts: list[str] = []
    for unknown in (*out[1], *back_in[1]):
        if isinstance(unknown, Doubt):
            doubtful |= unknown.traffic
            doubts.append(unknown.name)
        else:
            rests_on.append(unknown)
    if replies and not replies - doubtful:
        rests_on.extend(Doubt(name, TCP_ONLY) for name in dict.fromkeys(doubts))
    return bool(replies), rests_on


def between_classes(engine: Engine, pairs: Pairs) -> None:
    """Flows from every class that starts connections to every class in a connected network."""
    by_network: dict[str | None, list[ClassView]] = defaultdict(list)
    for cls in engine.classes:
        by_network[cls.info.network].append(cls)
    connected = engine.interconnect.connected_networks()
    _within_limit(engine, by_network, connected)
    for network, sources in by_network.items():
        targets = [c for n in connected.get(network, {network}) for c in by_network.get(n, [])]
        for a in sources:
            if a.service.starts_nothing("network"):
                continue  # a load balancer, a private endpoint: never a client
            # Azure Bastion to no private endpoint or database; asked once per class.
            choosy = a.service.exposure is not None and bool(a.service.exposure.never_connects_to)
            for b in targets:
                if choosy and not a.service.connects_to(b.kinds):
                    continue
                pair = pairs.pair(a, b)
                if pair is None:
                    continue
                if a is b and len({m.endpoint for m in a.info.members}) < 2:
                    continue  # a flow from an endpoint to itself is not a flow
                allowed = b.service.accepts("network", a.service.sends("network", pair.allowed))
                if not allowed:
                    continue
                dropped = pair.replies_dropped if isinstance(pair, EitherFamilyPair) else None
                if dropped is None:
                    engine.emit(a.info, b.info, allowed, pair.hops, pair.reply_ok, pair.unknowns)
                    continue
                engine.emit(a.info, b.info, allowed - dropped, pair.hops, True, pair.unknowns)
                engine.emit(a.info, b.info, allowed & dropped, pair.hops, False, pair.unknowns)


def _within_limit(
    engine: Engine,
    by_network: dict[str | None, list[ClassView]],
    connected: dict[str | None, set[str | None]],
) -> None:
    """At most MAX_CLASS_PAIRS pairs to judge, counted from the sizes before any is built;
    past it, an input error naming the network whose classes ask for most of them."""
    asked = {
        network: sum(1 for a in sources if not a.service.starts_nothing("network"))
        * sum(len(by_network.get(n, [])) for n in connected.get(network, {network}))
        for network, sources in by_network.items()
    }
    total = sum(asked.values())
    if total <= MAX_CLASS_PAIRS:
        return
    worst = max(asked, key=lambda network: asked[network])
    found = engine.model.networks.get(worst or "")
    origin = found.origin if found is not None else None
    raise LimitError(
        f"the input makes {total:,} pairs of endpoint classes to judge, "
        f"{len(by_network[worst]):,} classes in {worst or 'no network'} alone (endpoints alike "
        "share a class; a security group of its own sets one apart)",
        MAX_CLASS_PAIRS,
        "pairs",
        origin.file if origin is not None else None,
        origin.line if origin is not None else None,
    )
