"""Firewalls on the path: a policy's rules, in the firewall's order, as exact traffic sets.

A policy is a list of first-match rules split into stages: Azure Firewall has one (network rules
before application rules, default deny); a rule or a stage's default may hand traffic to the
next stage (`next`), as AWS Network Firewall's stateless engine forwards to its stateful engine.
A rule matches on both ends at once: one end is fixed by the question (the endpoint class behind
or in front of the firewall), the other is the free address axis of the traffic, as for an NSG.
Stateful: the replies of what a firewall admits pass it.

What a rule matches that only shows when traffic flows (FQDN targets, a Suricata signature, a
domain list, a service tag) is an unknown named after the rule; with --assume-unknown open such
a rule may admit (and may not deny), with closed the reverse.
"""

from __future__ import annotations

from typing import Literal

from msgspec import Struct, field
from msgspec.structs import replace

from reachlint.engine.filters import port_sets
from reachlint.engine.flows import Doubt, Hop
from reachlint.model.network import AddressSpec, FirewallPolicy, FirewallRule, Gateway
from reachlint.model.traffic import (
    ALL_ADDRESSES,
    ALL_PORTS,
    IntervalSet,
    Traffic,
    cidrs,
    parse_protocol,
)
from reachlint.sources import Origin

FixedEnd = Literal["source", "destination"]
EVERYTHING = Traffic.everything()


def spec_addresses(spec: AddressSpec) -> tuple[IntervalSet, bool]:
    """The addresses a rule side names, and whether some of them are unknown (tags, FQDNs)."""
    if spec.any:
        return ALL_ADDRESSES, False
    out = IntervalSet()
    for cidr in spec.cidrs:
        try:
            out = out | cidrs([cidr])
        except ValueError:
            return out, True
    return out, bool(spec.service_tags or spec.application_security_groups)


def rule_protocols(names: list[str]) -> IntervalSet:
    out = IntervalSet()
    for name in names:
        try:
            out = out | parse_protocol(name)
        except ValueError:
            return parse_protocol("all")
    return out


def _either_way(rules: list[FirewallRule]) -> list[FirewallRule]:
    """Each rule whose action is not known as the two it may be: an allow, then a deny, both
    not known. Open takes the allow, closed the deny (an unsure match counts when it lets more
    through): what it matches passes as --assume-unknown says, named."""
    if all(rule.action_known for rule in rules):
        return rules
    found = []
    for rule in rules:
        if rule.action_known:
            found.append(rule)
            continue
        why = rule.undecidable or "action"
        found.extend(replace(rule, action=action, undecidable=why) for action in ("allow", "deny"))
    return found


def unknown_name(rule: FirewallRule, why: str) -> str:
    return f"{rule.address}: {rule.kind} rule {rule.name} ({why})"


class Decided(Struct):
    rule: FirewallRule
    effective: Traffic  # what this rule decides, after every earlier rule of its stage


class Evaluated(Struct):
    allowed: Traffic
    decided: list[Decided]
    by_default: Traffic  # what a stage's default action lets through
    # A rule not known, over the free address axis: what it lets through (an allow counted
    # when open) or lets pass by not matching (a deny not counted when open).
    unknowns: list[Doubt] = field(default_factory=list)


