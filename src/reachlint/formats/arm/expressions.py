"""The syntax of ARM template expressions: `"[concat('a', parameters('b'))]"` to a small tree.

An expression is a function call or literal followed by property accesses (`.name`) and
indexes (`[expr]`). Strings are single-quoted with `''` for a quote; numbers are integers;
`true`, `false` and `null` may be written bare or as calls. A JSON string starting with `[[`
is a literal that starts with one `[`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, TypeAlias

from msgspec import Struct

from reachlint.limits import MAX_EXPRESSION_DEPTH, MAX_NUMBER_DIGITS, LimitError

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>-?[0-9]+)|(?P<name>[A-Za-z_$][\w$]*)"
    r"|(?P<punct>[().,\[\]]))"
)
_BARE_WORDS: dict[str, Any] = {"true": True, "false": False, "null": None}


class Literal(Struct, frozen=True):
    value: Any


class Call(Struct, frozen=True):
    name: str  # lower case; user-defined functions as "namespace.member"
    args: tuple[Node, ...]
    written: str  # the name as the template spells it, for messages


class Member(Struct, frozen=True):
    target: Node
    name: str


class Index(Struct, frozen=True):
    target: Node
    index: Node


Node: TypeAlias = Literal | Call | Member | Index


class ExpressionSyntaxError(Exception):
    """A malformed expression; `column` counts from the opening bracket."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


def is_expression(text: str) -> bool:
    return text.startswith("[") and text.endswith("]") and not text.startswith("[[")


def unescape(text: str) -> str:
    """A literal string as the template means it (`[[x]` stands for `[x]`)."""
    if text.startswith("[[") and text.endswith("]"):
        return text[1:]
    return text


@lru_cache(maxsize=8192)
def parse(text: str) -> Node:
    """Parse a whole `[...]` expression string."""
    return _Parser(text[1:-1], offset=2).parse()


class _Parser:
    def __init__(self, body: str, offset: int) -> None:
        self.tokens: list[tuple[str, str, int]] = []
        self.offset = offset
        self.depth = 0
        position = 0
        end = len(body.rstrip())
        while position < end:
            match = _TOKEN.match(body, position)
            if match is None or match.lastgroup is None:
                column = position
                while column < end and body[column].isspace():
                    column += 1
                char = body[column] if column < len(body) else ""
                raise ExpressionSyntaxError(f"unexpected character {char!r}", column + offset)
            kind = match.lastgroup
            self.tokens.append((kind, match.group(kind), match.start(kind) + offset))
            position = match.end()
        self.end_column = len(body) + offset
        self.position = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str, int]:
        token = self.peek()
        if token is None:
            raise ExpressionSyntaxError("the expression ends too early", self.end_column)
        self.position += 1
        return token

    def expect(self, punct: str) -> None:
        kind, text, column = self.take()
        if kind != "punct" or text != punct:
            raise ExpressionSyntaxError(f"expected '{punct}' but found '{text}'", column)

    def at(self, punct: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "punct" and token[1] == punct

    def parse(self) -> Node:
        if not self.tokens:
            raise ExpressionSyntaxError("the expression is empty", self.offset)
        node = self.expression()
        token = self.peek()
        if token is not None:
            raise ExpressionSyntaxError(f"unexpected '{token[1]}' after the expression", token[2])
        return node

    def expression(self) -> Node:
        entered = self.depth
        self.depth += 1
        if self.depth > MAX_EXPRESSION_DEPTH:
            raise self._too_deep()
        node = self.primary()
        while True:
            # Each property access or index wraps the node once more: it counts as a level.
            if self.at("."):
                self.depth += 1
                if self.depth > MAX_EXPRESSION_DEPTH:
                    raise self._too_deep()
                self.take()
                kind, text, column = self.take()
                if kind != "name":
                    raise ExpressionSyntaxError(
                        f"expected a property name after '.' but found '{text}'", column
                    )
                node = Member(node, text)
            elif self.at("["):
                self.depth += 1
                if self.depth > MAX_EXPRESSION_DEPTH:
                    raise self._too_deep()
                self.take()
                index = self.expression()
                self.expect("]")
                node = Index(node, index)
            else:
                self.depth = entered
                return node

    def _too_deep(self) -> LimitError:
        token = self.peek()
        column = token[2] if token else self.end_column
        return LimitError(
            f"the expression nests too deeply at column {column}",
            MAX_EXPRESSION_DEPTH,
            "levels of nesting",
        )

    def primary(self) -> Node:
        kind, text, column = self.take()
        if kind == "string":
            return Literal(text[1:-1].replace("''", "'"))
        if kind == "number":
            if len(text) > MAX_NUMBER_DIGITS:  # int() would refuse it, and take its time
                raise ExpressionSyntaxError(
                    f"a number of {len(text):,} digits; reachlint reads at most "
                    f"{MAX_NUMBER_DIGITS:,}",
                    column,
                )
            return Literal(int(text))
        if kind != "name":
            raise ExpressionSyntaxError(f"expected a value but found '{text}'", column)
        name = text
        if self.at(".") and self._namespaced_call_follows():
            self.take()
            name = f"{text}.{self.take()[1]}"
        if not self.at("("):
            if name.lower() in _BARE_WORDS:
                return Literal(_BARE_WORDS[name.lower()])
            raise ExpressionSyntaxError(f"expected '(' after function name '{name}'", column)
        self.take()
        args: list[Node] = []
        if not self.at(")"):
            args.append(self.expression())
            while self.at(","):
                self.take()
                args.append(self.expression())
        self.expect(")")
        return Call(name.lower(), tuple(args), name)

    def _namespaced_call_follows(self) -> bool:
        """`ns.fn(` is a user-defined function; `fn().prop` is a property access."""
        after = self.tokens[self.position + 1 : self.position + 3]
        return (
            len(after) == 2
            and after[0][0] == "name"
            and after[1][0] == "punct"
            and after[1][1] == "("
        )
