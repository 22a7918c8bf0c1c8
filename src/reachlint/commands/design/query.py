"""`reachlint query`: can these ends reach those, and if not, what stops them.

Reachability Analyzer's question, asked of the template. The selectors pick ends (endpoints,
the internet, on-premises sites); every pair of distinct ends is answered from the engine's
exact flows, restricted to the protocol and ports asked about. A pair that something reaches
gets that traffic and one path per distinct route; a pair that nothing reaches gets the
component that blocks it, in Reachability Analyzer's explanation codes.

The answer is reachable when at least one pair is: "can the web tier reach the database?" is
answered yes when one web server can.
"""

from __future__ import annotations

from itertools import product
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec import Struct, field
from msgspec.structs import replace

from reachlint.commands.design.common import (
    EndKey,
    Ends,
    address_space,
    end_key,
    frontend_traffic,
    load_balancers_on,
    passes_through,
)
from reachlint.engine.explain import Blocked
from reachlint.engine.flows import End, EndpointClass, External, Flow, Hop, rests_on
from reachlint.errors import InputError
from reachlint.model.traffic import (
    ALL_ADDRESSES,
    PORTED,
    IntervalSet,
    Traffic,
    parse_protocol,
    ports_from_spec,
)
from reachlint.rules.findings import (
    AddressedTraffic,
    EndRef,
    HopRef,
    TrafficEntry,
    external_side,
    traffic_by_addresses,
    traffic_entries,
)
from reachlint.rules.paths import hop_refs
from reachlint.rules.references import end_ref
from reachlint.rules.selectors import EndSubject, Matcher, Selector
from reachlint.sources import Origin

if TYPE_CHECKING:
    from reachlint.engine.analysis import Analysis
    from reachlint.engine.reach import AssumeUnknown
    from reachlint.inputs.load import LoadOptions
    from reachlint.model.network import NetworkModel

FORMATS = ("text", "json")
EXIT_REACHABLE, EXIT_NOT_REACHABLE = 0, 1
_TCP_AND_UDP = IntervalSet((number, number) for number in PORTED)


class _Strict(Struct, kw_only=True, forbid_unknown_fields=True):
    """An answer's documents, written as JSON with `from` and `to` as in a report."""


class Blocking(_Strict, kw_only=True):
    """The component that stops the traffic."""

    address: str
    kind: str
    file: str | None = None
    line: int | None = None


class BlockedPair(_Strict, kw_only=True):
    source: EndRef = field(name="from")
    destination: EndRef = field(name="to")
    at: Blocking
    code: str
    reason: str


class RoutePath(_Strict, kw_only=True):
    """One distinct route between two ends and the traffic that takes it."""

    source: EndRef = field(name="from")
    destination: EndRef = field(name="to")
    traffic: list[TrafficEntry]
    # As in a finding: each part with its external addresses, when they differ between parts.
    traffic_by_addresses: list[AddressedTraffic] | None = None
    path: list[HopRef]
    # As in a finding: the values not known before apply that this path rests on.
    depends_on_unknown: list[str] | None = None


# Pairs of ends an answer lists with their paths or what blocks them; the rest are counted.
MAX_LISTED_PAIRS = 10_000


class Answer(_Strict, kw_only=True):
    reachable: bool
    traffic: list[TrafficEntry]
    traffic_by_addresses: list[AddressedTraffic] | None = None
    paths: list[RoutePath]
    blocked: list[BlockedPair]
    # Asked with --assume-unknown closed: the paths there would be if the values not known
    # before apply allowed them, so that "not reachable" never rests on them unsaid.
    if_unknowns_allow: list[RoutePath] | None = None
    # Pairs of ends asked about beyond MAX_LISTED_PAIRS: counted, neither listed nor explained.
    unlisted_pairs: int | None = None

    def to_json(self) -> str:
        from reachlint.reports.schema import document_json

        return document_json(self) + "\n"

    @property
    def exit_code(self) -> int:
        return EXIT_REACHABLE if self.reachable else EXIT_NOT_REACHABLE


class Question(Struct):
    """What is asked, as the user wrote it and as compiled."""

    source_text: str
    destination_text: str
    source: Selector
    destination: Selector
    wanted: Traffic


