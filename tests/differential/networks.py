"""Random small AWS networks, the packets to try on them, and the engine's verdict on a packet."""

from __future__ import annotations

import copy
import ipaddress
import random
from collections.abc import Callable, Iterator

from reachlint.engine.flows import EndpointClass, External, Reachability
from reachlint.model.network import (
    AclEntry,
    Endpoint,
    Gateway,
    Interface,
    Network,
    NetworkAcl,
    NetworkModel,
    Peering,
    PortRange,
    Route,
    RouteTable,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
)
from reachlint.model.traffic import IntervalSet, Traffic
from tests.differential.simulator import ICMP, INTERNET, TCP, UDP, Packet, Verdict

INTERNET_ADDRESSES = ("8.8.8.8", "52.4.5.6", "100.20.3.4", "1.1.1.1")
PUBLIC_CIDRS = ("52.0.0.0/8", "8.8.8.0/24", "100.20.0.0/16")
PORT_RANGES = (
    (22, 22), (80, 80), (443, 443), (80, 443), (1024, 65535), (0, 1023), (8080, 8090),
    (1024, 1024), (1024, 32767), (32768, 65535),
)  # fmt: skip
PACKET_PORTS = (22, 80, 443, 1023, 1024, 3000, 8080, 65535)
PROTOCOLS = ("tcp", "udp", "icmp", "-1", "tcp", "6")
PACKET_PROTOCOLS = (TCP, TCP, UDP, ICMP, 47)
_PROTOCOL_NUMBERS = {"tcp": TCP, "6": TCP, "udp": UDP, "icmp": ICMP}


def _ports(rng: random.Random, protocol: str) -> PortRange | None:
    if protocol not in {"tcp", "udp", "6"} or rng.random() < 0.25:
        return None
    low, high = rng.choice(PORT_RANGES)
    return PortRange(low=low, high=high)


def random_network(seed: int) -> NetworkModel:
    """A network of 1-2 VPCs, 2-4 subnets, 2-6 instances with fixed addresses, random groups,
    ACLs in random order, route tables with overlapping routes, an optional internet gateway
    and peering. The same seed always gives the same network."""
    rng = random.Random(seed)
    model = NetworkModel()
    vpcs = [f"aws_vpc.v{i}" for i in range(rng.choice((1, 1, 2)))]
    for i, vpc in enumerate(vpcs):
        main = f"aws_route_table.v{i}_main"
        model.networks[vpc] = Network(
            address=vpc, type="aws_vpc", cidrs=[f"10.{i}.0.0/16"], main_route_table=main
        )
        model.route_tables[main] = RouteTable(
            address=main, type="aws_route_table", network=vpc, is_main=True
        )
        if rng.random() < 0.7:
            igw = f"aws_internet_gateway.v{i}"
            model.gateways[igw] = Gateway(
                address=igw, type="aws_internet_gateway", kind="internet-gateway", network=vpc
            )
        for t in range(rng.randint(0, 2)):
            table = f"aws_route_table.v{i}_t{t}"
            model.route_tables[table] = RouteTable(
                address=table, type="aws_route_table", network=vpc
            )
    if len(vpcs) == 2 and rng.random() < 0.7:
        model.peerings["aws_vpc_peering_connection.p"] = Peering(
            address="aws_vpc_peering_connection.p",
            type="aws_vpc_peering_connection",
            requester=vpcs[0],
            accepter=vpcs[1],
        )
    for j in range(rng.randint(max(2, len(vpcs)), 4)):
        i = j if j < len(vpcs) else rng.randrange(len(vpcs))
        vpc = vpcs[i]
        tables = [t.address for t in model.route_tables.values() if t.network == vpc]
        subnet = f"aws_subnet.s{j}"
        model.subnets[subnet] = Subnet(
            address=subnet,
            type="aws_subnet",
            network=vpc,
            cidrs=[f"10.{i}.{j}.0/24"],
            route_table=rng.choice([None, *[t for t in tables if not t.endswith("_main")]]),
        )
    instance_ips = _place_instances(rng, model, vpcs)
    pool = [
        "0.0.0.0/0",
        "10.0.0.0/8",
        "10.0.1.0/25",
        *[net.cidrs[0] for net in model.networks.values()],
        *[subnet.cidrs[0] for subnet in model.subnets.values()],
        *[f"{ip}/32" for ip in instance_ips],
        *PUBLIC_CIDRS,
    ]
    # Ranges that cut across subnets and addresses at random lengths.
    anchors = [*instance_ips, *INTERNET_ADDRESSES]
    pool.extend(_random_cidr(rng, rng.choice(anchors)) for _ in range(3))
    _add_routes(rng, model, vpcs)
    _add_groups(rng, model, vpcs, pool)
    _add_acls(rng, model, vpcs, pool)
    if seed % 2:
        _add_ipv6(random.Random(-seed), model, vpcs)
    return model


