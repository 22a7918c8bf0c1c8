"""What ARM's functions check of their arguments, and how ARM writes and compares values."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from reachlint.formats.arm.values import Unknown, find_key, type_name
from reachlint.limits import MAX_STRING_LENGTH, WORK, check_string, encoded_length

Function = Callable[[list[Any]], Any]


class EvalError(Exception):
    """The arguments are wrong for the function: ARM would stop the deployment here."""


class NotKnown(Exception):
    """A value the function needs whole holds one known only at deployment: so is the result."""

    def __init__(self, unknown: Unknown) -> None:
        super().__init__(str(unknown))
        self.unknown = unknown


def known_whole(value: Any) -> None:
    """Raises NotKnown when an array or object holds a value not known, at any depth (each
    array or object looked into once, however often it is held), EvalError when a lambda."""
    pending, seen = [value], set()
    while pending:
        item = pending.pop()
        if isinstance(item, Unknown):
            raise NotKnown(item)
        if callable(item):  # a lambda() a map() left in its result: no value ARM writes
            raise EvalError("is given a lambda(), which is only an argument of map() and the like")
        if isinstance(item, list | dict) and id(item) not in seen:
            seen.add(id(item))
            WORK.tick()
            pending.extend(item.values() if isinstance(item, dict) else item)


def check_count(args: list[Any], low: int, high: int | None = None) -> None:
    high = low if high is None else high
    if not low <= len(args) <= high:
        expected = str(low) if low == high else f"{low} to {high}"
        raise EvalError(f"takes {expected} arguments, got {len(args)}")


def as_string(value: Any, what: str = "argument") -> str:
    if not isinstance(value, str):
        raise EvalError(f"expects a string {what}, got {type_name(value)}")
    return value


def as_integer(value: Any, what: str = "argument") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise EvalError(f"expects an integer {what}, got {type_name(value)}")
    return value


def as_array(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise EvalError(f"expects an array, got {type_name(value)}")
    return value


def as_object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise EvalError(f"expects an object, got {type_name(value)}")
    return value


def to_text(value: Any) -> str:
    """How ARM writes a value into a string (`string()`, `concat()`, `format()`)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    known_whole(value)
    check_string(encoded_length(value, MAX_STRING_LENGTH), "writing an array or object as text")
    return json.dumps(value, separators=(",", ":"), default=str)


def same(left: Any, right: Any) -> bool:
    """ARM's equality: deep, type-strict, case-sensitive for strings, any key spelling."""
    return _same(left, right, set())


def _same(left: Any, right: Any, equal: set[tuple[int, int]]) -> bool:
    # Two containers are compared once, however often the values hold them (one list held
    # many times over, as createArray(x, x) nested builds it).
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, dict | list) and isinstance(right, dict | list):
        pair = (id(left), id(right))
        if left is right or pair in equal:
            return True
        WORK.tick()
        found = _same_containers(left, right, equal)
        if found:
            equal.add(pair)
        return found
    if type(left) is not type(right) and not (
        isinstance(left, int | float) and isinstance(right, int | float)
    ):
        return False
    return bool(left == right)


def _same_containers(
    left: dict[str, Any] | list[Any], right: dict[str, Any] | list[Any], equal: set[tuple[int, int]]
) -> bool:
    if isinstance(left, dict) and isinstance(right, dict):
        if len(left) != len(right):
            return False
        for key, value in left.items():
            other = find_key(right, key)
            if other is None or not _same(value, right[other], equal):
                return False
        return True
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(
            _same(a, b, equal) for a, b in zip(left, right, strict=True)
        )
    return False