class FirewallView:
    """One firewall's policy, evaluated for a fixed end on one side."""

    def __init__(self, gateway: Gateway, policy: FirewallPolicy, assume: str) -> None:
        self.gateway = gateway
        self.policy = policy
        self.rules = _either_way(policy.rules)
        self.permissive = assume == "open"
        # Azure Firewall sends traffic for public addresses from its own; AWS's does not.
        self.translates_source = gateway.type != "aws_networkfirewall_firewall"
        self._cache: dict[tuple[FixedEnd, IntervalSet, bool], Evaluated] = {}

    def evaluate(self, fixed_side: FixedEnd, fixed: IntervalSet, known: bool) -> Evaluated:
        """What passes, over the free address axis, for an end at `fixed` on `fixed_side`."""
        key = (fixed_side, fixed, known)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._evaluate(fixed_side, fixed, known)
        return found

    def _evaluate(self, fixed_side: FixedEnd, fixed: IntervalSet, known: bool) -> Evaluated:
        allowed, decided, by_default, unsure = self._run(fixed_side, fixed, known, False)
        unknowns: list[Doubt] = []
        if self.permissive and unsure:
            # Open, rules not known are taken the way that lets more through. What passes
            # only so (not when every one is taken the other way) rests on each such rule that
            # may decide it: an allow that may match it, a deny that may not.
            only_so = allowed - self._run(fixed_side, fixed, known, True)[0]
            for names, may_decide in unsure:
                if doubted := only_so & may_decide:
                    unknowns.extend(Doubt(name, doubted) for name in names)
        return Evaluated(allowed, decided, by_default, unknowns)

    def _run(
        self, fixed_side: FixedEnd, fixed: IntervalSet, known: bool, other_way: bool
    ) -> tuple[Traffic, list[Decided], Traffic, list[tuple[list[str], Traffic]]]:
        """The policy's stages in order: what is allowed, what each rule decides, what the
        defaults let through, and each rule not known (its names) with what it may decide,
        of what no rule known for sure took before it. `other_way`: every rule not known is
        taken the other way than the assumption takes it."""
        allowed = Traffic()
        by_default = Traffic()
        decided: list[Decided] = []
        unsure: list[tuple[list[str], Traffic]] = []
        arriving = EVERYTHING
        both = (False, True)
        for index, stage in enumerate(self.policy.stages):
            remaining = arriving
            undecided = arriving
            forwarded = Traffic()
            for rule in self.rules:
                if rule.stage != index or rule.action == "alert":
                    continue
                lenient = (self.permissive == (rule.action != "deny")) != other_way
                match = Traffic()
                named: list[str] = []
                for reverse in both if rule.both_directions else (False,):
                    match |= self._match(rule, fixed_side, fixed, known, reverse, named, lenient)
                if named:
                    may = Traffic()
                    for reverse in both if rule.both_directions else (False,):
                        may |= self._match(rule, fixed_side, fixed, known, reverse, [], True)
                    unsure.append((list(dict.fromkeys(named)), undecided & may))
                else:
                    undecided = undecided - match
                effective = remaining & match
                remaining = remaining - match
                if rule.action == "allow":
                    allowed |= effective
                elif rule.action == "next":
                    forwarded |= effective
                decided.append(Decided(rule, effective))
            if stage.default == "allow":
                allowed |= remaining
                by_default |= remaining
            elif stage.default == "next":
                forwarded |= remaining
            arriving = forwarded
        return allowed, decided, by_default, unsure

    def _match(
        self,
        rule: FirewallRule,
        fixed_side: FixedEnd,
        fixed: IntervalSet,
        known: bool,
        reverse: bool,
        unknowns: list[str],
        lenient: bool,
    ) -> Traffic:
        """The free-axis traffic this rule matches for the fixed end (empty: no match); an
        unsure match counts when `lenient`. The assumption counts it when it lets more
        through: an allow under open, a deny under closed; `next` hands on to rules that may
        still deny, so it counts as an allow."""
        sources, destinations = rule.sources, rule.destinations
        if reverse:
            sources, destinations = destinations, sources
        fixed_spec = sources if fixed_side == "source" else destinations
        free_spec = destinations if fixed_side == "source" else sources
        if rule.undecidable:
            unknowns.append(unknown_name(rule, rule.undecidable))
            if not lenient:
                return Traffic()
        named, unsure = spec_addresses(fixed_spec)
        inside = fixed.issubset(named) or (known and bool(fixed & named) and not unsure)
        if not inside:
            if not (fixed & named) and not unsure:
                return Traffic()
            unknowns.append(unknown_name(rule, f"which {fixed_side} addresses it names"))
            if not lenient:
                return Traffic()
        free, unsure = spec_addresses(free_spec)
        if unsure:
            unknowns.append(unknown_name(rule, _free_words(free_spec)))
            if lenient:
                free = ALL_ADDRESSES
        if rule.undecidable and lenient:
            free = ALL_ADDRESSES if not free_spec.cidrs and not free_spec.any else free
        if rule.source_ports is not None and port_sets(rule.source_ports) != ALL_PORTS:
            unknowns.append(unknown_name(rule, "source ports"))
            if not lenient:
                return Traffic()
        return Traffic.box(rule_protocols(rule.protocols), free, port_sets(rule.destination_ports))

    # ----- for the path and for "why not" ------------------------------------------------------

    def hops(self, evaluated: Evaluated, allowed: Traffic, peer: IntervalSet | None) -> list[Hop]:
        """The firewall, then the rules that admit part of `allowed` (peer: the free end's
        addresses when the traffic's own address axis is not that end)."""
        hops = [self.firewall_hop()]
        for item in evaluated.decided:
            if item.rule.action != "allow":
                continue
            admitted = self._scoped(item.effective, allowed, peer)
            if admitted:
                hops.append(self._rule_hop(item.rule, admitted))
        default = self._scoped(evaluated.by_default, allowed, peer)
        if default:
            hops.append(
                Hop(
                    address=self.policy.address,
                    kind="firewall-default",
                    type=self.policy.type,
                    detail=f"{self.policy.address} passes what no rule matched (default action)",
                    origin=self.policy.origin,
                    admits=default,
                )
            )
        return hops

    @staticmethod
    def _scoped(effective: Traffic, allowed: Traffic, peer: IntervalSet | None) -> Traffic:
        if peer is None:
            return effective & allowed
        return effective.only_addresses(peer).services_everywhere() & allowed

    def firewall_hop(self) -> Hop:
        gateway = self.gateway
        return Hop(
            address=gateway.address,
            kind="firewall",
            type=gateway.type,
            detail=f"filters the traffic by {self.policy.address}",
            origin=gateway.origin,
        )

    def _rule_hop(self, rule: FirewallRule, admitted: Traffic) -> Hop:
        where = f" in {rule.collection}" if rule.collection else ""
        return Hop(
            address=rule.address,
            kind="firewall-rule",
            type=rule.type,
            detail=f"{rule.kind} rule {rule.name}{where} allows {admitted.text()}",
            origin=rule.origin,
            admits=admitted,
        )

    def blocker(self, evaluated: Evaluated, wanted: Traffic) -> tuple[str, str, str, Origin]:
        """(address, kind, reason, origin) of what stops `wanted`: a deny rule or the default."""
        for item in evaluated.decided:
            hit = item.effective & wanted
            if hit and item.rule.action == "deny":
                rule = item.rule
                where = f" in {rule.collection}" if rule.collection else ""
                return (
                    rule.address,
                    "firewall-rule",
                    f"firewall {self.gateway.address}: {rule.kind} rule {rule.name}{where} "
                    f"denies {hit.text()}",
                    rule.origin,
                )
        return (
            self.policy.address,
            "firewall",
            f"firewall {self.gateway.address}: no rule of {self.policy.address} allows "
            f"{wanted.text() or 'the traffic'} (the default deny)",
            self.policy.origin,
        )


