"""What the commands share: options, exit codes, errors as one sentence, where output goes."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from typer.core import TyperCommand, TyperGroup

if TYPE_CHECKING:
    from typer._click import Context, HelpFormatter, Parameter

    from reachlint.inputs.load import LoadOptions
    from reachlint.reports.asff import AsffContext

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
    typer.Option(
        "--parameters", metavar="FILE", help="Parameters file of an ARM or CloudFormation template."
    ),
]

FORMAT_HELP = "Output format: text, json, sarif, github, markdown, junit, gitlab or asff."
DIFF_FORMAT_HELP = "Output format: text, json, sarif, github, markdown, junit or gitlab."

# What a PATH may be, as every command's --help says it: an input kind is one line here.
INPUT_KINDS = (
    "a Terraform plan (terraform show -json)",
    "a Terraform directory (.tf files)",
    "an ARM template or Bicep's compiled JSON (bicep build)",
    "a CloudFormation template (YAML or JSON, SAM too)",
    "a CDK cloud assembly (cdk.out, from cdk synth)",
)
INPUTS_HELP = (
    "What to check, recognised by content: " + "; ".join(INPUT_KINDS) + ". Several are one network."
)


class Command(TyperCommand):
    """A reachlint command: its arguments read as their metavar alone (PATH...) in the usage
    line and the help, not with the parser's type names (PATH <list[Path]>, {PATH}...)."""

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        from reachlint.commands.cli.coercion import use_plain_coercion

        use_plain_coercion(self.get_params(ctx))
        return super().parse_args(ctx, args)

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = _argument_name(param)
                pieces.append(name if param.required else f"[{name}]")
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append((_argument_name(param), record[1]))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


class Group(TyperGroup):
    """A group of reachlint commands: its options converted as a command's are."""

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        from reachlint.commands.cli.coercion import use_plain_coercion

        use_plain_coercion(self.get_params(ctx))
        return super().parse_args(ctx, args)


def _argument_name(param: Parameter) -> str:
    name = param.metavar or (param.name or "").upper()
    return f"{name}..." if param.nargs != 1 else name


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
        if isinstance(error, ValueError):
            from reachlint.limits import too_many_digits

            # A reader that does not name the number's file yet: still the input's doing.
            if (too_long := too_many_digits(error, "", "an input")) is not None:
                _fail(f"reachlint: error: {too_long}")
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
    if config_dir is not None and not config_dir.is_dir():
        # Else the plan would be read without its lines, and nothing would say why.
        raise InputError(
            "is not a directory; expected the .tf files a plan was made from", str(config_dir)
        )
    return LoadOptions(pairs, tuple(var_files or ()), config_dir, parameters)


def exit_code(severities: Iterable[str], fail_on: str) -> int:
    """1 when a finding is at or above `fail_on` (a severity, or `never`), else 0."""
    from reachlint.rules.findings import SEVERITIES

    if fail_on == "never":
        return EXIT_CLEAN
    rank: dict[str, int] = {severity: index for index, severity in enumerate(SEVERITIES)}
    failing = any(rank[severity] >= rank[fail_on] for severity in severities)
    return EXIT_FINDINGS if failing else EXIT_CLEAN


def check_format(output_format: str, *, diff: bool = False) -> None:
    from reachlint.errors import InputError
    from reachlint.reports import DIFF_FORMATS, FORMATS

    formats = DIFF_FORMATS if diff else FORMATS
    if output_format not in formats:
        choices = ", ".join(formats[:-1]) + " or " + formats[-1]
        raise InputError(f"unknown --format {output_format!r}; expected {choices}")


def asff_context(account: str | None, region: str | None) -> AsffContext:
    """The account and region of ASFF findings; a malformed one is a usage error."""
    import re

    from reachlint.errors import InputError
    from reachlint.reports.asff import PLACEHOLDER_ACCOUNT, PLACEHOLDER_REGION, AsffContext

    if account is not None and not re.fullmatch(r"[0-9]{12}", account):
        raise InputError(f"--account {account!r} is not an AWS account id (12 digits)")
    if region is not None and not re.fullmatch(r"[a-z]{2}(?:-[a-z]+)+-[0-9]+", region):
        raise InputError(f"--region {region!r} is not an AWS Region name (like eu-west-1)")
    return AsffContext(account or PLACEHOLDER_ACCOUNT, region or PLACEHOLDER_REGION)


def wants_color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")  # no-color.org: set, non-empty


def emit(text: str | Iterable[str], output: Path | None, output_format: str = "text") -> None:
    """A report, whole or in pieces, to standard output or to `--output`, which is never
    written through a link."""
    from reachlint.safe_text import for_output

    syntax = {"json": "json", "sarif": "json", "gitlab": "json", "asff": "json", "junit": "xml"}
    guard = "github" if output_format == "github" else syntax.get(output_format, "text")
    # A piece is whole JSON values or whole lines: no CI command prefix is split between two.
    pieces = (for_output(piece, guard) for piece in ([text] if isinstance(text, str) else text))
    if output is None:
        if guard in ("json", "xml") and isinstance(sys.stdout, io.TextIOWrapper):
            sys.stdout.reconfigure(encoding="utf-8")  # what JSON and the XML declaration say
        write_out(pieces)
    else:
        from reachlint.commands.output_file import write_file

        write_file(output, pieces)


def write_out(text: str | Iterable[str]) -> None:
    """Write to standard output. A reader that goes away (`| head`, `| true`) ends the output
    quietly and the command still exits with its own status: that status is its answer
    (findings at or above --fail-on, reachable or not), decided before the first byte was
    written, and a reader that stops reading does not change it."""
    try:
        # As written: click would strip what looks like a terminal colour when standard output
        # is not a terminal, and could so join an escaped `::` back to the start of a line.
        for piece in [text] if isinstance(text, str) else text:
            typer.echo(piece, nl=False, color=True)
    except BrokenPipeError:
        _reader_gone()
    except OSError as error:  # a full disk, a device that takes nothing
        from reachlint.errors import InputError

        raise InputError(f"cannot write to standard output: {error.strerror or error}") from None


def _reader_gone() -> None:
    # What is still buffered, and whatever follows, goes nowhere instead of failing again;
    # standard error too when it is the same pipe (2>&1).
    stdout, stderr = sys.stdout.fileno(), sys.stderr.fileno()
    same_pipe = _same_file(stdout, stderr)
    nowhere = os.open(os.devnull, os.O_WRONLY)
    os.dup2(nowhere, stdout)
    if same_pipe:
        os.dup2(nowhere, stderr)
    os.close(nowhere)


def _same_file(first: int, second: int) -> bool:
    try:
        one, other = os.fstat(first), os.fstat(second)
    except OSError:
        return False
    return (one.st_dev, one.st_ino) == (other.st_dev, other.st_ino)
