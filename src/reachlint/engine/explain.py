"""Why a flow does not get through: the first component on the way that stops it.

The codes follow AWS Reachability Analyzer's explanations: no-route, no-public-address,
security-group, network-acl, nsg, reply-dropped, not-transitive, no-path (plus no-listener for
a load balancer or managed service that does not take the traffic, firewall for a firewall
rule or a firewall's default deny, and not-a-source for an end that starts no connections: a
load balancer, a private endpoint).

This module holds what stops traffic at one component: a route table, security groups, an NSG,
a network ACL, a listener, a firewall. The questions are answered by kind of ends: between two
classes (explain_between.py), with the internet and on-premises sites (explain_outside.py),
and where a service or a pass-through load balancer decides (explain_services.py).
"""

from __future__ import annotations

from typing import Literal

from msgspec import Struct, field

from reachlint.engine.classes import ClassView
from reachlint.engine.core import Engine
from reachlint.engine.filters import Direction
from reachlint.engine.firewall import Evaluated, FirewallView
from reachlint.engine.network_acls import AclView
from reachlint.engine.nsg import NsgDirection, NsgView, Peer
from reachlint.engine.ranges import Placement
from reachlint.model.traffic import (
    EPHEMERAL,
    PUBLIC_ADDRESSES,
    IntervalSet,
    Traffic,
    addresses_as_cidrs,
)
from reachlint.sources import Origin

BlockCode = Literal[
    "no-route",
    "no-public-address",
    "security-group",
    "network-acl",
    "nsg",
    "reply-dropped",
    "not-transitive",
    "no-path",
    "no-listener",
    "firewall",
    "not-a-source",
]


class Blocked(Struct):
    code: BlockCode
    address: str  # the component that blocks
    kind: str
    reason: str
    origin: Origin = field(default_factory=Origin)


def _where(addresses: IntervalSet) -> str:
    listed = addresses_as_cidrs(addresses)
    if not listed:
        return "nowhere"
    return listed[0] if len(listed) == 1 else f"{listed[0]} and {len(listed) - 1} more"


