"""The borders of the networks: the ways out to the internet and on-premises sites, and the
ways back in that their replies and clients take.

Out: an internet gateway (IPv4 needs a public address), an egress-only gateway (IPv6), a NAT
gateway, Azure's Internet next hop, a VPN or transit gateway to a site, an appliance and then
its own subnet's routes. In: the clients whose replies a table sends back the way they came.
"""

from __future__ import annotations

from msgspec import Struct, field

from reachlint.engine.appliances import appliance_of
from reachlint.engine.flows import INTERNET, External, Hop
from reachlint.engine.ranges import names, possible_addresses
from reachlint.engine.route_tables import (
    RouteEntry,
    RouteTables,
    RouteView,
    site_address,
    site_end,
)
from reachlint.model.network import NetworkModel, Subnet
from reachlint.model.traffic import (
    ALL_ADDRESSES,
    NAT64_PREFIX,
    PUBLIC_ADDRESSES,
    V4_ALL,
    V6_ALL,
    IntervalSet,
    Traffic,
    cidrs,
)


class Leg(Struct):
    """Where one part of the address space goes when an endpoint sends it out of its VPC."""

    addresses: IntervalSet
    external: External
    hops: list[Hop]
    nat_subnet: str | None = None
    unknowns: list[str] = field(default_factory=list)  # what the leg's route rests on
    # An instance that forwards it (a NAT instance): its filters judge what passes too.
    forwarder: str | None = None
    # The addresses stand for a site's range that is an unknown value: what it rests on.
    address_names: tuple[str, ...] = ()
    # What an appliance on the way passes on (an internal load balancer's rules); None: all.
    carries: Traffic | None = None


# Parts of the address space and the hops of the route that carries each to the internet.
InternetRoutes = list[tuple[IntervalSet, list[Hop]]]


