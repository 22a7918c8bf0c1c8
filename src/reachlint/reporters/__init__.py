"""Report formats. Each reads the Report alone and knows nothing of providers."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reachlint.report import Report

FORMATS = ("text", "json")
# Named in the contract and accepted by later releases; refused with a clear sentence for now.
PLANNED_FORMATS = ("sarif", "github", "markdown", "junit")


def render(report: Report, fmt: str, *, color: bool = False) -> str:
    """The report in format `fmt` (one of FORMATS), ending with a newline."""
    if fmt == "json":
        from reachlint.reporters.json import render_json

        return render_json(report)
    if fmt == "text":
        from reachlint.reporters.text import render_text

        return render_text(report, color=color)
    raise ValueError(f"unknown format {fmt!r}")
