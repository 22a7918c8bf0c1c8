"""`reachlint diff`: the flows a change opens and closes."""

# Annotations are evaluated once, at import (no `from __future__ import annotations`): typer
# reads them for every command at start-up, and strings it would evaluate twice over.

from pathlib import Path
from typing import Annotated

import typer

from reachlint.commands.cli.options import (
    DIFF_FORMAT_HELP,
    AssumeUnknown,
    AssumeUnknownOption,
    BaseRulesOption,
    FailOn,
    RootOption,
    VarFilesOption,
    VariablesOption,
    check_format,
    emit,
    exit_code,
    load_options,
    reported_errors,
    wants_color,
)
from reachlint.confine import declared_root


def diff(
    base: Annotated[Path, typer.Argument(metavar="BASE", help="The input before the change.")],
    head: Annotated[Path, typer.Argument(metavar="HEAD", help="The input after the change.")],
    rules: Annotated[
        list[Path] | None,
        typer.Option("--rules", metavar="FILE", help="A rules file (YAML); may be repeated."),
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", metavar="FORMAT", help=DIFF_FORMAT_HELP)
    ] = "text",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write the report here."),
    ] = None,
    fail_on: Annotated[
        FailOn,
        typer.Option(
            "--fail-on",
            help="Exit 1 when an opened flow breaks a rule at least this severe.",
            case_sensitive=False,
        ),
    ] = FailOn.low,
    assume_unknown: AssumeUnknownOption = AssumeUnknown.open,
    no_builtin: Annotated[
        bool, typer.Option("--no-builtin", help="Leave the built-in rules out.")
    ] = False,
    variables: VariablesOption = None,
    var_files: VarFilesOption = None,
    base_rules: BaseRulesOption = None,
    root: RootOption = None,
) -> None:
    """Show the flows a change opens and closes, each with its path and the lines that open it."""
    with reported_errors(), declared_root(root):
        check_format(output_format, diff=True)
        from reachlint.commands.changes.diff import run_diff
        from reachlint.reports import render_diff

        report = run_diff(
            base,
            head,
            rules or [],
            builtin=not no_builtin,
            assume_unknown="closed" if assume_unknown is AssumeUnknown.closed else "open",
            options=load_options(variables, var_files, None, None),
            base_rules=base_rules,
        )
        text = render_diff(report, output_format, color=output is None and wants_color())
        emit(text, output, output_format)
        if output_format == "github":
            from reachlint.reports.github import write_step_summary

            write_step_summary(render_diff(report, "markdown"))
        severities = [change.severity for change in report.opened if change.severity]
        severities += [finding.severity for finding in report.new_suppressions or []]
    raise typer.Exit(exit_code(severities, fail_on.value))
