"""SARIF 2.1.0 as GitHub code scanning reads it.

Each result sits on the line that opens its path; every element of the path is a related
location that the message links to, and the whole path is a code flow. The partial fingerprint
is the path's identity (rule, ends, traffic), so moving unrelated lines keeps an alert an alert.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain
from typing import TYPE_CHECKING, Any

from reachlint.reports.places import (
    PathLike,
    Place,
    primary_place,
    step_text,
    steps,
)
from reachlint.reports.text import addressed_traffic_text, traffic_text
from reachlint.safe_text import json_text_pieces, md_text

if TYPE_CHECKING:
    from reachlint.reports.schema import (
        DiffReport,
        FlowChange,
        NoteRef,
        Report,
        RuleInfo,
        SuppressionProblem,
    )
    from reachlint.rules.findings import Finding, Severity, Suppression

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "reachlintPathIdentity/v1"
SRCROOT = "%SRCROOT%"
# GitHub reads these as critical (9.0+), high (7.0-8.9), medium (4.0-6.9) and low.
SECURITY_SEVERITY: dict[str, str] = {
    "critical": "9.5",
    "high": "8.0",
    "medium": "5.5",
    "low": "3.0",
}
LEVEL: dict[str, str] = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
PROBLEM_SEVERITY: dict[str, str] = {
    "critical": "error",
    "high": "error",
    "medium": "warning",
    "low": "recommendation",
}
SUPPRESSION_RULE = "REACHLINT-SUPPRESSION"
OPENED_RULE, CLOSED_RULE = "FLOW-OPENED", "FLOW-CLOSED"


def render_sarif(report: Report) -> str:
    return "".join(sarif_pieces(report))


def sarif_pieces(report: Report) -> Iterator[str]:
    """render_sarif's text in pieces, a result at a time (see json_text_pieces)."""
    rules = _rule_infos(report.rules, report.findings)
    descriptors = [_descriptor(rule) for rule in rules]
    index = {rule.id: position for position, rule in enumerate(rules)}
    results: Iterable[dict[str, Any]] = (
        _finding_result(finding, index, report.inputs) for finding in report.findings
    )
    if report.suppression_problems:
        index[SUPPRESSION_RULE] = len(descriptors)
        descriptors.append(_suppression_descriptor())
        problems = [
            _problem_result(problem, index[SUPPRESSION_RULE])
            for problem in report.suppression_problems
        ]
        results = chain(results, problems)
    return _log(report.tool.version, descriptors, results, report.notes)


def render_sarif_diff(diff: DiffReport) -> str:
    """Opened flows as results (errors when they break a rule), closed flows as notes."""
    descriptors = [_flow_descriptor(OPENED_RULE), _flow_descriptor(CLOSED_RULE)]
    results = [_flow_result(change, "opened", 0, diff.head) for change in diff.opened]
    results += [_flow_result(change, "closed", 1, diff.base) for change in diff.closed]
    added = diff.new_suppressions or []
    if added:  # suppressions the change adds: results of their own rule
        rules = _rule_infos([rule for rule in diff.rules if rule.id == added[0].rule], added)
        index = {rule.id: len(descriptors) + position for position, rule in enumerate(rules)}
        descriptors += [_descriptor(rule) for rule in rules]
        results += [_finding_result(finding, index, diff.head) for finding in added]
    return "".join(_log(diff.tool.version, descriptors, results, diff.notes))


def _log(
    version: str,
    descriptors: list[dict[str, Any]],
    results: Iterable[dict[str, Any]],
    notes: list[NoteRef],
) -> Iterator[str]:
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "reachlint",
                "version": version,
                "semanticVersion": version,
                "rules": descriptors,
            }
        },
        "results": [],
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [_notification(note) for note in notes],
            }
        ],
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    yield from json_text_pieces(log, run["results"], results)
    yield "\n"


def _rule_infos(rules: list[RuleInfo], findings: list[Finding]) -> list[RuleInfo]:
    """The rules checked; a rule only findings name (a report read back) gets a short entry."""
    from reachlint.reports.schema import RuleInfo

    known = {rule.id for rule in rules}
    extra: dict[str, RuleInfo] = {}
    for finding in findings:
        if finding.rule not in known and finding.rule not in extra:
            extra[finding.rule] = RuleInfo(
                id=finding.rule, title=finding.title, severity=finding.severity
            )
    return [*rules, *extra.values()]


