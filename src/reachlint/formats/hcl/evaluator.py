"""Evaluation of HCL expressions, with Terraform's semantics for unknown values.

A scope resolves the names an expression starts with (`var`, `local`, `module`, a resource
type); iterator names (`for` variables, `each`, dynamic-block iterators) are passed along in a
dictionary. Unknown operands make unknown results that keep their sources. Never Python's
eval: every operation is spelled out here.

Sensitive values (reachlint.sensitive) carry their mark as Terraform's do. Expressions that
take values apart or put them together (attributes, indexes, splats, `for`, conditionals,
tuples and objects) keep each mark on the part it belongs to; every other operation
(operators, functions, templates) computes with plain values and marks its result when an
operand was marked. An error about a marked operand does not quote it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from msgspec import Struct, field

from reachlint.formats.hcl.functions import FUNCTIONS, call_function
from reachlint.formats.hcl.operations import (
    COMPARISONS,
    arithmetic,
    get_attribute,
    hidden_error,
    index_value,
    mark_value,
    whole_value,
)
from reachlint.formats.hcl.syntax import (
    Binary,
    Call,
    Conditional,
    Expr,
    ForExpr,
    GetAttr,
    Index,
    Literal,
    ObjectCons,
    Parens,
    Splat,
    SplatItem,
    Template,
    TemplateFor,
    TemplateIf,
    TemplateWrap,
    TupleCons,
    Unary,
    Variable,
)
from reachlint.formats.hcl.values import (
    EvalError,
    Unknown,
    UnknownExpansion,
    Value,
    equal,
    has_unknown,
    iterate,
    sorted_object,
    to_bool,
    to_number,
    to_string,
    unknown_from,
)
from reachlint.limits import MAX_EVALUATION_DEPTH, WORK, LimitError, check_string, too_deep
from reachlint.sensitive import Sensitive, has_marks, hide_quoted, unmark


class Scope(Protocol):
    def root(self, name: str, line: int) -> Value:
        """The value or namespace a bare name that is not an iterator stands for."""

    def unknown_function(self, name: str, line: int) -> Value:
        """The result of a function reachlint does not evaluate (after noting it)."""


class ConstantScope:
    """A scope without names: variable files, defaults in type constraints."""

    def root(self, name: str, line: int) -> Value:
        raise EvalError(f'"{name}" cannot be used here; only constant values are allowed', line)

    def unknown_function(self, name: str, line: int) -> Value:
        raise EvalError(f"{name}() cannot be used here; only constant values are allowed", line)


class Context(Struct):
    scope: Scope
    names: dict[str, Value] = field(default_factory=dict)
    item: Value = None  # the current element inside a splat

    def with_names(self, names: dict[str, Value]) -> Context:
        return Context(self.scope, {**self.names, **names}, self.item)


def evaluate(expr: Expr, scope: Scope, names: dict[str, Value] | None = None) -> Value:
    """The value of `expr`, with its marks: a caller that needs plain values unmarks it."""
    _OPERANDS.append(None)
    try:
        return _evaluate(expr, Context(scope, names or {}))
    finally:
        _OPERANDS.pop()


def evaluate_constant(expr: Expr) -> Value:
    return evaluate(expr, ConstantScope())


# For each expression being evaluated, innermost last: None where the expression keeps the marks
# of its operands, else the marked operands it was given plain.
_OPERANDS: list[list[Value] | None] = []


def _evaluate(expr: Expr, context: Context) -> Value:
    # Every step counts against the input's time budget, and nesting (written, or through
    # references to other values) against the depth limit, before Python's own stack runs out.
    work = WORK
    if work.depth >= MAX_EVALUATION_DEPTH:
        raise too_deep(expr.line)
    work.depth += 1
    work.tick()
    try:
        kind = type(expr)
        operands = _OPERANDS
        if kind in _KEEPS_MARKS:
            operands.append(None)
            try:
                value = _DISPATCH[kind](expr, context)
            finally:
                operands.pop()
        else:
            marked: list[Value] = []
            operands.append(marked)
            try:
                value = _DISPATCH[kind](expr, context)
            except EvalError as err:
                if marked:
                    raise EvalError(hide_quoted(err.message, marked), err.line) from None
                raise
            finally:
                operands.pop()
            if marked:
                value = mark_value(value, expr.line)
        caller = operands[-1] if operands else None
        if caller is not None and has_marks(value):
            caller.append(value)
            value = unmark(value)
        return value
    finally:
        work.depth -= 1


def _literal(expr: Literal, context: Context) -> Value:
    return expr.value


def _variable(expr: Variable, context: Context) -> Value:
    names = context.names
    if expr.name in names:
        return names[expr.name]
    return context.scope.root(expr.name, expr.line)


def _get_attr(expr: GetAttr, context: Context) -> Value:
    return get_attribute(_evaluate(expr.target, context), expr.name, expr.line)


def _index(expr: Index, context: Context) -> Value:
    target = _evaluate(expr.target, context)
    key = _evaluate(expr.key, context)
    marked = [value for value in (target, key) if isinstance(value, Sensitive)]
    if not marked:
        return index_value(target, key, expr.line)
    plain_target = target.value if isinstance(target, Sensitive) else target
    try:
        return mark_value(index_value(plain_target, unmark(key), expr.line), expr.line)
    except EvalError as err:
        raise hidden_error(err, marked) from None


def _splat_item(expr: SplatItem, context: Context) -> Value:
    return context.item


def _splat(expr: Splat, context: Context) -> Value:
    source = _evaluate(expr.source, context)
    if isinstance(source, Sensitive):
        try:
            return mark_value(_splat_over(expr, context, source.value), expr.line)
        except EvalError as err:
            raise hidden_error(err, [source]) from None
    return _splat_over(expr, context, source)


def _splat_over(expr: Splat, context: Context, source: Value) -> Value:
    if isinstance(source, UnknownExpansion):
        each = _evaluate(expr.each, Context(context.scope, context.names, source.instance))
        return unknown_from(each, source)
    if isinstance(source, Unknown):
        return source
    if source is None:
        return []
    items = source if isinstance(source, list) else [whole_value(source, expr.line)]
    WORK.charge_items(len(items))
    return [_evaluate(expr.each, Context(context.scope, context.names, item)) for item in items]


def _call(expr: Call, context: Context) -> Value:
    name = expr.name
    if name == "try":
        return _try(expr, context)
    if name == "can":
        return _can(expr, context)
    if name not in FUNCTIONS:
        for arg in expr.args:  # references inside still have to exist
            _evaluate_quietly(arg, context)
        return context.scope.unknown_function(name, expr.line)
    args = [whole_value(_evaluate(arg, context), expr.line) for arg in expr.args]
    if name == "issensitive":  # its argument reached this call plain, its mark noted here
        operands = _OPERANDS[-1]
        found = bool(operands)
        if operands is not None:
            operands.clear()  # the answer itself is not sensitive, as in Terraform
        return found
    if name == "sensitive" and len(args) == 1:
        return mark_value(args[0], expr.line)
    if expr.expand_last and args:
        last = args.pop()
        if isinstance(last, Unknown):
            return unknown_from(last, *args)
        if not isinstance(last, list):
            raise EvalError(f"the last argument of {name}() before ... must be a list", expr.line)
        args.extend(last)
    try:
        return call_function(name, args)
    except EvalError as err:
        if err.line is None:
            err.line = expr.line
        raise
    except LimitError as err:
        raise err.located(None, expr.line) from None


def _evaluate_quietly(expr: Expr, context: Context) -> Value:
    try:
        return _evaluate(expr, context)
    except EvalError:
        return None


def _try(expr: Call, context: Context) -> Value:
    if not expr.args:
        raise EvalError("try() needs at least one argument", expr.line)
    for arg in expr.args:
        try:
            return whole_value(_evaluate(arg, context), expr.line)
        except EvalError:
            continue
    raise EvalError("no argument of try() could be evaluated", expr.line)


def _can(expr: Call, context: Context) -> Value:
    if len(expr.args) != 1:
        raise EvalError("can() takes 1 argument", expr.line)
    try:
        value = whole_value(_evaluate(expr.args[0], context), expr.line)
    except EvalError:
        return False
    if isinstance(value, Unknown):
        return unknown_from(value)
    return True


def _conditional(expr: Conditional, context: Context) -> Value:
    condition = _evaluate(expr.condition, context)
    if isinstance(condition, Sensitive):  # the result tells the condition: it is sensitive too
        try:
            return mark_value(_choose(expr, context, unmark(condition)), expr.line)
        except EvalError as err:
            raise hidden_error(err, [condition]) from None
    return _choose(expr, context, condition)


def _choose(expr: Conditional, context: Context, condition: Value) -> Value:
    if isinstance(condition, Unknown):
        # Either result is possible: the unknown keeps what both refer to, and both results
        # when they are known, so count and for_each can still be expanded.
        results: list[Value] = []
        for branch in (expr.true_result, expr.false_result):
            try:
                results.append(whole_value(_evaluate(branch, context), expr.line))
            except EvalError:
                return unknown_from(condition, *results)
        unknown = unknown_from(condition, *results)
        if not any(has_unknown(result) for result in results):
            return Unknown(unknown.sources, tuple(results), unknown.names)
        return unknown
    if to_bool(condition, "condition"):
        return _evaluate(expr.true_result, context)
    return _evaluate(expr.false_result, context)


def _binary(expr: Binary, context: Context) -> Value:
    operator = expr.operator
    left = whole_value(_evaluate(expr.left, context), expr.line)
    right = whole_value(_evaluate(expr.right, context), expr.line)
    if operator == "&&" or operator == "||":
        decisive = operator == "||"  # true decides ||, false decides &&
        for side in (left, right):
            if (
                not isinstance(side, Unknown)
                and to_bool(side, f"operand of {operator}") is decisive
            ):
                return decisive
        if isinstance(left, Unknown) or isinstance(right, Unknown):
            return unknown_from(left, right)
        return not decisive
    if operator == "==" or operator == "!=":
        if has_unknown(left) or has_unknown(right):
            return unknown_from(left, right)
        same = equal(left, right)
        return same if operator == "==" else not same
    if isinstance(left, Unknown) or isinstance(right, Unknown):
        return unknown_from(left, right)
    left_number = to_number(left, f"operand of {operator}")
    right_number = to_number(right, f"operand of {operator}")
    comparison = COMPARISONS.get(operator)
    if comparison is not None:
        return comparison(left_number, right_number)
    return arithmetic(operator, left_number, right_number, expr.line)


def _unary(expr: Unary, context: Context) -> Value:
    operand = whole_value(_evaluate(expr.operand, context), expr.line)
    if isinstance(operand, Unknown):
        return unknown_from(operand)
    if expr.operator == "!":
        return not to_bool(operand, "operand of !")
    number = to_number(operand, "operand of -")
    return -number


def _parens(expr: Parens, context: Context) -> Value:
    return _evaluate(expr.inner, context)


def _tuple(expr: TupleCons, context: Context) -> Value:
    WORK.charge_items(len(expr.items))
    return [whole_value(_evaluate(item, context), expr.line) for item in expr.items]


def _object(expr: ObjectCons, context: Context) -> Value:
    items: list[tuple[str, Value]] = []
    unknown_keys: list[Value] = []
    marked_keys: list[Value] = []  # a marked key marks the whole object, as in Terraform
    WORK.charge_items(len(expr.items))
    for key_expr, value_expr in expr.items:
        key = _evaluate(key_expr, context)
        value = whole_value(_evaluate(value_expr, context), expr.line)
        if has_marks(key):
            marked_keys.append(key)
            key = unmark(key)
        if isinstance(key, Unknown):
            unknown_keys.append(key)
            continue
        try:
            items.append((to_string(key, "object key"), value))
        except EvalError as err:
            raise hidden_error(err, marked_keys) if marked_keys else err from None
    if unknown_keys:
        return unknown_from(*unknown_keys, [value for _, value in items])
    if marked_keys:
        return mark_value(sorted_object(items), expr.line)
    return sorted_object(items)


def _for(expr: ForExpr, context: Context) -> Value:
    """Elements keep their marks; a marked collection, condition or key marks the result."""
    collection = whole_value(_evaluate(expr.collection, context), expr.line)
    deciding: list[Value] = []
    if isinstance(collection, Sensitive):
        deciding.append(collection)
        collection = collection.value
    try:
        result = _for_over(expr, context, collection, deciding)
    except EvalError as err:
        raise hidden_error(err, deciding) if deciding else err from None
    return mark_value(result, expr.line) if deciding else result


def _decided(value: Value, deciding: list[Value]) -> Value:
    if has_marks(value):
        deciding.append(value)
        return unmark(value)
    return value


def _for_over(expr: ForExpr, context: Context, collection: Value, deciding: list[Value]) -> Value:
    if isinstance(collection, Unknown):
        return unknown_from(collection)
    if collection is None:
        raise EvalError("a for expression cannot iterate over null", expr.line)
    pairs = iterate(collection, "the collection of a for expression")
    WORK.charge_items(len(pairs))
    results: list[Value] = []
    grouped: dict[str, list[Value]] = {}
    mapped: dict[str, Value] = {}
    pending_unknowns: list[Value] = []
    for key, value in pairs:
        names = {expr.value_name: value}
        if expr.key_name is not None:
            names[expr.key_name] = key
        inner = context.with_names(names)
        if expr.condition is not None:
            keep = _decided(_evaluate(expr.condition, inner), deciding)
            if isinstance(keep, Unknown):
                pending_unknowns.append(keep)
                continue
            if not to_bool(keep, "if condition of a for expression"):
                continue
        item = whole_value(_evaluate(expr.value, inner), expr.line)
        if expr.key is None:
            results.append(item)
            continue
        result_key = _decided(_evaluate(expr.key, inner), deciding)
        if isinstance(result_key, Unknown):
            pending_unknowns.append(result_key)
            continue
        name = to_string(result_key, "key of a for expression")
        if expr.group:
            grouped.setdefault(name, []).append(item)
        elif name in mapped:
            raise EvalError(
                f'the for expression makes the key "{name}" twice; add ... after the value '
                "to group them",
                expr.line,
            )
        else:
            mapped[name] = item
    if pending_unknowns:
        # Which elements are kept (or under which key) is known only after apply.
        return unknown_from(*pending_unknowns, results, mapped, grouped)
    if expr.key is None:
        return results
    return sorted_object((grouped if expr.group else mapped).items())


def _template_text(parts: list[str | Expr], context: Context, unknown: list[Value]) -> str:
    pieces: list[str] = []
    for part in parts:
        if isinstance(part, str):
            pieces.append(part)
            continue
        value = whole_value(_evaluate(part, context), part.line)
        if has_unknown(value):
            unknown.append(value)
        elif value is None:
            raise EvalError("a template interpolation is null", part.line)
        else:
            pieces.append(to_string(value, "template interpolation"))
    return _joined(pieces)


def _joined(pieces: list[str]) -> str:
    length = sum(map(len, pieces))
    check_string(length, "the template")
    WORK.charge_text(length)
    return "".join(pieces)


def _template(expr: Template, context: Context) -> Value:
    unknown: list[Value] = []
    text = _template_text(expr.parts, context, unknown)
    if unknown:
        return unknown_from(*unknown)
    return text


def _template_wrap(expr: TemplateWrap, context: Context) -> Value:
    return _evaluate(expr.inner, context)


def _template_if(expr: TemplateIf, context: Context) -> Value:
    condition = _evaluate(expr.condition, context)
    if isinstance(condition, Unknown):
        return unknown_from(condition)
    unknown: list[Value] = []
    parts = expr.then_parts if to_bool(condition, "template if condition") else expr.else_parts
    text = _template_text(parts, context, unknown)
    return unknown_from(*unknown) if unknown else text


def _template_for(expr: TemplateFor, context: Context) -> Value:
    collection = whole_value(_evaluate(expr.collection, context), expr.line)
    if isinstance(collection, Unknown):
        return unknown_from(collection)
    unknown: list[Value] = []
    pieces: list[str] = []
    for key, value in iterate(collection, "the collection of a template for directive"):
        names = {expr.value_name: value}
        if expr.key_name is not None:
            names[expr.key_name] = key
        pieces.append(_template_text(expr.body, context.with_names(names), unknown))
    return unknown_from(*unknown) if unknown else _joined(pieces)


_DISPATCH: dict[type[Expr], Callable[[Expr, Context], Value]] = {
    Literal: _literal,  # type: ignore[dict-item]
    Variable: _variable,  # type: ignore[dict-item]
    GetAttr: _get_attr,  # type: ignore[dict-item]
    Index: _index,  # type: ignore[dict-item]
    SplatItem: _splat_item,  # type: ignore[dict-item]
    Splat: _splat,  # type: ignore[dict-item]
    Call: _call,  # type: ignore[dict-item]
    Conditional: _conditional,  # type: ignore[dict-item]
    Binary: _binary,  # type: ignore[dict-item]
    Unary: _unary,  # type: ignore[dict-item]
    Parens: _parens,  # type: ignore[dict-item]
    TupleCons: _tuple,  # type: ignore[dict-item]
    ObjectCons: _object,  # type: ignore[dict-item]
    ForExpr: _for,  # type: ignore[dict-item]
    Template: _template,  # type: ignore[dict-item]
    TemplateWrap: _template_wrap,  # type: ignore[dict-item]
    TemplateIf: _template_if,  # type: ignore[dict-item]
    TemplateFor: _template_for,  # type: ignore[dict-item]
}
# Expressions that keep the marks of their operands where they are.
_KEEPS_MARKS = frozenset(
    {
        Literal,
        Variable,
        GetAttr,
        Index,
        SplatItem,
        Splat,
        Conditional,
        Parens,
        TupleCons,
        ObjectCons,
        ForExpr,
        TemplateWrap,
    }
)