def wanted_traffic(protocol: str | None, port: str | None) -> Traffic:
    """The traffic asked about; a port without a protocol means that port on tcp and udp."""
    protocols = _TCP_AND_UDP if port is not None and protocol is None else None
    if protocol is not None:
        try:
            protocols = parse_protocol(protocol)
        except ValueError:
            raise InputError(
                f"{protocol!r} is not a protocol (expected tcp, udp, icmp, all or 0-255)",
                "--protocol",
            ) from None
    if port is None:
        return Traffic.box(protocols) if protocols is not None else Traffic.everything()
    try:
        ports = ports_from_spec(port.split(","))  # an empty item ("22,,80") is no port either
    except ValueError:
        raise InputError(
            f"{port!r} is not a port, a range like 8000-8080, or a list of them", "--port"
        ) from None
    assert protocols is not None
    if not protocols.issubset(_TCP_AND_UDP):
        raise InputError(
            f"ports apply only to tcp and udp, not to protocol {protocol!r}", "--protocol"
        )
    return Traffic.box(protocols, ports=ports)


def run_query(
    paths: list[Path],
    source_text: str,
    destination_text: str,
    *,
    protocol: str | None = None,
    port: str | None = None,
    groups_file: Path | None = None,
    assume_unknown: AssumeUnknown = "open",
    options: LoadOptions | None = None,
) -> tuple[Question, Answer]:
    """Answer the question about the model of `paths` (selectors checked before it loads)."""
    from reachlint.commands.design.common import analyse
    from reachlint.commands.design.selector_text import parse_cli_selector, read_groups
    from reachlint.sensitive import hidden

    groups = read_groups(groups_file) if groups_file is not None else None
    question = Question(
        source_text=source_text,
        destination_text=destination_text,
        source=parse_cli_selector(source_text, groups, "--from"),
        destination=parse_cli_selector(destination_text, groups, "--to"),
        wanted=wanted_traffic(protocol, port),
    )
    model, analysis = analyse(paths, assume_unknown, options)
    answer = ask(model, analysis, question)
    if assume_unknown == "closed":
        answer.if_unknowns_allow = _if_unknowns_allow(model, analysis, question)
    return question, hidden(answer, model.sensitive)


def _if_unknowns_allow(
    model: NetworkModel, closed: Analysis, question: Question
) -> list[RoutePath]:
    """What an open analysis of the same model reaches beyond what the closed one does: per
    pair, the routes of the traffic only the open one lets through."""
    from reachlint.engine.analysis import Analysis

    certain = _Asker(model, closed, question).reached()
    extra: list[_Pair] = []
    for key, pair in _Asker(model, Analysis(model, "open"), question).reached().items():
        known = certain.get(key)
        beyond = pair.reachable - known.reachable if known is not None else pair.reachable
        routes: dict[tuple[str, ...], _Route] = {}
        for hops, route in pair.routes.items():
            if traffic := route.traffic & beyond:
                # The rules shown are those for this traffic, unless a load balancer's
                # frontend hears other ports than its targets do.
                admitted = route.admitted & traffic if route.admitted == route.traffic else None
                routes[hops] = replace(route, traffic=traffic, admitted=admitted or route.admitted)
        if routes:
            extra.append(replace(pair, reachable=beyond, routes=routes))
    return _answer(extra, [], model).paths


# ----- answering ------------------------------------------------------------------------------


class _Chosen(Struct):
    """A subject a selector picked, with the addresses it holds for (narrowed for externals)."""

    subject: EndSubject
    addresses: IntervalSet
    doubts: tuple[str, ...] = ()  # tags not known that, when open, picked it


# The ends a selector picked, by end: each end with the subjects of it that it picked.
_Picked = dict[EndKey, tuple[End, list[_Chosen]]]


class _Route(Struct):
    traffic: Traffic
    path: list[Hop]
    admitted: Traffic  # what the path's filter rules are shown for (as it arrives)
    unknowns: set[str] = field(default_factory=set)


