"""A text the input makes megabytes long is cut where people read it, and kept whole in data.

A name, a description or a value can be as long as a template allows (4 MB once expanded). The
formats read in a terminal, a CI log, an annotation or a test report cut each such text at
FIELD_LIMIT characters, with a marker that says how much was left out; the JSON report, which
programs read, keeps every character. So do the `file=` of a GitHub annotation and JUnit's
`file` attribute, which must name the file as it is; the file exists, so the file system
bounds its name (4,096 bytes).
"""

from __future__ import annotations

import re

import pytest

from reachlint.reports import render, render_diff
from reachlint.safe_text import FIELD_LIMIT
from tests.security.hostile import hostile_diff, hostile_report

# 200,000 characters, its end recognisable.
LONG = "a" * 200_000 + "END-OF-THE-LONG-TEXT"
# Longest line a cut report may hold: a few cut texts side by side, and reachlint's own words.
LINE_BOUND = 8 * FIELD_LIMIT


def _cut(output: str) -> None:
    output = re.sub(r"(?m)^(::\w+ )file=[^,]*,", r"\1", output)
    output = re.sub(r' file="[^"]*"', "", output)  # JUnit's file attribute, whole too
    assert re.search(r"… \[1\d{5} more characters\]", output)
    longest = max(len(line) for line in output.splitlines())
    assert longest <= LINE_BOUND, longest


@pytest.mark.parametrize("fmt", ["text", "github", "junit", "markdown"])
def test_a_long_text_is_cut_where_it_is_read(fmt: str) -> None:
    _cut(render(hostile_report(LONG), fmt))


@pytest.mark.parametrize("fmt", ["text", "github", "markdown"])
def test_a_long_text_is_cut_in_the_diff_too(fmt: str) -> None:
    _cut(render_diff(hostile_diff(LONG), fmt))


def test_the_json_report_keeps_every_character() -> None:
    output = render(hostile_report(LONG), "json")
    assert output.count("a" * 200_000 + "END-OF-THE-LONG-TEXT") >= 5


def test_a_junit_file_attribute_names_the_file_whole() -> None:
    from xml.etree import ElementTree

    root = ElementTree.fromstring(render(hostile_report(LONG), "junit"))
    files = [case.get("file") for case in root.iter("testcase") if case.get("file")]
    assert files and all("END-OF-THE-LONG-TEXT" in name for name in files)
