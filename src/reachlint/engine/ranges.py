"""Address ranges known only at deployment, reasoned about without their values.

An unknown range (`var.admin_range`, `parameters('subnetPrefix')`) is not an address set the
engine can intersect. What can still be decided is where a peer lies relative to it: an
endpoint in a subnet whose range is exactly `var.cidr` lies inside `var.cidr`, whatever it
turns out to be; an internet client of a network lies outside that network's own ranges. What
cannot be decided is undecided, and `--assume-unknown` settles it, naming the values.
"""

from __future__ import annotations

from collections.abc import Iterable

from msgspec import Struct

from reachlint.model.network import NetworkModel, OnPremSite, Subnet, subnets_by_network
from reachlint.model.traffic import ALL_ADDRESSES, V4_ALL, V6_ALL, IntervalSet, cidrs
from reachlint.sources import UnknownValue

NETWORK = "network:"  # "network:X": the whole address space of network X, whatever it is
SITE = "site:"  # "site:X": the ranges of on-premises site X


class Placement(Struct, frozen=True, cache_hash=True):
    """What the engine knows of where a peer's addresses lie among unknown ranges."""

    inside: frozenset[str] = frozenset()  # ranges (by identity) that hold every address
    outside: frozenset[str] = frozenset()  # ranges that hold none of them


NOWHERE = Placement()


def identities(ranges: Iterable[UnknownValue]) -> frozenset[str]:
    return frozenset(r.exactly for r in ranges if r.exactly)


def names(ranges: Iterable[UnknownValue]) -> list[str]:
    return list(dict.fromkeys(source for r in ranges for source in r.sources))


def decide(
    ranges: Iterable[UnknownValue], placement: Placement, also: frozenset[str] = frozenset()
) -> tuple[bool, list[str]]:
    """Whether a peer certainly lies in one of `ranges` (and so in all its addresses); else the
    names of the ranges that it may or may not lie in. `also` are identities that stand for
    the same ranges (a network's space, for a service tag)."""
    undecided: list[str] = []
    if also & placement.inside:
        return True, []
    for unknown in ranges:
        if unknown.exactly is not None:
            if unknown.exactly in placement.inside:
                return True, []
            if unknown.exactly in placement.outside:
                continue
        undecided.extend(unknown.sources)
    return False, list(dict.fromkeys(undecided))


def sole_identities(known: list[str], ranges: list[UnknownValue]) -> frozenset[str]:
    """Identities of the unknown ranges an address of this element certainly lies in: one
    unknown range that is the element's only range of its address family."""
    found: set[str] = set()
    for version, family in ((4, V4_ALL), (6, V6_ALL)):
        mine = [r for r in ranges if (r.version or 4) == version]
        if len(mine) == 1 and mine[0].exactly and not (safe_cidrs(known) & family):
            found.add(mine[0].exactly)
    return frozenset(found)


def families(ranges: Iterable[UnknownValue]) -> IntervalSet:
    """The address families unknown ranges may hold."""
    out = IntervalSet()
    for unknown in ranges:
        out = out | (V6_ALL if unknown.version == 6 else V4_ALL)
    return out


def possible_addresses(ranges: Iterable[UnknownValue]) -> IntervalSet:
    """Where addresses of unknown ranges may lie: their families (a field of IPv6 ranges holds
    no IPv4 address), every address where a range's family is not known."""
    ranges = list(ranges)
    if not ranges or any(unknown.version is None for unknown in ranges):
        return ALL_ADDRESSES
    return families(ranges)


def safe_cidrs(values: Iterable[str]) -> IntervalSet:
    out = IntervalSet()
    for value in values:
        try:
            out = out | cidrs([value])
        except ValueError:
            continue
    return out


def within(known: list[str], ranges: list[UnknownValue], bound: IntervalSet | None) -> IntervalSet:
    """Where an element's addresses may lie: its known ranges, and for the unknown ones the
    `bound` they must fall in (the network's known space), else their whole family."""
    out = safe_cidrs(known)
    for unknown in ranges:
        family = V6_ALL if unknown.version == 6 else V4_ALL
        limit = bound & family if bound is not None else IntervalSet()
        out = out | (limit or family)
    return out or ALL_ADDRESSES


