"""Module and resource instances of a configuration, evaluated on demand.

Terraform evaluates a configuration as a graph whose nodes are single variables, locals,
outputs, resources and module calls. Here every such node is evaluated the first time something
needs it and then remembered, so the order of declarations does not matter, a node used twice is
evaluated once, and a node met again while it is being evaluated is a cycle.

Expansion (count, for_each) follows Terraform's addresses: `aws_subnet.a[0]`,
`module.web["x"].aws_instance.this`. When count or for_each is not known before apply, the
resource or module is modelled as one instance with the key `[*]` (the form Terraform itself
uses for instances it cannot expand yet) and a note says so: the objects stay in the model.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from msgspec import Struct

from reachlint.confine import ConfinementError
from reachlint.errors import InputError
from reachlint.formats.hcl.config import ModuleCallDecl, ModuleConfig, SourceFile, read_module
from reachlint.formats.hcl.evaluator import evaluate, evaluate_constant
from reachlint.formats.hcl.expansion import (
    STAR,
    Expansion,
    Iteration,
    check_instances,
    for_each_iterations,
    instance_count,
    marks_keys,
    merge_iterations,
    plain_keys,
)
from reachlint.formats.hcl.functions.regex import InvalidPattern
from reachlint.formats.hcl.instances import InstanceRecord, ModuleInstance
from reachlint.formats.hcl.syntax import Block, Body, Expr, Variable
from reachlint.formats.hcl.values import (
    UNKNOWN_VALUE,
    EvalError,
    Namespace,
    ResourceObject,
    UndeclaredError,
    Unknown,
    Value,
    iterate,
    unknown_from,
)
from reachlint.limits import MAX_MODULE_INSTANCES, MAX_RESOURCE_INSTANCES, WORK, LimitError
from reachlint.sensitive import Sensitive, has_marks, hide_quoted, mark, unmark
from reachlint.sources import Note, Origin

# Arguments and blocks of a resource that configure Terraform, not the object.
_META_ARGUMENTS = frozenset({"count", "for_each", "provider", "depends_on"})
_META_BLOCKS = frozenset({"lifecycle", "provisioner", "connection"})
# Nested blocks that every provider declares as one object rather than a list of blocks.
_SINGLE_BLOCKS = frozenset({"timeouts"})
_NAMES_SHOWN = 3  # of the values an unknown count or for_each rests on
_REGISTRY_SOURCE = re.compile(r"^([\w.-]+/)?[\w-]+/[\w-]+/[\w-]+(//.*)?$")
_HOSTED_GIT = ("github.com/", "bitbucket.org/")


class _Frame(Struct):
    key: tuple[str, int, str]
    label: str
    kind: str
    file: SourceFile
    line: int


class Expander:
    def __init__(
        self,
        root: Path,
        shown_root: str,
        root_values: dict[str, Value],
        manifest: dict[str, Path],
        boundary: Path | None = None,
        providers: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        self.root = root
        self.providers = providers or {}
        # The input's root: every file and module directory read must be inside it.
        self.boundary = boundary
        self.shown_root = shown_root
        self.root_values = root_values
        self.manifest = manifest
        self.cwd = str(root.resolve())
        self.notes: list[Note] = []
        self.records: list[InstanceRecord] = []
        self.configs: dict[Path, ModuleConfig] = {}
        self._noted: set[str] = set()
        self._stack: list[_Frame] = []
        self._active: set[tuple[str, int, str]] = set()
        self.resource_instances = 0
        self.module_instances = 0

    # Bounds on the whole configuration.
    def count_resources(self, count: int, what: str, file: SourceFile, line: int) -> None:
        self.resource_instances += count
        if self.resource_instances > MAX_RESOURCE_INSTANCES:
            raise LimitError(
                f"{what} makes the configuration's resource and data source instances "
                f"{self.resource_instances:,}",
                MAX_RESOURCE_INSTANCES,
                "instances in total",
                file.shown,
                line,
            )

    def count_modules(self, count: int, what: str, file: SourceFile, line: int) -> None:
        self.module_instances += count
        if self.module_instances > MAX_MODULE_INSTANCES:
            raise LimitError(
                f"{what} makes the configuration's module instances {self.module_instances:,}",
                MAX_MODULE_INSTANCES,
                "module instances in total",
                file.shown,
                line,
            )

    # Notes and errors.
    def note(
        self,
        message: str,
        file: SourceFile | None,
        line: int | None,
        address: str | None = None,
        once: str | None = None,
    ) -> None:
        key = once or f"{message}|{file.origin if file else ''}|{line}"
        if key in self._noted:
            return
        self._noted.add(key)
        origin = Origin(file=file.origin if file else None, line=line or None)
        self.notes.append(Note(address=address, message=message, origin=origin))

    @contextmanager
    def guard(
        self, key: tuple[str, int, str], label: str, file: SourceFile, line: int, kind: str = ""
    ) -> Iterator[None]:
        """Mark `key` as being evaluated; meeting it again before it is done is a cycle."""
        if key in self._active:
            raise self._cycle(key)
        self._active.add(key)
        self._stack.append(_Frame(key, label, kind, file, line))
        try:
            yield
        finally:
            self._stack.pop()
            self._active.discard(key)

    def _cycle(self, key: tuple[str, int, str]) -> InputError:
        start = next(i for i, frame in enumerate(self._stack) if frame.key == key)
        frames = self._stack[start:]
        labels = [frame.label for frame in frames] + [frames[0].label]
        if all(frame.kind == "local" for frame in frames):
            message = f"cycle in locals: {' -> '.join(labels)}"
        else:
            message = f"cycle in the configuration: {' -> '.join(labels)}"
        return InputError(message, frames[0].file.shown, frames[0].line)

    # Evaluation with errors turned into notes (or, for undeclared names, InputError).
    def evaluate(
        self,
        expr: Expr,
        instance: ModuleInstance,
        file: SourceFile,
        line: int,
        names: dict[str, Value],
        what: str,
    ) -> Value:
        try:
            return _materialize(evaluate(expr, instance.scope(file), names), line)
        except UndeclaredError as err:
            raise InputError(err.message, file.shown, err.line) from None
        except LimitError as err:
            raise err.located(file.shown, line) from None
        except InvalidPattern as err:
            # Terraform stops at a regular expression RE2 refuses (unless try() catches it).
            raise InputError(err.message, file.shown, err.line or line) from None
        except EvalError as err:
            self.note(f"{what}: {err.message}; its value is unknown", file, err.line or line)
            return UNKNOWN_VALUE

    def evaluate_constant(self, expr: Expr, file: SourceFile, what: str) -> Value:
        try:
            return evaluate_constant(expr)
        except LimitError as err:
            raise err.located(file.shown, None) from None
        except EvalError as err:
            self.note(f"{what}: {err.message}; its value is unknown", file, err.line)
            return UNKNOWN_VALUE

    # count and for_each.
    def expand(
        self, body: Body, instance: ModuleInstance, file: SourceFile, what: str
    ) -> Expansion:
        count = body.attributes.get("count")
        for_each = body.attributes.get("for_each")
        if count is not None and for_each is not None:
            raise InputError(
                f'{what} sets both "count" and "for_each"; only one is allowed',
                file.shown,
                count.line,
            )
        if count is not None:
            file = instance.config.source(count.file, file)
            value = self.evaluate(count.expr, instance, file, count.line, {}, f"{what} count")
            choices = value.alternatives if isinstance(value, Unknown) else (value,)
            # A sensitive count is used, as Terraform does: only the number of instances shows.
            marked = [choice for choice in choices or () if has_marks(choice)]
            try:
                counts = [instance_count(unmark(choice)) for choice in choices] if choices else None
            except EvalError as err:
                self.note(f"{what}: {hide_quoted(err.message, marked)}", file, count.line)
                counts = None
            if counts is not None:
                check_instances(what, "count", max(counts), file, count.line)
                if isinstance(value, Unknown):
                    self._note_widest(
                        what, "count", " or ".join(map(str, counts)), file, count.line
                    )
                return Expansion(
                    "count", [Iteration(i, {"count": {"index": i}}) for i in range(max(counts))]
                )
            self._note_unknown_expansion(what, "count", value, file, count.line)
            return Expansion(
                "unknown", [Iteration(STAR, {"count": {"index": unknown_from(value)}})]
            )
        if for_each is not None:
            file = instance.config.source(for_each.file, file)
            value = self.evaluate(
                for_each.expr, instance, file, for_each.line, {}, f"{what} for_each"
            )
            choices = value.alternatives if isinstance(value, Unknown) else (value,)
            marked = [choice for choice in choices or () if marks_keys(choice)]
            try:
                plain = [plain_keys(choice) for choice in choices or ()]
                for choice in plain:
                    if isinstance(choice, list | dict):
                        check_instances(what, "for_each", len(choice), file, for_each.line)
                expansions = [for_each_iterations(choice) for choice in plain]
            except EvalError as err:
                self.note(f"{what}: {hide_quoted(err.message, marked)}", file, for_each.line)
                expansions = []
            known = [iterations for iterations in expansions if iterations is not None]
            if known and len(known) == len(expansions):
                if isinstance(value, Unknown):
                    sizes = " or ".join(str(len(iterations)) for iterations in known)
                    self._note_widest(what, "for_each", f"{sizes} instances", file, for_each.line)
                iterations = merge_iterations(known)
                if marked:
                    self._hide_keys(iterations, what, file, for_each.line)
                return Expansion("for_each", iterations)
            self._note_unknown_expansion(what, "for_each", value, file, for_each.line)
            unknown = unknown_from(value)
            return Expansion(
                "unknown", [Iteration(STAR, {"each": {"key": unknown, "value": unknown}})]
            )
        return Expansion("single", [Iteration(None, {})])

    def _hide_keys(
        self, iterations: list[Iteration], what: str, file: SourceFile, line: int
    ) -> None:
        """Instances of a for_each over a sensitive value: each key used, never shown."""
        for position, iteration in enumerate(iterations, 1):
            iteration.shown = f"(sensitive value {position})"
            each = iteration.names["each"]
            iteration.names = {"each": {"key": mark(each["key"]), "value": mark(each["value"])}}
        self.note(
            f"{what}: for_each is a sensitive value, so its keys are not shown: its instances "
            f'are {what}["(sensitive value 1)"] and so on, in key order (Terraform itself '
            "refuses a sensitive for_each, because every plan shows instance keys)",
            file,
            line,
        )

    def _note_widest(
        self, what: str, argument: str, choices: str, file: SourceFile, line: int
    ) -> None:
        self.note(
            f"{what}: {argument} depends on a condition not known before apply (it gives "
            f"{choices}); every instance it can make is modelled",
            file,
            line,
        )

    def _note_unknown_expansion(
        self, what: str, argument: str, value: Value, file: SourceFile, line: int
    ) -> None:
        # Not "before apply": a data source Terraform reads when it plans is not known here.
        names = sorted(value.names) if isinstance(value, Unknown) else []
        rests_on = f" (it rests on {', '.join(names[:_NAMES_SHOWN])})" if names else ""
        self.note(
            f"{what}: {argument} is not known from the configuration alone{rests_on}, so the "
            f"number of instances is unknown; it is modelled as one instance {what}[*]",
            file,
            line,
        )

    # Bodies of resources and their nested blocks.
    def evaluate_body(
        self,
        body: Body,
        instance: ModuleInstance,
        file: SourceFile,
        names: dict[str, Value],
        address: str,
        prefix: str,
        origins: dict[str, Origin],
        top: bool,
    ) -> dict[str, Value]:
        values: dict[str, Value] = {}
        config = instance.config
        for name, attribute in body.attributes.items():
            if top and name in _META_ARGUMENTS:
                continue
            path = prefix + name
            source = config.source(attribute.file, file)
            origins[path] = Origin(file=source.origin, line=attribute.line)
            value = self.evaluate(
                attribute.expr, instance, source, attribute.line, names, f"{address} {path}"
            )
            if value is not None:
                values[name] = value
        blocks: dict[str, list[Value]] = {}
        for block in body.blocks:
            if top and block.type in _META_BLOCKS:
                continue
            source = config.source(block.file, file)
            if block.type == "dynamic":
                self._dynamic(block, instance, source, names, address, prefix, origins, blocks)
                continue
            if top and block.type in _SINGLE_BLOCKS:
                path = prefix + block.type
                origins[path] = Origin(file=source.origin, line=block.line)
                nested = self.evaluate_body(
                    block.body, instance, source, names, address, path + ".", origins, top=False
                )
                values[block.type] = ResourceObject(address, nested)
                continue
            items = blocks.setdefault(block.type, [])
            path = f"{prefix}{block.type}.{len(items)}"
            origins[path] = Origin(file=source.origin, line=block.line)
            nested = self.evaluate_body(
                block.body, instance, source, names, address, path + ".", origins, top=False
            )
            items.append(ResourceObject(address, nested))
        values.update(blocks)
        return values

    def _dynamic(
        self,
        block: Block,
        instance: ModuleInstance,
        file: SourceFile,
        names: dict[str, Value],
        address: str,
        prefix: str,
        origins: dict[str, Origin],
        blocks: dict[str, list[Value]],
    ) -> None:
        if len(block.labels) != 1:
            raise InputError(
                "a dynamic block needs one label: the type of the blocks it makes",
                file.shown,
                block.line,
            )
        block_type = block.labels[0]
        for_each = block.body.attributes.get("for_each")
        content = next((b for b in block.body.blocks if b.type == "content"), None)
        if for_each is None or content is None:
            missing = '"for_each"' if for_each is None else "a content block"
            raise InputError(
                f'the dynamic "{block_type}" block has no {missing}', file.shown, block.line
            )
        iterator = block_type
        iterator_argument = block.body.attributes.get("iterator")
        if iterator_argument is not None:
            if not isinstance(iterator_argument.expr, Variable):
                raise InputError(
                    "the iterator of a dynamic block must be a name", file.shown, block.line
                )
            iterator = iterator_argument.expr.name
        what = f'{address} dynamic "{block_type}"'
        collection = self.evaluate(
            for_each.expr, instance, file, for_each.line, names, f"{what} for_each"
        )
        pairs: list[tuple[Value, Value]] | None = None
        choices = collection.alternatives if isinstance(collection, Unknown) else (collection,)
        # Blocks made from a sensitive collection: their keys and values are sensitive too.
        marked = [choice for choice in choices or () if isinstance(choice, Sensitive)]
        choices = tuple(
            unmark(choice) if isinstance(choice, Sensitive) else choice for choice in choices or ()
        )
        if choices and all(choice is not None for choice in choices):
            try:
                pairs = max(
                    (iterate(choice, "for_each of a dynamic block") for choice in choices), key=len
                )
                if marked:
                    pairs = [(mark(key), mark(value)) for key, value in pairs]
            except EvalError as err:
                self.note(f"{what}: {hide_quoted(err.message, marked)}", file, for_each.line)
            if pairs is not None and isinstance(collection, Unknown):
                self.note(
                    f"{what}: for_each depends on a condition not known before apply; the "
                    "blocks of its largest result are modelled",
                    file,
                    for_each.line,
                    address=address,
                )
        if pairs is None:
            self.note(
                f"{what}: for_each is not known before apply, so the number of blocks is "
                f"unknown; it is modelled as one {block_type} block with unknown values",
                file,
                for_each.line,
                address=address,
            )
            unknown = unknown_from(collection)
            pairs = [(unknown, unknown)]
        items = blocks.setdefault(block_type, [])
        WORK.charge_items(len(pairs))
        for key, value in pairs:
            path = f"{prefix}{block_type}.{len(items)}"
            origins[path] = Origin(file=file.origin, line=block.line)
            inner = {**names, iterator: {"key": key, "value": value}}
            nested = self.evaluate_body(
                content.body, instance, file, inner, address, path + ".", origins, top=False
            )
            items.append(ResourceObject(address, nested))

    # Modules.
    def relative_directory(self, directory: Path) -> str:
        try:
            relative = directory.resolve().relative_to(self.root.resolve())
        except ValueError:
            return os.path.relpath(directory, self.root).replace(os.sep, "/")
        text = relative.as_posix()
        return text if text else "."

    def module_directory(
        self, instance: ModuleInstance, decl: ModuleCallDecl, label: str
    ) -> Path | None:
        source = decl.source
        if source is None:
            self.note(
                f"{label}: the module source is not a plain string; the module is not expanded "
                "and its resources are not in the model",
                decl.file,
                decl.line,
            )
            return None
        if "\x00" in source:
            message = f'module "{decl.name}": the source holds a NUL character'
            raise InputError(message, decl.file.shown, decl.line)
        if source in (".", "..") or source.startswith(("./", "../")):
            directory = (instance.config.directory / source).resolve()
            self._confine(directory, f'module "{decl.name}": the source "{source}"', decl)
            if not directory.is_dir():
                raise InputError(
                    f'module "{decl.name}": the source "{source}" is not a directory',
                    decl.file.shown,
                    decl.line,
                )
            return directory
        key = ".".join((*instance.call_path, decl.name))
        downloaded = self.manifest.get(key)
        if downloaded is not None and downloaded.is_dir():
            downloaded = downloaded.resolve()
            where = f'the directory .terraform/modules/modules.json gives module "{key}"'
            self._confine(downloaded, where, decl)
            return downloaded
        registry = _REGISTRY_SOURCE.match(source) and not source.startswith(_HOSTED_GIT)
        kind = "registry" if registry else "remote"
        self.note(
            f"{label}: {kind} module {source} is not expanded; its resources are not in the "
            "model (run terraform init to download it, or give reachlint the plan)",
            decl.file,
            decl.line,
        )
        return None

    def _confine(self, directory: Path, what: str, decl: ModuleCallDecl) -> None:
        if self.boundary is not None and not directory.is_relative_to(self.boundary):
            raise ConfinementError(
                f"{what} leads outside {self.boundary}, the root of this input; reachlint "
                "reads only files inside it (--root names a wider one)",
                decl.file.shown,
                decl.line,
            )

    def module_config(self, directory: Path, decl: ModuleCallDecl) -> ModuleConfig:
        config = self.configs.get(directory)
        if config is None:
            config = read_module(directory, self.root, self.shown_root, self.boundary)
            self.configs[directory] = config
            for file, line, message in config.notes:
                self.note(f"{file.origin}: {message}", file, line or None)
            if not config.files:
                self.note(
                    f'module "{decl.name}": {self.relative_directory(directory)} has no .tf files',
                    decl.file,
                    decl.line,
                )
        return config

    # The whole configuration.
    def run(self, config: ModuleConfig) -> None:
        self.configs[config.directory] = config
        for file, line, message in config.notes:
            self.note(f"{file.origin}: {message}", file, line or None)
        root = ModuleInstance(self, config, "", None, None, None, ())
        self._visit(root)

    def _visit(self, instance: ModuleInstance) -> None:
        for name, local in instance.config.locals.items():
            instance.local(name, local.line)
        for key, resource in instance.config.resources.items():
            self.records.extend(instance.resource(key, resource.line).instances)
        for name, call in instance.config.module_calls.items():
            for child in instance.module_call(name, call.line).children:
                self._visit(child)


def _materialize(value: Value, line: int) -> Value:
    """A value with module objects turned into their outputs, to be stored.

    What is stored counts against the evaluation's volume: a value that holds one big list
    many times is small in memory but is copied and walked here for each time it holds it.
    """
    if isinstance(value, Sensitive):
        return mark(_materialize(value.value, line))
    if isinstance(value, Namespace):
        return _materialize(value.whole(line), line)
    if isinstance(value, str):
        WORK.charge_text(len(value))
    elif isinstance(value, list):
        WORK.charge_items(len(value))
        WORK.tick()
        if any(type(item) not in _PLAIN and _nested(item) for item in value):
            return type(value)(_materialize(item, line) for item in value)
    elif isinstance(value, dict) and not isinstance(value, ResourceObject):
        WORK.charge_items(len(value))
        WORK.tick()
        if any(type(item) not in _PLAIN and _nested(item) for item in value.values()):
            return {key: _materialize(item, line) for key, item in value.items()}
    return value


# Values with nothing inside, told apart by type before the slower isinstance checks.
_PLAIN = frozenset({str, int, float, bool, type(None)})


def _nested(item: Value) -> bool:
    return isinstance(item, Namespace | list | dict)
