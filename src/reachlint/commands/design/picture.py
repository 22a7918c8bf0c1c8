"""The network as a picture, before it is written in a graph language: networks and subnets
as nested boxes, endpoints, gateways and the outside as nodes, flows, findings and structure as
edges between them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from msgspec import Struct, field

Shape = Literal["endpoint", "gateway", "internet", "onprem", "placeholder"]
EdgeStyle = Literal["flow", "finding", "link"]


class Node(Struct):
    id: str
    lines: list[str]
    shape: Shape


class Box(Struct):
    """A network or subnet: what sits in it, and the subnets inside a network."""

    id: str
    lines: list[str]
    kind: Literal["network", "subnet"]
    nodes: list[Node] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)

    def anchor(self) -> Node:
        """A node inside the box, for edges that start or end at the box itself."""
        if self.nodes:
            return self.nodes[0]
        return self.boxes[0].anchor()


class Edge(Struct):
    source: str  # a node's id, or a box's for structure between networks
    target: str
    label: str
    style: EdgeStyle
    both_ways: bool = False  # the same traffic, with the same verdict, from target to source


class Picture(Struct):
    boxes: list[Box]
    nodes: list[Node]
    edges: list[Edge]

    def all_boxes(self) -> Iterator[Box]:
        return walk_boxes(self.boxes)

    def all_nodes(self) -> Iterator[Node]:
        return every_node(self.nodes, self.boxes)


def every_node(top: list[Node], boxes: list[Box]) -> Iterator[Node]:
    """The nodes outside the boxes, then those in each box."""
    yield from top
    for box in walk_boxes(boxes):
        yield from box.nodes


def walk_boxes(boxes: list[Box]) -> Iterator[Box]:
    """Every box, each before the boxes inside it."""
    stack = list(reversed(boxes))
    while stack:
        box = stack.pop()
        yield box
        stack.extend(reversed(box.boxes))
