"""Security groups, network ACLs and load-balancer listeners as exact traffic sets."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from reachlint.engine.flows import Doubt, Hop, Unknown
from reachlint.engine.ranges import NOWHERE, Placement, decide
from reachlint.model.network import (
    AclEntry,
    Endpoint,
    Listener,
    NetworkAcl,
    NetworkModel,
    PortRange,
    SecurityGroupRule,
    Subnet,
)
from reachlint.model.traffic import (
    ALL_ADDRESSES,
    ALL_PORTS,
    PUBLIC_ADDRESSES,
    IntervalSet,
    Traffic,
    cidr_interval,
    cidrs,
    parse_protocol,
)
from reachlint.sources import Origin, UnknownValue

Direction = Literal["ingress", "egress"]
EVERYTHING = Traffic.everything()
_ALL: frozenset[str] = frozenset({"*"})  # every frontend of a load balancer


def _ports(ports: PortRange | None) -> IntervalSet:
    if ports is None:
        return ALL_PORTS
    low, high = max(0, ports.low), min(65535, ports.high)
    if low > high:
        return ALL_PORTS  # icmp type/code or -1 written as ports: the whole protocol
    return IntervalSet([(low, high)])


def _protocols(value: str) -> IntervalSet:
    try:
        return parse_protocol(value)
    except ValueError:
        return parse_protocol("all")


def describe_services(traffic: Traffic) -> str:
    return traffic.text() or "nothing"


def unknown_addresses_text(ranges: Sequence[UnknownValue], type_: str) -> str:
    """How a rule's unknown addresses read on a path: what they rest on, and when it is known."""
    sources = ", ".join(dict.fromkeys(s for r in ranges for s in r.sources))
    when = "at deployment" if type_.startswith("Microsoft.") else "after apply"
    return f"addresses known only {when}: {sources}"


@dataclass
class _SgRule:
    rule: SecurityGroupRule
    group: str
    services: Traffic  # protocols x ports, every address
    region: Traffic  # protocols x ports x the CIDRs / prefix lists it names
    references: frozenset[str]  # groups whose members it admits (self included)
    unknown: str | None
    by_peer: dict[IntervalSet, Traffic] = field(default_factory=dict)
    _detail: str | None = None
    # Address ranges it names that are unknown values (its own, or its prefix lists').
    ranges: tuple[UnknownValue, ...] = ()

    def toward(self, peer: IntervalSet) -> Traffic:
        """Services this rule admits for a peer at these addresses (CIDR part only)."""
        found = self.by_peer.get(peer)
        if found is None:
            found = self.by_peer[peer] = self.region.only_addresses(peer).services_everywhere()
        return found

    @property
    def detail(self) -> str:
        if self._detail is None:
            rule = self.rule
            peers = [*rule.cidrs, *rule.prefix_lists]
            peers.extend(f"members of {g}" for g in rule.security_groups)
            if rule.self_reference:
                peers.append(f"members of {self.group}")
            if self.ranges:
                peers.append(unknown_addresses_text(self.ranges, rule.type))
            word = "from" if rule.direction == "ingress" else "to"
            services = describe_services(self.services)
            self._detail = f"{self.group} allows {services} {word} {', '.join(peers) or 'nobody'}"
            if rule.description:
                self._detail += f" ({rule.description})"
        return self._detail