def _add_ipv6(rng: random.Random, model: NetworkModel, vpcs: list[str]) -> None:
    """Dual stack on top of the IPv4 network, from a random stream of its own: IPv6 blocks,
    addresses for some instances in them, and rules, entries and routes that name IPv6
    ranges, so that each end's filters may let a service through over one family only."""
    blocks = [f"2600:1f18:0:{i}00::/56" for i in range(len(vpcs))]
    for i, vpc in enumerate(vpcs):
        model.networks[vpc].cidrs.append(blocks[i])
    pool = ["::/0", *blocks]
    for j, subnet in enumerate(model.subnets.values()):
        if rng.random() < 0.8:
            i = vpcs.index(subnet.network)
            subnet.cidrs.append(f"2600:1f18:0:{i}{j:02x}::/64")
            pool.append(subnet.cidrs[-1])
    for k, endpoint in enumerate(model.endpoints.values()):
        interface = endpoint.interfaces[0]
        subnet = model.subnets[interface.subnet or ""]
        if len(subnet.cidrs) < 2:
            continue
        interface.ipv6 = rng.random() < 0.7
        if interface.ipv6:
            interface.private_ips.append(str(ipaddress.ip_network(subnet.cidrs[1])[10 + k]))
            pool.append(f"{interface.private_ips[-1]}/128")
    pool.append(_random_cidr(rng, "2600:1f18:0:1ff::1", 40, 128))
    for name, group in model.security_groups.items():
        if any(rule.cidrs == ["0.0.0.0/0"] for rule in group.rules) and rng.random() < 0.5:
            group.rules.append(_rule(f"{name}.out6", "egress", "-1", None, cidrs=["::/0"]))
        for n in range(rng.randint(0, 3)):
            protocol = rng.choice(PROTOCOLS)
            direction = rng.choice(("ingress", "ingress", "egress"))
            rule = _rule(f"{name}.v6r{n}", direction, protocol, _ports(rng, protocol))
            rule.cidrs = rng.sample(pool, rng.randint(1, 2))
            group.rules.append(rule)
    for acl in model.network_acls.values():
        for egress in (False, True):
            for number in rng.sample(range(1, 300), rng.randint(0, 3)):
                protocol = rng.choice(PROTOCOLS)
                allow = rng.random() < 0.6
                cidr = rng.choice(pool)
                entry = _entry(acl.address, number, egress, allow, protocol, cidr, None)
                entry.ports = _ports(rng, protocol)
                acl.entries.append(entry)
            if rng.random() < 0.7:  # AWS adds rule 101 for ::/0 to a default ACL
                acl.entries.append(_entry(acl.address, 401, egress, True, "-1", "::/0", None))
    peering = next(iter(model.peerings), None)
    for table in model.route_tables.values():
        other = 1 - vpcs.index(table.network)
        if peering is not None and len(vpcs) == 2 and rng.random() < 0.7:
            route = Route(
                address=f"{table.address}.route6",
                type="aws_route",
                destination=blocks[other],
                target_kind="peering",
                target=peering,
            )
            table.routes.append(route)


def _random_cidr(rng: random.Random, anchor: str, shortest: int = 8, longest: int = 32) -> str:
    return str(ipaddress.ip_network(f"{anchor}/{rng.randint(shortest, longest)}", strict=False))


def _place_instances(rng: random.Random, model: NetworkModel, vpcs: list[str]) -> list[str]:
    ips = []
    subnets = list(model.subnets.values())
    for k in range(rng.randint(2, 6)):
        subnet = rng.choice(subnets)
        ip = str(ipaddress.ip_network(subnet.cidrs[0])[10 + k])
        ips.append(ip)
        address = f"aws_instance.i{k}"
        model.endpoints[address] = Endpoint(
            address=address,
            type="aws_instance",
            kind="instance",
            interfaces=[
                Interface(
                    address=f"{address}.eni",
                    subnet=subnet.address,
                    private_ips=[ip],
                    public=rng.random() < 0.6,
                )
            ],
        )
    return ips


