"""A picture of the network written as Graphviz DOT or as a Mermaid flowchart."""

from __future__ import annotations

from reachlint.commands.design.picture import Box, Edge, Node, Picture
from reachlint.safe_text import mermaid_label, one_line

RED = "#d62728"
SUBNET_STYLE = "fill:none,stroke:#7f7f7f,stroke-dasharray:5"


_DOT_SHAPES = {
    "endpoint": 'shape=box, style="rounded,filled", fillcolor="#ffffff"',
    "gateway": 'shape=hexagon, style=filled, fillcolor="#f2f2f2"',
    "internet": 'shape=ellipse, style=filled, fillcolor="#e8f0fe"',
    "onprem": 'shape=box3d, style=filled, fillcolor="#fff4e0"',
    "placeholder": "shape=point, style=invis, width=0",
}
_DOT_BOXES = {
    "network": 'style="rounded"; color="#1f77b4"; fontcolor="#1f77b4";',
    "subnet": 'style="rounded,dashed"; color="#7f7f7f"; fontcolor="#555555";',
}
_DOT_EDGES = {
    "flow": 'color="#333333"',
    "finding": f'color="{RED}", fontcolor="{RED}", penwidth=2',
    "link": 'style=dashed, dir=none, color="#999999", fontcolor="#777777"',
}


def render_dot(picture: Picture) -> str:
    lines = [
        "digraph network {",
        '  graph [compound=true, newrank=true, fontname="Helvetica", fontsize=11, nodesep=0.35,'
        " ranksep=0.6];",
        '  node [fontname="Helvetica", fontsize=10, color="#555555"];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    for node in picture.nodes:
        lines.append(f"  {_dot_node(node)}")
    outside = [node.id for node in picture.nodes if node.shape in ("internet", "onprem")]
    if outside:
        # The internet and on-premises sites sit above the networks, as reviewers draw them.
        lines.append(f"  {{rank=min; {'; '.join(outside)};}}")
    for box in picture.boxes:
        lines += _dot_box(box, "  ")
    boxes = {box.id: box for box in picture.all_boxes()}
    for edge in picture.edges:
        lines.append(f"  {_dot_edge(edge, boxes)}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_text(lines: list[str]) -> str:
    escaped = (one_line(line).replace("\\", "\\\\").replace('"', '\\"') for line in lines)
    return '"' + "\\n".join(escaped) + '"'


def _dot_node(node: Node) -> str:
    return f"{node.id} [label={_dot_text(node.lines)}, {_DOT_SHAPES[node.shape]}];"


def _dot_box(box: Box, indent: str) -> list[str]:
    inner = indent + "  "
    lines = [
        f"{indent}subgraph cluster_{box.id} {{",
        f"{inner}label={_dot_text(box.lines)}; {_DOT_BOXES[box.kind]}",
    ]
    lines += [f"{inner}{_dot_node(node)}" for node in box.nodes]
    for child in box.boxes:
        lines += _dot_box(child, inner)
    lines.append(f"{indent}}}")
    return lines


def _dot_edge(edge: Edge, boxes: dict[str, Box]) -> str:
    attributes = [_DOT_EDGES[edge.style]]
    source, target = edge.source, edge.target
    if source in boxes:
        attributes.append(f"ltail=cluster_{source}")
        source = boxes[source].anchor().id
    if target in boxes:
        attributes.append(f"lhead=cluster_{target}")
        target = boxes[target].anchor().id
    if edge.both_ways:
        attributes.append("dir=both")
    if edge.label:
        attributes.append(f"label={_dot_text([edge.label])}")
    return f"{source} -> {target} [{', '.join(attributes)}];"


# ----- Mermaid -------------------------------------------------------------------------------

_MERMAID_SHAPES = {
    "endpoint": ('["', '"]'),
    "gateway": ('{{"', '"}}'),
    "internet": ('(["', '"])'),
    "onprem": ('[("', '")]'),
}
# The character itself: mermaid 11.3 leaves the entity code #160; undecoded in titles.
_NBSP = "\u00a0"
_NO_BREAK = f"{_NBSP}·{_NBSP}"
_MERMAID_ARROWS = {"flow": "-->", "finding": "==>", "link": "-.-"}
_MERMAID_CLASSES = {
    "gateway": "fill:#f2f2f2,stroke:#7f7f7f",
    "internet": "fill:#e8f0fe,stroke:#1f77b4",
    "onprem": "fill:#fff4e0,stroke:#ff7f0e",
}


def render_mermaid(picture: Picture) -> str:
    lines = ["flowchart TB"]
    for node in picture.nodes:
        lines.append(f"  {_mermaid_node(node)}")
    for box in picture.boxes:
        lines += _mermaid_box(box, "  ")
    red: list[int] = []
    for index, edge in enumerate(picture.edges):
        arrow = _MERMAID_ARROWS[edge.style]
        if edge.both_ways:
            arrow = "<" + arrow
        label = f'|"{_mermaid_text([edge.label])}"|' if edge.label else ""
        lines.append(f"  {edge.source} {arrow}{label} {edge.target}")
        if edge.style == "finding":
            red.append(index)
    if red:
        numbers = ",".join(str(index) for index in red)
        lines.append(f"  linkStyle {numbers} stroke:{RED},stroke-width:2px,color:{RED}")
    shapes: dict[str, list[str]] = {}
    for node in picture.all_nodes():
        if node.shape in _MERMAID_CLASSES:
            shapes.setdefault(node.shape, []).append(node.id)
    for shape, style in _MERMAID_CLASSES.items():
        if shape in shapes:
            lines.append(f"  classDef {shape} {style}")
            lines.append(f"  class {','.join(shapes[shape])} {shape}")
    # Subnets dashed, as in DOT: an empty one then reads as a box, not as an endpoint.
    subnets = [box.id for box in picture.all_boxes() if box.kind == "subnet"]
    if subnets:
        lines.append(f"  classDef subnet {SUBNET_STYLE}")
        lines.append(f"  class {','.join(subnets)} subnet")
    return "\n".join(lines) + "\n"


def _mermaid_text(lines: list[str]) -> str:
    """Quoted Mermaid text: entity codes for what would end or break it, <br/> between lines."""
    return "<br/>".join(mermaid_label(line) for line in lines)


def _mermaid_node(node: Node) -> str:
    opening, closing = _MERMAID_SHAPES[node.shape]
    return f"{node.id}{opening}{_mermaid_text(node.lines)}{closing}"


def _mermaid_box(box: Box, indent: str) -> list[str]:
    inner = indent + "  "
    # One line, with no space to wrap at: Mermaid draws a title's second line under the first
    # box inside it, hiding the address range.
    title = _NO_BREAK.join(mermaid_label(line).replace(" ", _NBSP) for line in box.lines)
    lines = [f'{indent}subgraph {box.id} ["{title}"]']
    # Mermaid draws an empty box without help; the invisible node is for Graphviz only.
    lines += [f"{inner}{_mermaid_node(node)}" for node in box.nodes if node.shape != "placeholder"]
    for child in box.boxes:
        lines += _mermaid_box(child, inner)
    lines.append(f"{indent}end")
    return lines


def render_picture(picture: Picture, fmt: str) -> str:
    return render_dot(picture) if fmt == "dot" else render_mermaid(picture)
