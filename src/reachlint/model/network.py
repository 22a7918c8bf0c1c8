"""The provider-neutral network model that every loader produces and the engine reads.

Elements refer to each other by resource address (the name the input gives them), so the model
is plain data: it serialises, compares and diffs without object identity. Facts that only a
provider defines (AWS's default security group, Azure's default NSG rules) are made explicit
by the loader, so the engine applies one set of semantics to everything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from reachlint.sources import Note, Origin, UnknownValue


class Element(BaseModel):
    model_config = ConfigDict(extra="forbid")

    address: str
    type: str
    origin: Origin = Field(default_factory=Origin)
    # Attributes whose values are only known after apply (or not given), by name.
    unknown: list[str] = Field(default_factory=list)
    # Address ranges of this element (its own, or those a rule or route names) that are
    # unknown values; the ranges that are known are in its CIDR fields.
    unknown_ranges: list[UnknownValue] = Field(default_factory=list)


Provider = Literal["aws", "azure"]


class Network(Element):
    """A VPC or VNet."""

    provider: Provider = "aws"
    cidrs: list[str] = Field(default_factory=list)
    main_route_table: str | None = None
    default_security_group: str | None = None
    default_network_acl: str | None = None


class Subnet(Element):
    network: str
    cidrs: list[str] = Field(default_factory=list)
    zone: str | None = None
    map_public_ip: bool = False
    # Explicit associations; None means the network's main table / default ACL.
    route_table: str | None = None
    network_acl: str | None = None
    security_group: str | None = None  # Azure: the subnet's network security group
    nat_gateway: str | None = None  # Azure: a NAT gateway serves the whole subnet
    # Azure: VMs without a public address still reach the internet (default outbound access).
    default_outbound_access: bool = True


Direction = Literal["ingress", "egress"]


class PortRange(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    low: int
    high: int


class SecurityGroupRule(Element):
    """One allow rule of a stateful group (AWS security group)."""

    direction: Direction
    protocol: str = "-1"  # number or name as written; -1 means all
    ports: PortRange | None = None  # None: all ports
    cidrs: list[str] = Field(default_factory=list)
    prefix_lists: list[str] = Field(default_factory=list)
    security_groups: list[str] = Field(default_factory=list)  # members of these groups
    self_reference: bool = False
    description: str | None = None
    # The element a reviewer edits for this rule (an inline block's group, or the rule resource).
    # Its origin is the block's own line.


class SecurityGroup(Element):
    network: str | None = None
    name: str | None = None
    is_default: bool = False
    rules: list[SecurityGroupRule] = Field(default_factory=list)


class AclEntry(Element):
    """One numbered entry of a stateless network ACL."""

    rule_number: int
    egress: bool
    allow: bool
    protocol: str = "-1"
    cidr: str
    ports: PortRange | None = None


class NetworkAcl(Element):
    network: str
    is_default: bool = False
    subnets: list[str] = Field(default_factory=list)
    entries: list[AclEntry] = Field(default_factory=list)


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


class Route(Element):
    destination: str | None = None  # CIDR
    destination_prefix_list: str | None = None
    target_kind: RouteTarget
    target: str | None = None  # address of the gateway, peering, interface...


class RouteTable(Element):
    network: str
    is_main: bool = False
    routes: list[Route] = Field(default_factory=list)
    subnets: list[str] = Field(default_factory=list)
    propagating_gateways: list[str] = Field(default_factory=list)
    # Edge associations: the gateways (AWS internet gateway) whose arriving traffic it routes.
    edge_gateways: list[str] = Field(default_factory=list)


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


class FirewallRule(Element):
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
    protocols: list[str] = Field(default_factory=lambda: ["*"])  # names or numbers; * is all
    sources: AddressSpec = Field(default_factory=lambda: AddressSpec(any=True))
    destinations: AddressSpec = Field(default_factory=lambda: AddressSpec(any=True))
    source_ports: list[PortRange] | None = None  # None: any port
    destination_ports: list[PortRange] | None = None
    both_directions: bool = False  # also matches the reverse direction (AWS direction ANY)
    # Why what the rule matches is known only when traffic flows (FQDN targets, a Suricata
    # signature, a domain list); None when the rule is decided exactly.
    undecidable: str | None = None


class DnatRule(Element):
    """A way in: the firewall's public address and port, translated to an address and port."""

    name: str
    collection: str | None = None
    protocols: list[str] = Field(default_factory=lambda: ["tcp"])
    sources: AddressSpec = Field(default_factory=lambda: AddressSpec(any=True))
    ports: list[PortRange] = Field(default_factory=list)  # on the firewall's public address
    translated_address: str | None = None
    translated_port: int | None = None
    undecidable: str | None = None  # a translated FQDN


