"""Every stateful filter on an interface, as one: AWS security groups and Azure NSGs.

Traffic must pass all of them. Azure evaluates the subnet's NSG and then the NIC's inbound,
the NIC's and then the subnet's outbound; both must allow, so the order only shapes the path.
"""

from __future__ import annotations

from typing import Literal

from reachlint.engine.filters import Filters
from reachlint.engine.flows import Doubt, Hop, Unknown
from reachlint.engine.nsg import NsgDirection, NsgView, Peer
from reachlint.engine.ranges import NOWHERE, Placement
from reachlint.engine.security_groups import SgView
from reachlint.model.traffic import Traffic

Direction = Literal["ingress", "egress"]
_NSG_DIRECTION: dict[Direction, NsgDirection] = {"ingress": "inbound", "egress": "outbound"}


class Guards:
    def __init__(self, filters: Filters, groups: SgView, nsgs: list[NsgView]) -> None:
        self.filters = filters
        self.groups = groups
        self.nsgs = nsgs  # subnet first, then the network interface
        self._toward: dict[tuple[Direction, Peer], tuple[Traffic, list[Unknown]]] = {}

    def toward(self, direction: Direction, peer: Peer) -> Traffic:
        """Services admitted to (ingress) or from (egress) an endpoint peer. (A method, not an
        attribute bound to one: that would refer back to this object, a cycle only the cyclic
        collector frees, and it is off.)"""
        if not self.nsgs:
            return self.groups.toward(direction, peer)
        return self._all_toward(direction, peer)

    def ordered(self, direction: Direction) -> list[NsgView]:
        return self.nsgs if direction == "ingress" else list(reversed(self.nsgs))

    def _all_toward(self, direction: Direction, peer: Peer) -> Traffic:
        key = (direction, peer)
        cached = self._toward.get(key)
        if cached is None:
            with self.filters.collecting() as unknowns:
                found = self.groups.toward(direction, peer)
                for view in self.nsgs:
                    evaluated = view.evaluate(_NSG_DIRECTION[direction], peer.asgs, peer.placement)
                    for unknown in evaluated.unknowns:
                        if isinstance(unknown, Doubt):
                            # The peer is one endpoint: its addresses projected away.
                            part = unknown.traffic.only_addresses(peer.addresses)
                            unknown = Doubt(unknown.name, part.services_everywhere())
                        self.filters.unknowns.append(unknown)
                    found &= self.filters.project(
                        evaluated.allowed, peer.addresses, peer.known, peer.names
                    )
            cached = self._toward[key] = (found, unknowns)
        if cached[1]:
            self.filters.unknowns.extend(cached[1])
        return cached[0]

    def region(
        self,
        direction: Direction,
        placement: Placement = NOWHERE,
        as_members_of: tuple[str, ...] = (),
    ) -> Traffic:
        """What is admitted from (ingress) or to (egress) external addresses, placed so among
        unknown ranges; and what rules naming `as_members_of` admit, when such addresses come
        through a load balancer of those groups that keeps them."""
        found = self.groups.region(direction, placement)
        if as_members_of:
            found |= self.groups.admitting_members_of(direction, as_members_of)
        for view in self.nsgs:
            evaluated = view.evaluate(_NSG_DIRECTION[direction], (), placement)
            self.filters.unknowns.extend(evaluated.unknowns)
            found &= evaluated.allowed
        return found

    def hops(
        self,
        direction: Direction,
        allowed: Traffic,
        peer: Peer | None,
        placement: Placement = NOWHERE,
        as_members_of: tuple[str, ...] = (),
    ) -> list[Hop]:
        if peer is None:
            hops = self.groups.hops(direction, allowed, None, (), placement, as_members_of)
        else:
            hops = self.groups.hops(direction, allowed, peer.addresses, peer.groups, peer.placement)
        for view in self.ordered(direction):
            hops.extend(view.hops(_NSG_DIRECTION[direction], allowed, peer, placement))
        return hops
