"""Terraform's numeric functions: min, max, abs, ceil, floor, signum, pow, log, parseint."""

from __future__ import annotations

import math

from reachlint.formats.hcl.functions.registry import Family, as_int
from reachlint.formats.hcl.values import (
    EvalError,
    Value,
    describe,
    normalize_number,
    to_number,
    to_string,
)

FAMILY = Family()
function = FAMILY.function


def _numbers(args: tuple[Value, ...], name: str) -> list[int | float]:
    if not args:
        raise EvalError(f"{name}() needs at least one number")
    return [to_number(arg, f"argument of {name}()") for arg in args]


@function("min", 1)
def _min(*args: Value) -> Value:
    return min(_numbers(args, "min"))


@function("max", 1)
def _max(*args: Value) -> Value:
    return max(_numbers(args, "max"))


@function("abs", 1, 1)
def _abs(value: Value) -> Value:
    return abs(to_number(value, "argument of abs()"))


@function("ceil", 1, 1)
def _ceil(value: Value) -> Value:
    return math.ceil(to_number(value, "argument of ceil()"))


@function("floor", 1, 1)
def _floor(value: Value) -> Value:
    return math.floor(to_number(value, "argument of floor()"))


@function("signum", 1, 1)
def _signum(value: Value) -> Value:
    number = to_number(value, "argument of signum()")
    return (number > 0) - (number < 0)


@function("pow", 2, 2)
def _pow(base: Value, exponent: Value) -> Value:
    try:
        return normalize_number(
            float(to_number(base, "base")) ** float(to_number(exponent, "exponent"))
        )
    except (OverflowError, ZeroDivisionError):
        raise EvalError("pow() result is out of range") from None


@function("log", 2, 2)
def _log(value: Value, base: Value) -> Value:
    try:
        return normalize_number(math.log(to_number(value, "number"), to_number(base, "base")))
    except (ValueError, ZeroDivisionError):
        raise EvalError("log() is not defined for these arguments") from None


@function("parseint", 2, 2)
def _parseint(text: Value, base: Value) -> Value:
    radix = as_int(base, "base")
    if not 2 <= radix <= 62:
        raise EvalError("parseint() base must be between 2 and 62")
    try:
        return int(to_string(text, "number"), radix)
    except ValueError:
        raise EvalError(f"cannot parse {describe(text)} as a base {radix} integer") from None
