"""ARM template functions that need nothing but their arguments.

Each takes the evaluated arguments and returns a value, or raises `EvalError` when the template
gives it something ARM itself would refuse. Arguments that are unknown are handled before these
run (the result is unknown), except where a function is marked as accepting them.
Functions whose result exists only at deployment time return `Unknown`.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import re
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, unquote, urljoin

from reachlint.formats.arm.values import (
    RuntimeArray,
    RuntimeObject,
    Unknown,
    find_key,
    type_name,
)
from reachlint.limits import (
    MAX_STRING_LENGTH,
    WORK,
    check_collection,
    check_string,
    check_width,
    encoded_length,
)

Function = Callable[[list[Any]], Any]


class EvalError(Exception):
    """The arguments are wrong for the function: ARM would stop the deployment here."""


def _count(args: list[Any], low: int, high: int | None = None) -> None:
    high = low if high is None else high
    if not low <= len(args) <= high:
        expected = str(low) if low == high else f"{low} to {high}"
        raise EvalError(f"takes {expected} arguments, got {len(args)}")


def _string(value: Any, what: str = "argument") -> str:
    if not isinstance(value, str):
        raise EvalError(f"expects a string {what}, got {type_name(value)}")
    return value


def _integer(value: Any, what: str = "argument") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise EvalError(f"expects an integer {what}, got {type_name(value)}")
    return value


def _array(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise EvalError(f"expects an array, got {type_name(value)}")
    return value


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise EvalError(f"expects an object, got {type_name(value)}")
    return value


def to_text(value: Any) -> str:
    """How ARM writes a value into a string (`string()`, `concat()`, `format()`)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    check_string(encoded_length(value, MAX_STRING_LENGTH), "writing an array or object as text")
    return json.dumps(value, separators=(",", ":"), default=str)


