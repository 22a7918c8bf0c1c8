"""`reachlint query`'s answer for people: the verdict, then each pair's paths or what blocks
it, and with --assume-unknown closed what the unknowns could still open."""

from __future__ import annotations

from reachlint.commands.design.query import (
    MAX_LISTED_PAIRS,
    Answer,
    Question,
    RoutePath,
    entries_of,
    traffic_words,
)
from reachlint.rules.findings import HopRef, external_side, joined_parts


def render_answer(question: Question, answer: Answer, fmt: str) -> str:
    return answer.to_json() if fmt == "json" else render_answer_text(question, answer)


def render_answer_text(question: Question, answer: Answer) -> str:
    """The answer for people: the verdict, then each pair's paths or what blocks it."""
    from reachlint.reports.text import traffic_parts
    from reachlint.safe_text import one_line as _s

    pairs_reached = {(p.source.address, p.destination.address) for p in answer.paths}
    side = external_side(answer.paths[0].source.kind) if answer.paths else "from"
    overall = joined_parts(traffic_parts(answer.traffic, answer.traffic_by_addresses, side))
    ends = f"{_s(question.source_text)} -> {_s(question.destination_text)}"
    asked = traffic_words(question.wanted)
    if not answer.reachable:
        verdict = f"Not reachable: {ends} on {asked}"
    elif answer.traffic == entries_of(question.wanted):
        verdict = f"Reachable: {ends} on {asked}"
    else:
        verdict = f"Reachable: {ends} on {overall} (asked: {asked})"
    lines = [verdict, *_routes_text(answer.paths, "reachable")]
    for entry in answer.blocked:
        lines += [
            "",
            f"{_s(entry.source.address)} -> {_s(entry.destination.address)}: not reachable",
            f"  blocked at {_s(entry.at.address)} ({_s(entry.at.kind)})"
            + _where(entry.at.file, entry.at.line),
            f"  {_s(entry.code)}: {_s(entry.reason)}",
        ]
    if answer.if_unknowns_allow:
        lines += [
            "",
            "Reachable if the values not known before apply allow it (--assume-unknown open):",
        ]
        lines += _routes_text(answer.if_unknowns_allow, "reachable if they allow it")
    total = len(pairs_reached) + len(
        {(b.source.address, b.destination.address) for b in answer.blocked}
    )
    if answer.unlisted_pairs:
        lines += [
            "",
            f"{answer.unlisted_pairs:,} more pairs are counted, not listed: reachlint lists at "
            f"most {MAX_LISTED_PAIRS:,}, those reached first",
        ]
    summary = f"{len(pairs_reached)} of {total} pairs reachable"
    if answer.reachable:
        summary += f" · traffic: {overall}"
    lines += ["", summary]
    return "\n".join(lines) + "\n"


def _routes_text(paths: list[RoutePath], verdict: str) -> list[str]:
    """Each pair's routes: the hops, and what a route rests on that is not known."""
    from reachlint.reports.text import addressed_traffic_text, first_few
    from reachlint.safe_text import one_line as _s

    by_pair: dict[tuple[str, str], list[RoutePath]] = {}
    for route in paths:
        by_pair.setdefault((route.source.address, route.destination.address), []).append(route)
    lines: list[str] = []
    for (source, destination), routes in by_pair.items():
        lines += ["", f"{_s(source)} -> {_s(destination)}: {verdict}"]
        for number, route in enumerate(routes, 1):
            label = f"route {number} of {len(routes)}" if len(routes) > 1 else "path"
            lines.append(f"  {label} ({addressed_traffic_text(route)}):")
            if route.depends_on_unknown:
                lines.append(
                    f"    depends on unknown values: {first_few(route.depends_on_unknown)}"
                )
            lines += [f"    {n}. {_hop_text(hop)}" for n, hop in enumerate(route.path, 1)]
    return lines


def _hop_text(hop: HopRef) -> str:
    from reachlint.safe_text import one_line as _s

    detail = f" — {_s(hop.detail)}" if hop.detail else ""
    return f"{_s(hop.address)} ({_s(hop.kind)}){detail}{_where(hop.file, hop.line)}"


def _where(file: str | None, line: int | None) -> str:
    from reachlint.safe_text import one_line as _s

    if not file:
        return ""
    return f"  [{_s(file)}:{line}]" if line else f"  [{_s(file)}]"
