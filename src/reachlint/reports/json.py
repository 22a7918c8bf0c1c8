"""The JSON report (SPEC §3), the stable machine interface."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reachlint.reports.schema import Report


def render_json(report: Report) -> str:
    return report.to_json() + "\n"
