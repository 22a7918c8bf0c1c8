"""A pull-request comment: a summary table by severity, then each finding with its path drawn
as a Mermaid flowchart (GitHub renders it), long lists collapsed.

GitHub refuses comments over 65,536 characters: past a budget the remaining findings are listed
in one line each, and past that they are counted, never cut in the middle.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from reachlint.reporters.places import (
    PathLike,
    Step,
    plural,
    primary_place,
    severity_rank,
    step_text,
    steps,
)
from reachlint.reporters.text import traffic_text

if TYPE_CHECKING:
    from reachlint.report import DiffReport, Finding, FlowChange, NoteRef, Report

MARKER = "<!-- reachlint -->"
DIAGRAMS_PER_GROUP = 3
BUDGET = 60_000  # characters, under GitHub's 65,536 with room for the tail
NOTES_SHOWN = 20
_BADGE = {"critical": "🔴", "high": "🟠", "medium": "🟡", "low": "🔵"}


def render_markdown(report: Report) -> str:
    active = report.active_findings
    summary = report.summary
    title = plural(summary.findings, "finding") if summary.findings else "no findings"
    out = [MARKER, f"## reachlint: {title}", ""]
    if summary.by_severity:
        out += ["| Severity | Findings |", "| --- | ---: |"]
        out += [
            f"| {_BADGE.get(severity, '')} {severity} | {count} |"
            for severity, count in summary.by_severity.items()
        ]
        out.append("")
    facts = [
        f"Checked {', '.join(f'`{name}`' for name in report.inputs)}",
        plural(summary.rules, "rule"),
        plural(summary.endpoints, "endpoint"),
    ]
    if summary.suppressed:
        facts.append(f"{summary.suppressed} suppressed")
    out += [" · ".join(facts), ""]
    budget = _Budget(sum(len(line) + 1 for line in out))
    groups: dict[str, list[Finding]] = {}
    for finding in sorted(active, key=lambda item: severity_rank(item.severity)):
        groups.setdefault(finding.rule, []).append(finding)
    for rule, findings in groups.items():
        first = findings[0]
        tool = "checkov " if first.tool == "checkov" else ""
        heading = (
            f"### {_BADGE[first.severity]} {tool}{rule} ({first.severity}): "
            f"{_inline(first.title)} — {plural(len(findings), 'finding')}"
        )
        out += budget.take([heading, ""])
        out += _items(findings, report.inputs, budget, f"{rule} findings")
    out += _diagram_section(report, budget)
    out += _suppressed_section(report)
    out += _problems_section(report)
    out += _notes_section(report.notes)
    if budget.left_out:
        out += [
            f"_{plural(budget.left_out, 'more finding')} not shown: the comment would be too "
            "long. The job summary and the SARIF results list them all._",
            "",
        ]
    return "\n".join(out).rstrip("\n") + "\n"


def render_markdown_diff(diff: DiffReport) -> str:
    summary = diff.summary
    title = f"{plural(summary.opened, 'flow')} opened, {summary.closed} closed"
    if summary.new_suppressions:
        title += f", {plural(summary.new_suppressions, 'suppression')} added"
    out = [
        MARKER,
        f"## reachlint diff: {title}",
        "",
        f"Base {', '.join(f'`{n}`' for n in diff.base)} → head "
        f"{', '.join(f'`{n}`' for n in diff.head)}",
        "",
    ]
    if summary.by_severity:
        out += ["| Opened flows that break a rule | Flows |", "| --- | ---: |"]
        out += [
            f"| {_BADGE.get(severity, '')} {severity} | {count} |"
            for severity, count in summary.by_severity.items()
        ]
        out.append("")
    budget = _Budget(sum(len(line) + 1 for line in out))
    if diff.opened:
        out += budget.take(["### Opened", ""])
        opened = sorted(diff.opened, key=lambda change: severity_rank(change.severity))
        out += _items(opened, diff.head, budget, "opened flows")
    else:
        out += ["The change opens no flow.", ""]
    if diff.closed:
        out += [f"<details><summary>{plural(len(diff.closed), 'flow')} closed</summary>", ""]
        for change in diff.closed:
            line = f"- {_ends(change)} on {traffic_text(change.traffic)}"
            out += budget.take([line]) if budget.fits(line) else budget.skip()
        out += ["", "</details>", ""]
    if diff.new_suppressions:
        heading = f"### {_BADGE['low']} Suppressions the change adds"
        out += budget.take([heading, ""])
        out += _items(diff.new_suppressions, diff.head, budget, "suppressions added")
    out += _notes_section(diff.notes)
    if budget.left_out:
        out += [f"_{plural(budget.left_out, 'more flow')} not shown: too long for a comment._", ""]
    return "\n".join(out).rstrip("\n") + "\n"


class _Budget:
    """How much of the comment is left; what did not fit is counted."""

    def __init__(self, used: int) -> None:
        self.used = used
        self.left_out = 0

    def fits(self, *lines: str) -> bool:
        return self.used + sum(len(line) + 1 for line in lines) <= BUDGET

    def take(self, lines: list[str]) -> list[str]:
        self.used += sum(len(line) + 1 for line in lines)
        return lines

    def skip(self) -> list[str]:
        self.left_out += 1
        return []


def _items(
    items: Sequence[Finding | FlowChange], inputs: list[str], budget: _Budget, what: str
) -> list[str]:
    out: list[str] = []
    rest: list[str] = []
    for position, item in enumerate(items):
        if position < DIAGRAMS_PER_GROUP:
            block = _full(item, inputs)
            if budget.fits(*block):
                out += budget.take(block)
                continue
        line = f"- {_headline(item, inputs)}"
        rest += budget.take([line]) if budget.fits(line) else budget.skip()
    if rest:
        out += [f"<details><summary>{len(rest)} more {what}</summary>", "", *rest]
        out += ["", "</details>", ""]
    return out


def _headline(item: PathLike, inputs: list[str]) -> str:
    from reachlint.report import Finding

    if isinstance(item, Finding) and item.source == item.destination:  # about one place
        link = f" ([guideline]({item.guideline}))" if item.guideline else ""
        return (
            f"**{_name(item.destination.address)}**: {_inline(item.message)}{link} — at "
            f"`{primary_place(item, inputs)}`"
        )
    return (
        f"{_ends(item)} on {traffic_text(item.traffic)} — opened at `{primary_place(item, inputs)}`"
    )


def _ends(item: PathLike) -> str:
    return f"**{_name(item.source.address)} → {_name(item.destination.address)}**"


def _full(item: Finding | FlowChange, inputs: list[str]) -> list[str]:
    path_steps = steps(item)
    lines = [_headline(item, inputs), ""]
    if item.source == item.destination:  # a finding about one place: no path to draw
        return lines
    rules = getattr(item, "rules", None)
    if rules:
        lines += [f"Breaks {', '.join(f'`{rule}`' for rule in rules)}.", ""]
    if getattr(item, "related", None):  # checkov flags the same opening: the message says so
        lines += [_inline(getattr(item, "message", "")), ""]
    lines += ["```mermaid", *_flowchart(path_steps, traffic_text(item.traffic)), "```", ""]
    lines += [f"<details><summary>Path: {plural(len(path_steps), 'step')}</summary>", ""]
    for number, step in enumerate(path_steps, start=1):
        where = f" · `{step.place}`" if step.place else ""
        lines.append(f"{number}. {_inline(step_text(step))}{where}")
    lines += ["", "</details>", ""]
    return lines


def _flowchart(path_steps: list[Step], traffic: str) -> list[str]:
    lines = ["flowchart LR"]
    for number, step in enumerate(path_steps):
        label = _mermaid(step.address) + "<br/>" + _mermaid(step.kind)
        shape = f'(["{label}"])' if step.end else f'["{label}"]'
        lines.append(f"  s{number}{shape}")
    for number in range(len(path_steps) - 1):
        arrow = f'-- "{_mermaid(traffic)}" -->' if number == len(path_steps) - 2 else "-->"
        lines.append(f"  s{number} {arrow} s{number + 1}")
    return lines


def _mermaid(text: str) -> str:
    """Text inside a quoted Mermaid label: entity codes for what would end or break it."""
    return (
        text.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    )


def _name(address: str) -> str:
    return address if address == "internet" else f"`{address}`"


def _inline(text: str) -> str:
    """Plain text that Markdown and HTML in a comment leave alone."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _diagram_section(report: Report, budget: _Budget) -> list[str]:
    """The network drawn (GitHub renders Mermaid), collapsed: findings are red arrows."""
    if not report.diagram:
        return []
    lines = [
        "<details><summary>The network</summary>",
        "",
        "```mermaid",
        *report.diagram.rstrip("\n").splitlines(),
        "```",
        "",
        "</details>",
        "",
    ]
    return lines if budget.fits(*lines) else []


