"""ARM's numeric functions on 64-bit integers: int, add, sub, mul, div, mod, min, max, range."""

from __future__ import annotations

from typing import Any

from reachlint.formats.arm.functions.arguments import (
    EvalError,
    Function,
    as_integer,
    as_string,
    check_count,
)


def fn_int(args: list[Any]) -> Any:
    check_count(args, 1)
    value = args[0]
    if isinstance(value, bool):
        raise EvalError("cannot read a boolean as an integer")
    if isinstance(value, int):
        return value
    try:
        return int(as_string(value).strip())
    except ValueError:
        raise EvalError(f"cannot read {value!r} as an integer") from None


def _int64(value: int) -> int:
    """ARM's integers are 64-bit; Python's would grow without end."""
    if not -(2**63) <= value < 2**63:
        raise EvalError("overflows a 64-bit integer")
    return value


def fn_add(args: list[Any]) -> Any:
    check_count(args, 2)
    return _int64(as_integer(args[0]) + as_integer(args[1]))


def fn_sub(args: list[Any]) -> Any:
    check_count(args, 2)
    return _int64(as_integer(args[0]) - as_integer(args[1]))


def fn_mul(args: list[Any]) -> Any:
    check_count(args, 2)
    return _int64(as_integer(args[0]) * as_integer(args[1]))


def _truncated_division(left: int, right: int) -> tuple[int, int]:
    """.NET integer division: the quotient rounds toward zero, the remainder keeps its sign."""
    if right == 0:
        raise EvalError("divides by zero")
    quotient = abs(left) // abs(right) * (1 if (left >= 0) == (right >= 0) else -1)
    return quotient, left - quotient * right


def fn_div(args: list[Any]) -> Any:
    check_count(args, 2)
    return _truncated_division(as_integer(args[0]), as_integer(args[1]))[0]


def fn_mod(args: list[Any]) -> Any:
    check_count(args, 2)
    return _truncated_division(as_integer(args[0]), as_integer(args[1]))[1]


def _numbers(args: list[Any]) -> list[int]:
    values = args[0] if len(args) == 1 and isinstance(args[0], list) else args
    if not values:
        raise EvalError("needs at least one number")
    return [as_integer(v) for v in values]


def fn_min(args: list[Any]) -> Any:
    return min(_numbers(args))


def fn_max(args: list[Any]) -> Any:
    return max(_numbers(args))


def fn_range(args: list[Any]) -> Any:
    check_count(args, 2)
    start, count = as_integer(args[0]), as_integer(args[1])
    if count < 0 or count > 10000:
        raise EvalError(f"count {count} is outside 0-10000")
    return list(range(start, start + count))


FUNCTIONS: dict[str, Function] = {
    "int": fn_int,
    "add": fn_add,
    "sub": fn_sub,
    "mul": fn_mul,
    "div": fn_div,
    "mod": fn_mod,
    "min": fn_min,
    "max": fn_max,
    "range": fn_range,
}
