"""Values of template expressions: JSON data plus what cannot be known before deployment.

ARM is case-insensitive in property, parameter and variable names, so every lookup here tries
the exact key first and then any spelling of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from reachlint.formats.jsonpos import JsonArray, JsonObject


class Unknown:
    """A value known only at deployment time (or not given); it propagates, it never fails."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"


class MissingParameter(Unknown):
    """A value that rests on parameters with no value and no default (a design review without
    the pipeline's parameters): unknown, and named by those parameters."""

    __slots__ = ("file", "line", "name", "names")

    def __init__(
        self,
        name: str,
        file: str | None,
        line: int | None,
        names: frozenset[str] | None = None,
    ) -> None:
        self.names = names if names is not None else frozenset((name,))
        listed = ", ".join(f"'{n}'" for n in sorted(self.names))
        plural = "s" if len(self.names) > 1 else ""
        super().__init__(f"parameter{plural} {listed} {'have' if plural else 'has'} no value")
        self.name = name or sorted(self.names)[0]
        self.file = file
        self.line = line


class Placeholder(str):
    """A string parameter with no value stands for itself: `{vmName}`. Names built from it
    stay readable and resource ids built from it still link resources; `parameters` are the
    parameters it rests on, `exact` whether it is one parameter's value and nothing more."""

    parameters: frozenset[str]
    exact: bool

    def __new__(cls, text: str, parameters: frozenset[str], exact: bool = False) -> Placeholder:
        made = super().__new__(cls, text)
        made.parameters = parameters
        made.exact = exact
        return made


def placeholder_parameters(value: Any) -> frozenset[str]:
    """The parameters without a value that a value holds placeholders of, anywhere in it."""
    if isinstance(value, Placeholder):
        return value.parameters
    if isinstance(value, MissingParameter):
        return value.names
    if not isinstance(value, dict | list):
        return frozenset()
    found: set[str] = set()
    _gather_placeholders(value, found, set())
    return frozenset(found)


def _gather_placeholders(value: Any, found: set[str], seen: set[int]) -> None:
    # A value may hold one array many times (`createArray` of a variable): each container is
    # looked into once.
    if isinstance(value, Placeholder):
        found.update(value.parameters)
    elif isinstance(value, MissingParameter):
        found.update(value.names)
    elif isinstance(value, dict | list) and id(value) not in seen:
        seen.add(id(value))
        for item in value.values() if isinstance(value, dict) else value:
            _gather_placeholders(item, found, seen)


def parameter_reference(name: str) -> str:
    """How a template refers to a parameter: the name a reviewer looks for."""
    return f"parameters('{name}')"


class StateUnknown(Unknown):
    """A property of a resource's state that only the deployment sets (a NIC's dynamic private
    address): unknown, but whose it is and which one is known."""

    __slots__ = ("name", "resource")

    def __init__(self, name: str, resource: str | None) -> None:
        super().__init__(f"'{name}' is known only after deployment")
        self.name = name
        self.resource = resource


class RuntimeObject(JsonObject):
    """A resource's state as `reference()` returns it: what the template does not set is only
    known after deployment, so a missing property is unknown rather than an error. `resource`:
    the address of the resource whose state it is, when it is one resource's."""

    __slots__ = ("resource",)

    def __init__(
        self, source: str | None = None, line: int | None = None, resource: str | None = None
    ) -> None:
        super().__init__(source, line)
        self.resource = resource


class RuntimeArray(JsonArray):
    __slots__ = ("resource",)

    def __init__(
        self, source: str | None = None, line: int | None = None, resource: str | None = None
    ) -> None:
        super().__init__(source, line)
        self.resource = resource


def first_unknown(values: Iterable[Any]) -> Unknown | None:
    """The unknown among `values` that decides the result; missing parameters win, and all of
    them are named."""
    found: Unknown | None = None
    missing: list[MissingParameter] = []
    for value in values:
        if isinstance(value, MissingParameter):
            missing.append(value)
        elif found is None and isinstance(value, Unknown):
            found = value
    if len(missing) > 1:
        names = frozenset().union(*(m.names for m in missing))
        return MissingParameter(missing[0].name, missing[0].file, missing[0].line, names)
    return missing[0] if missing else found


def clipped(text: str, limit: int = 120) -> str:
    """An expression as an error message quotes it: its start, when it is long."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def constant(value: Any) -> Callable[[], Any]:
    """A value asked for on first use (a parameter's) that is already known."""
    return lambda: value


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


def as_mapping(value: Any) -> Mapping[str, Any]:
    """An object as a mapping; any other value has no entries."""
    return value if isinstance(value, dict) else {}


def line_at(container: Any, key: str | int) -> int | None:
    """The line of a key of an object or an item of an array, else of the container."""
    if isinstance(container, JsonObject) and isinstance(key, str):
        return container.key_lines.get(key, container.line)
    if (
        isinstance(container, JsonArray)
        and isinstance(key, int)
        and key < len(container.item_lines)
    ):
        return container.item_lines[key]
    return getattr(container, "line", None)


def as_runtime(value: Any, resource: str | None = None) -> Any:
    """Mark data read from the state of `resource`, so its missing parts are unknown."""
    if isinstance(value, dict) and not isinstance(value, RuntimeObject):
        source, line = getattr(value, "source", None), getattr(value, "line", None)
        wrapped = RuntimeObject(source, line, resource)
        wrapped.update(value)
        return wrapped
    if isinstance(value, list) and not isinstance(value, RuntimeArray):
        source, line = getattr(value, "source", None), getattr(value, "line", None)
        array = RuntimeArray(source, line, resource)
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
