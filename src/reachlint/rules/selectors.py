"""Selectors: which ends of a flow, and which components on its path, a rule talks about.

A selector is compiled once from the rules file into a small tree. Against a flow's end it
yields an address set rather than a yes/no: every address for an endpoint it holds for, the
narrowed addresses for an internet or on-premises end (`cidrs`), nothing otherwise. That makes
`all of` an intersection, `any of` a union and `not` a complement, on both kinds of end.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Literal, get_args

from msgspec import Struct, field

from reachlint.engine.flows import EndpointClass, External, Hop
from reachlint.errors import InputError
from reachlint.model.network import Endpoint, EndpointKind, Interface, NetworkModel
from reachlint.model.traffic import ALL_ADDRESSES, IntervalSet, cidrs
from reachlint.rules.document import Document, NodePath

# `any` is every end (endpoints, the internet, on-premises); `endpoints` only cloud endpoints.
WordName = Literal["any", "endpoints", "internet", "onprem"]
WORDS: dict[str, WordName] = {
    "any": "any",
    "endpoints": "endpoints",
    "internet": "internet",
    "onprem": "onprem",
}
PATTERN_KEYS = ("addresses", "types", "networks", "subnets", "security_groups", "kinds")
ENDPOINT_KINDS: tuple[str, ...] = get_args(EndpointKind)
NO_ADDRESSES = IntervalSet()

Use = Literal["end", "hop"]


class Word(Struct, frozen=True, eq=False):
    word: WordName
    file: str
    line: int


class Patterns(Struct, frozen=True, eq=False):
    """One of the glob keys: the subject's value for `key` matches one of the patterns."""

    key: str
    patterns: tuple[str, ...]
    file: str
    line: int


class Tags(Struct, frozen=True, eq=False):
    tags: tuple[tuple[str, str], ...]  # key, value glob


class Cidrs(Struct, frozen=True, eq=False):
    addresses: IntervalSet
    file: str
    line: int


class AllOf(Struct, frozen=True, eq=False):
    parts: tuple[Selector, ...]


class AnyOf(Struct, frozen=True, eq=False):
    parts: tuple[Selector, ...]


class Not(Struct, frozen=True, eq=False):
    part: Selector


Selector = Word | Patterns | Tags | Cidrs | AllOf | AnyOf | Not


@lru_cache(maxsize=4096)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """A regular expression that matches in time linear in the value for each piece of the
    pattern: `a*b*c` as `a(?>.*?b).*c`. Between two stars the first place a piece fits is as
    good as any later one (pieces have a fixed length), so each is found once, atomically, and
    never tried again; a plain `.*a.*b.*c` backtracks through every split of the value."""
    pieces = [_glob_piece(piece) for piece in pattern.split("*")]
    if len(pieces) == 1:
        return re.compile(pieces[0], re.DOTALL)
    first, *middle, last = pieces
    inner = "".join(f"(?>.*?{piece})" for piece in middle if piece)
    return re.compile(f"{first}{inner}.*{last}", re.DOTALL)


def _glob_piece(piece: str) -> str:
    return "".join("." if char == "?" else re.escape(char) for char in piece)


# The instance key at the end of a Terraform address: [0] or ["name"].
_INSTANCE_KEY = re.compile(r'\[(?:[0-9]+|"(?:[^"\\]|\\.)*")\]$')


def glob_match(pattern: str, value: str) -> bool:
    """Whether `value` matches `pattern`, where only `*` and `?` are wildcards.

    Brackets are literal, so `aws_instance.web[*]` means any instance of aws_instance.web. A
    pattern naming a resource without its instance key also matches each of its instances.
    """
    regex = _glob_regex(pattern)
    if regex.fullmatch(value):
        return True
    without_key = _INSTANCE_KEY.sub("", value)
    return without_key != value and regex.fullmatch(without_key) is not None


