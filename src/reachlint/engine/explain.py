"""Why a flow does not get through: the first component on the way that stops it.

The codes follow AWS Reachability Analyzer's explanations: no-route, no-public-address,
security-group, network-acl, nsg, reply-dropped, not-transitive, no-path (plus no-listener for
a load balancer or managed service that does not take the traffic, firewall for a firewall
rule or a firewall's default deny, and not-a-source for an end that starts no connections: a
load balancer, a private endpoint).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from reachlint.engine.dnat import dnat_targets, dnat_traffic
from reachlint.engine.filters import Direction
from reachlint.engine.firewall import Evaluated, FirewallView
from reachlint.engine.flows import INTERNET, External, Hop
from reachlint.engine.inbound import closed_public_address
from reachlint.engine.network_acls import AclView
from reachlint.engine.nsg import NsgDirection, NsgView, Peer
from reachlint.engine.ranges import Placement
from reachlint.model.traffic import (
    ALL_ADDRESSES,
    EPHEMERAL,
    PUBLIC_ADDRESSES,
    TCP,
    IntervalSet,
    Traffic,
    addresses_as_cidrs,
    cidrs,
    parse_protocol,
)
from reachlint.sources import Origin

if TYPE_CHECKING:
    from reachlint.engine.borders import Leg
    from reachlint.engine.classes import ClassView
    from reachlint.engine.core import Engine
    from reachlint.model.exposure import Side

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
        self, engine: Engine, source_name: str | None = None, destination_name: str | None = None
    ) -> None:
        self.engine = engine
        self.source_name = source_name
        self.destination_name = destination_name

    def _name(self, cls: ClassView, side: str) -> str:
        asked = self.source_name if side == "source" else self.destination_name
        return asked or cls.info.members[0].endpoint

    # ----- between two endpoint classes ----------------------------------------------------

    def between(self, a: ClassView, b: ClassView, wanted: Traffic) -> Blocked | None:
        engine = self.engine
        if b.service.pass_through:
            return self.through_balancer(a, b, wanted)
        crosses = a.info.subnet is None or a.info.subnet != b.info.subnet
        if crosses:
            blocked = self._route(a, b, "forward") or self._route(b, a, "back")
            if blocked is not None:
                return blocked
        blocked = self._guards(a, "egress", b.peer, wanted, "source")
        if blocked is not None:
            return blocked
        if crosses:
            blocked = self._firewalls_between(a, b, wanted)
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
            back = engine.acls.toward(b.acl, "egress", a.addresses)
            back &= engine.acls.toward(a.acl, "ingress", b.addresses)
            if not back & Traffic.box(parse_protocol("tcp"), ports=IntervalSet([EPHEMERAL])):
                return self._reply_block(b.acl, a.acl)
        return None

    def _firewalls_between(self, a: ClassView, b: ClassView, wanted: Traffic) -> Blocked | None:
        engine = self.engine
        legs = engine.interconnect.between(a.routes, a.info.network, b.addresses, b.info.network)
        for view in engine.firewalls.on_path(legs or []):
            evaluated = view.evaluate("source", a.addresses, a.address_known)
            admitted = engine.filters.project(
                evaluated.allowed, b.addresses, b.address_known, b.address_names
            )
            engine.filters.take_unknowns()
            if not admitted & wanted.services_everywhere():
                scoped = wanted.services_everywhere().only_addresses(b.addresses)
                return _firewall_block(view, evaluated, scoped)
        return None

    def _route(self, a: ClassView, b: ClassView, which: str) -> Blocked | None:
        interconnect = self.engine.interconnect
        if interconnect.between(a.routes, a.info.network, b.addresses, b.info.network) is not None:
            return None
        table = a.routes.table
        table_address = table.address if table is not None else f"{a.info.network} main table"
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

    def _guards(
        self,
        cls: ClassView,
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

    def _listener(self, b: ClassView, wanted: Traffic) -> Blocked | None:
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

    # ----- what a service starts and accepts, and load balancers that pass flows through ------

    def not_a_source(self, a: ClassView, side: Side, wanted: Traffic) -> Blocked | None:
        """An end that starts none of `wanted`: a load balancer, a private endpoint..."""
        service = a.service
        if service.exposure is None or service.sends(side, wanted):
            return None
        name = self._name(a, "source")
        endpoint = self.engine.model.endpoints[name]
        toward = {"internet": "the internet", "network": "its networks", "onprem": "on-premises"}
        if service.balancer:
            reason = (
                f"{name} is a load balancer: it starts no connections of its own and only "
                "forwards its clients' connections to its targets; ask from a client"
            )
        elif service.starts_nothing(side):
            reason = f"{name} starts no connections toward {toward[side]} ({service.what()})"
        else:
            limit = service.sends_to[side]
            assert limit is not None
            reason = f"{name} starts only {limit.text()} toward {toward[side]} ({service.what()})"
        return Blocked("not-a-source", name, endpoint.kind, reason, endpoint.origin)

    def not_accepted(self, b: ClassView, side: Side, wanted: Traffic) -> Blocked | None:
        """A managed service that takes none of `wanted` from this side."""
        service = b.service
        if service.exposure is None or service.balancer or service.accepts(side, wanted):
            return None
        name = self._name(b, "destination")
        endpoint = self.engine.model.endpoints[name]
        limit = service.accepts_from[side]
        taken = f"only {limit.text()}" if limit else "no connections"
        where = {"internet": "the internet", "network": "its networks", "onprem": "on-premises"}
        return Blocked(
            "no-listener",
            name,
            endpoint.kind,
            f"{name} accepts {taken} from {where[side]} ({service.what()})",
            endpoint.origin,
        )

    def through_balancer(
        self, source: ClassView | External, lb: ClassView, wanted: Traffic
    ) -> Blocked | None:
        """A pass-through load balancer is no place: what stops `wanted` at its backends,
        through every frontend of it the source can use."""
        engine = self.engine
        balancer = lb.load_balancer
        assert balancer is not None
        internet = isinstance(source, External) and source.kind == "internet"
        frontends = [
            c
            for c in engine.classes
            if c.load_balancer is balancer and (c.info.public or not internet)
        ]
        if not frontends:
            return Blocked(
                "no-public-address",
                balancer.address,
                balancer.kind,
                f"{balancer.address} is an internal load balancer: it has no public frontend",
                balancer.origin,
            )
        found: Blocked | None = None
        heard_any = False
        for frontend in frontends:
            for heard, arriving, t_class in self._forwards(frontend, wanted):
                heard_any = True
                blocked = self._at_backend(source, lb, t_class, arriving, heard)
                if blocked is None:
                    return None  # something gets through: the direct explanation stands
                found = found or blocked
        if not heard_any:
            return Blocked(
                "no-listener",
                balancer.address,
                "load-balancer",
                f"{balancer.address} has no rule for {wanted.text()}"
                + (" on a public frontend" if internet else ""),
                balancer.origin,
            )
        if found is not None:
            return found
        return Blocked(
            "no-path",
            balancer.address,
            "load-balancer",
            f"{balancer.address} forwards {wanted.text()} to no backend in the input",
            balancer.origin,
        )

    def behind_balancers(self, b: ClassView, wanted: Traffic) -> Blocked | None:
        """Why the internet does not reach a backend that has no public address of its own
        through the public pass-through load balancers that forward to it; None if none do."""
        engine = self.engine
        members = {m.endpoint for m in b.info.members}
        forwarded = Traffic()
        found: Blocked | None = None
        for lb in engine.classes:
            if not (lb.service.pass_through and lb.info.public and lb.load_balancer is not None):
                continue
            for heard, arriving, t_class in self._forwards(lb, Traffic.everything()):
                if t_class is not b and not members & {m.endpoint for m in t_class.info.members}:
                    continue
                forwarded |= arriving.services_everywhere()
                asked = wanted & arriving.services_everywhere()
                if not asked:
                    continue
                blocked = self._at_backend(INTERNET, lb, t_class, asked, heard)
                if blocked is None:
                    return None
                found = found or blocked
        if found is not None or not forwarded:
            return found
        name = self._name(b, "destination")
        endpoint = engine.model.endpoints[name]
        return Blocked(
            "no-listener",
            name,
            endpoint.kind,
            f"{name} has no public address, and the load balancers in front of it forward "
            f"only {forwarded.text()} to it",
            endpoint.origin,
        )

    def _forwards(self, lb: ClassView, wanted: Traffic) -> list[tuple[Traffic, Traffic, ClassView]]:
        """(frontend traffic heard, traffic arriving at the backend, backend class) for each
        rule of a load balancer that hears some of `wanted`."""
        engine = self.engine
        balancer = lb.load_balancer
        assert balancer is not None
        found = []
        for listener, target_port, targets, _via in engine.listeners.forwarding(
            balancer, lb.frontends
        ):
            heard = wanted & Traffic.box(
                parse_protocol(listener.protocol_number),
                ports=IntervalSet([(listener.port, listener.port)]),
            )
            if not heard:
                continue
            arriving = Traffic.box(
                parse_protocol(listener.forward_protocol),
                ports=IntervalSet([(target_port, target_port)]),
            ).only_addresses(heard.addresses())
            wanted_targets = set(targets)
            for t_class in engine.classes:
                if wanted_targets & {m.endpoint for m in t_class.info.members}:
                    found.append((heard, arriving, t_class))
        return found

    def _at_backend(
        self,
        source: ClassView | External,
        lb: ClassView,
        backend: ClassView,
        arriving: Traffic,
        heard: Traffic,
    ) -> Blocked | None:
        """What stops `arriving` at one backend; the backend's filters see the client."""
        balancer = lb.load_balancer
        assert balancer is not None
        exposure = lb.service.exposure
        judge = Explainer(self.engine, self.source_name, None)
        name = judge._name(backend, "destination")
        internet = isinstance(source, External) and source.kind == "internet"
        closed = exposure is not None and exposure.closed_without_nsg
        if internet and closed and not backend.guards.nsgs:
            assert exposure is not None
            return Blocked(
                "nsg",
                balancer.address,
                "load-balancer",
                f"{balancer.address} ({exposure.service}) is closed to internet clients "
                f"unless an NSG allows them, and {name} has no NSG ({exposure.doc[-1]})",
                balancer.origin,
            )
        side: Side = (
            "network" if not isinstance(source, External)
            else "internet" if internet else "onprem"
        )  # fmt: skip
        blocked = judge.not_accepted(backend, side, arriving)
        if blocked is not None:
            return blocked
        if isinstance(source, External):
            clients = self._clients_of(source) & arriving.addresses()
            scoped = arriving.only_addresses(clients)
            return judge._guards(backend, "ingress", None, scoped, "destination")
        return judge._guards(backend, "ingress", source.peer, arriving, "destination")

    def _clients_of(self, end: External) -> IntervalSet:
        """The addresses an external end's clients come from."""
        if end.kind == "internet":
            return PUBLIC_ADDRESSES
        site = self.engine.model.onprem_sites.get(end.address)
        try:
            return cidrs(site.cidrs) if site is not None and site.cidrs else ALL_ADDRESSES
        except ValueError:
            return ALL_ADDRESSES

    # ----- with the internet ------------------------------------------------------------------

    def from_internet(self, b: ClassView, wanted: Traffic) -> Blocked | None:
        endpoint = self.engine.model.endpoints[self._name(b, "destination")]
        if b.service.pass_through:
            return self.through_balancer(INTERNET, b, wanted)
        if not b.info.public and self._dnat_ways(b):
            return self._through_dnat(b, wanted)
        if not b.info.public:
            behind = self.behind_balancers(b, wanted)
            if behind is not None:
                return behind
            return Blocked(
                "no-public-address",
                endpoint.address,
                endpoint.kind,
                f"{endpoint.address} has no public address",
                endpoint.origin,
            )
        closed, _ = closed_public_address(self.engine, b)
        if closed:
            source = b.public_source or endpoint.address
            address = self.engine.model.elastic_ips.get(source)
            return Blocked(
                "nsg",
                source,
                "public-address",
                f"{source} is a Standard public IP, closed to inbound traffic unless an NSG "
                f"allows it, and no NSG applies to {endpoint.address} "
                "(https://learn.microsoft.com/azure/virtual-network/ip-services/public-ip-addresses#sku)",
                address.origin if address is not None else endpoint.origin,
            )
        clients, _ = self.engine.borders.internet_return(b.routes)
        clients &= PUBLIC_ADDRESSES
        if not clients:
            ways = self.engine.borders.internet_in_through_firewalls(b.routes, b.addresses)
            if ways:
                return self._through_firewalls_in(b, wanted, ways)
            return self._no_internet_route(b)
        return self._arriving(b, wanted, clients)

    def _through_firewalls_in(
        self, b: ClassView, wanted: Traffic, ways: list[tuple[IntervalSet, list[Hop], str]]
    ) -> Blocked | None:
        engine = self.engine
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
                first = first or _firewall_block(view, evaluated, scoped)
                continue
            blocked = self._arriving(b, scoped & evaluated.allowed, reach)
            if blocked is None:
                return None
            first = first or blocked
        return first

    def _dnat_ways(self, b: ClassView) -> list[tuple[FirewallView, Traffic]]:
        """(firewall, what its DNAT rules send b) for every firewall that translates to b."""
        engine = self.engine
        ways = []
        for view in engine.firewalls.views.values():
            sent = Traffic()
            for rule in view.policy.dnat:
                if any(cls is b for cls, _unsure in dnat_targets(engine, rule)):
                    sent |= dnat_traffic(engine, rule)[0]
            if sent:
                ways.append((view, sent))
        return ways

    def _through_dnat(self, b: ClassView, wanted: Traffic) -> Blocked | None:
        first: Blocked | None = None
        for view, sent in self._dnat_ways(b):
            if not sent & wanted:
                first = first or Blocked(
                    "firewall",
                    view.gateway.address,
                    "firewall",
                    f"firewall {view.gateway.address} has no DNAT rule that translates "
                    f"{wanted.text() or 'the traffic'} to {self._name(b, 'destination')}",
                    view.gateway.origin,
                )
                continue
            peer, _routes = self.engine.firewall_peer(view)
            blocked = self._guards(
                b, "ingress", peer, (sent & wanted).services_everywhere(), "destination"
            )
            if blocked is None:
                return None
            first = first or blocked
        return first

    def _arriving(self, b: ClassView, wanted: Traffic, clients: IntervalSet) -> Blocked | None:
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

    def _no_internet_route(self, cls: ClassView, where: str = "an internet gateway") -> Blocked:
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

    def to_internet(self, a: ClassView, wanted: Traffic) -> Blocked | None:
        engine = self.engine
        subnet = engine.model.subnets.get(a.info.subnet or "")
        legs = engine.borders.internet_legs(a.routes, a.info.public, a.families, subnet)
        legs = [leg for leg in legs if leg.external.kind == "internet"]
        if not legs:
            with_public = engine.borders.internet_legs(a.routes, True, a.families, subnet)
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
        return self._leaving(a, wanted, destinations) or self._firewalls_out(a, wanted, legs)

    def _leaving(self, a: ClassView, wanted: Traffic, destinations: IntervalSet) -> Blocked | None:
        scoped = wanted.services_everywhere().only_addresses(destinations & wanted.addresses())
        return self._guards(a, "egress", None, scoped, "source") or self._acl(
            a.acl, "egress", scoped, None, a.outside
        )

    # ----- with on-premises networks ------------------------------------------------------------

    def from_site(self, site: External, b: ClassView, wanted: Traffic) -> Blocked | None:
        if b.service.pass_through:
            return self.through_balancer(site, b, wanted)
        clients = IntervalSet()
        for leg in self.engine.borders.onprem_return(b.routes, b.families):
            if leg.external.address == site.address:
                clients = clients | leg.addresses
        if not clients:
            return self._no_internet_route(b, f"{site.address} (for the replies)")
        return self._arriving(b, wanted, clients)

    def to_site(self, a: ClassView, site: External, wanted: Traffic) -> Blocked | None:
        engine = self.engine
        subnet = engine.model.subnets.get(a.info.subnet or "")
        destinations = IntervalSet()
        for leg in engine.borders.internet_legs(a.routes, a.info.public, a.families, subnet):
            if leg.external.address == site.address:
                destinations = destinations | leg.addresses
        if not destinations:
            return self._no_internet_route(a, site.address)
        legs = [
            leg
            for leg in engine.borders.internet_legs(a.routes, a.info.public, a.families, subnet)
            if leg.external.address == site.address
        ]
        return self._leaving(a, wanted, destinations) or self._firewalls_out(a, wanted, legs)

    def _firewalls_out(self, a: ClassView, wanted: Traffic, legs: list[Leg]) -> Blocked | None:
        """None when some leg's firewalls admit part of `wanted`; else the first that stops it."""
        engine = self.engine
        first: Blocked | None = None
        for leg in legs:
            scoped = wanted.services_everywhere().only_addresses(leg.addresses & wanted.addresses())
            blocked = None
            for view in engine.firewalls.on_path(leg.hops):
                evaluated = view.evaluate("source", a.addresses, a.address_known)
                engine.filters.take_unknowns()
                if not evaluated.allowed & scoped:
                    blocked = _firewall_block(view, evaluated, scoped)
                    break
                scoped &= evaluated.allowed
            if blocked is None and scoped:
                return None
            first = first or blocked
        return first


def _firewall_block(view: FirewallView, evaluated: Evaluated, wanted: Traffic) -> Blocked:
    address, kind, reason, origin = view.blocker(evaluated, wanted)
    return Blocked("firewall", address, kind, reason, origin)
