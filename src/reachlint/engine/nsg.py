"""Azure network security groups: priority order, first match wins, stateful, two-sided.

A rule matches on both ends at once: the side that is the guarded interface is decided once per
class (its address, application security groups); the other side becomes an address region, so
external peers keep exact address sets and endpoint peers are projected like AWS rules.
"""

from __future__ import annotations

from typing import Literal

from msgspec import Struct, field

from reachlint.engine.filters import port_sets, unknown_addresses_text
from reachlint.engine.flows import Doubt, Hop, Unknown
from reachlint.engine.ranges import NETWORK, NOWHERE, SITE, Placement, decide
from reachlint.model.network import (
    AddressSpec,
    NetworkModel,
    NetworkSecurityGroup,
    NsgRule,
)
from reachlint.model.traffic import (
    ALL_ADDRESSES,
    ALL_PORTS,
    EPHEMERAL,
    PORTED,
    PUBLIC_ADDRESSES,
    IntervalSet,
    Traffic,
    cidrs,
    parse_protocol,
)
from reachlint.sources import UnknownValue

NsgDirection = Literal["inbound", "outbound"]
AZURE_LOAD_BALANCER = cidrs(["168.63.129.16/32"])
EVERYTHING = Traffic.everything()
_PORTED = IntervalSet((number, number) for number in PORTED)


class Peer(Struct, frozen=True, cache_hash=True):
    """What a filter can see of the other end of a flow."""

    addresses: IntervalSet
    groups: tuple[str, ...] = ()  # AWS security groups
    asgs: tuple[str, ...] = ()  # Azure application security groups
    known: bool = False
    network: str | None = None
    # Where its addresses lie among unknown ranges, and what they rest on when not known.
    placement: Placement = NOWHERE
    names: tuple[str, ...] = ()


def _protocols(value: str) -> IntervalSet:
    try:
        return parse_protocol(value)
    except ValueError:
        return parse_protocol("all")


class _Decided(Struct):
    rule: NsgRule
    effective: Traffic  # what this rule decides, after every higher-priority rule
    allow: bool  # as written, or as --assume-unknown takes an access that is not known


class _Evaluated(Struct):
    allowed: Traffic
    decided: list[_Decided]
    unknowns: list[Unknown] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)  # unknown ranges assumed open or closed


class AzureSpaces:
    """The address sets behind service tags, per virtual network."""

    def __init__(self, model: NetworkModel) -> None:
        self.model = model
        self._vnet: dict[tuple[str | None, str | None], IntervalSet] = {}
        self._own: dict[str | None, IntervalSet] = {}

    def _networks(self, network: str | None) -> set[str | None]:
        nets = {network}
        for peering in self.model.peerings.values():
            if peering.active and network in (peering.requester, peering.accepter):
                nets.update((peering.requester, peering.accepter))
        return nets

    def own_space(self, network: str | None) -> IntervalSet:
        """The address spaces of the VNet and the VNets peered with it."""
        found = self._own.get(network)
        if found is None:
            found = IntervalSet()
            for net in self._networks(network):
                element = self.model.networks.get(net or "")
                if element is not None:
                    found = found | _safe_cidrs(element.cidrs)
            self._own[network] = found
        return found

    def virtual_network(self, network: str | None, route_table: str | None = None) -> IntervalSet:
        """VirtualNetwork: the VNet, its peers, on-premises ranges behind gateways, and the
        prefixes of the user-defined routes the interface's own subnet uses."""
        key = (network, route_table)
        found = self._vnet.get(key)
        if found is not None:
            return found
        model = self.model
        nets = self._networks(network)
        space = self.own_space(network)
        gateways = {g.address for g in model.gateways.values() if g.network in nets}
        for site in model.onprem_sites.values():
            if site.gateway in gateways:
                space = space | _safe_cidrs(site.cidrs)
        table = model.route_tables.get(route_table or "")
        if table is not None:
            space = space | _safe_cidrs([r.destination for r in table.routes if r.destination])
        self._vnet[key] = space
        return space

    def unknown_part(
        self, name: str, network: str | None, route_table: str | None = None
    ) -> tuple[list[UnknownValue], frozenset[str]]:
        """A service tag's ranges that are unknown values, and the identities that stand for
        them (a network's whole space, an on-premises site's ranges)."""
        if name.lower() != "virtualnetwork":
            return [], frozenset()
        model = self.model
        nets = self._networks(network)
        ranges: list[UnknownValue] = []
        also: set[str] = set()
        for net in nets:
            element = model.networks.get(net or "")
            if element is not None and element.unknown_ranges:
                ranges.extend(element.unknown_ranges)
                also.add(f"{NETWORK}{net}")
        gateways = {g.address for g in model.gateways.values() if g.network in nets}
        for site in model.onprem_sites.values():
            if site.gateway in gateways and site.unknown_ranges:
                ranges.extend(site.unknown_ranges)
                also.add(f"{SITE}{site.address}")
        table = model.route_tables.get(route_table or "")
        for route in table.routes if table is not None else []:
            ranges.extend(route.unknown_ranges)
        return ranges, frozenset(also)

    def tag(
        self, name: str, network: str | None, route_table: str | None = None
    ) -> IntervalSet | None:
        """Addresses of a service tag; None for tags whose ranges are not in the input."""
        lowered = name.lower()
        if lowered == "virtualnetwork":
            return self.virtual_network(network, route_table)
        if lowered == "internet":
            # A UDR for 0.0.0.0/0 widens VirtualNetwork, but never narrows Internet.
            return PUBLIC_ADDRESSES - self.own_space(network)
        if lowered == "azureloadbalancer":
            return AZURE_LOAD_BALANCER
        return None