class SelectorCompiler:
    """Compiles the selectors of one rules file, resolving group names (and their cycles)."""

    def __init__(
        self,
        document: Document,
        known_groups: Mapping[str, Selector],
        file_groups: Mapping[str, object],
    ) -> None:
        self.document = document
        self.groups: dict[str, Selector] = dict(known_groups)
        self.file_groups = file_groups
        self._resolving: list[str] = []
        # Said before each message: "rule ID: " or "group NAME: ".
        self.where = ""

    def _error(self, message: str, path: NodePath) -> InputError:
        return self.document.error(self.where + message, path)

    def group(self, name: str, path: NodePath) -> Selector:
        if name in self.groups:
            return self.groups[name]
        if name in self._resolving:
            cycle = [*self._resolving[self._resolving.index(name) :], name]
            raise self._error(f"group {name!r} refers to itself through {' -> '.join(cycle)}", path)
        if name not in self.file_groups:
            known = [*WORDS, *sorted({*self.groups, *self.file_groups})]
            hint = difflib.get_close_matches(name, known, n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
            raise self._error(
                f"unknown selector {name!r} (expected any, internet, onprem or a group name"
                f"{suggestion})",
                path,
            )
        self._resolving.append(name)
        outer, self.where = self.where, f"group {name}: "
        compiled = self.compile(self.file_groups[name], ("groups", name))
        self.where = outer
        self._resolving.pop()
        self.groups[name] = compiled
        return compiled

    def compile(self, value: object, path: NodePath) -> Selector:
        line = self.document.line(path)
        if isinstance(value, str):
            if value in WORDS:
                return Word(WORDS[value], self.document.file, line)
            return self.group(value, path)
        if not isinstance(value, dict):
            raise self._error("a selector must be a word or a mapping of conditions", path)
        parts: list[Selector] = []
        for key, item in value.items():
            item_path = (*path, key)
            item_line = self.document.line(item_path)
            if key in PATTERN_KEYS:
                parts.append(Patterns(key, _strings(item), self.document.file, item_line))
            elif key == "tags" and isinstance(item, dict):
                parts.append(Tags(tuple(self._tag(tag, item, item_path) for tag in item)))
            elif key == "cidrs":
                parts.append(Cidrs(self._cidrs(item, item_path), self.document.file, item_line))
            elif key == "any_of" and isinstance(item, list):
                parts.append(
                    AnyOf(tuple(self.compile(sub, (*item_path, i)) for i, sub in enumerate(item)))
                )
            elif key == "not":
                parts.append(Not(self.compile(item, item_path)))
            else:
                raise self._error(f"unknown selector key {key!r}", item_path)
        if not parts:
            raise self._error("a selector mapping needs at least one condition", path)
        return parts[0] if len(parts) == 1 else AllOf(tuple(parts))

    def _tag(self, tag: str, tags: dict[str, object], path: NodePath) -> tuple[str, str]:
        value = tags[tag]
        if isinstance(value, str):
            return tag, value
        # `Tier: 1` or `Public: true`: the tag value is the text as written.
        return tag, self.document.raw.get((*path, tag), str(value))

    def _cidrs(self, value: object, path: NodePath) -> IntervalSet:
        items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        for index, item in enumerate(items):
            item_path = path if isinstance(value, str) else (*path, index)
            try:
                ipaddress.ip_network(str(item).strip(), strict=False)
            except ValueError:
                raise self._error(f"{item!r} is not a CIDR", item_path) from None
        return cidrs(str(item) for item in items)


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(item) for item in value)
    return (str(value),)


