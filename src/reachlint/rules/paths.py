"""A path as the reports show it: the hops of the flow that carries most of some traffic, with
those of the flows that carry the rest of it, and of their filter rules only those that admit
part of it."""

from __future__ import annotations

from collections.abc import Iterable

from reachlint.engine.flows import Flow, Hop, merged_hops
from reachlint.model.traffic import Traffic
from reachlint.rules.findings import HopRef


def path_through(flows: list[Flow], traffic: Traffic) -> list[HopRef]:
    """The path of the flow that carries most of `traffic`, with the other flows' ways for what
    it does not carry; of the filter rules, those that admit some of it."""
    carrier = max(flows, key=lambda flow: traffic_size(flow.traffic & traffic))
    return hop_refs(covering_path(carrier, flows, traffic), traffic)


def covering_path(carrier: Flow, flows: Iterable[Flow], traffic: Traffic) -> list[Hop]:
    """The carrier's path, with the hops of each other flow that carries part of `traffic` the
    carrier does not: another address family's route, a load balancer that forwards another
    port. Flows that carry only what the carrier does are other ways to the same end, left out."""
    hops = carrier.path
    uncovered = traffic - carrier.traffic
    for flow in flows:
        if not uncovered:
            break
        part = flow.traffic & uncovered
        if flow is not carrier and part:
            hops = merged_hops(hops, flow.path)
            uncovered = uncovered - part
    return hops


def hop_refs(path: list[Hop], traffic: Traffic) -> list[HopRef]:
    """The path's hops; of the filter rules, only those that admit some of `traffic`."""
    return [hop_ref(hop) for hop in path if hop.admits is None or hop.admits & traffic]


def traffic_size(traffic: Traffic) -> int:
    """How many (protocol, port) services the traffic holds, addresses aside."""
    return sum(
        (high - low + 1) * sum(end - start + 1 for start, end in ports.intervals)
        for (low, high), ports in traffic.services()
    )


def hop_ref(hop: Hop) -> HopRef:
    return HopRef(
        address=hop.address,
        kind=hop.kind,
        detail=hop.detail,
        file=hop.origin.file,
        line=hop.origin.line,
    )
