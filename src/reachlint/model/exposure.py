"""What each managed service accepts and sends, as its provider's documentation states it.

One row per kind of managed endpoint (and per gateway a reviewer might take for one). A mapper
names the row of each endpoint it makes (`Endpoint.exposure`, chosen with `pick`), the engine
applies the row to every flow that starts or ends there, and the README's table is generated
from these rows (`markdown_table`). An endpoint without a row is judged by its filters alone.

A row says, for each kind of peer — the internet, endpoints of its network and the networks
connected to it, on-premises sites — what the service accepts from it and what it sends to it:
`FILTERS` (whatever its security groups or NSGs allow), `NOTHING`, `LISTENERS` (a load
balancer: its listener or rule ports), `OWN_PORT` (tcp on the port the mapper read, such as a
database's `port`) or traffic like "tcp 22, 3389; udp 53".
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Literal

from msgspec import Struct, field

from reachlint.model.traffic import (
    ALL_ADDRESSES,
    ALL_PORTS,
    Traffic,
    parse_protocol,
    ports_from_spec,
)

FILTERS = "filters"
NOTHING = "nothing"
LISTENERS = "listeners"
OWN_PORT = "own port"
Side = Literal["internet", "network", "onprem"]
SIDES: tuple[Side, ...] = ("internet", "network", "onprem")
Role = Literal["endpoint", "load-balancer", "pass-through", "hop"]


class Sides(Struct, frozen=True):
    """One spec for each kind of peer."""

    internet: str = FILTERS
    network: str = FILTERS
    onprem: str = FILTERS

    @classmethod
    def every(cls, spec: str) -> Sides:
        return cls(spec, spec, spec)

    def of(self, side: Side) -> str:
        value: str = getattr(self, side)
        return value


class Exposure(Struct, frozen=True):
    key: str
    service: str
    types: tuple[str, ...]  # the resource types it applies to, as the inputs spell them
    role: Role
    accepts: Sides
    sends: Sides
    doc: tuple[str, ...]
    notes: str = ""
    # Facts a mapper must match to pick this row (lower-case values; absent fact: the default).
    when: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Standard SKU: a backend without any NSG gets nothing from internet clients.
    closed_without_nsg: bool = False
    # The kinds of endpoint it never opens connections to in its networks, whatever its
    # filters let it reach: Azure Bastion connects to machines (VMs, scale sets, the nodes of
    # a Kubernetes cluster), not to a private endpoint or a database.
    never_connects_to: tuple[str, ...] = ()

    @property
    def originates(self) -> bool:
        return any(self.sends.of(side) != NOTHING for side in SIDES)


_LB_ACCEPTS = Sides.every(LISTENERS)
_SENDS_NOTHING = Sides.every(NOTHING)
_NAA = "https://docs.aws.amazon.com/vpc/latest/network-access-analyzer/resource-statement.html"
_AZURE_LB = "https://learn.microsoft.com/en-us/azure/load-balancer/concepts"
_AZURE_LB_SKUS = "https://learn.microsoft.com/en-us/azure/load-balancer/skus"
_BASTION = "https://learn.microsoft.com/en-us/azure/bastion/bastion-nsg"
# Endpoints that are no machine to log in to: Azure Bastion does not connect to them.
_NOT_MACHINES = ("private-endpoint", "database", "cache", "load-balancer", "bastion", "function")
_BASTION_SKUS = "https://learn.microsoft.com/en-us/azure/bastion/configuration-settings"

ROWS: tuple[Exposure, ...] = (
    # ----- AWS --------------------------------------------------------------------------------
    Exposure(
        key="aws-alb",
        service="Application Load Balancer",
        types=("aws_lb", "aws_alb", "AWS::ElasticLoadBalancingV2::LoadBalancer"),
        role="load-balancer",
        when={"flavor": ("application",)},
        accepts=_LB_ACCEPTS,
        sends=_SENDS_NOTHING,
        notes="Terminates connections: an endpoint on its listener ports, as its security groups "
        "allow. Starts nothing of its own; forwards its clients' requests to its targets on the "
        "target port.",
        doc=(
            "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-update-security-groups.html",
            _NAA,
        ),
    ),
    Exposure(
        key="aws-nlb",
        service="Network Load Balancer",
        types=("aws_lb", "aws_alb", "AWS::ElasticLoadBalancingV2::LoadBalancer"),
        role="load-balancer",
        when={"flavor": ("network",)},
        accepts=_LB_ACCEPTS,
        sends=_SENDS_NOTHING,
        notes="Listens on its listener ports; forwards to its targets keeping the client's "
        "address, so the targets' security groups judge the client. Starts nothing of its own.",
        doc=(
            "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html#client-ip-preservation",
            _NAA,
        ),
    ),
    Exposure(
        key="aws-gwlb",
        service="Gateway Load Balancer",
        types=("aws_lb", "aws_alb", "AWS::ElasticLoadBalancingV2::LoadBalancer"),
        role="load-balancer",
        when={"flavor": ("gateway",)},
        accepts=_LB_ACCEPTS,
        sends=_SENDS_NOTHING,
        notes="A bump in the wire: passes the traffic routed to it to its appliances "
        "(GENEVE, udp 6081). Starts nothing of its own.",
        doc=(
            "https://docs.aws.amazon.com/elasticloadbalancing/latest/gateway/introduction.html",
            _NAA,
        ),
    ),
    Exposure(
        key="aws-clb",
        service="Classic Load Balancer",
        types=("aws_elb", "AWS::ElasticLoadBalancing::LoadBalancer"),
        role="load-balancer",
        accepts=_LB_ACCEPTS,
        sends=_SENDS_NOTHING,
        notes="Listens on its listener ports, as its security groups allow; forwards to its "
        "instances on the instance port. Starts nothing of its own.",
        doc=(
            "https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/elb-security-groups.html",
            _NAA,
        ),
    ),
    Exposure(
        key="aws-lambda",
        service="Lambda function (in a VPC)",
        types=("aws_lambda_function", "AWS::Lambda::Function", "AWS::Serverless::Function"),
        role="endpoint",
        accepts=Sides.every(NOTHING),
        sends=Sides.every(FILTERS),
        notes="Runs in Lambda's own VPC and reaches yours through Hyperplane network interfaces "
        "that carry only the connections the function opens; nothing can connect to it.",
        doc=(
            "https://docs.aws.amazon.com/lambda/latest/dg/foundation-networking.html",
            "https://aws.amazon.com/blogs/compute/announcing-improved-vpc-networking-for-aws-lambda-functions/",
        ),
    ),
    Exposure(
        key="aws-interface-endpoint",
        service="Interface VPC endpoint (PrivateLink)",
        types=("aws_vpc_endpoint", "AWS::EC2::VPCEndpoint"),
        role="endpoint",
        when={"endpoint_type": ("interface",)},
        accepts=Sides("tcp", "tcp", "tcp"),
        sends=_SENDS_NOTHING,
        notes="Accepts TCP only, as its security groups allow; a destination, never a source.",
        doc=(
            "https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html",
            _NAA,
        ),
    ),
    Exposure(
        key="aws-gwlb-endpoint",
        service="Gateway Load Balancer endpoint",
        types=("aws_vpc_endpoint", "AWS::EC2::VPCEndpoint"),
        role="endpoint",
        when={"endpoint_type": ("gatewayloadbalancer",)},
        accepts=Sides.every(FILTERS),
        sends=_SENDS_NOTHING,
        notes="A route target that hands the traffic routed to it to its Gateway Load Balancer; "
        "it has no security groups and starts nothing.",
        doc=(
            "https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-load-balancer-endpoints.html",
            _NAA,
        ),
    ),
    Exposure(
        key="aws-gateway-endpoint",
        service="Gateway VPC endpoint (S3, DynamoDB)",
        types=("aws_vpc_endpoint", "AWS::EC2::VPCEndpoint"),
        role="hop",
        when={"endpoint_type": ("gateway",)},
        accepts=Sides.every(NOTHING),
        sends=Sides.every(NOTHING),
        notes="Not an endpoint: a route-table target on the way to the service's prefix list.",
        doc=("https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html",),
    ),
    Exposure(
        key="aws-nat-gateway",
        service="NAT gateway",
        types=("aws_nat_gateway", "AWS::EC2::NatGateway"),
        role="hop",
        accepts=Sides.every(NOTHING),
        sends=Sides.every(NOTHING),
        notes="Not an endpoint: a hop for connections the subnets behind it open to the "
        "internet; never a way in.",
        doc=("https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html", _NAA),
    ),
    Exposure(
        key="aws-database",
        service="RDS, Aurora, DocumentDB, Neptune",
        types=(
            "aws_db_instance",
            "aws_rds_cluster",
            "aws_docdb_cluster",
            "aws_neptune_cluster",
            "AWS::RDS::DBInstance",
            "AWS::RDS::DBCluster",
            "AWS::DocDB::DBCluster",
            "AWS::Neptune::DBCluster",
        ),
        role="endpoint",
        accepts=Sides.every(OWN_PORT),
        sends=Sides.every(FILTERS),
        notes="Accepts TCP on its database port (`port`, else the engine's default: MySQL and "
        "MariaDB 3306, PostgreSQL 5432, Oracle 1521, SQL Server 1433, Db2 50000, DocumentDB "
        "27017, Neptune 8182), as its security groups allow. An unknown port leaves the "
        "security groups to decide.",
        doc=(
            "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.RDSSecurityGroups.html",
            "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ConnectToInstance.html",
        ),
    ),
    Exposure(
        key="aws-cache",
        service="ElastiCache",
        types=(
            "aws_elasticache_cluster",
            "aws_elasticache_replication_group",
            "AWS::ElastiCache::CacheCluster",
            "AWS::ElastiCache::ReplicationGroup",
        ),
        role="endpoint",
        accepts=Sides.every(OWN_PORT),
        sends=Sides.every(FILTERS),
        notes="Accepts TCP on its port (`port`, else Redis and Valkey 6379, Memcached 11211), "
        "as its security groups allow, over the address families its network type names "
        "(`network_type`, `NetworkType`: IPv4 unless written).",
        doc=(
            "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/accessing-elasticache.html",
            "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/network-type.html",
        ),
    ),
    # ----- Azure ------------------------------------------------------------------------------
    Exposure(
        key="azure-load-balancer-standard",
        service="Azure Load Balancer (Standard)",
        types=("Microsoft.Network/loadBalancers", "azurerm_lb"),
        role="pass-through",
        when={"sku": ("standard", "gateway")},
        accepts=_LB_ACCEPTS,
        sends=_SENDS_NOTHING,
        closed_without_nsg=True,
        notes="Not a place: it neither closes nor starts flows. A client reaches a backend "
        "through a load-balancing or inbound NAT rule, judged by the backend's NIC and subnet "
        "NSGs with the client's own address; 168.63.129.16 (AzureLoadBalancer) is only its "
        "health probe. Closed to internet clients unless an NSG allows them: a backend "
        "without any NSG gets nothing from the internet.",
        doc=(_AZURE_LB, _AZURE_LB_SKUS),
    ),
    Exposure(
        key="azure-load-balancer-basic",
        service="Azure Load Balancer (Basic, the default SKU)",
        types=("Microsoft.Network/loadBalancers", "azurerm_lb"),
        role="pass-through",
        accepts=_LB_ACCEPTS,
        sends=_SENDS_NOTHING,
        notes="As the Standard SKU, but open by default: a backend without any NSG gets what "
        "the rules forward.",
        doc=(_AZURE_LB, _AZURE_LB_SKUS),
    ),
    Exposure(
        key="azure-application-gateway",
        service="Application Gateway",
        types=("Microsoft.Network/applicationGateways", "azurerm_application_gateway"),
        role="load-balancer",
        accepts=_LB_ACCEPTS,
        sends=_SENDS_NOTHING,
        notes="Terminates connections: an endpoint on its listener ports, as its subnet's NSG "
        "allows; starts nothing but the requests it forwards to its backend pools. (v2 also "
        "takes 65200-65535 from GatewayManager for Azure's own management.)",
        doc=(
            "https://learn.microsoft.com/en-us/azure/application-gateway/configuration-infrastructure",
        ),
    ),
    Exposure(
        key="azure-bastion-standard",
        service="Azure Bastion (Standard, Premium)",
        types=("Microsoft.Network/bastionHosts", "azurerm_bastion_host"),
        role="endpoint",
        when={"sku": ("standard", "premium")},
        accepts=Sides(internet="tcp 443", network=NOTHING, onprem=NOTHING),
        sends=Sides(internet="tcp 80, 443", network="tcp", onprem="tcp"),
        notes="Accepts tcp 443 from the internet (and GatewayManager) only; 8080 and 5701 are "
        "between its own instances. Reaches virtual machines in its network and peered "
        "networks on any TCP port (custom ports), and on-premises machines by address "
        "(IP-based connection); tcp 443 to AzureCloud and tcp 80 to the internet for its own "
        "control plane.",
        doc=(_BASTION, _BASTION_SKUS),
        never_connects_to=_NOT_MACHINES,
    ),
    Exposure(
        key="azure-bastion",
        service="Azure Bastion (Basic, Developer)",
        types=("Microsoft.Network/bastionHosts", "azurerm_bastion_host"),
        role="endpoint",
        accepts=Sides(internet="tcp 443", network=NOTHING, onprem=NOTHING),
        sends=Sides(internet="tcp 80, 443", network="tcp 22, 3389", onprem=NOTHING),
        notes="Accepts tcp 443 from the internet (and GatewayManager) only; 8080 and 5701 are "
        "between its own instances. Reaches virtual machines in its network and peered "
        "networks on tcp 22 and 3389; tcp 443 to AzureCloud and tcp 80 to the internet for "
        "its own control plane.",
        doc=(_BASTION, _BASTION_SKUS),
        never_connects_to=_NOT_MACHINES,
    ),
    Exposure(
        key="azure-private-endpoint",
        service="Private endpoint",
        types=("Microsoft.Network/privateEndpoints", "azurerm_private_endpoint"),
        role="endpoint",
        accepts=Sides.every("tcp; udp"),
        sends=_SENDS_NOTHING,
        notes="Carries TCP and UDP only, and only connections its clients open: the service "
        "behind it cannot connect back into the network.",
        doc=("https://learn.microsoft.com/en-us/azure/private-link/private-endpoint-overview",),
    ),
    Exposure(
        key="azure-sql-managed-instance",
        service="SQL Managed Instance",
        types=("Microsoft.Sql/managedInstances",),
        role="endpoint",
        accepts=Sides.every("tcp 1433, 11000-11999"),
        sends=Sides.every(FILTERS),
        notes="Clients connect on tcp 1433, and on 11000-11999 with the redirect connection "
        "type; the rest of its subnet's rules are Azure's own management traffic.",
        doc=(
            "https://learn.microsoft.com/en-us/azure/azure-sql/managed-instance/connectivity-architecture-overview",
        ),
    ),
    Exposure(
        key="azure-redis",
        service="Azure Cache for Redis (in a virtual network)",
        types=("Microsoft.Cache/redis",),
        role="endpoint",
        accepts=Sides.every("tcp 6379, 6380, 13000-13999, 15000-15999"),
        sends=Sides.every(FILTERS),
        notes="Clients connect on 6379 (plain) and 6380 (TLS), and on 13000-13999 and "
        "15000-15999 to a clustered cache; its other ports are internal.",
        doc=(
            "https://learn.microsoft.com/en-us/azure/azure-cache-for-redis/cache-how-to-premium-vnet",
        ),
    ),
    Exposure(
        key="azure-api-management",
        service="API Management (in a virtual network)",
        types=("Microsoft.ApiManagement/service",),
        role="endpoint",
        accepts=Sides.every("tcp 80, 443"),
        sends=Sides.every(FILTERS),
        notes="Clients call its gateway on tcp 80 and 443; 3443 is its management endpoint "
        "for the ApiManagement service tag only.",
        doc=("https://learn.microsoft.com/en-us/azure/api-management/virtual-network-reference",),
    ),
    Exposure(
        key="azure-private-link-service",
        service="Private Link service",
        types=("Microsoft.Network/privateLinkServices", "azurerm_private_link_service"),
        role="hop",
        accepts=Sides.every(NOTHING),
        sends=Sides.every(NOTHING),
        notes="Not an endpoint: a hop from the private endpoints connected to it to the frontends "
        "of its Standard load balancer, which pass on what their rules hear; the backends see its "
        "NAT address, in its own subnet. A manual connection waits for its owner's approval.",
        doc=(
            "https://learn.microsoft.com/en-us/azure/private-link/private-link-service-overview",
            "https://learn.microsoft.com/en-us/powershell/module/az.network/"
            "new-azprivatelinkserviceipconfig",
        ),
    ),
    Exposure(
        key="azure-firewall",
        service="Azure Firewall",
        types=("Microsoft.Network/azureFirewalls", "azurerm_firewall"),
        role="hop",
        accepts=Sides.every(NOTHING),
        sends=Sides.every(NOTHING),
        notes="Not an endpoint: a hop judged by its rules; from the internet only through its "
        "DNAT rules. Its management interface (AzureFirewallManagementSubnet) carries Azure's "
        "own management traffic and accepts nothing from clients.",
        doc=(
            "https://learn.microsoft.com/en-us/azure/firewall/features",
            "https://learn.microsoft.com/en-us/azure/firewall/management-nic",
        ),
    ),
    Exposure(
        key="azure-virtual-network-gateway",
        service="VPN and ExpressRoute gateways",
        types=("Microsoft.Network/virtualNetworkGateways", "azurerm_virtual_network_gateway"),
        role="hop",
        accepts=Sides.every(NOTHING),
        sends=Sides.every(NOTHING),
        notes="Not an endpoint: the hop to the on-premises sites it connects. Its public "
        "address takes IKE and IPsec (udp 500, 4500, ESP) from its peers only; no one reaches "
        "the network through it from the internet.",
        doc=("https://learn.microsoft.com/en-us/azure/vpn-gateway/vpn-gateway-about-vpngateways",),
    ),
    Exposure(
        key="azure-nat-gateway",
        service="NAT gateway (Azure)",
        types=("Microsoft.Network/natGateways", "azurerm_nat_gateway"),
        role="hop",
        accepts=Sides.every(NOTHING),
        sends=Sides.every(NOTHING),
        notes="Not an endpoint: outbound connections of its subnets leave through it; "
        "unsolicited inbound connections are not possible.",
        doc=("https://learn.microsoft.com/en-us/azure/nat-gateway/nat-overview",),
    ),
)

# A database's or cache's port when the input does not set one: the engine's default, by the
# start of the engine's name (RDS and Aurora engines, DocumentDB, Neptune, ElastiCache).
DEFAULT_PORTS: tuple[tuple[str, int], ...] = (
    ("aurora-postgresql", 5432),
    ("aurora", 3306),
    ("mysql", 3306),
    ("mariadb", 3306),
    ("postgres", 5432),
    ("oracle", 1521),
    ("sqlserver", 1433),
    ("db2", 50000),
    ("docdb", 27017),
    ("neptune", 8182),
    ("redis", 6379),
    ("valkey", 6379),
    ("memcached", 11211),
)
# The engine a resource type runs when `engine` is not written.
DEFAULT_ENGINES = {
    "aws_rds_cluster": "aurora",
    "aws_docdb_cluster": "docdb",
    "aws_neptune_cluster": "neptune",
    "aws_elasticache_replication_group": "redis",
    "AWS::RDS::DBCluster": "aurora",
    "AWS::DocDB::DBCluster": "docdb",
    "AWS::Neptune::DBCluster": "neptune",
    "AWS::ElastiCache::ReplicationGroup": "redis",
}


def default_port(resource_type: str, engine: str | None) -> int | None:
    """The port a database or cache listens on when none is set; None when not known."""
    name = (engine or DEFAULT_ENGINES.get(resource_type, "")).lower()
    return next((port for prefix, port in DEFAULT_PORTS if name.startswith(prefix)), None)


BY_KEY = {row.key: row for row in ROWS}


def _by_type(rows: Iterable[Exposure]) -> dict[str, list[Exposure]]:
    """The rows of each resource type (lower case), in the order given."""
    found: dict[str, list[Exposure]] = {}
    for candidate in rows:
        for resource_type in dict.fromkeys(t.lower() for t in candidate.types):
            found.setdefault(resource_type, []).append(candidate)
    return found


_BY_TYPE = _by_type(ROWS)
# What an endpoint that has a load balancer but no row (a hand-made model) does.
GENERIC_LOAD_BALANCER = Exposure(
    key="load-balancer",
    service="Load balancer",
    types=(),
    role="load-balancer",
    accepts=_LB_ACCEPTS,
    sends=_SENDS_NOTHING,
    doc=(_NAA,),
)


def row(key: str) -> Exposure:
    """The row named `key`; a mapper that names a row that does not exist is a bug."""
    return BY_KEY[key]


def pick(resource_type: str, **facts: str | None) -> str | None:
    """The key of the first row for this resource type whose conditions the facts meet."""
    for candidate in _BY_TYPE.get(resource_type.lower(), ()):
        if all(
            (facts.get(name) or "").lower() in values for name, values in candidate.when.items()
        ):
            return candidate.key
    return None


@cache
def traffic_of(spec: str) -> Traffic | None:
    """The traffic a spec allows; None for FILTERS, OWN_PORT and LISTENERS (decided elsewhere)."""
    if spec in (FILTERS, OWN_PORT, LISTENERS):
        return None
    if spec == NOTHING:
        return Traffic()
    traffic = Traffic()
    for entry in spec.split(";"):
        words = entry.strip().split(None, 1)
        names = [name.strip() for name in words[0].split(",") if name.strip()]
        ports = ports_from_spec(p for p in words[1].split(",")) if len(words) > 1 else ALL_PORTS
        for name in names:
            traffic |= Traffic.box(parse_protocol(name), ALL_ADDRESSES, ports)
    return traffic


# ----- the README's table ---------------------------------------------------------------------

_SIDE_WORDS = {"internet": "the internet", "network": "its networks", "onprem": "on-premises"}


def _spec_text(spec: str) -> str:
    return {
        FILTERS: "as its filters allow",
        NOTHING: "nothing",
        LISTENERS: "its listener ports",
        OWN_PORT: "tcp on its port",
    }.get(spec, spec)


def _sides_text(sides: Sides, word: str) -> str:
    specs = [sides.of(side) for side in SIDES]
    if len(set(specs)) == 1:
        return _spec_text(specs[0])
    grouped: dict[str, list[str]] = {}
    for side, spec in zip(SIDES, specs, strict=True):
        grouped.setdefault(spec, []).append(_SIDE_WORDS[side])
    parts = [
        _spec_text(spec) if spec == NOTHING else f"{_spec_text(spec)} {word} {' and '.join(ends)}"
        for spec, ends in grouped.items()
        if spec != NOTHING
    ]
    return "; ".join(parts) or "nothing"


def markdown_table() -> str:
    """The README's managed-service exposure table, one row per entry of ROWS."""
    lines = [
        "| service | resource types | accepts | sends | as documented | source |",
        "|---|---|---|---|---|---|",
    ]
    for entry in ROWS:
        types = ", ".join(f"`{t}`" for t in entry.types)
        if entry.role == "hop":
            accepts, sends = "not an endpoint: a hop", "-"
        else:
            accepts = _sides_text(entry.accepts, "from")
            sends = _sides_text(entry.sends, "to")
        links = ", ".join(f"[{n}]({url})" for n, url in enumerate(entry.doc, 1))
        lines.append(
            f"| {entry.service} | {types} | {accepts} | {sends} | {entry.notes} | {links} |"
        )
    return "\n".join(lines) + "\n"
