"""Why a flow does not get through: the first component on the way that stops it.

The codes follow AWS Reachability Analyzer's explanations: no-route, no-public-address,
security-group, network-acl, nsg, reply-dropped, not-transitive, no-path (plus no-listener for
a load balancer that does not listen on the port).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from reachlint.engine.filters import AclView, Direction
from reachlint.engine.flows import External
from reachlint.engine.nsg import NsgDirection, NsgView, Peer
from reachlint.engine.ranges import Placement
from reachlint.model import Origin
from reachlint.traffic import (
    EPHEMERAL,
    PUBLIC_ADDRESSES,
    TCP,
    IntervalSet,
    Traffic,
    addresses_as_cidrs,
    parse_protocol,
)

if TYPE_CHECKING:
    from reachlint.engine.reach import _Class, _Engine

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
]


@dataclass
class Blocked:
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
    """Explains one question; `names` are the endpoints asked about (a class has many)."""

    def __init__(
        self, engine: _Engine, source_name: str | None = None, destination_name: str | None = None
    ) -> None:
        self.engine = engine
        self.source_name = source_name
        self.destination_name = destination_name

    def _name(self, cls: _Class, side: str) -> str:
        asked = self.source_name if side == "source" else self.destination_name
        return asked or cls.info.members[0].endpoint

    # ----- between two endpoint classes ----------------------------------------------------

    def between(self, a: _Class, b: _Class, wanted: Traffic) -> Blocked | None:
        engine = self.engine
        crosses = a.info.subnet is None or a.info.subnet != b.info.subnet
        if crosses:
            blocked = self._route(a, b, "forward") or self._route(b, a, "back")
            if blocked is not None:
                return blocked
        blocked = self._guards(a, "egress", b.peer, wanted, "source")
        if blocked is not None:
            return blocked
        if crosses:
            blocked = self._acl(a.acl, "egress", wanted, b.addresses, b.placement) or self._acl(
                b.acl, "ingress", wanted, a.addresses, a.placement
            )
            if blocked is not None:
                return blocked
        blocked = self._guards(b, "ingress", a.peer, wanted, "destination")
        if blocked is not None:
            return blocked
        blocked = self._listener(b, wanted)
        if blocked is not None:
            return blocked
        if crosses and wanted & Traffic.box(parse_protocol("tcp")):
            back = engine.filters.acl_toward(b.acl, "egress", a.addresses)
            back &= engine.filters.acl_toward(a.acl, "ingress", b.addresses)
            if not back & Traffic.box(parse_protocol("tcp"), ports=IntervalSet([EPHEMERAL])):
                return self._reply_block(b.acl, a.acl)
        return None

    def _route(self, a: _Class, b: _Class, which: str) -> Blocked | None:
        routing = self.engine.routing
        if routing.between(a.routes, a.info.network, b.addresses, b.info.network) is not None:
            return None
        table = a.routes.table
        table_address = table.address if table is not None else f"{a.info.network} main table"
        origin = table.origin if table is not None else Origin()
        links = routing.connected_networks()
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

    def _guards(
        self,
        cls: _Class,
        direction: Direction,
        peer: Peer | None,
        wanted: Traffic,
        side: str,
    ) -> Blocked | None:
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
                member = self._name(cls, side)
                group = self.engine.model.security_groups.get(groups.groups[0])
                return Blocked(
                    "security-group",
                    groups.groups[0],
                    "security-group",
                    f"no {word} {wanted.text() or 'the traffic'} for {member} "
                    f"(security groups: {names})",
                    group.origin if group is not None else Origin(),
                )
        for view in guards.ordered(direction):
            blocked = self._nsg(view, direction, peer, wanted, cls)
            if blocked is not None:
                return blocked
        return None

    def _nsg(
        self, view: NsgView, direction: Direction, peer: Peer | None, wanted: Traffic, cls: _Class
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
            if effective and not decided.rule.allow:
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

    def _acl(
        self,
        acl: AclView | None,
        direction: Direction,
        wanted: Traffic,
        peer: IntervalSet | None,
        placement: Placement,
    ) -> Blocked | None:
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

    def _reply_block(self, server: AclView | None, client: AclView | None) -> Blocked:
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

    def _listener(self, b: _Class, wanted: Traffic) -> Blocked | None:
        balancer = b.load_balancer
        if balancer is None:
            return None
        if wanted & self.engine.filters.listener_traffic(balancer):
            return None
        return Blocked(
            "no-listener",
            balancer.address,
            "load-balancer",
            f"{balancer.address} has no listener for {wanted.text()}",
            balancer.origin,
        )

    # ----- with the internet ------------------------------------------------------------------

    def from_internet(self, b: _Class, wanted: Traffic) -> Blocked | None:
        endpoint = self.engine.model.endpoints[self._name(b, "destination")]
        if not b.info.public:
            return Blocked(
                "no-public-address",
                endpoint.address,
                endpoint.kind,
                f"{endpoint.address} has no public address",
                endpoint.origin,
            )
        clients, _ = self.engine.routing.internet_return(b.routes)
        clients &= PUBLIC_ADDRESSES
        if not clients:
            return self._no_internet_route(b)
        return self._arriving(b, wanted, clients)

    def _arriving(self, b: _Class, wanted: Traffic, clients: IntervalSet) -> Blocked | None:
        """Filters on the way in from outside, then the stateless way back."""
        scoped = wanted.services_everywhere().only_addresses(clients & wanted.addresses())
        blocked = (
            self._guards(b, "ingress", None, scoped, "destination")
            or self._listener(b, scoped)
            or self._acl(b.acl, "ingress", scoped, None, b.outside)
        )
        if blocked is not None:
            return blocked
        if b.acl is not None and scoped & Traffic.box(parse_protocol("tcp")):
            replies = b.acl.regions["egress"].addresses_with(TCP, IntervalSet([EPHEMERAL]))
            if not replies & scoped.addresses():
                return self._reply_block(b.acl, None)
        return None

    def _no_internet_route(self, cls: _Class, where: str = "an internet gateway") -> Blocked:
        table = cls.routes.table
        address = table.address if table is not None else f"{cls.info.network} main table"
        of = f" of {cls.info.subnet}" if cls.info.subnet else ""
        return Blocked(
            "no-route",
            address,
            "route-table",
            f"route table {address}{of} has no route to {where}",
            table.origin if table is not None else Origin(),
        )

    def to_internet(self, a: _Class, wanted: Traffic) -> Blocked | None:
        engine = self.engine
        subnet = engine.model.subnets.get(a.info.subnet or "")
        legs = engine.routing.internet_legs(a.routes, a.info.public, a.families, subnet)
        legs = [leg for leg in legs if leg.external.kind == "internet"]
        if not legs:
            with_public = engine.routing.internet_legs(a.routes, True, a.families, subnet)
            if any(leg.external.kind == "internet" for leg in with_public):
                endpoint = engine.model.endpoints[self._name(a, "source")]
                return Blocked(
                    "no-public-address",
                    endpoint.address,
                    endpoint.kind,
                    f"{endpoint.address} has no public address to use the internet gateway",
                    endpoint.origin,
                )
            return self._no_internet_route(a)
        destinations = IntervalSet()
        for leg in legs:
            destinations = destinations | leg.addresses
        return self._leaving(a, wanted, destinations)

    def _leaving(self, a: _Class, wanted: Traffic, destinations: IntervalSet) -> Blocked | None:
        scoped = wanted.services_everywhere().only_addresses(destinations & wanted.addresses())
        return self._guards(a, "egress", None, scoped, "source") or self._acl(
            a.acl, "egress", scoped, None, a.outside
        )

    # ----- with on-premises networks ------------------------------------------------------------

    def from_site(self, site: External, b: _Class, wanted: Traffic) -> Blocked | None:
        clients = IntervalSet()
        for leg in self.engine.routing.onprem_return(b.routes, b.families):
            if leg.external.address == site.address:
                clients = clients | leg.addresses
        if not clients:
            return self._no_internet_route(b, f"{site.address} (for the replies)")
        return self._arriving(b, wanted, clients)

    def to_site(self, a: _Class, site: External, wanted: Traffic) -> Blocked | None:
        engine = self.engine
        subnet = engine.model.subnets.get(a.info.subnet or "")
        destinations = IntervalSet()
        for leg in engine.routing.internet_legs(a.routes, a.info.public, a.families, subnet):
            if leg.external.address == site.address:
                destinations = destinations | leg.addresses
        if not destinations:
            return self._no_internet_route(a, site.address)
        return self._leaving(a, wanted, destinations)
