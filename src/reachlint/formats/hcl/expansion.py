"""count and for_each: the instances a resource or a module call makes, and their keys.

Keys follow Terraform's addresses: `aws_subnet.a[0]`, `module.web["x"]`. When count or for_each
is not known before apply, one instance with the key `[*]` stands for them all.
"""

from __future__ import annotations

import json

from msgspec import Struct

from reachlint.formats.hcl.config import SourceFile
from reachlint.formats.hcl.values import (
    EvalError,
    Unknown,
    UnknownExpansion,
    Value,
    to_number,
    to_string,
)
from reachlint.limits import MAX_INSTANCES_PER_RESOURCE, LimitError
from reachlint.sensitive import Sensitive, has_marks, unmark

STAR = "*"  # the key of the one instance that stands for an unknown expansion
Key = int | str | None


def instance_suffix(key: Key) -> str:
    if key is None:
        return ""
    if key == STAR:
        return "[*]"
    if isinstance(key, int):
        return f"[{key}]"
    return f"[{json.dumps(key, ensure_ascii=False)}]"


class Iteration(Struct):
    key: Key
    names: dict[str, Value]  # count / each as expressions see them
    # What addresses show in place of a key that comes from a sensitive value.
    shown: str | None = None

    @property
    def suffix(self) -> str:
        return instance_suffix(self.key if self.shown is None else self.shown)

    @property
    def shown_key(self) -> Key:
        return self.key if self.shown is None else self.shown


class Expansion(Struct):
    kind: str  # single, count, for_each, unknown
    iterations: list[Iteration]


def collection_value(expansion: Expansion, objects: list[Value], sources: frozenset[str]) -> Value:
    """The value of all instances, as expressions see it; `sources` are what an unknown
    expansion refers to (its one resource instance; nothing for a module)."""
    if expansion.kind == "single":
        return objects[0]
    if expansion.kind == "count":
        return objects
    if expansion.kind == "for_each":
        return {
            str(iteration.key): item
            for iteration, item in zip(expansion.iterations, objects, strict=True)
        }
    return UnknownExpansion(objects[0], sources)


def check_instances(what: str, argument: str, count: int, file: SourceFile, line: int) -> None:
    if count > MAX_INSTANCES_PER_RESOURCE:
        raise LimitError(
            f"{what}: {argument} asks for {count:,} instances",
            MAX_INSTANCES_PER_RESOURCE,
            "instances of one resource or module",
            file.shown,
            line,
        )


def instance_count(value: Value) -> int:
    number = to_number(value, "count")
    if isinstance(number, float) or number < 0:
        raise EvalError("count must be a whole number, zero or more")
    return number


def merge_iterations(expansions: list[list[Iteration]]) -> list[Iteration]:
    """The instances of every possible for_each, each key once, in key order."""
    merged: dict[str, Iteration] = {}
    for iterations in expansions:
        for iteration in iterations:
            merged.setdefault(str(iteration.key), iteration)
    return [merged[key] for key in sorted(merged)]


def for_each_iterations(value: Value) -> list[Iteration] | None:
    """Instances of a for_each; None when its keys are not known before apply."""
    if isinstance(value, Unknown):
        return None
    if value is None:
        raise EvalError("for_each is null; it must be a map or a set of strings")
    if isinstance(value, dict):
        return [
            Iteration(str(key), {"each": {"key": str(key), "value": item}})
            for key, item in sorted(value.items())
        ]
    if isinstance(value, list):
        if any(isinstance(item, Unknown) for item in value):
            return None
        keys: dict[str, None] = {}
        for item in value:
            if isinstance(item, list | dict) or item is None:
                raise EvalError("for_each must be a map or a set of strings")
            keys[str(to_string(item, "for_each element"))] = None
        return [Iteration(key, {"each": {"key": key, "value": key}}) for key in sorted(keys)]
    raise EvalError("for_each must be a map or a set of strings")


def marks_keys(value: Value) -> bool:
    """Whether the instance keys a for_each value gives come from a sensitive value."""
    if isinstance(value, Sensitive):
        return True
    return isinstance(value, list) and any(has_marks(item) for item in value)


def plain_keys(value: Value) -> Value:
    """A for_each value whose keys can be read: a map's values keep their own marks."""
    if isinstance(value, Sensitive):
        return unmark(value)
    return unmark(value) if isinstance(value, list) else value
