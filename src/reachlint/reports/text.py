"""The report for people: findings grouped by rule, each with its traffic and hop-by-hop path.

Every text from the input goes through `one_line` (`_s`): it cannot break a line, start a CI
command or drive the terminal; the colours are reachlint's own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reachlint.safe_text import one_line as _s

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from reachlint.reports.places import PathLike
    from reachlint.reports.schema import NoteRef, Report
    from reachlint.rules.findings import AddressedTraffic, EndRef, Finding, HopRef, TrafficEntry

# Lists longer than this show their first items and how many more there are.
LIST_SHOWN = 3
NOTES_SHOWN = 5

_SEVERITY_STYLE = {"critical": "1;31", "high": "31", "medium": "33", "low": "36"}


def _plain(text: str, _style: str) -> str:
    return text


def _ansi(text: str, style: str) -> str:
    return f"\033[{style}m{text}\033[0m"


def render_text(report: Report, *, color: bool = False) -> str:
    return "".join(text_pieces(report, color=color))


def text_pieces(report: Report, *, color: bool = False) -> Iterator[str]:
    """render_text's text in pieces of whole lines, a finding at a time."""
    paint = _ansi if color else _plain
    inputs = ", ".join(_s(name) for name in report.inputs)
    yield _lines([f"reachlint {report.tool.version} · checked {inputs}"])
    groups: dict[str, list[Finding]] = {}
    for finding in report.active_findings:  # suppressed findings are in the other formats
        groups.setdefault(finding.rule, []).append(finding)
    by_fingerprint = {finding.fingerprint: finding for finding in report.findings}
    for rule, findings in groups.items():
        first = findings[0]
        severity = paint(first.severity, _SEVERITY_STYLE[first.severity])
        tool = " (checkov)" if first.tool == "checkov" else ""
        heading = f"{paint(_s(rule), '1')}{tool} [{severity}] {_s(first.title)}"
        yield _lines(["", f"{heading} — {_count(findings)}"])
        for finding in findings:
            if finding.source == finding.destination:  # about one place: a check, a suppression
                yield _lines(_check_lines(finding))
            else:
                yield _lines(_finding_lines(finding) + _related_lines(finding, by_fingerprint))
    lines: list[str] = []
    if report.notes:
        lines += ["", *_notes_lines(report.notes)]
    if report.suppression_problems:
        lines += ["", "Suppressions that suppress nothing:"]
        lines += [
            f"  - {_s(problem.file)}:{problem.line}: {_s(problem.message)}"
            for problem in report.suppression_problems
        ]
    lines += ["", _summary_line(report, paint)]
    yield _lines(lines)


def _lines(lines: list[str]) -> str:
    """Lines, each ending in a line break: a piece of the report that starts a line."""
    return "".join(f"{line}\n" for line in lines)


def _count(findings: list[Finding]) -> str:
    return _plural(len(findings), "finding")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _finding_lines(finding: Finding) -> list[str]:
    traffic = addressed_traffic(finding)
    lines = ["", f"  {end_text(finding.source)} -> {end_text(finding.destination)}"]
    lines.append(f"    traffic: {traffic[0]}")
    lines += [f"             {part}" for part in traffic[1:]]
    if finding.addresses and not finding.traffic_by_addresses:
        lines.append(f"    addresses: {first_few(finding.addresses)}")
    if finding.state == "reply-dropped":
        lines.append("    replies are dropped on the way back: the request arrives, no connection")
    if finding.depends_on_unknown:
        lines.append(f"    depends on unknown values: {first_few(unknowns_text(finding))}")
    if finding.path:
        lines.append("    path:")
        lines += [f"      {number}. {hop_text(hop)}" for number, hop in enumerate(finding.path, 1)]
    return lines


def _check_lines(finding: Finding) -> list[str]:
    """A finding about one place (a checkov check on a resource, a suppression a change adds):
    the place, what is wrong, the rules that open it."""
    lines = ["", f"  {end_text(finding.destination)}", f"    {_s(finding.message)}"]
    if finding.guideline:
        lines.append(f"    guideline: {_s(finding.guideline)}")
    if finding.path:
        lines.append("    opened by:")
        lines += [f"      {number}. {hop_text(hop)}" for number, hop in enumerate(finding.path, 1)]
    return lines


def _related_lines(finding: Finding, by_fingerprint: dict[str | None, Finding]) -> list[str]:
    """The checkov findings that say the same as this path."""
    related = [by_fingerprint[key] for key in finding.related or [] if key in by_fingerprint]
    return [
        f"    checkov {_s(other.rule)} flags {_s(other.destination.address)} for this opening"
        for other in related
    ]


