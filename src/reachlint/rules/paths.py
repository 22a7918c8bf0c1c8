"""A path as the reports show it: the hops of the flow that carries most of some traffic, and of
its filter rules only those that admit part of it."""

from __future__ import annotations

from reachlint.engine.flows import Flow, Hop
from reachlint.model.traffic import Traffic
from reachlint.rules.findings import HopRef


def path_through(flows: list[Flow], traffic: Traffic) -> list[HopRef]:
    """The path of the flow that carries most of `traffic`; of its filter rules, those that
    admit some of it."""
    carrier = max(flows, key=lambda flow: traffic_size(flow.traffic & traffic))
    return [hop_ref(hop) for hop in carrier.path if hop.admits is None or hop.admits & traffic]


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
