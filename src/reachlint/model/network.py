"""The provider-neutral network model that every loader produces and the engine reads.

Elements refer to each other by resource address (the name the input gives them), so the model
is plain data: it serialises, compares and diffs without object identity. Facts that only a
provider defines (AWS's default security group, Azure's default NSG rules) are made explicit
by the loader, so the engine applies one set of semantics to everything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from msgspec import Struct, field

from reachlint.sources import Note, Origin, UnknownValue


class Element(Struct, kw_only=True):
    address: str
    type: str
    origin: Origin = field(default_factory=Origin)
    # Attributes whose values are only known after apply (or not given), by name.
    unknown: list[str] = field(default_factory=list)
    # Address ranges of this element (its own, or those a rule or route names) that are
    # unknown values; the ranges that are known are in its CIDR fields.
    unknown_ranges: list[UnknownValue] = field(default_factory=list)


Provider = Literal["aws", "azure"]


class Network(Element, kw_only=True):
    """A VPC or VNet."""

    provider: Provider = "aws"
    cidrs: list[str] = field(default_factory=list)
    outside: bool = False  # named by the input, not declared in it
    main_route_table: str | None = None
    default_security_group: str | None = None
    default_network_acl: str | None = None


class Subnet(Element, kw_only=True):
    network: str
    cidrs: list[str] = field(default_factory=list)
    outside: bool = False  # named by the input, not declared in it
    zone: str | None = None
    map_public_ip: bool = False
    # AWS: instances launched in it get IPv6 addresses (AssignIpv6AddressOnCreation).
    ipv6_on_launch: bool = False
    # Explicit associations; None means the network's main table / default ACL.
    route_table: str | None = None
    # When the input says only that its table is one of several (an association whose table
    # is not known, or one instance standing for many): those tables, and what the choice
    # rests on. --assume-unknown picks among them.
    route_table_choices: list[str] = field(default_factory=list)
    route_table_unknown: str | None = None
    network_acl: str | None = None
    # The same for its network ACL: an association whose ACL a condition not known chooses.
    network_acl_choices: list[str] = field(default_factory=list)
    network_acl_unknown: str | None = None
    security_group: str | None = None  # Azure: the subnet's network security group
    nat_gateway: str | None = None  # Azure: a NAT gateway serves the whole subnet
    # Azure: VMs without a public address still reach the internet (default outbound access).
    default_outbound_access: bool = True


Direction = Literal["ingress", "egress"]


class PortRange(Struct, kw_only=True, frozen=True):
    low: int
    high: int


class IcmpMessages(Struct, kw_only=True, frozen=True):
    """The ICMP (or ICMPv6) messages a rule names: one type, and one code of it or all."""

    type: int
    code: int | None = None  # None: every code of the type


class SecurityGroupRule(Element, kw_only=True):
    """One allow rule of a stateful group (AWS security group)."""

    direction: Direction
    protocol: str = "-1"  # number or name as written; -1 means all
    ports: PortRange | None = None  # None: all ports
    icmp: IcmpMessages | None = None  # for ICMP and ICMPv6; None: every message
    cidrs: list[str] = field(default_factory=list)
    prefix_lists: list[str] = field(default_factory=list)
    security_groups: list[str] = field(default_factory=list)  # members of these groups
    self_reference: bool = False
    description: str | None = None
    # Its protocol, ports or ICMP messages are not known (`unknown` names them): it admits
    # every one when open and none for certain when closed.
    services_unknown: bool = False
    # The groups whose members it admits are not known, these fields name them: one of
    # `security_groups` or, none listed, any group. Members are endpoints, never addresses
    # outside (the internet is no group's member): when open, any endpoint may be one.
    groups_unknown: tuple[str, ...] = ()
    # Whether it is written at all rests on this value not known (a condition): it admits as
    # written when open, nothing when closed.
    written_if: str | None = None
    # The element a reviewer edits for this rule (an inline block's group, or the rule resource).
    # Its origin is the block's own line.


class SecurityGroup(Element, kw_only=True):
    network: str | None = None
    name: str | None = None
    is_default: bool = False
    rules: list[SecurityGroupRule] = field(default_factory=list)


class AclEntry(Element, kw_only=True):
    """One numbered entry of a stateless network ACL."""

    rule_number: int
    egress: bool
    allow: bool
    protocol: str = "-1"
    cidr: str
    ports: PortRange | None = None
    icmp: IcmpMessages | None = None  # for ICMP and ICMPv6; None: every message


class NetworkAcl(Element, kw_only=True):
    network: str
    is_default: bool = False
    subnets: list[str] = field(default_factory=list)
    entries: list[AclEntry] = field(default_factory=list)


RouteTarget = Literal[
    "local",
    "internet-gateway",
    "egress-only-internet-gateway",
    "nat-gateway",
    "vpn-gateway",
    "transit-gateway",
    "peering",
    "gateway-endpoint",
    "network-interface",
    "instance",
    "virtual-appliance",
    "internet",  # Azure's system next hop "Internet"
    "blackhole",
    "unknown",
]


class Route(Element, kw_only=True):
    destination: str | None = None  # CIDR
    destination_prefix_list: str | None = None
    target_kind: RouteTarget
    target: str | None = None  # address of the gateway, peering, interface...
    # The target is a value not known: `target` is one it may be, and this names the value.
    # --assume-unknown decides whether the route leads there (open) or nowhere (closed).
    target_unknown: str | None = None


class RouteTable(Element, kw_only=True):
    network: str
    is_main: bool = False
    routes: list[Route] = field(default_factory=list)
    subnets: list[str] = field(default_factory=list)
    propagating_gateways: list[str] = field(default_factory=list)
    # Azure: whether routes the VPN gateway learns reach its subnets (gateway route propagation).
    learns_gateway_routes: bool = True
    # Edge associations: the gateways (AWS internet gateway) whose arriving traffic it routes.
    edge_gateways: list[str] = field(default_factory=list)


GatewayKind = Literal[
    "internet-gateway",
    "egress-only-internet-gateway",
    "nat-gateway",
    "vpn-gateway",
    "transit-gateway",
    "gateway-endpoint",
    "firewall",
]


FirewallAction = Literal["allow", "deny", "next", "alert"]


class FirewallRule(Element, kw_only=True):
    """One filtering rule of a firewall, in the order the firewall evaluates it (first match).

    `address` is what a reviewer edits (the rule collection group, the rule group); `stage`
    indexes the policy's stages; `next` hands a match to the next stage (AWS forward to the
    stateful engine); `alert` decides nothing.
    """

    name: str
    kind: str  # network, application, stateless, stateful: in the words of the provider
    collection: str | None = None  # the collection or group and its priority, for the reader
    stage: int = 0
    action: FirewallAction
    protocols: list[str] = field(default_factory=lambda: ["*"])  # names or numbers; * is all
    sources: AddressSpec = field(default_factory=lambda: AddressSpec(any=True))
    destinations: AddressSpec = field(default_factory=lambda: AddressSpec(any=True))
    source_ports: list[PortRange] | None = None  # None: any port
    destination_ports: list[PortRange] | None = None
    both_directions: bool = False  # also matches the reverse direction (AWS direction ANY)
    # Why what the rule matches is known only when traffic flows (FQDN targets, a Suricata
    # signature, a domain list); None when the rule is decided exactly.
    undecidable: str | None = None
    # False: the action is not known either (named in `undecidable`); it may allow or deny.
    action_known: bool = True


class DnatRule(Element, kw_only=True):
    """A way in: the firewall's public address and port, translated to an address and port."""

    name: str
    collection: str | None = None
    protocols: list[str] = field(default_factory=lambda: ["tcp"])
    sources: AddressSpec = field(default_factory=lambda: AddressSpec(any=True))
    ports: list[PortRange] = field(default_factory=list)  # on the firewall's public address
    translated_address: str | None = None
    # The interface whose private address it names, when that address is known only after
    # deployment (a NIC's dynamic address, read from its state).
    translated_interface: str | None = None
    translated_port: int | None = None
    translated_port_known: bool = True  # False: any port, as the port is not known
    undecidable: str | None = None  # why what the rule translates is not known


