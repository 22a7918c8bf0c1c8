"""Small CloudFormation templates that several tests vary."""

# A public subnet behind an attached internet gateway, one instance, one group: the variations
# below change only what a test is about.
NETWORK = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  AdminCidr: {Type: String}
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24, MapPublicIpOnLaunch: true}
  Gateway: {Type: AWS::EC2::InternetGateway}
  Attachment:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Gateway}
  Table: {Type: AWS::EC2::RouteTable, Properties: {VpcId: !Ref Vpc}}
  Default:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref Table, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Gateway}
  Association:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {SubnetId: !Ref Subnet, RouteTableId: !Ref Table}
  Web:
    Type: AWS::EC2::Instance
    Properties: {ImageId: ami-12345678, SubnetId: !Ref Subnet, SecurityGroupIds: [!Ref Group]}
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      VpcId: !Ref Vpc
GROUP_RULES
"""

# A group rule that opens SSH to the world, for NETWORK's GROUP_RULES.
SSH_FROM_ANYWHERE = """      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0, Description: ssh}"""
