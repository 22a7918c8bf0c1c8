"""Type constraints of input variables (`list(object({...}))`) and conversion to them.

Conversion follows Terraform where a value from a variable file or the command line meets its
declared type: strings become numbers or bools, objects get their optional attributes' defaults
and lose undeclared ones, sets lose duplicates. A value that does not fit is kept as given: the
loader's job is to see the network, not to re-validate the configuration.
"""

from __future__ import annotations

from msgspec import Struct, field

from reachlint.formats.hcl.evaluator import evaluate_constant
from reachlint.formats.hcl.syntax import Call, Expr, Literal, ObjectCons, TupleCons, Variable
from reachlint.formats.hcl.values import (
    EvalError,
    Unknown,
    Value,
    is_number,
    make_set,
    sorted_object,
    to_bool,
    to_number,
    to_string,
)

PRIMITIVES = ("string", "number", "bool")


class TypeSpec(Struct, frozen=True):
    kind: str  # string, number, bool, any, list, set, map, tuple, object
    element: TypeSpec | None = None  # list, set, map
    elements: tuple[TypeSpec, ...] = ()  # tuple
    attributes: dict[str, Attribute] = field(default_factory=dict)  # object

    @property
    def is_complex(self) -> bool:
        return self.kind not in (*PRIMITIVES, "any")


class Attribute(Struct, frozen=True):
    type: TypeSpec
    optional: bool = False
    default: Value = None


ANY = TypeSpec("any")


def parse_type(expr: Expr) -> TypeSpec:
    """The type an expression such as `map(object({port = optional(number, 80)}))` names.

    Something that is not a type is `any`: the loader never rejects a configuration over it.
    """
    if isinstance(expr, Variable) and expr.name in (*PRIMITIVES, "any"):
        return TypeSpec(expr.name)
    if isinstance(expr, Literal) and isinstance(expr.value, str) and expr.value in PRIMITIVES:
        return TypeSpec(expr.value)  # Terraform 0.11's quoted types
    if isinstance(expr, Call):
        if expr.name in ("list", "set", "map") and len(expr.args) == 1:
            return TypeSpec(expr.name, element=parse_type(expr.args[0]))
        if expr.name == "tuple" and len(expr.args) == 1 and isinstance(expr.args[0], TupleCons):
            return TypeSpec("tuple", elements=tuple(parse_type(e) for e in expr.args[0].items))
        if expr.name == "object" and len(expr.args) == 1 and isinstance(expr.args[0], ObjectCons):
            return TypeSpec("object", attributes=_object_attributes(expr.args[0]))
    return ANY


def _object_attributes(cons: ObjectCons) -> dict[str, Attribute]:
    attributes: dict[str, Attribute] = {}
    for key, value in cons.items:
        if not isinstance(key, Literal) or not isinstance(key.value, str):
            continue
        if isinstance(value, Call) and value.name == "optional" and value.args:
            default = None
            if len(value.args) > 1:
                default = _constant(value.args[1])
            attributes[key.value] = Attribute(parse_type(value.args[0]), True, default)
        else:
            attributes[key.value] = Attribute(parse_type(value))
    return attributes


def _constant(expr: Expr) -> Value:
    """An optional attribute's default: a constant (Terraform allows nothing else here)."""
    try:
        return evaluate_constant(expr)
    except EvalError:
        return None


def convert(value: Value, spec: TypeSpec) -> Value:
    """`value` converted to `spec` where Terraform would convert it; otherwise as it is."""
    if value is None or isinstance(value, Unknown) or spec.kind == "any":
        return value
    try:
        return _convert(value, spec)
    except EvalError:
        return value


def _convert(value: Value, spec: TypeSpec) -> Value:
    kind = spec.kind
    if value is None or isinstance(value, Unknown) or kind == "any":
        return value
    if kind == "string":
        return to_string(value) if isinstance(value, str | bool) or is_number(value) else value
    if kind == "number":
        return to_number(value) if isinstance(value, str) else value
    if kind == "bool":
        return to_bool(value) if isinstance(value, str) else value
    if kind in ("list", "set") and isinstance(value, list) and spec.element is not None:
        items = [_convert(item, spec.element) for item in value]
        return make_set(items) if kind == "set" else items
    if kind == "map" and isinstance(value, dict) and spec.element is not None:
        return sorted_object((key, _convert(item, spec.element)) for key, item in value.items())
    if kind == "tuple" and isinstance(value, list):
        return [
            _convert(item, spec.elements[i]) if i < len(spec.elements) else item
            for i, item in enumerate(value)
        ]
    if kind == "object" and isinstance(value, dict):
        converted: dict[str, Value] = {}
        for name, attribute in spec.attributes.items():
            if name in value and value[name] is not None:
                converted[name] = _convert(value[name], attribute.type)
            elif attribute.optional and attribute.default is not None:
                converted[name] = _convert(attribute.default, attribute.type)
            else:
                converted[name] = None
        return sorted_object(converted.items())
    return value
