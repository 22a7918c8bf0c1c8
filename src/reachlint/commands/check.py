"""From PATHs and rules files to a report: load, model, engine, rules, report.

Each phase's wall time is added to an optional `timings` dict, so the command line can show
where the time goes without the report itself depending on the clock.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from reachlint.errors import InputError

if TYPE_CHECKING:
    from reachlint.commands.changes.diff import Snapshot
    from reachlint.model.network import NetworkModel, Origin
    from reachlint.reports.schema import Finding, NoteRef, Report, RuleInfo
    from reachlint.rules import Rule, RuleSet
    from reachlint.rules.evaluate import Withdrawn

AssumeUnknown = Literal["open", "closed"]
Timings = dict[str, float]


@dataclass(frozen=True)
class LoadOptions:
    """How to read inputs: Terraform variables, the configuration beside a plan, ARM parameters."""

    variables: dict[str, str] = field(default_factory=dict)  # --var NAME=VALUE
    var_files: tuple[Path, ...] = ()  # --var-file
    config_dir: Path | None = None  # the .tf files a plan was made from (default: beside it)
    parameters: Path | None = None  # ARM parameters file


@dataclass
class InputsSeen:
    """What building the model learnt about each input, for steps that read the inputs again
    (checkov): its kind, and for a plan the file and line of each resource's configuration."""

    kinds: dict[Path, str] = field(default_factory=dict)
    origins: dict[Path, dict[str, Origin]] = field(default_factory=dict)


