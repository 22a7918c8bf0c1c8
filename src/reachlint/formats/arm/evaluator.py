"""Evaluating template values: expressions, parameters, variables, loops and user functions.

A `Template` holds one template's declarations (the root, an inner-scoped nested deployment or
a user-defined function's frame); a `Scope` adds the loop indexes and lambda variables in force
where a value is evaluated. Parameters and variables are evaluated on first use, so a value
that the network model never needs (an admin password without a default) is never demanded.
What can only be known at deployment time evaluates to `Unknown` and flows through.

The functions themselves are in `functions`, by family; what a call or a property read gives
(marks, placeholders, refusals) is in `results`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from msgspec import Struct

from reachlint.errors import InputError
from reachlint.formats.arm.expressions import (
    Call,
    ExpressionSyntaxError,
    Index,
    Literal,
    Member,
    Node,
    is_expression,
    parse,
    unescape,
)
from reachlint.formats.arm.functions import ACCEPTS_UNKNOWN, PURE
from reachlint.formats.arm.functions.arguments import EvalError
from reachlint.formats.arm.functions.context import CONTEXT_FUNCTIONS, DeploymentInfo
from reachlint.formats.arm.functions.lambdas import LAMBDA_FUNCTIONS, LAMBDA_ONLY, TemplateLambda
from reachlint.formats.arm.results import call_result, mark_value, read_item, read_property
from reachlint.formats.arm.values import (
    MissingParameter,
    Placeholder,
    Unknown,
    as_mapping,
    clipped,
    constant,
    find_key,
    first_unknown,
    line_at,
    lookup,
    type_name,
)
from reachlint.formats.jsonpos import JsonArray, JsonObject
from reachlint.limits import MAX_EVALUATION_DEPTH, WORK, LimitError, too_deep
from reachlint.sensitive import Sensitive, has_marks, hide_quoted, unmark

if TYPE_CHECKING:
    from collections.abc import Iterator

MAX_COPY_COUNT = 800  # ARM's own limit for copy loops
_SECURE_TYPES = frozenset({"securestring", "secureobject"})


class TemplateError(Exception):
    """A mistake in the template itself (undeclared parameter, cycle); becomes an InputError."""


class ResourceGraph(Protocol):
    """The resources of the whole deployment, for `reference()` and `resourceInfo()`."""

    def reference(self, scope: Scope, target: Any, full: bool) -> Any: ...


class Lambda(TemplateLambda):
    # A plain class: TemplateLambda is an ABC, whose metaclass a msgspec struct cannot share.
    __slots__ = ("body", "names", "scope")

    def __init__(self, names: tuple[str, ...], body: Node, scope: Scope) -> None:
        self.names = names
        self.body = body
        self.scope = scope

    def __call__(self, *values: Any) -> Any:
        WORK.tick()
        bound = dict(zip((n.lower() for n in self.names), values, strict=False))
        return evaluate_node(self.body, self.scope.bind(bound))


class Template:
    """One template's declarations and the values of its parameters and variables."""

    def __init__(
        self,
        document: Mapping[str, Any],
        file: str,
        info: DeploymentInfo,
        graph: ResourceGraph,
        supplied: Mapping[str, Callable[[], Any]] | None = None,
        functions: dict[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self.document = document
        self.file = file
        self.info = info
        self.graph = graph
        self.parameter_declarations = as_mapping(lookup(document, "parameters"))
        for name in supplied or {}:
            if find_key(self.parameter_declarations, name) is None:
                raise TemplateError(
                    f"a value is given for parameter '{name}', which is not declared"
                )
        self.supplied = {k.lower(): v for k, v in (supplied or {}).items()}
        self.variable_declarations = as_mapping(lookup(document, "variables"))
        self.functions = dict(functions or {})
        self.functions.update(_user_functions(document))
        self.symbols: dict[str, list[Any]] = {}  # symbolic name -> resources (languageVersion 2)
        self._parameters: dict[str, Any] = {}
        self._variables: dict[str, Any] = {}
        # Parameters used without a value or a default, in the order they were first needed.
        self.without_value: list[str] = []
        self._in_progress: set[str] = set()

    def line_of(self, section: str, name: str) -> int | None:
        declarations = lookup(self.document, section)
        if isinstance(declarations, JsonObject):
            key = find_key(declarations, name)
            return declarations.key_lines.get(key) if key else declarations.line
        return None

    def parameter(self, name: str) -> Any:
        """A parameter's value; a securestring or secureObject one is marked sensitive."""
        key = name.lower()
        if key in self._parameters:
            return self._parameters[key]
        declared = find_key(self.parameter_declarations, name)
        if declared is None:
            raise TemplateError(f"parameter '{name}' is not declared")
        if ("p:" + key) in self._in_progress:
            raise TemplateError(f"the default of parameter '{name}' refers to itself")
        self._in_progress.add("p:" + key)
        try:
            declaration = as_mapping(self.parameter_declarations[declared])
            if key in self.supplied:
                value = self.supplied[key]()
            elif find_key(declaration, "defaultValue") is not None:
                default_key = find_key(declaration, "defaultValue") or "defaultValue"
                value = evaluate(
                    declaration[default_key],
                    Scope(self),
                    line_at(declaration, default_key),
                )
                kind = lookup(declaration, "type")
                string = not isinstance(kind, str) or kind.lower() == "string"
                if type(value) is Unknown and string:
                    # A default known only when the deployment runs (utcNow(), newGuid()):
                    # the parameter stands for itself, so names built from it still link.
                    value = Placeholder(f"{{{declared}}}", frozenset((declared,)), exact=True)
            else:
                value = self._without_value(declared, declaration)
        finally:
            self._in_progress.discard("p:" + key)
        kind = lookup(declaration, "type")
        if isinstance(kind, str) and kind.lower() in _SECURE_TYPES:
            value = mark_value(value)
        self._parameters[key] = value
        return value

    def _without_value(self, declared: str, declaration: Mapping[str, Any]) -> Any:
        """A parameter nobody gave a value: a string stands for itself as `{name}`; anything
        else is unknown, named by the parameter."""
        kind = lookup(declaration, "type")
        if not (isinstance(kind, str) and kind.lower().startswith("secure")):
            self.without_value.append(declared)  # secrets never shape the network: unlisted
        if not isinstance(kind, str) or kind.lower() in ("string", "securestring"):
            return Placeholder(f"{{{declared}}}", frozenset((declared,)), exact=True)
        return MissingParameter(declared, self.file, self.line_of("parameters", declared))

    def variable(self, name: str) -> Any:
        key = name.lower()
        if key in self._variables:
            return self._variables[key]
        if ("v:" + key) in self._in_progress:
            raise TemplateError(f"variable '{name}' refers to itself")
        self._in_progress.add("v:" + key)
        try:
            value = self._evaluate_variable(name)
        finally:
            self._in_progress.discard("v:" + key)
        self._variables[key] = value
        return value

    def _evaluate_variable(self, name: str) -> Any:
        declarations = self.variable_declarations
        declared = find_key(declarations, name)
        if declared is not None and declared.lower() != "copy":
            return evaluate(declarations[declared], Scope(self), line_at(declarations, declared))
        # A `copy` entry in `variables` declares array variables built by a loop.
        for loop in _loops(lookup(declarations, "copy")):
            if str(lookup(loop, "name", "")).lower() == name.lower():
                return evaluate_loop(loop, Scope(self))
        raise TemplateError(f"variable '{name}' is not declared")


class Scope(Struct, frozen=True):
    """Where a value is evaluated: its template, the loops around it, lambda variables."""

    template: Template
    loops: tuple[tuple[str, int, bool], ...] = ()  # (lower-case name, index, resource loop)
    lambdas: tuple[tuple[str, Any], ...] = ()

    def loop(self, name: str, index: int, resource: bool = False) -> Scope:
        return Scope(self.template, (*self.loops, (name.lower(), index, resource)), self.lambdas)

    def bind(self, values: Mapping[str, Any]) -> Scope:
        return Scope(self.template, self.loops, (*self.lambdas, *values.items()))

    def copy_index(self, name: str | None) -> int | None:
        if name is not None:
            wanted = name.lower()
            return next((i for n, i, _ in reversed(self.loops) if n == wanted), None)
        resource = next((i for _, i, r in reversed(self.loops) if r), None)
        if resource is not None:
            return resource
        return self.loops[-1][1] if self.loops else None


def _loops(value: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, dict))


def _is_property_loop(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, dict) and find_key(item, "input") is not None for item in value)
    )


