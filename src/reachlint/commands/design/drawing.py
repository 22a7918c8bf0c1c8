"""Drawing the network: what goes in which box, and which arrows join the nodes.

Networks and subnets are nested boxes with their endpoints inside: the endpoints of one group
(grouped as `matrix` groups them) in one box share a node; an endpoint with interfaces in
several subnets sits in its network's box, and so does one node for a group's endpoints in
several subnets when every arrow treats them alike. Gateways sit in the box they belong to,
the internet and on-premises sites outside.

Solid arrows are reachable flows between nodes, labelled with the traffic as it arrives (what
a node's members send one another is a line of the node, and the same traffic both ways one
arrow with two heads); what a load balancer forwards is drawn from the load balancer, since
the way to it is an arrow of its own (for a pass-through load balancer, which has no flows of
its own, the arrow to it carries the frontend traffic of the flows that pass it). Findings are
red arrows between their ends, labelled with the rule, and the traffic they report is left off
the plain arrow beside them.
Dashed lines are structure: the internet to its gateways, on-premises sites to their VPN
gateways, peerings and transit gateway attachments.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from typing import TYPE_CHECKING

from msgspec import Struct, field

from reachlint.commands.design.common import (
    Ends,
    frontend_traffic,
    load_balancers_on,
    passes_through,
    short_name,
)
from reachlint.commands.design.matrix import Grouping, subnet_unknown
from reachlint.commands.design.merging import alike_groups, merged_edges, two_way
from reachlint.commands.design.picture import Box, Edge, Node, Picture, every_node, walk_boxes
from reachlint.engine.flows import EndpointClass, External, Flow, Reachability
from reachlint.model.icmp import messages_from_text
from reachlint.model.network import NetworkModel
from reachlint.model.traffic import ALL_PORTS, PROTO_MAX, IntervalSet, Traffic, parse_protocol

if TYPE_CHECKING:
    from reachlint.rules.findings import Finding, TrafficEntry


# An endpoint node lists this many members, then how many more there are.
MEMBERS_SHOWN = 4
# Begins the line of a node that says what its members send one another.
EACH_OTHER = "to each other: "


_INTERNET_GATEWAYS = ("internet-gateway", "egress-only-internet-gateway")


class _Part(Struct):
    """An endpoint node in a subnet's box, with what it was grouped by."""

    network: str
    subnet: str
    names: tuple[str, ...]
    node: Node
    endpoints: list[str]


class _Red(Struct):
    traffic: Traffic = field(default_factory=Traffic)
    rules: set[str] = field(default_factory=set)
    replies_dropped: bool = True


