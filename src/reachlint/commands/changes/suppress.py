"""Applying suppressions to findings: a suppression covers the traffic that the filter rules
inside what it covers open, and nothing more (see suppress_scope); the rest of a finding is
reported as a finding of its own. A suppression without a reason, or for a rule that is not
known, suppresses nothing and is reported itself. Where suppressions are written and how they
are read is the comments module's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec import Struct, field
from msgspec.structs import replace

from reachlint.commands.changes.comments import (
    MARKER,
    Directive,
    Suppressions,
    collect,
)
from reachlint.confine import confined, input_root

if TYPE_CHECKING:
    from reachlint.engine.flows import Reachability
    from reachlint.model.traffic import Traffic
    from reachlint.reports.schema import SuppressionProblem
    from reachlint.rules import RuleSet
    from reachlint.rules.findings import Finding


_SOURCE_SUFFIXES = (".tf", ".bicep", ".template.json")  # .template.json: a cloud assembly's


def source_files(inputs: Iterable[Path], findings: Iterable[Finding]) -> list[tuple[Path, str]]:
    """The files a suppression may sit in: those the findings point at, the inputs' .tf and
    .bicep files (and the .tf files beside a plan), and ARM templates given as input."""
    inputs = list(inputs)
    bases = [path if path.is_dir() else path.parent for path in inputs]
    files: list[tuple[Path, str]] = []
    for path in inputs:
        if path.is_dir():
            files += [(child, str(child)) for child in _sources_under(path)]
        elif path.suffix in (".json", ".jsonc", ".bicep", ".yaml", ".yml", ".template"):
            files.append((path, str(path)))
            files += [(child, str(child)) for child in sorted(path.parent.glob("*.tf"))]
        elif path.suffix == ".tf":
            files += [(child, str(child)) for child in sorted(path.parent.glob("*.tf"))]
    for finding in findings:
        for shown in _places_files(finding):
            resolved = resolve(shown, bases)
            if resolved is not None:
                files.append((resolved, shown))
    given = {path.resolve() for path in inputs}
    roots = [input_root(path) for path in inputs]
    return [(_readable(path, given, roots), shown) for path, shown in files]


def _readable(path: Path, given: set[Path], roots: list[Path]) -> Path:
    """A file to scan, resolved: an input itself, or a regular file inside an input's root."""
    resolved = path.resolve()
    if resolved in given:
        return resolved
    for root in roots:
        if resolved.is_relative_to(root):
            return confined(path, root)
    return confined(path, roots[0]) if roots else resolved


def _sources_under(directory: Path) -> list[Path]:
    """The .tf and .bicep files below a directory, not descending into hidden directories
    such as .terraform and .git (modules there are reached through the findings' places)."""
    import os

    found = []
    for root, folders, names in os.walk(directory):
        folders[:] = sorted(folder for folder in folders if not folder.startswith("."))
        found += [Path(root, name) for name in sorted(names) if name.endswith(_SOURCE_SUFFIXES)]
    return found


def _places_files(finding: Finding) -> set[str]:
    files = {hop.file for hop in finding.path if hop.file}
    files.update(end.file for end in (finding.source, finding.destination) if end.file)
    return files


def resolve(shown: str, bases: list[Path]) -> Path | None:
    """A file as a report names it: relative to the working directory or to an input."""
    candidate = Path(shown)
    if candidate.is_file():
        return candidate
    if not candidate.is_absolute():
        for base in bases:
            if (base / candidate).is_file():
                return base / candidate
    return None


class Settled(Struct):
    """Findings with what suppressions and the baseline cover marked; the suppressions that
    are wrong; and, per rule and pair of ends, the traffic a rule about flows open on every port
    no longer reports once a suppression took the every-port opening away."""

    findings: list[Finding]
    problems: list[SuppressionProblem]
    withdrawn: dict[str, dict[tuple[str, str], Traffic]] = field(default_factory=dict)


def apply(
    findings: list[Finding],
    suppressions: Suppressions,
    known_rules: set[str],
    bases: list[Path],
    reach: Reachability,
    ruleset: RuleSet,
) -> Settled:
    """Split off and mark the traffic valid suppressions cover (see suppress_scope); report
    the suppressions that are wrong."""
    from reachlint.commands.changes.suppress_scope import Carriers, judge, split
    from reachlint.reports.schema import SuppressionProblem

    problems: list[SuppressionProblem] = []
    valid: dict[Path, list[Directive]] = {}
    for path, directives in suppressions.by_file.items():
        for directive in directives:
            problem = problem_of(directive, known_rules)
            if problem is None:
                valid.setdefault(path, []).append(directive)
            else:
                problems.append(
                    SuppressionProblem(
                        message=problem,
                        rule=directive.rules[0] if directive.rules else None,
                        file=directive.file,
                        line=directive.line,
                    )
                )
    if not valid:
        return Settled(findings, problems)
    settled = Settled([], problems)
    named = {rule for directives in valid.values() for d in directives for rule in d.rules}
    resolved: dict[str, Path | None] = {}
    carriers: Carriers | None = None
    used: set[Directive] = set()
    misplaced: dict[Directive, tuple[str, str]] = {}
    out = []
    for finding in findings:
        if finding.suppressed is not None or finding.rule not in named:
            out.append(finding)
            continue
        if finding.tool == "checkov":  # a check on one resource: covered where it sits
            cover = _covering(finding, valid, resolved, bases)
            out.append(finding if cover is None else _marked(finding, cover))
            continue
        carriers = carriers or Carriers(reach)
        flows = carriers.of(finding)
        covering = _covering_rule(finding.rule, valid, resolved, bases)
        judgement = judge(finding, flows, covering)
        used |= judgement.used
        for directive, address in judgement.misplaced:
            misplaced.setdefault(directive, (finding.rule, address))
        reported, suppressed, withdrawn = split(finding, judgement, flows, ruleset)
        if withdrawn:
            pair = (finding.source.address, finding.destination.address)
            by_pair = settled.withdrawn.setdefault(finding.rule, {})
            by_pair[pair] = by_pair[pair] | withdrawn if pair in by_pair else withdrawn
        if reported is not None:
            out.append(reported)
        if suppressed is not None:
            assert judgement.directive is not None
            out.append(_marked(suppressed, judgement.directive))
    for directive, (rule, address) in misplaced.items():
        if directive not in used:
            problems.append(
                SuppressionProblem(
                    message=(
                        f"{MARKER} {rule} sits on {address}, which filters no traffic: a "
                        "suppression covers what the security-group rules, NSG rules and "
                        "network ACL entries in its block admit; put it on the rule that "
                        "opens the path"
                    ),
                    rule=rule,
                    file=directive.file,
                    line=directive.line,
                )
            )
    settled.findings = out
    return settled


