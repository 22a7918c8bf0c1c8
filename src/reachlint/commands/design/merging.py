"""Fewer nodes and arrows for the same picture: nodes that every arrow treats alike as one node,
and two arrows that carry the same traffic both ways between two nodes as one.

Both only when the picture stays exact. Two web servers in two subnets, each reaching two
application servers, are otherwise drawn as four crossing arrows whose labels Mermaid puts on
top of one another.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

from reachlint.commands.design.picture import Edge

# An arrow without its ends: the same kind of arrow with the same label.
_Kind = tuple[str, str]


def alike_groups(
    candidates: Mapping[str, Hashable], sizes: Mapping[str, int], edges: list[Edge]
) -> list[list[str]]:
    """Groups of candidate nodes (two or more, in the order given) that can be drawn as one.

    Candidates may join only candidates with the same key. Joined, every arrow between two
    groups must stand for that arrow from each node of one to each node of the other, and an
    arrow from a group to itself for that arrow between any two of its nodes and, for a node
    with several members (`sizes`), among its own members: otherwise the picture would show
    traffic that does not flow.
    """
    present: dict[_Kind, set[tuple[str, str]]] = {}
    for edge in edges:
        present.setdefault((edge.style, edge.label), set()).add((edge.source, edge.target))
    key_ids: dict[Hashable, int] = {}
    block = {node: key_ids.setdefault(key, len(key_ids)) for node, key in candidates.items()}
    while True:
        refined = _refined(block, edges)
        nodes_of: dict[int, list[str]] = {}
        for node, number in refined.items():
            nodes_of.setdefault(number, []).append(node)
        inexact = _inexact(refined, nodes_of, sizes, present)
        if not inexact and len(nodes_of) == len(set(block.values())):
            return [nodes for nodes in nodes_of.values() if len(nodes) > 1]
        block = {node: number for node, number in refined.items() if number not in inexact}


def _refined(block: dict[str, int], edges: list[Edge]) -> dict[str, int]:
    """Each group split by which kinds of arrow its nodes have to and from which groups."""

    def group(node: str) -> Hashable:
        return block.get(node, node)

    signature: dict[str, set[tuple[str, str, str, Hashable]]] = {node: set() for node in block}
    for edge in edges:
        if edge.source in block:
            signature[edge.source].add(("to", edge.style, edge.label, group(edge.target)))
        if edge.target in block:
            signature[edge.target].add(("from", edge.style, edge.label, group(edge.source)))
    numbers: dict[tuple[int, frozenset[tuple[str, str, str, Hashable]]], int] = {}
    return {
        node: numbers.setdefault((block[node], frozenset(signature[node])), len(numbers))
        for node in block
    }


def _inexact(
    block: dict[str, int],
    nodes_of: dict[int, list[str]],
    sizes: Mapping[str, int],
    present: dict[_Kind, set[tuple[str, str]]],
) -> set[int]:
    """Groups of several nodes that some arrow, drawn between groups, would overstate."""

    def nodes(node: str) -> list[str]:
        return nodes_of[block[node]] if node in block else [node]

    inexact: set[int] = set()
    for pairs in present.values():
        for source, target in pairs:
            sources, targets = nodes(source), nodes(target)
            if len(sources) == 1 and len(targets) == 1:
                continue
            if any(
                (left, right) not in pairs
                for left in sources
                for right in targets
                if left != right or sizes.get(left, 1) > 1
            ):
                inexact.update(block[end] for end in (source, target) if end in block)
    return {number for number in inexact if len(nodes_of[number]) > 1}


def merged_edges(edges: list[Edge], node_of: dict[str, str]) -> list[Edge]:
    """The arrows between the merged nodes, each once, in the order first drawn."""
    seen: set[tuple[str, str, str, str]] = set()
    kept: list[Edge] = []
    for edge in edges:
        source = node_of.get(edge.source, edge.source)
        target = node_of.get(edge.target, edge.target)
        key = (source, target, edge.style, edge.label)
        if key not in seen:
            seen.add(key)
            kept.append(Edge(source, target, edge.label, edge.style))
    return kept


def two_way(edges: list[Edge]) -> list[Edge]:
    """An arrow and the same arrow back as one arrow with two heads, where the first was."""
    directed = {
        (edge.source, edge.target, edge.style, edge.label) for edge in edges if edge.style != "link"
    }
    kept: list[Edge] = []
    dropped: set[tuple[str, str, str, str]] = set()
    for edge in edges:
        key = (edge.source, edge.target, edge.style, edge.label)
        back = (edge.target, edge.source, edge.style, edge.label)
        if key in dropped:
            continue
        if edge.source != edge.target and key in directed and back in directed:
            dropped.add(back)
            kept.append(Edge(edge.source, edge.target, edge.label, edge.style, both_ways=True))
        else:
            kept.append(edge)
    return kept