class FirewallStage(Struct, kw_only=True):
    """One engine of a firewall and what it does with traffic no rule of it matched."""

    name: str
    default: Literal["allow", "deny", "next"] = "deny"


class FirewallPolicy(Element, kw_only=True):
    """The rules a firewall judges traffic by; `address` is the policy a reviewer edits."""

    stages: list[FirewallStage] = field(default_factory=lambda: [FirewallStage(name="rules")])
    rules: list[FirewallRule] = field(default_factory=list)
    dnat: list[DnatRule] = field(default_factory=list)


class Gateway(Element, kw_only=True):
    kind: GatewayKind
    network: str | None = None
    subnet: str | None = None  # NAT gateway: where it sits
    public: bool = True  # NAT gateway: connectivity_type public
    service: str | None = None  # gateway endpoint: the service it reaches
    route_tables: list[str] = field(default_factory=list)  # gateway endpoint routes
    # Transit gateway: whether attachments propagate to its default route table.
    default_propagation: bool = True
    # Azure Firewall / network virtual appliance: the private address routes point at.
    private_ips: list[str] = field(default_factory=list)
    # Firewall: the rules it judges traffic by; None for a firewall whose rules are unknown.
    policy: FirewallPolicy | None = None


class OnPremSite(Element, kw_only=True):
    """An on-premises network reached through a VPN connection or Direct Connect."""

    gateway: str | None = None  # virtual private gateway or transit gateway address
    customer_gateway: str | None = None
    cidrs: list[str] = field(default_factory=list)
    static_routes_only: bool = False


