"""How a family of Terraform functions registers them, and what they check of their arguments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from reachlint.formats.hcl.values import (
    EvalError,
    Unknown,
    Value,
    describe,
    format_number,
    has_unknown,
    to_number,
    unknown_from,
)

Function = Callable[[list[Value]], Value]


class Family:
    """The functions of one family (networks, collections, strings...), by name."""

    def __init__(self) -> None:
        self.functions: dict[str, Function] = {}

    def function(
        self,
        name: str,
        minimum: int,
        maximum: int | None = None,
        unknowns: Literal["deep", "shallow"] = "deep",
    ) -> Callable[[Callable[..., Value]], Callable[..., Value]]:
        """Register `name`; `unknowns` says whether an unknown anywhere in an argument (deep) or
        only a wholly unknown argument (shallow) makes the result unknown before the call."""

        def register(implementation: Callable[..., Value]) -> Callable[..., Value]:
            def call(args: list[Value]) -> Value:
                if len(args) < minimum or (maximum is not None and len(args) > maximum):
                    raise EvalError(f"{name}() {_arity(minimum, maximum)}, not {len(args)}")
                if unknowns == "deep":
                    if any(has_unknown(arg) for arg in args):
                        return unknown_from(*args)
                elif any(isinstance(arg, Unknown) for arg in args):
                    return unknown_from(*args)
                return implementation(*args)

            self.functions[name] = call
            return implementation

        return register


def _arity(minimum: int, maximum: int | None) -> str:
    if maximum == minimum:
        return f"takes {minimum} argument{'s' if minimum != 1 else ''}"
    if maximum is None:
        return f"takes at least {minimum} argument{'s' if minimum != 1 else ''}"
    return f"takes {minimum} to {maximum} arguments"


def as_list(value: Value, what: str) -> list[Value]:
    if isinstance(value, list):
        return value
    raise EvalError(f"{what} must be a list or set, not {describe(value)}")


def as_map(value: Value, what: str) -> dict[str, Value]:
    if isinstance(value, dict):
        return value
    raise EvalError(f"{what} must be a map or object, not {describe(value)}")


def as_int(value: Value, what: str) -> int:
    number = to_number(value, what)
    if isinstance(number, float):
        raise EvalError(f"the {what} must be a whole number, not {format_number(number)}")
    return number
