"""The traffic set's quick operations give exactly what the general ones give."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reachlint.model.traffic import (
    _EVERYTHING_LEVEL,
    _INTER,
    _UNION,
    ADDR_MAX,
    IntervalSet,
    Level,
    Traffic,
    _combine,
    _combine_levels,
)

_spans = st.lists(
    st.tuples(st.integers(0, 300), st.integers(0, 40)).map(lambda p: (p[0], p[0] + p[1])),
    max_size=4,
)
intervals = _spans.map(IntervalSet)
protocols = st.lists(st.sampled_from([(1, 1), (6, 6), (17, 17), (0, 255), (5, 20)]), min_size=1)


@st.composite
def traffic(draw: st.DrawFn) -> Traffic:
    found = Traffic()
    for _ in range(draw(st.integers(0, 4))):
        found |= Traffic.box(
            IntervalSet(draw(protocols)), draw(intervals), draw(intervals) or IntervalSet([(0, 9)])
        )
    return found


@settings(max_examples=400, deadline=None)
@given(traffic(), intervals)
def test_only_addresses_is_the_set_and_a_box_of_them(
    found: Traffic, addresses: IntervalSet
) -> None:
    assert found.only_addresses(addresses) == found & Traffic.box(addresses=addresses)


@settings(max_examples=400, deadline=None)
@given(traffic())
def test_services_everywhere_is_the_union_of_every_addresses_services(found: Traffic) -> None:
    # The general union of the set's trees, as it was computed before the quick walk.
    expected: Level = ()
    for low, high, by_address in found._level:
        assert by_address is not True
        ports: Level = ()
        for _start, _end, port_level in by_address:
            assert port_level is not True
            ports = _combine(ports, port_level, _UNION)
        expected = _combine(expected, ((low, high, ((0, ADDR_MAX, ports),)),), _UNION)
    assert found.services_everywhere() == Traffic(expected)


@settings(max_examples=400, deadline=None)
@given(traffic(), st.integers(0, 360), st.integers(0, 360))
def test_addresses_between_two_cuts_are_treated_alike(found: Traffic, one: int, other: int) -> None:
    cuts = sorted(found.address_cuts())
    if any(min(one, other) < cut <= max(one, other) for cut in cuts):
        return  # a cut lies between them
    at_one = found.only_addresses(IntervalSet([(one, one)])).services_everywhere()
    at_other = found.only_addresses(IntervalSet([(other, other)])).services_everywhere()
    assert at_one == at_other


def test_the_everything_shortcut_stands_for_the_canonical_everything() -> None:
    assert Traffic.everything()._level == _EVERYTHING_LEVEL
    assert Traffic.box(addresses=IntervalSet([(0, ADDR_MAX)]))._level == _EVERYTHING_LEVEL


@settings(max_examples=300, deadline=None)
@given(traffic())
def test_a_set_and_everything_meet_in_the_set_either_way(found: Traffic) -> None:
    everything = Traffic.box()  # equal to the shortcut's constant, not the same object
    general = _combine_levels(found._level, everything._level, _INTER) if found else ()
    assert (found & everything)._level == general == found._level
    assert (everything & found)._level == general


@settings(max_examples=400, deadline=None)
@given(traffic(), st.integers(0, 360), st.integers(0, 40))
def test_a_peer_in_one_stretch_is_judged_as_if_its_address_were_known(
    region: Traffic, low: int, width: int
) -> None:
    # The filters project a verdict for an unknown address as for a known one when the peer
    # lies in one stretch: no cut of the region falls inside it.
    from reachlint.engine.filters import Filters, stretch_of
    from reachlint.model.network import NetworkModel

    peer = IntervalSet([(low, low + width)])
    if stretch_of(sorted(region.address_cuts()), peer) is None:
        return
    filters = Filters(NetworkModel(), "open")
    unknown = filters.project(region, peer, False, ("var.range",))
    assert filters.take_unknowns() == []
    assert unknown == filters.project(region, peer, True)


def _ipaddress_interval(text: str, stripped: bool = True) -> tuple[int, int] | str:
    """What ipaddress alone reads of a CIDR (with the space around it taken off), or that it
    refuses it."""
    import ipaddress

    try:
        net = ipaddress.ip_network(text.strip() if stripped else text, strict=False)
    except ValueError:
        return "refused"
    lo, hi = int(net.network_address), int(net.broadcast_address)
    return (lo, hi) if net.version == 4 else (lo + (1 << 32), hi + (1 << 32))


_octets = st.sampled_from(
    ["0", "00", "01", "1", "9", "10", "99", "100", "199", "249", "255", "256", "300", "0001", "٣"]
)
_prefixes = st.sampled_from(
    ["", "/0", "/8", "/08", "/24", "/32", "/33", "/-1", "/ 8", "/255.255.0.0", "/0.0.0.255", "/"]
)


@settings(max_examples=1000, deadline=None)
@given(
    st.lists(_octets, min_size=3, max_size=5),
    _prefixes,
    st.sampled_from(["", " ", "\n", "\t"]),
)
def test_a_cidr_reads_as_ipaddress_reads_it(octets: list[str], prefix: str, space: str) -> None:
    from reachlint.model.traffic import cidr_interval
    from reachlint.providers.values import valid_cidr

    text = f"{space}{'.'.join(octets)}{prefix}{space}"
    try:
        found: tuple[int, int] | str = cidr_interval(text)
    except ValueError:
        found = "refused"
    assert found == _ipaddress_interval(text), text
    assert valid_cidr(text) == (_ipaddress_interval(text, stripped=False) != "refused"), text


@pytest.mark.parametrize(
    "text", ["10.0.0.0/16\n", "10.0.0.0/16x", "::/0", "2001:db8::/32", "10.0.0.0/255.255.0.0"]
)
def test_other_cidr_texts_read_as_ipaddress_reads_them(text: str) -> None:
    from reachlint.model.traffic import cidr_interval

    try:
        found: tuple[int, int] | str = cidr_interval(text)
    except ValueError:
        found = "refused"
    assert found == _ipaddress_interval(text)
