"""Reading a plan's JSON: resources of its values modules, actions, the unknown and
sensitive marks, expressions and their references, blocks in value order, known ids, the
configuration's modules. Every accessor takes whatever the document holds, of any type.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import msgspec
from msgspec import Struct

from reachlint.formats.terraform.records import UNKNOWN, ProviderConfig


def as_dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def decoded(value: object) -> Any:
    """A value the plan's shape left undecoded (msgspec.Raw), decoded as read_json decodes;
    any other value as it is. Deep nesting raises RecursionError, as the reader's does."""
    if not isinstance(value, msgspec.Raw):
        return value
    try:
        return msgspec.json.decode(value)
    except msgspec.DecodeError:  # a number beyond a double, a lone surrogate: json reads them
        import json

        return json.loads(bytes(value))


def references_of(expression: object) -> list[Any]:
    return as_list(as_dict(expression).get("references"))


def module_resources(module: object) -> Iterator[dict[str, Any]]:
    """Resources of a values module (`planned_values.root_module`) and its child modules.

    Terraform 0.12 wrote `prior_state` addresses without the module and the instance key
    (hashicorp/terraform#24110): `aws_instance.a` with `"index": 0` inside `module.m` is
    `module.m.aws_instance.a[0]`, and is given that address here.
    """
    pending = [module]
    while pending:
        current = as_dict(pending.pop())
        module_address = current.get("address")
        for resource in as_list(current.get("resources")):
            if isinstance(resource, dict):
                _complete_address(resource, module_address)
                yield resource
        pending.extend(reversed(as_list(current.get("child_modules"))))


def _complete_address(resource: dict[str, Any], module_address: object) -> None:
    address = resource.get("address")
    if not isinstance(address, str):
        return
    if isinstance(module_address, str) and not address.startswith(f"{module_address}."):
        address = f"{module_address}.{address}"
    index = resource.get("index")
    if isinstance(index, bool) or not isinstance(index, int | str) or address.endswith("]"):
        resource["address"] = address
        return
    # As Terraform writes keys: JSON strings, other characters as they are.
    key = index if isinstance(index, int) else json.dumps(index, ensure_ascii=False)
    resource["address"] = f"{address}[{key}]"


class PlannedChange(Struct):
    """A resource change's `change`, as the reader reads it: `before` is never read, and
    `after` repeats the planned values (read only for a resource missing from them), so a plan
    decoded in its shape leaves it undecoded (msgspec.Raw; see `decoded`)."""

    actions: Any = None
    after_unknown: Any = None
    after_sensitive: Any = None
    after: msgspec.Raw = msgspec.Raw(b"null")


class ResourceChange(Struct):
    """One of a plan's `resource_changes`."""

    address: Any = None
    deposed: Any = None
    previous_address: Any = None
    change: PlannedChange | None = None


def change_of(value: object) -> ResourceChange:
    """A resource change as decoded in the plan's shape, or read from the dictionary a whole
    decode gives (whatever it holds)."""
    if isinstance(value, ResourceChange):
        return value
    found = as_dict(value)
    planned = found.get("change")
    return ResourceChange(
        address=found.get("address"),
        deposed=found.get("deposed"),
        previous_address=found.get("previous_address"),
        change=PlannedChange(
            actions=planned.get("actions"),
            after_unknown=planned.get("after_unknown"),
            after_sensitive=planned.get("after_sensitive"),
            # Decoded already, unlike the shape's: `decoded` returns it as it is.
            after=planned.get("after"),  # type: ignore[arg-type]
        )
        if isinstance(planned, dict)
        else None,
    )


def value_modules(document: dict[str, Any]) -> tuple[object, object, object]:
    """The root modules whose resources exist after apply: the planned values, the prior state
    and a shown state's values, in the order the reader trusts them."""
    prior = as_dict(as_dict(document.get("prior_state")).get("values")).get("root_module")
    return (
        as_dict(document.get("planned_values")).get("root_module"),
        prior,
        as_dict(document.get("values")).get("root_module"),
    )


def actions_of(change: ResourceChange | None) -> list[str]:
    actions = change.change.actions if change is not None and change.change is not None else None
    return [a for a in actions if isinstance(a, str)] if isinstance(actions, list) else []


def action_name(actions: list[str]) -> str:
    if "delete" in actions and "create" in actions:
        return "replace"
    return "-".join(actions)


