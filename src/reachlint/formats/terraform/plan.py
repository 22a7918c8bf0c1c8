"""Terraform plans (`terraform show -json`) as `TfResource` records.

A plan says what each resource will look like after apply, but in a new plan the ids that
connect resources are "known after apply". What connects them is the configuration section:
each attribute's expression lists the objects it refers to (`aws_vpc.main.id`, `var.vpc_id`,
`module.sg.id`). This module follows those references through module inputs and outputs to the
resource instances they end at, aligning `count.index` and `each.key` with the referencing
instance, and falls back to known ids and ARNs where a resource already exists.

The same reader accepts the output of `terraform show -json` on a state (existing resources).
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reachlint.errors import InputError
from reachlint.formats.terraform.records import UNKNOWN, TfResource
from reachlint.limits import MAX_PLAN_BYTES, read_bounded
from reachlint.sensitive import texts
from reachlint.sources import UnknownValue

SHOW_COMMAND = "`terraform show -json PLANFILE`"


@dataclass
class PlanResources:
    resources: list[TfResource]
    terraform_version: str | None
    format_version: str
    # Things seen in the plan and not understood, one sentence each.
    notes: list[str] = field(default_factory=list)
    # Known id or ARN -> address of the resource that carries it.
    ids: dict[str, str] = field(default_factory=dict)
    # Instance address -> configuration address (module.web.aws_instance.this).
    config_addresses: dict[str, str] = field(default_factory=dict)


def read_json(path: Path) -> Any:
    """Parse a JSON file; broken JSON is an InputError naming line and column."""
    raw = read_bounded(path, MAX_PLAN_BYTES, "Terraform plan or template")
    # Windows PowerShell redirection writes UTF-16 with a byte order mark.
    encoding = "utf-16" if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as err:
        raise InputError(
            f"is not UTF-8 text (undecodable byte at offset {err.start}); expected JSON", str(path)
        ) from None
    if not text.strip():
        raise InputError("is empty; expected JSON", str(path))
    try:
        with _collector_paused():
            return json.loads(text)
    except json.JSONDecodeError as err:
        if _is_streaming_log(text):
            raise InputError(_STREAMING_MESSAGE, str(path)) from None
        raise InputError(
            f"broken JSON at line {err.lineno} column {err.colno}: {err.msg}", str(path), err.lineno
        ) from None
    except RecursionError:
        raise InputError("is JSON nested too deeply to read", str(path)) from None


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Building many small objects that all stay alive makes the cyclic garbage collector
    rescan the whole document again and again; nothing built here is cyclic garbage."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_STREAMING_MESSAGE = (
    "looks like the streaming output of `terraform plan -json`; "
    f"give reachlint the output of {SHOW_COMMAND} instead"
)


def _is_streaming_log(text: str) -> bool:
    first_line = text.lstrip().split("\n", 1)[0]
    try:
        record = json.loads(first_line)
    except ValueError:
        return False
    return _is_log_record(record)


def _is_log_record(document: object) -> bool:
    return isinstance(document, dict) and "@level" in document and "@message" in document


_PLAN_KEYS = frozenset({"planned_values", "resource_changes", "prior_state", "configuration"})


def looks_like_plan(document: object) -> bool:
    """Whether this JSON is Terraform's: a plan or shown state, or a raw state or plan log that
    `load_plan_resources` explains how to turn into one."""
    if not isinstance(document, dict):
        return False
    keys = document.keys()
    if _PLAN_KEYS & keys:
        return True
    if "format_version" in keys and (
        "values" in keys or keys <= {"format_version", "terraform_version"}
    ):
        return True
    return _is_raw_state(document) or _is_log_record(document)


def _is_raw_state(document: dict[str, Any]) -> bool:
    return "lineage" in document and "resources" in document and "version" in document


def load_plan_resources(path: Path, document: dict[str, Any] | None = None) -> PlanResources:
    """Read a plan or shown state. `document` is the already parsed JSON of `path`, if any.

    Values in the document are shared with the records, not copied, except where unknown
    values are marked.
    """
    if document is None:
        document = read_json(path)
    file = str(path)
    format_version = _check_document(document, file)
    terraform_version = document.get("terraform_version")
    reader = _PlanReader(document)
    try:
        with _collector_paused():
            reader.read()
    except RecursionError:
        raise InputError("is JSON nested too deeply to read", file) from None
    return PlanResources(
        resources=list(reader.records.values()),
        terraform_version=terraform_version if isinstance(terraform_version, str) else None,
        format_version=format_version,
        notes=reader.notes,
        ids=reader.ids,
        config_addresses=reader.config_addresses,
    )


def _check_document(document: object, file: str) -> str:
    """The document's format version, or an InputError saying what the document is instead."""
    if not isinstance(document, dict):
        kind = "array" if isinstance(document, list) else "value"
        raise InputError(
            f"is a JSON {kind}, not a Terraform plan; "
            f"expected the object that {SHOW_COMMAND} writes",
            file,
        )
    if _is_log_record(document):
        raise InputError(_STREAMING_MESSAGE, file)
    if _is_raw_state(document):
        raise InputError(
            "is a raw Terraform state file; give reachlint the output of "
            "`terraform show -json` (of the state or of a plan) instead",
            file,
        )
    if not looks_like_plan(document):
        schema = document.get("$schema")
        if isinstance(schema, str) and "deploymenttemplate" in schema.lower():
            raise InputError(f"is an ARM template, not the output of {SHOW_COMMAND}", file)
        if "AWSTemplateFormatVersion" in document or "Resources" in document:
            raise InputError(
                f"looks like a CloudFormation template, not the output of {SHOW_COMMAND}", file
            )
        keys = sorted(str(key) for key in document)
        found = ", ".join(keys[:10]) + (", ..." if len(keys) > 10 else "") if keys else "none"
        raise InputError(
            f"is not a Terraform plan: found top-level keys {found}; expected format_version with "
            f"planned_values, resource_changes or values (the output of {SHOW_COMMAND})",
            file,
        )
    version = document.get("format_version")
    if version is None:
        return ""
    text = str(version)
    major = text.split(".", 1)[0]
    if not major.isdigit() or int(major) > 1:
        raise InputError(
            f"unsupported plan format version {text} (reachlint reads 0.x and 1.x)", file
        )
    return text


