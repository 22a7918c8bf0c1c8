"""What the engine produces: endpoint classes, external ends and the flows between them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import msgspec
from msgspec import Struct

from reachlint.model.traffic import Traffic
from reachlint.sources import Origin

FlowState = Literal["reachable", "reply-dropped"]


class Hop(Struct, frozen=True, eq=False):
    """One component on a path and the fact about it that lets the traffic through."""

    address: str
    kind: str  # internet-gateway, route, security-group-rule, network-acl-entry, load-balancer...
    type: str  # the resource type as the input names it (aws_route, aws_lb...)
    detail: str
    origin: Origin = msgspec.field(default_factory=Origin)
    # For filter rules on the path: the traffic this hop admits (None: the hop does not filter).
    # A report shows only the filter hops that admit some of the traffic it is about.
    admits: Traffic | None = None
    # For filter rules: the filter they belong to on this path (an interface's security groups
    # in one direction, one network ACL or NSG in one direction). Traffic passes a filter when
    # any of its rules admits it, so a suppression judges each filter's rules together.
    stage: str | None = None

    def __eq__(self, other: object) -> bool:
        """The same component and fact: what it admits on one path and its stage do not count."""
        if not isinstance(other, Hop):
            return NotImplemented
        return (
            self.address == other.address
            and self.kind == other.kind
            and self.type == other.type
            and self.detail == other.detail
            and self.origin == other.origin
        )

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal


def merged_hops(path: list[Hop], other: list[Hop]) -> list[Hop]:
    """`path` with the hops of `other` it lacks, each placed where `other` has it: after the
    hop before it there, among the hops of its own kind (an IPv6 route beside the IPv4 one),
    before the next hop the two share."""
    merged = list(path)
    placed = -1  # where the last hop of `other` stands in `merged`
    for number, hop in enumerate(other):
        if hop in merged:
            placed = merged.index(hop)
            continue
        shared_next = next(
            (merged.index(later) for later in other[number + 1 :] if later in merged), len(merged)
        )
        shared_next = max(shared_next, placed + 1)
        same_kind = [i for i in range(placed + 1, shared_next) if merged[i].kind == hop.kind]
        placed = same_kind[-1] + 1 if same_kind else placed + 1
        merged.insert(placed, hop)
    return merged


class Member(Struct, frozen=True):
    """One endpoint interface inside a class."""

    endpoint: str  # endpoint address
    interface: str


class EndpointClass(Struct):
    """Interfaces that the network cannot tell apart: same subnet, groups, public address..."""

    id: int
    network: str | None
    subnet: str | None
    public: bool
    security_groups: tuple[str, ...]
    members: list[Member] = msgspec.field(default_factory=list)


class External(Struct, frozen=True):
    """The internet, or one on-premises network (named by the resource that defines it)."""

    address: str  # "internet" or the VPN connection / customer gateway / local network gateway
    kind: Literal["internet", "onprem"]
    origin: Origin = msgspec.field(default_factory=Origin)


End = EndpointClass | External
INTERNET = External(address="internet", kind="internet")


class Doubt(Struct, frozen=True):
    """An unknown value that only part of a flow's traffic rests on: `traffic` is there only
    because --assume-unknown open let it through."""

    name: str
    traffic: Traffic


# What a flow depends on: a name for all of it, or a doubt for part of it.
Unknown = str | Doubt


def rests_on(unknowns: list[Unknown], traffic: Traffic) -> set[str]:
    """The names that `traffic`, part of a flow with these unknowns, rests on: a doubt only
    when its traffic is part of it."""
    return {
        unknown if isinstance(unknown, str) else unknown.name
        for unknown in unknowns
        if isinstance(unknown, str) or unknown.traffic & traffic
    }


def carried_on(unknowns: list[Unknown], heard: Traffic) -> list[str]:
    """What a flow forwarded on (by a load balancer, a Private Link service) rests on, of what
    the arriving flow rested on: each name whose part of it the forward heard, for all of it."""
    return [
        u.name if isinstance(u, Doubt) else u
        for u in unknowns
        if not isinstance(u, Doubt) or u.traffic & heard
    ]


def rests_on_parts(unknowns: list[Unknown], traffic: Traffic) -> dict[str, Traffic]:
    """rests_on, with the part of `traffic` each name decides."""
    parts: dict[str, Traffic] = {}
    for unknown in unknowns:
        if isinstance(unknown, str):
            name, part = unknown, traffic
        else:
            name, part = unknown.name, unknown.traffic & traffic
        if part:
            parts[name] = parts[name] | part if name in parts else part
    return parts


# The private address of an endpoint of class N, chosen when it is deployed: named after the
# endpoint a finding is about (`private_address_of(3)` -> "@3.private-address").
_CLASS_ADDRESS = ".private-address"


def private_address_of(class_id: int) -> str:
    return f"@{class_id}{_CLASS_ADDRESS}"


def class_of_private_address(name: str) -> int | None:
    if name.startswith("@") and name.endswith(_CLASS_ADDRESS):
        number = name[1 : -len(_CLASS_ADDRESS)]
        return int(number) if number.isdecimal() else None
    return None


PathSource = list[Hop] | Callable[[], list[Hop]]


class Flow:
    """Traffic from `source` that arrives at `destination`, and the path it takes.

    `traffic` is as it arrives at the destination (after a load balancer rewrote the port). Its
    address axis is the external end's address (client for ingress, server for egress) and
    spans every address for flows between two endpoint classes.

    The path may be given as a function: it is built the first time someone reads it, since
    most flows are never reported and their hops are costly to describe.
    """

    __slots__ = ("_path", "destination", "source", "state", "traffic", "unknowns")

    def __init__(
        self,
        source: End,
        destination: End,
        traffic: Traffic,
        path: PathSource,
        state: FlowState = "reachable",
        unknowns: list[Unknown] | None = None,
    ) -> None:
        self.source = source
        self.destination = destination
        self.traffic = traffic
        self._path = path
        self.state: FlowState = state
        # Unknown values this flow depends on ("var.admin_range"), or part of its traffic does.
        self.unknowns: list[Unknown] = unknowns or []

    @property
    def path(self) -> list[Hop]:
        if callable(self._path):
            self._path = self._path()
        return self._path

    @property
    def through(self) -> list[Hop]:
        return self.path

    def forget_path(self) -> None:
        """No path, for a flow whose path no one reads: its builder (and all it holds) goes."""
        self._path = []

    def __repr__(self) -> str:
        return f"Flow({self.source!r} -> {self.destination!r}: {self.traffic!r}, {self.state})"


class Reachability(Struct):
    classes: list[EndpointClass]
    externals: list[External]
    flows: list[Flow]
    # How values not known before apply were taken; rules take unknown tags the same way.
    assume_unknown: Literal["open", "closed"] = "open"
