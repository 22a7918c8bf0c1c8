"""Exact reachability over classes of interfaces that the network cannot tell apart.

The engine reads only the provider-neutral model. Interfaces with the same subnet, security
groups, public address and address atom behave identically, so flows are computed once per
pair of classes, never per pair of endpoints. Every set is exact (see traffic.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Literal

from reachlint.engine.borders import Borders, Leg
from reachlint.engine.filters import Filters
from reachlint.engine.firewall import (
    Evaluated,
    Firewalls,
    FirewallView,
    FixedEnd,
    rule_ports,
    rule_protocols,
    spec_addresses,
)
from reachlint.engine.flows import (
    INTERNET,
    Doubt,
    EndpointClass,
    External,
    Flow,
    Hop,
    Member,
    PathSource,
    Reachability,
    Unknown,
    private_address_of,
)
from reachlint.engine.guards import Guards
from reachlint.engine.interconnect import Interconnect
from reachlint.engine.listeners import Listeners, ListenerView
from reachlint.engine.network_acls import AclView, NetworkAcls
from reachlint.engine.nsg import AzureSpaces, NsgView, Peer
from reachlint.engine.ranges import NOWHERE, Placement, Places, families_of
from reachlint.engine.route_tables import RouteTables, RouteView
from reachlint.engine.security_groups import SecurityGroups
from reachlint.engine.services import Service, service_of
from reachlint.model.exposure import Side
from reachlint.model.network import DnatRule, Endpoint, Interface, NetworkModel, Subnet
from reachlint.model.traffic import (
    ALL_ADDRESSES,
    EPHEMERAL,
    PUBLIC_ADDRESSES,
    TCP,
    V4_ALL,
    V6_ALL,
    IntervalSet,
    Traffic,
    cidrs,
    parse_protocol,
)

AssumeUnknown = Literal["open", "closed"]
_PLAIN = Endpoint(address="", type="", kind="other")
_TCP_ONLY = Traffic.box(parse_protocol("tcp"))
_EPHEMERAL_PORTS = IntervalSet([EPHEMERAL])
_REPLIES = Traffic.box(parse_protocol("tcp"), ports=_EPHEMERAL_PORTS)


@dataclass
class _Pair:
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


@dataclass
class _Class:
    """Engine-side view of an endpoint class."""

    info: EndpointClass
    addresses: IntervalSet  # where its members' addresses may lie
    address_known: bool
    families: IntervalSet  # address families it can use (V4_ALL, V6_ALL)
    asgs: tuple[str, ...]
    guards: Guards
    acl: AclView | None
    routes: RouteView
    load_balancer: Endpoint | None = None
    unknowns: list[Unknown] = field(default_factory=list)
    # Among unknown ranges: where its addresses lie, and where an external peer's lie.
    placement: Placement = NOWHERE
    outside: Placement = NOWHERE
    address_names: tuple[str, ...] = ()  # what its addresses rest on, when not known
    service: Service = field(default_factory=lambda: service_of(_PLAIN))
    closed_without_nsg: bool | None = False  # a Standard public IP: see Interface
    public_source: str | None = None

    @cached_property
    def frontends(self) -> frozenset[str]:
        """A load balancer's interfaces in this class: the frontends its rules listen on."""
        return frozenset(m.interface for m in self.info.members)

    @cached_property  # the class never changes once made, and pairs ask for it often
    def peer(self) -> Peer:
        return Peer(
            addresses=self.addresses,
            groups=self.info.security_groups,
            asgs=self.asgs,
            known=self.address_known,
            network=self.info.network,
            placement=self.placement,
            names=self.address_names,
        )


