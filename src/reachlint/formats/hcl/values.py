"""Values of evaluated expressions, and Terraform's conversions between them.

Values are plain Python: str, int/float, bool, None (null), list (tuples, lists and sets), dict
(objects and maps, always in key order as Terraform iterates them). What is known only after
apply is an `Unknown`, which remembers the resource instances it comes from: that is how a
reference such as `module.web.security_group_id` ends at the security group that produces it.
"""

from __future__ import annotations

import json
import math
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from typing import Any

from reachlint.limits import WORK

Value = Any


class EvalError(Exception):
    """An expression Terraform would reject at plan time (wrong type, missing key, ...)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class UndeclaredError(Exception):
    """A reference to something the configuration does not declare: always a mistake."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class Unknown:
    """A value known only after apply; `sources` are the resource instances it comes from.

    `alternatives` are the values it can only be, when that is known: the results of a
    conditional whose condition is unknown (`var.create ? length(var.rules) : 0`).
    `names` say what it rests on as a reviewer would look it up (`var.admin_range`,
    `data.aws_ip_ranges.office`, `aws_instance.bastion.private_ip`); `exactly` is set while
    it is no more than one such value, so two uses of it are known to be equal.
    """

    __slots__ = ("alternatives", "exactly", "names", "sources")

    def __init__(
        self,
        sources: frozenset[str] = frozenset(),
        alternatives: tuple[Value, ...] | None = None,
        names: frozenset[str] = frozenset(),
        exactly: str | None = None,
    ) -> None:
        self.sources = sources
        self.alternatives = alternatives
        self.names = names
        self.exactly = exactly

    def __repr__(self) -> str:
        return f"Unknown({sorted(self.sources)})" if self.sources else "Unknown()"


def named_unknown(name: str) -> Unknown:
    """A value that is exactly one named unknown: a variable without a value."""
    return Unknown(names=frozenset((name,)), exactly=name)


UNKNOWN_VALUE = Unknown()


class ResourceObject(dict[str, Any]):
    """A resource instance (or one of its nested blocks) as an expression sees it.

    Holds the values written in the configuration; every other attribute (`id`, `arn`, what the
    provider computes or defaults) is unknown and comes from this instance.
    """

    __slots__ = ("address",)

    def __init__(self, address: str, values: dict[str, Any]) -> None:
        super().__init__(values)
        self.address = address

    def __getitem__(self, key: str) -> Value:
        value = super().__getitem__(key)
        if type(value) is str:
            return SourcedStr(value, self.address)
        if type(value) is Unknown and self.address not in value.sources:
            # Written but not known (a name built from a data source): it still comes from
            # this instance, as Terraform's references say.
            return Unknown(
                value.sources | {self.address}, value.alternatives, value.names, value.exactly
            )
        return value

    def __missing__(self, key: str) -> Unknown:
        attribute = f"{self.address}.{key}"
        # A data source is read as a whole when Terraform plans: it is named as one.
        name = self.address if _is_data_source(self.address) else attribute
        return Unknown(frozenset((self.address,)), names=frozenset((name,)), exactly=attribute)


def _is_data_source(address: str) -> bool:
    return _MODULE_PREFIX.sub("", address).startswith("data.")


_MODULE_PREFIX = re.compile(r'^(?:module\.[^.\[]+(?:\[(?:\d+|"(?:[^"\\]|\\.)*")\])?\.)*')


class SourcedStr(str):
    """A string read from a resource's configuration (`aws_vpc.main.cidr_block`).

    It is the same string, and remembers the resource it was read from, so an attribute that
    copies it refers to that resource as Terraform's own references would say.
    """

    source: str

    def __new__(cls, value: str, source: str) -> SourcedStr:
        text = super().__new__(cls, value)
        text.source = source
        return text


class UnknownExpansion(Unknown):
    """All instances of a resource or module whose count or for_each is not known.

    It is modelled as one instance (`x[*]`); any index of the collection is that instance.
    """

    __slots__ = ("instance",)

    def __init__(self, instance: Value, sources: frozenset[str]) -> None:
        super().__init__(sources)
        self.instance = instance


def unknowns(value: Value, seen: set[int] | None = None) -> Iterator[Unknown]:
    """Every unknown inside a value."""
    if isinstance(value, Unknown):
        yield value
    elif isinstance(value, list | dict):
        # A list may hold one big list many times: each is walked once.
        seen = set() if seen is None else seen
        if id(value) in seen:
            return
        seen.add(id(value))
        WORK.tick()
        for item in value.values() if isinstance(value, dict) else value:
            yield from unknowns(item, seen)


def has_unknown(value: Value) -> bool:
    if isinstance(value, Unknown):
        return True
    if isinstance(value, list | dict):
        return _holds_unknown(value, set())
    return False


def _holds_unknown(value: list[Value] | dict[str, Value], seen: set[int]) -> bool:
    # A list may hold one big list many times: each is walked once.
    if id(value) in seen:
        return False
    seen.add(id(value))
    WORK.tick()
    for item in value.values() if isinstance(value, dict) else value:
        if isinstance(item, Unknown):
            return True
        if isinstance(item, list | dict) and _holds_unknown(item, seen):
            return True
    return False


