"""What a rule gathers while it reads the flows: the ends grouped by the selectors that hold
for them, how a flow's path decides the rule's components, and the finding being built for each
pair of endpoints."""

from __future__ import annotations

from msgspec import Struct, field

from reachlint.engine.flows import Flow, rests_on_parts
from reachlint.model.traffic import IntervalSet, Traffic
from reachlint.rules.ruleset import Entry
from reachlint.rules.selectors import EndSubject

# Per entry of a rule (its match, then each allow entry), where the entry's selector holds on
# one end.
Signature = tuple[IntervalSet, ...]


class Pending(Struct):
    """A finding being gathered from the flows between one pair of endpoints."""

    source: EndSubject
    destination: EndSubject
    # What the rule reports; `seen` also holds what a rule it defers to reports already.
    traffic: Traffic = field(default_factory=Traffic)
    seen: Traffic = field(default_factory=Traffic)
    carrier: Flow | None = None  # the flow whose path is shown, built only then
    # Every flow that carries some of it: the others' ways join the carrier's path for what
    # it does not carry (paths.covering_path).
    flows: list[Flow] = field(default_factory=list)
    largest: int = -1
    unknowns: set[str] = field(default_factory=set)
    # Of the flows' unknowns, the traffic each decides (the ends' tags decide all of it).
    unknown_parts: dict[str, Traffic] = field(default_factory=dict)
    # Tags not known of components on the path that the rule's selectors rest on (open only).
    path_doubts: set[str] = field(default_factory=set)

    def add(
        self,
        left_over: Traffic,
        reported: Traffic,
        size: int,
        flow: Flow,
        doubts: tuple[str, ...] = (),
        path_doubts: tuple[str, ...] = (),
    ) -> None:
        self.seen = self.seen | left_over if self.seen else left_over
        if not reported:
            return
        self.traffic = self.traffic | reported if self.traffic else reported
        self.flows.append(flow)
        # The path shown is the one that carries the most of the traffic.
        if size > self.largest:
            self.largest, self.carrier = size, flow
        if flow.unknowns:
            for name, part in rests_on_parts(flow.unknowns, left_over).items():
                known = self.unknown_parts.get(name)
                self.unknown_parts[name] = part if known is None else known | part
                self.unknowns.add(name)
        self.unknowns.update(doubts)  # the ends' tags the rule's selectors could not decide
        self.path_doubts.update(path_doubts)


class SignatureGroup(Struct):
    signature: Signature
    subjects: list[EndSubject]
    # Open: the signature with the tags not known taken the other way, when that differs,
    # and the names of those tags by subject.
    other: Signature | None = None
    doubts: dict[str, tuple[str, ...]] = field(default_factory=dict)


class Lean(Struct):
    """How the path's components decide for one flow: whether the match passes (as the rule
    leans, and the other way), the tags not known on the way, and the allow entries that pass
    each way."""

    passes: bool
    other: bool
    doubts: tuple[str, ...]
    allows: list[tuple[int, Entry]]
    other_allows: list[tuple[int, Entry]]


class Doubts(Struct, frozen=True):
    """The tags not known that a left-over rests on: the ends' by subject, and the path's."""

    sources: dict[str, tuple[str, ...]]
    destinations: dict[str, tuple[str, ...]]
    path: tuple[str, ...]

    def of_ends(self, source: str, destination: str) -> tuple[str, ...]:
        """The tags of these two ends among them."""
        if not (self.sources or self.destinations):
            return ()
        return (*self.sources.get(source, ()), *self.destinations.get(destination, ()))


NO_DOUBTS = Doubts({}, {}, ())
