"""CloudFormation's intrinsic functions, conditions, parameters and pseudo parameters.

Evaluation turns a template value into plain data, as far as it is known before deployment:
- `Ref` to a resource, and `Fn::GetAtt` of an attribute nobody decides here, become
  `ResourceRef`s: the dialect that reads the template links them to the resource;
- what only the deployment knows (a parameter without a value, `AWS::AccountId`, an SSM
  parameter, `Fn::ImportValue`, a dynamic reference) becomes an `Unknown` naming it, and
  propagates through every function that uses it;
- `AWS::NoValue` removes the property or list item that holds it.
"""

from __future__ import annotations

import base64
import ipaddress
import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NoReturn

from msgspec import Struct, field

from reachlint.errors import InputError
from reachlint.formats.cloudformation.values import NO_VALUE, ResourceRef, Unknown, shown
from reachlint.formats.jsonpos import JsonArray, JsonObject
from reachlint.limits import WORK

PSEUDO_PARAMETERS = frozenset(
    {
        "AWS::AccountId",
        "AWS::NotificationARNs",
        "AWS::NoValue",
        "AWS::Partition",
        "AWS::Region",
        "AWS::StackId",
        "AWS::StackName",
        "AWS::URLSuffix",
    }
)
_RESOLVE = "{{resolve:"
_RESOLVE_SERVICES = ("ssm:", "ssm-secure:", "secretsmanager:")
_MAX_CIDR_COUNT = 256  # Fn::Cidr's documented range is 1-256
_MAX_LOOKUP_CHOICES = 64  # entries a lookup on keys not known is read among; beyond, not known


