"""What every filter's verdict shares: the unknowns it rests on, the address atoms no filter or
route tells apart, and a verdict projected onto one peer.

The filters themselves are exact traffic sets, each in its own module: security groups
(security_groups.py), network ACLs (network_acls.py), load-balancer listeners (listeners.py),
Azure NSGs (nsg.py) and firewalls (firewall.py).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import Literal

from reachlint.engine.flows import Doubt, Unknown
from reachlint.model.icmp import message_range
from reachlint.model.network import IcmpMessages, NetworkModel, PortRange
from reachlint.model.traffic import (
    ALL_PORTS,
    PORT_MAX,
    IntervalSet,
    Traffic,
    cidr_interval,
    cidrs,
    parse_protocol,
)
from reachlint.sources import UnknownValue

Direction = Literal["ingress", "egress"]
EVERYTHING = Traffic.everything()


def port_sets(ranges: list[PortRange] | None) -> IntervalSet:
    """The ports a list of ranges names (None: every port). A model can carry ports beyond
    0-65535 from input a provider would refuse: what lies outside is no port."""
    if ranges is None:
        return ALL_PORTS
    clipped = ((max(0, r.low), min(PORT_MAX, r.high)) for r in ranges)
    return IntervalSet((low, high) for low, high in clipped if low <= high)


def port_set(ports: PortRange | None) -> IntervalSet:
    """The ports a security group rule or ACL entry names."""
    if ports is None:
        return ALL_PORTS
    low, high = max(0, ports.low), min(65535, ports.high)
    if low > high:
        return ALL_PORTS  # icmp type/code or -1 written as ports: the whole protocol
    return IntervalSet([(low, high)])


def message_set(icmp: IcmpMessages | None) -> IntervalSet:
    """The ICMP messages a security group rule or ACL entry names (see model/icmp.py)."""
    found = None if icmp is None else message_range(icmp.type, icmp.code)
    return ALL_PORTS if found is None else IntervalSet([found])


def protocol_set(value: str) -> IntervalSet:
    """The protocols a security group rule or ACL entry names; all when it cannot be read."""
    try:
        return parse_protocol(value)
    except ValueError:
        return parse_protocol("all")


def describe_services(traffic: Traffic) -> str:
    return traffic.text() or "nothing"


def unknown_addresses_text(ranges: Sequence[UnknownValue], type_: str) -> str:
    """How a rule's unknown addresses read on a path: what they rest on, and when it is known."""
    sources = ", ".join(dict.fromkeys(s for r in ranges for s in r.sources))
    when = "after apply" if type_.startswith(("aws_", "azurerm_")) else "at deployment"
    return f"addresses known only {when}: {sources}"


def safe_cidr(cidr: str) -> IntervalSet:
    """A CIDR's addresses; none for an empty or unreadable one."""
    try:
        return cidrs([cidr]) if cidr else IntervalSet()
    except ValueError:
        return IntervalSet()


def address_cuts(regions: Iterable[Traffic]) -> list[int]:
    """Where some region begins or ends along the address axis: between two cuts every
    region treats all addresses alike."""
    cuts: set[int] = set()
    for region in regions:
        cuts.update(region.address_cuts())
    return sorted(cuts)


def stretch_of(cuts: list[int], peer: IntervalSet) -> int | None:
    """The stretch between two cuts that holds all of `peer`, if one does: a filter gives every
    peer in it the same certain verdict, whether or not its address is known."""
    if not peer:
        return None
    stretch = bisect_right(cuts, peer.lowest())
    return stretch if bisect_right(cuts, peer.highest()) == stretch else None


class Filters:
    """Records which verdicts depend on unknown values; knows the address atoms."""

    def __init__(self, model: NetworkModel, assume: Literal["open", "closed"]) -> None:
        self.model = model
        self.assume = assume
        self.unknowns: list[Unknown] = []
        self._breakpoints: list[int] | None = None

    def take_unknowns(self) -> list[Unknown]:
        taken, self.unknowns = self.unknowns, []
        return taken

    def collecting(self) -> _Collecting:
        """Gathers the unknowns recorded inside the block, for verdicts that are cached."""
        return _Collecting(self)

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
            for nsg in self.model.network_security_groups.values():
                for nsg_rule in nsg.rules:
                    for cidr in (*nsg_rule.source.cidrs, *nsg_rule.destination.cidrs):
                        add(cidr)
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


class _Collecting:
    """Filters.collecting's block: a class, as a generator-based one costs more per verdict."""

    __slots__ = ("_filters", "_gathered", "_outer")

    def __init__(self, filters: Filters) -> None:
        self._filters = filters
        self._gathered: list[Unknown] = []
        self._outer: list[Unknown] = []

    def __enter__(self) -> list[Unknown]:
        self._outer, self._filters.unknowns = self._filters.unknowns, []
        return self._gathered

    def __exit__(self, *exc: object) -> None:
        self._gathered.extend(self._filters.unknowns)
        self._filters.unknowns = self._outer