def check_use(selector: Selector, use: Use, where: str = "") -> None:
    """Reject what cannot hold where the selector is used (an end, or a component on a path)."""
    if isinstance(selector, Word) and use == "hop" and selector.word != "any":
        raise InputError(
            f"{where}{selector.word!r} cannot be used in through: name the component instead, "
            "e.g. {kinds: [internet-gateway]}",
            selector.file,
            selector.line,
        )
    if isinstance(selector, Cidrs) and use == "hop":
        raise InputError(
            f"{where}cidrs cannot be used in through: path components are selected by "
            "address, type or kind",
            selector.file,
            selector.line,
        )
    if isinstance(selector, Patterns) and selector.key == "kinds" and use == "end":
        for pattern in selector.patterns:
            if not any(glob_match(pattern, kind) for kind in ENDPOINT_KINDS):
                hint = difflib.get_close_matches(pattern, ENDPOINT_KINDS, n=1)
                suggestion = f"did you mean {hint[0]!r}? " if hint else ""
                raise InputError(
                    f"{where}{pattern!r} is not an endpoint kind ({suggestion}expected one of: "
                    f"{', '.join(ENDPOINT_KINDS)})",
                    selector.file,
                    selector.line,
                )
    if isinstance(selector, AllOf | AnyOf):
        for part in selector.parts:
            check_use(part, use, where)
    elif isinstance(selector, Not):
        check_use(selector.part, use, where)


class EndSubject(Struct, eq=False):
    """One end of a flow as selectors see it: an endpoint's interface, or an external end."""

    address: str
    endpoint: Endpoint | None = None
    interface: Interface | None = None
    endpoint_class: EndpointClass | None = None
    external: External | None = None

    @property
    def kind(self) -> str:
        if self.external is not None:
            return self.external.kind
        return self.endpoint.kind if self.endpoint is not None else "other"


class _HopFacts(Struct):
    """What the model knows about a component on a path, for the keys a hop has no value for."""

    networks: list[str] = field(default_factory=list)
    subnets: list[str] = field(default_factory=list)
    security_groups: list[str] = field(default_factory=list)
    endpoint: Endpoint | None = None  # whose tags a hop has


# What a selector holds for on one end: the addresses it holds for whatever the values not
# known before apply turn out to be, those it may hold for, and the names of those values.
Bounds = tuple[IntervalSet, IntervalSet, tuple[str, ...]]
# The same for a component of a path: whether it surely is, may be, and why it may.
HopBounds = tuple[bool, bool, tuple[str, ...]]


