"""`Fn::ForEach` (the `AWS::LanguageExtensions` transform): a fragment written once for each
value of a collection, expanded before the template is read, as the transform does.

"Fn::ForEach::LoopName": [Identifier, Collection, {OutputKey: OutputValue}] repeats the
fragment for each value of the collection (a list, or a `Ref` to a CommaDelimitedList
parameter); in the key and the value every `${Identifier}` becomes the value, `&{Identifier}`
the value without its characters that are not letters or digits, and a `Ref` to the
identifier the value itself. Loops nest, and may stand in Resources, Conditions, Outputs and
inside a resource's properties
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-foreach.html).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from reachlint.errors import InputError
from reachlint.formats.cloudformation.values import Unknown, shown
from reachlint.formats.jsonpos import JsonArray, JsonObject
from reachlint.limits import MAX_RESOURCE_INSTANCES, LimitError

LOOP = "Fn::ForEach::"
# Values (each list or mapping, and what it holds) the loops copy in all: a template AWS
# accepts, 1 MB once expanded, holds far fewer.
MAX_COPIED_VALUES = 2_000_000
SECTIONS = ("Conditions", "Resources", "Outputs")

# A loop's collection evaluated (a Ref to a parameter), and a note on a loop not expanded (the
# loop's key, the message, its line).
Evaluate = Callable[[Any], Any]
Note = Callable[[str, str, int | None], None]


def has_loops(document: Any) -> bool:
    return isinstance(document, dict) and any(
        isinstance(document.get(section), dict) and _holds_loop(document[section])
        for section in SECTIONS
    )


def expand_loops(
    document: Mapping[str, Any], source: str, evaluate: Evaluate, note: Note
) -> JsonObject:
    """The document with every loop of its sections written out; a loop over a collection not
    known before deployment is left out, and `note` says so."""
    expanded = JsonObject(source, getattr(document, "line", None))
    expanded.key_lines.update(getattr(document, "key_lines", {}))
    made = _Made()
    for key, value in document.items():
        if key in SECTIONS and isinstance(value, dict):
            expanded[key] = _expanded(value, {}, source, evaluate, note, made)
        else:
            expanded[key] = value
    return expanded


class _Made:
    """What the loops have written: entries (each a resource or more) and the values copied
    into them (a small loop over a large fragment makes a large template)."""

    def __init__(self) -> None:
        self.count = 0
        self.values = 0

    def copied(self, size: int, source: str, line: int | None) -> None:
        self.values += size + 1
        if self.values > MAX_COPIED_VALUES:
            raise LimitError(
                "Fn::ForEach writes too large a template", MAX_COPIED_VALUES, "values", source, line
            )

    def one(self, source: str, line: int | None) -> None:
        self.count += 1
        if self.count > MAX_RESOURCE_INSTANCES:
            raise LimitError(
                "Fn::ForEach writes too many entries",
                MAX_RESOURCE_INSTANCES,
                "entries",
                source,
                line,
            )


def _holds_loop(value: Any) -> bool:
    if isinstance(value, dict):
        return any(isinstance(key, str) and key.startswith(LOOP) for key in value) or any(
            _holds_loop(item) for item in value.values()
        )
    if isinstance(value, list):
        return any(_holds_loop(item) for item in value)
    return False


def _expanded(
    value: Any,
    bound: dict[str, str],
    source: str,
    evaluate: Evaluate,
    note: Note,
    made: _Made,
) -> Any:
    """`value` with the identifiers in `bound` replaced and its loops written out."""
    if isinstance(value, str):
        return _substituted(value, bound)
    if isinstance(value, list | dict):
        made.copied(len(value), source, getattr(value, "line", None))
    if isinstance(value, list):
        items = JsonArray(source, getattr(value, "line", None))
        items.item_lines.extend(getattr(value, "item_lines", []))
        items.extend(_expanded(item, bound, source, evaluate, note, made) for item in value)
        return items
    if not isinstance(value, dict):
        return value
    reference = value.get("Ref") if len(value) == 1 else None
    if isinstance(reference, str) and reference in bound:
        return bound[reference]
    mapping = JsonObject(source, getattr(value, "line", None))
    lines: dict[str, int] = getattr(value, "key_lines", {})
    for key, item in value.items():
        line = lines.get(key, mapping.line)
        if isinstance(key, str) and key.startswith(LOOP):
            for out_key, out_value, out_line in _loop(
                key, item, line, bound, source, evaluate, note, made
            ):
                if out_key in mapping or out_key in value:
                    raise InputError(f"{key} writes {out_key!r} more than once", source, line)
                mapping[out_key] = out_value
                mapping.key_lines[out_key] = out_line or 0
            continue
        out_key = _substituted(key, bound) if isinstance(key, str) else key
        mapping[out_key] = _expanded(item, bound, source, evaluate, note, made)
        mapping.key_lines[out_key] = line or 0
    return mapping


def _loop(
    key: str,
    loop: Any,
    line: int | None,
    bound: dict[str, str],
    source: str,
    evaluate: Evaluate,
    note: Note,
    made: _Made,
) -> list[tuple[str, Any, int | None]]:
    """What a loop writes: each key, its value and the line of the fragment's key."""
    if not isinstance(loop, list) or len(loop) != 3 or not isinstance(loop[2], dict):
        raise InputError(f"{key} takes [identifier, collection, {{key: value}}]", source, line)
    identifier, collection, fragment = loop
    if not isinstance(identifier, str) or not identifier:
        raise InputError(f"{key}: its identifier must be a name", source, line)
    values = _collection(_expanded(collection, bound, source, evaluate, note, made), evaluate)
    if values is None:
        note(
            key,
            f"{key} repeats its fragment over a collection known only at deployment; what it "
            "writes is not read",
            line,
        )
        return []
    written: list[tuple[str, Any, int | None]] = []
    lines: dict[str, int] = getattr(fragment, "key_lines", {})
    for item in values:
        inner = {**bound, identifier: item}
        for out_key, out_value in fragment.items():
            at = lines.get(out_key, line)
            if isinstance(out_key, str) and out_key.startswith(LOOP):
                written.extend(_loop(out_key, out_value, at, inner, source, evaluate, note, made))
                continue
            made.one(source, at)
            name = _substituted(out_key, inner) if isinstance(out_key, str) else str(out_key)
            written.append((name, _expanded(out_value, inner, source, evaluate, note, made), at))
    return written


def _collection(value: Any, evaluate: Evaluate) -> list[str] | None:
    """The values a loop repeats over, as text; None when the deployment decides them."""
    if isinstance(value, dict):
        value = evaluate(value)  # a Ref to a parameter, or another function
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",")]  # a CommaDelimitedList's value
    if not isinstance(value, list) or any(isinstance(item, Unknown | dict) for item in value):
        return None
    return [item if isinstance(item, str) else shown(item) for item in value]


def _substituted(text: str, bound: dict[str, str]) -> str:
    for identifier, value in bound.items():
        text = text.replace("${" + identifier + "}", value)
        text = text.replace("&{" + identifier + "}", "".join(c for c in value if c.isalnum()))
    return text