def same(left: Any, right: Any) -> bool:
    """ARM's equality: deep, type-strict, case-sensitive for strings, any key spelling."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, dict) and isinstance(right, dict):
        WORK.tick()
        if len(left) != len(right):
            return False
        for key, value in left.items():
            other = find_key(right, key)
            if other is None or not same(value, right[other]):
                return False
        return True
    if isinstance(left, list) and isinstance(right, list):
        WORK.tick()
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right, strict=True))
    if type(left) is not type(right) and not (
        isinstance(left, int | float) and isinstance(right, int | float)
    ):
        return False
    return bool(left == right)


# --- strings -----------------------------------------------------------------------------------


def fn_concat(args: list[Any]) -> Any:
    if args and all(isinstance(a, list) for a in args):
        joined: list[Any] = []
        for arg in args:
            check_collection(len(joined) + len(arg), "concat()")
            joined.extend(arg)
        return joined
    if any(isinstance(a, list | dict) for a in args):
        raise EvalError("joins either arrays or strings, not both")
    return _joined([to_text(a) for a in args], "", "concat()")


def _joined(pieces: list[str], glue: str, what: str) -> str:
    check_string(sum(map(len, pieces)) + len(glue) * len(pieces), what)
    return glue.join(pieces)


_FORMAT_ITEM = re.compile(r"\{\{|\}\}|\{(\d+)(?:,(-?\d+))?(?::([^{}]*))?\}")


def fn_format(args: list[Any]) -> Any:
    if not args:
        raise EvalError("needs a format string")
    template, values = _string(args[0], "format string"), args[1:]

    def item(match: re.Match[str]) -> str:
        if match.group(0) in ("{{", "}}"):
            return match.group(0)[0]
        index = int(match.group(1))
        if index >= len(values):
            raise EvalError(f"has no argument {{{index}}}")
        text = _format_one(values[index], match.group(3) or "")
        width = _width(match.group(2) or "0")
        return text.rjust(width) if width >= 0 else text.ljust(-width)

    pieces = []
    position = 0
    for match in _FORMAT_ITEM.finditer(template):
        pieces += [template[position : match.start()], item(match)]
        position = match.end()
    pieces.append(template[position:])
    return _joined(pieces, "", "format()")


def _width(digits: str) -> int:
    """A width or number of digits in format(), within bounds before anything is padded."""
    width = int(digits) if len(digits.lstrip("-")) <= 9 else MAX_STRING_LENGTH
    check_width(abs(width), "format()")
    return width


def _format_one(value: Any, spec: str) -> str:
    """.NET standard numeric formats that templates use (D2, X, N0); others as plain text."""
    kind, digits = spec[:1].upper(), spec[1:]
    if isinstance(value, int) and not isinstance(value, bool) and kind:
        width = _width(digits) if digits.isdigit() else 0
        if kind == "D":
            return f"{value:0{width}d}"
        if kind == "X":
            text = f"{value:0{width}x}"
            return text.upper() if spec[0] == "X" else text
        if kind == "N":
            return f"{value:,.{width}f}"
    return to_text(value)


def fn_replace(args: list[Any]) -> Any:
    _count(args, 3)
    text, old, new = _string(args[0]), _string(args[1]), _string(args[2])
    occurrences = text.count(old) if old else len(text) + 1
    check_string(len(text) + occurrences * (len(new) - len(old)), "replace()")
    return text.replace(old, new)


def fn_split(args: list[Any]) -> Any:
    _count(args, 2)
    text = _string(args[0])
    delimiters = args[1] if isinstance(args[1], list) else [args[1]]
    pattern = "|".join(re.escape(_string(d, "delimiter")) for d in delimiters)
    pieces = re.split(pattern, text) if pattern else [text]
    check_collection(len(pieces), "split()")
    return pieces


def fn_to_lower(args: list[Any]) -> Any:
    _count(args, 1)
    return _string(args[0]).lower()


def fn_to_upper(args: list[Any]) -> Any:
    _count(args, 1)
    return _string(args[0]).upper()


def fn_trim(args: list[Any]) -> Any:
    _count(args, 1)
    return _string(args[0]).strip()


def fn_pad_left(args: list[Any]) -> Any:
    _count(args, 2, 3)
    text = to_text(args[0])
    pad = _string(args[2]) if len(args) == 3 else " "
    if len(pad) != 1:
        raise EvalError("pads with exactly one character")
    width = _integer(args[1])
    check_width(width, "padLeft()")
    return text.rjust(width, pad)


def fn_substring(args: list[Any]) -> Any:
    _count(args, 1, 3)
    text = _string(args[0])
    start = _integer(args[1]) if len(args) > 1 else 0
    length = _integer(args[2]) if len(args) > 2 else len(text) - start
    if start < 0 or length < 0 or start + length > len(text):
        raise EvalError(f"range {start}+{length} is outside a string of length {len(text)}")
    return text[start : start + length]


def fn_starts_with(args: list[Any]) -> Any:
    _count(args, 2)
    return _string(args[0]).lower().startswith(_string(args[1]).lower())


def fn_ends_with(args: list[Any]) -> Any:
    _count(args, 2)
    return _string(args[0]).lower().endswith(_string(args[1]).lower())


def fn_index_of(args: list[Any]) -> Any:
    _count(args, 2)
    if isinstance(args[0], list):
        return next((i for i, item in enumerate(args[0]) if same(item, args[1])), -1)
    return _string(args[0]).lower().find(_string(args[1]).lower())


def fn_last_index_of(args: list[Any]) -> Any:
    _count(args, 2)
    if isinstance(args[0], list):
        found = [i for i, item in enumerate(args[0]) if same(item, args[1])]
        return found[-1] if found else -1
    return _string(args[0]).lower().rfind(_string(args[1]).lower())


def fn_string(args: list[Any]) -> Any:
    _count(args, 1)
    return to_text(args[0])


def fn_unique_string(args: list[Any]) -> Any:
    """13 lower-case characters, stable for the same arguments (ARM's exact hash differs)."""
    if not args:
        raise EvalError("needs at least one argument")
    digest = hashlib.sha256("|".join(_string(a) for a in args).encode()).digest()
    return base64.b32encode(digest).decode().lower()[:13]


def fn_guid(args: list[Any]) -> Any:
    if not args:
        raise EvalError("needs at least one argument")
    digest = hashlib.sha1("-".join(_string(a) for a in args).encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=5))


