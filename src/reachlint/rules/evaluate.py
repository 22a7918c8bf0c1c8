"""Checking rules against the engine's flows (Network Access Analyzer's MatchPaths/ExcludePaths).

A finding is traffic of a flow that a rule's `match` covers and none of its `allow` entries
covers, for one pair of endpoints. The engine's flows run between classes of interfaces, so the
work is done per class, not per pair: members of a class are grouped by which selectors hold
for them (their signature), the left-over traffic is computed once per flow and pair of
signatures, and only then spread over the member pairs.
"""

from __future__ import annotations

from msgspec.structs import replace

from reachlint.engine.flows import (
    End,
    EndpointClass,
    External,
    Flow,
    FlowState,
    Reachability,
)
from reachlint.model.network import Endpoint, Interface, NetworkModel
from reachlint.model.traffic import (
    ALL_ADDRESSES,
    ALL_PORTS,
    ALL_PROTOCOLS,
    PORT_MAX,
    TCP,
    UDP,
    IntervalSet,
    Traffic,
    addresses_as_cidrs,
    narrower_than_public,
)
from reachlint.rules.findings import (
    SEVERITIES,
    AddressedTraffic,
    EndRef,
    Finding,
    HopRef,
    TrafficEntry,
    UnknownPart,
    addressed_text,
    entries_text,
    external_side,
    joined_parts,
    traffic_by_addresses,
    traffic_entries,
)
from reachlint.rules.gathering import (
    NO_DOUBTS,
    Doubts,
    Lean,
    Pending,
    Signature,
    SignatureGroup,
)
from reachlint.rules.paths import covering_path, hop_refs, traffic_size
from reachlint.rules.references import depends_on, end_ref
from reachlint.rules.ruleset import Entry, Rule, RuleSet, Same
from reachlint.rules.selectors import Bounds, EndSubject, Matcher, Selector

_ANY_PORT_PROTOCOLS = (TCP, UDP)
# Every port a connection can use: port 0 is reserved and carries none (RFC 6335, section 6),
# so 1-65535 open is every port.
_USABLE_PORTS = IntervalSet([(1, PORT_MAX)])


Withdrawn = dict[str, dict[tuple[str, str], Traffic]]


def evaluate(
    rules: RuleSet,
    model: NetworkModel,
    reach: Reachability,
    withdrawn: Withdrawn | None = None,
    *,
    missing_names: bool = False,
) -> list[Finding]:
    """Every finding of every rule, most severe first, then by rule, source and destination.

    `withdrawn`: per rule and pair of ends, traffic the rule does not report after all (a
    suppression took away the every-port opening it stood for): rules deferring to it do.
    `missing_names`: a name in a Network Access Scope that the model lacks selects nothing
    (the base of a change), instead of being an input error.
    """
    from reachlint.rules.scope_binding import bind_scope

    evaluation = _Evaluation(model, withdrawn or {}, reach.assume_unknown == "open")
    bound = [
        bind_scope(rule, model, missing_names=missing_names) if rule.scope is not None else rule
        for rule in rules.rules
    ]
    findings = [
        finding
        for rule in _deference_order(bound)
        for finding in evaluation.rule(rule, reach.flows)
    ]
    findings.sort(
        key=lambda finding: (
            -SEVERITIES.index(finding.severity),
            finding.rule,
            finding.source.address,
            finding.destination.address,
        )
    )
    return findings


def _deference_order(rules: list[Rule]) -> list[Rule]:
    """The rules with every rule after the active rules it defers to."""
    by_id = {rule.id: rule for rule in rules}
    ordered: list[Rule] = []
    placed: set[str] = set()

    def place(rule: Rule) -> None:
        if rule.id in placed:
            return
        placed.add(rule.id)  # before its targets: the loader has refused cycles
        for target in rule.defers_to:
            if target in by_id:
                place(by_id[target])
        ordered.append(rule)

    for rule in rules:
        place(rule)
    return ordered


