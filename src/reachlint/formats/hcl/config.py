"""One Terraform module directory read into its declarations.

Every `.tf` file of the directory (not its subdirectories) is parsed; override files
(`override.tf`, `*_override.tf`) are merged into the declarations they name, as Terraform does.
Nothing is evaluated here.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Protocol, TypeVar

from msgspec import Struct, field

from reachlint.confine import read_confined
from reachlint.errors import InputError
from reachlint.formats.hcl.parser import parse_file
from reachlint.formats.hcl.syntax import Block, Body, Expr, Literal
from reachlint.formats.hcl.types import ANY, TypeSpec, parse_type
from reachlint.limits import MAX_CONFIGURATION_FILE_BYTES, read_bounded


class SourceFile(Struct, frozen=True):
    path: Path
    origin: str  # relative to the directory given to the loader: what reports show
    shown: str  # as the user would find it, for error messages


class VariableDecl(Struct):
    name: str
    type: TypeSpec
    default: Expr | None
    nullable: bool
    file: SourceFile
    line: int
    sensitive: bool = False


class LocalDecl(Struct):
    name: str
    expr: Expr
    file: SourceFile
    line: int


class ResourceDecl(Struct):
    mode: str  # managed | data
    type: str
    name: str
    body: Body
    file: SourceFile
    line: int

    @property
    def key(self) -> str:
        prefix = "data." if self.mode == "data" else ""
        return f"{prefix}{self.type}.{self.name}"


class ModuleCallDecl(Struct):
    name: str
    source: str | None
    body: Body
    file: SourceFile
    line: int


class ProviderDecl(Struct):
    """A `provider` block: the configuration resources of that provider use (by alias)."""

    name: str  # the provider's local name: aws
    alias: str | None
    body: Body
    file: SourceFile
    line: int

    @property
    def key(self) -> str:
        return f"{self.name}.{self.alias}" if self.alias else self.name


class OutputDecl(Struct):
    name: str
    expr: Expr | None
    file: SourceFile
    line: int
    sensitive: bool = False


class ModuleConfig(Struct):
    directory: Path
    files: list[SourceFile] = field(default_factory=list)
    variables: dict[str, VariableDecl] = field(default_factory=dict)
    locals: dict[str, LocalDecl] = field(default_factory=dict)
    resources: dict[str, ResourceDecl] = field(default_factory=dict)
    module_calls: dict[str, ModuleCallDecl] = field(default_factory=dict)
    outputs: dict[str, OutputDecl] = field(default_factory=dict)
    providers: dict[str, ProviderDecl] = field(default_factory=dict)  # by key: aws, aws.west
    # (file, line, message) for what was seen and left out.
    notes: list[tuple[SourceFile, int, str]] = field(default_factory=list)
    # `terraform` and `provider` blocks: where the provider versions are required.
    settings: list[tuple[SourceFile, Block]] = field(default_factory=list)

    def source(self, origin: str | None, default: SourceFile) -> SourceFile:
        """The file an attribute or block was written in: its own if an override file set it."""
        if origin is None:
            return default
        return next((file for file in self.files if file.origin == origin), default)


# What Terraform takes as a name (an identifier), as a provider's alias must be.
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")

# Top-level blocks that declare nothing a network model needs.
_IGNORED_BLOCKS = frozenset(
    {"terraform", "provider", "moved", "import", "removed", "check", "ephemeral"}
)


def is_override(path: Path) -> bool:
    return path.name == "override.tf" or path.name.endswith("_override.tf")


def read_text(path: Path, shown: str, boundary: Path | None = None) -> str:
    """The text of a file; with `boundary` (the input's root), only of a regular file in it."""
    limit, what = MAX_CONFIGURATION_FILE_BYTES, "configuration file"
    if boundary is not None:
        raw = read_confined(path, boundary, shown, max_bytes=limit, what=what)
    else:
        raw = read_bounded(path, limit, what, shown)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(
            f"is not UTF-8 text (undecodable byte at offset {err.start})", shown
        ) from None


def read_module(
    directory: Path, root: Path, shown_root: str, boundary: Path | None = None
) -> ModuleConfig:
    """Parse every .tf file of `directory`; `root` is the directory the loader was given,
    `boundary` the input's root, which every file read must be inside."""
    config = ModuleConfig(directory)
    # Inside a boundary, a FIFO, device or dangling link named *.tf is refused, not skipped.
    paths = sorted(
        path
        for path in directory.glob("*.tf")
        if path.is_file() or (boundary is not None and not path.is_dir())
    )
    overrides: list[tuple[SourceFile, Body]] = []
    for path in paths:
        relative = os.path.relpath(path, root).replace(os.sep, "/")
        shown = relative if shown_root in ("", ".") else f"{shown_root.rstrip('/')}/{relative}"
        source = SourceFile(path, relative, shown)
        config.files.append(source)
        body = parse_file(read_text(path, shown, boundary), shown)
        if is_override(path):
            overrides.append((source, body))
        else:
            _declare(config, source, body)
    for source, body in overrides:
        _override(config, source, body)
    for path in sorted(directory.glob("*.tf.json")):
        relative = os.path.relpath(path, root).replace(os.sep, "/")
        config.notes.append(
            (
                SourceFile(path, relative, relative),
                0,
                "Terraform JSON configuration files are not read; what it declares is not in "
                "the model",
            )
        )
    return config


def _labels(block: Block, count: int, source: SourceFile) -> list[str]:
    if len(block.labels) != count:
        names = "a name" if count == 1 else f"{count} labels"
        raise InputError(
            f"a {block.type} block needs {names}, it has {len(block.labels)}",
            source.shown,
            block.line,
        )
    return block.labels


def _declare(config: ModuleConfig, source: SourceFile, body: Body) -> None:
    for name, attribute in body.attributes.items():
        raise InputError(
            f'unexpected argument "{name}" at the top level; expected blocks such as resource, '
            "variable or module",
            source.shown,
            attribute.line,
        )
    for block in body.blocks:
        kind = block.type
        if kind == "resource" or kind == "data":
            resource_type, name = _labels(block, 2, source)
            decl = ResourceDecl(
                "data" if kind == "data" else "managed",
                resource_type,
                name,
                block.body,
                source,
                block.line,
            )
            _add(config.resources, decl.key, decl, source, block.line, kind)
        elif kind == "variable":
            (name,) = _labels(block, 1, source)
            _add(config.variables, name, _variable(name, block, source), source, block.line, kind)
        elif kind == "locals":
            for name, attribute in block.body.attributes.items():
                local = LocalDecl(name, attribute.expr, source, attribute.line)
                _add(config.locals, name, local, source, attribute.line, "local value")
        elif kind == "module":
            (name,) = _labels(block, 1, source)
            call = ModuleCallDecl(name, _source(block, source), block.body, source, block.line)
            _add(config.module_calls, name, call, source, block.line, kind)
        elif kind == "output":
            (name,) = _labels(block, 1, source)
            value = block.body.attributes.get("value")
            output = OutputDecl(name, value.expr if value else None, source, block.line)
            output.sensitive = _is_true(block.body, "sensitive")
            _add(config.outputs, name, output, source, block.line, kind)
        elif kind == "provider":
            provider = _provider(block, source)
            _add(config.providers, provider.key, provider, source, block.line, "provider")
            config.settings.append((source, block))
        elif kind == "terraform":
            config.settings.append((source, block))
        elif kind not in _IGNORED_BLOCKS:
            config.notes.append((source, block.line, f'unknown top-level block "{kind}" ignored'))


class _Declared(Protocol):
    file: SourceFile
    line: int


_D = TypeVar("_D", bound=_Declared)


def _add(
    table: dict[str, _D], name: str, decl: _D, source: SourceFile, line: int, kind: str
) -> None:
    previous = table.get(name)
    if previous is not None:
        raise InputError(
            f'{kind} "{name}" is declared twice (also at {previous.file.shown}:{previous.line})',
            source.shown,
            line,
        )
    table[name] = decl


def _variable(name: str, block: Block, source: SourceFile) -> VariableDecl:
    attributes = block.body.attributes
    type_attribute = attributes.get("type")
    default = attributes.get("default")
    nullable = attributes.get("nullable")
    return VariableDecl(
        name,
        parse_type(type_attribute.expr) if type_attribute else ANY,
        default.expr if default else None,
        not (nullable and isinstance(nullable.expr, Literal) and nullable.expr.value is False),
        source,
        block.line,
        _is_true(block.body, "sensitive"),
    )


def _provider(block: Block, source: SourceFile) -> ProviderDecl:
    (name,) = _labels(block, 1, source)
    alias = block.body.attributes.get("alias")
    if alias is None:
        return ProviderDecl(name, None, block.body, source, block.line)
    written = alias.expr.value if isinstance(alias.expr, Literal) else None
    if not (isinstance(written, str) and _NAME.fullmatch(written)):
        raise InputError(
            f'provider "{name}": alias must be a name (letters, digits, _ and -) written as a '
            "string",
            source.shown,
            alias.line,
        )
    return ProviderDecl(name, written, block.body, source, block.line)


def _is_true(body: Body, name: str) -> bool:
    """Whether an argument such as `sensitive` is set; only a literal false says no."""
    attribute = body.attributes.get(name)
    if attribute is None:
        return False
    return not (isinstance(attribute.expr, Literal) and attribute.expr.value in (False, "false"))


def _source(block: Block, source: SourceFile) -> str | None:
    attribute = block.body.attributes.get("source")
    if attribute is None:
        raise InputError(f'module "{block.labels[0]}" has no source', source.shown, block.line)
    if isinstance(attribute.expr, Literal) and isinstance(attribute.expr.value, str):
        return attribute.expr.value
    return None


def _override(config: ModuleConfig, source: SourceFile, body: Body) -> None:
    """Merge an override file: its arguments replace the named declaration's, and its nested
    blocks replace all nested blocks of the same type."""
    for block in body.blocks:
        target: Body | None = None
        if block.type in ("resource", "data") and len(block.labels) == 2:
            prefix = "data." if block.type == "data" else ""
            decl = config.resources.get(f"{prefix}{block.labels[0]}.{block.labels[1]}")
            target = decl.body if decl else None
        elif block.type == "module" and len(block.labels) == 1:
            call = config.module_calls.get(block.labels[0])
            if call is not None:
                target = call.body
                if "source" in block.body.attributes:
                    call.source = _source(block, source)
        elif block.type == "locals":
            for name, attribute in block.body.attributes.items():
                config.locals[name] = LocalDecl(name, attribute.expr, source, attribute.line)
            continue
        elif block.type == "output" and len(block.labels) == 1:
            output = config.outputs.get(block.labels[0])
            value = block.body.attributes.get("value")
            if output is not None and value is not None:
                output.expr, output.file, output.line = value.expr, source, value.line
            continue
        elif block.type == "variable" and len(block.labels) == 1:
            variable = config.variables.get(block.labels[0])
            if variable is not None:
                replacement = _variable(block.labels[0], block, source)
                if "type" in block.body.attributes:
                    variable.type = replacement.type
                if "default" in block.body.attributes:
                    variable.default = replacement.default
                if "sensitive" in block.body.attributes:
                    variable.sensitive = replacement.sensitive
            continue
        if target is None:
            if block.type not in _IGNORED_BLOCKS:
                config.notes.append(
                    (source, block.line, "override block matches no declaration; ignored")
                )
            continue
        _merge_body(target, block.body, source)


def _merge_body(target: Body, override: Body, source: SourceFile) -> None:
    for attribute in override.attributes.values():
        attribute.file = source.origin
        target.attributes[attribute.name] = attribute
    for block in override.blocks:
        block.file = source.origin
    replaced = {block.type for block in override.blocks}
    target.blocks = [b for b in target.blocks if b.type not in replaced] + list(override.blocks)
