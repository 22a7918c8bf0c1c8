"""An ElastiCache cluster's NetworkType reads as aws_elasticache_cluster's network_type: the
families of connections it takes, IPv4 unless written (fixtures/aws/facts/cache-network-type)."""

from __future__ import annotations

from pathlib import Path

from reachlint.inputs.load import build_model

NETWORK = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Kind: {Type: String}
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24, Ipv6CidrBlock: "2600:1f18::/64"}
  Group:
    Type: AWS::ElastiCache::SubnetGroup
    Properties: {Description: c, SubnetIds: [!Ref Subnet]}
"""


def _cache(name: str, kind: str, network_type: str | None) -> str:
    written = f"\n      NetworkType: {network_type}" if network_type else ""
    return f"""  {name}:
    Type: AWS::ElastiCache::{kind}
    Properties:
      CacheSubnetGroupName: !Ref Group{written}
"""


TEMPLATE = (
    NETWORK
    + _cache("Default", "CacheCluster", None)
    + _cache("Dual", "CacheCluster", "dual_stack")
    + _cache("Only6", "CacheCluster", "ipv6")
    + _cache("Unsaid", "ReplicationGroup", "!Ref Kind")
)


def test_a_caches_network_type_gives_its_address_families(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE)
    model = build_model([path])
    families = {
        name: [(i.ipv4, i.ipv6, "ipv6" in i.unknown) for i in model.endpoints[name].interfaces]
        for name in ("Default", "Dual", "Only6", "Unsaid")
    }
    assert families == {
        "Default": [(None, False, False)],
        "Dual": [(None, True, False)],
        "Only6": [(False, True, False)],
        "Unsaid": [(None, None, True)],  # a parameter without value: named, as the note says
    }
    assert any("NetworkType is not known" in note.message for note in model.notes)
