"""AWS semantics for Terraform resources: `TfResource` records in, the network model out.

Everything AWS does implicitly is written out here, so the engine needs no AWS knowledge: the
default security group, network ACL and main route table of every VPC; the default group on an
interface that names none; where an address comes from when it is public; which load balancer
forwards to which targets. Links between resources follow the references the loader resolved,
then known ids; what cannot be resolved is recorded on the element and in a note.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from reachlint.dialects.terraform.inventory import Field, Fields, Kind, TerraformInventory, entries
from reachlint.dialects.terraform.links import Resolver, origin_at
from reachlint.dialects.terraform.values import (
    ResourceIndex,
    dedupe,
    integer,
    string_value,
    strings,
    value_at,
)
from reachlint.formats.terraform.records import UNKNOWN, TfResource
from reachlint.model import exposure
from reachlint.model.network import (
    AclEntry,
    Direction,
    ElasticIp,
    Endpoint,
    EndpointKind,
    FirewallPolicy,
    FirewallRule,
    Gateway,
    Interface,
    Listener,
    LoadBalancer,
    Network,
    NetworkAcl,
    NetworkModel,
    PortRange,
    RouteTable,
    SecurityGroup,
    SecurityGroupRule,
    Target,
    TargetGroup,
)
from reachlint.providers.aws import firewall as aws_firewall
from reachlint.providers.aws import gateways, network_acls, networks, routing, security_groups
from reachlint.providers.aws.state import Build
from reachlint.sources import Origin, UnknownValue

VPC_TYPES = frozenset({"aws_vpc", "aws_default_vpc"})
SUBNET_TYPES = frozenset({"aws_subnet", "aws_default_subnet"})
SG_TYPES = frozenset({"aws_security_group", "aws_default_security_group"})
ACL_TYPES = frozenset({"aws_network_acl", "aws_default_network_acl"})
RT_TYPES = frozenset({"aws_route_table", "aws_default_route_table"})
INSTANCE_TYPES = frozenset({"aws_instance"})
ENI_TYPES = frozenset({"aws_network_interface"})
EIP_TYPES = frozenset({"aws_eip"})
LB_TYPES = frozenset({"aws_lb", "aws_alb"})
LISTENER_TYPES = frozenset({"aws_lb_listener", "aws_alb_listener"})
TG_TYPES = frozenset({"aws_lb_target_group", "aws_alb_target_group"})
ASG_TYPES = frozenset({"aws_autoscaling_group"})
ELB_TYPES = frozenset({"aws_elb"})
TGW_TYPES = frozenset({"aws_ec2_transit_gateway"})
VGW_TYPES = frozenset({"aws_vpn_gateway"})
PREFIX_LIST_TYPES = frozenset({"aws_ec2_managed_prefix_list"})
# A VPC stands for its default group, default ACL or main table where those are expected
# (`aws_vpc.main.default_security_group_id`, `.default_network_acl_id`, `.main_route_table_id`).
SG_LINK_TYPES = SG_TYPES | VPC_TYPES
ACL_LINK_TYPES = ACL_TYPES | VPC_TYPES
RT_LINK_TYPES = RT_TYPES | VPC_TYPES
# What a `vpc_id` may be read from: the VPC, or something that sits in it (`aws_subnet.a.vpc_id`).
NETWORK_LINK_TYPES = VPC_TYPES | SUBNET_TYPES | SG_TYPES | ACL_TYPES | RT_TYPES

DEFAULT_VPC_CIDR = "172.31.0.0/16"  # every default VPC has this range
ALL_V4, ALL_V6 = "0.0.0.0/0", "::/0"


def _outside_network(address: str) -> Network:
    """A VPC the input names but does not declare: its range is not in the input."""
    attribute = f"{address}.cidr_block"
    outside = UnknownValue(sources=(attribute,), exactly=attribute, version=4)
    return Network(address=address, type="aws_vpc", unknown_ranges=[outside])


PORTED_PROTOCOLS = frozenset({"tcp", "udp", "6", "17"})

# Databases and clusters: subnet group attribute, subnet group types, member instance type.
_CLUSTERS: dict[str, tuple[str, frozenset[str], str]] = {
    "aws_rds_cluster": (
        "db_subnet_group_name",
        frozenset({"aws_db_subnet_group"}),
        "aws_rds_cluster_instance",
    ),
    "aws_docdb_cluster": (
        "db_subnet_group_name",
        frozenset({"aws_docdb_subnet_group", "aws_db_subnet_group"}),
        "aws_docdb_cluster_instance",
    ),
    "aws_neptune_cluster": (
        "neptune_subnet_group_name",
        frozenset({"aws_neptune_subnet_group", "aws_db_subnet_group"}),
        "aws_neptune_cluster_instance",
    ),
}

# Types read here, as elements or as helpers of other elements; the rest get a note.
HANDLED_TYPES = frozenset(
    {
        "aws_networkfirewall_firewall",
        "aws_networkfirewall_firewall_policy",
        "aws_networkfirewall_rule_group",
        "aws_vpc",
        "aws_default_vpc",
        "aws_vpc_ipv4_cidr_block_association",
        "aws_vpc_ipv6_cidr_block_association",
        "aws_subnet",
        "aws_default_subnet",
        "aws_security_group",
        "aws_default_security_group",
        "aws_security_group_rule",
        "aws_vpc_security_group_ingress_rule",
        "aws_vpc_security_group_egress_rule",
        "aws_network_acl",
        "aws_default_network_acl",
        "aws_network_acl_rule",
        "aws_network_acl_association",
        "aws_route_table",
        "aws_default_route_table",
        "aws_route",
        "aws_route_table_association",
        "aws_main_route_table_association",
        "aws_vpn_gateway_route_propagation",
        "aws_vpc_endpoint_route_table_association",
        "aws_internet_gateway",
        "aws_internet_gateway_attachment",
        "aws_egress_only_internet_gateway",
        "aws_nat_gateway",
        "aws_vpn_gateway",
        "aws_vpn_gateway_attachment",
        "aws_ec2_transit_gateway",
        "aws_ec2_transit_gateway_vpc_attachment",
        "aws_ec2_transit_gateway_route",
        "aws_ec2_transit_gateway_route_table",
        "aws_vpc_endpoint",
        "aws_vpn_connection",
        "aws_vpn_connection_route",
        "aws_customer_gateway",
        "aws_vpc_peering_connection",
        "aws_vpc_peering_connection_accepter",
        "aws_ec2_managed_prefix_list",
        "aws_ec2_managed_prefix_list_entry",
        "aws_instance",
        "aws_network_interface",
        "aws_network_interface_attachment",
        "aws_network_interface_sg_attachment",
        "aws_eip",
        "aws_eip_association",
        "aws_lb",
        "aws_alb",
        "aws_lb_listener",
        "aws_alb_listener",
        "aws_lb_listener_rule",
        "aws_alb_listener_rule",
        "aws_lb_target_group",
        "aws_alb_target_group",
        "aws_lb_target_group_attachment",
        "aws_alb_target_group_attachment",
        "aws_autoscaling_group",
        "aws_autoscaling_attachment",
        "aws_launch_template",
        "aws_launch_configuration",
        "aws_ecs_service",
        "aws_elb",
        "aws_elb_attachment",
        "aws_db_instance",
        "aws_db_subnet_group",
        "aws_elasticache_cluster",
        "aws_elasticache_replication_group",
        "aws_elasticache_subnet_group",
        "aws_lambda_function",
        "aws_docdb_subnet_group",
        "aws_neptune_subnet_group",
        *_CLUSTERS,
        *(member for _, _, member in _CLUSTERS.values()),
    }
)
# Unmodelled types whose note should say that they may change what is reachable.
_NETWORK_ADJACENT_PREFIXES = (
    "aws_dx_",
    "aws_ec2_transit_gateway",
    "aws_networkfirewall_",
    "aws_ec2_client_vpn",
    "aws_globalaccelerator_",
    "aws_eks_",
    "aws_vpc_",
    "aws_vpn_",
    "aws_ec2_traffic_mirror",
    "aws_networkmanager_",
    "aws_route53_resolver_",
    "aws_lb_",
    "aws_msk_",
    "aws_mq_",
    "aws_redshift_",
    "aws_opensearch_",
    "aws_elasticsearch_",
    "aws_efs_mount_target",
    "aws_apigatewayv2_vpc_link",
)
_NOTE_SAMPLE = 5

# ----- the table: Terraform's aws types as AWS's kinds ------------------------------------------

_RULE: Fields = {
    "protocol": "protocol",
    "from_port": "from_port",
    "to_port": "to_port",
    "cidrs": "cidr_blocks",
    "ipv6_cidrs": "ipv6_cidr_blocks",
    "prefix_lists": "prefix_list_ids",
    "groups": Field("security_groups", by_name=True),
    "self": "self",
    "description": "description",
}
_SEPARATE_RULE: Fields = {
    "group": "security_group_id",
    "from_port": "from_port",
    "to_port": "to_port",
    "description": "description",
}
_ACL_ENTRY: Fields = {
    "rule_number": "rule_no",
    "action": "action",
    "protocol": "protocol",
    "from_port": "from_port",
    "to_port": "to_port",
    "cidr": "cidr_block",
    "ipv6_cidr": "ipv6_cidr_block",
}
_TARGETS: Fields = {
    "gateway": "gateway_id",
    "nat_gateway": "nat_gateway_id",
    "transit_gateway": "transit_gateway_id",
    "peering": "vpc_peering_connection_id",
    "egress_only_gateway": "egress_only_gateway_id",
    "vpc_endpoint": "vpc_endpoint_id",
    "network_interface": "network_interface_id",
    "instance": "instance_id",
    "local_gateway": "local_gateway_id",
    "carrier_gateway": "carrier_gateway_id",
    "core_network": "core_network_arn",
}
_ROUTE: Fields = {
    "destination": "cidr_block",
    "ipv6_destination": "ipv6_cidr_block",
    "destination_prefix_list": "destination_prefix_list_id",
    **_TARGETS,
}
_VPC: Fields = {
    "cidr": "cidr_block",
    "ipv6_cidr": Field("ipv6_cidr_block", computed=True, unless="assign_generated_ipv6_cidr_block"),
    "associated_cidrs": entries("cidr_block_associations", {"cidr": "cidr_block"}),
}
_SUBNET: Fields = {
    "network": "vpc_id",
    "cidr": "cidr_block",
    "ipv6_cidr": Field("ipv6_cidr_block", computed=True),
    "public_ip_on_launch": Field("map_public_ip_on_launch", computed=True),
    "zone": "availability_zone",
}
_GROUP: Fields = {
    "network": Field("vpc_id", computed=True),
    "name": "name",
    "name_prefix": "name_prefix",
    "ingress": entries("ingress", _RULE),
    "egress": entries("egress", _RULE),
}
_ACL: Fields = {
    "network": "vpc_id",
    "subnets": Field("subnet_ids", computed=True),
    "ingress": entries("ingress", _ACL_ENTRY),
    "egress": entries("egress", _ACL_ENTRY),
}
_TABLE: Fields = {
    "network": "vpc_id",
    "routes": entries("route", _ROUTE),
    "propagating_gateways": Field("propagating_vgws", computed=True),
}

TYPES: dict[str, Kind] = {
    # networks and subnets
    "aws_vpc": Kind("vpc", _VPC),
    "aws_default_vpc": Kind("default-vpc", _VPC),
    **{
        f"aws_vpc_{version}_cidr_block_association": Kind(
            "vpc-cidr-block",
            {"network": "vpc_id", "cidr": "cidr_block", "ipv6_cidr": "ipv6_cidr_block"},
        )
        for version in ("ipv4", "ipv6")
    },
    "aws_subnet": Kind("subnet", _SUBNET),
    "aws_default_subnet": Kind(
        "default-subnet", {**_SUBNET, "network": Field("vpc_id", computed=True)}
    ),
    # security groups
    "aws_security_group": Kind("security-group", _GROUP),
    "aws_default_security_group": Kind("default-security-group", _GROUP),
    "aws_security_group_rule": Kind(
        "security-group-rule",
        {
            **_SEPARATE_RULE,
            "direction": "type",
            "protocol": "protocol",
            "cidrs": "cidr_blocks",
            "ipv6_cidrs": "ipv6_cidr_blocks",
            "prefix_lists": Field("prefix_list_ids", computed=True),
            "groups": Field("source_security_group_id", computed=True, by_name=True),
            "self": "self",
        },
    ),
    **{
        f"aws_vpc_security_group_{direction}_rule": Kind(
            "security-group-rule",
            {
                **_SEPARATE_RULE,
                "direction": Field("", fixed=direction),
                "protocol": "ip_protocol",
                "cidrs": "cidr_ipv4",
                "ipv6_cidrs": "cidr_ipv6",
                "prefix_lists": Field("prefix_list_id", computed=True),
                "groups": Field("referenced_security_group_id", computed=True, by_name=True),
            },
        )
        for direction in ("ingress", "egress")
    },
    # network ACLs
    "aws_network_acl": Kind("network-acl", _ACL),
    "aws_default_network_acl": Kind(
        "default-network-acl",
        {
            **_ACL,
            "network": Field("vpc_id", computed=True),
            "default_of": Field("default_network_acl_id", computed=True),
        },
    ),
    "aws_network_acl_rule": Kind(
        "network-acl-entry",
        {
            **_ACL_ENTRY,
            "acl": "network_acl_id",
            "egress": "egress",
            "rule_number": "rule_number",
            "action": "rule_action",
        },
    ),
    "aws_network_acl_association": Kind(
        "network-acl-association", {"subnet": "subnet_id", "acl": "network_acl_id"}
    ),
    # routing
    "aws_route_table": Kind("route-table", _TABLE),
    "aws_default_route_table": Kind(
        "default-route-table",
        {
            **_TABLE,
            "network": Field("vpc_id", computed=True),
            "default_of": Field("default_route_table_id", computed=True),
        },
    ),
    "aws_route": Kind(
        "route",
        {
            **_TARGETS,
            "table": "route_table_id",
            "destination": Field("destination_cidr_block", computed=True),
            "ipv6_destination": Field("destination_ipv6_cidr_block", computed=True),
            "destination_prefix_list": "destination_prefix_list_id",
            # computed from the target: unknown there says nothing about the route
            "network_interface": Field("network_interface_id", computed=True),
            "instance": Field("instance_id", computed=True),
        },
    ),
    "aws_route_table_association": Kind(
        "route-table-association",
        {"subnet": "subnet_id", "gateway": "gateway_id", "table": "route_table_id"},
    ),
    "aws_main_route_table_association": Kind(
        "main-route-table-association", {"table": "route_table_id", "network": "vpc_id"}
    ),
    "aws_vpn_gateway_route_propagation": Kind(
        "vpn-gateway-route-propagation", {"table": "route_table_id", "gateway": "vpn_gateway_id"}
    ),
    "aws_vpc_endpoint_route_table_association": Kind(
        "vpc-endpoint-route-table-association",
        {"endpoint": "vpc_endpoint_id", "table": "route_table_id"},
    ),
    "aws_ec2_managed_prefix_list": Kind(
        "prefix-list", {"entries": entries("entry", {"cidr": "cidr"})}
    ),
    "aws_ec2_managed_prefix_list_entry": Kind(
        "prefix-list-entry", {"prefix_list": "prefix_list_id", "cidr": "cidr"}
    ),
    # gateways and VPN
    "aws_internet_gateway": Kind("internet-gateway", {"network": "vpc_id"}),
    "aws_internet_gateway_attachment": Kind(
        "internet-gateway-attachment", {"gateway": "internet_gateway_id", "network": "vpc_id"}
    ),
    "aws_egress_only_internet_gateway": Kind("egress-only-internet-gateway", {"network": "vpc_id"}),
    "aws_nat_gateway": Kind(
        "nat-gateway", {"subnet": "subnet_id", "connectivity": "connectivity_type"}
    ),
    "aws_vpn_gateway": Kind("vpn-gateway", {"network": "vpc_id"}),
    "aws_vpn_gateway_attachment": Kind(
        "vpn-gateway-attachment", {"gateway": "vpn_gateway_id", "network": "vpc_id"}
    ),
    "aws_ec2_transit_gateway": Kind(
        "transit-gateway", {"default_propagation": "default_route_table_propagation"}
    ),
    "aws_ec2_transit_gateway_vpc_attachment": Kind(
        "transit-gateway-vpc-attachment",
        {"transit_gateway": "transit_gateway_id", "network": "vpc_id", "subnets": "subnet_ids"},
    ),
    "aws_ec2_transit_gateway_route": Kind(
        "transit-gateway-route",
        {
            "table": "transit_gateway_route_table_id",
            "destination": "destination_cidr_block",
            "blackhole": "blackhole",
            "attachment": "transit_gateway_attachment_id",
        },
    ),
    "aws_ec2_transit_gateway_route_table": Kind(
        "transit-gateway-route-table", {"transit_gateway": "transit_gateway_id"}
    ),
    "aws_vpn_connection": Kind(
        "vpn-connection",
        {
            "vpn_gateway": Field("vpn_gateway_id", computed=True),
            "transit_gateway": Field("transit_gateway_id", computed=True),
            "customer_gateway": "customer_gateway_id",
            "local_cidr": Field("local_ipv4_network_cidr", computed=True),
            "local_ipv6_cidr": Field("local_ipv6_network_cidr", computed=True),
            "static_routes_only": "static_routes_only",
        },
    ),
    "aws_vpn_connection_route": Kind(
        "vpn-connection-route",
        {"connection": "vpn_connection_id", "destination": "destination_cidr_block"},
    ),
    "aws_customer_gateway": Kind("customer-gateway"),
    "aws_vpc_peering_connection": Kind(
        "vpc-peering-connection",
        {"network": "vpc_id", "peer_network": "peer_vpc_id", "auto_accept": "auto_accept"},
    ),
    "aws_vpc_peering_connection_accepter": Kind(
        "vpc-peering-connection-accepter",
        {"peering": "vpc_peering_connection_id", "network": Field("vpc_id", computed=True)},
    ),
    # route targets reachlint does not model
    "aws_ec2_local_gateway": Kind("local-gateway", modelled=False),
    "aws_ec2_carrier_gateway": Kind("carrier-gateway", modelled=False),
    "aws_networkmanager_core_network": Kind("core-network", modelled=False),
    # endpoints (read below by the mapper)
    "aws_vpc_endpoint": Kind(
        "vpc-endpoint",
        {
            "network": "vpc_id",
            "endpoint_type": "vpc_endpoint_type",
            "route_tables": Field("route_table_ids", computed=True),
            "service": "service_name",
        },
    ),
    "aws_networkfirewall_firewall": Kind("network-firewall"),
    "aws_network_interface": Kind("network-interface"),
    "aws_instance": Kind("instance"),
}

# One index in an address: [0] or ["key"] (keys may hold escaped quotes).


def build_aws_model(
    resources: list[TfResource], ids: dict[str, str] | None = None, source: str = ""
) -> NetworkModel:
    """The network model of these resources, with AWS's implicit defaults made explicit.

    `ids` maps known AWS ids and ARNs of resources in the input to their addresses.
    """
    index = ResourceIndex(resources)
    model = NetworkModel()
    if source:
        model.inputs.append(source)
    links = Resolver(index, ids or {}, model.note)
    b = Build(TerraformInventory(index, links, TYPES), model)
    mapper = _Mapper(b, index, links)
    networks.add_networks(b)
    networks.add_subnets(b)
    security_groups.add_groups(b)
    network_acls.add_acls(b)
    routing.add_route_tables(b)
    for address in list(model.networks):
        networks.complete_network(b, address)
    b.defaults_done = True
    security_groups.add_rules(b)
    network_acls.add_entries_and_associations(b)
    routing.add_routes_and_associations(b)
    gateways.add_gateways(b)
    mapper.network_firewalls()
    routing.add_prefix_lists(b)
    gateways.add_peerings(b)
    gateways.add_transit(b)
    gateways.add_vpn(b)
    mapper.endpoints()
    mapper.load_balancing()
    mapper.elastic_ips()
    mapper.eni_group_attachments()
    mapper.unmodelled()
    return model


# ----- small value helpers --------------------------------------------------------------------


def _flag(value: Any) -> bool | None:
    """A boolean as Terraform may write it (launch templates keep "true" as a string)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    return None


