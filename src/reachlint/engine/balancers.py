"""Through load balancers: a flow that reaches a listener continues to the listener's targets.

The forwarded flow keeps the client's addresses and goes on from the load balancer's class to
the target's, on the target port. A load balancer that keeps the client's address (or passes
the flow through, as Azure's does) has the target's filters judge the client, not itself; an
AWS network load balancer keeps it for the target groups that preserve it, and the targets of
the others judge the load balancer's own address. Where a group's preservation is not known,
both ways are taken when open (what only one admits rests on the value), and only what both
admit when closed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from msgspec import Struct
from msgspec.structs import replace

from reachlint.engine.classes import ClassView
from reachlint.engine.core import Engine, end_side
from reachlint.engine.flows import (
    Doubt,
    EndpointClass,
    External,
    Flow,
    Hop,
    Unknown,
    carried_on,
)
from reachlint.engine.listeners import ListenerView
from reachlint.engine.pairs import Pairs
from reachlint.engine.services import Service
from reachlint.model.network import Endpoint, TargetGroup
from reachlint.model.traffic import V4_ALL, V6_ALL, Traffic

# A listener, the port it forwards to, the classes of its targets and the hops between.
_Forward = tuple[ListenerView, Traffic, list[ClassView], list[Hop]]


class _Way(Struct, frozen=True):
    """One way on from a load balancer to a target: what reaches it, the hops from the load
    balancer on, whether TCP replies return, and what it rests on."""

    traffic: Traffic
    path: Callable[[], list[Hop]]
    reply_ok: bool
    unknowns: list[Unknown]


def through_load_balancers(engine: Engine, pairs: Pairs, arrivals: list[Flow]) -> None:
    """A flow that reaches a load balancer's listener continues to its targets."""
    _Balancers(engine, pairs).forward(arrivals)


class _Balancers:
    def __init__(self, engine: Engine, pairs: Pairs) -> None:
        self.engine = engine
        self.pairs = pairs

    def forward(self, arrivals: list[Flow]) -> None:
        classes_of: dict[str, list[ClassView]] = defaultdict(list)
        for cls in self.engine.classes:
            for member in cls.info.members:
                if cls not in classes_of[member.endpoint]:
                    classes_of[member.endpoint].append(cls)
        # What each load balancer's class forwards is the same for every flow that reaches it.
        forwards_of: dict[int, list[_Forward]] = {}
        for arrival in arrivals:
            if not isinstance(arrival.destination, EndpointClass) or arrival.state != "reachable":
                continue
            lb_class = self.engine.classes[arrival.destination.id]
            if lb_class.load_balancer is None or lb_class.load_balancer.load_balancer is None:
                continue
            forwards = forwards_of.get(lb_class.info.id)
            if forwards is None:
                forwards = forwards_of[lb_class.info.id] = self._forwards(lb_class, classes_of)
            before = _LoosePath(arrival)
            for listener, forwarded, target_classes, hops in forwards:
                heard = arrival.traffic & listener.heard
                if not heard:
                    continue
                # The flow keeps the client's addresses: those that reached the listener.
                carried = listener.carried(forwarded, heard)
                # What part of the arriving traffic rested on, the forwarded flow rests on as
                # a whole.
                arrived = [*carried_on(arrival.unknowns, heard), *listener.rests_on]
                for t_class in target_classes:
                    self._forward(
                        arrival, carried, arrived, before, hops, lb_class, t_class, listener.group
                    )

    def _forwards(
        self, lb_class: ClassView, classes_of: dict[str, list[ClassView]]
    ) -> list[_Forward]:
        """(listener, target port, target classes, hops) for each way on from a load balancer."""
        balancer = lb_class.load_balancer
        assert balancer is not None
        lb_hop = Hop(
            address=balancer.address,
            kind="load-balancer",
            type=balancer.type,
            detail=_balancer_text(balancer, lb_class.service),
            origin=balancer.origin,
        )
        forwards: list[_Forward] = []
        for listener, forwarded, targets, via in self.engine.listeners.forwarding(
            balancer, lb_class.frontends
        ):
            hops = [lb_hop, *_frontend_hops(lb_class), listener.hop, *via]
            # Targets of one class are one flow: the class, not each member, is judged.
            target_classes = {
                t_class.info.id: t_class
                for target in targets
                for t_class in classes_of.get(target, [])
            }
            forwards.append((listener, forwarded, list(target_classes.values()), hops))
        return forwards

    def _forward(
        self,
        arrival: Flow,
        carried: Traffic,
        arrived: list[str],
        before: _LoosePath,
        hops: list[Hop],
        lb_class: ClassView,
        t_class: ClassView,
        group: TargetGroup | None,
    ) -> None:
        side = end_side(arrival.source)
        exposure = lb_class.service.exposure
        closed = exposure is not None and exposure.closed_without_nsg
        if side == "internet" and closed and not t_class.guards.nsgs:
            return  # closed to internet clients unless an NSG allows them
        alone = len({m.endpoint for m in t_class.info.members}) < 2
        if isinstance(arrival.source, EndpointClass) and arrival.source is t_class.info and alone:
            return
        keeps = keeps_client(lb_class, group)
        # Only a dual-stack load balancer hears both families (Azure's passes the packet on).
        v4, v6 = lb_class.over_families
        translates = v4 is not None and v6 is not None and not lb_class.service.pass_through
        if keeps and translates and group is not None and isinstance(arrival.source, External):
            # A client of the other family than the targets' reaches them from the load
            # balancer's own address ("IPv6 client request ... Load balancer IPv4 address",
            # https://docs.aws.amazon.com/elasticloadbalancing/latest/network/
            # edit-target-group-attributes.html#client-ip-preservation).
            same = carried.only_addresses(V6_ALL if group.ipv6_targets else V4_ALL)
            parts = ((same, True), (carried - same, False))
            ways = [
                self._way(arrival, part, lb_class, t_class, kept, group)
                for part, kept in parts
                if part
            ]
        elif keeps is not None:
            ways = [self._way(arrival, carried, lb_class, t_class, keeps, group)]
        else:
            # Preservation not known: the target judges the client, or the load balancer.
            assert group is not None and group.preservation_rests_on is not None
            kept = self._way(arrival, carried, lb_class, t_class, True, group)
            lost = self._way(arrival, carried, lb_class, t_class, False, group)
            both = kept.traffic & lost.traffic
            if self.engine.assume == "closed":
                ways = [replace(kept if kept.traffic else lost, traffic=both)]
            else:
                ways = [
                    replace(
                        way,
                        unknowns=[
                            *way.unknowns,
                            Doubt(group.preservation_rests_on, way.traffic - both),
                        ],
                    )
                    if way.traffic - both
                    else way
                    for way in (kept, lost)
                ]
        for way in ways:
            if not way.traffic:
                continue

            def build_path(way: _Way = way) -> list[Hop]:
                return [*before.hops, *hops, *way.path()]

            unknowns = [*arrived, *way.unknowns]
            self.engine.emit(
                arrival.source, t_class.info, way.traffic, build_path, way.reply_ok, unknowns
            )

    def _way(
        self,
        arrival: Flow,
        carried: Traffic,
        lb_class: ClassView,
        t_class: ClassView,
        keeps: bool,
        group: TargetGroup | None,
    ) -> _Way:
        """What reaches the target from the load balancer on, when the target sees the client's
        address (`keeps`) or the load balancer's: over its target group's address family ("The
        load balancer communicates with targets based on the IP address type of the target
        group", https://docs.aws.amazon.com/elasticloadbalancing/latest/application/
        load-balancer-ip-address-type.html)."""
        passes = lb_class.service.pass_through  # Azure's: the packet itself goes on
        family = None if passes or group is None else int(group.ipv6_targets)
        leg = self.pairs.pair(lb_class, t_class, judge_source=not keeps, family=family)
        if leg is None:
            return _Way(Traffic(), list, True, [])
        traffic = carried & leg.allowed.services_everywhere()
        judged: Callable[[], list[Hop]] = list
        if keeps:
            traffic, judged = self._target_judges_client(arrival, lb_class, t_class, traffic)
        traffic = t_class.service.accepts(end_side(arrival.source), traffic)
        unknowns: list[Unknown] = [*leg.unknowns, *self.engine.filters.take_unknowns()]

        def path() -> list[Hop]:
            return [*leg.path, *judged()]

        return _Way(traffic, path, leg.reply_ok, unknowns)

    def _target_judges_client(
        self, arrival: Flow, lb_class: ClassView, t_class: ClassView, traffic: Traffic
    ) -> tuple[Traffic, Callable[[], list[Hop]]]:
        """The target's security groups see the client's address, not the load balancer's,
        and rules naming the load balancer's own groups admit it too (see
        SgView.admitting_members_of); the rules that admit it are listed only when the path is
        read."""
        guards = t_class.guards
        lb_groups = lb_class.info.security_groups
        if isinstance(arrival.source, External):
            where = self.engine.placement_of(t_class, arrival.source)
            admitted = traffic & guards.region("ingress", where, lb_groups)
            return admitted, lambda: guards.hops("ingress", admitted, None, where, lb_groups)
        peer = self.engine.classes[arrival.source.id].peer
        if lb_groups:
            peer = replace(peer, groups=tuple(dict.fromkeys((*peer.groups, *lb_groups))))
        admitted = traffic & guards.toward("ingress", peer)
        return admitted, lambda: guards.hops("ingress", admitted, peer)


