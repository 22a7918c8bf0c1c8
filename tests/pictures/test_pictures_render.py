"""Every diagram the fixtures produce, drawn by the real mermaid.js in headless Chromium:
none may fail to render, and each must stay readable at a pull-request comment's width.

The network diagram (`graph`, and the one a Markdown report ends with) and every path diagram
of the Markdown report are collected from every fixture with an expected.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest

from tests.expectations import FIXTURES, REPO, load_expectation
from tests.pictures.renderer import COMMENT_WIDTH, render, require_renderer

CASES = sorted(FIXTURES.glob("**/expected*.yaml"))
_BLOCK = re.compile(r"```mermaid\n(.*?)```", re.DOTALL)
_SUBNETS = re.compile(r"^  class (\S+) subnet$", re.MULTILINE)
_CIDR = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}/\d{1,2}(?!\d)")


@dataclass(frozen=True)
class Diagram:
    name: str  # the fixture, and which diagram of its report
    kind: str  # "network" or "path"
    text: str


def _diagrams() -> list[Diagram]:
    from reachlint.commands.check import run_check
    from reachlint.reports import render as render_report

    found: dict[str, Diagram] = {}
    for case in CASES:
        expectation = load_expectation(case)
        report = run_check(
            expectation.inputs,
            expectation.rules,
            builtin=expectation.builtin,
            assume_unknown="closed" if expectation.assume_unknown == "closed" else "open",
            diagram=True,
        )
        name = case.relative_to(FIXTURES).as_posix()
        for number, text in enumerate(_BLOCK.findall(render_report(report, "markdown"))):
            kind = "network" if text == report.diagram else "path"
            found.setdefault(text, Diagram(f"{name}#{number}", kind, text))
    return list(found.values())


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Diagram, dict[str, Any]]]:
    require_renderer()
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)  # the fixtures name their inputs relative to the repository
        diagrams = _diagrams()
    results = render([diagram.text for diagram in diagrams], tmp_path_factory.mktemp("mermaid"))
    return list(zip(diagrams, results, strict=True))


def test_the_fixtures_give_both_kinds_of_diagram(
    drawn: list[tuple[Diagram, dict[str, Any]]],
) -> None:
    kinds = [diagram.kind for diagram, _ in drawn]
    assert kinds.count("network") >= 30
    assert kinds.count("path") >= 30


def test_mermaid_renders_every_diagram(drawn: list[tuple[Diagram, dict[str, Any]]]) -> None:
    failed = [f"{d.name}: {r['error']}" for d, r in drawn if not r["ok"]]
    assert not failed, "\n".join(failed)


def test_path_diagrams_fit_a_comment_without_shrinking(
    drawn: list[tuple[Diagram, dict[str, Any]]],
) -> None:
    wide = [
        f"{d.name}: {r['width']:.0f} px"
        for d, r in drawn
        if d.kind == "path" and r["ok"] and r["width"] > COMMENT_WIDTH
    ]
    assert not wide, "\n".join(wide)


def test_every_box_title_shows_its_address_range(
    drawn: list[tuple[Diagram, dict[str, Any]]],
) -> None:
    hidden = [
        f"{d.name}: {title['text']}"
        for d, r in drawn
        if r["ok"]
        for title in r["titles"]
        if title["hidden"]
    ]
    assert not hidden, "\n".join(hidden)
    # Every range the text writes is in a title or a node mermaid drew.
    for diagram, result in drawn:
        if diagram.kind == "network" and result["ok"]:
            drawn_texts = [title["text"] for title in result["titles"]] + result["texts"]
            shown = {cidr for text in drawn_texts for cidr in _CIDR.findall(text)}
            assert set(_CIDR.findall(diagram.text)) <= shown, diagram.name


@pytest.mark.parametrize("kind", ["path", "network"])
def test_no_label_covers_another(drawn: list[tuple[Diagram, dict[str, Any]]], kind: str) -> None:
    """The reasons on a path's arrows; the traffic and findings on a network's."""
    crossed = [
        f"{d.name}: {pair}" for d, r in drawn if d.kind == kind and r["ok"] for pair in r["crossed"]
    ]
    assert not crossed, "\n".join(crossed)


def test_subnets_are_dashed_so_an_empty_one_is_no_endpoint(
    drawn: list[tuple[Diagram, dict[str, Any]]],
) -> None:
    checked = 0
    for diagram, result in drawn:
        found = _SUBNETS.search(diagram.text)
        if diagram.kind == "network" and result["ok"] and found:
            dashed = sum(title["dashed"] for title in result["titles"]) + result["dashedNodes"]
            assert dashed == len(found.group(1).split(",")), diagram.name
            checked += 1
    assert checked >= 20
