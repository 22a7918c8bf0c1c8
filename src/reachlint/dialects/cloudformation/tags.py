"""CloudFormation's tags, `[{Key, Value}]`, as the provider's mapping of tag values."""

from __future__ import annotations

from typing import Any

from reachlint.formats.cloudformation.intrinsics import ResourceRef, Unknown
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