class SgView:
    """The union of several security groups on one interface (all of them apply)."""

    def __init__(self, filters: Filters, groups: tuple[str, ...]) -> None:
        self.filters = filters
        self.groups = groups
        self.unfiltered = not groups
        self.rules: dict[Direction, list[_SgRule]] = {"ingress": [], "egress": []}
        for group in groups:
            for compiled in filters.compiled_group(group):
                self.rules[compiled.rule.direction].append(compiled)
        self._regions: dict[tuple[Direction, Placement], tuple[Traffic, list[Unknown]]] = {}
        self._toward: dict[tuple[object, ...], tuple[Traffic, list[Unknown]]] = {}
        self._known: dict[Direction, tuple[Traffic, list[Unknown]]] = {}

    def region(self, direction: Direction, placement: Placement = NOWHERE) -> Traffic:
        """What the groups admit from (ingress) or to (egress) external addresses; `placement`
        is where those addresses lie among unknown ranges."""
        if self.unfiltered:
            return EVERYTHING
        key = (direction, placement)
        cached = self._regions.get(key)
        if cached is None:
            with self.filters.collecting() as unknowns:
                region = self._known_region(direction)
            definite = region
            for compiled in self.rules[direction]:
                if not compiled.ranges:
                    continue
                matched, undecided = decide(compiled.ranges, placement)
                if matched:
                    region |= compiled.services
                elif undecided and self.filters.assume == "open":
                    extra = compiled.services - definite
                    unknowns.extend(Doubt(name, extra) for name in undecided if extra)
                    region |= compiled.services
            cached = self._regions[key] = (region, unknowns)
        self.filters.unknowns.extend(cached[1])
        return cached[0]

    def ingress_region(self) -> Traffic:
        return self.region("ingress")

    def egress_region(self) -> Traffic:
        return self.region("egress")

    def _toward_peer(
        self,
        direction: Direction,
        peer: IntervalSet,
        peer_groups: tuple[str, ...],
        known: bool,
        placement: Placement,
        names: tuple[str, ...],
    ) -> Traffic:
        if self.unfiltered:
            return EVERYTHING
        key = (direction, peer, peer_groups, known, placement, names)
        cached = self._toward.get(key)
        if cached is None:
            with self.filters.collecting() as unknowns:
                found = self.filters.project(self._known_region(direction), peer, known, names)
                members_of = set(peer_groups)
                extras: list[tuple[list[str], Traffic]] = []
                for compiled in self.rules[direction]:
                    if compiled.references & members_of:
                        found |= compiled.services
                    if not compiled.ranges:
                        continue
                    matched, undecided = decide(compiled.ranges, placement)
                    if matched:
                        found |= compiled.services
                    elif undecided and self.filters.assume == "open":
                        extras.append((undecided, compiled.services))
                definite = found
                for undecided, services in extras:
                    extra = services - definite
                    self.filters.unknowns.extend(Doubt(n, extra) for n in undecided if extra)
                    found |= services
            cached = self._toward[key] = (found, unknowns)
        self.filters.unknowns.extend(cached[1])
        return cached[0]

    def _known_region(self, direction: Direction) -> Traffic:
        """The groups' rules by the addresses they name, without the unknown ranges."""
        cached = self._known.get(direction)
        if cached is None:
            region = Traffic()
            unknowns: list[Unknown] = []
            for compiled in self.rules[direction]:
                region |= compiled.region
                if compiled.unknown:
                    unknowns.append(compiled.unknown)
            cached = self._known[direction] = (region, unknowns)
        self.filters.unknowns.extend(cached[1])
        return cached[0]

    def ingress_from(
        self,
        peer: IntervalSet,
        peer_groups: tuple[str, ...],
        known: bool,
        placement: Placement = NOWHERE,
        names: tuple[str, ...] = (),
    ) -> Traffic:
        return self._toward_peer("ingress", peer, peer_groups, known, placement, names)

    def egress_to(
        self,
        peer: IntervalSet,
        peer_groups: tuple[str, ...],
        known: bool,
        placement: Placement = NOWHERE,
        names: tuple[str, ...] = (),
    ) -> Traffic:
        return self._toward_peer("egress", peer, peer_groups, known, placement, names)

    def hops(
        self,
        direction: Direction,
        allowed: Traffic,
        peer: IntervalSet | None,
        peer_groups: tuple[str, ...],
        placement: Placement = NOWHERE,
    ) -> list[Hop]:
        """The rules that admit part of `allowed` (peer None: an external peer, by address)."""
        hops: list[Hop] = []
        for compiled in self.rules[direction]:
            if peer is None:
                admitted = compiled.region & allowed
            elif compiled.references & set(peer_groups):
                admitted = compiled.services & allowed
            else:
                admitted = compiled.toward(peer) & allowed
            if compiled.ranges:
                matched, undecided = decide(compiled.ranges, placement)
                if matched or (undecided and self.filters.assume == "open"):
                    admitted = compiled.services & allowed
            if admitted:
                hops.append(_sg_hop(compiled, admitted))
        return hops


