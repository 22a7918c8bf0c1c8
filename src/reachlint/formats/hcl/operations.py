"""What HCL expressions do to values: read an attribute or an element, compute with an
operator, mark a result sensitive. The evaluator walks the syntax; these work on values alone.
"""

from __future__ import annotations

from collections.abc import Callable

from reachlint.formats.hcl.values import (
    EvalError,
    Namespace,
    ResourceObject,
    Unknown,
    UnknownExpansion,
    Value,
    describe,
    normalize_number,
    to_number,
    to_string,
    unknown_from,
)
from reachlint.sensitive import Sensitive, hide_quoted, mark

# Terraform computes with 512-bit floating point numbers; integers beyond a float's range are
# not numbers it could show.
_MAX_INTEGER_BITS = 1024


def mark_value(value: Value, line: int) -> Value:
    """`value` marked sensitive; an unknown stays unknown (it shows nothing)."""
    if isinstance(value, Namespace):
        value = value.whole(line)
    if isinstance(value, Unknown):
        return value
    return mark(value)


def hidden_error(err: EvalError, marked: list[Value]) -> EvalError:
    """`err` without the marked values its message would quote."""
    return EvalError(hide_quoted(err.message, marked), err.line)


def whole_value(value: Value, line: int) -> Value:
    """A namespace that ends up used as a value (`module.web` as an object)."""
    if isinstance(value, Namespace):
        return value.whole(line)
    return value


def get_attribute(target: Value, name: str, line: int) -> Value:
    if isinstance(target, Sensitive):
        try:
            return mark_value(get_attribute(target.value, name, line), line)
        except EvalError as err:
            raise hidden_error(err, [target]) from None
    if isinstance(target, Namespace):
        return target.attribute(name, line)
    if isinstance(target, Unknown):
        return target
    if isinstance(target, dict):
        if name in target or isinstance(target, ResourceObject):
            return target[name]
        raise EvalError(f'this object has no attribute "{name}"', line)
    if target is None:
        raise EvalError(f'cannot read attribute "{name}" of null', line)
    if isinstance(target, list):
        raise EvalError(
            f'cannot read attribute "{name}" of a list; use an index or [*] first', line
        )
    raise EvalError(f'cannot read attribute "{name}" of {describe(target)}', line)


def index_value(target: Value, key: Value, line: int) -> Value:
    if isinstance(target, UnknownExpansion):
        return target.instance
    target = whole_value(target, line)
    if isinstance(target, Unknown):
        return unknown_from(target, key)
    if isinstance(key, Unknown):
        return unknown_from(target, key)
    if isinstance(target, list):
        position = to_number(key, "index")
        if isinstance(position, float) or position < 0 or position >= len(target):
            raise EvalError(f"index {to_string(position)} is outside a list of {len(target)}", line)
        return target[position]
    if isinstance(target, dict):
        name = to_string(key, "key")
        if name in target or isinstance(target, ResourceObject):
            return target[name]
        raise EvalError(f"the map has no element {describe(name)[len('the string ') :]}", line)
    if target is None:
        raise EvalError("cannot index null", line)
    raise EvalError(f"cannot index {describe(target)}", line)


def arithmetic(operator: str, left: int | float, right: int | float, line: int) -> Value:
    if operator in ("+", "-", "*"):
        result = (
            left + right if operator == "+" else left - right if operator == "-" else left * right
        )
        if isinstance(result, int) and result.bit_length() > _MAX_INTEGER_BITS:
            # Python's integers grow without end (a chain of locals that squares one).
            raise EvalError(f"the result of {operator} is too large a number", line)
        return normalize_number(result)
    if right == 0:
        raise EvalError("division by zero", line)
    if operator == "/":
        return normalize_number(left / right)
    # Terraform's % takes the sign of the dividend, like Go's.
    remainder = abs(left) % abs(right)
    return normalize_number(-remainder if left < 0 else remainder)


COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}
