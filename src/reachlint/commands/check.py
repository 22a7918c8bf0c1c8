"""`reachlint check`: from PATHs and rules files to a report: load, engine, rules, suppressions,
report; with `--base`, only what the change introduces."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from reachlint.errors import InputError
from reachlint.inputs.load import InputsSeen, LoadOptions, build_model
from reachlint.reports.contents import count_by_severity, describe_rules, notes_of, sort_findings
from reachlint.timing import Timings, phase

if TYPE_CHECKING:
    from reachlint.commands.changes.diff import FlowTraffic
    from reachlint.engine.reach import AssumeUnknown
    from reachlint.reports.schema import Report
    from reachlint.rules import RuleSet
    from reachlint.rules.evaluate import Withdrawn
    from reachlint.rules.findings import Finding


def run_check(
    paths: list[Path],
    rules_files: list[Path],
    *,
    builtin: bool = True,
    assume_unknown: AssumeUnknown = "open",
    timings: Timings | None = None,
    baseline: Path | None = None,
    base: list[Path] | None = None,
    options: LoadOptions | None = None,
    diagram: bool = False,
    checkov: bool = False,
    base_rules: list[Path] | None = None,
    base_baseline: Path | None = None,
) -> Report:
    """Check the rules (built-in and from `rules_files`) against the model of `paths`.

    Findings a suppression or the `baseline` file covers are kept, marked suppressed; with
    `base`, only the findings the change from `base` to `paths` introduces are reported, and
    so is every suppression the change adds (against `base_rules` and `base_baseline` too, the
    rules files and baseline as the base has them). With `checkov`, checkov's failed checks on
    the same inputs join reachlint's findings.
    """
    for path in paths:
        if not path.exists():
            raise InputError("no such file or directory", file=str(path))
    from reachlint import __version__
    from reachlint.commands.changes.suppress import settle
    from reachlint.engine.reach import compute_reachability
    from reachlint.reports.schema import Report, Summary, Tool
    from reachlint.rules import evaluate, load_rules

    if checkov:  # before anything slow: without the extra, say how to install it
        from reachlint.commands.integrations.checkov_runner import require_checkov

        with phase(timings, "checkov-import"):
            require_checkov()
    # Rules before the plan: a typo in a rules file should not wait for a large plan to load.
    with phase(timings, "rules"):
        ruleset = load_rules(rules_files, builtin=builtin)
    # The base before the head: only its traffic between ends is kept, so the two models are
    # never held at once.
    base_traffic = _base_traffic(base, assume_unknown, timings) if base else None
    seen = InputsSeen() if checkov else None
    model = build_model(paths, timings, options, seen)
    with phase(timings, "engine"):
        reach = compute_reachability(model, assume_unknown=assume_unknown)
    if base_traffic is not None:
        model.sensitive |= base_traffic.sensitive  # the base's secrets stay hidden too
    described = describe_rules(ruleset)
    checked_findings: list[Finding] = []
    if seen is not None:
        from reachlint.commands.integrations.checkov_bridge import checkov_findings

        with phase(timings, "checkov"):
            checked = checkov_findings(seen, model, options or LoadOptions(), base)
        checked_findings = checked.findings
        described += checked.rules
        for message in checked.notes:
            model.note(message)
    withdrawn: Withdrawn = {}
    # A suppression may take away the every-port opening a rule stood for; the rules that
    # deferred to it report what it withdrew, so the rules run once more (rarely).
    for _ in range(len(ruleset.rules) + 1):
        with phase(timings, "rules"):
            findings = evaluate(ruleset, model, reach, withdrawn)
        every_finding = findings
        if base_traffic is not None:
            from reachlint.commands.changes.diff import Snapshot, introduced

            with phase(timings, "diff"):
                findings = introduced(findings, base_traffic, Snapshot(model, reach, findings))
        with phase(timings, "suppress"):
            settled = settle(findings + checked_findings, ruleset, paths, reach, baseline=baseline)
        if not _withdraws_more(settled.withdrawn, withdrawn, ruleset):
            break
        withdrawn = _merged(withdrawn, settled.withdrawn)
    findings, problems = settled.findings, settled.problems
    if seen is not None:
        from reachlint.commands.integrations.checkov_bridge import correlate

        with phase(timings, "checkov"):
            findings = correlate(findings, model, reach)
    if base or base_rules is not None or base_baseline is not None:
        from reachlint.commands.changes.suppress_added import added_suppressions, rule_info

        with phase(timings, "suppress"):
            added = added_suppressions(
                paths,
                every_finding,
                base or [],
                ruleset,
                base_rules=base_rules,
                builtin=builtin,
                rules_files=rules_files,
                baseline=baseline,
                base_baseline=base_baseline,
                introduced=findings if base else None,
            )
        findings += added
        described += [rule_info()] if added else []
    with phase(timings, "report"):
        findings = sort_findings(findings)
        active = [finding for finding in findings if finding.suppressed is None]
        report = Report(
            tool=Tool(version=__version__),
            inputs=[str(path) for path in paths],
            findings=findings,
            summary=Summary(
                findings=len(active),
                by_severity=count_by_severity(active),
                rules=len(ruleset.rules),
                endpoints=len(model.endpoints),
                suppressed=len(findings) - len(active) or None,
            ),
            notes=notes_of(model),
            suppression_problems=problems or None,
            rules=described,
            sensitive=model.sensitive,
        )
    if diagram:
        from reachlint.commands.design.graph import draw

        with phase(timings, "report"):
            report.diagram = draw(model, reach, active, "mermaid")
    return report


def _base_traffic(
    base: list[Path], assume_unknown: AssumeUnknown, timings: Timings | None
) -> FlowTraffic:
    """The network before the change, to tell which findings the change opens: the traffic
    between its ends; its model and flows are freed on return."""
    from reachlint.commands.changes.diff import Snapshot
    from reachlint.engine.reach import traffic_only

    for path in base:
        if not path.exists():
            raise InputError("no such file or directory", file=str(path))
    base_model = build_model(base, timings)
    with phase(timings, "engine"):
        base_reach = traffic_only(base_model, assume_unknown=assume_unknown)
        return Snapshot(base_model, base_reach, []).flow_traffic()


def _withdraws_more(found: Withdrawn, known: Withdrawn, ruleset: RuleSet) -> bool:
    """Whether a rule that others defer to withdrew traffic not yet taken into account."""
    from reachlint.model.traffic import Traffic

    deferred_to = {target for rule in ruleset.rules for target in rule.defers_to}
    for rule_id, by_pair in found.items():
        if rule_id not in deferred_to:
            continue
        for pair, traffic in by_pair.items():
            if traffic - known.get(rule_id, {}).get(pair, Traffic()):
                return True
    return False


def _merged(known: Withdrawn, found: Withdrawn) -> Withdrawn:
    merged = {rule_id: dict(by_pair) for rule_id, by_pair in known.items()}
    for rule_id, by_pair in found.items():
        into = merged.setdefault(rule_id, {})
        for pair, traffic in by_pair.items():
            into[pair] = into[pair] | traffic if pair in into else traffic
    return merged
