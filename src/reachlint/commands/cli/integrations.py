"""`reachlint comment`: post a report as a pull-request comment."""

# Annotations are evaluated once, at import (no `from __future__ import annotations`): typer
# reads them for every command at start-up, and strings it would evaluate twice over.

from pathlib import Path
from typing import Annotated

import typer

from reachlint.commands.cli.options import reported_errors


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
    with reported_errors():
        from reachlint.commands.integrations.github import post_comment_file

        url = post_comment_file(
            body, pull_request=pull_request, comment_id=comment_id, author=author
        )
        typer.echo(url)
