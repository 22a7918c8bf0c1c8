"""GitLab's code quality report (a JSON array of issues), shown in merge requests."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from typing import TYPE_CHECKING, Any

from reachlint.reports.places import PathLike, primary_place, step_text, steps
from reachlint.reports.text import addressed_traffic_text
from reachlint.safe_text import json_text, json_text_pieces

if TYPE_CHECKING:
    from reachlint.reports.schema import DiffReport, Report

SEVERITY = {"critical": "blocker", "high": "critical", "medium": "major", "low": "minor"}


def render_gitlab(report: Report) -> str:
    return "".join(gitlab_pieces(report))


def gitlab_pieces(report: Report) -> Iterator[str]:
    """render_gitlab's text in pieces, an issue at a time (see json_text_pieces)."""
    issues = (
        _issue(
            check=finding.rule,
            description=f"{finding.rule}: {finding.message}",
            severity=SEVERITY[finding.severity],
            fingerprint=finding.fingerprint or _fallback(finding.rule, finding),
            item=finding,
            inputs=report.inputs,
            engine=finding.tool,
        )
        for finding in report.active_findings
    )
    problems = [
        {
            "type": "issue",
            "check_name": "REACHLINT-SUPPRESSION",
            "description": problem.message,
            "categories": ["Style"],
            "severity": "minor",
            "fingerprint": _hash(f"{problem.file}:{problem.line}:{problem.message}"),
            "location": {"path": problem.file, "lines": {"begin": problem.line}},
            "engine_name": "reachlint",
        }
        for problem in report.suppression_problems or []
    ]
    document: list[dict[str, Any]] = []
    yield from json_text_pieces(document, document, chain(issues, problems))
    yield "\n"


def render_gitlab_diff(diff: DiffReport) -> str:
    """Every opened flow is an issue: as severe as the rules it breaks, else informational."""
    issues = []
    for change in diff.opened:
        breaks = f" (breaks {', '.join(change.rules)})" if change.rules else ""
        issues.append(
            _issue(
                check="FLOW-OPENED",
                description=(
                    f"The change opens {change.source.address} to {change.destination.address} "
                    f"on {addressed_traffic_text(change)}{breaks}"
                ),
                severity=SEVERITY[change.severity] if change.severity else "info",
                fingerprint=change.fingerprint or _fallback("FLOW-OPENED", change),
                item=change,
                inputs=diff.head,
            )
        )
    for finding in diff.new_suppressions or []:
        issues.append(
            _issue(
                check=finding.rule,
                description=f"{finding.rule}: {finding.message}",
                severity=SEVERITY[finding.severity],
                fingerprint=finding.fingerprint or _fallback(finding.rule, finding),
                item=finding,
                inputs=diff.head,
            )
        )
    return json_text(issues) + "\n"


def _issue(
    *,
    check: str,
    description: str,
    severity: str,
    fingerprint: str,
    item: PathLike,
    inputs: list[str],
    engine: str = "reachlint",
) -> dict[str, Any]:
    place = primary_place(item, inputs)
    path = "\n".join(
        f"{number}. {step_text(step)}" + (f" (`{step.place}`)" if step.place else "")
        for number, step in enumerate(steps(item), start=1)
    )
    return {
        "type": "issue",
        "check_name": check,
        "description": description,
        "content": {"body": f"Traffic: {addressed_traffic_text(item)}\n\nPath:\n\n{path}"},
        "categories": ["Security"],
        "severity": severity,
        "fingerprint": fingerprint,
        "location": {"path": place.file, "lines": {"begin": place.line}},
        "engine_name": engine,
    }


def _fallback(kind: str, item: PathLike) -> str:
    from reachlint.rules.findings import fingerprint

    return fingerprint(kind, item.source.address, item.destination.address, item.traffic)


def _hash(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]
