"""Route tables and routes: where a subnet's traffic goes, and through what.

A subnet uses its VPC's main table unless associated with another; a gateway route table routes
what enters through an internet gateway. A route's target is one of several fields, each naming
a kind of gateway; a firewall or Gateway Load Balancer endpoint is an appliance that filters and
forwards. An attachment stands for the gateway it attaches.

Fields: a table's `network`, `default_of` (a main table: the VPC whose it is), `routes` entries,
`propagating_gateways`; a route (an entry, or a `route` with `table`) has `destination`,
`ipv6_destination`, `destination_prefix_list` and the targets of `ROUTE_TARGETS`; associations
have `table` and `subnet` or `gateway`; a propagation `table` (or `tables`) and `gateway`; a
prefix list `entries` with `cidr`, a `prefix-list-entry` `prefix_list` and `cidr`.
"""

from __future__ import annotations

from reachlint.model.network import PrefixList, Route, RouteTable, RouteTarget
from reachlint.providers.aws.networks import (
    RT_KINDS,
    SUBNET_KINDS,
    VPC_KINDS,
    cidr_values,
    network_of,
    why_not_known,
)
from reachlint.providers.aws.security_groups import PREFIX_LIST_KINDS
from reachlint.providers.aws.source import Fields, Resource
from reachlint.providers.aws.state import NOTE_SAMPLE, Build, one_of
from reachlint.providers.values import dedupe, flag, has_unknown, string_value
from reachlint.sources import UNKNOWN, UnknownValue

RT_LINK_KINDS = RT_KINDS | VPC_KINDS  # a VPC stands for its main table
VGW_KINDS = frozenset({"vpn-gateway"})
TGW_KINDS = frozenset({"transit-gateway"})
ENI_KINDS = frozenset({"network-interface"})
INSTANCE_KINDS = frozenset({"instance"})

# Route target fields, the kind each implies, and the kinds a link shared by several routes
# must have to be taken as that field's target.
ROUTE_TARGETS: tuple[tuple[str, RouteTarget | None, frozenset[str]], ...] = (
    (
        "gateway",
        None,
        frozenset(
            {
                "internet-gateway",
                "internet-gateway-attachment",
                "vpn-gateway",
                "vpn-gateway-attachment",
                "vpc-endpoint",
            }
        ),
    ),
    ("nat_gateway", "nat-gateway", frozenset({"nat-gateway"})),
    ("transit_gateway", "transit-gateway", TGW_KINDS),
    (
        "peering",
        "peering",
        frozenset({"vpc-peering-connection", "vpc-peering-connection-accepter"}),
    ),
    (
        "egress_only_gateway",
        "egress-only-internet-gateway",
        frozenset({"egress-only-internet-gateway"}),
    ),
    ("vpc_endpoint", "gateway-endpoint", frozenset({"vpc-endpoint", "network-firewall"})),
    ("network_interface", "network-interface", ENI_KINDS | INSTANCE_KINDS),
    ("instance", "instance", INSTANCE_KINDS),
    ("local_gateway", "unknown", frozenset({"local-gateway"})),
    ("carrier_gateway", "unknown", frozenset({"carrier-gateway"})),
    ("core_network", "unknown", frozenset({"core-network"})),
)
_TARGET_BY_KIND: dict[str, RouteTarget] = {
    "internet-gateway": "internet-gateway",
    "internet-gateway-attachment": "internet-gateway",
    "egress-only-internet-gateway": "egress-only-internet-gateway",
    "nat-gateway": "nat-gateway",
    "vpn-gateway": "vpn-gateway",
    "vpn-gateway-attachment": "vpn-gateway",
    "transit-gateway": "transit-gateway",
    "vpc-peering-connection": "peering",
    "vpc-peering-connection-accepter": "peering",
    "vpc-endpoint": "gateway-endpoint",
    "network-interface": "network-interface",
    "instance": "instance",
}
_TARGET_BY_ID_PREFIX: tuple[tuple[str, RouteTarget], ...] = (
    ("igw-", "internet-gateway"),
    ("vgw-", "vpn-gateway"),
    ("vpce-", "gateway-endpoint"),
    ("nat-", "nat-gateway"),
    ("eigw-", "egress-only-internet-gateway"),
    ("tgw-", "transit-gateway"),
    ("pcx-", "peering"),
    ("eni-", "network-interface"),
    ("i-", "instance"),
)
# Attachments stand for what they attach: the field naming it, and its kind.
_ATTACHED = {
    "internet-gateway-attachment": ("gateway", "internet-gateway"),
    "vpn-gateway-attachment": ("gateway", "vpn-gateway"),
    "vpc-peering-connection-accepter": ("peering", "vpc-peering-connection"),
}


