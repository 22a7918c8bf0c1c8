"""The command line: `reachlint check`, `rules`, `schema`.

Everything beyond the argument parser is imported inside the commands, so `--help` and a check
of a small plan start quickly.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, NoReturn

import typer

from reachlint.confine import declared_root

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


_AssumeUnknownOption = Annotated[
    AssumeUnknown,
    typer.Option(
        "--assume-unknown",
        help="Treat values known only after apply as allowing traffic (open) or not (closed).",
        case_sensitive=False,
    ),
]


# The rules files as the base has them, for `check --base` and `diff`.
_BaseRules = Annotated[
    list[Path] | None,
    typer.Option(
        "--base-rules",
        metavar="FILE",
        help="A rules file as the base has it (may be repeated): rules that --rules switch off, "
        "match differently, allow more of or lower are reported as NEW-SUPPRESSION findings.",
    ),
]


_Root = Annotated[
    Path | None,
    typer.Option(
        "--root",
        metavar="DIR",
        help="The directory the inputs' own files (modules, variable and parameters files) may "
        "come from (default: the repository around them, else the current directory).",
    ),
]


class SchemaName(StrEnum):
    rules = "rules"
    report = "report"


FORMAT_HELP = "Output format: text, json, sarif, github, markdown, junit or gitlab."

app = typer.Typer(
    name="reachlint",
    help="Prove or refute network reachability rules on infrastructure code before it is applied.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
rules_app = typer.Typer(
    help="List the rules or show one rule's documentation.",
    add_completion=False,
    rich_markup_mode=None,
)
app.add_typer(rules_app, name="rules")


def _fail(message: str) -> NoReturn:
    from reachlint.safe_text import for_output, one_line

    # Error messages quote the input (file names, values): one line, no CI command.
    typer.echo(for_output(one_line(message)), err=True)
    raise typer.Exit(EXIT_ERROR)


@contextmanager
def _reported_errors() -> Iterator[None]:
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


def _show_version(value: bool) -> None:
    if value:
        from reachlint import __version__

        typer.echo(f"reachlint {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Show the version and exit.", callback=_show_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Prove or refute network reachability rules on infrastructure code before it is applied."""


@app.command()
def check(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
            help="Terraform plans (terraform show -json); several are checked as one network.",
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
    assume_unknown: _AssumeUnknownOption = AssumeUnknown.open,
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
        typer.Option("--parameters", metavar="FILE", help="Parameters file of an ARM template."),
    ] = None,
    checkov: Annotated[
        bool,
        typer.Option(
            "--checkov",
            help="Also run checkov's checks on the inputs and report their failures "
            "(pip install 'reachlint[checkov]').",
        ),
    ] = False,
    base_rules: _BaseRules = None,
    base_baseline: Annotated[
        Path | None,
        typer.Option(
            "--base-baseline",
            metavar="FILE",
            help="The baseline as the base has it: entries --baseline adds are reported as "
            "NEW-SUPPRESSION findings.",
        ),
    ] = None,
    root: _Root = None,
) -> None:
    """Check plans against the rules; exit 1 on a finding at or above --fail-on."""
    with _reported_errors(), declared_root(root):
        _check_format(output_format)
        from reachlint.commands.check import run_check
        from reachlint.reports import render

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
        color = output is None and _wants_color()
        _emit(render(report, output_format, color=color), output, output_format)
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


@app.command()
def diff(
    base: Annotated[Path, typer.Argument(metavar="BASE", help="The input before the change.")],
    head: Annotated[Path, typer.Argument(metavar="HEAD", help="The input after the change.")],
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
            "--fail-on",
            help="Exit 1 when an opened flow breaks a rule at least this severe.",
            case_sensitive=False,
        ),
    ] = FailOn.low,
    assume_unknown: _AssumeUnknownOption = AssumeUnknown.open,
    no_builtin: Annotated[
        bool, typer.Option("--no-builtin", help="Leave the built-in rules out.")
    ] = False,
    variables: _Variables = None,
    var_files: _VarFiles = None,
    base_rules: _BaseRules = None,
    root: _Root = None,
) -> None:
    """Show the flows a change opens and closes, each with its path and the lines that open it."""
    with _reported_errors(), declared_root(root):
        _check_format(output_format)
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
        text = render_diff(report, output_format, color=output is None and _wants_color())
        _emit(text, output, output_format)
        if output_format == "github":
            from reachlint.reports.github import write_step_summary

            write_step_summary(render_diff(report, "markdown"))
        severities = [change.severity for change in report.opened if change.severity]
        severities += [finding.severity for finding in report.new_suppressions or []]
    raise typer.Exit(exit_code(severities, fail_on.value))


