"""Text from the input, made safe for the place reachlint writes it.

Addresses, names, descriptions, tag keys and values, module sources, suppression reasons, notes
and the file names in error messages are written by whoever opened the pull request, and
reachlint's output goes to CI logs, terminals, a public pull-request comment and XML reports.
Every reporter and the error path escape that text here, so nothing the input says becomes a
command, a mention or markup:

- `one_line`: line breaks, control characters (C0, DEL and C1: terminal escape sequences, BEL),
  Unicode format characters (bidi overrides, zero-width characters), line and paragraph
  separators and unpaired surrogates become backslash escapes (`\\n`, `\\x1b`, `\\u202e`); the
  in-line command prefixes of the CI runners, `##[` (GitHub's older workflow commands) and
  `##vso[` (Azure Pipelines logging commands), become `##\\[` and `##vso\\[`. A text longer
  than `FIELD_LIMIT` is cut, with a marker.
- `guard_log`: the last step before text reaches a log: a line whose first non-blank characters
  are `::` (a GitHub workflow command) starts with a backslash instead.
- `workflow_data`, `workflow_property`: GitHub's escaping of workflow-command values.
- `md_text`, `md_code`, `md_html`, `mermaid_label`: text inside the Markdown comment, which can
  then neither end its code span nor open HTML, a heading, a list, a table, a link or an image,
  mention anyone or link an issue, pull request or commit.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

# Longer texts from the input are cut here (before escaping), with a marker.
FIELD_LIMIT = 1_000

_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_ASCII_BYTES = bytes(range(0x80))
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# GitHub's runner reads `##[name]` anywhere in a line, Azure Pipelines `##vso[`.
_INLINE_COMMAND = re.compile(r"##(?:vso)?\[", re.IGNORECASE)
# GitHub's runner reads `::name::` at the start of a line after leading white space; a line
# starts after `\n` or `\r`.
_LEADING_COMMAND = re.compile(r"(?:^|(?<=\r))([^\S\n\r]*)::", re.MULTILINE)


def one_line(text: str, limit: int = FIELD_LIMIT) -> str:
    """`text` on one line with nothing a terminal or a CI runner would act on (see above), cut
    after `limit` characters with a marker saying how many were left out (an input may write
    megabytes into one name); only what is kept is escaped."""
    if len(text) > limit:
        return f"{_escaped(text[:limit])}… [{len(text) - limit} more characters]"
    return _escaped(text)


def _escaped(text: str) -> str:
    if not text.isprintable():
        text = "".join(_character(character) for character in text)
    if "##" in text:
        text = _INLINE_COMMAND.sub(lambda match: match.group(0)[:-1] + "\\[", text)
    return text


def _character(character: str) -> str:
    if character.isprintable():
        return character
    if character in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[character]
    code = ord(character)
    # Noncharacters (U+FFFE, U+FFFF and their like) may not appear in XML.
    noncharacter = code & 0xFFFE == 0xFFFE or 0xFDD0 <= code <= 0xFDEF
    if unicodedata.category(character) not in _ESCAPED_CATEGORIES and not noncharacter:
        return character  # a space other than ' ', a private-use or unassigned character
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def guard_log(text: str) -> str:
    """Text for a log or a terminal: no line can be a GitHub or Azure Pipelines command.

    reachlint's own lines never start with `::` nor hold `##[`; the input's text is escaped
    with `one_line` where it is written, and this catches whatever was not.
    """
    if "::" in text:
        text = _LEADING_COMMAND.sub(lambda match: match.group(1) + "\\::", text)
    if "##" in text:
        text = _INLINE_COMMAND.sub(lambda match: match.group(0)[:-1] + "\\[", text)
    return text


def for_output(text: str, syntax: str = "text") -> str:
    """A whole output, just before it is written to standard output, standard error or a file.

    `syntax` says how to escape a CI command prefix left in it without changing what the output
    says: `text` (and Markdown, Mermaid, DOT) as `guard_log` does, `json` and `xml` with their
    own character references; `github` output is workflow commands reachlint wrote, with their
    values escaped already. An unpaired surrogate, which no UTF-8 file can hold, is written as
    its escape `\\udXXX` (in JSON, the same string).
    """
    # `in` first: it scans a large report many times faster than the expression.
    inline = "##" in text
    if syntax == "json":
        if inline:
            text = _INLINE_COMMAND.sub(lambda match: match.group(0)[:-1] + "\\u005b", text)
        return _json_escaped(text)  # which escapes unpaired surrogates too
    if syntax == "xml":
        if inline:
            text = _INLINE_COMMAND.sub(lambda match: match.group(0)[:-1] + "&#91;", text)
    elif syntax != "github":
        text = guard_log(text)
    if text.isascii():  # no surrogate, and no copy of a large report made to find out
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def _json_escaped(text: str) -> str:
    """JSON text whose strings hold no DEL, C1 control, format character (a bidi override, a
    zero-width one), line or paragraph separator or unpaired surrogate as itself: each becomes
    its `\\uXXXX` escape, the same string to a JSON reader and inert to one that displays it
    (JSON's encoders escape only U+0000-U+001F). Outside its strings JSON text is ASCII."""
    if text.isascii():
        return text.replace("\x7f", "\\u007f") if "\x7f" in text else text
    table: dict[int, str] = {0x7F: "\\u007f"} if "\x7f" in text else {}
    # The characters beyond ASCII, from the UTF-8 bytes left when ASCII's are dropped: in C,
    # three times as fast on a large report as a set of all its characters.
    beyond = text.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES)
    for character in set(beyond.decode("utf-8", "surrogatepass")):
        code = ord(character)
        if unicodedata.category(character) in _ESCAPED_CATEGORIES:
            if code > 0xFFFF:  # as JSON writes it: a UTF-16 surrogate pair
                high, low = divmod(code - 0x10000, 0x400)
                table[code] = f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}"
            else:
                table[code] = f"\\u{code:04x}"
    return text.translate(table) if table else text


