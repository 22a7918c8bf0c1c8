"""Suppressions a change adds (`check --base`, `diff`), each reported as a finding of its own.

A pull request that adds a `# reachlint:ignore` comment or ARM metadata entry, a baseline entry,
or changes the rules files so that a rule is switched off, matches differently, allows more or
counts less, stops reachlint from reporting something. The reviewer sees each as a low finding
of the rule NEW-SUPPRESSION at the suppression's file and line, its reason quoted; suppressions
and baselines never cover these findings.

An inline suppression is new when the base has none with the same rules and reason on the same
code (comments and spacing aside): moving a block with its suppression keeps it; editing the
block a suppression covers makes it new, since it now covers something else.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

if TYPE_CHECKING:
    from reachlint.commands.changes.comments import Directive
    from reachlint.reports.schema import RuleInfo
    from reachlint.rules import Rule, RuleSet
    from reachlint.rules.findings import Finding

RULE_ID = "NEW-SUPPRESSION"
TITLE = "A suppression the change adds"
_REASON_SHOWN = 300  # characters of a reason quoted in a message


def rule_info() -> RuleInfo:
    """NEW-SUPPRESSION described for the formats that list rules."""
    from reachlint.reports.schema import RuleInfo
    from reachlint.rules import rule_doc

    return RuleInfo(
        id=RULE_ID,
        title=TITLE,
        severity="low",
        description=(
            "The change adds a suppression: an inline reachlint:ignore or ARM metadata entry, "
            "a baseline entry, or a rules-file change that switches a rule off, changes what it "
            "matches, adds an allow entry or lowers its severity."
        ),
        help=rule_doc(RULE_ID) or f"# {RULE_ID}\n\n{TITLE}\n",
        builtin=True,
    )


def added_suppressions(
    head_inputs: list[Path],
    head_findings: list[Finding],
    base_inputs: list[Path],
    ruleset: RuleSet,
    *,
    base_rules: list[Path] | None = None,
    builtin: bool = True,
    rules_files: list[Path] | None = None,
    baseline: Path | None = None,
    base_baseline: Path | None = None,
    introduced: list[Finding] | None = None,
) -> list[Finding]:
    """Every suppression the head adds: inline ones against `base_inputs`, rules against
    `base_rules` and the baseline against `base_baseline`, each when given; and with the
    findings a change `introduced`, settled, every one a suppression hides."""
    found: list[Finding] = []
    if base_inputs:
        found += inline(head_inputs, head_findings, base_inputs, ruleset)
    if base_rules is not None:
        from reachlint.rules import load_rules

        base_ruleset = load_rules(base_rules, builtin=builtin)
        found += rules_changes(ruleset, base_ruleset, rules_files or [])
    if baseline is not None and base_baseline is not None:
        found += baseline_entries(baseline, base_baseline)
    if introduced is not None:
        found += hidden(introduced, found, baseline)
    return found


def hidden(introduced: list[Finding], found: list[Finding], baseline: Path | None) -> list[Finding]:
    """Traffic the change opens that an old suppression hides: a suppression that covers more
    than it did (a variable widened a dynamic block, a count grew, a host joined a group) is a
    suppression the change adds, though its text did not change. A suppression reported as new
    already is not reported again."""
    from reachlint.reports.text import traffic_text

    places = {(f.destination.file, f.destination.line) for f in found}
    labels = {f.destination.address for f in found if f.destination.kind == "baseline entry"}
    lines: dict[tuple[str, str, str], int] = {}
    if baseline is not None and any(
        f.suppressed and f.suppressed.kind == "baseline" for f in introduced
    ):
        from reachlint.commands.changes.baseline import baseline_entries as entries_of

        for entry, _services, number in entries_of(baseline):
            lines.setdefault((entry.rule, entry.source, entry.destination), number)
    reported = []
    for finding in introduced:
        suppression = finding.suppressed
        if suppression is None:
            continue
        ends = (finding.source.address, finding.destination.address)
        traffic = traffic_text(finding.traffic)
        opened = f"the change opens {ends[0]} to {ends[1]} on {traffic} ({finding.rule})"
        if suppression.kind == "inline":
            if (suppression.file, suppression.line) in places:
                continue
            message = f"{opened}, which a suppression accepts: {_quoted(suppression.reason)}"
            kind, line = "suppression", suppression.line or 1
        else:
            if f"{finding.rule} {ends[0]} -> {ends[1]}" in labels:
                continue
            message = f"{opened}, which a baseline entry accepts"
            kind, line = "baseline entry", lines.get((finding.rule, *ends), 1)
        label = f"{ends[0]} -> {ends[1]}"
        identity = ["hidden", finding.fingerprint or message]
        reported.append(_finding(message, label, kind, suppression.file, line, identity))
    return reported


# --- inline suppressions ------------------------------------------------------------------


def inline(
    head_inputs: list[Path], head_findings: list[Finding], base_inputs: list[Path], ruleset: RuleSet
) -> list[Finding]:
    """The valid inline suppressions of the head that the base does not have."""
    from reachlint.commands.changes.comments import collect
    from reachlint.commands.changes.suppress import known_rule_ids, problem_of, source_files

    head_files = source_files(head_inputs, head_findings)
    head = collect(head_files).all()
    known = known_rule_ids(ruleset, head)
    head = [directive for directive in head if problem_of(directive, known) is None]
    if not head:
        return []
    base_files = source_files(base_inputs, [])
    base_files += _counterparts([path for path, _shown in head_files], head_inputs, base_inputs)
    base = [d for d in collect(base_files).all() if problem_of(d, known) is None]
    exact = Counter(_identity(directive) for directive in base)
    labels = {(directive.rules, directive.reason, directive.label) for directive in base}
    found = []
    for directive in sorted(head, key=lambda d: (d.file, d.line)):
        identity = _identity(directive)
        if exact[identity] > 0:
            exact[identity] -= 1
            continue
        rules, reason = ", ".join(directive.rules), _quoted(directive.reason)
        if (directive.rules, directive.reason, directive.label) in labels:
            message = f"the change edits {directive.label}, which a suppression of {rules} covers"
        else:
            message = f"the change adds a suppression of {rules} on {directive.label}"
        found.append(
            _finding(
                f"{message}: {reason}",
                directive.label,
                "suppression",
                directive.file,
                directive.line,
                ["inline", *identity],
            )
        )
    return found


def _identity(directive: Directive) -> tuple[str, ...]:
    return (*directive.rules, directive.reason, directive.context, directive.written)


def _counterparts(
    files: list[Path], head_inputs: list[Path], base_inputs: list[Path]
) -> list[tuple[Path, str]]:
    """Each head file's counterpart in the base: the same place relative to the inputs."""
    pairs = (
        list(zip(head_inputs, base_inputs, strict=True))
        if len(head_inputs) == len(base_inputs)
        else [(head, base) for head in head_inputs for base in base_inputs]
    )
    found = []
    for head, base in pairs:
        head_root = (head if head.is_dir() else head.parent).resolve()
        base_root = base if base.is_dir() else base.parent
        for file in files:
            try:
                candidate = base_root / os.path.relpath(file, head_root)
            except ValueError:  # another drive
                continue
            if candidate.is_file():
                found.append((candidate.resolve(), str(candidate)))
    return found