def _add_routes(rng: random.Random, model: NetworkModel, vpcs: list[str]) -> None:
    peering = next(iter(model.peerings), None)
    for table in model.route_tables.values():
        i = vpcs.index(table.network)
        igw = f"aws_internet_gateway.v{i}"
        choices: list[tuple[str, str, str | None]] = []
        if igw in model.gateways:
            choices.append(("0.0.0.0/0", "internet-gateway", igw))
            choices.extend((cidr, "internet-gateway", igw) for cidr in PUBLIC_CIDRS)
        choices.extend((cidr, "blackhole", None) for cidr in PUBLIC_CIDRS)
        if len(vpcs) == 2:
            other = 1 - i
            peer_ranges = [f"10.{other}.0.0/16", "10.0.0.0/8"]
            peer_ranges.append(_random_cidr(rng, f"10.{other}.{rng.randint(0, 3)}.12"))
            peer_ranges += [s.cidrs[0] for s in model.subnets.values() if s.network == vpcs[other]]
            for cidr in peer_ranges:
                choices.append((cidr, "blackhole", None))
                if peering is not None:
                    choices.append((cidr, "peering", peering))
                if igw in model.gateways:
                    choices.append((cidr, "internet-gateway", igw))
            if peering is not None:
                choices.extend((cidr, "peering", peering) for cidr in PUBLIC_CIDRS)
        # Most tables lead somewhere; the random routes then override parts of the way.
        picked = []
        if igw in model.gateways and rng.random() < 0.7:
            picked.append(("0.0.0.0/0", "internet-gateway", igw))
        if peering is not None and rng.random() < 0.7:
            picked.append((f"10.{1 - i}.0.0/16", "peering", peering))
        picked.extend(rng.choice(choices) for _ in range(rng.randint(0, 3)))
        used: set[str] = set()
        for n, (destination, kind, target) in enumerate(picked):
            if destination in used:
                continue
            used.add(destination)
            table.routes.append(
                Route(
                    address=f"{table.address}.route[{n}]",
                    type="aws_route",
                    destination=destination,
                    target_kind=kind,  # type: ignore[arg-type]
                    target=target,
                )
            )


def _add_groups(rng: random.Random, model: NetworkModel, vpcs: list[str], pool: list[str]) -> None:
    names = []
    for i, vpc in enumerate(vpcs):
        for k in range(rng.randint(1, 3)):
            name = f"aws_security_group.v{i}_g{k}"
            names.append(name)
            model.security_groups[name] = SecurityGroup(
                address=name, type="aws_security_group", network=vpc
            )
    for name, group in model.security_groups.items():
        if rng.random() < 0.7:
            group.rules.append(_rule(f"{name}.out", "egress", "-1", None, cidrs=["0.0.0.0/0"]))
        if rng.random() < 0.5:
            protocol = rng.choice(PROTOCOLS)
            wide = _rule(f"{name}.wide", "ingress", protocol, _ports(rng, protocol))
            wide.cidrs = [rng.choice(("0.0.0.0/0", "10.0.0.0/8", *PUBLIC_CIDRS))]
            group.rules.append(wide)
        for n in range(rng.randint(0, 4)):
            protocol = rng.choice(PROTOCOLS)
            direction = rng.choice(("ingress", "ingress", "egress"))
            kind = rng.choice(("cidr", "cidr", "group", "self"))
            rule = _rule(f"{name}.r{n}", direction, protocol, _ports(rng, protocol))
            if kind == "cidr":
                rule.cidrs = rng.sample(pool, rng.randint(1, 2))
            elif kind == "group":
                rule.security_groups = [rng.choice(names)]
            else:
                rule.self_reference = True
            group.rules.append(rule)
    for endpoint in model.endpoints.values():
        interface = endpoint.interfaces[0]
        subnet = model.subnets[interface.subnet or ""]
        mine = [n for n, g in model.security_groups.items() if g.network == subnet.network]
        count = 0 if rng.random() < 0.1 else rng.randint(1, min(2, len(mine)))
        interface.security_groups = sorted(rng.sample(mine, count))