def _free_words(spec: AddressSpec) -> str:
    tags = ", ".join(spec.service_tags[:3])
    return f"addresses of {tags}" if tags else "addresses it names"


class Firewalls:
    """Every firewall with known rules in a model, viewed once each."""

    def __init__(self, gateways: dict[str, Gateway], assume: str) -> None:
        self.views = {
            address: FirewallView(gateway, gateway.policy, assume)
            for address, gateway in gateways.items()
            if gateway.kind == "firewall" and gateway.policy is not None
        }

    def get(self, address: str) -> FirewallView | None:
        return self.views.get(address)

    def on_path(self, hops: list[Hop]) -> list[FirewallView]:
        return [view for hop in hops if (view := self.views.get(hop.address)) is not None]


def with_firewall_rules(
    hops: list[Hop],
    judged: list[tuple[FirewallView, Evaluated]],
    allowed: Traffic,
    peer: IntervalSet | None,
) -> list[Hop]:
    """The hops with each judging firewall followed by the rules that admit the traffic."""
    if not judged:
        return list(hops)
    by_address = {view.gateway.address: (view, evaluated) for view, evaluated in judged}
    out: list[Hop] = []
    for hop in hops:
        found = by_address.get(hop.address)
        if found is None:
            out.append(hop)
        else:
            view, evaluated = found
            out.extend(view.hops(evaluated, allowed, peer))
    return out
