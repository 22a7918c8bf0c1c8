"""What the commands share: options, exit codes, errors as one sentence, where output goes."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    from reachlint.inputs.load import LoadOptions

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class FailOn(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"
    never = "never"


class AssumeUnknown(StrEnum):
    open = "open"
    closed = "closed"


AssumeUnknownOption = Annotated[
    AssumeUnknown,
    typer.Option(
        "--assume-unknown",
        help="Treat values known only after apply as allowing traffic (open) or not (closed).",
        case_sensitive=False,
    ),
]


# The rules files as the base has them, for `check --base` and `diff`.
BaseRulesOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--base-rules",
        metavar="FILE",
        help="A rules file as the base has it (may be repeated): rules that --rules switch off, "
        "match differently, allow more of or lower are reported as NEW-SUPPRESSION findings.",
    ),
]


RootOption = Annotated[
    Path | None,
    typer.Option(
        "--root",
        metavar="DIR",
        help="The directory the inputs' own files (modules, variable and parameters files) may "
        "come from (default: the repository around them, else the current directory).",
    ),
]


# How the inputs are read, for diff and the design reviews (check spells out its own).
VariablesOption = Annotated[
    list[str] | None,
    typer.Option("--var", metavar="NAME=VALUE", help="A Terraform variable; may be repeated."),
]
VarFilesOption = Annotated[
    list[Path] | None,
    typer.Option("--var-file", metavar="FILE", help="A .tfvars file; may be repeated."),
]
ConfigDirOption = Annotated[
    Path | None,
    typer.Option("--config-dir", metavar="DIR", help="The .tf files a plan was made from."),
]
ParametersOption = Annotated[
    Path | None,
    typer.Option("--parameters", metavar="FILE", help="Parameters file of an ARM template."),
]

FORMAT_HELP = "Output format: text, json, sarif, github, markdown, junit or gitlab."


def _fail(message: str) -> NoReturn:
    from reachlint.safe_text import for_output, one_line

    # Error messages quote the input (file names, values): one line, no CI command.
    typer.echo(for_output(one_line(message)), err=True)
    raise typer.Exit(EXIT_ERROR)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Bad input becomes one sentence and exit 2; so does a bug, without the traceback."""
    from reachlint.errors import InputError

    try:
        yield
    except InputError as error:
        _fail(f"reachlint: error: {error}")
    except (typer.Exit, typer.Abort):
        raise
    except Exception as error:
        if os.environ.get("REACHLINT_DEBUG"):
            raise
        text = " ".join(str(error).split())
        _fail(
            f"reachlint: internal error: {type(error).__name__}: {text} "
            "(set REACHLINT_DEBUG=1 for the traceback)"
        )


def load_options(
    variables: list[str] | None,
    var_files: list[Path] | None,
    config_dir: Path | None,
    parameters: Path | None,
) -> LoadOptions:
    """Loader options from the command line; a --var without '=' is a usage error."""
    from reachlint.errors import InputError
    from reachlint.inputs.load import LoadOptions

    pairs: dict[str, str] = {}
    for item in variables or []:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise InputError(f"--var {item!r} is not NAME=VALUE")
        pairs[name.strip()] = value
    return LoadOptions(pairs, tuple(var_files or ()), config_dir, parameters)


def exit_code(severities: Iterable[str], fail_on: str) -> int:
    """1 when a finding is at or above `fail_on` (a severity, or `never`), else 0."""
    from reachlint.rules.findings import SEVERITIES

    if fail_on == "never":
        return EXIT_CLEAN
    rank: dict[str, int] = {severity: index for index, severity in enumerate(SEVERITIES)}
    failing = any(rank[severity] >= rank[fail_on] for severity in severities)
    return EXIT_FINDINGS if failing else EXIT_CLEAN


def check_format(output_format: str) -> None:
    from reachlint.errors import InputError
    from reachlint.reports import FORMATS

    if output_format not in FORMATS:
        choices = ", ".join(FORMATS[:-1]) + " or " + FORMATS[-1]
        raise InputError(f"unknown --format {output_format!r}; expected {choices}")


def wants_color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")  # no-color.org: set, non-empty


def emit(text: str, output: Path | None, output_format: str = "text") -> None:
    """A report to standard output or to `--output`, which is never written through a link."""
    from reachlint.safe_text import for_output

    syntax = {"json": "json", "sarif": "json", "gitlab": "json", "junit": "xml"}
    text = for_output(
        text, "github" if output_format == "github" else syntax.get(output_format, "text")
    )
    if output is None:
        typer.echo(text, nl=False)
    else:
        from reachlint.commands.output_file import write_file

        write_file(output, text)
