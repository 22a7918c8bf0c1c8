"""How the CloudFormation table says where a field is written: a property path, a constant the
type fixes, or a reader of several properties; entries and the resources they spawn."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from msgspec import Struct, field

from reachlint.formats.jsonpos import JsonObject


class FieldSpec(Struct, frozen=True):
    path: tuple[str, ...] = ()
    convert: Callable[[Any], Any] | None = None  # CloudFormation's spelling -> the provider's
    constant: Any = None  # a value the type itself fixes
    compute: Callable[[JsonObject], Any] | None = None  # read from several properties at once


class EntrySpec(FieldSpec, frozen=True):
    fields: dict[str, FieldSpec] = field(default_factory=dict)
    absent: tuple[JsonObject, ...] | None = None  # what is deployed when the property is absent
    single: bool = False  # one object (a function's VpcConfig), where Terraform writes a list


class Spawn(Struct, frozen=True):
    """Entries of a resource that the provider reads as resources of their own kind (a target
    group's inline Targets are its attachments); `parent` is the field that links back."""

    path: tuple[str, ...]
    kind: str
    parent: str
    fields: dict[str, FieldSpec]


class KindSpec(Struct, frozen=True):
    kinds: tuple[str, ...]
    fields: dict[str, FieldSpec]
    choose: Callable[[JsonObject], str | None] | None = None
    spawns: tuple[Spawn, ...] = ()

    def kind_of(self, properties: JsonObject) -> str | None:
        if self.choose is not None:
            return self.choose(properties)
        return self.kinds[0]


def at(*path: str, convert: Callable[[Any], Any] | None = None) -> FieldSpec:
    return FieldSpec(tuple(path), convert)


def fixed(value: Any) -> FieldSpec:
    return FieldSpec(constant=value)


def kind(kind_name: str, /, **fields: FieldSpec) -> KindSpec:
    return KindSpec((kind_name,), fields)


def computed(function: Callable[[JsonObject], Any], *path: str) -> FieldSpec:
    """A field read from several properties; `path` is the one notes name it by."""
    return FieldSpec(tuple(path), compute=function)


def one(*path: str, fields: dict[str, FieldSpec]) -> EntrySpec:
    return EntrySpec(tuple(path), fields=fields, single=True)


def many(*path: str, fields: dict[str, FieldSpec]) -> EntrySpec:
    return EntrySpec(tuple(path), fields=fields)