class Explainer:
    """One question's explanations at each component; `names` are the endpoints asked about
    (a class has many)."""

    def __init__(
        self, engine: Engine, source_name: str | None = None, destination_name: str | None = None
    ) -> None:
        self.engine = engine
        self.source_name = source_name
        self.destination_name = destination_name

    def name(self, cls: ClassView, side: str) -> str:
        """The endpoint asked about on this side, or the class's first member."""
        asked = self.source_name if side == "source" else self.destination_name
        return asked or cls.info.members[0].endpoint

    def route(self, a: ClassView, b: ClassView, which: str) -> Blocked | None:
        """What keeps a's routes from b's addresses (`which`: "forward", or "back" for the
        replies)."""
        interconnect = self.engine.interconnect
        if interconnect.between(a.routes, a.info.network, b.addresses, b.info.network) is not None:
            return None
        table = a.routes.table
        table_address = table.address if table is not None else _main_table(a.info.network)
        origin = table.origin if table is not None else Origin()
        links = interconnect.connected_networks()
        if b.info.network not in links.get(a.info.network, {a.info.network}):
            for middle in links.get(a.info.network, set()):
                if middle != a.info.network and b.info.network in links.get(middle, set()):
                    return Blocked(
                        "not-transitive",
                        self._peering_between(a.info.network, middle) or str(middle),
                        "peering",
                        f"{a.info.network} is peered with {middle}, which is peered with "
                        f"{b.info.network}; peering is not transitive",
                    )
            return Blocked(
                "no-path",
                str(a.info.network),
                "network",
                f"nothing connects {a.info.network} with {b.info.network}",
            )
        parts = a.routes.partition(b.addresses)
        if not parts:
            target_text = "has no route"
        else:
            entry = parts[0][1]
            target_text = (
                f"sends it to {entry.target or entry.target_kind}, which does not lead there"
            )
        direction = "to" if which == "forward" else "back to"
        return Blocked(
            "no-route",
            table_address,
            "route-table",
            f"route table {table_address} {target_text} ({direction} {_where(b.addresses)})",
            origin,
        )

    def _peering_between(self, a: str | None, b: str | None) -> str | None:
        for peering in self.engine.model.peerings.values():
            if {peering.requester, peering.accepter} == {a, b}:
                return peering.address
        return None

    def guards(
        self,
        cls: ClassView,
        direction: Direction,
        peer: Peer | None,
        wanted: Traffic,
        side: str,
    ) -> Blocked | None:
        """The security group or NSG of a class that stops `wanted` from or to `peer` (None:
        an external peer); `side` says whose member the class is."""
        guards = cls.guards
        groups = guards.groups
        if not groups.unfiltered:
            if peer is None:
                # An external peer lies outside the class's own ranges, whatever they are.
                admitted = groups.region(direction, cls.outside) & wanted
            elif direction == "ingress":
                admitted = groups.ingress_from(peer.addresses, peer.groups, peer.known) & wanted
            else:
                admitted = groups.egress_to(peer.addresses, peer.groups, peer.known) & wanted
            if not admitted:
                names = ", ".join(groups.groups)
                word = "ingress rule admits" if direction == "ingress" else "egress rule allows"
                member = self.name(cls, side)
                group = self.engine.model.security_groups.get(groups.groups[0])
                reason = (
                    f"no {word} {wanted.text() or 'the traffic'} for {member} "
                    f"(security groups: {names})"
                )
                if peer is None:
                    # A rule for the service may name addresses that are not the internet's
                    # (a private or documentation range): say so rather than "no rule".
                    region = groups.region(direction, cls.outside) & wanted.services_everywhere()
                    if region:
                        verb = "admits" if direction == "ingress" else "allows"
                        way = "from" if direction == "ingress" else "to"
                        public = region.addresses() & PUBLIC_ADDRESSES
                        other = "other addresses" if public else "addresses not the internet's"
                        reason = (
                            f"{names} {verb} {region.services_everywhere().text()} for {member} "
                            f"only {way} {other}"
                        )
                return Blocked(
                    "security-group",
                    groups.groups[0],
                    "security-group",
                    reason,
                    group.origin if group is not None else Origin(),
                )
        for view in guards.ordered(direction):
            blocked = self._nsg(view, direction, peer, wanted, cls)
            if blocked is not None:
                return blocked
        return None

    def _nsg(
        self,
        view: NsgView,
        direction: Direction,
        peer: Peer | None,
        wanted: Traffic,
        cls: ClassView,
    ) -> Blocked | None:
        nsg_direction: NsgDirection = "inbound" if direction == "ingress" else "outbound"
        if peer is not None:
            evaluated = view.evaluate(nsg_direction, peer.asgs, peer.placement)
        else:
            evaluated = view.evaluate(nsg_direction, (), cls.outside)
        admitted = evaluated.allowed & wanted
        if peer is not None:
            admitted = admitted.only_addresses(peer.addresses)
        if admitted:
            return None
        for decided in evaluated.decided:
            effective = decided.effective & wanted
            if peer is not None:
                effective = effective.only_addresses(peer.addresses)
            if effective and not decided.allow:
                rule = decided.rule
                return Blocked(
                    "nsg",
                    rule.address,
                    "nsg-rule",
                    f"NSG {view.nsg.address} ({view.level}) rule {rule.name} priority "
                    f"{rule.priority} denies {effective.text()} {nsg_direction}",
                    rule.origin,
                )
        return Blocked(
            "nsg",
            view.nsg.address,
            "nsg",
            f"NSG {view.nsg.address} ({view.level}) admits none of {wanted.text()}",
            view.nsg.origin,
        )

    def acl(
        self,
        acl: AclView | None,
        direction: Direction,
        wanted: Traffic,
        peer: IntervalSet | None,
        placement: Placement,
    ) -> Blocked | None:
        """The network ACL entry (or its implicit deny) that stops `wanted` from or to `peer`
        (None: external addresses, placed so among unknown ranges)."""
        if acl is None:
            return None
        decided = acl.compiled(direction, placement)
        scoped = wanted if peer is None else wanted.services_everywhere().only_addresses(peer)
        if decided.allowed & scoped:
            return None
        word = "from" if direction == "ingress" else "to"
        for compiled in decided.entries:
            hit = compiled.effective & scoped
            if hit and not compiled.entry.allow:
                entry = compiled.entry
                return Blocked(
                    "network-acl",
                    entry.address,
                    "network-acl-entry",
                    f"network ACL {acl.acl.address} rule {entry.rule_number} denies "
                    f"{hit.text()} {word} {entry.cidr or 'its unknown range'}",
                    entry.origin if entry.origin.file else acl.acl.origin,
                )
        return Blocked(
            "network-acl",
            acl.acl.address,
            "network-acl",
            f"network ACL {acl.acl.address} has no rule that allows {wanted.text()} {word} "
            f"{_where(scoped.addresses())} (the implicit deny)",
            acl.acl.origin,
        )

    def reply_block(self, server: AclView | None, client: AclView | None) -> Blocked:
        """The network ACL that drops the TCP replies: the server's, else the client's."""
        culprit = server or client
        assert culprit is not None
        return Blocked(
            "reply-dropped",
            culprit.acl.address,
            "network-acl",
            f"network ACL {culprit.acl.address} drops the replies: no client port "
            f"{EPHEMERAL[0]}-{EPHEMERAL[1]} gets back",
            culprit.acl.origin,
        )

    def listener(self, b: ClassView, wanted: Traffic) -> Blocked | None:
        """A load balancer with no listener for `wanted`."""
        balancer = b.load_balancer
        if balancer is None:
            return None
        if wanted & self.engine.listeners.traffic(balancer, b.frontends):
            return None
        return Blocked(
            "no-listener",
            balancer.address,
            "load-balancer",
            f"{balancer.address} has no listener for {wanted.text()}",
            balancer.origin,
        )

    def no_route_out(self, cls: ClassView, where: str = "an internet gateway") -> Blocked:
        """The class's route table has no route out to `where`."""
        table = cls.routes.table
        address = table.address if table is not None else _main_table(cls.info.network)
        of = f" of {cls.info.subnet}" if cls.info.subnet else ""
        reason = f"route table {address}{of} has no route to {where}"
        if table is None and cls.info.network is None:
            reason = f"it sits in no network the input holds: no route to {where}"
        return Blocked(
            "no-route",
            address,
            "route-table",
            reason,
            table.origin if table is not None else Origin(),
        )


def _main_table(network: str | None) -> str:
    return f"{network} main table" if network is not None else "no network's main table"


def firewall_block(view: FirewallView, evaluated: Evaluated, wanted: Traffic) -> Blocked:
    address, kind, reason, origin = view.blocker(evaluated, wanted)
    return Blocked("firewall", address, kind, reason, origin)


def forwarder_block(
    engine: Engine, address: str, wanted: Traffic, sender: Peer | None, receiver: Peer | None
) -> Blocked | None:
    """The security group of an AWS instance that forwards (a NAT or appliance instance) that
    stops `wanted` on its way through: in from `sender`, out to `receiver` (None: outside)."""
    forwarder = engine.forwarder(address)
    if forwarder is None:
        return None
    at_forwarder = Explainer(engine, address, address)
    return at_forwarder.guards(
        forwarder, "ingress", sender, wanted, "destination"
    ) or at_forwarder.guards(forwarder, "egress", receiver, wanted, "source")