def keeps_client(lb_class: ClassView, group: TargetGroup | None) -> bool | None:
    """Whether the target sees the client's address: always through a pass-through load
    balancer, through one that can keep it as its target group says (None: not known)."""
    balancer = lb_class.load_balancer
    assert balancer is not None and balancer.load_balancer is not None
    if lb_class.service.pass_through:
        return True
    if not balancer.load_balancer.preserves_client_address:
        return False
    return True if group is None else group.preserves_client_address


def _frontend_hops(lb_class: ClassView) -> list[Hop]:
    """A pass-through load balancer's frontend: the address its clients connect to."""
    if not lb_class.service.pass_through:
        return []
    balancer = lb_class.load_balancer
    assert balancer is not None
    hops = []
    for member in lb_class.info.members[:1]:
        interface = next((i for i in balancer.interfaces if i.address == member.interface), None)
        where = "public" if lb_class.info.public else "private"
        if interface is not None and interface.private_ips:
            where += f" {', '.join(interface.private_ips)}"
        hops.append(
            Hop(
                address=member.interface,
                kind="frontend",
                type=balancer.type,
                detail=f"{where} frontend of {balancer.address}",
                origin=balancer.origin,
            )
        )
    return hops


class _LoosePath:
    """An arriving flow's hops, copied once, no longer judging traffic: the filters before a
    load balancer admitted the listener's traffic, not the target's."""

    def __init__(self, arrival: Flow) -> None:
        self._arrival = arrival
        self._hops: list[Hop] | None = None

    @property
    def hops(self) -> list[Hop]:
        if self._hops is None:
            self._hops = [replace(hop, admits=None) for hop in self._arrival.path]
        return self._hops


def _balancer_text(balancer: Endpoint, service: Service) -> str:
    spec = balancer.load_balancer
    assert spec is not None
    if service.pass_through:
        return (
            f"{spec.scheme} load balancer: passes the flow through to a backend, which sees the "
            "client's address"
        )
    return f"{spec.scheme} {spec.flavor} load balancer"
