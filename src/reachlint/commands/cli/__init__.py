"""The command line: `reachlint check`, `diff`, `query`, `matrix`, `graph`, `comment`, `rules`,
`schema`.

Everything beyond the argument parser is imported inside the commands, so `--help` and a check
of a small plan start quickly. One module per group of commands: check; changes (diff); design
(query, matrix, graph); integrations (comment); rules (rules, schema); `options` holds what they
share. The table below registers them, in the order `--help` lists them.
"""

from __future__ import annotations

import gc
import io
import os
import sys
from contextlib import suppress
from typing import Annotated

import typer

from reachlint.commands.cli.changes import diff
from reachlint.commands.cli.check import check
from reachlint.commands.cli.design import graph, matrix, query
from reachlint.commands.cli.integrations import comment
from reachlint.commands.cli.options import EXIT_ERROR, Command, Group, write_out
from reachlint.commands.cli.rules import export_rules, list_rules, rules_root, schema, show_rule

app = typer.Typer(
    name="reachlint",
    cls=Group,
    help="Prove or refute network reachability rules on infrastructure code before it is applied.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
rules_app = typer.Typer(
    cls=Group,
    help="List the rules, show one rule's documentation or export rules as scopes.",
    add_completion=False,
    rich_markup_mode=None,
)
app.add_typer(rules_app, name="rules")


def _show_version(value: bool) -> None:
    if value:
        from reachlint import __version__

        write_out(f"reachlint {__version__}\n")
        raise typer.Exit()


def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Show the version and exit.", callback=_show_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Prove or refute network reachability rules on infrastructure code before it is applied."""


app.callback()(_root)
app.command(cls=Command)(check)
app.command(cls=Command)(diff)
app.command(cls=Command)(comment)
rules_app.callback(invoke_without_command=True)(rules_root)
rules_app.command("list", cls=Command)(list_rules)
rules_app.command("show", cls=Command)(show_rule)
rules_app.command("export", cls=Command)(export_rules)
app.command(cls=Command)(schema)
app.command(cls=Command)(query)
app.command(cls=Command)(matrix)
app.command(cls=Command)(graph)


def main() -> None:
    # One command, then exit: the model, the flows and their caches live until the end and hold
    # no cycles to free, so the cyclic collector would only rescan them, again and again (more
    # than half the time of a check of 100,000 resources).
    gc.disable()
    _escape_what_streams_cannot_encode()
    try:
        code = _run()
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 0 if done.code is None else 1
    # Freeing every object one by one on the way out takes as long as the rules did; the
    # operating system reclaims the memory at once.
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):  # a reader that went away (| head) is fine
            stream.flush()
    os._exit(code)


def _escape_what_streams_cannot_encode() -> None:
    """A console or pipe whose encoding holds only some characters (cp1252 on Windows, Latin-1)
    shows the rest as escapes (`\\u2014`), not an internal error; `emit` writes the formats
    that declare UTF-8 as UTF-8 whatever the stream's encoding."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and not _utf8(stream.encoding):
            stream.reconfigure(errors="backslashreplace")


def _utf8(encoding: str) -> bool:
    return encoding.lower().replace("-", "").replace("_", "") == "utf8"


def _run() -> int:
    """The command's exit status; a command line that cannot be parsed is one sentence and 2."""
    try:
        code = app(prog_name="reachlint", standalone_mode=False)
    except typer.TyperException as error:  # the argument parser's usage errors
        if type(error).__name__ == "NoArgsIsHelpError":  # `reachlint` alone: the help
            error.show()  # type: ignore[attr-defined]
            return EXIT_ERROR
        from reachlint.commands.cli.usage import command_path, usage_error_text
        from reachlint.safe_text import for_output, one_line

        named = command_path(typer.main.get_command(app), sys.argv[1:])
        typer.echo(for_output(one_line(usage_error_text(error, named))), err=True)
        return EXIT_ERROR
    except typer.Abort:
        typer.echo("Aborted!", err=True)
        return 1
    except SystemExit as done:
        # The parser's own output (--help) into a closed pipe: it swaps standard output for a
        # quiet wrapper and exits 1; the help was all there was to say, so the status is 0.
        if done.code == 1 and type(sys.stdout).__name__ == "PacifyFlushWrapper":
            return 0
        raise
    return code if isinstance(code, int) else 0
