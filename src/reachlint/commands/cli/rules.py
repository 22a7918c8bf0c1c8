"""`reachlint rules list|show` and `reachlint schema`: the rules and the schemas of the files."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from reachlint.commands.cli.options import reported_errors


class SchemaName(StrEnum):
    rules = "rules"
    report = "report"


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
            typer.echo(for_output(f"{rule_id:<{id_width}}  {severity:<8}  {one_line(title)}"))


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
        typer.echo(doc if doc.endswith("\n") else doc + "\n", nl=False)


def schema(
    name: Annotated[
        SchemaName,
        typer.Argument(metavar="SCHEMA", help="Which schema: rules (the rules file) or report."),
    ] = SchemaName.rules,
) -> None:
    """Print the JSON Schema of the rules file or of the JSON report."""
    with reported_errors():
        import json

        if name is SchemaName.report:
            from reachlint.reports.schema import Report

            document = Report.model_json_schema(by_alias=True)
        else:
            from reachlint.rules import rules_schema

            document = rules_schema()
        typer.echo(json.dumps(document, indent=2))
