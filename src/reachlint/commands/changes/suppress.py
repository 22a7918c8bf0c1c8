"""Inline suppressions: `# reachlint:ignore RULE-ID reason` in .tf and .bicep files, and
`"metadata": {"reachlint:ignore": [{"rule": "RULE-ID", "reason": "..."}]}` on an ARM resource.

A comment covers the block that starts on its line (a trailing comment) or on the next line of
code (a comment of its own), else the innermost block around that line: put it on a resource to
cover the resource, on an `ingress` block or rule resource to cover that rule. ARM metadata
covers the resource it sits in, nested resources included. A suppression covers the traffic
that the filter rules inside what it covers open, and nothing more (see suppress_scope): the
rest of a finding is reported as a finding of its own.

A suppression without a reason, or for a rule that is not known, suppresses nothing and is
reported itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reachlint.confine import confined, input_root
from reachlint.errors import InputError
from reachlint.limits import MAX_CONFIGURATION_FILE_BYTES, read_bounded

if TYPE_CHECKING:
    from reachlint.engine.flows import Reachability
    from reachlint.model.traffic import Traffic
    from reachlint.reports.schema import Finding, SuppressionProblem
    from reachlint.rules import RuleSet

MARKER = "reachlint:ignore"
_DIRECTIVE = re.compile(r"reachlint:ignore\b(?P<rest>.*)$")
_RULE_ID = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
_RULE_LIST = re.compile(rf"\s*(?P<rules>{_RULE_ID}(?:\s*,\s*{_RULE_ID})*)")


@dataclass(frozen=True)
class Directive:
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


@dataclass
class Suppressions:
    """Every suppression found, by resolved file."""

    by_file: dict[Path, list[Directive]] = field(default_factory=dict)

    def all(self) -> list[Directive]:
        return [directive for directives in self.by_file.values() for directive in directives]


# --- .tf and .bicep: comments and the blocks they sit on ------------------------------------


@dataclass
class _Scan:
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


@dataclass
class _Located:
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
        if MARKER not in text:
            found.by_file[path] = []
        elif path.suffix == ".json" or path.suffix == ".jsonc":
            found.by_file[path] = _metadata_directives(text, shown)
        else:
            found.by_file[path] = _comment_directives(text, shown, bicep=path.suffix == ".bicep")
    return found


_SOURCE_SUFFIXES = (".tf", ".bicep")


def source_files(inputs: Iterable[Path], findings: Iterable[Finding]) -> list[tuple[Path, str]]:
    """The files a suppression may sit in: those the findings point at, the inputs' .tf and
    .bicep files (and the .tf files beside a plan), and ARM templates given as input."""
    inputs = list(inputs)
    bases = [path if path.is_dir() else path.parent for path in inputs]
    files: list[tuple[Path, str]] = []
    for path in inputs:
        if path.is_dir():
            files += [(child, str(child)) for child in _sources_under(path)]
        elif path.suffix in (".json", ".jsonc", ".bicep"):
            files.append((path, str(path)))
            files += [(child, str(child)) for child in sorted(path.parent.glob("*.tf"))]
        elif path.suffix == ".tf":
            files += [(child, str(child)) for child in sorted(path.parent.glob("*.tf"))]
    for finding in findings:
        for shown in _places_files(finding):
            resolved = resolve(shown, bases)
            if resolved is not None:
                files.append((resolved, shown))
    given = {path.resolve() for path in inputs}
    roots = [input_root(path) for path in inputs]
    return [(_readable(path, given, roots), shown) for path, shown in files]


def _readable(path: Path, given: set[Path], roots: list[Path]) -> Path:
    """A file to scan, resolved: an input itself, or a regular file inside an input's root."""
    resolved = path.resolve()
    if resolved in given:
        return resolved
    for root in roots:
        if resolved.is_relative_to(root):
            return confined(path, root)
    return confined(path, roots[0]) if roots else resolved


def _sources_under(directory: Path) -> list[Path]:
    """The .tf and .bicep files below a directory, not descending into hidden directories
    such as .terraform and .git (modules there are reached through the findings' places)."""
    import os

    found = []
    for root, folders, names in os.walk(directory):
        folders[:] = sorted(folder for folder in folders if not folder.startswith("."))
        found += [Path(root, name) for name in sorted(names) if name.endswith(_SOURCE_SUFFIXES)]
    return found


