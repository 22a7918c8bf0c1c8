"""Network ACLs as exact traffic sets: stateless, entries in rule-number order, first match
wins, then deny.

An entry decides what it matches minus what earlier entries matched. Being stateless, an ACL
judges a flow's replies too: the engine asks it both ways.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from msgspec import Struct, field

from reachlint.engine.filters import (
    EVERYTHING,
    Direction,
    Filters,
    address_cuts,
    describe_services,
    message_set,
    port_set,
    protocol_set,
    safe_cidr,
    stretch_of,
    unknown_addresses_text,
)
from reachlint.engine.flows import Doubt, Hop, Unknown
from reachlint.engine.ranges import NOWHERE, Placement, decide, possible_addresses
from reachlint.model.network import (
    AclEntry,
    IcmpMessages,
    NetworkAcl,
    PortRange,
    Subnet,
    subnets_by_network,
)
from reachlint.model.traffic import (
    ALL_ADDRESSES,
    EPHEMERAL,
    TCP,
    IntervalSet,
    Traffic,
    parse_protocol,
)
from reachlint.sources import Origin

# What an ACL lets through toward a peer, and the unknowns that rests on.
Verdict = tuple[Traffic, list[Unknown]]
_NO_ACL: Verdict = (EVERYTHING, [])  # no ACL in the model: AWS's default lets everything through
# Past this many candidate ACLs for a subnet not known (hostile input) they are not compared.
CHOSEN_ACLS = 16
_EPHEMERAL_PORTS = IntervalSet([EPHEMERAL])  # the client ports TCP replies go back to


class DecidingEntry(Struct):
    entry: AclEntry
    effective: Traffic  # what this entry decides: its match minus every earlier entry's


class AclView:
    """A stateless ACL: entries in rule-number order, first match wins, then deny.

    An entry whose range is an unknown value matches a peer certainly inside it, never one
    certainly outside it, and otherwise as --assume-unknown says: open lets traffic through
    (an allow matches, a deny does not), closed the reverse. So does an entry whose protocol,
    ports or ICMP messages are not known, for every peer in its range.
    """

    def __init__(self, acl: NetworkAcl, assume: Literal["open", "closed"] = "open") -> None:
        self.acl = acl
        self.assume = assume
        self.has_unknown = any(e.unknown_ranges for e in acl.entries)
        self._compiled: dict[tuple[Direction, Placement, str], CompiledAcl] = {}
        self.regions: dict[Direction, Traffic] = {}
        self.entries: dict[Direction, list[DecidingEntry]] = {}
        # Verdicts by peer, or by stretch of addresses the ACL treats alike (see stretch_of).
        self.toward: dict[tuple[object, ...], Verdict] = {}
        # As every peer sees it when no entry's range is an unknown value.
        self.plain: dict[Direction, CompiledAcl] = {}
        for direction in ("ingress", "egress"):
            compiled = self.plain[direction] = self.compiled(direction, NOWHERE)
            self.regions[direction] = compiled.allowed
            self.entries[direction] = compiled.entries

    def compiled(self, direction: Direction, placement: Placement) -> CompiledAcl:
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
            elif found.undecided:
                found.if_open = self._compile(direction, placement, "open").allowed
            self._compiled[key] = found
        return found

    def _compile(self, direction: Direction, placement: Placement, assume: str) -> CompiledAcl:
        ordered = sorted(
            (e for e in self.acl.entries if e.egress == (direction == "egress")),
            key=lambda e: e.rule_number,
        )
        remaining = EVERYTHING
        allowed = Traffic()
        compiled: list[DecidingEntry] = []
        undecided: list[str] = []
        for entry in ordered:
            addresses = safe_cidr(entry.cidr)
            if entry.unknown_ranges:
                matched, names = decide(entry.unknown_ranges, placement)
                undecided.extend(names)
                if matched or (names and (assume == "open") == entry.allow):
                    addresses = possible_addresses(entry.unknown_ranges)
            match = Traffic.box(
                protocol_set(entry.protocol),
                addresses,
                port_set(entry.ports),
                message_set(entry.icmp),
            )
            if entry.unknown:  # its protocol, ports or ICMP messages: matches all of them or none
                undecided.append(f"{_entry_name(entry)}: {', '.join(entry.unknown)}")
                if (assume == "open") != entry.allow:
                    match = Traffic()
            effective = remaining & match
            remaining = remaining - match
            if entry.allow:
                allowed |= effective
            compiled.append(DecidingEntry(entry, effective))
        return CompiledAcl(allowed, compiled, list(dict.fromkeys(undecided)))


class CompiledAcl(Struct):
    allowed: Traffic
    entries: list[DecidingEntry]
    undecided: list[str]
    doubts: list[Unknown] = field(default_factory=list)
    cuts: list[int] | None = None  # where its verdicts change along the address axis
    # Closed: what the entries not decided would let through too, were they open.
    if_open: Traffic | None = None


class NetworkAcls:
    """The ACL of each subnet, compiled once, and its verdicts toward peers."""

    def __init__(self, filters: Filters) -> None:
        self.filters = filters
        self.model = filters.model
        self.assume = filters.assume
        self._acls: dict[str, AclView] = {}
        self._chosen: dict[tuple[str, ...], AclView | None] = {}
        self._subnets_by_network: dict[str, list[Subnet]] | None = None

    def acl_for_some(self, subnets: list[Subnet], network: str) -> AclView | None:
        """The ACL of an interface in one of these subnets, not known which; with none, in any
        subnet of the network (then its default ACL too, a subnet outside the input's). When
        open, the candidate that lets through what every other does; when closed, the one that
        lets through no more than any other. With no such candidate, or too many to compare
        (hostile input): open lets everything through, closed nothing."""
        key = (network, *(s.address for s in subnets))
        if key in self._chosen:
            return self._chosen[key]
        candidates: list[AclView | None] = []
        if not subnets:
            if self._subnets_by_network is None:
                self._subnets_by_network = subnets_by_network(self.model)
            subnets = self._subnets_by_network.get(network, [])
            net = self.model.networks.get(network)
            default = self.model.network_acls.get(net.default_network_acl or "") if net else None
            candidates.append(self._view(default) if default is not None else None)
        candidates += [self.acl_for(subnet) for subnet in subnets]
        distinct = list({id(c): c for c in candidates}.values())
        found = self._chosen[key] = self._choose(distinct, network)
        return found

    def _choose(self, candidates: list[AclView | None], network: str) -> AclView | None:
        def lets(acl: AclView | None, direction: Direction) -> Traffic:
            return acl.regions[direction] if acl is not None else EVERYTHING

        def covers(wide: AclView | None, narrow: AclView | None) -> bool:
            return all(lets(narrow, d).issubset(lets(wide, d)) for d in ("ingress", "egress"))

        comparable = len(candidates) <= CHOSEN_ACLS
        if self.assume == "open":
            if not comparable:
                return None
            return next((c for c in candidates if all(covers(c, o) for o in candidates)), None)
        found = (
            [c for c in candidates if all(covers(o, c) for o in candidates)] if comparable else []
        )
        if found:
            return found[0]
        nothing = NetworkAcl(
            address=f"{network}: the network ACL of a subnet not known",
            type="network-acl",
            network=network,
        )
        return AclView(nothing, self.assume)

    def _view(self, acl: NetworkAcl) -> AclView:
        view = self._acls.get(acl.address)
        if view is None:
            view = self._acls[acl.address] = AclView(acl, self.assume)
        return view

    def acl_for(self, subnet: Subnet | None) -> AclView | None:
        if subnet is None:
            return None
        if subnet.network_acl_choices:
            key = (f"choice:{subnet.address}",)
            if key not in self._chosen:
                views: list[AclView | None] = [
                    self._view(self.model.network_acls[a]) for a in subnet.network_acl_choices
                ]
                self._chosen[key] = self._choose(views, subnet.network)
            return self._chosen[key]
        address = subnet.network_acl
        if address is None:
            network = self.model.networks.get(subnet.network)
            address = network.default_network_acl if network is not None else None
        acl = self.model.network_acls.get(address or "")
        if acl is None:
            return None  # no ACL in the model: AWS's default ACL allows everything
        return self._view(acl)

    def region(
        self, acl: AclView | None, direction: Direction, placement: Placement = NOWHERE
    ) -> Traffic:
        """What the ACL lets through from (ingress) or to (egress) external addresses."""
        if acl is None:
            return EVERYTHING
        compiled = acl.compiled(direction, placement)
        self.filters.unknowns.extend(compiled.doubts)
        return compiled.allowed

    def toward(
        self,
        acl: AclView | None,
        direction: Direction,
        peer: IntervalSet,
        placement: Placement = NOWHERE,
        names: tuple[str, ...] = (),
    ) -> Traffic:
        """What the ACL lets through from (ingress) or to (egress) a peer in `peer`."""
        cached = self.verdict(acl, direction, peer, placement, names)
        if cached[1]:
            self.filters.unknowns.extend(cached[1])
        return cached[0]

    def verdict(
        self,
        acl: AclView | None,
        direction: Direction,
        peer: IntervalSet,
        placement: Placement = NOWHERE,
        names: tuple[str, ...] = (),
    ) -> Verdict:
        """`toward` and the unknowns it rests on, as cached: the same object for every peer
        the ACL treats alike (read, never changed)."""
        if acl is None:
            return _NO_ACL
        if acl.has_unknown:
            compiled = acl.compiled(direction, placement)
        else:
            placement = NOWHERE
            compiled = acl.plain[direction]
        cuts = compiled.cuts
        if cuts is None:
            traffics = [d.traffic for d in compiled.doubts if isinstance(d, Doubt)]
            cuts = compiled.cuts = address_cuts([compiled.allowed, *traffics])
        stretch = stretch_of(cuts, peer)
        # Apart from a stretch, what the address rests on names the doubts about it.
        key = (
            (direction, stretch, placement)
            if stretch is not None
            else (direction, peer, placement, names)
        )
        cached = acl.toward.get(key)
        if cached is None:
            with self.filters.collecting() as unknowns:
                # In one stretch every address of the peer is treated alike.
                found = self.filters.project(compiled.allowed, peer, stretch is not None, names)
                for doubt in compiled.doubts:
                    if isinstance(doubt, Doubt):
                        part = doubt.traffic.only_addresses(peer).services_everywhere()
                        if part:
                            unknowns.append(Doubt(doubt.name, part))
            cached = acl.toward[key] = (found, unknowns)
        return cached

    def if_open(
        self, acl: AclView | None, direction: Direction, placement: Placement = NOWHERE
    ) -> tuple[Traffic, list[str]] | None:
        """Closed: what the ACL would let through were its entries not decided open, and
        their names; None when it decides everything (or when open)."""
        if acl is None or self.assume == "open":
            return None
        compiled = acl.compiled(direction, placement)
        if compiled.if_open is None:
            return None
        return compiled.if_open, compiled.undecided

    def reply_addresses(
        self, acl: AclView | None, direction: Direction, placement: Placement
    ) -> IntervalSet:
        """The outside addresses whose TCP replies (to client ports 1024-65535) the ACL lets
        through. When closed, the replies it drops only because entries not decided are taken
        as closed rest on those entries: dropped replies are a finding of their own, and it
        names what it rests on."""
        replies = self.region(acl, direction, placement).addresses_with(TCP, _EPHEMERAL_PORTS)
        opened = self.if_open(acl, direction, placement)
        if opened is not None:
            more = opened[0].addresses_with(TCP, _EPHEMERAL_PORTS) - replies
            if more:
                dropped = Traffic.box(parse_protocol("tcp"), more)
                self.filters.unknowns.extend(Doubt(name, dropped) for name in opened[1])
        return replies

    def hops(
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
        if peer is None:
            for compiled in acl.compiled(direction, placement).entries:
                if compiled.entry.allow and (admitted := compiled.effective & allowed):
                    hops.append(_acl_hop(acl.acl, compiled.entry, direction, admitted))
            return hops
        services_allowed = allowed.services_everywhere()
        for compiled in acl.compiled(direction, placement).entries:
            if not compiled.entry.allow:
                continue
            services = compiled.effective.only_addresses(peer).services_everywhere()
            if admitted := services & services_allowed:
                hops.append(_acl_hop(acl.acl, compiled.entry, direction, admitted))
        return hops


@lru_cache(maxsize=4096)
def _entry_services(protocol: str, ports: PortRange | None, icmp: IcmpMessages | None) -> str:
    services = Traffic.box(
        protocol_set(protocol), ALL_ADDRESSES, port_set(ports), message_set(icmp)
    )
    return describe_services(services)


def _entry_name(entry: AclEntry) -> str:
    """An entry as a reviewer finds it: inline entries share their ACL's address."""
    direction = "egress" if entry.egress else "ingress"
    return f"{entry.address} {direction} rule {entry.rule_number}"


def _acl_hop(acl: NetworkAcl, entry: AclEntry, direction: Direction, admitted: Traffic) -> Hop:
    word = "from" if direction == "ingress" else "to"
    services = _entry_services(entry.protocol, entry.ports, entry.icmp)
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
