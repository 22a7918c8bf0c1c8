"""ARM's string functions: concat, format, replace, split, case, padding, uri, json, guid..."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from typing import Any
from urllib.parse import quote, unquote, urljoin

from reachlint.formats.arm.functions.arguments import (
    EvalError,
    Function,
    as_array,
    as_integer,
    as_string,
    check_count,
    same,
    to_text,
)
from reachlint.limits import MAX_STRING_LENGTH, check_collection, check_string, check_width


def fn_concat(args: list[Any]) -> Any:
    if args and all(isinstance(a, list) for a in args):
        joined: list[Any] = []
        for arg in args:
            check_collection(len(joined) + len(arg), "concat()")
            joined.extend(arg)
        return joined
    if any(isinstance(a, list | dict) for a in args):
        raise EvalError("joins either arrays or strings, not both")
    return _joined([to_text(a) for a in args], "", "concat()")


def _joined(pieces: list[str], glue: str, what: str) -> str:
    check_string(sum(map(len, pieces)) + len(glue) * len(pieces), what)
    return glue.join(pieces)


_FORMAT_ITEM = re.compile(r"\{\{|\}\}|\{(\d+)(?:,(-?\d+))?(?::([^{}]*))?\}")


def fn_format(args: list[Any]) -> Any:
    if not args:
        raise EvalError("needs a format string")
    template, values = as_string(args[0], "format string"), args[1:]

    def item(match: re.Match[str]) -> str:
        if match.group(0) in ("{{", "}}"):
            return match.group(0)[0]
        index = int(match.group(1))
        if index >= len(values):
            raise EvalError(f"has no argument {{{index}}}")
        text = _format_one(values[index], match.group(3) or "")
        width = _width(match.group(2) or "0")
        return text.rjust(width) if width >= 0 else text.ljust(-width)

    pieces = []
    position = 0
    for match in _FORMAT_ITEM.finditer(template):
        pieces += [template[position : match.start()], item(match)]
        position = match.end()
    pieces.append(template[position:])
    return _joined(pieces, "", "format()")


def _width(digits: str) -> int:
    """A width or number of digits in format(), within bounds before anything is padded."""
    width = int(digits) if len(digits.lstrip("-")) <= 9 else MAX_STRING_LENGTH
    check_width(abs(width), "format()")
    return width


def _format_one(value: Any, spec: str) -> str:
    """.NET standard numeric formats that templates use (D2, X, N0); others as plain text."""
    kind, digits = spec[:1].upper(), spec[1:]
    if isinstance(value, int) and not isinstance(value, bool) and kind:
        width = _width(digits) if digits.isdecimal() else 0
        if kind == "D":
            return f"{value:0{width}d}"
        if kind == "X":
            text = f"{value:0{width}x}"
            return text.upper() if spec[0] == "X" else text
        if kind == "N":
            return f"{value:,.{width}f}"
    return to_text(value)


def fn_replace(args: list[Any]) -> Any:
    check_count(args, 3)
    text, old, new = as_string(args[0]), as_string(args[1]), as_string(args[2])
    occurrences = text.count(old) if old else len(text) + 1
    check_string(len(text) + occurrences * (len(new) - len(old)), "replace()")
    return text.replace(old, new)


def fn_split(args: list[Any]) -> Any:
    check_count(args, 2)
    text = as_string(args[0])
    delimiters = args[1] if isinstance(args[1], list) else [args[1]]
    pattern = "|".join(re.escape(as_string(d, "delimiter")) for d in delimiters)
    pieces = re.split(pattern, text) if pattern else [text]
    check_collection(len(pieces), "split()")
    return pieces


def fn_to_lower(args: list[Any]) -> Any:
    check_count(args, 1)
    return as_string(args[0]).lower()


def fn_to_upper(args: list[Any]) -> Any:
    check_count(args, 1)
    return as_string(args[0]).upper()


def fn_trim(args: list[Any]) -> Any:
    check_count(args, 1)
    return as_string(args[0]).strip()


def fn_pad_left(args: list[Any]) -> Any:
    check_count(args, 2, 3)
    text = to_text(args[0])
    pad = as_string(args[2]) if len(args) == 3 else " "
    if len(pad) != 1:
        raise EvalError("pads with exactly one character")
    width = as_integer(args[1])
    check_width(width, "padLeft()")
    return text.rjust(width, pad)


def fn_substring(args: list[Any]) -> Any:
    check_count(args, 1, 3)
    text = as_string(args[0])
    start = as_integer(args[1]) if len(args) > 1 else 0
    length = as_integer(args[2]) if len(args) > 2 else len(text) - start
    if start < 0 or length < 0 or start + length > len(text):
        raise EvalError(f"range {start}+{length} is outside a string of length {len(text)}")
    return text[start : start + length]


def fn_starts_with(args: list[Any]) -> Any:
    check_count(args, 2)
    return as_string(args[0]).lower().startswith(as_string(args[1]).lower())


def fn_ends_with(args: list[Any]) -> Any:
    check_count(args, 2)
    return as_string(args[0]).lower().endswith(as_string(args[1]).lower())


def fn_index_of(args: list[Any]) -> Any:
    check_count(args, 2)
    if isinstance(args[0], list):
        return next((i for i, item in enumerate(args[0]) if same(item, args[1])), -1)
    return as_string(args[0]).lower().find(as_string(args[1]).lower())


def fn_last_index_of(args: list[Any]) -> Any:
    check_count(args, 2)
    if isinstance(args[0], list):
        found = [i for i, item in enumerate(args[0]) if same(item, args[1])]
        return found[-1] if found else -1
    return as_string(args[0]).lower().rfind(as_string(args[1]).lower())


def fn_string(args: list[Any]) -> Any:
    check_count(args, 1)
    return to_text(args[0])


def fn_unique_string(args: list[Any]) -> Any:
    """13 lower-case characters, stable for the same arguments (ARM's exact hash differs)."""
    if not args:
        raise EvalError("needs at least one argument")
    digest = hashlib.sha256("|".join(as_string(a) for a in args).encode()).digest()
    return base64.b32encode(digest).decode().lower()[:13]


def fn_guid(args: list[Any]) -> Any:
    if not args:
        raise EvalError("needs at least one argument")
    digest = hashlib.sha1("-".join(as_string(a) for a in args).encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=5))


