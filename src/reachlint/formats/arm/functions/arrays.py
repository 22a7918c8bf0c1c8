"""ARM's array and object functions: createArray, length, contains, union, items, tryGet..."""

from __future__ import annotations

from typing import Any

from reachlint.formats.arm.functions.arguments import (
    EvalError,
    Function,
    as_array,
    as_integer,
    as_object,
    as_string,
    check_count,
    same,
    to_text,
)
from reachlint.formats.arm.values import RuntimeArray, RuntimeObject, Unknown, find_key, type_name
from reachlint.limits import WORK, check_collection


def fn_create_array(args: list[Any]) -> Any:
    return list(args)


def fn_create_object(args: list[Any]) -> Any:
    if len(args) % 2:
        raise EvalError("takes key and value pairs")
    result: dict[str, Any] = {}
    for key, value in zip(args[::2], args[1::2], strict=True):
        if isinstance(key, Unknown):
            return key
        result[as_string(key, "key")] = value
    return result


def fn_array(args: list[Any]) -> Any:
    check_count(args, 1)
    return list(args[0]) if isinstance(args[0], list) else [args[0]]


def fn_length(args: list[Any]) -> Any:
    check_count(args, 1)
    if isinstance(args[0], str | list | dict):
        return len(args[0])
    raise EvalError(f"counts a string, array or object, not {type_name(args[0])}")


def fn_empty(args: list[Any]) -> Any:
    check_count(args, 1)
    value = args[0]
    return value is None or (isinstance(value, str | list | dict) and len(value) == 0)


def fn_contains(args: list[Any]) -> Any:
    check_count(args, 2)
    container, item = args
    if isinstance(container, dict):
        return find_key(container, to_text(item)) is not None
    if isinstance(container, list):
        return any(same(element, item) for element in container)
    return to_text(item) in as_string(container, "container")


def fn_first(args: list[Any]) -> Any:
    check_count(args, 1)
    value = args[0]
    if isinstance(value, str | list):
        return value[0] if value else None
    raise EvalError(f"expects a string or array, got {type_name(value)}")


def fn_last(args: list[Any]) -> Any:
    check_count(args, 1)
    value = args[0]
    if isinstance(value, str | list):
        return value[-1] if value else None
    raise EvalError(f"expects a string or array, got {type_name(value)}")


def fn_skip(args: list[Any]) -> Any:
    check_count(args, 2)
    value, count = args[0], max(0, as_integer(args[1]))
    if isinstance(value, str | list):
        return value[count:]
    raise EvalError(f"expects a string or array, got {type_name(value)}")


def fn_take(args: list[Any]) -> Any:
    check_count(args, 2)
    value, count = args[0], max(0, as_integer(args[1]))
    if isinstance(value, str | list):
        return value[:count]
    raise EvalError(f"expects a string or array, got {type_name(value)}")


