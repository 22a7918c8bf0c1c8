"""Suppressions as written: `# reachlint:ignore RULE-ID reason` in .tf and .bicep files, and
`"metadata": {"reachlint:ignore": [{"rule": "RULE-ID", "reason": "..."}]}` on an ARM resource,
and the same in a CloudFormation resource's `Metadata` (or `reachlint: {ignore: [...]}`).

A comment covers the block that starts on its line (a trailing comment) or on the next line of
code (a comment of its own), else the innermost block around that line: put it on a resource to
cover the resource, on an `ingress` block or rule resource to cover that rule. ARM metadata
covers the resource it sits in, nested resources included. What a suppression then covers of a
finding is the suppress module's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

from msgspec import Struct, field

from reachlint.errors import InputError
from reachlint.limits import MAX_CONFIGURATION_FILE_BYTES, read_bounded

MARKER = "reachlint:ignore"
_DIRECTIVE = re.compile(r"reachlint:ignore\b(?P<rest>.*)$")
_RULE_ID = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
_RULE_LIST = re.compile(rf"\s*(?P<rules>{_RULE_ID}(?:\s*,\s*{_RULE_ID})*)")


class Directive(Struct, frozen=True):
    """One suppression as written: the rules it names, why, and the lines it covers."""

    rules: tuple[str, ...]
    reason: str
    file: str  # as shown to the user
    line: int  # where the suppression is written
    first: int  # the lines it covers, inclusive
    last: int
    # What it covers as a reviewer names it (`aws_security_group.web ingress`), and the code it
    # covers with comments and spacing left out, inside the headers of the blocks around it:
    # a suppression's identity from one version of a file to the next.
    label: str = ""
    written: str = ""
    context: str = ""


class Suppressions(Struct):
    """Every suppression found, by resolved file."""

    by_file: dict[Path, list[Directive]] = field(default_factory=dict)

    def all(self) -> list[Directive]:
        return [directive for directives in self.by_file.values() for directive in directives]


# --- .tf and .bicep: comments and the blocks they sit on ------------------------------------


class _Scan(Struct):
    comments: list[tuple[int, str, bool]] = field(default_factory=list)  # line, text, trailing
    blocks: list[tuple[int, int]] = field(default_factory=list)  # opening line, closing line
    code_lines: set[int] = field(default_factory=set)
    comment_spans: list[tuple[int, int]] = field(default_factory=list)  # offsets, end excluded


class _Scanner:
    """Finds comments and brace blocks in HCL or Bicep, skipping strings and heredocs."""

    def __init__(self, text: str, bicep: bool) -> None:
        self.text = text
        self.bicep = bicep
        self.pos = 0
        self.line = 1
        self.scan = _Scan()
        self.open: list[int] = []

    def run(self) -> _Scan:
        self._code(until_brace=False)
        while self.open:  # unbalanced braces: the loader reports the file; cover to the end
            self.scan.blocks.append((self.open.pop(), self.line))
        return self.scan

    def _advance(self, count: int = 1) -> None:
        chunk = self.text[self.pos : self.pos + count]
        self.line += chunk.count("\n")
        self.pos += count

    def _code(self, until_brace: bool) -> None:
        """Code until the end of text, or the `}` closing an interpolation."""
        text = self.text
        depth = 0
        while self.pos < len(text):
            char = text[self.pos]
            two = text[self.pos : self.pos + 2]
            if char == "\n":
                self._advance()
            elif char in " \t\r":
                self.pos += 1
            elif (char == "#" and not self.bicep) or two == "//":
                self._line_comment()
            elif two == "/*":
                self._block_comment()
            elif char == '"' and not self.bicep:
                self.scan.code_lines.add(self.line)
                self._advance()
                self._string('"')
            elif self.bicep and text.startswith("'''", self.pos):
                self.scan.code_lines.add(self.line)
                self._advance(3)
                self._until("'''")
            elif char == "'" and self.bicep:
                self.scan.code_lines.add(self.line)
                self._advance()
                self._string("'")
            elif two == "<<" and not self.bicep and self._heredoc():
                continue
            elif char == "{":
                self.scan.code_lines.add(self.line)
                if until_brace:
                    depth += 1
                else:
                    self.open.append(self.line)
                self._advance()
            elif char == "}":
                self.scan.code_lines.add(self.line)
                if until_brace:
                    if depth == 0:
                        self._advance()
                        return
                    depth -= 1
                elif self.open:
                    self.scan.blocks.append((self.open.pop(), self.line))
                self._advance()
            else:
                self.scan.code_lines.add(self.line)
                self.pos += 1

    def _line_comment(self) -> None:
        end = self.text.find("\n", self.pos)
        end = len(self.text) if end < 0 else end
        trailing = self.line in self.scan.code_lines
        self.scan.comments.append((self.line, self.text[self.pos : end], trailing))
        self.scan.comment_spans.append((self.pos, end))
        self.pos = end

    def _block_comment(self) -> None:
        end = self.text.find("*/", self.pos + 2)
        end = len(self.text) if end < 0 else end + 2
        trailing = self.line in self.scan.code_lines
        self.scan.comments.append((self.line, self.text[self.pos : end], trailing))
        self.scan.comment_spans.append((self.pos, end))
        self._advance(end - self.pos)

    def _string(self, quote: str) -> None:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char == "\\":
                self._advance(2)
            elif char == quote:
                self._advance()
                return
            elif char == "\n" and not self.bicep:
                return  # HCL strings end at the line; the loader reports the mistake
            elif text.startswith("${", self.pos) or (
                not self.bicep and text.startswith("%{", self.pos)
            ):
                self._advance(2)
                self._code(until_brace=True)
            else:
                self._advance()

    def _until(self, closing: str) -> None:
        end = self.text.find(closing, self.pos)
        end = len(self.text) if end < 0 else end + len(closing)
        self._advance(end - self.pos)

    def _heredoc(self) -> bool:
        match = re.compile(r"<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n").match(self.text, self.pos)
        if match is None:
            return False
        self.scan.code_lines.add(self.line)
        marker = match.group(1)
        self._advance(match.end() - self.pos)
        closing = re.compile(rf"^[ \t]*{re.escape(marker)}[ \t]*$", re.MULTILINE)
        end = closing.search(self.text, self.pos)
        stop = len(self.text) if end is None else end.end()
        self._advance(stop - self.pos)
        return True


def _comment_directives(text: str, shown: str, bicep: bool) -> list[Directive]:
    scan = _Scanner(text, bicep).run()
    directives = []
    code: list[str] | None = None
    code_lines = sorted(scan.code_lines)
    for line, comment, trailing in scan.comments:
        match = next(
            filter(None, (_DIRECTIVE.search(piece) for piece in comment.splitlines())), None
        )
        if match is None:
            continue
        target = line if trailing else next((n for n in code_lines if n > line), line)
        first, last = _covered(target, scan.blocks)
        rules, reason = _parse_rest(match.group("rest").rstrip().removesuffix("*/"))
        if code is None:
            code = _code_only(text, scan.comment_spans)
        headers = [code[start - 1] for start, end in sorted(scan.blocks) if start < first <= end]
        label = " ".join(_block_label(header) for header in [*headers, code[first - 1]][:2])
        directives.append(
            Directive(
                rules,
                reason,
                shown,
                line,
                first,
                last,
                label=label,
                written="\n".join(filter(None, code[first - 1 : last])),
                context="\n".join(headers),
            )
        )
    return directives


def _code_only(text: str, comment_spans: list[tuple[int, int]]) -> list[str]:
    """Each line of `text` without its comments, its spacing collapsed."""
    pieces, position = [], 0
    for start, end in comment_spans:
        pieces += [text[position:start], "\n" * text.count("\n", start, end)]
        position = end
    pieces.append(text[position:])
    return [" ".join(line.split()) for line in "".join(pieces).split("\n")]


_HEADER = re.compile(
    r"""^(?P<kind>[A-Za-z_][\w-]*)(?P<labels>(?:\s+(?:"[^"]*"|'[^']*'|[\w.-]+))*)"""
)


def _block_label(header: str) -> str:
    """`resource "aws_instance" "web" {` as Terraform names it, `aws_instance.web`; a Bicep
    `resource web '...' = {` as `web`; a nested block by its type, `ingress`."""
    match = _HEADER.match(header)
    if match is None:
        return header[:80]
    kind = match.group("kind")
    tokens = match.group("labels").split()
    quoted = [token.strip('"') for token in tokens if token.startswith('"')]
    if kind in ("resource", "data", "module") and quoted:
        return ".".join([*([] if kind == "resource" else [kind]), *quoted])
    if kind == "resource" and tokens:  # Bicep: resource NAME 'TYPE@VERSION' = {
        return tokens[0]
    return kind


def hcl_comments_and_blocks(text: str) -> tuple[list[tuple[int, str]], list[tuple[int, int]]]:
    """The comments (line, text) and brace blocks (first line, last line) of HCL text."""
    scan = _Scanner(text, bicep=False).run()
    return [(line, comment) for line, comment, _trailing in scan.comments], scan.blocks


def _covered(target: int, blocks: list[tuple[int, int]]) -> tuple[int, int]:
    """The block opened on `target`, else the innermost block around it, else the line."""
    opened = [block for block in blocks if block[0] == target]
    if opened:
        return max(opened, key=lambda block: block[1] - block[0])
    around = [block for block in blocks if block[0] <= target <= block[1]]
    if around:
        return min(around, key=lambda block: block[1] - block[0])
    return target, target


def _parse_rest(rest: str) -> tuple[tuple[str, ...], str]:
    match = _RULE_LIST.match(rest)
    if match is None:
        return (), rest.strip()
    rules = tuple(rule.strip() for rule in match.group("rules").split(","))
    reason = rest[match.end() :].strip().lstrip(":-—").strip()
    return rules, reason


# --- ARM templates: resource metadata ----------------------------------------------------


class _Located(Struct):
    value: object
    first: int
    last: int


class JsonReader:
    """JSON (with the // and /* */ comments ARM accepts) keeping each object's lines."""

    _NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")

    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        self.pos = 0
        self.line = 1
        self.objects: list[_Located] = []

    def error(self, expected: str) -> InputError:
        return InputError(f"expected {expected} in the template", self.file, self.line)

    def read(self) -> object:
        value = self._value()
        self._space()
        if self.pos != len(self.text):
            raise self.error("the end of the document")
        return value

    def _space(self) -> None:
        text = self.text
        while self.pos < len(text):
            if text[self.pos] in " \t\r\n\ufeff":
                if text[self.pos] == "\n":
                    self.line += 1
                self.pos += 1
            elif text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                end = len(text) if end < 0 else end + 2
                self.line += text.count("\n", self.pos, end)
                self.pos = end
            else:
                return

    def _value(self) -> object:
        self._space()
        if self.pos >= len(self.text):
            raise self.error("a value")
        char = self.text[self.pos]
        if char == "{":
            return self._object()
        if char == "[":
            return self._array()
        if char == '"':
            return self._string()
        for word, value in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return value
        match = self._NUMBER.match(self.text, self.pos)
        if match is None:
            raise self.error("a value")
        self.pos = match.end()
        return (
            float(match.group()) if any(c in match.group() for c in ".eE") else int(match.group())
        )

    def _object(self) -> dict[str, object]:
        first = self.line
        self.pos += 1
        result: dict[str, object] = {}
        located = _Located(result, first, first)
        self._space()
        if self.text.startswith("}", self.pos):
            self.pos += 1
            self.objects.append(located)
            return result
        while True:
            self._space()
            if not self.text.startswith('"', self.pos):
                raise self.error("a quoted property name")
            key = self._string()
            self._space()
            if not self.text.startswith(":", self.pos):
                raise self.error("':' after a property name")
            self.pos += 1
            result[key] = self._value()
            self._space()
            if self.text.startswith(",", self.pos):
                self.pos += 1
                continue
            if self.text.startswith("}", self.pos):
                self.pos += 1
                located.last = self.line
                self.objects.append(located)
                return result
            raise self.error("',' or '}'")

    def _array(self) -> list[object]:
        self.pos += 1
        items: list[object] = []
        self._space()
        if self.text.startswith("]", self.pos):
            self.pos += 1
            return items
        while True:
            items.append(self._value())
            self._space()
            if self.text.startswith(",", self.pos):
                self.pos += 1
                continue
            if self.text.startswith("]", self.pos):
                self.pos += 1
                return items
            raise self.error("',' or ']'")

    def _string(self) -> str:
        start = self.pos
        self.pos += 1
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char == "\\":
                self.pos += 2
            elif char == '"':
                self.pos += 1
                try:
                    value = json.loads(text[start : self.pos])
                except ValueError:
                    raise self.error("a valid string") from None
                return str(value)
            elif char == "\n":
                break
            else:
                self.pos += 1
        raise self.error("a closing quote")


def _metadata_directives(text: str, shown: str) -> list[Directive]:
    reader = JsonReader(text, shown)
    reader.read()
    directives = []
    for located in reader.objects:
        resource = located.value
        if not isinstance(resource, dict) or "type" not in resource:
            continue
        metadata = resource.get("metadata")
        if not isinstance(metadata, dict) or MARKER not in metadata:
            continue
        entries = metadata[MARKER]
        name, kind = resource.get("name"), resource.get("type")
        label = str(name if isinstance(name, str) else kind)[:200]
        # The resource as written, its suppressions left out: what they cover.
        bare = {**resource, "metadata": {k: v for k, v in metadata.items() if k != MARKER}}
        written = json.dumps(bare, sort_keys=True, default=str)
        for entry in entries if isinstance(entries, list) else [entries]:
            rule = entry.get("rule") if isinstance(entry, dict) else None
            reason = entry.get("reason") if isinstance(entry, dict) else None
            rules = (rule,) if isinstance(rule, str) and rule.strip() else ()
            reason_text = reason.strip() if isinstance(reason, str) else ""
            directives.append(
                Directive(
                    rules,
                    reason_text,
                    shown,
                    located.first,
                    located.first,
                    located.last,
                    label=label,
                    written=written,
                )
            )
    return directives


# --- CloudFormation templates: resource Metadata -------------------------------------------

_TEMPLATE_SUFFIXES = (".yaml", ".yml", ".template", ".json", ".jsonc")


def _cloudformation_directives(text: str, shown: str) -> list[Directive] | None:
    """Suppressions in a template's resource `Metadata` (`reachlint:ignore: [...]`, or
    `reachlint: {ignore: [...]}`), each covering its resource; None when `text` is no template."""
    from reachlint.formats.cloudformation.document import looks_like_template, parse_template
    from reachlint.formats.jsonpos import JsonArray, JsonObject

    try:
        document = parse_template(text, shown)
    except InputError:
        return None
    if not looks_like_template(document):
        return None
    resources = document.get("Resources")
    if not isinstance(resources, JsonObject):
        return []
    starts = sorted(resources.key_lines.values())
    text_lines = text.count("\n") + 1
    directives: list[Directive] = []
    for logical_id, resource in resources.items():
        metadata = resource.get("Metadata") if isinstance(resource, dict) else None
        if not isinstance(metadata, dict):
            continue
        entries = metadata.get(MARKER)
        nested = metadata.get("reachlint")
        if entries is None and isinstance(nested, dict):
            entries = nested.get("ignore")
        if entries is None:
            continue
        first = resources.key_lines.get(logical_id, 1)
        later = [line for line in starts if line > first]
        last = later[0] - 1 if later else text_lines
        bare_metadata = {k: v for k, v in metadata.items() if k not in (MARKER, "reachlint")}
        written = json.dumps({**resource, "Metadata": bare_metadata}, sort_keys=True, default=str)
        listed = entries if isinstance(entries, (list, JsonArray)) else [entries]
        for entry in listed:
            rule = entry.get("rule") if isinstance(entry, dict) else None
            reason = entry.get("reason") if isinstance(entry, dict) else None
            directives.append(
                Directive(
                    (rule,) if isinstance(rule, str) and rule.strip() else (),
                    reason.strip() if isinstance(reason, str) else "",
                    shown,
                    first,
                    first,
                    last,
                    label=logical_id[:200],
                    written=written,
                )
            )
    return directives


# --- finding the files and applying the suppressions ---------------------------------------


def collect(files: Iterable[tuple[Path, str]]) -> Suppressions:
    """Suppressions in these files (resolved path, name to show); unreadable files are skipped."""
    found = Suppressions()
    for path, shown in files:
        if path in found.by_file:
            continue
        try:
            # A place a finding points at, or any .tf file below an input: a link to a
            # device or a huge file there is skipped, not read.
            text = read_bounded(path, MAX_CONFIGURATION_FILE_BYTES, "source file").decode(
                "utf-8-sig"
            )
        except (InputError, UnicodeDecodeError):
            continue
        template = None
        if ("reachlint" in text and "AWS::" in text) and path.suffix in _TEMPLATE_SUFFIXES:
            template = _cloudformation_directives(text, shown)
        if template is not None:
            found.by_file[path] = template
        elif MARKER not in text:
            found.by_file[path] = []
        elif path.suffix == ".json" or path.suffix == ".jsonc":
            found.by_file[path] = _metadata_directives(text, shown)
        else:
            found.by_file[path] = _comment_directives(text, shown, bicep=path.suffix == ".bicep")
    return found
