"""ARM's comparison and logical functions: equals, less, greater, not, bool, true, false, null."""

from __future__ import annotations

from typing import Any

from reachlint.formats.arm.functions.arguments import (
    EvalError,
    Function,
    as_integer,
    as_string,
    check_count,
    same,
)
from reachlint.formats.arm.values import type_name


def fn_equals(args: list[Any]) -> Any:
    check_count(args, 2)
    return same(args[0], args[1])


def fn_not(args: list[Any]) -> Any:
    check_count(args, 1)
    if not isinstance(args[0], bool):
        raise EvalError(f"expects a boolean, got {type_name(args[0])}")
    return not args[0]


def _comparable(args: list[Any]) -> tuple[Any, Any]:
    check_count(args, 2)
    left, right = args
    if isinstance(left, str) and isinstance(right, str):
        return left, right
    return as_integer(left), as_integer(right)


def fn_less(args: list[Any]) -> Any:
    left, right = _comparable(args)
    return left < right


def fn_less_or_equals(args: list[Any]) -> Any:
    left, right = _comparable(args)
    return left <= right


def fn_greater(args: list[Any]) -> Any:
    left, right = _comparable(args)
    return left > right


def fn_greater_or_equals(args: list[Any]) -> Any:
    left, right = _comparable(args)
    return left >= right


def fn_bool(args: list[Any]) -> Any:
    check_count(args, 1)
    value = args[0]
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    text = as_string(value).strip().lower()
    if text in ("true", "false"):
        return text == "true"
    raise EvalError(f"cannot read {value!r} as a boolean")


FUNCTIONS: dict[str, Function] = {
    "equals": fn_equals,
    "not": fn_not,
    "less": fn_less,
    "lessorequals": fn_less_or_equals,
    "greater": fn_greater,
    "greaterorequals": fn_greater_or_equals,
    "bool": fn_bool,
    "true": lambda args: True,
    "false": lambda args: False,
    "null": lambda args: None,
}
