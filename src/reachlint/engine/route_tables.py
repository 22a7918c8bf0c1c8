"""Route tables as longest-prefix partitions of the address space.

A table's view makes explicit what no one writes: the local route of its network, the routes
a VPN gateway propagates, Azure's system routes (peered VNets, gateway-learned ranges,
Internet). Where each part of the space then goes is for interconnect.py (to another network)
and borders.py (out of the networks, and back in).
"""

from __future__ import annotations

from typing import Literal

from msgspec import Struct
from msgspec.structs import replace

from reachlint.engine.flows import External, Hop
from reachlint.model.network import (
    NetworkModel,
    OnPremSite,
    Route,
    RouteTable,
    Subnet,
    subnets_by_network,
)
from reachlint.model.traffic import ALL_ADDRESSES, IntervalSet, cidr_interval, cidrs
from reachlint.sources import Origin


class RouteEntry(Struct):
    destination: str
    addresses: IntervalSet
    prefix: int
    target_kind: str
    target: str | None
    route: Route | None  # None for the implicit local route and propagated routes
    table: str | None
    # A route whose destination or target is an unknown value: what it rests on.
    unknowns: tuple[str, ...] = ()


# Which of two routes for the same addresses reaches further, when the table is one of
# several and --assume-unknown is open: out of the networks first, then to other networks.
_REACH: dict[str, float] = {
    "internet-gateway": 4,
    "internet": 4,
    "egress-only-internet-gateway": 3,
    "nat-gateway": 3,
    "transit-gateway": 2,
    "peering": 2,
    "vpn-gateway": 2,
    "virtual-appliance": 2,
    "firewall": 2,
    "gateway-endpoint": 1,
}
# Without a public address an interface cannot use an internet gateway for IPv4: a NAT gateway
# takes it further.
_REACH_WITHOUT_PUBLIC = {**_REACH, "internet-gateway": 2.5}
# Merging candidate tables costs their routes times the pieces of address space so far; past
# these bounds (hostile input) a candidate stands for them all (see _beyond_merging).
MERGED_TABLES = 16
MERGE_BUDGET = 2_000_000  # route visits for all merges of one run


def _pick(entries: list[RouteEntry | None], widest: bool, public: bool) -> RouteEntry | None:
    """The route the addresses take when the table is one of several: when open, the one that
    reaches furthest (for an interface without a public address, a NAT gateway before an
    internet gateway, which it cannot use for IPv4); when closed, one only if every table
    agrees."""
    if widest:
        ranks = _REACH if public else _REACH_WITHOUT_PUBLIC
        present = [e for e in entries if e is not None]
        return max(present, key=lambda e: ranks.get(e.target_kind, 0), default=None)
    first = entries[0]
    if first is None or any(
        e is None or (e.target_kind, e.target) != (first.target_kind, first.target) for e in entries
    ):
        return None
    return first


def _route_key(entry: RouteEntry) -> tuple[object, ...]:
    return entry.target_kind, entry.target, entry.unknowns


def prefix_length(cidr: str) -> int:
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
        # A view merged from several tables: their routes to unknown ranges.
        self.merged_unknown: list[RouteEntry] | None = None
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
            destination = entry.addresses
            # Most routes lie wholly apart from the addresses: seen from their ends alone.
            if not destination or (
                destination.highest() < remaining.lowest()
                or destination.lowest() > remaining.highest()
            ):
                continue
            part = remaining & destination
            if part:
                parts.append((part, entry))
                remaining = remaining - part
        self._cache[addresses] = parts
        return parts

    def unknown_destinations(self) -> list[RouteEntry]:
        """The table's routes whose destination is an unknown value."""
        if self.merged_unknown is not None:
            return self.merged_unknown
        table = self.table
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


