"""Terraform's collection functions: lists, maps and sets (merge, flatten, setproduct...)."""

from __future__ import annotations

import json

from reachlint.formats.hcl.functions.registry import Family, as_int, as_list, as_map
from reachlint.formats.hcl.values import (
    EvalError,
    ResourceObject,
    Unknown,
    Value,
    describe,
    equal,
    has_unknown,
    make_set,
    normalize_number,
    set_key,
    sorted_object,
    to_bool,
    to_number,
    to_string,
    unknown_from,
)
from reachlint.limits import MAX_COLLECTION_LENGTH, WORK, check_collection

FAMILY = Family()
function = FAMILY.function


@function("length", 1, 1, unknowns="shallow")
def _length(value: Value) -> Value:
    if isinstance(value, str | list | dict):
        return len(value)
    raise EvalError(f"cannot take the length of {describe(value)}")


@function("concat", 0, unknowns="shallow")
def _concat(*lists: Value) -> Value:
    joined: list[Value] = []
    for position, value in enumerate(lists):
        items = as_list(value, f"argument {position + 1} of concat()")
        check_collection(len(joined) + len(items), "concat()")
        joined.extend(items)
    return joined


@function("merge", 0, unknowns="shallow")
def _merge(*maps: Value) -> Value:
    merged: dict[str, Value] = {}
    for position, value in enumerate(maps):
        if value is None:
            continue
        merged.update(as_map(value, f"argument {position + 1} of merge()"))
    return sorted_object(merged.items())


@function("lookup", 2, 3, unknowns="shallow")
def _lookup(mapping: Value, key: Value, *default: Value) -> Value:
    values = as_map(mapping, "the first argument of lookup()")
    name = to_string(key, "key")
    if name in values:
        return values[name]
    if isinstance(values, ResourceObject):
        return values[name]
    if default:
        return default[0]
    raise EvalError(f"the map has no element {json.dumps(name)} and no default was given")


@function("element", 2, 2, unknowns="shallow")
def _element(items: Value, index: Value) -> Value:
    values = as_list(items, "the first argument of element()")
    position = as_int(index, "index")
    if not values:
        raise EvalError("cannot use element() on an empty list")
    if position < 0:
        raise EvalError("cannot use element() with a negative index")
    return values[position % len(values)]


def _flatten_into(value: list[Value], into: list[Value]) -> bool:
    WORK.tick()
    for item in value:
        if isinstance(item, Unknown):
            return False
        if isinstance(item, list):
            if not _flatten_into(item, into):
                return False
        else:
            into.append(item)
            if len(into) > MAX_COLLECTION_LENGTH:
                check_collection(len(into), "flatten()")
    return True


@function("flatten", 1, 1, unknowns="shallow")
def _flatten(value: Value) -> Value:
    flat: list[Value] = []
    if not _flatten_into(as_list(value, "the argument of flatten()"), flat):
        return unknown_from(value)  # an unknown element may be a list or not
    return flat


@function("distinct", 1, 1)
def _distinct(value: Value) -> Value:
    unique: dict[object, Value] = {}
    for item in as_list(value, "the argument of distinct()"):
        unique.setdefault(set_key(item), item)
    return list(unique.values())


def _unify_primitives(items: list[Value]) -> list[Value]:
    """Terraform's type unification for a collection of mixed primitives: all strings."""
    kinds = {type(item) for item in items if item is not None and not isinstance(item, Unknown)}
    if str in kinds and len(kinds) > 1 and all(k in (str, int, float, bool) for k in kinds):
        return [
            to_string(item) if item is not None and not isinstance(item, Unknown) else item
            for item in items
        ]
    return items


@function("toset", 1, 1, unknowns="shallow")
def _toset(value: Value) -> Value:
    return make_set(_unify_primitives(as_list(value, "the argument of toset()")))


@function("tolist", 1, 1, unknowns="shallow")
def _tolist(value: Value) -> Value:
    return _unify_primitives(as_list(value, "the argument of tolist()"))