class Peering(Element, kw_only=True):
    requester: str | None = None  # network address; None when outside the input
    accepter: str | None = None
    active: bool = True
    # Azure: traffic forwarded by an appliance in the peer may enter.
    allow_forwarded_traffic: bool = False
    # Azure gateway transit: the network that uses the other's gateways (its direction sets
    # useRemoteGateways, the other's allowGatewayTransit).
    gateway_user: str | None = None


class TransitGatewayAttachment(Element, kw_only=True):
    transit_gateway: str
    network: str
    subnets: list[str] = field(default_factory=list)


class TransitGatewayRoute(Element, kw_only=True):
    transit_gateway: str
    destination: str
    attachment: str | None = None  # None with blackhole
    blackhole: bool = False


class PrefixList(Element, kw_only=True):
    cidrs: list[str] = field(default_factory=list)


class Interface(Struct, kw_only=True):
    """A network interface of an endpoint: where it sits and what filters it."""

    address: str
    subnet: str | None = None
    network: str | None = None
    private_ips: list[str] = field(default_factory=list)
    public: bool = False
    # Whether it has IPv6 addresses: None, as its subnet's ranges allow (most endpoints); an
    # instance's or interface's own say, or its subnet's AssignIpv6AddressOnCreation (AWS).
    # Not known: None with "ipv6" in `unknown`, which --assume-unknown settles.
    ipv6: bool | None = None
    # False: it holds no IPv4 address (an Azure frontend on an IPv6 public IP alone).
    ipv4: bool | None = None
    # Why the interface has a public address: the element that gives it.
    public_source: str | None = None
    # Azure's Standard public IPs are closed to inbound traffic unless an NSG allows it; None:
    # the SKU is not known before apply.
    closed_without_nsg: bool | None = False
    security_groups: list[str] = field(default_factory=list)
    # Azure: the NIC's network security group and application security groups.
    network_security_group: str | None = None
    # Azure: the NIC names a network security group not known before deployment (a parameter
    # without a value; `unknown` names it).
    network_security_group_unknown: bool = False
    application_security_groups: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    # The subnet is a value not known before apply: the interface sits in one of its
    # network's subnets, whichever route table that subnet has...
    subnet_unknown: bool = False
    # ...or in one of these, when the input narrows it down to them.
    subnet_choices: list[str] = field(default_factory=list)
    # Azure: whether it may use default outbound access, as its subnet allows.
    default_outbound_access: bool = True
    # Azure: its subnet's network security group does not filter its traffic (a private
    # endpoint, when the subnet's private endpoint network policies leave NSGs out)...
    subnet_nsg_skipped: bool = False
    # ...or whether it does is a value not known: this names it. --assume-unknown decides
    # (open: the NSG does not filter it; closed: it does).
    subnet_nsg_unknown: str | None = None


class Listener(Element, kw_only=True):
    protocol: str = "tcp"
    port: int | None  # None: not known before apply, named by `port_unknown`
    port_unknown: str | None = None  # the attribute that gives the port, when not known
    target_groups: list[str] = field(default_factory=list)
    # Classic load balancers forward straight to instances on this port.
    target_port: int | None = None
    # The frontends (interface addresses) it listens on; empty: every one.
    frontends: list[str] = field(default_factory=list)
    # HA ports (an Azure internal load balancer's rule): it hears every port of its protocols
    # and each goes on to the same port of its targets; `port` is None and not unknown.
    every_port: bool = False


