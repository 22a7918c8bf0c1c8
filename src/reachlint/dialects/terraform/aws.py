"""Terraform's aws provider as AWS's vocabulary: a table of resource types and attributes.

Each Terraform type is one of AWS's kinds (`providers.aws.source.KINDS`), each provider field one
attribute path (`inventory.Field`, which also says what Terraform computes when it is not
written). What the resources mean is AWS's, read once in `providers.aws`; this module knows
only how Terraform's aws provider spells it. Adding a resource type: one entry here, and if its
kind is new, a handler in `providers.aws`. Types not in the table get a note.

One piece: it is a catalogue, one entry per Terraform type, read top to bottom by domain; it
holds no logic beyond the note on the types it does not map.
"""

from __future__ import annotations

from typing import Any

from msgspec.structs import replace

from reachlint.dialects.terraform.inventory import Field, Fields, Kind, TerraformInventory, entries
from reachlint.dialects.terraform.links import (
    Resolver,
    ResourceIndex,
    note_unmodelled,
    one_per_object,
    value_at,
)
from reachlint.formats.terraform.records import UNKNOWN, TfResource
from reachlint.model.network import NetworkModel
from reachlint.providers.aws.build import build

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
    "icmp_type": "icmp_type",
    "icmp_code": "icmp_code",
    "cidr": "cidr_block",
    "ipv6_cidr": "ipv6_cidr_block",
}
_DEFAULT_TAGS = "default_tags.0.tags"
_TAGS: Fields = {
    "tags": "tags",
    "all_tags": "tags_all",
    "default_tags": Field(_DEFAULT_TAGS, of_provider=True),
}


def _tag_blocks(blocks: Any) -> Any:
    """An Auto Scaling group's `tag` blocks (key, value, propagate_at_launch) as a tag map,
    propagated to its instances or not: the group stands for them in the model. A key not
    known makes every tag possible, as tags not known at all."""
    if not isinstance(blocks, list):
        return UNKNOWN if blocks is UNKNOWN else None
    tags: dict[str, Any] = {}
    for block in blocks:
        key = block.get("key") if isinstance(block, dict) else UNKNOWN
        if key is UNKNOWN:
            return UNKNOWN
        if isinstance(key, str):
            tags[key] = block.get("value")
    return tags


def _instance_tag_specifications(blocks: Any) -> Any:
    """A launch template's `tag_specifications` for resource type "instance" as one tag map:
    the tags its instances start with. A resource type or tags not known may tag them with
    anything."""
    if not isinstance(blocks, list):
        return UNKNOWN if blocks is UNKNOWN else None
    tags: dict[str, Any] = {}
    for block in blocks:
        kind = block.get("resource_type") if isinstance(block, dict) else UNKNOWN
        if kind is UNKNOWN:
            return UNKNOWN
        if kind != "instance":
            continue
        written = block.get("tags")
        if written is UNKNOWN:
            return UNKNOWN
        if isinstance(written, dict):
            tags.update(written)
    return tags


def _groups(path: str) -> Field:
    """Security groups, by id or by name; unwritten, the provider chooses."""
    return Field(path, computed=True, by_name=True)


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
    "default": "default",  # a data source reading the account's default VPC
    "ipv6_cidr": Field("ipv6_cidr_block", computed=True, unless="assign_generated_ipv6_cidr_block"),
    "associated_cidrs": entries("cidr_block_associations", {"cidr": "cidr_block"}),
}
_SUBNET: Fields = {
    "network": "vpc_id",
    "cidr": "cidr_block",
    "ipv6_cidr": Field("ipv6_cidr_block", computed=True),
    "public_ip_on_launch": Field("map_public_ip_on_launch", computed=True),
    "ipv6_on_launch": "assign_ipv6_address_on_creation",
    "zone": "availability_zone",
}
# An instance's or interface's own IPv6 addresses: how many, or which.
_IPV6: Fields = {
    "ipv6_count": Field("ipv6_address_count", computed=True),
    "ipv6_addresses": Field("ipv6_addresses", computed=True),
}
_GROUP: Fields = {
    "network": Field("vpc_id", computed=True),
    "name": "name",
    "name_prefix": "name_prefix",
    "ingress": entries("ingress", _RULE),
    "egress": entries("egress", _RULE),
}
# An ACL's own entries: the provider sends ICMP type 0 code 0 when they are not written.
_INLINE_ACL_ENTRY: Fields = {
    **_ACL_ENTRY,
    "icmp_type": Field("icmp_type", default=0),
    "icmp_code": Field("icmp_code", default=0),
}
_ACL: Fields = {
    "network": "vpc_id",
    "subnets": Field("subnet_ids", computed=True),
    "ingress": entries("ingress", _INLINE_ACL_ENTRY),
    "egress": entries("egress", _INLINE_ACL_ENTRY),
}
_TABLE: Fields = {
    "network": "vpc_id",
    "routes": entries("route", _ROUTE),
    "propagating_gateways": Field("propagating_vgws", computed=True),
}