def json_text(document: Any) -> str:
    """A document (JSON's types) as indented JSON, its text as it is: an unpaired surrogate the
    input gave stays one character, for `for_output` to escape."""
    return indented_json([document])


def indented_json(holder: list[Any]) -> str:
    """The one document in `holder` as indented JSON, taken out of it so that a large report's
    objects are let go of before it is indented, and its compact form before it becomes text.
    Indented by msgspec in C, as json.dumps(indent=2, ensure_ascii=False) indents (in Python)."""
    import msgspec

    try:
        encoded = msgspec.json.encode(holder[0])
    # An unpaired surrogate, which UTF-8 cannot hold; an integer beyond 64 bits.
    except (UnicodeEncodeError, OverflowError):
        import json

        return json.dumps(holder.pop(), indent=2, ensure_ascii=False)
    holder.clear()
    indented = msgspec.json.format(encoded, indent=2)
    del encoded
    return indented.decode("utf-8")


_NO_ITEM = object()


def json_text_pieces(document: Any, listed: list[Any], items: Iterable[Any]) -> Iterator[str]:
    """json_text of `document` in pieces that join to it, with `items` in `listed` (an empty
    list inside it), each item made and written one at a time: a large report is never held
    whole, as objects or as text. A line break in an item's text is indentation (JSON escapes
    one in a string), so each item is moved to its depth by indenting its lines."""
    import os
    from itertools import chain

    items = iter(items)
    first = next(items, _NO_ITEM)
    if first is _NO_ITEM:
        yield json_text(document)
        return
    # Where the list lies in the text: at a string no input can know, in the list's place.
    marker = f'"{os.urandom(16).hex()}"'
    listed.append(marker[1:-1])
    text = json_text(document)
    listed.clear()
    at = text.index(marker)
    line_start = text.rindex("\n", 0, at) + 1
    indent = text[line_start:at]
    yield text[: line_start - 1]  # up to the list's `[`
    for number, item in enumerate(chain((first,), items)):
        lines = json_text(item).replace("\n", "\n" + indent)
        yield f"{',' if number else ''}\n{indent}{lines}"
    yield text[at + len(marker) :]  # from the list's `]` on


# ----- GitHub workflow commands -----------------------------------------------------------------


