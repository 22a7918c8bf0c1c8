"""Report formats. Each reads the Report alone and knows nothing of providers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reachlint.reports.asff import AsffContext
    from reachlint.reports.schema import DiffReport, Report

FORMATS = ("text", "json", "sarif", "github", "markdown", "junit", "gitlab", "asff")
# Formats of findings alone: a diff's opened and closed flows have no form in them.
CHECK_ONLY_FORMATS = ("asff",)
DIFF_FORMATS = tuple(name for name in FORMATS if name not in CHECK_ONLY_FORMATS)


def render(
    report: Report, fmt: str, *, color: bool = False, asff: AsffContext | None = None
) -> str:
    """The report in format `fmt` (one of FORMATS), ending with a newline.

    `asff`: the account and region of ASFF findings (placeholders without it).
    """
    if report.sensitive:
        from reachlint.sensitive import render_hidden

        return render_hidden(
            report, report.sensitive, lambda shown: render(shown, fmt, color=color, asff=asff)
        )
    if fmt == "json":
        from reachlint.reports.json import render_json

        return render_json(report)
    if fmt == "text":
        from reachlint.reports.text import render_text

        return render_text(report, color=color)
    if fmt == "sarif":
        from reachlint.reports.sarif import render_sarif

        return render_sarif(report)
    if fmt == "github":
        from reachlint.reports.github import render_github

        return render_github(report)
    if fmt == "markdown":
        from reachlint.reports.markdown import render_markdown

        return render_markdown(report)
    if fmt == "junit":
        from reachlint.reports.junit import render_junit

        return render_junit(report)
    if fmt == "gitlab":
        from reachlint.reports.gitlab import render_gitlab

        return render_gitlab(report)
    if fmt == "asff":
        from reachlint.reports.asff import render_asff

        return render_asff(report, asff)
    raise ValueError(f"unknown format {fmt!r}")


def render_pieces(
    report: Report, fmt: str, *, color: bool = False, asff: AsffContext | None = None
) -> Iterator[str]:
    """`render`'s text in pieces that join to it, a finding at a time, which a large report
    needs (its text and its findings as objects would be held at once); the formats of the
    pull request (github, markdown), and a report that hides sensitive values in its text,
    whole."""
    if report.sensitive or fmt not in ("json", "text", "sarif", "gitlab", "asff", "junit"):
        yield render(report, fmt, color=color, asff=asff)
    elif fmt == "json":
        from reachlint.reports.json import json_pieces

        yield from json_pieces(report)
    elif fmt == "text":
        from reachlint.reports.text import text_pieces

        yield from text_pieces(report, color=color)
    elif fmt == "sarif":
        from reachlint.reports.sarif import sarif_pieces

        yield from sarif_pieces(report)
    elif fmt == "gitlab":
        from reachlint.reports.gitlab import gitlab_pieces

        yield from gitlab_pieces(report)
    elif fmt == "asff":
        from reachlint.reports.asff import asff_pieces

        yield from asff_pieces(report, asff)
    else:
        from reachlint.reports.junit import junit_pieces

        yield from junit_pieces(report)


def render_diff(diff: DiffReport, fmt: str, *, color: bool = False) -> str:
    """The flows a change opens and closes in format `fmt` (one of DIFF_FORMATS)."""
    if diff.sensitive:
        from reachlint.sensitive import render_hidden

        return render_hidden(
            diff, diff.sensitive, lambda shown: render_diff(shown, fmt, color=color)
        )
    if fmt == "json":
        return diff.to_json() + "\n"
    if fmt == "text":
        from reachlint.reports.difftext import render_diff_text

        return render_diff_text(diff, color=color)
    if fmt == "sarif":
        from reachlint.reports.sarif import render_sarif_diff

        return render_sarif_diff(diff)
    if fmt == "github":
        from reachlint.reports.github import render_github_diff

        return render_github_diff(diff)
    if fmt == "markdown":
        from reachlint.reports.markdown import render_markdown_diff

        return render_markdown_diff(diff)
    if fmt == "junit":
        from reachlint.reports.junit import render_junit_diff

        return render_junit_diff(diff)
    if fmt == "gitlab":
        from reachlint.reports.gitlab import render_gitlab_diff

        return render_gitlab_diff(diff)
    raise ValueError(f"unknown format {fmt!r}")