def unknowns_in(value: Any) -> Iterator[Unknown]:
    if isinstance(value, Unknown):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from unknowns_in(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from unknowns_in(item)


def _names(*values: Any) -> tuple[str, ...]:
    found: list[str] = []
    for value in values:
        for unknown in unknowns_in(value):
            found.extend(unknown.names)
    return tuple(dict.fromkeys(found))


AttributeHook = Callable[[str, str, "Evaluator"], Any]
ImportHook = Callable[[str], Any]  # an export's value by name; NotImplemented when not known


class Evaluator(Struct):
    """Evaluates one template's values with its parameters, conditions and mappings.

    `attribute(logical_id, name, evaluator)` answers `Fn::GetAtt` where the template itself
    decides the value (a VPC's `CidrBlock`); it returns NotImplemented for the rest.
    """

    document: Mapping[str, Any]
    source: str
    parameter_values: dict[str, Any] = field(default_factory=dict)
    attribute: AttributeHook | None = None
    importer: ImportHook | None = None
    _conditions: dict[str, bool | Unknown] = field(default_factory=dict)
    _evaluating: set[str] = field(default_factory=set)
    _parameters: dict[str, Any] | None = None

    # ----- sections ---------------------------------------------------------------------------

    def section(self, name: str) -> Mapping[str, Any]:
        value = self.document.get(name)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self._fail(f"{name} must be a mapping", self.document, name)
        return value

    @property
    def resources(self) -> Mapping[str, Any]:
        return self.section("Resources")

    @property
    def parameters(self) -> dict[str, Any]:
        """Each declared parameter's value: given, else its default, else an Unknown."""
        if self._parameters is None:
            self._parameters = {}
            declared = self.section("Parameters")
            for name in self.parameter_values:
                if name not in declared:
                    raise InputError(
                        f"parameter {name!r} is given a value but the template declares no "
                        "such parameter",
                        self.source,
                    )
            for name, spec in declared.items():
                self._parameters[name] = self._parameter(name, spec)
        return self._parameters

    def _parameter(self, name: str, spec: Any) -> Any:
        if not isinstance(spec, dict):
            self._fail(f"parameter {name} must be a mapping", self.section("Parameters"), name)
        kind = spec.get("Type")
        if not isinstance(kind, str):
            self._fail(f"parameter {name} has no Type", self.section("Parameters"), name)
        if kind.startswith("AWS::SSM::Parameter::"):
            # The default is where the value lives in Parameter Store, not the value.
            path = self.parameter_values.get(name, spec.get("Default"))
            return Unknown(f"SSM parameter {path}" if isinstance(path, str) else name)
        if name in self.parameter_values:
            value = self.parameter_values[name]
        elif "Default" in spec:
            value = spec["Default"]
        else:
            return Unknown(name)
        return self._typed(name, kind, value, spec)

    def _typed(self, name: str, kind: str, value: Any, spec: Mapping[str, Any]) -> Any:
        if isinstance(value, ResourceRef) or _names(value):
            # What a parent stack passes that only the deployment knows: a resource's id, or
            # a value resting on one of its own unknowns. Nothing to convert or check.
            return value
        listed = kind == "CommaDelimitedList" or kind.startswith("List<")
        if listed and isinstance(value, str):
            value = [item.strip() for item in value.split(",")] if value else []
        elif listed and isinstance(value, (int, float)):
            value = [str(value)]
        elif not listed and isinstance(value, (int, float, bool)) and kind != "Number":
            value = str(value).lower() if isinstance(value, bool) else str(value)
        if kind == "Number" and isinstance(value, str):
            try:
                value = float(value) if "." in value else int(value)
            except ValueError:
                raise InputError(
                    f"parameter {name} is a Number, but its value {shown(value)} is not",
                    self.source,
                    getattr(spec, "line", None),
                ) from None
        allowed = spec.get("AllowedValues")
        if isinstance(allowed, list) and not listed and str(value) not in map(str, allowed):
            raise InputError(
                f"parameter {name} has the value {shown(value)}, which is not one of its "
                f"AllowedValues ({', '.join(map(str, allowed))})",
                self.source,
                getattr(spec, "line", None),
            )
        return value

    # ----- conditions -------------------------------------------------------------------------

    def condition(self, name: str, where: Any = None) -> bool | Unknown:
        if name in self._conditions:
            return self._conditions[name]
        conditions = self.section("Conditions")
        if name not in conditions:
            self._fail(f"condition {name!r} is not declared in Conditions", where, None)
        if name in self._evaluating:
            self._fail(f"condition {name} refers to itself", conditions, name)
        self._evaluating.add(name)
        try:
            found = self._truth(self.value(conditions[name]), conditions, name)
        finally:
            self._evaluating.discard(name)
        self._conditions[name] = found
        return found

    def _truth(self, value: Any, where: Any, key: Any) -> bool | Unknown:
        if isinstance(value, (bool, Unknown)):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        self._fail(f"a condition must be true or false, not {shown(value)}", where, key)

    # ----- values -------------------------------------------------------------------------------

    def value(self, node: Any) -> Any:
        """`node` with every intrinsic function applied, as far as it is known."""
        WORK.tick()
        if isinstance(node, dict):
            if len(node) == 1:
                (name,) = node
                # `Condition` is a function only where it names one; IAM policies use the key.
                named_condition = name == "Condition" and isinstance(node[name], str)
                if name == "Ref" or named_condition or name.startswith("Fn::"):
                    return self._function(name, node[name], node)
            result = JsonObject(getattr(node, "source", None), getattr(node, "line", None))
            for key, item in node.items():
                evaluated = self.value(item)
                if evaluated is not NO_VALUE:
                    result[key] = evaluated
                    if isinstance(node, JsonObject) and key in node.key_lines:
                        result.key_lines[key] = node.key_lines[key]
            return result
        if isinstance(node, list):
            array = JsonArray(getattr(node, "source", None), getattr(node, "line", None))
            lines = getattr(node, "item_lines", [])
            for position, item in enumerate(node):
                evaluated = self.value(item)
                if evaluated is not NO_VALUE:
                    array.append(evaluated)
                    if position < len(lines):
                        array.item_lines.append(lines[position])
            return array
        if isinstance(node, str) and "{{resolve:" in node:
            return self._dynamic_reference(node)
        return node

    def _function(self, name: str, argument: Any, node: Any) -> Any:
        handler = _FUNCTIONS.get(name)
        if name.startswith("Fn::ForEach::"):
            return Unknown(name)  # AWS::LanguageExtensions loops are not expanded
        if handler is None:
            self._fail(f"{name} is not a CloudFormation intrinsic function", node, name)
        return handler(self, argument, node)

    def _ref(self, argument: Any, node: Any) -> Any:
        if not isinstance(argument, str):
            self._fail("Ref takes the name of a parameter or resource", node, "Ref")
        if argument in self.parameters:
            return self.parameters[argument]
        if argument in self.resources:
            return ResourceRef(argument)
        if argument == "AWS::NoValue":
            return NO_VALUE
        if argument in PSEUDO_PARAMETERS:
            return Unknown(argument)
        self._fail(f"Ref names {shown(argument)}, which is no parameter or resource", node, "Ref")

    def _get_att(self, argument: Any, node: Any) -> Any:
        if isinstance(argument, str):
            argument = argument.split(".", 1)
        if not isinstance(argument, list) or len(argument) != 2:
            self._fail("Fn::GetAtt takes [resource, attribute]", node, "Fn::GetAtt")
        logical_id, attribute = argument[0], self.value(argument[1])
        if not isinstance(logical_id, str) or logical_id not in self.resources:
            self._fail(
                f"Fn::GetAtt names {shown(logical_id)}, which is no resource", node, "Fn::GetAtt"
            )
        if isinstance(attribute, Unknown):  # an attribute named by a value not known
            return Unknown(f"{logical_id}.{attribute.text}")
        if not isinstance(attribute, str):
            return Unknown(f"{logical_id}.{shown(attribute)}")
        if self.attribute is not None:
            decided = self.attribute(logical_id, attribute, self)
            if decided is not NotImplemented:
                return decided
        return ResourceRef(logical_id, attribute)

    def _sub(self, argument: Any, node: Any) -> Any:
        variables: dict[str, Any] = {}
        if isinstance(argument, list):
            if len(argument) != 2 or not isinstance(argument[1], dict):
                self._fail("Fn::Sub takes a string or [string, variables]", node, "Fn::Sub")
            text, variables = argument[0], {k: self.value(v) for k, v in argument[1].items()}
        else:
            text = argument
        if not isinstance(text, str):
            self._fail("Fn::Sub takes a string", node, "Fn::Sub")
        parts: list[Any] = []
        position = 0
        for start, end in _sub_variables(text):
            parts.append(text[position:start])
            parts.append(self._sub_variable(text[start + 2 : end - 1].strip(), variables, node))
            position = end
        parts.append(text[position:])
        parts = [p.replace("${!", "${") if isinstance(p, str) else p for p in parts if p != ""]
        if len(parts) == 1 and not isinstance(parts[0], str):
            return parts[0]  # "${Vpc}" is the same as a Ref
        return self._joined(parts)

    def _sub_variable(self, name: str, variables: dict[str, Any], node: Any) -> Any:
        if name in variables:
            return variables[name]
        if "." in name and name.split(".", 1)[0] in self.resources:
            return self._get_att(name.split(".", 1), node)
        return self._ref(name, node)

    def _joined(self, parts: list[Any]) -> Any:
        if all(isinstance(p, (str, int, float)) and not isinstance(p, bool) for p in parts):
            return "".join(str(p) for p in parts)
        names = _names(*parts)
        refs = [str(p) for p in parts if isinstance(p, ResourceRef)]
        return Unknown(*names, *refs) if names or refs else Unknown("a joined value")

    def _join(self, argument: Any, node: Any) -> Any:
        if not isinstance(argument, list) or len(argument) != 2:
            self._fail("Fn::Join takes [delimiter, list]", node, "Fn::Join")
        delimiter, items = self.value(argument[0]), self.value(argument[1])
        if isinstance(items, Unknown) or isinstance(delimiter, Unknown):
            return Unknown(*_names(items, delimiter))
        if not isinstance(delimiter, str) or not isinstance(items, list):
            self._fail("Fn::Join takes [delimiter, list]", node, "Fn::Join")
        parts: list[Any] = []
        for position, item in enumerate(items):
            if position:
                parts.append(delimiter)
            parts.append(item)
        return self._joined(parts) if parts else ""

    def _select(self, argument: Any, node: Any) -> Any:
        if not isinstance(argument, list) or len(argument) != 2:
            self._fail("Fn::Select takes [index, list]", node, "Fn::Select")
        index, items = self.value(argument[0]), self.value(argument[1])
        if isinstance(index, Unknown):
            return Unknown(*index.names)
        try:
            position = int(index)
        except (TypeError, ValueError, OverflowError):  # OverflowError: .inf, 1e400
            self._fail(f"Fn::Select's index {shown(index)} is not a number", node, "Fn::Select")
        if isinstance(items, Unknown):
            return Unknown(*items.names)
        if isinstance(items, ResourceRef):  # a list attribute only the deployment fills
            return Unknown(f"{items}[{position}]")
        if not isinstance(items, list):
            self._fail("Fn::Select takes a list", node, "Fn::Select")
        if not 0 <= position < len(items):
            self._fail(
                f"Fn::Select's index {position} is outside the list of {len(items)}",
                node,
                "Fn::Select",
            )
        return items[position]

    def _split(self, argument: Any, node: Any) -> Any:
        if not isinstance(argument, list) or len(argument) != 2:
            self._fail("Fn::Split takes [delimiter, string]", node, "Fn::Split")
        delimiter, text = self.value(argument[0]), self.value(argument[1])
        if isinstance(text, Unknown) or isinstance(delimiter, Unknown):
            return Unknown(*_names(text, delimiter))
        if isinstance(text, ResourceRef):
            return Unknown(str(text))
        if not isinstance(delimiter, str) or not delimiter or not isinstance(text, str):
            self._fail("Fn::Split takes a delimiter and a string", node, "Fn::Split")
        return text.split(delimiter)

    def _if(self, argument: Any, node: Any) -> Any:
        if not isinstance(argument, list) or len(argument) != 3:
            self._fail("Fn::If takes [condition, value if true, value if false]", node, "Fn::If")
        name = argument[0]
        if not isinstance(name, str):
            self._fail("Fn::If names a condition", node, "Fn::If")
        decided = self.condition(name, node)
        if isinstance(decided, Unknown):
            branches = (self.value(argument[1]), self.value(argument[2]))
            return Unknown(*decided.names, alternatives=branches)
        return self.value(argument[1] if decided else argument[2])

    def _condition(self, argument: Any, node: Any) -> Any:
        if not isinstance(argument, str):
            self._fail("Condition names a condition", node, "Condition")
        return self.condition(argument, node)

    def _equals(self, argument: Any, node: Any) -> Any:
        if not isinstance(argument, list) or len(argument) != 2:
            self._fail("Fn::Equals takes two values", node, "Fn::Equals")
        left, right = self.value(argument[0]), self.value(argument[1])
        names = _names(left, right)
        if names or isinstance(left, ResourceRef) or isinstance(right, ResourceRef):
            return Unknown(*names) if names else Unknown("a resource's id")
        return _comparable(left) == _comparable(right)

    def _logic(self, name: str, argument: Any, node: Any) -> Any:
        if not isinstance(argument, list) or not argument:
            self._fail(f"{name} takes a list of conditions", node, name)
        values = [self._truth(self.value(item), node, name) for item in argument]
        if name == "Fn::Not":
            if len(values) != 1:
                self._fail("Fn::Not takes one condition", node, name)
            only = values[0]
            return only if isinstance(only, Unknown) else not only
        decisive = name == "Fn::Or"  # Or: any true decides; And: any false decides
        if any(v is decisive for v in values):
            return decisive
        unknown = [v for v in values if isinstance(v, Unknown)]
        return Unknown(*_names(*unknown)) if unknown else not decisive

    def _find_in_map(self, argument: Any, node: Any) -> Any:
        if not isinstance(argument, list) or len(argument) not in (3, 4):
            self._fail("Fn::FindInMap takes [map, key, key]", node, "Fn::FindInMap")
        keys = [self.value(item) for item in argument[:3]]
        options = self.value(argument[3]) if len(argument) == 4 else {}
        if not isinstance(options, dict):
            self._fail("Fn::FindInMap's fourth argument is a map", node, "Fn::FindInMap")
        default = options.get("DefaultValue")
        unknown = _names(*keys)
        mappings = self.section("Mappings")
        if unknown:
            return self._find_among(mappings, keys, unknown)
        found: Any = mappings
        for key in keys:
            if not isinstance(found, dict) or str(key) not in found:
                if default is not None:
                    return default
                self._fail(
                    f"Fn::FindInMap: {'/'.join(map(str, keys))} is not in Mappings",
                    node,
                    "Fn::FindInMap",
                )
            found = found[str(key)]
        return self.value(found)

    def _find_among(self, mappings: Any, keys: list[Any], unknown: tuple[str, ...]) -> Any:
        """A lookup whose keys the deployment decides (`AWS::Region`): the one value every
        candidate entry holds, else one of them (an Unknown with those alternatives)."""
        candidates: list[Any] = [mappings]
        for key in keys:
            level: list[Any] = []
            for found in candidates:
                if not isinstance(found, dict):
                    continue
                if isinstance(key, Unknown | ResourceRef):
                    level.extend(found.values())
                elif str(key) in found:
                    level.append(found[str(key)])
            candidates = level[:_MAX_LOOKUP_CHOICES]
        values: list[Any] = []
        for found in candidates:
            value = self.value(found)
            if value not in values:
                values.append(value)
        if len(values) == 1 and not isinstance(values[0], Unknown):
            return values[0]
        return Unknown(*unknown, alternatives=tuple(values) if values else None)

    def _get_azs(self, argument: Any, node: Any) -> Any:
        region = self.value(argument)
        where = region if isinstance(region, str) and region else "the stack's region"
        return Unknown(f"availability zones of {where}")

    def _cidr(self, argument: Any, node: Any) -> Any:
        if not isinstance(argument, list) or len(argument) != 3:
            self._fail("Fn::Cidr takes [ipBlock, count, cidrBits]", node, "Fn::Cidr")
        block, count, bits = (self.value(item) for item in argument)
        if isinstance(block, ResourceRef):
            return Unknown(str(block))
        if _names(block, count, bits):
            return Unknown(*_names(block, count, bits))
        try:
            network = ipaddress.ip_network(str(block), strict=False)
            count, bits = int(count), int(bits)
        except (TypeError, ValueError, OverflowError):  # not a number, null, .inf
            self._fail(
                f"Fn::Cidr cannot split {shown(block)} (it takes an address block, a count and a "
                "number of bits, both whole numbers)",
                node,
                "Fn::Cidr",
            )
        prefix = network.max_prefixlen - bits
        if not 1 <= count <= _MAX_CIDR_COUNT or prefix < network.prefixlen or bits < 0:
            self._fail(
                f"Fn::Cidr cannot carve {count} blocks of /{prefix} out of {network}",
                node,
                "Fn::Cidr",
            )
        size = 1 << bits
        start = int(network.network_address)
        if count * size > network.num_addresses:
            self._fail(
                f"Fn::Cidr: {network} holds fewer than {count} blocks of /{prefix}",
                node,
                "Fn::Cidr",
            )
        kind = type(network)
        return [str(kind((start + i * size, prefix))) for i in range(count)]

    def _base64(self, argument: Any, node: Any) -> Any:
        value = self.value(argument)
        if not isinstance(value, str):
            return Unknown(*_names(value)) if _names(value) else Unknown("Fn::Base64")
        # A lone surrogate (JSON's "\ud800") is no character UTF-8 can hold: kept as written.
        return base64.b64encode(value.encode("utf-8", "surrogatepass")).decode()

    def _length(self, argument: Any, node: Any) -> Any:
        value = self.value(argument)
        if isinstance(value, list):
            return len(value)
        if isinstance(value, ResourceRef):
            return Unknown(str(value))
        return Unknown(*_names(value)) if _names(value) else Unknown("Fn::Length")

    def _to_json_string(self, argument: Any, node: Any) -> Any:
        value = self.value(argument)
        if _names(value):
            return Unknown(*_names(value))
        return json.dumps(value, separators=(",", ":"), default=str)

    def _import_value(self, argument: Any, node: Any) -> Any:
        name = self.value(argument)
        if isinstance(name, str) and self.importer is not None:
            exported = self.importer(name)
            if exported is not NotImplemented:
                return exported
        shown = name if isinstance(name, str) else "an export"
        return Unknown(f"Fn::ImportValue {shown}")

    def _transform(self, argument: Any, node: Any) -> Any:
        return Unknown("Fn::Transform")

    def _dynamic_reference(self, text: str) -> Any:
        """`{{resolve:ssm:name}}` anywhere in a string: a value only the deployment knows."""
        start, closing = text.find(_RESOLVE), -1
        while start >= 0:
            if closing < start:  # one scan for every start before the same brace: linear
                closing = text.find("}", start)
                if closing < 0:
                    return text
            rest = start + len(_RESOLVE)
            if text.startswith(_RESOLVE_SERVICES, rest) and text.startswith("}}", closing):
                return Unknown(text[start : closing + 2])
            start = text.find(_RESOLVE, start + 1)
        return text

    # ----- errors -----------------------------------------------------------------------------

    def _fail(self, message: str, where: Any, key: Any) -> NoReturn:
        line = None
        if isinstance(where, JsonObject) and isinstance(key, str):
            line = where.key_lines.get(key, where.line)
        elif where is not None:
            line = getattr(where, "line", None)
        raise InputError(message, self.source, line)


def _sub_variables(text: str) -> Iterator[tuple[int, int]]:
    """Where each `${name}` of an `Fn::Sub` string starts and ends (`${!x}` is the text `${x}`,
    not a variable), found in one pass: a string of many `${` and no `}` costs no more."""
    start, closing = text.find("${"), -1
    while start >= 0:
        if closing < start:
            closing = text.find("}", start)
            if closing < 0:
                return
        if closing > start + 2 and text[start + 2] != "!":
            yield start, closing + 1
            start = text.find("${", closing + 1)
        else:
            start = text.find("${", start + 1)


def _comparable(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return str(value)
    return value


_FUNCTIONS: dict[str, Callable[[Evaluator, Any, Any], Any]] = {
    "Ref": Evaluator._ref,
    "Condition": Evaluator._condition,
    "Fn::GetAtt": Evaluator._get_att,
    "Fn::Sub": Evaluator._sub,
    "Fn::Join": Evaluator._join,
    "Fn::Select": Evaluator._select,
    "Fn::Split": Evaluator._split,
    "Fn::If": Evaluator._if,
    "Fn::Equals": Evaluator._equals,
    "Fn::And": lambda self, argument, node: self._logic("Fn::And", argument, node),
    "Fn::Or": lambda self, argument, node: self._logic("Fn::Or", argument, node),
    "Fn::Not": lambda self, argument, node: self._logic("Fn::Not", argument, node),
    "Fn::FindInMap": Evaluator._find_in_map,
    "Fn::GetAZs": Evaluator._get_azs,
    "Fn::Cidr": Evaluator._cidr,
    "Fn::Base64": Evaluator._base64,
    "Fn::Length": Evaluator._length,
    "Fn::ToJsonString": Evaluator._to_json_string,
    "Fn::ImportValue": Evaluator._import_value,
    "Fn::Transform": Evaluator._transform,
}