# --- rules files --------------------------------------------------------------------------


def rules_changes(head: RuleSet, base: RuleSet, head_files: list[Path]) -> list[Finding]:
    """What the head's rules stop reporting that the base's report: rules switched off or
    removed, matches changed, allow entries added, severities lowered."""
    from reachlint.rules.findings import SEVERITIES

    now = {rule.id: rule for rule in head.rules}
    found = []
    for before in base.rules:
        rule = now.get(before.id)
        name = f"{before.id} ({before.severity})"
        if rule is None:
            origin = head.switched_off.get(before.id)
            if origin is not None and origin.file:
                message = f"the change switches off rule {name}: {before.heading}"
                found.append(_rules_finding(message, before.id, origin.file, origin.line))
            else:
                file = str(head_files[0]) if head_files else before.origin.file
                message = f"the change removes rule {name} from the rules files"
                found.append(_rules_finding(message, before.id, file, 1))
            continue
        if SEVERITIES.index(rule.severity) < SEVERITIES.index(before.severity):
            message = f"the change lowers {before.id} from {before.severity} to {rule.severity}"
            found.append(_rules_finding(message, rule.id, rule.origin.file, rule.origin.line))
        if rule.match_written != before.match_written:
            message = f"the change edits what {name} matches; it may match less"
            found.append(_rules_finding(message, rule.id, rule.origin.file, rule.origin.line))
        found += _allows_added(rule, before)
    return found


