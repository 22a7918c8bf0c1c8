"""A strict parser for the part of Mermaid's flowchart syntax that `reachlint graph` writes.

Mermaid's own parser runs in JavaScript inside Mermaid, a large package with a DOM; the tests
stay fast and offline by parsing the small, fixed subset reachlint emits, and rejecting
everything else:

    flowchart TB
      ID["text"]   ID{{"text"}}   ID(["text"])   ID[("text")]      nodes
      subgraph ID ["text"] ... end                                  boxes, nested
      ID --> ID   ID ==> ID   ID <--> ID   ID <==> ID   ID -.- ID, each with an optional |"text"|
      linkStyle N,N style   classDef NAME style   class ID,ID NAME

Quoted text may hold entity codes (#quot;, #35;) and <br/> line breaks, never a bare quote,
`#` or angle bracket. Beyond the grammar it checks what Mermaid would trip on: ids that are
keywords or defined twice, edges and classes naming ids that do not exist, linkStyle numbers
past the last edge, and subgraph / end that do not pair up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

KEYWORDS = {
    "end",
    "subgraph",
    "graph",
    "flowchart",
    "class",
    "classDef",
    "linkStyle",
    "style",
    "click",
    "direction",
}
_ID = r"[A-Za-z][A-Za-z0-9_]*"
_TEXT = r'"([^"]*)"'
_SHAPES = [
    (r"\[" + _TEXT + r"\]", "rect"),
    (r"\{\{" + _TEXT + r"\}\}", "hexagon"),
    (r"\(\[" + _TEXT + r"\]\)", "stadium"),
    (r"\[\(" + _TEXT + r"\)\]", "cylinder"),
]
_NODE = [(re.compile(rf"^({_ID}){shape}$"), name) for shape, name in _SHAPES]
_SUBGRAPH = re.compile(rf"^subgraph ({_ID})(?: \[{_TEXT}\])?$")
_EDGE = re.compile(rf"^({_ID}) (<?-->|<?==>|-\.-)(?:\|{_TEXT}\|)? ({_ID})$")
_STYLE = r"[a-z-]+:[#A-Za-z0-9.%()-]+(?:,[a-z-]+:[#A-Za-z0-9.%()-]+)*"
_LINK_STYLE = re.compile(rf"^linkStyle ([0-9]+(?:,[0-9]+)*) ({_STYLE})$")
_CLASS_DEF = re.compile(rf"^classDef ({_ID}) ({_STYLE})$")
_CLASS = re.compile(rf"^class ({_ID}(?:,{_ID})*) ({_ID})$")
_ENTITY = re.compile(r"#(?:[a-z]+|[0-9]+);")


class MermaidError(ValueError):
    pass


@dataclass
class Edge:
    source: str
    arrow: str
    label: str | None
    target: str
    styles: list[str] = field(default_factory=list)


@dataclass
class Flowchart:
    direction: str
    nodes: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (shape, text)
    subgraphs: dict[str, str] = field(default_factory=dict)  # id -> text
    parent: dict[str, str | None] = field(default_factory=dict)  # node or subgraph -> subgraph
    edges: list[Edge] = field(default_factory=list)
    classes: dict[str, str] = field(default_factory=dict)  # node id -> class name
    class_styles: dict[str, str] = field(default_factory=dict)  # class name -> style

    def text(self, identifier: str) -> str:
        """A node's or subgraph's text, entity codes decoded and lines joined by newlines."""
        raw = self.nodes[identifier][1] if identifier in self.nodes else self.subgraphs[identifier]
        return _decode(raw)

    def inside(self, identifier: str) -> list[str]:
        """The subgraphs around a node, innermost first."""
        chain = []
        parent = self.parent.get(identifier)
        while parent is not None:
            chain.append(parent)
            parent = self.parent.get(parent)
        return chain


def _decode(text: str) -> str:
    codes = {"#quot;": '"', "#35;": "#", "#lt;": "<", "#gt;": ">"}
    text = text.replace("<br/>", "\n")
    return _ENTITY.sub(lambda match: codes.get(match.group(0), _numeric(match.group(0))), text)


def _numeric(code: str) -> str:
    """#160; is the character numbered 160, as in Mermaid; other names stay as written."""
    return chr(int(code[1:-1])) if code[1:-1].isdigit() else code


