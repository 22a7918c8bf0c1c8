"""An interface that names no group sits in its VPC's default group. In a VPC the template
declares, that group has the rules AWS gives it; in a VPC outside the template its rules are
the account's, not known: `--assume-unknown` decides and the findings name it, as for any group
outside the input. (Built from the shape of aws-cloudformation-templates'
EC2/SingleENIwithMultipleEIPs.yaml.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from reachlint.commands.check import run_check
from reachlint.engine.reach import AssumeUnknown
from reachlint.inputs.load import build_model

TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Subnet:
    Type: AWS::EC2::Subnet::Id
Resources:
  Address:
    Type: AWS::EC2::EIP
    Properties:
      Domain: vpc
  Association:
    Type: AWS::EC2::EIPAssociation
    Properties:
      AllocationId: !GetAtt Address.AllocationId
      NetworkInterfaceId: !Ref Interface
  Interface:
    Type: AWS::EC2::NetworkInterface
    Properties:
      SubnetId: !Ref Subnet
"""


@pytest.mark.parametrize(("assume", "reported"), [("open", True), ("closed", False)])
def test_the_default_group_of_a_vpc_outside_the_template_is_not_known(
    tmp_path: Path, assume: AssumeUnknown, reported: bool
) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE)
    report = run_check([path], [], assume_unknown=assume)
    ssh = [f for f in report.findings if f.rule == "INTERNET-ADMIN-PORTS"]
    assert bool(ssh) is reported
    if reported:
        [finding] = ssh
        assert "unknown-vpc.DefaultSecurityGroup" in (finding.depends_on_unknown or [])


PLACED = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Subnet: {Type: AWS::EC2::Subnet::Id}
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
  Other: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.1.0.0/16}}
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: g, VPC_ID}
  Web:
    Type: AWS::EC2::Instance
    Properties: {ImageId: ami-12345678, SubnetId: !Ref Subnet, SecurityGroupIds: [!Ref Group]}
"""


@pytest.mark.parametrize(
    ("vpc_id", "network"),
    [("Description: none", "default-vpc"), ("VpcId: !Ref Vpc", "unknown-vpc")],
)
def test_a_subnet_not_known_sits_in_the_vpc_of_the_instances_groups(
    tmp_path: Path, vpc_id: str, network: str
) -> None:
    """AWS takes only security groups of the instance's own VPC: a group without VpcId is in
    the default VPC, so the instance is too, whatever subnet the parameter names. A VPC the
    template declares may hold subnets it does not, routed as it does not say: the instance
    stays in a VPC whose routes are not known, so that a rule never passes on them."""
    path = tmp_path / "template.yaml"
    path.write_text(PLACED.replace("VPC_ID", vpc_id))
    [interface] = build_model([path]).endpoints["Web"].interfaces
    assert interface.network == network