def _rule(
    address: str,
    direction: str,
    protocol: str,
    ports: PortRange | None,
    cidrs: list[str] | None = None,
) -> SecurityGroupRule:
    return SecurityGroupRule(
        address=address,
        type="aws_security_group_rule",
        direction=direction,  # type: ignore[arg-type]
        protocol=protocol,
        ports=ports,
        cidrs=cidrs or [],
    )


def _add_acls(rng: random.Random, model: NetworkModel, vpcs: list[str], pool: list[str]) -> None:
    for i, vpc in enumerate(vpcs):
        default = rng.random()
        if default < 0.7:
            address = f"aws_default_network_acl.v{i}"
            acl = NetworkAcl(address=address, type="aws_default_network_acl", network=vpc)
            acl.is_default = True
            if default < 0.5:  # as AWS makes it: everything allowed both ways
                acl.entries = [
                    _entry(address, 100, egress, True, "-1", "0.0.0.0/0", None)
                    for egress in (False, True)
                ]
            else:
                acl.entries = _random_entries(rng, address, pool)
            model.network_acls[address] = acl
            model.networks[vpc].default_network_acl = address
        subnets = [s for s in model.subnets.values() if s.network == vpc]
        for n in range(rng.randint(0, 2)):
            address = f"aws_network_acl.v{i}_a{n}"
            acl = NetworkAcl(
                address=address,
                type="aws_network_acl",
                network=vpc,
                entries=_random_entries(rng, address, pool),
            )
            model.network_acls[address] = acl
            for subnet in subnets:
                if subnet.network_acl is None and rng.random() < 0.5:
                    subnet.network_acl = address
                    acl.subnets.append(subnet.address)


def _random_entries(rng: random.Random, acl: str, pool: list[str]) -> list[AclEntry]:
    entries = []
    for egress in (False, True):
        count = rng.randint(0, 5)
        for number in rng.sample(range(1, 300), count):
            protocol = rng.choice(PROTOCOLS)
            cidr = rng.choice(pool)
            allow = rng.random() < 0.6
            ports = _ports(rng, protocol)
            entries.append(_entry(acl, number, egress, allow, protocol, cidr, ports))
        if rng.random() < 0.6:  # a catch-all after the specific entries, as most ACLs end
            number = rng.randint(300, 400)
            entries.append(_entry(acl, number, egress, True, "-1", "0.0.0.0/0", None))
    rng.shuffle(entries)  # the written order must not matter, only rule numbers
    return entries


def _entry(
    acl: str,
    number: int,
    egress: bool,
    allow: bool,
    protocol: str,
    cidr: str,
    ports: PortRange | None,
) -> AclEntry:
    return AclEntry(
        address=f"{acl}.{'egress' if egress else 'ingress'}[{number}]",
        type="aws_network_acl_rule",
        rule_number=number,
        egress=egress,
        allow=allow,
        protocol=protocol,
        cidr=cidr,
        ports=ports,
    )


def packets(model: NetworkModel, seed: int, per_pair: int = 2) -> Iterator[Packet]:
    """Concrete packets between every two instances, and to and from the internet."""
    rng = random.Random(seed)
    instances = sorted(model.endpoints)
    # Packets on the edges of what the rules name are where a mistake would show.
    named: list[tuple[int, int]] = []
    rules = [r for g in model.security_groups.values() for r in g.rules]
    entries = [e for acl in model.network_acls.values() for e in acl.entries]
    written = [*((r.protocol, r.ports) for r in rules), *((e.protocol, e.ports) for e in entries)]
    for protocol_text, ports in written:
        number = _PROTOCOL_NUMBERS.get(protocol_text, TCP)
        edges = (ports.low - 1, ports.low, ports.high, ports.high + 1) if ports else (80,)
        named.extend((number, port) for port in edges if 0 <= port <= 65535)

    def some() -> list[tuple[int, int]]:
        return [
            rng.choice(named)
            if named and rng.random() < 0.6
            else (rng.choice(PACKET_PROTOCOLS), rng.choice(PACKET_PORTS))
            for _ in range(per_pair)
        ]

    for source in instances:
        for destination in instances:
            if source != destination:
                for protocol, port in some():
                    yield Packet(source, destination, protocol, port)
        for protocol, port in some():
            yield Packet(INTERNET, source, protocol, port, rng.choice(INTERNET_ADDRESSES))
        for protocol, port in some():
            yield Packet(source, INTERNET, protocol, port, rng.choice(INTERNET_ADDRESSES))


