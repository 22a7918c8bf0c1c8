"""The network diagram of a pull-request comment says how to read it."""

from __future__ import annotations

import pytest

from tests.expectations import REPO


def test_the_network_diagram_is_followed_by_its_legend(monkeypatch: pytest.MonkeyPatch) -> None:
    from reachlint.commands.check import run_check
    from reachlint.reports import render

    monkeypatch.chdir(REPO)
    report = run_check([REPO / "fixtures/aws/three-tier/plan.json"], [], diagram=True)
    text = render(report, "markdown")
    after = text.split("<details><summary>The network</summary>")[1].split("```\n\n", 1)[1]
    legend = after.split("\n\n")[0]
    for meaning in ("subnets (dashed)", "hexagons are gateways", "red arrows are findings"):
        assert meaning in legend
    assert "dotted lines join the internet" in legend
