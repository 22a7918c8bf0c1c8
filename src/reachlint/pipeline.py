"""From PATHs and rules files to a report: load, model, engine, rules, report.

Each phase's wall time is added to an optional `timings` dict, so the command line can show
where the time goes without the report itself depending on the clock.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from reachlint.errors import InputError

if TYPE_CHECKING:
    from reachlint.model import NetworkModel
    from reachlint.report import Finding, Report

AssumeUnknown = Literal["open", "closed"]
Timings = dict[str, float]

_NOT_YET = {
    "terraform-dir": (
        "Terraform directories are not supported yet; give the plan: "
        "terraform plan -out=plan.tfplan && terraform show -json plan.tfplan > plan.json"
    ),
    "arm": "ARM templates are not supported yet; this release reads Terraform plans",
    "bicep": "Bicep files are not supported yet; this release reads Terraform plans",
}


@contextmanager
def _phase(timings: Timings | None, name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        if timings is not None:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - started


def build_model(paths: list[Path], timings: Timings | None = None) -> NetworkModel:
    """One network model from every PATH, each detected by its content."""
    from reachlint.loaders.detect import inspect_input
    from reachlint.loaders.terraform import model_from_resources
    from reachlint.loaders.terraform_plan import load_plan_resources
    from reachlint.model import Origin

    if not paths:
        raise InputError("no input given; expected a Terraform plan (terraform show -json)")
    models = []
    for path in paths:
        with _phase(timings, "load"):
            detected = inspect_input(path)
            if detected.kind != "terraform-plan":
                raise InputError(_NOT_YET[detected.kind], file=str(path))
            plan = load_plan_resources(path, detected.document)
        with _phase(timings, "model"):
            model = model_from_resources(plan.resources, plan.ids, str(path))
            for message in plan.notes:
                model.note(message, origin=Origin(file=str(path)))
            models.append(model)
    merged, *others = models
    with _phase(timings, "model"):
        for model in others:
            merged.merge(model)
    return merged


def run_check(
    paths: list[Path],
    rules_files: list[Path],
    *,
    builtin: bool = True,
    assume_unknown: AssumeUnknown = "open",
    timings: Timings | None = None,
) -> Report:
    """Check the rules (built-in and from `rules_files`) against the model of `paths`."""
    for path in paths:
        if not path.exists():
            raise InputError("no such file or directory", file=str(path))
    from reachlint import __version__
    from reachlint.engine.reach import compute_reachability
    from reachlint.report import NoteRef, Report, Summary, Tool
    from reachlint.rules import evaluate, load_rules

    # Rules before the plan: a typo in a rules file should not wait for a large plan to load.
    with _phase(timings, "rules"):
        ruleset = load_rules(rules_files, builtin=builtin)
    model = build_model(paths, timings)
    with _phase(timings, "engine"):
        reach = compute_reachability(model, assume_unknown=assume_unknown)
    with _phase(timings, "rules"):
        findings = evaluate(ruleset, model, reach)
    with _phase(timings, "report"):
        findings = sort_findings(findings)
        notes = [
            NoteRef(
                address=note.address,
                message=note.message,
                file=note.origin.file,
                line=note.origin.line,
            )
            for note in model.notes
        ]
        report = Report(
            tool=Tool(version=__version__),
            inputs=[str(path) for path in paths],
            findings=findings,
            summary=Summary(
                findings=len(findings),
                by_severity=count_by_severity(findings),
                rules=len(ruleset.rules),
                endpoints=len(model.endpoints),
            ),
            notes=notes,
        )
    return report


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Most severe first, then by rule and ends, so every format lists them in one order."""
    from reachlint.report import SEVERITIES

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
    from reachlint.report import SEVERITIES

    counts = {severity: 0 for severity in reversed(SEVERITIES)}
    for finding in findings:
        counts[finding.severity] += 1
    return {severity: count for severity, count in counts.items() if count}