def _places_files(finding: Finding) -> set[str]:
    files = {hop.file for hop in finding.path if hop.file}
    files.update(end.file for end in (finding.source, finding.destination) if end.file)
    return files


def resolve(shown: str, bases: list[Path]) -> Path | None:
    """A file as a report names it: relative to the working directory or to an input."""
    candidate = Path(shown)
    if candidate.is_file():
        return candidate
    if not candidate.is_absolute():
        for base in bases:
            if (base / candidate).is_file():
                return base / candidate
    return None


@dataclass
class Settled:
    """Findings with what suppressions and the baseline cover marked; the suppressions that
    are wrong; and, per rule and pair of ends, the traffic a rule about flows open on every port
    no longer reports once a suppression took the every-port opening away."""

    findings: list[Finding]
    problems: list[SuppressionProblem]
    withdrawn: dict[str, dict[tuple[str, str], Traffic]] = field(default_factory=dict)


def apply(
    findings: list[Finding],
    suppressions: Suppressions,
    known_rules: set[str],
    bases: list[Path],
    reach: Reachability,
    ruleset: RuleSet,
) -> Settled:
    """Split off and mark the traffic valid suppressions cover (see suppress_scope); report
    the suppressions that are wrong."""
    from reachlint.commands.changes.suppress_scope import Carriers, judge, split
    from reachlint.reports.schema import SuppressionProblem

    problems: list[SuppressionProblem] = []
    valid: dict[Path, list[Directive]] = {}
    for path, directives in suppressions.by_file.items():
        for directive in directives:
            problem = problem_of(directive, known_rules)
            if problem is None:
                valid.setdefault(path, []).append(directive)
            else:
                problems.append(
                    SuppressionProblem(
                        message=problem,
                        rule=directive.rules[0] if directive.rules else None,
                        file=directive.file,
                        line=directive.line,
                    )
                )
    if not valid:
        return Settled(findings, problems)
    settled = Settled([], problems)
    named = {rule for directives in valid.values() for d in directives for rule in d.rules}
    resolved: dict[str, Path | None] = {}
    carriers: Carriers | None = None
    used: set[Directive] = set()
    misplaced: dict[Directive, tuple[str, str]] = {}
    out = []
    for finding in findings:
        if finding.suppressed is not None or finding.rule not in named:
            out.append(finding)
            continue
        if finding.tool == "checkov":  # a check on one resource: covered where it sits
            cover = _covering(finding, valid, resolved, bases)
            out.append(finding if cover is None else _marked(finding, cover))
            continue
        carriers = carriers or Carriers(reach)
        flows = carriers.of(finding)
        covering = _covering_rule(finding.rule, valid, resolved, bases)
        judgement = judge(finding, flows, covering)
        used |= judgement.used
        for directive, address in judgement.misplaced:
            misplaced.setdefault(directive, (finding.rule, address))
        reported, suppressed, withdrawn = split(finding, judgement, flows, ruleset)
        if withdrawn:
            pair = (finding.source.address, finding.destination.address)
            by_pair = settled.withdrawn.setdefault(finding.rule, {})
            by_pair[pair] = by_pair[pair] | withdrawn if pair in by_pair else withdrawn
        if reported is not None:
            out.append(reported)
        if suppressed is not None:
            assert judgement.directive is not None
            out.append(_marked(suppressed, judgement.directive))
    for directive, (rule, address) in misplaced.items():
        if directive not in used:
            problems.append(
                SuppressionProblem(
                    message=(
                        f"{MARKER} {rule} sits on {address}, which filters no traffic: a "
                        "suppression covers what the security-group rules, NSG rules and "
                        "network ACL entries in its block admit; put it on the rule that "
                        "opens the path"
                    ),
                    rule=rule,
                    file=directive.file,
                    line=directive.line,
                )
            )
    settled.findings = out
    return settled


