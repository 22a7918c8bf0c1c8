"""Tokens of HCL's native syntax.

Quoted strings and heredocs are templates: the lexer splits them into literal text and the
token lists of their `${ }` interpolations and `%{ }` directives, so the parser never sees raw
template text. Newlines are tokens, because they end attributes and object items.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from msgspec import Struct

from reachlint.errors import InputError
from reachlint.limits import MAX_EXPRESSION_DEPTH, LimitError

# Kinds that are not punctuation; punctuation tokens use their own text as kind.
IDENT = "ident"
NUMBER = "number"
TEMPLATE = "template"  # a quoted string; value: list[str | Interpolation]
HEREDOC = "heredoc"  # value: list[str | Interpolation]
NEWLINE = "newline"
EOF = "eof"

_TOKEN = re.compile(
    r"""
    (?P<space>[ \t\r\f\ufeff]+)
    |(?P<newline>\n)
    |(?P<comment>(?:\#|//)[^\n]*)
    |(?P<block_comment>/\*.*?\*/)
    |(?P<open_comment>/\*)
    |(?P<number>[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
    |(?P<ident>[^\W\d][\w-]*)
    |(?P<heredoc><<(?P<trim>-?)(?P<marker>[^\W\d][\w-]*)[ \t]*\r?\n)
    |(?P<quote>")
    |(?P<punct>==|!=|<=|>=|&&|\|\||=>|\.\.\.|::|[-+*/%<>!?:.,=(){}\[\]])
    |(?P<strip>~\})
    """,
    re.VERBOSE | re.DOTALL,
)
_DIGITS = re.compile(r"[0-9]+")
_QUOTED_TEXT = re.compile(r'[^"\\$%\n]+')
_HEREDOC_TEXT = re.compile(r"[^$%\n]+")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_UNICODE_ESCAPES = {"u": 4, "U": 8}


class Token(Struct):
    kind: str
    value: object
    line: int
    column: int


class Interpolation(Struct):
    """A `${ ... }` (directive False) or `%{ ... }` (directive True) inside a template."""

    directive: bool
    tokens: list[Token]
    line: int
    column: int
    strip_before: bool = False  # `${~`: trim whitespace at the end of the text before
    strip_after: bool = False  # `~}`: trim whitespace at the start of the text after


TemplatePart = str | Interpolation


class Lexer:
    def __init__(
        self, text: str, file: str, first_line: int = 1, first_column: int = 1, depth: int = 0
    ) -> None:
        self.text = text
        self.file = file
        self.first_line = first_line
        self.first_column = first_column
        self.depth = depth  # interpolations inside strings inside interpolations ...
        self._line_starts = [0]
        self._line_starts.extend(match.end() for match in re.finditer("\n", text))

    def error(self, message: str, pos: int) -> InputError:
        line, column = self.position(pos)
        return InputError(f"syntax error at column {column}: {message}", self.file, line)

    def position(self, pos: int) -> tuple[int, int]:
        index = bisect_right(self._line_starts, pos) - 1
        column = pos - self._line_starts[index] + 1
        if index == 0:
            column += self.first_column - 1
        return self.first_line + index, column

    def tokenize(self) -> list[Token]:
        tokens, _, _ = self._tokens(0, in_interpolation=False)
        return tokens

    def _tokens(self, pos: int, in_interpolation: bool) -> tuple[list[Token], int, bool]:
        """Tokens from `pos` to the end of the text, or to the `}` closing an interpolation.

        Returns the tokens (ending with EOF), the position after them and whether the closing
        brace carried a strip marker.
        """
        text = self.text
        end = len(text)
        tokens: list[Token] = []
        depth = 0
        while pos < end:
            if tokens and tokens[-1].kind == "." and "0" <= text[pos] <= "9":
                digits = _DIGITS.match(text, pos)
                assert digits is not None
                tokens.append(self._token(NUMBER, digits.group(), pos))
                pos = digits.end()
                continue
            match = _TOKEN.match(text, pos)
            if match is None:
                raise self._unexpected(pos)
            kind = match.lastgroup
            if kind == "space" or kind == "comment" or kind == "block_comment":
                pos = match.end()
                continue
            if kind == "newline":
                tokens.append(self._token(NEWLINE, "\n", pos))
            elif kind == "ident":
                tokens.append(self._token(IDENT, match.group(), pos))
            elif kind == "number":
                tokens.append(self._token(NUMBER, match.group(), pos))
            elif kind == "quote":
                parts, after = self._quoted(pos + 1)
                tokens.append(self._token(TEMPLATE, parts, pos))
                pos = after
                continue
            elif kind == "heredoc":
                token, after = self._heredoc(pos, match)
                tokens.append(token)
                pos = after
                continue
            elif kind == "open_comment":
                raise self.error("the comment is not closed with */", pos)
            elif kind == "strip":
                if not in_interpolation or depth:
                    raise self._unexpected(pos)
                return self._finish(tokens, pos), match.end(), True
            else:
                punct = match.group()
                if punct == "{":
                    depth += 1
                elif punct == "}":
                    if in_interpolation and depth == 0:
                        return self._finish(tokens, pos), match.end(), False
                    depth -= 1
                tokens.append(self._token(punct, punct, pos))
            pos = match.end()
        if in_interpolation:
            raise self.error("the template interpolation is not closed with }", pos)
        return self._finish(tokens, pos), pos, False

    def _finish(self, tokens: list[Token], pos: int) -> list[Token]:
        tokens.append(self._token(EOF, None, pos))
        return tokens

    def _token(self, kind: str, value: object, pos: int) -> Token:
        line, column = self.position(pos)
        return Token(kind, value, line, column)

    def _unexpected(self, pos: int) -> InputError:
        return self.error(f"unexpected character {self.text[pos]!r}", pos)

    def _quoted(self, pos: int) -> tuple[list[TemplatePart], int]:
        """The parts of a quoted template whose text starts at `pos` (after the quote)."""
        text = self.text
        start = pos - 1
        parts: list[TemplatePart] = []
        buffer: list[str] = []
        while True:
            chunk = _QUOTED_TEXT.match(text, pos)
            if chunk is not None:
                buffer.append(chunk.group())
                pos = chunk.end()
            if pos >= len(text) or text[pos] == "\n":
                raise self.error("the string is not closed with a quote", start)
            char = text[pos]
            if char == '"':
                _flush(buffer, parts)
                return _apply_strip_markers(parts), pos + 1
            if char == "\\":
                escaped, pos = self._escape(pos)
                buffer.append(escaped)
            else:
                pos = self._template_marker(pos, buffer, parts)

    def _escape(self, pos: int) -> tuple[str, int]:
        text = self.text
        letter = text[pos + 1] if pos + 1 < len(text) else ""
        if letter in _ESCAPES:
            return _ESCAPES[letter], pos + 2
        width = _UNICODE_ESCAPES.get(letter)
        if width is not None:
            digits = text[pos + 2 : pos + 2 + width]
            if len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
                code = int(digits, 16)
                # A Unicode scalar value only: no surrogate, nothing past U+10FFFF.
                if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
                    return chr(code), pos + 2 + width
        raise self.error(f"invalid escape sequence \\{letter}", pos)

    def _template_marker(self, pos: int, buffer: list[str], parts: list[TemplatePart]) -> int:
        """Handle a `$` or `%` in template text: an interpolation, an escaped one, or text."""
        text = self.text
        char = text[pos]
        if text.startswith(char + "{", pos):
            _flush(buffer, parts)
            line, column = self.position(pos)
            pos += 2
            strip_before = pos < len(text) and text[pos] == "~"
            if strip_before:
                pos += 1
            self.depth += 1
            if self.depth > MAX_EXPRESSION_DEPTH:
                raise LimitError(
                    f"the template at column {column} nests too deeply",
                    MAX_EXPRESSION_DEPTH,
                    "levels of nesting",
                    self.file,
                    line,
                )
            tokens, pos, strip_after = self._tokens(pos, in_interpolation=True)
            self.depth -= 1
            parts.append(
                Interpolation(char == "%", tokens, line, column, strip_before, strip_after)
            )
            return pos
        if text.startswith(char * 2 + "{", pos):
            buffer.append(char + "{")
            return pos + 3
        buffer.append(char)
        return pos + 1

    def _heredoc(self, pos: int, match: re.Match[str]) -> tuple[Token, int]:
        """A heredoc token; the position returned is the end of its closing marker line."""
        text = self.text
        marker = match.group("marker")
        body_start = match.end()
        cursor = body_start
        while True:
            if cursor >= len(text):
                raise self.error(f"the heredoc is not closed with a line {marker}", pos)
            newline = text.find("\n", cursor)
            line_end = len(text) if newline < 0 else newline
            if text[cursor:line_end].strip() == marker:
                break
            cursor = line_end + 1
        first_line, _ = self.position(body_start)
        parts = Lexer(
            text[body_start:cursor], self.file, first_line, depth=self.depth
        ).heredoc_parts()
        if match.group("trim"):
            parts = _remove_indentation(parts)
        return self._token(HEREDOC, parts, pos), line_end

    def heredoc_parts(self) -> list[TemplatePart]:
        """This lexer's whole text as the body of a heredoc template.

        As in hclsyntax, literal text is cut after every newline: strip markers then act on
        one line's text only, and `<<-` measures indentation line by line.
        """
        text = self.text
        parts: list[TemplatePart] = []
        buffer: list[str] = []
        pos = 0
        while pos < len(text):
            chunk = _HEREDOC_TEXT.match(text, pos)
            if chunk is not None:
                buffer.append(chunk.group())
                pos = chunk.end()
                continue
            if text[pos] == "\n":
                buffer.append("\n")
                _flush(buffer, parts)
                pos += 1
            else:
                pos = self._template_marker(pos, buffer, parts)
        _flush(buffer, parts)
        return _apply_strip_markers(parts)


def _flush(buffer: list[str], parts: list[TemplatePart]) -> None:
    if buffer:
        parts.append("".join(buffer))
        buffer.clear()


def _apply_strip_markers(parts: list[TemplatePart]) -> list[TemplatePart]:
    if not any(isinstance(p, Interpolation) and (p.strip_before or p.strip_after) for p in parts):
        return parts
    stripped = list(parts)
    for index, part in enumerate(stripped):
        if not isinstance(part, Interpolation):
            continue
        before = stripped[index - 1] if index > 0 else None
        after = stripped[index + 1] if index + 1 < len(stripped) else None
        if part.strip_before and isinstance(before, str):
            stripped[index - 1] = before.rstrip()
        if part.strip_after and isinstance(after, str):
            stripped[index + 1] = after.lstrip()
    return stripped


def _remove_indentation(parts: list[TemplatePart]) -> list[TemplatePart]:
    """`<<-` heredocs: remove the indentation shared by every line, as hclsyntax does.

    A line that starts with an interpolation or directive counts as not indented; a line of
    only whitespace does not count.
    """
    smallest: int | None = None
    adjust: list[int] = []
    at_line_start = True
    for index, part in enumerate(parts):
        if at_line_start:
            at_line_start = False
            if isinstance(part, str):
                trimmed = part.lstrip()
                if trimmed or not part.endswith("\n"):
                    spaces = len(part) - len(trimmed)
                    adjust.append(index)
                    smallest = spaces if smallest is None else min(smallest, spaces)
            else:
                smallest = 0
        if isinstance(part, str) and part.endswith("\n"):
            at_line_start = True
    if not smallest:
        return parts
    trimmed_parts = list(parts)
    for index in adjust:
        text = trimmed_parts[index]
        assert isinstance(text, str)
        trimmed_parts[index] = text[smallest:]
    return trimmed_parts
