"""Option values converted without typer's pydantic validators are the values, and the
messages, those validators give (commands/cli/coercion.py)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any

import pytest
import typer
from typer._click import Context
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param

from reachlint.commands.cli import app
from reachlint.commands.cli.coercion import use_plain_coercion

SAMPLES: dict[str, list[Any]] = {
    "Path": ["plan.json", "dir with space/", "", "-", Path("x.json")],
    "list[Path]": [["a.json", "b"], ("c",), "single.json"],
    "str": ["json", "", "NAME=va=lue"],
    "list[str]": [["a=1", "b=2"], "one=1"],
    "bool": [True, False],
    "Enum": ["low", "HIGH", "Closed", "open", "severe", "", "Low "],
}


def _parameters() -> list[tuple[str, Any]]:
    root = typer.main.get_command(app)
    found: list[tuple[str, Any]] = []

    def walk(group: Any, path: str) -> None:
        for name, command in getattr(group, "commands", {}).items():
            for param in command.get_params(Context(command)):
                found.append((f"{path} {name} {param.name}", param))
            walk(command, f"{path} {name}")

    walk(root, "reachlint")
    return found


def _kind(annotation: Any) -> str | None:
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "Enum"
    kinds = {
        Path: "Path",
        str: "str",
        bool: "bool",
        list[Path]: "list[Path]",
        list[str]: "list[str]",
    }
    return kinds.get(annotation)


def _outcome(runtime: Any, value: Any, param: Any, ctx: Context) -> tuple[str, Any]:
    try:
        return "value", runtime.coerce(value, param=param, ctx=ctx)
    except BadParameter as error:
        return "error", error.message


@pytest.mark.parametrize(("where", "param"), _parameters(), ids=lambda item: str(item))
def test_plain_conversion_is_typers(where: str, param: Any) -> None:
    kind = _kind(param.type_descriptor.annotation)
    if kind is None:
        pytest.skip(f"{where}: converted by typer itself")
    ctx = Context(typer.main.get_command(app))
    typers = build_runtime_param(param.type_descriptor)
    param._runtime_param = None
    use_plain_coercion([param])
    plain = param._runtime_param
    assert plain is not None, f"{where}: no plain conversion"
    samples = SAMPLES[kind]
    if kind == "Enum":
        samples = [*samples, *list(param.type_descriptor.annotation)]
    for value in samples:
        assert _outcome(plain, value, param, ctx) == _outcome(typers, value, param, ctx), (
            where,
            value,
        )
