"""A recursive-descent parser for HCL's native syntax: bodies, expressions and templates.

Hand-written rather than taken from python-hcl2: that package's grammar gives binary operators
no precedence (it reads `2 * 3 + 1` as `2 * (3 + 1)`), rejects valid files with a line break
before an operator inside parentheses, returns expressions and templates as text, and has no
evaluator; parsing twice (its grammar, then the expression text) also doubled the load time.
Newlines follow hclsyntax: they end attributes and object items, and are ignored inside
parentheses, brackets, function arguments, `for` expressions and template interpolations.
"""

from __future__ import annotations

from reachlint.errors import InputError
from reachlint.formats.hcl.lexer import (
    EOF,
    HEREDOC,
    IDENT,
    NEWLINE,
    NUMBER,
    TEMPLATE,
    Interpolation,
    Lexer,
    TemplatePart,
    Token,
)
from reachlint.formats.hcl.syntax import (
    Attribute,
    Binary,
    Block,
    Body,
    Call,
    Conditional,
    Expr,
    ForExpr,
    GetAttr,
    Index,
    Literal,
    ObjectCons,
    Parens,
    Splat,
    SplatItem,
    Template,
    TemplateFor,
    TemplateIf,
    TemplateWrap,
    TupleCons,
    Unary,
    Variable,
)
from reachlint.limits import MAX_EXPRESSION_DEPTH, LimitError, check_digits

_PRECEDENCE = {
    "||": 1,
    "&&": 2,
    "==": 3,
    "!=": 3,
    "<": 4,
    ">": 4,
    "<=": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
    "%": 6,
}
_KEYWORDS = {"true": True, "false": False, "null": None}


def parse_file(text: str, file: str) -> Body:
    """The body of one configuration file; InputError names line and column of a mistake."""
    tokens = Lexer(text, file).tokenize()
    parser = Parser(tokens, file, skip_newlines=False)
    body = parser.parse_body(closing=False)
    return body


def parse_expression(text: str, file: str, line: int = 1) -> Expr:
    """One expression on its own, as in a `-var` value or a variable's type."""
    tokens = Lexer(text, file, line).tokenize()
    parser = Parser(tokens, file, skip_newlines=True)
    expr = parser.parse_expression()
    parser.expect(EOF)
    return expr


def _describe(token: Token) -> str:
    if token.kind == EOF:
        return "the end of the input"
    if token.kind == NEWLINE:
        return "a line break"
    if token.kind in (TEMPLATE, HEREDOC):
        return "a string"
    return f'"{token.value}"'