def _allows_added(rule: Rule, before: Rule) -> list[Finding]:
    known = Counter(written for written, _line in before.allow_written)
    found = []
    for written, line in rule.allow_written:
        if known[written] > 0:
            known[written] -= 1
            continue
        message = f"the change adds an allow entry to {rule.id} ({rule.severity}): {written}"
        found.append(_rules_finding(message, rule.id, rule.origin.file, line, written))
    return found


def _rules_finding(
    message: str, rule_id: str, file: str | None, line: int | None, *identity: str
) -> Finding:
    return _finding(message, rule_id, "rules file", file, line, ["rules", message, *identity])


# --- baselines ----------------------------------------------------------------------------


def baseline_entries(head: Path, base: Path) -> list[Finding]:
    """The entries of the head's baseline that accept what the base's does not."""
    from reachlint.commands.changes.baseline import baseline_entries as entries_of
    from reachlint.commands.changes.baseline import read_baseline
    from reachlint.reports.text import traffic_text
    from reachlint.rules.findings import TrafficEntry

    known = read_baseline(base)
    found = []
    for entry, services, line in entries_of(head):
        key = (entry.rule, entry.source, entry.destination)
        if known.covers(key, services, entry.addresses):
            continue
        traffic = traffic_text(
            [msgspec.convert(item, TrafficEntry, strict=False) for item in entry.traffic]
        )
        label = f"{entry.rule} {entry.source} -> {entry.destination}"
        message = (
            f"the change adds a baseline entry that accepts {entry.rule} from {entry.source} "
            f"to {entry.destination} on {traffic}"
        )
        if entry.addresses:
            more = " and more" if len(entry.addresses) > 3 else ""
            message += f" ({', '.join(entry.addresses[:3])}{more})"
        found.append(
            _finding(
                f"{message}; a baseline entry gives no reason",
                label,
                "baseline entry",
                str(head),
                line,
                ["baseline", label, traffic, *(entry.addresses or [])],
            )
        )
    return found


# --- the findings -------------------------------------------------------------------------


def _quoted(reason: str) -> str:
    shown = reason if len(reason) <= _REASON_SHOWN else reason[: _REASON_SHOWN - 1] + "…"
    return json.dumps(shown, ensure_ascii=False)


def _finding(
    message: str,
    label: str,
    kind: str,
    file: str | None,
    line: int | None,
    identity: list[str],
) -> Finding:
    from reachlint.rules.findings import EndRef, Finding

    place = EndRef(address=label, kind=kind, file=file, line=line)
    text = json.dumps([RULE_ID, *identity], ensure_ascii=False)
    return Finding(
        rule=RULE_ID,
        severity="low",
        title=TITLE,
        message=message,
        source=place,
        destination=place,
        traffic=[],
        path=[],
        # What was added, never where: moving it leaves the fingerprint alone.
        fingerprint=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32],
    )
