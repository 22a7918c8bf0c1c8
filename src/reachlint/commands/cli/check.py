"""`reachlint check`: check inputs against the rules; exit 1 on a finding at or above --fail-on."""

# Annotations are evaluated once, at import (no `from __future__ import annotations`): typer
# reads them for every command at start-up, and strings it would evaluate twice over.

import time
from pathlib import Path
from typing import Annotated

import typer

from reachlint.commands.cli.options import (
    EXIT_CLEAN,
    FORMAT_HELP,
    INPUTS_HELP,
    AssumeUnknown,
    AssumeUnknownOption,
    BaseRulesOption,
    FailOn,
    RootOption,
    asff_context,
    check_format,
    emit,
    exit_code,
    load_options,
    reported_errors,
    wants_color,
)
from reachlint.confine import declared_root


def check(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
            help=INPUTS_HELP,
            show_default=False,
        ),
    ],
    rules: Annotated[
        list[Path] | None,
        typer.Option("--rules", metavar="FILE", help="A rules file (YAML); may be repeated."),
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", metavar="FORMAT", help=FORMAT_HELP)
    ] = "text",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write the report here."),
    ] = None,
    fail_on: Annotated[
        FailOn,
        typer.Option(
            "--fail-on", help="Exit 1 when a finding is at least this severe.", case_sensitive=False
        ),
    ] = FailOn.low,
    assume_unknown: AssumeUnknownOption = AssumeUnknown.open,
    no_builtin: Annotated[
        bool, typer.Option("--no-builtin", help="Leave the built-in rules out.")
    ] = False,
    timings: Annotated[
        bool, typer.Option("--timings", help="Print the time each phase took to stderr.")
    ] = False,
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline", metavar="FILE", help="Findings listed in this baseline are suppressed."
        ),
    ] = None,
    create_baseline: Annotated[
        Path | None,
        typer.Option(
            "--create-baseline",
            metavar="FILE",
            help="Write the findings to this baseline file and exit 0.",
        ),
    ] = None,
    base: Annotated[
        list[Path] | None,
        typer.Option(
            "--base",
            metavar="PATH",
            help="Report only the findings the change from this input introduces.",
        ),
    ] = None,
    variables: Annotated[
        list[str] | None,
        typer.Option("--var", metavar="NAME=VALUE", help="A Terraform variable; may be repeated."),
    ] = None,
    var_files: Annotated[
        list[Path] | None,
        typer.Option("--var-file", metavar="FILE", help="A .tfvars file; may be repeated."),
    ] = None,
    config_dir: Annotated[
        Path | None,
        typer.Option(
            "--config-dir",
            metavar="DIR",
            help="The .tf files a plan was made from (default: the plan's own directory).",
        ),
    ] = None,
    parameters: Annotated[
        Path | None,
        typer.Option(
            "--parameters",
            metavar="FILE",
            help="Parameters file of an ARM or CloudFormation template.",
        ),
    ] = None,
    checkov: Annotated[
        bool,
        typer.Option(
            "--checkov",
            help="Also run checkov's checks on the inputs and report their failures "
            "(pip install 'checkov>=3.2,<4').",
        ),
    ] = False,
    base_rules: BaseRulesOption = None,
    base_baseline: Annotated[
        Path | None,
        typer.Option(
            "--base-baseline",
            metavar="FILE",
            help="The baseline as the base has it: entries --baseline adds are reported as "
            "NEW-SUPPRESSION findings.",
        ),
    ] = None,
    root: RootOption = None,
    account: Annotated[
        str | None,
        typer.Option(
            "--account",
            metavar="ID",
            help="--format asff: the AWS account the findings go to (default 000000000000).",
        ),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(
            "--region",
            metavar="REGION",
            help="--format asff: the AWS Region of Security Hub (default us-east-1).",
        ),
    ] = None,
) -> None:
    """Check the inputs against the rules; exit 1 on a finding at or above --fail-on."""
    with reported_errors(), declared_root(root):
        check_format(output_format)
        # Only ASFF needs them; given without it, they are still checked.
        needs_asff = output_format == "asff" or account is not None or region is not None
        asff = asff_context(account, region) if needs_asff else None
        from reachlint.commands.check import run_check
        from reachlint.reports import render, render_pieces

        spent: dict[str, float] = {}
        report = run_check(
            paths,
            rules or [],
            builtin=not no_builtin,
            assume_unknown="closed" if assume_unknown is AssumeUnknown.closed else "open",
            timings=spent,
            baseline=baseline,
            base=base,
            options=load_options(variables, var_files, config_dir, parameters),
            checkov=checkov,
            base_rules=base_rules,
            base_baseline=base_baseline,
            # The Markdown report (and the job summary of the github format) draws the network.
            diagram=output_format in {"markdown", "github"},
        )
        started = time.perf_counter()
        color = output is None and wants_color()
        emit(render_pieces(report, output_format, color=color, asff=asff), output, output_format)
        if output_format == "github":
            from reachlint.reports.github import write_step_summary

            write_step_summary(render(report, "markdown"))
        spent["output"] = time.perf_counter() - started
        if timings:
            _print_timings(spent)
        if create_baseline is not None:
            from reachlint.commands.changes.baseline import write_baseline

            count = write_baseline(create_baseline, report.findings)
            written = f"{count} finding" if count == 1 else f"{count} findings"
            from reachlint.safe_text import one_line

            typer.echo(f"reachlint: wrote {written} to {one_line(str(create_baseline))}", err=True)
            raise typer.Exit(EXIT_CLEAN)
        # A suppression that suppresses nothing fails like a low finding: it is a mistake.
        severities = [finding.severity for finding in report.active_findings]
        severities += ["low"] * len(report.suppression_problems or [])
    raise typer.Exit(exit_code(severities, fail_on.value))


def _print_timings(spent: dict[str, float]) -> None:
    parts = [f"{phase} {seconds * 1000:.1f} ms" for phase, seconds in spent.items()]
    total = sum(spent.values()) * 1000
    typer.echo(f"timings: {' · '.join(parts)} · total {total:.1f} ms", err=True)
