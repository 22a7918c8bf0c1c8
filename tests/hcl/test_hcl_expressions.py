"""Expressions evaluate as Terraform evaluates them (results as `terraform console` gives)."""

from __future__ import annotations

import pytest

from reachlint.errors import InputError
from reachlint.formats.hcl.evaluator import evaluate_constant
from reachlint.formats.hcl.parser import parse_expression, parse_file
from reachlint.formats.hcl.values import EvalError, Value


def value_of(text: str) -> Value:
    return evaluate_constant(parse_expression(text, "test.tf"))


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # Precedence and associativity.
        ("2 * 3 + 1", 7),
        ("1 + 2 * 3", 7),
        ("1 - 2 - 3", -4),
        ("(1 + 2) * 3", 9),
        ("5 / 2", 2.5),
        ("10 % 3", 1),
        ("-7 % 3", -1),
        ("-2 * -3", 6),
        ("1 + 2 > 2 && !false", True),
        ("true && false || true", True),
        ("1 == 1.0", True),
        ('1 == "1"', False),
        ('"a" != "b"', True),
        ('[1, "a"] == [1, "a"]', True),
        ('"5" + 1', 6),
        # Conditionals.
        ('1 > 2 ? "yes" : "no"', "no"),
        ('true ? "a" : false ? "b" : "c"', "a"),
        (
            'false ? {}.missing : "untaken branch is not evaluated"',
            "untaken branch is not evaluated",
        ),
        # Index, attribute, splat.
        ('["a", "b"][1]', "b"),
        ('{a = {b = "c"}}.a.b', "c"),
        ('{a = {b = "c"}}["a"]["b"]', "c"),
        ("[[1, 2], [3, 4]].1.0", 3),
        ('[{n = "x"}, {n = "y"}][*].n', ["x", "y"]),
        ('[{n = "x"}, {n = "y"}].*.n', ["x", "y"]),
        ("[{l = [1, 2]}, {l = [3, 4]}][*].l[0]", [1, 3]),
        ('{n = "single"}[*].n', ["single"]),
        ("null[*]", []),
        # for expressions.
        ('[for s in ["a", "b"] : upper(s)]', ["A", "B"]),
        ("[for i, v in [10, 20] : i + v]", [10, 21]),
        ('[for k, v in {b = 1, a = 2} : "${k}${v}"]', ["a2", "b1"]),
        ("[for v in [1, 2, 3, 4] : v if v % 2 == 0]", [2, 4]),
        ('{for s in ["a", "bb"] : s => length(s)}', {"a": 1, "bb": 2}),
        ("{for k, v in {a = 1, b = 2} : v => k if v > 1}", {"2": "b"}),
        ('{for s in ["ax", "ay", "b"] : substr(s, 0, 1) => s...}', {"a": ["ax", "ay"], "b": ["b"]}),
        # Objects: bare and quoted keys are names, keys in parentheses are evaluated.
        ('{a = 1, "b c" = 2}', {"a": 1, "b c": 2}),
        ('{(format("%s", "k")) = 1}', {"k": 1}),
        ("{\n  a = 1\n  b = 2\n}", {"a": 1, "b": 2}),
        # Templates.
        ('"x-${1 + 1}-y"', "x-2-y"),
        ('"${true}"', True),  # a lone interpolation keeps its type
        ('"a%{ if 1 > 0 }yes%{ else }no%{ endif }"', "ayes"),
        ('"%{ for x in [1, 2] }${x},%{ endfor }"', "1,2,"),
        ('"a  ${~ "x" ~}   b"', "axb"),
        ('"escaped $${x} and %%{y} \\u00e9 \\"q\\""', 'escaped ${x} and %{y} \u00e9 "q"'),
        ('"${ "}" }"', "}"),
    ],
)
def test_expression(expression: str, expected: Value) -> None:
    assert value_of(expression) == expected


HEREDOCS = """
locals {
  plain = <<EOT
  a ${"x"}
    %{~ if true ~}
  b
  %{ endif }
EOT
  indented = <<-EOT
    %{ for x in [1, 2] }
    item ${x}
    %{ endfor }
  EOT
  stripped = <<-EOT
    %{~ for x in [1, 2] }
    item ${x}
    %{ endfor ~}
  EOT
  lines = <<-EOT
      x
    y
  EOT
}
"""


def test_heredocs_follow_hclsyntax_indentation_and_strip_markers() -> None:
    body = parse_file(HEREDOCS, "heredoc.tf")
    (block,) = body.blocks
    values = {name: evaluate_constant(a.expr) for name, a in block.body.attributes.items()}
    # Each result is what `terraform console` gives for the same text.
    assert values == {
        "plain": "  a x\n  b\n  \n",
        "indented": "\nitem 1\n\nitem 2\n\n",
        "stripped": "\n    item 1\n    \n    item 2\n    ",
        "lines": "  x\ny\n",
    }


@pytest.mark.parametrize(
    "expression",
    [
        '["a"][1]',
        "{a = 1}.b",
        "null.a",
        '"a${null}"',
        "1 / 0",
        '{for s in ["a", "a"] : s => 1}',
        '"a" + 1',
    ],
)
def test_invalid_operation_is_an_evaluation_error(expression: str) -> None:
    with pytest.raises(EvalError):
        value_of(expression)


@pytest.mark.parametrize(
    ("source", "line", "column"),
    [
        ('resource "a" "b" {\n  x = 1 +\n}\n', 2, 10),
        ('locals {\n  x = "abc\n}\n', 2, 7),
        ("locals {\n  x = [1, 2\n  y = 3\n}\n", 3, 3),
        ("locals {\n  a = 1\n", 3, 1),
        ("locals {\n  a = @\n}\n", 2, 7),
        ("locals {\n  a = <<EOT\nhello\n}\n", 2, 7),
        ("/* never closed\n", 1, 1),
        ("locals {\n  a = 1\n  && true\n}\n", 3, 3),
    ],
)
def test_syntax_error_names_line_and_column(source: str, line: int, column: int) -> None:
    with pytest.raises(InputError) as raised:
        parse_file(source, "main.tf")
    assert raised.value.file == "main.tf"
    assert raised.value.line == line
    assert f"column {column}:" in raised.value.message
    assert "\n" not in str(raised.value)
