"""Loading rules files: the built-in pack first, then the user's files in order.

Each file is checked against the JSON Schema, then for what a schema cannot say (CIDRs, port
ranges, group names and cycles, duplicate ids), and compiled into a RuleSet. Every mistake is an
InputError naming the file and line.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path

from reachlint.errors import InputError
from reachlint.limits import MAX_RULES_FILE_BYTES, read_bounded
from reachlint.model.traffic import (
    ALL_PORTS,
    ALL_PROTOCOLS,
    TCP,
    UDP,
    IntervalSet,
    parse_protocol,
    ports_from_spec,
)
from reachlint.rules.document import Document, NodePath, load_document
from reachlint.rules.findings import SEVERITIES, Severity
from reachlint.rules.pack import builtin_documents
from reachlint.rules.ruleset import Entry, Rule, RuleSet
from reachlint.rules.schema import check_schema
from reachlint.rules.scopes import is_scope, read_scope
from reachlint.rules.selectors import (
    WORDS,
    Selector,
    SelectorCompiler,
    Use,
    Word,
    check_use,
)
from reachlint.sources import Origin

TCP_AND_UDP = IntervalSet([(TCP, TCP), (UDP, UDP)])


def load_rules(files: Sequence[Path], *, builtin: bool = True) -> RuleSet:
    """The rules that apply: the built-in pack (unless switched off), then `files` in order."""
    loader = _Loader()
    # The pack is tested against the schema; skipping the check keeps start-up fast.
    for document in builtin_documents():
        loader.add(document, builtin=True)
    if not builtin:
        loader.switch_off_builtin()
    for path in files:
        loader.add(read_rules_file(path), builtin=False)
    loader.check_deference()
    return RuleSet(
        rules=list(loader.active.values()), groups=loader.groups, switched_off=loader.switched_off
    )


def read_rules_file(path: Path) -> Document:
    """A user's rules file, read and checked against the schema."""
    if not path.exists():
        raise InputError("rules file not found", str(path))
    try:
        text = read_bounded(path, MAX_RULES_FILE_BYTES, "rules file").decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("rules file is not UTF-8 text", str(path)) from None
    document = load_document(text, str(path))
    if document.data is None:
        raise InputError("the rules file is empty; expected a mapping with 'version: 1'", str(path))
    if not is_scope(document.data):
        check_schema(document)
    return document


def parse_selector(
    text: str, rules: RuleSet | None = None, *, source: str = "selector", use: Use = "end"
) -> Selector:
    """A selector given on the command line: a word, a group's name or a YAML flow mapping."""
    try:
        document = load_document(text, source)
        if document.data is None:
            raise InputError("the selector is empty", source)
        check_schema(document, "selector")
        compiler = SelectorCompiler(document, rules.groups if rules is not None else {}, {})
        selector = compiler.compile(document.data, ())
        check_use(selector, use)
    except InputError as error:
        # One line of text has no line numbers worth showing.
        raise InputError(error.message, source) from None
    return selector