def _descriptor(rule: RuleInfo) -> dict[str, Any]:
    title = rule.title or rule.id
    description = " ".join(rule.description.split()) or title
    # A rules file's own help is Markdown by design; its title and description are plain text.
    help_markdown = (
        rule.help or f"# {md_text(rule.id)}\n\n{md_text(title)}\n\n{md_text(description)}\n"
    )
    tags = ["security", "network", "reachability", "infrastructure-as-code"]
    if rule.tool == "checkov":
        tags = ["security", "checkov", "infrastructure-as-code"]
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": _pascal(rule.id),
        "shortDescription": {"text": _clip(title, 1024)},
        "fullDescription": {"text": description},
        "help": {"text": f"{title}. {description}", "markdown": help_markdown},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "problem.severity": PROBLEM_SEVERITY[rule.severity],
            "precision": "very-high",
            "tags": tags,
        },
    }
    if rule.guideline:
        descriptor["helpUri"] = rule.guideline
    return descriptor


def _suppression_descriptor() -> dict[str, Any]:
    text = "A reachlint suppression is missing its reason or names an unknown rule"
    return {
        "id": SUPPRESSION_RULE,
        "name": "InvalidSuppression",
        "shortDescription": {"text": text},
        "fullDescription": {
            "text": "A suppression suppresses nothing unless it names a rule being checked "
            "and says why the path it covers is acceptable."
        },
        "help": {
            "text": "Write `# reachlint:ignore RULE-ID reason` (or ARM metadata with rule and "
            "reason).",
            "markdown": "Write `# reachlint:ignore RULE-ID reason` on the resource or rule, or "
            'in ARM `"metadata": {"reachlint:ignore": [{"rule": "RULE-ID", "reason": "..."}]}`. '
            "`reachlint rules list` names the rules.",
        },
        "defaultConfiguration": {"level": "warning"},
        "properties": {"problem.severity": "warning", "tags": ["maintainability"]},
    }


def _flow_descriptor(rule_id: str) -> dict[str, Any]:
    opened = rule_id == OPENED_RULE
    text = (
        "The change opens a network path that was closed before"
        if opened
        else "The change closes a network path that was open before"
    )
    return {
        "id": rule_id,
        "name": "FlowOpened" if opened else "FlowClosed",
        "shortDescription": {"text": text},
        "fullDescription": {"text": f"{text}: reachlint diff compares the two inputs' flows."},
        "help": {
            "text": text,
            "markdown": f"{text}. The result sits on the line that opens the path (or, for "
            "a closed path, on the line that let it through before); its related locations "
            "are every hop of the path.",
        },
        "defaultConfiguration": {"level": "note"},
        "properties": {"tags": ["security", "network", "reachability", "diff"]},
    }


def _finding_result(finding: Finding, index: dict[str, int], inputs: list[str]) -> dict[str, Any]:
    result = _path_result(
        finding,
        rule_id=finding.rule,
        rule_index=index[finding.rule],
        level=LEVEL[finding.severity],
        summary=finding.message,
        inputs=inputs,
    )
    if finding.fingerprint:
        result["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    properties: dict[str, Any] = {
        "from": finding.source.address,
        "to": finding.destination.address,
        "traffic": addressed_traffic_text(finding),
        "state": finding.state,
        "tool": finding.tool,
    }
    if finding.related:
        properties["related"] = finding.related
    if finding.addresses:
        properties["addresses"] = finding.addresses
    if finding.depends_on_unknown:
        properties["dependsOnUnknown"] = finding.depends_on_unknown
    if finding.depends_on_unknown_for:
        properties["dependsOnUnknownFor"] = {
            part.value: traffic_text(part.traffic) for part in finding.depends_on_unknown_for
        }
    result["properties"] = properties
    if finding.suppressed is not None:
        result["suppressions"] = [_suppression(finding.suppressed)]
    return result


