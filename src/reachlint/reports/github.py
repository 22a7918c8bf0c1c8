"""GitHub Actions workflow-command annotations, on the line that opens each path.

GitHub shows at most 10 annotations of each level per step, so the most severe come first, and
the whole report goes to the job summary (GITHUB_STEP_SUMMARY) where nothing is cut. Text from
the input is on one line (`one_line`) and escaped as GitHub reads command values, so it can
neither end a command nor start one.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from reachlint.errors import InputError
from reachlint.reports.places import (
    PathLike,
    Place,
    plural,
    primary_place,
    severity_rank,
    step_text,
    steps,
)
from reachlint.reports.text import addressed_traffic_text
from reachlint.safe_text import one_line as _s
from reachlint.safe_text import workflow_data, workflow_property

if TYPE_CHECKING:
    from reachlint.reports.schema import DiffReport, Report

ANNOTATIONS_SHOWN_PER_LEVEL = 10
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "notice"}


def render_github(report: Report) -> str:
    findings = sorted(report.active_findings, key=lambda finding: severity_rank(finding.severity))
    lines = [
        _command(
            LEVEL[finding.severity],
            primary_place(finding, report.inputs),
            f"{'checkov ' if finding.tool == 'checkov' else ''}{_s(finding.rule)} "
            f"({finding.severity}): {_s(finding.title)}",
            _body(_s(finding.message), finding)
            + (f"\nguideline: {_s(finding.guideline)}" if finding.guideline else ""),
        )
        for finding in findings
    ]
    lines += [
        _command(
            "warning",
            Place(problem.file, problem.line),
            "reachlint suppression",
            _s(problem.message),
        )
        for problem in report.suppression_problems or []
    ]
    counts = ", ".join(
        f"{count} {severity}" for severity, count in report.summary.by_severity.items()
    )
    head = f"{plural(report.summary.findings, 'finding')}: {counts}" if counts else "no findings"
    suppressed = report.summary.suppressed
    tail = f", {suppressed} suppressed" if suppressed else ""
    lines.append(f"reachlint: {head}{tail}{_overflow(lines)}")
    return "\n".join(lines) + "\n"


def render_github_diff(diff: DiffReport) -> str:
    opened = sorted(diff.opened, key=lambda change: severity_rank(change.severity))
    lines = []
    for change in opened:
        level = LEVEL[change.severity] if change.severity else "notice"
        source, destination = _s(change.source.address), _s(change.destination.address)
        breaks = f"; breaks {', '.join(map(_s, change.rules))}" if change.rules else ""
        title = f"Opens {source} → {destination}{breaks}"
        message = f"The change opens {source} to {destination} on {addressed_traffic_text(change)}"
        lines.append(
            _command(level, primary_place(change, diff.head), title, _body(message, change))
        )
    for change in diff.closed:
        source, destination = _s(change.source.address), _s(change.destination.address)
        title = f"Closes {source} → {destination}"
        message = f"The change closes {source} to {destination} on {addressed_traffic_text(change)}"
        lines.append(
            _command("notice", primary_place(change, diff.base), title, _body(message, change))
        )
    for finding in diff.new_suppressions or []:
        title = f"{finding.rule} ({finding.severity}): {finding.title}"
        place = primary_place(finding, diff.head)
        lines.append(_command(LEVEL[finding.severity], place, title, _s(finding.message)))
    summary = diff.summary
    added = summary.new_suppressions
    adds = f", adds {plural(added, 'suppression')}" if added else ""
    lines.append(
        f"reachlint: the change opens {plural(summary.opened, 'flow')} and closes "
        f"{summary.closed}{adds}{_overflow(lines)}"
    )
    return "\n".join(lines) + "\n"


def _body(message: str, item: PathLike) -> str:
    path = "\n".join(
        f"{number}. {step_text(step)}" + (f" [{step.place}]" if step.place else "")
        for number, step in enumerate(steps(item), start=1)
    )
    return f"{message}\npath:\n{path}"


def _overflow(lines: list[str]) -> str:
    """A word on the job summary when some level has more annotations than GitHub shows."""
    levels = Counter(line.partition(" ")[0] for line in lines)
    if any(count > ANNOTATIONS_SHOWN_PER_LEVEL for count in levels.values()):
        return " (GitHub shows 10 annotations of each level; the job summary lists all)"
    return ""


def _command(level: str, place: Place, title: str, message: str) -> str:
    # The file stays as the input names it, for GitHub to find; escaped, it cannot end the command.
    file, title = workflow_property(place.file), workflow_property(title)
    return f"::{level} file={file},line={place.line},title={title}::{workflow_data(message)}"


def write_step_summary(markdown: str, environ: dict[str, str] | None = None) -> bool:
    """Append to the job summary when running in GitHub Actions; False when not."""
    target = (environ if environ is not None else dict(os.environ)).get("GITHUB_STEP_SUMMARY")
    if not target:
        return False
    try:
        with Path(target).open("a", encoding="utf-8") as summary:
            summary.write(markdown if markdown.endswith("\n") else markdown + "\n")
    except OSError as error:
        raise InputError(f"cannot write the job summary: {error.strerror}", file=target) from None
    return True
