"""A pull-request comment: a summary table by severity, then each finding with its path drawn
as a Mermaid flowchart (GitHub renders it), long lists collapsed.

The comment is public and its text comes from the pull request: every name, address, file,
description, reason and note goes through `reachlint.safe_text` (a code span it cannot end,
prose with no markup, HTML, link, mention or issue reference, a Mermaid label it cannot leave),
and long ones are clipped with a marker.

GitHub refuses comments over 65,536 characters. Every section counts against one budget: the
suppression problems, the suppressed findings and the notes first, each up to a share of it;
the findings take what is left (past it they are listed in one line each, then counted); the
network diagram comes last, whole or not at all. A collapsed block is kept or left out whole,
never cut in the middle.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from reachlint.reports.path_chart import path_flowchart
from reachlint.reports.places import (
    PathLike,
    plural,
    primary_place,
    severity_rank,
    step_text,
    steps,
)
from reachlint.reports.text import addressed_traffic_text
from reachlint.safe_text import md_code, md_html, md_text

if TYPE_CHECKING:
    from reachlint.reports.schema import DiffReport, FlowChange, NoteRef, Report
    from reachlint.rules.findings import Finding

MARKER = "<!-- reachlint -->"
# How to read the network diagram that `reachlint.commands.design.drawing` draws.
_LEGEND = (
    "Boxes are networks and their subnets (dashed); hexagons are gateways. Arrows are"
    " reachable flows, labelled with the traffic (two heads: the same traffic both ways;"
    ' a node\'s line "to each other: …": what its members send one another); thick red'
    " arrows are findings, labelled with the rule; dotted lines join the internet,"
    " on-premises sites and peered networks to the gateways they pass."
)
DIAGRAMS_PER_GROUP = 3
BUDGET = 60_000  # characters, under GitHub's 65,536 with room for the tail and a --id marker
# The most the suppression problems, the suppressed findings and the notes may each take.
SECTION_SHARE = 6_000
NOTES_SHOWN = 20
INPUTS_SHOWN = 10
_BADGE = {"critical": "🔴", "high": "🟠", "medium": "🟡", "low": "🔵"}
# A checkov guideline is linked only when it is a plain https address.
_LINKABLE = re.compile(r"https://[A-Za-z0-9._~:/?#@!$&'*+,;=%-]+")


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
        f"Checked {_names(report.inputs)}",
        plural(summary.rules, "rule"),
        plural(summary.endpoints, "endpoint"),
    ]
    if summary.suppressed:
        facts.append(f"{summary.suppressed} suppressed")
    out += [" · ".join(facts), ""]
    budget = _Budget(_size(out))
    suppressed = budget.take(_suppressed_section(report, budget.share()))
    problems = budget.take(_problems_section(report, budget.share()))
    notes = budget.take(_notes_section(report.notes, budget.share()))
    groups: dict[str, list[Finding]] = {}
    for finding in sorted(active, key=lambda item: severity_rank(item.severity)):
        groups.setdefault(finding.rule, []).append(finding)
    for rule, findings in groups.items():
        first = findings[0]
        tool = "checkov " if first.tool == "checkov" else ""
        heading = (
            f"### {_BADGE[first.severity]} {tool}{md_text(rule)} ({first.severity}): "
            f"{md_text(first.title)} — {plural(len(findings), 'finding')}"
        )
        if budget.exhausted or not budget.fits(heading, ""):
            budget.left_out += len(findings)
            budget.exhausted = True
            continue
        out += budget.take([heading, ""])
        out += _items(findings, report.inputs, budget, f"{rule} findings")
    out += _diagram_section(report, budget)
    out += suppressed + problems + notes
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
        f"Base {_names(diff.base)} → head {_names(diff.head)}",
        "",
    ]
    if summary.by_severity:
        out += ["| Opened flows that break a rule | Flows |", "| --- | ---: |"]
        out += [
            f"| {_BADGE.get(severity, '')} {severity} | {count} |"
            for severity, count in summary.by_severity.items()
        ]
        out.append("")
    budget = _Budget(_size(out))
    notes = budget.take(_notes_section(diff.notes, budget.share()))
    if diff.opened:
        out += budget.take(["### Opened", ""])
        opened = sorted(diff.opened, key=lambda change: severity_rank(change.severity))
        out += _items(opened, diff.head, budget, "opened flows")
    else:
        out += budget.take(["The change opens no flow.", ""])
    if diff.closed:
        entries = [
            [f"- {_ends(change)} on {md_text(addressed_traffic_text(change))}"]
            for change in diff.closed
        ]
        summary_line = f"{plural(len(diff.closed), 'flow')} closed"
        out += _collapsed(summary_line, entries, budget, "closed flows")
    if diff.new_suppressions:
        heading = f"### {_BADGE['low']} Suppressions the change adds"
        out += budget.take([heading, ""])
        out += _items(diff.new_suppressions, diff.head, budget, "suppressions added")
    out += notes
    if budget.left_out:
        out += [f"_{plural(budget.left_out, 'more flow')} not shown: too long for a comment._", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _size(lines: Sequence[str]) -> int:
    return sum(len(line) + 1 for line in lines)


class _Budget:
    """How much of the comment is left; what did not fit is counted."""

    def __init__(self, used: int, limit: int = BUDGET) -> None:
        self.used = used
        self.limit = limit
        self.left_out = 0
        self.exhausted = False  # something did not fit: what follows is only counted

    def fits(self, *lines: str) -> bool:
        return self.used + _size(lines) <= self.limit

    def take(self, lines: list[str]) -> list[str]:
        self.used += _size(lines)
        return lines

    def skip(self) -> list[str]:
        self.left_out += 1
        self.exhausted = True
        return []

    def share(self) -> _Budget:
        """A budget for one of the smaller sections; the caller takes what it returns."""
        return _Budget(0, min(SECTION_SHARE, max(self.limit - self.used, 0)))


def _collapsed(
    summary: str, entries: list[list[str]], budget: _Budget, what: str, total: int = 0
) -> list[str]:
    """A collapsed block with the entries that fit, in order, and a line counting the others
    (of `total`, when the entries are only the first ones); nothing at all when not even its
    frame fits. `summary` is reachlint's own words."""
    total = max(total, len(entries))
    more = f"- and {total} more {what} (`--format json` lists them all)"
    frame = [f"<details><summary>{summary}</summary>", "", "", "</details>", "", more]
    if not budget.fits(*frame):
        return []
    budget.take(frame)  # the line counting the others is paid for here
    body: list[str] = []
    shown = 0
    for entry in entries:
        if not budget.fits(*entry):
            break
        body += budget.take(entry)
        shown += 1
    if shown < total:
        body.append(f"- and {total - shown} more {what} (`--format json` lists them all)")
    return [frame[0], "", *body, "", "</details>", ""]