@app.command()
def comment(
    body: Annotated[
        Path,
        typer.Argument(
            metavar="FILE", help="The comment: Markdown from --format markdown; - reads stdin."
        ),
    ],
    pull_request: Annotated[
        int | None,
        typer.Option(
            "--pull-request",
            metavar="NUMBER",
            help="The pull request (default: the one the GitHub Actions event is about).",
        ),
    ] = None,
    comment_id: Annotated[
        str,
        typer.Option(
            "--id", metavar="NAME", help="Tells this comment from other reachlint comments."
        ),
    ] = "",
    author: Annotated[
        str,
        typer.Option(
            "--comment-author",
            metavar="LOGIN",
            help="Who the token posts as; only a comment of theirs is updated "
            "(default: github-actions[bot], the token GitHub Actions gives a workflow).",
        ),
    ] = "github-actions[bot]",
) -> None:
    """Post a report as a pull-request comment, updating the one posted before."""
    with _reported_errors():
        from reachlint.commands.integrations.github import post_comment_file

        url = post_comment_file(
            body, pull_request=pull_request, comment_id=comment_id, author=author
        )
        typer.echo(url)


def exit_code(severities: Iterable[str], fail_on: str) -> int:
    """1 when a finding is at or above `fail_on` (a severity, or `never`), else 0."""
    from reachlint.rules.findings import SEVERITIES

    if fail_on == "never":
        return EXIT_CLEAN
    rank: dict[str, int] = {severity: index for index, severity in enumerate(SEVERITIES)}
    failing = any(rank[severity] >= rank[fail_on] for severity in severities)
    return EXIT_FINDINGS if failing else EXIT_CLEAN


def _check_format(output_format: str) -> None:
    from reachlint.errors import InputError
    from reachlint.reports import FORMATS

    if output_format not in FORMATS:
        choices = ", ".join(FORMATS[:-1]) + " or " + FORMATS[-1]
        raise InputError(f"unknown --format {output_format!r}; expected {choices}")


def _wants_color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")  # no-color.org: set, non-empty


def _emit(text: str, output: Path | None, output_format: str = "text") -> None:
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


def _print_timings(spent: dict[str, float]) -> None:
    parts = [f"{phase} {seconds * 1000:.1f} ms" for phase, seconds in spent.items()]
    total = sum(spent.values()) * 1000
    typer.echo(f"timings: {' · '.join(parts)} · total {total:.1f} ms", err=True)


@rules_app.callback(invoke_without_command=True)
def _rules_root(ctx: typer.Context) -> None:
    """List the rules or show one rule's documentation (default: list)."""
    if ctx.invoked_subcommand is None:
        list_rules()


@rules_app.command("list")
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
    with _reported_errors():
        from reachlint.rules import load_rules
        from reachlint.safe_text import for_output, one_line

        ruleset = load_rules(rules or [], builtin=not no_builtin)
        rows = [(rule.id, rule.severity, rule.title) for rule in ruleset.rules]
        id_width = max((len(row[0]) for row in rows), default=0)
        for rule_id, severity, title in rows:
            typer.echo(for_output(f"{rule_id:<{id_width}}  {severity:<8}  {one_line(title)}"))


@rules_app.command("show")
def show_rule(
    rule_id: Annotated[str, typer.Argument(metavar="ID", help="A built-in rule's id.")],
) -> None:
    """Show a built-in rule's documentation (Markdown)."""
    with _reported_errors():
        from reachlint.errors import InputError
        from reachlint.rules import rule_doc

        doc = rule_doc(rule_id)
        if doc is None:
            raise InputError(
                f"there is no built-in rule {rule_id!r}; `reachlint rules list` names them"
            )
        typer.echo(doc if doc.endswith("\n") else doc + "\n", nl=False)


