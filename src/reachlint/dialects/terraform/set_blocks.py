"""A plan's nested blocks matched to the configuration blocks that wrote them, by content.

Terraform plans list the elements of a set (the `ingress` rules of a security group, the `route`
blocks of a route table, a network ACL's entries, a classic load balancer's listeners) in an
order of their own, not as written. The configuration, read beside the plan, gives each block's
file and line and the exact resources its expressions name, by position as written. Here each
planned element is matched to the written block whose evaluated content agrees with it, and the
configuration's lines and references are moved to the element's position in the plan.

An element that more than one written block could have made, with different lines or
references, gets none of them: its findings point at the resource, and what it refers to is
left to the plan's own references, shared by the list ("names one of ..."). A wrong line is
worse than a coarse one.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from msgspec import Struct, field

from reachlint.dialects.terraform.links import without_positions
from reachlint.formats.terraform.records import UNKNOWN, TfResource
from reachlint.sources import Origin, UnknownValue

_PROTOCOL_NUMBERS = {"tcp": "6", "udp": "17", "icmp": "1", "icmpv6": "58", "all": "-1"}


class Alignment(Struct):
    """The configuration's origins, references and names of unknown values on the plan's
    paths."""

    origins: dict[str, Origin]
    references: dict[str, list[str]]
    # Paths of the block lists matched here: the plan's own references under them are stale.
    lists: list[str] = field(default_factory=list)
    unknown_values: dict[str, list[UnknownValue]] = field(default_factory=dict)


class _Moves(Struct):
    # Configuration path prefix -> (plan path prefix, whether its references are shared).
    targets: dict[str, list[tuple[str, bool]]] = field(default_factory=lambda: defaultdict(list))
    # Configuration paths of matched block lists: what is under them and not moved is dropped.
    lists: set[str] = field(default_factory=set)
    plan_lists: list[str] = field(default_factory=list)
    # Plan path of an element no single block can be told for -> the blocks it may come from.
    undecided: dict[str, list[str]] = field(default_factory=dict)


def align(plan: TfResource, configured: TfResource) -> Alignment:
    from reachlint.dialects.terraform.schema import block_schema

    moves = _Moves()
    schema = block_schema(plan.mode, plan.type)
    try:
        _walk(plan.values, configured, configured.values, "", "", schema, moves)
    except RecursionError:
        # Values nested deeper than anything a provider declares: keep no block's line.
        return Alignment(
            {path: o for path, o in configured.attribute_origins.items() if "." not in path},
            {path: r for path, r in configured.references.items() if "." not in path},
            unknown_values={
                path: n for path, n in configured.unknown_values.items() if "." not in path
            },
        )
    if not moves.lists:
        return Alignment(
            configured.attribute_origins,
            dict(configured.references),
            unknown_values=dict(configured.unknown_values),
        )
    origins: dict[str, Origin] = {}
    for path, origin in configured.attribute_origins.items():
        for target, _shared in _targets(path, moves):
            origins[target] = origin
    references: dict[str, dict[str, None]] = defaultdict(dict)
    for path, found in configured.references.items():
        for target, shared in _targets(path, moves):
            for address in found:
                references[without_positions(target) if shared else target][address] = None
    for plan_path, candidates in moves.undecided.items():
        # Its references are one of its candidates': shared by the list, as a plan has them.
        for path, found in configured.references.items():
            for candidate in candidates:
                if path.startswith(candidate + "."):
                    list_path = without_positions(plan_path + path[len(candidate) :])
                    references[list_path].update(dict.fromkeys(found))
    # What an unknown value rests on moves with its block; an undecided element keeps none.
    unknown_values = {
        target: named
        for path, named in configured.unknown_values.items()
        for target, shared in _targets(path, moves)
        if not shared
    }
    return Alignment(
        origins,
        {path: list(found) for path, found in references.items()},
        moves.plan_lists,
        unknown_values,
    )


def _targets(path: str, moves: _Moves) -> list[tuple[str, bool]]:
    """Where a configuration path goes in the plan: the deepest moved block decides."""
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        found = moves.targets.get(prefix)
        if found is not None:
            rest = path[len(prefix) :]
            return [(target + rest, shared) for target, shared in found]
        if prefix in moves.lists:
            return []  # a block of a matched list that no planned element came from
    return [(path, False)]


def _walk(
    plan_values: Any,
    configured: TfResource,
    config_values: dict[str, Any],
    config_prefix: str,
    plan_prefix: str,
    schema: dict[str, Any] | None,
    moves: _Moves,
) -> None:
    if not isinstance(plan_values, dict):
        return
    for name, written in config_values.items():
        if not isinstance(written, list) or not written:
            continue
        if not all(isinstance(block, dict) for block in written):
            continue
        planned = plan_values.get(name)
        if not isinstance(planned, list):
            continue  # unknown until apply: the mapper reads no blocks from it
        nesting, inner = _nesting(schema, name)
        config_path, plan_path = config_prefix + name, plan_prefix + name
        pairs = _match(planned, written, nesting, configured, config_path)
        moves.lists.add(config_path)
        moves.plan_lists.append(plan_path)
        for position, (choice, candidates) in enumerate(pairs):
            if choice is None:
                if candidates:
                    moves.undecided[f"{plan_path}.{position}"] = [
                        f"{config_path}.{j}" for j in candidates
                    ]
                continue
            shared = sum(1 for c, _ in pairs if c == choice) > 1
            moves.targets[f"{config_path}.{choice}"].append((f"{plan_path}.{position}", shared))
            _walk(
                planned[position],
                configured,
                written[choice],
                f"{config_path}.{choice}.",
                f"{plan_path}.{position}.",
                inner,
                moves,
            )


def _nesting(schema: dict[str, Any] | None, name: str) -> tuple[str | None, dict[str, Any] | None]:
    """How a block list nests ("list", "set"; None when the schema is not known)."""
    if schema is None:
        return None, None
    block = schema.get("b", {}).get(name)
    if block is not None:
        return str(block[0]), block[3]
    attribute = schema.get("a", {}).get(name)
    if isinstance(attribute, list):
        return str(attribute[1]), _object_schema(attribute[2])
    return None, None


def _object_schema(names: dict[str, Any]) -> dict[str, Any]:
    """An object type's nested lists of objects, in the shape of a block schema."""
    return {"a": {name: ["o", *kind] for name, kind in names.items() if isinstance(kind, list)}}


