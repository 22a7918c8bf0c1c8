"""A type that may change what is reachable and that reachlint does not model is named in a
note, as Terraform's counterparts are: a public Redshift cluster is never passed over in
silence."""

from __future__ import annotations

from pathlib import Path

from reachlint.dialects.cloudformation import load_cloudformation

TEMPLATE = """
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  Public:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24}
  Subnets:
    Type: AWS::Redshift::ClusterSubnetGroup
    Properties: {Description: d, SubnetIds: [!Ref Public]}
  Warehouse:
    Type: AWS::Redshift::Cluster
    Properties: {ClusterType: single-node, NodeType: dc2.large, DBName: d, MasterUsername: u,
                 MasterUserPassword: p, PubliclyAccessible: true,
                 ClusterSubnetGroupName: !Ref Subnets}
  NotDeployed:
    Type: AWS::OpenSearchService::Domain
    Condition: Never
  Topic:
    Type: AWS::SNS::Topic
Conditions:
  Never: !Equals [a, b]
"""


def test_network_adjacent_types_not_modelled_are_named(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE)
    notes = [n.message for n in load_cloudformation(template, None, {}).notes]
    named = [n for n in notes if "may affect reachability but are not modelled" in n]
    assert named == [
        "1 AWS::Redshift::Cluster resource(s) may affect reachability but are not modelled: "
        "Warehouse",
        "1 AWS::Redshift::ClusterSubnetGroup resource(s) may affect reachability but are not "
        "modelled: Subnets",
    ]