@function("tomap", 1, 1, unknowns="shallow")
def _tomap(value: Value) -> Value:
    mapping = as_map(value, "the argument of tomap()")
    unified = _unify_primitives(list(mapping.values()))
    return sorted_object(zip(mapping, unified, strict=True))


@function("keys", 1, 1, unknowns="shallow")
def _keys(value: Value) -> Value:
    return sorted(as_map(value, "the argument of keys()"))


@function("values", 1, 1, unknowns="shallow")
def _values(value: Value) -> Value:
    mapping = as_map(value, "the argument of values()")
    return [mapping[key] for key in sorted(mapping)]


@function("zipmap", 2, 2, unknowns="shallow")
def _zipmap(keys: Value, values: Value) -> Value:
    names = as_list(keys, "the keys of zipmap()")
    items = as_list(values, "the values of zipmap()")
    if has_unknown(names):
        return unknown_from(names, items)
    if len(names) != len(items):
        raise EvalError(f"zipmap() got {len(names)} keys and {len(items)} values")
    return sorted_object((to_string(k, "key"), v) for k, v in zip(names, items, strict=True))


@function("contains", 2, 2, unknowns="shallow")
def _contains(items: Value, wanted: Value) -> Value:
    values = as_list(items, "the first argument of contains()")
    if has_unknown(wanted):
        return unknown_from(values, wanted)
    if any(not has_unknown(item) and equal(item, wanted) for item in values):
        return True
    if has_unknown(values):
        return unknown_from(values)
    return False


@function("range", 1, 3)
def _range(*args: Value) -> Value:
    numbers = [to_number(arg, "range() argument") for arg in args]
    start: int | float
    limit: int | float
    step: int | float
    if len(numbers) == 1:
        start, limit, step = 0, numbers[0], 1
    elif len(numbers) == 2:
        start, limit = numbers
        step = 1 if limit >= start else -1
    else:
        start, limit, step = numbers
    if step == 0:
        raise EvalError("range() step must not be zero")
    if (step > 0 and limit < start) or (step < 0 and limit > start):
        raise EvalError("range() step goes the wrong way for its start and limit")
    result: list[Value] = []
    value = start
    while (step > 0 and value < limit) or (step < 0 and value > limit):
        result.append(normalize_number(value))
        if len(result) > 1024:
            raise EvalError("range() would produce more than 1024 numbers")
        value += step
    return result


@function("slice", 3, 3, unknowns="shallow")
def _slice(items: Value, start: Value, end: Value) -> Value:
    values = as_list(items, "the first argument of slice()")
    first, last = as_int(start, "start index"), as_int(end, "end index")
    if first < 0 or last > len(values) or first > last:
        raise EvalError(f"slice() indexes {first} and {last} do not fit a list of {len(values)}")
    return values[first:last]


@function("sort", 1, 1)
def _sort(items: Value) -> Value:
    return sorted(to_string(item, "element") for item in as_list(items, "the argument of sort()"))


@function("reverse", 1, 1, unknowns="shallow")
def _reverse(items: Value) -> Value:
    return list(reversed(as_list(items, "the argument of reverse()")))


@function("compact", 1, 1)
def _compact(items: Value) -> Value:
    values = as_list(items, "the argument of compact()")
    return [to_string(item, "element") for item in values if item is not None and item != ""]


def _empty(value: Value) -> bool:
    return value is None or value == ""


@function("coalesce", 1, unknowns="shallow")
def _coalesce(*args: Value) -> Value:
    for arg in args:
        if isinstance(arg, Unknown):
            return unknown_from(arg)
        if not _empty(arg):
            return arg
    raise EvalError("coalesce() found no non-null, non-empty argument")


@function("coalescelist", 1, unknowns="shallow")
def _coalescelist(*args: Value) -> Value:
    for position, arg in enumerate(args):
        if as_list(arg, f"argument {position + 1} of coalescelist()"):
            return arg
    raise EvalError("coalescelist() found no non-empty list")


