"""Command-line values converted without pydantic: a path, a word, a flag or one of a fixed set.

typer (0.29) converts each parameter's value with a pydantic validator it builds on first use,
for every parameter of the command that runs, defaults included: importing pydantic and building
twenty validators was a third of a small check's time. These parameters need no validator: a
path is `Path(text)`, a word is the text, a fixed set is typer's own choice matching. The
conversions are typer's own functions, so the values and the messages of bad values are the
ones its validators give. Parameters of any other type keep typer's conversion, and so does
every parameter when typer's internals are not the ones this module knows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

try:
    from typer._click.exceptions import BadParameter
    from typer._click.utils import _escape_control_characters
    from typer._coercion import RuntimeParam
    from typer._param_types import coerce_cli_choice, coerce_cli_path

    _KNOWN_TYPER = True
except ImportError:  # another typer: its own conversion, slower but the same
    _KNOWN_TYPER = False

Convert = Callable[[Any, Any, Any], Any]  # (value, parameter, context) -> value


def use_plain_coercion(params: Sequence[Any]) -> None:
    """Give each parameter of a path, word, flag or fixed-set type a conversion without pydantic."""
    if not _KNOWN_TYPER:
        return
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is None or getattr(param, "_runtime_param", True) is not None:
            continue
        convert = _converter(descriptor.annotation, descriptor.parameter_info)
        if convert is not None and descriptor.file_annotation is None:
            param._runtime_param = _Plain(
                parameter_info=descriptor.parameter_info,
                annotation=descriptor.annotation,
                convert=convert,
            )


def _converter(annotation: Any, info: Any) -> Convert | None:
    if info.parser is not None:
        return None
    if get_origin(annotation) is list:
        item = _converter(get_args(annotation)[0], info)
        if item is None:
            return None
        return lambda value, param, ctx: [
            item(one, param, ctx) for one in (value if isinstance(value, list | tuple) else [value])
        ]
    if annotation is bool:  # a flag is a bool already; anything else as typer converts it
        return lambda value, param, ctx: (
            value if isinstance(value, bool) else _typer_conversion(value, param, ctx)
        )
    if annotation is str:
        return lambda value, param, ctx: value if isinstance(value, str) else str(value)
    if annotation is Path:
        return lambda value, param, ctx: coerce_cli_path(
            value if isinstance(value, Path) else Path(value),
            info,
            path_type=Path,
            param=param,
            ctx=ctx,
        )
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        choices = tuple(annotation)
        return lambda value, param, ctx: coerce_cli_choice(
            value, choices=choices, case_sensitive=info.case_sensitive, ctx=ctx
        )
    return None


def _typer_conversion(value: Any, param: Any, ctx: Any) -> Any:
    from typer._coercion import build_runtime_param

    return build_runtime_param(param.type_descriptor)._coerce_value(value, param, ctx)


if _KNOWN_TYPER:

    @dataclass(frozen=True)  # as typer's RuntimeParam, which it extends, is
    class _Plain(RuntimeParam):
        convert: Convert

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                return self.convert(value, param, ctx)
            except ValueError as error:  # as typer's validators say it
                message = _escape_control_characters(f"Value error, {error}")
                raise BadParameter(message, ctx=ctx, param=param) from None
