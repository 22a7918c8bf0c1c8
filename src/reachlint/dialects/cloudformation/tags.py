"""CloudFormation's `[{Key, Value}]` lists: tags as the provider's mapping of tag values, and
one entry of such a list by its key (a target group's TargetGroupAttributes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reachlint.formats.cloudformation.values import ResourceRef, Unknown
from reachlint.sources import UNKNOWN


def tag_map(value: Any) -> Any:
    """CloudFormation's [{Key, Value}] as the provider's mapping; a value the deployment
    decides is UNKNOWN, and so is the whole list when a key is (any tag may be there)."""
    if not isinstance(value, list):
        return None
    tags: dict[str, Any] = {}
    for item in value:
        if isinstance(item, Unknown | ResourceRef) or (
            isinstance(item, dict) and isinstance(item.get("Key"), Unknown | ResourceRef)
        ):
            return UNKNOWN
        if isinstance(item, dict) and isinstance(item.get("Key"), str):
            tags[item["Key"]] = _tag_text(item.get("Value"))
    return tags


def _tag_text(written: Any) -> Any:
    """A tag value as CloudFormation passes it on: a string, also for a number or a boolean
    written where the string goes (true -> "true", 2 -> "2"); a fraction's text is not kept by
    the template's reader (1.10 or 1.1?), so it is not known."""
    if isinstance(written, Unknown | ResourceRef | float):
        return UNKNOWN
    if isinstance(written, bool):
        return "true" if written else "false"
    if isinstance(written, int):
        return str(written)
    return written


def instance_tag_map(specifications: Any) -> Any:
    """A launch template's TagSpecifications for ResourceType `instance` as one mapping: the
    tags its instances start with. A resource type or tags the deployment decides may tag them
    with anything (UNKNOWN)."""
    if isinstance(specifications, Unknown | ResourceRef):
        return UNKNOWN
    if not isinstance(specifications, list):
        return None
    tags: dict[str, Any] = {}
    for specification in specifications:
        if not isinstance(specification, dict):
            return UNKNOWN
        kind = specification.get("ResourceType")
        if isinstance(kind, Unknown | ResourceRef):
            return UNKNOWN
        if kind != "instance":
            continue
        written = specification.get("Tags")
        if isinstance(written, Unknown | ResourceRef):
            return UNKNOWN
        found = tag_map(written)
        if found is UNKNOWN:
            return UNKNOWN
        tags.update(found or {})
    return tags


def keyed_value(key: str) -> Callable[[Any], Any]:
    """The Value of the entry with this Key in a [{Key, Value}] list (a target group's
    TargetGroupAttributes): None when not written, UNKNOWN when its value, or a key that may be
    it, is the deployment's."""

    def read(attributes: Any) -> Any:
        if not isinstance(attributes, list):
            return None
        doubt = False
        for item in attributes:
            written = item.get("Key") if isinstance(item, dict) else item
            if isinstance(written, Unknown | ResourceRef):
                doubt = True
            elif isinstance(item, dict) and written == key:
                value = item.get("Value")
                return UNKNOWN if isinstance(value, Unknown | ResourceRef) else value
        return UNKNOWN if doubt else None

    return read
