"""AWS security groups as exact traffic sets: stateful, allow-only, all groups of an interface
together.

A rule names its peers by CIDR, prefix list or security group; a group reference admits the
members of that group whatever their addresses. Rules whose ranges are unknown values match as
reachlint.engine.ranges decides, --assume-unknown settling what cannot be decided.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from msgspec import Struct, field

from reachlint.engine.filters import (
    EVERYTHING,
    Direction,
    Filters,
    address_cuts,
    describe_services,
    message_set,
    port_set,
    protocol_set,
    safe_cidr,
    stretch_of,
    unknown_addresses_text,
)
from reachlint.engine.flows import Doubt, Hop, Unknown
from reachlint.engine.ranges import NOWHERE, Placement, decide, possible_addresses
from reachlint.model.network import SecurityGroupRule
from reachlint.model.traffic import ALL_ADDRESSES, PUBLIC_ADDRESSES, IntervalSet, Traffic, cidrs
from reachlint.sources import UnknownValue

if TYPE_CHECKING:
    from reachlint.engine.nsg import Peer


class SgRule(Struct):
    rule: SecurityGroupRule
    group: str
    services: Traffic  # protocols x ports, every address
    region: Traffic  # protocols x ports x the CIDRs / prefix lists it names
    references: frozenset[str]  # groups whose members it admits (self included)
    unknown: str | None
    by_peer: dict[IntervalSet, Traffic] = field(default_factory=dict)
    _detail: str | None = None
    # Address ranges it names that are unknown values (its own, or its prefix lists'), and
    # where they may lie (an IPv6 field's range holds no IPv4 address).
    ranges: tuple[UnknownValue, ...] = ()
    range_addresses: IntervalSet = ALL_ADDRESSES
    # The groups whose members it admits are not known (named so): one of `references`, or
    # with `any_member`, any group; endpoints only, never addresses outside.
    members_unknown: str | None = None
    any_member: bool = False

    def toward(self, peer: IntervalSet) -> Traffic:
        """Services this rule admits for a peer at these addresses (CIDR part only)."""
        found = self.by_peer.get(peer)
        if found is None:
            found = self.by_peer[peer] = self.region.only_addresses(peer).services_everywhere()
        return found

    @property
    def detail(self) -> str:
        if self._detail is None:
            rule = self.rule
            peers = [*rule.cidrs, *rule.prefix_lists]
            if rule.groups_unknown:
                one_of = ", ".join(rule.security_groups)
                peers.append(f"members of one of {one_of}" if one_of else "members of a group")
                peers[-1] += f" ({', '.join(rule.groups_unknown)} not known)"
            else:
                peers.extend(f"members of {g}" for g in rule.security_groups)
            if rule.self_reference:
                peers.append(f"members of {self.group}")
            if self.ranges:
                peers.append(unknown_addresses_text(self.ranges, rule.type))
            word = "from" if rule.direction == "ingress" else "to"
            services = describe_services(self.services)
            self._detail = f"{self.group} allows {services} {word} {', '.join(peers) or 'nobody'}"
            if rule.unknown:  # taken as the assumption says, not as written
                self._detail += f"; unknown: {', '.join(rule.unknown)}"
            if rule.description:
                self._detail += f" ({rule.description})"
        return self._detail


_UNFILTERED: tuple[Traffic, list[Unknown]] = (EVERYTHING, [])
DIRECTIONS: tuple[Direction, ...] = ("ingress", "egress")


class SgView:
    """The union of several security groups on one interface (all of them apply)."""

    def __init__(self, filters: Filters, groups: tuple[str, ...], rules: Iterable[SgRule]) -> None:
        self.filters = filters
        self.groups = groups
        self.unfiltered = not groups
        self.rules: dict[Direction, list[SgRule]] = {"ingress": [], "egress": []}
        for compiled in rules:
            self.rules[compiled.rule.direction].append(compiled)
        self._regions: dict[tuple[Direction, Placement], tuple[Traffic, list[Unknown]]] = {}
        self._toward: dict[tuple[object, ...], tuple[Traffic, list[Unknown]]] = {}
        # The same verdicts, by the endpoint peer that asked (a dict per direction: no key
        # tuples for the hundreds of thousands of pairs of a large plan).
        self._by_peer: dict[Direction, dict[Peer, tuple[Traffic, list[Unknown]]]] = {
            "ingress": {},
            "egress": {},
        }
        self._known: dict[Direction, tuple[Traffic, list[Unknown]]] = {}
        # The known region without the rules that are themselves unknown (their ports, their
        # prefix lists): the same object as the known region when there are none.
        self._certain: dict[Direction, Traffic] = {}
        self._cuts: dict[Direction, list[int]] = {}
        # A peer's groups, of those the rules reference (many peers share their groups).
        self._referenced_of: dict[Direction, dict[tuple[str, ...], tuple[str, ...]]] = {
            "ingress": {},
            "egress": {},
        }
        self._referenced = {
            direction: frozenset(g for compiled in rules for g in compiled.references)
            for direction, rules in self.rules.items()
        }

    def region(self, direction: Direction, placement: Placement = NOWHERE) -> Traffic:
        """What the groups admit from (ingress) or to (egress) external addresses; `placement`
        is where those addresses lie among unknown ranges."""
        if self.unfiltered:
            return EVERYTHING
        key = (direction, placement)
        cached = self._regions.get(key)
        if cached is None:
            with self.filters.collecting() as unknowns:
                region = self._known_region(direction)
            # What another rule admits only by assumption hides no doubt: the flow rests on both.
            definite = self._certain[direction]
            for compiled in self.rules[direction]:
                if not compiled.ranges:
                    continue
                matched, undecided = decide(compiled.ranges, placement)
                admitted = compiled.services.only_addresses(compiled.range_addresses)
                if matched:
                    region |= admitted
                elif undecided and self.filters.assume == "open":
                    extra = admitted - definite
                    unknowns.extend(Doubt(name, extra) for name in undecided if extra)
                    region |= admitted
            cached = self._regions[key] = (region, unknowns)
        self.filters.unknowns.extend(cached[1])
        return cached[0]

    def toward(self, direction: Direction, peer: Peer) -> Traffic:
        """The verdict for an endpoint peer, looked up by the peer once it is known: every
        pair of classes asks its groups about the other end."""
        by_peer = self._by_peer[direction]
        cached = by_peer.get(peer)
        if cached is None:
            cached = by_peer[peer] = self._verdict(
                direction, peer.addresses, peer.groups, peer.known, peer.placement, peer.names
            )
        if cached[1]:
            self.filters.unknowns.extend(cached[1])
        return cached[0]

    def admitting_members_of(self, direction: Direction, groups: tuple[str, ...]) -> Traffic:
        """What the rules that name one of `groups` admit, whatever the peer's address: a
        target's rule naming a network load balancer's group admits what it forwards "even if
        you enable client IP preservation"
        (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html)."""
        found = Traffic()
        if self.unfiltered or not groups:
            return found
        named = set(groups)
        for compiled in self.rules[direction]:
            if not compiled.references & named:
                continue
            if compiled.members_unknown is None:
                found |= compiled.services
            elif self.filters.assume == "open":
                self.filters.unknowns.append(
                    Doubt(compiled.members_unknown, compiled.services - found)
                )
                found |= compiled.services
        return found

    def _toward_peer(
        self,
        direction: Direction,
        peer: IntervalSet,
        peer_groups: tuple[str, ...],
        known: bool,
        placement: Placement,
        names: tuple[str, ...],
    ) -> Traffic:
        cached = self._verdict(direction, peer, peer_groups, known, placement, names)
        self.filters.unknowns.extend(cached[1])
        return cached[0]

    def _verdict(
        self,
        direction: Direction,
        peer: IntervalSet,
        peer_groups: tuple[str, ...],
        known: bool,
        placement: Placement,
        names: tuple[str, ...],
    ) -> tuple[Traffic, list[Unknown]]:
        """What the groups admit of a peer, and the unknowns it rests on."""
        if self.unfiltered:
            return _UNFILTERED
        key, in_one_stretch = self._peer_key(direction, peer, peer_groups, known, placement, names)
        cached = self._toward.get(key)
        if cached is None:
            # In one stretch every address of the peer is treated alike, known or not.
            alike = known or in_one_stretch
            with self.filters.collecting() as unknowns:
                with self.filters.collecting():  # its doubts are by address: taken per peer
                    region = self._known_region(direction)
                found = self.filters.project(region, peer, alike, names)
                if self._certain[direction] is not region:
                    unknowns.extend(self._unknown_rules_toward(direction, peer))
                members_of = set(peer_groups)
                when_open = self.filters.assume == "open"
                extras: list[tuple[list[str], Traffic]] = []
                for compiled in self.rules[direction]:
                    if compiled.references & members_of:
                        if compiled.members_unknown is None:
                            found |= compiled.services
                        else:
                            extras.append(([compiled.members_unknown], compiled.services))
                    elif compiled.any_member and compiled.members_unknown and when_open:
                        extras.append(([compiled.members_unknown], compiled.services))
                    if not compiled.ranges or not peer & compiled.range_addresses:
                        continue
                    matched, undecided = decide(compiled.ranges, placement)
                    if matched:
                        found |= compiled.services
                    elif undecided and self.filters.assume == "open":
                        extras.append((undecided, compiled.services))
                definite = found
                certain = self._certain[direction]
                if extras and certain is not self._known[direction][0]:
                    definite = self._certain_toward(direction, certain, peer, members_of, placement)
                for undecided, services in extras:
                    extra = services - definite
                    self.filters.unknowns.extend(Doubt(n, extra) for n in undecided if extra)
                    found |= services
            cached = self._toward[key] = (found, unknowns)
        return cached

    def _certain_toward(
        self,
        direction: Direction,
        certain: Traffic,
        peer: IntervalSet,
        members_of: set[str],
        placement: Placement,
    ) -> Traffic:
        """What the rules that are not unknown themselves admit of a peer, for sure."""
        found = certain.only_addresses(peer).services_everywhere()
        for compiled in self.rules[direction]:
            if compiled.unknown is not None:
                continue
            as_member = compiled.references & members_of and compiled.members_unknown is None
            in_ranges = compiled.ranges and peer & compiled.range_addresses
            if as_member or (in_ranges and decide(compiled.ranges, placement)[0]):
                found |= compiled.services
        return found

    def _peer_key(
        self,
        direction: Direction,
        peer: IntervalSet,
        peer_groups: tuple[str, ...],
        known: bool,
        placement: Placement,
        names: tuple[str, ...],
    ) -> tuple[tuple[object, ...], bool]:
        """What the verdict for a peer depends on: peers in one stretch that no rule's addresses
        divide share it (see stretch_of), and of their groups only those the rules reference
        count; and whether the peer lies in one stretch."""
        cuts = self._cuts.get(direction)
        if cuts is None:
            rules = self.rules[direction]
            # Ranges of one family divide the peers of both families too.
            cuts = address_cuts(
                [
                    *(compiled.region for compiled in rules),
                    *(Traffic.box(addresses=c.range_addresses) for c in rules if c.ranges),
                ]
            )
            self._cuts[direction] = cuts
        referenced = self._referenced[direction]
        if not referenced:
            groups: tuple[str, ...] = ()
        else:
            seen = self._referenced_of[direction]
            found = seen.get(peer_groups)
            if found is None:
                found = seen[peer_groups] = tuple(g for g in peer_groups if g in referenced)
            groups = found
        stretch = stretch_of(cuts, peer)
        if stretch is not None:
            return (direction, stretch, groups, placement), True
        return (direction, peer, groups, known, placement, names), False

    def _known_region(self, direction: Direction) -> Traffic:
        """The groups' rules by the addresses they name, without the unknown ranges; a rule
        that is itself unknown (its addresses, its ports) is a doubt over what it alone adds."""
        cached = self._known.get(direction)
        if cached is None:
            region = Traffic()
            certain = Traffic()
            for compiled in self.rules[direction]:
                region |= compiled.region
                if not compiled.unknown:
                    certain |= compiled.region
            unknowns: list[Unknown] = [
                Doubt(compiled.unknown, extra)
                for compiled in self.rules[direction]
                if compiled.unknown and (extra := compiled.region - certain)
            ]
            cached = self._known[direction] = (region, unknowns)
            uncertain = any(compiled.unknown for compiled in self.rules[direction])
            self._certain[direction] = certain if uncertain else region
        self.filters.unknowns.extend(cached[1])
        return cached[0]

    def _unknown_rules_toward(self, direction: Direction, peer: IntervalSet) -> list[Unknown]:
        """_known_region's doubts for an endpoint peer: what a rule that is itself unknown
        admits of the peer beyond the rules that are not."""
        certain = self._certain[direction].only_addresses(peer).services_everywhere()
        return [
            Doubt(compiled.unknown, extra)
            for compiled in self.rules[direction]
            if compiled.unknown and (extra := compiled.toward(peer) - certain)
        ]

    def ingress_from(
        self,
        peer: IntervalSet,
        peer_groups: tuple[str, ...],
        known: bool,
        placement: Placement = NOWHERE,
        names: tuple[str, ...] = (),
    ) -> Traffic:
        return self._toward_peer("ingress", peer, peer_groups, known, placement, names)

    def egress_to(
        self,
        peer: IntervalSet,
        peer_groups: tuple[str, ...],
        known: bool,
        placement: Placement = NOWHERE,
        names: tuple[str, ...] = (),
    ) -> Traffic:
        return self._toward_peer("egress", peer, peer_groups, known, placement, names)

    def hops(
        self,
        direction: Direction,
        allowed: Traffic,
        peer: IntervalSet | None,
        peer_groups: tuple[str, ...],
        placement: Placement = NOWHERE,
        as_members_of: tuple[str, ...] = (),
    ) -> list[Hop]:
        """The rules that admit part of `allowed` (peer None: an external peer, by address, or
        as it comes through a load balancer of the groups `as_members_of`)."""
        hops: list[Hop] = []
        members_of = set(peer_groups)
        for compiled in self.rules[direction]:
            if peer is None:
                admitted = compiled.region & allowed
                if compiled.references.intersection(as_members_of):
                    admitted = compiled.services & allowed
            elif compiled.references & members_of or (
                compiled.any_member and self.filters.assume == "open"
            ):
                admitted = compiled.services & allowed
            else:
                admitted = compiled.toward(peer) & allowed
            if compiled.ranges and (peer is None or peer & compiled.range_addresses):
                matched, undecided = decide(compiled.ranges, placement)
                if matched or (undecided and self.filters.assume == "open"):
                    admitted = compiled.services & allowed
                    if peer is None:
                        admitted = admitted.only_addresses(compiled.range_addresses)
            if admitted:
                hops.append(sg_hop(compiled, admitted))
        return hops


def sg_hop(compiled: SgRule, admitted: Traffic) -> Hop:
    rule = compiled.rule
    return Hop(
        address=rule.address,
        kind="security-group-rule",
        type=rule.type,
        detail=compiled.detail,
        origin=rule.origin,
        admits=admitted,
        stage=f"security groups {rule.direction}",
    )


class SecurityGroups:
    """Compiles each security group once, and each set of groups on an interface once."""

    def __init__(self, filters: Filters) -> None:
        self.filters = filters
        self.model = filters.model
        self.assume = filters.assume
        self._groups: dict[str, list[SgRule]] = {}
        self._views: dict[tuple[str, ...], SgView] = {}

    def view(self, groups: tuple[str, ...]) -> SgView:
        view = self._views.get(groups)
        if view is None:
            rules = [compiled for group in groups for compiled in self.compiled_group(group)]
            view = SgView(self.filters, groups, rules)
            self._views[groups] = view
        return view

    def compiled_group(self, address: str) -> list[SgRule]:
        found = self._groups.get(address)
        if found is not None:
            return found
        group = self.model.security_groups.get(address)
        compiled: list[SgRule] = []
        if group is None:
            self.filters.unknowns.append(f"{address}: security group not in the input")
            if self.assume == "open":
                for direction in DIRECTIONS:
                    rule = SecurityGroupRule(address=address, type="unknown", direction=direction)
                    # Said as a doubt: read as "allows all from 0.0.0.0/0" it would pass for a
                    # fact, and an IPv4 one on an IPv6 path.
                    word = "from" if direction == "ingress" else "to"
                    placeholder = SgRule(
                        rule, address, EVERYTHING, EVERYTHING, frozenset(), address
                    )
                    placeholder._detail = (
                        f"{address}: its rules are not in the input; may allow all {word} anywhere"
                    )
                    compiled.append(placeholder)
            self._groups[address] = compiled
            return compiled
        for rule in group.rules:
            compiled.append(self._compile_rule(address, rule))
        self._groups[address] = compiled
        return compiled

    def _compile_rule(self, group: str, rule: SecurityGroupRule) -> SgRule:
        services = Traffic.box(
            protocol_set(rule.protocol), ALL_ADDRESSES, port_set(rule.ports), message_set(rule.icmp)
        )
        if rule.services_unknown and self.assume == "closed":
            services = Traffic()  # what it admits is not known: nothing for certain
        if rule.written_if is not None and self.assume == "closed":
            services = Traffic()  # it may not be written: nothing for certain
        addresses = IntervalSet()
        for cidr in rule.cidrs:
            try:
                addresses = addresses | cidrs([cidr])
            except ValueError:
                continue
        unknown: str | None = None
        ranges = list(rule.unknown_ranges)
        for prefix_list in rule.prefix_lists:
            listed = self.model.prefix_lists.get(prefix_list)
            if listed is not None:
                addresses = addresses | _safe_cidrs(listed.cidrs)
                ranges.extend(listed.unknown_ranges)
            else:
                unknown = f"{rule.address}: addresses of prefix list {prefix_list}"
                if self.assume == "open":
                    addresses = addresses | PUBLIC_ADDRESSES
        if rule.unknown:
            unknown = f"{rule.address}: {', '.join(rule.unknown)}"
            if self.assume == "open":
                addresses = ALL_ADDRESSES
        elif rule.written_if is not None:
            unknown = f"{rule.address}: {rule.written_if}"
        region = services.only_addresses(addresses) if addresses else Traffic()
        members_unknown = None
        references = set(rule.security_groups)
        if rule.groups_unknown:
            members_unknown = f"{rule.address}: {', '.join(rule.groups_unknown)}"
            if self.assume == "closed":
                references = set()  # which of them is not known: none for certain
        if rule.self_reference:
            references.add(group)
        return SgRule(
            rule,
            group,
            services,
            region,
            frozenset(references),
            unknown,
            ranges=tuple(ranges),
            range_addresses=possible_addresses(ranges),
            members_unknown=members_unknown,
            any_member=bool(rule.groups_unknown) and not rule.security_groups,
        )


def _safe_cidrs(values: list[str]) -> IntervalSet:
    out = IntervalSet()
    for value in values:
        out = out | safe_cidr(value)
    return out
