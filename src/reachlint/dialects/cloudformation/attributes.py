"""`Fn::GetAtt` where the template itself decides the value.

Most attributes exist only after deployment (an instance's private address, a load balancer's
DNS name); they stay references to their resource. Some are the resource's own id (a security
group's `GroupId` is what `Ref` of it gives in a VPC) and link to it; some repeat a property the
template writes (a VPC's `CidrBlock`, a subnet's `VpcId`); a database's `Endpoint.Port` is its
`Port`, or its engine's default port when none is written.
"""

from __future__ import annotations

from typing import Any

from reachlint.formats.cloudformation.intrinsics import Evaluator
from reachlint.formats.cloudformation.values import ResourceRef, Unknown
from reachlint.model.exposure import default_port

_SELF = ()  # the resource's own id: a link to it
# (type, attribute) -> the property it repeats, or _SELF.
_DECIDED: dict[tuple[str, str], tuple[str, ...]] = {
    ("AWS::EC2::VPC", "VpcId"): _SELF,
    ("AWS::EC2::VPC", "CidrBlock"): ("CidrBlock",),
    # A VPC stands for its default security group and network ACL, as AWS names them.
    ("AWS::EC2::VPC", "DefaultSecurityGroup"): _SELF,
    ("AWS::EC2::VPC", "DefaultNetworkAcl"): _SELF,
    ("AWS::EC2::Subnet", "SubnetId"): _SELF,
    ("AWS::EC2::Subnet", "VpcId"): ("VpcId",),
    ("AWS::EC2::Subnet", "CidrBlock"): ("CidrBlock",),
    ("AWS::EC2::Subnet", "AvailabilityZone"): ("AvailabilityZone",),
    ("AWS::EC2::SecurityGroup", "GroupId"): _SELF,
    ("AWS::EC2::SecurityGroup", "VpcId"): ("VpcId",),
    ("AWS::EC2::EIP", "AllocationId"): _SELF,
    ("AWS::EC2::NetworkInterface", "Id"): _SELF,
    ("AWS::EC2::NetworkAcl", "Id"): _SELF,
    ("AWS::EC2::RouteTable", "RouteTableId"): _SELF,
    ("AWS::EC2::InternetGateway", "InternetGatewayId"): _SELF,
    ("AWS::EC2::NatGateway", "NatGatewayId"): _SELF,
    ("AWS::EC2::VPNGateway", "VPNGatewayId"): _SELF,
    ("AWS::EC2::TransitGateway", "Id"): _SELF,
    ("AWS::EC2::TransitGatewayAttachment", "Id"): _SELF,
    ("AWS::EC2::TransitGatewayVpcAttachment", "Id"): _SELF,
    ("AWS::EC2::TransitGatewayRouteTable", "TransitGatewayRouteTableId"): _SELF,
    ("AWS::EC2::VPCEndpoint", "Id"): _SELF,
    ("AWS::EC2::VPCPeeringConnection", "Id"): _SELF,
    ("AWS::EC2::PrefixList", "PrefixListId"): _SELF,
    ("AWS::EC2::Instance", "InstanceId"): _SELF,
    ("AWS::EC2::LaunchTemplate", "LaunchTemplateId"): _SELF,
    ("AWS::ElasticLoadBalancingV2::LoadBalancer", "LoadBalancerArn"): _SELF,
    ("AWS::ElasticLoadBalancingV2::TargetGroup", "TargetGroupArn"): _SELF,
    ("AWS::ElasticLoadBalancingV2::Listener", "ListenerArn"): _SELF,
    ("AWS::NetworkFirewall::Firewall", "FirewallArn"): _SELF,
    ("AWS::NetworkFirewall::FirewallPolicy", "FirewallPolicyArn"): _SELF,
    ("AWS::NetworkFirewall::RuleGroup", "RuleGroupArn"): _SELF,
}
_PORTS = {
    ("AWS::RDS::DBInstance", "Endpoint.Port"),
    ("AWS::RDS::DBCluster", "Endpoint.Port"),
    ("AWS::ElastiCache::CacheCluster", "RedisEndpoint.Port"),
    ("AWS::ElastiCache::CacheCluster", "ConfigurationEndpoint.Port"),
    ("AWS::ElastiCache::ReplicationGroup", "PrimaryEndPoint.Port"),
    ("AWS::ElastiCache::ReplicationGroup", "ConfigurationEndPoint.Port"),
    ("AWS::DocDB::DBCluster", "Port"),
    ("AWS::Neptune::DBCluster", "Port"),
}


class Attributes:
    """The hook an Evaluator calls for `Fn::GetAtt`; guards against a property that refers
    back to itself."""

    def __init__(self) -> None:
        self._busy: set[tuple[int, str, str]] = set()
        # Each attribute read once per evaluator (kept with it, so that its id stays its own):
        # a template whose properties name another's attribute many times over, level upon
        # level, would otherwise cost exponential time.
        self._read: dict[tuple[int, str, str], tuple[Evaluator, Any]] = {}

    def __call__(self, logical_id: str, attribute: str, evaluator: Evaluator) -> Any:
        declared = evaluator.resources.get(logical_id)
        if not isinstance(declared, dict):
            return NotImplemented
        kind = declared.get("Type")
        properties = declared.get("Properties")
        if not isinstance(kind, str):
            return NotImplemented
        properties = properties if isinstance(properties, dict) else {}
        path = _DECIDED.get((kind, attribute))
        if path == _SELF:
            return ResourceRef(logical_id)
        key = (id(evaluator), logical_id, attribute)
        read = self._read.get(key)
        if read is not None:
            return read[1]
        if key in self._busy:
            return Unknown(f"{logical_id}.{attribute}")
        self._busy.add(key)
        try:
            if path is not None:
                value = self._property(properties, path, evaluator, logical_id, attribute)
            elif (kind, attribute) in _PORTS:
                value = self._port(kind, properties, evaluator, logical_id, attribute)
            else:
                return NotImplemented
        finally:
            self._busy.discard(key)
        self._read[key] = (evaluator, value)
        return value

    @staticmethod
    def _property(
        properties: dict[str, Any],
        path: tuple[str, ...],
        evaluator: Evaluator,
        logical_id: str,
        attribute: str,
    ) -> Any:
        current: Any = properties
        for key in path:
            if not isinstance(current, dict) or key not in current:
                if attribute == "CidrBlock":
                    # Allocated at deployment (an IPAM pool): still that one range, the same
                    # wherever it is named, as the network's own range is (see networks.py).
                    return ResourceRef(logical_id, attribute)
                return Unknown(f"{logical_id}.{attribute}")
            current = current[key]
        return evaluator.value(current)

    @staticmethod
    def _port(
        kind: str,
        properties: dict[str, Any],
        evaluator: Evaluator,
        logical_id: str,
        attribute: str,
    ) -> Any:
        if "Port" in properties:
            return evaluator.value(properties["Port"])
        engine = evaluator.value(properties.get("Engine"))  # None: the type's default engine
        if engine is not None and not isinstance(engine, str):
            return Unknown(f"{logical_id}.{attribute}")
        port = default_port(kind, engine)
        return port if port is not None else Unknown(f"{logical_id}.{attribute}")