@contextmanager
def _phase(timings: Timings | None, name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        if timings is not None:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - started


def build_model(
    paths: list[Path],
    timings: Timings | None = None,
    options: LoadOptions | None = None,
    seen: InputsSeen | None = None,
) -> NetworkModel:
    """One network model from every PATH, each detected by its content; `seen` is told what
    each input is."""
    from reachlint.inputs.detect import inspect_input
    from reachlint.sensitive import environment_secrets, redact_model

    if not paths:
        raise InputError("no input given; expected a Terraform plan, directory or ARM template")
    options = options or LoadOptions()
    models = []
    for path in paths:
        with _phase(timings, "load"):
            detected = inspect_input(path)
        if seen is not None:
            seen.kinds[path] = detected.kind
        try:
            if detected.kind == "terraform-plan":
                models.append(_plan_model(path, detected.document, options, timings, seen))
            elif detected.kind == "terraform-dir":
                models.append(_directory_model(path, options, timings))
            else:
                models.append(
                    _template_model(path, detected.kind, detected.document, options, timings)
                )
        except RecursionError:
            # Values nested just below what the parsers accept, walked once more.
            raise InputError("is nested too deeply to read", str(path)) from None
    merged, *others = models
    with _phase(timings, "model"):
        for model in others:
            merged.merge(model)
    redact_model(merged, {}, environment_secrets(os.environ))
    return merged


def _plan_model(
    path: Path,
    document: object,
    options: LoadOptions,
    timings: Timings | None,
    seen: InputsSeen | None = None,
) -> NetworkModel:
    from reachlint.dialects.terraform.model import attach_configuration, model_from_resources
    from reachlint.formats.terraform.plan import load_plan_resources, plan_variable_secrets
    from reachlint.model.network import Origin
    from reachlint.sensitive import redact_model

    with _phase(timings, "load"):
        plan = load_plan_resources(path, document if isinstance(document, dict) else None)
        config_notes: list[str] = []
        directory = options.config_dir or _configuration_beside(path)
        if directory is not None:
            config_notes = attach_configuration(
                plan.resources, directory, _plan_variables(document, options), options.var_files
            )
        if seen is not None:
            seen.origins[path] = {resource.address: resource.origin for resource in plan.resources}
    with _phase(timings, "model"):
        model = model_from_resources(plan.resources, plan.ids, str(path))
        for message in [*plan.notes, *config_notes]:
            model.note(message, origin=Origin(file=str(path)))
        redact_model(model, {}, plan_variable_secrets(document))
    return model


def _configuration_beside(plan: Path) -> Path | None:
    """The directory a plan was made from, when the plan sits among its .tf files."""
    directory = plan.parent
    return directory if any(directory.glob("*.tf")) else None


def _plan_variables(document: object, options: LoadOptions) -> dict[str, str]:
    """The plan's own variable values (as --var text), then the command line's."""
    import json

    values: dict[str, str] = {}
    variables = document.get("variables") if isinstance(document, dict) else None
    if isinstance(variables, dict):
        for name, entry in variables.items():
            if isinstance(entry, dict) and "value" in entry:
                value = entry["value"]
                values[name] = value if isinstance(value, str) else json.dumps(value)
    values.update(options.variables)
    return values


def _directory_model(path: Path, options: LoadOptions, timings: Timings | None) -> NetworkModel:
    from reachlint.dialects.terraform.model import model_from_resources, rebase_origins, shown_path
    from reachlint.formats.terraform.directory import load_terraform_dir

    with _phase(timings, "load"):
        loaded = load_terraform_dir(path, dict(options.variables), list(options.var_files))
        directory = path.parent if path.is_file() else path
        rebase_origins(loaded.resources, directory)
    with _phase(timings, "model"):
        model = model_from_resources(loaded.resources, {}, str(path))
        for note in loaded.notes:
            origin = note.origin
            if origin.file is not None:
                origin = origin.model_copy(update={"file": shown_path(directory / origin.file)})
            model.note(note.message, note.address, origin)
    return model


def _template_model(
    path: Path, kind: str, document: object, options: LoadOptions, timings: Timings | None
) -> NetworkModel:
    if kind == "bicep":
        raise InputError(
            "reachlint reads Bicep through its compiled JSON; run `bicep build` (or "
            "`az bicep build`) and give reachlint the .json it writes",
            file=str(path),
        )
    from reachlint.dialects.arm import load_arm_template

    with _phase(timings, "load"):
        # --var NAME=VALUE sets a template parameter (JSON values for arrays and objects).
        values = {name: _parameter_value(text) for name, text in options.variables.items()}
        return load_arm_template(path, options.parameters, document, parameter_values=values)


def _parameter_value(text: str) -> object:
    import json

    try:
        return json.loads(text)
    except ValueError:
        return text


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
    from reachlint.commands.changes.diff import Snapshot, introduced
    from reachlint.commands.changes.suppress import settle
    from reachlint.engine.reach import compute_reachability
    from reachlint.reports.schema import Report, Summary, Tool
    from reachlint.rules import evaluate, load_rules

    if checkov:  # before anything slow: without the extra, say how to install it
        from reachlint.commands.integrations.checkov_runner import require_checkov

        with _phase(timings, "checkov-import"):
            require_checkov()
    # Rules before the plan: a typo in a rules file should not wait for a large plan to load.
    with _phase(timings, "rules"):
        ruleset = load_rules(rules_files, builtin=builtin)
    seen = InputsSeen() if checkov else None
    model = build_model(paths, timings, options, seen)
    with _phase(timings, "engine"):
        reach = compute_reachability(model, assume_unknown=assume_unknown)
    base_snapshot = _base_snapshot(base, assume_unknown, timings) if base else None
    if base_snapshot is not None:
        model.sensitive |= base_snapshot.model.sensitive  # the base's secrets stay hidden too
    described = describe_rules(ruleset)
    checked_findings: list[Finding] = []
    if seen is not None:
        from reachlint.commands.integrations.checkov_bridge import checkov_findings

        with _phase(timings, "checkov"):
            checked = checkov_findings(seen, model, options or LoadOptions(), base)
        checked_findings = checked.findings
        described += checked.rules
        for message in checked.notes:
            model.note(message)
    withdrawn: Withdrawn = {}
    # A suppression may take away the every-port opening a rule stood for; the rules that
    # deferred to it report what it withdrew, so the rules run once more (rarely).
    for _ in range(len(ruleset.rules) + 1):
        with _phase(timings, "rules"):
            findings = evaluate(ruleset, model, reach, withdrawn)
        every_finding = findings
        if base_snapshot is not None:
            with _phase(timings, "diff"):
                findings = introduced(findings, base_snapshot, Snapshot(model, reach, findings))
        with _phase(timings, "suppress"):
            settled = settle(findings + checked_findings, ruleset, paths, reach, baseline=baseline)
        if not _withdraws_more(settled.withdrawn, withdrawn, ruleset):
            break
        withdrawn = _merged(withdrawn, settled.withdrawn)
    findings, problems = settled.findings, settled.problems
    if seen is not None:
        from reachlint.commands.integrations.checkov_bridge import correlate

        with _phase(timings, "checkov"):
            findings = correlate(findings, model, reach)
    if base or base_rules is not None or base_baseline is not None:
        from reachlint.commands.changes.suppress_added import added_suppressions, rule_info

        with _phase(timings, "suppress"):
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
    with _phase(timings, "report"):
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

        with _phase(timings, "report"):
            report.diagram = draw(model, reach, active, "mermaid")
    return report


def _base_snapshot(
    base: list[Path], assume_unknown: AssumeUnknown, timings: Timings | None
) -> Snapshot:
    """The network before the change, to tell which findings the change opens."""
    from reachlint.commands.changes.diff import Snapshot
    from reachlint.engine.reach import compute_reachability

    for path in base:
        if not path.exists():
            raise InputError("no such file or directory", file=str(path))
    base_model = build_model(base, timings)
    with _phase(timings, "engine"):
        base_reach = compute_reachability(base_model, assume_unknown=assume_unknown)
    return Snapshot(base_model, base_reach, [])


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
    where = ""
    if rule.origin.file:
        line = f":{rule.origin.line}" if rule.origin.line else ""
        where = f" (defined in `{rule.origin.file}{line}`)"
    why = " ".join(rule.description.split()) or "The rules file forbids these paths."
    return (
        f"# {rule.id}\n\n{rule.heading}{where}\n\n"
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
    from reachlint.reports.schema import SEVERITIES

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
    from reachlint.reports.schema import SEVERITIES

    counts = {severity: 0 for severity in reversed(SEVERITIES)}
    for finding in findings:
        counts[finding.severity] += 1
    return {severity: count for severity, count in counts.items() if count}
