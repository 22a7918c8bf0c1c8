"""Exact sets of traffic: protocol x address x port, as nested interval partitions.

A set is stored as a canonical tree of disjoint, sorted intervals per dimension, so union,
intersection and difference are exact and two equal sets compare equal. IPv4 and IPv6 share
one address axis: IPv4 at [0, 2**32), IPv6 shifted above it.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import pairwise
from typing import Literal, Union

from reachlint.model.icmp import messages_text

V6_OFFSET = 1 << 32
ADDR_MAX = V6_OFFSET + (1 << 128) - 1
PORT_MAX = 65535
PROTO_MAX = 255

TCP, UDP, ICMP, ICMPV6 = 6, 17, 1, 58
PORTED = (TCP, UDP)
# ICMP and ICMPv6 carry their messages on the port axis, as type * 256 + code.
MESSAGED = (ICMP, ICMPV6)
PROTOCOL_NAMES = {TCP: "tcp", UDP: "udp", ICMP: "icmp", ICMPV6: "icmpv6"}
PROTOCOL_NUMBERS = {name: number for number, name in PROTOCOL_NAMES.items()}
EPHEMERAL = (1024, 65535)

Child = Union["Level", Literal[True]]
Level = tuple[tuple[int, int, Child], ...]

_UNION, _INTER, _DIFF = 0, 1, 2
# Every protocol, address and port: Traffic.everything() in its canonical form.
_EVERYTHING_LEVEL: Level = ((0, PROTO_MAX, ((0, ADDR_MAX, ((0, PORT_MAX, True),)),)),)


def _child_op(a: Child | None, b: Child | None, op: int) -> Child | None:
    if op == _UNION:
        if a is None:
            return b
        if b is None:
            return a
        if a is True or b is True:
            return True
        return _combine(a, b, op) or None
    if op == _INTER:
        if a is None or b is None:
            return None
        if a is True:
            return b
        if b is True:
            return a
        return _combine(a, b, op) or None
    if a is None:
        return None
    if b is None:
        return a
    if b is True:
        return None
    if a is True:  # pragma: no cover - both operands always have the same depth
        raise ValueError("mismatched depth")
    return _combine(a, b, op) or None


def _combine(a: Level, b: Level, op: int) -> Level:
    # Shortcuts that need no hashing of the nested tuples: empty sets and the same set.
    if a is b:
        return () if op == _DIFF else a
    if not b:
        return () if op == _INTER else a
    if not a:
        return b if op == _UNION else ()
    # Filters that let everything through are met at every step: no need to look them up.
    if op == _INTER:
        if b == _EVERYTHING_LEVEL:
            return a
        if a == _EVERYTHING_LEVEL:
            return b
    return _combine_levels(a, b, op)


@lru_cache(maxsize=65536)
def _combine_levels(a: Level, b: Level, op: int) -> Level:
    points = sorted({p for lo, hi, _ in (*a, *b) for p in (lo, hi + 1)})
    out: list[tuple[int, int, Child]] = []
    i = j = 0
    for start, stop in pairwise(points):
        while i < len(a) and a[i][1] < start:
            i += 1
        while j < len(b) and b[j][1] < start:
            j += 1
        ca = a[i][2] if i < len(a) and a[i][0] <= start else None
        cb = b[j][2] if j < len(b) and b[j][0] <= start else None
        child = _child_op(ca, cb, op)
        if child is None:
            continue
        end = stop - 1
        if out and out[-1][1] + 1 == start and out[-1][2] == child:
            out[-1] = (out[-1][0], end, child)
        else:
            out.append((start, end, child))
    return tuple(out)


class IntervalSet:
    """A set of integers as sorted, disjoint, inclusive intervals."""

    __slots__ = ("_hash", "_level")

    def __init__(self, intervals: Iterable[tuple[int, int]] = ()) -> None:
        spans = []
        for lo, hi in intervals:
            if lo > hi:
                raise ValueError(f"empty interval {lo}-{hi}")
            spans.append((lo, hi))
        # The canonical form directly: sorted, overlapping and adjacent intervals merged.
        spans.sort()
        level: list[tuple[int, int, Child]] = []
        for lo, hi in spans:
            if level and lo <= level[-1][1] + 1:
                if hi > level[-1][1]:
                    level[-1] = (level[-1][0], hi, True)
            else:
                level.append((lo, hi, True))
        self._level: Level = tuple(level)

    @classmethod
    def _of(cls, level: Level) -> IntervalSet:
        made = cls.__new__(cls)
        made._level = level
        return made

    @property
    def intervals(self) -> list[tuple[int, int]]:
        return [(lo, hi) for lo, hi, _ in self._level]

    def __or__(self, other: IntervalSet) -> IntervalSet:
        return IntervalSet._of(_combine(self._level, other._level, _UNION))

    def __and__(self, other: IntervalSet) -> IntervalSet:
        return IntervalSet._of(_combine(self._level, other._level, _INTER))

    def __sub__(self, other: IntervalSet) -> IntervalSet:
        return IntervalSet._of(_combine(self._level, other._level, _DIFF))

    def __bool__(self) -> bool:
        return bool(self._level)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IntervalSet) and self._level == other._level

    def __hash__(self) -> int:
        # Sets are immutable and serve as cache keys: hash the nested tuples once.
        try:
            return self._hash
        except AttributeError:
            self._hash: int = hash(self._level)
            return self._hash

    def __contains__(self, value: int) -> bool:
        return any(lo <= value <= hi for lo, hi, _ in self._level)

    def lowest(self) -> int:
        """The smallest member; the set must not be empty."""
        return self._level[0][0]

    def highest(self) -> int:
        """The largest member; the set must not be empty."""
        return self._level[-1][1]

    def issubset(self, other: IntervalSet) -> bool:
        return not (self - other)

    def __repr__(self) -> str:
        return f"IntervalSet({self.intervals})"


ALL_PORTS = IntervalSet([(0, PORT_MAX)])
ALL_PROTOCOLS = IntervalSet([(0, PROTO_MAX)])
V4_ALL = IntervalSet([(0, V6_OFFSET - 1)])
V6_ALL = IntervalSet([(V6_OFFSET, ADDR_MAX)])
ALL_ADDRESSES = V4_ALL | V6_ALL


# An IPv4 CIDR as ipaddress reads it (octets 0-255 without leading zeros, prefix 0-32).
_OCTET = r"(0|[1-9][0-9]{0,2})"
_PLAIN_V4 = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}/([0-9]{{1,2}})")


@lru_cache(maxsize=65536, typed=True)  # ranges recur in every filter; parsing is slow
def cidr_interval(cidr: str) -> tuple[int, int]:
    """The inclusive address range of a CIDR (host bits are ignored, as AWS and Azure do)."""
    text = cidr.strip()
    # Most ranges are plain IPv4 CIDRs, each subnet's its own: read in a tenth of the time
    # ipaddress takes. Any other text (IPv6, a netmask, an error) is ipaddress's to read.
    plain = _PLAIN_V4.fullmatch(text)
    if plain is not None:
        a, b, c, d, bits = (int(part) for part in plain.groups())
        if a <= 255 and b <= 255 and c <= 255 and d <= 255 and bits <= 32:
            host = (1 << (32 - bits)) - 1
            lo = ((a << 24) | (b << 16) | (c << 8) | d) & ~host
            return lo, lo | host
    net = ipaddress.ip_network(text, strict=False)
    lo, hi = int(net.network_address), int(net.broadcast_address)
    if net.version == 6:
        return lo + V6_OFFSET, hi + V6_OFFSET
    return lo, hi


def cidrs(values: Iterable[str]) -> IntervalSet:
    return IntervalSet(cidr_interval(value) for value in values)


def address_text(value: int) -> str:
    if value >= V6_OFFSET:
        return str(ipaddress.IPv6Address(value - V6_OFFSET))
    return str(ipaddress.IPv4Address(value))


def addresses_as_cidrs(addresses: IntervalSet) -> list[str]:
    """The smallest list of CIDRs that covers exactly this address set."""
    out: list[str] = []
    for lo, hi in addresses.intervals:
        for part in ((lo, min(hi, V6_OFFSET - 1)), (max(lo, V6_OFFSET), hi)):
            start, end = part
            if start > end:
                continue
            if start >= V6_OFFSET:
                first6 = ipaddress.IPv6Address(start - V6_OFFSET)
                last6 = ipaddress.IPv6Address(end - V6_OFFSET)
                out.extend(str(net) for net in ipaddress.summarize_address_range(first6, last6))
            else:
                first4 = ipaddress.IPv4Address(start)
                last4 = ipaddress.IPv4Address(end)
                out.extend(str(net) for net in ipaddress.summarize_address_range(first4, last4))
    return out


# Not reachable over the internet (RFC 6890 special-purpose ranges that are not global).
_NON_PUBLIC_V4 = [
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15",
    "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    # Azure's platform address (health probes, DNS): it never carries internet clients.
    "168.63.129.16/32",
]  # fmt: skip
PUBLIC_ADDRESSES = (V4_ALL - cidrs(_NON_PUBLIC_V4)) | cidrs(["2000::/3"])
# IPv6 addresses that stand for IPv4 ones, for a NAT64 gateway (RFC 6052's well-known prefix).
NAT64_PREFIX = cidrs(["64:ff9b::/96"])
PRIVATE_ADDRESSES = cidrs(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"])


def narrower_than_public(addresses: IntervalSet) -> bool:
    """Whether some address family in use misses part of its public addresses, or the
    addresses are IPv6 alone: "any address" would read as IPv4 clients too, which the many
    IPv4-only networks have no other kind of (IPv4 alone is shown as any address)."""
    if addresses and not addresses & V4_ALL:
        return True
    for family in (V4_ALL, V6_ALL):
        used = addresses & family
        if used and not (PUBLIC_ADDRESSES & family).issubset(used):
            return True
    return False


@lru_cache(maxsize=1024, typed=True)  # a few values, asked for by every listener
def parse_protocol(value: str | int | None) -> IntervalSet:
    """Protocols named the way AWS, Azure and rules files name them: number, name, -1/all/*."""
    if value is None:
        return ALL_PROTOCOLS
    text = str(value).strip().lower()
    if text in {"-1", "all", "*", "any"}:
        return ALL_PROTOCOLS
    if text in PROTOCOL_NUMBERS:
        number = PROTOCOL_NUMBERS[text]
    elif text == "icmp6":
        number = ICMPV6
    else:
        number = _whole_number(text)
    if not 0 <= number <= PROTO_MAX:
        raise ValueError(f"protocol {value!r} is not 0-255")
    return IntervalSet([(number, number)])


class Traffic:
    """An exact set of (protocol, address, port) triples.

    The address is the one address of the flow that is not fixed by its ends: the client for
    ingress, the server for egress. Protocols without ports always carry the whole port range.
    """

    __slots__ = ("_level",)

    def __init__(self, level: Level = ()) -> None:
        self._level = level

    @classmethod
    def box(
        cls,
        protocols: IntervalSet = ALL_PROTOCOLS,
        addresses: IntervalSet = ALL_ADDRESSES,
        ports: IntervalSet = ALL_PORTS,
        messages: IntervalSet = ALL_PORTS,
    ) -> Traffic:
        """Traffic of these protocols and addresses on these ports; ports only bind TCP and UDP,
        `messages` (see icmp.py) only ICMP and ICMPv6."""
        level = _box_level(protocols._level, addresses._level, ports._level)
        if messages._level != ALL_PORTS._level and level:
            level = _with_messages(level, protocols._level, addresses._level, messages._level)
        return cls(level)

    @classmethod
    def everything(cls) -> Traffic:
        return cls.box()

    def __or__(self, other: Traffic) -> Traffic:
        return Traffic(_combine(self._level, other._level, _UNION))

    def __and__(self, other: Traffic) -> Traffic:
        return Traffic(_combine(self._level, other._level, _INTER))

    def __sub__(self, other: Traffic) -> Traffic:
        return Traffic(_combine(self._level, other._level, _DIFF))

    def __bool__(self) -> bool:
        return bool(self._level)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Traffic) and self._level == other._level

    def __hash__(self) -> int:
        return hash(self._level)

    def issubset(self, other: Traffic) -> bool:
        return not (self - other)

    def only_addresses(self, addresses: IntervalSet) -> Traffic:
        """The part of the set whose addresses lie in `addresses` (the set & a box of them)."""
        return Traffic(_only_addresses(self._level, addresses._level))

    def with_addresses(self, addresses: IntervalSet) -> Traffic:
        """The same protocols and ports, for exactly these addresses."""
        return Traffic.box(addresses=addresses) & self.services_everywhere()

    def services_everywhere(self) -> Traffic:
        """This traffic's protocols and ports, for every address."""
        return Traffic(_services_everywhere(self._level))

    def addresses(self) -> IntervalSet:
        return IntervalSet(
            (alo, ahi)
            for _lo, _hi, by_address in self._level
            if by_address is not True
            for alo, ahi, _ in by_address
        )

    def address_cuts(self) -> set[int]:
        """Where the set changes along the address axis: each first address of a stretch in
        which every address is in the set for the same protocols and ports."""
        return {
            cut
            for _lo, _hi, by_address in self._level
            if by_address is not True
            for start, end, _ in by_address
            for cut in (start, end + 1)
        }

    def addresses_with(self, protocol: int, ports: IntervalSet) -> IntervalSet:
        """Addresses for which some port of `ports` on `protocol` is in the set."""
        wanted = Traffic.box(IntervalSet([(protocol, protocol)]), ALL_ADDRESSES, ports)
        return (self & wanted).addresses()

    def services(self) -> list[tuple[tuple[int, int], IntervalSet]]:
        """(protocol range, ports) pairs, addresses projected away, protocol ranges merged."""
        merged = self.services_everywhere()
        out: list[tuple[tuple[int, int], IntervalSet]] = []
        for lo, hi, by_address in merged._level:
            assert by_address is not True
            port_level = by_address[0][2]
            assert port_level is not True
            out.append(((lo, hi), IntervalSet._of(port_level)))
        return out

    def by_addresses(self) -> list[tuple[IntervalSet, Traffic]]:
        """The set as (addresses, traffic) parts: every port of a part's services holds for
        exactly the part's addresses. One part when all services share their addresses; in
        the order of their first protocol and port."""
        parts: dict[IntervalSet, list[Traffic]] = {}
        for lo, hi, by_address in self._level:
            assert by_address is not True
            cuts: set[int] = set()
            for _alo, _ahi, port_level in by_address:
                assert port_level is not True
                for plo, phi, _ in port_level:
                    cuts.update((plo, phi + 1))
            bounds = sorted(cuts)
            for start, after in pairwise(bounds):
                held = IntervalSet(
                    (alo, ahi)
                    for alo, ahi, port_level in by_address
                    if port_level is not True and any(p <= start <= q for p, q, _ in port_level)
                )
                if held:
                    ports = IntervalSet([(start, after - 1)])  # or ICMP messages
                    piece = Traffic.box(IntervalSet([(lo, hi)]), held, ports, ports)
                    parts.setdefault(held, []).append(piece)
        out: list[tuple[IntervalSet, Traffic]] = []
        for addresses, pieces in parts.items():
            traffic = Traffic()
            for piece in pieces:
                traffic = traffic | piece
            out.append((addresses, traffic))
        return out

    def describe(self) -> list[dict[str, object]]:
        """The report's `traffic` list: protocol names and inclusive port ranges."""
        services = self.services()
        if len(services) == 1 and services[0][0] == (0, PROTO_MAX) and services[0][1] == ALL_PORTS:
            return [{"protocol": "all"}]
        entries: list[dict[str, object]] = []
        others: list[str] = []
        for (lo, hi), ports in services:
            for number in sorted(PROTOCOL_NAMES):
                if lo <= number <= hi:
                    entry: dict[str, object] = {"protocol": PROTOCOL_NAMES[number]}
                    if number in PORTED:
                        entry["ports"] = [list(p) for p in ports.intervals]
                    elif number in MESSAGED and ports != ALL_PORTS:
                        entry["messages"] = messages_text(ports.intervals)
                    entries.append(entry)
            rest = IntervalSet([(lo, hi)]) - IntervalSet((n, n) for n in PROTOCOL_NAMES)
            others.extend(f"{a}" if a == b else f"{a}-{b}" for a, b in rest.intervals)
        entries.sort(key=lambda e: list(PROTOCOL_NUMBERS).index(str(e["protocol"])))
        if others:
            entries.append({"protocol": "other", "numbers": ",".join(others)})
        return entries

    def text(self) -> str:
        """Human form: 'tcp 22, 80-81; udp 53'."""
        parts = []
        for entry in self.describe():
            ports = entry.get("ports")
            messages = entry.get("messages")
            if isinstance(ports, list):
                ranges = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in ports)
                parts.append(f"{entry['protocol']} {ranges}")
            elif isinstance(messages, list):
                parts.append(f"{entry['protocol']} {', '.join(messages)}")
            else:
                parts.append(str(entry["protocol"]))
        return "; ".join(parts)

    def __repr__(self) -> str:
        return f"Traffic({self.text() or 'none'})"


@lru_cache(maxsize=65536)
def _box_level(protocols: Level, addresses: Level, ports: Level) -> Level:
    if not protocols or not addresses or not ports:
        return ()
    address_level = tuple((lo, hi, ports) for lo, hi, _ in addresses)
    full_level = tuple((lo, hi, _port_level(ALL_PORTS)) for lo, hi, _ in addresses)
    ported = _combine(protocols, _PORTED_LEVEL, _INTER)
    portless = _combine(protocols, _PORTED_LEVEL, _DIFF)
    result: Level = tuple((lo, hi, address_level) for lo, hi, _ in ported)
    if portless:
        # A port range on a protocol without ports matches all of it, as AWS and Azure do.
        extra = tuple((lo, hi, full_level) for lo, hi, _ in portless)
        result = _combine(result, extra, _UNION)
    return result


_PORTED_LEVEL: Level = tuple((p, p, True) for p in PORTED)
_MESSAGED_LEVEL: Level = tuple((p, p, True) for p in MESSAGED)


def _with_messages(level: Level, protocols: Level, addresses: Level, messages: Level) -> Level:
    """A box's ICMP and ICMPv6 narrowed to these messages."""
    messaged = _combine(protocols, _MESSAGED_LEVEL, _INTER)
    if not messaged:
        return level
    unnamed = _combine(ALL_PORTS._level, messages, _DIFF)
    by_address = tuple((lo, hi, unnamed) for lo, hi, _ in addresses)
    return _combine(level, tuple((lo, hi, by_address) for lo, hi, _ in messaged), _DIFF)


def _merged(out: list[tuple[int, int, Child]], lo: int, hi: int, child: Child) -> None:
    """Appends a piece, joined to the last one when they touch and carry the same child."""
    if out and out[-1][1] + 1 == lo and out[-1][2] == child:
        out[-1] = (out[-1][0], hi, child)
    else:
        out.append((lo, hi, child))


# The engine's two most frequent operations, each walking the tree once instead of combining
# it with a whole box: both give exactly what the general operations give.
def _only_addresses(level: Level, addresses: Level) -> Level:
    out: list[tuple[int, int, Child]] = []
    for lo, hi, by_address in level:
        assert by_address is not True
        kept: list[tuple[int, int, Child]] = []
        j = 0
        for alo, ahi, ports in by_address:
            while j < len(addresses) and addresses[j][1] < alo:
                j += 1
            k = j
            while k < len(addresses) and addresses[k][0] <= ahi:
                kept.append((max(alo, addresses[k][0]), min(ahi, addresses[k][1]), ports))
                k += 1
        if kept:
            _merged(out, lo, hi, tuple(kept))
    return tuple(out)


def _services_everywhere(level: Level) -> Level:
    out: list[tuple[int, int, Child]] = []
    for lo, hi, by_address in level:
        assert by_address is not True
        first = by_address[0][2]
        assert first is not True
        ports: Level = first
        for _alo, _ahi, port_level in by_address[1:]:
            assert port_level is not True
            if port_level is not ports and port_level != ports:
                ports = _combine(ports, port_level, _UNION)
        _merged(out, lo, hi, ((0, ADDR_MAX, ports),))
    return tuple(out)


@lru_cache(maxsize=4096)
def _port_level_cached(intervals: tuple[tuple[int, int], ...]) -> Level:
    return tuple((lo, hi, True) for lo, hi in intervals)


def _port_level(ports: IntervalSet) -> Level:
    return _port_level_cached(tuple(ports.intervals))


def _whole_number(text: str) -> int:
    """ASCII digits only: int() would also read other scripts' digits (Arabic-Indic, fullwidth)
    and "2_2"."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        raise ValueError(f"{text!r} is not a whole number")
    return int(text)


def ports_from_spec(values: Iterable[int | str]) -> IntervalSet:
    """Ports as rules files write them: 22, "80", "8000-8080"."""
    out: list[tuple[int, int]] = []
    for value in values:
        text = str(value).strip()
        if "-" in text:
            lo_text, hi_text = text.split("-", 1)
            lo, hi = _whole_number(lo_text), _whole_number(hi_text)
        else:
            lo = hi = _whole_number(text)
        if not (0 <= lo <= hi <= PORT_MAX):
            raise ValueError(f"port range {text!r} is not within 0-65535")
        out.append((lo, hi))
    return IntervalSet(out)


def iter_protocol_numbers(protocols: IntervalSet) -> Iterator[int]:
    for lo, hi in protocols.intervals:
        yield from range(lo, hi + 1)
