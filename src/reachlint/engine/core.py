"""The engine's state: the model's filters, routes and firewalls compiled once, its interfaces
in classes, and the flows found so far.

Each way traffic can take is a module of its own that adds flows here: between classes
(pairs.py), in from the internet and on-premises sites (inbound.py), out to them
(outbound.py), through a firewall's DNAT rules (dnat.py) and on through load balancers
(balancers.py); reach.py runs them in order.
"""

from __future__ import annotations

from typing import Literal

from reachlint.engine.borders import Borders, Leg
from reachlint.engine.classes import ClassBuilder, ClassView
from reachlint.engine.filters import Filters
from reachlint.engine.firewall import Firewalls, FirewallView
from reachlint.engine.flows import Doubt, EndpointClass, External, Flow, PathSource, Unknown
from reachlint.engine.interconnect import Interconnect
from reachlint.engine.listeners import Listeners
from reachlint.engine.network_acls import NetworkAcls
from reachlint.engine.nsg import AzureSpaces, Peer
from reachlint.engine.ranges import Placement, Places
from reachlint.engine.route_tables import RouteTables, RouteView
from reachlint.engine.security_groups import SecurityGroups
from reachlint.model.exposure import Side
from reachlint.model.network import NetworkModel
from reachlint.model.traffic import (
    ALL_ADDRESSES,
    EPHEMERAL,
    IntervalSet,
    Traffic,
    cidrs,
    parse_protocol,
)

AssumeUnknown = Literal["open", "closed"]
TCP_ONLY = Traffic.box(parse_protocol("tcp"))
EPHEMERAL_PORTS = IntervalSet([EPHEMERAL])  # the client ports TCP replies go back to


class Engine:
    """What every stage of the analysis reads, and the flows they add."""

    def __init__(self, model: NetworkModel, assume: AssumeUnknown) -> None:
        self.model = model
        self.assume = assume
        self.filters = Filters(model, assume)
        self.groups = SecurityGroups(self.filters)
        self.acls = NetworkAcls(self.filters)
        self.listeners = Listeners(model, assume)
        self.tables = RouteTables(model, assume)
        self.interconnect = Interconnect(model, assume, self.tables)
        self.borders = Borders(model, assume, self.tables)
        self.spaces = AzureSpaces(model)
        self.firewalls = Firewalls(model.gateways, assume)
        self.places = Places(model)
        self.classes: list[ClassView] = ClassBuilder(
            model,
            assume,
            self.filters,
            self.groups,
            self.acls,
            self.tables,
            self.places,
            self.spaces,
        ).build()
        self.flows: list[Flow] = []
        # Flows that end at a pass-through load balancer: only the way to its backends.
        self.held: list[Flow] = []
        self._forwarders: dict[str, ClassView] | None = None

    def forwarder(self, endpoint: str) -> ClassView | None:
        """The class of an AWS instance that routes send traffic to and that passes it on (a
        NAT or appliance instance, see providers/aws/routing.add_forwarders): its security
        groups judge what it forwards. None for anything else."""
        if self._forwarders is None:
            self._forwarders = {}
            for cls in self.classes:
                network = self.model.networks.get(cls.info.network or "")
                if network is None or network.provider != "aws":
                    continue
                for member in cls.info.members:
                    self._forwarders.setdefault(member.endpoint, cls)
        return self._forwarders.get(endpoint)

    def forget_paths(self) -> None:
        """Drop the flows' paths and what the classes keep of themselves, so that nothing here
        refers back to itself: once let go, reference counting frees it all. A class's
        `__dict__` holds only what its cached properties computed (its fields are slots)."""
        for flow in (*self.flows, *self.held):
            flow.forget_path()
        for cls in self.classes:
            for view in cls.__dict__.get("over_families", ()):
                if view is not None:
                    view.__dict__.clear()
            cls.__dict__.clear()

    def emit(
        self,
        source: EndpointClass | External,
        destination: EndpointClass | External,
        allowed: Traffic,
        path: PathSource,
        reply_ok: bool,
        unknowns: list[Unknown],
        reply_ok_addresses: IntervalSet | None = None,
    ) -> None:
        """Split `allowed` into the reachable part and the TCP part whose replies are dropped."""
        if reply_ok_addresses is not None:
            tcp = allowed & TCP_ONLY
            dropped = tcp - tcp.only_addresses(reply_ok_addresses)
            reachable = allowed - dropped
        elif reply_ok:
            dropped, reachable = Traffic(), allowed
        else:
            dropped = allowed & TCP_ONLY
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
        if reachable:
            sink.append(Flow(source, destination, reachable, path, unknowns=dedup))

    def settle(self, allowed: Traffic, leg: Leg) -> Traffic:
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

    def placement_of(self, cls: ClassView, external: External) -> Placement:
        """Where an external end's addresses lie among unknown ranges, seen from a class."""
        site = self.model.onprem_sites.get(external.address)
        if external.kind == "onprem" and site is not None:
            return self.places.site(site, cls.info.network)
        return cls.outside

    def firewall_peer(self, view: FirewallView) -> tuple[Peer, RouteView]:
        """The firewall as its targets see it: an address of its subnet (DNAT also SNATs)."""
        return self.subnet_peer(view.gateway.subnet, view.gateway.network)

    def subnet_peer(
        self, subnet_address: str | None, network: str | None
    ) -> tuple[Peer, RouteView]:
        """What the targets of a hop that translates the source see (an address of its subnet;
        when the subnet is not known, any of its network's if those are all known), and the
        routes it sends by."""
        subnet = self.model.subnets.get(subnet_address or "")
        network = subnet.network if subnet is not None else network
        around = self.model.networks.get(network or "")
        if subnet is not None and subnet.cidrs:
            addresses = cidrs(subnet.cidrs)
        elif subnet is None and around is not None and around.cidrs and not around.unknown_ranges:
            addresses = cidrs(around.cidrs)
        else:
            addresses = ALL_ADDRESSES
        peer = Peer(addresses=addresses, known=False, network=network)
        return peer, self.tables.view_for(subnet, network)


def end_side(end: EndpointClass | External) -> Side:
    """Which kind of peer an end is, in the terms of reachlint.model.exposure."""
    if isinstance(end, External):
        return "internet" if end.kind == "internet" else "onprem"
    return "network"


def _dedupe(unknowns: list[Unknown]) -> list[Unknown]:
    """Names once each, sorted; doubts merged per name."""
    if not unknowns:
        return []
    names = sorted({u for u in unknowns if isinstance(u, str)})
    doubts: dict[str, Traffic] = {}
    for unknown in unknowns:
        if isinstance(unknown, Doubt) and unknown.name not in names:
            doubts[unknown.name] = doubts.get(unknown.name, Traffic()) | unknown.traffic
    return [*names, *(Doubt(name, doubts[name]) for name in sorted(doubts))]
