"""JSON with comments that remembers where every object, array and value was written.

ARM templates may carry `//` and `/* */` comments, and every finding must point at the line of
the resource or rule it comes from. The standard library's `json` module (and the usual
third-party parsers) return plain values with no positions and reject comments, so this reader
is hand-written. It stays fast by never looping over characters in Python: a compiled regular
expression skips whitespace and comments, `json`'s own C string scanner decodes strings, and
the loop here runs once per token (about a tenth of a second per megabyte of template).
"""

from __future__ import annotations

import bisect
import json
import re
from _json import scanstring as _scanstring  # json's C string decoder
from pathlib import Path
from typing import Any

from reachlint.errors import InputError
from reachlint.limits import (
    MAX_JSON_DEPTH,
    MAX_TEMPLATE_BYTES,
    LimitError,
    check_digits,
    read_bounded,
)

_SKIP = re.compile(r"(?:[ \t\n\r]+|//[^\n]*|/\*.*?\*/)*", re.DOTALL)
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_WORDS = {"true": True, "false": False, "null": None}


class JsonObject(dict[str, Any]):
    """A JSON object with the file and line it starts on and the line of each key."""

    __slots__ = ("key_lines", "line", "source")

    def __init__(self, source: str | None = None, line: int | None = None) -> None:
        super().__init__()
        self.source = source
        self.line = line
        self.key_lines: dict[str, int] = {}


class JsonArray(list[Any]):
    """A JSON array with the file and line it starts on and the line of each item."""

    __slots__ = ("item_lines", "line", "source")

    def __init__(self, source: str | None = None, line: int | None = None) -> None:
        super().__init__()
        self.source = source
        self.line = line
        self.item_lines: list[int] = []


class _Broken(Exception):
    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


class _Reader:
    def __init__(self, text: str, source: str | None) -> None:
        self.text = text
        self.source = source
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.depth = 0

    def line(self, position: int) -> int:
        return bisect.bisect_left(self.newlines, position) + 1

    def skip(self, position: int) -> int:
        end = _SKIP.match(self.text, position)
        position = end.end() if end else position
        if self.text.startswith("/*", position):
            raise _Broken("unterminated /* comment", position)
        return position

    def value(self, position: int) -> tuple[Any, int]:
        text = self.text
        position = self.skip(position)
        if position >= len(text):
            raise _Broken("unexpected end of input; expected a value", position)
        char = text[position]
        if char == '"':
            return self.string(position)
        if char == "{" or char == "[":
            self.depth += 1
            if self.depth > MAX_JSON_DEPTH:
                raise LimitError(
                    "the JSON is nested too deeply", MAX_JSON_DEPTH, "levels", self.source,
                    self.line(position),
                )  # fmt: skip
            nested = self.object(position) if char == "{" else self.array(position)
            self.depth -= 1
            return nested
        number = _NUMBER.match(text, position)
        if number:
            literal = number.group()
            if number.group(1) or number.group(2):
                return float(literal), number.end()
            check_digits(literal, self.source, self.line(position))
            return int(literal), number.end()
        for word, meaning in _WORDS.items():
            if text.startswith(word, position):
                return meaning, position + len(word)
        raise _Broken(f"unexpected character {char!r}; expected a value", position)

    def string(self, position: int) -> tuple[str, int]:
        try:
            decoded: tuple[str, int] = _scanstring(self.text, position + 1, False)
            return decoded
        except json.JSONDecodeError as err:
            raise _Broken(err.msg.lower(), err.pos) from None

    def object(self, position: int) -> tuple[JsonObject, int]:
        text = self.text
        result = JsonObject(self.source, self.line(position))
        position = self.skip(position + 1)
        if text.startswith("}", position):
            return result, position + 1
        while True:
            if not text.startswith('"', position):
                raise _Broken("expected a property name in double quotes", position)
            key_line = self.line(position)
            key, position = self.string(position)
            position = self.skip(position)
            if not text.startswith(":", position):
                raise _Broken(f"expected ':' after property name {key!r}", position)
            value, position = self.value(position + 1)
            result[key] = value
            result.key_lines[key] = key_line
            position = self.skip(position)
            if text.startswith(",", position):
                position = self.skip(position + 1)
                continue
            if text.startswith("}", position):
                return result, position + 1
            raise _Broken("expected ',' or '}' after a property value", position)

    def array(self, position: int) -> tuple[JsonArray, int]:
        text = self.text
        result = JsonArray(self.source, self.line(position))
        position = self.skip(position + 1)
        if text.startswith("]", position):
            return result, position + 1
        while True:
            position = self.skip(position)
            result.item_lines.append(self.line(position))
            value, position = self.value(position)
            result.append(value)
            position = self.skip(position)
            if text.startswith(",", position):
                position += 1
                continue
            if text.startswith("]", position):
                return result, position + 1
            raise _Broken("expected ',' or ']' after an array item", position)

    def document(self) -> Any:
        value, position = self.value(0)
        position = self.skip(position)
        if position < len(self.text):
            raise _Broken("unexpected content after the JSON value", position)
        return value


def parse_json(text: str, source: str | None = None) -> Any:
    """Parse JSON text (comments allowed); broken JSON is an InputError with line and column."""
    reader = _Reader(text, source)
    try:
        return reader.document()
    except _Broken as err:
        line = reader.line(err.position)
        start = reader.newlines[line - 2] + 1 if line > 1 else 0
        column = err.position - start + 1
        raise InputError(
            f"broken JSON at line {line} column {column}: {err.message}", source, line
        ) from None
    except RecursionError:
        raise InputError("is JSON nested too deeply to read", source) from None


def read_json_file(path: Path) -> Any:
    """Read and parse a JSON file with positions; unreadable or broken files are InputErrors."""
    name = str(path)
    raw = read_bounded(path, MAX_TEMPLATE_BYTES, "template or parameters file")
    encoding = "utf-16" if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as err:
        raise InputError(
            f"is not UTF-8 text (undecodable byte at offset {err.start}); expected JSON", name
        ) from None
    if not text.strip():
        raise InputError("is empty; expected JSON", name)
    return parse_json(text, name)