def fn_uri(args: list[Any]) -> Any:
    check_count(args, 2)
    return urljoin(as_string(args[0]), as_string(args[1]))


def fn_uri_component(args: list[Any]) -> Any:
    check_count(args, 1)
    return quote(as_string(args[0]), safe="")


def fn_uri_component_to_string(args: list[Any]) -> Any:
    check_count(args, 1)
    return unquote(as_string(args[0]))


def fn_json(args: list[Any]) -> Any:
    check_count(args, 1)
    try:
        return json.loads(as_string(args[0]))
    except json.JSONDecodeError as err:
        raise EvalError(f"argument is not JSON: {err.msg}") from None


def fn_join(args: list[Any]) -> Any:
    check_count(args, 2)
    return _joined([to_text(item) for item in as_array(args[0])], as_string(args[1]), "join()")


FUNCTIONS: dict[str, Function] = {
    "concat": fn_concat,
    "format": fn_format,
    "replace": fn_replace,
    "split": fn_split,
    "tolower": fn_to_lower,
    "toupper": fn_to_upper,
    "trim": fn_trim,
    "padleft": fn_pad_left,
    "substring": fn_substring,
    "startswith": fn_starts_with,
    "endswith": fn_ends_with,
    "indexof": fn_index_of,
    "lastindexof": fn_last_index_of,
    "string": fn_string,
    "uniquestring": fn_unique_string,
    "guid": fn_guid,
    "uri": fn_uri,
    "uricomponent": fn_uri_component,
    "uricomponenttostring": fn_uri_component_to_string,
    "json": fn_json,
    "join": fn_join,
}
