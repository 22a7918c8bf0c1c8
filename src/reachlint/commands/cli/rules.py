"""`reachlint rules list|show` and `reachlint schema`: the rules and the schemas of the files."""

# Annotations are evaluated once, at import (no `from __future__ import annotations`): typer
# reads them for every command at start-up, and strings it would evaluate twice over.

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from reachlint.commands.cli.options import reported_errors, write_out


class ExportFormat(StrEnum):
    naa = "naa"


class SchemaName(StrEnum):
    rules = "rules"
    report = "report"


# What `reachlint schema` lists: each schema and the document it describes.
SCHEMAS = {
    SchemaName.rules: "the rules file (--rules FILE, --groups FILE)",
    SchemaName.report: "the JSON report (check --format json)",
}


def rules_root(ctx: typer.Context) -> None:
    """List the rules or show one rule's documentation (default: list)."""
    if ctx.invoked_subcommand is None:
        list_rules()


def list_rules(
    rules: Annotated[
        list[Path] | None,
        typer.Option("--rules", metavar="FILE", help="Also list the rules of this file."),
    ] = None,
    no_builtin: Annotated[
        bool, typer.Option("--no-builtin", help="Leave the built-in rules out.")
    ] = False,
) -> None:
    """List the active rules: id, severity and title."""
    with reported_errors():
        from reachlint.rules import load_rules
        from reachlint.safe_text import for_output, one_line

        ruleset = load_rules(rules or [], builtin=not no_builtin)
        rows = [(rule.id, rule.severity, rule.title) for rule in ruleset.rules]
        id_width = max((len(row[0]) for row in rows), default=0)
        for rule_id, severity, title in rows:
            write_out(for_output(f"{rule_id:<{id_width}}  {severity:<8}  {one_line(title)}\n"))


def show_rule(
    rule_id: Annotated[str, typer.Argument(metavar="ID", help="A built-in rule's id.")],
) -> None:
    """Show a built-in rule's documentation (Markdown)."""
    with reported_errors():
        from reachlint.errors import InputError
        from reachlint.rules import rule_doc

        doc = rule_doc(rule_id)
        if doc is None:
            raise InputError(
                f"there is no built-in rule {rule_id!r}; `reachlint rules list` names them"
            )
        write_out(doc if doc.endswith("\n") else doc + "\n")


def export_rules(
    rules: Annotated[
        list[Path],
        typer.Argument(
            metavar="RULES",
            help="Rules files (YAML, or Network Access Scopes).",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="DIR",
            help="Write one NAME.json per rule into this directory.",
        ),
    ],
    export_format: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            help="naa: Network Access Analyzer scopes, for create-network-insights-access-scope "
            "--cli-input-json.",
        ),
    ] = ExportFormat.naa,
    builtin: Annotated[
        bool, typer.Option("--builtin", help="Export the built-in rules too.")
    ] = False,
    inputs: Annotated[
        list[Path] | None,
        typer.Option(
            "--input",
            metavar="PATH",
            help="An input that knows deployed ids (a plan's prior state): resources it knows "
            "are named by id.",
        ),
    ] = None,
) -> None:
    """Write each rule as a Network Access Scope; name the rules a scope cannot express."""
    with reported_errors():
        import json

        from reachlint.commands.output_file import write_file
        from reachlint.errors import InputError
        from reachlint.rules import load_rules
        from reachlint.rules.export import deployed_ids, export_scopes
        from reachlint.safe_text import for_output, one_line

        ruleset = load_rules(rules, builtin=builtin)
        if not output.is_dir():
            raise InputError("--output must be an existing directory", str(output))
        ids: dict[str, str] = {}
        if inputs:
            from reachlint.inputs.load import build_model

            for path in inputs:
                if not path.exists():
                    raise InputError("no such file or directory", str(path))
            ids = deployed_ids(build_model(inputs, None).ids)
        written = 0
        for exported in export_scopes(ruleset, ids):
            if exported.document is None:
                typer.echo(
                    for_output(
                        f"reachlint: {one_line(exported.rule)} cannot be a scope: "
                        f"{one_line(exported.reason or '')}"
                    ),
                    err=True,
                )
                continue
            target = output / f"{exported.rule}.json"
            write_file(target, json.dumps(exported.document, indent=2) + "\n", "scope")
            written += 1
            typer.echo(for_output(f"reachlint: wrote {one_line(str(target))}"), err=True)
        rule_word = "rule" if written == 1 else "rules"
        typer.echo(f"reachlint: {written} {rule_word} written as scopes", err=True)


def schema(
    name: Annotated[
        SchemaName | None,
        typer.Argument(
            metavar="SCHEMA",
            help="Which schema: rules (the rules file) or report (the JSON report); "
            "without it, the list of schemas.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Print the JSON Schema of the rules file or of the JSON report; list them without one."""
    with reported_errors():
        import json

        if name is None:
            width = max(len(known) for known in SCHEMAS)
            lines = [f"  {known:<{width}}  {what}\n" for known, what in SCHEMAS.items()]
            write_out("Schemas (reachlint schema NAME prints one):\n" + "".join(lines))
            return
        if name is SchemaName.report:
            from reachlint.reports.schema import Report, report_schema

            document = report_schema(Report)
        else:
            from reachlint.rules import rules_schema

            document = rules_schema()
        write_out(json.dumps(document, indent=2) + "\n")
