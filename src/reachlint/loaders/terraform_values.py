"""Reading Terraform resource values and addresses: helpers every provider mapper shares."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from reachlint.loaders.terraform_resources import UNKNOWN

_SEGMENT = re.compile(r'([^.\[]+)((?:\[(?:\d+|"(?:[^"\\]|\\.)*")\])?)\.?')


def value_at(values: dict[str, Any], path: str) -> Any:
    current: Any = values
    for part in path.split("."):
        if current is UNKNOWN:
            return UNKNOWN
        if isinstance(current, dict):
            current = current.get(part)
        elif isinstance(current, list) and part.isdigit():
            position = int(part)
            current = current[position] if position < len(current) else None
        else:
            return None
        if current is None:
            return None
    return current


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


def strings(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, str) and item]


def has_unknown(value: Any) -> bool:
    return value is UNKNOWN or (isinstance(value, list) and any(v is UNKNOWN for v in value))


def index_text(index: int | str) -> str:
    if isinstance(index, int):
        return f"[{index}]"
    escaped = index.replace("\\", "\\\\").replace('"', '\\"')
    return f'["{escaped}"]'


def without_positions(path: str) -> str:
    return ".".join(part for part in path.split(".") if not part.isdigit())


def segments(address: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in _SEGMENT.finditer(address)]


def compatible(reference: str, address: str) -> bool:
    """Whether `address` is an instance of `reference`, which may omit some indexes."""
    wanted, actual = segments(reference), segments(address)
    if len(wanted) != len(actual):
        return False
    return all(
        name == other and (not index or index == other_index)
        for (name, index), (other, other_index) in zip(wanted, actual, strict=True)
    )


def dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