class _Drawer:
    def __init__(
        self,
        model: NetworkModel,
        reach: Reachability,
        grouping: Grouping,
        findings: list[Finding],
    ) -> None:
        self.model = model
        self.reach = reach
        self.grouping = grouping
        self.findings = findings
        self.ends = Ends(model, reach)
        self._count = 0
        self.boxes: list[Box] = []
        self.top: list[Node] = []
        self.edges: list[Edge] = []
        self.network_boxes: dict[str, Box] = {}
        self.subnet_boxes: dict[str, Box] = {}
        self.node_of: dict[str, str] = {}  # endpoint, gateway or external address -> node id
        self._parts: dict[str, _Part] = {}  # nodes that may join their group's in other subnets
        self._linked: set[frozenset[str]] = set()

    def _id(self, prefix: str) -> str:
        self._count += 1
        return f"{prefix}{self._count}"

    def draw(self) -> Picture:
        self._externals()
        self._networks()
        self._endpoints()
        self._gateways()
        self._fill_empty_boxes()
        self._structure()
        self._flows()
        self._merge_alike()
        self._fill_empty_boxes()
        self._loops_as_text()
        return Picture(self.boxes, self.top, two_way(self.edges))

    def _externals(self) -> None:
        for external in self.reach.externals:
            if external.kind == "internet":
                node = Node(self._id("n"), ["internet"], "internet")
            else:
                site = self.model.onprem_sites.get(external.address)
                ranges = ", ".join(site.cidrs) if site is not None and site.cidrs else ""
                lines = _present([short_name(external.address), ranges])
                node = Node(self._id("n"), lines, "onprem")
            self.top.append(node)
            self.node_of[external.address] = node.id

    def _networks(self) -> None:
        for address in sorted(self.model.networks):
            network = self.model.networks[address]
            lines = _present([short_name(address), ", ".join(network.cidrs)])
            box = Box(self._id("c"), lines, "network")
            self.network_boxes[address] = box
            self.boxes.append(box)
        for address in sorted(self.model.subnets):
            subnet = self.model.subnets[address]
            lines = _present([short_name(address), ", ".join(subnet.cidrs)])
            box = Box(self._id("c"), lines, "subnet")
            self.subnet_boxes[address] = box
            parent = self.network_boxes.get(subnet.network)
            (parent.boxes if parent is not None else self.boxes).append(box)

    def _place(self, network: str | None, subnet: str | None) -> list[Node]:
        if subnet is not None and subnet in self.subnet_boxes:
            return self.subnet_boxes[subnet].nodes
        if network is not None and network in self.network_boxes:
            return self.network_boxes[network].nodes
        return self.top

    def _endpoints(self) -> None:
        where: dict[str, set[tuple[str | None, str | None]]] = {}
        labels: dict[str, set[str]] = {}
        unknown: set[str] = set()  # endpoints whose subnet the input leaves open
        for cls in self.reach.classes:
            for subject in self.ends.of(cls):
                if cls.subnet is None and subnet_unknown(subject):
                    unknown.add(subject.address)
            for member in cls.members:
                where.setdefault(member.endpoint, set()).add((cls.network, cls.subnet))
                labels.setdefault(member.endpoint, set()).update(
                    self.grouping.labels_of(cls, member.endpoint)
                )
        order = {name: index for index, name in enumerate(self.grouping.names)}
        grouped: dict[tuple[str | None, str | None, tuple[str, ...], str], list[str]] = {}
        for endpoint in sorted(where):
            placed = where[endpoint]
            networks = {network for network, _ in placed}
            subnets = {subnet for _, subnet in placed}
            network = next(iter(networks)) if len(networks) == 1 else None
            subnet = next(iter(subnets)) if len(subnets) == 1 and network is not None else None
            names = tuple(sorted(labels[endpoint], key=lambda name: order[name]))
            if self.grouping.by_placement:
                names = ()  # the box the node is drawn in names the group
            key = (network, subnet, names, _placement_note(subnets, endpoint in unknown))
            grouped.setdefault(key, []).append(endpoint)
        for (network, subnet, names, note), endpoints in grouped.items():
            lines = [*_endpoint_lines(names, endpoints), *_present([note])]
            node = Node(self._id("n"), lines, "endpoint")
            self._place(network, subnet).append(node)
            for endpoint in endpoints:
                self.node_of[endpoint] = node.id
            if network is not None and subnet is not None and not note:
                self._parts[node.id] = _Part(network, subnet, names, node, endpoints)

    def _gateways(self) -> None:
        for address in sorted(self.model.gateways):
            gateway = self.model.gateways[address]
            node = Node(self._id("n"), [short_name(address), gateway.kind], "gateway")
            self._place(gateway.network, gateway.subnet).append(node)
            self.node_of[address] = node.id

    def _fill_empty_boxes(self) -> None:
        """Graphviz draws no box without a node in it: an empty one gets an invisible node."""
        for box in list(walk_boxes(self.boxes)):
            if not box.nodes and not box.boxes:
                box.nodes.append(Node(self._id("n"), [], "placeholder"))

    def _structure(self) -> None:
        internet = self.node_of.get("internet")
        for address in sorted(self.model.gateways):
            if self.model.gateways[address].kind in _INTERNET_GATEWAYS and internet is not None:
                self._link(internet, self.node_of[address], "")
        for address in sorted(self.model.onprem_sites):
            site = self.model.onprem_sites[address]
            gateway = self.node_of.get(site.gateway or "")
            if address in self.node_of and gateway is not None:
                self._link(self.node_of[address], gateway, "VPN")
        for address in sorted(self.model.peerings):
            peering = self.model.peerings[address]
            left = self.network_boxes.get(peering.requester or "")
            right = self.network_boxes.get(peering.accepter or "")
            if left is not None and right is not None:
                self._link(left.id, right.id, short_name(address))
        for address in sorted(self.model.transit_gateway_attachments):
            attachment = self.model.transit_gateway_attachments[address]
            hub = self.node_of.get(attachment.transit_gateway)
            box = self.network_boxes.get(attachment.network)
            if hub is not None and box is not None:
                self._link(hub, box.id, "")

    def _flows(self) -> None:
        reported: dict[tuple[str, str], Traffic] = {}  # direct findings, by endpoint pair
        red: dict[tuple[str, str], _Red] = {}
        for finding in self.findings:
            source = self.node_of.get(finding.source.address)
            target = self.node_of.get(finding.destination.address)
            if source is None or target is None:
                continue
            traffic = traffic_of(finding.traffic)
            mark = red.setdefault((source, target), _Red())
            mark.traffic = mark.traffic | traffic
            mark.rules.add(finding.rule)
            mark.replies_dropped = mark.replies_dropped and finding.state == "reply-dropped"
            direct = not any(hop.kind == "load-balancer" for hop in finding.path)
            if direct and finding.state == "reachable":
                key = (finding.source.address, finding.destination.address)
                reported[key] = reported.get(key, Traffic()) | traffic
        with_findings = {source for source, _ in reported}
        plain: dict[tuple[str, str], Traffic] = {}
        for flow in self.reach.flows:
            if flow.state != "reachable":
                continue
            services = flow.traffic.services_everywhere()
            balancers = [b for b in load_balancers_on(flow.path) if b in self.node_of]
            if balancers and passes_through(self.model, balancers[0]):
                self._into_balancer(flow, balancers[0], plain)
            sources, targets = self._flow_ends(flow, balancers)
            for source_node, source_members in sources.items():
                for target_node, target_members in targets.items():
                    if balancers or not source_members & with_findings:
                        if len(source_members) == 1 and source_members == target_members:
                            continue  # a flow from an endpoint to itself is not a flow
                        traffic = services
                    else:
                        traffic = _unreported(services, source_members, target_members, reported)
                    if traffic:
                        key = (source_node, target_node)
                        plain[key] = plain.get(key, Traffic()) | traffic
        rank = self._rank()
        for (source, target), traffic in sorted(plain.items(), key=lambda i: _by_rank(i, rank)):
            self.edges.append(Edge(source, target, _traffic_label(traffic), "flow"))
        for (source, target), mark in sorted(red.items(), key=lambda i: _by_rank(i, rank)):
            label = f"{_traffic_label(mark.traffic)} · {', '.join(sorted(mark.rules))}"
            if mark.replies_dropped:
                label += " (replies dropped)"
            self.edges.append(Edge(source, target, label, "finding"))

    def _merge_alike(self) -> None:
        """A group's nodes in several subnets of one network as one node in the network's box,
        when every arrow treats them alike (see `merging`)."""
        if self.grouping.by_placement:
            return  # the boxes are the groups
        candidates = {node: (part.network, part.names) for node, part in self._parts.items()}
        sizes = {node: len(part.endpoints) for node, part in self._parts.items()}
        merged_into: dict[str, str] = {}
        for group in alike_groups(candidates, sizes, self.edges):
            parts = [self._parts[node] for node in group]
            endpoints = sorted(endpoint for part in parts for endpoint in part.endpoints)
            note = _placement_note({part.subnet for part in parts}, unknown=False)
            lines = [*_endpoint_lines(parts[0].names, endpoints), *_present([note])]
            node = Node(group[0], lines, "endpoint")
            for part in parts:
                self.subnet_boxes[part.subnet].nodes.remove(part.node)
                merged_into[part.node.id] = node.id
            self.network_boxes[parts[0].network].nodes.append(node)
            for endpoint in endpoints:
                self.node_of[endpoint] = node.id
        if merged_into:
            self.edges = merged_edges(self.edges, merged_into)

    def _loops_as_text(self) -> None:
        """What a node's members send one another, as a line of the node: Mermaid lays a loop's
        label over the labels of the arrows beside it. A finding keeps its red loop, bare."""
        nodes = {node.id: node for node in every_node(self.top, self.boxes)}
        for edge in self.edges:
            if edge.source == edge.target and edge.label:
                nodes[edge.source].lines.append(f"{EACH_OTHER}{edge.label}")
                edge.label = ""
        self.edges = [e for e in self.edges if e.source != e.target or e.style != "flow"]

    def _into_balancer(
        self, flow: Flow, balancer: str, plain: dict[tuple[str, str], Traffic]
    ) -> None:
        """The way into a pass-through load balancer, from the flows that pass it."""
        heard = frontend_traffic(self.model, flow, balancer).services_everywhere()
        node = self.node_of[balancer]
        for source_node in self._flow_ends(flow, [])[0] if heard else ():
            if source_node != node:
                plain[(source_node, node)] = plain.get((source_node, node), Traffic()) | heard

    def _flow_ends(
        self, flow: Flow, balancers: list[str]
    ) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        """The nodes an arrow of `flow` joins, each with the members of the flow's ends in it.

        What a load balancer forwards starts at the load balancer; traffic from or to the
        internet or an on-premises site starts or ends at the gateway it passes, which a
        dashed line joins to the outside.
        """
        sources = self._by_node(flow.source)
        targets = self._by_node(flow.destination)
        gateways = [
            hop.address
            for hop in flow.path
            if hop.address in self.model.gateways and hop.address in self.node_of
        ]
        if balancers:
            balancer = balancers[-1]
            sources = {self.node_of[balancer]: {balancer}}
        elif isinstance(flow.source, External) and gateways:
            sources = {self.node_of[gateways[-1]]: {flow.source.address}}
            self._chain([flow.source.address, *gateways])
        if isinstance(flow.destination, External) and gateways:
            targets = {self.node_of[gateways[0]]: {flow.destination.address}}
            self._chain([*gateways, flow.destination.address])
        return sources, targets

    def _chain(self, addresses: list[str]) -> None:
        """Dashed lines along the gateways a flow passes to reach the outside."""
        for left, right in pairwise(addresses):
            self._link(self.node_of[left], self.node_of[right], "")

    def _link(self, left: str, right: str, label: str) -> None:
        if left != right and frozenset((left, right)) not in self._linked:
            self._linked.add(frozenset((left, right)))
            self.edges.append(Edge(left, right, label, "link"))

    def _by_node(self, end: EndpointClass | External) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for subject in self.ends.of(end):
            node = self.node_of.get(subject.address)
            if node is not None:
                found.setdefault(node, set()).add(subject.address)
        return found

    def _rank(self) -> dict[str, int]:
        """Node ids in the order they appear in the picture, so edges list in that order."""
        ranked = [node.id for node in self.top]
        for box in walk_boxes(self.boxes):
            ranked += [node.id for node in box.nodes]
        return {node: index for index, node in enumerate(ranked)}