def _where(file: str | None, line: int | None) -> str:
    if not file:
        return ""
    return f"  [{_s(file)}:{line}]" if line else f"  [{_s(file)}]"


def end_text(end: EndRef) -> str:
    if end.kind == "internet":
        return _s(end.address)
    label = f" · {_s(end.label)}" if end.label else ""
    return f"{_s(end.address)} ({_s(end.kind)}){label}{_where(end.file, end.line)}"


def hop_text(hop: HopRef) -> str:
    """A hop as every text report lists it: address (kind) — detail  [file:line]."""
    detail = f" — {_s(hop.detail)}" if hop.detail else ""
    return f"{_s(hop.address)} ({_s(hop.kind)}){detail}{_where(hop.file, hop.line)}"


def traffic_text(entries: list[TrafficEntry]) -> str:
    """'tcp 0-79, 81-442; udp 53; icmp', the grammar the report's traffic list reads as."""
    parts = []
    for entry in entries:
        if entry.ports:
            ranges = ", ".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in entry.ports)
            parts.append(f"{_s(entry.protocol)} {ranges}")
        elif entry.messages:
            parts.append(f"{_s(entry.protocol)} {_s(', '.join(entry.messages))}")
        elif entry.numbers:
            parts.append(f"protocols {_s(entry.numbers)}")
        else:
            parts.append(_s(entry.protocol))
    return "; ".join(parts) or "none"


def addressed_traffic(item: PathLike) -> list[str]:
    """The traffic, or when its external addresses differ between its parts, each part with
    its own ('tcp 22 from 81.2.69.160/27', 'tcp 9100 from any address')."""
    from reachlint.rules.findings import external_side

    return traffic_parts(item.traffic, item.traffic_by_addresses, external_side(item.source.kind))


def traffic_parts(
    traffic: list[TrafficEntry], parts: list[AddressedTraffic] | None, side: str
) -> list[str]:
    """`traffic`, or each of its `parts` with its addresses; `side`: from or to them."""
    from reachlint.rules.findings import addressed_text

    if not parts:
        return [traffic_text(traffic)]
    return [
        addressed_text(
            traffic_text(part.traffic),
            [_s(cidr) for cidr in part.addresses] if part.addresses is not None else None,
            side,
        )
        for part in parts
    ]


def addressed_traffic_text(item: PathLike) -> str:
    """`addressed_traffic` in one phrase, to follow "on": 'tcp 22 from X and on tcp 9100 ...'."""
    from reachlint.rules.findings import joined_parts

    return joined_parts(addressed_traffic(item))


def unknowns_text(finding: Finding) -> list[str]:
    """The values a finding depends on, each that decides only part of it with that part:
    'var.admin_cidr (tcp 22 only)'."""
    parts = {
        part.value: traffic_text(part.traffic) for part in finding.depends_on_unknown_for or []
    }
    return [
        f"{value} ({parts[value]} only)" if value in parts else value
        for value in finding.depends_on_unknown or []
    ]


def first_few(items: list[str]) -> str:
    shown = ", ".join(_s(item) for item in items[:LIST_SHOWN])
    rest = len(items) - LIST_SHOWN
    return f"{shown} and {rest} more" if rest > 0 else shown


def _notes_lines(notes: list[NoteRef]) -> list[str]:
    lines = [f"{_plural(len(notes), 'note')} on what could not be modelled or known:"]
    for note in notes[:NOTES_SHOWN]:
        subject = f"{_s(note.address)}: " if note.address else ""
        lines.append(f"  - {subject}{_s(note.message)}{_where(note.file, note.line)}")
    rest = len(notes) - NOTES_SHOWN
    if rest > 0:
        lines.append(f"  and {rest} more (--format json lists them all)")
    return lines


def _summary_line(report: Report, paint: Callable[[str, str], str]) -> str:
    summary = report.summary
    if summary.findings:
        counts = ", ".join(
            f"{count} {paint(severity, _SEVERITY_STYLE.get(severity, '0'))}"
            for severity, count in summary.by_severity.items()
        )
        head = f"{_plural(summary.findings, 'finding')}: {counts}"
    else:
        head = "No findings"
    suppressed = f" · {summary.suppressed} suppressed" if summary.suppressed else ""
    return (
        f"{head}{suppressed} · {_plural(summary.rules, 'rule')} · "
        f"{_plural(summary.endpoints, 'endpoint')}"
    )