def _sg_hop(compiled: _SgRule, admitted: Traffic) -> Hop:
    rule = compiled.rule
    return Hop(
        address=rule.address,
        kind="security-group-rule",
        type=rule.type,
        detail=compiled.detail,
        origin=rule.origin,
        admits=admitted,
        stage=f"security groups {rule.direction}",
    )


@dataclass
class _AclEntry:
    entry: AclEntry
    effective: Traffic  # what this entry decides: its match minus every earlier entry's


class AclView:
    """A stateless ACL: entries in rule-number order, first match wins, then deny.

    An entry whose range is an unknown value matches a peer certainly inside it, never one
    certainly outside it, and otherwise as --assume-unknown says: open lets traffic through
    (an allow matches, a deny does not), closed the reverse.
    """

    def __init__(self, acl: NetworkAcl, assume: Literal["open", "closed"] = "open") -> None:
        self.acl = acl
        self.assume = assume
        self.has_unknown = any(e.unknown_ranges for e in acl.entries)
        self._compiled: dict[tuple[Direction, Placement, str], _Compiled] = {}
        self.regions: dict[Direction, Traffic] = {}
        self.entries: dict[Direction, list[_AclEntry]] = {}
        self.toward: dict[tuple[Direction, IntervalSet, Placement], tuple[Traffic, list[Unknown]]]
        self.toward = {}
        for direction in ("ingress", "egress"):
            compiled = self.compiled(direction, NOWHERE)
            self.regions[direction] = compiled.allowed
            self.entries[direction] = compiled.entries

    def compiled(self, direction: Direction, placement: Placement) -> _Compiled:
        """The entries as they decide for a peer placed so among unknown ranges."""
        if not self.has_unknown:
            placement = NOWHERE
        key = (direction, placement, self.assume)
        found = self._compiled.get(key)
        if found is None:
            found = self._compile(direction, placement, self.assume)
            if found.undecided and self.assume == "open":
                closed = self._compile(direction, placement, "closed")
                extra = found.allowed - closed.allowed
                found.doubts = [Doubt(name, extra) for name in found.undecided if extra]
            self._compiled[key] = found
        return found

    def _compile(self, direction: Direction, placement: Placement, assume: str) -> _Compiled:
        ordered = sorted(
            (e for e in self.acl.entries if e.egress == (direction == "egress")),
            key=lambda e: e.rule_number,
        )
        remaining = EVERYTHING
        allowed = Traffic()
        compiled: list[_AclEntry] = []
        undecided: list[str] = []
        for entry in ordered:
            addresses = _safe_cidr(entry.cidr)
            if entry.unknown_ranges:
                matched, names = decide(entry.unknown_ranges, placement)
                undecided.extend(names)
                if matched or (names and (assume == "open") == entry.allow):
                    addresses = ALL_ADDRESSES
            match = Traffic.box(_protocols(entry.protocol), addresses, _ports(entry.ports))
            effective = remaining & match
            remaining = remaining - match
            if entry.allow:
                allowed |= effective
            compiled.append(_AclEntry(entry, effective))
        return _Compiled(allowed, compiled, list(dict.fromkeys(undecided)))


@dataclass
class _Compiled:
    allowed: Traffic
    entries: list[_AclEntry]
    undecided: list[str]
    doubts: list[Unknown] = field(default_factory=list)


def _safe_cidrs(values: list[str]) -> IntervalSet:
    out = IntervalSet()
    for value in values:
        out = out | _safe_cidr(value)
    return out


def _safe_cidr(cidr: str) -> IntervalSet:
    try:
        return cidrs([cidr]) if cidr else IntervalSet()
    except ValueError:
        return IntervalSet()


