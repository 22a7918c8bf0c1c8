"""ARM's lambda functions: map, filter, reduce, sort, toObject, groupBy, mapValues.

Each calls a lambda() of the template; an unknown collection makes the result unknown.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from functools import cmp_to_key
from typing import Any

from reachlint.formats.arm.functions.arguments import EvalError, Function, as_object, to_text
from reachlint.formats.arm.values import Unknown, type_name


class TemplateLambda(ABC):
    """A lambda() of the template: called with values for its parameters, it evaluates its
    body with them (the evaluator's `Lambda`)."""

    @abstractmethod
    def __call__(self, *values: Any) -> Any: ...


def _lambda_argument(value: Any) -> TemplateLambda:
    if not isinstance(value, TemplateLambda):
        raise EvalError(f"expects a lambda, got {type_name(value)}")
    return value


def _collection(value: Any) -> list[Any]:
    if isinstance(value, Unknown):
        raise _Propagate(value)
    if not isinstance(value, list):
        raise EvalError(f"expects an array, got {type_name(value)}")
    return value


class _Propagate(Exception):
    def __init__(self, value: Unknown) -> None:
        super().__init__(value.reason)
        self.value = value


def _with_unknowns(run: Callable[[list[Any]], Any]) -> Callable[[list[Any]], Any]:
    def wrapper(args: list[Any]) -> Any:
        try:
            return run(args)
        except _Propagate as unknown:
            return unknown.value

    return wrapper


@_with_unknowns
def _map(args: list[Any]) -> Any:
    items, mapper = _collection(args[0]), _lambda_argument(args[1])
    return [mapper(item, position) for position, item in enumerate(items)]


@_with_unknowns
def _filter(args: list[Any]) -> Any:
    items, predicate = _collection(args[0]), _lambda_argument(args[1])
    kept = []
    for position, item in enumerate(items):
        verdict = predicate(item, position)
        if isinstance(verdict, Unknown):
            return verdict
        if verdict is True:
            kept.append(item)
    return kept


@_with_unknowns
def _reduce(args: list[Any]) -> Any:
    items, total, reducer = _collection(args[0]), args[1], _lambda_argument(args[2])
    for position, item in enumerate(items):
        total = reducer(total, item, position)
    return total


@_with_unknowns
def _sort(args: list[Any]) -> Any:
    items, before = list(_collection(args[0])), _lambda_argument(args[1])

    # Python's sort asks only whether one item goes before another: the template's own
    # `a before b` lambda, n log n times (a stable sort, as inserting one by one is).
    def comparison(a: Any, b: Any) -> int:
        verdict = before(a, b)
        if isinstance(verdict, Unknown):
            raise _UnknownOrder(verdict)
        return -1 if verdict is True else 1

    try:
        return sorted(items, key=cmp_to_key(comparison))
    except _UnknownOrder as unknown:
        return unknown.verdict


class _UnknownOrder(Exception):
    def __init__(self, verdict: Unknown) -> None:
        super().__init__()
        self.verdict = verdict


@_with_unknowns
def _to_object(args: list[Any]) -> Any:
    items, key_of = _collection(args[0]), _lambda_argument(args[1])
    value_of = _lambda_argument(args[2]) if len(args) > 2 else None
    result: dict[str, Any] = {}
    for item in items:
        key = key_of(item)
        if isinstance(key, Unknown):
            return key
        result[to_text(key)] = value_of(item) if value_of else item
    return result


@_with_unknowns
def _group_by(args: list[Any]) -> Any:
    items, key_of = _collection(args[0]), _lambda_argument(args[1])
    groups: dict[str, list[Any]] = {}
    for item in items:
        key = key_of(item)
        if isinstance(key, Unknown):
            return key
        groups.setdefault(to_text(key), []).append(item)
    return groups


def _map_values(args: list[Any]) -> Any:
    if isinstance(args[0], Unknown):
        return args[0]
    mapping, mapper = as_object(args[0]), _lambda_argument(args[1])
    return {key: mapper(value) for key, value in mapping.items()}


LAMBDA_ONLY = "lambda() is only an argument of filter(), map(), reduce() and the like"
LAMBDA_FUNCTIONS: dict[str, Function] = {
    "map": _map,
    "filter": _filter,
    "reduce": _reduce,
    "sort": _sort,
    "toobject": _to_object,
    "groupby": _group_by,
    "mapvalues": _map_values,
}