def fn_uri(args: list[Any]) -> Any:
    _count(args, 2)
    return urljoin(_string(args[0]), _string(args[1]))


def fn_uri_component(args: list[Any]) -> Any:
    _count(args, 1)
    return quote(_string(args[0]), safe="")


def fn_uri_component_to_string(args: list[Any]) -> Any:
    _count(args, 1)
    return unquote(_string(args[0]))


def fn_json(args: list[Any]) -> Any:
    _count(args, 1)
    try:
        return json.loads(_string(args[0]))
    except json.JSONDecodeError as err:
        raise EvalError(f"argument is not JSON: {err.msg}") from None


def fn_join(args: list[Any]) -> Any:
    _count(args, 2)
    return _joined([to_text(item) for item in _array(args[0])], _string(args[1]), "join()")


# --- comparison and logic ----------------------------------------------------------------------


def fn_equals(args: list[Any]) -> Any:
    _count(args, 2)
    return same(args[0], args[1])


def fn_not(args: list[Any]) -> Any:
    _count(args, 1)
    if not isinstance(args[0], bool):
        raise EvalError(f"expects a boolean, got {type_name(args[0])}")
    return not args[0]


def _comparable(args: list[Any]) -> tuple[Any, Any]:
    _count(args, 2)
    left, right = args
    if isinstance(left, str) and isinstance(right, str):
        return left, right
    return _integer(left), _integer(right)


def fn_less(args: list[Any]) -> Any:
    left, right = _comparable(args)
    return left < right


def fn_less_or_equals(args: list[Any]) -> Any:
    left, right = _comparable(args)
    return left <= right


def fn_greater(args: list[Any]) -> Any:
    left, right = _comparable(args)
    return left > right


def fn_greater_or_equals(args: list[Any]) -> Any:
    left, right = _comparable(args)
    return left >= right


def fn_bool(args: list[Any]) -> Any:
    _count(args, 1)
    value = args[0]
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    text = _string(value).strip().lower()
    if text in ("true", "false"):
        return text == "true"
    raise EvalError(f"cannot read {value!r} as a boolean")


def fn_int(args: list[Any]) -> Any:
    _count(args, 1)
    value = args[0]
    if isinstance(value, bool):
        raise EvalError("cannot read a boolean as an integer")
    if isinstance(value, int):
        return value
    try:
        return int(_string(value).strip())
    except ValueError:
        raise EvalError(f"cannot read {value!r} as an integer") from None


# --- numbers ----------------------------------------------------------------------------------


def _int64(value: int) -> int:
    """ARM's integers are 64-bit; Python's would grow without end."""
    if not -(2**63) <= value < 2**63:
        raise EvalError("overflows a 64-bit integer")
    return value


def fn_add(args: list[Any]) -> Any:
    _count(args, 2)
    return _int64(_integer(args[0]) + _integer(args[1]))


def fn_sub(args: list[Any]) -> Any:
    _count(args, 2)
    return _int64(_integer(args[0]) - _integer(args[1]))


def fn_mul(args: list[Any]) -> Any:
    _count(args, 2)
    return _int64(_integer(args[0]) * _integer(args[1]))


def _truncated_division(left: int, right: int) -> tuple[int, int]:
    """.NET integer division: the quotient rounds toward zero, the remainder keeps its sign."""
    if right == 0:
        raise EvalError("divides by zero")
    quotient = abs(left) // abs(right) * (1 if (left >= 0) == (right >= 0) else -1)
    return quotient, left - quotient * right


def fn_div(args: list[Any]) -> Any:
    _count(args, 2)
    return _truncated_division(_integer(args[0]), _integer(args[1]))[0]


def fn_mod(args: list[Any]) -> Any:
    _count(args, 2)
    return _truncated_division(_integer(args[0]), _integer(args[1]))[1]


