"""Reading the values a dialect hands over: text, whole numbers, flags, lists that may hold
values known only at deployment (`UNKNOWN`). Every provider and dialect reads them alike."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from reachlint.model.traffic import cidr_interval
from reachlint.sources import UNKNOWN


def string_value(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def flag(value: Any) -> bool | None:
    """A boolean, also as text ("true"): some inputs keep flags as strings."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    return None


def strings(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, str) and item]


def has_unknown(value: Any) -> bool:
    return value is UNKNOWN or (isinstance(value, list) and any(v is UNKNOWN for v in value))


class TagValues(NamedTuple):
    """An endpoint's tags as read: those known, those whose value is not (key -> the name of
    that value), and the name of the whole when not even which tags there are is known."""

    known: dict[str, str]
    unknown: dict[str, str]
    whole: str | None

    def under(self, own: TagValues) -> TagValues:
        """These tags as defaults under a resource's own tags, which win key by key. Own tags
        not known as a whole may replace any default: every default becomes not known."""
        if own.whole is not None:
            return TagValues({}, {}, own.whole)
        known = {k: v for k, v in self.known.items() if k not in own.unknown} | own.known
        unknown = {k: v for k, v in self.unknown.items() if k not in own.known} | own.unknown
        return TagValues(known, unknown, self.whole)


def tag_values(
    value: Any,
    name: str,
    unknown: Callable[[Any], bool] = lambda value: value is UNKNOWN,
    text: Callable[[Any], str | None] = lambda value: None,
) -> TagValues:
    """A tag map as a dialect hands it over; `name` names the field, `unknown` says which
    values are not known before apply, `text` reads a value that is no string (None: dropped)."""
    if unknown(value):
        return TagValues({}, {}, name)
    if not isinstance(value, dict):
        return TagValues({}, {}, None)
    known: dict[str, str] = {}
    not_known: dict[str, str] = {}
    for key, item in value.items():
        if unknown(item):  # first: a dialect's unknown may be text (an ARM placeholder)
            not_known[str(key)] = f"{name}.{key}"
        elif isinstance(item, str):
            known[str(key)] = item
        elif (written := text(item)) is not None:
            known[str(key)] = written
    return TagValues(known, not_known, None)


def dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def valid_cidr(text: str) -> bool:
    """Whether the text is a network as ipaddress reads it (no space around it), read as the
    engine reads ranges, once."""
    if text != text.strip():
        return False
    try:
        cidr_interval(text)
    except ValueError:
        return False
    return True


def valid_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