class _Engine:
    def __init__(self, model: NetworkModel, assume: AssumeUnknown) -> None:
        self.model = model
        self.assume = assume
        self.filters = Filters(model, assume)
        self.groups = SecurityGroups(self.filters)
        self.acls = NetworkAcls(self.filters)
        self.listeners = Listeners(model)
        self.tables = RouteTables(model)
        self.interconnect = Interconnect(model, assume, self.tables)
        self.borders = Borders(model, assume, self.tables)
        self.spaces = AzureSpaces(model)
        self.firewalls = Firewalls(model.gateways, assume)
        self.places = Places(model)
        self.classes: list[_Class] = []
        self.flows: list[Flow] = []
        # Flows that end at a pass-through load balancer: only the way to its backends.
        self.held: list[Flow] = []
        self._pairs: dict[tuple[int, int, bool], _Pair | None] = {}
        self._target_of: dict[str, tuple[str, ...]] = {}
        self._guard_views: dict[tuple[object, ...], Guards] = {}

    # ----- classes -------------------------------------------------------------------------

    def build_classes(self) -> None:
        self._target_of = self._targets()
        by_key: dict[tuple[object, ...], _Class] = {}
        for endpoint in self.model.endpoints.values():
            for interface in endpoint.interfaces:
                key, addresses, known = self._class_key(endpoint, interface)
                found = by_key.get(key)
                if found is None:
                    found = self._new_class(endpoint, interface, addresses, known)
                    by_key[key] = found
                elif interface.unknown:
                    # Members share what is unknown about them, each under its own address.
                    found.unknowns.extend(f"{endpoint.address}: {w}" for w in interface.unknown)
                found.info.members.append(Member(endpoint.address, interface.address))

    def _class_key(
        self, endpoint: Endpoint, interface: Interface
    ) -> tuple[tuple[object, ...], IntervalSet, bool]:
        network = self._network_of(interface)
        subnet_range = self._subnet_range(interface, network)
        known = [ip for ip in interface.private_ips if ip]
        if known:
            addresses = cidrs(known)
            atom = self.filters.atom_of(subnet_range, addresses)
        else:
            addresses, atom = subnet_range, None
        lb = endpoint.address if endpoint.load_balancer is not None else None
        key = (
            network,
            interface.subnet,
            self._public(interface),
            interface.public_source,  # each member's path names what makes it public
            interface.closed_without_nsg,
            tuple(sorted(interface.security_groups)),
            atom,
            lb,
            bool(known),
            tuple(interface.unknown),
            interface.network_security_group,
            tuple(sorted(interface.application_security_groups)),
            self._target_of.get(endpoint.address, ()),
            endpoint.exposure,
            tuple((p.low, p.high) for p in endpoint.service_ports),
        )
        return key, (atom if atom is not None else addresses), bool(known)

    def _public(self, interface: Interface) -> bool:
        """A public address known only after apply counts as one unless told to assume closed."""
        if interface.public:
            return True
        unsure = any("public" in what for what in interface.unknown)
        return unsure and self.assume == "open"

    def _targets(self) -> dict[str, tuple[str, ...]]:
        """Load balancers send to their targets only: being a target sets an endpoint apart."""
        found: dict[str, set[str]] = defaultdict(set)
        for group in self.model.target_groups.values():
            for target in group.targets:
                found[target.endpoint].add(group.address)
        for endpoint in self.model.endpoints.values():
            if endpoint.load_balancer is not None:
                for target in endpoint.load_balancer.instances:
                    found[target.endpoint].add(endpoint.address)
        return {address: tuple(sorted(groups)) for address, groups in found.items()}

    def _network_of(self, interface: Interface) -> str | None:
        if interface.subnet and interface.subnet in self.model.subnets:
            return self.model.subnets[interface.subnet].network
        return interface.network

    def _subnet_range(self, interface: Interface, network: str | None) -> IntervalSet:
        return self.places.address_range(self.model.subnets.get(interface.subnet or ""), network)

    def _new_class(
        self, endpoint: Endpoint, interface: Interface, addresses: IntervalSet, known: bool
    ) -> _Class:
        network = self._network_of(interface)
        subnet = self.model.subnets.get(interface.subnet or "")
        unknowns: list[Unknown] = [f"{endpoint.address}: {what}" for what in interface.unknown]
        if subnet is None and interface.network is None:
            unknowns.append(f"{endpoint.address}: subnet")
        families = IntervalSet()
        subnet_ranges = families_of(subnet) if subnet is not None else ALL_ADDRESSES
        if subnet is None or subnet_ranges & V4_ALL:
            families = families | V4_ALL
        if subnet is None or subnet_ranges & V6_ALL:
            families = families | V6_ALL
        service = service_of(endpoint)
        info = EndpointClass(
            id=len(self.classes),
            network=network,
            subnet=interface.subnet,
            public=self._public(interface),
            security_groups=tuple(sorted(interface.security_groups)),
        )
        names = self.places.address_names(subnet, network)
        if not known and not names:
            names = (private_address_of(info.id),)  # chosen in its subnet when deployed
        made = _Class(
            info=info,
            addresses=addresses,
            address_known=known,
            placement=self.places.inside(subnet, network),
            outside=self.places.internet(network),
            address_names=() if known else names,
            families=families,
            asgs=tuple(sorted(interface.application_security_groups)),
            guards=self._guards(
                interface, subnet, network, addresses, known, bare=service.pass_through
            ),
            acl=self.acls.acl_for(subnet) if subnet is not None else None,
            routes=self.tables.view_for(subnet, network),
            load_balancer=endpoint if endpoint.load_balancer is not None else None,
            unknowns=unknowns,
            service=service,
            closed_without_nsg=interface.closed_without_nsg,
            public_source=interface.public_source,
        )
        self.classes.append(made)
        return made

    def _guards(
        self,
        interface: Interface,
        subnet: Subnet | None,
        network: str | None,
        addresses: IntervalSet,
        known: bool,
        bare: bool = False,
    ) -> Guards:
        """The filters of an interface; `bare`: none (a pass-through frontend has none)."""
        if bare:
            return Guards(self.filters, self.groups.view(()), [])
        groups = self.groups.view(tuple(sorted(interface.security_groups)))
        guarded = Peer(
            addresses=addresses,
            groups=tuple(sorted(interface.security_groups)),
            asgs=tuple(sorted(interface.application_security_groups)),
            known=known,
            network=network,
            placement=self.places.inside(subnet, network),
        )
        table = subnet.route_table if subnet is not None else None
        placed = [
            (nsg, level)
            for address, level in (
                (subnet.security_group if subnet is not None else None, "subnet"),
                (interface.network_security_group, "network interface"),
            )
            if (nsg := self.model.network_security_groups.get(address or "")) is not None
        ]
        # Interfaces behind the same filters share one Guards, and so its verdict caches; an
        # NSG also judges the guarded address, so then that is part of what must be the same.
        key = (
            groups.groups,
            tuple((n.address, level) for n, level in placed),
            table,
            guarded if placed else None,
        )
        found = self._guard_views.get(key)
        if found is None:
            views = [
                NsgView(n, guarded, self.spaces, self.assume, level, table) for n, level in placed
            ]
            found = self._guard_views[key] = Guards(self.filters, groups, views)
        return found

    # ----- flows between classes ------------------------------------------------------------

    def internal_flows(self) -> None:
        by_network: dict[str | None, list[_Class]] = defaultdict(list)
        for cls in self.classes:
            by_network[cls.info.network].append(cls)
        connected = self.interconnect.connected_networks()
        for network, sources in by_network.items():
            targets = [c for n in connected.get(network, {network}) for c in by_network.get(n, [])]
            for a in sources:
                if a.service.starts_nothing("network"):
                    continue  # a load balancer, a private endpoint: never a client
                for b in targets:
                    pair = self.pair(a, b)
                    if pair is None:
                        continue
                    if a is b and len({m.endpoint for m in a.info.members}) < 2:
                        continue  # a flow from an endpoint to itself is not a flow
                    allowed = b.service.accepts("network", a.service.sends("network", pair.allowed))
                    if not allowed:
                        continue
                    self._emit(
                        a.info,
                        b.info,
                        allowed,
                        pair.hops,
                        pair.reply_ok,
                        pair.unknowns,
                    )

    def pair(self, a: _Class, b: _Class, judge_source: bool = True) -> _Pair | None:
        """Traffic members of `a` can send to members of `b`, and whether TCP replies return.

        With judge_source False the destination's security groups are left out: a load balancer
        that keeps the client's address has them judge the client instead.
        """
        key = (a.info.id, b.info.id, judge_source)
        if key not in self._pairs:
            self._pairs[key] = self._compute_pair(a, b, judge_source)
        return self._pairs[key]

    def _compute_pair(self, a: _Class, b: _Class, judge_source: bool) -> _Pair | None:
        # Filter verdicts are cached per peer and stop most pairs: ask them before routing.
        allowed = a.guards.toward("egress", b.peer)
        if judge_source:
            allowed &= b.guards.toward("ingress", a.peer)
        if b.load_balancer is not None:
            allowed &= self.listeners.traffic(b.load_balancer, b.frontends)
        if not allowed:
            self.filters.take_unknowns()
            return None
        unknowns = [*a.unknowns, *b.unknowns]
        path: list[Hop] = []
        judged: list[tuple[FirewallView, Evaluated]] = []
        crosses_subnets = a.info.subnet is None or a.info.subnet != b.info.subnet
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
            for view in self.firewalls.on_path(legs):
                evaluated = view.evaluate("source", a.addresses, a.address_known)
                self.filters.unknowns.extend(evaluated.unknowns)
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
            reply_ok = back is not None and self._tcp_replies_pass(b, a)
        unknowns.extend(self.filters.take_unknowns())
        unknowns.extend(self.interconnect.take_unknowns())
        if not allowed:
            return None

        def build_path() -> list[Hop]:
            hops = [*_with_rules(path, judged, allowed, b.addresses)]
            hops.extend(a.guards.hops("egress", allowed, b.peer))
            if crosses_subnets:
                hops.extend(self.acls.hops(a.acl, "egress", allowed, b.addresses, b.placement))
                hops.extend(self.acls.hops(b.acl, "ingress", allowed, a.addresses, a.placement))
            if judge_source:
                hops.extend(b.guards.hops("ingress", allowed, a.peer))
            return hops

        return _Pair(allowed, build_path, reply_ok, unknowns)

    def _tcp_replies_pass(self, server: _Class, client: _Class) -> bool:
        """Some client port 1024-65535 must pass both stateless filters on the way back."""
        filters = self.filters
        with filters.collecting() as unknowns:
            back = self.acls.toward(
                server.acl, "egress", client.addresses, client.placement, client.address_names
            )
            back &= self.acls.toward(
                client.acl, "ingress", server.addresses, server.placement, server.address_names
            )
        replies = back & _REPLIES
        # Replies that pass only by assumption make every TCP connection rest on it.
        doubtful = Traffic()
        for unknown in unknowns:
            if isinstance(unknown, Doubt):
                doubtful |= unknown.traffic
            else:
                filters.unknowns.append(unknown)
        if replies and not replies - doubtful:
            names = dict.fromkeys(u.name for u in unknowns if isinstance(u, Doubt))
            filters.unknowns.extend(Doubt(name, _TCP_ONLY) for name in names)
        return bool(replies)

    def _emit(
        self,
        source: EndpointClass | External,
        destination: EndpointClass | External,
        allowed: Traffic,
        path: PathSource,
        reply_ok: bool,
        unknowns: list[Unknown],
        reply_ok_addresses: IntervalSet | None = None,
    ) -> Flow | None:
        """Split `allowed` into the reachable part and the TCP part whose replies are dropped."""
        tcp = allowed & _TCP_ONLY
        if reply_ok_addresses is not None:
            dropped = tcp - tcp.only_addresses(reply_ok_addresses)
        else:
            dropped = Traffic() if reply_ok else tcp
        reachable = allowed - dropped
        dedup = _dedupe(unknowns)
        passes = isinstance(destination, EndpointClass) and (
            self.classes[destination.id].service.pass_through
        )
        # A pass-through load balancer is not a place of its own: it only leads to backends.
        sink = self.held if passes else self.flows
        if dropped:
            sink.append(
                Flow(source, destination, dropped, path, state="reply-dropped", unknowns=dedup)
            )
        if not reachable:
            return None
        flow = Flow(source, destination, reachable, path, unknowns=dedup)
        sink.append(flow)
        return flow

    # ----- the internet -----------------------------------------------------------------------

    def internet_ingress(self) -> dict[int, Flow]:
        made: dict[int, Flow] = {}
        for b in self.classes:
            flow = self._internet_to(b)
            if flow is not None:
                made[b.info.id] = flow
            self._internet_through_firewalls(b)
        return made

    def _internet_through_firewalls(self, b: _Class) -> None:
        """From the internet through a firewall on both ways (an AWS ingress route table)."""
        families = (V4_ALL if b.info.public else IntervalSet()) | (b.families & V6_ALL)
        ways = self.borders.internet_in_through_firewalls(b.routes, b.addresses)
        for clients, route_hops, firewall in ways:
            clients = clients & PUBLIC_ADDRESSES & families & b.families
            view = self.firewalls.get(firewall)
            if not clients or view is None:
                continue
            evaluated = view.evaluate("destination", b.addresses, b.address_known)
            self.filters.unknowns.extend(evaluated.unknowns)
            allowed = Traffic.box(addresses=clients) & evaluated.allowed
            allowed &= b.guards.region("ingress", b.outside)
            allowed = b.service.accepts("internet", allowed)
            if b.load_balancer is not None:
                allowed &= self.listeners.traffic(b.load_balancer, b.frontends)
            allowed &= self.acls.region(b.acl, "ingress", b.outside)
            if not allowed:
                self.filters.take_unknowns()
                continue
            replies = self.acls.region(b.acl, "egress", b.outside).addresses_with(
                TCP, _EPHEMERAL_PORTS
            )
            unknowns = [*b.unknowns, *self.filters.take_unknowns()]
            path = _with_rules(route_hops, [(view, evaluated)], allowed, None)
            path.extend(self._public_hops(b))
            path.extend(self.acls.hops(b.acl, "ingress", allowed, None, b.outside))
            path.extend(b.guards.hops("ingress", allowed, None, b.outside))
            self._emit(INTERNET, b.info, allowed, path, True, unknowns, replies)

    def _internet_to(self, b: _Class) -> Flow | None:
        clients, route_hops = self.borders.internet_return(b.routes)
        families = V4_ALL if b.info.public else IntervalSet()
        # IPv6 addresses are global: a dual-stack subnet needs no public IPv4 for them.
        families = families | (b.families & V6_ALL)
        clients = clients & PUBLIC_ADDRESSES & families & b.families
        if not clients:
            return None
        closed, unsure_sku = self._closed_public_address(b)
        if closed:
            return None
        allowed = Traffic.box(addresses=clients)
        allowed &= b.guards.region("ingress", b.outside)
        allowed = b.service.accepts("internet", allowed)
        if b.load_balancer is not None:
            allowed &= self.listeners.traffic(b.load_balancer, b.frontends)
        allowed &= self.acls.region(b.acl, "ingress", b.outside)
        if not allowed:
            self.filters.take_unknowns()
            return None
        if unsure_sku is not None:
            self.filters.unknowns.append(unsure_sku)
        replies = self.acls.region(b.acl, "egress", b.outside).addresses_with(TCP, _EPHEMERAL_PORTS)
        unknowns = [*b.unknowns, *self.filters.take_unknowns()]
        path = [*route_hops]
        path.extend(self._public_hops(b))
        path.extend(self.acls.hops(b.acl, "ingress", allowed, None, b.outside))
        path.extend(b.guards.hops("ingress", allowed, None, b.outside))
        return self._emit(INTERNET, b.info, allowed, path, True, unknowns, replies)

    def _closed_public_address(self, b: _Class) -> tuple[bool, str | None]:
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
        return self.assume == "closed", name

    def _public_hops(self, b: _Class) -> list[Hop]:
        hops: list[Hop] = []
        for member in b.info.members[:1]:
            endpoint = self.model.endpoints[member.endpoint]
            for interface in endpoint.interfaces:
                if interface.address != member.interface or not self._public(interface):
                    continue
                source = interface.public_source or endpoint.address
                element = self.model.elastic_ips.get(source) or self.model.subnets.get(source)
                origin = element.origin if element is not None else endpoint.origin
                kind_of = element.type if element is not None else endpoint.type
                hops.append(
                    Hop(
                        address=source,
                        kind="public-address",
                        type=kind_of,
                        detail=f"gives {endpoint.address} a public address",
                        origin=origin,
                    )
                )
        return hops

    def internet_egress(self) -> None:
        for a in self.classes:
            subnet = self.model.subnets.get(a.info.subnet or "")
            for leg in self.borders.internet_legs(a.routes, a.info.public, a.families, subnet):
                if not a.service.starts_nothing(end_side(leg.external)):
                    self._egress_leg(a, leg)

    def _settle(self, allowed: Traffic, leg: Leg) -> Traffic:
        """A leg whose addresses stand for a site's unknown range: what the filters admit from
        every address is certain; what they admit from some rests on the range's value."""
        if not leg.address_names or not allowed:
            return allowed
        denied = Traffic.box(addresses=leg.addresses) - allowed
        certain = allowed & (allowed.services_everywhere() - denied.services_everywhere())
        if self.assume == "closed":
            return certain
        doubtful = allowed - certain
        if doubtful:
            self.filters.unknowns.extend(Doubt(name, doubtful) for name in leg.address_names)
        return allowed

    def _external_placement(self, cls: _Class, external: External) -> Placement:
        site = self.model.onprem_sites.get(external.address)
        if external.kind == "onprem" and site is not None:
            return self.places.site(site, cls.info.network)
        return cls.outside

    def _egress_leg(self, a: _Class, leg: Leg) -> None:
        where = self._external_placement(a, leg.external)
        allowed = a.service.sends(end_side(leg.external), Traffic.box(addresses=leg.addresses))
        public = leg.external.kind == "internet"
        judged = self._judge(leg.hops, "source", a.addresses, a.address_known, public)
        for _view, evaluated in judged:
            allowed &= evaluated.allowed
        allowed &= a.guards.region("egress", where)
        allowed &= self.acls.region(a.acl, "egress", where)
        reply_addresses = self.acls.region(a.acl, "ingress", where).addresses_with(
            TCP, _EPHEMERAL_PORTS
        )
        path = a.guards.hops("egress", allowed, None, where)
        path.extend(self.acls.hops(a.acl, "egress", allowed, None, where))
        if leg.nat_subnet is not None and leg.nat_subnet != a.info.subnet:
            nat_acl = self.acls.acl_for(self.model.subnets.get(leg.nat_subnet))
            allowed &= self.acls.toward(
                nat_acl, "ingress", a.addresses, a.placement, a.address_names
            )
            allowed &= self.acls.region(nat_acl, "egress", where)
            nat_replies = self.acls.region(nat_acl, "ingress", where).addresses_with(
                TCP, _EPHEMERAL_PORTS
            )
            back_in = self.acls.toward(nat_acl, "egress", a.addresses, a.placement, a.address_names)
            if not back_in & Traffic.box(parse_protocol("tcp"), ports=_EPHEMERAL_PORTS):
                nat_replies = IntervalSet()
            reply_addresses = reply_addresses & nat_replies
        elif leg.nat_subnet is not None:
            nat_acl = a.acl
        else:
            nat_acl = None
        allowed = self._settle(allowed, leg)
        if not allowed:
            self.filters.take_unknowns()
            return
        if nat_acl is not None and leg.nat_subnet != a.info.subnet:
            path.extend(self.acls.hops(nat_acl, "ingress", allowed, a.addresses, a.placement))
        path.extend(_with_rules(leg.hops, judged, allowed, None))
        unknowns = [*a.unknowns, *leg.unknowns, *self.filters.take_unknowns()]
        destination = leg.external
        self._emit(a.info, destination, allowed, path, True, unknowns, reply_addresses)

    def _judge(
        self,
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
        for view in self.firewalls.on_path(hops):
            evaluated = view.evaluate(fixed_side, fixed, known)
            self.filters.unknowns.extend(evaluated.unknowns)
            judged.append((view, evaluated))
            if to_public and fixed_side == "source" and view.translates_source:
                fixed, known = self.firewall_peer(view)[0].addresses, False
        return judged

    # ----- ways in through a firewall's DNAT rules ----------------------------------------------

    def firewall_dnat(self) -> None:
        for view in self.firewalls.views.values():
            for rule in view.policy.dnat:
                for b, unsure in self.dnat_targets(rule):
                    self._dnat_flow(view, rule, b, unsure)
                self.filters.take_unknowns()

    def dnat_targets(self, rule: DnatRule) -> list[tuple[_Class, str | None]]:
        """Classes with a member that holds the translated address; with the unknown it rests
        on when members' addresses are known only after deployment and may be that one."""
        try:
            translated = cidrs([rule.translated_address or ""])
        except ValueError:
            return []
        holders = [c for c in self.classes if c.address_known and translated & c.addresses]
        found: list[tuple[_Class, str | None]] = [(c, None) for c in holders]
        if holders:
            return found
        why = (
            f"{rule.address}: which endpoint gets {rule.translated_address} (DNAT rule {rule.name})"
        )
        for cls in self.classes:
            if not cls.address_known and translated & cls.addresses and cls.load_balancer is None:
                if self.assume == "open":
                    found.append((cls, why))
                else:
                    self.filters.unknowns.append(why)
        return found

    def dnat_traffic(self, rule: DnatRule) -> tuple[Traffic, list[str]]:
        """Internet traffic the rule translates, as it arrives (on the translated port)."""
        clients, unsure = spec_addresses(rule.sources)
        unknowns = []
        if unsure:
            unknowns.append(f"{rule.address}: DNAT rule {rule.name} (addresses it names)")
            if self.assume == "open":
                clients = ALL_ADDRESSES
        ports = rule_ports(rule.ports)
        if rule.translated_port is not None:
            ports = IntervalSet([(rule.translated_port, rule.translated_port)])
        protocols = rule_protocols(rule.protocols)
        return Traffic.box(protocols, clients & PUBLIC_ADDRESSES, ports), unknowns

    def firewall_peer(self, view: FirewallView) -> tuple[Peer, RouteView]:
        """The firewall as its targets see it: an address of its subnet (DNAT also SNATs)."""
        gateway = view.gateway
        subnet = self.model.subnets.get(gateway.subnet or "")
        network = subnet.network if subnet is not None else gateway.network
        addresses = cidrs(subnet.cidrs) if subnet is not None and subnet.cidrs else ALL_ADDRESSES
        peer = Peer(addresses=addresses, known=False, network=network)
        return peer, self.tables.view_for(subnet, network)

    def _dnat_flow(self, view: FirewallView, rule: DnatRule, b: _Class, unsure: str | None) -> None:
        traffic, rule_unknowns = self.dnat_traffic(rule)
        unknowns: list[Unknown] = [*rule_unknowns]
        if unsure:
            unknowns.append(unsure)
        peer, routes = self.firewall_peer(view)
        legs = self.interconnect.between(routes, peer.network, b.addresses, b.info.network)
        if legs is None or not traffic:
            return
        allowed = traffic & b.guards.toward("ingress", peer)
        if not allowed:
            self.filters.take_unknowns()
            return
        unknowns = [*unknowns, *b.unknowns, *self.filters.take_unknowns()]

        def build_path() -> list[Hop]:
            hops = [view.firewall_hop(), _dnat_hop(view, rule), *legs]
            hops.extend(b.guards.hops("ingress", allowed.services_everywhere(), peer))
            return hops

        self._emit(INTERNET, b.info, allowed, build_path, True, unknowns)

    # ----- on-premises ------------------------------------------------------------------------

    def onprem_ingress(self) -> dict[tuple[str, int], Flow]:
        made: dict[tuple[str, int], Flow] = {}
        for b in self.classes:
            for leg in self.borders.onprem_return(b.routes, b.families):
                where = self._external_placement(b, leg.external)
                allowed = Traffic.box(addresses=leg.addresses)
                allowed &= b.guards.region("ingress", where)
                allowed = b.service.accepts("onprem", allowed)
                if b.load_balancer is not None:
                    allowed &= self.listeners.traffic(b.load_balancer, b.frontends)
                allowed &= self.acls.region(b.acl, "ingress", where)
                allowed = self._settle(allowed, leg)
                if not allowed:
                    self.filters.take_unknowns()
                    continue
                replies = self.acls.region(b.acl, "egress", where).addresses_with(
                    TCP, _EPHEMERAL_PORTS
                )
                path = [*leg.hops]
                path.extend(self.acls.hops(b.acl, "ingress", allowed, None, where))
                path.extend(b.guards.hops("ingress", allowed, None, where))
                unknowns = [*b.unknowns, *leg.unknowns, *self.filters.take_unknowns()]
                flow = self._emit(leg.external, b.info, allowed, path, True, unknowns, replies)
                if flow is not None:
                    made[(leg.external.address, b.info.id)] = flow
        return made

    # ----- load balancers -----------------------------------------------------------------------

    def through_load_balancers(self, arrivals: list[Flow]) -> None:
        """A flow that reaches a load balancer's listener continues to its targets."""
        classes_of: dict[str, list[_Class]] = defaultdict(list)
        for cls in self.classes:
            for member in cls.info.members:
                if cls not in classes_of[member.endpoint]:
                    classes_of[member.endpoint].append(cls)
        for arrival in arrivals:
            if not isinstance(arrival.destination, EndpointClass) or arrival.state != "reachable":
                continue
            lb_class = self.classes[arrival.destination.id]
            balancer = lb_class.load_balancer
            if balancer is None or balancer.load_balancer is None:
                continue
            before = _LoosePath(arrival)
            for listener, target_port, targets, via in self.listeners.forwarding(
                balancer, lb_class.frontends
            ):
                heard = arrival.traffic & Traffic.box(
                    parse_protocol(listener.protocol_number),
                    ports=IntervalSet([(listener.port, listener.port)]),
                )
                if not heard:
                    continue
                lb_hop = Hop(
                    address=balancer.address,
                    kind="load-balancer",
                    type=balancer.type,
                    detail=_balancer_text(balancer, lb_class.service),
                    origin=balancer.origin,
                )
                hops = [lb_hop, *self._frontend_hops(lb_class), listener.hop, *via]
                for target in targets:
                    for t_class in classes_of.get(target, []):
                        self._forward(
                            arrival, heard, listener, target_port, before, hops, lb_class, t_class
                        )

    def _forward(
        self,
        arrival: Flow,
        heard: Traffic,
        listener: ListenerView,
        target_port: int,
        before: _LoosePath,
        hops: list[Hop],
        lb_class: _Class,
        t_class: _Class,
    ) -> None:
        balancer = lb_class.load_balancer
        assert balancer is not None and balancer.load_balancer is not None
        passes = lb_class.service.pass_through
        keeps_client = balancer.load_balancer.preserves_client_address or passes
        side = end_side(arrival.source)
        exposure = lb_class.service.exposure
        closed = exposure is not None and exposure.closed_without_nsg
        if side == "internet" and closed and not t_class.guards.nsgs:
            return  # closed to internet clients unless an NSG allows them
        leg = self.pair(lb_class, t_class, judge_source=not keeps_client)
        if leg is None:
            return
        alone = len({m.endpoint for m in t_class.info.members}) < 2
        if isinstance(arrival.source, EndpointClass) and arrival.source is t_class.info and alone:
            return
        arriving = Traffic.box(
            parse_protocol(listener.forward_protocol),
            ports=IntervalSet([(target_port, target_port)]),
        )
        # The flow keeps the client's addresses: those that reached the listener.
        traffic = arriving.with_addresses(heard.addresses()) & leg.allowed.services_everywhere()
        judged: list[Hop] = []
        if keeps_client:
            traffic, judged = self._target_judges_client(arrival, t_class, traffic)
        traffic = t_class.service.accepts(side, traffic)
        if not traffic:
            return
        # What part of the arriving traffic rested on, the forwarded flow rests on as a whole.
        arrived = [
            u.name if isinstance(u, Doubt) else u
            for u in arrival.unknowns
            if not isinstance(u, Doubt) or u.traffic & heard
        ]
        unknowns = [*arrived, *leg.unknowns, *self.filters.take_unknowns()]

        def build_path() -> list[Hop]:
            return [*before.hops, *hops, *leg.path, *judged]

        self._emit(arrival.source, t_class.info, traffic, build_path, leg.reply_ok, unknowns)

    def _target_judges_client(
        self, arrival: Flow, t_class: _Class, traffic: Traffic
    ) -> tuple[Traffic, list[Hop]]:
        """The target's security groups see the client's address, not the load balancer's."""
        if isinstance(arrival.source, External):
            where = self._external_placement(t_class, arrival.source)
            admitted = traffic & t_class.guards.region("ingress", where)
            return admitted, t_class.guards.hops("ingress", admitted, None, where)
        source = self.classes[arrival.source.id]
        admitted = traffic & t_class.guards.toward("ingress", source.peer)
        hops = t_class.guards.hops("ingress", admitted, source.peer)
        return admitted, hops

    def _frontend_hops(self, lb_class: _Class) -> list[Hop]:
        """A pass-through load balancer's frontend: the address its clients connect to."""
        if not lb_class.service.pass_through:
            return []
        balancer = lb_class.load_balancer
        assert balancer is not None
        hops = []
        for member in lb_class.info.members[:1]:
            interface = next(
                (i for i in balancer.interfaces if i.address == member.interface), None
            )
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


def end_side(end: EndpointClass | External) -> Side:
    """Which kind of peer an end is, in the terms of reachlint.model.exposure."""
    if isinstance(end, External):
        return "internet" if end.kind == "internet" else "onprem"
    return "network"


def _with_rules(
    hops: list[Hop],
    judged: list[tuple[FirewallView, Evaluated]],
    allowed: Traffic,
    peer: IntervalSet | None,
) -> list[Hop]:
    """The hops with each judging firewall followed by the rules that admit the traffic."""
    if not judged:
        return list(hops)
    by_address = {view.gateway.address: (view, evaluated) for view, evaluated in judged}
    out: list[Hop] = []
    for hop in hops:
        found = by_address.get(hop.address)
        if found is None:
            out.append(hop)
        else:
            view, evaluated = found
            out.extend(view.hops(evaluated, allowed, peer))
    return out


def _dnat_hop(view: FirewallView, rule: DnatRule) -> Hop:
    ports = (
        ", ".join(str(r.low) if r.low == r.high else f"{r.low}-{r.high}" for r in rule.ports)
        or "every port"
    )
    to_port = f":{rule.translated_port}" if rule.translated_port is not None else ""
    where = f" in {rule.collection}" if rule.collection else ""
    return Hop(
        address=rule.address,
        kind="dnat-rule",
        type=rule.type,
        detail=(
            f"DNAT rule {rule.name}{where} translates {'/'.join(rule.protocols)} {ports} on "
            f"{view.gateway.address}'s public address to {rule.translated_address}{to_port}"
        ),
        origin=rule.origin,
    )


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


def _dedupe(unknowns: list[Unknown]) -> list[Unknown]:
    """Names once each, sorted; doubts merged per name."""
    names = sorted({u for u in unknowns if isinstance(u, str)})
    doubts: dict[str, Traffic] = {}
    for unknown in unknowns:
        if isinstance(unknown, Doubt) and unknown.name not in names:
            doubts[unknown.name] = doubts.get(unknown.name, Traffic()) | unknown.traffic
    return [*names, *(Doubt(name, doubts[name]) for name in sorted(doubts))]


def _balancer_text(balancer: Endpoint, service: Service) -> str:
    spec = balancer.load_balancer
    assert spec is not None
    if service.pass_through:
        return (
            f"{spec.scheme} load balancer: passes the flow through to a backend, which sees the "
            "client's address"
        )
    return f"{spec.scheme} {spec.flavor} load balancer"


def analysed(model: NetworkModel, assume_unknown: AssumeUnknown = "open") -> _Engine:
    """The engine, its flows computed: between classes, with the internet and on-premises,
    through DNAT rules and through load balancers."""
    engine = _Engine(model, assume_unknown)
    engine.build_classes()
    engine.internal_flows()
    engine.internet_ingress()
    engine.internet_egress()
    engine.onprem_ingress()
    engine.firewall_dnat()
    engine.through_load_balancers([*engine.flows, *engine.held])
    return engine


def reachability_of(engine: _Engine) -> Reachability:
    return Reachability(
        classes=[c.info for c in engine.classes],
        externals=[INTERNET, *engine.tables.sites()],
        flows=engine.flows,
    )


def compute_reachability(
    model: NetworkModel, assume_unknown: AssumeUnknown = "open"
) -> Reachability:
    return reachability_of(analysed(model, assume_unknown))