def _merge(left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    merged = dict(left)
    for key, value in right.items():
        mine = find_key(merged, key)
        if mine is not None and isinstance(merged[mine], dict) and isinstance(value, dict):
            merged[mine] = _merge(merged[mine], value)
        else:
            if mine is not None:
                del merged[mine]
            merged[key] = value
    return merged


def fn_union(args: list[Any]) -> Any:
    if not args:
        raise EvalError("needs at least one argument")
    if all(isinstance(a, dict) for a in args):
        result: dict[str, Any] = {}
        for arg in args:
            result = _merge(result, arg)
        return result
    if all(isinstance(a, list) for a in args):
        keys, combined = _Keys(), dict[object, Any]()
        for arg in args:
            for item in arg:
                combined.setdefault(keys.of(item), item)
        return list(combined.values())
    raise EvalError("joins either arrays or objects, not both")


def fn_intersection(args: list[Any]) -> Any:
    if len(args) < 2:
        raise EvalError("needs at least two arguments")
    if all(isinstance(a, dict) for a in args):
        first: dict[str, Any] = args[0]
        return {
            k: v
            for k, v in first.items()
            if all((o := find_key(other, k)) is not None and same(other[o], v) for other in args)
        }
    if all(isinstance(a, list) for a in args):
        keys = _Keys()
        others = [{keys.of(x) for x in other} for other in args[1:]]
        kept: dict[object, Any] = {}
        for item in args[0]:
            key = keys.of(item)
            if all(key in other for other in others):
                kept.setdefault(key, item)
        return list(kept.values())
    raise EvalError("intersects either arrays or objects, not both")


class _Keys:
    """Hashable stand-ins: two values are `same` exactly when their keys are (object keys in
    any spelling), so union() and intersection() take linear time. An array or object is keyed
    once, as the number of its shape, however often the values hold it (createArray(x, x)
    nested doubles the values at each level, not the work)."""

    def __init__(self) -> None:
        self._of_object: dict[int, tuple[int, int]] = {}
        self._shapes: dict[object, int] = {}

    def of(self, value: Any) -> object:
        if isinstance(value, bool):
            return (0, value)
        if isinstance(value, int | float):
            return (1, value)
        if isinstance(value, str):
            return (2, value)
        if value is None:
            return (3,)
        if not isinstance(value, list | dict):
            return (6, id(value))
        found = self._of_object.get(id(value))
        if found is not None:
            return found
        WORK.tick()
        shape: object
        if isinstance(value, list):
            shape = (4, tuple(self.of(item) for item in value))
        else:
            shape = (5, tuple(sorted((str(k).lower(), self.of(v)) for k, v in value.items())))
        key = self._of_object[id(value)] = (7, self._shapes.setdefault(shape, len(self._shapes)))
        return key


def fn_items(args: list[Any]) -> Any:
    check_count(args, 1)
    mapping = as_object(args[0])
    return [{"key": k, "value": mapping[k]} for k in sorted(mapping, key=str.lower)]


def fn_object_keys(args: list[Any]) -> Any:
    check_count(args, 1)
    return list(as_object(args[0]))


def fn_shallow_merge(args: list[Any]) -> Any:
    check_count(args, 1)
    merged: dict[str, Any] = {}
    for item in as_array(args[0]):
        merged.update(as_object(item))
    return merged


def fn_flatten(args: list[Any]) -> Any:
    check_count(args, 1)
    flat: list[Any] = []
    for item in as_array(args[0]):
        items = as_array(item)
        check_collection(len(flat) + len(items), "flatten()")
        flat.extend(items)
    return flat


def fn_try_get(args: list[Any]) -> Any:
    """Follow keys or indexes; null where one is missing (unknown inside a resource's state)."""
    if len(args) < 2:
        raise EvalError("needs a value and at least one key")
    value = args[0]
    for key in args[1:]:
        if isinstance(value, Unknown) or isinstance(key, Unknown):
            return value if isinstance(value, Unknown) else key
        if isinstance(value, dict) and isinstance(key, str):
            found = find_key(value, key)
            if found is None:
                return (
                    Unknown(f"'{key}' is known only after deployment")
                    if isinstance(value, RuntimeObject)
                    else None
                )
            value = value[found]
        elif isinstance(value, list) and isinstance(key, int) and not isinstance(key, bool):
            if not -len(value) <= key < len(value):
                return (
                    Unknown("index known only after deployment")
                    if isinstance(value, RuntimeArray)
                    else None
                )
            value = value[key]
        else:
            return None
    return value


FUNCTIONS: dict[str, Function] = {
    "createarray": fn_create_array,
    "createobject": fn_create_object,
    "array": fn_array,
    "length": fn_length,
    "empty": fn_empty,
    "contains": fn_contains,
    "first": fn_first,
    "last": fn_last,
    "skip": fn_skip,
    "take": fn_take,
    "union": fn_union,
    "intersection": fn_intersection,
    "items": fn_items,
    "objectkeys": fn_object_keys,
    "shallowmerge": fn_shallow_merge,
    "flatten": fn_flatten,
    "tryget": fn_try_get,
}