def _flow_result(
    change: FlowChange, direction: str, rule_index: int, inputs: list[str]
) -> dict[str, Any]:
    opened = direction == "opened"
    severity: Severity | None = change.severity
    level = LEVEL[severity] if opened and severity is not None else "note"
    summary = (
        f"The change {'opens' if opened else 'closes'}: {change.source.address} reaches "
        f"{change.destination.address} on {addressed_traffic_text(change)}"
    )
    if change.rules:
        verb = "breaks" if opened else "no longer breaks"
        summary += f" ({verb} {', '.join(change.rules)})"
    result = _path_result(
        change,
        rule_id=OPENED_RULE if opened else CLOSED_RULE,
        rule_index=rule_index,
        level=level,
        summary=summary,
        inputs=inputs,
    )
    if change.fingerprint:
        result["partialFingerprints"] = {FINGERPRINT_KEY: change.fingerprint}
    properties: dict[str, Any] = {
        "from": change.source.address,
        "to": change.destination.address,
        "traffic": addressed_traffic_text(change),
    }
    if change.rules:
        properties["rules"] = change.rules
    if change.addresses:
        properties["addresses"] = change.addresses
    result["properties"] = properties
    return result


def _path_result(
    item: PathLike,
    *,
    rule_id: str,
    rule_index: int,
    level: str,
    summary: str,
    inputs: list[str],
) -> dict[str, Any]:
    """The parts every path result shares: place, message with links, related locations,
    code flow."""
    path_steps = steps(item)
    related = []
    links = []
    flow_locations = []
    for number, step in enumerate(path_steps, start=1):
        location = _location(step.place, step.address, step.kind, step_text(step))
        related.append({"id": number, **location})
        links.append(f"[{_escape(step.address)}]({number})")
        flow_locations.append({"location": location})
    message = f"{_escape(summary)}. Path: {' → '.join(links)}."
    primary = primary_place(item, inputs)
    return {
        "ruleId": rule_id,
        "ruleIndex": rule_index,
        "level": level,
        "message": {"text": message},
        "locations": [{"physicalLocation": _physical(primary)}],
        "relatedLocations": related,
        "codeFlows": [
            {
                "message": {
                    "text": _escape(f"{item.source.address} to {item.destination.address}")
                },
                "threadFlows": [{"locations": flow_locations}],
            }
        ],
    }


def _location(place: Place | None, address: str, kind: str, text: str) -> dict[str, Any]:
    location: dict[str, Any] = {}
    if place is not None:
        location["physicalLocation"] = _physical(place)
    location["logicalLocations"] = [{"fullyQualifiedName": address, "kind": kind}]
    location["message"] = {"text": _escape(text)}
    return location


def _physical(place: Place) -> dict[str, Any]:
    return {
        "artifactLocation": {"uri": _uri(place.file), "uriBaseId": SRCROOT},
        "region": {"startLine": max(place.line, 1)},
    }


def _uri(file: str) -> str:
    from urllib.parse import quote

    # A colon stays encoded: in a relative reference's first segment it would make a scheme
    # (`https:`, `javascript:`) of a file's name.
    return quote(file, safe="/@!$&'()*+,;=-._~", errors="surrogatepass")


def _problem_result(problem: SuppressionProblem, rule_index: int) -> dict[str, Any]:
    return {
        "ruleId": SUPPRESSION_RULE,
        "ruleIndex": rule_index,
        "level": "warning",
        "message": {"text": _escape(problem.message)},
        "locations": [{"physicalLocation": _physical(Place(problem.file, problem.line))}],
    }


def _suppression(suppressed: Suppression) -> dict[str, Any]:
    from reachlint.reports.places import place_of

    entry: dict[str, Any] = {
        "kind": "inSource" if suppressed.kind == "inline" else "external",
        "status": "accepted",
        "justification": suppressed.reason,
    }
    place = place_of(suppressed.file, suppressed.line)
    if place is not None:
        entry["location"] = {"physicalLocation": _physical(place)}
    return entry


def _notification(note: NoteRef) -> dict[str, Any]:
    subject = f"{note.address}: " if note.address else ""
    message = {"text": _escape(subject + note.message)}
    notification: dict[str, Any] = {"level": "note", "message": message}
    if note.file:
        from reachlint.reports.places import place_of

        place = place_of(note.file, note.line)
        if place is not None:
            notification["locations"] = [{"physicalLocation": _physical(place)}]
    return notification


def _escape(text: str) -> str:
    """Literal brackets escaped, so that the input's `[text](target)` is no embedded link
    (SARIF 2.1.0 §3.11.6)."""
    return text.replace("[", "\\[").replace("]", "\\]")


def _pascal(rule_id: str) -> str:
    return "".join(part.capitalize() for part in rule_id.replace("_", "-").split("-") if part)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