class Matcher:
    """Evaluates selectors against ends and hops, once per selector and subject."""

    def __init__(self, model: NetworkModel) -> None:
        self.model = model
        self._ends: dict[tuple[Selector, EndSubject], Bounds] = {}
        self._hops: dict[tuple[Selector, str, str, str], HopBounds] = {}
        self._facts: dict[str, _HopFacts] = {}
        self._group_of_rule: dict[str, str] | None = None

    def end(self, selector: Selector, subject: EndSubject) -> IntervalSet:
        """The addresses of `subject` that the selector holds for (all of them for an endpoint),
        whatever the values not known before apply turn out to be."""
        return self.bounds(selector, subject)[0]

    def bounds(self, selector: Selector, subject: EndSubject) -> Bounds:
        """The addresses of `subject` the selector holds for, those it may hold for, and what
        the difference rests on (a tag whose value is not known)."""
        key = (selector, subject)
        cached = self._ends.get(key)
        if cached is None:
            cached = self._ends[key] = self._bounds(selector, subject)
        return cached

    def through(self, selector: Selector, path: Iterable[Hop]) -> HopBounds:
        """Whether some component of the path surely is what the selector names, whether
        some may be, and what the difference rests on (a tag whose value is not known)."""
        most = False
        doubts: tuple[str, ...] = ()
        for hop in path:
            hop_least, hop_most, hop_doubts = self.hop(selector, hop)
            if hop_least:
                return True, True, ()  # one component surely is: nothing else matters
            most, doubts = most or hop_most, doubts + hop_doubts
        return False, most, tuple(dict.fromkeys(doubts)) if most else ()

    def hop(self, selector: Selector, hop: Hop) -> HopBounds:
        key = (selector, hop.address, hop.kind, hop.type)
        cached = self._hops.get(key)
        if cached is None:
            cached = self._hops[key] = self._hop(selector, hop)
        return cached

    def _bounds(self, selector: Selector, subject: EndSubject) -> Bounds:
        if isinstance(selector, AllOf | AnyOf):
            every = isinstance(selector, AllOf)
            least = most = ALL_ADDRESSES if every else NO_ADDRESSES
            doubts: tuple[str, ...] = ()
            for part in selector.parts:
                part_least, part_most, part_doubts = self.bounds(part, subject)
                if every:
                    least, most = least & part_least, most & part_most
                else:
                    least, most = least | part_least, most | part_most
                doubts += part_doubts
                if (every and not most) or (not every and least == ALL_ADDRESSES):
                    return least, most, ()  # decided, whatever the other parts are
            return _settled(least, most, doubts)
        if isinstance(selector, Not):
            least, most, doubts = self.bounds(selector.part, subject)
            return ALL_ADDRESSES - most, ALL_ADDRESSES - least, doubts
        if isinstance(selector, Cidrs):
            if subject.external is not None:
                return selector.addresses, selector.addresses, ()
            inside = ALL_ADDRESSES if self._inside(subject, selector.addresses) else NO_ADDRESSES
            return inside, inside, ()
        if isinstance(selector, Tags) and subject.endpoint is not None:
            return _tag_bounds(selector, subject.endpoint)
        held = ALL_ADDRESSES if self._end_holds(selector, subject) else NO_ADDRESSES
        return held, held, ()

    def _end_holds(self, selector: Word | Patterns | Tags, subject: EndSubject) -> bool:
        external = subject.external
        if isinstance(selector, Word):
            if selector.word == "any":
                return True
            if selector.word == "endpoints":
                return external is None
            return external is not None and external.kind == selector.word
        if isinstance(selector, Tags):
            return not selector.tags  # an end that is no endpoint has no tags
        values = self._end_values(selector.key, subject)
        return any(glob_match(p, value) for value in values for p in selector.patterns)

    def _end_values(self, key: str, subject: EndSubject) -> list[str]:
        if key == "addresses":
            return self._names(subject.address)
        endpoint, interface, klass = subject.endpoint, subject.interface, subject.endpoint_class
        if key == "types":
            if endpoint is not None:
                return self._types(endpoint.type)
            site = self.model.onprem_sites.get(subject.address)
            return self._types(site.type) if site is not None else []
        if key == "kinds":
            return [endpoint.kind] if endpoint is not None else []
        # Where the interface sits: as the engine classed it, else as the model says.
        if key == "networks":
            network = klass.network if klass is not None else None
            return _present(network or (interface.network if interface else None))
        if key == "subnets":
            subnet = klass.subnet if klass is not None else None
            return _present(subnet or (interface.subnet if interface else None))
        if key == "security_groups":
            if klass is not None:
                return list(klass.security_groups)
            return list(interface.security_groups) if interface is not None else []
        return []

    def _names(self, address: str) -> list[str]:
        """An address, and the name its author knows it by (a CDK construct path)."""
        label = self.model.labels.get(address)
        return [address, label] if label else [address]

    def _types(self, type_name: str) -> list[str]:
        """A type, and its counterparts in the other dialects."""
        return [type_name, *self.model.type_names.get(type_name, ())]

    def _inside(self, subject: EndSubject, addresses: IntervalSet) -> bool:
        """An endpoint is inside when its private addresses are, else when its whole subnet is."""
        interface = subject.interface
        if interface is not None and interface.private_ips:
            try:
                ips = [ipaddress.ip_address(ip.strip()) for ip in interface.private_ips]
            except ValueError:
                ips = []
            if ips:
                return cidrs(f"{ip}/{ip.max_prefixlen}" for ip in ips).issubset(addresses)
        subnet_address = subject.endpoint_class.subnet if subject.endpoint_class else None
        if subnet_address is None and interface is not None:
            subnet_address = interface.subnet
        subnet = self.model.subnets.get(subnet_address or "")
        if subnet is None or not subnet.cidrs:
            return False
        try:
            return cidrs(subnet.cidrs).issubset(addresses)
        except ValueError:
            return False

    def _hop(self, selector: Selector, hop: Hop) -> HopBounds:
        if isinstance(selector, AllOf | AnyOf):
            parts = [self.hop(part, hop) for part in selector.parts]
            every = isinstance(selector, AllOf)
            least = all(p[0] for p in parts) if every else any(p[0] for p in parts)
            most = all(p[1] for p in parts) if every else any(p[1] for p in parts)
            doubts = tuple(dict.fromkeys(d for p in parts for d in p[2]))
            return least, most, doubts if least != most else ()
        if isinstance(selector, Not):
            least, most, doubts = self.hop(selector.part, hop)
            return not most, not least, doubts
        if isinstance(selector, Tags):
            endpoint = self._hop_facts(hop.address).endpoint
            if endpoint is None:
                held = not selector.tags
                return held, held, ()
            least_addresses, most_addresses, doubts = _tag_bounds(selector, endpoint)
            return bool(least_addresses), bool(most_addresses), doubts
        held = self._hop_holds(selector, hop)
        return held, held, ()

    def _hop_holds(self, selector: Word | Patterns | Cidrs, hop: Hop) -> bool:
        if isinstance(selector, Word):
            return selector.word == "any"
        if isinstance(selector, Cidrs):
            return False
        facts = self._hop_facts(hop.address)
        key = selector.key
        if key == "addresses":
            candidates = self._names(hop.address)
        elif key == "types":
            candidates = self._types(hop.type)
        elif key == "kinds":
            candidates = [hop.kind]
        elif key == "networks":
            candidates = facts.networks
        elif key == "subnets":
            candidates = facts.subnets
        else:
            candidates = facts.security_groups if key == "security_groups" else []
        return any(glob_match(p, value) for value in candidates for p in selector.patterns)

    def _hop_facts(self, address: str) -> _HopFacts:
        facts = self._facts.get(address)
        if facts is not None:
            return facts
        model = self.model
        facts = _HopFacts()
        if endpoint := model.endpoints.get(address):
            facts.endpoint = endpoint
            for interface in endpoint.interfaces:
                facts.networks.extend(_present(interface.network))
                facts.subnets.extend(_present(interface.subnet))
                facts.security_groups.extend(interface.security_groups)
        elif gateway := model.gateways.get(address):
            facts.networks.extend(_present(gateway.network))
            facts.subnets.extend(_present(gateway.subnet))
        elif subnet := model.subnets.get(address):
            facts.networks.append(subnet.network)
            facts.subnets.append(address)
        else:
            group_address = self._rule_groups().get(address)
            if group := model.security_groups.get(group_address or ""):
                facts.networks.extend(_present(group.network))
                facts.security_groups.append(group.address)
        self._facts[address] = facts
        return facts

    def _rule_groups(self) -> dict[str, str]:
        """Security group (and group rule) address -> the group's address."""
        if self._group_of_rule is None:
            self._group_of_rule = {}
            for group in self.model.security_groups.values():
                self._group_of_rule[group.address] = group.address
                for rule in group.rules:
                    self._group_of_rule.setdefault(rule.address, group.address)
        return self._group_of_rule


def _tag_bounds(selector: Tags, endpoint: Endpoint) -> Bounds:
    """Every tag the selector names holds, may hold (a tag whose value is not known, or any
    tag when the tags as a whole are not), or does not."""
    doubts: list[str] = []
    for key, value in selector.tags:
        if key in endpoint.tags:
            if not glob_match(value, endpoint.tags[key]):
                return NO_ADDRESSES, NO_ADDRESSES, ()
        elif key in endpoint.unknown_tags:
            doubts.append(endpoint.unknown_tags[key])
        elif endpoint.tags_unknown is not None:
            doubts.append(endpoint.tags_unknown)
        else:
            return NO_ADDRESSES, NO_ADDRESSES, ()
    if doubts:
        return NO_ADDRESSES, ALL_ADDRESSES, tuple(dict.fromkeys(doubts))
    return ALL_ADDRESSES, ALL_ADDRESSES, ()


def _settled(least: IntervalSet, most: IntervalSet, doubts: tuple[str, ...]) -> Bounds:
    """Bounds that name their doubts only while these make a difference."""
    return least, most, tuple(dict.fromkeys(doubts)) if least != most else ()


def _present(value: str | None) -> list[str]:
    return [value] if value else []