def _check_text(text: str, line_number: int) -> str:
    rest = _ENTITY.sub("", text.replace("<br/>", ""))
    for character in '#<>"':
        if character in rest:
            raise MermaidError(f"line {line_number}: {character!r} in text must be an entity code")
    return text


def parse_flowchart(source: str) -> Flowchart:
    lines = source.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise MermaidError("empty diagram")
    header = re.fullmatch(r"flowchart (TB|TD|BT|LR|RL)", lines[0])
    if header is None:
        raise MermaidError(f"line 1: expected 'flowchart TB' (or TD, BT, LR, RL), got {lines[0]!r}")
    chart = Flowchart(direction=header.group(1))
    open_subgraphs: list[str] = []
    link_styles: list[tuple[int, list[int], str]] = []
    class_statements: list[tuple[int, list[str], str]] = []

    def declare(identifier: str, number: int) -> None:
        if identifier in KEYWORDS:
            raise MermaidError(f"line {number}: {identifier!r} is a keyword, not an id")
        if identifier in chart.nodes or identifier in chart.subgraphs:
            raise MermaidError(f"line {number}: {identifier!r} is defined twice")
        chart.parent[identifier] = open_subgraphs[-1] if open_subgraphs else None

    for number, raw in enumerate(lines[1:], start=2):
        line = raw.strip()
        if raw != raw.rstrip() or not line:
            raise MermaidError(f"line {number}: blank or trailing space")
        if line == "end":
            if not open_subgraphs:
                raise MermaidError(f"line {number}: 'end' without a subgraph")
            open_subgraphs.pop()
            continue
        if match := _SUBGRAPH.match(line):
            declare(match.group(1), number)
            chart.subgraphs[match.group(1)] = _check_text(match.group(2) or "", number)
            open_subgraphs.append(match.group(1))
            continue
        if match := _EDGE.match(line):
            label = match.group(3)
            if label is not None:
                _check_text(label, number)
            chart.edges.append(Edge(match.group(1), match.group(2), label, match.group(4)))
            continue
        if match := _LINK_STYLE.match(line):
            link_styles.append((number, [int(n) for n in match.group(1).split(",")], match[2]))
            continue
        if match := _CLASS_DEF.match(line):
            chart.class_styles[match.group(1)] = match.group(2)
            continue
        if match := _CLASS.match(line):
            class_statements.append((number, match.group(1).split(","), match.group(2)))
            continue
        for pattern, shape in _NODE:
            if match := pattern.match(line):
                declare(match.group(1), number)
                chart.nodes[match.group(1)] = (shape, _check_text(match.group(2), number))
                break
        else:
            raise MermaidError(f"line {number}: not a statement of the flowchart subset: {line!r}")
    if open_subgraphs:
        raise MermaidError(f"subgraph {open_subgraphs[-1]!r} has no 'end'")
    known = chart.nodes.keys() | chart.subgraphs.keys()
    for edge in chart.edges:
        for identifier in (edge.source, edge.target):
            if identifier not in known:
                raise MermaidError(f"an edge names {identifier!r}, which is not defined")
    for number, indexes, style in link_styles:
        for index in indexes:
            if index >= len(chart.edges):
                raise MermaidError(f"line {number}: linkStyle {index} but there are fewer edges")
            chart.edges[index].styles.append(style)
    for number, identifiers, name in class_statements:
        if name not in chart.class_styles:
            raise MermaidError(f"line {number}: class {name!r} has no classDef before it")
        for identifier in identifiers:
            if identifier not in known:  # Mermaid styles a subgraph by class too
                raise MermaidError(f"line {number}: class names {identifier!r}, not defined")
            chart.classes[identifier] = name
    return chart
