"""`check --base` keeps of the base only the traffic between its ends: the base's model and
engine must go as soon as they are let go. The collector of reference cycles is off while
reachlint runs (cli.main), so nothing of them may refer back to itself."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from reachlint.commands.changes.diff import Snapshot
from reachlint.engine.reach import compute_reachability, traffic_only
from reachlint.inputs.load import build_model

REPO = Path(__file__).resolve().parents[2]
INPUTS = [
    REPO / "fixtures/aws/three-tier/plan.json",  # pairs, load balancers, NAT
    REPO / "fixtures/aws/facts/nlb-client-family/plan.json",  # views by address family
    REPO / "fixtures/azure/hub-spoke/template.json",  # peering, a firewall
    REPO / "fixtures/azure/public-web/template.json",  # NSGs on subnets and interfaces
]


@pytest.fixture
def collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


def _left_in_cycles() -> list[str]:
    """The model's and engine's objects that only the cyclic collector would free."""
    gc.set_debug(gc.DEBUG_SAVEALL)
    gc.collect()
    found = sorted({type(o).__qualname__ for o in gc.garbage if _ours(o)})
    gc.set_debug(0)
    gc.garbage.clear()
    return found


def _ours(thing: object) -> bool:
    """The model's and the engine's (the loaders' own cycles are theirs, and hold neither)."""
    return type(thing).__module__.startswith(("reachlint.model.", "reachlint.engine."))


@pytest.mark.parametrize("path", INPUTS, ids=lambda path: path.parent.name)
def test_a_side_without_paths_is_freed_by_reference_counting(
    path: Path, collector_off: None
) -> None:
    model = build_model([path])
    kept = Snapshot(model, traffic_only(model), []).flow_traffic()
    assert kept.flows
    del model
    assert _left_in_cycles() == []


def test_the_same_side_with_paths_needs_the_collector(collector_off: None) -> None:
    # What the test above guards against: flows whose paths are built later hold the engine.
    model = build_model([INPUTS[0]])
    reach = compute_reachability(model)
    del model, reach
    assert _left_in_cycles()


@pytest.mark.parametrize("path", INPUTS, ids=lambda path: path.parent.name)
def test_the_traffic_is_the_same_without_paths(path: Path) -> None:
    with_paths = Snapshot(build_model([path]), compute_reachability(build_model([path])), [])
    without = Snapshot(build_model([path]), traffic_only(build_model([path])), [])
    assert with_paths.flow_traffic().flows == without.flow_traffic().flows
