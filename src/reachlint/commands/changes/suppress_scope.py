"""What an inline suppression covers: the traffic that the filter rules in its block open.

A flow passes several filters on its way — the source's security groups outbound, network
ACLs, the destination's security groups or NSGs inbound — and passes a filter when any one of
that filter's rules admits it. A suppression covers a filter rule whose definition lies in the
block it annotates (an `ingress` block, a rule resource, a group or NSG with its inline rules).

A finding's traffic is suppressed where, on every flow that carries it, some filter admits it
only through covered rules: without them it would not pass, so they open it. What another,
uncovered rule of the same filter also admits is not theirs to hide: it stays a finding, split
off with its own traffic, path and fingerprint.

Ends, routes, gateways, public addresses and load balancers filter nothing, and rules the
provider adds on its own (an NSG's default rules, a VPC's default network ACL) were written by
nobody: a suppression on them covers no traffic. One that sits on such a place of a finding of
its rule and covers no filter rule of it is reported, since it suppresses nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from msgspec import Struct, field
from msgspec.structs import replace

if TYPE_CHECKING:
    from reachlint.commands.changes.comments import Directive
    from reachlint.engine.flows import Flow, FlowState, Hop, Reachability
    from reachlint.model.traffic import Traffic
    from reachlint.rules import RuleSet
    from reachlint.rules.findings import Finding

EndKey = tuple[str, str | int]
# The suppression (for the finding's rule) whose block holds this place, if any.
Covering = Callable[[str | None, int | None], "Directive | None"]


class Carriers:
    """The engine's flows by their ends, to find every flow that carries a finding."""

    def __init__(self, reach: Reachability) -> None:
        from reachlint.engine.flows import External

        self._classes_of: dict[str, list[EndKey]] = {}
        for endpoint_class in reach.classes:
            for member in endpoint_class.members:
                keys = self._classes_of.setdefault(member.endpoint, [])
                if ("class", endpoint_class.id) not in keys:
                    keys.append(("class", endpoint_class.id))
        self._flows: dict[tuple[FlowState, EndKey, EndKey], list[Flow]] = {}
        for flow in reach.flows:
            ends: list[EndKey] = [
                ("external", end.address) if isinstance(end, External) else ("class", end.id)
                for end in (flow.source, flow.destination)
            ]
            self._flows.setdefault((flow.state, ends[0], ends[1]), []).append(flow)

    def _keys(self, address: str) -> list[EndKey]:
        return [("external", address), *self._classes_of.get(address, [])]

    def of(self, finding: Finding) -> list[Flow]:
        return [
            flow
            for source in self._keys(finding.source.address)
            for destination in self._keys(finding.destination.address)
            for flow in self._flows.get((finding.state, source, destination), [])
        ]


class Judgement(Struct):
    """A finding's traffic split by what suppressions cover."""

    reported: Traffic  # what some flow carries through uncovered rules at every filter
    suppressed: Traffic
    # How much each suppression opens on its own (services): the one that opens most speaks
    # for the suppressed part.
    weights: dict[Directive, int] = field(default_factory=dict)
    # Suppressions that cover a filter rule admitting some of the finding's traffic.
    used: set[Directive] = field(default_factory=set)
    # Non-filter places of the finding that a suppression's block holds: (directive, address).
    misplaced: list[tuple[Directive, str]] = field(default_factory=list)

    @property
    def directive(self) -> Directive | None:
        """The suppression that opens most of the suppressed part on its own."""
        if not self.weights:
            return None
        return max(self.weights, key=lambda directive: self.weights[directive])


def judge(finding: Finding, flows: list[Flow], covering: Covering) -> Judgement:
    """Which of the finding's traffic the covered filter rules alone open, on every flow."""
    from reachlint.commands.changes.baseline import finding_traffic
    from reachlint.model.traffic import Traffic

    whole = finding_traffic(finding)
    judgement = Judgement(Traffic(), Traffic())
    carried = Traffic()
    for end in (finding.source, finding.destination):
        directive = covering(end.file, end.line)
        if directive is not None:
            judgement.misplaced.append((directive, end.address))
    for flow in flows:
        part = flow.traffic & whole
        if not part:
            continue
        carried |= part
        opened = _opened_by_covered(flow.path, part, covering, judgement)
        judgement.reported |= part - opened
    judgement.suppressed = carried - judgement.reported
    return judgement


