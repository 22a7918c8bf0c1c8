"""What reading a property or an item, or calling a function, gives in a template.

A value read from a sensitive one is marked; a function of a parameter without a value gives a
placeholder (`{vmName}-nic`) or an unknown named by the parameter; arguments ARM would refuse
give an unknown that says why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reachlint.formats.arm.expressions import Call
from reachlint.formats.arm.functions.arguments import EvalError, NotKnown
from reachlint.formats.arm.resource_ids import ResourceIdError
from reachlint.formats.arm.values import (
    MissingParameter,
    Placeholder,
    RuntimeArray,
    RuntimeObject,
    StateUnknown,
    Unknown,
    as_runtime,
    find_key,
    first_unknown,
    placeholder_parameters,
    type_name,
)
from reachlint.limits import is_too_many_digits
from reachlint.sensitive import hide_quoted, mark


def mark_value(value: Any, marked: list[Any] | None = None) -> Any:
    """`value` marked sensitive; an unknown stays unknown, its reason told without the
    `marked` values it was computed from."""
    if isinstance(value, MissingParameter):
        return value
    if isinstance(value, Unknown):
        return Unknown(hide_quoted(value.reason, marked or [])) if marked else value
    return mark(value)


def read_property(target: Any, name: str) -> Any:
    if isinstance(target, Unknown):
        return target
    if isinstance(target, dict):
        key = find_key(target, name)
        if key is None:
            if isinstance(target, RuntimeObject):
                return StateUnknown(name, target.resource)
            return Unknown(f"property '{name}' is not set")
        if isinstance(target, RuntimeObject):
            return as_runtime(target[key], target.resource)
        return target[key]
    return Unknown(f"a {type_name(target)} has no property '{name}'")


def read_item(target: Any, position: Any) -> Any:
    unknown = first_unknown((target, position))
    if unknown is not None:
        return unknown
    if isinstance(target, dict) and isinstance(position, str):
        return read_property(target, position)
    if isinstance(target, list) and isinstance(position, int) and not isinstance(position, bool):
        if 0 <= position < len(target):
            item = target[position]
            return as_runtime(item, target.resource) if isinstance(target, RuntimeArray) else item
        if isinstance(target, RuntimeArray):
            return Unknown(f"item {position} is known only after deployment")
        return Unknown(f"index {position} is outside an array of {len(target)}")
    return Unknown(f"cannot index a {type_name(target)} with a {type_name(position)}")


def call_result(node: Call, args: list[Any], run: Callable[[], Any]) -> Any:
    """A function of a parameter without a value: text built from it is a placeholder too
    (`concat(parameters('vmName'), '-nic')` is `{vmName}-nic`); any other answer would depend
    on the value (`equals`, `length`, `cidrSubnet`), so it is unknown, named by the parameter."""
    parameters = placeholder_parameters(args)
    if not parameters:
        return _guarded(node, run)
    given = _given_check(node.name, args)
    if given is not None:
        return given
    if node.name in _CUTS and args and isinstance(args[0], Placeholder):
        # A name cut to a length limit (`take(..., 24)`) keeps the placeholder whole.
        return args[0]
    first = sorted(parameters)[0]
    unknown = MissingParameter(first, None, None, parameters)
    try:
        result = run()
    except (EvalError, NotKnown, ResourceIdError, TypeError, ValueError, KeyError, IndexError):
        return unknown
    except (AttributeError, OverflowError):
        return unknown
    if isinstance(result, str):
        if node.name in ("tolower", "toupper"):
            # Case is changed around the placeholders, not inside them: `{vmName}`.
            for parameter in parameters:
                result = result.replace(_case(node.name, f"{{{parameter}}}"), f"{{{parameter}}}")
        return Placeholder(result, parameters)
    if isinstance(result, dict | list):
        return result  # the placeholders inside keep their parameters
    return unknown


def _guarded(node: Call, run: Callable[[], Any]) -> Any:
    """A function given arguments ARM would refuse yields an unknown value that says why."""
    try:
        return run()
    except NotKnown as err:
        return err.unknown
    except EvalError as err:
        return Unknown(f"{node.written}() {err}")
    except ResourceIdError as err:
        return Unknown(f"{node.written}(): {err}")
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError) as err:
        # Python's own words name Python's workings, not the template's: said in ours.
        if is_too_many_digits(err):
            return Unknown(f"{node.written}() reads a number of too many digits")
        return Unknown(f"{node.written}() cannot be evaluated with these arguments")


_CUTS = frozenset({"take", "substring", "skip"})


def _case(name: str, text: str) -> str:
    return text.lower() if name == "tolower" else text.upper()


def _given_check(name: str, args: list[Any]) -> bool | None:
    """Whether a string parameter was given is no question: a required one always is, so its
    placeholder is never empty (`empty(parameters('suffix'))`, `equals(..., '')`)."""
    if name == "empty" and len(args) == 1 and isinstance(args[0], Placeholder):
        return False
    if name == "equals" and len(args) == 2:
        first, second = args
        if isinstance(first, Placeholder) and second == "":
            return False
        if isinstance(second, Placeholder) and first == "":
            return False
    return None
