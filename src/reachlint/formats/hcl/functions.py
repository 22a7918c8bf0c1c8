"""Terraform's built-in functions, as far as a network model needs them.

Each function takes evaluated arguments and returns a value or raises EvalError with the
reason Terraform would give. Unknown arguments give an unknown result that keeps their sources,
except where Terraform knows the answer anyway (the length of a list of unknown ids).
Functions that read files or the clock are not here: the evaluator makes them unknown.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import math
import posixpath
import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from reachlint.formats.hcl.values import (
    EvalError,
    ResourceObject,
    Unknown,
    Value,
    describe,
    equal,
    format_number,
    has_unknown,
    make_set,
    normalize_number,
    plain,
    set_key,
    sorted_object,
    to_bool,
    to_number,
    to_string,
    unknown_from,
)
from reachlint.limits import (
    MAX_COLLECTION_LENGTH,
    MAX_STRING_LENGTH,
    WORK,
    check_collection,
    check_string,
    check_width,
    encoded_length,
)

if TYPE_CHECKING:
    import re2

Function = Callable[[list[Value]], Value]
FUNCTIONS: dict[str, Function] = {}

# Functions whose result depends on files, the clock or randomness: unknown before apply
# (or, for files, deliberately not read).
NOT_EVALUATED = frozenset(
    {
        "file",
        "fileexists",
        "fileset",
        "filebase64",
        "filebase64sha256",
        "filebase64sha512",
        "filemd5",
        "filesha1",
        "filesha256",
        "filesha512",
        "templatefile",
        "timestamp",
        "plantimestamp",
        "uuid",
        "bcrypt",
        "abspath",
        "pathexpand",
        "yamlencode",
        "yamldecode",
        "textdecodebase64",
        "textencodebase64",
        "uuidv5",
        "rsadecrypt",
        "timeadd",
        "timecmp",
        "formatdate",
        "templatestring",
    }
)


def function(
    name: str,
    minimum: int,
    maximum: int | None = None,
    unknowns: Literal["deep", "shallow"] = "deep",
) -> Callable[[Callable[..., Value]], Callable[..., Value]]:
    """Register `name`; `unknowns` says whether an unknown anywhere in an argument (deep) or
    only a wholly unknown argument (shallow) makes the result unknown before the call."""

    def register(implementation: Callable[..., Value]) -> Callable[..., Value]:
        def call(args: list[Value]) -> Value:
            if len(args) < minimum or (maximum is not None and len(args) > maximum):
                raise EvalError(f"{name}() {_arity(minimum, maximum)}, not {len(args)}")
            if unknowns == "deep":
                if any(has_unknown(arg) for arg in args):
                    return unknown_from(*args)
            elif any(isinstance(arg, Unknown) for arg in args):
                return unknown_from(*args)
            return implementation(*args)

        FUNCTIONS[name] = call
        return implementation

    return register


def _arity(minimum: int, maximum: int | None) -> str:
    if maximum == minimum:
        return f"takes {minimum} argument{'s' if minimum != 1 else ''}"
    if maximum is None:
        return f"takes at least {minimum} argument{'s' if minimum != 1 else ''}"
    return f"takes {minimum} to {maximum} arguments"


def _list(value: Value, what: str) -> list[Value]:
    if isinstance(value, list):
        return value
    raise EvalError(f"{what} must be a list or set, not {describe(value)}")


def _map(value: Value, what: str) -> dict[str, Value]:
    if isinstance(value, dict):
        return value
    raise EvalError(f"{what} must be a map or object, not {describe(value)}")


def _int(value: Value, what: str) -> int:
    number = to_number(value, what)
    if isinstance(number, float):
        raise EvalError(f"the {what} must be a whole number, not {format_number(number)}")
    return number


# Networks.
def _network(prefix: Value) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    text = to_string(prefix, "prefix")
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise EvalError(f"invalid CIDR prefix {json.dumps(text)}") from None


@function("cidrsubnet", 3, 3)
def _cidrsubnet(prefix: Value, newbits: Value, netnum: Value) -> Value:
    network = _network(prefix)
    extra = _int(newbits, "newbits")
    number = _int(netnum, "netnum")
    length = network.prefixlen + extra
    if extra < 0 or length > network.max_prefixlen:
        raise EvalError(
            f"cannot extend the prefix /{network.prefixlen} by {extra} bits "
            f"(an address has {network.max_prefixlen})"
        )
    if number < 0 or number >= 1 << extra:
        raise EvalError(f"prefix extension of {extra} bits cannot hold the number {number}")
    address = int(network.network_address) + (number << (network.max_prefixlen - length))
    return f"{ipaddress.ip_address(_address_type(network, address))}/{length}"


def _address_type(
    network: ipaddress.IPv4Network | ipaddress.IPv6Network, address: int
) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    if network.version == 4:
        return ipaddress.IPv4Address(address)
    return ipaddress.IPv6Address(address)


@function("cidrsubnets", 1)
def _cidrsubnets(prefix: Value, *newbits: Value) -> Value:
    network = _network(prefix)
    bits = network.max_prefixlen
    total = 1 << bits
    lengths = [network.prefixlen + _int(extra, "newbits") for extra in newbits]
    for length in lengths:
        if length < network.prefixlen or length > bits:
            raise EvalError(f"cannot make a /{length} subnet of {network}")
    if not lengths:
        return []
    start = int(network.network_address)
    end = start + network.num_addresses
    # As Terraform: begin at the subnet just before the prefix, then take the next aligned
    # subnet of each requested size.
    size = 1 << (bits - lengths[0])
    current_address = ((start - 1) % total) & ~(size - 1)
    current_length = lengths[0]
    subnets: list[Value] = []
    for length in lengths:
        current_last = current_address | ((1 << (bits - current_length)) - 1)
        size = 1 << (bits - length)
        containing = current_last & ~(size - 1)
        following = containing + size
        if following >= total or not start <= following < end:
            raise EvalError(
                f"not enough remaining address space for a subnet with a prefix of {length} "
                f"bits after {_address_type(network, current_address)}/{current_length}"
            )
        current_address, current_length = following, length
        subnets.append(f"{_address_type(network, following)}/{length}")
    return subnets


@function("cidrhost", 2, 2)
def _cidrhost(prefix: Value, hostnum: Value) -> Value:
    network = _network(prefix)
    number = _int(hostnum, "host number")
    count = network.num_addresses
    if number >= count or number < -count:
        raise EvalError(f"prefix {network} has no host number {number}")
    offset = number if number >= 0 else count + number
    return str(_address_type(network, int(network.network_address) + offset))


@function("cidrnetmask", 1, 1)
def _cidrnetmask(prefix: Value) -> Value:
    network = _network(prefix)
    if network.version != 4:
        raise EvalError("cidrnetmask() works only on IPv4 prefixes")
    return str(network.netmask)


# Collections.
@function("length", 1, 1, unknowns="shallow")
def _length(value: Value) -> Value:
    if isinstance(value, str | list | dict):
        return len(value)
    raise EvalError(f"cannot take the length of {describe(value)}")


@function("concat", 0, unknowns="shallow")
def _concat(*lists: Value) -> Value:
    joined: list[Value] = []
    for position, value in enumerate(lists):
        items = _list(value, f"argument {position + 1} of concat()")
        check_collection(len(joined) + len(items), "concat()")
        joined.extend(items)
    return joined


@function("merge", 0, unknowns="shallow")
def _merge(*maps: Value) -> Value:
    merged: dict[str, Value] = {}
    for position, value in enumerate(maps):
        if value is None:
            continue
        merged.update(_map(value, f"argument {position + 1} of merge()"))
    return sorted_object(merged.items())


@function("lookup", 2, 3, unknowns="shallow")
def _lookup(mapping: Value, key: Value, *default: Value) -> Value:
    values = _map(mapping, "the first argument of lookup()")
    name = to_string(key, "key")
    if name in values:
        return values[name]
    if isinstance(values, ResourceObject):
        return values[name]
    if default:
        return default[0]
    raise EvalError(f"the map has no element {json.dumps(name)} and no default was given")


@function("element", 2, 2, unknowns="shallow")
def _element(items: Value, index: Value) -> Value:
    values = _list(items, "the first argument of element()")
    position = _int(index, "index")
    if not values:
        raise EvalError("cannot use element() on an empty list")
    if position < 0:
        raise EvalError("cannot use element() with a negative index")
    return values[position % len(values)]


def _flatten_into(value: list[Value], into: list[Value]) -> bool:
    WORK.tick()
    for item in value:
        if isinstance(item, Unknown):
            return False
        if isinstance(item, list):
            if not _flatten_into(item, into):
                return False
        else:
            into.append(item)
            if len(into) > MAX_COLLECTION_LENGTH:
                check_collection(len(into), "flatten()")
    return True


@function("flatten", 1, 1, unknowns="shallow")
def _flatten(value: Value) -> Value:
    flat: list[Value] = []
    if not _flatten_into(_list(value, "the argument of flatten()"), flat):
        return unknown_from(value)  # an unknown element may be a list or not
    return flat


@function("distinct", 1, 1)
def _distinct(value: Value) -> Value:
    unique: dict[object, Value] = {}
    for item in _list(value, "the argument of distinct()"):
        unique.setdefault(set_key(item), item)
    return list(unique.values())


def _unify_primitives(items: list[Value]) -> list[Value]:
    """Terraform's type unification for a collection of mixed primitives: all strings."""
    kinds = {type(item) for item in items if item is not None and not isinstance(item, Unknown)}
    if str in kinds and len(kinds) > 1 and all(k in (str, int, float, bool) for k in kinds):
        return [
            to_string(item) if item is not None and not isinstance(item, Unknown) else item
            for item in items
        ]
    return items


