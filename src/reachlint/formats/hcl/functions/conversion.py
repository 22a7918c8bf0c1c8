"""Terraform's type conversion functions, and those that mark or unmark a value sensitive."""

from __future__ import annotations

from reachlint.formats.hcl.functions.registry import Family
from reachlint.formats.hcl.values import Value, to_bool, to_number, to_string

FAMILY = Family()
function = FAMILY.function


@function("tostring", 1, 1)
def _tostring(value: Value) -> Value:
    return None if value is None else to_string(value, "argument of tostring()")


@function("tonumber", 1, 1)
def _tonumber(value: Value) -> Value:
    return None if value is None else to_number(value, "argument of tonumber()")


@function("tobool", 1, 1)
def _tobool(value: Value) -> Value:
    return None if value is None else to_bool(value, "argument of tobool()")


@function("sensitive", 1, 1, unknowns="shallow")
def _sensitive(value: Value) -> Value:
    return value


FAMILY.functions["nonsensitive"] = FAMILY.functions["sensitive"]
FAMILY.functions["ephemeralasnull"] = FAMILY.functions["sensitive"]


@function("issensitive", 1, 1, unknowns="shallow")
def _issensitive(value: Value) -> Value:
    return False
