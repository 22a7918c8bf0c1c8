"""Network Access Analyzer's Network Access Scopes as rules.

A scope (https://docs.aws.amazon.com/vpc/latest/network-access-analyzer/what-is-network-access-analyzer.html)
reports the paths that one of its `MatchPaths` covers and none of its `ExcludePaths` does:
exactly a rule's `match` and `allow`. Each match path becomes one of the rule's matches, each
exclude path one allow entry. A path's `Source` and `Destination` hold a resource statement
(`Resources` or `ResourceTypes`,
https://docs.aws.amazon.com/vpc/latest/network-access-analyzer/resource-statement.html) and a
packet header statement (addresses, prefix lists, ports, protocols); `ThroughResources` name
components the path passes.

The file is read when the rules are (its mistakes point at their line); its `Resources` are
resolved against the inputs when the rule is evaluated (reachlint.rules.scope_binding),
because only the model knows whether `aws_vpc.business` is a VPC, and whether an id names
anything at all.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
from collections.abc import Iterable
from pathlib import Path

from reachlint.errors import InputError
from reachlint.model.traffic import ALL_PORTS, IntervalSet, cidrs, parse_protocol, ports_from_spec
from reachlint.rules.document import Document, NodePath
from reachlint.rules.findings import SEVERITIES, Severity
from reachlint.rules.ruleset import Entry, Rule
from reachlint.rules.scope_paths import Scope, ScopePath, Statement
from reachlint.rules.selectors import Word
from reachlint.sources import Origin

# The scope itself, in create-network-insights-access-scope's input (--cli-input-json) ...
_CREATE_KEYS = ("MatchPaths", "ExcludePaths", "TagSpecifications", "ClientToken", "DryRun")
# ... or wrapped as get-network-insights-access-scope-content (and create) return it.
_WRAPPERS = ("NetworkInsightsAccessScopeContent", "AccessScopeContent")
_CONTENT_KEYS = ("MatchPaths", "ExcludePaths", "NetworkInsightsAccessScopeId")
# Beside the content in create's response: the scope's id, ARN, dates and tags.
_DESCRIBED = "NetworkInsightsAccessScope"
_PATH_KEYS = ("Source", "Destination", "ThroughResources")
_STATEMENT_KEYS = ("PacketHeaderStatement", "ResourceStatement")
_HEADER_KEYS = (
    "SourceAddresses",
    "DestinationAddresses",
    "SourcePorts",
    "DestinationPorts",
    "SourcePrefixLists",
    "DestinationPrefixLists",
    "Protocols",
)
_RESOURCE_KEYS = ("Resources", "ResourceTypes")
# Beside the scope: what reachlint alone reads (create-network-insights-access-scope would
# refuse the key; the same settings fit in tags, which it accepts).
_REACHLINT_KEYS = ("id", "severity", "title")
SEVERITY_TAG, TITLE_TAG = "reachlint:severity", "reachlint:title"
_RULE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def is_scope(data: object) -> bool:
    """Whether a rules file is a Network Access Scope (judged by content, like every input)."""
    if not isinstance(data, dict) or "rules" in data or "version" in data:
        return False
    return any(key in data for key in (*_WRAPPERS, "MatchPaths", "ExcludePaths"))


def read_scope(document: Document) -> Rule:
    """A scope file as a rule, its resources still to be bound to the inputs."""
    return _Reader(document).rule()


class _Reader:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.rule_id = ""

    def error(self, message: str, path: NodePath) -> InputError:
        prefix = f"scope {self.rule_id}: " if self.rule_id else ""
        return self.document.error(prefix + message, path)

    def rule(self) -> Rule:
        data = self.document.data
        assert isinstance(data, dict)
        base: NodePath = ()
        wrapper = next((key for key in _WRAPPERS if key in data), None)
        known = (*_CREATE_KEYS, *_WRAPPERS, _DESCRIBED, "reachlint")
        self._keys(data, known, (), "a Network Access Scope")
        if wrapper is not None:
            base = (wrapper,)
            content = data[wrapper]
            if not isinstance(content, dict):
                raise self.error(f"{wrapper} must be a mapping", base)
            self._keys(content, _CONTENT_KEYS, base, wrapper)
            data = {**data, **content}
        settings = self._settings(data)
        tags = self._tags(data.get("TagSpecifications"))
        tags.update(self._described_tags(data.get(_DESCRIBED)))
        self.rule_id = self._rule_id(settings.get("id") or tags.get("Name"))
        severity = settings.get("severity") or tags.get(SEVERITY_TAG) or "medium"
        if severity not in SEVERITIES:
            raise self.error(
                f"severity {severity!r} is not one of: {', '.join(SEVERITIES)}", ("reachlint",)
            )
        matches = self._paths(data.get("MatchPaths"), (*base, "MatchPaths"))
        excludes = self._paths(data.get("ExcludePaths"), (*base, "ExcludePaths"))
        if not matches:
            raise self.error("MatchPaths must hold at least one path", (*base, "MatchPaths"))
        written = {key: data[key] for key in ("MatchPaths", "ExcludePaths") if key in data}
        scope = Scope(
            self.document.file, matches, excludes, self.rule_id, json.dumps(written, default=str)
        )
        title = settings.get("title") or tags.get(TITLE_TAG)
        line = self.document.line(())
        placeholder = Entry(source=Word("any", self.document.file, line))
        return Rule(
            id=self.rule_id,
            match=placeholder,
            allow=(),
            severity=_severity(severity),
            title=title
            or f"Network Access Scope {self.rule_id}: no path it matches and does not exclude",
            description=f"Network Access Analyzer scope read from {self.document.file}.",
            origin=Origin(file=self.document.file, line=line),
            match_written=json.dumps(data.get("MatchPaths"), sort_keys=True, default=str),
            allow_written=tuple(
                (json.dumps(path, sort_keys=True, default=str), self.document.line(path_at))
                for path, path_at in _items(data.get("ExcludePaths"), (*base, "ExcludePaths"))
            ),
            scope=scope,
        )

    def _keys(
        self, value: dict[str, object], known: Iterable[str], path: NodePath, what: str
    ) -> None:
        expected = list(known)
        for key in value:
            if key not in expected:
                hint = difflib.get_close_matches(key, expected, n=1)
                suggestion = f", did you mean {hint[0]!r}?" if hint else ""
                raise self.error(
                    f"unknown key {key!r} in {what}{suggestion} (expected one of: "
                    f"{', '.join(expected)})",
                    (*path, key),
                )

    def _settings(self, data: dict[str, object]) -> dict[str, str]:
        settings = data.get("reachlint")
        if settings is None:
            return {}
        if not isinstance(settings, dict):
            raise self.error(
                "reachlint must be a mapping of id, severity and title", ("reachlint",)
            )
        self._keys(settings, _REACHLINT_KEYS, ("reachlint",), "reachlint")
        for key, value in settings.items():
            if not isinstance(value, str):
                raise self.error(f"reachlint.{key} must be a string", ("reachlint", key))
        return {str(key): str(value) for key, value in settings.items()}

    def _tags(self, value: object) -> dict[str, str]:
        tags: dict[str, str] = {}
        for spec, spec_path in _items(value, ("TagSpecifications",)):
            if not isinstance(spec, dict):
                raise self.error("each TagSpecifications entry must be a mapping", spec_path)
            self._keys(spec, ("ResourceType", "Tags"), spec_path, "TagSpecifications")
            for tag, tag_path in _items(spec.get("Tags"), (*spec_path, "Tags")):
                if not isinstance(tag, dict) or not isinstance(tag.get("Key"), str):
                    raise self.error("each tag must be a mapping with Key and Value", tag_path)
                self._keys(tag, ("Key", "Value"), tag_path, "a tag")
                tags[str(tag["Key"])] = str(tag.get("Value", ""))
        return tags

    def _described_tags(self, value: object) -> dict[str, str]:
        """The tags of the scope as create-network-insights-access-scope returns it."""
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.error(f"{_DESCRIBED} must be a mapping", (_DESCRIBED,))
        spec = {"Tags": value["Tags"]} if "Tags" in value else {}
        return self._tags([spec]) if spec else {}

    def _rule_id(self, named: str | None) -> str:
        if named:
            if not _RULE_ID.match(named):
                raise self.error(
                    f"the scope's name {named!r} cannot be a rule id (letters, digits, '_', '.' "
                    "and '-', starting with a letter or digit)",
                    ("TagSpecifications",),
                )
            return named
        stem = Path(self.document.file).stem
        cleaned = re.sub(r"[^A-Za-z0-9_.-]", "-", stem).lstrip("_.-")
        return cleaned or "SCOPE"

    def _paths(self, value: object, path: NodePath) -> tuple[ScopePath, ...]:
        if value is not None and not isinstance(value, list):
            raise self.error(f"{path[-1]} must be a list of paths", path)
        return tuple(self._path(item, at) for item, at in _items(value, path))

    def _path(self, value: object, path: NodePath) -> ScopePath:
        where = f"{path[-2]}[{path[-1]}]"
        if not isinstance(value, dict):
            raise self.error(
                f"{where} must be a mapping of Source, Destination, ThroughResources", path
            )
        self._keys(value, _PATH_KEYS, path, where)
        header: dict[str, object] = {}
        ends: dict[str, Statement | None] = {}
        for end in ("Source", "Destination"):
            ends[end] = self._end(value.get(end), (*path, end), f"{where}.{end}", header)
        through: list[Statement] = []
        for item, at in _items(value.get("ThroughResources"), (*path, "ThroughResources")):
            if not isinstance(item, dict):
                raise self.error("each ThroughResources entry must be a mapping", at)
            self._keys(item, ("ResourceStatement",), at, "ThroughResources")
            statement = self._resources(
                item.get("ResourceStatement"),
                (*at, "ResourceStatement"),
                f"{where}.ThroughResources[{at[-1]}]",
            )
            if statement is not None:
                through.append(statement)
        return ScopePath(
            where=where,
            line=self.document.line(path),
            source=ends["Source"],
            destination=ends["Destination"],
            through=tuple(through),
            **header,  # type: ignore[arg-type]
        )

    def _end(
        self, value: object, path: NodePath, where: str, header: dict[str, object]
    ) -> Statement | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.error(f"{where} must be a mapping", path)
        self._keys(value, _STATEMENT_KEYS, path, where)
        self._header(value.get("PacketHeaderStatement"), (*path, "PacketHeaderStatement"), header)
        return self._resources(value.get("ResourceStatement"), (*path, "ResourceStatement"), where)

    def _resources(self, value: object, path: NodePath, where: str) -> Statement | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.error("a ResourceStatement must be a mapping", path)
        self._keys(value, _RESOURCE_KEYS, path, "a ResourceStatement")
        resources = self._strings(value.get("Resources"), (*path, "Resources"))
        types = self._strings(value.get("ResourceTypes"), (*path, "ResourceTypes"))
        if resources and types:
            # "A single resource statement can include either resource IDs or resource types,
            # but not both" (resource-statement.html).
            raise self.error("a ResourceStatement holds Resources or ResourceTypes, not both", path)
        if not resources and not types:
            return None
        return Statement(resources, types, where, self.document.line(path))

    def _header(self, value: object, path: NodePath, header: dict[str, object]) -> None:
        if value is None:
            return
        if not isinstance(value, dict):
            raise self.error("a PacketHeaderStatement must be a mapping", path)
        self._keys(value, _HEADER_KEYS, path, "a PacketHeaderStatement")
        for key in ("SourceAddresses", "DestinationAddresses"):
            items = self._strings(value.get(key), (*path, key))
            if items:
                addresses = self._cidrs(items, (*path, key))
                field_name = (
                    "source_addresses" if key.startswith("Source") else "destination_addresses"
                )
                known = header.get(field_name)
                header[field_name] = (
                    addresses & known if isinstance(known, IntervalSet) else addresses
                )
        for key, field_name in (
            ("SourcePrefixLists", "source_prefix_lists"),
            ("DestinationPrefixLists", "destination_prefix_lists"),
        ):
            items = self._strings(value.get(key), (*path, key))
            if items:
                known_lists = header.get(field_name, ())
                assert isinstance(known_lists, tuple)
                header[field_name] = (*known_lists, *items)
        ports = self._strings(value.get("DestinationPorts"), (*path, "DestinationPorts"))
        if ports:
            parsed = self._ports(ports, (*path, "DestinationPorts"))
            known_ports = header.get("ports")
            header["ports"] = (
                parsed & known_ports if isinstance(known_ports, IntervalSet) else parsed
            )
        source_ports = self._strings(value.get("SourcePorts"), (*path, "SourcePorts"))
        if source_ports and self._ports(source_ports, (*path, "SourcePorts")) != ALL_PORTS:
            raise self.error(
                "SourcePorts cannot be checked before deployment: a connection may come from "
                "any client port, and reachlint's flows hold for every one of them (leave "
                "SourcePorts out)",
                (*path, "SourcePorts"),
            )
        protocols = self._strings(value.get("Protocols"), (*path, "Protocols"))
        if protocols:
            parsed_protocols = IntervalSet()
            for index, protocol in enumerate(protocols):
                if protocol.lower() not in {"tcp", "udp"}:
                    raise self.error(
                        f"protocol {protocol!r} is not one of: tcp, udp",
                        (*path, "Protocols", index),
                    )
                parsed_protocols = parsed_protocols | parse_protocol(protocol.lower())
            known_protocols = header.get("protocols")
            header["protocols"] = (
                parsed_protocols & known_protocols
                if isinstance(known_protocols, IntervalSet)
                else parsed_protocols
            )

    def _strings(self, value: object, path: NodePath) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.error(f"{path[-1]} must be a list of strings", path)
        items: list[str] = []
        for item, at in _items(value, path):
            if not isinstance(item, str | int) or isinstance(item, bool):
                raise self.error(f"each item of {path[-1]} must be a string", at)
            items.append(str(item).strip())
        return tuple(items)

    def _cidrs(self, items: tuple[str, ...], path: NodePath) -> IntervalSet:
        for index, item in enumerate(items):
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise self.error(f"{item!r} is not a CIDR", (*path, index)) from None
        return cidrs(items)

    def _ports(self, items: tuple[str, ...], path: NodePath) -> IntervalSet:
        ports = IntervalSet()
        for index, item in enumerate(items):
            try:
                ports = ports | ports_from_spec([item])
            except ValueError:
                raise self.error(
                    f"{item!r} is not a port or a port range within 0-65535 (like 22 or 8000-8080)",
                    (*path, index),
                ) from None
        return ports


def _items(value: object, path: NodePath) -> list[tuple[object, NodePath]]:
    if not isinstance(value, list):
        return []
    return [(item, (*path, index)) for index, item in enumerate(value)]


def _severity(value: str) -> Severity:
    return next((severity for severity in SEVERITIES if severity == value), "medium")
