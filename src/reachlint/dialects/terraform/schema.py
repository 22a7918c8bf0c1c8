"""Resource blocks checked against the provider's schema, as `terraform validate` checks them.

Terraform rejects a configuration whose resource has an argument or nested block its provider
does not declare (`ingres {`), a value for an attribute only the provider sets, a missing
required argument, or too few or too many blocks of a type. Read without that check, a
misspelled block would silently vanish from the model. The schema is hashicorp/aws's, generated
from the provider itself by scripts/generate_provider_schema.py and trimmed to the types the
AWS mapper models (aws_schema.json beside this file); other types, and other providers, are not
checked here. There is no azurerm schema: no azurerm provider was at hand to generate one.

A configuration that requires a version of hashicorp/aws the schema is not of (another major
version in the lock file, or version constraints that exclude it) is not checked: arguments
come and go between major versions, and an argument the user's own provider accepts must not
be refused.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from reachlint.errors import InputError
from reachlint.formats.hcl.config import ModuleConfig, ResourceDecl, SourceFile
from reachlint.formats.hcl.syntax import Block, Body
from reachlint.formats.terraform.versions import admits, parse_version, requirement

_PROVIDER = "hashicorp/aws"
# Meta-arguments and meta-blocks of every resource: Terraform's, not the provider's.
_META_ARGUMENTS = frozenset({"count", "for_each", "provider", "depends_on"})
_META_BLOCKS = frozenset({"lifecycle", "provisioner", "connection"})


@cache
def _schema() -> dict[str, Any]:
    text = (resources.files("reachlint.dialects.terraform") / "aws_schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def schema_version() -> str:
    return str(_schema()["version"])


def block_schema(mode: str, resource_type: str) -> dict[str, Any] | None:
    """The trimmed schema of a resource type (mode "managed") or data source, if it is known."""
    if not resource_type.startswith("aws_"):
        return None
    section = _schema()["resource" if mode == "managed" else "data"]
    found: dict[str, Any] | None = section.get(resource_type)
    return found


def check_configuration(configs: Iterable[ModuleConfig], root: Path) -> str | None:
    """Raise an InputError for the first resource block Terraform would reject.

    Returns a note when the configuration requires another hashicorp/aws than the schema's
    and so is not checked.
    """
    modules = list(configs)
    resources_to_check = [
        (config, decl)
        for config in modules
        for decl in config.resources.values()
        if block_schema(decl.mode, decl.type) is not None
    ]
    if not resources_to_check:
        return None
    required = _required_version(modules, root)
    if required is not None:
        return (
            f"the configuration requires {required}; reachlint knows the schema of "
            f"{_PROVIDER} {schema_version()} only, so the arguments and blocks of its aws "
            "resources are not checked against a schema"
        )
    for config, decl in resources_to_check:
        schema = block_schema(decl.mode, decl.type)
        if schema is not None:
            _Checker(config, decl).block(decl.body, schema, decl.file, decl.line, top=True)
    return None


class _Checker:
    def __init__(self, config: ModuleConfig, decl: ResourceDecl) -> None:
        self.config = config
        self.decl = decl

    def error(self, message: str, file: SourceFile, line: int) -> InputError:
        return InputError(f"{self.decl.key}: {message}", file.shown, line)

    def file_of(self, origin: str | None, default: SourceFile) -> SourceFile:
        return self.config.source(origin, default)

    def block(
        self, body: Body, schema: dict[str, Any], file: SourceFile, line: int, *, top: bool = False
    ) -> None:
        attributes: dict[str, Any] = schema.get("a", {})
        blocks: dict[str, Any] = schema.get("b", {})
        for name, attribute in body.attributes.items():
            if top and name in _META_ARGUMENTS:
                continue
            where = self.file_of(attribute.file, file)
            flag = attributes.get(name)
            if flag is None:
                if name in blocks:
                    raise self.error(
                        f'unsupported argument "{name}"; did you mean to define a block of type '
                        f'"{name}"?',
                        where,
                        attribute.line,
                    )
                raise self.error(
                    f'unsupported argument "{name}"{_suggestion(name, attributes)}',
                    where,
                    attribute.line,
                )
            if _flag(flag) == "c":
                raise self.error(
                    f'can\'t configure a value for "{name}": its value will be decided '
                    "automatically based on the result of applying this configuration",
                    where,
                    attribute.line,
                )
        counts: dict[str, int] = {}
        dynamic: set[str] = set()
        for block in body.blocks:
            where = self.file_of(block.file, file)
            if top and block.type in _META_BLOCKS:
                continue
            if block.type == "dynamic":
                self.dynamic(block, attributes, blocks, where)
                if len(block.labels) == 1:
                    dynamic.add(block.labels[0])
                continue
            self.nested(block, block.body, block.type, attributes, blocks, where, block.line)
            counts[block.type] = counts.get(block.type, 0) + 1
        for name, flag in attributes.items():
            if _flag(flag) == "r" and name not in body.attributes:
                raise self.error(f'missing required argument "{name}"', file, line)
        for name, (nesting, least, most, _nested) in blocks.items():
            if name in dynamic:
                continue  # how many blocks a dynamic block makes is known only when evaluated
            count = counts.get(name, 0)
            if count > 1 and nesting in ("single", "group"):
                raise self.error(f'duplicate "{name}" block: only one is allowed', file, line)
            if count < least:
                raise self.error(
                    f'insufficient "{name}" blocks: at least {least} required', file, line
                )
            if most and count > most:
                raise self.error(
                    f'too many "{name}" blocks: no more than {most} allowed', file, line
                )

    def nested(
        self,
        block: Block,
        body: Body,
        block_type: str,
        attributes: dict[str, Any],
        blocks: dict[str, Any],
        file: SourceFile,
        line: int,
    ) -> None:
        if block_type in blocks:
            self.block(body, blocks[block_type][3], file, line)
            return
        attribute = attributes.get(block_type)
        if isinstance(attribute, list):
            # A list or set of objects may be written as blocks ("attributes as blocks").
            self.object(body, attribute[2], file, line)
            return
        if attribute is not None:
            raise self.error(
                f'unsupported block type "{block_type}"; did you mean to define argument '
                f'"{block_type}"? If so, use the equals sign to assign it a value',
                file,
                line,
            )
        raise self.error(
            f'unsupported block type "{block_type}"{_suggestion(block_type, blocks, attributes)}',
            file,
            line,
        )

    def object(self, body: Body, names: dict[str, Any], file: SourceFile, line: int) -> None:
        """A block standing for one object of a list or set attribute: only its attributes."""
        for name, attribute in body.attributes.items():
            if name not in names:
                raise self.error(
                    f'unsupported argument "{name}"{_suggestion(name, names)}',
                    self.file_of(attribute.file, file),
                    attribute.line,
                )
        nested_objects = {name: kind for name, kind in names.items() if isinstance(kind, list)}
        for block in body.blocks:
            where = self.file_of(block.file, file)
            if block.type == "dynamic" and len(block.labels) == 1:
                inner = nested_objects.get(block.labels[0])
                content = _content(block)
                if inner is None:
                    raise self.error(
                        f'unsupported block type "{block.labels[0]}"'
                        f"{_suggestion(block.labels[0], nested_objects)}",
                        where,
                        block.line,
                    )
                if content is not None:
                    self.object(content.body, inner[1], where, content.line)
                continue
            inner = nested_objects.get(block.type)
            if inner is None:
                raise self.error(
                    f'unsupported block type "{block.type}"'
                    f"{_suggestion(block.type, nested_objects)}",
                    where,
                    block.line,
                )
            self.object(block.body, inner[1], where, block.line)

    def dynamic(
        self, block: Block, attributes: dict[str, Any], blocks: dict[str, Any], file: SourceFile
    ) -> None:
        if len(block.labels) != 1:
            return  # the loader reports a dynamic block without its one label
        block_type = block.labels[0]
        if block_type not in blocks and not isinstance(attributes.get(block_type), list):
            raise self.error(
                f'unsupported block type "{block_type}"'
                f"{_suggestion(block_type, blocks, _object_lists(attributes))}",
                file,
                block.line,
            )
        content = _content(block)
        if content is not None:
            where = self.file_of(content.file, file)
            self.nested(content, content.body, block_type, attributes, blocks, where, content.line)


def _content(block: Block) -> Block | None:
    return next((inner for inner in block.body.blocks if inner.type == "content"), None)


def _flag(attribute: Any) -> str:
    return str(attribute[0] if isinstance(attribute, list) else attribute)


def _object_lists(attributes: dict[str, Any]) -> dict[str, Any]:
    return {name: kind for name, kind in attributes.items() if isinstance(kind, list)}


def _suggestion(given: str, *choices: dict[str, Any]) -> str:
    """Terraform's "did you mean": the first name within an edit distance of 2."""
    for names in choices:
        for name in names:
            if _distance(given, name) < 3:
                return f'; did you mean "{name}"?'
    return ""


def _distance(left: str, right: str) -> int:
    previous = list(range(len(right) + 1))
    for i, a in enumerate(left, start=1):
        current = [i]
        for j, b in enumerate(right, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        previous = current
    return previous[-1]


# ----- which hashicorp/aws the configuration requires ----------------------------------------


def _required_version(modules: list[ModuleConfig], root: Path) -> str | None:
    """What the configuration requires instead of the schema's hashicorp/aws, if anything."""
    schema = parse_version(schema_version())
    assert schema is not None
    settings = [setting for config in modules for setting in config.settings]
    found = requirement(settings, root, _PROVIDER, "aws")
    if found.locked is not None:
        version = parse_version(found.locked)
        same_major = version is not None and version[0] == schema[0]
        return None if same_major else f"{_PROVIDER} {found.locked} (its lock file)"
    if found.other_source is not None:
        return f"the provider {found.other_source} for its aws resources"
    for constraint in found.constraints:
        if not admits(constraint.text, schema):
            return f"{_PROVIDER} {constraint.text} ({constraint.file})"
    return None