class Places:
    """Where the addresses of a network, a subnet or a site lie among unknown ranges."""

    def __init__(self, model: NetworkModel) -> None:
        self.model = model
        self._outside: dict[str | None, frozenset[str]] = {}
        self._inside: dict[tuple[str | None, str | None], Placement] = {}
        self._internet: dict[str | None, Placement] = {}
        self._subnets_by_network: dict[str, list[Subnet]] | None = None

    def address_range(self, subnet: Subnet | None, network: str | None) -> IntervalSet:
        """The addresses an interface placed so may have: its subnet's range, where that is
        unknown the network's, where that is unknown its whole address family."""
        net = self.model.networks.get(network or "")
        if subnet is not None and (subnet.cidrs or subnet.unknown_ranges):
            if not subnet.unknown_ranges:
                return cidrs(subnet.cidrs)
            bound = None
            if net is not None and net.cidrs and not net.unknown_ranges:
                bound = safe_cidrs(net.cidrs)
            return within(subnet.cidrs, subnet.unknown_ranges, bound)
        if net is not None and (net.cidrs or net.unknown_ranges):
            return within(net.cidrs, net.unknown_ranges, None)
        return ALL_ADDRESSES

    def address_names(self, subnet: Subnet | None, network: str | None) -> tuple[str, ...]:
        """What an interface's range rests on, when it is an unknown value."""
        if subnet is not None and subnet.unknown_ranges:
            return tuple(names(subnet.unknown_ranges))
        net = self.model.networks.get(network or "")
        if net is not None and net.unknown_ranges and (subnet is None or not subnet.cidrs):
            return tuple(names(net.unknown_ranges))
        return ()

    def inside(self, subnet: Subnet | None, network: str | None) -> Placement:
        """An interface lies in its network's space and in every unknown range that is its
        subnet's or network's only range of the family."""
        key = (subnet.address if subnet is not None else None, network)
        placed = self._inside.get(key)
        if placed is None:
            found = {f"{NETWORK}{network}"} if network is not None else set()
            if subnet is not None:
                found |= sole_identities(subnet.cidrs, subnet.unknown_ranges)
            net = self.model.networks.get(network or "")
            if net is not None:
                found |= sole_identities(net.cidrs, net.unknown_ranges)
            placed = self._inside[key] = Placement(inside=frozenset(found))
        return placed

    def internet(self, network: str | None) -> Placement:
        """Internet clients lie outside the network's own ranges and the on-premises ones:
        traffic for those is routed there, not to the internet."""
        placed = self._internet.get(network)
        if placed is None:
            sites: set[str] = set()
            for site in self.model.onprem_sites.values():
                sites.add(f"{SITE}{site.address}")
                sites |= identities(site.unknown_ranges)
            placed = Placement(outside=self._own(network) | frozenset(sites))
            self._internet[network] = placed
        return placed

    def site(self, site: OnPremSite, network: str | None) -> Placement:
        inside = {f"{SITE}{site.address}"} | sole_identities(site.cidrs, site.unknown_ranges)
        return Placement(inside=frozenset(inside), outside=self._own(network))

    def _own(self, network: str | None) -> frozenset[str]:
        found = self._outside.get(network)
        if found is None:
            own = {f"{NETWORK}{network}"} if network is not None else set()
            net = self.model.networks.get(network or "")
            if net is not None:
                own |= identities(net.unknown_ranges)
            if self._subnets_by_network is None:  # once: a scan per network is quadratic
                self._subnets_by_network = subnets_by_network(self.model)
            if network is not None:
                for subnet in self._subnets_by_network.get(network, []):
                    own |= identities(subnet.unknown_ranges)
            found = self._outside[network] = frozenset(own)
        return found


def families_of(subnet: Subnet) -> IntervalSet:
    """The address families a subnet's ranges hold, known or not."""
    return safe_cidrs(subnet.cidrs) | families(subnet.unknown_ranges)