def _opened_by_covered(
    path: list[Hop], part: Traffic, covering: Covering, judgement: Judgement
) -> Traffic:
    """The part of `part` that some filter on `path` admits through covered rules only."""
    from reachlint.model.traffic import Traffic
    from reachlint.rules.paths import traffic_size

    covered: dict[str, dict[Directive, Traffic]] = {}
    uncovered: dict[str, Traffic] = {}
    for hop in path:
        directive = covering(hop.origin.file, hop.origin.line)
        filtering = hop.admits is not None and hop.stage is not None
        if directive is not None and (not filtering or _implicit(hop)):
            judgement.misplaced.append((directive, hop.address))
            directive = None
        if hop.admits is None or hop.stage is None:
            continue
        admitted = hop.admits & part
        if not admitted:
            continue
        if directive is None:
            uncovered[hop.stage] = uncovered.get(hop.stage, Traffic()) | admitted
        else:
            judgement.used.add(directive)
            by_directive = covered.setdefault(hop.stage, {})
            by_directive[directive] = by_directive.get(directive, Traffic()) | admitted
    opened = Traffic()
    for stage, by_directive in covered.items():
        for directive, traffic in by_directive.items():
            alone = traffic - uncovered.get(stage, Traffic())
            if alone:
                opened |= alone
                judgement.weights[directive] = judgement.weights.get(directive, 0) + traffic_size(
                    alone
                )
    return opened


def _implicit(hop: Hop) -> bool:
    """A rule nobody wrote, which the provider adds: an Azure NSG's default rules, the default
    network ACL and security group of an AWS VPC whose configuration does not manage them.
    They take the file and line of the resource they come with, yet no suppression there can
    speak for them."""
    if "/defaultSecurityRules/" in hop.address:
        return True
    # `aws_vpc.main.default_network_acl`, not an `aws_default_network_acl` resource of its own.
    synthesized = (".default_network_acl", ".default_security_group")
    managed = f".{hop.address}".find(".aws_default_") >= 0
    return hop.type.startswith("aws_default_") and hop.address.endswith(synthesized) and not managed


def _with_deferred(reported: Traffic, finding: Finding) -> Traffic:
    """`reported` with the ports of its protocols that the finding left to the rules its rule
    defers to (they are part of the opening, reported elsewhere)."""
    from reachlint.commands.changes.baseline import finding_traffic
    from reachlint.model.traffic import ALL_PORTS, TCP, UDP, IntervalSet, Traffic

    original = finding_traffic(finding)
    filled = reported
    for number in (TCP, UDP):
        protocol = IntervalSet([(number, number)])
        part = original & Traffic.box(protocol)
        if part:
            filled = filled | (Traffic.box(protocol, part.addresses(), ALL_PORTS) - part)
    return filled


def split(
    finding: Finding,
    judgement: Judgement,
    flows: list[Flow],
    ruleset: RuleSet,
) -> tuple[Finding | None, Finding | None, Traffic]:
    """The finding as (reported part, suppressed part, withdrawn traffic); a part is None when
    empty, keeps the whole finding when it is all of it, else it is narrowed to its traffic,
    with the path that carries it and a fingerprint of its own. Withdrawn is what a rule about
    flows open on every port no longer reports: the rules that defer to it report it."""
    from reachlint.commands.changes.baseline import narrowed
    from reachlint.model.traffic import Traffic
    from reachlint.rules.evaluate import _covers_all_ports
    from reachlint.rules.paths import path_through

    reported, suppressed = judgement.reported, judgement.suppressed
    withdrawn = Traffic()
    rule = ruleset.get(finding.rule)
    # A rule that reports only flows open on every port: what is left may no longer be one.
    all_ports = rule is not None and rule.only_if == "all-ports"
    opening = _with_deferred(reported, finding) if reported and suppressed and all_ports else None
    if opening is not None and not _covers_all_ports(opening):
        reported, withdrawn = Traffic(), reported
    if not suppressed:
        return finding, None, withdrawn
    if not reported:
        part = finding if not withdrawn else narrowed(finding, suppressed)
        if part is not None and part is not finding:
            part = replace(part, path=path_through(flows, suppressed))
        return None, part, withdrawn
    parts = []
    for traffic in (reported, suppressed):
        part = narrowed(finding, traffic)
        if part is not None and part is not finding:
            part = replace(part, path=path_through(flows, traffic))
        parts.append(part)
    return parts[0], parts[1], withdrawn