class FirewallStage(BaseModel):
    """One engine of a firewall and what it does with traffic no rule of it matched."""

    model_config = ConfigDict(extra="forbid")

    name: str
    default: Literal["allow", "deny", "next"] = "deny"


class FirewallPolicy(Element):
    """The rules a firewall judges traffic by; `address` is the policy a reviewer edits."""

    stages: list[FirewallStage] = Field(default_factory=lambda: [FirewallStage(name="rules")])
    rules: list[FirewallRule] = Field(default_factory=list)
    dnat: list[DnatRule] = Field(default_factory=list)


class Gateway(Element):
    kind: GatewayKind
    network: str | None = None
    subnet: str | None = None  # NAT gateway: where it sits
    public: bool = True  # NAT gateway: connectivity_type public
    service: str | None = None  # gateway endpoint: the service it reaches
    route_tables: list[str] = Field(default_factory=list)  # gateway endpoint routes
    # Transit gateway: whether attachments propagate to its default route table.
    default_propagation: bool = True
    # Azure Firewall / network virtual appliance: the private address routes point at.
    private_ips: list[str] = Field(default_factory=list)
    # Firewall: the rules it judges traffic by; None for a firewall whose rules are unknown.
    policy: FirewallPolicy | None = None


class OnPremSite(Element):
    """An on-premises network reached through a VPN connection or Direct Connect."""

    gateway: str | None = None  # virtual private gateway or transit gateway address
    customer_gateway: str | None = None
    cidrs: list[str] = Field(default_factory=list)
    static_routes_only: bool = False


class Peering(Element):
    requester: str | None = None  # network address; None when outside the input
    accepter: str | None = None
    active: bool = True
    # Azure: traffic forwarded by an appliance in the peer may enter; gateway transit.
    allow_forwarded_traffic: bool = False
    allow_gateway_transit: bool = False
    use_remote_gateways: bool = False


class TransitGatewayAttachment(Element):
    transit_gateway: str
    network: str
    subnets: list[str] = Field(default_factory=list)


class TransitGatewayRoute(Element):
    transit_gateway: str
    destination: str
    attachment: str | None = None  # None with blackhole
    blackhole: bool = False


class PrefixList(Element):
    cidrs: list[str] = Field(default_factory=list)


class Interface(BaseModel):
    """A network interface of an endpoint: where it sits and what filters it."""

    model_config = ConfigDict(extra="forbid")

    address: str
    subnet: str | None = None
    network: str | None = None
    private_ips: list[str] = Field(default_factory=list)
    public: bool = False
    # Why the interface has a public address: the element that gives it.
    public_source: str | None = None
    # Azure's Standard public IPs are closed to inbound traffic unless an NSG allows it; None:
    # the SKU is not known before apply.
    closed_without_nsg: bool | None = False
    security_groups: list[str] = Field(default_factory=list)
    # Azure: the NIC's network security group and application security groups.
    network_security_group: str | None = None
    application_security_groups: list[str] = Field(default_factory=list)
    unknown: list[str] = Field(default_factory=list)


class Listener(Element):
    protocol: str = "tcp"
    port: int
    target_groups: list[str] = Field(default_factory=list)
    # Classic load balancers forward straight to instances on this port.
    target_port: int | None = None
    # The frontends (interface addresses) it listens on; empty: every one.
    frontends: list[str] = Field(default_factory=list)


class Target(BaseModel):
    model_config = ConfigDict(extra="forbid")

    endpoint: str
    port: int | None = None  # overrides the target group's port
    origin: Origin = Field(default_factory=Origin)
    via: str | None = None  # the attachment resource


class TargetGroup(Element):
    protocol: str = "tcp"
    port: int | None = None
    targets: list[Target] = Field(default_factory=list)


class LoadBalancer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scheme: Literal["internal", "internet-facing"] = "internet-facing"
    flavor: Literal["application", "network", "gateway", "classic"] = "application"
    listeners: list[Listener] = Field(default_factory=list)
    # Network load balancers keep the client's address unless told otherwise.
    preserves_client_address: bool = False
    # Classic load balancers list their instances directly.
    instances: list[Target] = Field(default_factory=list)


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