@function("toset", 1, 1, unknowns="shallow")
def _toset(value: Value) -> Value:
    return make_set(_unify_primitives(_list(value, "the argument of toset()")))


@function("tolist", 1, 1, unknowns="shallow")
def _tolist(value: Value) -> Value:
    return _unify_primitives(_list(value, "the argument of tolist()"))


@function("tomap", 1, 1, unknowns="shallow")
def _tomap(value: Value) -> Value:
    mapping = _map(value, "the argument of tomap()")
    unified = _unify_primitives(list(mapping.values()))
    return sorted_object(zip(mapping, unified, strict=True))


@function("keys", 1, 1, unknowns="shallow")
def _keys(value: Value) -> Value:
    return sorted(_map(value, "the argument of keys()"))


@function("values", 1, 1, unknowns="shallow")
def _values(value: Value) -> Value:
    mapping = _map(value, "the argument of values()")
    return [mapping[key] for key in sorted(mapping)]


@function("zipmap", 2, 2, unknowns="shallow")
def _zipmap(keys: Value, values: Value) -> Value:
    names = _list(keys, "the keys of zipmap()")
    items = _list(values, "the values of zipmap()")
    if has_unknown(names):
        return unknown_from(names, items)
    if len(names) != len(items):
        raise EvalError(f"zipmap() got {len(names)} keys and {len(items)} values")
    return sorted_object((to_string(k, "key"), v) for k, v in zip(names, items, strict=True))