def _marked(finding: Finding, directive: Directive) -> Finding:
    from reachlint.rules.findings import Suppression

    suppression = Suppression(
        kind="inline", reason=directive.reason, file=directive.file, line=directive.line
    )
    return replace(finding, suppressed=suppression)


def _covering_rule(
    rule: str,
    valid: dict[Path, list[Directive]],
    resolved: dict[str, Path | None],
    bases: list[Path],
) -> Callable[[str | None, int | None], Directive | None]:
    """Which valid suppression of `rule` holds a place (file as shown, line), if any."""

    def covering(shown: str | None, line: int | None) -> Directive | None:
        if not shown or not line:
            return None
        if shown not in resolved:
            path = resolve(shown, bases)
            resolved[shown] = path.resolve() if path is not None else None
        path = resolved[shown]
        for directive in valid.get(path, []) if path is not None else []:
            if rule in directive.rules and directive.first <= line <= directive.last:
                return directive
        return None

    return covering


def known_rule_ids(ruleset: RuleSet, directives: list[Directive]) -> set[str]:
    """The rules a suppression may name: those checked, and the built-in ones even when a
    rules file switched them off (a suppression of those is no mistake, it waits)."""
    known_rules = {rule.id for rule in ruleset.rules}
    named = {rule for directive in directives for rule in directive.rules}
    if not named <= known_rules:
        from reachlint.rules import load_rules

        known_rules |= {rule.id for rule in load_rules([], builtin=True).rules}
    return known_rules


def problem_of(directive: Directive, known_rules: set[str]) -> str | None:
    """Why a suppression suppresses nothing (no rule, unknown rule, no reason), or None."""
    from reachlint.commands.integrations.checkov_bridge import is_checkov_check

    if not directive.rules:
        return f"{MARKER} names no rule; write `{MARKER} RULE-ID reason`"
    # A checkov check id is no mistake in a run without --checkov: it suppresses nothing there.
    unknown = [
        rule for rule in directive.rules if rule not in known_rules and not is_checkov_check(rule)
    ]
    if unknown:
        return (
            f"{MARKER} names {', '.join(unknown)}, which is not a rule reachlint knows; "
            "`reachlint rules list` names them"
        )
    if not directive.reason:
        return f"{MARKER} {', '.join(directive.rules)} gives no reason; add one after the rule id"
    return None


def _covering(
    finding: Finding,
    valid: dict[Path, list[Directive]],
    resolved: dict[str, Path | None],
    bases: list[Path],
) -> Directive | None:
    places = [(end.file, end.line) for end in (finding.source, finding.destination)]
    places += [(hop.file, hop.line) for hop in finding.path]
    for shown, line in places:
        if not shown or not line:
            continue
        if shown not in resolved:
            path = resolve(shown, bases)
            resolved[shown] = path.resolve() if path is not None else None
        path = resolved[shown]
        for directive in valid.get(path, []) if path is not None else []:
            if finding.rule in directive.rules and directive.first <= line <= directive.last:
                return directive
    return None


def settle(
    findings: list[Finding],
    ruleset: RuleSet,
    inputs: list[Path],
    reach: Reachability,
    *,
    baseline: Path | None = None,
) -> Settled:
    """Fingerprint the findings, mark what inline suppressions (split off from the rest) and a
    baseline cover, and report the suppressions that are wrong."""
    from reachlint.commands.changes.baseline import read_baseline, with_fingerprint
    from reachlint.rules.findings import Suppression

    findings = [with_fingerprint(finding) for finding in findings]
    bases = [path if path.is_dir() else path.parent for path in inputs]
    suppressions = collect(source_files(inputs, findings))
    known_rules = known_rule_ids(ruleset, suppressions.all())
    settled = apply(findings, suppressions, known_rules, bases, reach, ruleset)
    findings = settled.findings
    if baseline is not None:
        known = read_baseline(baseline)
        marked = []
        for finding in findings:
            if finding.suppressed is None:
                new = known.new_part(finding)
                if new is None:
                    covered = Suppression(
                        kind="baseline", reason="in the baseline", file=str(baseline)
                    )
                    finding = replace(finding, suppressed=covered)
                else:
                    finding = new
            marked.append(finding)
        settled.findings = marked
    return settled
