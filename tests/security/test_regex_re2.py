"""regex(), regexall() and replace() read Terraform's dialect, RE2 (Go's regexp), and match in
time linear in the text: a pattern that makes a backtracking engine run for ever is answered at
once, and what RE2 refuses is an input error as Terraform reports it.

Terraform's functions: https://developer.hashicorp.com/terraform/language/functions/regex,
Go's syntax: https://pkg.go.dev/regexp/syntax, its replacement templates:
https://pkg.go.dev/regexp#Regexp.Expand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reachlint.errors import InputError
from reachlint.formats.hcl.evaluator import evaluate_constant
from reachlint.formats.hcl.parser import parse_expression
from reachlint.formats.hcl.values import EvalError, Value
from reachlint.formats.terraform.directory import load_terraform_dir
from tests.security.subprocess_run import run, terraform

CATASTROPHIC = "a" * 5000 + "b"


def value(text: str) -> Value:
    return evaluate_constant(parse_expression(text, "test"))


@pytest.mark.parametrize(
    "call",
    [
        f'regexall("^(a+)+$", "{CATASTROPHIC}")',
        f'can(regex("^(a|aa)+$", "{CATASTROPHIC}"))',
        f'replace("{CATASTROPHIC}", "/^(a+)+$/", "x")',
    ],
    ids=["regexall", "regex", "replace"],
)
def test_a_catastrophic_pattern_is_matched_at_once(call: str, tmp_path: Path) -> None:
    terraform(tmp_path, f'resource "aws_vpc" "tagged" {{\n  cidr_block = "10.1.0.0/16"\n'
              f"  tags = {{ n = tostring({call}) }}\n}}")  # fmt: skip
    outcome = run("check", str(tmp_path), "--no-builtin", "--format", "json", cwd=tmp_path)
    assert outcome.code == 0, outcome.stderr
    assert outcome.seconds < 15


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # Go's named groups, both spellings; the result is a map of the names.
        ('regex("(?P<zone>[a-z]+)-(?P<n>[0-9]+)", "eu-1")', {"n": "1", "zone": "eu"}),
        ('regex("(?<zone>[a-z]+)-(?<n>[0-9]+)", "eu-1")', {"n": "1", "zone": "eu"}),
        # \z is the end of the text (Python's `re` spells it \Z).
        ('regexall("a\\\\z", "aa")', ["a"]),
        # POSIX classes inside brackets.
        ('regexall("[[:digit:]]+", "a12b3")', ["12", "3"]),
        # Unnamed groups give a list; a group that did not take part is null.
        ('regex("(a)|(b)", "b")', [None, "b"]),
        # An empty match right after a match is not a match in Go.
        ('regexall("a*", "baaac")', ["", "aaa", ""]),
        ('replace("baaac", "/a*/", "-")', "-b-c-"),
        # Go's templates: $1 and ${1}, names, $$ for a dollar, a missing group is empty
        # (HCL writes a literal ${ as $${).
        ('replace("ab", "/(a)(b)/", "$2$${1}")', "ba"),
        ('replace("ab", "/(?P<x>a)b/", "<$${x}>")', "<a>"),
        ('replace("ab", "/(a)b/", "$$1")', "$1"),
        ('replace("ab", "/(a)b/", "$1x")', ""),  # the group named "1x" does not exist
        ('replace("ab", "/(a)b/", "$${9}!")', "!"),
        ('replace("a.b", ".", "-")', "a-b"),  # not a pattern: plain text
    ],
)
def test_terraform_dialect(expression: str, expected: Value) -> None:
    assert value(expression) == expected


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("(a)\\\\1", "invalid escape sequence"),  # no backreferences
        ("a(?=b)", "invalid perl operator"),  # no lookaround
        ("a\\\\Z", "invalid escape sequence"),  # Python's spelling, not Go's
        ("a\\\\Cb", "\\C is not supported"),  # RE2's own, not Go's
        ("(?P<x>a)(b)", "named and unnamed capture groups cannot be mixed"),
        ("a{2,1}", "invalid repetition size"),
    ],
)
def test_what_re2_refuses_stops_the_configuration(
    pattern: str, reason: str, tmp_path: Path
) -> None:
    terraform(tmp_path, f'locals {{\n  m = regexall("{pattern}", "ab")\n}}')
    with pytest.raises(InputError) as raised:
        load_terraform_dir(tmp_path)
    assert raised.value.line == 2
    assert "invalid regular expression" in raised.value.message
    assert reason in raised.value.message


def test_try_and_can_catch_a_pattern_re2_refuses(tmp_path: Path) -> None:
    """As in Terraform: the error is the function's, and try() and can() catch those."""
    assert value('can(regex("(a)\\\\1", "aa"))') is False
    assert value('try(regex("a(?=b)", "ab"), "none")') == "none"
    terraform(tmp_path, 'locals {\n  m = try(regex("(a)\\\\1", "aa"), "none")\n}')
    load_terraform_dir(tmp_path)


def test_a_pattern_error_inside_a_function_is_an_eval_error() -> None:
    with pytest.raises(EvalError, match="invalid regular expression"):
        value('regex("(", "a")')


def test_matches_of_a_long_text_are_bounded(tmp_path: Path) -> None:
    """Every position of a long text matches the empty pattern: a collection too large."""
    terraform(
        tmp_path,
        'locals {\n  text = format("%200000s", "")\n  all = regexall("", "${local.text}x")\n}',
    )
    outcome = run("check", str(tmp_path), "--no-builtin", cwd=tmp_path)
    outcome.refused("main.tf:3:", "100,000 elements")