def engine_verdict(reach: Reachability, packet: Packet) -> Verdict:
    """Reachable iff a reachable flow between the packet's ends holds (protocol, address, port);
    reply-dropped iff only a reply-dropped flow does."""
    address = packet.internet_address or "0.0.0.0"
    point = Traffic.box(
        IntervalSet([(packet.protocol, packet.protocol)]),
        IntervalSet([(int(ipaddress.ip_address(address)),) * 2]),
        IntervalSet([(packet.port, packet.port)]),
    )
    states = set()
    for flow in reach.flows:
        ends = _holds(flow.source, packet.source) and _holds(flow.destination, packet.destination)
        if ends and flow.traffic & point:
            states.add(flow.state)
    if "reachable" in states:
        return "reachable"
    return "reply-dropped" if "reply-dropped" in states else "blocked"


def _holds(end: EndpointClass | External, address: str) -> bool:
    if isinstance(end, External):
        return end.kind == "internet" and address == INTERNET
    return any(member.endpoint == address for member in end.members)


def describe(model: NetworkModel) -> str:
    """The network in a few lines: what a reader needs to redo the case by hand."""
    lines = []
    for network in model.networks.values():
        tables = f"main={network.main_route_table} default_acl={network.default_network_acl}"
        lines.append(f"{network.address} {network.cidrs} {tables}")
    lines.extend(f"{g.address} in {g.network}" for g in model.gateways.values())
    lines.extend(f"{p.address}: {p.requester} <-> {p.accepter}" for p in model.peerings.values())
    for subnet in model.subnets.values():
        tables = f"table={subnet.route_table} acl={subnet.network_acl}"
        lines.append(f"{subnet.address} {subnet.cidrs} in {subnet.network} {tables}")
    for table in model.route_tables.values():
        routes = [f"{r.destination}->{r.target_kind}:{r.target}" for r in table.routes]
        lines.append(f"{table.address}: {routes}")
    for group in model.security_groups.values():
        lines.append(f"{group.address}:")
        for rule in group.rules:
            ports = f"{rule.ports.low}-{rule.ports.high}" if rule.ports else "all"
            peers = [*rule.cidrs, *rule.security_groups, *(["self"] if rule.self_reference else [])]
            lines.append(f"  {rule.direction} {rule.protocol} {ports} {peers}")
    for acl in model.network_acls.values():
        lines.append(f"{acl.address}:")
        for entry in sorted(acl.entries, key=lambda e: (e.egress, e.rule_number)):
            ports = f"{entry.ports.low}-{entry.ports.high}" if entry.ports else "all"
            verdict = "allow" if entry.allow else "deny"
            side = "egress" if entry.egress else "ingress"
            what = f"{entry.protocol} {ports} {entry.cidr}"
            lines.append(f"  {side} {entry.rule_number} {verdict} {what}")
    for endpoint in model.endpoints.values():
        interface = endpoint.interfaces[0]
        where = f"{' '.join(interface.private_ips)} in {interface.subnet}"
        filters = f"groups={interface.security_groups} public={interface.public}"
        lines.append(f"{endpoint.address} {where} {filters}")
    return "\n".join(lines)


def shrink(
    model: NetworkModel, packet: Packet, disagrees: Callable[[NetworkModel], bool]
) -> NetworkModel:
    """Remove rules, entries, routes and bystanders one at a time while the two still disagree."""
    current = model
    changed = True
    while changed:
        changed = False
        for smaller in _smaller(current, packet):
            if disagrees(smaller):
                current, changed = smaller, True
                break
    return current


def _smaller(model: NetworkModel, packet: Packet) -> Iterator[NetworkModel]:
    for name in model.endpoints:
        if name not in (packet.source, packet.destination):
            smaller = copy.deepcopy(model)
            del smaller.endpoints[name]
            yield smaller
    for name, group in model.security_groups.items():
        for index in range(len(group.rules)):
            smaller = copy.deepcopy(model)
            del smaller.security_groups[name].rules[index]
            yield smaller
    for name, acl in model.network_acls.items():
        for index in range(len(acl.entries)):
            smaller = copy.deepcopy(model)
            del smaller.network_acls[name].entries[index]
            yield smaller
    for name, table in model.route_tables.items():
        for index in range(len(table.routes)):
            smaller = copy.deepcopy(model)
            del smaller.route_tables[name].routes[index]
            yield smaller