class Filters:
    """Compiles and caches filters; records which verdicts depend on unknown values."""

    def __init__(self, model: NetworkModel, assume: Literal["open", "closed"]) -> None:
        self.model = model
        self.assume = assume
        self.unknowns: list[Unknown] = []
        self._groups: dict[str, list[_SgRule]] = {}
        self._views: dict[tuple[str, ...], SgView] = {}
        self._acls: dict[str, AclView] = {}
        self._breakpoints: list[int] | None = None

    def take_unknowns(self) -> list[Unknown]:
        taken, self.unknowns = self.unknowns, []
        return taken

    @contextmanager
    def collecting(self) -> Iterator[list[Unknown]]:
        """Gathers the unknowns recorded inside the block, for verdicts that are cached."""
        outer, self.unknowns = self.unknowns, []
        gathered: list[Unknown] = []
        try:
            yield gathered
        finally:
            gathered.extend(self.unknowns)
            self.unknowns = outer

    # ----- address atoms ----------------------------------------------------------------------

    def _all_breakpoints(self) -> list[int]:
        if self._breakpoints is None:
            points: set[int] = set()

            def add(cidr: str) -> None:
                try:
                    low, high = cidr_interval(cidr)
                except ValueError:
                    return
                points.update((low, high + 1))

            for group in self.model.security_groups.values():
                for rule in group.rules:
                    for cidr in rule.cidrs:
                        add(cidr)
            for acl in self.model.network_acls.values():
                for entry in acl.entries:
                    add(entry.cidr)
            for table in self.model.route_tables.values():
                for route in table.routes:
                    if route.destination:
                        add(route.destination)
            for prefix_list in self.model.prefix_lists.values():
                for cidr in prefix_list.cidrs:
                    add(cidr)
            for gateway in self.model.gateways.values():
                for fw_rule in gateway.policy.rules if gateway.policy is not None else []:
                    for cidr in (*fw_rule.sources.cidrs, *fw_rule.destinations.cidrs):
                        add(cidr)
            self._breakpoints = sorted(points)
        return self._breakpoints

    def atom_of(self, subnet: IntervalSet, addresses: IntervalSet) -> IntervalSet:
        """The stretch of addresses that no filter or route tells apart from these ones."""
        points = self._all_breakpoints()
        atoms = IntervalSet()
        for low, high in addresses.intervals:
            for value in (low, high):
                i = bisect_right(points, value)
                start = points[i - 1] if i > 0 else 0
                stop = points[i] - 1 if i < len(points) else value
                atoms = atoms | IntervalSet([(start, stop)])
        return (atoms & subnet) or addresses

    def project(
        self, region: Traffic, peer: IntervalSet, known: bool, names: tuple[str, ...] = ()
    ) -> Traffic:
        """Services `region` admits for a peer somewhere in `peer`.

        With a known address every filter treats the whole atom alike; otherwise the answer
        may depend on where the address lands, and --assume-unknown decides. `names` say what
        the address rests on.
        """
        some = region.only_addresses(peer).services_everywhere()
        if known:
            return some
        denied_somewhere = (Traffic.box(addresses=peer) - region).services_everywhere()
        every = some - denied_somewhere
        if every != some:
            if self.assume == "closed":
                return every
            for name in names or ("the address of an endpoint within its subnet",):
                self.unknowns.append(Doubt(name, some - every))
            return some
        return some

    # ----- security groups --------------------------------------------------------------------

    def security_groups(self, groups: tuple[str, ...]) -> SgView:
        view = self._views.get(groups)
        if view is None:
            view = SgView(self, groups)
            self._views[groups] = view
        return view

    def compiled_group(self, address: str) -> list[_SgRule]:
        found = self._groups.get(address)
        if found is not None:
            return found
        group = self.model.security_groups.get(address)
        compiled: list[_SgRule] = []
        if group is None:
            self.unknowns.append(f"{address}: security group not in the input")
            if self.assume == "open":
                for direction in ("ingress", "egress"):
                    rule = SecurityGroupRule(
                        address=address, type="unknown", direction=direction, cidrs=["0.0.0.0/0"]
                    )
                    compiled.append(
                        _SgRule(rule, address, EVERYTHING, EVERYTHING, frozenset(), address)
                    )
            self._groups[address] = compiled
            return compiled
        for rule in group.rules:
            compiled.append(self._compile_rule(address, rule))
        self._groups[address] = compiled
        return compiled

    def _compile_rule(self, group: str, rule: SecurityGroupRule) -> _SgRule:
        services = Traffic.box(_protocols(rule.protocol), ALL_ADDRESSES, _ports(rule.ports))
        addresses = IntervalSet()
        for cidr in rule.cidrs:
            try:
                addresses = addresses | cidrs([cidr])
            except ValueError:
                continue
        unknown: str | None = None
        ranges = list(rule.unknown_ranges)
        for prefix_list in rule.prefix_lists:
            listed = self.model.prefix_lists.get(prefix_list)
            if listed is not None:
                addresses = addresses | _safe_cidrs(listed.cidrs)
                ranges.extend(listed.unknown_ranges)
            else:
                unknown = f"{rule.address}: addresses of prefix list {prefix_list}"
                if self.assume == "open":
                    addresses = addresses | PUBLIC_ADDRESSES
        if rule.unknown:
            unknown = f"{rule.address}: {', '.join(rule.unknown)}"
            if self.assume == "open":
                addresses = ALL_ADDRESSES
        region = services.only_addresses(addresses) if addresses else Traffic()
        references = set(rule.security_groups)
        if rule.self_reference:
            references.add(group)
        return _SgRule(
            rule, group, services, region, frozenset(references), unknown, ranges=tuple(ranges)
        )

    # ----- network ACLs -----------------------------------------------------------------------

    def acl_for(self, subnet: Subnet | None) -> AclView | None:
        if subnet is None:
            return None
        address = subnet.network_acl
        if address is None:
            network = self.model.networks.get(subnet.network)
            address = network.default_network_acl if network is not None else None
        acl = self.model.network_acls.get(address or "")
        if acl is None:
            return None  # no ACL in the model: AWS's default ACL allows everything
        view = self._acls.get(acl.address)
        if view is None:
            view = AclView(acl, self.assume)
            self._acls[acl.address] = view
        return view

    def acl_region(
        self, acl: AclView | None, direction: Direction, placement: Placement = NOWHERE
    ) -> Traffic:
        """What the ACL lets through from (ingress) or to (egress) external addresses."""
        if acl is None:
            return EVERYTHING
        compiled = acl.compiled(direction, placement)
        self.unknowns.extend(compiled.doubts)
        return compiled.allowed

    def acl_toward(
        self,
        acl: AclView | None,
        direction: Direction,
        peer: IntervalSet,
        placement: Placement = NOWHERE,
        names: tuple[str, ...] = (),
    ) -> Traffic:
        if acl is None:
            return EVERYTHING
        if not acl.has_unknown:
            placement = NOWHERE
        key = (direction, peer, placement)
        cached = acl.toward.get(key)
        if cached is None:
            with self.collecting() as unknowns:
                compiled = acl.compiled(direction, placement)
                found = self.project(compiled.allowed, peer, False, names)
                for doubt in compiled.doubts:
                    if isinstance(doubt, Doubt):
                        part = doubt.traffic.only_addresses(peer).services_everywhere()
                        if part:
                            unknowns.append(Doubt(doubt.name, part))
            cached = acl.toward[key] = (found, unknowns)
        self.unknowns.extend(cached[1])
        return cached[0]

    def acl_hops(
        self,
        acl: AclView | None,
        direction: Direction,
        allowed: Traffic,
        peer: IntervalSet | None,
        placement: Placement = NOWHERE,
    ) -> list[Hop]:
        if acl is None:
            return []
        hops: list[Hop] = []
        for compiled in acl.compiled(direction, placement).entries:
            if not compiled.entry.allow:
                continue
            if peer is None:
                admitted = compiled.effective & allowed
            else:
                admitted = (
                    compiled.effective.only_addresses(peer).services_everywhere()
                    & allowed.services_everywhere()
                )
            if admitted:
                hops.append(_acl_hop(acl.acl, compiled.entry, direction, admitted))
        return hops

    # ----- load balancers -----------------------------------------------------------------------

    @dataclass
    class ListenerView:
        protocol_number: str
        forward_protocol: str
        port: int
        hop: Hop

    def listener_traffic(self, balancer: Endpoint, frontends: frozenset[str] = _ALL) -> Traffic:
        """What the listeners on these frontends hear (an Azure rule names its frontend)."""
        spec = balancer.load_balancer
        if spec is None:
            return EVERYTHING
        heard = Traffic()
        for listener in spec.listeners:
            if not _listens_on(listener, frontends):
                continue
            for protocol in listener_protocols(listener.protocol):
                heard |= Traffic.box(
                    parse_protocol(protocol), ports=IntervalSet([(listener.port, listener.port)])
                )
        return heard

    def forwarding(
        self, balancer: Endpoint, frontends: frozenset[str] = _ALL
    ) -> Iterator[tuple[Filters.ListenerView, int, list[str], list[Hop]]]:
        """(listener, target port, target endpoints, hops between) for each forward."""
        spec = balancer.load_balancer
        if spec is None:
            return
        for listener in spec.listeners:
            if not _listens_on(listener, frontends):
                continue
            for protocol in listener_protocols(listener.protocol):
                hop = Hop(
                    address=listener.address,
                    kind="listener",
                    type=listener.type,
                    detail=f"{balancer.address} listens on {protocol} {listener.port}",
                    origin=listener.origin,
                )
                for group_address in listener.target_groups:
                    group = self.model.target_groups.get(group_address)
                    if group is None:
                        continue
                    forward = "udp" if group.protocol.lower() == "udp" else protocol
                    by_port: dict[int, list[str]] = {}
                    for target in group.targets:
                        port = target.port or group.port or listener.port
                        by_port.setdefault(port, []).append(target.endpoint)
                    for port, targets in sorted(by_port.items()):
                        group_hop = Hop(
                            address=group.address,
                            kind="target-group",
                            type=group.type,
                            detail=f"forwards to its targets on {forward} {port}",
                            origin=group.origin,
                        )
                        view = Filters.ListenerView(protocol, forward, listener.port, hop)
                        yield view, port, targets, [group_hop]
                if listener.target_port is not None and spec.instances:
                    targets = [t.endpoint for t in spec.instances]
                    view = Filters.ListenerView(protocol, protocol, listener.port, hop)
                    yield view, listener.target_port, targets, []


