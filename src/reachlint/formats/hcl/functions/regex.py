"""Terraform's regular expressions: regex, regexall, and replace (with a /pattern/ too).

Terraform's dialect is Go's regexp (RE2 syntax, linear-time matching); so is this one.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from reachlint.formats.hcl.functions.registry import Family
from reachlint.formats.hcl.values import EvalError, Value, sorted_object, to_string
from reachlint.limits import WORK, check_collection, check_string

if TYPE_CHECKING:
    import re2

FAMILY = Family()
function = FAMILY.function


class InvalidPattern(EvalError):
    """A regular expression that RE2 (Terraform's dialect) refuses: Terraform stops the plan
    there, unless try() or can() catches it."""


# Terraform's regular expressions are Go's regexp: RE2 syntax, matched in linear time. Google's
# RE2 binding gives both; Python's `re` would backtrack (`^(a+)+$`) and reads another syntax.
@lru_cache(maxsize=256)
def _go_regex(pattern: str) -> re2._Regexp:
    import re2

    if _has_byte_escape(pattern):
        raise InvalidPattern(
            f"invalid regular expression {json.dumps(pattern)}: \\C is not supported"
        )
    options = re2.Options()
    options.log_errors = False
    try:
        compiled = re2.compile(pattern, options)
    except re2.error as err:
        reason = err.args[0].decode("utf-8", "replace") if err.args else "invalid syntax"
        raise InvalidPattern(
            f"invalid regular expression {json.dumps(pattern)}: {reason}"
        ) from None
    if compiled.groupindex and len(compiled.groupindex) != compiled.groups:
        raise InvalidPattern(
            f"invalid regular expression {json.dumps(pattern)}: named and unnamed capture "
            "groups cannot be mixed"
        )
    return compiled


def _has_byte_escape(pattern: str) -> bool:
    """`\\C` (any byte) is RE2's own; Go's syntax, and so Terraform's, has no such escape."""
    position = pattern.find("\\")
    while position >= 0:
        if pattern.startswith("C", position + 1):
            return True
        position = pattern.find("\\", position + 2)
    return False


def _go_matches(compiled: re2._Regexp, text: str) -> list[Any]:
    """Every match as Go finds them: an empty match right after the previous one is skipped."""
    matches = []
    previous_end = -1
    for match in compiled.finditer(text):
        WORK.tick()
        start, end = match.span()
        if start == end == previous_end:
            continue
        previous_end = end
        matches.append(match)
        check_collection(len(matches), "the regular expression's matches")
    return matches


def _go_template(template: str) -> list[str | int]:
    """Go's Regexp.Expand template as literal text and group references (a number, or a
    name resolved later): `$1`, `${1}`, `$name`, `${name}`, `$$` for a dollar sign."""
    pieces: list[str | int] = []
    literal: list[str] = []
    position = 0
    while True:
        dollar = template.find("$", position)
        if dollar < 0:
            literal.append(template[position:])
            break
        literal.append(template[position:dollar])
        position = dollar + 1
        if template.startswith("$", position):
            literal.append("$")
            position += 1
            continue
        reference = _GO_REFERENCE.match(template, position)
        if reference is None:
            literal.append("$")  # malformed: the dollar sign is text
            continue
        position = reference.end()
        pieces.append("".join(literal))
        literal = []
        name = reference.group("braced") or reference.group("bare")
        # As Go: a number of up to nine digits without a leading zero, else a name.
        numeric = name.isascii() and name.isdigit() and len(name) <= 9
        pieces.append(int(name) if numeric and (name == "0" or name[0] != "0") else -1)
        pieces.append(name)
    pieces.append("".join(literal))
    return pieces


_GO_REFERENCE = re.compile(r"\{(?P<braced>\w+)\}|(?P<bare>\w+)")


@function("replace", 3, 3)
def _replace(text: Value, search: Value, replacement: Value) -> Value:
    whole = to_string(text, "string")
    pattern = to_string(search, "search string")
    new = to_string(replacement, "replacement")
    if len(pattern) > 1 and pattern.startswith("/") and pattern.endswith("/"):
        return _replace_regex(whole, _go_regex(pattern[1:-1]), new)
    occurrences = whole.count(pattern) if pattern else len(whole) + 1
    check_string(len(whole) + occurrences * (len(new) - len(pattern)), "replace()")
    return whole.replace(pattern, new)


def _replace_regex(whole: str, compiled: re2._Regexp, template: str) -> str:
    pieces = _go_template(template)
    names = compiled.groupindex
    out: list[str] = []
    length = 0
    position = 0
    for match in _go_matches(compiled, whole):
        start, end = match.span()
        out.append(whole[position:start])
        length += start - position
        for index in range(0, len(pieces) - 1, 3):
            text = pieces[index]
            number, name = pieces[index + 1], pieces[index + 2]
            assert isinstance(text, str) and isinstance(number, int) and isinstance(name, str)
            group = number if number >= 0 else names.get(name, -1)
            captured = match.group(group) if 0 <= group <= compiled.groups else None
            out.append(text)
            out.append(captured or "")
            length += len(text) + len(captured or "")
        tail = pieces[-1]
        assert isinstance(tail, str)
        out.append(tail)
        length += len(tail)
        WORK.charge_items(len(pieces))
        check_string(length, "replace()")
        position = end
    out.append(whole[position:])
    return "".join(out)


def _match_value(compiled: re2._Regexp, match: Any) -> Value:
    if compiled.groupindex:
        return sorted_object(match.groupdict().items())
    if compiled.groups:
        return list(match.groups())
    return match.group(0)


@function("regex", 2, 2)
def _regex(pattern: Value, text: Value) -> Value:
    compiled = _go_regex(to_string(pattern, "pattern"))
    match = compiled.search(to_string(text, "string"))
    if match is None:
        raise EvalError("regex() found no match")
    return _match_value(compiled, match)


@function("regexall", 2, 2)
def _regexall(pattern: Value, text: Value) -> Value:
    compiled = _go_regex(to_string(pattern, "pattern"))
    return [
        _match_value(compiled, match) for match in _go_matches(compiled, to_string(text, "string"))
    ]
