"""Route tables as longest-prefix partitions of the address space, and where each part goes."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from reachlint.engine.flows import External, Hop
from reachlint.engine.ranges import NOWHERE, Placement, decide, names
from reachlint.model.network import NetworkModel, OnPremSite, Route, RouteTable, Subnet
from reachlint.model.traffic import (
    ALL_ADDRESSES,
    PUBLIC_ADDRESSES,
    V4_ALL,
    V6_ALL,
    IntervalSet,
    addresses_as_cidrs,
    cidr_interval,
    cidrs,
)
from reachlint.sources import Origin

INTERNET = External(address="internet", kind="internet")


@dataclass
class RouteEntry:
    destination: str
    addresses: IntervalSet
    prefix: int
    target_kind: str
    target: str | None
    route: Route | None  # None for the implicit local route and propagated routes
    table: str | None
    # A route whose destination is an unknown value: what it rests on.
    unknowns: tuple[str, ...] = ()


def _prefix(cidr: str) -> int:
    """Specificity of a CIDR: minus its host bits (IPv4 and IPv6 never overlap here)."""
    low, high = cidr_interval(cidr)
    return -((high - low + 1).bit_length() - 1)


class RouteView:
    """One route table with the local route and propagated routes made explicit."""

    def __init__(
        self,
        table: RouteTable | None,
        entries: list[RouteEntry],
        unknown_sites: list[RouteEntry] | None = None,
    ) -> None:
        self.table = table
        # Routes to on-premises ranges that are unknown values (learned from a gateway).
        self.unknown_sites = unknown_sites or []
        # Longest prefix first: CIDRs nest or are disjoint, so the first hit is the match.
        self.entries = sorted(entries, key=lambda e: (-e.prefix, e.route is None))
        self._cache: dict[IntervalSet, list[tuple[IntervalSet, RouteEntry]]] = {}

    def partition(self, addresses: IntervalSet) -> list[tuple[IntervalSet, RouteEntry]]:
        found = self._cache.get(addresses)
        if found is not None:
            return found
        remaining = addresses
        parts: list[tuple[IntervalSet, RouteEntry]] = []
        for entry in self.entries:
            if not remaining:
                break
            part = remaining & entry.addresses
            if part:
                parts.append((part, entry))
                remaining = remaining - part
        self._cache[addresses] = parts
        return parts


@dataclass(frozen=True)
class Appliance:
    address: str
    kind: str
    type: str
    network: str | None
    subnet: Subnet | None
    origin: Origin


@dataclass
class Leg:
    """Where one part of the address space goes when an endpoint sends it out of its VPC."""

    addresses: IntervalSet
    external: External
    hops: list[Hop]
    nat_subnet: str | None = None
    unknowns: list[str] = field(default_factory=list)  # what the leg's route rests on
    # The addresses stand for a site's range that is an unknown value: what it rests on.
    address_names: tuple[str, ...] = ()


@dataclass
class Routing:
    model: NetworkModel
    assume: str = "open"
    _views: dict[tuple[str | None, str | None], RouteView] = field(default_factory=dict)
    _sites_by_gateway: dict[str, list[OnPremSite]] | None = None
    # Unknown values that a route the engine followed rests on, until the engine takes them.
    unknowns: list[str] = field(default_factory=list)

    def take_unknowns(self) -> list[str]:
        taken, self.unknowns = self.unknowns, []
        return taken

    # ----- tables ---------------------------------------------------------------------------------

    def view_for(self, subnet: Subnet | None, network: str | None) -> RouteView:
        table_address = subnet.route_table if subnet is not None else None
        net = self.model.networks.get(network or "")
        if table_address is None and net is not None:
            table_address = net.main_route_table
        key = (table_address, network)
        view = self._views.get(key)
        if view is None:
            view = self._build_view(self.model.route_tables.get(table_address or ""), network)
            self._views[key] = view
        return view

    def _build_view(self, table: RouteTable | None, network: str | None) -> RouteView:
        entries: list[RouteEntry] = []
        unknown_sites: list[RouteEntry] = []
        net = self.model.networks.get(network or "")
        table_address = table.address if table is not None else None
        for cidr in net.cidrs if net is not None else []:
            entries.append(
                RouteEntry(
                    cidr, cidrs([cidr]), _prefix(cidr), "local", network, None, table_address
                )
            )
        if table is not None:
            for route in table.routes:
                for cidr in self._destinations(route):
                    entries.append(
                        RouteEntry(
                            cidr,
                            cidrs([cidr]),
                            _prefix(cidr),
                            route.target_kind,
                            route.target,
                            route,
                            table.address,
                        )
                    )
            for gateway in table.propagating_gateways:
                for site in self.sites_on(gateway):
                    if site.unknown_ranges:
                        unknown_sites.append(_site_route(site, gateway, table.address))
                    for cidr in site.cidrs:
                        entries.append(
                            RouteEntry(
                                cidr,
                                cidrs([cidr]),
                                _prefix(cidr),
                                "vpn-gateway",
                                gateway,
                                None,
                                table.address,
                            )
                        )
        if net is not None and net.provider == "azure":
            entries.extend(self._azure_system_routes(network, table_address, unknown_sites))
        return RouteView(table, entries, unknown_sites)

    def _azure_system_routes(
        self, network: str | None, table: str | None, unknown_sites: list[RouteEntry]
    ) -> list[RouteEntry]:
        """Azure's routes that no one writes: peered VNets, gateway-learned ranges, Internet."""
        entries = [
            RouteEntry(
                "0.0.0.0/0",
                cidrs(["0.0.0.0/0"]),
                _prefix("0.0.0.0/0"),
                "internet",
                None,
                None,
                table,
            )
        ]
        gateway_networks = {network}
        for peering in self.model.peerings.values():
            if not peering.active or network not in (peering.requester, peering.accepter):
                continue
            other = peering.accepter if peering.requester == network else peering.requester
            element = self.model.networks.get(other or "")
            for cidr in element.cidrs if element is not None else []:
                entries.append(
                    RouteEntry(
                        cidr, cidrs([cidr]), _prefix(cidr), "peering", peering.address, None, table
                    )
                )
            if peering.use_remote_gateways or peering.allow_gateway_transit:
                gateway_networks.add(other)
        for gateway in self.model.gateways.values():
            if gateway.kind != "vpn-gateway" or gateway.network not in gateway_networks:
                continue
            for site in self.sites_on(gateway.address):
                if site.unknown_ranges:
                    unknown_sites.append(_site_route(site, gateway.address, table))
                for cidr in site.cidrs:
                    entries.append(
                        RouteEntry(
                            cidr,
                            cidrs([cidr]),
                            _prefix(cidr),
                            "vpn-gateway",
                            gateway.address,
                            None,
                            table,
                        )
                    )
        return entries

    def _destinations(self, route: Route) -> list[str]:
        out: list[str] = []
        if route.destination:
            out.append(route.destination)
        if route.destination_prefix_list:
            listed = self.model.prefix_lists.get(route.destination_prefix_list)
            if listed is not None:
                out.extend(listed.cidrs)
        valid = []
        for cidr in out:
            try:
                cidr_interval(cidr)
            except ValueError:
                continue
            valid.append(cidr)
        return valid

    # ----- on-premises sites --------------------------------------------------------------------

    def sites_on(self, gateway: str) -> list[OnPremSite]:
        if self._sites_by_gateway is None:
            index: dict[str, list[OnPremSite]] = {}
            for site in sorted(self.model.onprem_sites.values(), key=lambda s: s.address):
                if site.gateway:
                    index.setdefault(site.gateway, []).append(site)
            self._sites_by_gateway = index
        return self._sites_by_gateway.get(gateway, [])

    def sites(self) -> list[External]:
        return [_site_end(site) for site in sorted(self.model.onprem_sites.values(), key=_addr)]

    # ----- hops ---------------------------------------------------------------------------------

    def route_hop(self, entry: RouteEntry, _part: str = "") -> Hop:
        route = entry.route
        destination = entry.destination
        target = entry.target or entry.target_kind
        if route is None:
            how = "system route" if entry.target_kind in {"internet", "peering"} else "learned"
            return Hop(
                address=entry.table or f"system-route:{destination}",
                kind="route",
                type="route",
                detail=f"{entry.table or 'the subnet'} sends {destination} to {target} ({how})",
            )
        table = entry.table or "the route table"
        return Hop(
            address=route.address,
            kind="route",
            type=route.type,
            detail=f"{table} sends {destination} to {target}",
            origin=route.origin,
        )

    def gateway_hop(self, address: str | None, kind: str, detail: str) -> Hop:
        element = self.model.gateways.get(address or "") or self.model.peerings.get(address or "")
        return Hop(
            address=address or kind,
            kind=kind,
            type=element.type if element is not None else kind,
            detail=detail,
            origin=element.origin if element is not None else Origin(),
        )

    # ----- between networks -------------------------------------------------------------------

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
                appliance = self.appliance(route.target)
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
        found = self._between_known(view, source_network, destination, destination_network)
        if found is not None:
            return found
        return self._between_unknown(
            view, source_network, destination, destination_network, placement
        )

    def _between_unknown(
        self,
        view: RouteView,
        source_network: str | None,
        destination: IntervalSet,
        destination_network: str | None,
        placement: Placement,
    ) -> list[Hop] | None:
        for entry in self.unknown_destinations(view):
            route = entry.route
            assert route is not None
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

    def unknown_destinations(self, view: RouteView) -> list[RouteEntry]:
        """The table's routes whose destination is an unknown value."""
        table = view.table
        if table is None:
            return []
        return [
            RouteEntry(
                ", ".join(s for r in route.unknown_ranges for s in r.sources),
                IntervalSet(),
                0,
                route.target_kind,
                route.target,
                route,
                table.address,
                tuple(s for r in route.unknown_ranges for s in r.sources),
            )
            for route in table.routes
            if route.unknown_ranges and not route.destination
        ]

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
                self.route_hop(entry),
                self.gateway_hop(peering.address, "peering", detail),
            ]
        if entry.target_kind == "virtual-appliance":
            return self._through_appliance(entry, part, source_network, destination_network)
        if entry.target_kind == "transit-gateway" and self._tgw_delivers(
            entry.target, part, source_network, destination_network
        ):
            return [
                self.route_hop(entry),
                self.gateway_hop(
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
                    label = _first_cidr(part)
                    return [
                        self.route_hop(entry, label),
                        self.gateway_hop(
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
                return [
                    self.route_hop(entry, _first_cidr(part)),
                    self.gateway_hop(
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
        appliance = self.appliance(entry.target)
        if appliance is None:
            return None
        home = appliance.network
        if not (self._peered(source_network, home) and self._peered(home, destination_network)):
            return None
        return [self.route_hop(entry, _first_cidr(part)), self._appliance_hop(appliance)]

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
        for route in sorted(static, key=lambda r: -_prefix(r.destination)):
            if part & cidrs([route.destination]):
                return not route.blackhole and route.attachment == target.address
        tgw = self.model.gateways.get(gateway or "")
        return tgw is None or tgw.default_propagation

    # ----- to and from outside --------------------------------------------------------------------

    def internet_return(self, view: RouteView) -> tuple[IntervalSet, list[Hop]]:
        """Client addresses whose replies leave through an internet gateway."""
        clients = IntervalSet()
        hops: list[Hop] = []
        for part, entry in view.partition(ALL_ADDRESSES):
            if entry.target_kind not in {"internet-gateway", "internet"}:
                continue
            clients = clients | part
            if not hops and entry.target_kind == "internet":
                hops = [self.route_hop(entry, _first_cidr(part))]
            elif not hops:
                hops = [
                    self.gateway_hop(entry.target, "internet-gateway", "admits internet traffic"),
                    self.route_hop(entry, _first_cidr(part)),
                ]
        return clients, hops

    def internet_in_through_firewalls(
        self, view: RouteView, destination: IntervalSet
    ) -> list[tuple[IntervalSet, list[Hop], str]]:
        """(clients, hops, firewall) for internet traffic that crosses a firewall both ways: the
        internet gateway's edge route table sends the destination to the firewall, the
        destination's table sends the replies to it, and the firewall's subnet reaches the
        gateway. Without the edge route the firewall sees only the replies and drops them."""
        found: list[tuple[IntervalSet, list[Hop], str]] = []
        for part, entry in view.partition(ALL_ADDRESSES):
            gateway = self.model.gateways.get(entry.target or "")
            if entry.target_kind != "virtual-appliance" or gateway is None:
                continue
            if gateway.kind != "firewall":
                continue
            appliance = self.appliance(gateway.address)
            assert appliance is not None
            onward = self.view_for(appliance.subnet, appliance.network)
            for sub_part, out in onward.partition(part):
                if out.target_kind != "internet-gateway" or not out.target:
                    continue
                edge = self._edge_entry(out.target, destination, gateway.address)
                if edge is None:
                    continue
                hops = [
                    self.gateway_hop(out.target, "internet-gateway", "admits internet traffic"),
                    self.route_hop(edge, _first_cidr(destination)),
                    self._appliance_hop(appliance),
                    self.route_hop(entry, _first_cidr(sub_part)),
                ]
                found.append((sub_part, hops, gateway.address))
        return found

    def _edge_entry(self, igw: str, destination: IntervalSet, firewall: str) -> RouteEntry | None:
        """The edge route of the gateway's route table that sends all of `destination` to the
        firewall, if there is one."""
        for table in self.model.route_tables.values():
            if igw not in table.edge_gateways:
                continue
            key = (table.address, f"edge:{igw}")
            view = self._views.get(key)
            if view is None:
                view = self._views[key] = self._build_view(table, table.network)
            parts = view.partition(destination)
            if parts and all(e.target == firewall for _, e in parts):
                return parts[0][1]
        return None

    def internet_legs(
        self,
        view: RouteView,
        public: bool,
        families: IntervalSet,
        subnet: Subnet | None = None,
        depth: int = 0,
    ) -> list[Leg]:
        legs: list[Leg] = []
        for part, entry in [*view.partition(families), *self._unknown_parts(view, families)]:
            made = len(legs)
            kind = entry.target_kind
            label = _first_cidr(part)
            if kind == "internet":
                legs.extend(
                    self._azure_internet_legs(entry, part & PUBLIC_ADDRESSES, public, subnet)
                )
            elif kind == "virtual-appliance" and depth < 3:
                legs.extend(self._appliance_legs(entry, part, depth, public))
            if kind == "internet-gateway":
                usable = part & PUBLIC_ADDRESSES & ((V4_ALL if public else IntervalSet()) | V6_ALL)
                if usable:
                    hops = [
                        self.route_hop(entry, label),
                        self.gateway_hop(entry.target, kind, "carries the traffic to the internet"),
                    ]
                    legs.append(Leg(usable, INTERNET, hops))
            elif kind == "egress-only-internet-gateway":
                usable = part & PUBLIC_ADDRESSES & V6_ALL
                if usable:
                    hops = [
                        self.route_hop(entry, label),
                        self.gateway_hop(entry.target, kind, "carries IPv6 traffic out"),
                    ]
                    legs.append(Leg(usable, INTERNET, hops))
            elif kind == "nat-gateway":
                legs.extend(self._nat_legs(entry, part & PUBLIC_ADDRESSES & V4_ALL))
            elif kind in {"vpn-gateway", "transit-gateway"}:
                legs.extend(self._site_legs(entry, part))
            for leg in legs[made:]:
                leg.unknowns.extend(entry.unknowns)
        return legs

    def _unknown_parts(
        self, view: RouteView, families: IntervalSet
    ) -> list[tuple[IntervalSet, RouteEntry]]:
        """Routes to unknown ranges, each taken to cover what it may: routes written to an
        unknown value when --assume-unknown is open; learned on-premises ranges always, as
        they lead to their site whatever they are."""
        parts = [(families, entry) for entry in view.unknown_sites]
        if self.assume == "open":
            parts.extend((families, entry) for entry in self.unknown_destinations(view))
        return parts

    def _azure_internet_legs(
        self, entry: RouteEntry, part: IntervalSet, public: bool, subnet: Subnet | None
    ) -> list[Leg]:
        """Out through Azure's Internet next hop: NAT gateway, public IP or default access."""
        if not part:
            return []
        route = self.route_hop(entry, _first_cidr(part))
        nat = self.model.gateways.get(subnet.nat_gateway or "") if subnet is not None else None
        if nat is not None:
            hop = self.gateway_hop(nat.address, "nat-gateway", "translates to its public address")
            return [Leg(part, INTERNET, [route, hop])]
        if public or subnet is None or subnet.default_outbound_access:
            return [Leg(part, INTERNET, [route])]
        return []

    def appliance(self, address: str | None) -> Appliance | None:
        """A firewall, or a VM or interface that forwards: where it sits, what it is."""
        gateway = self.model.gateways.get(address or "")
        if gateway is not None:
            subnet = self.model.subnets.get(gateway.subnet or "")
            network = subnet.network if subnet is not None else gateway.network
            return Appliance(
                gateway.address, gateway.kind, gateway.type, network, subnet, gateway.origin
            )
        endpoint = self.model.endpoints.get(address or "")
        if endpoint is None or not endpoint.interfaces:
            return None
        interface = endpoint.interfaces[0]
        subnet = self.model.subnets.get(interface.subnet or "")
        network = subnet.network if subnet is not None else interface.network
        return Appliance(
            endpoint.address, "virtual-appliance", endpoint.type, network, subnet, endpoint.origin
        )

    def _appliance_hop(self, appliance: Appliance) -> Hop:
        return Hop(
            address=appliance.address,
            kind=appliance.kind,
            type=appliance.type,
            detail="passes the traffic on",
            origin=appliance.origin,
        )

    def _appliance_legs(
        self, entry: RouteEntry, part: IntervalSet, depth: int, public: bool = True
    ) -> list[Leg]:
        """Through a firewall or appliance, then onward by the appliance subnet's own routes."""
        appliance = self.appliance(entry.target)
        if appliance is None:
            return []
        subnet = appliance.subnet
        onward_view = self.view_for(subnet, appliance.network)
        hops = [self.route_hop(entry, _first_cidr(part)), self._appliance_hop(appliance)]
        # Azure Firewall and forwarding VMs translate to their own address; an AWS Network
        # Firewall endpoint does not, so the sender still needs a public address of its own.
        public = public or appliance.type != "aws_networkfirewall_firewall"
        legs = []
        for leg in self.internet_legs(onward_view, public, part, subnet, depth + 1):
            legs.append(Leg(leg.addresses, leg.external, [*hops, *leg.hops], leg.nat_subnet))
        return legs

    def _nat_legs(self, entry: RouteEntry, part: IntervalSet) -> list[Leg]:
        nat = self.model.gateways.get(entry.target or "")
        if nat is None or not nat.public or not part:
            return []
        subnet = self.model.subnets.get(nat.subnet or "")
        if subnet is None:
            return []
        nat_view = self.view_for(subnet, subnet.network)
        legs: list[Leg] = []
        for sub_part, onward in nat_view.partition(part):
            if onward.target_kind != "internet-gateway":
                continue
            hops = [
                self.route_hop(entry, _first_cidr(part)),
                self.gateway_hop(nat.address, "nat-gateway", "translates to its public address"),
                self.route_hop(onward, _first_cidr(sub_part)),
                self.gateway_hop(onward.target, "internet-gateway", "carries it to the internet"),
            ]
            legs.append(Leg(sub_part, INTERNET, hops, nat_subnet=subnet.address))
        return legs

    def _site_legs(self, entry: RouteEntry, part: IntervalSet) -> list[Leg]:
        """Traffic sent to a VPN gateway reaches on-premises, whatever its destination address."""
        sites = self.sites_on(entry.target or "")
        if not sites:
            return []
        hops = [
            self.route_hop(entry, _first_cidr(part)),
            self.gateway_hop(entry.target, entry.target_kind, "carries the traffic over the VPN"),
        ]
        legs: list[Leg] = []
        rest = part
        for site in sites:
            if site.cidrs:
                mine = part & cidrs(site.cidrs)
                rest = rest - mine
                if mine:
                    legs.append(Leg(mine, _site_end(site), hops))
        if rest:
            open_sites = [s for s in sites if not s.cidrs] or sites[:1]
            for site in open_sites:
                unknown = tuple(names(site.unknown_ranges)) if not site.cidrs else ()
                legs.append(Leg(rest, _site_end(site), hops, address_names=unknown))
        return legs

    def onprem_return(self, view: RouteView, families: IntervalSet) -> list[Leg]:
        """On-premises clients whose replies the table sends back over their VPN."""
        legs: list[Leg] = []
        for site in sorted(self.model.onprem_sites.values(), key=_addr):
            addresses = (cidrs(site.cidrs) if site.cidrs else ALL_ADDRESSES) & families
            for part, entry in view.partition(addresses):
                if entry.target != site.gateway or entry.target_kind not in {
                    "vpn-gateway",
                    "transit-gateway",
                }:
                    continue
                hops = [
                    self.gateway_hop(entry.target, entry.target_kind, f"connects {site.address}"),
                    self.route_hop(entry, _first_cidr(part)),
                ]
                legs.append(Leg(part, _site_end(site), hops))
            # Ranges that are unknown values: the gateway's learned route leads back to them.
            for entry in view.unknown_sites if site.unknown_ranges else []:
                if entry.target == site.gateway:
                    connects = f"connects {site.address}"
                    hops = [
                        self.gateway_hop(entry.target, entry.target_kind, connects),
                        self.route_hop(entry),
                    ]
                    unknown = tuple(names(site.unknown_ranges))
                    legs.append(Leg(families, _site_end(site), hops, address_names=unknown))
                    break
        return legs


def _site_route(site: OnPremSite, gateway: str, table: str | None) -> RouteEntry:
    """The route a gateway learns for a site's ranges that are unknown values."""
    return RouteEntry(
        f"the ranges of {site.address}", IntervalSet(), 0, "vpn-gateway", gateway, None, table
    )


def _addr(site: OnPremSite) -> str:
    return site.address


def _site_end(site: OnPremSite) -> External:
    return External(address=site.address, kind="onprem", origin=site.origin)


@lru_cache(maxsize=4096)
def _first_cidr(part: IntervalSet) -> str:
    found = addresses_as_cidrs(part)
    if not found:
        return "nothing"
    return found[0] if len(found) == 1 else f"{found[0]} and {len(found) - 1} more"