class Parser:
    def __init__(self, tokens: list[Token], file: str, skip_newlines: bool, depth: int = 0) -> None:
        self.tokens = tokens
        self.file = file
        self.pos = 0
        self.skip_newlines = skip_newlines
        self.depth = depth  # nesting of expressions, blocks and template directives

    def _too_deep(self, token: Token) -> LimitError:
        """Each level of nesting is a few Python frames: the depth is bounded first."""
        return LimitError(
            f"the nesting at column {token.column} is too deep",
            MAX_EXPRESSION_DEPTH,
            "levels of nesting",
            self.file,
            token.line,
        )

    # Token access.
    def peek(self) -> Token:
        if self.skip_newlines:
            tokens = self.tokens
            while tokens[self.pos].kind == NEWLINE:
                self.pos += 1
        return self.tokens[self.pos]

    def advance(self) -> Token:
        token = self.peek()
        if token.kind != EOF:
            self.pos += 1
        return token

    def expect(self, kind: str, what: str | None = None) -> Token:
        token = self.peek()
        if token.kind != kind:
            expected = what or ("the end of the expression" if kind == EOF else f'"{kind}"')
            raise self.error(token, f"expected {expected}, found {_describe(token)}")
        return self.advance()

    def _index(self, token: Token) -> int:
        """A number after a dot: `list.0`."""
        check_digits(str(token.value), self.file, token.line)
        return int(str(token.value))

    def error(self, token: Token, message: str) -> InputError:
        return InputError(
            f"syntax error at column {token.column}: {message}", self.file, token.line
        )

    # Bodies.
    def parse_body(self, closing: bool) -> Body:
        body = Body()
        tokens = self.tokens
        while True:
            token = tokens[self.pos]
            kind = token.kind
            if kind == NEWLINE:
                self.pos += 1
                continue
            if kind == EOF:
                if closing:
                    raise self.error(
                        token, "expected } to close the block, found the end of the file"
                    )
                return body
            if kind == "}":
                if closing:
                    return body
                raise self.error(token, "unexpected }, no block is open here")
            if kind != IDENT:
                raise self.error(
                    token, f"expected an argument name or a block type, found {_describe(token)}"
                )
            self.pos += 1
            name = str(token.value)
            following = tokens[self.pos]
            if following.kind == "=":
                self.pos += 1
                expr = self.parse_expression()
                if name in body.attributes:
                    raise InputError(
                        f'argument "{name}" is set twice (first at line '
                        f"{body.attributes[name].line})",
                        self.file,
                        token.line,
                    )
                body.attributes[name] = Attribute(name, expr, token.line)
            elif following.kind in ("{", IDENT, TEMPLATE):
                body.blocks.append(self._block(name, token))
            else:
                raise self.error(
                    following,
                    f'expected "=" or a block after "{name}", found {_describe(following)}',
                )
            self._end_of_item()

    def _block(self, block_type: str, start: Token) -> Block:
        labels: list[str] = []
        tokens = self.tokens
        while tokens[self.pos].kind != "{":
            token = tokens[self.pos]
            if token.kind == IDENT:
                labels.append(str(token.value))
            elif token.kind == TEMPLATE and _is_plain(token.value):
                labels.append("".join(token.value))  # type: ignore[arg-type]
            else:
                raise self.error(token, f'expected a block label or "{{", found {_describe(token)}')
            self.pos += 1
        self.pos += 1
        self.depth += 1
        if self.depth > MAX_EXPRESSION_DEPTH:
            raise self._too_deep(start)
        body = self.parse_body(closing=True)
        self.depth -= 1
        self.pos += 1  # the closing brace
        return Block(block_type, labels, body, start.line)

    def _end_of_item(self) -> None:
        token = self.tokens[self.pos]
        if token.kind == NEWLINE:
            self.pos += 1
        elif token.kind not in (EOF, "}"):
            raise self.error(token, f"expected a line break, found {_describe(token)}")

    # Expressions.
    def parse_expression(self) -> Expr:
        self.depth += 1
        if self.depth > MAX_EXPRESSION_DEPTH:
            raise self._too_deep(self.peek())
        condition = self._binary(1)
        if self.peek().kind != "?":
            self.depth -= 1
            return condition
        self.advance()
        true_result = self.parse_expression()
        self.expect(":", 'the ":" of a conditional')
        false_result = self.parse_expression()
        self.depth -= 1
        return Conditional(condition.line, condition, true_result, false_result)

    def _binary(self, min_precedence: int) -> Expr:
        left = self._unary()
        while True:
            operator = self.peek().kind
            precedence = _PRECEDENCE.get(operator)
            if precedence is None or precedence < min_precedence:
                return left
            self.advance()
            right = self._binary(precedence + 1)
            left = Binary(left.line, operator, left, right)

    def _unary(self) -> Expr:
        token = self.peek()
        if token.kind == "-" or token.kind == "!":
            self.advance()
            self.depth += 1
            if self.depth > MAX_EXPRESSION_DEPTH:
                raise self._too_deep(token)
            operand = self._unary()
            self.depth -= 1
            if token.kind == "-" and isinstance(operand, Literal) and _is_number(operand.value):
                return Literal(token.line, -operand.value)
            return Unary(token.line, token.kind, operand)
        return self._postfix(self._primary())

    def _postfix(self, expr: Expr) -> Expr:
        while True:
            token = self.peek()
            if token.kind == ".":
                self.advance()
                after = self.advance()
                if after.kind == IDENT:
                    expr = GetAttr(expr.line, expr, str(after.value))
                elif after.kind == NUMBER:
                    expr = Index(expr.line, expr, Literal(after.line, self._index(after)))
                elif after.kind == "*":
                    expr = Splat(expr.line, expr, self._splat_steps(full=False))
                else:
                    raise self.error(after, f"expected an attribute name, found {_describe(after)}")
            elif token.kind == "[":
                self.advance()
                if self.peek().kind == "*":
                    self.advance()
                    self.expect("]")
                    expr = Splat(expr.line, expr, self._splat_steps(full=True))
                else:
                    saved = self.skip_newlines
                    self.skip_newlines = True
                    key = self.parse_expression()
                    self.expect("]")
                    self.skip_newlines = saved
                    expr = Index(expr.line, expr, key)
            else:
                return expr

    def _splat_steps(self, full: bool) -> Expr:
        """The traversal applied to each element: attributes, and for `[*]` also indexes."""
        each: Expr = SplatItem(self.peek().line)
        while True:
            token = self.peek()
            if token.kind == "." and self.tokens[self.pos + 1].kind in (IDENT, NUMBER):
                self.advance()
                after = self.advance()
                if after.kind == IDENT:
                    each = GetAttr(each.line, each, str(after.value))
                elif full:
                    each = Index(each.line, each, Literal(after.line, self._index(after)))
                else:
                    self.pos -= 2
                    return each
            elif full and token.kind == "[" and self.tokens[self.pos + 1].kind != "*":
                self.advance()
                saved = self.skip_newlines
                self.skip_newlines = True
                key = self.parse_expression()
                self.expect("]")
                self.skip_newlines = saved
                each = Index(each.line, each, key)
            else:
                return each

    def _primary(self) -> Expr:
        token = self.advance()
        kind = token.kind
        if kind == IDENT:
            name = str(token.value)
            following = self.peek().kind
            if following == "(":
                return self._call(name, token)
            if following == "::" and name == "provider":
                return self._provider_call(token)
            if name in _KEYWORDS:
                return Literal(token.line, _KEYWORDS[name])
            return Variable(token.line, name)
        if kind == NUMBER:
            check_digits(str(token.value), self.file, token.line)
            return Literal(token.line, _number(str(token.value)))
        if kind == TEMPLATE:
            return self._template(token.value, token.line, quoted=True)  # type: ignore[arg-type]
        if kind == HEREDOC:
            return self._template(token.value, token.line, quoted=False)  # type: ignore[arg-type]
        if kind == "(":
            saved = self.skip_newlines
            self.skip_newlines = True
            inner = self.parse_expression()
            self.expect(")")
            self.skip_newlines = saved
            return Parens(token.line, inner)
        if kind == "[":
            return self._tuple(token)
        if kind == "{":
            return self._object(token)
        raise self.error(token, f"expected an expression, found {_describe(token)}")

    def _call(self, name: str, token: Token) -> Expr:
        self.advance()  # (
        saved = self.skip_newlines
        self.skip_newlines = True
        args: list[Expr] = []
        expand_last = False
        while self.peek().kind != ")":
            args.append(self.parse_expression())
            following = self.peek().kind
            if following == "...":
                self.advance()
                expand_last = True
                break
            if following != ",":
                break
            self.advance()
        self.expect(")", f'"," or ")" in the arguments of {name}()')
        self.skip_newlines = saved
        return Call(token.line, name, args, expand_last)

    def _provider_call(self, token: Token) -> Expr:
        names = ["provider"]
        while self.peek().kind == "::":
            self.advance()
            names.append(str(self.expect(IDENT, "a function name").value))
        if self.peek().kind != "(":
            raise self.error(self.peek(), 'expected "(" after a provider function name')
        return self._call("::".join(names), token)

    def _tuple(self, opening: Token) -> Expr:
        saved = self.skip_newlines
        self.skip_newlines = True
        if self._at_for():
            expr = self._for(opening, closing="]")
        else:
            items: list[Expr] = []
            while self.peek().kind != "]":
                items.append(self.parse_expression())
                if self.peek().kind != ",":
                    break
                self.advance()
            self.expect("]", '"," or "]"')
            expr = TupleCons(opening.line, items)
        self.skip_newlines = saved
        return expr

    def _object(self, opening: Token) -> Expr:
        saved = self.skip_newlines
        self.skip_newlines = True
        if self._at_for():
            expr = self._for(opening, closing="}")
            self.skip_newlines = saved
            return expr
        self.skip_newlines = False
        items: list[tuple[Expr, Expr]] = []
        while True:
            token = self.peek()
            if token.kind in (NEWLINE, ","):
                self.advance()
                continue
            if token.kind == "}":
                self.advance()
                break
            key = self.parse_expression()
            if isinstance(key, Variable):
                key = Literal(key.line, key.name)
            separator = self.advance()
            if separator.kind not in ("=", ":"):
                raise self.error(
                    separator, f'expected "=" after an object key, found {_describe(separator)}'
                )
            items.append((key, self.parse_expression()))
            following = self.peek()
            if following.kind not in (",", NEWLINE, "}"):
                raise self.error(
                    following,
                    f'expected "," or a line break between object items, '
                    f"found {_describe(following)}",
                )
        self.skip_newlines = saved
        return ObjectCons(opening.line, items)

    def _at_for(self) -> bool:
        token = self.peek()
        return token.kind == IDENT and token.value == "for"

    def _for(self, opening: Token, closing: str) -> Expr:
        self.advance()  # for
        first = str(self.expect(IDENT, "a variable name after for").value)
        key_name: str | None = None
        value_name = first
        if self.peek().kind == ",":
            self.advance()
            key_name = first
            value_name = str(self.expect(IDENT, "a variable name").value)
        in_token = self.expect(IDENT, '"in"')
        if in_token.value != "in":
            raise self.error(in_token, f'expected "in", found {_describe(in_token)}')
        collection = self.parse_expression()
        self.expect(":", '":" after the collection of a for expression')
        key: Expr | None = None
        group = False
        value = self.parse_expression()
        if closing == "}":
            key = value
            self.expect("=>", '"=>" in a for expression that makes an object')
            value = self.parse_expression()
            if self.peek().kind == "...":
                self.advance()
                group = True
        condition: Expr | None = None
        token = self.peek()
        if token.kind == IDENT and token.value == "if":
            self.advance()
            condition = self.parse_expression()
        self.expect(closing)
        return ForExpr(opening.line, key_name, value_name, collection, key, value, condition, group)

    # Templates.
    def _template(self, parts: list[TemplatePart], line: int, quoted: bool) -> Expr:
        items: list[str | Expr | tuple[str, Interpolation, list[Expr | str | None]]] = []
        for part in parts:
            if isinstance(part, str):
                items.append(part)
            elif part.directive:
                items.append(self._directive(part))
            else:
                items.append(self._sub_expression(part))
        built, position, stopper = self._template_parts(items, 0, ())
        if stopper is not None:
            _, interpolation, _ = stopper
            raise self._directive_error(interpolation, "has no matching opening directive")
        del position
        only = built[0] if quoted and len(built) == 1 else None
        if isinstance(only, Expr) and not isinstance(only, TemplateIf | TemplateFor):
            return TemplateWrap(line, only)
        if all(isinstance(part, str) for part in built):
            return Literal(line, "".join(part for part in built if isinstance(part, str)))
        return Template(line, built)

    def _sub_expression(self, part: Interpolation) -> Expr:
        parser = Parser(part.tokens, self.file, skip_newlines=True, depth=self.depth)
        if parser.peek().kind == EOF:
            raise InputError(
                f"syntax error at column {part.column}: the interpolation is empty",
                self.file,
                part.line,
            )
        expr = parser.parse_expression()
        parser.expect(EOF, '"}" to close the interpolation')
        return expr

    def _directive(self, part: Interpolation) -> tuple[str, Interpolation, list[Expr | str | None]]:
        """A `%{ }` directive as (keyword, where, [operands])."""
        parser = Parser(part.tokens, self.file, skip_newlines=True, depth=self.depth)
        keyword_token = parser.expect(IDENT, "if, else, endif, for or endfor in a directive")
        keyword = str(keyword_token.value)
        operands: list[Expr | str | None] = []
        if keyword == "if":
            operands.append(parser.parse_expression())
        elif keyword == "for":
            first = str(parser.expect(IDENT, "a variable name").value)
            if parser.peek().kind == ",":
                parser.advance()
                operands.extend([first, str(parser.expect(IDENT, "a variable name").value)])
            else:
                operands.extend([None, first])
            in_token = parser.expect(IDENT, '"in"')
            if in_token.value != "in":
                raise parser.error(in_token, f'expected "in", found {_describe(in_token)}')
            operands.append(parser.parse_expression())
        elif keyword not in ("else", "endif", "endfor"):
            raise parser.error(keyword_token, f"unknown template directive {keyword}")
        parser.expect(EOF, '"}" to close the directive')
        return keyword, part, operands

    def _template_parts(
        self,
        items: list[str | Expr | tuple[str, Interpolation, list[Expr | str | None]]],
        position: int,
        stops: tuple[str, ...],
    ) -> tuple[list[str | Expr], int, tuple[str, Interpolation, list[Expr | str | None]] | None]:
        """Template parts up to one of the directives in `stops` (returned as the stopper)."""
        built: list[str | Expr] = []
        while position < len(items):
            item = items[position]
            position += 1
            if not isinstance(item, tuple):
                built.append(item)
                continue
            keyword, where, operands = item
            if keyword in stops:
                return built, position, item
            self.depth += 1
            if self.depth > MAX_EXPRESSION_DEPTH:
                raise self._too_deep(Token(IDENT, keyword, where.line, where.column))
            if keyword == "if":
                condition = operands[0]
                assert isinstance(condition, Expr)
                then_parts, position, stopper = self._template_parts(
                    items, position, ("else", "endif")
                )
                else_parts: list[str | Expr] = []
                if stopper is not None and stopper[0] == "else":
                    else_parts, position, stopper = self._template_parts(
                        items, position, ("endif",)
                    )
                if stopper is None:
                    raise self._directive_error(where, "is not closed with %{ endif }")
                built.append(TemplateIf(where.line, condition, then_parts, else_parts))
            elif keyword == "for":
                key_name, value_name, collection = operands
                assert isinstance(value_name, str) and isinstance(collection, Expr)
                assert key_name is None or isinstance(key_name, str)
                body, position, stopper = self._template_parts(items, position, ("endfor",))
                if stopper is None:
                    raise self._directive_error(where, "is not closed with %{ endfor }")
                built.append(TemplateFor(where.line, key_name, value_name, collection, body))
            else:
                raise self._directive_error(where, "has no matching opening directive")
            self.depth -= 1
        return built, position, None

    def _directive_error(self, where: Interpolation, problem: str) -> InputError:
        return InputError(
            f"syntax error at column {where.column}: the template directive {problem}",
            self.file,
            where.line,
        )


def _is_plain(parts: object) -> bool:
    return isinstance(parts, list) and all(isinstance(part, str) for part in parts)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(text: str) -> int | float:
    if "." in text or "e" in text or "E" in text:
        value = float(text)
        return int(value) if value.is_integer() and abs(value) < 2**63 else value
    return int(text)
