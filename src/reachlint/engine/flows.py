"""What the engine produces: endpoint classes, external ends and the flows between them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from reachlint.model import Origin
from reachlint.traffic import Traffic

FlowState = Literal["reachable", "reply-dropped"]


@dataclass(frozen=True)
class Hop:
    """One component on a path and the fact about it that lets the traffic through."""

    address: str
    kind: str  # internet-gateway, route, security-group-rule, network-acl-entry, load-balancer...
    type: str  # the resource type as the input names it (aws_route, aws_lb...)
    detail: str
    origin: Origin = field(default_factory=Origin)
    # For filter rules on the path: the traffic this hop admits (None: the hop does not filter).
    # A report shows only the filter hops that admit some of the traffic it is about.
    admits: Traffic | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Member:
    """One endpoint interface inside a class."""

    endpoint: str  # endpoint address
    interface: str


@dataclass
class EndpointClass:
    """Interfaces that the network cannot tell apart: same subnet, groups, public address..."""

    id: int
    network: str | None
    subnet: str | None
    public: bool
    security_groups: tuple[str, ...]
    members: list[Member] = field(default_factory=list)


@dataclass(frozen=True)
class External:
    """The internet, or one on-premises network (named by the resource that defines it)."""

    address: str  # "internet" or the VPN connection / customer gateway / local network gateway
    kind: Literal["internet", "onprem"]
    origin: Origin = field(default_factory=Origin)


End = EndpointClass | External


@dataclass
class Flow:
    """Traffic from `source` that arrives at `destination`, and the path it takes.

    `traffic` is as it arrives at the destination (after a load balancer rewrote the port). Its
    address axis is the external end's address (client for ingress, server for egress) and
    spans every address for flows between two endpoint classes.
    """

    source: End
    destination: End
    traffic: Traffic
    path: list[Hop]
    state: FlowState = "reachable"
    # Addresses of unknown values this flow depends on ("aws_instance.web.private_ip").
    unknowns: list[str] = field(default_factory=list)

    @property
    def through(self) -> list[Hop]:
        return self.path


@dataclass
class Reachability:
    classes: list[EndpointClass]
    externals: list[External]
    flows: list[Flow]
