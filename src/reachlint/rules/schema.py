"""The JSON Schema of rules files, and its errors as one sentence pointing at the line.

Two validators of the same schema: jsonschema-rs (compiled, small to import) gives the verdict
on every rules file; a file it finds invalid is validated again by jsonschema, whose tree of
errors (each branch of an anyOf) says what the sentence needs. So a valid rules file, the
common case, never imports jsonschema, and every error reads as it always has.
"""

from __future__ import annotations

import copy
import difflib
import json
import re
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from reachlint.errors import InputError
from reachlint.rules.document import Document, NodePath

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, ValidationError
    from jsonschema_rs import Draft202012Validator as QuickValidator

_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "empty",
}


def rules_schema() -> dict[str, Any]:
    """The JSON Schema (Draft 2020-12) that rules files are validated against."""
    return copy.deepcopy(_schema())


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    text = resources.files("reachlint.rules").joinpath("schema.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _part(definition: str | None) -> dict[str, Any]:
    schema = _schema()
    if definition is None:
        return schema
    return {"$defs": schema["$defs"], "$ref": f"#/$defs/{definition}"}


@lru_cache(maxsize=4)
def _validator(definition: str | None) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_part(definition))


@lru_cache(maxsize=4)
def _quick_validator(definition: str | None) -> QuickValidator:
    from jsonschema_rs import Draft202012Validator as QuickValidator

    return QuickValidator(_part(definition))


def _quickly_valid(data: object, definition: str | None) -> bool:
    try:
        return bool(_quick_validator(definition).is_valid(data))
    except ValueError:  # a YAML value JSON has no type for (a date): jsonschema judges it
        return False


def check_schema(document: Document, definition: str | None = None) -> None:
    """Raise InputError for the first schema violation in document order.

    `definition` checks the document as one part of a rules file (a "selector") instead.
    """
    if _quickly_valid(document.data, definition):
        return
    root = "the rules file" if definition is None else f"the {definition}"
    errors = _validator(definition).iter_errors(document.data)
    problems = [_problem(error, document, root) for error in errors]
    if problems:
        line, message = min(problems, key=lambda problem: problem[0])
        raise InputError(message, document.file, line)


def _problem(error: ValidationError, document: Document, root: str) -> tuple[int, str]:
    error = _most_specific(error)
    path: NodePath = tuple(error.absolute_path)
    where = _where(path, document.data)
    value = error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}
    label = _label(path) if path else root
    name = _name(path) if path else root
    validator = str(error.validator)
    if "propertyNames" in error.schema_path:
        group = str(value)
        expected = _schema()["$defs"]["name"]["description"]
        return document.line((*path, group)), (
            f"{where}group name {group!r} is not valid: expected {expected}"
        )
    if validator == "additionalProperties" and isinstance(value, dict):
        expected = list(schema.get("properties", {}))
        patterns = [re.compile(pattern) for pattern in schema.get("patternProperties", {})]
        unknown = next(
            key
            for key in value
            if key not in expected and not any(pattern.search(key) for pattern in patterns)
        )
        hint = difflib.get_close_matches(unknown, expected, n=1)
        suggestion = f", did you mean {hint[0]!r}?" if hint else ""
        return document.line((*path, unknown)), (
            f"{where}unknown key {unknown!r}{suggestion} (expected one of: {', '.join(expected)})"
        )
    if validator == "required" and isinstance(value, dict):
        missing = next(key for key in schema.get("required", []) if key not in value)
        return document.line(path), f"{where}missing required key {missing!r}"
    if validator == "type":
        expected_types = schema.get("type")
        names = [expected_types] if isinstance(expected_types, str) else list(expected_types or [])
        wanted = _either([_TYPE_NAMES.get(name, name) for name in names])
        return document.line(path), f"{where}{label} must be {wanted}, not {_kind_of(value)}"
    if validator == "enum":
        options = ", ".join(str(option) for option in schema.get("enum", []))
        return document.line(path), f"{where}{name} {_show(value)} is not one of: {options}"
    if validator == "const":
        return document.line(path), (
            f"{where}{name} {_show(value)} is not supported: expected {_show(schema.get('const'))}"
        )
    if validator in {"minItems", "minProperties"}:
        return document.line(path), f"{where}{label} must not be empty"
    if validator == "anyOf" and not _is_container(value):
        return document.line(path), (
            f"{where}{name} {_show(value)} is not valid: expected {_expected(error)}"
        )
    if validator == "anyOf":
        return document.line(path), (
            f"{where}{label} must be {_expected(error)}, not {_kind_of(value)}"
        )
    if validator == "pattern":
        return document.line(path), (
            f"{where}{name} {_show(value)} is not valid: expected {_expected(error)}"
        )
    return document.line(path), f"{where}{error.message}"


