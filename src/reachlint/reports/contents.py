"""What every report lists besides its findings: the rules checked, with their documentation,
the model's notes, and the findings in one order and counted by severity."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reachlint.model.network import NetworkModel
    from reachlint.reports.schema import NoteRef, RuleInfo
    from reachlint.rules import Rule, RuleSet
    from reachlint.rules.findings import Finding


def notes_of(model: NetworkModel) -> list[NoteRef]:
    """The model's notes as the report lists them."""
    from reachlint.reports.schema import NoteRef

    return [
        NoteRef(
            address=note.address,
            message=note.message,
            file=note.origin.file,
            line=note.origin.line,
        )
        for note in model.notes
    ]


def describe_rules(ruleset: RuleSet) -> list[RuleInfo]:
    """Each rule with its documentation: what it reports, why it matters, how to fix it."""
    from reachlint.reports.schema import RuleInfo
    from reachlint.rules import rule_doc

    described = []
    for rule in ruleset.rules:
        page = rule_doc(rule.id) if rule.builtin else None
        described.append(
            RuleInfo(
                id=rule.id,
                title=rule.heading,
                severity=rule.severity,
                description=" ".join(rule.description.split()),
                help=page or _rule_help(rule),
                builtin=rule.builtin,
            )
        )
    return described


def _rule_help(rule: Rule) -> str:
    """Help for a rule from a rules file: its own words, and the ways out of a finding."""
    from reachlint.safe_text import md_code, md_text

    # The rules file is the input's: its words are prose, never markup (a link, an image).
    where = ""
    if rule.origin.file:
        line = f":{rule.origin.line}" if rule.origin.line else ""
        where = f" (defined in {md_code(f'{rule.origin.file}{line}')})"
    why = md_text(" ".join(rule.description.split())) or "The rules file forbids these paths."
    return (
        f"# {md_text(rule.id)}\n\n{md_text(rule.heading)}{where}\n\n"
        f"## What it reports\n\nFlows that the rule's `match` covers and none of its `allow` "
        f"entries covers, with the traffic left over and the path that carries it.\n\n"
        f"## Why\n\n{why}\n\n"
        f"## How to fix\n\nNarrow the filter on the path that admits the traffic (the "
        f"security-group rule, NSG rule or network ACL entry the finding points at). If the "
        f"flow is intended, add an `allow` entry to the rule, or suppress this finding with "
        f"`# reachlint:ignore {rule.id} <reason>` on the resource or rule.\n"
    )


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Most severe first, then by rule and ends, so every format lists them in one order."""
    from reachlint.rules.findings import SEVERITIES

    return sorted(
        findings,
        key=lambda f: (
            -SEVERITIES.index(f.severity),
            f.rule,
            f.source.address,
            f.destination.address,
        ),
    )


def count_by_severity(findings: list[Finding]) -> dict[str, int]:
    """Finding counts per severity, most severe first, severities without findings left out."""
    from reachlint.rules.findings import SEVERITIES

    counts = {severity: 0 for severity in reversed(SEVERITIES)}
    for finding in findings:
        counts[finding.severity] += 1
    return {severity: count for severity, count in counts.items() if count}
