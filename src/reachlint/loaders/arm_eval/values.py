"""Values of template expressions: JSON data plus what cannot be known before deployment.

ARM is case-insensitive in property, parameter and variable names, so every lookup here tries
the exact key first and then any spelling of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reachlint.loaders.arm_eval.jsonpos import JsonArray, JsonObject


class Unknown:
    """A value known only at deployment time (or not given); it propagates, it never fails."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"


class MissingParameter(Unknown):
    """A parameter with no value and no default: an input error wherever the model needs it."""

    __slots__ = ("file", "line", "name")

    def __init__(self, name: str, file: str | None, line: int | None) -> None:
        super().__init__(f"parameter '{name}' has no value and no default")
        self.name = name
        self.file = file
        self.line = line


class RuntimeObject(JsonObject):
    """A resource's state as `reference()` returns it: what the template does not set is only
    known after deployment, so a missing property is unknown rather than an error."""

    __slots__ = ()


class RuntimeArray(JsonArray):
    __slots__ = ()


def first_unknown(values: Iterable[Any]) -> Unknown | None:
    """The unknown among `values` that decides the result; a missing parameter wins."""
    found: Unknown | None = None
    for value in values:
        if isinstance(value, MissingParameter):
            return value
        if found is None and isinstance(value, Unknown):
            found = value
    return found


def find_key(mapping: Mapping[str, Any], key: str) -> str | None:
    """The key of `mapping` that is `key` in any spelling."""
    if key in mapping:
        return key
    lowered = key.lower()
    for candidate in mapping:
        if candidate.lower() == lowered:
            return candidate
    return None


def lookup(mapping: Mapping[str, Any], key: str, default: Any = None) -> Any:
    found = find_key(mapping, key)
    return default if found is None else mapping[found]


def as_runtime(value: Any) -> Any:
    """Mark data read from a resource's state, so its missing parts are unknown."""
    if isinstance(value, dict) and not isinstance(value, RuntimeObject):
        wrapped = RuntimeObject(getattr(value, "source", None), getattr(value, "line", None))
        wrapped.update(value)
        return wrapped
    if isinstance(value, list) and not isinstance(value, RuntimeArray):
        array = RuntimeArray(getattr(value, "source", None), getattr(value, "line", None))
        array.extend(value)
        return array
    return value


def type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    if value is None:
        return "null"
    return type(value).__name__