def with_unknowns(value: Any, unknown: Any) -> Any:
    """`value` with UNKNOWN wherever `unknown` (after_unknown) is true; copies only what changes."""
    if unknown is True:
        return UNKNOWN
    if isinstance(unknown, dict):
        if value is not None and not isinstance(value, dict):
            return value
        result: Any = value
        for key, marker in unknown.items():
            if not marker:
                continue
            old = value.get(key) if value is not None else None
            new = UNKNOWN if marker is True else with_unknowns(old, marker)
            if new is not old:
                if result is value:
                    result = dict(value) if value is not None else {}
                result[key] = new
        return result
    if isinstance(unknown, list):
        if value is not None and not isinstance(value, list):
            return value
        result = value
        for position, marker in enumerate(unknown):
            if not marker:
                continue
            old = value[position] if value is not None and position < len(value) else None
            new = UNKNOWN if marker is True else with_unknowns(old, marker)
            if new is not old:
                if result is value:
                    result = list(value) if value is not None else []
                result.extend([None] * (position + 1 - len(result)))
                result[position] = new
        return result
    return value


def sensitive_paths(marks: object, path: str) -> list[str]:
    """Attribute paths a plan's `sensitive_values` / `after_sensitive` mark: true where the value
    is sensitive, objects and lists that mirror the values; a list of plain values is one path."""
    if isinstance(marks, dict | list) and not _marks_true(marks):
        return []
    return _marked_paths(marks, path)


def _marks_true(marks: dict[str, Any] | list[Any]) -> bool:
    """Whether `true` may be among the marks: most resources mark nothing, and looking at their
    JSON text in C is quicker than walking them in Python."""
    try:
        return b"true" in msgspec.json.encode(marks)
    except (TypeError, UnicodeEncodeError):  # not JSON's types, or a lone surrogate
        return True


def _marked_paths(marks: object, path: str) -> list[str]:
    if marks is True:
        return [path] if path else []
    found: list[str] = []
    if isinstance(marks, dict):
        for key, inner in marks.items():
            found += _marked_paths(inner, f"{path}.{key}" if path else str(key))
    elif isinstance(marks, list):
        if any(item is True for item in marks):
            found.append(path)
        for position, item in enumerate(marks):
            if isinstance(item, dict | list):
                found += _marked_paths(item, f"{path}.{position}")
    return found