def _user_functions(document: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    found: dict[str, Mapping[str, Any]] = {}
    declared = lookup(document, "functions")
    for namespace in declared if isinstance(declared, list) else []:
        if not isinstance(namespace, dict):
            continue
        prefix = str(lookup(namespace, "namespace", "")).lower()
        for member, definition in as_mapping(lookup(namespace, "members")).items():
            if isinstance(definition, dict):
                found[f"{prefix}.{member.lower()}"] = definition
    return found


# --- values ------------------------------------------------------------------------------------


def evaluate(raw: Any, scope: Scope, line: int | None = None) -> Any:
    """A template value with its expressions evaluated and its property loops expanded."""
    WORK.tick()
    if isinstance(raw, str):
        if is_expression(raw):
            return evaluate_string(raw, scope, getattr(scope.template, "file", None), line)
        return unescape(raw)
    if isinstance(raw, dict):
        WORK.charge_items(len(raw))  # copy loops inside copy loops multiply what is built
        source = getattr(raw, "source", None) or scope.template.file
        result = JsonObject(source, getattr(raw, "line", line))
        loop_key = find_key(raw, "copy")
        if loop_key is not None and not _is_property_loop(raw[loop_key]):
            loop_key = None
        for key, value in raw.items():
            if key != loop_key:
                result[key] = evaluate(value, scope, line_at(raw, key))
                result.key_lines[key] = line_at(raw, key) or 0
        if loop_key is not None:
            for loop in _loops(raw[loop_key]):
                name = evaluate(lookup(loop, "name", ""), scope)
                if isinstance(name, str):
                    result[name] = evaluate_loop(loop, scope)
        return result
    if isinstance(raw, list):
        WORK.charge_items(len(raw))
        array = JsonArray(
            getattr(raw, "source", None) or scope.template.file, getattr(raw, "line", line)
        )
        for position, item in enumerate(raw):
            array.append(evaluate(item, scope, line_at(raw, position)))
            array.item_lines.append(line_at(raw, position) or 0)
        return array
    return raw


def evaluate_loop(loop: Mapping[str, Any], scope: Scope) -> Any:
    """A `copy` entry {name, count, input} of variables or properties: the array it builds."""
    name = str(lookup(loop, "name", ""))
    line = line_at(loop, find_key(loop, "count") or "count")
    try:
        count = loop_count(evaluate(lookup(loop, "count"), scope, line))
    except TemplateError as err:
        raise InputError(f"copy loop '{name}': {err}", scope.template.file, line) from None
    if isinstance(count, Unknown):
        return count
    input_key = find_key(loop, "input") or "input"
    WORK.charge_items(count)
    array = JsonArray(getattr(loop, "source", None), getattr(loop, "line", None))
    for index in range(count):
        array.append(
            evaluate(loop.get(input_key), scope.loop(name, index), line_at(loop, input_key))
        )
        array.item_lines.append(line_at(loop, input_key) or 0)
    return array


def loop_count(count: Any) -> int | Unknown:
    count = unmark(count)  # used, as Terraform uses a sensitive count: the copies show its value
    if isinstance(count, Unknown):
        return count
    if isinstance(count, bool) or not isinstance(count, int):
        raise TemplateError(f"a copy count must be an integer, not {type_name(count)}")
    if not 0 <= count <= MAX_COPY_COUNT:
        raise TemplateError(f"copy count {count} is outside ARM's limits (0-{MAX_COPY_COUNT})")
    return count


def evaluate_string(text: str, scope: Scope, file: str | None, line: int | None) -> Any:
    try:
        node = parse(text)
    except ExpressionSyntaxError as err:
        raise InputError(
            f"invalid template expression {clipped(text)!r}: {err.message} at column {err.column}",
            file,
            line,
        ) from None
    except LimitError as err:
        raise err.located(file, line) from None
    _OPERANDS.append(None)  # the value keeps its marks
    try:
        value = evaluate_node(node, scope)
        if isinstance(value, Lambda):
            raise TemplateError(LAMBDA_ONLY)
        return value
    except TemplateError as err:
        raise InputError(f"{err} (in {clipped(text)})", file, line) from None
    except LimitError as err:
        raise err.located(file, line) from None
    finally:
        _OPERANDS.pop()


# --- expressions -------------------------------------------------------------------------------


# Sensitive values (securestring and secureObject parameters, reachlint.sensitive) keep their
# mark: a property or item read from a marked value is marked; a function computes with plain
# values and marks its result when an argument was marked. For each function call being
# evaluated, innermost last, the marked arguments it was given plain (None: keep marks).
_OPERANDS: list[list[Any] | None] = []


def evaluate_node(node: Node, scope: Scope) -> Any:
    operands = _OPERANDS
    operands.append(None)
    try:
        value = _evaluate_node(node, scope)
    finally:
        operands.pop()
    caller = operands[-1] if operands else None
    if caller is not None and has_marks(value):
        caller.append(value)
        value = unmark(value)
    return value


def _evaluate_node(node: Node, scope: Scope) -> Any:
    if isinstance(node, Literal):
        return node.value
    # Nesting, written or through variables and user functions, is bounded before Python's
    # stack is; every step counts against the template's time budget.
    work = WORK
    if work.depth >= MAX_EVALUATION_DEPTH:
        raise too_deep()
    work.depth += 1
    work.tick()
    try:
        if isinstance(node, Member):
            target = evaluate_node(node.target, scope)
            if isinstance(target, Sensitive):
                return mark_value(read_property(target.value, node.name), [target])
            return read_property(target, node.name)
        if isinstance(node, Index):
            target = evaluate_node(node.target, scope)
            position = evaluate_node(node.index, scope)
            keys = [value for value in (target, position) if isinstance(value, Sensitive)]
            if keys:
                return mark_value(read_item(unmark(target), unmark(position)), keys)
            return read_item(target, position)
        arguments: list[Any] = []
        _OPERANDS[-1] = arguments
        try:
            value = _call(node, scope)
        except TemplateError as err:
            if arguments:
                raise TemplateError(hide_quoted(str(err), arguments)) from None
            raise
        return mark_value(value, arguments) if arguments else value
    finally:
        work.depth -= 1


_SPECIAL: dict[str, Callable[[Call, Scope], Any]] = {}


def _special(name: str) -> Callable[[Callable[[Call, Scope], Any]], Callable[[Call, Scope], Any]]:
    def register(handler: Callable[[Call, Scope], Any]) -> Callable[[Call, Scope], Any]:
        _SPECIAL[name] = handler
        return handler

    return register


def _call(node: Call, scope: Scope) -> Any:
    special = _SPECIAL.get(node.name)
    if special is not None:
        return special(node, scope)
    args = [evaluate_node(arg, scope) for arg in node.args]
    if node.name not in LAMBDA_FUNCTIONS and any(isinstance(arg, Lambda) for arg in args):
        raise TemplateError(LAMBDA_ONLY)
    if "." in node.name:
        return _user_function(node, args, scope)
    pure = PURE.get(node.name)
    if pure is None:
        contextual = _contextual(node.name, args, scope)
        if contextual is not None:
            made = call_result(node, args, contextual)
            WORK.charge_value(made)
            return made
        if node.name.startswith("list"):
            return Unknown(f"{node.written}() is known only at deployment time")
        return Unknown(f"{node.written}() is not evaluated by reachlint")
    if node.name not in ACCEPTS_UNKNOWN:
        unknown = first_unknown(args)
        if unknown is not None:
            return unknown
    result = call_result(node, args, lambda: pure(args))
    WORK.charge_value(result)
    return result


def _user_function(node: Call, args: list[Any], scope: Scope) -> Any:
    definition = scope.template.functions.get(node.name)
    if definition is None:
        raise TemplateError(f"function '{node.written}' is not declared")
    declared = lookup(definition, "parameters")
    names = (
        [str(lookup(p, "name", "")) for p in declared if isinstance(p, dict)]
        if isinstance(declared, list)
        else []
    )
    if len(names) != len(args):
        raise TemplateError(f"function '{node.written}' takes {len(names)} arguments")
    frame = Template(
        {"parameters": {n: {"type": "any"} for n in names}},
        scope.template.file,
        scope.template.info,
        scope.template.graph,
        {n: constant(value) for n, value in zip(names, args, strict=True)},
        scope.template.functions,
    )
    output = as_mapping(lookup(definition, "output"))
    return evaluate(lookup(output, "value"), Scope(frame), line_at(output, "value"))


# --- functions that shape evaluation -----------------------------------------------------------


@_special("if")
def _if(node: Call, scope: Scope) -> Any:
    if len(node.args) != 3:
        return Unknown("if() takes 3 arguments")
    condition = evaluate_node(node.args[0], scope)
    if isinstance(condition, Unknown):
        return condition
    if not isinstance(condition, bool):
        return Unknown(f"if() needs a boolean condition, got {type_name(condition)}")
    return evaluate_node(node.args[1] if condition else node.args[2], scope)


@_special("and")
def _and(node: Call, scope: Scope) -> Any:
    return _logic(node, scope, stop_at=False)


@_special("or")
def _or(node: Call, scope: Scope) -> Any:
    return _logic(node, scope, stop_at=True)


def _logic(node: Call, scope: Scope, stop_at: bool) -> Any:
    """and()/or(): a decisive operand settles it even when another is unknown."""
    unknown: Unknown | None = None
    for arg in node.args:
        value = evaluate_node(arg, scope)
        if isinstance(value, Unknown):
            unknown = first_unknown((unknown, value))
            continue
        if not isinstance(value, bool):
            return Unknown(f"{node.written}() needs booleans, got {type_name(value)}")
        if value is stop_at:
            return stop_at
    return unknown if unknown is not None else not stop_at


@_special("coalesce")
def _coalesce(node: Call, scope: Scope) -> Any:
    for arg in node.args:
        value = evaluate_node(arg, scope)
        if value is not None:
            return value
    return None


@_special("lambda")
def _lambda(node: Call, scope: Scope) -> Any:
    if not node.args:
        return Unknown("lambda() needs a body")
    names = [evaluate_node(arg, scope) for arg in node.args[:-1]]
    if not all(isinstance(n, str) for n in names):
        return Unknown("lambda() parameter names must be strings")
    return Lambda(tuple(names), node.args[-1], scope)


@_special("lambdavariables")
def _lambda_variables(node: Call, scope: Scope) -> Any:
    name = evaluate_node(node.args[0], scope) if node.args else None
    if not isinstance(name, str):
        return Unknown("lambdaVariables() needs a name")
    for bound, value in reversed(scope.lambdas):
        if bound == name.lower():
            return value
    raise TemplateError(f"lambda variable '{name}' is not defined here")


@_special("parameters")
def _parameters(node: Call, scope: Scope) -> Any:
    name = _name_argument(node, scope)
    return name if isinstance(name, Unknown) else scope.template.parameter(name)


@_special("variables")
def _variables(node: Call, scope: Scope) -> Any:
    name = _name_argument(node, scope)
    return name if isinstance(name, Unknown) else scope.template.variable(name)


def _name_argument(node: Call, scope: Scope) -> str | Unknown:
    if len(node.args) != 1:
        raise TemplateError(f"{node.written}() takes one name")
    name = evaluate_node(node.args[0], scope)
    if isinstance(name, Unknown):
        return name
    if not isinstance(name, str):
        raise TemplateError(f"{node.written}() takes a name, not {type_name(name)}")
    return name


@_special("copyindex")
def _copy_index(node: Call, scope: Scope) -> Any:
    args = [evaluate_node(arg, scope) for arg in node.args]
    unknown = first_unknown(args)
    if unknown is not None:
        return unknown
    name = next((a for a in args if isinstance(a, str)), None)
    offset = next((a for a in args if isinstance(a, int) and not isinstance(a, bool)), 0)
    found = scope.copy_index(name)
    if found is None:
        loop = f"loop '{name}'" if name else "copy loop"
        raise TemplateError(f"copyIndex() is used outside its {loop}")
    return found + offset


# --- functions that read the deployment, the resource graph or a lambda ------------------------


def _reference(args: list[Any], scope: Scope) -> Any:
    if not args:
        raise EvalError("needs a resource")
    full = len(args) > 2 and isinstance(args[2], str) and args[2].lower() == "full"
    if isinstance(args[0], Unknown):
        return args[0]
    return scope.template.graph.reference(scope, args[0], full)


def _contextual(name: str, args: list[Any], scope: Scope) -> Callable[[], Any] | None:
    """How to run a function that reads the deployment, the resource graph or a lambda."""
    reading = CONTEXT_FUNCTIONS.get(name)
    if reading is not None:
        return lambda: reading(args, scope.template.info)
    if name == "reference":
        return lambda: _reference(args, scope)
    iterating = LAMBDA_FUNCTIONS.get(name)
    if iterating is not None:
        return lambda: iterating(args)
    return None