def unknown_from(*values: Value) -> Unknown:
    """An unknown that carries the sources and names of every unknown inside `values`."""
    sources: set[str] = set()
    names: set[str] = set()
    for value in values:
        for unknown in unknowns(value):
            sources.update(unknown.sources)
            names.update(unknown.names)
    if not sources and not names:
        return UNKNOWN_VALUE
    return Unknown(frozenset(sources), names=frozenset(names))


def type_name(value: Value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return "unknown"


def is_number(value: Value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def normalize_number(value: float | int) -> float | int:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    return value


def to_number(value: Value, what: str = "value") -> int | float:
    if is_number(value):
        return value  # type: ignore[no-any-return]
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            pass
        else:
            if math.isfinite(number):
                return normalize_number(number)
    raise EvalError(f"a number is required for the {what}, not {describe(value)}")


def to_bool(value: Value, what: str = "value") -> bool:
    if isinstance(value, bool):
        return value
    if value == "true":
        return True
    if value == "false":
        return False
    raise EvalError(f"a bool is required for the {what}, not {describe(value)}")


def format_number(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    if value.is_integer():
        return str(int(value))
    return repr(value)


def to_string(value: Value, what: str = "value") -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return format_number(value)
    if value is None:
        raise EvalError(f"the {what} is null; a string is required")
    raise EvalError(f"a string is required for the {what}, not {describe(value)}")


def describe(value: Value) -> str:
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {json.dumps(shown)}"
    if value is None:
        return "null"
    if isinstance(value, bool | int | float):
        return f"the {type_name(value)} {to_string(value)}"
    return f"a {type_name(value)}"


def equal(left: Value, right: Value) -> bool:
    """Terraform's ==: no conversion between types, deep on collections."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if is_number(left) and is_number(right):
        return bool(left == right)
    if isinstance(left, list) and isinstance(right, list):
        WORK.tick()
        return len(left) == len(right) and all(map(equal, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        WORK.tick()
        return left.keys() == right.keys() and all(equal(v, right[k]) for k, v in left.items())
    if isinstance(left, str) and isinstance(right, str):
        return str.__eq__(left, right)
    return type(left) is type(right) and bool(left == right)


def sorted_object(items: Iterable[tuple[str, Value]]) -> dict[str, Value]:
    """Objects and maps iterate in key order in Terraform."""
    return dict(sorted(items, key=lambda item: item[0]))


class SetValue(list[Any]):
    """A set: iterating it gives each element as both key and value, as Terraform does."""


def set_key(value: Value) -> object:
    """A hashable stand-in for `value`: two values are `equal` exactly when their keys are, so
    sets and distinct() take linear time rather than comparing every pair."""
    if isinstance(value, bool):
        return (0, value)
    if is_number(value):
        return (1, value)  # 1 and 1.0 are one key, as they are one number
    if isinstance(value, str):
        return (2, str(value))
    if value is None:
        return (3,)
    if isinstance(value, list):
        WORK.charge_items(len(value))  # the key is as large as the value, shared parts and all
        return (4, tuple(set_key(item) for item in value))
    if isinstance(value, dict):
        WORK.charge_items(len(value))
        return (5, tuple(sorted((key, set_key(item)) for key, item in value.items())))
    return (6, id(value))  # unknowns and the like equal only themselves


def make_set(items: list[Value]) -> list[Value]:
    """A set: duplicates removed; strings and numbers in Terraform's order."""
    if any(isinstance(item, Unknown) for item in items):
        return SetValue(items)
    distinct: dict[object, Value] = {}
    for item in items:
        distinct.setdefault(set_key(item), item)
    unique = list(distinct.values())
    if all(isinstance(item, str) for item in unique) or all(is_number(i) for i in unique):
        unique.sort()
    return SetValue(unique)


def iterate(value: Value, what: str) -> list[tuple[Value, Value]]:
    """(key, value) pairs of a collection: indexes for lists and sets, keys for maps."""
    if isinstance(value, SetValue):
        return [(item, item) for item in value]
    if isinstance(value, list):
        return list(enumerate(value))
    if isinstance(value, dict):
        return list(value.items())
    raise EvalError(f"{what} must be a list, set or map, not {describe(value)}")


class Namespace(ABC):
    """A name that is only meaningful with an attribute after it: `var`, `module.web`,
    `aws_subnet` (then `.private`), ... Modules' output objects are namespaces too, so each
    output is evaluated only when it is used."""

    @abstractmethod
    def attribute(self, name: str, line: int) -> Value:
        """The value of `name` in this namespace."""

    def whole(self, line: int) -> Value:
        """The namespace used as a value on its own."""
        raise EvalError("this name cannot be used as a value on its own", line)


def plain(value: Value) -> Value:
    """A value without the resource wrappers, for output and JSON."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value