def _items(
    items: Sequence[Finding | FlowChange], inputs: list[str], budget: _Budget, what: str
) -> list[str]:
    out: list[str] = []
    rest: list[str] = []
    for position, item in enumerate(items):
        if position < DIAGRAMS_PER_GROUP and not budget.exhausted:
            block = _full(item, inputs)
            if budget.fits(*block):
                out += budget.take(block)
                continue
        if budget.exhausted:  # count, do not write
            budget.skip()
            continue
        line = f"- {_headline(item, inputs)}"
        rest += budget.take([line]) if budget.fits(line) else budget.skip()
    if rest:
        # The frame is small and taken after the lines: a budget's limit has room for it.
        frame = [f"<details><summary>{len(rest)} more {md_html(what)}</summary>", ""]
        out += [*budget.take(frame), *rest, *budget.take(["", "</details>", ""])]
    return out


def _headline(item: PathLike, inputs: list[str]) -> str:
    from reachlint.rules.findings import Finding

    place = md_code(str(primary_place(item, inputs)))
    if isinstance(item, Finding) and item.source == item.destination:  # about one place
        guideline = item.guideline or ""
        link = f" ([guideline]({guideline}))" if _LINKABLE.fullmatch(guideline) else ""
        return f"**{_name(item.destination.address)}**: {md_text(item.message)}{link} — at {place}"
    return f"{_ends(item)} on {md_text(addressed_traffic_text(item))} — opened at {place}"