# --- addresses and references -------------------------------------------------------------

Key = int | str | None
# module.a["x"].module.b -> (("a", "x"), ("b", None))
ModulePath = tuple[tuple[str, Key], ...]
# (module instance path, "aws_subnet.private" or "data.aws_vpc.main")
Target = tuple[ModulePath, str]


class _All:
    """Every instance of a counted or for_each resource."""

    def __repr__(self) -> str:
        return "ALL"


ALL = _All()
Group = tuple[Target, Key | _All]
# Resolved resource groups, and the locals met on the way (rendered "local.x in module.web").
Resolved = tuple[list[Group], tuple[str, ...]]

_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
_KEY = r'\[(?:\d+|"(?:[^"\\]|\\.)*")\]'
_MODULE_STEP = re.compile(rf"module\.({_NAME})({_KEY})?\.")
_RESOURCE_PART = re.compile(rf"(data\.)?({_NAME})\.({_NAME})({_KEY})?")


@dataclass(frozen=True)
class _Address:
    module_path: ModulePath
    module: str  # module.a["x"] as written in the address
    mode: str
    type: str
    name: str
    key: Key

    @property
    def resource(self) -> str:
        prefix = "data." if self.mode == "data" else ""
        return f"{prefix}{self.type}.{self.name}"


def _parse_key(text: str | None) -> Key:
    if text is None:
        return None
    inner = text[1:-1]
    if not inner.startswith('"'):
        return int(inner)
    try:
        value = json.loads(inner)
    except ValueError:  # an HCL escape JSON does not know: keep the key as written
        return inner[1:-1]
    return value if isinstance(value, str) else None


def _parse_address(address: str) -> _Address | None:
    position = 0
    module_path: list[tuple[str, Key]] = []
    while match := _MODULE_STEP.match(address, position):
        module_path.append((match.group(1), _parse_key(match.group(2))))
        position = match.end()
    match = _RESOURCE_PART.fullmatch(address, position)
    if match is None:
        return None
    return _Address(
        module_path=tuple(module_path),
        module=address[: max(position - 1, 0)],
        mode="data" if match.group(1) else "managed",
        type=match.group(2),
        name=match.group(3),
        key=_parse_key(match.group(4)),
    )


@dataclass(frozen=True)
class _Index:
    """`[...]` in a reference: a literal key, or `aligned` when it is count.index / each.key."""

    value: int | str | None
    aligned: bool = False


