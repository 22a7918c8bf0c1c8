"""Built-in functions give the results Terraform's documentation shows for its own examples."""

from __future__ import annotations

import pytest

from reachlint.formats.hcl.evaluator import evaluate, evaluate_constant
from reachlint.formats.hcl.parser import parse_expression
from reachlint.formats.hcl.values import EvalError, Unknown, Value


def value_of(text: str) -> Value:
    return evaluate_constant(parse_expression(text, "test.tf"))


DOCUMENTED = [
    # Networks.
    ('cidrsubnet("10.0.0.0/16", 8, 2)', "10.0.2.0/24"),
    ('cidrsubnet("172.16.0.0/12", 4, 2)', "172.18.0.0/16"),
    ('cidrsubnet("10.1.2.0/24", 4, 15)', "10.1.2.240/28"),
    ('cidrsubnet("fd00:fd12:3456:7890::/56", 16, 162)', "fd00:fd12:3456:7800:a200::/72"),
    (
        'cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)',
        ["10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24", "10.1.48.0/20"],
    ),
    (
        'cidrsubnets("fd00:fd12:3456:7890::/56", 16, 16, 16, 32)',
        [
            "fd00:fd12:3456:7800::/72",
            "fd00:fd12:3456:7800:100::/72",
            "fd00:fd12:3456:7800:200::/72",
            "fd00:fd12:3456:7800:300::/88",
        ],
    ),
    ('cidrhost("10.12.112.0/20", 16)', "10.12.112.16"),
    ('cidrhost("10.12.112.0/20", 268)', "10.12.113.12"),
    ('cidrhost("10.12.112.0/20", -16)', "10.12.127.240"),
    ('cidrhost("fd00:fd12:3456:7890:00a2::/72", 34)', "fd00:fd12:3456:7890::22"),
    ('cidrnetmask("172.16.0.0/12")', "255.240.0.0"),
    # Collections.
    ('concat(["a", ""], ["b", "c"])', ["a", "", "b", "c"]),
    ('merge({a = "b", c = "d"}, {e = "f", c = "z"})', {"a": "b", "c": "z", "e": "f"}),
    ('lookup({a = "ay", b = "bee"}, "a", "what?")', "ay"),
    ('lookup({a = "ay", b = "bee"}, "c", "what?")', "what?"),
    ('element(["a", "b", "c"], 1)', "b"),
    ('element(["a", "b", "c"], 3)', "a"),
    ("length([])", 0),
    ('length(["a", "b"])', 2),
    ('length({"a" = "b"})', 1),
    ('length("hello")', 5),
    ('flatten([["a", "b"], [], ["c"]])', ["a", "b", "c"]),
    ('flatten([[["a", "b"], []], ["c"]])', ["a", "b", "c"]),
    ('distinct(["a", "b", "a", "c", "d", "b"])', ["a", "b", "c", "d"]),
    ('toset(["a", "b", "c", "a"])', ["a", "b", "c"]),
    ('toset(["c", "b", "b"])', ["b", "c"]),
    ('tolist(["a", "b"])', ["a", "b"]),
    ('tomap({"a" = 1, "b" = 2})', {"a": 1, "b": 2}),
    ("keys({a = 1, c = 2, d = 3})", ["a", "c", "d"]),
    ("values({a = 3, c = 2, d = 1})", [3, 2, 1]),
    ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}),
    ('contains(["a", "b", "c"], "a")', True),
    ('contains(["a", "b", "c"], "d")', False),
    ("range(3)", [0, 1, 2]),
    ("range(1, 4)", [1, 2, 3]),
    ("range(1, 8, 2)", [1, 3, 5, 7]),
    ("range(0, -3, -1)", [0, -1, -2]),
    ('slice(["a", "b", "c", "d"], 1, 3)', ["b", "c"]),
    ('sort(["e", "d", "a", "x"])', ["a", "d", "e", "x"]),
    ('compact(["a", "", "b", null, "c"])', ["a", "b", "c"]),
    ('coalesce("a", "b")', "a"),
    ('coalesce("", "b")', "b"),
    ("coalesce(1, 2)", 1),
    ('coalescelist(["a", "b"], ["c", "d"])', ["a", "b"]),
    ('coalescelist([], ["c", "d"])', ["c", "d"]),
    ("one([])", None),
    ('one(["hello"])', "hello"),
    ("sum([10, 13, 6, 4.5])", 33.5),
    ('setunion(["a", "b"], ["b", "c"], ["d"])', ["a", "b", "c", "d"]),
    ("reverse([1, 2, 3])", [3, 2, 1]),
    ('index(["a", "b", "c"], "b")', 1),
    ('chunklist(["a", "b", "c", "d", "e"], 2)', [["a", "b"], ["c", "d"], ["e"]]),
    ("alltrue([true, true])", True),
    ('anytrue([false, "true"])', True),
    # Numbers.
    ("min(12, 54, 3)", 3),
    ("max(12, 54, 3)", 54),
    ("max([12, 54, 3]...)", 54),
    ("abs(-12.4)", 12.4),
    ("ceil(5.1)", 6),
    ("floor(4.9)", 4),
    ("floor(-2.5)", -3),
    ("pow(3, 2)", 9),
    ('parseint("FF", 16)', 255),
    # Strings.
    ('format("Hello, %s!", "Ander")', "Hello, Ander!"),
    ('format("There are %d lights", 4)', "There are 4 lights"),
    ('format("%-5s|%5.2f|%t|%q", "ab", 3.14159, true, "x")', 'ab   | 3.14|true|"x"'),
    ('format("%03d-%x", 7, 255)', "007-ff"),
    ('format("%v and %v", "a", 2)', "a and 2"),
    ('formatlist("Hello, %s!", ["Valentina", "Ander"])', ["Hello, Valentina!", "Hello, Ander!"]),
    ('join(", ", ["foo", "bar", "baz"])', "foo, bar, baz"),
    ('split(",", "foo,bar,baz")', ["foo", "bar", "baz"]),
    ('split(",", "")', [""]),
    ('replace("1 + 2 + 3", "+", "-")', "1 - 2 - 3"),
    ('replace("hello world", "/w.*d/", "everybody")', "hello everybody"),
    ('replace("hello", "/(l+)/", "[$1]")', "he[ll]o"),
    ('lower("HELLO")', "hello"),
    ('upper("hello")', "HELLO"),
    ('title("hello world")', "Hello World"),
    ('trimspace("  hello\\n\\n")', "hello"),
    ('trimprefix("helloworld", "hello")', "world"),
    ('trimsuffix("helloworld", "world")', "hello"),
    ('startswith("hello world", "hello")', True),
    ('endswith("hello world", "world")', True),
    ('substr("hello world", 1, 4)', "ello"),
    ('substr("hello", -3, -1)', "llo"),
    ('regex("[a-z]+", "53453453.345345aaabbbccc23454")', "aaabbbccc"),
    ('regex("(\\\\d\\\\d\\\\d\\\\d)-(\\\\d\\\\d)", "2019-02-01")', ["2019", "02"]),
    (
        'regex("^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?", '
        '"https://terraform.io/docs/")',
        {"authority": "terraform.io", "scheme": "https"},
    ),
    ('regexall("[a-z]+", "1234abcd5678efgh9")', ["abcd", "efgh"]),
    ('tostring("hello")', "hello"),
    ("tostring(5)", "5"),
    ('tonumber("5")', 5),
    ('tobool("true")', True),
    ('jsonencode({"hello" = "world"})', '{"hello":"world"}'),
    ('jsonencode({b = 1, a = [true, null, "<x>"]})', '{"a":[true,null,"\\u003cx\\u003e"],"b":1}'),
    ('jsondecode("{\\"hello\\": \\"world\\"}")', {"hello": "world"}),
    ('base64encode("Hello World")', "SGVsbG8gV29ybGQ="),
    ('basename("foo/bar/baz.txt")', "baz.txt"),
    # try and can.
    ('try(tonumber("x"), 5)', 5),
    ('try({a = 1}.b, "fallback")', "fallback"),
    ('can(regex("^ami-", "ami-123"))', True),
    ('can(regex("^ami-", "img-123"))', False),
]


