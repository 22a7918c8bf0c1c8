"""The ways between networks: peering, transit gateways, and an appliance in a peered hub.

Which networks can reach each other at all, and the hops from an address in one to an address
in another (or the same) by the source's route table; routes to ranges that are unknown values
deliver as reachlint.engine.ranges decides.
"""

from __future__ import annotations

from reachlint.engine.appliances import appliance_of
from reachlint.engine.flows import Hop
from reachlint.engine.ranges import NOWHERE, Placement, decide, possible_addresses
from reachlint.engine.route_tables import (
    RouteEntry,
    RouteTables,
    RouteView,
    prefix_length,
)
from reachlint.model.network import NetworkModel
from reachlint.model.traffic import IntervalSet, cidrs


class Interconnect:
    """Connections between networks, and the unknowns a followed route rested on."""

    def __init__(self, model: NetworkModel, assume: str, tables: RouteTables) -> None:
        self.model = model
        self.assume = assume
        self.tables = tables
        # Unknown values that a route the engine followed rests on, until the engine takes them.
        self.unknowns: list[str] = []
        # Every pair of classes asks; classes in one subnet ask the same.
        self._between: dict[tuple[object, ...], tuple[list[Hop] | None, list[str]]] = {}

    def take_unknowns(self) -> list[str]:
        taken, self.unknowns = self.unknowns, []
        return taken

    def connected_networks(self) -> dict[str | None, set[str | None]]:
        links: dict[str | None, set[str | None]] = {n: {n} for n in self.model.networks}
        links.setdefault(None, {None})
        for peering in self.model.peerings.values():
            if peering.active and peering.requester and peering.accepter:
                links.setdefault(peering.requester, {peering.requester}).add(peering.accepter)
                links.setdefault(peering.accepter, {peering.accepter}).add(peering.requester)
        by_tgw: dict[str, set[str]] = {}
        for attachment in self.model.transit_gateway_attachments.values():
            by_tgw.setdefault(attachment.transit_gateway, set()).add(attachment.network)
        for networks in by_tgw.values():
            for network in networks:
                links.setdefault(network, {network}).update(networks)
        # Through an appliance in a peered hub, a spoke reaches the hub's other peers.
        for table in self.model.route_tables.values():
            for route in table.routes:
                if route.target_kind != "virtual-appliance":
                    continue
                appliance = appliance_of(self.model, route.target)
                if appliance is None:
                    continue
                hub = appliance.network
                reach = links.setdefault(table.network, {table.network})
                reach.update(links.get(hub, {hub}))
                for spoke in list(links.get(hub, ())):  # the hub itself may gain this spoke
                    links.setdefault(spoke, {spoke}).add(table.network)
        return links

    def between(
        self,
        view: RouteView,
        source_network: str | None,
        destination: IntervalSet,
        destination_network: str | None,
        placement: Placement = NOWHERE,
    ) -> list[Hop] | None:
        """Hops from one network to an address in another (or the same); None if undeliverable.

        `placement` is where the destination lies among unknown ranges: a route to an unknown
        range delivers to what certainly lies in it, and to what may as --assume-unknown says.
        """
        key = (view, source_network, destination, destination_network, placement)
        cached = self._between.get(key)
        if cached is None:
            before = len(self.unknowns)
            found = self._between_known(view, source_network, destination, destination_network)
            if found is None:
                found = self._between_unknown(
                    view, source_network, destination, destination_network, placement
                )
            cached = self._between[key] = (found, self.unknowns[before:])
            return found
        if cached[1]:
            self.unknowns.extend(cached[1])
        return cached[0]

    def _between_unknown(
        self,
        view: RouteView,
        source_network: str | None,
        destination: IntervalSet,
        destination_network: str | None,
        placement: Placement,
    ) -> list[Hop] | None:
        for entry in view.unknown_destinations():
            route = entry.route
            assert route is not None
            if not destination & possible_addresses(route.unknown_ranges):
                continue  # a range of the other family
            matched, undecided = decide(route.unknown_ranges, placement)
            if not matched and not (undecided and self.assume == "open"):
                continue
            hops = self._delivery(entry, destination, source_network, destination_network)
            if hops is not None:
                if not matched:
                    self.unknowns.extend(undecided)
                return hops
        net = self.model.networks.get(destination_network or "")
        if net is None or not net.unknown_ranges:
            return None
        if source_network == destination_network:
            return []  # the local route covers the network's space, whatever it is
        if net.provider == "azure":
            # Azure's system route to a peered VNet covers its space, whatever it is.
            for peering in self.model.peerings.values():
                ends = {peering.requester, peering.accepter}
                if peering.active and ends == {source_network, destination_network}:
                    entry = RouteEntry(
                        f"the address space of {destination_network}",
                        IntervalSet(),
                        0,
                        "peering",
                        peering.address,
                        None,
                        view.table.address if view.table is not None else None,
                    )
                    return self._delivery(entry, destination, source_network, destination_network)
        return None

    def _delivery(
        self,
        entry: RouteEntry,
        part: IntervalSet,
        source_network: str | None,
        destination_network: str | None,
    ) -> list[Hop] | None:
        """How a route that covers the destination takes traffic to another network."""
        if entry.target_kind == "peering":
            peering = self.model.peerings.get(entry.target or "")
            if peering is None or not peering.active:
                return None
            if {peering.requester, peering.accepter} != {source_network, destination_network}:
                return None
            detail = f"peers {peering.requester} with {peering.accepter}"
            return [
                self.tables.route_hop(entry),
                self.tables.gateway_hop(peering.address, "peering", detail),
            ]
        if entry.target_kind == "virtual-appliance":
            return self._through_appliance(entry, part, source_network, destination_network)
        if entry.target_kind == "transit-gateway" and self._tgw_delivers(
            entry.target, part, source_network, destination_network
        ):
            return [
                self.tables.route_hop(entry),
                self.tables.gateway_hop(
                    entry.target, "transit-gateway", f"carries the traffic to {destination_network}"
                ),
            ]
        return None

    def _between_known(
        self,
        view: RouteView,
        source_network: str | None,
        destination: IntervalSet,
        destination_network: str | None,
    ) -> list[Hop] | None:
        for part, entry in view.partition(destination):
            if entry.target_kind == "local":
                if source_network == destination_network:
                    return []
                continue
            if entry.target_kind == "peering":
                peering = self.model.peerings.get(entry.target or "")
                if peering is None or not peering.active:
                    continue
                ends = {peering.requester, peering.accepter}
                if ends == {source_network, destination_network}:
                    return [
                        self.tables.route_hop(entry),
                        self.tables.gateway_hop(
                            peering.address,
                            "peering",
                            f"peers {peering.requester} with {peering.accepter}",
                        ),
                    ]
            if entry.target_kind == "virtual-appliance":
                hops = self._through_appliance(entry, part, source_network, destination_network)
                if hops is not None:
                    return hops
            if entry.target_kind == "transit-gateway" and self._tgw_delivers(
                entry.target, part, source_network, destination_network
            ):
                self.unknowns.extend(entry.unknowns)  # a target not known: it rests on it
                return [
                    self.tables.route_hop(entry),
                    self.tables.gateway_hop(
                        entry.target,
                        "transit-gateway",
                        f"carries the traffic to {destination_network}",
                    ),
                ]
        return None

    def _peered(self, a: str | None, b: str | None) -> bool:
        return a == b or any(
            p.active and {p.requester, p.accepter} == {a, b} for p in self.model.peerings.values()
        )

    def _through_appliance(
        self,
        entry: RouteEntry,
        part: IntervalSet,
        source_network: str | None,
        destination_network: str | None,
    ) -> list[Hop] | None:
        appliance = appliance_of(self.model, entry.target)
        if appliance is None:
            return None
        home = appliance.network
        if not (self._peered(source_network, home) and self._peered(home, destination_network)):
            return None
        # The peerings crossed to the appliance's network and on from it are on the way too.
        return [
            self.tables.route_hop(entry),
            *self._peering_hops(source_network, home),
            appliance.hop(),
            *self._peering_hops(home, destination_network),
        ]

    def _peering_hops(self, a: str | None, b: str | None) -> list[Hop]:
        if a == b:
            return []
        for peering in self.model.peerings.values():
            if peering.active and {peering.requester, peering.accepter} == {a, b}:
                detail = f"peers {peering.requester} with {peering.accepter}"
                return [self.tables.gateway_hop(peering.address, "peering", detail)]
        return []

    def _tgw_delivers(
        self,
        gateway: str | None,
        part: IntervalSet,
        source_network: str | None,
        destination_network: str | None,
    ) -> bool:
        attached = {
            a.network: a
            for a in self.model.transit_gateway_attachments.values()
            if a.transit_gateway == gateway
        }
        if source_network not in attached or destination_network not in attached:
            return False
        target = attached[destination_network]
        static = [
            r for r in self.model.transit_gateway_routes.values() if r.transit_gateway == gateway
        ]
        for route in sorted(static, key=lambda r: -prefix_length(r.destination)):
            if part & cidrs([route.destination]):
                return not route.blackhole and route.attachment == target.address
        tgw = self.model.gateways.get(gateway or "")
        return tgw is None or tgw.default_propagation