def _unreported(
    services: Traffic,
    sources: set[str],
    targets: set[str],
    reported: dict[tuple[str, str], Traffic],
) -> Traffic:
    """What the flow carries between these members beyond the findings that report it."""
    left = Traffic()
    for source in sorted(sources):
        for target in sorted(targets):
            if source != target:
                left = left | (services - reported.get((source, target), Traffic()))
    return left


def _by_rank(item: tuple[tuple[str, str], object], rank: dict[str, int]) -> tuple[int, int]:
    (source, target), _ = item
    return rank.get(source, -1), rank.get(target, -1)


def _endpoint_lines(names: tuple[str, ...], members: list[str]) -> list[str]:
    shown = [short_name(member) for member in members[:MEMBERS_SHOWN]]
    if len(members) > MEMBERS_SHOWN:
        shown.append(f"+{len(members) - MEMBERS_SHOWN} more")
    if not names or list(names) == members:
        return shown  # the group is the endpoint itself, or the box says it
    return [" + ".join(short_name(name) for name in names), *shown]


def _placement_note(subnets: set[str | None], unknown: bool) -> str:
    """Where an endpoint that no one subnet box holds actually sits."""
    if len(subnets) == 1 and None not in subnets:
        return ""
    if unknown:
        return "subnet unknown"
    named = sorted(short_name(name) for name in subnets if name is not None)
    return "in " + ", ".join(named) if len(named) > 1 else ""