def _numbers(args: list[Any]) -> list[int]:
    values = args[0] if len(args) == 1 and isinstance(args[0], list) else args
    if not values:
        raise EvalError("needs at least one number")
    return [_integer(v) for v in values]


def fn_min(args: list[Any]) -> Any:
    return min(_numbers(args))


def fn_max(args: list[Any]) -> Any:
    return max(_numbers(args))


def fn_range(args: list[Any]) -> Any:
    _count(args, 2)
    start, count = _integer(args[0]), _integer(args[1])
    if count < 0 or count > 10000:
        raise EvalError(f"count {count} is outside 0-10000")
    return list(range(start, start + count))


# --- arrays and objects ------------------------------------------------------------------------


def fn_create_array(args: list[Any]) -> Any:
    return list(args)


def fn_create_object(args: list[Any]) -> Any:
    if len(args) % 2:
        raise EvalError("takes key and value pairs")
    result: dict[str, Any] = {}
    for key, value in zip(args[::2], args[1::2], strict=True):
        if isinstance(key, Unknown):
            return key
        result[_string(key, "key")] = value
    return result


def fn_array(args: list[Any]) -> Any:
    _count(args, 1)
    return list(args[0]) if isinstance(args[0], list) else [args[0]]


def fn_length(args: list[Any]) -> Any:
    _count(args, 1)
    if isinstance(args[0], str | list | dict):
        return len(args[0])
    raise EvalError(f"counts a string, array or object, not {type_name(args[0])}")


def fn_empty(args: list[Any]) -> Any:
    _count(args, 1)
    value = args[0]
    return value is None or (isinstance(value, str | list | dict) and len(value) == 0)


def fn_contains(args: list[Any]) -> Any:
    _count(args, 2)
    container, item = args
    if isinstance(container, dict):
        return find_key(container, to_text(item)) is not None
    if isinstance(container, list):
        return any(same(element, item) for element in container)
    return to_text(item) in _string(container, "container")


def fn_first(args: list[Any]) -> Any:
    _count(args, 1)
    value = args[0]
    if isinstance(value, str | list):
        return value[0] if value else None
    raise EvalError(f"expects a string or array, got {type_name(value)}")


def fn_last(args: list[Any]) -> Any:
    _count(args, 1)
    value = args[0]
    if isinstance(value, str | list):
        return value[-1] if value else None
    raise EvalError(f"expects a string or array, got {type_name(value)}")


def fn_skip(args: list[Any]) -> Any:
    _count(args, 2)
    value, count = args[0], max(0, _integer(args[1]))
    if isinstance(value, str | list):
        return value[count:]
    raise EvalError(f"expects a string or array, got {type_name(value)}")


def fn_take(args: list[Any]) -> Any:
    _count(args, 2)
    value, count = args[0], max(0, _integer(args[1]))
    if isinstance(value, str | list):
        return value[:count]
    raise EvalError(f"expects a string or array, got {type_name(value)}")


