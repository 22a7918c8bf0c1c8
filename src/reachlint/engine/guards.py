"""Every stateful filter on an interface, as one: AWS security groups and Azure NSGs.

Traffic must pass all of them. Azure evaluates the subnet's NSG and then the NIC's inbound,
the NIC's and then the subnet's outbound; both must allow, so the order only shapes the path.
"""

from __future__ import annotations

from typing import Literal

from reachlint.engine.filters import Filters, SgView
from reachlint.engine.flows import Hop
from reachlint.engine.nsg import NsgDirection, NsgView, Peer
from reachlint.traffic import Traffic

Direction = Literal["ingress", "egress"]
_NSG_DIRECTION: dict[Direction, NsgDirection] = {"ingress": "inbound", "egress": "outbound"}


class Guards:
    def __init__(self, filters: Filters, groups: SgView, nsgs: list[NsgView]) -> None:
        self.filters = filters
        self.groups = groups
        self.nsgs = nsgs  # subnet first, then the network interface
        self._toward: dict[tuple[Direction, Peer], tuple[Traffic, list[str]]] = {}

    def ordered(self, direction: Direction) -> list[NsgView]:
        return self.nsgs if direction == "ingress" else list(reversed(self.nsgs))

    def toward(self, direction: Direction, peer: Peer) -> Traffic:
        """Services admitted to (ingress) or from (egress) an endpoint peer."""
        key = (direction, peer)
        cached = self._toward.get(key)
        if cached is None:
            with self.filters.collecting() as unknowns:
                if direction == "ingress":
                    found = self.groups.ingress_from(peer.addresses, peer.groups, peer.known)
                else:
                    found = self.groups.egress_to(peer.addresses, peer.groups, peer.known)
                for view in self.nsgs:
                    evaluated = view.evaluate(_NSG_DIRECTION[direction], peer.asgs)
                    self.filters.unknowns.extend(evaluated.unknowns)
                    found &= self.filters.project(
                        evaluated.allowed, peer.addresses, peer.known, "the address"
                    )
            cached = self._toward[key] = (found, unknowns)
        self.filters.unknowns.extend(cached[1])
        return cached[0]

    def region(self, direction: Direction) -> Traffic:
        """What is admitted from (ingress) or to (egress) external addresses."""
        found = self.groups.region(direction)
        for view in self.nsgs:
            evaluated = view.evaluate(_NSG_DIRECTION[direction], ())
            self.filters.unknowns.extend(evaluated.unknowns)
            found &= evaluated.allowed
        return found

    def hops(self, direction: Direction, allowed: Traffic, peer: Peer | None) -> list[Hop]:
        if peer is None:
            hops = self.groups.hops(direction, allowed, None, ())
        else:
            hops = self.groups.hops(direction, allowed, peer.addresses, peer.groups)
        for view in self.ordered(direction):
            hops.extend(view.hops(_NSG_DIRECTION[direction], allowed, peer))
        return hops
