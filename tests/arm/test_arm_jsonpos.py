"""The position-keeping JSON reader: values, lines, comments, and broken input."""

from __future__ import annotations

import json

import pytest
from arm_helpers import DATA

from reachlint.errors import InputError
from reachlint.formats.jsonpos import JsonArray, JsonObject, parse_json, read_json_file


def test_values_equal_the_standard_library() -> None:
    text = json.dumps({"a": [1, -2.5, 3e2, True, False, None], "b": {"c": 'é\n"q"'}, "d": []})
    text += "\n"
    assert parse_json(text) == json.loads(text)


def test_every_object_array_and_key_keeps_its_line() -> None:
    document = parse_json('{\n  "outer": {\n    "list": [\n      {"x": 1},\n      2\n    ]\n  }\n}')
    outer = document["outer"]
    assert isinstance(outer, JsonObject) and outer.line == 2
    assert document.key_lines["outer"] == 2
    assert isinstance(outer["list"], JsonArray) and outer["list"].line == 3
    assert outer["list"].item_lines == [4, 5]
    assert outer["list"][0].line == 4


def test_line_and_comment_styles_are_accepted() -> None:
    document = read_json_file(DATA / "comments.json")
    resource = document["resources"][0]
    assert resource["name"] == "commented-vnet"
    assert resource.line == 8
    assert resource.source == str(DATA / "comments.json")


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ('{\n  "a": 1\n  "b": 2\n}', 3, 3, "expected ',' or '}'"),
        ('{"a": [1, 2,,]}', 1, 13, "expected a value"),
        ('{"a": tru}', 1, 7, "unexpected character"),
        ('{"a": 1} x', 1, 10, "unexpected content"),
        ('{"a": "open', 1, 7, "unterminated string"),
        ("/* never closed", 1, 1, "unterminated /* comment"),
        ("", 1, 1, "unexpected end of input"),
    ],
)
def test_broken_json_names_line_and_column(text: str, line: int, column: int, words: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_json(text, "broken.json")
    assert raised.value.file == "broken.json"
    assert raised.value.line == line
    assert f"line {line} column {column}" in raised.value.message
    assert words in raised.value.message


def test_a_broken_template_file_is_an_input_error_with_its_line() -> None:
    with pytest.raises(InputError) as raised:
        read_json_file(DATA / "broken.json")
    assert str(raised.value).startswith(f"{DATA / 'broken.json'}:7: broken JSON at line 7")


def test_deep_nesting_is_an_input_error_not_a_crash() -> None:
    with pytest.raises(InputError, match="nested too deeply"):
        parse_json("[" * 5000 + "]" * 5000)
