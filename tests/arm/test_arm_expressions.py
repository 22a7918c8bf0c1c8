"""ARM expression syntax: literals, calls, property access, escapes and malformed expressions."""

from __future__ import annotations

import pytest

from reachlint.formats.arm.expressions import (
    Call,
    ExpressionSyntaxError,
    Index,
    Literal,
    Member,
    is_expression,
    parse,
    unescape,
)


def test_a_call_with_literal_arguments() -> None:
    assert parse("[concat('it''s', 42, -1)]") == Call(
        "concat", (Literal("it's"), Literal(42), Literal(-1)), "concat"
    )


def test_property_access_and_indexes_chain_after_a_call() -> None:
    node = parse("[reference('vnet').subnets[0]['id']]")
    assert node == Index(
        Index(
            Member(Call("reference", (Literal("vnet"),), "reference"), "subnets"),
            Literal(0),
        ),
        Literal("id"),
    )


def test_user_function_names_carry_their_namespace() -> None:
    node = parse("[__bicep.subnetName(parameters('x')).length]")
    assert isinstance(node, Member)
    assert isinstance(node.target, Call) and node.target.name == "__bicep.subnetname"


def test_bare_true_false_null_are_literals() -> None:
    assert parse("[createArray(true, false, null)]") == Call(
        "createarray", (Literal(True), Literal(False), Literal(None)), "createArray"
    )


def test_escaped_brackets_are_literal_strings() -> None:
    assert not is_expression("[[not an expression]")
    assert unescape("[[not an expression]") == "[not an expression]"
    assert not is_expression("plain [text]")
    assert is_expression("[variables('x')]")


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("[concat('a', 'b']", 17, "ends too early"),
        ("[concat('a' 'b')]", 13, "expected ')'"),
        ("[parameters]", 2, "expected '('"),
        ("[]", 2, "empty"),
        ("[concat('a')) ]", 13, "unexpected ')'"),
        ("[concat('open)]", 9, "unexpected character"),
        ("[f().]", 6, "ends too early"),
        ("[f().1]", 6, "expected a property name"),
    ],
)
def test_malformed_expressions_say_where(text: str, column: int, words: str) -> None:
    with pytest.raises(ExpressionSyntaxError) as raised:
        parse(text)
    assert raised.value.column == column
    assert words in raised.value.message