class _Loader:
    def __init__(self) -> None:
        self.active: dict[str, Rule] = {}
        self.defined: dict[str, Rule] = {}  # every rule seen, switched off or not
        self.groups: dict[str, Selector] = {}
        self.group_origins: dict[str, str] = {}
        # Rule id -> where its defers_to list is written, to point at a mistake in it.
        self.deference_lines: dict[str, tuple[str, int]] = {}
        self.switched_off: dict[str, Origin] = {}

    def switch_off_builtin(self, origin: Origin | None = None) -> None:
        for rule_id, rule in self.active.items():
            if rule.builtin and origin is not None:
                self.switched_off[rule_id] = origin
        self.active = {rule_id: rule for rule_id, rule in self.active.items() if not rule.builtin}

    def add(self, document: Document, *, builtin: bool) -> None:
        if is_scope(document.data):
            self._add_scope(document)
            return
        data = _mapping(document.data)
        if data.get("builtin") is False:
            self.switch_off_builtin(Origin(file=document.file, line=document.line(("builtin",))))
        for index, rule_id in enumerate(_list(data.get("disable"))):
            self._disable(document, str(rule_id), ("disable", index))
        compiler = SelectorCompiler(document, self.groups, _mapping(data.get("groups")))
        for name in compiler.file_groups:
            self._check_group_name(document, name)
            compiler.group(name, ("groups", name))
            self.group_origins[name] = f"{document.file}:{document.line(('groups', name))}"
        self.groups.update(compiler.groups)
        seen_here: set[str] = set()
        for index, value in enumerate(_list(data.get("rules"))):
            rule = self._rule(compiler, _mapping(value), ("rules", index), builtin)
            if rule.id in self.active or rule.id in seen_here:
                raise document.error(self._duplicate(rule.id), ("rules", index, "id"))
            seen_here.add(rule.id)
            self.active[rule.id] = self.defined[rule.id] = rule
            if rule.defers_to:
                where = (document.file, document.line(("rules", index, "defers_to")))
                self.deference_lines[rule.id] = where

    def _add_scope(self, document: Document) -> None:
        rule = read_scope(document)
        if rule.id in self.active:
            raise InputError(self._duplicate(rule.id), document.file, rule.origin.line)
        self.active[rule.id] = self.defined[rule.id] = rule

    def check_deference(self) -> None:
        """Every rule deferred to exists somewhere, and no rule defers to itself, even through
        others (a switched-off rule simply reports nothing first)."""
        for rule in self.active.values():
            file, line = self.deference_lines.get(rule.id, (rule.origin.file, rule.origin.line))
            for target in rule.defers_to:
                if target not in self.defined:
                    hint = difflib.get_close_matches(target, list(self.defined), n=1)
                    suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
                    raise InputError(
                        f"rule {rule.id}: defers_to names {target!r}, which no rule has"
                        f"{suggestion}",
                        file,
                        line,
                    )
            cycle = self._deference_cycle(rule.id, [])
            if cycle:
                raise InputError(
                    f"rule {rule.id}: defers_to makes a cycle: {' -> '.join(cycle)}", file, line
                )

    def _deference_cycle(self, rule_id: str, chain: list[str]) -> list[str]:
        if rule_id in chain:
            return [*chain[chain.index(rule_id) :], rule_id]
        rule = self.active.get(rule_id)
        for target in rule.defers_to if rule is not None else ():
            found = self._deference_cycle(target, [*chain, rule_id])
            if found:
                return found
        return []

    def _disable(self, document: Document, rule_id: str, path: NodePath) -> None:
        if rule_id not in self.defined:
            hint = difflib.get_close_matches(rule_id, list(self.defined), n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
            raise document.error(
                f"cannot disable {rule_id!r}: no built-in rule or rule of an earlier file has "
                f"that id{suggestion}",
                path,
            )
        if self.active.pop(rule_id, None) is not None:
            self.switched_off[rule_id] = Origin(file=document.file, line=document.line(path))

    def _check_group_name(self, document: Document, name: str) -> None:
        path = ("groups", name)
        if name in WORDS:
            raise document.error(f"group name {name!r} is reserved; choose another name", path)
        if name in self.groups:
            raise document.error(
                f"group {name!r} is already defined at {self.group_origins[name]}", path
            )

    def _duplicate(self, rule_id: str) -> str:
        first = self.defined.get(rule_id)
        if first is not None and first.builtin:
            return (
                f"duplicate rule id {rule_id!r}: it is a built-in rule (add it to 'disable' to "
                "replace it)"
            )
        where = ""
        if first is not None and first.origin.file:
            where = f" (first defined at {first.origin.file}:{first.origin.line})"
        return f"duplicate rule id {rule_id!r}{where}"

    def _rule(
        self, compiler: SelectorCompiler, raw: dict[str, object], path: NodePath, builtin: bool
    ) -> Rule:
        document = compiler.document
        rule_id = str(raw.get("id", ""))
        compiler.where = f"rule {rule_id}: "
        match_path = (*path, "match")
        match = self._entry(compiler, _mapping(raw.get("match")), match_path, is_match=True)
        allow = tuple(
            self._entry(compiler, _mapping(entry), (*path, "allow", index), is_match=False)
            for index, entry in enumerate(_list(raw.get("allow")))
        )
        compiler.where = ""
        only_if = raw.get("only_if")
        docs = raw.get("docs")
        defers_to = tuple(str(target) for target in _list(raw.get("defers_to")))
        if rule_id in defers_to:
            raise document.error(
                f"rule {rule_id}: a rule cannot defer to itself", (*path, "defers_to")
            )
        return Rule(
            id=rule_id,
            match=match,
            allow=allow,
            severity=_severity(raw.get("severity")),
            title=str(raw.get("title") or ""),
            description=str(raw.get("description") or ""),
            only_if="all-ports" if only_if == "all-ports" else None,
            docs=str(docs) if docs is not None else None,
            builtin=builtin,
            origin=Origin(file=document.file, line=document.line(path)),
            defers_to=defers_to,
            match_written=_written({"match": raw.get("match"), "only_if": only_if}),
            allow_written=tuple(
                (_written(entry), document.line((*path, "allow", index)))
                for index, entry in enumerate(_list(raw.get("allow")))
            ),
        )

    def _entry(
        self, compiler: SelectorCompiler, raw: dict[str, object], path: NodePath, *, is_match: bool
    ) -> Entry:
        document = compiler.document
        # A match's ends default to `any`; an allow entry's missing end holds for every end.
        default_end = Word("any", document.file, document.line(path)) if is_match else None

        def selector(key: str, use: Use, default: Selector | None) -> Selector | None:
            value = raw.get(key)
            if value is None:
                return default
            compiled = compiler.compile(value, (*path, key))
            check_use(compiled, use, compiler.where)
            return compiled

        protocols, ports = self._services(compiler, raw, path)
        same = raw.get("same")
        return Entry(
            source=selector("from", "end", default_end),
            destination=selector("to", "end", default_end),
            through=selector("through", "hop", None),
            protocols=protocols,
            ports=ports,
            same="subnet" if same == "subnet" else "network" if same == "network" else None,
            state="reply-dropped" if raw.get("state") == "reply-dropped" else "reachable",
        )

    def _services(
        self, compiler: SelectorCompiler, raw: dict[str, object], path: NodePath
    ) -> tuple[IntervalSet, IntervalSet]:
        """Protocols and ports; ports without a protocol mean those ports on tcp and udp."""
        document, where = compiler.document, compiler.where
        ports_value = raw.get("ports")
        ports = ALL_PORTS
        if ports_value is not None:
            ports = IntervalSet()
            for index, item in enumerate(_list(ports_value)):
                try:
                    ports = ports | ports_from_spec([str(item)])
                except ValueError:
                    raise document.error(
                        f"{where}{item!r} is not a port or a port range within 0-65535 "
                        '(like 22 or "8000-8080")',
                        (*path, "ports", index),
                    ) from None
        protocol = raw.get("protocol")
        if protocol is None:
            return (TCP_AND_UDP if ports_value is not None else ALL_PROTOCOLS), ports
        try:
            protocols = parse_protocol(str(protocol))
        except ValueError:
            raise document.error(
                f"{where}{protocol!r} is not a protocol (expected tcp, udp, icmp, all or 0-255)",
                (*path, "protocol"),
            ) from None
        if ports_value is not None and not protocols.issubset(TCP_AND_UDP):
            raise document.error(
                f"{where}ports apply only to tcp and udp, not to protocol {protocol!r} "
                "(leave protocol out for both tcp and udp)",
                (*path, "ports"),
            )
        return protocols, ports


def _severity(value: object) -> Severity:
    return next((severity for severity in SEVERITIES if severity == value), "medium")


def _written(value: object) -> str:
    import json

    return json.dumps(value, sort_keys=True, default=str)


def _mapping(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []
