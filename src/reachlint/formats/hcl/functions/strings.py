"""Terraform's string functions: join, split, case, trimming, substrings, paths, format."""

from __future__ import annotations

import json
import posixpath
import re

from reachlint.formats.hcl.functions.encoding import json_text
from reachlint.formats.hcl.functions.registry import Family, as_int, as_list
from reachlint.formats.hcl.values import (
    EvalError,
    Value,
    format_number,
    to_bool,
    to_number,
    to_string,
)
from reachlint.limits import MAX_STRING_LENGTH, check_collection, check_string, check_width

FAMILY = Family()
function = FAMILY.function


@function("join", 2)
def _join(separator: Value, *lists: Value) -> Value:
    glue = to_string(separator, "separator")
    items: list[str] = []
    length = 0
    for value in lists:
        for item in as_list(value, "joined value"):
            text = to_string(item, "element")
            length += len(text) + len(glue)
            check_string(length, "join()")
            items.append(text)
    return glue.join(items)


@function("split", 2, 2)
def _split(separator: Value, text: Value) -> Value:
    glue = to_string(separator, "separator")
    whole = to_string(text, "string")
    check_collection(len(whole) if not glue else whole.count(glue) + 1, "split()")
    if not glue:
        return list(whole)
    return whole.split(glue)


@function("lower", 1, 1)
def _lower(text: Value) -> Value:
    return to_string(text, "string").lower()


@function("upper", 1, 1)
def _upper(text: Value) -> Value:
    return to_string(text, "string").upper()


@function("title", 1, 1)
def _title(text: Value) -> Value:
    return re.sub(r"\b\w", lambda m: m.group().upper(), to_string(text, "string"))


@function("trimspace", 1, 1)
def _trimspace(text: Value) -> Value:
    return to_string(text, "string").strip()


@function("trim", 2, 2)
def _trim(text: Value, characters: Value) -> Value:
    return to_string(text, "string").strip(to_string(characters, "characters"))


@function("trimprefix", 2, 2)
def _trimprefix(text: Value, prefix: Value) -> Value:
    return to_string(text, "string").removeprefix(to_string(prefix, "prefix"))


@function("trimsuffix", 2, 2)
def _trimsuffix(text: Value, suffix: Value) -> Value:
    return to_string(text, "string").removesuffix(to_string(suffix, "suffix"))


@function("chomp", 1, 1)
def _chomp(text: Value) -> Value:
    # Any run of \r and \n is a run of \r\n, \n and \r; a regex would backtrack on long runs.
    return to_string(text, "string").rstrip("\r\n")


@function("indent", 2, 2)
def _indent(spaces: Value, text: Value) -> Value:
    width = as_int(spaces, "number of spaces")
    whole = to_string(text, "string")
    check_string(len(whole) + whole.count("\n") * max(width, 0), "indent()")
    return whole.replace("\n", "\n" + " " * width)


@function("strrev", 1, 1)
def _strrev(text: Value) -> Value:
    return to_string(text, "string")[::-1]


@function("startswith", 2, 2)
def _startswith(text: Value, prefix: Value) -> Value:
    return to_string(text, "string").startswith(to_string(prefix, "prefix"))


@function("endswith", 2, 2)
def _endswith(text: Value, suffix: Value) -> Value:
    return to_string(text, "string").endswith(to_string(suffix, "suffix"))


@function("strcontains", 2, 2)
def _strcontains(text: Value, part: Value) -> Value:
    return to_string(part, "substring") in to_string(text, "string")


@function("substr", 3, 3)
def _substr(text: Value, offset: Value, length: Value) -> Value:
    whole = to_string(text, "string")
    start = as_int(offset, "offset")
    count = as_int(length, "length")
    if start < 0:
        start += len(whole)
    if start < 0 or start > len(whole):
        raise EvalError(f"substr() offset {start} is outside the string")
    if count < 0:
        return whole[start:]
    return whole[start : start + count]


@function("basename", 1, 1)
def _basename(path: Value) -> Value:
    return posixpath.basename(to_string(path, "path"))


@function("dirname", 1, 1)
def _dirname(path: Value) -> Value:
    return posixpath.dirname(to_string(path, "path")) or "."


_VERB = re.compile(
    r"%(?P<flags>[-+# 0]*)(?P<width>\d+)?(?:\.(?P<precision>\d+))?"
    r"(?:\[(?P<arg>\d+)\])?(?P<verb>[a-zA-Z%])"
)


def _format_one(match: re.Match[str], value: Value) -> str:
    flags = match.group("flags")
    width = match.group("width") or ""
    precision = match.group("precision")
    for digits in (width, precision):
        if digits:
            check_width(int(digits) if len(digits) <= 9 else MAX_STRING_LENGTH, "format()")
    verb = match.group("verb")
    dot = f".{precision}" if precision is not None else ""
    if verb in ("s", "q", "v", "t"):
        if verb == "t":
            text = "true" if to_bool(value, "%t value") else "false"
        elif verb == "q":
            text = json.dumps(to_string(value, "%q value"), ensure_ascii=False)
        elif verb == "v" and not isinstance(value, str):
            text = json_text(value) if isinstance(value, list | dict) else _format_plain(value)
        else:
            text = to_string(value, f"%{verb} value")
        if precision is not None:
            text = text[: int(precision)]
        return f"%{'-' if '-' in flags else ''}{width}s" % text
    number = to_number(value, f"%{verb} value")
    if verb in ("d", "x", "X", "o", "b"):
        if isinstance(number, float):
            raise EvalError(f"%{verb} needs a whole number, not {format_number(number)}")
        if verb == "b":
            digits = format(abs(number), "b")
            return f"%{flags.replace('#', '')}{width}s" % (("-" if number < 0 else "") + digits)
        return f"%{flags}{width}{dot}{verb}" % number
    if verb in ("e", "E", "f", "F", "g", "G"):
        python_verb = "f" if verb == "F" else verb
        return f"%{flags}{width}{dot}{python_verb}" % number
    raise EvalError(f"format() does not know the verb %{verb}")


def _format_plain(value: Value) -> str:
    if value is None:
        return "null"
    return to_string(value)


def _format(pattern: str, args: list[Value]) -> str:
    pieces: list[str] = []
    position = 0
    next_arg = 0
    length = len(pattern)
    for match in _VERB.finditer(pattern):
        pieces.append(pattern[position : match.start()])
        position = match.end()
        if match.group("verb") == "%" and not match.group("flags") and not match.group("width"):
            pieces.append("%")
            continue
        if match.group("arg"):
            next_arg = int(match.group("arg")) - 1
        if next_arg >= len(args):
            raise EvalError(f"format() has too few arguments for {json.dumps(pattern)}")
        pieces.append(_format_one(match, args[next_arg]))
        next_arg += 1
        length += len(pieces[-1])
        check_string(length, "format()")
    pieces.append(pattern[position:])
    return "".join(pieces)


@function("format", 1)
def _format_function(pattern: Value, *args: Value) -> Value:
    return _format(to_string(pattern, "format"), list(args))


@function("formatlist", 1)
def _formatlist(pattern: Value, *args: Value) -> Value:
    text = to_string(pattern, "format")
    lengths = {len(arg) for arg in args if isinstance(arg, list)}
    if len(lengths) > 1:
        raise EvalError("formatlist() needs lists of the same length")
    if not lengths:
        return [_format(text, list(args))]
    (count,) = lengths
    return [
        _format(text, [arg[i] if isinstance(arg, list) else arg for arg in args])
        for i in range(count)
    ]
