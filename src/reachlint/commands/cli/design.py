"""Design reviews: `reachlint query`, `matrix` and `graph`."""

# Annotations are evaluated once, at import (no `from __future__ import annotations`): typer
# reads them for every command at start-up, and strings it would evaluate twice over.

from pathlib import Path
from typing import Annotated, Literal

import typer

from reachlint.commands.cli.options import (
    INPUTS_HELP,
    AssumeUnknown,
    AssumeUnknownOption,
    ConfigDirOption,
    ParametersOption,
    RootOption,
    VarFilesOption,
    VariablesOption,
    emit,
    load_options,
    reported_errors,
)
from reachlint.confine import declared_root

_GROUPS_HELP = "A rules file whose groups: name the selectors to use."
_BY_HELP = "Group by auto, subnet, network, security-group, endpoint or tag:KEY."


def _assumed(value: AssumeUnknown) -> Literal["open", "closed"]:
    return "closed" if value is AssumeUnknown.closed else "open"


def query(
    paths: Annotated[
        list[Path], typer.Argument(metavar="PATH", help=INPUTS_HELP, show_default=False)
    ],
    source: Annotated[
        str,
        typer.Option(
            "--from",
            metavar="SELECTOR",
            help="Where the traffic starts: tag:Tier=web, aws_instance.db, internet, a group...",
            show_default=False,
        ),
    ],
    destination: Annotated[
        str,
        typer.Option(
            "--to", metavar="SELECTOR", help="Where it should arrive.", show_default=False
        ),
    ],
    protocol: Annotated[
        str | None, typer.Option("--protocol", metavar="P", help="tcp, udp, icmp, all or 0-255.")
    ] = None,
    port: Annotated[
        str | None,
        typer.Option("--port", metavar="N", help="A port, a range 8000-8080, or a list of them."),
    ] = None,
    groups: Annotated[
        Path | None, typer.Option("--groups", metavar="FILE", help=_GROUPS_HELP)
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", metavar="FORMAT", help="Output format: text or json.")
    ] = "text",
    assume_unknown: AssumeUnknownOption = AssumeUnknown.open,
    variables: VariablesOption = None,
    var_files: VarFilesOption = None,
    config_dir: ConfigDirOption = None,
    parameters: ParametersOption = None,
    root: RootOption = None,
) -> None:
    """Is it reachable? The paths when it is, what blocks it when not (exit 1: not reachable)."""
    with reported_errors(), declared_root(root):
        from reachlint.commands.design.common import require_format
        from reachlint.commands.design.query import FORMATS, run_query
        from reachlint.commands.design.query_text import render_answer

        require_format(output_format, FORMATS)
        question, answer = run_query(
            paths,
            source,
            destination,
            protocol=protocol,
            port=port,
            groups_file=groups,
            assume_unknown=_assumed(assume_unknown),
            options=load_options(variables, var_files, config_dir, parameters),
        )
        emit(render_answer(question, answer, output_format), None, output_format)
    raise typer.Exit(answer.exit_code)


def matrix(
    paths: Annotated[
        list[Path], typer.Argument(metavar="PATH", help=INPUTS_HELP, show_default=False)
    ],
    groups: Annotated[
        Path | None, typer.Option("--groups", metavar="FILE", help=_GROUPS_HELP)
    ] = None,
    by: Annotated[str | None, typer.Option("--by", metavar="GROUPING", help=_BY_HELP)] = None,
    output_format: Annotated[
        str,
        typer.Option("--format", metavar="FORMAT", help="Output format: text, markdown or json."),
    ] = "text",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", metavar="FILE", help="Write it here.")
    ] = None,
    assume_unknown: AssumeUnknownOption = AssumeUnknown.open,
    variables: VariablesOption = None,
    var_files: VarFilesOption = None,
    config_dir: ConfigDirOption = None,
    parameters: ParametersOption = None,
    root: RootOption = None,
) -> None:
    """The traffic each group reaches in every other group, as a table."""
    with reported_errors(), declared_root(root):
        from reachlint.commands.design.matrix import run_matrix

        text = run_matrix(
            paths,
            groups_file=groups,
            by=by,
            output_format=output_format,
            assume_unknown=_assumed(assume_unknown),
            options=load_options(variables, var_files, config_dir, parameters),
        )
        emit(text, output, output_format)


def graph(
    paths: Annotated[
        list[Path], typer.Argument(metavar="PATH", help=INPUTS_HELP, show_default=False)
    ],
    output_format: Annotated[
        str, typer.Option("--format", metavar="FORMAT", help="Output format: mermaid or dot.")
    ] = "mermaid",
    groups: Annotated[
        Path | None, typer.Option("--groups", metavar="FILE", help=_GROUPS_HELP)
    ] = None,
    by: Annotated[str | None, typer.Option("--by", metavar="GROUPING", help=_BY_HELP)] = None,
    rules: Annotated[
        list[Path] | None,
        typer.Option("--rules", metavar="FILE", help="A rules file whose findings show in red."),
    ] = None,
    no_builtin: Annotated[
        bool, typer.Option("--no-builtin", help="Leave the built-in rules out.")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", metavar="FILE", help="Write it here.")
    ] = None,
    assume_unknown: AssumeUnknownOption = AssumeUnknown.open,
    variables: VariablesOption = None,
    var_files: VarFilesOption = None,
    config_dir: ConfigDirOption = None,
    parameters: ParametersOption = None,
    root: RootOption = None,
) -> None:
    """The network as a picture: boxes, endpoints, flows between groups, findings in red."""
    with reported_errors(), declared_root(root):
        from reachlint.commands.design.graph import run_graph

        text = run_graph(
            paths,
            output_format=output_format,
            groups_file=groups,
            by=by,
            rules_files=rules or [],
            builtin=not no_builtin,
            assume_unknown=_assumed(assume_unknown),
            options=load_options(variables, var_files, config_dir, parameters),
        )
        emit(text, output, output_format)
