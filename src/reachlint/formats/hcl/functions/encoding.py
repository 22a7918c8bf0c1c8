"""Terraform's encoding and hash functions: base64, JSON, md5, sha1, sha256, sha512."""

from __future__ import annotations

import base64
import hashlib
import json

from reachlint.formats.hcl.functions.registry import Family
from reachlint.formats.hcl.values import (
    EvalError,
    Value,
    normalize_number,
    plain,
    sorted_object,
    to_string,
)
from reachlint.limits import MAX_STRING_LENGTH, check_string, encoded_length

FAMILY = Family()
function = FAMILY.function


@function("base64encode", 1, 1)
def _base64encode(text: Value) -> Value:
    return base64.b64encode(to_string(text, "string").encode()).decode()


@function("base64decode", 1, 1)
def _base64decode(text: Value) -> Value:
    try:
        return base64.b64decode(to_string(text, "string"), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        raise EvalError("base64decode() got text that is not base64 of UTF-8") from None


def _hash(name: str) -> None:
    @function(name, 1, 1)
    def digest(text: Value) -> Value:
        return hashlib.new(name, to_string(text, "string").encode()).hexdigest()


for _algorithm in ("md5", "sha1", "sha256", "sha512"):
    _hash(_algorithm)


@function("base64sha256", 1, 1)
def _base64sha256(text: Value) -> Value:
    return base64.b64encode(hashlib.sha256(to_string(text, "string").encode()).digest()).decode()


def json_text(value: Value) -> str:
    check_string(encoded_length(value, MAX_STRING_LENGTH), "jsonencode()")
    text = json.dumps(plain(value), separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    # Go's encoder escapes these, and so does Terraform.
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


@function("jsonencode", 1, 1)
def _jsonencode(value: Value) -> Value:
    return json_text(value)


def _from_json(value: object) -> Value:
    if isinstance(value, dict):
        return sorted_object((key, _from_json(item)) for key, item in value.items())
    if isinstance(value, list):
        return [_from_json(item) for item in value]
    if isinstance(value, float):
        return normalize_number(value)
    return value


@function("jsondecode", 1, 1)
def _jsondecode(text: Value) -> Value:
    try:
        return _from_json(json.loads(to_string(text, "string")))
    except (ValueError, RecursionError):
        raise EvalError("jsondecode() got text that is not JSON") from None
