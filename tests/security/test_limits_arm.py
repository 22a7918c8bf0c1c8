"""An ARM template that asks for unbounded work is refused in seconds, with its file and line
and the limit it passed: exit 2, never a MemoryError, RecursionError or a hang."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.security.subprocess_run import arm_template, run


def check(tmp_path: Path, template: object) -> list[str]:
    path = tmp_path / "template.json"
    path.write_text(json.dumps(template, indent=1), encoding="utf-8")
    return ["check", str(path), "--format", "json", "--no-builtin"]


def nested(expression: str, wrap: str, depth: int) -> str:
    for _ in range(depth):
        expression = wrap.format(expression)
    return expression


@pytest.mark.parametrize(
    ("variables", "words"),
    [
        pytest.param(
            {"name": "[padLeft('x', 999999999, 'y')]"},
            ["padLeft() asks for a width of 999,999,999", "1,000,000 characters"],
            id="padLeft",
        ),
        pytest.param(
            {"name": "[format('{0,999999999}', 'x')]"},
            ["format() asks for a width of 999,999,999"],
            id="format-alignment",
        ),
        pytest.param(
            {"name": "[format('{0:D999999999}', 1)]"},
            ["format() asks for a width of 999,999,999"],
            id="format-digits",
        ),
        pytest.param(
            {"name": "[" + nested("'x'", "concat({0}, 'y')", 1000) + "]"},
            ["the expression nests too deeply", "256 levels of nesting"],
            id="nested-calls",
        ),
        pytest.param(
            {"name": "[string(json('{}')" + ".a" * 10_000 + ")]"},
            ["the expression nests too deeply", "256 levels of nesting"],
            id="long-property-chain",
        ),
        pytest.param(
            {
                "s0": "[padLeft('x', 1000000, 'x')]",
                **{
                    f"s{i}": f"[concat(variables('s{i - 1}'), variables('s{i - 1}'))]"
                    for i in range(1, 8)
                },
                "name": "[variables('s7')]",
            },
            ["concat() makes a string of", "4,194,304 characters"],
            id="doubling-variables",
        ),
        pytest.param(
            {
                "l1": "[range(0, 10000)]",
                "l2": "[createArray(" + ", ".join(["variables('l1')"] * 100) + ")]",
                "l3": "[createArray(" + ", ".join(["variables('l2')"] * 100) + ")]",
                "name": "[string(variables('l3'))]",
            },
            ["makes a string of", "4,194,304 characters"],
            id="string-of-shared-arrays",
        ),
        pytest.param(
            {
                "l1": "[range(0, 10000)]",
                "l2": "[createArray(" + ", ".join(["variables('l1')"] * 200) + ")]",
                "name": "[string(length(flatten(variables('l2'))))]",
            },
            ["flatten() makes a collection of", "100,000 elements"],
            id="flatten",
        ),
        pytest.param(
            {"name": "[replace(padLeft('', 1000000, 'x'), 'x', padLeft('', 1000, 'y'))]"},
            ["replace() makes a string of", "4,194,304 characters"],
            id="replace",
        ),
    ],
)
def test_a_value_too_large_is_refused_with_its_line(
    variables: dict[str, object], words: list[str], tmp_path: Path
) -> None:
    outcome = run(*check(tmp_path, arm_template(variables)), cwd=tmp_path)
    outcome.refused("template.json:", *words)


def test_copy_loops_in_nested_deployments_stop_at_the_instance_total(tmp_path: Path) -> None:
    """Each copy loop stays within ARM's 800; nested three deep, they make half a billion."""
    inner: dict[str, object] = {
        "type": "Microsoft.Network/networkSecurityGroups",
        "apiVersion": "2023-04-01",
        "name": "[concat('nsg', copyIndex())]",
        "location": "eastus",
        "copy": {"name": "nsgs", "count": 800},
    }
    for level in range(3):
        inner = {
            "type": "Microsoft.Resources/deployments",
            "apiVersion": "2022-09-01",
            "name": f"[concat('level{level}-', copyIndex())]",
            "copy": {"name": f"level{level}", "count": 800},
            "properties": {
                "mode": "Incremental",
                "template": {
                    "$schema": arm_template({})["$schema"],
                    "contentVersion": "1.0.0.0",
                    "resources": [inner],
                },
            },
        }
    template = arm_template({"name": "vnet"})
    template["resources"] = [*template["resources"], inner]  # type: ignore[list-item]
    outcome = run(*check(tmp_path, template), cwd=tmp_path)
    outcome.refused("template.json:", "100,000 resource instances in total")


def test_a_template_nested_too_deeply_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "template.json"
    text = json.dumps(arm_template({"name": "vnet", "deep": "@"}))
    path.write_text(text.replace('"@"', "[" * 900 + "]" * 900), encoding="utf-8")
    outcome = run("check", str(path), "--no-builtin", cwd=tmp_path)
    assert outcome.code == 2, outcome.stderr
    assert "internal error" not in outcome.stderr
    assert "nested too deeply" in outcome.stderr


def test_an_expression_that_evaluates_too_long_stops_at_the_time_budget(tmp_path: Path) -> None:
    """Small values, many steps: only the clock stops it (shortened here to 2 s)."""
    busy = "[length(map(range(0, 10000), lambda('i', map(range(0, 10000), lambda('j', 1)))))]"
    prelude = "import reachlint.limits as limits\nlimits.MAX_EVALUATION_SECONDS = 2.0"
    outcome = run(*check(tmp_path, arm_template({"name": busy})), cwd=tmp_path, prelude=prelude)
    outcome.refused("template.json:", "the evaluation takes too long", "2 seconds")
    assert outcome.seconds < 15


def test_a_template_larger_than_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "template.json"
    text = json.dumps(arm_template({"name": "vnet"}))
    path.write_text(text + " " * (17 * 1024 * 1024), encoding="utf-8")
    outcome = run("check", str(path), "--no-builtin", cwd=tmp_path)
    outcome.refused("template.json", "bytes", "16,777,216 bytes")


def test_property_loops_inside_property_loops_stop_at_the_bytes_limit(tmp_path: Path) -> None:
    """Each loop within ARM's 800; three nested in one variable make half a billion values."""
    value: object = "x"
    for level in range(3):
        value = {"copy": [{"name": f"l{level}", "count": 800, "input": value}]}
    variables = {"big": value, "name": "[string(length(variables('big').l2))]"}
    outcome = run(*check(tmp_path, arm_template(variables)), cwd=tmp_path)
    outcome.refused("template.json:", "268,435,456 bytes per input")
