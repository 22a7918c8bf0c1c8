"""The pull-request comment says what the input says, and nothing more.

Names, addresses, file names, descriptions, reasons and notes come from the pull request; the
comment is public and GitHub acts on it: it renders HTML, links and images, notifies the
people and teams it mentions and cross-links the issues, pull requests and commits it names
(https://docs.github.com/en/get-started/writing-on-github/working-with-advanced-formatting/autolinked-references-and-urls),
and renders Mermaid. Each hostile text below must come out as text, whole (escaped, not cut
short), with no markup of its own; the comment must stay under GitHub's 65,536 characters
with every block closed. The rendered comment is read here with markdown-it-py, a CommonMark
parser, with GitHub's tables and strikethrough.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import msgspec
from markdown_it import MarkdownIt
from markdown_it.token import Token

from reachlint.reports import render, render_diff
from tests.security.hostile import HOSTILE, MARKDOWN, MERMAID, hostile_diff, hostile_report

TEXT = f"{MARKDOWN} {HOSTILE} {MERMAID}"
GITHUB_LIMIT = 65_536
OWN_HEADINGS = ("reachlint", "🔴", "🟠", "🟡", "🔵", "Suppressions that suppress nothing", "Opened")
_OWN_HTML = re.compile(r"<!-- reachlint -->|<details><summary>[^<>]*</summary>|</details>")
# A node or an arrow of reachlint's flowcharts, with any label quoted and free of what ends it.
_CHART_LINE = re.compile(
    r'flowchart (LR|TB)|  s\d+(\(\["[^"`%]*"\]\)|\["[^"`%]*"\])|  s\d+ (-->|-- "[^"`%]*" -->) s\d+'
)


def _parse(text: str) -> list[Token]:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(text)


def _flat(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        yield from _flat(token.children or [])


def _check_comment(text: str, charts: int) -> None:
    tokens = list(_flat(_parse(text)))
    kinds = {token.type for token in tokens}
    html = [token.content.strip() for token in tokens if token.type.startswith("html")]
    assert all(_OWN_HTML.fullmatch(block) for block in html), html
    assert not kinds & {"link_open", "image", "s_open", "blockquote_open", "hr"}
    assert sum(token.type == "table_open" for token in tokens) <= 1  # the severity table
    for position, token in enumerate(tokens):
        if token.type == "em_open":  # only reachlint's own word on what was left out
            assert re.match(r"\d+ more (finding|flow)s? not shown", tokens[position + 1].content)
        if token.type == "heading_open":
            heading = tokens[position + 1].content
            assert heading.startswith(OWN_HEADINGS), heading
    plain = " ".join(token.content for token in tokens if token.type == "text")
    assert not re.search(r"@\w", plain), "a mention"
    assert not re.search(r"#\d|(?i:\bgh-\d)", plain), "an issue reference"
    assert not re.search(r"(?i)[a-z]://|\bwww\.", plain), "a link"
    assert not re.search(r"(?<![0-9a-z])(?=[a-f]*\d)[0-9a-f]{7,40}(?![0-9a-z])", plain), "a SHA"
    fences = [token for token in tokens if token.type == "fence"]
    assert len(fences) == charts and all(fence.info == "mermaid" for fence in fences)
    for fence in fences:
        for line in fence.content.splitlines():
            assert _CHART_LINE.fullmatch(line), line
    assert text.count("<details>") == text.count("</details>")
    assert len(text) < GITHUB_LIMIT


def test_hostile_names_and_prose_come_out_as_text() -> None:
    text = render(hostile_report(TEXT), "markdown")
    _check_comment(text, charts=1)
    tokens = list(_flat(_parse(text)))
    spans = [token.content for token in tokens if token.type == "code_inline"]
    # Whole names in code spans, escaped to one line: a reviewer can copy them.
    names = [span for span in spans if span.startswith('aws_instance.web["`x` ``y`` </summary>')]
    assert names and all(name.endswith(' <br> ]]"]') and "\n" not in name for name in names)
    assert all("@octocat @acme/security-team" in name for name in names)
    assert any(span.startswith("dir/`x` ``y``") and span.endswith("/sg.tf:7") for span in spans)
    plain = " ".join(token.content for token in tokens if token.type == "text")
    assert "@\u200boctocat" in plain and "[link](https\u200b://evil.example)" in plain
    assert "reason `x` ``y`` </summary></details>" in plain  # the suppression's reason, as text


def test_the_diff_comment_too() -> None:
    _check_comment(render_diff(hostile_diff(TEXT), "markdown"), charts=1)


def test_every_section_counts_against_the_limit() -> None:
    huge = hostile_report(TEXT, count=2_000, notes=2_000, suppressed=2_000, problems=2_000)
    first = huge.findings[0]
    long_text = TEXT * 100  # a description of 70 KB
    first.path[0] = msgspec.structs.replace(first.path[0], detail=long_text)
    text = render(huge, "markdown")
    _check_comment(text, charts=3)
    plain = " ".join(token.content for token in _flat(_parse(text)) if token.type == "text")
    assert re.search(r"… \[\d{5} more characters\]", plain)  # the long description, clipped
    assert "more findings not shown" in text
    assert "more suppressed findings (`--format json` lists them all)" in text
    assert "more notes (`--format json` lists them all)" in text
    assert "(`--format json` lists them all)" in text.split("Suppressions that suppress nothing")[1]


def test_notes_and_suppressions_alone_stay_under_the_limit() -> None:
    """Before, notes and suppressions were added past the budget, whatever their number."""
    many = hostile_report(TEXT, count=0, notes=5_000, suppressed=5_000, problems=5_000)
    text = render(many, "markdown")
    _check_comment(text, charts=0)
