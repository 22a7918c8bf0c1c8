"""What ARM's functions check of their arguments, and how ARM writes and compares values."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from reachlint.formats.arm.values import find_key, type_name
from reachlint.limits import MAX_STRING_LENGTH, WORK, check_string, encoded_length

Function = Callable[[list[Any]], Any]


class EvalError(Exception):
    """The arguments are wrong for the function: ARM would stop the deployment here."""


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
    check_string(encoded_length(value, MAX_STRING_LENGTH), "writing an array or object as text")
    return json.dumps(value, separators=(",", ":"), default=str)


def same(left: Any, right: Any) -> bool:
    """ARM's equality: deep, type-strict, case-sensitive for strings, any key spelling."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, dict) and isinstance(right, dict):
        WORK.tick()
        if len(left) != len(right):
            return False
        for key, value in left.items():
            other = find_key(right, key)
            if other is None or not same(value, right[other]):
                return False
        return True
    if isinstance(left, list) and isinstance(right, list):
        WORK.tick()
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right, strict=True))
    if type(left) is not type(right) and not (
        isinstance(left, int | float) and isinstance(right, int | float)
    ):
        return False
    return bool(left == right)