_MIXED = "mixed_instances_policy.0.launch_template.0.launch_template_specification.0"
_FORWARDS = ("target_group_arn", "arn")  # where forward actions name their groups, however nested
_LOAD_BALANCER: Fields = {
    **_TAGS,
    "flavor": "load_balancer_type",
    "internal": "internal",
    "address_type": Field("ip_address_type", computed=True),
    "subnet_mappings": entries(
        "subnet_mapping",
        {
            "subnet": "subnet_id",
            "private_ip": "private_ipv4_address",
            "allocation": "allocation_id",
        },
    ),
    "subnets": Field("subnets", computed=True),
    "groups": _groups("security_groups"),
}
_SUBNET_GROUP: Fields = {"subnets": "subnet_ids"}
_MEMBER: Fields = {
    "cluster": Field("cluster_identifier", by_name=True),
    "public": "publicly_accessible",
}
_GROUP_REFERENCE: Fields = {"group": "resource_arn", "priority": "priority"}


def _data_store(subnet_group: str, groups: str) -> Fields:
    return {
        **_TAGS,
        "subnet_group": Field(subnet_group, computed=True, by_name=True),
        "groups": _groups(groups),
        "port": "port",
        "engine": "engine",
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
        "nat-gateway",
        {"subnet": "subnet_id", "connectivity": "connectivity_type", "allocation": "allocation_id"},
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
    # compute
    "aws_instance": Kind(
        "instance",
        {
            **_TAGS,
            "network_interfaces": entries(
                "network_interface",
                {"interface": "network_interface_id", "device_index": "device_index"},
            ),
            "subnet": Field("subnet_id", computed=True),
            "groups": _groups("vpc_security_group_ids"),
            "group_names": _groups("security_groups"),
            "public_ip": "associate_public_ip_address",
            "private_ip": "private_ip",
            "private_ips": "secondary_private_ips",
            "source_dest_check": "source_dest_check",
            **_IPV6,
            "template": Field("launch_template.0.id", by_name=True),
            "template_name": Field("launch_template.0.name", by_name=True),
        },
    ),
    "aws_network_interface": Kind(
        "network-interface",
        {
            **_TAGS,
            "subnet": "subnet_id",
            "groups": _groups("security_groups"),
            "private_ip": "private_ip",
            "private_ips": "private_ips",
            "private_ip_list": "private_ip_list",
            "source_dest_check": "source_dest_check",
            **_IPV6,
            "attachments": entries(
                "attachment", {"instance": "instance", "device_index": "device_index"}
            ),
        },
    ),
    "aws_network_interface_attachment": Kind(
        "network-interface-attachment",
        {
            "instance": "instance_id",
            "interface": "network_interface_id",
            "device_index": "device_index",
        },
    ),
    "aws_network_interface_sg_attachment": Kind(
        "network-interface-sg-attachment",
        {"group": "security_group_id", "interface": Field("network_interface_id", computed=True)},
    ),
    "aws_eip": Kind(
        "elastic-ip",
        {
            "interface": Field("network_interface", computed=True),
            "instance": Field("instance", computed=True),
        },
    ),
    "aws_eip_association": Kind(
        "elastic-ip-association",
        {
            "interface": Field("network_interface_id", computed=True),
            "instance": Field("instance_id", computed=True),
            "allocation": "allocation_id",
        },
    ),
    "aws_launch_template": Kind(
        "launch-template",
        {
            "groups": _groups("vpc_security_group_ids"),
            "group_names": _groups("security_group_names"),
            "interface_groups": _groups("network_interfaces.0.security_groups"),
            "interface_subnet": Field("network_interfaces.0.subnet_id", computed=True),
            "public_ip": "network_interfaces.0.associate_public_ip_address",
            "ipv6_count": Field("network_interfaces.0.ipv6_address_count", computed=True),
            "ipv6_addresses": Field("network_interfaces.0.ipv6_addresses", computed=True),
            "instance_tags": Field("tag_specifications", convert=_instance_tag_specifications),
        },
    ),
    "aws_launch_configuration": Kind(
        "launch-configuration",
        {"groups": _groups("security_groups"), "public_ip": "associate_public_ip_address"},
    ),
    "aws_autoscaling_group": Kind(
        "autoscaling-group",
        {
            # Its `tag` blocks (the provider's default tags skip Auto Scaling groups).
            "tags": Field("tag", convert=_tag_blocks),
            "all_tags": "tags_all",
            "subnets": Field("vpc_zone_identifier", computed=True),
            "launch_template": "launch_template",
            "template": Field("launch_template.0.id", by_name=True),
            "template_name": Field("launch_template.0.name", by_name=True),
            "mixed_template": Field(f"{_MIXED}.launch_template_id", by_name=True),
            "mixed_template_name": Field(f"{_MIXED}.launch_template_name", by_name=True),
            "launch_configuration": Field("launch_configuration", by_name=True),
            "target_groups": Field("target_group_arns", computed=True),
            "load_balancers": Field("load_balancers", computed=True, by_name=True),
        },
    ),
    "aws_autoscaling_attachment": Kind(
        "autoscaling-attachment",
        {
            "group": Field("autoscaling_group_name", by_name=True),
            "target_group": "lb_target_group_arn",
            "legacy_target_group": "alb_target_group_arn",
            "classic": Field("elb", by_name=True),
        },
    ),
    "aws_lambda_function": Kind(
        "lambda-function",
        {
            **_TAGS,
            "vpc": entries(
                "vpc_config",
                {
                    "subnets": "subnet_ids",
                    "groups": _groups("security_group_ids"),
                    "ipv6": "ipv6_allowed_for_dual_stack",
                },
            ),
        },
    ),
    "aws_ecs_service": Kind(
        "ecs-service",
        {
            **_TAGS,
            "network": entries(
                "network_configuration",
                {
                    "subnets": "subnets",
                    "groups": _groups("security_groups"),
                    "public_ip": "assign_public_ip",
                },
            ),
            "load_balancers": entries(
                "load_balancer",
                {
                    "container_port": "container_port",
                    "target_group": "target_group_arn",
                    "classic": Field("elb_name", by_name=True),
                },
            ),
        },
    ),
    "aws_vpc_endpoint": Kind(
        "vpc-endpoint",
        {
            **_TAGS,
            "network": "vpc_id",
            "endpoint_type": "vpc_endpoint_type",
            "route_tables": Field("route_table_ids", computed=True),
            "service": "service_name",
            "subnets": Field("subnet_ids", computed=True),
            "groups": _groups("security_group_ids"),
        },
    ),
    # load balancers
    **{name: Kind("load-balancer", _LOAD_BALANCER) for name in ("aws_lb", "aws_alb")},
    **{
        f"aws_{family}_listener": Kind(
            "listener",
            {
                "load_balancer": "load_balancer_arn",
                "protocol": "protocol",
                "port": "port",
                "actions": Field("default_action", nested=_FORWARDS),
            },
        )
        for family in ("lb", "alb")
    },
    **{
        f"aws_{family}_listener_rule": Kind(
            "listener-rule",
            {"listener": "listener_arn", "actions": Field("action", nested=_FORWARDS)},
        )
        for family in ("lb", "alb")
    },
    **{
        f"aws_{family}_target_group": Kind(
            "target-group",
            {
                "protocol": "protocol",
                "port": "port",
                "target_type": Field("target_type", computed=True),
                "preserve_client_ip": Field("preserve_client_ip", computed=True),
                "address_type": Field("ip_address_type", computed=True),
            },
        )
        for family in ("lb", "alb")
    },
    **{
        f"aws_{family}_target_group_attachment": Kind(
            "target-group-attachment",
            {"group": "target_group_arn", "target": "target_id", "port": "port"},
        )
        for family in ("lb", "alb")
    },
    "aws_elb": Kind(
        "classic-load-balancer",
        {
            **_TAGS,
            "internal": "internal",
            "subnets": Field("subnets", computed=True),
            "groups": _groups("security_groups"),
            "listeners": entries(
                "listener",
                {"port": "lb_port", "target_port": "instance_port", "protocol": "lb_protocol"},
            ),
            "instances": Field("instances", computed=True),
        },
    ),
    "aws_elb_attachment": Kind(
        "classic-load-balancer-attachment",
        {"classic": Field("elb", by_name=True), "instance": "instance"},
    ),
    # data stores
    "aws_db_instance": Kind(
        "db-instance",
        {
            **_data_store("db_subnet_group_name", "vpc_security_group_ids"),
            "replicates": "replicate_source_db",
            "public": "publicly_accessible",
            "network_type": Field("network_type", computed=True),
        },
    ),
    "aws_db_subnet_group": Kind("db-subnet-group", _SUBNET_GROUP),
    "aws_rds_cluster": Kind(
        "rds-cluster",
        {
            **_data_store("db_subnet_group_name", "vpc_security_group_ids"),
            "network_type": Field("network_type", computed=True),
        },
    ),
    "aws_rds_cluster_instance": Kind("rds-cluster-instance", _MEMBER),
    "aws_docdb_cluster": Kind(
        "docdb-cluster", _data_store("db_subnet_group_name", "vpc_security_group_ids")
    ),
    "aws_docdb_cluster_instance": Kind("docdb-cluster-instance", _MEMBER),
    "aws_docdb_subnet_group": Kind("docdb-subnet-group", _SUBNET_GROUP),
    "aws_neptune_cluster": Kind(
        "neptune-cluster", _data_store("neptune_subnet_group_name", "vpc_security_group_ids")
    ),
    "aws_neptune_cluster_instance": Kind("neptune-cluster-instance", _MEMBER),
    "aws_neptune_subnet_group": Kind("neptune-subnet-group", _SUBNET_GROUP),
    "aws_elasticache_cluster": Kind(
        "cache-cluster",
        {
            **_data_store("subnet_group_name", "security_group_ids"),
            "replication_group": Field("replication_group_id", computed=True, by_name=True),
            "network_type": Field("network_type", computed=True),
        },
    ),
    "aws_elasticache_replication_group": Kind(
        "cache-replication-group",
        {
            **_data_store("subnet_group_name", "security_group_ids"),
            "network_type": Field("network_type", computed=True),
        },
    ),
    "aws_elasticache_subnet_group": Kind("cache-subnet-group", _SUBNET_GROUP),
    # AWS Network Firewall
    "aws_networkfirewall_firewall": Kind(
        "network-firewall",
        {
            "subnet_mappings": entries("subnet_mapping", {"subnet": "subnet_id"}),
            "policy": "firewall_policy_arn",
        },
    ),
    "aws_networkfirewall_firewall_policy": Kind(
        "firewall-policy",
        {
            "settings": "firewall_policy",
            "variables": "firewall_policy.0.policy_variables",
            "tls_inspection": "firewall_policy.0.tls_inspection_configuration_arn",
            "stateless_groups": entries(
                "firewall_policy.0.stateless_rule_group_reference", _GROUP_REFERENCE
            ),
            "stateful_groups": entries(
                "firewall_policy.0.stateful_rule_group_reference", _GROUP_REFERENCE
            ),
        },
    ),
    "aws_networkfirewall_rule_group": Kind(
        "firewall-rule-group", {"name": "name", "definition": "rule_group"}
    ),
    # route targets reachlint does not model
    "aws_ec2_local_gateway": Kind("local-gateway", modelled=False),
    "aws_ec2_carrier_gateway": Kind("carrier-gateway", modelled=False),
    "aws_networkmanager_core_network": Kind("core-network", modelled=False),
}

