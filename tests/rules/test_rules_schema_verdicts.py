"""A rules file the quick validator passes, jsonschema passes too: skipping jsonschema for the
files it passes lets nothing invalid through. (The other way round they may differ: Python's
`$` also matches before a final newline, Rust's does not; such a file goes on to jsonschema.)"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import pytest
import yaml

from reachlint.rules.schema import rules_schema

ROOT = Path(__file__).resolve().parents[2]
RULES_FILES = sorted(
    [*ROOT.glob("fixtures/**/rules*.yaml"), *ROOT.glob("rules/*.yaml")],
    key=lambda path: str(path),
)
# Values of every JSON type and the strings the schema's patterns and enums judge.
REPLACEMENTS: list[Any] = [
    None,
    True,
    0,
    -1,
    1.5,
    "",
    "x",
    "22",
    "22-",
    " 80 - 443 ",
    "bad name!",
    "22\n",
    [],
    ["x"],
    [1],
    {},
    {"x": 1},
]


def _documents() -> list[tuple[str, Any]]:
    found = []
    for path in RULES_FILES:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "version" in data:
            found.append((str(path.relative_to(ROOT)), data))
    return found


def _places(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _places(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _places(value, (*path, index))


def _replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    changed = copy.deepcopy(data)
    parent = changed
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return changed


def _variants(data: Any) -> Iterator[Any]:
    for place in _places(data):
        for value in REPLACEMENTS:
            yield _replaced(data, place, value)
        target = data
        for step in place:
            target = target[step]
        if isinstance(target, dict):
            yield _replaced(data, place, {**target, "unexpected": 1})
            for key in target:
                yield _replaced(data, place, {k: v for k, v in target.items() if k != key})


DOCUMENTS = _documents()


def test_the_rules_files_of_the_repository_are_found() -> None:
    assert len(DOCUMENTS) >= 40


@pytest.mark.parametrize(("name", "data"), DOCUMENTS, ids=[name for name, _ in DOCUMENTS])
def test_what_the_quick_validator_passes_jsonschema_passes(name: str, data: Any) -> None:
    schema = rules_schema()
    quick = jsonschema_rs.Draft202012Validator(schema)
    thorough = jsonschema.Draft202012Validator(schema)
    passed = refused = 0
    for variant in _variants(data):
        if quick.is_valid(variant):
            assert thorough.is_valid(variant), variant
            passed += 1
        else:
            refused += 1
    assert passed > 0 and refused > 0  # both verdicts were met