def add_route_tables(b: Build) -> None:
    for resource in b.inv.of("default-route-table", "route-table"):
        unknown: list[str] = []
        is_default = resource.kind == "default-route-table"
        vpc = resource.link("default_of", VPC_KINDS, "VPC", None) if is_default else None
        network = vpc or network_of(b, resource, "network", unknown)
        routes = [route(b, entry) for entry in resource.entries("routes") if entry.known]
        gateways = resource.links("propagating_gateways", VGW_KINDS, "VPN gateway", unknown)
        b.model.route_tables[resource.address] = RouteTable(
            address=resource.address,
            type=resource.type,
            origin=resource.origin,
            network=network,
            is_main=is_default,
            routes=routes,
            propagating_gateways=[*gateways.addresses, *gateways.literals],
            unknown=unknown,
        )
        net = b.model.networks[network]
        if is_default and net.main_route_table is None:
            net.main_route_table = resource.address
    for resource in b.inv.of("main-route-table-association"):
        unknown = []
        table_address = resource.link("table", RT_KINDS, "route table", unknown)
        table = b.model.route_tables.get(table_address or "")
        if table is None:
            resource.note("its route table is not in the input; main table unchanged")
            continue
        net = b.model.networks[table.network]  # a main table is one of its own VPC's
        previous = b.model.route_tables.get(net.main_route_table or "")
        if previous is not None and previous is not table:
            previous.is_main = False
        table.is_main = True
        net.main_route_table = table.address


def route(b: Build, view: Fields) -> Route:
    """One route, an entry of its table or a resource of its own."""
    unknown: list[str] = []
    destination: str | None = None
    ranges: list[UnknownValue] = []
    for name, version in (("destination", 4), ("ipv6_destination", 6)):
        found = cidr_values(view, name, unknown, ranges=ranges, version=version)
        destination = destination or (found[0] if found else None)
    destination_prefix_list: str | None = None
    if destination is None and not ranges:
        lists = view.links("destination_prefix_list", PREFIX_LIST_KINDS, "prefix list", unknown)
        chosen = [*lists.addresses, *lists.literals]
        destination_prefix_list = chosen[0] if chosen else None
    unknown = [u.removeprefix(view.prefix) for u in unknown]
    if destination is None and destination_prefix_list is None and not unknown and not ranges:
        unknown.append(view.name("destination"))
        view.note(f"{view.path('destination')}: the route has no destination")
    kind, target, pending = route_target(b, view, unknown)
    made = Route(
        address=view.address,
        type=view.type,
        origin=view.origin,
        destination=destination,
        destination_prefix_list=destination_prefix_list,
        target_kind=kind,
        target=target,
        unknown=dedupe(unknown),
        unknown_ranges=ranges,
    )
    if pending is not None and destination is not None:
        b.unknown_targets.append((made, pending, view.path(pending)))
    return made


def route_target(
    b: Build, view: Fields, unknown: list[str]
) -> tuple[RouteTarget, str | None, str | None]:
    """The route's target kind and address, and the field of a target known only after apply."""
    pending: str | None = None
    for name, implied, kinds in ROUTE_TARGETS:
        links = view.links(name, None, single=True, likely=kinds)
        path = view.path(name)
        if links.ambiguous:
            unknown.append(view.name(name))
            choices = ", ".join(links.addresses[:NOTE_SAMPLE])
            view.note(f"{path} may be any of {choices}", name)
            return implied or "unknown", None, None
        if links.addresses:
            address = links.addresses[0]
            kind = _target_kind(b, address, implied)
            if kind == "unknown":
                view.note(f"{path}: {address} is not a target reachlint models", name)
            return kind, _target_address(b, address), None
        value = view.value(name)
        literal = string_value(value)
        if literal is not None:
            kind = implied or _literal_kind(literal)
            if kind == "unknown":
                view.note(f"{path}: {literal} is not a target reachlint models", name)
            return kind, None if kind == "local" else literal, None
        if value is UNKNOWN and pending is None:
            pending = name
    name = pending or "gateway"
    unknown.append(view.name(name))
    if pending is None:
        view.note(f"{view.prefix}route has no target it can be read from")
    else:
        view.note(f"{view.path(name)} {why_not_known(view, name)}", name)
    implied = next((kind for field, kind, _ in ROUTE_TARGETS if field == name), None)
    return implied or "unknown", None, pending


def _target_kind(b: Build, address: str, implied: RouteTarget | None) -> RouteTarget:
    resource = b.inv.get(address)
    if resource is not None and resource.kind == "network-firewall":
        return "virtual-appliance"  # a firewall endpoint: the firewall filters and forwards
    if resource is not None and resource.kind == "vpc-endpoint":
        if resource.value("endpoint_type") == "GatewayLoadBalancer":
            return "virtual-appliance"
        return "gateway-endpoint"
    if implied is not None:
        return implied
    if resource is None:
        return "unknown"
    return _TARGET_BY_KIND.get(resource.kind, "unknown")