class Endpoint(Element):
    """What holds an address and runs code; gateways are hops, never endpoints."""

    kind: EndpointKind
    tags: dict[str, str] = Field(default_factory=dict)
    interfaces: list[Interface] = Field(default_factory=list)
    load_balancer: LoadBalancer | None = None
    # The row of reachlint.model.exposure that says what this managed service accepts and sends;
    # None: its filters alone decide.
    exposure: str | None = None
    # The ports the service listens on when its row says "own port" (a database's port).
    service_ports: list[PortRange] = Field(default_factory=list)


class AddressSpec(BaseModel):
    """One side of an NSG rule: any address, CIDRs, service tags, application security groups."""

    model_config = ConfigDict(extra="forbid")

    any: bool = False
    cidrs: list[str] = Field(default_factory=list)
    service_tags: list[str] = Field(default_factory=list)  # VirtualNetwork, Internet...
    application_security_groups: list[str] = Field(default_factory=list)
    unknown_ranges: list[UnknownValue] = Field(default_factory=list)


class NsgRule(Element):
    """One rule of an Azure network security group: priority order, first match, stateful."""

    name: str
    priority: int
    direction: Literal["inbound", "outbound"]
    allow: bool
    protocol: str = "*"  # Tcp, Udp, Icmp, Esp, Ah or *
    source: AddressSpec = Field(default_factory=AddressSpec)
    destination: AddressSpec = Field(default_factory=AddressSpec)
    source_ports: list[PortRange] | None = None  # None: any port
    destination_ports: list[PortRange] | None = None
    is_default: bool = False


class NetworkSecurityGroup(Element):
    """Rules include Azure's six default rules (65000-65500), made explicit by the loader."""

    rules: list[NsgRule] = Field(default_factory=list)


class ElasticIp(Element):
    endpoint: str | None = None  # the endpoint whose interface it gives a public address
    interface: str | None = None


class NetworkModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    inputs: list[str] = Field(default_factory=list)
    networks: dict[str, Network] = Field(default_factory=dict)
    subnets: dict[str, Subnet] = Field(default_factory=dict)
    security_groups: dict[str, SecurityGroup] = Field(default_factory=dict)
    network_security_groups: dict[str, NetworkSecurityGroup] = Field(default_factory=dict)
    application_security_groups: dict[str, Element] = Field(default_factory=dict)
    network_acls: dict[str, NetworkAcl] = Field(default_factory=dict)
    route_tables: dict[str, RouteTable] = Field(default_factory=dict)
    gateways: dict[str, Gateway] = Field(default_factory=dict)
    onprem_sites: dict[str, OnPremSite] = Field(default_factory=dict)
    peerings: dict[str, Peering] = Field(default_factory=dict)
    transit_gateway_attachments: dict[str, TransitGatewayAttachment] = Field(default_factory=dict)
    transit_gateway_routes: dict[str, TransitGatewayRoute] = Field(default_factory=dict)
    prefix_lists: dict[str, PrefixList] = Field(default_factory=dict)
    endpoints: dict[str, Endpoint] = Field(default_factory=dict)
    target_groups: dict[str, TargetGroup] = Field(default_factory=dict)
    elastic_ips: dict[str, ElasticIp] = Field(default_factory=dict)
    # Ids and ARNs of deployed resources that the input knows (a plan's prior state): id -> address.
    ids: dict[str, str] = Field(default_factory=dict)
    notes: list[Note] = Field(default_factory=list)
    # Texts of sensitive values (reachlint.sensitive): used, never shown; never serialised.
    sensitive: set[str] = Field(default_factory=set, exclude=True, repr=False)
    # Each input type's counterparts in the other dialects (aws_instance: AWS::EC2::Instance),
    # so that a selector's `types` reads the same for every input; the dialects' tables are read
    # only when a selector asks.
    type_names: Mapping[str, list[str]] = Field(default_factory=dict, exclude=True, repr=False)
    # The name an element's author knows it by besides its address (a CDK construct path).
    labels: dict[str, str] = Field(default_factory=dict, exclude=True, repr=False)

    def note(self, message: str, address: str | None = None, origin: Origin | None = None) -> None:
        # The note carries its address; reports show it once, before the message.
        if address and message.startswith(f"{address}: "):
            message = message[len(address) + 2 :]
        self.notes.append(Note(address=address, message=message, origin=origin or Origin()))

    def merge(self, other: NetworkModel) -> None:
        """Add another input's elements: several paths are one model."""
        self.inputs.extend(other.inputs)
        for field in type(self).model_fields:
            mine, theirs = getattr(self, field), getattr(other, field)
            if isinstance(mine, dict):
                mine.update(theirs)
        self.notes.extend(other.notes)
        self.sensitive |= other.sensitive
