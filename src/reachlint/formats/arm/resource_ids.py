"""Resource ids as ARM writes them, and the addresses reachlint reports for them.

An address is the full resource type with the evaluated name segments between its type
segments: `Microsoft.Network/virtualNetworks/hub/subnets/web` for the subnet `web` of the
virtual network `hub`. Resource ids (`/subscriptions/.../providers/Microsoft.Network/...`) map to
the same address, so a reference written either way finds the same element. A resource in
another resource group than the deployment's (a nested deployment's `resourceGroup`) has that
group in front, `resourceGroups/rg2/Microsoft.Network/...`: names are unique only in a group.
"""

from __future__ import annotations

import re
from collections.abc import Collection

_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


# The deployment's own resource group, as resourceGroup() names it before ARM runs.
DEPLOYMENT_GROUP = "resource-group"


class ResourceIdError(ValueError):
    """Type and name segments that do not fit together."""


def type_segments(resource_type: str) -> tuple[str, list[str]]:
    """`Microsoft.Network/virtualNetworks/subnets` -> ('Microsoft.Network', [types...])."""
    parts = [p for p in resource_type.split("/") if p]
    if len(parts) < 2:
        raise ResourceIdError(f"resource type {resource_type!r} needs a namespace and a type")
    return parts[0], parts[1:]


def address_of(resource_type: str, name: str) -> str:
    """The address of a resource of `resource_type` whose full name is `name` (`vnet/web`)."""
    namespace, types = type_segments(resource_type)
    names = name.split("/")
    if len(names) != len(types):
        raise ResourceIdError(
            f"name {name!r} has {len(names)} segment(s) but type {resource_type!r} needs "
            f"{len(types)}"
        )
    return "/".join([namespace, *(f"{t}/{n}" for t, n in zip(types, names, strict=True))])


def group_prefix(resource_group: str) -> str:
    """What goes before the address of a resource in this resource group."""
    if resource_group.lower() == DEPLOYMENT_GROUP:
        return ""
    return f"resourceGroups/{resource_group}/"


def split_group(address: str) -> tuple[str | None, str]:
    """An address's resource group, when it has one in front, and the address after it."""
    if address.startswith("resourceGroups/"):
        _, group, rest = address.split("/", 2)
        return group, rest
    return None, address


def child_address(parent: str, child_type: str, name: str) -> str:
    """An element declared inside its parent's properties (`subnets`, `securityRules`)."""
    return f"{parent}/{child_type}/{name}"


def provider_path(resource_type: str, names: list[str]) -> str:
    namespace, types = type_segments(resource_type)
    if len(names) != len(types):
        raise ResourceIdError(
            f"type {resource_type!r} needs {len(types)} name segment(s), got {len(names)}"
        )
    return "/".join(
        ["providers", namespace, *(f"{t}/{n}" for t, n in zip(types, names, strict=True))]
    )


def resource_id(
    subscription_id: str, resource_group: str, resource_type: str, names: list[str]
) -> str:
    path = provider_path(resource_type, names)
    return f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}/{path}"


def split_resource_id_args(
    args: list[str], subscription_id: str, resource_group: str
) -> tuple[str, str, str, list[str]]:
    """resourceId()'s optional leading subscription and resource group, then type and names."""
    position = next((i for i, arg in enumerate(args[:3]) if "/" in arg), None)
    if position is None:
        raise ResourceIdError("needs a resource type such as 'Microsoft.Network/virtualNetworks'")
    leading = args[:position]
    if len(leading) == 2:
        subscription_id, resource_group = leading
    elif len(leading) == 1:
        if _GUID.match(leading[0]):
            subscription_id = leading[0]
        else:
            resource_group = leading[0]
    return subscription_id, resource_group, args[position], args[position + 1 :]


def address_from_id(text: str, groups: Collection[str] = ()) -> str | None:
    """The address a resource id stands for; None when `text` is not a resource id. `groups`:
    the other resource groups the input deploys to (lower case), whose resources have their
    group in front; an id in any other group is taken as one of the deployment's own group,
    which a template may name by name."""
    if "/providers/" not in text.lower():
        return None
    segments = [s for s in text.split("/") if s]
    lowered = [s.lower() for s in segments]
    start = len(lowered) - 1 - lowered[::-1].index("providers")
    rest = segments[start + 1 :]
    # An extension resource keeps the resource it extends in front: .../vnet/x/providers/...
    if len(rest) < 3 or len(rest) % 2 == 0:
        return None
    prefix = _parent_of_extension(segments[:start])
    address = "/".join(rest)
    group = _resource_group_of(lowered[:start], segments, groups)
    return group + (f"{prefix}/providers/{address}" if prefix else address)


def _resource_group_of(lowered: list[str], segments: list[str], groups: Collection[str]) -> str:
    """The group prefix of an id's resource group (`.../resourceGroups/NAME/...`), if the input
    deploys to that group apart."""
    if "resourcegroups" not in lowered:
        return ""
    position = lowered.index("resourcegroups") + 1
    if position >= len(lowered) or lowered[position] not in groups:
        return ""
    return group_prefix(segments[position])


def _parent_of_extension(segments: list[str]) -> str | None:
    lowered = [s.lower() for s in segments]
    if "providers" not in lowered:
        return None
    start = len(lowered) - 1 - lowered[::-1].index("providers")
    rest = segments[start + 1 :]
    return "/".join(rest) if len(rest) >= 3 and len(rest) % 2 == 1 else None