@app.command()
def schema(
    name: Annotated[
        SchemaName,
        typer.Argument(metavar="SCHEMA", help="Which schema: rules (the rules file) or report."),
    ] = SchemaName.rules,
) -> None:
    """Print the JSON Schema of the rules file or of the JSON report."""
    with _reported_errors():
        import json

        if name is SchemaName.report:
            from reachlint.reports.schema import Report

            document = Report.model_json_schema(by_alias=True)
        else:
            from reachlint.rules import rules_schema

            document = rules_schema()
        typer.echo(json.dumps(document, indent=2))


# ----- design reviews: query, matrix, graph ----------------------------------------------------

_INPUTS_HELP = "Terraform plans or directories, ARM templates; several are one network."
_GROUPS_HELP = "A rules file whose groups: name the selectors to use."
_BY_HELP = "Group by auto, subnet, network, security-group, endpoint or tag:KEY."
# How the inputs are read, as for check.
_Variables = Annotated[
    list[str] | None,
    typer.Option("--var", metavar="NAME=VALUE", help="A Terraform variable; may be repeated."),
]
_VarFiles = Annotated[
    list[Path] | None,
    typer.Option("--var-file", metavar="FILE", help="A .tfvars file; may be repeated."),
]
_ConfigDir = Annotated[
    Path | None,
    typer.Option("--config-dir", metavar="DIR", help="The .tf files a plan was made from."),
]
_Parameters = Annotated[
    Path | None,
    typer.Option("--parameters", metavar="FILE", help="Parameters file of an ARM template."),
]


def _assumed(value: AssumeUnknown) -> Literal["open", "closed"]:
    return "closed" if value is AssumeUnknown.closed else "open"


@app.command()
def query(
    paths: Annotated[
        list[Path], typer.Argument(metavar="PATH", help=_INPUTS_HELP, show_default=False)
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
    assume_unknown: _AssumeUnknownOption = AssumeUnknown.open,
    variables: _Variables = None,
    var_files: _VarFiles = None,
    config_dir: _ConfigDir = None,
    parameters: _Parameters = None,
    root: _Root = None,
) -> None:
    """Is it reachable? The paths when it is, what blocks it when not (exit 1: not reachable)."""
    with _reported_errors(), declared_root(root):
        from reachlint.commands.design.common import require_format
        from reachlint.commands.design.query import FORMATS, render_answer, run_query

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
        _emit(render_answer(question, answer, output_format), None, output_format)
    raise typer.Exit(answer.exit_code)


@app.command()
def matrix(
    paths: Annotated[
        list[Path], typer.Argument(metavar="PATH", help=_INPUTS_HELP, show_default=False)
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
    assume_unknown: _AssumeUnknownOption = AssumeUnknown.open,
    variables: _Variables = None,
    var_files: _VarFiles = None,
    config_dir: _ConfigDir = None,
    parameters: _Parameters = None,
    root: _Root = None,
) -> None:
    """The traffic each group reaches in every other group, as a table."""
    with _reported_errors(), declared_root(root):
        from reachlint.commands.design.matrix import run_matrix

        text = run_matrix(
            paths,
            groups_file=groups,
            by=by,
            output_format=output_format,
            assume_unknown=_assumed(assume_unknown),
            options=load_options(variables, var_files, config_dir, parameters),
        )
        _emit(text, output, output_format)


@app.command()
def graph(
    paths: Annotated[
        list[Path], typer.Argument(metavar="PATH", help=_INPUTS_HELP, show_default=False)
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
    assume_unknown: _AssumeUnknownOption = AssumeUnknown.open,
    variables: _Variables = None,
    var_files: _VarFiles = None,
    config_dir: _ConfigDir = None,
    parameters: _Parameters = None,
    root: _Root = None,
) -> None:
    """The network as a picture: boxes, endpoints, flows between groups, findings in red."""
    with _reported_errors(), declared_root(root):
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
        _emit(text, output, output_format)


def main() -> None:
    # One command, then exit: the model, the flows and their caches live until the end and hold
    # no cycles to free, so the cyclic collector would only rescan them, again and again (more
    # than half the time of a check of 100,000 resources).
    gc.disable()
    try:
        app(prog_name="reachlint")
    except SystemExit as done:
        # Freeing every object one by one on the way out takes as long as the rules did; the
        # operating system reclaims the memory at once.
        for stream in (sys.stdout, sys.stderr):
            with suppress(OSError, ValueError):  # a reader that went away (| head) is fine
                stream.flush()
        os._exit(done.code if isinstance(done.code, int) else 0 if done.code is None else 1)