def workflow_data(text: str) -> str:
    """The message of a workflow command (`::error ...::MESSAGE`), escaped as GitHub reads it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_property(text: str) -> str:
    """A property value of a workflow command (`file=`, `title=`), escaped as GitHub reads it;
    `##[` and `##vso[`, which other runners act on anywhere in a line, as `##\\[` (a file so
    named loses its annotation's place, not the annotation)."""
    escaped = workflow_data(text).replace(":", "%3A").replace(",", "%2C")
    if "##" in escaped:
        escaped = _INLINE_COMMAND.sub(lambda match: match.group(0)[:-1] + "\\[", escaped)
    return escaped


# ----- Markdown, HTML and Mermaid in the pull-request comment -------------------------------------

# A zero-width space after `@`, before the digits of `#1` and `GH-1`, inside `://` and `www.`:
# GitHub links mentions, issues and URLs in the rendered text, where a backslash is gone.
_ZERO_WIDTH = "&#8203;"
_UNLINK = re.compile(
    r"""(?ix)
      (?<=@)                                  # @user, @org/team, user@example.com
    | (?<=\#)(?=\d)                           # #1, owner/repo#1
    | (?<![0-9a-z]gh)(?<=gh)(?=-\d)           # GH-1
    | (?<=[a-z])(?=://)                       # https://...
    | (?<![0-9a-z.]www)(?<=www)(?=\.)         # www.example.com
    """
)
# A hex run GitHub might take for a commit; it goes in a code span, where nothing is linked.
_COMMIT_LIKE = re.compile(r"(?<![0-9A-Za-z])((?=[A-Za-z]*[0-9])[0-9a-fA-F]{7,40})(?![0-9A-Za-z])")
# Characters that mean something in Markdown anywhere in a line; `_` between two letters or
# digits does not (GitHub's Markdown opens no emphasis inside a word), so aws_instance stays.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*\[\]|~#!$]|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z]))")
# What starts a list item, a setext heading line or a numbered list at the start of a line.
_LINE_START = re.compile(r"^([-+=]|\d{1,9}(?=[.)]))")


def md_text(text: str, limit: int = FIELD_LIMIT, *, starts_line: bool = True) -> str:
    """Prose in Markdown, shown as written: no markup, HTML, link, mention or reference.
    `starts_line=False` where it cannot start a line (a table cell, after a list marker)."""
    pieces = _COMMIT_LIKE.split(one_line(text, limit))
    out = []
    for position, piece in enumerate(pieces):
        if position % 2:
            out.append(md_code(piece))
            continue
        piece = piece.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        piece = _MARKDOWN_PUNCTUATION.sub(r"\\\1", piece)
        out.append(_UNLINK.sub(_ZERO_WIDTH, piece))
    result = "".join(out)
    if not starts_line:
        return result
    if result[:1].isspace():  # four spaces would start code, one is dropped
        result = "&#32;" + result[1:]
    match = _LINE_START.match(result)
    if match:  # 1. or 1) starts a list: escape the dot; - + = start a list or a heading line
        end = match.end()
        result = result[:end] + "\\" + result[end:] if result[0].isdigit() else "\\" + result
    return result


def md_code(text: str, limit: int = FIELD_LIMIT) -> str:
    """A code span holding `text`: its fence is longer than any run of backticks inside."""
    content = one_line(text, limit)
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    fence = "`" * (longest + 1)
    if not content.strip(" ") or content[0] == "`" or content[-1] == "`":
        content = f" {content} "  # CommonMark strips one space on each side
    elif content[0] == " " and content[-1] == " ":
        content = f" {content} "
    return f"{fence}{content}{fence}"


def md_html(text: str, limit: int = FIELD_LIMIT) -> str:
    """Text inside HTML in the comment (`<summary>`): entities, and no mention or reference."""
    content = one_line(text, limit)
    content = content.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    content = content.replace('"', "&quot;")
    return _UNLINK.sub(_ZERO_WIDTH, content)


_MERMAID_CODES = {
    "#": "#35;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "%": "#37;",
    "`": "#96;",
    "&": "#38;",
}
_MERMAID_SPECIAL = re.compile("[" + re.escape("".join(_MERMAID_CODES)) + "]")


def mermaid_label(text: str, limit: int = FIELD_LIMIT) -> str:
    """Text inside a quoted Mermaid label: entity codes for everything that could end the
    label, start a comment or directive (`%%`), a Markdown string (a backtick) or HTML."""
    content = one_line(text, limit)
    return _MERMAID_SPECIAL.sub(lambda match: _MERMAID_CODES[match.group(0)], content)
