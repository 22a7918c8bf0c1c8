"""Nodes drawn as one and arrows drawn both ways: only when the picture stays exact."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reachlint.commands.design.merging import alike_groups, merged_edges, two_way
from reachlint.commands.design.picture import Edge


def _flow(source: str, target: str, label: str = "tcp 22") -> Edge:
    return Edge(source, target, label, "flow")


# Two web nodes and two app nodes, one of each per subnet, and a database.
WEB_APP = {"w1": "web", "w2": "web", "a1": "app", "a2": "app"}
ONE_EACH = dict.fromkeys(WEB_APP, 1)


def test_every_web_node_reaching_every_app_node_alike_makes_one_node_each() -> None:
    edges = [_flow(w, a, "tcp 8080") for w in ("w1", "w2") for a in ("a1", "a2")]
    edges += [_flow("a1", "db", "tcp 5432"), _flow("a2", "db", "tcp 5432")]
    assert sorted(alike_groups(WEB_APP, ONE_EACH, edges)) == [["a1", "a2"], ["w1", "w2"]]


def test_a_missing_arrow_keeps_the_nodes_apart() -> None:
    # w2 does not reach a1: one web node to one app node would say it does.
    edges = [_flow("w1", "a1"), _flow("w1", "a2"), _flow("w2", "a2")]
    assert alike_groups(WEB_APP, ONE_EACH, edges) == []


WEB = {"w1": "web", "w2": "web"}


def test_other_traffic_keeps_the_nodes_apart() -> None:
    edges = [_flow("w1", "db", "tcp 5432"), _flow("w2", "db", "tcp 5433")]
    assert alike_groups(WEB, ONE_EACH, edges) == []


def test_a_finding_is_an_arrow_of_its_own_kind() -> None:
    edges = [_flow("w1", "db"), Edge("w2", "db", "tcp 22", "finding")]
    assert alike_groups(WEB, ONE_EACH, edges) == []
    # Without arrows the picture says nothing that could be wrong of either.
    assert alike_groups(WEB, ONE_EACH, []) == [["w1", "w2"]]


def test_nodes_of_other_groups_never_join() -> None:
    edges = [_flow("w1", "db"), _flow("a1", "db")]
    assert alike_groups({"w1": "web", "a1": "app"}, {"w1": 1, "a1": 1}, edges) == []


def test_an_arrow_within_the_joined_node_needs_every_pair() -> None:
    sizes = {"w1": 2, "w2": 2}
    keys = {"w1": "web", "w2": "web"}
    across = [_flow("w1", "w2"), _flow("w2", "w1")]
    loops = [_flow("w1", "w1"), _flow("w2", "w2")]
    assert alike_groups(keys, sizes, across + loops) == [["w1", "w2"]]
    # w2's own two members do not reach each other: a loop on the joined node would say so.
    assert alike_groups(keys, sizes, [*across, loops[0]]) == []
    # With one member each, the two reaching each other is the whole loop.
    assert alike_groups(keys, {"w1": 1, "w2": 1}, across) == [["w1", "w2"]]


def test_nodes_that_differ_at_the_far_end_are_told_apart() -> None:
    # a1 and a2 go on to different places: two app nodes, and each web node reaches both.
    edges = [_flow(w, a) for w in ("w1", "w2") for a in ("a1", "a2")]
    edges += [_flow("a1", "db"), _flow("a2", "cache")]
    assert alike_groups(WEB_APP, ONE_EACH, edges) == [["w1", "w2"]]


def test_merged_arrows_are_drawn_once_in_first_order() -> None:
    edges = [_flow("w1", "db"), _flow("w2", "db"), _flow("db", "w2", "tcp 80")]
    assert merged_edges(edges, {"w2": "w1"}) == [_flow("w1", "db"), _flow("db", "w1", "tcp 80")]


def test_the_same_traffic_both_ways_is_one_arrow_with_two_heads() -> None:
    edges = [
        _flow("lb", "vm", "tcp 80"),
        _flow("vm", "lb", "tcp 80"),
        _flow("vm", "db", "tcp 80"),
        _flow("db", "vm", "tcp 443"),
        Edge("vm", "x", "tcp 22", "finding"),
        _flow("x", "vm", "tcp 22"),
        Edge("a", "b", "", "link"),
        Edge("b", "a", "", "link"),
    ]
    assert two_way(edges) == [
        Edge("lb", "vm", "tcp 80", "flow", both_ways=True),
        *edges[2:],
    ]


_NODES = ["p1", "p2", "p3", "q1", "q2", "x", "y"]
_KEYS = {"p1": "p", "p2": "p", "p3": "p", "q1": "q", "q2": "q"}


@st.composite
def _pictures(draw: st.DrawFn) -> tuple[dict[str, int], list[Edge]]:
    sizes = {node: draw(st.integers(1, 2)) for node in _NODES}
    kinds = st.sampled_from([("flow", "tcp 22"), ("flow", "tcp 80"), ("finding", "tcp 22")])
    pairs = st.tuples(st.sampled_from(_NODES), st.sampled_from(_NODES), kinds)
    found = draw(st.sets(pairs, max_size=30))
    # A node of one member has no arrow to itself, as the drawing never makes one.
    edges = [
        Edge(source, target, label, style)
        for source, target, (style, label) in sorted(found)
        if source != target or sizes[source] > 1
    ]
    return sizes, edges


@settings(max_examples=300, deadline=None)
@given(_pictures())
def test_the_joined_picture_stands_for_exactly_the_arrows_drawn(
    picture: tuple[dict[str, int], list[Edge]],
) -> None:
    sizes, edges = picture
    groups = alike_groups(_KEYS, {n: sizes[n] for n in _KEYS}, edges)
    into = {node: group[0] for group in groups for node in group}
    parts = {group[0]: group for group in groups}
    drawn = merged_edges(edges, into)
    meant = {
        (left, right, edge.style, edge.label)
        for edge in drawn
        for left in parts.get(edge.source, [edge.source])
        for right in parts.get(edge.target, [edge.target])
        if left != right or sizes[left] > 1
    }
    assert meant == {(e.source, e.target, e.style, e.label) for e in edges}
    assert all(len({_KEYS[node] for node in group}) == 1 for group in groups)
