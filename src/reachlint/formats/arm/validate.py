"""Checks over a whole template before anything is evaluated.

Evaluation is lazy: a property the network model never reads is never evaluated. ARM itself
rejects a template with a malformed expression or a reference to a parameter or variable that
is not declared, wherever it is, so these are checked everywhere up front.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from msgspec import Struct

from reachlint.errors import InputError
from reachlint.formats.arm.expressions import (
    Call,
    ExpressionSyntaxError,
    Index,
    Literal,
    Member,
    Node,
    is_expression,
    parse,
)
from reachlint.formats.arm.values import find_key, lookup
from reachlint.formats.jsonpos import JsonArray, JsonObject
from reachlint.limits import LimitError

_NOT_EVALUATED = frozenset({"metadata", "$schema", "contentversion", "definitions", "apiversion"})


class _Names(Struct, frozen=True):
    """The parameters and variables an expression may name (None: anything goes)."""

    parameters: frozenset[str]
    variables: frozenset[str] | None


def validate_template(document: Mapping[str, Any], file: str) -> None:
    """Raise InputError for the first malformed expression or undeclared name."""
    _Checker(file).template(document)


class _Checker:
    def __init__(self, file: str) -> None:
        self.file = file

    def template(self, document: Mapping[str, Any], names: _Names | None = None) -> None:
        own = names or _declared(document)
        for member in _function_members(document):
            declared = lookup(member, "parameters")
            parameters = frozenset(
                str(lookup(p, "name", "")).lower() for p in _list(declared) if isinstance(p, dict)
            )
            self.value(lookup(member, "output"), _Names(parameters, frozenset()))
        if names is None:
            for declaration in _mapping(lookup(document, "parameters")).values():
                if isinstance(declaration, dict):
                    key = find_key(declaration, "defaultValue")
                    if key is not None:
                        self.value(declaration[key], own, _line(declaration, key))
            self.value(lookup(document, "variables"), own)
        self.resources(lookup(document, "resources"), own)
        self.value(lookup(document, "outputs"), own)

    def resources(self, declared: Any, names: _Names) -> None:
        items = declared.values() if isinstance(declared, dict) else _list(declared)
        for resource in items:
            if not isinstance(resource, dict):
                continue
            for key, value in resource.items():
                if key.lower() == "resources":
                    self.resources(value, names)
                elif key.lower() == "properties" and _is_deployment(resource):
                    self.deployment(resource, value, names)
                elif key.lower() not in _NOT_EVALUATED:
                    self.value(value, names, _line(resource, key))

    def deployment(self, resource: Mapping[str, Any], properties: Any, names: _Names) -> None:
        if not isinstance(properties, dict):
            self.value(properties, names, getattr(resource, "line", None))
            return
        options = lookup(properties, "expressionEvaluationOptions")
        scope = lookup(options, "scope") if isinstance(options, dict) else None
        inner = isinstance(scope, str) and scope.lower() == "inner"
        for key, value in properties.items():
            if key.lower() != "template":
                self.value(value, names, _line(properties, key))
            elif isinstance(value, dict):
                # An inner-scoped template has its own names; an outer one uses the parent's.
                self.template(value, None if inner else names)
            else:
                self.value(value, names, _line(properties, key))

    def value(self, value: Any, names: _Names, line: int | None = None) -> None:
        if isinstance(value, str):
            if is_expression(value):
                self.expression(value, names, line)
        elif isinstance(value, dict):
            for key, item in value.items():
                if key.lower() not in _NOT_EVALUATED:
                    self.value(item, names, _line(value, key) or line)
        elif isinstance(value, list):
            for position, item in enumerate(value):
                self.value(item, names, _line(value, position) or line)

    def expression(self, text: str, names: _Names, line: int | None) -> None:
        try:
            node = parse(text)
        except ExpressionSyntaxError as err:
            raise InputError(
                f"invalid template expression {_clip(text)!r}: {err.message} at column "
                f"{err.column}",
                self.file,
                line,
            ) from None
        except LimitError as err:
            raise err.located(self.file, line) from None
        for call in _calls(node):
            if call.name not in ("parameters", "variables") or len(call.args) != 1:
                continue
            argument = call.args[0]
            if not isinstance(argument, Literal) or not isinstance(argument.value, str):
                continue
            declared = names.parameters if call.name == "parameters" else names.variables
            if declared is not None and argument.value.lower() not in declared:
                kind = "parameter" if call.name == "parameters" else "variable"
                raise InputError(
                    f"{kind} '{argument.value}' is not declared (in {text})", self.file, line
                )


def _clip(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _declared(document: Mapping[str, Any]) -> _Names:
    parameters = frozenset(k.lower() for k in _mapping(lookup(document, "parameters")))
    variables = {k.lower() for k in _mapping(lookup(document, "variables")) if k.lower() != "copy"}
    for loop in _list(lookup(_mapping(lookup(document, "variables")), "copy")):
        if isinstance(loop, dict) and isinstance(lookup(loop, "name"), str):
            variables.add(str(lookup(loop, "name")).lower())
    return _Names(parameters, frozenset(variables))


def _function_members(document: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for namespace in _list(lookup(document, "functions")):
        if isinstance(namespace, dict):
            for member in _mapping(lookup(namespace, "members")).values():
                if isinstance(member, dict):
                    yield member


def _calls(node: Node) -> Iterator[Call]:
    if isinstance(node, Call):
        yield node
        for arg in node.args:
            yield from _calls(arg)
    elif isinstance(node, Member):
        yield from _calls(node.target)
    elif isinstance(node, Index):
        yield from _calls(node.target)
        yield from _calls(node.index)


def _is_deployment(resource: Mapping[str, Any]) -> bool:
    kind = lookup(resource, "type")
    return isinstance(kind, str) and kind.lower() == "microsoft.resources/deployments"


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _line(container: Any, key: str | int) -> int | None:
    if isinstance(container, JsonObject) and isinstance(key, str):
        return container.key_lines.get(key, container.line)
    if (
        isinstance(container, JsonArray)
        and isinstance(key, int)
        and key < len(container.item_lines)
    ):
        return container.item_lines[key]
    return getattr(container, "line", None)