def _target_address(b: Build, address: str) -> str:
    """Attachments stand for the gateway they attach."""
    resource = b.inv.get(address)
    attached = _ATTACHED.get(resource.kind) if resource is not None else None
    if resource is None or attached is None:
        return address
    gateway = resource.link(attached[0], frozenset({attached[1]}), "gateway", None)
    if resource.kind == "vpc-peering-connection-accepter" and gateway is None:
        return address  # a peering from outside the input is modelled as its accepter
    return gateway or address


def _literal_kind(literal: str) -> RouteTarget:
    if literal == "local":
        return "local"
    for start, kind in _TARGET_BY_ID_PREFIX:
        if literal.startswith(start):
            return kind
    return "unknown"


def add_routes_and_associations(b: Build) -> None:
    for resource in b.inv.of("route"):
        unknown: list[str] = []
        table = route_table_of(b, resource, unknown)
        if table is not None:
            table.routes.append(route(b, resource))
    associated_by: dict[str, str] = {}
    # Per subnet whose table is one of several: those tables (in order), what that rests on.
    choices: dict[str, tuple[dict[str, None], str]] = {}
    for resource in b.inv.of("route-table-association"):
        unknown = []
        if resource.refers("gateway") or string_value(resource.value("gateway")):
            _edge_association(b, resource)
            continue
        subnet_address = resource.link("subnet", SUBNET_KINDS, "subnet", unknown)
        subnet = b.model.subnets.get(subnet_address or "")
        tables = _tables_named(b, resource, unknown)
        if subnet is None or not tables:
            continue
        earlier = associated_by.get(subnet.address)
        if len(tables) > 1:
            named = f"{resource.address}: {resource.path('table')}"
            found = choices.setdefault(subnet.address, ({}, named))[0]
            found.update(dict.fromkeys(t.address for t in tables))
        elif earlier is not None and earlier != resource.address:
            # AWS takes one association per subnet: two resources associating one subnet
            # means it stands for many (a count or for_each not known), each with one table.
            named = f"the route table of {subnet.address}"
            found = choices.setdefault(subnet.address, ({}, named))[0]
            both = [subnet.route_table or "", *(t.address for t in tables)]
            found.update(dict.fromkeys(a for a in both if a))
            resource.note(
                f"{earlier} associates {subnet.address} too, so it stands for several subnets "
                "and its route table is unknown"
            )
        associated_by[subnet.address] = resource.address
        previous = b.model.route_tables.get(subnet.route_table or "")
        if previous is not None and subnet.address in previous.subnets:
            previous.subnets.remove(subnet.address)
        table = tables[-1]
        subnet.route_table = table.address
        if subnet.address not in table.subnets:
            table.subnets.append(subnet.address)
    for address, (tables_of, rests_on) in choices.items():
        subnet = b.model.subnets[address]
        subnet.route_table_choices, subnet.route_table_unknown = list(tables_of), rests_on
    for resource in b.inv.of("vpn-gateway-route-propagation"):
        unknown = []
        gateway = resource.link("gateway", VGW_KINDS, "VPN gateway", unknown)
        # One table, or (CloudFormation's RouteTableIds) several.
        into: list[RouteTable | None] = []
        if resource.value("table") is not None:
            into.append(route_table_of(b, resource, unknown))
        listed = resource.links("tables", RT_LINK_KINDS, "route table", unknown)
        into.extend(b.model.route_tables.get(table_address(b, a)) for a in listed.addresses)
        for table in into:
            if table is not None and gateway is not None:
                table.propagating_gateways = dedupe([*table.propagating_gateways, gateway])


def _tables_named(b: Build, resource: Resource, unknown: list[str]) -> list[RouteTable]:
    """The table an association names; several when the input says only that it is one of
    them."""
    choices = one_of(resource, "table", RT_LINK_KINDS, "route table")
    if choices is None:
        table = route_table_of(b, resource, unknown)
        return [table] if table is not None else []
    found = [b.model.route_tables.get(table_address(b, a)) for a in choices]
    return [table for table in found if table is not None]


def _edge_association(b: Build, resource: Resource) -> None:
    """A gateway route table: it routes what arrives through the internet gateway."""
    unknown: list[str] = []
    gateway = resource.link("gateway", frozenset({"internet-gateway"}), "gateway", unknown)
    table = route_table_of(b, resource, unknown)
    if gateway is None or table is None:
        resource.note("an edge association whose gateway or table is not known")
        return
    table.edge_gateways = dedupe([*table.edge_gateways, gateway])


