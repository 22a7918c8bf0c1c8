"""A CloudFormation template, JSON or YAML, read with the line of every object, key and item.

Both syntaxes become the `JsonObject`/`JsonArray` values the ARM reader gives, so everything
after this module reads positions one way. YAML's short-form tags (`!Ref`, `!GetAtt A.B`,
`!Sub`, ...) become the long form (`{"Ref": ...}`, `{"Fn::GetAtt": ["A", "B"]}`).

The parser is PyYAML, which reachlint already needs for rules files. cfn-lint's template
decoder also keeps positions and tags, but importing it took 0.48-0.70 s here (it pulls in
sympy, networkx and regex) against about 30 ms for PyYAML, which then reads the Network Access
Analyzer sample's 257-line stack in about 20 ms with the pure-Python loader.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reachlint.errors import InputError
from reachlint.formats.jsonpos import JsonArray, JsonObject, parse_json
from reachlint.limits import MAX_TEMPLATE_BYTES, is_too_many_digits, read_bounded, too_many_digits

# Short forms CloudFormation documents; `Ref` and `Condition` keep their names.
_SHORT_FORMS = frozenset(
    {
        "Base64",
        "Cidr",
        "FindInMap",
        "GetAtt",
        "GetAZs",
        "ImportValue",
        "Join",
        "Length",
        "Select",
        "Split",
        "Sub",
        "ToJsonString",
        "Transform",
        "And",
        "Equals",
        "If",
        "Not",
        "Or",
    }
)


def read_template(path: Path, shown: str | None = None) -> Any:
    """The template in the file at `path`, a regular file within reachlint's size limit."""
    name = shown or str(path)
    raw = read_bounded(path, MAX_TEMPLATE_BYTES, "template", name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(
            f"is not UTF-8 text (undecodable byte at offset {error.start}); expected a template",
            name,
        ) from None
    if not text.strip():
        raise InputError("is empty; expected a CloudFormation template", name)
    return parse_template(text, name)


def parse_template(text: str, source: str) -> Any:
    """The template in `text`, JSON when it starts like JSON, YAML otherwise."""
    if text.lstrip("\ufeff \t\r\n").startswith("{"):
        return parse_json(text, source)
    return _parse_yaml(text, source)


def _parse_yaml(text: str, source: str) -> Any:
    import yaml

    loader = _loader_class()(text)
    loader.source = source
    try:
        return loader.get_single_data()
    except _Refused as refused:
        raise InputError(refused.message, source, refused.line) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or error.context or "cannot be read"
        raise InputError(f"broken YAML: {problem}", source, line) from None
    except yaml.YAMLError as error:
        raise InputError(f"broken YAML: {error}", source) from None
    except RecursionError:
        raise InputError("is YAML nested too deeply to read", source) from None
    except ValueError as error:
        raise too_many_digits(error, text, source) or error from None
    finally:
        loader.dispose()


class _Refused(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


_LOADER: Any = None


def _loader_class() -> Any:
    """A safe loader that keeps lines and reads the short forms; built once, on first use."""
    global _LOADER
    if _LOADER is not None:
        return _LOADER
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class TemplateLoader(base):  # type: ignore[misc, valid-type]
        source: str = ""

        def construct_object(self, node: Any, deep: bool = False) -> Any:
            # CloudFormation refuses aliases, and following them is how a few lines of YAML
            # become gigabytes ("billion laughs"): a node met twice is an alias, refused.
            if node in self.constructed_objects or node in self.recursive_objects:
                raise _Refused(
                    "YAML aliases are not allowed in CloudFormation templates",
                    node.start_mark.line + 1,
                )
            try:
                return super().construct_object(node, deep)
            except (AttributeError, IndexError, KeyError, TypeError, ValueError) as error:
                if is_too_many_digits(error):
                    raise  # too many digits: named by the caller, at the number's line
                # PyYAML's own types fail this way on a value they cannot hold: `!!bool x`,
                # `!!int ""`, `!!map` on a scalar, `0x_` (an int to YAML 1.1).
                raise _Refused(
                    f"YAML cannot read this value as !!{node.tag.rpartition(':')[2]}",
                    node.start_mark.line + 1,
                ) from None

        def construct_mapping(self, node: Any, deep: bool = False) -> JsonObject:
            result = JsonObject(self.source, node.start_mark.line + 1)
            for key_node, value_node in node.value:
                key = self.construct_object(key_node, deep=True)
                if not isinstance(key, str):
                    key = str(key)
                if key in result:
                    raise _Refused(f"duplicate key {key!r}", key_node.start_mark.line + 1)
                result[key] = self.construct_object(value_node, deep=True)
                result.key_lines[key] = key_node.start_mark.line + 1
            return result

        def construct_sequence(self, node: Any, deep: bool = False) -> JsonArray:
            result = JsonArray(self.source, node.start_mark.line + 1)
            for child in node.value:
                result.item_lines.append(child.start_mark.line + 1)
                result.append(self.construct_object(child, deep=True))
            return result

    def mapping(loader: Any, node: Any) -> JsonObject:
        constructed: JsonObject = loader.construct_mapping(node)
        return constructed

    def sequence(loader: Any, node: Any) -> JsonArray:
        constructed: JsonArray = loader.construct_sequence(node)
        return constructed

    def plain_text(loader: Any, node: Any) -> str:
        # `2010-09-09` is a date to YAML and a version string to CloudFormation.
        text: str = loader.construct_scalar(node)
        return text

    def short_form(loader: Any, suffix: str, node: Any) -> JsonObject:
        if suffix not in _SHORT_FORMS and suffix not in ("Ref", "Condition"):
            raise _Refused(f"unknown tag !{suffix}", node.start_mark.line + 1)
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if suffix == "GetAtt" and isinstance(value, str):
                resource, _, attribute = value.partition(".")
                value = JsonArray(loader.source, node.start_mark.line + 1)
                value.extend([resource, attribute])
                value.item_lines.extend([node.start_mark.line + 1] * 2)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node)
        else:
            value = loader.construct_mapping(node)
        name = suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}"
        wrapped = JsonObject(loader.source, node.start_mark.line + 1)
        wrapped[name] = value
        wrapped.key_lines[name] = node.start_mark.line + 1
        return wrapped

    TemplateLoader.add_constructor("tag:yaml.org,2002:map", mapping)
    TemplateLoader.add_constructor("tag:yaml.org,2002:seq", sequence)
    TemplateLoader.add_constructor("tag:yaml.org,2002:timestamp", plain_text)
    TemplateLoader.add_multi_constructor("!", short_form)
    _LOADER = TemplateLoader
    return _LOADER


def looks_like_template(document: object) -> bool:
    """A template: `AWSTemplateFormatVersion`, or resources whose types are AWS's or SAM's."""
    if not isinstance(document, dict):
        return False
    if "AWSTemplateFormatVersion" in document:
        return True
    resources = document.get("Resources")
    if not isinstance(resources, dict) or not resources:
        return False
    types = [r.get("Type") for r in resources.values() if isinstance(r, dict)]
    return bool(types) and all(
        isinstance(t, str) and t.startswith(("AWS::", "Custom::", "Alexa::")) for t in types
    )
