"""A module instance of a configuration and what expressions in it can name.

Its input variables, locals, resources, data sources, module calls and outputs are each
evaluated the first time something needs them, then remembered (see `expand` for why); the
evaluation of the whole configuration, which bounds, notes and guards against cycles, is the
`Evaluation` it is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

from msgspec import Struct

from reachlint.errors import InputError
from reachlint.formats.hcl.config import (
    ModuleCallDecl,
    ModuleConfig,
    ProviderDecl,
    ResourceDecl,
    SourceFile,
)
from reachlint.formats.hcl.expansion import Expansion, Iteration, Key, collection_value
from reachlint.formats.hcl.functions import NOT_EVALUATED
from reachlint.formats.hcl.operations import mark_value
from reachlint.formats.hcl.syntax import Body, Expr, GetAttr, Literal, ObjectCons, Variable
from reachlint.formats.hcl.types import convert
from reachlint.formats.hcl.values import (
    UNKNOWN_VALUE,
    EvalError,
    Namespace,
    ResourceObject,
    UndeclaredError,
    Value,
    named_unknown,
    sorted_object,
)
from reachlint.limits import MAX_MODULE_DEPTH, LimitError
from reachlint.sensitive import has_marks, hide_quoted, mark, unmark
from reachlint.sources import Origin

_MODULE_META = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})


class ProviderState(Struct):
    """A provider configuration as a module instance evaluated it."""

    address: str  # provider.aws.west, module.net.provider.aws
    decl: ProviderDecl
    values: dict[str, Value]


class InstanceRecord(Struct):
    address: str
    decl: ResourceDecl
    module: str
    key: Key
    values: dict[str, Value]
    origins: dict[str, Origin]
    # The configuration of the provider the instance uses; None when it uses one no block
    # configures (an empty configuration).
    provider: ProviderState | None = None


class ResourceState(Struct):
    instances: list[InstanceRecord]
    value: Value


class ModuleCallState(Struct):
    children: list[ModuleInstance]
    value: Value


class Evaluation(Protocol):
    """What a module instance asks of the evaluation of the whole configuration (the
    Expander): bounds, notes, cycle guards, evaluation with errors turned into notes, module
    sources."""

    cwd: str
    root_values: dict[str, Value]
    # Provider name -> the arguments and blocks of its configuration that are read; only these
    # are evaluated, and other providers' configurations not at all.
    providers: Mapping[str, frozenset[str]]

    def note(
        self,
        message: str,
        file: SourceFile | None,
        line: int | None,
        address: str | None = None,
        once: str | None = None,
    ) -> None: ...

    def guard(
        self, key: tuple[str, int, str], label: str, file: SourceFile, line: int, kind: str = ""
    ) -> AbstractContextManager[None]: ...

    def evaluate(
        self,
        expr: Expr,
        instance: ModuleInstance,
        file: SourceFile,
        line: int,
        names: dict[str, Value],
        what: str,
    ) -> Value: ...

    def evaluate_constant(self, expr: Expr, file: SourceFile, what: str) -> Value: ...

    def expand(
        self, body: Body, instance: ModuleInstance, file: SourceFile, what: str
    ) -> Expansion: ...

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
    ) -> dict[str, Value]: ...

    def count_resources(self, count: int, what: str, file: SourceFile, line: int) -> None: ...

    def count_modules(self, count: int, what: str, file: SourceFile, line: int) -> None: ...

    def relative_directory(self, directory: Path) -> str: ...

    def module_directory(
        self, instance: ModuleInstance, decl: ModuleCallDecl, label: str
    ) -> Path | None: ...

    def module_config(self, directory: Path, decl: ModuleCallDecl) -> ModuleConfig: ...


class ExprScope:
    """What names mean in expressions of one file of one module instance."""

    __slots__ = ("file", "instance")

    def __init__(self, instance: ModuleInstance, file: SourceFile) -> None:
        self.instance = instance
        self.file = file

    def root(self, name: str, line: int) -> Value:
        instance = self.instance
        if name == "var":
            return instance.var_namespace
        if name == "local":
            return instance.local_namespace
        if name == "module":
            return instance.module_namespace
        if name == "data":
            return instance.data_namespace
        if name in ("count", "each"):
            usage = "count.index" if name == "count" else "each.key and each.value"
            where = "count" if name == "count" else "for_each"
            raise UndeclaredError(
                f'{usage} can only be used where "{where}" is set '
                "(in a resource, data source or module block)",
                line,
            )
        if name == "path":
            return {"module": instance.path_module, "root": ".", "cwd": instance.expander.cwd}
        if name == "terraform":
            return {"workspace": "default", "applying": False}
        if name in ("self", "ephemeral"):
            return UNKNOWN_VALUE
        return instance.resource_type_namespace(name)

    def unknown_function(self, name: str, line: int) -> Value:
        expander = self.instance.expander
        if name in NOT_EVALUATED or name.startswith("provider::"):
            expander.note(
                f"{name}() is not evaluated by reachlint; values that depend on it are unknown",
                self.file,
                line,
                once=f"function {name} {self.file.origin}",
            )
            return UNKNOWN_VALUE
        raise UndeclaredError(f"call to unknown function {name}()", line)


class _VarNamespace(Namespace):
    def __init__(self, instance: ModuleInstance) -> None:
        self.instance = instance

    def attribute(self, name: str, line: int) -> Value:
        return self.instance.variable(name, line)


class _LocalNamespace(Namespace):
    def __init__(self, instance: ModuleInstance) -> None:
        self.instance = instance

    def attribute(self, name: str, line: int) -> Value:
        return self.instance.local(name, line)


class _ModuleNamespace(Namespace):
    def __init__(self, instance: ModuleInstance) -> None:
        self.instance = instance

    def attribute(self, name: str, line: int) -> Value:
        return self.instance.module_call(name, line).value


class _DataNamespace(Namespace):
    def __init__(self, instance: ModuleInstance) -> None:
        self.instance = instance

    def attribute(self, name: str, line: int) -> Value:
        return _ResourceTypeNamespace(self.instance, f"data.{name}")


class _ResourceTypeNamespace(Namespace):
    def __init__(self, instance: ModuleInstance, prefix: str) -> None:
        self.instance = instance
        self.prefix = prefix

    def attribute(self, name: str, line: int) -> Value:
        return self.instance.resource(f"{self.prefix}.{name}", line).value

    def whole(self, line: int) -> Value:
        raise UndeclaredError(
            f'"{self.prefix}" is not a value; a resource reference needs a type and a name '
            f"({self.prefix}.NAME)",
            line,
        )


class ModuleObject(Namespace):
    """A module instance as a value: its outputs, each evaluated when first read."""

    def __init__(self, instance: ModuleInstance) -> None:
        self.instance = instance

    def attribute(self, name: str, line: int) -> Value:
        return self.instance.output(name, line)

    def whole(self, line: int) -> Value:
        outputs = self.instance.config.outputs
        return sorted_object((name, self.instance.output(name, line)) for name in outputs)


class ModuleInstance:
    def __init__(
        self,
        expander: Evaluation,
        config: ModuleConfig,
        address: str,
        parent: ModuleInstance | None,
        call: ModuleCallDecl | None,
        iteration: Iteration | None,
        call_path: tuple[str, ...],
    ) -> None:
        self.expander = expander
        self.config = config
        self.address = address
        self.parent = parent
        self.call = call
        self.iteration = iteration
        self.call_path = call_path  # module names without keys: the key of modules.json
        self.path_module = expander.relative_directory(config.directory)
        self.var_namespace = _VarNamespace(self)
        self.local_namespace = _LocalNamespace(self)
        self.module_namespace = _ModuleNamespace(self)
        self.data_namespace = _DataNamespace(self)
        self._resource_types: dict[str, _ResourceTypeNamespace] = {}
        self._variables: dict[str, Value] = {}
        self._locals: dict[str, Value] = {}
        self._resources: dict[str, ResourceState] = {}
        self._modules: dict[str, ModuleCallState] = {}
        self._outputs: dict[str, Value] = {}
        self._providers: dict[str, ProviderState | None] = {}
        self._scopes: dict[SourceFile, ExprScope] = {}

    def scope(self, file: SourceFile) -> ExprScope:
        scope = self._scopes.get(file)
        if scope is None:
            scope = self._scopes[file] = ExprScope(self, file)
        return scope

    def label(self, text: str) -> str:
        return f"{self.address}.{text}" if self.address else text

    def resource_type_namespace(self, name: str) -> _ResourceTypeNamespace:
        namespace = self._resource_types.get(name)
        if namespace is None:
            namespace = self._resource_types[name] = _ResourceTypeNamespace(self, name)
        return namespace

    # Input variables.
    def variable(self, name: str, line: int) -> Value:
        if name in self._variables:
            return self._variables[name]
        decl = self.config.variables.get(name)
        if decl is None:
            raise UndeclaredError(f'reference to undeclared input variable "{name}"', line)
        label = self.label(f"var.{name}")
        with self.expander.guard(("var", id(self), name), label, decl.file, decl.line):
            value = self._variable_value(name)
        self._variables[name] = value
        return value

    def _variable_value(self, name: str) -> Value:
        decl = self.config.variables[name]
        expander = self.expander
        given: Value = _MISSING
        if self.parent is None:
            given = expander.root_values.get(name, _MISSING)
        elif self.call is not None and self.iteration is not None:
            argument = self.call.body.attributes.get(name)
            if argument is not None:
                given = expander.evaluate(
                    argument.expr,
                    self.parent,
                    self.parent.config.source(argument.file, self.call.file),
                    argument.line,
                    self.iteration.names,
                    f"{self.address} input {name}",
                )
        if given is _MISSING or (given is None and not decl.nullable):
            if decl.default is not None:
                given = expander.evaluate_constant(decl.default, decl.file, f"var.{name} default")
            elif given is _MISSING:
                if self.parent is None:
                    message = (
                        f"var.{name} has no value (no default, and none was given with --var, "
                        "--var-file, a .tfvars file or TF_VAR_" + name + "); what depends on it "
                        "is unknown"
                    )
                else:
                    message = (
                        f'{self.address}: the required input "{name}" is not set; what '
                        "depends on it is unknown"
                    )
                expander.note(message, decl.file, decl.line)
                return named_unknown(self.label(f"var.{name}"))
        if not (decl.sensitive or has_marks(given)):
            return convert(given, decl.type)
        try:
            return mark_value(convert(unmark(given), decl.type), decl.line)
        except EvalError as err:
            raise EvalError(hide_quoted(err.message, [mark(given)]), err.line) from None

    # Local values.
    def local(self, name: str, line: int) -> Value:
        if name in self._locals:
            return self._locals[name]
        decl = self.config.locals.get(name)
        if decl is None:
            raise UndeclaredError(f'reference to undeclared local value "{name}"', line)
        with self.expander.guard(("local", id(self), name), name, decl.file, decl.line, "local"):
            value = self.expander.evaluate(
                decl.expr, self, decl.file, decl.line, {}, self.label(f"local.{name}")
            )
        self._locals[name] = value
        return value

    # Resources and data sources.
    def resource(self, key: str, line: int) -> ResourceState:
        state = self._resources.get(key)
        if state is not None:
            return state
        decl = self.config.resources.get(key)
        if decl is None:
            kind = "data source" if key.startswith("data.") else "resource"
            raise UndeclaredError(f"reference to undeclared {kind} {key}", line)
        expander = self.expander
        with expander.guard(("resource", id(self), key), self.label(key), decl.file, decl.line):
            expansion = expander.expand(decl.body, self, decl.file, self.label(key))
            expander.count_resources(
                len(expansion.iterations), self.label(key), decl.file, decl.line
            )
            provider = self._provider_of(decl)
            instances: list[InstanceRecord] = []
            for iteration in expansion.iterations:
                address = self.label(f"{key}{iteration.suffix}")
                origins: dict[str, Origin] = {}
                values = expander.evaluate_body(
                    decl.body, self, decl.file, iteration.names, address, "", origins, top=True
                )
                instances.append(
                    InstanceRecord(
                        address, decl, self.address, iteration.shown_key, values, origins, provider
                    )
                )
            # A data source's attributes are what Terraform reads, not its arguments.
            objects = [
                ResourceObject(record.address, {} if decl.mode == "data" else record.values)
                for record in instances
            ]
            sources = frozenset(record.address for record in instances)
            value = collection_value(expansion, objects, sources)
        if decl.mode == "data":
            expander.note(
                f"{self.label(key)} is read by Terraform when it plans; its attributes, other "
                "than the arguments written here, are unknown",
                decl.file,
                decl.line,
                once=f"data {self.label(key)}",
            )
        state = ResourceState(instances, value)
        self._resources[key] = state
        return state

    # Provider configurations.
    def _provider_of(self, decl: ResourceDecl) -> ProviderState | None:
        """The configuration a resource uses: the one its `provider` argument names, else the
        default one of the provider its type's first word names (aws_instance: aws)."""
        written = decl.body.attributes.get("provider")
        if written is None:
            key: str | None = decl.type.split("_", 1)[0]
        else:
            key = _provider_key(written.expr, quoted=True)  # "aws.west": Terraform 0.11's form
        if key is None:
            raise InputError(
                f"{self.label(decl.key)}: provider must name a provider configuration, such as "
                "aws or aws.west",
                decl.file.shown,
                written.line if written is not None else decl.line,
            )
        if key.split(".", 1)[0] not in self.expander.providers:
            return None
        return self.provider(key)

    def provider(self, key: str) -> ProviderState | None:
        """The provider configuration `key` (aws, aws.west) stands for in this module instance:
        its own block, else what the module call passes (`providers`), else, for a default
        configuration and a call that passes none, the parent's."""
        if key in self._providers:
            return self._providers[key]
        found: ProviderState | None = None
        decl = self.config.providers.get(key)
        if decl is not None:
            found = self._evaluated_provider(decl)
        elif self.parent is not None and self.call is not None:
            passed = self.call.body.attributes.get("providers")
            if passed is None:
                found = self.parent.provider(key) if "." not in key else None
            elif isinstance(passed.expr, ObjectCons):
                for name, value in passed.expr.items:
                    if _provider_key(name, quoted=True) == key:
                        parent_key = _provider_key(value)
                        if parent_key is not None:
                            found = self.parent.provider(parent_key)
                        break
        self._providers[key] = found
        return found

    def _evaluated_provider(self, decl: ProviderDecl) -> ProviderState:
        address = self.label(f"provider.{decl.key}")
        read = self.expander.providers.get(decl.name, frozenset())
        body = Body(
            {name: a for name, a in decl.body.attributes.items() if name in read},
            [block for block in decl.body.blocks if block.type in read],
        )
        with self.expander.guard(("provider", id(self), decl.key), address, decl.file, decl.line):
            values = self.expander.evaluate_body(
                body, self, decl.file, {}, address, "", {}, top=True
            )
        return ProviderState(address, decl, values)

    # Module calls and outputs.
    def module_call(self, name: str, line: int) -> ModuleCallState:
        state = self._modules.get(name)
        if state is not None:
            return state
        decl = self.config.module_calls.get(name)
        if decl is None:
            raise UndeclaredError(f'reference to undeclared module "{name}"', line)
        expander = self.expander
        label = self.label(f"module.{name}")
        with expander.guard(("module", id(self), name), label, decl.file, decl.line):
            directory = expander.module_directory(self, decl, label)
            if len(self.call_path) >= MAX_MODULE_DEPTH:
                raise LimitError(
                    f'module "{name}" sits {len(self.call_path) + 1} modules deep (does a '
                    "module call itself?)",
                    MAX_MODULE_DEPTH,
                    "levels of modules",
                    decl.file.shown,
                    decl.line,
                )
            if directory is None:
                state = ModuleCallState([], UNKNOWN_VALUE)
            else:
                config = expander.module_config(directory, decl)
                expansion = expander.expand(decl.body, self, decl.file, label)
                expander.count_modules(
                    len(expansion.iterations), f'module "{name}"', decl.file, decl.line
                )
                self._check_arguments(decl, config, label)
                children = [
                    ModuleInstance(
                        expander,
                        config,
                        f"{label}{iteration.suffix}",
                        self,
                        decl,
                        iteration,
                        (*self.call_path, name),
                    )
                    for iteration in expansion.iterations
                ]
                objects = [ModuleObject(child) for child in children]
                state = ModuleCallState(children, collection_value(expansion, objects, frozenset()))
        self._modules[name] = state
        return state

    def _check_arguments(self, decl: ModuleCallDecl, config: ModuleConfig, label: str) -> None:
        for name, argument in decl.body.attributes.items():
            if name not in _MODULE_META and name not in config.variables:
                self.expander.note(
                    f'{label}: the module declares no input variable "{name}"; the argument is '
                    "ignored",
                    decl.file,
                    argument.line,
                )

    def output(self, name: str, line: int) -> Value:
        if name in self._outputs:
            return self._outputs[name]
        decl = self.config.outputs.get(name)
        if decl is None:
            raise UndeclaredError(f'{self.address} has no output "{name}"', line)
        expander = self.expander
        label = self.label(f"output.{name}")
        with expander.guard(("output", id(self), name), label, decl.file, decl.line):
            value: Value = None
            if decl.expr is not None:
                value = expander.evaluate(decl.expr, self, decl.file, decl.line, {}, label)
            if decl.sensitive:
                value = mark_value(value, decl.line)
        self._outputs[name] = value
        return value


def _provider_key(expr: Expr, quoted: bool = False) -> str | None:
    """A reference to a provider configuration (aws, aws.west) as its key; `quoted`: also
    written as a string, as keys of a module call's `providers` may be."""
    if isinstance(expr, Variable):
        return expr.name
    if isinstance(expr, GetAttr) and isinstance(expr.target, Variable):
        return f"{expr.target.name}.{expr.name}"
    if quoted and isinstance(expr, Literal) and isinstance(expr.value, str):
        return expr.value
    return None


class _Missing:
    pass


_MISSING: Any = _Missing()