def _most_specific(error: ValidationError) -> ValidationError:
    """Inside anyOf, the error of the one branch whose type fits the value, if it goes deeper.

    A selector is a word or a mapping: for a mapping, the mapping branch's own error (an unknown
    key) says more than "not valid under any of the given schemas".
    """
    while error.validator == "anyOf" and error.context:
        depth = len(error.absolute_path)
        type_misfits = {
            e.relative_schema_path[0]
            for e in error.context
            if e.validator == "type" and len(e.absolute_path) == depth
        }
        fitting = [e for e in error.context if e.relative_schema_path[0] not in type_misfits]
        deeper = [e for e in fitting if len(e.absolute_path) > depth]
        if not deeper and not (fitting and _is_container(error.instance)):
            return error
        error = (deeper or fitting)[0]
    return error


def _expected(error: ValidationError) -> str:
    """What the schema node wants, as its description says (it is written as a noun phrase)."""
    for schema in (error.schema, _parent_schema(error)):
        if isinstance(schema, dict) and "description" in schema:
            return str(schema["description"])
    return "a valid value"


def _parent_schema(error: ValidationError) -> object:
    parent = error.parent
    return parent.schema if parent is not None else None


def _where(path: NodePath, data: object) -> str:
    """'rule ID: ' or 'group NAME: ' for errors inside a rule or a group."""
    if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int):
        rule = _at(data, path[:2])
        rule_id = rule.get("id") if isinstance(rule, dict) else None
        return f"rule {rule_id}: " if isinstance(rule_id, str) else f"rule #{path[1] + 1}: "
    if len(path) >= 2 and path[0] == "groups":
        return f"group {path[1]}: "
    return ""


def _either(options: list[str]) -> str:
    return options[0] if len(options) == 1 else f"{', '.join(options[:-1])} or {options[-1]}"


def _label(path: NodePath) -> str:
    if len(path) >= 2 and path[-2] == "tags":
        return f"tag {path[-1]!r}"
    if isinstance(path[-1], int):
        parent = path[-2] if len(path) >= 2 else "list"
        return f"each item of {parent}"
    return str(path[-1])


# What one item of a list is called.
_ITEM_NAMES = {"ports": "port", "cidrs": "CIDR", "disable": "rule id", "kinds": "kind"}


def _name(path: NodePath) -> str:
    """The key a value is written under (a list item is named after its list's key)."""
    if len(path) >= 2 and path[-2] == "tags":
        return f"tag {path[-1]!r}"
    for step in reversed(path):
        if isinstance(step, str):
            return _ITEM_NAMES.get(step, step) if isinstance(path[-1], int) else step
    return "the value"


def _at(data: object, path: NodePath) -> object:
    for step in path:
        if isinstance(data, dict) and isinstance(step, str):
            data = data.get(step)
        elif isinstance(data, list) and isinstance(step, int) and step < len(data):
            data = data[step]
        else:
            return None
    return data


def _is_container(value: object) -> bool:
    return isinstance(value, dict | list)


def _kind_of(value: object) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value!r}"
    return f"a {type(value).__name__} value"


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return repr(value)
    return str(value)