def _present(lines: list[str]) -> list[str]:
    return [line for line in lines if line]


def _traffic_label(traffic: Traffic) -> str:
    text = traffic.text()
    return "all traffic" if text == "all" else text


def traffic_of(entries: list[TrafficEntry]) -> Traffic:
    """A report's traffic list as an exact set (protocols and ports, every address)."""
    traffic = Traffic()
    for entry in entries:
        if entry.protocol == "all":
            return Traffic.everything()
        if entry.protocol == "other":
            numbers = IntervalSet(_number_ranges(entry.numbers or ""))
            traffic = traffic | Traffic.box(numbers)
        elif entry.ports is not None:
            ports = IntervalSet((low, high) for low, high in entry.ports)
            traffic = traffic | Traffic.box(parse_protocol(entry.protocol), ports=ports)
        elif entry.messages is not None:
            read = messages_from_text(entry.messages)
            messages = ALL_PORTS if read is None else IntervalSet(read)
            traffic = traffic | Traffic.box(parse_protocol(entry.protocol), messages=messages)
        else:
            traffic = traffic | Traffic.box(parse_protocol(entry.protocol))
    return traffic


def _number_ranges(text: str) -> Iterator[tuple[int, int]]:
    for part in text.split(","):
        low, _, high = part.strip().partition("-")
        if low.isdecimal() and (not high or high.isdecimal()):
            first = int(low)
            last = int(high) if high else first
            if 0 <= first <= last <= PROTO_MAX:
                yield first, last


def network_picture(
    model: NetworkModel,
    reach: Reachability,
    grouping: Grouping,
    findings: list[Finding],
) -> Picture:
    return _Drawer(model, reach, grouping, findings).draw()