def route_table_of(b: Build, resource: Resource, unknown: list[str]) -> RouteTable | None:
    address = resource.link("table", RT_LINK_KINDS, "route table", unknown)
    if address is None:
        return None
    network = b.model.networks.get(address)
    if network is not None:
        address = network.main_route_table or address
    table = b.model.route_tables.get(address)
    if table is None:
        resource.note(f"route table {address} is not in the model; skipped")
    return table


def table_address(b: Build, address: str) -> str:
    network = b.model.networks.get(address)
    return network.main_route_table or address if network is not None else address


def add_prefix_lists(b: Build) -> None:
    for resource in b.inv.of("prefix-list"):
        cidrs: list[str] = []
        unknown: list[str] = []
        ranges: list[UnknownValue] = []
        for entry in resource.entries("entries"):
            if entry.known:
                cidrs += cidr_values(entry, "cidr", unknown, ranges=ranges)
        b.model.prefix_lists[resource.address] = PrefixList(
            address=resource.address,
            type=resource.type,
            origin=resource.origin,
            cidrs=cidrs,
            unknown=unknown,
            unknown_ranges=ranges,
        )
    for resource in b.inv.of("prefix-list-entry"):
        unknown = []
        address = resource.link("prefix_list", PREFIX_LIST_KINDS, "list", unknown)
        prefix_list = b.model.prefix_lists.get(address or "")
        if prefix_list is not None:
            prefix_list.cidrs.extend(
                cidr_values(
                    resource, "cidr", prefix_list.unknown, ranges=prefix_list.unknown_ranges
                )
            )


# What a route's target field may name, by kind of gateway in the route's VPC, widest first.
_CANDIDATES: dict[str, tuple[str, ...]] = {
    "gateway": ("internet-gateway", "vpn-gateway"),
    "nat_gateway": ("nat-gateway",),
    "egress_only_gateway": ("egress-only-internet-gateway",),
    "transit_gateway": ("transit-gateway",),
}


def add_forwarders(b: Build) -> None:
    """A route to an instance or a network interface leads through it only when its
    source/destination check is off, as a NAT instance's is: with the check on, it drops what
    is not addressed to it (https://docs.aws.amazon.com/vpc/latest/userguide/
    work-with-nat-instances.html). The instance then forwards by its own subnet's routes."""
    for table in b.model.route_tables.values():
        for made in table.routes:
            if made.target_kind in ("instance", "network-interface") and made.target:
                _forwarder(b, made)


def _forwarder(b: Build, made: Route) -> None:
    target = made.target or ""
    resource = b.inv.get(target)
    holder = target if target in b.model.endpoints else b.owner.get(target)
    if resource is None or holder is None:
        return
    check = resource.value("source_dest_check")
    if flag(check) is not False and not has_unknown(check):
        b.model.note(
            f"{made.address}: sends {made.destination or 'its destination'} to {target}, whose "
            "source/destination check is on: it drops what is not addressed to it, so the "
            "route leads nowhere",
            made.address,
            made.origin,
        )
        return
    if has_unknown(check) and made.target_unknown is None:
        made.target_unknown = f"{made.address}: {target}.{resource.name('source_dest_check')}"
    made.target_kind, made.target = "virtual-appliance", holder


def choose_unknown_targets(b: Build) -> None:
    """A route whose target is known only after apply leads to a gateway of its VPC that its
    field may name (an internet gateway before a VPN gateway): which one is an unknown value,
    named by the field. When open, the route applies and the paths rest on it; when closed, it
    leads nowhere. Without such a gateway in the VPC, it stays a route to nowhere known."""
    if not b.unknown_targets:
        return
    tables = {id(r): t for t in b.model.route_tables.values() for r in t.routes}
    # Each VPC's gateways by kind, gathered once (lowest address first).
    in_network: dict[tuple[str, str | None], list[str]] = {}
    for gateway in b.model.gateways.values():
        in_network.setdefault((gateway.kind, gateway.network), []).append(gateway.address)
    for attachment in b.model.transit_gateway_attachments.values():
        key = ("transit-gateway", attachment.network)
        in_network.setdefault(key, []).append(attachment.transit_gateway)
    for made, pending, path in b.unknown_targets:
        table = tables.get(id(made))
        if table is None:
            continue
        kind = next(
            (k for k in _CANDIDATES.get(pending, ()) if in_network.get((k, table.network))),
            None,
        )
        if kind is None:
            continue
        made.target_kind = _TARGET_BY_KIND.get(kind, "unknown")
        made.target = min(in_network[(kind, table.network)])
        made.target_unknown = f"{made.address}: {path}"