class _Pair(Struct):
    source: EndSubject
    destination: EndSubject
    reachable: Traffic = field(default_factory=Traffic)
    dropped: Traffic = field(default_factory=Traffic)
    # Keyed by the sequence of hop addresses: one path per distinct route.
    routes: dict[tuple[str, ...], _Route] = field(default_factory=dict)

    def add(
        self,
        flow: Flow,
        traffic: Traffic,
        admitted: Traffic | None = None,
        doubts: tuple[str, ...] = (),
    ) -> None:
        """`admitted`: the flow's traffic the path's rules admit, when `traffic` is counted
        at a load balancer's frontend rather than where the flow arrives; `doubts`: the ends'
        tags, not known, that the question's selectors rest on."""
        if flow.state != "reachable":
            self.dropped = self.dropped | traffic
            return
        self.reachable = self.reachable | traffic
        key = tuple(hop.address for hop in flow.path)
        route = self.routes.get(key)
        if route is None:
            route = self.routes[key] = _Route(traffic, flow.path, admitted or traffic)
        else:
            route.traffic = route.traffic | traffic
            route.admitted = route.admitted | (admitted or traffic)
        if flow.unknowns:
            route.unknowns |= rests_on(flow.unknowns, traffic)
        route.unknowns.update(doubts)