Step = str | _Index
_REFERENCE_NAME = re.compile(rf"{_NAME}|\*")
_REFERENCE_INDEX = re.compile(r'\[(?:(\d+)|("(?:[^"\\]|\\.)*")|(\*))\]')
_ALIGNING = ("count.index", "each.key")


def _parse_reference(text: str) -> tuple[Step, ...] | None:
    """`aws_subnet.a["x"].id` -> ("aws_subnet", "a", _Index("x"), "id"); None if unreadable."""
    steps: list[Step] = []
    position = 0
    length = len(text)
    while position < length:
        if steps and text[position] == ".":
            position += 1
        elif steps and text[position] == "[":
            match = _REFERENCE_INDEX.match(text, position)
            if match is not None:
                number, quoted, _splat = match.groups()
                if number is not None:
                    steps.append(_Index(int(number)))
                elif quoted is not None:
                    steps.append(_Index(_parse_key(f"[{quoted}]")))
                else:
                    steps.append(_Index(None))
                position = match.end()
                continue
            # A computed index, as in [count.index]: read to the matching bracket.
            end = _matching_bracket(text, position)
            if end < 0:
                return None
            inner = text[position + 1 : end]
            steps.append(_Index(None, aligned=any(word in inner for word in _ALIGNING)))
            position = end + 1
            continue
        elif steps:
            return None
        match = _REFERENCE_NAME.match(text, position)
        if match is None:
            return None
        steps.append(match.group(0))
        position = match.end()
    return tuple(steps) if steps else None


def _matching_bracket(text: str, start: int) -> int:
    depth = 0
    for position in range(start, len(text)):
        if text[position] == "[":
            depth += 1
        elif text[position] == "]":
            depth -= 1
            if depth == 0:
                return position
    return -1


def _most_specific(references: list[tuple[Step, ...]]) -> list[tuple[Step, ...]]:
    """Terraform lists `a.b["x"].id`, `a.b["x"]` and `a.b` for one use; keep only the longest."""
    unique = list(dict.fromkeys(references))
    prefixes = {steps[:size] for steps in unique for size in range(1, len(steps))}
    return [steps for steps in unique if steps not in prefixes]


def _aligns(steps: tuple[Step, ...]) -> bool:
    if steps[:2] in (("count", "index"), ("each", "key")):
        return True
    return any(isinstance(step, _Index) and step.aligned for step in steps)


_NOT_RESOURCES = frozenset({"count", "each", "path", "terraform", "self"})


# --- the plan document --------------------------------------------------------------------


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _references(expression: object) -> list[Any]:
    return _list(_dict(expression).get("references"))


def _module_resources(module: object) -> Iterator[dict[str, Any]]:
    """Resources of a values module (`planned_values.root_module`) and its child modules."""
    pending = [module]
    while pending:
        current = _dict(pending.pop())
        for resource in _list(current.get("resources")):
            if isinstance(resource, dict):
                yield resource
        pending.extend(reversed(_list(current.get("child_modules"))))


def _actions(change: dict[str, Any]) -> list[str]:
    actions = _dict(change.get("change")).get("actions")
    return [a for a in actions if isinstance(a, str)] if isinstance(actions, list) else []


def _action_name(actions: list[str]) -> str:
    if "delete" in actions and "create" in actions:
        return "replace"
    return "-".join(actions)


def _with_unknowns(value: Any, unknown: Any) -> Any:
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
            new = UNKNOWN if marker is True else _with_unknowns(old, marker)
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
            new = UNKNOWN if marker is True else _with_unknowns(old, marker)
            if new is not old:
                if result is value:
                    result = list(value) if value is not None else []
                result.extend([None] * (position + 1 - len(result)))
                result[position] = new
        return result
    return value


def plan_variable_secrets(document: object) -> set[str]:
    """The texts of the plan's variables that its configuration declares sensitive."""
    if not isinstance(document, dict):
        return set()
    root = _dict(_dict(document.get("configuration")).get("root_module"))
    values = _dict(document.get("variables"))
    found: set[str] = set()
    for name, declared in _dict(root.get("variables")).items():
        if _dict(declared).get("sensitive") is True:
            found.update(texts(_dict(values.get(name)).get("value")))
    return found


