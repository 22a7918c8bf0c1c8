"""A stack's parameters file, as the CLI, CodePipeline and cfn-lint write it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reachlint.errors import InputError
from reachlint.formats.jsonpos import JsonArray, read_json_file


def read_parameters_file(path: Path) -> dict[str, Any]:
    """A parameters file in the CLI's form (`[{"ParameterKey", "ParameterValue"}]`) or the
    `{"Parameters": {...}}` form of CodePipeline and cfn-lint."""
    shown = str(path)
    document = read_json_file(path)
    values: dict[str, Any] = {}
    if isinstance(document, JsonArray):
        for position, item in enumerate(document):
            line = document.item_lines[position] if position < len(document.item_lines) else None
            if not isinstance(item, dict) or not isinstance(item.get("ParameterKey"), str):
                raise InputError(
                    'expected {"ParameterKey": ..., "ParameterValue": ...} entries', shown, line
                )
            if item.get("UsePreviousValue") is True:
                continue  # the stack's current value, which a template does not say
            values[item["ParameterKey"]] = _scalar(item.get("ParameterValue"))
        return values
    if isinstance(document, dict) and isinstance(document.get("Parameters"), dict):
        for key, value in document["Parameters"].items():
            values[str(key)] = _scalar(value)
        return values
    raise InputError(
        "is not a CloudFormation parameters file: expected a list of ParameterKey and "
        'ParameterValue entries, or {"Parameters": {...}}',
        shown,
        getattr(document, "line", None),
    )


def _scalar(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return value