def _listens_on(listener: Listener, frontends: frozenset[str]) -> bool:
    return frontends is _ALL or not listener.frontends or bool(frontends & set(listener.frontends))


def listener_protocols(protocol: str) -> list[str]:
    text = protocol.lower()
    if text == "tcp_udp":
        return ["tcp", "udp"]
    if text == "udp":
        return ["udp"]
    return ["tcp"]  # HTTP, HTTPS, TLS, SSL and TCP all ride on TCP


@lru_cache(maxsize=4096)
def _entry_services(protocol: str, ports: PortRange | None) -> str:
    return describe_services(Traffic.box(_protocols(protocol), ALL_ADDRESSES, _ports(ports)))


def _acl_hop(acl: NetworkAcl, entry: AclEntry, direction: Direction, admitted: Traffic) -> Hop:
    word = "from" if direction == "ingress" else "to"
    services = _entry_services(entry.protocol, entry.ports)
    peers = entry.cidr or unknown_addresses_text(entry.unknown_ranges, entry.type)
    return Hop(
        address=entry.address,
        kind="network-acl-entry",
        type=entry.type,
        detail=f"{acl.address} rule {entry.rule_number} allows {services} {word} {peers}",
        origin=entry.origin if entry.origin.file else acl.origin or Origin(),
        admits=admitted,
        stage=f"{acl.address} {direction}",
    )