HANDLED_TYPES = frozenset(name for name, kind in TYPES.items() if kind.modelled)
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
_NOT_YET_MODELLED = (("aws_dx_", "Direct Connect is not modelled yet"),)


def build_aws_model(
    resources: list[TfResource], ids: dict[str, str] | None = None, source: str = ""
) -> NetworkModel:
    """The network model of these resources, with AWS's implicit defaults made explicit.

    `ids` maps known AWS ids and ARNs of resources in the input to their addresses.
    """
    resources, aliases = one_per_object(resources)
    index = ResourceIndex(_without_partial_tags_all(resources), aliases)
    ids = {found: aliases.get(address, address) for found, address in (ids or {}).items()}
    model = NetworkModel(ids=ids)
    if source:
        model.inputs.append(source)
    links = Resolver(index, ids, model.note)
    build(TerraformInventory(index, links, TYPES), model)
    note_unmodelled(
        index, model, "aws_", HANDLED_TYPES, _NETWORK_ADJACENT_PREFIXES, _NOT_YET_MODELLED
    )
    return model


def _without_partial_tags_all(resources: list[TfResource]) -> list[TfResource]:
    """The resources with tags_all left out where the provider planned it without default tags
    that were not known yet (hashicorp/terraform-provider-aws#40065: it shows only the own tags,
    and apply adds the rest). A resource of that provider configuration without own tags tells:
    its tags_all is then unknown, where known default tags would have filled it. Their tags are
    then read as their own over default tags not known."""
    configurations = {r.provider.address: r.provider for r in resources if r.provider is not None}
    not_known = {
        provider.address
        for provider in configurations.values()
        if value_at(provider.values, _DEFAULT_TAGS) is UNKNOWN
    }
    if not not_known:
        return resources
    unsure = {
        resource.provider.address
        for resource in resources
        if resource.provider is not None
        and resource.provider.address in not_known
        and resource.values.get("tags") is None
        and resource.values.get("tags_all") is UNKNOWN
    }
    if not unsure:
        return resources
    return [
        replace(resource, values={k: v for k, v in resource.values.items() if k != "tags_all"})
        if resource.provider is not None and resource.provider.address in unsure
        else resource
        for resource in resources
    ]