@function("one", 1, 1, unknowns="shallow")
def _one(items: Value) -> Value:
    values = as_list(items, "the argument of one()")
    if len(values) > 1:
        raise EvalError(f"one() got a list of {len(values)} elements; at most one is allowed")
    return values[0] if values else None


@function("sum", 1, 1)
def _sum(items: Value) -> Value:
    values = as_list(items, "the argument of sum()")
    if not values:
        raise EvalError("sum() cannot sum an empty list")
    return normalize_number(sum(to_number(item, "element") for item in values))


@function("setunion", 1, unknowns="shallow")
def _setunion(*sets: Value) -> Value:
    joined: list[Value] = []
    for position, value in enumerate(sets):
        items = as_list(value, f"argument {position + 1} of setunion()")
        check_collection(len(joined) + len(items), "setunion()")
        joined.extend(items)
    return make_set(joined)


@function("setintersection", 1)
def _setintersection(first: Value, *others: Value) -> Value:
    result = make_set(as_list(first, "argument 1 of setintersection()"))
    for position, value in enumerate(others):
        other = {
            set_key(item)
            for item in as_list(value, f"argument {position + 2} of setintersection()")
        }
        result = [item for item in result if set_key(item) in other]
    return result


@function("setsubtract", 2, 2)
def _setsubtract(first: Value, second: Value) -> Value:
    removed = {set_key(item) for item in as_list(second, "argument 2 of setsubtract()")}
    kept = as_list(first, "argument 1 of setsubtract()")
    return make_set([item for item in kept if set_key(item) not in removed])


@function("setproduct", 1)
def _setproduct(*sets: Value) -> Value:
    product: list[list[Value]] = [[]]
    for position, value in enumerate(sets):
        items = as_list(value, f"argument {position + 1} of setproduct()")
        check_collection(len(product) * len(items), "setproduct()")
        WORK.charge_items(len(product) * len(items) * (position + 1))
        product = [[*prefix, item] for prefix in product for item in items]
    return [list(combination) for combination in product]


@function("index", 2, 2)
def _index(items: Value, wanted: Value) -> Value:
    for position, item in enumerate(as_list(items, "the first argument of index()")):
        if equal(item, wanted):
            return position
    raise EvalError("index() did not find the value in the list")


@function("chunklist", 2, 2, unknowns="shallow")
def _chunklist(items: Value, size: Value) -> Value:
    values = as_list(items, "the first argument of chunklist()")
    width = as_int(size, "chunk size")
    if width < 0:
        raise EvalError("chunklist() size must not be negative")
    if width == 0:
        return [values]
    return [values[i : i + width] for i in range(0, len(values), width)]


@function("alltrue", 1, 1)
def _alltrue(items: Value) -> Value:
    return all(to_bool(item, "element") for item in as_list(items, "the argument of alltrue()"))


@function("anytrue", 1, 1)
def _anytrue(items: Value) -> Value:
    return any(to_bool(item, "element") for item in as_list(items, "the argument of anytrue()"))


@function("matchkeys", 3, 3)
def _matchkeys(values: Value, keys: Value, searchset: Value) -> Value:
    items = as_list(values, "the values of matchkeys()")
    names = as_list(keys, "the keys of matchkeys()")
    wanted = as_list(searchset, "the search set of matchkeys()")
    if len(items) != len(names):
        raise EvalError("matchkeys() needs as many keys as values")
    searched = {set_key(item) for item in wanted}
    return [item for item, key in zip(items, names, strict=True) if set_key(key) in searched]


@function("transpose", 1, 1)
def _transpose(value: Value) -> Value:
    result: dict[str, list[Value]] = {}
    for key, items in as_map(value, "the argument of transpose()").items():
        for item in as_list(items, "each value of transpose()'s map"):
            result.setdefault(to_string(item, "element"), []).append(key)
    return sorted_object((key, sorted(items)) for key, items in result.items())