def _match(
    planned: list[Any], written: list[Any], nesting: str | None, configured: TfResource, path: str
) -> list[tuple[int | None, list[int]]]:
    """For each planned element: the written block it comes from (or None), and its candidates."""
    if nesting == "list" and len(planned) == len(written):
        return [(position, [position]) for position in range(len(planned))]
    candidates = [
        [j for j, block in enumerate(written) if _compatible(block, element)] for element in planned
    ]
    one_each = len(planned) == len(written)
    if one_each:
        _propagate(candidates)
    meaning = [_meaning(configured, f"{path}.{j}") for j in range(len(written))]
    result: list[tuple[int | None, list[int]]] = []
    for found in candidates:
        same = len({meaning[j] for j in found}) == 1
        if len(found) == 1 or (found and (same or _duplicates(written, found, meaning))):
            result.append((found[0], found))
        else:
            result.append((None, found))
    if one_each:
        _interchangeable(planned, candidates, result)
    return result


def _propagate(candidates: list[list[int]]) -> None:
    """Each written block made exactly one planned element: narrow the candidates until
    nothing changes (a block taken by one element is no other's; a block only one element can
    have is that element's)."""
    changed = True
    while changed:
        changed = False
        for position, found in enumerate(candidates):
            if len(found) != 1:
                continue
            for other, others in enumerate(candidates):
                if other != position and found[0] in others:
                    others.remove(found[0])
                    changed = True
        holders: dict[int, list[int]] = defaultdict(list)
        for position, found in enumerate(candidates):
            for j in found:
                holders[j].append(position)
        for j, positions in holders.items():
            if len(positions) == 1 and len(candidates[positions[0]]) > 1:
                candidates[positions[0]] = [j]
                changed = True


def _interchangeable(
    planned: list[Any], candidates: list[list[int]], result: list[tuple[int | None, list[int]]]
) -> None:
    """Planned elements alike in every value (their differences known only after apply) may
    take their blocks in any order: the model is the same whichever takes which."""
    alike: dict[str, list[int]] = defaultdict(list)
    for position, element in enumerate(planned):
        if result[position][0] is None:
            alike[repr(_canonical(element))].append(position)
    for positions in alike.values():
        shared = {tuple(candidates[p]) for p in positions}
        if len(shared) == 1 and len(candidates[positions[0]]) == len(positions):
            for position, j in zip(positions, candidates[positions[0]], strict=True):
                result[position] = (j, candidates[position])


def _duplicates(written: list[Any], found: list[int], meaning: list[tuple[object, ...]]) -> bool:
    """Blocks written twice with the same known content: a set keeps one, either is its line."""
    first = written[found[0]]
    return not _has_unknown(first) and all(
        written[j] == first and meaning[j][1] == meaning[found[0]][1] for j in found
    )


def _has_unknown(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(_has_unknown(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_unknown(item) for item in value)
    return False


def _meaning(configured: TfResource, prefix: str) -> tuple[object, ...]:
    """What a written block brings to the model besides its values: its lines and references."""
    start = len(prefix)
    origins = sorted(
        (path[start:], origin.file or "", origin.line or 0)
        for path, origin in configured.attribute_origins.items()
        if path == prefix or path.startswith(prefix + ".")
    )
    references = sorted(
        (path[start:], tuple(found))
        for path, found in configured.references.items()
        if path.startswith(prefix + ".")
    )
    return tuple(origins), tuple(references)


def _compatible(written: Any, planned: Any) -> bool:
    """Whether the planned value can be what the written one evaluates to (unknown: anything)."""
    if written is UNKNOWN or planned is UNKNOWN or written is None:
        return True
    if isinstance(written, dict):
        return isinstance(planned, dict) and all(
            _compatible(value, planned.get(key)) for key, value in written.items()
        )
    if isinstance(written, list):
        if planned is None:
            return not written
        if not isinstance(planned, list):
            return False
        if len(written) != len(planned) and UNKNOWN not in written:
            return False
        # Sets of strings come back in their own order too: any order will do.
        left = list(planned)
        for item in written:
            if item is UNKNOWN:
                continue
            found = next((i for i, other in enumerate(left) if _compatible(item, other)), None)
            if found is None:
                return False
            left.pop(found)
        return True
    if planned is None:
        return written in ("", False)
    return _scalar(written) == _scalar(planned)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip().lower()
    return _PROTOCOL_NUMBERS.get(text, text)


def _canonical(value: Any) -> Any:
    if value is UNKNOWN:
        return "<unknown>"
    if isinstance(value, dict):
        return sorted((key, _canonical(item)) for key, item in value.items())
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    return value
