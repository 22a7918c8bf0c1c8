"""Differential reachability: the flows a change opens and closes (`reachlint diff BASE HEAD`).

Both inputs are modelled and their flows computed; flows are compared per pair of ends, ends
being named by resource address so that they match across the two inputs. The engine's flows
run between classes of interfaces that differ from one input to the other, so interfaces are
first grouped by the pair of classes they belong to; only the groups whose traffic differs are
spread over their endpoints, which keeps a small change cheap on a large network.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec import Struct, field
from msgspec.structs import replace

from reachlint.engine.reach import AssumeUnknown
from reachlint.inputs.load import LoadOptions, build_model
from reachlint.rules.paths import path_through

# Changes listed with their paths, of each kind: each costs a path, and a change of a million
# flows (a few hostile lines can make one) is read by no one; the rest are counted.
MAX_LISTED_CHANGES = 10_000

if TYPE_CHECKING:
    from reachlint.engine.flows import Flow, FlowState, Reachability
    from reachlint.model.network import NetworkModel
    from reachlint.model.traffic import Traffic
    from reachlint.reports.schema import DiffReport, FlowChange, NoteRef
    from reachlint.rules.findings import EndRef, Finding, Severity

# An end of a flow: ("class", id) or ("external", address). A member: (endpoint, interface),
# or (external address, "") for the internet and on-premises sites.
EndKey = tuple[str, str | int]
Member = tuple[str, str]
Signature = tuple[EndKey | None, EndKey | None]  # the member's end in base, in head
Pair = tuple[str, str]


def run_diff(
    base: Path,
    head: Path,
    rules_files: list[Path],
    *,
    builtin: bool = True,
    assume_unknown: AssumeUnknown = "open",
    options: LoadOptions | None = None,
    base_rules: list[Path] | None = None,
) -> DiffReport:
    """Compare BASE and HEAD: the flows opened and closed, the rules each change breaks, and
    the suppressions the change adds (rules files against `base_rules` when given)."""
    from reachlint import __version__
    from reachlint.commands.changes.suppress_added import added_suppressions, rule_info
    from reachlint.engine.reach import compute_reachability
    from reachlint.errors import InputError
    from reachlint.reports.contents import describe_rules, notes_of
    from reachlint.reports.schema import DiffReport, DiffSummary, Tool
    from reachlint.rules import evaluate, load_rules

    for path in (base, head):
        if not path.exists():
            raise InputError("no such file or directory", file=str(path))
    ruleset = load_rules(rules_files, builtin=builtin)
    snapshots = []
    for path in (base, head):
        model = build_model([path], None, options)
        reach = compute_reachability(model, assume_unknown=assume_unknown)
        # A scope may name what the change adds: the base need not have it.
        findings = evaluate(ruleset, model, reach, missing_names=path is base)
        snapshots.append(Snapshot(model, reach, findings))
    before, after = snapshots
    compared = compare(before, after)
    opened, closed = compared.opened, compared.closed
    added = added_suppressions(
        [head],
        after.findings,
        [base],
        ruleset,
        base_rules=base_rules,
        builtin=builtin,
        rules_files=rules_files,
    )
    by_severity: dict[str, int] = {}
    for severity in ("critical", "high", "medium", "low"):
        count = sum(1 for change in opened if change.severity == severity)
        if count:
            by_severity[severity] = count
    return DiffReport(
        tool=Tool(version=__version__),
        base=[str(base)],
        head=[str(head)],
        opened=opened,
        closed=closed,
        summary=DiffSummary(
            opened=len(opened) + compared.opened_unlisted,
            closed=len(closed) + compared.closed_unlisted,
            by_severity=by_severity,
            new_suppressions=len(added) or None,
        ),
        notes=[*notes_of(after.model), *_unlisted_notes(compared)],
        new_suppressions=added or None,
        rules=[*describe_rules(ruleset), *([rule_info()] if added else [])],
        sensitive=before.model.sensitive | after.model.sensitive,
    )


class Snapshot(Struct):
    """One side of the comparison: the model, its flows and the findings on them."""

    model: NetworkModel
    reach: Reachability
    findings: list[Finding]
    # Filled by index(): flows by state and ends, and the end each member belongs to.
    flows: dict[tuple[FlowState, EndKey, EndKey], list[Flow]] = field(default_factory=dict)
    end_of: dict[Member, EndKey] = field(default_factory=dict)
    # The findings by their ends (addresses), made when a change first asks.
    findings_by_ends: dict[Pair, list[Finding]] | None = None

    def findings_between(self, ends: Pair) -> list[Finding]:
        if self.findings_by_ends is None:
            self.findings_by_ends = {}
            for finding in self.findings:
                key = (finding.source.address, finding.destination.address)
                self.findings_by_ends.setdefault(key, []).append(finding)
        return self.findings_by_ends.get(ends, [])

    def index(self) -> None:
        if self.end_of:
            return
        from reachlint.engine.flows import External

        for endpoint_class in self.reach.classes:
            for member in endpoint_class.members:
                self.end_of[(member.endpoint, member.interface)] = ("class", endpoint_class.id)
        for external in self.reach.externals:
            self.end_of[(external.address, "")] = ("external", external.address)
        for flow in self.reach.flows:
            ends: list[EndKey] = []
            for end in (flow.source, flow.destination):
                if isinstance(end, External):
                    ends.append(("external", end.address))
                else:
                    ends.append(("class", end.id))
            self.flows.setdefault((flow.state, ends[0], ends[1]), []).append(flow)

    def traffic(
        self, state: FlowState, source: EndKey | None, destination: EndKey | None
    ) -> Traffic:
        if source is None or destination is None:
            return _union([])
        return _union(flow.traffic for flow in self.flows.get((state, source, destination), []))

    def flow_traffic(self) -> FlowTraffic:
        """What tells which traffic is new against this side, without its model and flows."""
        self.index()
        return FlowTraffic(
            end_of=self.end_of,
            flows={
                key: _union(flow.traffic for flow in flows) for key, flows in self.flows.items()
            },
            sensitive=self.model.sensitive,
        )


class FlowTraffic(Struct):
    """A side that is compared but never reported (`check --base`'s base): the end each member
    belongs to and the traffic between ends, by state. It holds a fraction of the model and
    flows it comes from, which are let go before the other side is built."""

    end_of: dict[Member, EndKey]
    flows: dict[tuple[FlowState, EndKey, EndKey], Traffic]
    sensitive: set[str]

    def index(self) -> None:
        """Indexed when made."""

    def traffic(
        self, state: FlowState, source: EndKey | None, destination: EndKey | None
    ) -> Traffic:
        found = None
        if source is not None and destination is not None:
            found = self.flows.get((state, source, destination))
        return _union([]) if found is None else found


class _PairChange(Struct):
    """Two endpoints between which the traffic differs, and their members (the flows on either
    side are looked up only for the changes listed: each costs a path)."""

    ends: Pair
    old: Traffic
    new: Traffic
    state: FlowState
    sources: list[Member]
    destinations: list[Member]

    def flows(self, snapshot: Snapshot) -> list[Flow]:
        return _pair_flows(snapshot, self.state, self.sources, self.destinations)


class Compared(Struct):
    """The flows opened (reachable in HEAD, not in BASE) and closed, and how many of each are
    left unlisted (beyond MAX_LISTED_CHANGES)."""

    opened: list[FlowChange]
    closed: list[FlowChange]
    opened_unlisted: int = 0
    closed_unlisted: int = 0


def compare(before: Snapshot, after: Snapshot) -> Compared:
    """The flows opened (reachable in `after`, not in `before`) and closed, per pair of ends:
    each listed with its path, at most MAX_LISTED_CHANGES of each, those between ends with
    findings first (a change of a million flows is read by no one, and each costs a path)."""
    changes = _pair_changes(before, after, "reachable")
    opening = [change for change in changes if change.new - change.old]
    closing = [change for change in changes if change.old - change.new]
    opening, opened_unlisted = _listed(opening, after)
    closing, closed_unlisted = _listed(closing, before)
    opened = [_change(after, "opened", c.ends, c.new - c.old, c.flows(after)) for c in opening]
    closed = [_change(before, "closed", c.ends, c.old - c.new, c.flows(before)) for c in closing]
    opened.sort(key=_order)
    closed.sort(key=_order)
    return Compared(opened, closed, opened_unlisted, closed_unlisted)


def _unlisted_notes(compared: Compared) -> list[NoteRef]:
    from reachlint.reports.schema import NoteRef

    return [
        NoteRef(
            message=f"{count:,} more {word} {'flow is' if count == 1 else 'flows are'} counted, "
            f"not listed: reachlint lists at most {MAX_LISTED_CHANGES:,}, those that break a "
            "rule first"
        )
        for count, word in (
            (compared.opened_unlisted, "opened"),
            (compared.closed_unlisted, "closed"),
        )
        if count
    ]


def _listed(changes: list[_PairChange], snapshot: Snapshot) -> tuple[list[_PairChange], int]:
    if len(changes) <= MAX_LISTED_CHANGES:
        return changes, 0
    changes = sorted(changes, key=lambda change: not snapshot.findings_between(change.ends))
    return changes[:MAX_LISTED_CHANGES], len(changes) - MAX_LISTED_CHANGES


def introduced(
    findings: list[Finding], before: Snapshot | FlowTraffic, after: Snapshot
) -> list[Finding]:
    """Of the findings on `after`, what the change from `before` brings: each finding narrowed
    to the traffic the change opens between its ends; findings on unchanged traffic left out."""
    from reachlint.commands.changes.baseline import finding_traffic, narrowed

    changes: dict[tuple[FlowState, Pair], _PairChange] = {}
    for state in sorted({finding.state for finding in findings}):
        for pair_change in _pair_changes(before, after, state):
            changes[(state, pair_change.ends)] = pair_change
    kept = []
    for finding in findings:
        ends = (finding.source.address, finding.destination.address)
        change = changes.get((finding.state, ends))
        if change is None:
            continue
        opened = finding_traffic(finding) & (change.new - change.old)
        part = narrowed(finding, opened)
        if part is not None and part is not finding:
            # The path that carries the new part, not the one that carried the whole.
            part = replace(part, path=path_through(change.flows(after), opened))
        if part is not None:
            kept.append(part)
    return kept


def _pair_changes(
    before: Snapshot | FlowTraffic, after: Snapshot, state: FlowState
) -> list[_PairChange]:
    before.index()
    after.index()
    groups: dict[Signature, list[Member]] = {}
    for member in {*before.end_of, *after.end_of}:
        signature = (before.end_of.get(member), after.end_of.get(member))
        groups.setdefault(signature, []).append(member)
    by_end: list[dict[EndKey, list[Signature]]] = [{}, {}]
    for signature in groups:
        for side in (0, 1):
            end = signature[side]
            if end is not None:
                by_end[side].setdefault(end, []).append(signature)
    candidates: set[tuple[Signature, Signature]] = set()
    for side, snapshot in enumerate((before, after)):
        for flow_state, source, destination in snapshot.flows:
            if flow_state != state:
                continue
            for first in by_end[side].get(source, []):
                for second in by_end[side].get(destination, []):
                    candidates.add((first, second))
    changed: set[Pair] = set()
    judged: dict[tuple[Signature, Signature], tuple[Traffic, Traffic]] = {}
    for first, second in candidates:
        old = before.traffic(state, first[0], second[0])
        new = after.traffic(state, first[1], second[1])
        judged[(first, second)] = (old, new)
        if old != new:
            changed.update(
                (a[0], b[0]) for a in groups[first] for b in groups[second] if a[0] != b[0]
            )
    # The traffic between two changed endpoints, either side: what every pair of their members'
    # ends carries (the ends' traffic judged above, so no flow is looked up twice).
    sides: dict[Pair, list[tuple[Traffic, Traffic]]] = {}
    for (first, second), traffic in judged.items():
        for a in groups[first]:
            for b in groups[second]:
                if a[0] != b[0] and (a[0], b[0]) in changed:
                    sides.setdefault((a[0], b[0]), []).append(traffic)
    members: dict[str, list[Member]] = {}
    for group in groups.values():
        for item in group:
            members.setdefault(item[0], []).append(item)
    changes = []
    for pair in sorted(sides):
        old = _union(traffic[0] for traffic in sides[pair])
        new = _union(traffic[1] for traffic in sides[pair])
        if old != new:
            changes.append(_PairChange(pair, old, new, state, members[pair[0]], members[pair[1]]))
    return changes


def _order(change: FlowChange) -> tuple[int, str, str]:
    from reachlint.reports.places import severity_rank

    return severity_rank(change.severity), change.source.address, change.destination.address


def _pair_flows(
    snapshot: Snapshot, state: FlowState, sources: list[Member], destinations: list[Member]
) -> list[Flow]:
    ends = {
        (state, snapshot.end_of[a], snapshot.end_of[b])
        for a in sources
        for b in destinations
        if a in snapshot.end_of and b in snapshot.end_of
    }
    return [flow for key in sorted(ends, key=str) for flow in snapshot.flows.get(key, [])]


def _union(traffics: Iterable[Traffic]) -> Traffic:
    from reachlint.model.traffic import Traffic

    total: Traffic | None = None
    for traffic in traffics:
        total = traffic if total is None else total | traffic
    return Traffic() if total is None else total


def _change(
    snapshot: Snapshot,
    direction: str,
    ends: Pair,
    traffic: Traffic,
    flows: list[Flow],
) -> FlowChange:
    """One opened or closed flow: the path that carries most of it, the rules it concerns."""
    from reachlint.commands.changes.baseline import entries_traffic
    from reachlint.model.traffic import addresses_as_cidrs, narrower_than_public
    from reachlint.reports.places import severity_rank
    from reachlint.reports.schema import FlowChange
    from reachlint.rules.findings import fingerprint, traffic_by_addresses, traffic_entries

    source, destination = ends
    entries = traffic_entries(traffic)
    source_ref, destination_ref = _end_ref(snapshot, source), _end_ref(snapshot, destination)
    external = {source_ref.kind, destination_ref.kind} & {"internet", "onprem"}
    addresses = None
    if external and narrower_than_public(traffic.addresses()):
        addresses = addresses_as_cidrs(traffic.addresses())
    services = traffic.services_everywhere()
    rules: list[str] = []
    severity: Severity | None = None
    for finding in snapshot.findings_between(ends):
        if finding.rule in rules or not entries_traffic(finding.traffic) & services:
            continue
        rules.append(finding.rule)
        if severity is None or severity_rank(finding.severity) < severity_rank(severity):
            severity = finding.severity
    return FlowChange(
        source=source_ref,
        destination=destination_ref,
        traffic=entries,
        addresses=addresses,
        traffic_by_addresses=traffic_by_addresses(traffic) if external else None,
        path=path_through(flows, traffic),
        rules=rules or None,
        severity=severity,
        fingerprint=fingerprint(direction, source, destination, entries),
    )


def _end_ref(snapshot: Snapshot, address: str) -> EndRef:
    from reachlint.rules.findings import EndRef

    endpoint = snapshot.model.endpoints.get(address)
    if endpoint is not None:
        return EndRef(
            address=address,
            kind=endpoint.kind,
            type=endpoint.type,
            file=endpoint.origin.file,
            line=endpoint.origin.line,
        )
    external = next((end for end in snapshot.reach.externals if end.address == address), None)
    if external is not None:
        return EndRef(
            address=address,
            kind=external.kind,
            file=external.origin.file,
            line=external.origin.line,
        )
    return EndRef(address=address, kind="interface")
