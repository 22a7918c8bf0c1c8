"""A deliberately simple packet-by-packet simulator of AWS networking (SPEC §4).

It decides for ONE concrete packet whether it is delivered and whether its reply gets back,
by walking the hops one at a time with plain `ipaddress` arithmetic: the source's security
groups and subnet ACL, the route table, the destination's subnet ACL and groups, and the same
way back for TCP; between endpoints, over each address family both hold (a packet keeps its
family), the best of them. It shares nothing with the engine but the model it reads, so the
two can be compared on random networks.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace
from typing import Literal

from reachlint.model.network import (
    Endpoint,
    Interface,
    NetworkAcl,
    NetworkModel,
    PortRange,
    Route,
    Subnet,
)

TCP, UDP, ICMP = 6, 17, 1
CLIENT_PORTS = (1024, 65535)
Verdict = Literal["reachable", "reply-dropped", "blocked"]
INTERNET = "internet"


@dataclass(frozen=True)
class Packet:
    """A request from `source` to `destination` (endpoint addresses or "internet")."""

    source: str
    destination: str
    protocol: int
    port: int  # destination port; ignored for protocols without ports
    internet_address: str | None = None  # the internet end's address, when there is one

    def describe(self) -> str:
        name = {TCP: "tcp", UDP: "udp", ICMP: "icmp"}.get(self.protocol, str(self.protocol))
        ends = [self.source, self.destination]
        ends = [f"internet {self.internet_address}" if end == INTERNET else end for end in ends]
        return f"{ends[0]} -> {ends[1]} {name} {self.port}"


def _protocol_number(text: str) -> int | None:
    """None for "all protocols"."""
    value = text.strip().lower()
    if value in {"-1", "all"}:
        return None
    return {"tcp": TCP, "udp": UDP, "icmp": ICMP}.get(value) or int(value)


def _protocol_matches(rule_protocol: str, protocol: int) -> bool:
    number = _protocol_number(rule_protocol)
    return number is None or number == protocol


def _port_matches(ports: PortRange | None, protocol: int, port: int) -> bool:
    if ports is None or protocol not in (TCP, UDP):
        return True
    return ports.low <= port <= ports.high


def _within(address: str, cidr: str) -> bool:
    return ipaddress.ip_address(address) in ipaddress.ip_network(cidr, strict=False)


@dataclass(frozen=True)
class _Side:
    """One end of a packet inside the cloud: the interface and where it sits."""

    endpoint: Endpoint
    interface: Interface
    subnet: Subnet
    chosen: str | None = None  # the address of the packet's family; else the first one

    @property
    def ip(self) -> str:
        return self.chosen or self.interface.private_ips[0]

    def address_of(self, version: int) -> str | None:
        found = [
            ip for ip in self.interface.private_ips if ipaddress.ip_address(ip).version == version
        ]
        return found[0] if found else None

    @property
    def groups(self) -> set[str]:
        return set(self.interface.security_groups)


class Simulator:
    def __init__(self, model: NetworkModel) -> None:
        self.model = model

    # ----- one packet -----------------------------------------------------------------------------

    def verdict(self, packet: Packet) -> Verdict:
        if packet.source == packet.destination:
            raise ValueError("a flow from an endpoint to itself is not a flow")
        outside = packet.internet_address
        if packet.source == INTERNET:
            assert outside is not None
            return self._from_internet(outside, self._side(packet.destination), packet)
        if packet.destination == INTERNET:
            assert outside is not None
            return self._to_internet(self._side(packet.source), outside, packet)
        return self._between(self._side(packet.source), self._side(packet.destination), packet)

    def _between(self, a: _Side, b: _Side, packet: Packet) -> Verdict:
        """The best the packet does over IPv4 or IPv6, each where both ends hold an address."""
        verdicts = [
            self._over_family(a, b, a_ip, b_ip, packet)
            for version in (4, 6)
            if (a_ip := a.address_of(version)) and (b_ip := b.address_of(version))
        ]
        for verdict in ("reachable", "reply-dropped"):
            if verdict in verdicts:
                return verdict  # type: ignore[return-value]
        return "blocked"

    def _over_family(self, a: _Side, b: _Side, a_ip: str, b_ip: str, packet: Packet) -> Verdict:
        a, b = replace(a, chosen=a_ip), replace(b, chosen=b_ip)
        crossing = a.subnet.address != b.subnet.address  # inside a subnet: no route, no ACL
        if crossing and not self._delivers(a, b):
            return "blocked"
        if not self._group_allows(a, "egress", b.ip, b.groups, packet):
            return "blocked"
        if not self._group_allows(b, "ingress", a.ip, a.groups, packet):
            return "blocked"
        if crossing:
            if not self._acl_allows(self._acl(a.subnet), True, b.ip, packet.protocol, packet.port):
                return "blocked"
            if not self._acl_allows(self._acl(b.subnet), False, a.ip, packet.protocol, packet.port):
                return "blocked"
        if packet.protocol != TCP or not crossing:
            return "reachable"  # UDP and ICMP only need to arrive; groups are stateful
        if not self._delivers(b, a):
            return "reply-dropped"
        for client_port in self._client_ports():
            back_out = self._acl_allows(self._acl(b.subnet), True, a.ip, TCP, client_port)
            back_in = self._acl_allows(self._acl(a.subnet), False, b.ip, TCP, client_port)
            if back_out and back_in:
                return "reachable"
        return "reply-dropped"

    def _from_internet(self, client: str, b: _Side, packet: Packet) -> Verdict:
        if not b.interface.public or not self._to_internet_gateway(b, client):
            return "blocked"
        if not self._group_allows(b, "ingress", client, set(), packet):
            return "blocked"
        if not self._acl_allows(self._acl(b.subnet), False, client, packet.protocol, packet.port):
            return "blocked"
        if packet.protocol != TCP:
            return "reachable"
        for client_port in self._client_ports():
            if self._acl_allows(self._acl(b.subnet), True, client, TCP, client_port):
                return "reachable"
        return "reply-dropped"

    def _to_internet(self, a: _Side, server: str, packet: Packet) -> Verdict:
        if not a.interface.public or not self._to_internet_gateway(a, server):
            return "blocked"
        if not self._group_allows(a, "egress", server, set(), packet):
            return "blocked"
        if not self._acl_allows(self._acl(a.subnet), True, server, packet.protocol, packet.port):
            return "blocked"
        if packet.protocol != TCP:
            return "reachable"
        for client_port in self._client_ports():
            if self._acl_allows(self._acl(a.subnet), False, server, TCP, client_port):
                return "reachable"
        return "reply-dropped"

    # ----- hops -----------------------------------------------------------------------------------

    def _side(self, address: str) -> _Side:
        endpoint = self.model.endpoints[address]
        interface = endpoint.interfaces[0]
        assert interface.subnet is not None
        return _Side(endpoint, interface, self.model.subnets[interface.subnet])

    def _route(self, subnet: Subnet, address: str) -> Route | Literal["local"] | None:
        """The most specific route of the subnet's table for `address`; "local" for the VPC."""
        network = self.model.networks[subnet.network]
        best: tuple[int, Route | Literal["local"]] | None = None
        for cidr in network.cidrs:
            if _within(address, cidr):
                best = (ipaddress.ip_network(cidr).prefixlen, "local")
        table_address = subnet.route_table or network.main_route_table
        table = self.model.route_tables.get(table_address or "")
        for route in table.routes if table is not None else []:
            if route.destination is None or not _within(address, route.destination):
                continue
            length = ipaddress.ip_network(route.destination).prefixlen
            if best is None or length > best[0]:
                best = (length, route)
        return None if best is None else best[1]

    def _delivers(self, a: _Side, b: _Side) -> bool:
        """Whether a's route table carries a packet to b: the local route or a peering."""
        route = self._route(a.subnet, b.ip)
        if route == "local":
            return a.subnet.network == b.subnet.network
        if route is None or route.target_kind != "peering":
            return False
        peering = self.model.peerings.get(route.target or "")
        if peering is None or not peering.active:
            return False
        return {peering.requester, peering.accepter} == {a.subnet.network, b.subnet.network}

    def _to_internet_gateway(self, side: _Side, remote: str) -> bool:
        route = self._route(side.subnet, remote)
        if route is None or route == "local" or route.target_kind != "internet-gateway":
            return False
        gateway = self.model.gateways.get(route.target or "")
        return gateway is not None and gateway.network == side.subnet.network

    def _group_allows(
        self, side: _Side, direction: str, remote: str, remote_groups: set[str], packet: Packet
    ) -> bool:
        """Any rule of any of the interface's groups admits the packet; no group: no filter."""
        if not side.interface.security_groups:
            return True
        for name in side.interface.security_groups:
            group = self.model.security_groups[name]
            for rule in group.rules:
                if rule.direction != direction:
                    continue
                if not _protocol_matches(rule.protocol, packet.protocol):
                    continue
                if not _port_matches(rule.ports, packet.protocol, packet.port):
                    continue
                if any(_within(remote, cidr) for cidr in rule.cidrs):
                    return True
                if set(rule.security_groups) & remote_groups:
                    return True
                if rule.self_reference and name in remote_groups:
                    return True
        return False

    def _acl(self, subnet: Subnet) -> NetworkAcl | None:
        address = subnet.network_acl or self.model.networks[subnet.network].default_network_acl
        return self.model.network_acls.get(address or "")

    def _acl_allows(
        self, acl: NetworkAcl | None, egress: bool, remote: str, protocol: int, port: int
    ) -> bool:
        """Entries in rule-number order, first match decides, then deny; no ACL allows."""
        if acl is None:
            return True
        for entry in sorted(acl.entries, key=lambda e: e.rule_number):
            if entry.egress != egress or not _protocol_matches(entry.protocol, protocol):
                continue
            if _port_matches(entry.ports, protocol, port) and _within(remote, entry.cidr):
                return entry.allow
        return False

    def _client_ports(self) -> list[int]:
        """Client ports where some ACL's answer may change: enough to try instead of 64,512."""
        low, high = CLIENT_PORTS
        found = {low, high}
        for acl in self.model.network_acls.values():
            for entry in acl.entries:
                if entry.ports is not None:
                    first, last = entry.ports.low, entry.ports.high
                    edges = (first - 1, first, last, last + 1)
                    found.update(port for port in edges if low <= port <= high)
        return sorted(found)