@pytest.mark.parametrize(("expression", "expected"), DOCUMENTED)
def test_function_gives_the_documented_result(expression: str, expected: Value) -> None:
    assert value_of(expression) == expected


@pytest.mark.parametrize(
    "expression",
    [
        'cidrsubnet("10.0.0.0/16", 8, 256)',  # 8 more bits hold 0-255
        'cidrsubnet("10.0.0.0/30", 4, 0)',  # beyond 32 bits
        'cidrsubnet("not-a-cidr", 8, 1)',
        'cidrsubnets("10.0.0.0/30", 1, 1, 1)',  # no room for a third
        'cidrhost("10.0.0.0/30", 4)',
        "element([], 0)",
        'lookup({a = 1}, "b")',
        'one(["a", "b"])',
        'coalesce("", null)',
        'regex("x", "abc")',
        'format("%d", "abc")',
        "length(5)",
        "max()",
        'tonumber("five")',
    ],
)
def test_wrong_use_is_an_evaluation_error(expression: str) -> None:
    with pytest.raises(EvalError):
        value_of(expression)


class _UnknownScope:
    """`vpc` is an id known only after apply, from aws_vpc.main; `ids` a list of two such."""

    def root(self, name: str, line: int) -> Value:
        vpc = Unknown(frozenset({"aws_vpc.main"}))
        other = Unknown(frozenset({"aws_vpc.other"}))
        return {"vpc": vpc, "ids": [vpc, other], "count": Unknown()}[name]

    def unknown_function(self, name: str, line: int) -> Value:
        raise AssertionError(name)


def with_unknowns(text: str) -> Value:
    return evaluate(parse_expression(text, "test.tf"), _UnknownScope())


def test_unknown_operands_make_unknown_results_that_keep_their_sources() -> None:
    for text in ('"${vpc}-x"', "upper(vpc)", 'join(",", ids)', "count + 1", "vpc == null"):
        result = with_unknowns(text)
        assert isinstance(result, Unknown), text
    assert with_unknowns('join(",", ids)').sources == {"aws_vpc.main", "aws_vpc.other"}


def test_what_is_known_about_unknown_elements_stays_known() -> None:
    assert with_unknowns("length(ids)") == 2
    picked = with_unknowns("element(ids, 1)")
    assert isinstance(picked, Unknown) and picked.sources == {"aws_vpc.other"}
    assert with_unknowns("false && count > 1") is False
    assert with_unknowns("true || count > 1") is True
    assert with_unknowns('contains(["a", vpc], "a")') is True
