"""CloudFormation's vocabulary for the AWS provider: which resource type is which kind, and
where each of the provider's fields is written. Start here to add a resource type.

`TYPES` maps a CloudFormation type to a `KindSpec`: the provider's kind (providers/aws/source.py
lists them; a type that can be two kinds chooses by its properties) and, per provider field, the
property path (specs.py has the vocabulary). `EntrySpec` fields hold entries (a security group's
inline rules): their own fields, and what CloudFormation deploys when the property is absent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reachlint.dialects.cloudformation.specs import (
    EntrySpec,
    FieldSpec,
    KindSpec,
    Spawn,
    at,
    computed,
    fixed,
    kind,
    many,
    one,
)
from reachlint.dialects.cloudformation.tags import instance_tag_map, keyed_value, tag_map
from reachlint.formats.cloudformation.values import ResourceRef, Unknown
from reachlint.formats.jsonpos import JsonObject


def _db_cluster(kind_name: str, engine: FieldSpec, **more: FieldSpec) -> KindSpec:
    """An RDS, DocumentDB or Neptune cluster: the same properties in each."""
    return kind(
        kind_name,
        subnet_group=at("DBSubnetGroupName"),
        groups=at("VpcSecurityGroupIds"),
        port=at("Port"),
        engine=engine,
        network_type=at("NetworkType"),
        **more,
    )


def _at(properties: Any, *path: str) -> Any:
    current = properties
    for key in path:
        if not isinstance(current, dict):
            return None
        current = current.get(key)
    return current


def _primary_interface(properties: Any) -> Any:
    """The instance's interface at device 0 when written inline (NetworkInterfaces)."""
    interfaces = properties.get("NetworkInterfaces") if isinstance(properties, dict) else None
    for item in interfaces if isinstance(interfaces, list) else []:
        if isinstance(item, dict) and str(item.get("DeviceIndex")) == "0":
            return item
    return None


def _instance_own(own: str, inline: str | None = None) -> FieldSpec:
    """An instance's property, or its inline interface's at device 0 (`inline`: its name)."""

    def read(properties: JsonObject) -> Any:
        if own and own in properties:
            return properties[own]
        return _at(_primary_interface(properties), inline or own)

    return computed(read, own or inline or "")


def _template_interface(key: str) -> FieldSpec:
    """A property of the interface at device 0 a launch template describes."""
    return computed(lambda p: _at(_primary_interface(_at(p, "LaunchTemplateData") or {}), key))


def _internal(value: Any) -> Any:
    return value == "internal" if isinstance(value, str) else value


def _assign_public_ip(value: Any) -> Any:
    return value == "ENABLED" if isinstance(value, str) else value


def _forwarded_groups(actions: Any) -> list[Any]:
    """The target groups a listener's or rule's forward actions name."""
    found: list[Any] = []
    for action in actions if isinstance(actions, list) else []:
        if not isinstance(action, dict):
            continue
        if "TargetGroupArn" in action:
            found.append(action["TargetGroupArn"])
        groups = _at(action, "ForwardConfig", "TargetGroups")
        if isinstance(groups, Unknown):
            found.append(groups)  # read as a link that is not in the input
        for group in groups if isinstance(groups, list) else []:
            if isinstance(group, dict) and "TargetGroupArn" in group:
                found.append(group["TargetGroupArn"])
    return found


def _publicly_accessible(properties: JsonObject) -> Any:
    """Written, or else decided by AWS at creation from the subnet group's VPC (public when it
    has an internet gateway): a value only the deployment knows."""
    if "PubliclyAccessible" in properties:
        return properties["PubliclyAccessible"]
    return Unknown("PubliclyAccessible (AWS decides it from the subnet group's VPC)")


def _db_kind(member: str, alone: str) -> Callable[[JsonObject], str | None]:
    return lambda properties: member if "DBClusterIdentifier" in properties else alone


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _enabled(value: Any) -> Any:
    """ "enable"/"disable", as transit gateways spell their defaults."""
    return value == "enable" if isinstance(value, str) else value