class _Asker:
    def __init__(self, model: NetworkModel, analysis: Analysis, question: Question) -> None:
        self.model = model
        self.analysis = analysis
        self.question = question
        self.ends = Ends(model, analysis.reachability)
        self.matcher = Matcher(model)
        self.open_unknowns = analysis.reachability.assume_unknown == "open"
        self._explained: dict[tuple[EndKey, EndKey, IntervalSet, str, str], Blocked | None] = {}

    def reached(self) -> dict[tuple[str, str], _Pair]:
        """The pairs of ends something reaches, with their routes."""
        question = self.question
        sources = self._choose(question.source, "--from", question.source_text)
        destinations = self._choose(question.destination, "--to", question.destination_text)
        return {
            key: pair
            for key, pair in self._reached(sources, destinations).items()
            if pair.reachable
        }

    def answer(self) -> Answer:
        question = self.question
        sources = self._choose(question.source, "--from", question.source_text)
        destinations = self._choose(question.destination, "--to", question.destination_text)
        pairs = self._reached(sources, destinations)
        blocked: list[BlockedPair] = []
        unanswered: list[tuple[EndSubject, EndSubject]] = []
        reached = [pair for pair in pairs.values() if pair.reachable]
        # Pairs explained, reached ones first: a question about every end of a large network
        # asks about millions, each a path or an explanation that no one reads.
        room = max(0, MAX_LISTED_PAIRS - len(reached))
        unlisted = max(0, len(reached) - MAX_LISTED_PAIRS)
        for (source_end, chosen_sources), (destination_end, chosen_destinations) in product(
            sources.values(), destinations.values()
        ):
            for source in chosen_sources:
                for destination in chosen_destinations:
                    pair = pairs.get((source.subject.address, destination.subject.address))
                    if pair is not None and pair.reachable:
                        continue
                    if source.subject.address == destination.subject.address:
                        unanswered.append((source.subject, destination.subject))
                        continue
                    if isinstance(source_end, External) and isinstance(destination_end, External):
                        unanswered.append((source.subject, destination.subject))
                        continue
                    if room == 0:
                        unlisted += 1
                        continue
                    room -= 1
                    blocks = self._blocks(source_end, destination_end, source, destination, pair)
                    blocked.extend(
                        _blocked_pair(source.subject, destination.subject, b) for b in blocks
                    )
        if not reached and not blocked and not unlisted:
            # Only an end to itself, or two external ends, was asked about.
            blocked = [_not_a_flow(source, destination) for source, destination in unanswered[:1]]
        answer = _answer(reached, _dedupe(blocked), self.model)
        answer.unlisted_pairs = unlisted or None
        return answer

    def _choose(self, selector: Selector, option: str, text: str) -> _Picked:
        chosen: _Picked = {}
        selects_some = False
        for end, subjects in self.ends.all():
            picked = []
            for subject in subjects:
                # Open: an end whose tags are not known may be the one asked about.
                least, most, doubts = self.matcher.bounds(selector, subject)
                space = address_space(self.model, end)
                selects_some = selects_some or bool(most & space)
                addresses = (most if self.open_unknowns else least) & space
                if addresses:
                    picked.append(_Chosen(subject, addresses, doubts if self.open_unknowns else ()))
            if picked:
                chosen[end_key(end)] = (end, picked)
        if not selects_some:
            raise InputError(
                f"{text!r} selects nothing in the model: no endpoint, internet or on-premises "
                "end matches it",
                option,
            )
        return chosen

    def _reached(
        self,
        sources: _Picked,
        destinations: _Picked,
    ) -> dict[tuple[str, str], _Pair]:
        wanted = self.question.wanted
        pairs: dict[tuple[str, str], _Pair] = {}
        # A pass-through load balancer is asked about through the flows that pass it.
        balancers: dict[str, list[_Chosen]] = {}
        for _end, chosen in destinations.values():
            for item in chosen:
                if passes_through(self.model, item.subject.address):
                    balancers.setdefault(item.subject.address, []).append(item)
        for flow in self.analysis.reachability.flows:
            source_side = sources.get(end_key(flow.source))
            if source_side is None:
                continue
            for balancer in load_balancers_on(flow.path) if balancers else ():
                if balancer in balancers:
                    heard = frontend_traffic(self.model, flow, balancer) & wanted
                    chosen = balancers[balancer]
                    self._add(pairs, flow, heard, source_side[1], chosen, flow.traffic)
            destination_side = destinations.get(end_key(flow.destination))
            if destination_side is None:
                continue
            self._add(pairs, flow, flow.traffic & wanted, source_side[1], destination_side[1])
        return pairs

    def _add(
        self,
        pairs: dict[tuple[str, str], _Pair],
        flow: Flow,
        asked: Traffic,
        sources: list[_Chosen],
        destinations: list[_Chosen],
        admitted: Traffic | None = None,
    ) -> None:
        """Count `asked` of `flow` for every pair of chosen subjects it joins."""
        if asked:
            for source in sources:
                for destination in destinations:
                    if source.subject.address == destination.subject.address:
                        continue  # a flow from an endpoint to itself is not a flow
                    addresses = source.addresses & destination.addresses
                    traffic = (
                        asked if addresses == ALL_ADDRESSES else asked.only_addresses(addresses)
                    )
                    if not traffic:
                        continue
                    key = (source.subject.address, destination.subject.address)
                    pair = pairs.get(key)
                    if pair is None:
                        pair = pairs[key] = _Pair(source.subject, destination.subject)
                    pair.add(flow, traffic, admitted, (*source.doubts, *destination.doubts))

    def _blocks(
        self,
        source_end: End,
        destination_end: End,
        source: _Chosen,
        destination: _Chosen,
        pair: _Pair | None,
    ) -> list[Blocked]:
        addresses = source.addresses & destination.addresses
        names = (source.subject.address, destination.subject.address)
        key = (end_key(source_end), end_key(destination_end), addresses, *names)
        wanted = self.question.wanted
        if addresses != ALL_ADDRESSES:
            wanted = wanted.only_addresses(addresses)

        def explain(part: Traffic) -> Blocked | None:
            return self.analysis.explain(
                source_end, destination_end, part, source_endpoint=names[0],
                destination_endpoint=names[1],
            )  # fmt: skip

        if key not in self._explained:
            self._explained[key] = explain(wanted)
        found = self._explained[key]
        # A target is meant to be reached through its load balancer: what stops it there says
        # more than what stops the direct way (which a private target always lacks).
        if isinstance(destination_end, EndpointClass):
            via = self.analysis.explain_through_balancers(
                source_end, destination_end, self.question.wanted, destination_endpoint=names[1]
            )
            if via is not None:
                return [via]
        if found is not None:
            return [found]
        # No one component stops every protocol asked (a network ACL denies tcp 22, a group
        # udp 22): what stops each, when each has one.
        parts = [wanted & Traffic.box(parse_protocol(e.protocol)) for e in traffic_entries(wanted)]
        each = [explain(part) for part in parts] if len(parts) > 1 else []
        if each and all(blocked is not None for blocked in each):
            return [blocked for blocked in each if blocked is not None]
        return [self._unexplained(source.subject, destination.subject, pair)]

    def _unexplained(
        self, source: EndSubject, destination: EndSubject, pair: _Pair | None
    ) -> Blocked:
        """Nothing on the direct way stops it, yet no flow arrives: say what is known."""
        at = end_ref(destination)
        origin = Origin(file=at.file, line=at.line)
        if pair is not None and pair.dropped:
            return Blocked(
                "reply-dropped",
                at.address,
                at.kind,
                f"{pair.dropped.text()} from {source.address} arrives at {destination.address}, "
                "but the TCP replies do not get back",
                origin,
            )
        return Blocked(
            "no-path",
            at.address,
            at.kind,
            f"no path from {source.address} to {destination.address} carries "
            f"{traffic_words(self.question.wanted)}",
            origin,
        )


