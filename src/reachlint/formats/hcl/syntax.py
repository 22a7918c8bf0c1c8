"""The syntax tree of HCL's native syntax: bodies of attributes and blocks, and expressions.

Every node keeps the line it starts on, so evaluation errors and origins can name it.
"""

from __future__ import annotations

from typing import Any

from msgspec import Struct, field


class Expr(Struct):
    line: int


class Literal(Expr):
    value: Any


class Variable(Expr):
    """A bare name: a namespace (`var`, `local`, a resource type) or an iterator."""

    name: str


class GetAttr(Expr):
    target: Expr
    name: str


class Index(Expr):
    target: Expr
    key: Expr


class SplatItem(Expr):
    """Stands for the current element inside a splat's `each` expression."""


class Splat(Expr):
    """`source[*].a.b` (or `source.*.a`): `each` is applied to every element."""

    source: Expr
    each: Expr


class Call(Expr):
    name: str
    args: list[Expr]
    expand_last: bool = False  # `f(list...)`


class Conditional(Expr):
    condition: Expr
    true_result: Expr
    false_result: Expr


class Binary(Expr):
    operator: str
    left: Expr
    right: Expr


class Unary(Expr):
    operator: str
    operand: Expr


class Parens(Expr):
    """Kept only so an object key in parentheses is evaluated instead of taken as a name."""

    inner: Expr


class TupleCons(Expr):
    items: list[Expr]


class ObjectCons(Expr):
    items: list[tuple[Expr, Expr]]


class ForExpr(Expr):
    key_name: str | None
    value_name: str
    collection: Expr
    key: Expr | None  # set for the object form `{for ... : k => v}`
    value: Expr
    condition: Expr | None
    group: bool = False  # `v...`: values with the same key are grouped into lists


class Template(Expr):
    """A string template; a part is literal text or an expression (interpolation, directive)."""

    parts: list[str | Expr]


class TemplateWrap(Expr):
    """`"${x}"`: a template that is one interpolation yields x's value unchanged."""

    inner: Expr


class TemplateIf(Expr):
    condition: Expr
    then_parts: list[str | Expr]
    else_parts: list[str | Expr]


class TemplateFor(Expr):
    key_name: str | None
    value_name: str
    collection: Expr
    body: list[str | Expr]


class Attribute(Struct):
    name: str
    expr: Expr
    line: int
    # Set when the attribute comes from another file than its block (an override file).
    file: str | None = None


class Block(Struct):
    type: str
    labels: list[str]
    body: Body
    line: int
    file: str | None = None  # as for Attribute


class Body(Struct):
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