def _everything_out(cidr_key: str, cidr: str) -> JsonObject:
    rule = JsonObject()
    rule["IpProtocol"] = "-1"
    rule[cidr_key] = cidr
    return rule


def _rule(*, group_key: str, prefix_list_key: str, **more: FieldSpec) -> dict[str, FieldSpec]:
    return {
        "protocol": at("IpProtocol"),
        "from_port": at("FromPort"),
        "to_port": at("ToPort"),
        "cidrs": at("CidrIp"),
        "ipv6_cidrs": at("CidrIpv6"),
        "prefix_lists": at(prefix_list_key),
        "groups": at(group_key),
        "description": at("Description"),
        **more,
    }


# An ingress rule may name its source group by name (a default VPC's); egress rules may not.
_INGRESS = _rule(
    group_key="SourceSecurityGroupId",
    prefix_list_key="SourcePrefixListId",
    group_names=at("SourceSecurityGroupName"),
)
_EGRESS = _rule(group_key="DestinationSecurityGroupId", prefix_list_key="DestinationPrefixListId")


def _allocated_block(written: str, *allocators: str, owner: str = "VpcId") -> FieldSpec:
    """A VPC's or subnet's added block: as written, or, allocated at deployment (Amazon's IPv6
    pool, an IPAM pool), a range only the deployment knows, named by the owner's attribute
    that lists it."""
    listed = "Ipv6CidrBlocks" if written.startswith("Ipv6") else "CidrBlockAssociations"

    def read(properties: JsonObject) -> Any:
        if written in properties:
            return properties[written]
        flags = [properties[key] for key in allocators if key in properties]
        if not flags or all(flag in (False, "false", "False") for flag in flags):
            return None
        held_by = properties.get(owner)
        named = f"{held_by.logical_id if isinstance(held_by, ResourceRef) else owner}.{listed}"
        rests_on = [name for flag in flags if isinstance(flag, Unknown) for name in flag.names]
        return Unknown(*rests_on, named)

    return computed(read, written)


def _attachment_kind(properties: JsonObject) -> str | None:
    if "InternetGatewayId" in properties:
        return "internet-gateway-attachment"
    if "VpnGatewayId" in properties:
        return "vpn-gateway-attachment"
    return None


def _acl_entry_egress(value: Any) -> Any:
    if isinstance(value, str):
        return value.lower() == "true"
    return value


# When the peer's account is another, CloudFormation accepts the peering only through the
# accepter's role (PeerRoleArn); in one account it is accepted without a role.
def _peering_accepted(properties: JsonObject) -> Any:
    return "PeerOwnerId" not in properties or "PeerRoleArn" in properties


_FUNCTION_NETWORK = {
    "subnets": at("SubnetIds"),
    "groups": at("SecurityGroupIds"),
    "ipv6": at("Ipv6AllowedForDualStack"),
}

