"""Two unknown values that each open the same traffic: a finding names both, since it stands
until both are settled; and a rule or group the input does not give reads as a doubt on a
path, never as a written rule."""

from __future__ import annotations

from pathlib import Path

from reachlint.commands.check import run_check
from reachlint.inputs.load import LoadOptions

NETWORK = """
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_internet_gateway" "igw" { vpc_id = aws_vpc.main.id }
resource "aws_subnet" "public" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.0.1.0/24"
  map_public_ip_on_launch = true
}
resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
}
resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}
"""

# SSH from addresses not known, and a port not known from anywhere: either opens tcp 22.
TWO_VARIABLES = """
variable "admin_cidrs" { type = list(string) }
variable "app_port" { type = number }
resource "aws_security_group" "web" {
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = var.admin_cidrs
  }
  ingress {
    from_port   = var.app_port
    to_port     = var.app_port
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_instance" "web" {
  ami                    = "ami-1"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.public.id
  vpc_security_group_ids = [aws_security_group.web.id]
}
"""

TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  AdminCidr: {Type: String}
  AdminPort: {Type: Number}
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  Igw:
    Type: AWS::EC2::InternetGateway
  Attach:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Igw}
  Public:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24, MapPublicIpOnLaunch: true}
  Routes:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Vpc}
  Default:
    Type: AWS::EC2::Route
    DependsOn: Attach
    Properties: {RouteTableId: !Ref Routes, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Igw}
  Association:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {SubnetId: !Ref Public, RouteTableId: !Ref Routes}
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: admin
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref AdminCidr}
        - {IpProtocol: tcp, FromPort: !Ref AdminPort, ToPort: !Ref AdminPort, CidrIp: 0.0.0.0/0}
  Host:
    Type: AWS::EC2::Instance
    Properties: {ImageId: ami-1, SubnetId: !Ref Public, SecurityGroupIds: [!Ref Web]}
"""


def _ssh(paths: list[Path], assume: str = "open", options: LoadOptions | None = None) -> list:
    report = run_check(paths, [], assume_unknown=assume, options=options)  # type: ignore[arg-type]
    return [f for f in report.findings if f.rule == "INTERNET-ADMIN-PORTS"]


def test_ssh_that_two_variables_each_open_names_both(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(NETWORK + TWO_VARIABLES)
    (ssh,) = _ssh([tmp_path])
    assert ssh.depends_on_unknown == [
        "aws_security_group.web: from_port (var.app_port)",
        "var.admin_cidrs",
    ]
    assert not _ssh([tmp_path], "closed")
    # The port settled elsewhere: what is left rests on the addresses alone.
    (ssh,) = _ssh([tmp_path], options=LoadOptions(variables={"app_port": "8443"}))
    assert ssh.depends_on_unknown == ["var.admin_cidrs"]


def test_the_same_in_a_template_whose_parameters_have_no_value(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE)
    (ssh,) = _ssh([template])
    assert ssh.depends_on_unknown == ["AdminCidr", "Web: FromPort (AdminPort)"]
    details = [hop.detail for hop in ssh.path if hop.kind == "security-group-rule"]
    # A parameter is known at deployment, not "after apply"; a port not known is said so.
    assert details == [
        "Web allows tcp 22 from addresses known only at deployment: AdminCidr",
        "Web allows tcp 0-65535 from 0.0.0.0/0; unknown: FromPort (AdminPort)",
    ]


def test_a_group_not_in_the_input_reads_as_a_doubt_on_the_path(tmp_path: Path) -> None:
    instance = """
resource "aws_instance" "app" {
  ami                    = "ami-1"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.public.id
  vpc_security_group_ids = ["sg-0123456789abcdef0"]
}
"""
    (tmp_path / "main.tf").write_text(NETWORK + instance)
    (ssh,) = _ssh([tmp_path])
    (hop,) = [hop for hop in ssh.path if hop.kind == "security-group-rule"]
    assert hop.detail == (
        "sg-0123456789abcdef0: its rules are not in the input; may allow all from anywhere"
    )
    assert "sg-0123456789abcdef0" in (ssh.depends_on_unknown or [])
    assert not _ssh([tmp_path], "closed")