class Target(Struct, kw_only=True):
    endpoint: str
    port: int | None = None  # overrides the target group's port
    origin: Origin = field(default_factory=Origin)
    via: str | None = None  # the attachment resource


class TargetGroup(Element, kw_only=True):
    protocol: str = "tcp"
    port: int | None = None
    port_unknown: str | None = None  # the attribute that gives the port, when not known
    targets: list[Target] = field(default_factory=list)
    # Whether its targets see the client's address through a load balancer that can keep it
    # (an AWS network load balancer's client IP preservation, a target group attribute), or
    # the load balancer's own; None: not known, resting on `preservation_rests_on`.
    preserves_client_address: bool | None = True
    preservation_rests_on: str | None = None
    # Its targets' address family (ip_address_type): a client of the other family reaches
    # them from the load balancer's own address, kept or not.
    ipv6_targets: bool = False


class LoadBalancer(Struct, kw_only=True):
    scheme: Literal["internal", "internet-facing"] = "internet-facing"
    flavor: Literal["application", "network", "gateway", "classic"] = "application"
    listeners: list[Listener] = field(default_factory=list)
    # It can keep the client's address: an AWS network load balancer, for the target groups
    # that preserve it; Azure's always do.
    preserves_client_address: bool = False
    # Classic load balancers list their instances directly.
    instances: list[Target] = field(default_factory=list)
    # Azure: the SKU as written ("Standard", "Basic"); None when not written.
    sku: str | None = None


EndpointKind = Literal[
    "instance",
    "network-interface",
    "load-balancer",
    "database",
    "cache",
    "function",
    "service",
    "auto-scaling-group",
    "vpc-endpoint",
    "virtual-machine",
    "scale-set",
    "private-endpoint",
    "bastion",
    "other",
]


class Endpoint(Element, kw_only=True):
    """What holds an address and runs code; gateways are hops, never endpoints."""

    kind: EndpointKind
    tags: dict[str, str] = field(default_factory=dict)
    # Tags whose value is not known before apply: key -> the name of that value.
    unknown_tags: dict[str, str] = field(default_factory=dict)
    # The name of the tags as a whole when they are not known (any tag may be there).
    tags_unknown: str | None = None
    interfaces: list[Interface] = field(default_factory=list)
    load_balancer: LoadBalancer | None = None
    # The row of reachlint.model.exposure that says what this managed service accepts and sends;
    # None: its filters alone decide.
    exposure: str | None = None
    # The ports the service listens on when its row says "own port" (a database's port).
    service_ports: list[PortRange] = field(default_factory=list)


class PrivateLinkService(Element, kw_only=True):
    """An Azure Private Link service: a private endpoint connected to it reaches the load
    balancer frontends it names, and the backends see one of its NAT addresses, in `subnet`."""

    frontends: list[str] = field(default_factory=list)
    subnet: str | None = None
    nat_ips: list[str] = field(default_factory=list)
    endpoints: list[str] = field(default_factory=list)  # the private endpoints connected to it
    manual: list[str] = field(default_factory=list)  # of those, by a request its owner approves
    # False: `frontends` are those it may name (one of them, not known which).
    frontends_known: bool = True


class AddressSpec(Struct, kw_only=True):
    """One side of an NSG rule: any address, CIDRs, service tags, application security groups."""

    any: bool = False
    cidrs: list[str] = field(default_factory=list)
    service_tags: list[str] = field(default_factory=list)  # VirtualNetwork, Internet...
    application_security_groups: list[str] = field(default_factory=list)
    unknown_ranges: list[UnknownValue] = field(default_factory=list)


# What of an NSG rule is not known (a value known only at deployment, or one Azure refuses):
# a side's groups are its application security groups; "rule" stands for the parts that decide
# whether it applies at all (protocol, direction, the group it belongs to).
NsgPart = Literal[
    "priority",
    "access",
    "source_ports",
    "destination_ports",
    "source_groups",
    "destination_groups",
    "rule",
]


class NsgRule(Element, kw_only=True):
    """One rule of an Azure network security group: priority order, first match, stateful."""

    name: str
    priority: int
    direction: Literal["inbound", "outbound"]
    allow: bool
    protocol: str = "*"  # Tcp, Udp, Icmp, Esp, Ah or *
    source: AddressSpec = field(default_factory=AddressSpec)
    destination: AddressSpec = field(default_factory=AddressSpec)
    # None: any port. With the side's part unknown, only the ports known for certain.
    source_ports: list[PortRange] | None = None
    destination_ports: list[PortRange] | None = None
    is_default: bool = False
    unknown_parts: list[NsgPart] = field(default_factory=list)
    # It stands for the rules of an NSG that are not known: its name and priority are none.
    stands_for_unknown_rules: bool = False