@function("contains", 2, 2, unknowns="shallow")
def _contains(items: Value, wanted: Value) -> Value:
    values = _list(items, "the first argument of contains()")
    if has_unknown(wanted):
        return unknown_from(values, wanted)
    if any(not has_unknown(item) and equal(item, wanted) for item in values):
        return True
    if has_unknown(values):
        return unknown_from(values)
    return False


@function("range", 1, 3)
def _range(*args: Value) -> Value:
    numbers = [to_number(arg, "range() argument") for arg in args]
    start: int | float
    limit: int | float
    step: int | float
    if len(numbers) == 1:
        start, limit, step = 0, numbers[0], 1
    elif len(numbers) == 2:
        start, limit = numbers
        step = 1 if limit >= start else -1
    else:
        start, limit, step = numbers
    if step == 0:
        raise EvalError("range() step must not be zero")
    if (step > 0 and limit < start) or (step < 0 and limit > start):
        raise EvalError("range() step goes the wrong way for its start and limit")
    result: list[Value] = []
    value = start
    while (step > 0 and value < limit) or (step < 0 and value > limit):
        result.append(normalize_number(value))
        if len(result) > 1024:
            raise EvalError("range() would produce more than 1024 numbers")
        value += step
    return result


@function("slice", 3, 3, unknowns="shallow")
def _slice(items: Value, start: Value, end: Value) -> Value:
    values = _list(items, "the first argument of slice()")
    first, last = _int(start, "start index"), _int(end, "end index")
    if first < 0 or last > len(values) or first > last:
        raise EvalError(f"slice() indexes {first} and {last} do not fit a list of {len(values)}")
    return values[first:last]


