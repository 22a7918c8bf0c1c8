"""The engine and a packet-by-packet simulator agree on random small networks.

Each seed makes one network (tests/differential/networks.py) and a sample of concrete packets
on it; for each packet the engine's flows must give the simulator's verdict: reachable,
reply-dropped or blocked. A disagreement fails with the network cut down to what it needs.
"""

from __future__ import annotations

import pytest

from reachlint.engine.reach import compute_reachability
from reachlint.model.network import NetworkModel
from tests.differential.networks import (
    describe,
    engine_verdict,
    packets,
    random_network,
    shrink,
)
from tests.differential.simulator import Packet, Simulator

NETWORKS_PER_BATCH = 25
BATCHES = 40


def _disagreement(model: NetworkModel, packet: Packet) -> tuple[str, str] | None:
    expected = Simulator(model).verdict(packet)
    found = engine_verdict(compute_reachability(model), packet)
    return None if found == expected else (expected, found)


def _report(model: NetworkModel, packet: Packet) -> str:
    smallest = shrink(model, packet, lambda m: _disagreement(m, packet) is not None)
    verdicts = _disagreement(smallest, packet)
    assert verdicts is not None
    return (
        f"{packet.describe()}: simulator says {verdicts[0]}, engine says {verdicts[1]}\n"
        f"{describe(smallest)}"
    )


@pytest.mark.parametrize("batch", range(BATCHES))
def test_engine_agrees_with_the_simulator(batch: int) -> None:
    for seed in range(batch * NETWORKS_PER_BATCH, (batch + 1) * NETWORKS_PER_BATCH):
        model = random_network(seed)
        reach = compute_reachability(model)
        simulator = Simulator(model)
        for packet in packets(model, seed):
            if engine_verdict(reach, packet) != simulator.verdict(packet):
                pytest.fail(f"network {seed}: {_report(model, packet)}")


def test_the_sample_covers_every_verdict() -> None:
    """The random networks are varied enough to hit every outcome, on every kind of path."""
    seen: set[tuple[str, str]] = set()
    for seed in range(60):
        model = random_network(seed)
        simulator = Simulator(model)
        for packet in packets(model, seed):
            where = "internet" if "internet" in (packet.source, packet.destination) else "inside"
            if where == "inside":
                a = model.endpoints[packet.source].interfaces[0].subnet or ""
                b = model.endpoints[packet.destination].interfaces[0].subnet or ""
                net_a, net_b = model.subnets[a].network, model.subnets[b].network
                where = "same subnet" if a == b else "same vpc" if net_a == net_b else "peered"
            seen.add((where, simulator.verdict(packet)))
    for where in ("internet", "same vpc", "peered"):
        for verdict in ("reachable", "reply-dropped", "blocked"):
            assert (where, verdict) in seen
    assert ("same subnet", "reachable") in seen
    assert ("same subnet", "blocked") in seen


def test_the_sample_lets_services_through_over_one_family_only() -> None:
    """Dual-stack networks where a packet passes over IPv4 only, over IPv6 only, or over both
    with replies that get back over one family only: where mixing the families would show."""
    seen: set[tuple[str, str]] = set()
    for seed in range(1, 1000, 2):  # the networks the test above checks
        model = random_network(seed)
        simulator = Simulator(model)
        for packet in packets(model, seed):
            if "internet" in (packet.source, packet.destination):
                continue
            a, b = simulator._side(packet.source), simulator._side(packet.destination)
            ends = [(a.address_of(v), b.address_of(v)) for v in (4, 6)]
            if not all(x and y for x, y in ends):
                continue
            v4, v6 = (simulator._over_family(a, b, x, y, packet) for x, y in ends if x and y)
            seen.add((v4, v6))
    assert ("reachable", "blocked") in seen
    assert ("blocked", "reachable") in seen
    assert ("reachable", "reachable") in seen
    assert {("reachable", "reply-dropped"), ("reply-dropped", "reachable")} & seen