class NetworkSecurityGroup(Element, kw_only=True):
    """Rules include Azure's six default rules (65000-65500), made explicit by the loader."""

    rules: list[NsgRule] = field(default_factory=list)


class ElasticIp(Element, kw_only=True):
    endpoint: str | None = None  # the endpoint whose interface it gives a public address
    interface: str | None = None


class NetworkModel(Struct, kw_only=True):
    inputs: list[str] = field(default_factory=list)
    networks: dict[str, Network] = field(default_factory=dict)
    subnets: dict[str, Subnet] = field(default_factory=dict)
    security_groups: dict[str, SecurityGroup] = field(default_factory=dict)
    network_security_groups: dict[str, NetworkSecurityGroup] = field(default_factory=dict)
    application_security_groups: dict[str, Element] = field(default_factory=dict)
    network_acls: dict[str, NetworkAcl] = field(default_factory=dict)
    route_tables: dict[str, RouteTable] = field(default_factory=dict)
    gateways: dict[str, Gateway] = field(default_factory=dict)
    onprem_sites: dict[str, OnPremSite] = field(default_factory=dict)
    peerings: dict[str, Peering] = field(default_factory=dict)
    transit_gateway_attachments: dict[str, TransitGatewayAttachment] = field(default_factory=dict)
    transit_gateway_routes: dict[str, TransitGatewayRoute] = field(default_factory=dict)
    prefix_lists: dict[str, PrefixList] = field(default_factory=dict)
    endpoints: dict[str, Endpoint] = field(default_factory=dict)
    target_groups: dict[str, TargetGroup] = field(default_factory=dict)
    private_link_services: dict[str, PrivateLinkService] = field(default_factory=dict)
    elastic_ips: dict[str, ElasticIp] = field(default_factory=dict)
    # Ids and ARNs of deployed resources that the input knows (a plan's prior state): id -> address.
    ids: dict[str, str] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    # Texts of sensitive values (reachlint.sensitive): used, never shown.
    sensitive: set[str] = field(default_factory=set)
    # Each input type's counterparts in the other dialects (aws_instance: AWS::EC2::Instance),
    # so that a selector's `types` reads the same for every input; the dialects' tables are read
    # only when a selector asks.
    type_names: Mapping[str, list[str]] = field(default_factory=dict)
    # The name an element's author knows it by besides its address (a CDK construct path).
    labels: dict[str, str] = field(default_factory=dict)

    def note(self, message: str, address: str | None = None, origin: Origin | None = None) -> None:
        # The note carries its address; reports show it once, before the message.
        if address and message.startswith(f"{address}: "):
            message = message[len(address) + 2 :]
        self.notes.append(Note(address=address, message=message, origin=origin or Origin()))

    def merge(self, other: NetworkModel) -> None:
        """Add another input's elements: several paths are one model."""
        self.inputs.extend(other.inputs)
        for name in self.__struct_fields__:
            mine, theirs = getattr(self, name), getattr(other, name)
            if isinstance(mine, dict):
                mine.update(theirs)
        self.notes.extend(other.notes)
        self.sensitive |= other.sensitive


def subnets_by_network(model: NetworkModel) -> dict[str, list[Subnet]]:
    """The model's subnets, by the network each is in."""
    found: dict[str, list[Subnet]] = {}
    for subnet in model.subnets.values():
        found.setdefault(subnet.network, []).append(subnet)
    return found


def every_port_listeners(balancer: Endpoint, frontend: str | None = None) -> list[Listener]:
    """A load balancer's listeners on every port (Azure's HA ports), on `frontend` or any."""
    spec = balancer.load_balancer
    if spec is None:
        return []
    return [
        listener
        for listener in spec.listeners
        if listener.every_port
        and (frontend is None or not listener.frontends or frontend in listener.frontends)
    ]


def targets_of(model: NetworkModel, listeners: list[Listener]) -> list[Endpoint]:
    """The endpoints these listeners' target groups forward to."""
    return [
        model.endpoints[target.endpoint]
        for listener in listeners
        for group in listener.target_groups
        if group in model.target_groups
        for target in model.target_groups[group].targets
        if target.endpoint in model.endpoints
    ]