def _safe_cidrs(values: list[str]) -> IntervalSet:
    out = IntervalSet()
    for value in values:
        try:
            out = out | cidrs([value])
        except ValueError:
            continue
    return out


class NsgView:
    """One NSG guarding one class of interfaces."""

    def __init__(
        self,
        nsg: NetworkSecurityGroup,
        guarded: Peer,
        spaces: AzureSpaces,
        assume: Literal["open", "closed"],
        level: str,
        route_table: str | None = None,
        optional: str | None = None,
    ) -> None:
        self.nsg = nsg
        # Whether it filters the guarded interface at all is a value not known, this one: when
        # open it does not, and what it would have stopped rests on that value.
        self.optional = optional
        self.route_table = route_table  # the guarded subnet's: its UDRs widen VirtualNetwork
        self.guarded = guarded
        self.spaces = spaces
        self.assume = assume
        self.level = level  # "subnet" or "network interface", for the path
        self._regions: dict[tuple[NsgDirection, tuple[str, ...], Placement], _Evaluated] = {}

    def _addresses(
        self, spec: AddressSpec, asgs: tuple[str, ...], placement: Placement
    ) -> tuple[IntervalSet, bool, list[str]]:
        """Addresses a rule side names (ASG members count as every address); whether a
        service tag's ranges are not in the input; the unknown ranges that the peer may or
        may not lie in (a range it certainly lies in counts as every address)."""
        if spec.any:
            return ALL_ADDRESSES, False, []
        out = _safe_cidrs(spec.cidrs)
        unknown = False
        undecided: list[str] = []
        ranges = list(spec.unknown_ranges)
        also: frozenset[str] = frozenset()
        for tag in spec.service_tags:
            resolved = self.spaces.tag(tag, self.guarded.network, self.route_table)
            if resolved is None:
                unknown = True
            else:
                out = out | resolved
            tag_ranges, tag_also = self.spaces.unknown_part(
                tag, self.guarded.network, self.route_table
            )
            ranges.extend(tag_ranges)
            also = also | tag_also
        if ranges or also:
            matched, undecided = decide(ranges, placement, also)
            if matched:
                out = ALL_ADDRESSES
        if set(spec.application_security_groups) & set(asgs):
            out = ALL_ADDRESSES
        return out, unknown, undecided

    def _guarded_matches(
        self, rule: NsgRule, allow: bool, spec: AddressSpec, unknowns: list[Unknown], assume: str
    ) -> tuple[bool, list[str]]:
        addresses, unknown, undecided = self._addresses(
            spec, self.guarded.asgs, self.guarded.placement
        )
        if addresses == ALL_ADDRESSES or (
            self.guarded.known and self.guarded.addresses.issubset(addresses)
        ):
            return True, []
        inside = self.guarded.addresses.issubset(addresses)
        touches = bool(self.guarded.addresses & addresses)
        if inside and not unknown:
            return True, []
        if not touches and not unknown and not undecided:
            return False, []
        permissive = assume == "open"
        if unknown or touches:
            unknowns.append(f"{self._named(rule)}: which addresses it names")
        return (permissive if allow else not permissive), undecided

    def _named(self, rule: NsgRule) -> str:
        """How a rule's unknowns are named: by its address, or by the group and the rule's
        name when it is written inside the group's resource and shares its address."""
        if rule.address != self.nsg.address:
            return rule.address
        return f"{rule.address} rule {rule.name}"

    def evaluate(
        self,
        direction: NsgDirection,
        peer_asgs: tuple[str, ...],
        placement: Placement = NOWHERE,
    ) -> _Evaluated:
        """The rules' verdict for peers with these application security groups, placed so
        among unknown ranges (an external peer: by its addresses)."""
        key = (direction, peer_asgs, placement)
        found = self._regions.get(key)
        if found is not None:
            return found
        found = self._evaluate(direction, peer_asgs, placement, self.assume)
        if found.undecided and self.assume == "open":
            closed = self._evaluate(direction, peer_asgs, placement, "closed")
            extra = found.allowed - closed.allowed
            found.unknowns.extend(Doubt(name, extra) for name in found.undecided if extra)
        if self.optional is not None and self.assume == "open":
            # Taken not to filter: everything passes, and what its rules stop rests on it.
            stopped = EVERYTHING - found.allowed
            unknowns = [*found.unknowns, *([Doubt(self.optional, stopped)] if stopped else [])]
            found = _Evaluated(EVERYTHING, [], unknowns, found.undecided)
        self._regions[key] = found
        return found

    def _evaluate(
        self,
        direction: NsgDirection,
        peer_asgs: tuple[str, ...],
        placement: Placement,
        assume: str,
    ) -> _Evaluated:
        """Reachable means for some client port (SPEC: 1024-65535, chosen by the client): with
        rules for some source ports, the rules are walked once per stretch of client ports they
        tell apart, and what any stretch lets through is let through."""
        clients = self._client_ports(direction)
        if clients == [None]:
            return self._walk(direction, peer_asgs, placement, assume, None)
        walks = [self._walk(direction, peer_asgs, placement, assume, p) for p in clients]
        allowed = Traffic()
        by_rule: dict[int, _Decided] = {}
        for walk in walks:
            allowed |= walk.allowed
            for item in walk.decided:
                known = by_rule.get(id(item.rule))
                if known is None:
                    by_rule[id(item.rule)] = _Decided(item.rule, item.effective, item.allow)
                else:
                    known.effective |= item.effective
        return _Evaluated(
            allowed,
            list(by_rule.values()),
            [u for walk in walks for u in walk.unknowns],
            list(dict.fromkeys(q for walk in walks for q in walk.undecided)),
        )

    def _client_ports(self, direction: NsgDirection) -> list[int | None]:
        """One client port per stretch of 1024-65535 that the rules' source ports tell apart
        (None: no rule looks at source ports)."""
        restricted = [
            port_sets(rule.source_ports)
            for rule in self.nsg.rules
            if rule.direction == direction and rule.source_ports is not None
        ]
        restricted = [ports for ports in restricted if ports != ALL_PORTS]
        if not restricted:
            return [None]
        cuts = {EPHEMERAL[0]}
        for ports in restricted:
            for low, high in ports.intervals:
                cuts.update(p for p in (low, high + 1) if EPHEMERAL[0] < p <= EPHEMERAL[1])
        return [*sorted(cuts)]

    def _walk(
        self,
        direction: NsgDirection,
        peer_asgs: tuple[str, ...],
        placement: Placement,
        assume: str,
        client_port: int | None,
    ) -> _Evaluated:
        """The rules in order for one client port (None: every rule matches any)."""
        unknowns: list[Unknown] = []
        undecided: list[str] = []
        remaining = EVERYTHING
        allowed = Traffic()
        decided: list[_Decided] = []
        # What is not known of a rule is taken as --assume-unknown says: open, so that it lets
        # more through (an allow matches more, a deny less); closed, the reverse.
        widen = assume == "open"

        def position(rule: NsgRule, allow: bool) -> int:
            # A priority not known puts the rule first when that lets more through.
            return -1 if "priority" in rule.unknown_parts and allow == widen else rule.priority

        access = [
            (rule, widen if "access" in rule.unknown_parts else rule.allow)
            for rule in self.nsg.rules
            if rule.direction == direction
        ]
        for rule, allow in sorted(access, key=lambda pair: position(*pair)):
            guarded_side = rule.destination if direction == "inbound" else rule.source
            peer_side = rule.source if direction == "inbound" else rule.destination
            parts = rule.unknown_parts
            guarded_groups, peer_groups = (
                ("destination_groups", "source_groups")
                if direction == "inbound"
                else ("source_groups", "destination_groups")
            )
            matches, open_question = self._guarded_matches(
                rule, allow, guarded_side, unknowns, assume
            )
            undecided.extend(open_question)
            if not matches and guarded_groups in parts and widen == allow:
                matches = True  # an application security group not known may hold it
            if not matches:
                continue
            if parts:
                undecided.append(f"{self._named(rule)}: {', '.join(rule.unknown)}")
                if "rule" in parts and widen != allow:
                    continue  # whether it applies at all is not known
            peers, unknown, peer_question = self._addresses(peer_side, peer_asgs, placement)
            if unknown and widen == allow:
                peers = ALL_ADDRESSES
            if peer_question:
                undecided.extend(peer_question)
                if widen == allow:
                    peers = ALL_ADDRESSES
            if peer_groups in parts and widen == allow:
                # An application security group not known may hold any interface of the VNet.
                peers = peers | self.spaces.own_space(self.guarded.network)
            if "source_ports" in parts and widen != allow:
                continue  # source ports not known: as --assume-unknown takes them
            if client_port is not None and not _for_client(rule, client_port):
                continue
            ports = port_sets(rule.destination_ports)
            if "destination_ports" in parts and widen == allow:
                ports = ALL_PORTS  # the ports not known may be any
            protocols = _protocols(rule.protocol)
            if ports != ALL_PORTS:
                # A rule for some ports matches only traffic that has ports: with protocol Any
                # and port 80 it admits tcp and udp 80, never ICMP, which has no port.
                protocols = protocols & _PORTED
            match = Traffic.box(protocols, peers, ports)
            if unknown:
                # Only what this rule decides rests on its tag's addresses.
                tagged = Traffic.box(protocols, ALL_ADDRESSES, ports)
                unknowns.append(Doubt(f"{self._named(rule)}: addresses of a service tag", tagged))
            effective = remaining & match
            remaining = remaining - match
            if allow:
                allowed |= effective
            decided.append(_Decided(rule, effective, allow))
        return _Evaluated(allowed, decided, unknowns, list(dict.fromkeys(undecided)))

    def hops(
        self,
        direction: NsgDirection,
        allowed: Traffic,
        peer: Peer | None,
        placement: Placement = NOWHERE,
    ) -> list[Hop]:
        if peer is not None:
            evaluated = self.evaluate(direction, peer.asgs, peer.placement)
        else:
            evaluated = self.evaluate(direction, (), placement)
        hops: list[Hop] = []
        for item in evaluated.decided:
            if not item.allow:
                continue
            if peer is None:
                admitted = item.effective & allowed
            else:
                admitted = (
                    item.effective.only_addresses(peer.addresses).services_everywhere() & allowed
                )
            if admitted:
                widened = self._widened(item.rule, admitted) if peer is None else ""
                hops.append(self._hop(item.rule, admitted, widened))
        return hops

    def _widened(self, rule: NsgRule, admitted: Traffic) -> str:
        """Why VirtualNetwork admits outside addresses: it takes in the prefixes of the subnet's
        user-defined routes, a documented surprise when one of them is 0.0.0.0/0."""
        side = rule.source if rule.direction == "inbound" else rule.destination
        if self.route_table is None or "virtualnetwork" not in (
            tag.lower() for tag in side.service_tags
        ):
            return ""
        network = self.guarded.network
        extra = self.spaces.virtual_network(network, self.route_table) - (
            self.spaces.virtual_network(network)
        )
        outside = admitted.addresses() & extra
        table = self.spaces.model.route_tables.get(self.route_table)
        if not outside or table is None:
            return ""
        prefixes = [
            route.destination
            for route in table.routes
            if route.destination and outside & _safe_cidrs([route.destination])
        ]
        shown = ", ".join(prefixes[:3]) + (" and more" if len(prefixes) > 3 else "")
        return (
            f" (VirtualNetwork takes in the prefixes of the user-defined routes of "
            f"{self.route_table}: {shown})"
        )

    def _hop(self, rule: NsgRule, admitted: Traffic, widened: str = "") -> Hop:
        word = "inbound" if rule.direction == "inbound" else "outbound"
        kind = "default rule" if rule.is_default else "rule"
        peer_side = rule.source if rule.direction == "inbound" else rule.destination
        peers = ""
        if peer_side.unknown_ranges:
            preposition = "from" if rule.direction == "inbound" else "to"
            peers = f" {preposition} {unknown_addresses_text(peer_side.unknown_ranges, rule.type)}"
        unknown = f"; unknown: {', '.join(rule.unknown)}" if rule.unknown else ""
        if rule.stands_for_unknown_rules:
            detail = (
                f"{self.nsg.address} ({self.level}): its rules are not known; may allow {word} "
            )
            detail += f"{admitted.text()}{peers}{widened}"
        else:
            detail = (
                f"{self.nsg.address} ({self.level}) {kind} {rule.name} priority {rule.priority} "
                f"allows {word} {admitted.text()}{peers}{widened}{unknown}"
            )
        return Hop(
            address=rule.address,
            kind="nsg-rule",
            type=rule.type,
            detail=detail,
            origin=rule.origin,
            admits=admitted,
            stage=f"{self.nsg.address} {rule.direction}",
        )


def _for_client(rule: NsgRule, client_port: int) -> bool:
    """Whether a rule matches traffic from this client port (source ports not known match)."""
    if rule.source_ports is None or "source_ports" in rule.unknown_parts:
        return True
    return client_port in port_sets(rule.source_ports)