def ask(model: NetworkModel, analysis: Analysis, question: Question) -> Answer:
    """The answer to `question` about `model` (whose reachability `analysis` holds)."""
    return _Asker(model, analysis, question).answer()


def _blocked_pair(source: EndSubject, destination: EndSubject, blocked: Blocked) -> BlockedPair:
    return BlockedPair(
        source=end_ref(source),
        destination=end_ref(destination),
        at=Blocking(
            address=blocked.address,
            kind=blocked.kind,
            file=blocked.origin.file,
            line=blocked.origin.line,
        ),
        code=blocked.code,
        reason=blocked.reason,
    )


def _not_a_flow(source: EndSubject, destination: EndSubject) -> BlockedPair:
    if source.address == destination.address:
        reason = f"{source.address} is both ends: a flow from an endpoint to itself is not a flow"
    else:
        reason = f"{source.address} and {destination.address} are both outside the cloud"
    end = end_ref(destination)
    return BlockedPair(
        source=end_ref(source),
        destination=end,
        at=Blocking(address=end.address, kind=end.kind, file=end.file, line=end.line),
        code="no-path",
        reason=reason,
    )


def _dedupe(blocked: list[BlockedPair]) -> list[BlockedPair]:
    """One entry per pair and reason (an endpoint's interfaces often share one)."""
    seen: set[tuple[str, str, str, str, str]] = set()
    kept = []
    for entry in blocked:
        key = (
            entry.source.address,
            entry.destination.address,
            entry.code,
            entry.at.address,
            entry.reason,
        )
        if key not in seen:
            seen.add(key)
            kept.append(entry)
    kept.sort(key=lambda entry: (entry.source.address, entry.destination.address))
    return kept


def _answer(reached: list[_Pair], blocked: list[BlockedPair], model: NetworkModel) -> Answer:
    from reachlint.rules.references import depends_on

    total = Traffic()
    paths = []
    sides: set[str] = set()  # where the outside ends are: the internet, on-premises sites
    ordered = sorted(reached, key=lambda p: (p.source.address, p.destination.address))
    for pair in ordered[MAX_LISTED_PAIRS:]:
        total = total | pair.reachable
    for pair in ordered[:MAX_LISTED_PAIRS]:
        total = total | pair.reachable
        source, destination = end_ref(pair.source), end_ref(pair.destination)
        external = bool({source.kind, destination.kind} & _OUTSIDE)
        sides.add(external_side(source.kind) if external else "")
        for route in pair.routes.values():
            paths.append(
                RoutePath(
                    source=source,
                    destination=destination,
                    traffic=entries_of(route.traffic),
                    traffic_by_addresses=traffic_by_addresses(route.traffic) if external else None,
                    path=hop_refs(route.path, route.admitted),
                    depends_on_unknown=depends_on(
                        route.unknowns, pair.source, pair.destination, model.endpoints
                    )
                    or None,
                )
            )
    return Answer(
        reachable=bool(reached),
        traffic=entries_of(total),
        # Over all pairs only when every pair has its outside end on the same side.
        traffic_by_addresses=traffic_by_addresses(total) if sides in ({"from"}, {"to"}) else None,
        paths=paths,
        blocked=blocked,
    )


_OUTSIDE = frozenset({"internet", "onprem"})


def entries_of(traffic: Traffic) -> list[TrafficEntry]:
    return traffic_entries(traffic)


def traffic_words(traffic: Traffic) -> str:
    text = traffic.text()
    return "all protocols and ports" if text == "all" else text