class RouteTables:
    """The view of each route table, built once, and the hops that name a route or gateway."""

    def __init__(self, model: NetworkModel, assume: Literal["open", "closed"]) -> None:
        self.model = model
        # A subnet whose table is one of several: when open, the one that reaches furthest.
        self.widest = assume == "open"
        self._views: dict[tuple[str | None, str | None], RouteView] = {}
        self._sites_by_gateway: dict[str, list[OnPremSite]] | None = None
        self._subnets_by_network: dict[str, list[Subnet]] | None = None
        self._budget = MERGE_BUDGET

    def view_for(self, subnet: Subnet | None, network: str | None) -> RouteView:
        if subnet is not None and subnet.route_table_choices:
            return self._chosen(subnet, network)
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

    def _chosen(self, subnet: Subnet, network: str | None) -> RouteView:
        """A subnet whose table is one of several (see Subnet.route_table_choices)."""
        key = (f"choice:{subnet.address}", network)
        view = self._views.get(key)
        if view is None:
            views = [self._table_view(address, network) for address in subnet.route_table_choices]
            view = self._views[key] = self._merged(views)
        return view

    def view_for_some_subnet(
        self, subnets: list[Subnet], network: str, public: bool = True
    ) -> RouteView:
        """An interface in one of these subnets, not known which; `public`: it has a public
        address (see _pick)."""
        key = (f"one of ({public}): " + " ".join(s.address for s in subnets), network)
        view = self._views.get(key)
        if view is None:
            views = [self.view_for(s, network) for s in subnets]
            view = self._views[key] = self._merged(views, public)
        return view

    def view_for_unknown_subnet(self, network: str, public: bool = True) -> RouteView:
        """An interface in one of the network's subnets, not known which. A subnet outside the
        input would have the main table, so that one is always a candidate."""
        key = (f"unknown subnet ({public})", network)
        found = self._views.get(key)
        if found is not None:
            return found
        if self._subnets_by_network is None:
            self._subnets_by_network = subnets_by_network(self.model)
        views = [self.view_for(None, network)]
        views += [self.view_for(s, network) for s in self._subnets_by_network.get(network, [])]
        found = self._views[key] = self._merged(views, public)
        return found

    def _table_view(self, address: str | None, network: str | None) -> RouteView:
        key = (address, network)
        view = self._views.get(key)
        if view is None:
            view = self._views[key] = self._build_view(
                self.model.route_tables.get(address or ""), network
            )
        return view

    def _merged(self, candidates: list[RouteView], public: bool = True) -> RouteView:
        """One view for a table that is one of these: address by address, when open the route
        that reaches furthest; when closed a route only where every table agrees."""
        views = list({id(v): v for v in candidates}.values())
        if len(views) == 1:
            return views[0]
        if len(views) > MERGED_TABLES:
            return self._beyond_merging(views)
        pieces: list[tuple[IntervalSet, list[RouteEntry | None]]] = [(ALL_ADDRESSES, [])]
        for view in views:
            self._budget -= len(pieces) * len(view.entries)
            if self._budget < 0:
                return self._beyond_merging(views)
            refined: list[tuple[IntervalSet, list[RouteEntry | None]]] = []
            for addresses, taken in pieces:
                covered = IntervalSet()
                for part, entry in view.partition(addresses):
                    refined.append((part, [*taken, entry]))
                    covered = covered | part
                if rest := addresses - covered:
                    refined.append((rest, [*taken, None]))
            pieces = refined
        entries = [
            replace(picked, addresses=addresses)
            for addresses, taken in pieces
            if (picked := _pick(taken, self.widest, public)) is not None
        ]
        sites = {id(e): e for v in views for e in v.unknown_sites}
        merged = RouteView(views[0].table, entries, list(sites.values()))
        unknown = [e for v in views for e in v.unknown_destinations()]
        if not self.widest:  # closed: only a route to an unknown range every table has
            every = [{_route_key(e) for e in v.unknown_destinations()} for v in views]
            unknown = [
                e for e in views[0].unknown_destinations() if all(_route_key(e) in k for k in every)
            ]
        merged.merged_unknown = unknown
        return merged

    def _beyond_merging(self, views: list[RouteView]) -> RouteView:
        """Too many candidates to merge: when closed only the network's own range is certain;
        when open the candidate whose routes reach furthest stands for them all."""
        if not self.widest:
            first = views[0]
            local = [e for e in first.entries if e.target_kind == "local"]
            certain = RouteView(first.table, local)
            certain.merged_unknown = []
            return certain
        return max(
            views,
            key=lambda v: (
                max((_REACH.get(e.target_kind, 0) for e in v.entries), default=0),
                len(v.entries),
            ),
        )

    def edge_view(self, table: RouteTable, gateway: str) -> RouteView:
        """The table as the edge route table of an internet gateway it is associated with."""
        key = (table.address, f"edge:{gateway}")
        view = self._views.get(key)
        if view is None:
            view = self._views[key] = self._build_view(table, table.network)
        return view

    def _build_view(self, table: RouteTable | None, network: str | None) -> RouteView:
        entries: list[RouteEntry] = []
        unknown_sites: list[RouteEntry] = []
        net = self.model.networks.get(network or "")
        table_address = table.address if table is not None else None
        for cidr in net.cidrs if net is not None else []:
            entries.append(
                RouteEntry(
                    cidr, cidrs([cidr]), prefix_length(cidr), "local", network, None, table_address
                )
            )
        if table is not None:
            for route in table.routes:
                if route.target_unknown is not None and not self.widest:
                    continue  # closed: a target not known leads nowhere
                rests_on = (route.target_unknown,) if route.target_unknown is not None else ()
                for cidr in self._destinations(route):
                    entries.append(
                        RouteEntry(
                            cidr,
                            cidrs([cidr]),
                            prefix_length(cidr),
                            route.target_kind,
                            route.target,
                            route,
                            table.address,
                            rests_on,
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
                                prefix_length(cidr),
                                "vpn-gateway",
                                gateway,
                                None,
                                table.address,
                            )
                        )
        if net is not None and net.provider == "azure":
            learns = table is None or table.learns_gateway_routes
            entries.extend(self._azure_system_routes(network, table_address, unknown_sites, learns))
        return RouteView(table, entries, unknown_sites)

    def _azure_system_routes(
        self,
        network: str | None,
        table: str | None,
        unknown_sites: list[RouteEntry],
        learns: bool = True,
    ) -> list[RouteEntry]:
        """Azure's routes that no one writes: peered VNets, gateway-learned ranges, Internet
        (for IPv4 and IPv6)."""
        entries = [
            RouteEntry(
                default, cidrs([default]), prefix_length(default), "internet", None, None, table
            )
            for default in ("0.0.0.0/0", "::/0")
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
                        cidr,
                        cidrs([cidr]),
                        prefix_length(cidr),
                        "peering",
                        peering.address,
                        None,
                        table,
                    )
                )
            if peering.gateway_user == network:
                gateway_networks.add(other)  # the peer's gateway is this network's too
        for gateway in self.model.gateways.values() if learns else ():
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
                            prefix_length(cidr),
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
        return [
            site_end(site) for site in sorted(self.model.onprem_sites.values(), key=site_address)
        ]

    # ----- hops ---------------------------------------------------------------------------------

    def route_hop(self, entry: RouteEntry) -> Hop:
        route = entry.route
        destination = entry.destination
        target = entry.target or entry.target_kind
        if route is None:
            how = "system route" if entry.target_kind in {"internet", "peering"} else "learned"
            table_found = self.model.route_tables.get(entry.table or "")
            return Hop(
                address=entry.table or f"system-route:{destination}",
                kind="route",
                type="route",
                detail=f"{entry.table or 'the subnet'} sends {destination} to {target} ({how})",
                # A route no one writes is the table's: the reader is pointed at the table.
                origin=table_found.origin if table_found is not None else Origin(),
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


def _site_route(site: OnPremSite, gateway: str, table: str | None) -> RouteEntry:
    """The route a gateway learns for a site's ranges that are unknown values."""
    return RouteEntry(
        f"the ranges of {site.address}", IntervalSet(), 0, "vpn-gateway", gateway, None, table
    )


def site_address(site: OnPremSite) -> str:
    return site.address


def site_end(site: OnPremSite) -> External:
    return External(address=site.address, kind="onprem", origin=site.origin)