@function("sort", 1, 1)
def _sort(items: Value) -> Value:
    return sorted(to_string(item, "element") for item in _list(items, "the argument of sort()"))


@function("reverse", 1, 1, unknowns="shallow")
def _reverse(items: Value) -> Value:
    return list(reversed(_list(items, "the argument of reverse()")))


@function("compact", 1, 1)
def _compact(items: Value) -> Value:
    values = _list(items, "the argument of compact()")
    return [to_string(item, "element") for item in values if item is not None and item != ""]


def _empty(value: Value) -> bool:
    return value is None or value == ""


@function("coalesce", 1, unknowns="shallow")
def _coalesce(*args: Value) -> Value:
    for arg in args:
        if isinstance(arg, Unknown):
            return unknown_from(arg)
        if not _empty(arg):
            return arg
    raise EvalError("coalesce() found no non-null, non-empty argument")


@function("coalescelist", 1, unknowns="shallow")
def _coalescelist(*args: Value) -> Value:
    for position, arg in enumerate(args):
        if _list(arg, f"argument {position + 1} of coalescelist()"):
            return arg
    raise EvalError("coalescelist() found no non-empty list")


@function("one", 1, 1, unknowns="shallow")
def _one(items: Value) -> Value:
    values = _list(items, "the argument of one()")
    if len(values) > 1:
        raise EvalError(f"one() got a list of {len(values)} elements; at most one is allowed")
    return values[0] if values else None


@function("sum", 1, 1)
def _sum(items: Value) -> Value:
    values = _list(items, "the argument of sum()")
    if not values:
        raise EvalError("sum() cannot sum an empty list")
    return normalize_number(sum(to_number(item, "element") for item in values))


@function("setunion", 1, unknowns="shallow")
def _setunion(*sets: Value) -> Value:
    joined: list[Value] = []
    for position, value in enumerate(sets):
        items = _list(value, f"argument {position + 1} of setunion()")
        check_collection(len(joined) + len(items), "setunion()")
        joined.extend(items)
    return make_set(joined)


@function("setintersection", 1)
def _setintersection(first: Value, *others: Value) -> Value:
    result = make_set(_list(first, "argument 1 of setintersection()"))
    for position, value in enumerate(others):
        other = {
            set_key(item) for item in _list(value, f"argument {position + 2} of setintersection()")
        }
        result = [item for item in result if set_key(item) in other]
    return result


@function("setsubtract", 2, 2)
def _setsubtract(first: Value, second: Value) -> Value:
    removed = {set_key(item) for item in _list(second, "argument 2 of setsubtract()")}
    kept = _list(first, "argument 1 of setsubtract()")
    return make_set([item for item in kept if set_key(item) not in removed])


@function("setproduct", 1)
def _setproduct(*sets: Value) -> Value:
    product: list[list[Value]] = [[]]
    for position, value in enumerate(sets):
        items = _list(value, f"argument {position + 1} of setproduct()")
        check_collection(len(product) * len(items), "setproduct()")
        WORK.charge_items(len(product) * len(items) * (position + 1))
        product = [[*prefix, item] for prefix in product for item in items]
    return [list(combination) for combination in product]


@function("index", 2, 2)
def _index(items: Value, wanted: Value) -> Value:
    for position, item in enumerate(_list(items, "the first argument of index()")):
        if equal(item, wanted):
            return position
    raise EvalError("index() did not find the value in the list")


@function("chunklist", 2, 2, unknowns="shallow")
def _chunklist(items: Value, size: Value) -> Value:
    values = _list(items, "the first argument of chunklist()")
    width = _int(size, "chunk size")
    if width < 0:
        raise EvalError("chunklist() size must not be negative")
    if width == 0:
        return [values]
    return [values[i : i + width] for i in range(0, len(values), width)]


@function("alltrue", 1, 1)
def _alltrue(items: Value) -> Value:
    return all(to_bool(item, "element") for item in _list(items, "the argument of alltrue()"))


@function("anytrue", 1, 1)
def _anytrue(items: Value) -> Value:
    return any(to_bool(item, "element") for item in _list(items, "the argument of anytrue()"))


