"""The JSON report (SPEC §3), the stable machine interface."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reachlint.reports.schema import Report


def render_json(report: Report) -> str:
    return report.to_json() + "\n"


def json_pieces(report: Report) -> Iterator[str]:
    """render_json's text in pieces, a finding at a time."""
    from reachlint.reports.schema import document_json_pieces

    yield from document_json_pieces(report, "findings")
    yield "\n"