def contains_unknown(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(contains_unknown(item) for item in value.values())
    if isinstance(value, list):
        return any(contains_unknown(item) for item in value)
    return False


def value_at(values: dict[str, Any], path: str) -> Any:
    current: Any = values
    for part in path.split("."):
        if isinstance(current, dict):
            current = current.get(part)
        elif isinstance(current, list) and part.isdecimal() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
    return current


def flatten_expressions(
    expressions: dict[str, Any], prefix: str = ""
) -> list[tuple[str, list[Any]]]:
    """(attribute path, references) for every expression, nested blocks included."""
    found: list[tuple[str, list[Any]]] = []
    for name, value in expressions.items():
        path = f"{prefix}{name}"
        if isinstance(value, list):
            for position, block in enumerate(value):
                if isinstance(block, dict):
                    found.extend(flatten_expressions(block, f"{path}.{position}."))
        elif isinstance(value, dict):
            if "references" in value or "constant_value" in value or not value:
                references = references_of(value)
                if references:
                    found.append((path, references))
            else:  # a single nested block
                found.extend(flatten_expressions(value, f"{path}."))
    return found


def blocks_in_value_order(expressions: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """`expressions` with each list of blocks in the order the planned values have them.

    Blocks of a set type (network_interface, subnet_mapping) come out of a plan in an order of
    Terraform's own, so block 0 as written may be block 1 in the values. A block is placed where
    exactly one value block agrees with all its constant arguments; if any block is ambiguous,
    the order stays as written.
    """
    reordered = expressions
    for name, blocks in expressions.items():
        if not isinstance(blocks, list) or len(blocks) < 2:
            continue
        placed = _place_blocks(blocks, values.get(name))
        if placed is not None and placed != blocks:
            if reordered is expressions:
                reordered = dict(expressions)
            reordered[name] = placed
    return reordered


def _place_blocks(blocks: list[Any], value_blocks: object) -> list[Any] | None:
    if not isinstance(value_blocks, list) or len(value_blocks) != len(blocks):
        return None
    placed: list[Any] = [None] * len(blocks)
    for block in blocks:
        constants = {
            argument: expression["constant_value"]
            for argument, expression in as_dict(block).items()
            if isinstance(expression, dict)
            and isinstance(expression.get("constant_value"), str | int | float)
        }
        if not constants:
            return None
        matches = [
            position
            for position, value in enumerate(value_blocks)
            if isinstance(value, dict)
            and all(value.get(argument) == constant for argument, constant in constants.items())
        ]
        if len(matches) != 1 or placed[matches[0]] is not None:
            return None
        placed[matches[0]] = block
    return placed


# Top-level attributes whose values are names or the resource's own identity, never references.
NOT_ID_REFERENCES = frozenset(
    {"id", "arn", "name", "name_prefix", "description", "tags", "tags_all", "owner_id"}
)


def id_references(values: dict[str, Any], ids: dict[str, str], own: str) -> dict[str, list[str]]:
    """Attribute path -> addresses of the resources whose known id or ARN the value holds."""
    found: dict[str, dict[str, None]] = {}

    def check(text: str, path: str) -> None:
        address = ids.get(text)
        if address is not None and address != own:
            found.setdefault(path, {})[address] = None

    # Strings are checked in place; only containers recurse. A list of strings keeps the
    # list's path, a list of blocks adds the position.
    def visit(value: dict[str, Any] | list[Any], path: str) -> None:
        if isinstance(value, dict):
            for name, item in value.items():
                if isinstance(item, str):
                    check(item, f"{path}.{name}")
                elif isinstance(item, dict | list):
                    visit(item, f"{path}.{name}")
        else:
            for position, item in enumerate(value):
                if isinstance(item, str):
                    check(item, path)
                elif isinstance(item, dict | list):
                    visit(item, f"{path}.{position}")

    for name, value in values.items():
        if name in NOT_ID_REFERENCES:
            continue
        if isinstance(value, str):
            check(value, name)
        elif isinstance(value, dict | list):
            visit(value, name)
    return {path: list(addresses) for path, addresses in found.items()}


class ModuleConfiguration(Struct):
    resources: dict[str, dict[str, Any]]  # "aws_instance.this" / "data.aws_vpc.x" -> config
    calls: dict[str, dict[str, Any]]
    outputs: dict[str, Any]


def module_configurations(root: object) -> dict[tuple[str, ...], ModuleConfiguration]:
    configs: dict[tuple[str, ...], ModuleConfiguration] = {}
    pending: list[tuple[tuple[str, ...], object]] = [((), root)]
    while pending:
        names, module = pending.pop()
        body = as_dict(module)
        resources: dict[str, dict[str, Any]] = {}
        for resource in as_list(body.get("resources")):
            resource = as_dict(resource)
            kind, name = resource.get("type"), resource.get("name")
            if isinstance(kind, str) and isinstance(name, str):
                prefix = "data." if resource.get("mode") == "data" else ""
                resources[f"{prefix}{kind}.{name}"] = resource
        calls = {
            name: call
            for name, call in as_dict(body.get("module_calls")).items()
            if isinstance(call, dict)
        }
        configs[names] = ModuleConfiguration(resources, calls, as_dict(body.get("outputs")))
        pending.extend(((*names, name), call.get("module")) for name, call in calls.items())
    return configs


def provider_configurations(
    section: object, read: Mapping[str, frozenset[str]]
) -> dict[str, ProviderConfig]:
    """The configuration section's provider configurations by key (aws, aws.west), for the
    providers and arguments `read` names: the constants the plan records, UNKNOWN where it
    records only what an expression refers to."""
    found: dict[str, ProviderConfig] = {}
    for key, config in as_dict(section).items():
        config = as_dict(config)
        name, alias, module = config.get("name"), config.get("alias"), config.get("module_address")
        if not isinstance(name, str) or name not in read:
            continue
        address = f"provider.{name}.{alias}" if isinstance(alias, str) else f"provider.{name}"
        if isinstance(module, str) and module:
            address = f"{module}.{address}"
        expressions = as_dict(config.get("expressions"))
        wanted = {n: e for n, e in expressions.items() if n in read[name]}
        found[str(key)] = ProviderConfig(address, _recorded(wanted))
    return found


def _recorded(expressions: dict[str, Any]) -> dict[str, Any]:
    """Expressions of a configuration as the values a plan records; blocks are lists."""
    values: dict[str, Any] = {}
    for name, expression in expressions.items():
        if isinstance(expression, list):
            values[name] = [_recorded(as_dict(block)) for block in expression]
        elif isinstance(expression, dict):
            if "constant_value" in expression:
                values[name] = expression["constant_value"]
            elif expression.get("references"):
                values[name] = UNKNOWN
    return values