def _sensitive_paths(marks: object, path: str) -> list[str]:
    """Attribute paths a plan's `sensitive_values` / `after_sensitive` mark: true where the value
    is sensitive, objects and lists that mirror the values; a list of plain values is one path."""
    if marks is True:
        return [path] if path else []
    found: list[str] = []
    if isinstance(marks, dict):
        for key, inner in marks.items():
            found += _sensitive_paths(inner, f"{path}.{key}" if path else str(key))
    elif isinstance(marks, list):
        if any(item is True for item in marks):
            found.append(path)
        for position, item in enumerate(marks):
            if isinstance(item, dict | list):
                found += _sensitive_paths(item, f"{path}.{position}")
    return found


def _contains_unknown(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(_contains_unknown(item) for item in value.values())
    if isinstance(value, list):
        return any(_contains_unknown(item) for item in value)
    return False


def _value_at(values: dict[str, Any], path: str) -> Any:
    current: Any = values
    for part in path.split("."):
        if isinstance(current, dict):
            current = current.get(part)
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
    return current


def _flatten_expressions(
    expressions: dict[str, Any], prefix: str = ""
) -> list[tuple[str, list[Any]]]:
    """(attribute path, references) for every expression, nested blocks included."""
    found: list[tuple[str, list[Any]]] = []
    for name, value in expressions.items():
        path = f"{prefix}{name}"
        if isinstance(value, list):
            for position, block in enumerate(value):
                if isinstance(block, dict):
                    found.extend(_flatten_expressions(block, f"{path}.{position}."))
        elif isinstance(value, dict):
            if "references" in value or "constant_value" in value or not value:
                references = _references(value)
                if references:
                    found.append((path, references))
            else:  # a single nested block
                found.extend(_flatten_expressions(value, f"{path}."))
    return found


def _blocks_in_value_order(expressions: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
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
            for argument, expression in _dict(block).items()
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
_NOT_ID_REFERENCES = frozenset(
    {"id", "arn", "name", "name_prefix", "description", "tags", "tags_all", "owner_id"}
)


def _id_references(values: dict[str, Any], ids: dict[str, str], own: str) -> dict[str, list[str]]:
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
        if name in _NOT_ID_REFERENCES:
            continue
        if isinstance(value, str):
            check(value, name)
        elif isinstance(value, dict | list):
            visit(value, name)
    return {path: list(addresses) for path, addresses in found.items()}


@dataclass
class _ModuleConfig:
    resources: dict[str, dict[str, Any]]  # "aws_instance.this" / "data.aws_vpc.x" -> config
    calls: dict[str, dict[str, Any]]
    outputs: dict[str, Any]


def _module_configs(root: object) -> dict[tuple[str, ...], _ModuleConfig]:
    configs: dict[tuple[str, ...], _ModuleConfig] = {}
    pending: list[tuple[tuple[str, ...], object]] = [((), root)]
    while pending:
        names, module = pending.pop()
        body = _dict(module)
        resources: dict[str, dict[str, Any]] = {}
        for resource in _list(body.get("resources")):
            resource = _dict(resource)
            kind, name = resource.get("type"), resource.get("name")
            if isinstance(kind, str) and isinstance(name, str):
                prefix = "data." if resource.get("mode") == "data" else ""
                resources[f"{prefix}{kind}.{name}"] = resource
        calls = {
            name: call
            for name, call in _dict(body.get("module_calls")).items()
            if isinstance(call, dict)
        }
        configs[names] = _ModuleConfig(resources, calls, _dict(body.get("outputs")))
        pending.extend(((*names, name), call.get("module")) for name, call in calls.items())
    return configs


def _key_text(key: Key) -> str:
    if key is None:
        return ""
    return f"[{key}]" if isinstance(key, int) else f"[{json.dumps(key)}]"


def _reference_name(steps: tuple[Step, ...]) -> str | None:
    """`aws_instance.bastion.private_ip`, `data.aws_ip_ranges.office`: a resource attribute,
    or a data source as a whole (Terraform reads it as one)."""
    data = steps[0] == "data"
    body = steps[1:] if data else steps
    if len(body) < 2 or not isinstance(body[0], str) or not isinstance(body[1], str):
        return None
    text = f"{body[0]}.{body[1]}"
    rest = body[2:]
    if rest and isinstance(rest[0], _Index):
        if rest[0].value is not None:
            text += _key_text(rest[0].value)
        rest = rest[1:]
    if data:
        return f"data.{text}"
    if rest and isinstance(rest[0], str):
        text += f".{rest[0]}"
    return text


def _render_module(names: tuple[str, ...]) -> str:
    return ".".join(f"module.{name}" for name in names)


class _PlanReader:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.records: dict[str, TfResource] = {}
        self.addresses: dict[str, _Address] = {}
        self.notes: list[str] = []
        self.ids: dict[str, str] = {}
        self.config_addresses: dict[str, str] = {}
        self._noted: set[str] = set()
        # Target -> instance key -> address, in plan order.
        self._instances: dict[Target, dict[Key, str]] = {}
        # (module instance path, call name) -> instance keys of that module call.
        self._module_keys: dict[tuple[ModulePath, str], dict[Key, None]] = {}
        self._configs: dict[tuple[str, ...], _ModuleConfig] = {}
        self._variables: dict[tuple[ModulePath, str], Resolved] = {}
        self._outputs: dict[tuple[ModulePath, str | None], Resolved] = {}
        # Reference texts -> the most specific parsed references, and whether they align.
        self._parsed: dict[tuple[str, ...], tuple[list[tuple[Step, ...]], bool]] = {}
        self._checked_blocks: set[str] = set()
        self._prior_values: list[tuple[str, dict[str, Any]]] = []

    def note(self, message: str, once_per: str | None = None) -> None:
        key = once_per or message
        if key not in self._noted:
            self._noted.add(key)
            self.notes.append(message)

    def read(self) -> None:
        self._collect()
        configuration = self.document.get("configuration")
        self._configs = _module_configs(_dict(configuration).get("root_module"))
        self._index_ids()
        for record in self.records.values():
            self._resolve_record(record)
        is_plan = "planned_values" in self.document or "resource_changes" in self.document
        if is_plan and not isinstance(configuration, dict):
            self.note(
                "the plan has no configuration section, so references between resources "
                "are matched by known ids only"
            )

    # Which resources exist after apply, with what values.
    def _collect(self) -> None:
        changes: dict[str, dict[str, Any]] = {}
        for change in _list(self.document.get("resource_changes")):
            change = _dict(change)
            address = change.get("address")
            if isinstance(address, str) and not change.get("deposed"):
                changes[address] = change
        gone = {address for address, change in changes.items() if _actions(change) == ["delete"]}
        # A `moved` block renames: the old address may linger in prior_state.
        gone.update(
            previous
            for change in changes.values()
            if isinstance(previous := change.get("previous_address"), str)
            and previous not in changes
        )
        prior = _dict(_dict(self.document.get("prior_state")).get("values")).get("root_module")
        prior_addresses = set()
        for resource in _module_resources(prior):
            address = resource.get("address")
            if isinstance(address, str) and address not in gone:
                prior_addresses.add(address)
                # A replaced or updated resource keeps its address: its old ids lead to it.
                self._prior_values.append((address, _dict(resource.get("values"))))
        sources = (
            _module_resources(_dict(self.document.get("planned_values")).get("root_module")),
            _module_resources(prior),
            _module_resources(_dict(self.document.get("values")).get("root_module")),
        )
        for source_number, source in enumerate(sources):
            for resource in source:
                address = resource.get("address")
                if not isinstance(address, str) or address in gone or address in self.records:
                    continue
                change = changes.get(address, {})
                existing = source_number > 0 or address in prior_addresses
                self._add(
                    address,
                    resource.get("values"),
                    change,
                    existing,
                    resource.get("sensitive_values"),
                )
        # Hand-made or trimmed plans may list a resource only among the changes.
        for address, change in changes.items():
            if address not in gone and address not in self.records:
                after = _dict(change.get("change")).get("after")
                self._add(address, after, change, existing=False)

    def _add(
        self,
        address: str,
        values: object,
        change: dict[str, Any],
        existing: bool,
        sensitive_values: object = None,
    ) -> None:
        parsed = _parse_address(address)
        if parsed is None:
            self.note(f"{address}: not a resource address reachlint can read; skipped")
            return
        after_unknown = _dict(change.get("change")).get("after_unknown")
        marked = _with_unknowns(values if isinstance(values, dict) else {}, after_unknown)
        actions = _actions(change)
        if actions:
            action = _action_name(actions)
        else:
            action = "no-op" if existing or parsed.mode == "data" else "create"
        record = TfResource(
            address=address,
            type=parsed.type,
            name=parsed.name,
            module=parsed.module,
            index=parsed.key,
            mode="data" if parsed.mode == "data" else "managed",
            values=marked if isinstance(marked, dict) else {},
            action=action,
            sensitive=sorted(
                {
                    *_sensitive_paths(sensitive_values, ""),
                    *_sensitive_paths(_dict(change.get("change")).get("after_sensitive"), ""),
                }
            ),
        )
        self.records[address] = record
        self.addresses[address] = parsed
        self._instances.setdefault((parsed.module_path, parsed.resource), {})[parsed.key] = address
        path = parsed.module_path
        for depth in range(len(path)):
            call_keys = self._module_keys.setdefault((path[:depth], path[depth][0]), {})
            call_keys[path[depth][1]] = None
        module = _render_module(tuple(name for name, _ in path))
        self.config_addresses[address] = (
            f"{module}.{parsed.resource}" if module else parsed.resource
        )

    def _index_ids(self) -> None:
        """Known ids and ARNs; managed resources first, as a data source may read the same."""
        managed = [(r.address, r.values) for r in self.records.values() if r.mode == "managed"]
        data = [(r.address, r.values) for r in self.records.values() if r.mode == "data"]
        for address, values in (*managed, *self._prior_values, *data):
            if address not in self.records:
                continue
            for attribute in ("id", "arn"):
                value = values.get(attribute)
                if isinstance(value, str) and value:
                    self.ids.setdefault(value, address)

    def _resolve_record(self, record: TfResource) -> None:
        parsed = self.addresses[record.address]
        names = tuple(name for name, _ in parsed.module_path)
        module_config = self._configs.get(names)
        config = module_config.resources.get(parsed.resource) if module_config else None
        references: dict[str, list[str]] = {}
        locals_by_path: dict[str, tuple[str, ...]] = {}
        if config is not None:
            for_each = _references(config.get("for_each_expression"))
            expressions = _dict(config.get("expressions"))
            in_value_order = _blocks_in_value_order(expressions, record.values)
            for path, expression_references in _flatten_expressions(in_value_order):
                groups, locals_met = self._resolve(
                    expression_references, parsed.module_path, parsed.key, for_each
                )
                addresses = self._addresses(groups, record.address)
                if addresses:
                    references[path] = addresses
                elif locals_met:
                    locals_by_path[path] = locals_met
                if _contains_unknown(_value_at(record.values, path)):
                    rests_on = self._unknown_names(
                        expression_references, parsed.module_path, for_each, set()
                    )
                    if rests_on:
                        record.unknown_values[path] = [UnknownValue(sources=tuple(rests_on))]
            self._note_dynamic_blocks(record, expressions)
        if self.ids:
            for path, addresses in _id_references(record.values, self.ids, record.address).items():
                references.setdefault(path, addresses)
        for path, locals_met in locals_by_path.items():
            if (
                path not in references
                and path.split(".", 1)[0] not in _NOT_ID_REFERENCES
                and _contains_unknown(_value_at(record.values, path))
            ):
                for local in locals_met:
                    self.note(
                        f"{local} is not recorded in a plan, so what it refers to (first at "
                        f"{record.address} {path}) is matched by known ids only",
                        once_per=local,
                    )
        record.references = references

    def _unknown_names(
        self,
        references: list[Any],
        module_path: ModulePath,
        for_each: list[Any],
        seen: set[tuple[ModulePath, str]],
    ) -> list[str]:
        """What an expression that is known only after apply rests on, as a reviewer would
        look it up: resource attributes and data sources, followed through module inputs and
        outputs. A plan knows every variable, so a variable is never what is unknown."""
        texts = [text for text in references if isinstance(text, str)]
        parsed = [steps for text in texts if (steps := _parse_reference(text)) is not None]
        prefix = "".join(f"module.{name}{_key_text(key)}." for name, key in module_path)
        names: dict[str, None] = {}
        for steps in _most_specific(parsed):
            head = steps[0]
            second = steps[1] if len(steps) > 1 and isinstance(steps[1], str) else None
            if head == "var" and second is not None and module_path:
                memo = (module_path, f"var.{second}")
                if memo in seen:
                    continue
                seen.add(memo)
                parent = module_path[:-1]
                call_name = module_path[-1][0]
                parent_config = self._configs.get(tuple(n for n, _ in parent))
                call = parent_config.calls.get(call_name, {}) if parent_config else {}
                expression = _dict(call.get("expressions")).get(second)
                call_for_each = _references(call.get("for_each_expression"))
                found = self._unknown_names(_references(expression), parent, call_for_each, seen)
                names.update(dict.fromkeys(found))
            elif head == "module" and second is not None:
                rest = steps[2:]
                key: Key = None
                if rest and isinstance(rest[0], _Index):
                    key, rest = rest[0].value, rest[1:]
                output = rest[0] if rest and isinstance(rest[0], str) else None
                keys = (
                    [key]
                    if key is not None
                    else list(self._module_keys.get((module_path, second), {None: None}))
                )
                for instance_key in keys:
                    child = (*module_path, (second, instance_key))
                    config = self._configs.get(tuple(n for n, _ in child))
                    outputs = config.outputs if config else {}
                    for name in [output] if output is not None else list(outputs):
                        memo = (child, f"output.{name}")
                        if memo in seen:
                            continue
                        seen.add(memo)
                        expression = _dict(outputs.get(name)).get("expression")
                        found = self._unknown_names(_references(expression), child, [], seen)
                        names.update(dict.fromkeys(found))
            elif head == "each" and second == "value":
                names.update(dict.fromkeys(self._unknown_names(for_each, module_path, [], seen)))
            elif head == "local" and second is not None:
                names[f"{prefix}local.{second}"] = None  # a plan does not record locals
            elif head in _NOT_RESOURCES or head == "var":
                continue
            else:
                named = _reference_name(steps)
                if named is not None:
                    names[prefix + named] = None
        return list(names)

    def _note_dynamic_blocks(self, record: TfResource, expressions: dict[str, Any]) -> None:
        """A dynamic block leaves no expression in the plan: say so where it hides references."""
        config_address = self.config_addresses[record.address]
        if config_address in self._checked_blocks:
            return  # instances share their configuration: the first one tells
        self._checked_blocks.add(config_address)
        for name, value in record.values.items():
            if (
                name not in expressions
                and isinstance(value, list)
                and value
                and all(isinstance(block, dict) for block in value)
                and _contains_unknown(value)
            ):
                self.note(
                    f"{config_address}: the plan's configuration does not record {name} "
                    "(a dynamic block leaves nothing there), so what it refers to is unknown"
                )

    def _addresses(self, groups: list[Group], own: str) -> list[str]:
        addresses: dict[str, None] = {}
        for target, key in groups:
            instances = self._instances.get(target, {})
            if isinstance(key, _All):
                for address in instances.values():
                    addresses[address] = None
            elif key in instances:
                addresses[instances[key]] = None
        addresses.pop(own, None)
        return list(addresses)

    def _narrow(self, groups: list[Group], key: Key) -> list[Group]:
        """Pick instance `key` of every all-instances group that has one."""
        narrowed: list[Group] = []
        for target, current in groups:
            if isinstance(current, _All) and key in self._instances.get(target, {}):
                narrowed.append((target, key))
            else:
                narrowed.append((target, current))
        return narrowed

    def _resolve(
        self,
        references: list[Any],
        module_path: ModulePath,
        own_key: Key,
        for_each: list[Any],
    ) -> Resolved:
        """The resource instances an expression in `module_path` refers to.

        `own_key` is the count index or for_each key of the thing the expression belongs to;
        `for_each` the references of its for_each expression (what `each.value` is).
        """
        texts = tuple(text for text in references if isinstance(text, str))
        if texts not in self._parsed:
            parsed = [steps for text in texts if (steps := _parse_reference(text)) is not None]
            specific = _most_specific(parsed)
            self._parsed[texts] = (specific, any(_aligns(steps) for steps in specific))
        specific, aligns = self._parsed[texts]
        aligned = own_key is not None and aligns
        groups: list[Group] = []
        locals_met: list[str] = []
        for steps in specific:
            found, met = self._resolve_one(steps, module_path, own_key, for_each, aligned)
            groups.extend(found)
            locals_met.extend(met)
        if aligned:
            groups = self._narrow(groups, own_key)
        return list(dict.fromkeys(groups)), tuple(dict.fromkeys(locals_met))

    def _resolve_one(
        self,
        steps: tuple[Step, ...],
        module_path: ModulePath,
        own_key: Key,
        for_each: list[Any],
        aligned: bool,
    ) -> Resolved:
        head = steps[0]
        second = steps[1] if len(steps) > 1 else None
        if head == "local":
            where = f" in {_render_module(tuple(n for n, _ in module_path))}" if module_path else ""
            return [], (f"local.{second}{where}",) if isinstance(second, str) else ()
        if head == "var" and isinstance(second, str):
            groups, met = self._variable(module_path, second)
            rest = steps[2:]
        elif head == "module" and isinstance(second, str):
            groups, met, rest = self._module_output(
                second, steps[2:], module_path, own_key, aligned
            )
        elif head == "each" and second == "value":
            groups, met = self._resolve(for_each, module_path, own_key, [])
            groups = self._narrow(groups, own_key)
            rest = steps[2:]
        elif head in _NOT_RESOURCES or head in ("var", "module", "local"):
            return [], ()
        else:
            return self._resource(steps, module_path), ()
        # An index into a list or map built from all instances picks that instance.
        if rest and isinstance(rest[0], _Index) and rest[0].value is not None:
            groups = self._narrow(groups, rest[0].value)
        return groups, met

    def _resource(self, steps: tuple[Step, ...], module_path: ModulePath) -> list[Group]:
        if steps[0] == "data":
            steps = steps[1:]
            prefix = "data."
        else:
            prefix = ""
        if len(steps) < 2 or not isinstance(steps[0], str) or not isinstance(steps[1], str):
            return []
        target = (module_path, f"{prefix}{steps[0]}.{steps[1]}")
        if target not in self._instances:
            return []
        index = steps[2] if len(steps) > 2 else None
        if isinstance(index, _Index) and index.value is not None:
            return [(target, index.value)]
        return [(target, ALL)]

    def _module_output(
        self,
        name: str,
        after: tuple[Step, ...],
        module_path: ModulePath,
        own_key: Key,
        aligned: bool,
    ) -> tuple[list[Group], tuple[str, ...], tuple[Step, ...]]:
        """`module.NAME...`: `after` is what follows the name (instance key, output, rest)."""
        keys = list(self._module_keys.get((module_path, name), {None: None}))
        index = after[0] if after and isinstance(after[0], _Index) else None
        if index is not None:
            after = after[1:]
        if index is not None and index.value is not None:
            keys = [index.value]
        elif aligned and own_key in keys:
            keys = [own_key]
        output = after[0] if after and isinstance(after[0], str) else None
        groups: list[Group] = []
        locals_met: list[str] = []
        for key in keys:
            found, met = self._output((*module_path, (name, key)), output)
            groups.extend(found)
            locals_met.extend(met)
        return groups, tuple(locals_met), after[1:]

    def _variable(self, module_path: ModulePath, name: str) -> Resolved:
        """What input `name` of module instance `module_path` refers to, in its caller."""
        memo_key = (module_path, name)
        if memo_key in self._variables:
            return self._variables[memo_key]
        if not module_path:
            return [], ()  # a root variable: a value, never a resource
        self._variables[memo_key] = ([], ())  # guards against cycles
        parent = module_path[:-1]
        call_name, call_key = module_path[-1]
        parent_config = self._configs.get(tuple(n for n, _ in parent))
        call = parent_config.calls.get(call_name, {}) if parent_config else {}
        expression = _dict(call.get("expressions")).get(name)
        for_each = _references(call.get("for_each_expression"))
        result = self._resolve(_references(expression), parent, call_key, for_each)
        self._variables[memo_key] = result
        return result

    def _output(self, module_path: ModulePath, name: str | None) -> Resolved:
        """What output `name` (every output when None) of module instance `module_path` is."""
        memo_key = (module_path, name)
        if memo_key in self._outputs:
            return self._outputs[memo_key]
        self._outputs[memo_key] = ([], ())
        config = self._configs.get(tuple(n for n, _ in module_path))
        outputs = config.outputs if config else {}
        names = [name] if name is not None else list(outputs)
        groups: list[Group] = []
        locals_met: list[str] = []
        for output in names:
            expression = _dict(outputs.get(output)).get("expression")
            found, met = self._resolve(_references(expression), module_path, None, [])
            groups.extend(found)
            locals_met.extend(met)
        result = (groups, tuple(locals_met))
        self._outputs[memo_key] = result
        return result