TYPES: dict[str, KindSpec] = {
    "AWS::EC2::VPC": kind("vpc", cidr=at("CidrBlock")),
    "AWS::EC2::VPCCidrBlock": kind(
        "vpc-cidr-block",
        network=at("VpcId"),
        cidr=_allocated_block("CidrBlock", "Ipv4IpamPoolId"),
        ipv6_cidr=_allocated_block(
            "Ipv6CidrBlock", "AmazonProvidedIpv6CidrBlock", "Ipv6IpamPoolId", "Ipv6Pool"
        ),
    ),
    "AWS::EC2::Subnet": kind(
        "subnet",
        network=at("VpcId"),
        cidr=at("CidrBlock"),
        ipv6_cidr=at("Ipv6CidrBlock"),
        public_ip_on_launch=at("MapPublicIpOnLaunch"),
        ipv6_on_launch=at("AssignIpv6AddressOnCreation"),
        zone=at("AvailabilityZone"),
    ),
    "AWS::EC2::SubnetCidrBlock": kind(
        "subnet-cidr-block",
        subnet=at("SubnetId"),
        ipv6_cidr=_allocated_block("Ipv6CidrBlock", "Ipv6IpamPoolId", owner="SubnetId"),
    ),
    "AWS::EC2::SecurityGroup": kind(
        "security-group",
        network=at("VpcId"),
        name=at("GroupName"),
        ingress=EntrySpec(("SecurityGroupIngress",), fields=_INGRESS),
        # AWS gives a new group rules allowing all egress, IPv4 and IPv6; CloudFormation removes
        # them when the template writes egress rules, in the group or as resources of their own
        # (Inventory.egress_written).
        egress=EntrySpec(
            ("SecurityGroupEgress",),
            fields=_EGRESS,
            absent=(_everything_out("CidrIp", "0.0.0.0/0"), _everything_out("CidrIpv6", "::/0")),
        ),
    ),
    "AWS::EC2::SecurityGroupIngress": kind(
        "security-group-rule",
        group=at("GroupId"),
        group_name=at("GroupName"),
        direction=fixed("ingress"),
        **_INGRESS,
    ),
    "AWS::EC2::SecurityGroupEgress": kind(
        "security-group-rule", group=at("GroupId"), direction=fixed("egress"), **_EGRESS
    ),
    "AWS::EC2::NetworkAcl": kind("network-acl", network=at("VpcId")),
    "AWS::EC2::NetworkAclEntry": kind(
        "network-acl-entry",
        acl=at("NetworkAclId"),
        egress=at("Egress", convert=_acl_entry_egress),
        rule_number=at("RuleNumber"),
        action=at("RuleAction", convert=_lower),
        protocol=at("Protocol"),
        from_port=at("PortRange", "From"),
        to_port=at("PortRange", "To"),
        icmp_type=at("Icmp", "Type"),
        icmp_code=at("Icmp", "Code"),
        cidr=at("CidrBlock"),
        ipv6_cidr=at("Ipv6CidrBlock"),
    ),
    "AWS::EC2::SubnetNetworkAclAssociation": kind(
        "network-acl-association", subnet=at("SubnetId"), acl=at("NetworkAclId")
    ),
    "AWS::EC2::RouteTable": kind("route-table", network=at("VpcId")),
    "AWS::EC2::Route": kind(
        "route",
        table=at("RouteTableId"),
        destination=at("DestinationCidrBlock"),
        ipv6_destination=at("DestinationIpv6CidrBlock"),
        destination_prefix_list=at("DestinationPrefixListId"),
        gateway=at("GatewayId"),
        nat_gateway=at("NatGatewayId"),
        transit_gateway=at("TransitGatewayId"),
        peering=at("VpcPeeringConnectionId"),
        egress_only_gateway=at("EgressOnlyInternetGatewayId"),
        vpc_endpoint=at("VpcEndpointId"),
        network_interface=at("NetworkInterfaceId"),
        instance=at("InstanceId"),
        local_gateway=at("LocalGatewayId"),
        carrier_gateway=at("CarrierGatewayId"),
        core_network=at("CoreNetworkArn"),
    ),
    "AWS::EC2::SubnetRouteTableAssociation": kind(
        "route-table-association", table=at("RouteTableId"), subnet=at("SubnetId")
    ),
    "AWS::EC2::GatewayRouteTableAssociation": kind(
        "route-table-association", table=at("RouteTableId"), gateway=at("GatewayId")
    ),
    "AWS::EC2::VPNGatewayRoutePropagation": kind(
        "vpn-gateway-route-propagation", tables=at("RouteTableIds"), gateway=at("VpnGatewayId")
    ),
    "AWS::EC2::InternetGateway": kind("internet-gateway"),
    "AWS::EC2::VPCGatewayAttachment": KindSpec(
        ("internet-gateway-attachment", "vpn-gateway-attachment"),
        {
            "network": at("VpcId"),
            "gateway": at("InternetGatewayId"),
            "vpn_gateway": at("VpnGatewayId"),
        },
        choose=_attachment_kind,
    ),
    "AWS::EC2::EgressOnlyInternetGateway": kind(
        "egress-only-internet-gateway", network=at("VpcId")
    ),
    "AWS::EC2::NatGateway": kind(
        "nat-gateway",
        subnet=at("SubnetId"),
        connectivity=at("ConnectivityType"),
        allocation=at("AllocationId"),
    ),
    "AWS::EC2::VPNGateway": kind("vpn-gateway"),
    "AWS::EC2::TransitGateway": kind(
        "transit-gateway",
        default_propagation=at("DefaultRouteTablePropagation", convert=_enabled),
        default_association=at("DefaultRouteTableAssociation", convert=_enabled),
    ),
    "AWS::EC2::TransitGatewayAttachment": kind(
        "transit-gateway-vpc-attachment",
        transit_gateway=at("TransitGatewayId"),
        network=at("VpcId"),
        subnets=at("SubnetIds"),
    ),
    "AWS::EC2::TransitGatewayVpcAttachment": kind(
        "transit-gateway-vpc-attachment",
        transit_gateway=at("TransitGatewayId"),
        network=at("VpcId"),
        subnets=at("SubnetIds"),
    ),
    "AWS::EC2::TransitGatewayRouteTable": kind(
        "transit-gateway-route-table", transit_gateway=at("TransitGatewayId")
    ),
    "AWS::EC2::TransitGatewayRoute": kind(
        "transit-gateway-route",
        table=at("TransitGatewayRouteTableId"),
        destination=at("DestinationCidrBlock"),
        blackhole=at("Blackhole"),
        attachment=at("TransitGatewayAttachmentId"),
    ),
    "AWS::EC2::VPCEndpoint": kind(
        "vpc-endpoint",
        network=at("VpcId"),
        endpoint_type=at("VpcEndpointType"),
        route_tables=at("RouteTableIds"),
        subnets=at("SubnetIds"),
        groups=at("SecurityGroupIds"),
        service=at("ServiceName"),
    ),
    "AWS::EC2::CustomerGateway": kind("customer-gateway", ip_address=at("IpAddress")),
    "AWS::EC2::VPNConnection": kind(
        "vpn-connection",
        vpn_gateway=at("VpnGatewayId"),
        transit_gateway=at("TransitGatewayId"),
        customer_gateway=at("CustomerGatewayId"),
        static_routes_only=at("StaticRoutesOnly"),
        local_cidr=at("LocalIpv4NetworkCidr"),
        local_ipv6_cidr=at("LocalIpv6NetworkCidr"),
    ),
    "AWS::EC2::VPNConnectionRoute": kind(
        "vpn-connection-route",
        connection=at("VpnConnectionId"),
        destination=at("DestinationCidrBlock"),
    ),
    "AWS::EC2::VPCPeeringConnection": kind(
        "vpc-peering-connection",
        network=at("VpcId"),
        peer_network=at("PeerVpcId"),
        auto_accept=computed(_peering_accepted, "PeerRoleArn"),
    ),
    "AWS::EC2::PrefixList": kind(
        "prefix-list", entries=EntrySpec(("Entries",), fields={"cidr": at("Cidr")})
    ),
    "AWS::EC2::Instance": kind(
        "instance",
        subnet=_instance_own("SubnetId"),
        groups=_instance_own("SecurityGroupIds", "GroupSet"),
        group_names=at("SecurityGroups"),
        public_ip=_instance_own("", "AssociatePublicIpAddress"),
        private_ip=_instance_own("PrivateIpAddress"),
        source_dest_check=at("SourceDestCheck"),
        ipv6_count=_instance_own("Ipv6AddressCount"),
        ipv6_addresses=_instance_own("Ipv6Addresses"),
        network_interfaces=many(
            "NetworkInterfaces",
            fields={"interface": at("NetworkInterfaceId"), "device_index": at("DeviceIndex")},
        ),
        template=at("LaunchTemplate", "LaunchTemplateId"),
        template_name=at("LaunchTemplate", "LaunchTemplateName"),
        tags=at("Tags", convert=tag_map),
    ),
    "AWS::EC2::NetworkInterface": kind(
        "network-interface",
        subnet=at("SubnetId"),
        groups=at("GroupSet"),
        private_ip=at("PrivateIpAddress"),
        source_dest_check=at("SourceDestCheck"),
        ipv6_count=at("Ipv6AddressCount"),
        ipv6_addresses=at("Ipv6Addresses"),
        tags=at("Tags", convert=tag_map),
    ),
    "AWS::EC2::NetworkInterfaceAttachment": kind(
        "network-interface-attachment",
        instance=at("InstanceId"),
        interface=at("NetworkInterfaceId"),
        device_index=at("DeviceIndex"),
    ),
    "AWS::EC2::EIP": kind("elastic-ip", instance=at("InstanceId")),
    "AWS::EC2::EIPAssociation": kind(
        "elastic-ip-association",
        allocation=computed(lambda p: p.get("AllocationId", p.get("EIP")), "AllocationId"),
        instance=at("InstanceId"),
        interface=at("NetworkInterfaceId"),
    ),
    "AWS::EC2::LaunchTemplate": kind(
        "launch-template",
        name=at("LaunchTemplateName"),
        groups=at("LaunchTemplateData", "SecurityGroupIds"),
        group_names=at("LaunchTemplateData", "SecurityGroups"),
        interface_groups=_template_interface("Groups"),
        interface_subnet=_template_interface("SubnetId"),
        public_ip=_template_interface("AssociatePublicIpAddress"),
        ipv6_count=_template_interface("Ipv6AddressCount"),
        ipv6_addresses=_template_interface("Ipv6Addresses"),
        instance_tags=at("LaunchTemplateData", "TagSpecifications", convert=instance_tag_map),
    ),
    "AWS::AutoScaling::LaunchConfiguration": kind(
        "launch-configuration",
        groups=at("SecurityGroups"),
        public_ip=at("AssociatePublicIpAddress"),
    ),
    "AWS::AutoScaling::AutoScalingGroup": kind(
        "autoscaling-group",
        subnets=at("VPCZoneIdentifier"),
        template=at("LaunchTemplate", "LaunchTemplateId"),
        template_name=at("LaunchTemplate", "LaunchTemplateName"),
        mixed_template=at(
            "MixedInstancesPolicy",
            "LaunchTemplate",
            "LaunchTemplateSpecification",
            "LaunchTemplateId",
        ),
        mixed_template_name=at(
            "MixedInstancesPolicy",
            "LaunchTemplate",
            "LaunchTemplateSpecification",
            "LaunchTemplateName",
        ),
        launch_configuration=at("LaunchConfigurationName"),
        instance=at("InstanceId"),
        target_groups=at("TargetGroupARNs"),
        load_balancers=at("LoadBalancerNames"),
        tags=at("Tags", convert=tag_map),
    ),
    "AWS::Lambda::Function": kind(
        "lambda-function",
        vpc=one("VpcConfig", fields=_FUNCTION_NETWORK),
        tags=at("Tags", convert=tag_map),
    ),
    # SAM's function deploys an AWS::Lambda::Function with the same VpcConfig.
    "AWS::Serverless::Function": kind(
        "lambda-function",
        vpc=one("VpcConfig", fields=_FUNCTION_NETWORK),
    ),
    "AWS::ECS::Service": kind(
        "ecs-service",
        network=one(
            "NetworkConfiguration",
            "AwsvpcConfiguration",
            fields={
                "subnets": at("Subnets"),
                "groups": at("SecurityGroups"),
                "public_ip": at("AssignPublicIp", convert=_assign_public_ip),
            },
        ),
        load_balancers=many(
            "LoadBalancers",
            fields={
                "container_port": at("ContainerPort"),
                "target_group": at("TargetGroupArn"),
                "classic": at("LoadBalancerName"),
            },
        ),
    ),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": kind(
        "load-balancer",
        flavor=at("Type"),
        internal=at("Scheme", convert=_internal),
        address_type=at("IpAddressType"),
        subnet_mappings=many(
            "SubnetMappings",
            fields={
                "subnet": at("SubnetId"),
                "private_ip": at("PrivateIPv4Address"),
                "allocation": at("AllocationId"),
            },
        ),
        subnets=at("Subnets"),
        groups=at("SecurityGroups"),
        tags=at("Tags", convert=tag_map),
    ),
    "AWS::ElasticLoadBalancingV2::TargetGroup": KindSpec(
        ("target-group",),
        {
            "protocol": at("Protocol"),
            "port": at("Port"),
            "target_type": at("TargetType"),
            "address_type": at("IpAddressType"),
            "preserve_client_ip": at(
                "TargetGroupAttributes", convert=keyed_value("preserve_client_ip.enabled")
            ),
        },
        spawns=(
            Spawn(
                ("Targets",),
                "target-group-attachment",
                "group",
                {"target": at("Id"), "port": at("Port")},
            ),
        ),
    ),
    "AWS::ElasticLoadBalancingV2::Listener": kind(
        "listener",
        load_balancer=at("LoadBalancerArn"),
        protocol=at("Protocol"),
        port=at("Port"),
        actions=at("DefaultActions", convert=_forwarded_groups),
    ),
    "AWS::ElasticLoadBalancingV2::ListenerRule": kind(
        "listener-rule",
        listener=at("ListenerArn"),
        actions=at("Actions", convert=_forwarded_groups),
    ),
    "AWS::ElasticLoadBalancing::LoadBalancer": kind(
        "classic-load-balancer",
        internal=at("Scheme", convert=_internal),
        subnets=at("Subnets"),
        groups=at("SecurityGroups"),
        listeners=many(
            "Listeners",
            fields={
                "port": at("LoadBalancerPort"),
                "target_port": at("InstancePort"),
                "protocol": at("Protocol"),
            },
        ),
        instances=at("Instances"),
    ),
    "AWS::RDS::DBSubnetGroup": kind("db-subnet-group", subnets=at("SubnetIds")),
    "AWS::RDS::DBInstance": KindSpec(
        ("db-instance", "rds-cluster-instance"),
        {
            "subnet_group": at("DBSubnetGroupName"),
            "replicates": at("SourceDBInstanceIdentifier"),
            "groups": at("VPCSecurityGroups"),
            "public": computed(_publicly_accessible, "PubliclyAccessible"),
            "port": at("Port"),
            "engine": at("Engine"),
            "cluster": at("DBClusterIdentifier"),
            "network_type": at("NetworkType"),
            "tags": at("Tags", convert=tag_map),
        },
        choose=_db_kind("rds-cluster-instance", "db-instance"),
    ),
    "AWS::RDS::DBCluster": _db_cluster(
        "rds-cluster", at("Engine"), public=at("PubliclyAccessible")
    ),
    "AWS::DocDB::DBSubnetGroup": kind("docdb-subnet-group", subnets=at("SubnetIds")),
    "AWS::DocDB::DBCluster": _db_cluster("docdb-cluster", fixed("docdb")),
    "AWS::DocDB::DBInstance": kind("docdb-cluster-instance", cluster=at("DBClusterIdentifier")),
    "AWS::Neptune::DBSubnetGroup": kind("neptune-subnet-group", subnets=at("SubnetIds")),
    "AWS::Neptune::DBCluster": _db_cluster("neptune-cluster", fixed("neptune")),
    "AWS::Neptune::DBInstance": kind("neptune-cluster-instance", cluster=at("DBClusterIdentifier")),
    "AWS::ElastiCache::SubnetGroup": kind("cache-subnet-group", subnets=at("SubnetIds")),
    "AWS::ElastiCache::CacheCluster": kind(
        "cache-cluster",
        subnet_group=at("CacheSubnetGroupName"),
        groups=at("VpcSecurityGroupIds"),
        port=at("Port"),
        engine=at("Engine"),
        network_type=at("NetworkType"),
    ),
    "AWS::ElastiCache::ReplicationGroup": kind(
        "cache-replication-group",
        subnet_group=at("CacheSubnetGroupName"),
        groups=at("SecurityGroupIds"),
        port=at("Port"),
        engine=at("Engine"),
        network_type=at("NetworkType"),
    ),
}