class Borders:
    """The ways out of the networks and back in, by each table's routes."""

    def __init__(self, model: NetworkModel, assume: str, tables: RouteTables) -> None:
        self.model = model
        self.assume = assume
        self.tables = tables
        # Many subnets share a route table: its ways out are worked out once (read, not changed).
        self._returns: dict[RouteView, tuple[IntervalSet, InternetRoutes, list[str]]] = {}
        self._legs: dict[tuple[object, ...], list[Leg]] = {}

    def internet_return(self, view: RouteView) -> tuple[IntervalSet, InternetRoutes, list[str]]:
        """Client addresses whose replies leave through an internet gateway, with the hops of
        the route each part takes; and, when a route to an unknown range may carry them
        (--assume-unknown open), what that rests on."""
        found = self._returns.get(view)
        if found is None:
            found = self._returns[view] = self._internet_return(view)
        return found

    def _internet_return(self, view: RouteView) -> tuple[IntervalSet, InternetRoutes, list[str]]:
        clients = IntervalSet()
        routes: InternetRoutes = []
        routed = IntervalSet()
        unknowns: list[str] = []
        for part, entry in view.partition(ALL_ADDRESSES):
            routed = routed | part
            if entry.target_kind not in {"internet-gateway", "internet"}:
                continue
            clients = clients | part
            unknowns.extend(entry.unknowns)  # a target not known: the way back rests on it
            routes.append((part, self._return_hops(entry)))
        if self.assume == "open":
            rest = ALL_ADDRESSES - routed
            for entry in view.unknown_destinations():
                ranges = entry.route.unknown_ranges if entry.route is not None else []
                covered = rest & possible_addresses(ranges)
                if entry.target_kind != "internet-gateway" or not covered:
                    continue
                clients = clients | covered
                unknowns.extend(entry.unknowns)
                routes.append((covered, self._return_hops(entry)))
        return clients, routes, unknowns

    def _return_hops(self, entry: RouteEntry) -> list[Hop]:
        if entry.target_kind == "internet":
            return [self.tables.route_hop(entry)]
        return [
            self.tables.gateway_hop(entry.target, "internet-gateway", "admits internet traffic"),
            self.tables.route_hop(entry),
        ]

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
            appliance = appliance_of(self.model, gateway.address)
            assert appliance is not None
            onward = self.tables.view_for(appliance.subnet, appliance.network)
            for sub_part, out in onward.partition(part):
                if out.target_kind != "internet-gateway" or not out.target:
                    continue
                edge = self._edge_entry(out.target, destination, gateway.address)
                if edge is None:
                    continue
                hops = [
                    self.tables.gateway_hop(
                        out.target, "internet-gateway", "admits internet traffic"
                    ),
                    self.tables.route_hop(edge),
                    appliance.hop(),
                    self.tables.route_hop(entry),
                ]
                found.append((sub_part, hops, gateway.address))
        return found

    def _edge_entry(self, igw: str, destination: IntervalSet, firewall: str) -> RouteEntry | None:
        """The edge route of the gateway's route table that sends all of `destination` to the
        firewall, if there is one."""
        for table in self.model.route_tables.values():
            if igw not in table.edge_gateways:
                continue
            parts = self.tables.edge_view(table, igw).partition(destination)
            if parts and all(e.target == firewall for _, e in parts):
                return parts[0][1]
        return None

    def internet_legs(
        self,
        view: RouteView,
        public: bool,
        families: IntervalSet,
        subnet: Subnet | None = None,
        default_outbound: bool = True,
    ) -> list[Leg]:
        """The ways out of a subnet by its routes (read, not changed: subnets share them).
        `default_outbound`: Azure's default outbound access is not taken away from the sender
        (see Interface)."""
        # Of the subnet, only what Azure's Internet next hop asks counts.
        own = (
            (subnet.nat_gateway, subnet.default_outbound_access and default_outbound)
            if subnet is not None
            else None
        )
        key = (view, public, families, own)
        found = self._legs.get(key)
        if found is None:
            found = self._legs[key] = self._internet_legs(
                view, public, families, subnet, 0, default_outbound
            )
        return found

    def _internet_legs(
        self,
        view: RouteView,
        public: bool,
        families: IntervalSet,
        subnet: Subnet | None,
        depth: int,
        default_outbound: bool = True,
    ) -> list[Leg]:
        legs: list[Leg] = []
        for part, entry in [*view.partition(families), *self._unknown_parts(view, families)]:
            made = len(legs)
            kind = entry.target_kind
            if kind == "internet":
                legs.extend(
                    self._azure_internet_legs(
                        entry, part & PUBLIC_ADDRESSES, public, subnet, default_outbound
                    )
                )
            elif kind == "virtual-appliance" and depth < 3:
                legs.extend(self._appliance_legs(entry, part, depth, public))
            if kind == "internet-gateway":
                usable = part & PUBLIC_ADDRESSES & ((V4_ALL if public else IntervalSet()) | V6_ALL)
                if usable:
                    hops = [
                        self.tables.route_hop(entry),
                        self.tables.gateway_hop(
                            entry.target, kind, "carries the traffic to the internet"
                        ),
                    ]
                    legs.append(Leg(usable, INTERNET, hops))
            elif kind == "egress-only-internet-gateway":
                usable = part & PUBLIC_ADDRESSES & V6_ALL
                if usable:
                    hops = [
                        self.tables.route_hop(entry),
                        self.tables.gateway_hop(entry.target, kind, "carries IPv6 traffic out"),
                    ]
                    legs.append(Leg(usable, INTERNET, hops))
            elif kind == "nat-gateway":
                legs.extend(self._nat_legs(entry, part & PUBLIC_ADDRESSES & V4_ALL))
                legs.extend(self._nat_legs(entry, part & NAT64_PREFIX, nat64=True))
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
            for entry in view.unknown_destinations():
                ranges = entry.route.unknown_ranges if entry.route is not None else []
                parts.append((families & possible_addresses(ranges), entry))
        return parts

    def _azure_internet_legs(
        self,
        entry: RouteEntry,
        part: IntervalSet,
        public: bool,
        subnet: Subnet | None,
        default_outbound: bool,
    ) -> list[Leg]:
        """Out through Azure's Internet next hop: NAT gateway, public IP or default access."""
        if not part:
            return []
        route = self.tables.route_hop(entry)
        nat = self.model.gateways.get(subnet.nat_gateway or "") if subnet is not None else None
        if nat is not None:
            hop = self.tables.gateway_hop(
                nat.address, "nat-gateway", "translates to its public address"
            )
            return [Leg(part, INTERNET, [route, hop])]
        if public or subnet is None or (subnet.default_outbound_access and default_outbound):
            return [Leg(part, INTERNET, [route])]
        return []

    def _appliance_legs(
        self, entry: RouteEntry, part: IntervalSet, depth: int, public: bool = True
    ) -> list[Leg]:
        """Through a firewall or appliance, then onward by the appliance subnet's own routes."""
        appliance = appliance_of(self.model, entry.target, self.assume == "open")
        if appliance is None:
            return []
        subnet = appliance.subnet
        onward_view = self.tables.view_for(subnet, appliance.network)
        hops = [self.tables.route_hop(entry), appliance.hop()]
        # Azure Firewall translates to its own public address; a forwarding Azure machine to
        # its own, going out by its public address or default outbound access; an AWS Network
        # Firewall endpoint does not translate, so the sender still needs a public address of
        # its own; an AWS instance that forwards (a NAT instance) translates to its own, if it
        # has one.
        rests_on: list[str] = []
        default_outbound = True
        if appliance.way_out is not None or appliance.public is not None:
            public, default_outbound = appliance.way_out or (bool(appliance.public), True)
            if not public and appliance.public_unknown and self.assume == "open":
                public, rests_on = True, [appliance.public_unknown]
        else:
            public = public or appliance.type != "aws_networkfirewall_firewall"
        forwarder = appliance.address if appliance.public is not None else None
        legs = []
        for leg in self._internet_legs(
            onward_view, public, part, subnet, depth + 1, default_outbound
        ):
            nat_subnet = subnet.address if forwarder and subnet is not None else leg.nat_subnet
            carries = appliance.carries
            if leg.carries is not None:
                carries = leg.carries if carries is None else carries & leg.carries
            legs.append(
                Leg(
                    leg.addresses,
                    leg.external,
                    [*hops, *leg.hops],
                    nat_subnet,
                    [*rests_on, *leg.unknowns],
                    forwarder=forwarder or leg.forwarder,
                    carries=carries,
                )
            )
        return legs

    def _nat_legs(self, entry: RouteEntry, part: IntervalSet, nat64: bool = False) -> list[Leg]:
        """Out through a public NAT gateway and its subnet's internet gateway. With `nat64`,
        IPv6 traffic to the NAT64 prefix, which it sends on to the IPv4 addresses embedded in
        it ("NAT64 ... enables your IPv6-only services ... to communicate with IPv4-only
        services", https://docs.aws.amazon.com/vpc/latest/userguide/
        nat-gateway-nat64-dns64.html): the leg keeps the addresses its sender's filters see."""
        nat = self.model.gateways.get(entry.target or "")
        if nat is None or not nat.public or not part:
            return []
        subnet = self.model.subnets.get(nat.subnet or "")
        if subnet is None:
            return []
        nat_view = self.tables.view_for(subnet, subnet.network)
        translated = PUBLIC_ADDRESSES & V4_ALL if nat64 else part
        how = "translates IPv6 to IPv4 (NAT64)" if nat64 else "translates to its public address"
        legs: list[Leg] = []
        for sub_part, onward in nat_view.partition(translated):
            if onward.target_kind != "internet-gateway":
                continue
            if nat64:
                sub_part = part  # the prefix stands for the internet's IPv4 addresses
            hops = [
                self.tables.route_hop(entry),
                self.tables.gateway_hop(nat.address, "nat-gateway", how),
                self.tables.route_hop(onward),
                self.tables.gateway_hop(
                    onward.target, "internet-gateway", "carries it to the internet"
                ),
            ]
            legs.append(Leg(sub_part, INTERNET, hops, nat_subnet=subnet.address))
            if nat64:
                break
        return legs

    def _site_legs(self, entry: RouteEntry, part: IntervalSet) -> list[Leg]:
        """Traffic sent to a VPN gateway reaches on-premises, whatever its destination address."""
        sites = self.tables.sites_on(entry.target or "")
        if not sites:
            return []
        hops = [
            self.tables.route_hop(entry),
            self.tables.gateway_hop(
                entry.target, entry.target_kind, "carries the traffic over the VPN"
            ),
        ]
        legs: list[Leg] = []
        rest = part
        for site in sites:
            if site.cidrs:
                mine = part & cidrs(site.cidrs)
                rest = rest - mine
                if mine:
                    legs.append(Leg(mine, site_end(site), hops))
        if rest:
            open_sites = [s for s in sites if not s.cidrs] or sites[:1]
            for site in open_sites:
                unknown = tuple(names(site.unknown_ranges)) if not site.cidrs else ()
                legs.append(Leg(rest, site_end(site), hops, address_names=unknown))
        return legs

    def onprem_return(self, view: RouteView, families: IntervalSet) -> list[Leg]:
        """On-premises clients whose replies the table sends back over their VPN."""
        legs: list[Leg] = []
        for site in sorted(self.model.onprem_sites.values(), key=site_address):
            addresses = (cidrs(site.cidrs) if site.cidrs else ALL_ADDRESSES) & families
            for part, entry in view.partition(addresses):
                if entry.target != site.gateway or entry.target_kind not in {
                    "vpn-gateway",
                    "transit-gateway",
                }:
                    continue
                hops = [
                    self.tables.gateway_hop(
                        entry.target, entry.target_kind, f"connects {site.address}"
                    ),
                    self.tables.route_hop(entry),
                ]
                legs.append(Leg(part, site_end(site), hops))
            # Ranges that are unknown values: the gateway's learned route leads back to them.
            for entry in view.unknown_sites if site.unknown_ranges else []:
                if entry.target == site.gateway:
                    connects = f"connects {site.address}"
                    hops = [
                        self.tables.gateway_hop(entry.target, entry.target_kind, connects),
                        self.tables.route_hop(entry),
                    ]
                    unknown = tuple(names(site.unknown_ranges))
                    legs.append(Leg(families, site_end(site), hops, address_names=unknown))
                    break
        return legs
