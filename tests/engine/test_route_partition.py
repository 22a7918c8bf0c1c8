"""A route table partitions a destination by longest prefix: routes that lie apart from the
destination are passed over by their ends, and one address in common is not apart."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reachlint.engine.route_tables import RouteEntry, RouteView
from reachlint.model.traffic import IntervalSet


def _entry(name: str, addresses: IntervalSet, prefix: int) -> RouteEntry:
    return RouteEntry(name, addresses, prefix, "local", None, None, None)


def _parts(view: RouteView, destination: IntervalSet) -> list[tuple[IntervalSet, str]]:
    return [(part, entry.destination) for part, entry in view.partition(destination)]


def _intersected(
    entries: list[RouteEntry], destination: IntervalSet
) -> list[tuple[IntervalSet, str]]:
    """The partition by intersecting every route, in the view's order."""
    remaining, parts = destination, []
    for entry in RouteView(None, entries).entries:
        part = remaining & entry.addresses
        if part:
            parts.append((part, entry.destination))
            remaining = remaining - part
    return parts


def test_a_route_sharing_one_address_at_either_end_takes_it() -> None:
    below = _entry("below", IntervalSet([(0, 10)]), -4)
    above = _entry("above", IntervalSet([(20, 30)]), -4)
    view = RouteView(None, [below, above])
    destination = IntervalSet([(10, 20)])
    assert _parts(view, destination) == [
        (IntervalSet([(10, 10)]), "below"),
        (IntervalSet([(20, 20)]), "above"),
    ]


_INTERVAL = st.tuples(st.integers(0, 64), st.integers(0, 16)).map(lambda s: (s[0], s[0] + s[1]))
_SET = st.lists(_INTERVAL, min_size=0, max_size=3).map(IntervalSet)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_SET, st.integers(-8, 0)), max_size=6), _SET)
def test_passing_over_routes_apart_changes_no_partition(
    routes: list[tuple[IntervalSet, int]], destination: IntervalSet
) -> None:
    entries = [_entry(f"r{n}", addresses, prefix) for n, (addresses, prefix) in enumerate(routes)]
    assert _parts(RouteView(None, entries), destination) == _intersected(entries, destination)