class _Evaluation:
    def __init__(self, model: NetworkModel, withdrawn: Withdrawn, open_unknowns: bool) -> None:
        self.model = model
        self.withdrawn = withdrawn
        # Open: an end whose tags may be those a match names is matched, and one whose tags
        # may not be those an allow entry names is not allowed; the findings name the tags.
        # Closed: each tag not known is taken the way that reports less.
        self.open_unknowns = open_unknowns
        self.matcher = Matcher(model)
        self._subjects: dict[tuple[str, str | int], list[EndSubject]] = {}
        self._signatures: dict[
            tuple[Rule, int, int, tuple[str, str | int]], list[SignatureGroup]
        ] = {}
        self._allowed: dict[tuple[Entry, IntervalSet], Traffic] = {}
        self._sizes: dict[Traffic, int] = {}
        self._descriptions: dict[Traffic, tuple[list[TrafficEntry], str]] = {}
        self._addresses: dict[Traffic, list[str] | None] = {}
        self._address_parts: dict[Traffic, list[AddressedTraffic] | None] = {}
        self._end_refs: dict[str, EndRef] = {}
        # By identity: the flows (and so their path lists) live as long as the evaluation.
        self._hop_refs: dict[tuple[int, Traffic], list[HopRef]] = {}
        # Rule id -> (source, destination) -> the traffic its findings report, and the state
        # of the flows it reports (a rule defers only to rules about flows in its own state).
        self.reported: dict[str, dict[tuple[str, str], Traffic]] = {}
        self._states: dict[str, FlowState] = {}

    def rule(self, rule: Rule, flows: list[Flow]) -> list[Finding]:
        covered = self._covered(rule)
        pending: dict[tuple[str, str], Pending] = {}
        for index, match in enumerate(rule.matches):
            self._match(rule, index, match, flows, covered, pending)
        findings: list[Finding] = []
        reported: dict[tuple[str, str], Traffic] = {}
        for key, gathered in pending.items():
            # The condition is the rule's own: whether all ports are open does not depend on
            # which rule reports some of them.
            if not gathered.traffic or (
                rule.only_if is not None and not _covers_all_ports(gathered.seen)
            ):
                continue
            reported[key] = gathered.traffic
            findings.append(self._finding(rule, gathered, self._elsewhere(rule, key, gathered)))
        self.reported[rule.id] = reported
        self._states[rule.id] = rule.match.state
        return findings

    def _match(
        self,
        rule: Rule,
        index: int,
        match: Entry,
        flows: list[Flow],
        covered: dict[tuple[str, str], Traffic],
        pending: dict[tuple[str, str], Pending],
    ) -> None:
        """Gather the left-over traffic of the flows one of the rule's matches covers."""
        requested_services = Traffic.box(match.protocols, ALL_ADDRESSES, match.ports)
        every_service = match.protocols == ALL_PROTOCOLS and match.ports == ALL_PORTS
        numbered = list(enumerate(rule.allow, start=1))
        # Entries that name no component allow the same for every flow: no path to read.
        by_path = any(entry.throughs for entry in rule.allow)
        # The ends' groups by the end object itself, which the flows share and keep alive.
        by_source: dict[int, list[SignatureGroup]] = {}
        by_destination: dict[int, list[SignatureGroup]] = {}
        state, same = match.state, match.same
        for flow in flows:
            if flow.state != state or (same is not None and not _same(same, flow)):
                continue
            # Cheapest first: most flows fail on their ends, which are grouped once per class.
            sources = by_source.get(id(flow.source))
            if sources is None:
                sources = by_source[id(flow.source)] = self._groups(rule, index, 0, flow.source)
            if not sources:
                continue
            destinations = by_destination.get(id(flow.destination))
            if destinations is None:
                destinations = self._groups(rule, index, 1, flow.destination)
                by_destination[id(flow.destination)] = destinations
            if not destinations:
                continue
            # Components of the path whose tags are not known: open, the match may pass them
            # and an allow entry may not. `other` is the same taken the other way: where the
            # result differs, the findings name those tags (see _named).
            lean = Lean(True, True, (), numbered, numbered)
            if match.throughs:
                through = self._path_lean(match, flow, matching=True)
                if not through.passes:
                    continue
                lean = Lean(True, through.other, through.doubts, numbered, numbered)
            requested = flow.traffic if every_service else flow.traffic & requested_services
            if not requested:
                continue
            if by_path:
                lean = self._allows_lean(lean, numbered, flow)
            for source_group in sources:
                for destination_group in destinations:
                    left_over = self._left_over(
                        requested, source_group.signature, destination_group.signature, lean.allows
                    )
                    if left_over:
                        named = self._named(
                            left_over, requested, source_group, destination_group, lean
                        )
                        self._spread(
                            pending, left_over, flow, source_group, destination_group, covered,
                            named,
                        )  # fmt: skip

    def _path_lean(self, entry: Entry, flow: Flow, matching: bool) -> Lean:
        """Whether every component the entry names is on the flow's path, as the rule leans
        (a match: may be, when open; an allow: surely is, when open) and the other way."""
        least = most = True
        doubts: tuple[str, ...] = ()
        for selector in entry.throughs:
            some_least, some_most, found = self.matcher.through(selector, flow.path)
            least, most, doubts = least and some_least, most and some_most, doubts + found
        widest = matching == self.open_unknowns
        named = doubts if self.open_unknowns and least != most else ()
        return Lean(most if widest else least, least if widest else most, named, [], [])

    def _allows_lean(self, lean: Lean, numbered: list[tuple[int, Entry]], flow: Flow) -> Lean:
        """The allow entries whose components are on the flow's path, as the rule leans and the
        other way."""
        allows: list[tuple[int, Entry]] = []
        others: list[tuple[int, Entry]] = []
        doubts = lean.doubts
        for position, entry in numbered:
            entry_lean = self._path_lean(entry, flow, matching=False)
            if entry_lean.passes:
                allows.append((position, entry))
            if entry_lean.other:
                others.append((position, entry))
            doubts += entry_lean.doubts
        return Lean(lean.passes, lean.other, doubts, allows, others)

    def _named(
        self,
        left_over: Traffic,
        requested: Traffic,
        sources: SignatureGroup,
        destinations: SignatureGroup,
        lean: Lean,
    ) -> Doubts:
        """The tags not known that this left-over rests on: none unless taking them the other
        way (every one at once) leaves over something else."""
        if not (lean.doubts or sources.other or destinations.other):
            return NO_DOUBTS
        other = Traffic()
        if lean.other:
            other = self._left_over(
                requested,
                sources.other or sources.signature,
                destinations.other or destinations.signature,
                lean.other_allows,
            )
        if other == left_over:
            return NO_DOUBTS
        return Doubts(sources.doubts, destinations.doubts, lean.doubts)

    def _deferred_to(self, rule: Rule) -> list[str]:
        """The rules this one defers to that are active and about flows in its state."""
        return [t for t in rule.defers_to if self._states.get(t) == rule.match.state]

    def _covered(self, rule: Rule) -> dict[tuple[str, str], Traffic]:
        """Per pair of ends, what the active rules this one defers to have reported."""
        covered: dict[tuple[str, str], Traffic] = {}
        for target in self._deferred_to(rule):
            for key, traffic in self._reported_by(target).items():
                known = covered.get(key)
                covered[key] = known | traffic if known is not None else traffic
        return covered

    def _reported_by(self, rule_id: str) -> dict[tuple[str, str], Traffic]:
        """What a rule reports per pair of ends, less what it withdrew."""
        reported = self.reported[rule_id]
        withdrawn = self.withdrawn.get(rule_id)
        if not withdrawn:
            return reported
        kept = {key: traffic - withdrawn.get(key, Traffic()) for key, traffic in reported.items()}
        return {key: traffic for key, traffic in kept.items() if traffic}

    def _elsewhere(self, rule: Rule, key: tuple[str, str], gathered: Pending) -> str:
        """The traffic of this pair that rules deferred to report, and under which rule."""
        parts = []
        for target in self._deferred_to(rule):
            reported = self._reported_by(target).get(key)
            if reported is not None and (gathered.seen & reported):
                parts.append(f"{(gathered.seen & reported).text()}, reported under {target}")
        return "; ".join(parts)

    def _left_over(
        self,
        requested: Traffic,
        source: Signature,
        destination: Signature,
        allows: list[tuple[int, Entry]],
    ) -> Traffic:
        # Selectors narrow the address axis: the addresses of the external end, if there is one.
        addresses = source[0] & destination[0]
        left = requested if addresses == ALL_ADDRESSES else requested.only_addresses(addresses)
        for index, entry in allows:
            if not left:
                break
            allowed_addresses = source[index] & destination[index]
            if allowed_addresses:
                left = left - self._allowed_traffic(entry, allowed_addresses)
        return left

    def _allowed_traffic(self, entry: Entry, addresses: IntervalSet) -> Traffic:
        key = (entry, addresses)
        traffic = self._allowed.get(key)
        if traffic is None:
            traffic = self._allowed[key] = entry.traffic(addresses)
        return traffic

    def _spread(
        self,
        pending: dict[tuple[str, str], Pending],
        left_over: Traffic,
        flow: Flow,
        sources: SignatureGroup,
        destinations: SignatureGroup,
        covered: dict[tuple[str, str], Traffic],
        named: Doubts,
    ) -> None:
        size = self._size(left_over)
        for source in sources.subjects:
            for destination in destinations.subjects:
                if source.address == destination.address:
                    continue  # a flow from an endpoint to itself is not a flow
                key = (source.address, destination.address)
                gathered = pending.get(key)
                if gathered is None:
                    gathered = pending[key] = Pending(source, destination)
                reported = covered.get(key)
                doubts = named.of_ends(source.address, destination.address)
                if reported is None:
                    gathered.add(left_over, left_over, size, flow, doubts, named.path)
                else:
                    rest = left_over - reported
                    gathered.add(left_over, rest, self._size(rest), flow, doubts, named.path)

    def _groups(self, rule: Rule, match: int, side: int, end: End) -> list[SignatureGroup]:
        """The members of one end grouped by signature (members the match misses left out)."""
        key = (rule, match, side, _end_key(end))
        groups = self._signatures.get(key)
        if groups is not None:
            return groups
        entries = (rule.matches[match], *rule.allow)
        selectors = [entry.source if side == 0 else entry.destination for entry in entries]
        # Subjects alike share a group whatever their tags' names; the names are kept apiece.
        by_signature: dict[tuple[Signature, Signature | None], SignatureGroup] = {}
        first, others = selectors[0], selectors[1:]
        open_unknowns = self.open_unknowns
        for subject in self._end_subjects(end):
            least, most, doubts = self._bounds(first, subject)
            matched = most if open_unknowns else least
            if not matched:  # most ends: the allow entries need not be asked
                continue
            signature, other = [matched], [least if open_unknowns else most]
            for selector in others:
                least, most, allow_doubts = self._bounds(selector, subject)
                signature.append(least if open_unknowns else most)
                other.append(most if open_unknowns else least)
                doubts += allow_doubts
            doubted = open_unknowns and signature != other
            found = (tuple(signature), tuple(other) if doubted else None)
            group = by_signature.get(found)
            if group is None:
                group = by_signature[found] = SignatureGroup(found[0], [], found[1])
            group.subjects.append(subject)
            if doubted and doubts:
                group.doubts[subject.address] = tuple(dict.fromkeys(doubts))
        groups = list(by_signature.values())
        self._signatures[key] = groups
        return groups

    def _bounds(self, selector: Selector | None, subject: EndSubject) -> Bounds:
        if selector is None:
            return ALL_ADDRESSES, ALL_ADDRESSES, ()
        return self.matcher.bounds(selector, subject)

    def _end_subjects(self, end: End) -> list[EndSubject]:
        key = _end_key(end)
        subjects = self._subjects.get(key)
        if subjects is None:
            if isinstance(end, External):
                subjects = [EndSubject(address=end.address, external=end)]
            else:
                subjects = [
                    self._member_subject(end, member.endpoint, member.interface)
                    for member in end.members
                ]
            self._subjects[key] = subjects
        return subjects

    def _member_subject(
        self, endpoint_class: EndpointClass, address: str, interface_address: str
    ) -> EndSubject:
        endpoint = self.model.endpoints.get(address)
        return EndSubject(
            address=address,
            endpoint=endpoint,
            interface=_interface(endpoint, interface_address),
            endpoint_class=endpoint_class,
        )

    def _size(self, traffic: Traffic) -> int:
        size = self._sizes.get(traffic)
        if size is None:
            size = self._sizes[traffic] = traffic_size(traffic)
        return size

    def _unknowns_of(self, gathered: Pending) -> list[str]:
        found = depends_on(
            gathered.unknowns, gathered.source, gathered.destination, self.model.endpoints
        )
        return sorted({*found, *gathered.path_doubts}) if gathered.path_doubts else found

    def _finding(self, rule: Rule, gathered: Pending, elsewhere: str = "") -> Finding:
        source, destination = self._end_ref(gathered.source), self._end_ref(gathered.destination)
        traffic = gathered.traffic
        carrier = gathered.carrier
        assert carrier is not None  # what a finding reports came with a flow
        entries, text = self._described(traffic)
        parts: list[AddressedTraffic] | None = None
        external = gathered.source.external is not None or gathered.destination.external is not None
        if external:
            parts = self._parts(traffic)
        if parts:
            side = external_side(source.kind)
            text = joined_parts(
                [addressed_text(entries_text(part.traffic), part.addresses, side) for part in parts]
            )
        if rule.match.state == "reply-dropped":
            message = (
                f"{source.address} reaches {destination.address} on {text}, "
                "but the replies are dropped"
            )
        else:
            message = f"{source.address} reaches {destination.address} on {text}"
        if elsewhere:
            message += f" (and on {elsewhere})"
        addresses: list[str] | None = None
        if external:
            addresses = self._outside_addresses(traffic)
        return Finding(
            rule=rule.id,
            severity=rule.severity,
            title=rule.heading,
            message=message,
            source=source,
            destination=destination,
            traffic=entries,
            path=self._path_refs(carrier, gathered.flows, traffic),
            addresses=addresses,
            traffic_by_addresses=parts,
            state=rule.match.state,
            depends_on_unknown=self._unknowns_of(gathered) or None,
            depends_on_unknown_for=self._unknown_parts(gathered),
        )

    def _unknown_parts(self, gathered: Pending) -> list[UnknownPart] | None:
        """The values not known that decide only part of the finding's traffic, with it: the
        ends' tags and the path's decide the whole."""
        parts: dict[str, Traffic] = {}
        whole = {*gathered.unknowns - gathered.unknown_parts.keys(), *gathered.path_doubts}
        for name, part in gathered.unknown_parts.items():
            for shown in depends_on(
                [name], gathered.source, gathered.destination, self.model.endpoints
            ):
                parts[shown] = parts[shown] | part if shown in parts else part
        for name in depends_on(whole, gathered.source, gathered.destination, self.model.endpoints):
            parts.pop(name, None)
        found = []
        for name, part in sorted(parts.items()):
            decided = part & gathered.traffic
            if decided and decided != gathered.traffic:
                found.append(UnknownPart(value=name, traffic=self._described(decided)[0]))
        return found or None

    # Many findings share their traffic, ends and paths: each is rendered once.

    def _described(self, traffic: Traffic) -> tuple[list[TrafficEntry], str]:
        described = self._descriptions.get(traffic)
        if described is None:
            entries = traffic_entries(traffic)
            text = traffic.text()
            described = (entries, "all protocols and ports" if text == "all" else text)
            self._descriptions[traffic] = described
        return described

    def _parts(self, traffic: Traffic) -> list[AddressedTraffic] | None:
        if traffic not in self._address_parts:
            self._address_parts[traffic] = traffic_by_addresses(traffic)
        return self._address_parts[traffic]

    def _outside_addresses(self, traffic: Traffic) -> list[str] | None:
        if traffic not in self._addresses:
            reached = traffic.addresses()
            narrowed = narrower_than_public(reached)
            self._addresses[traffic] = addresses_as_cidrs(reached) if narrowed else None
        return self._addresses[traffic]

    def _end_ref(self, subject: EndSubject) -> EndRef:
        reference = self._end_refs.get(subject.address)
        if reference is None:
            reference = end_ref(subject)
            label = self.model.labels.get(subject.address)
            if label:
                reference = replace(reference, label=label)
            self._end_refs[subject.address] = reference
        return reference

    def _path_refs(self, carrier: Flow, flows: list[Flow], traffic: Traffic) -> list[HopRef]:
        """The path's hops; of the filter rules, only those that admit this finding's traffic."""
        if len(flows) > 1:
            return hop_refs(covering_path(carrier, flows, traffic), traffic)
        path = carrier.path
        key = (id(path), traffic)
        references = self._hop_refs.get(key)
        if references is None:
            references = self._hop_refs[key] = hop_refs(path, traffic)
        return references


def _end_key(end: End) -> tuple[str, str | int]:
    if isinstance(end, External):
        return end.kind, end.address
    return "class", end.id


def _interface(endpoint: Endpoint | None, address: str) -> Interface | None:
    if endpoint is None:
        return None
    return next((i for i in endpoint.interfaces if i.address == address), None)


def _same(same: Same, flow: Flow) -> bool:
    """Both ends sit in the same subnet / network (never true with an external end)."""
    source, destination = flow.source, flow.destination
    if not isinstance(source, EndpointClass) or not isinstance(destination, EndpointClass):
        return False
    here = source.subnet if same == "subnet" else source.network
    there = destination.subnet if same == "subnet" else destination.network
    return here is not None and here == there


def _covers_all_ports(traffic: Traffic) -> bool:
    """Some address gets every usable TCP port, or every usable UDP port (every protocol
    includes both)."""
    for protocol in _ANY_PORT_PROTOCOLS:
        addresses = traffic.addresses_with(protocol, _USABLE_PORTS)
        if not addresses:
            continue
        wanted = Traffic.box(IntervalSet([(protocol, protocol)]), addresses, _USABLE_PORTS)
        missing = wanted - traffic
        if addresses - missing.addresses():
            return True
    return False