def _merge(left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    merged = dict(left)
    for key, value in right.items():
        mine = find_key(merged, key)
        if mine is not None and isinstance(merged[mine], dict) and isinstance(value, dict):
            merged[mine] = _merge(merged[mine], value)
        else:
            if mine is not None:
                del merged[mine]
            merged[key] = value
    return merged


def fn_union(args: list[Any]) -> Any:
    if not args:
        raise EvalError("needs at least one argument")
    if all(isinstance(a, dict) for a in args):
        result: dict[str, Any] = {}
        for arg in args:
            result = _merge(result, arg)
        return result
    if all(isinstance(a, list) for a in args):
        combined: dict[object, Any] = {}
        for arg in args:
            for item in arg:
                combined.setdefault(_key(item), item)
        return list(combined.values())
    raise EvalError("joins either arrays or objects, not both")


def fn_intersection(args: list[Any]) -> Any:
    if len(args) < 2:
        raise EvalError("needs at least two arguments")
    if all(isinstance(a, dict) for a in args):
        first: dict[str, Any] = args[0]
        return {
            k: v
            for k, v in first.items()
            if all((o := find_key(other, k)) is not None and same(other[o], v) for other in args)
        }
    if all(isinstance(a, list) for a in args):
        others = [{_key(x) for x in other} for other in args[1:]]
        kept: dict[object, Any] = {}
        for item in args[0]:
            key = _key(item)
            if all(key in other for other in others):
                kept.setdefault(key, item)
        return list(kept.values())
    raise EvalError("intersects either arrays or objects, not both")


def _key(value: Any) -> object:
    """A hashable stand-in: two values are `same` exactly when their keys are (object keys in
    any spelling), so union() and intersection() take linear time."""
    if isinstance(value, bool):
        return (0, value)
    if isinstance(value, int | float):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    if value is None:
        return (3,)
    if isinstance(value, list):
        WORK.tick()
        return (4, tuple(_key(item) for item in value))
    if isinstance(value, dict):
        WORK.tick()
        return (5, tuple(sorted((str(k).lower(), _key(v)) for k, v in value.items())))
    return (6, id(value))


def fn_items(args: list[Any]) -> Any:
    _count(args, 1)
    mapping = _object(args[0])
    return [{"key": k, "value": mapping[k]} for k in sorted(mapping, key=str.lower)]


def fn_object_keys(args: list[Any]) -> Any:
    _count(args, 1)
    return list(_object(args[0]))


def fn_shallow_merge(args: list[Any]) -> Any:
    _count(args, 1)
    merged: dict[str, Any] = {}
    for item in _array(args[0]):
        merged.update(_object(item))
    return merged


def fn_flatten(args: list[Any]) -> Any:
    _count(args, 1)
    flat: list[Any] = []
    for item in _array(args[0]):
        items = _array(item)
        check_collection(len(flat) + len(items), "flatten()")
        flat.extend(items)
    return flat


def fn_try_get(args: list[Any]) -> Any:
    """Follow keys or indexes; null where one is missing (unknown inside a resource's state)."""
    if len(args) < 2:
        raise EvalError("needs a value and at least one key")
    value = args[0]
    for key in args[1:]:
        if isinstance(value, Unknown) or isinstance(key, Unknown):
            return value if isinstance(value, Unknown) else key
        if isinstance(value, dict) and isinstance(key, str):
            found = find_key(value, key)
            if found is None:
                return (
                    Unknown(f"'{key}' is known only after deployment")
                    if isinstance(value, RuntimeObject)
                    else None
                )
            value = value[found]
        elif isinstance(value, list) and isinstance(key, int) and not isinstance(key, bool):
            if not -len(value) <= key < len(value):
                return (
                    Unknown("index known only after deployment")
                    if isinstance(value, RuntimeArray)
                    else None
                )
            value = value[key]
        else:
            return None
    return value


# --- addresses ---------------------------------------------------------------------------------


def _network(text: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(_string(text, "CIDR"), strict=False)
    except ValueError:
        raise EvalError(f"{text!r} is not a CIDR") from None


def fn_parse_cidr(args: list[Any]) -> Any:
    _count(args, 1)
    net = _network(args[0])
    result: dict[str, Any] = {"network": str(net.network_address), "netmask": str(net.netmask)}
    if net.version == 4:
        result["broadcast"] = str(net.broadcast_address)
    # IPv4 keeps the network and broadcast addresses out of the usable range; IPv6 does not.
    reserved = 1 if net.version == 4 and net.num_addresses > 2 else 0
    first = str(net.network_address + reserved)
    last = str(net.broadcast_address - reserved)
    result.update(firstUsable=first, lastUsable=last, cidr=net.prefixlen)
    return result


def fn_cidr_subnet(args: list[Any]) -> Any:
    _count(args, 3)
    net, prefix, index = _network(args[0]), _integer(args[1]), _integer(args[2])
    if not net.prefixlen <= prefix <= net.max_prefixlen:
        raise EvalError(f"new prefix /{prefix} does not fit in {net}")
    count = 1 << (prefix - net.prefixlen)
    if not 0 <= index < count:
        raise EvalError(f"subnet index {index} is outside 0-{count - 1}")
    size = 1 << (net.max_prefixlen - prefix)
    start = net.network_address + index * size
    return str(ipaddress.ip_network(f"{start}/{prefix}"))


def fn_cidr_host(args: list[Any]) -> Any:
    _count(args, 2)
    net, index = _network(args[0]), _integer(args[1])
    reserved = 2 if net.version == 4 and net.num_addresses > 2 else 1
    if not 0 <= index < net.num_addresses - reserved:
        raise EvalError(f"host index {index} is outside {net}")
    return str(net.network_address + index + 1)


def deployment_only(what: str) -> Function:
    """A function whose value exists only when the deployment runs."""

    def unknown(args: list[Any]) -> Any:
        return Unknown(f"{what} is known only at deployment time")

    return unknown


def not_modelled(name: str) -> Function:
    def unknown(args: list[Any]) -> Any:
        return Unknown(f"{name}() is not evaluated by reachlint")

    return unknown


# Pure functions by lower-case name. Those that accept unknown arguments are listed below.
PURE: dict[str, Function] = {
    "concat": fn_concat,
    "format": fn_format,
    "replace": fn_replace,
    "split": fn_split,
    "tolower": fn_to_lower,
    "toupper": fn_to_upper,
    "trim": fn_trim,
    "padleft": fn_pad_left,
    "substring": fn_substring,
    "startswith": fn_starts_with,
    "endswith": fn_ends_with,
    "indexof": fn_index_of,
    "lastindexof": fn_last_index_of,
    "string": fn_string,
    "uniquestring": fn_unique_string,
    "guid": fn_guid,
    "uri": fn_uri,
    "uricomponent": fn_uri_component,
    "uricomponenttostring": fn_uri_component_to_string,
    "json": fn_json,
    "join": fn_join,
    "equals": fn_equals,
    "not": fn_not,
    "less": fn_less,
    "lessorequals": fn_less_or_equals,
    "greater": fn_greater,
    "greaterorequals": fn_greater_or_equals,
    "bool": fn_bool,
    "int": fn_int,
    "add": fn_add,
    "sub": fn_sub,
    "mul": fn_mul,
    "div": fn_div,
    "mod": fn_mod,
    "min": fn_min,
    "max": fn_max,
    "range": fn_range,
    "createarray": fn_create_array,
    "createobject": fn_create_object,
    "array": fn_array,
    "length": fn_length,
    "empty": fn_empty,
    "contains": fn_contains,
    "first": fn_first,
    "last": fn_last,
    "skip": fn_skip,
    "take": fn_take,
    "union": fn_union,
    "intersection": fn_intersection,
    "items": fn_items,
    "objectkeys": fn_object_keys,
    "shallowmerge": fn_shallow_merge,
    "flatten": fn_flatten,
    "tryget": fn_try_get,
    "parsecidr": fn_parse_cidr,
    "cidrsubnet": fn_cidr_subnet,
    "cidrhost": fn_cidr_host,
    "true": lambda args: True,
    "false": lambda args: False,
    "null": lambda args: None,
    "newguid": deployment_only("newGuid()"),
    "utcnow": deployment_only("utcNow()"),
    "datetimeadd": deployment_only("a date"),
    "datetimefromepoch": deployment_only("a date"),
    "datetimetoepoch": deployment_only("a date"),
    "pickzones": deployment_only("the region's availability zones"),
    "providers": deployment_only("a provider's API versions"),
    "getsecret": deployment_only("a Key Vault secret"),
    "base64": not_modelled("base64"),
    "base64tostring": not_modelled("base64ToString"),
    "base64tojson": not_modelled("base64ToJson"),
    "datauri": not_modelled("dataUri"),
    "datauritostring": not_modelled("dataUriToString"),
}
# These take unknowns inside the argument list as values (a list may hold unknown items).
ACCEPTS_UNKNOWN = frozenset({"createarray", "createobject", "array", "tryget"})