def _suppressed_section(report: Report) -> list[str]:
    suppressed = [finding for finding in report.findings if finding.suppressed is not None]
    if not suppressed:
        return []
    out = [f"<details><summary>{plural(len(suppressed), 'suppressed finding')}</summary>", ""]
    for finding in suppressed:
        assert finding.suppressed is not None
        how = "baseline" if finding.suppressed.kind == "baseline" else "suppressed"
        where = (
            f" at `{finding.suppressed.file}:{finding.suppressed.line}`"
            if (finding.suppressed.file)
            else ""
        )
        out.append(
            f"- `{finding.rule}` {_ends(finding)} on {traffic_text(finding.traffic)} — {how}"
            f"{where}: {_inline(finding.suppressed.reason)}"
        )
    return [*out, "", "</details>", ""]


def _problems_section(report: Report) -> list[str]:
    problems = report.suppression_problems or []
    if not problems:
        return []
    out = ["### Suppressions that suppress nothing", ""]
    out += [
        f"- `{problem.file}:{problem.line}`: {_inline(problem.message)}" for problem in problems
    ]
    return [*out, ""]


def _notes_section(notes: list[NoteRef]) -> list[str]:
    if not notes:
        return []
    out = [
        f"<details><summary>{plural(len(notes), 'note')} on what could not be modelled or "
        "known</summary>",
        "",
    ]
    for note in notes[:NOTES_SHOWN]:
        subject = f"`{note.address}`: " if note.address else ""
        out.append(f"- {subject}{_inline(note.message)}")
    if len(notes) > NOTES_SHOWN:
        out.append(f"- and {len(notes) - NOTES_SHOWN} more (`--format json` lists them all)")
    return [*out, "", "</details>", ""]