@function("matchkeys", 3, 3)
def _matchkeys(values: Value, keys: Value, searchset: Value) -> Value:
    items = _list(values, "the values of matchkeys()")
    names = _list(keys, "the keys of matchkeys()")
    wanted = _list(searchset, "the search set of matchkeys()")
    if len(items) != len(names):
        raise EvalError("matchkeys() needs as many keys as values")
    searched = {set_key(item) for item in wanted}
    return [item for item, key in zip(items, names, strict=True) if set_key(key) in searched]


@function("transpose", 1, 1)
def _transpose(value: Value) -> Value:
    result: dict[str, list[Value]] = {}
    for key, items in _map(value, "the argument of transpose()").items():
        for item in _list(items, "each value of transpose()'s map"):
            result.setdefault(to_string(item, "element"), []).append(key)
    return sorted_object((key, sorted(items)) for key, items in result.items())


# Numbers.
def _numbers(args: tuple[Value, ...], name: str) -> list[int | float]:
    if not args:
        raise EvalError(f"{name}() needs at least one number")
    return [to_number(arg, f"argument of {name}()") for arg in args]


@function("min", 1)
def _min(*args: Value) -> Value:
    return min(_numbers(args, "min"))


@function("max", 1)
def _max(*args: Value) -> Value:
    return max(_numbers(args, "max"))


@function("abs", 1, 1)
def _abs(value: Value) -> Value:
    return abs(to_number(value, "argument of abs()"))


@function("ceil", 1, 1)
def _ceil(value: Value) -> Value:
    return math.ceil(to_number(value, "argument of ceil()"))


@function("floor", 1, 1)
def _floor(value: Value) -> Value:
    return math.floor(to_number(value, "argument of floor()"))


@function("signum", 1, 1)
def _signum(value: Value) -> Value:
    number = to_number(value, "argument of signum()")
    return (number > 0) - (number < 0)


@function("pow", 2, 2)
def _pow(base: Value, exponent: Value) -> Value:
    try:
        return normalize_number(
            float(to_number(base, "base")) ** float(to_number(exponent, "exponent"))
        )
    except (OverflowError, ZeroDivisionError):
        raise EvalError("pow() result is out of range") from None


@function("log", 2, 2)
def _log(value: Value, base: Value) -> Value:
    try:
        return normalize_number(math.log(to_number(value, "number"), to_number(base, "base")))
    except (ValueError, ZeroDivisionError):
        raise EvalError("log() is not defined for these arguments") from None


@function("parseint", 2, 2)
def _parseint(text: Value, base: Value) -> Value:
    radix = _int(base, "base")
    if not 2 <= radix <= 62:
        raise EvalError("parseint() base must be between 2 and 62")
    try:
        return int(to_string(text, "number"), radix)
    except ValueError:
        raise EvalError(f"cannot parse {describe(text)} as a base {radix} integer") from None


# Strings.
@function("join", 2)
def _join(separator: Value, *lists: Value) -> Value:
    glue = to_string(separator, "separator")
    items: list[str] = []
    length = 0
    for value in lists:
        for item in _list(value, "joined value"):
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
    width = _int(spaces, "number of spaces")
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
    start = _int(offset, "offset")
    count = _int(length, "length")
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


def _json_text(value: Value) -> str:
    check_string(encoded_length(value, MAX_STRING_LENGTH), "jsonencode()")
    text = json.dumps(plain(value), separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    # Go's encoder escapes these, and so does Terraform.
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


@function("jsonencode", 1, 1)
def _jsonencode(value: Value) -> Value:
    return _json_text(value)


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


# Types.
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


FUNCTIONS["nonsensitive"] = FUNCTIONS["sensitive"]
FUNCTIONS["ephemeralasnull"] = FUNCTIONS["sensitive"]


@function("issensitive", 1, 1, unknowns="shallow")
def _issensitive(value: Value) -> Value:
    return False


# Formatting.
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
            text = _json_text(value) if isinstance(value, list | dict) else _format_plain(value)
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


def call_function(name: str, args: list[Value]) -> Value:
    """Call built-in `name`; EvalError for a wrong use. The caller checks the name exists."""
    try:
        result = FUNCTIONS[name](args)
    except EvalError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, OverflowError, ZeroDivisionError) as err:
        raise EvalError(f"{name}() cannot be applied to these arguments ({err})") from None
    WORK.charge_value(result)
    return result
