"""`reachlint diff` for people: each opened and closed flow with its traffic and path."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reachlint.reports.places import plural, primary_place, severity_rank
from reachlint.reports.text import addressed_traffic, end_text, hop_text
from reachlint.safe_text import one_line as _s

if TYPE_CHECKING:
    from reachlint.reports.schema import DiffReport, FlowChange

_STYLE = {"opened": "31", "closed": "32"}


def render_diff_text(diff: DiffReport, *, color: bool = False) -> str:
    def paint(text: str, style: str) -> str:
        return f"\033[{style}m{text}\033[0m" if color else text

    base, head = ", ".join(map(_s, diff.base)), ", ".join(map(_s, diff.head))
    lines = [f"reachlint {diff.tool.version} · base {base} · head {head}"]
    opened = sorted(diff.opened, key=lambda change: severity_rank(change.severity))
    for direction, changes, inputs, sign in (
        ("opened", opened, diff.head, "+"),
        ("closed", diff.closed, diff.base, "-"),
    ):
        heading = f"{direction.capitalize()}: {plural(len(changes), 'flow')}"
        lines += ["", paint(heading, "1")]
        for change in changes:
            lines += _change_lines(change, inputs, paint(sign, _STYLE[direction]), direction)
    if diff.new_suppressions:
        heading = f"Suppressions the change adds: {len(diff.new_suppressions)}"
        lines += ["", paint(heading, "1")]
        for finding in diff.new_suppressions:
            lines += [
                "",
                f"  ! {_s(finding.message)}",
                f"      at: {primary_place(finding, diff.head)}",
            ]
    summary = diff.summary
    tail = f"The change opens {plural(summary.opened, 'flow')} and closes {summary.closed}"
    if summary.by_severity:
        counts = ", ".join(f"{count} {severity}" for severity, count in summary.by_severity.items())
        tail += f"; opened flows breaking rules: {counts}"
    if summary.new_suppressions:
        tail += f"; it adds {plural(summary.new_suppressions, 'suppression')}"
    lines += ["", tail]
    return "\n".join(lines) + "\n"


def _change_lines(change: FlowChange, inputs: list[str], sign: str, direction: str) -> list[str]:
    """A flow as `check` lists a finding: its ends, traffic and the hops between the ends."""
    traffic = addressed_traffic(change)
    lines = ["", f"  {sign} {end_text(change.source)} -> {end_text(change.destination)}"]
    lines.append(f"      traffic: {traffic[0]}")
    lines += [f"               {part}" for part in traffic[1:]]
    if change.addresses and not change.traffic_by_addresses:
        lines.append(f"      addresses: {', '.join(map(_s, change.addresses))}")
    if change.rules:
        verb = "breaks" if direction == "opened" else "no longer breaks"
        severity = f" ({change.severity})" if change.severity else ""
        lines.append(f"      {verb}: {', '.join(map(_s, change.rules))}{severity}")
    lines.append(f"      {direction} at: {primary_place(change, inputs)}")
    if change.path:
        lines.append("      path:")
        lines += [f"        {number}. {hop_text(hop)}" for number, hop in enumerate(change.path, 1)]
    return lines