def _marked(finding: Finding, directive: Directive) -> Finding:
    from reachlint.reports.schema import Suppression

    suppression = Suppression(
        kind="inline", reason=directive.reason, file=directive.file, line=directive.line
    )
    return finding.model_copy(update={"suppressed": suppression})


def _covering_rule(
    rule: str,
    valid: dict[Path, list[Directive]],
    resolved: dict[str, Path | None],
    bases: list[Path],
) -> Callable[[str | None, int | None], Directive | None]:
    """Which valid suppression of `rule` holds a place (file as shown, line), if any."""

    def covering(shown: str | None, line: int | None) -> Directive | None:
        if not shown or not line:
            return None
        if shown not in resolved:
            path = resolve(shown, bases)
            resolved[shown] = path.resolve() if path is not None else None
        path = resolved[shown]
        for directive in valid.get(path, []) if path is not None else []:
            if rule in directive.rules and directive.first <= line <= directive.last:
                return directive
        return None

    return covering


def known_rule_ids(ruleset: RuleSet, directives: list[Directive]) -> set[str]:
    """The rules a suppression may name: those checked, and the built-in ones even when a
    rules file switched them off (a suppression of those is no mistake, it waits)."""
    known_rules = {rule.id for rule in ruleset.rules}
    named = {rule for directive in directives for rule in directive.rules}
    if not named <= known_rules:
        from reachlint.rules import load_rules

        known_rules |= {rule.id for rule in load_rules([], builtin=True).rules}
    return known_rules


def problem_of(directive: Directive, known_rules: set[str]) -> str | None:
    """Why a suppression suppresses nothing (no rule, unknown rule, no reason), or None."""
    from reachlint.commands.integrations.checkov_bridge import is_checkov_check

    if not directive.rules:
        return f"{MARKER} names no rule; write `{MARKER} RULE-ID reason`"
    # A checkov check id is no mistake in a run without --checkov: it suppresses nothing there.
    unknown = [
        rule for rule in directive.rules if rule not in known_rules and not is_checkov_check(rule)
    ]
    if unknown:
        return (
            f"{MARKER} names {', '.join(unknown)}, which is not a rule reachlint knows; "
            "`reachlint rules list` names them"
        )
    if not directive.reason:
        return f"{MARKER} {', '.join(directive.rules)} gives no reason; add one after the rule id"
    return None


def _covering(
    finding: Finding,
    valid: dict[Path, list[Directive]],
    resolved: dict[str, Path | None],
    bases: list[Path],
) -> Directive | None:
    places = [(end.file, end.line) for end in (finding.source, finding.destination)]
    places += [(hop.file, hop.line) for hop in finding.path]
    for shown, line in places:
        if not shown or not line:
            continue
        if shown not in resolved:
            path = resolve(shown, bases)
            resolved[shown] = path.resolve() if path is not None else None
        path = resolved[shown]
        for directive in valid.get(path, []) if path is not None else []:
            if finding.rule in directive.rules and directive.first <= line <= directive.last:
                return directive
    return None


def settle(
    findings: list[Finding],
    ruleset: RuleSet,
    inputs: list[Path],
    reach: Reachability,
    *,
    baseline: Path | None = None,
) -> Settled:
    """Fingerprint the findings, mark what inline suppressions (split off from the rest) and a
    baseline cover, and report the suppressions that are wrong."""
    from reachlint.commands.changes.baseline import read_baseline, with_fingerprint
    from reachlint.reports.schema import Suppression

    findings = [with_fingerprint(finding) for finding in findings]
    bases = [path if path.is_dir() else path.parent for path in inputs]
    suppressions = collect(source_files(inputs, findings))
    known_rules = known_rule_ids(ruleset, suppressions.all())
    settled = apply(findings, suppressions, known_rules, bases, reach, ruleset)
    findings = settled.findings
    if baseline is not None:
        known = read_baseline(baseline)
        marked = []
        for finding in findings:
            if finding.suppressed is None:
                new = known.new_part(finding)
                if new is None:
                    finding = finding.model_copy(
                        update={
                            "suppressed": Suppression(
                                kind="baseline", reason="in the baseline", file=str(baseline)
                            )
                        }
                    )
                else:
                    finding = new
            marked.append(finding)
        settled.findings = marked
    return settled