def _blocks(value: Any) -> list[Any]:
    """Nested blocks; UNKNOWN or absent means none are written here."""
    return value if isinstance(value, list) else []


def _valid_cidr(text: str) -> bool:
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return True


def _valid_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _protocol(value: Any) -> str | None:
    """The protocol as written, lower case; "all" is AWS's -1. None when unknown."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        text = value.strip().lower()
        return "-1" if text in {"all", "-1"} else text
    return None


def _tags(resource: TfResource) -> dict[str, str]:
    for name in ("tags", "tags_all"):
        tags = resource.values.get(name)
        if isinstance(tags, dict) and tags:
            return {str(k): v for k, v in tags.items() if isinstance(v, str)}
    return {}


@dataclass
class _Groups:
    addresses: list[str]
    given: bool
    # Named "default": the VPC's default group, which only the interface's network tells.
    named_default: bool = False


# ----- the mapper -----------------------------------------------------------------------------


class _Mapper:
    """What is not yet read through the provider's protocol, on the build's shared state."""

    def __init__(self, b: Build, index: ResourceIndex, links: Resolver) -> None:
        self.b = b
        self.idx = index
        self.links = links
        self.model = b.model
        self.members: dict[str, dict[str, list[TfResource]]] = {}

    # ----- networks ---------------------------------------------------------------------------

    def default_vpc_network(self, resource: TfResource, reason: str | None = None) -> str:
        if self.b.default_vpc is not None:
            return self.b.default_vpc
        address = "default-vpc"
        if address not in self.model.networks:
            self.add_synthetic_network(
                Network(address=address, type="aws_default_vpc", cidrs=[DEFAULT_VPC_CIDR])
            )
        where = "sits in the account's default VPC, which the input does not declare"
        self.links.note(resource, f"{reason}; {where}" if reason else where)
        return address

    def in_default_vpc(self, resource: TfResource, path: str, unknown: list[str], what: str) -> str:
        """Where something placed in no subnet lands: some default subnet of the default VPC."""
        if path not in unknown:
            unknown.append(path)
        reason = f"no {what}: lands in the default VPC"
        if self.b.default_vpc is not None:
            self.links.note(resource, reason, path)
        return self.fallback_network(resource, path, unknown, reason, absent=True)

    def fallback_network(
        self, resource: TfResource, path: str, unknown: list[str], reason: str, absent: bool
    ) -> str:
        if absent and self.b.default_vpc is not None:
            return self.b.default_vpc
        if path not in unknown:
            unknown.append(path)
        if len(self.b.declared_networks) == 1:
            only = self.b.declared_networks[0]
            self.links.note(resource, f"{reason}; assumed {only}, the only VPC in the input", path)
            return only
        if absent:
            return self.default_vpc_network(resource, reason)
        address = "unknown-vpc"
        if address not in self.model.networks:
            self.add_synthetic_network(_outside_network(address))
        self.links.note(resource, f"{reason}; placed in a VPC outside the input", path)
        return address

    def add_synthetic_network(self, network: Network) -> None:
        self.model.networks[network.address] = network
        if self.b.defaults_done:
            self.complete_network(network.address)

    def complete_network(self, address: str) -> None:
        """Write out the default group, ACL and main table AWS gives every VPC."""
        network = self.model.networks[address]
        if network.default_security_group is None:
            group = f"{address}.default_security_group"
            kind = "aws_default_security_group"

            def rule(direction: Direction, **rest: Any) -> SecurityGroupRule:
                return SecurityGroupRule(
                    address=group, type=kind, origin=network.origin, direction=direction, **rest
                )

            self.model.security_groups[group] = SecurityGroup(
                address=group,
                type=kind,
                origin=network.origin,
                network=address,
                name="default",
                is_default=True,
                rules=[
                    rule("ingress", self_reference=True),
                    rule("egress", cidrs=[ALL_V4, ALL_V6]),
                ],
            )
            network.default_security_group = group
        if network.default_network_acl is None:
            acl = f"{address}.default_network_acl"
            kind = "aws_default_network_acl"
            self.model.network_acls[acl] = NetworkAcl(
                address=acl,
                type=kind,
                origin=network.origin,
                network=address,
                is_default=True,
                entries=[
                    AclEntry(
                        address=acl,
                        type=kind,
                        origin=network.origin,
                        rule_number=number,
                        egress=egress,
                        allow=True,
                        cidr=cidr,
                    )
                    for egress in (False, True)
                    for number, cidr in ((100, ALL_V4), (101, ALL_V6))
                ],
            )
            network.default_network_acl = acl
        if network.main_route_table is None:
            table = f"{address}.main_route_table"
            self.model.route_tables[table] = RouteTable(
                address=table,
                type="aws_default_route_table",
                origin=network.origin,
                network=address,
                is_main=True,
            )
            network.main_route_table = table

    def default_group(self, network: str | None) -> str | None:
        if network is None or network not in self.model.networks:
            return None
        found = self.model.networks[network].default_security_group
        return found if found is not None else f"{network}.default_security_group"

    # ----- security groups --------------------------------------------------------------------

    def group_address(self, address: str) -> str:
        """A group link; a VPC stands for its default group."""
        if address in self.model.networks:
            return self.default_group(address) or address
        return address

    # ----- AWS Network Firewall (see aws_firewall for the order of its engines) ---------------

    def network_firewalls(self) -> None:
        for resource in self.idx.of("aws_networkfirewall_firewall"):
            unknown: list[str] = []
            subnets = []
            for position, _ in enumerate(_blocks(resource.values.get("subnet_mapping"))):
                path = f"subnet_mapping.{position}.subnet_id"
                subnet = self.links.one(resource, path, SUBNET_TYPES, unknown, "subnet")
                if subnet is not None:
                    subnets.append(subnet)
            placed = self.model.subnets.get(subnets[0]) if subnets else None
            network = placed.network if placed is not None else None
            if len(subnets) > 1:
                self.links.note(
                    resource,
                    f"it has endpoints in {len(subnets)} subnets; what leaves it is routed by "
                    f"{subnets[0]}'s route table",
                )
            self.model.gateways[resource.address] = Gateway(
                address=resource.address,
                type=resource.type,
                origin=resource.origin,
                kind="firewall",
                network=network,
                subnet=subnets[0] if subnets else None,
                public=False,
                policy=self.firewall_policy(resource, network),
                unknown=unknown,
            )

    def firewall_policy(self, resource: TfResource, network: str | None) -> FirewallPolicy:
        policy_types = frozenset({"aws_networkfirewall_firewall_policy"})
        address = self.links.one(
            resource, "firewall_policy_arn", policy_types, None, "firewall policy"
        )
        policy = self.idx.by_address.get(address or "")
        if policy is None:
            self.links.note(
                resource, "its firewall policy is not in the input; its rules are unknown"
            )
            rule = FirewallRule(
                address=resource.address, type=resource.type, origin=resource.origin,
                name="(its rules)", kind="every", action="allow",
                undecidable="a firewall policy not in the input",
            )  # fmt: skip
            return FirewallPolicy(
                address=resource.address, type=resource.type, origin=resource.origin, rules=[rule]
            )
        net = self.model.networks.get(network or "")
        variables = aws_firewall.Variables(list(net.cidrs) if net is not None else [])
        settings = _blocks(policy.values.get("firewall_policy"))
        if settings:
            variables.add(settings[0].get("policy_variables"))

        def origin_of(group: str, path: str) -> Origin:
            found = self.idx.by_address.get(group)
            return origin_at(found, path) if found is not None else policy.origin

        builder = aws_firewall.PolicyBuilder(
            FirewallPolicy(address=policy.address, type=policy.type, origin=policy.origin),
            variables,
            origin_of,
        )
        group_types = frozenset({"aws_networkfirewall_rule_group"})
        for kind in ("stateless", "stateful"):
            key = f"{kind}_rule_group_reference"
            blocks = _blocks(settings[0].get(key)) if settings else []
            for position, block in enumerate(blocks):
                path = f"firewall_policy.0.{key}.{position}.resource_arn"
                priority = block.get("priority") if isinstance(block.get("priority"), int) else 0
                group = self.idx.by_address.get(
                    self.links.one(policy, path, group_types, None, "rule group") or ""
                )
                origin = origin_at(policy, f"firewall_policy.0.{key}.{position}")
                if group is None:
                    self.links.note(policy, f"{path}: the rule group is not in the input", path)
                    builder.missing_group(f"{policy.address}.{key}[{position}]", kind == "stateful",
                                          priority, origin)  # fmt: skip
                elif kind == "stateless":
                    builder.stateless_group(group.address, group.type, group.values, priority)
                else:
                    builder.stateful_group(group.address, group.type, group.values, priority)
        if settings and settings[0].get("tls_inspection_configuration_arn"):
            self.links.note(
                policy, "TLS inspection decrypts traffic; what it decides is not modelled"
            )
        return builder.done(policy.values)

    # ----- endpoints --------------------------------------------------------------------------

    def endpoints(self) -> None:
        self.eni_ownership()
        enis = {r.address: self.eni_interface(r) for r in self.idx.of("aws_network_interface")}
        for resource in self.idx.of("aws_instance"):
            self.instance(resource, enis)
        for address, interface in enis.items():
            if address in self.b.eni_owner:
                continue
            resource = self.idx.by_address[address]
            self.add_endpoint(resource, "network-interface", [interface])
        for resource in self.idx.of("aws_lb", "aws_alb"):
            self.load_balancer(resource)
        for resource in self.idx.of("aws_elb"):
            self.classic_load_balancer(resource)
        for resource in self.idx.of("aws_db_instance"):
            self.database(resource)
        for type_name in _CLUSTERS:
            for resource in self.idx.of(type_name):
                self.cluster(resource)
        self.caches()
        for resource in self.idx.of("aws_lambda_function"):
            self.function(resource)
        for resource in self.idx.of("aws_ecs_service"):
            self.service(resource)
        for resource in self.idx.of("aws_autoscaling_group"):
            self.auto_scaling_group(resource)
        for resource in self.idx.of("aws_vpc_endpoint"):
            self.vpc_endpoint(resource)

    def add_endpoint(
        self,
        resource: TfResource,
        kind: EndpointKind,
        interfaces: list[Interface],
        unknown: list[str] | None = None,
        load_balancer: LoadBalancer | None = None,
    ) -> Endpoint:
        endpoint = Endpoint(
            address=resource.address,
            type=resource.type,
            origin=resource.origin,
            kind=kind,
            tags=_tags(resource),
            interfaces=interfaces,
            load_balancer=load_balancer,
            unknown=unknown or [],
            exposure=exposure.pick(
                resource.type,
                flavor=load_balancer.flavor if load_balancer is not None else None,
                endpoint_type=string_value(resource.values.get("vpc_endpoint_type")),
            ),
            service_ports=self.service_ports(resource),
        )
        self.model.endpoints[resource.address] = endpoint
        for interface in interfaces:
            self.b.interfaces[interface.address] = (resource.address, interface)
        return endpoint

    def service_ports(self, resource: TfResource) -> list[PortRange]:
        """A database's or cache's port: as written, else its engine's default."""
        value = resource.values.get("port")
        port = integer(value)
        if port is None:
            if value is UNKNOWN and resource.references.get("port"):
                return []  # set from a value known only after apply: the filters decide
            port = exposure.default_port(resource.type, string_value(resource.values.get("engine")))
        return [PortRange(low=port, high=port)] if port is not None else []

    def groups(self, resource: TfResource, paths: Iterable[str], unknown: list[str]) -> _Groups:
        """Security groups named by these attributes; unresolved ones stay as placeholders.

        A group that is not in the model is one whose rules the engine treats as unknown.
        """
        found: list[str] = []
        given = named_default = False
        for path in paths:
            links = self.links.resolve(
                resource, path, SG_LINK_TYPES, None, "security group", computed=True, by_name=True
            )
            given = given or links.given
            found.extend(self.group_address(a) for a in links.addresses)
            outside = [literal for literal in links.literals if literal != "default"]
            named_default = named_default or len(outside) < len(links.literals)
            found.extend(outside)
            if outside:
                reason = f"names {', '.join(outside)}, which is not in the input"
            elif links.unresolved and not links.literals and not links.addresses:
                found.append(f"{resource.address}.{path}")
                reason = "cannot be resolved"
            else:
                continue
            if path not in unknown:
                unknown.append(path)
            self.links.note(resource, f"{path} {reason}; its security group is unknown", path)
        return _Groups(dedupe(found), given, named_default)

    def interfaces_for(
        self,
        resource: TfResource,
        subnets: list[str],
        unknown: list[str],
        groups: _Groups | None,
        *,
        public: bool | None,
        public_source: str | None,
        private_ips: list[str] | None = None,
        subnet_unknown: str = "subnet_id",
        network: str | None = None,
    ) -> list[Interface]:
        """One interface per subnet; `groups` None means "no security-group filtering".

        `public` None: the subnet's map_public_ip_on_launch decides. `network`: where an
        interface without a known subnet sits, when that is known.
        """
        placements: list[str | None] = list(subnets) or [None]
        interfaces = []
        for subnet_address in placements:
            name = f"{resource.address}.eni"
            if len(placements) > 1:
                name += f"[{subnet_address}]"
            own_unknown = [u for u in unknown if u != subnet_unknown or subnet_address is None]
            subnet = self.model.subnets.get(subnet_address or "")
            placed = subnet.network if subnet is not None else self.placement_network(network)
            is_public, source = bool(public), public_source if public else None
            if public is None:
                if subnet is None or "map_public_ip_on_launch" in subnet.unknown:
                    own_unknown.append("public")
                elif subnet.map_public_ip:
                    is_public, source = True, subnet.address
            interfaces.append(
                Interface(
                    address=name,
                    subnet=subnet_address,
                    network=placed,
                    private_ips=list(private_ips or []) if len(placements) == 1 else [],
                    public=is_public,
                    public_source=source,
                    security_groups=self.with_default(groups, placed, own_unknown),
                    unknown=dedupe(own_unknown),
                )
            )
        return interfaces

    def with_default(
        self, groups: _Groups | None, network: str | None, unknown: list[str]
    ) -> list[str]:
        if groups is None:
            return []
        if groups.given and not groups.named_default:
            return list(groups.addresses)
        default = self.default_group(network)
        if default is None:
            # The default group of a VPC that is not known: a group the engine cannot see.
            default = "default"
            unknown.append("security_groups")
        return dedupe([*groups.addresses, default])

    def placement_network(self, known: str | None) -> str | None:
        """Where an interface without a known subnet sits, if that is clear at all."""
        if known is not None:
            return known
        if len(self.b.declared_networks) == 1:
            return self.b.declared_networks[0]
        return None

    def subnets_of(
        self, resource: TfResource, paths: Iterable[str], unknown: list[str], *, computed: bool
    ) -> list[str]:
        found: list[str] = []
        for path in paths:
            links = self.links.resolve(
                resource, path, SUBNET_TYPES, unknown, "subnet", computed=computed
            )
            found.extend(a for a in links.addresses if a in self.model.subnets)
        return dedupe(found)

    @staticmethod
    def ips(*values: Any) -> list[str]:
        found: list[str] = []
        for value in values:
            found.extend(text for text in strings(value) if _valid_ip(text))
        return dedupe(found)

    # ----- instances and network interfaces -----------------------------------------------------

    def eni_ownership(self) -> None:
        self.find_eni_owners()
        for eni, (owner, device) in self.b.eni_owner.items():
            self.b.owned_enis[owner].append((device, eni))

    def find_eni_owners(self) -> None:
        for instance in self.idx.of("aws_instance"):
            for position, block in enumerate(_blocks(instance.values.get("network_interface"))):
                path = f"network_interface.{position}.network_interface_id"
                device = integer(block.get("device_index")) if isinstance(block, dict) else None
                for address in self.links.resolve(instance, path, ENI_TYPES, single=True).addresses:
                    self.b.eni_owner[address] = (instance.address, device or 0)
        for interface in self.idx.of("aws_network_interface"):
            for position, block in enumerate(_blocks(interface.values.get("attachment"))):
                path = f"attachment.{position}.instance"
                owner = self.links.one(interface, path, INSTANCE_TYPES, None, "instance")
                if owner is not None and isinstance(block, dict):
                    device = integer(block.get("device_index")) or 0
                    self.b.eni_owner.setdefault(interface.address, (owner, device))
        for attachment in self.idx.of("aws_network_interface_attachment"):
            unknown: list[str] = []
            attached_to = self.links.one(
                attachment, "instance_id", INSTANCE_TYPES, unknown, "instance"
            )
            eni = self.links.one(
                attachment, "network_interface_id", ENI_TYPES, unknown, "interface"
            )
            if attached_to is not None and eni is not None:
                device = integer(attachment.values.get("device_index")) or 1
                self.b.eni_owner.setdefault(eni, (attached_to, device))

    def subnet_choice(
        self, resource: TfResource, path: str, unknown: list[str], *, computed: bool = False
    ) -> tuple[str | None, str | None]:
        """The subnet an interface sits in; if it may be any of several, their common VPC."""
        links = self.links.resolve(
            resource, path, SUBNET_TYPES, unknown, "subnet", computed=computed, single=True
        )
        subnets = [a for a in links.addresses if a in self.model.subnets]
        if len(subnets) == 1:
            return subnets[0], None
        if len(subnets) > 1:
            if path not in unknown:
                unknown.append(path)
            choices = ", ".join(subnets[:_NOTE_SAMPLE])
            self.links.note(
                resource, f"{path} may be any of {choices}; its subnet is unknown", path
            )
            networks = {self.model.subnets[a].network for a in subnets}
            return None, networks.pop() if len(networks) == 1 else None
        if not links.given and computed:
            network = self.fallback_network(resource, path, unknown, f"no {path}", absent=True)
            return None, network
        return None, None

    def eni_interface(self, resource: TfResource) -> Interface:
        unknown: list[str] = []
        subnet, network = self.subnet_choice(resource, "subnet_id", unknown)
        groups = self.groups(resource, ["security_groups"], unknown)
        values = resource.values
        private_ips = self.ips(values.get("private_ip"), values.get("private_ips"))
        private_ips = dedupe([*private_ips, *self.ips(values.get("private_ip_list"))])
        return self.interfaces_for(
            resource,
            [subnet] if subnet else [],
            unknown,
            groups,
            public=False,  # only an Elastic IP makes a separate interface public
            public_source=None,
            private_ips=private_ips,
            network=network,
        )[0].model_copy(update={"address": resource.address})

    def instance(self, resource: TfResource, enis: dict[str, Interface]) -> None:
        values = resource.values
        unknown: list[str] = []
        owned = sorted(p for p in self.b.owned_enis.get(resource.address, []) if p[1] in enis)
        interfaces: list[Interface] = []
        launched_with_enis = any(device == 0 for device, _ in owned)
        if not launched_with_enis and _blocks(values.get("network_interface")):
            unknown.append("network_interface")
            self.links.note(resource, "its primary network_interface cannot be resolved")
        elif not launched_with_enis:
            template = self.launch_template(resource, "launch_template.0", unknown)
            written = resource.references.get("subnet_id") or string_value(values.get("subnet_id"))
            if not written and template is not None:
                subnet, network = self.subnet_choice(
                    template, "network_interfaces.0.subnet_id", unknown, computed=True
                )
            else:
                subnet, network = self.subnet_choice(resource, "subnet_id", unknown, computed=True)
            groups = self.groups(resource, ["vpc_security_group_ids", "security_groups"], unknown)
            if not groups.given and template is not None:
                groups = self.template_groups(template, unknown)
            public = _flag(values.get("associate_public_ip_address"))
            if public is None and resource.references.get("associate_public_ip_address"):
                unknown.append("associate_public_ip_address")
            if public is None and template is not None:
                public = _flag(
                    value_at(template.values, "network_interfaces.0.associate_public_ip_address")
                )
            interfaces = self.interfaces_for(
                resource,
                [subnet] if subnet else [],
                unknown,
                groups,
                public=public,
                public_source=resource.address,
                private_ips=self.ips(values.get("private_ip"), values.get("secondary_private_ips")),
                network=network,
            )
        interfaces.extend(enis[eni] for _, eni in owned)
        for _, eni in owned:
            self.b.owner[eni] = resource.address
        if not interfaces:
            unknown.append("network_interface")
            interfaces = self.interfaces_for(
                resource, [], unknown, _Groups([], False), public=False, public_source=None
            )
        self.add_endpoint(resource, "instance", interfaces, unknown)

    def launch_template(
        self, resource: TfResource, prefix: str, unknown: list[str]
    ) -> TfResource | None:
        types = frozenset({"aws_launch_template"})
        for name in ("id", "name", "launch_template_id", "launch_template_name"):
            path = f"{prefix}.{name}"
            if value_at(resource.values, path) is None and path not in resource.references:
                continue
            address = self.links.one(
                resource, path, types, unknown, "launch template", by_name=True
            )
            if address is not None:
                return self.idx.by_address.get(address)
        return None

    def template_groups(self, template: TfResource, unknown: list[str]) -> _Groups:
        if template.type == "aws_launch_configuration":
            return self.groups(template, ["security_groups"], unknown)
        paths = ["vpc_security_group_ids", "security_group_names"]
        first = self.groups(template, paths, unknown)
        if first.given:
            return first
        return self.groups(template, ["network_interfaces.0.security_groups"], unknown)

    # ----- load balancers ---------------------------------------------------------------------

    def load_balancer(self, resource: TfResource) -> None:
        values = resource.values
        unknown: list[str] = []
        flavor = values.get("load_balancer_type")
        if flavor not in ("application", "network", "gateway"):
            flavor = "application"
        internal = values.get("internal") is True
        if values.get("internal") is UNKNOWN and resource.references.get("internal"):
            unknown.append("internal")
        mappings = [b for b in _blocks(values.get("subnet_mapping")) if isinstance(b, dict)]
        subnets: list[str] = []
        private_ips: dict[str, list[str]] = {}
        eips: dict[str, str] = {}
        for position, block in enumerate(mappings):
            subnet = self.links.one(
                resource, f"subnet_mapping.{position}.subnet_id", SUBNET_TYPES, unknown, "subnet"
            )
            if subnet is None:
                continue
            subnets.append(subnet)
            private_ips[subnet] = self.ips(block.get("private_ipv4_address"))
            eip = self.links.one(
                resource, f"subnet_mapping.{position}.allocation_id", EIP_TYPES, None, "EIP"
            )
            if eip is not None:
                eips[subnet] = eip
        if not mappings:
            subnets = self.subnets_of(resource, ["subnets"], unknown, computed=True)
        groups: _Groups | None = self.groups(resource, ["security_groups"], unknown)
        if flavor != "application" and groups is not None and not groups.given:
            groups = None  # network and gateway load balancers without groups filter nothing
        interfaces = self.interfaces_for(
            resource,
            subnets,
            unknown,
            groups,
            public=not internal,
            public_source=resource.address,
        )
        for interface in interfaces:
            interface.private_ips = private_ips.get(interface.subnet or "", [])
        spec = LoadBalancer(
            scheme="internal" if internal else "internet-facing",
            flavor=flavor,
            preserves_client_address=flavor == "network",
        )
        self.add_endpoint(resource, "load-balancer", interfaces, unknown, spec)
        for subnet, eip in eips.items():
            self.model.elastic_ips[eip] = ElasticIp(
                address=eip,
                type="aws_eip",
                origin=self.idx.by_address[eip].origin,
                endpoint=resource.address,
                interface=next((i.address for i in interfaces if i.subnet == subnet), None),
            )

    def classic_load_balancer(self, resource: TfResource) -> None:
        values = resource.values
        unknown: list[str] = []
        internal = values.get("internal") is True
        subnets = self.subnets_of(resource, ["subnets"], unknown, computed=True)
        network = None
        if not subnets and "subnets" not in unknown:
            network = self.in_default_vpc(resource, "subnets", unknown, "subnets")
        groups = self.groups(resource, ["security_groups"], unknown)
        interfaces = self.interfaces_for(
            resource,
            subnets,
            unknown,
            groups,
            public=not internal,
            public_source=resource.address,
            subnet_unknown="subnets",
            network=network,
        )
        listeners = []
        for position, block in enumerate(_blocks(values.get("listener"))):
            if not isinstance(block, dict):
                continue
            port, target_port = integer(block.get("lb_port")), integer(block.get("instance_port"))
            if port is None:
                self.links.note(resource, f"listener.{position}.lb_port unknown; listener skipped")
                continue
            listeners.append(
                Listener(
                    address=resource.address,
                    type=resource.type,
                    origin=origin_at(resource, f"listener.{position}"),
                    protocol=string_value(block.get("lb_protocol")) or "tcp",
                    port=port,
                    target_port=target_port if target_port is not None else port,
                )
            )
        instances = self.links.resolve(
            resource, "instances", INSTANCE_TYPES, unknown, "instance", computed=True
        )
        origin = origin_at(resource, "instances")
        spec = LoadBalancer(
            scheme="internal" if internal else "internet-facing",
            flavor="classic",
            listeners=listeners,
            instances=[Target(endpoint=a, origin=origin) for a in instances.addresses],
        )
        self.add_endpoint(resource, "load-balancer", interfaces, unknown, spec)

    def load_balancing(self) -> None:
        for resource in self.idx.of("aws_lb_target_group", "aws_alb_target_group"):
            values = resource.values
            protocol = string_value(values.get("protocol")) or "tcp"
            self.model.target_groups[resource.address] = TargetGroup(
                address=resource.address,
                type=resource.type,
                origin=resource.origin,
                protocol="UDP" if protocol.upper() == "GENEVE" else protocol,
                port=integer(values.get("port")),
            )
        for resource in self.idx.of("aws_lb_listener", "aws_alb_listener"):
            self.listener(resource)
        for resource in self.idx.of("aws_lb_listener_rule", "aws_alb_listener_rule"):
            unknown: list[str] = []
            listener = self.links.one(resource, "listener_arn", LISTENER_TYPES, unknown, "listener")
            groups = self.action_target_groups(resource, "action")
            for item in self.b.listeners.get(listener or "", []):
                item.target_groups = dedupe([*item.target_groups, *groups])
        for resource in self.idx.of(
            "aws_lb_target_group_attachment", "aws_alb_target_group_attachment"
        ):
            self.target_attachment(resource)
        for resource in self.idx.of("aws_autoscaling_group"):
            links = self.links.resolve(
                resource, "target_group_arns", TG_TYPES, [], "target group", computed=True
            )
            origin = origin_at(resource, "target_group_arns")
            for target_group in links.addresses:
                self.add_target(target_group, Target(endpoint=resource.address, origin=origin))
            balancers = self.links.resolve(
                resource,
                "load_balancers",
                ELB_TYPES,
                [],
                "load balancer",
                computed=True,
                by_name=True,
            )
            for balancer in balancers.addresses:
                self.add_instance(balancer, Target(endpoint=resource.address, origin=origin))
        for resource in self.idx.of("aws_autoscaling_attachment"):
            unknown = []
            scaling_group = self.links.one(
                resource,
                "autoscaling_group_name",
                ASG_TYPES,
                unknown,
                "auto scaling group",
                by_name=True,
            )
            if scaling_group is None:
                continue
            target = Target(endpoint=scaling_group, origin=resource.origin, via=resource.address)
            for path in ("lb_target_group_arn", "alb_target_group_arn"):
                for address in self.links.resolve(
                    resource, path, TG_TYPES, unknown, "group"
                ).addresses:
                    self.add_target(address, target)
            classic = self.links.one(
                resource, "elb", ELB_TYPES, unknown, "load balancer", by_name=True
            )
            if classic is not None:
                self.add_instance(classic, target)
        for resource in self.idx.of("aws_ecs_service"):
            for position, block in enumerate(_blocks(resource.values.get("load_balancer"))):
                if not isinstance(block, dict):
                    continue
                prefix = f"load_balancer.{position}"
                target = Target(
                    endpoint=resource.address,
                    port=integer(block.get("container_port")),
                    origin=origin_at(resource, prefix),
                )
                forward = self.links.one(
                    resource, f"{prefix}.target_group_arn", TG_TYPES, [], "group"
                )
                if forward is not None:
                    self.add_target(forward, target)
                classic = self.links.one(
                    resource, f"{prefix}.elb_name", ELB_TYPES, [], "load balancer", by_name=True
                )
                if classic is not None:
                    self.add_instance(classic, target)
        for resource in self.idx.of("aws_elb_attachment"):
            unknown = []
            classic = self.links.one(
                resource, "elb", ELB_TYPES, unknown, "load balancer", by_name=True
            )
            instance = self.links.one(resource, "instance", INSTANCE_TYPES, unknown, "instance")
            if classic is not None and instance is not None:
                self.add_instance(
                    classic,
                    Target(endpoint=instance, origin=resource.origin, via=resource.address),
                )

    def listener(self, resource: TfResource) -> None:
        values = resource.values
        unknown: list[str] = []
        balancer_address = self.links.one(
            resource, "load_balancer_arn", LB_TYPES, unknown, "load balancer"
        )
        balancer = self.model.endpoints.get(balancer_address or "")
        if balancer is None or balancer.load_balancer is None:
            if not unknown:
                self.links.note(resource, "its load balancer is not in the input; not modelled")
            return
        spec = balancer.load_balancer
        protocol = string_value(values.get("protocol"))
        if protocol is None:
            protocol = {"application": "HTTP", "gateway": "GENEVE"}.get(spec.flavor, "TCP")
        port = integer(values.get("port"))
        if port is None and protocol.upper() == "GENEVE":
            port = 6081
        if port is None:
            self.links.note(resource, "port is not known; listener not modelled", "port")
            return
        listener = Listener(
            address=resource.address,
            type=resource.type,
            origin=resource.origin,
            protocol="UDP" if protocol.upper() == "GENEVE" else protocol,
            port=port,
            target_groups=self.action_target_groups(resource, "default_action"),
            unknown=unknown,
        )
        spec.listeners.append(listener)
        self.b.listeners.setdefault(resource.address, []).append(listener)

    def action_target_groups(self, resource: TfResource, block: str) -> list[str]:
        """Target groups a listener's or rule's forward actions name, however nested."""
        found: list[str] = []
        for path, references in resource.references.items():
            if path == block or path.startswith(block + "."):
                for reference in references:
                    found.extend(self.idx.matches(reference, TG_TYPES, None))

        def literals(value: Any) -> Iterator[str]:
            if isinstance(value, dict):
                for key, item in value.items():
                    if key in ("target_group_arn", "arn") and isinstance(item, str):
                        yield item
                    else:
                        yield from literals(item)
            elif isinstance(value, list):
                for item in value:
                    yield from literals(item)

        for literal in literals(resource.values.get(block)):
            address = self.links.lookup(literal, TG_TYPES)
            if address is not None:
                found.append(address)
            elif literal:
                self.links.note(
                    resource, f"forwards to {literal}, which is not in the input", block
                )
        return dedupe(found)

    def target_attachment(self, resource: TfResource) -> None:
        unknown: list[str] = []
        group = self.links.one(resource, "target_group_arn", TG_TYPES, unknown, "target group")
        if group is None:
            return
        links = self.links.resolve(resource, "target_id", None, single=True)
        endpoint = next((e for e in map(self.endpoint_of, links.addresses) if e is not None), None)
        if endpoint is None:
            for literal in links.literals:
                endpoint = self.endpoint_with_ip(literal)
        if endpoint is None:
            target = ", ".join(links.addresses + links.literals) or "an unknown target"
            self.links.note(
                resource, f"target_id: {target} is not an endpoint in the input", "target_id"
            )
            return
        self.add_target(
            group,
            Target(
                endpoint=endpoint,
                port=integer(resource.values.get("port")),
                origin=resource.origin,
                via=resource.address,
            ),
        )

    def endpoint_of(self, address: str) -> str | None:
        if address in self.model.endpoints:
            return address
        return self.b.owner.get(address)

    def endpoint_with_ip(self, ip: str) -> str | None:
        if self.b.ip_index is None:
            self.b.ip_index = {}
            for endpoint, interface in self.b.interfaces.values():
                for known in interface.private_ips:
                    self.b.ip_index.setdefault(known, endpoint)
        return self.b.ip_index.get(ip)

    def add_target(self, group_address: str, target: Target) -> None:
        group = self.model.target_groups.get(group_address)
        key = (group_address, target.endpoint, target.port, target.via)
        if group is not None and key not in self.b.targets_seen:
            self.b.targets_seen.add(key)
            group.targets.append(target)

    def add_instance(self, balancer_address: str, target: Target) -> None:
        balancer = self.model.endpoints.get(balancer_address)
        if balancer is not None and balancer.load_balancer is not None:
            balancer.load_balancer.instances.append(target)

    # ----- databases, caches, functions, services, groups, VPC endpoints -----------------------

    def subnet_group(
        self,
        resource: TfResource,
        path: str,
        types: frozenset[str],
        unknown: list[str],
    ) -> list[str] | None:
        """Subnets of the subnet group a database or cache names; None when it names none."""
        links = self.links.resolve(
            resource,
            path,
            types,
            unknown,
            "subnet group",
            computed=True,
            by_name=True,
            single=True,
        )
        if not links.given:
            return None
        if len(links.addresses) != 1:
            return []
        group = self.idx.by_address.get(links.addresses[0])
        if group is None:
            return []
        return self.subnets_of(group, ["subnet_ids"], unknown, computed=False)

    def database(self, resource: TfResource) -> None:
        values = resource.values
        unknown: list[str] = []
        subnet_types = frozenset({"aws_db_subnet_group"})
        subnets = self.subnet_group(resource, "db_subnet_group_name", subnet_types, unknown)
        if subnets is None:
            source = self.links.one(
                resource, "replicate_source_db", frozenset({"aws_db_instance"}), None, "database"
            )
            source_resource = self.idx.by_address.get(source or "")
            if source_resource is not None:
                subnets = self.subnet_group(
                    source_resource, "db_subnet_group_name", subnet_types, unknown
                )
        network = None
        if subnets is None:
            network = self.in_default_vpc(resource, "db_subnet_group_name", unknown, "subnet group")
            subnets = []
        groups = self.groups(resource, ["vpc_security_group_ids"], unknown)
        public = values.get("publicly_accessible") is True
        interfaces = self.interfaces_for(
            resource,
            subnets,
            unknown,
            groups,
            public=public,
            public_source=resource.address,
            subnet_unknown="db_subnet_group_name",
            network=network,
        )
        self.add_endpoint(resource, "database", interfaces, unknown)

    def cluster(self, resource: TfResource) -> None:
        path, subnet_types, member_type = _CLUSTERS[resource.type]
        unknown: list[str] = []
        subnets = self.subnet_group(resource, path, subnet_types, unknown)
        network = None
        if subnets is None:
            network = self.in_default_vpc(resource, path, unknown, "subnet group")
            subnets = []
        groups = self.groups(resource, ["vpc_security_group_ids"], unknown)
        public_source: str | None = None
        for member in self.cluster_members(member_type, resource.type).get(resource.address, []):
            self.b.owner[member.address] = resource.address
            if member.values.get("publicly_accessible") is True and public_source is None:
                public_source = member.address
        interfaces = self.interfaces_for(
            resource,
            subnets,
            unknown,
            groups,
            public=public_source is not None,
            public_source=public_source,
            subnet_unknown=path,
            network=network,
        )
        self.add_endpoint(resource, "database", interfaces, unknown)

    def cluster_members(self, member_type: str, cluster_type: str) -> dict[str, list[TfResource]]:
        members = self.members.get(member_type)
        if members is None:
            members = defaultdict(list)
            for member in self.idx.of(member_type):
                links = self.links.resolve(
                    member,
                    "cluster_identifier",
                    frozenset({cluster_type}),
                    single=True,
                    by_name=True,
                )
                for cluster in links.addresses[:1]:
                    members[cluster].append(member)
            self.members[member_type] = members
        return members

    def caches(self) -> None:
        subnet_types = frozenset({"aws_elasticache_subnet_group"})
        replication_types = frozenset({"aws_elasticache_replication_group"})
        for resource in self.idx.of("aws_elasticache_cluster", "aws_elasticache_replication_group"):
            if resource.type == "aws_elasticache_cluster":
                group = self.links.one(
                    resource,
                    "replication_group_id",
                    replication_types,
                    None,
                    "group",
                    by_name=True,
                    computed=True,
                )
                if group is not None:
                    self.b.owner[resource.address] = group  # a member of its replication group
                    continue
            unknown: list[str] = []
            subnets = self.subnet_group(resource, "subnet_group_name", subnet_types, unknown)
            network = None
            if subnets is None:
                network = self.in_default_vpc(
                    resource, "subnet_group_name", unknown, "subnet group"
                )
                subnets = []
            groups = self.groups(resource, ["security_group_ids"], unknown)
            interfaces = self.interfaces_for(
                resource,
                subnets,
                unknown,
                groups,
                public=False,
                public_source=None,
                subnet_unknown="subnet_group_name",
                network=network,
            )
            self.add_endpoint(resource, "cache", interfaces, unknown)

    def function(self, resource: TfResource) -> None:
        if not [b for b in _blocks(resource.values.get("vpc_config")) if isinstance(b, dict)]:
            return  # outside any VPC: not a network endpoint
        unknown: list[str] = []
        subnets = self.subnets_of(resource, ["vpc_config.0.subnet_ids"], unknown, computed=False)
        groups = self.groups(resource, ["vpc_config.0.security_group_ids"], unknown)
        interfaces = self.interfaces_for(
            resource,
            subnets,
            unknown,
            groups,
            public=False,
            public_source=None,
            subnet_unknown="vpc_config.0.subnet_ids",
        )
        self.add_endpoint(resource, "function", interfaces, unknown)

    def service(self, resource: TfResource) -> None:
        unknown: list[str] = []
        blocks = [
            b for b in _blocks(resource.values.get("network_configuration")) if isinstance(b, dict)
        ]
        if not blocks:
            unknown.append("network_configuration")
            self.links.note(
                resource, "runs on its cluster's instances (no awsvpc network); no interfaces"
            )
            self.add_endpoint(resource, "service", [], unknown)
            return
        prefix = "network_configuration.0"
        subnets = self.subnets_of(resource, [f"{prefix}.subnets"], unknown, computed=False)
        groups = self.groups(resource, [f"{prefix}.security_groups"], unknown)
        public = blocks[0].get("assign_public_ip") is True
        interfaces = self.interfaces_for(
            resource,
            subnets,
            unknown,
            groups,
            public=public,
            public_source=resource.address,
            subnet_unknown=f"{prefix}.subnets",
        )
        self.add_endpoint(resource, "service", interfaces, unknown)

    def auto_scaling_group(self, resource: TfResource) -> None:
        unknown: list[str] = []
        subnets = self.subnets_of(resource, ["vpc_zone_identifier"], unknown, computed=True)
        network = None
        if not subnets and "vpc_zone_identifier" not in unknown:
            network = self.in_default_vpc(
                resource, "vpc_zone_identifier", unknown, "vpc_zone_identifier"
            )
        template = self.launch_template(resource, "launch_template.0", unknown)
        if template is None:
            template = self.launch_template(
                resource,
                "mixed_instances_policy.0.launch_template.0.launch_template_specification.0",
                unknown,
            )
        public: bool | None = None
        if template is not None:
            public = _flag(
                value_at(template.values, "network_interfaces.0.associate_public_ip_address")
            )
        else:
            address = self.links.one(
                resource,
                "launch_configuration",
                frozenset({"aws_launch_configuration"}),
                unknown,
                "launch configuration",
                by_name=True,
            )
            template = self.idx.by_address.get(address or "")
            if template is not None:
                public = _flag(template.values.get("associate_public_ip_address"))
        if template is None:
            unknown.append("launch_template")
            groups = _Groups([f"{resource.address}.launch_template"], True)
            self.links.note(resource, "its launch template is not in the input; groups unknown")
        else:
            groups = self.template_groups(template, unknown)
        source = template.address if template is not None and public else None
        interfaces = self.interfaces_for(
            resource,
            subnets,
            unknown,
            groups,
            public=public,
            public_source=source,
            subnet_unknown="vpc_zone_identifier",
            network=network,
        )
        self.add_endpoint(resource, "auto-scaling-group", interfaces, unknown)

    def vpc_endpoint(self, resource: TfResource) -> None:
        endpoint_type = resource.values.get("vpc_endpoint_type")
        if endpoint_type not in ("Interface", "GatewayLoadBalancer"):
            return  # gateway endpoints are hops
        unknown: list[str] = []
        subnets = self.subnets_of(resource, ["subnet_ids"], unknown, computed=True)
        groups: _Groups | None = self.groups(resource, ["security_group_ids"], unknown)
        if endpoint_type == "GatewayLoadBalancer":
            groups = None  # it has no security groups
        interfaces = self.interfaces_for(
            resource,
            subnets,
            unknown,
            groups,
            public=False,
            public_source=None,
            subnet_unknown="subnet_ids",
        )
        self.add_endpoint(resource, "vpc-endpoint", interfaces, unknown)

    # ----- Elastic IPs and group attachments ----------------------------------------------------

    def elastic_ips(self) -> None:
        nat_eips = set()
        for nat in self.idx.of("aws_nat_gateway"):
            nat_eips.update(self.links.resolve(nat, "allocation_id", EIP_TYPES).addresses)
        for resource in self.idx.of("aws_eip"):
            if resource.address in self.model.elastic_ips:
                continue  # a load balancer's subnet mapping already holds it
            unknown: list[str] = []
            endpoint, interface = self.interface_named(
                resource, "network_interface", "instance", unknown
            )
            self.model.elastic_ips[resource.address] = ElasticIp(
                address=resource.address,
                type=resource.type,
                origin=resource.origin,
                endpoint=endpoint,
                interface=interface.address if interface else None,
                unknown=unknown,
            )
            if interface is not None:
                interface.public, interface.public_source = True, resource.address
            elif resource.address not in nat_eips and not unknown:
                self.links.note(resource, "an Elastic IP not associated with anything in the input")
        for resource in self.idx.of("aws_eip_association"):
            unknown = []
            endpoint, interface = self.interface_named(
                resource, "network_interface_id", "instance_id", unknown
            )
            eip = self.links.one(resource, "allocation_id", EIP_TYPES, unknown, "Elastic IP")
            if interface is None:
                continue
            source = eip or resource.address
            interface.public, interface.public_source = True, source
            if eip is not None and eip in self.model.elastic_ips:
                self.model.elastic_ips[eip].endpoint = endpoint
                self.model.elastic_ips[eip].interface = interface.address

    def interface_named(
        self, resource: TfResource, eni_path: str, instance_path: str | None, unknown: list[str]
    ) -> tuple[str | None, Interface | None]:
        """The interface an EIP or attachment points at: an ENI, or an instance's primary."""
        eni = self.links.one(
            resource, eni_path, ENI_TYPES | INSTANCE_TYPES, unknown, "interface", computed=True
        )
        if eni is not None:
            if eni in self.b.interfaces:
                return self.b.interfaces[eni]
            if eni in self.model.endpoints:
                return self.primary(eni)
        if instance_path is None:
            return None, None
        instance = self.links.one(
            resource, instance_path, INSTANCE_TYPES, unknown, "instance", computed=True
        )
        if instance is not None:
            return self.primary(instance)
        return None, None

    def primary(self, endpoint_address: str) -> tuple[str | None, Interface | None]:
        endpoint = self.model.endpoints.get(endpoint_address)
        if endpoint is None or not endpoint.interfaces:
            return None, None
        return endpoint_address, endpoint.interfaces[0]

    def eni_group_attachments(self) -> None:
        for resource in self.idx.of("aws_network_interface_sg_attachment"):
            unknown: list[str] = []
            group = self.links.one(resource, "security_group_id", SG_LINK_TYPES, unknown, "group")
            _, interface = self.interface_named(resource, "network_interface_id", None, unknown)
            if group is None or interface is None:
                continue
            address = self.group_address(group)
            if address not in interface.security_groups:
                interface.security_groups.append(address)

    # ----- what is left -------------------------------------------------------------------------

    def unmodelled(self) -> None:
        for type_name in sorted(self.idx.managed):
            if type_name in HANDLED_TYPES or not type_name.startswith("aws_"):
                continue
            resources = self.idx.managed[type_name]
            sample = ", ".join(r.address for r in resources[:_NOTE_SAMPLE])
            more = (
                f" and {len(resources) - _NOTE_SAMPLE} more"
                if len(resources) > _NOTE_SAMPLE
                else ""
            )
            if type_name.startswith("aws_dx_"):
                why = "Direct Connect is not modelled yet"
            elif type_name.startswith(_NETWORK_ADJACENT_PREFIXES):
                why = "may affect reachability but is not modelled"
            else:
                why = "not modelled"
            self.model.note(
                f"{len(resources)} {type_name} resource(s) {why}: {sample}{more}",
                origin=resources[0].origin,
            )