def _ends(item: PathLike) -> str:
    return f"**{_name(item.source.address)} → {_name(item.destination.address)}**"


def _full(item: Finding | FlowChange, inputs: list[str]) -> list[str]:
    path_steps = steps(item)
    lines = [_headline(item, inputs), ""]
    if item.source == item.destination:  # a finding about one place: no path to draw
        return lines
    rules = getattr(item, "rules", None)
    if rules:
        lines += [f"Breaks {', '.join(md_code(rule) for rule in rules)}.", ""]
    if getattr(item, "related", None):  # checkov flags the same opening: the message says so
        lines += [md_text(getattr(item, "message", "")), ""]
    lines += ["```mermaid", *path_flowchart(path_steps, addressed_traffic_text(item)), "```", ""]
    lines += [f"<details><summary>Path: {plural(len(path_steps), 'step')}</summary>", ""]
    for number, step in enumerate(path_steps, start=1):
        where = f" · {md_code(str(step.place))}" if step.place else ""
        text = step_text(step)  # each of its parts cut already: not cut again, as a whole
        lines.append(f"{number}. {md_text(text, len(text))}{where}")
    lines += ["", "</details>", ""]
    return lines


def _name(address: str) -> str:
    return address if address == "internet" else md_code(address)


def _names(names: list[str]) -> str:
    shown = ", ".join(md_code(name) for name in names[:INPUTS_SHOWN])
    rest = len(names) - INPUTS_SHOWN
    return f"{shown} and {rest} more" if rest > 0 else shown


def _diagram_section(report: Report, budget: _Budget) -> list[str]:
    """The network drawn (GitHub renders Mermaid), collapsed: findings are red arrows. Its
    labels are escaped where it is drawn (`reachlint.commands.design.graph`)."""
    if not report.diagram:
        return []
    lines = [
        "<details><summary>The network</summary>",
        "",
        "```mermaid",
        *report.diagram.rstrip("\n").splitlines(),
        "```",
        "",
        _LEGEND,
        "",
        "</details>",
        "",
    ]
    return budget.take(lines) if budget.fits(*lines) else []


def _suppressed_section(report: Report, budget: _Budget) -> list[str]:
    suppressed = [finding for finding in report.findings if finding.suppressed is not None]
    if not suppressed:
        return []
    entries = []
    for finding in suppressed:
        assert finding.suppressed is not None
        how = "baseline" if finding.suppressed.kind == "baseline" else "suppressed"
        file, line = finding.suppressed.file, finding.suppressed.line
        where = f" at {md_code(f'{file}:{line}')}" if file else ""
        entries.append(
            [
                f"- {md_code(finding.rule)} {_ends(finding)} on "
                f"{md_text(addressed_traffic_text(finding))} — {how}{where}: "
                f"{md_text(finding.suppressed.reason)}"
            ]
        )
    summary = plural(len(suppressed), "suppressed finding")
    return _collapsed(summary, entries, budget, "suppressed findings")


def _problems_section(report: Report, budget: _Budget) -> list[str]:
    problems = report.suppression_problems or []
    if not problems:
        return []
    heading = ["### Suppressions that suppress nothing", ""]
    more = f"- and {len(problems)} more (`--format json` lists them all)"
    if not budget.fits(*heading, more, ""):
        return []
    out = budget.take(heading)
    budget.take([more, ""])
    for position, problem in enumerate(problems):
        line = f"- {md_code(f'{problem.file}:{problem.line}')}: {md_text(problem.message)}"
        if not budget.fits(line):
            out.append(f"- and {len(problems) - position} more (`--format json` lists them all)")
            break
        out += budget.take([line])
    return [*out, ""]


def _notes_section(notes: list[NoteRef], budget: _Budget) -> list[str]:
    if not notes:
        return []
    entries = []
    for note in notes[:NOTES_SHOWN]:
        subject = f"{md_code(note.address)}: " if note.address else ""
        entries.append([f"- {subject}{md_text(note.message)}"])
    summary = f"{plural(len(notes), 'note')} on what could not be modelled or known"
    return _collapsed(summary, entries, budget, "notes", total=len(notes))
