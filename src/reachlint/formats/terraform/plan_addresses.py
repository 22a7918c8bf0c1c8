"""Addresses in a Terraform plan: resource instance addresses, and the references that the
plan's configuration section lists for each expression (`aws_subnet.a["x"].id`,
`module.sg[0].id`, `each.value`), parsed into steps.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

from msgspec import Struct

Key = int | str | None
# module.a["x"].module.b -> (("a", "x"), ("b", None))
ModulePath = tuple[tuple[str, Key], ...]
# (module instance path, "aws_subnet.private" or "data.aws_vpc.main")
Target = tuple[ModulePath, str]


class AllInstances:
    """Every instance of a counted or for_each resource."""

    def __repr__(self) -> str:
        return "ALL"


ALL = AllInstances()
Group = tuple[Target, Key | AllInstances]
# Resolved resource groups, and the locals met on the way (rendered "local.x in module.web").
Resolved = tuple[list[Group], tuple[str, ...]]

_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
_KEY = r'\[(?:\d+|"(?:[^"\\]|\\.)*")\]'
_MODULE_STEP = re.compile(rf"module\.({_NAME})({_KEY})?\.")
_RESOURCE_PART = re.compile(rf"(data\.)?({_NAME})\.({_NAME})({_KEY})?")


class Address(Struct, frozen=True):
    module_path: ModulePath
    module: str  # module.a["x"] as written in the address
    mode: str
    type: str
    name: str
    key: Key

    @property
    def resource(self) -> str:
        prefix = "data." if self.mode == "data" else ""
        return f"{prefix}{self.type}.{self.name}"


@lru_cache(maxsize=16384)  # the keys of module instances recur in every address inside them
def _parse_key(text: str | None) -> Key:
    if text is None:
        return None
    inner = text[1:-1]
    if not inner.startswith('"'):
        return int(inner)
    try:
        value = json.loads(inner)
    except ValueError:  # an HCL escape JSON does not know: keep the key as written
        return inner[1:-1]
    return value if isinstance(value, str) else None


def parse_address(address: str) -> Address | None:
    position = 0
    module_path: list[tuple[str, Key]] = []
    while match := _MODULE_STEP.match(address, position):
        module_path.append((match.group(1), _parse_key(match.group(2))))
        position = match.end()
    match = _RESOURCE_PART.fullmatch(address, position)
    if match is None:
        return None
    return Address(
        module_path=tuple(module_path),
        module=address[: max(position - 1, 0)],
        mode="data" if match.group(1) else "managed",
        type=match.group(2),
        name=match.group(3),
        key=_parse_key(match.group(4)),
    )


class IndexStep(Struct, frozen=True):
    """`[...]` in a reference: a literal key, or `aligned` when it is count.index / each.key."""

    value: int | str | None
    aligned: bool = False


Step = str | IndexStep
_REFERENCE_NAME = re.compile(rf"{_NAME}|\*")
_REFERENCE_INDEX = re.compile(r'\[(?:(\d+)|("(?:[^"\\]|\\.)*")|(\*))\]')
_ALIGNING = ("count.index", "each.key")


# Every instance of a module repeats its references: each text is read once.
@lru_cache(maxsize=16384)
def parse_reference(text: str) -> tuple[Step, ...] | None:
    """`aws_subnet.a["x"].id` -> ("aws_subnet", "a", IndexStep("x"), "id"); None if unreadable."""
    steps: list[Step] = []
    position = 0
    length = len(text)
    while position < length:
        if steps and text[position] == ".":
            position += 1
        elif steps and text[position] == "[":
            match = _REFERENCE_INDEX.match(text, position)
            if match is not None:
                number, quoted, _splat = match.groups()
                if number is not None:
                    steps.append(IndexStep(int(number)))
                elif quoted is not None:
                    steps.append(IndexStep(_parse_key(f"[{quoted}]")))
                else:
                    steps.append(IndexStep(None))
                position = match.end()
                continue
            # A computed index, as in [count.index]: read to the matching bracket.
            end = _matching_bracket(text, position)
            if end < 0:
                return None
            inner = text[position + 1 : end]
            steps.append(IndexStep(None, aligned=any(word in inner for word in _ALIGNING)))
            position = end + 1
            continue
        elif steps:
            return None
        match = _REFERENCE_NAME.match(text, position)
        if match is None:
            return None
        steps.append(match.group(0))
        position = match.end()
    return tuple(steps) if steps else None


def _matching_bracket(text: str, start: int) -> int:
    depth = 0
    for position in range(start, len(text)):
        if text[position] == "[":
            depth += 1
        elif text[position] == "]":
            depth -= 1
            if depth == 0:
                return position
    return -1


def most_specific(references: list[tuple[Step, ...]]) -> list[tuple[Step, ...]]:
    """Terraform lists `a.b["x"].id`, `a.b["x"]` and `a.b` for one use; keep only the longest."""
    unique = list(dict.fromkeys(references))
    prefixes = {steps[:size] for steps in unique for size in range(1, len(steps))}
    return [steps for steps in unique if steps not in prefixes]


def aligning(steps: tuple[Step, ...]) -> bool:
    if steps[:2] in (("count", "index"), ("each", "key")):
        return True
    return any(isinstance(step, IndexStep) and step.aligned for step in steps)


NOT_RESOURCES = frozenset({"count", "each", "path", "terraform", "self"})


def key_text(key: Key) -> str:
    if key is None:
        return ""
    return f"[{key}]" if isinstance(key, int) else f"[{json.dumps(key)}]"


def reference_name(steps: tuple[Step, ...]) -> str | None:
    """`aws_instance.bastion.private_ip`, `data.aws_ip_ranges.office`: a resource attribute,
    or a data source as a whole (Terraform reads it as one)."""
    data = steps[0] == "data"
    body = steps[1:] if data else steps
    if len(body) < 2 or not isinstance(body[0], str) or not isinstance(body[1], str):
        return None
    text = f"{body[0]}.{body[1]}"
    rest = body[2:]
    if rest and isinstance(rest[0], IndexStep):
        if rest[0].value is not None:
            text += key_text(rest[0].value)
        rest = rest[1:]
    if data:
        return f"data.{text}"
    if rest and isinstance(rest[0], str):
        text += f".{rest[0]}"
    return text


def render_module(names: tuple[str, ...]) -> str:
    return ".".join(f"module.{name}" for name in names)
