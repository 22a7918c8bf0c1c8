"""Where an interface sits when the input leaves it open, read in both --assume-unknown modes.

Each case is a configuration a module author writes: what AWS does with it is in the comment,
from the EC2, VPC and Auto Scaling documentation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from reachlint.commands.check import run_check
from reachlint.commands.design.query import run_query
from reachlint.inputs.load import build_model

Mode = Literal["open", "closed"]
MODES: list[Mode] = ["open", "closed"]


def _findings(tmp_path: Path, text: str, assume: Mode) -> list[tuple[str, str]]:
    (tmp_path / "main.tf").write_text(text)
    return [
        (f.rule, f.destination.address)
        for f in run_check([tmp_path], [], assume_unknown=assume).findings
    ]


INSTANCE_FROM_A_MODULES_INPUTS = """variable "subnet_id" { type = string }
variable "sg_ids" { type = list(string) }
resource "aws_instance" "web" {
  ami                         = "ami-1"
  instance_type               = "t3.micro"
  subnet_id                   = var.subnet_id
  vpc_security_group_ids      = var.sg_ids
  associate_public_ip_address = true
}
"""


def test_an_instance_whose_subnet_and_groups_are_inputs_may_be_anywhere(tmp_path: Path) -> None:
    # No VPC in the input and nothing to tell which: it sits in a VPC outside the input, whose
    # routes are unknown, behind groups that are unknown. Open: reachable through them, on
    # every port, resting on them; closed: not.
    assert sorted(_findings(tmp_path, INSTANCE_FROM_A_MODULES_INPUTS, "open")) == [
        ("INTERNET-ADMIN-PORTS", "aws_instance.web"),
        ("INTERNET-ALL-PORTS", "aws_instance.web"),
    ]
    assert _findings(tmp_path, INSTANCE_FROM_A_MODULES_INPUTS, "closed") == []


ONE_OF_TWO_PRIVATE_SUBNETS = """variable "first" { type = bool }
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_internet_gateway" "igw" { vpc_id = aws_vpc.main.id }
resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
}
resource "aws_subnet" "public" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.0.0/24"
}
resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}
resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_subnet" "b" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.2.0/24"
}
resource "aws_security_group" "ssh" {
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_instance" "web" {
  ami                         = "ami-1"
  instance_type               = "t3.micro"
  subnet_id                   = var.first ? aws_subnet.a.id : aws_subnet.b.id
  vpc_security_group_ids      = [aws_security_group.ssh.id]
  associate_public_ip_address = true
}
"""


def test_a_subnet_chosen_by_a_variable_may_be_any_subnet_of_the_vpc(tmp_path: Path) -> None:
    # `var.first ? a : b` names two subnets, but an expression resting on a variable may hold
    # ids the references do not show (a literal inside `element([...], var.i)`): any subnet of
    # the VPC, the public one too. Open: reachable, resting on subnet_id; closed: not.
    (tmp_path / "main.tf").write_text(ONE_OF_TWO_PRIVATE_SUBNETS)
    (finding,) = run_check([tmp_path], [], assume_unknown="open").findings
    assert (finding.rule, finding.depends_on_unknown) == (
        "INTERNET-ADMIN-PORTS",
        ["aws_instance.web: subnet_id"],
    )
    assert _findings(tmp_path, ONE_OF_TWO_PRIVATE_SUBNETS, "closed") == []


INSTANCE_FROM_AN_UNKNOWN_TEMPLATE = """variable "template_id" { type = string }
resource "aws_default_vpc" "main" {}
resource "aws_security_group" "ssh" {
  vpc_id = aws_default_vpc.main.id
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_instance" "web" {
  instance_type          = "t3.micro"
  vpc_security_group_ids = [aws_security_group.ssh.id]
  launch_template {
    id = var.template_id
  }
}
"""


def test_a_launch_template_not_in_the_input_may_name_the_subnet(tmp_path: Path) -> None:
    # The template may set a subnet or turn the public address off: not a default subnet for
    # certain. Open: reachable, resting on the template; closed: not.
    assert _findings(tmp_path, INSTANCE_FROM_AN_UNKNOWN_TEMPLATE, "open") == [
        ("INTERNET-ADMIN-PORTS", "aws_instance.web")
    ]
    assert _findings(tmp_path, INSTANCE_FROM_AN_UNKNOWN_TEMPLATE, "closed") == []


ADOPTED_PRIVATE_DEFAULT_SUBNET = """resource "aws_default_vpc" "main" {}
resource "aws_default_subnet" "a" {
  availability_zone       = "us-east-1a"
  map_public_ip_on_launch = false
}
resource "aws_security_group" "ssh" {
  vpc_id = aws_default_vpc.main.id
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_instance" "web" {
  ami                    = "ami-1"
  instance_type          = "t3.micro"
  availability_zone      = "us-east-1a"
  vpc_security_group_ids = [aws_security_group.ssh.id]
}
"""


def test_an_adopted_default_subnet_without_public_addresses_makes_them_unknown(
    tmp_path: Path,
) -> None:
    # aws_default_subnet turns map_public_ip_on_launch off: the default subnet AWS picks may
    # not give a public address. Open: reachable, resting on that; closed: not.
    assert _findings(tmp_path, ADOPTED_PRIVATE_DEFAULT_SUBNET, "open") == [
        ("INTERNET-ADMIN-PORTS", "aws_instance.web")
    ]
    assert _findings(tmp_path, ADOPTED_PRIVATE_DEFAULT_SUBNET, "closed") == []


GROUP_IN_A_PEERED_OR_ISOLATED_SUBNET = """variable "subnet_ids" { type = list(string) }
resource "aws_vpc" "a" { cidr_block = "10.0.0.0/16" }
resource "aws_vpc" "b" { cidr_block = "10.1.0.0/16" }
resource "aws_vpc_peering_connection" "ab" {
  vpc_id      = aws_vpc.a.id
  peer_vpc_id = aws_vpc.b.id
  auto_accept = true
}
# Table "peer": one route, to VPC b through the peering.
resource "aws_route_table" "peer" {
  vpc_id = aws_vpc.a.id
  route {
    cidr_block                = "10.1.0.0/16"
    vpc_peering_connection_id = aws_vpc_peering_connection.ab.id
  }
}
# Table "isolated": three routes, none to VPC b, none to the internet.
resource "aws_vpn_gateway" "vgw" { vpc_id = aws_vpc.a.id }
resource "aws_route_table" "isolated" {
  vpc_id = aws_vpc.a.id
  route {
    cidr_block = "192.168.1.0/24"
    gateway_id = aws_vpn_gateway.vgw.id
  }
  route {
    cidr_block = "192.168.2.0/24"
    gateway_id = aws_vpn_gateway.vgw.id
  }
}
resource "aws_subnet" "peer" {
  vpc_id     = aws_vpc.a.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_subnet" "isolated" {
  vpc_id     = aws_vpc.a.id
  cidr_block = "10.0.2.0/24"
}
resource "aws_route_table_association" "peer" {
  subnet_id      = aws_subnet.peer.id
  route_table_id = aws_route_table.peer.id
}
resource "aws_route_table_association" "isolated" {
  subnet_id      = aws_subnet.isolated.id
  route_table_id = aws_route_table.isolated.id
}
resource "aws_security_group" "db" {
  vpc_id = aws_vpc.a.id
  ingress {
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["10.1.0.0/16"]
  }
}
resource "aws_launch_template" "db" {
  image_id               = "ami-1"
  vpc_security_group_ids = [aws_security_group.db.id]
}
resource "aws_autoscaling_group" "db" {
  vpc_zone_identifier = var.subnet_ids
  min_size            = 1
  max_size            = 1
  launch_template { id = aws_launch_template.db.id }
}
# VPC b: a client that routes to VPC a.
resource "aws_subnet" "client" {
  vpc_id     = aws_vpc.b.id
  cidr_block = "10.1.1.0/24"
}
resource "aws_default_route_table" "b" {
  default_route_table_id = aws_vpc.b.default_route_table_id
  route {
    cidr_block                = "10.0.0.0/16"
    vpc_peering_connection_id = aws_vpc_peering_connection.ab.id
  }
}
resource "aws_security_group" "client" {
  vpc_id = aws_vpc.b.id
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_instance" "client" {
  ami                    = "ami-1"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.client.id
  vpc_security_group_ids = [aws_security_group.client.id]
}
resource "aws_default_route_table" "a" {
  default_route_table_id = aws_vpc.a.default_route_table_id
  route {
    cidr_block = "192.168.1.0/24"
    gateway_id = aws_vpn_gateway.vgw.id
  }
  route {
    cidr_block = "192.168.2.0/24"
    gateway_id = aws_vpn_gateway.vgw.id
  }
}
"""


def test_a_route_one_candidate_table_has_is_taken_when_open_and_not_when_closed(
    tmp_path: Path,
) -> None:
    # The database group sits in subnet "peer" (its table routes VPC b through the peering) or
    # "isolated" (no route back): route by route, open takes the peering, closed does not.
    (tmp_path / "main.tf").write_text(GROUP_IN_A_PEERED_OR_ISOLATED_SUBNET)
    asked = {"protocol": "tcp", "port": "5432"}
    ends = ("aws_instance.client", "aws_autoscaling_group.db")
    _, opened = run_query([tmp_path], *ends, assume_unknown="open", **asked)
    assert opened.reachable
    assert "aws_autoscaling_group.db: vpc_zone_identifier" in (
        opened.paths[0].depends_on_unknown or []
    )
    _, closed = run_query([tmp_path], *ends, assume_unknown="closed", **asked)
    assert not closed.reachable
    assert [(r.destination.address) for r in closed.if_unknowns_allow or []] == [ends[1]]


SSH_FROM_AN_INPUT_RANGE = """variable "admin_cidr" { type = string }
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_internet_gateway" "igw" { vpc_id = aws_vpc.main.id }
resource "aws_default_route_table" "main" {
  default_route_table_id = aws_vpc.main.default_route_table_id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
}
resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_security_group" "web" {
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.admin_cidr]
  }
}
resource "aws_instance" "web" {
  ami                         = "ami-1"
  instance_type               = "t3.micro"
  subnet_id                   = aws_subnet.a.id
  vpc_security_group_ids      = [aws_security_group.web.id]
  associate_public_ip_address = true
}
"""


def test_closed_query_lists_only_the_traffic_unknowns_could_add(tmp_path: Path) -> None:
    # tcp 443 is open to the world for certain; tcp 22 only from var.admin_cidr, not known.
    (tmp_path / "main.tf").write_text(SSH_FROM_AN_INPUT_RANGE)
    _, closed = run_query(
        [tmp_path], "internet", "aws_instance.web", protocol="tcp", assume_unknown="closed"
    )
    assert [(e.protocol, e.ports) for e in closed.traffic] == [("tcp", [(443, 443)])]
    (extra,) = closed.if_unknowns_allow or []
    assert [(e.protocol, e.ports) for e in extra.traffic] == [("tcp", [(22, 22)])]
    assert extra.depends_on_unknown == ["var.admin_cidr"]


ADOPTED_MAIN_TABLE_OF_THE_DEFAULT_VPC = """resource "aws_default_vpc" "main" {}
resource "aws_default_route_table" "main" {
  default_route_table_id = aws_default_vpc.main.default_route_table_id
  tags                   = { Name = "default" }
}
resource "aws_security_group" "ssh" {
  vpc_id = aws_default_vpc.main.id
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_instance" "web" {
  ami                    = "ami-1"
  instance_type          = "t3.micro"
  vpc_security_group_ids = [aws_security_group.ssh.id]
}
"""


def test_an_adopted_main_table_of_the_default_vpc_has_only_the_routes_written(
    tmp_path: Path,
) -> None:
    # registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/default_route_table:
    # "When Terraform first adopts the default route table, it immediately removes all defined
    # routes. It then proceeds to create any routes specified in the configuration." Adopted
    # without a route, the default VPC's main table sends nothing to its internet gateway.
    for assume in MODES:
        assert _findings(tmp_path, ADOPTED_MAIN_TABLE_OF_THE_DEFAULT_VPC, assume) == []
    routed = ADOPTED_MAIN_TABLE_OF_THE_DEFAULT_VPC.replace(
        '  tags                   = { Name = "default" }\n',
        '  route {\n    cidr_block = "0.0.0.0/0"\n    gateway_id = "igw-0123456789abcdef0"\n  }\n',
    )
    assert _findings(tmp_path, routed, "closed") == [("INTERNET-ADMIN-PORTS", "aws_instance.web")]


ONLY_HTTPS_THROUGH_THE_VPCS_ACL = """variable "subnet_id" { type = string }
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_internet_gateway" "igw" { vpc_id = aws_vpc.main.id }
resource "aws_default_route_table" "main" {
  default_route_table_id = aws_vpc.main.default_route_table_id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
}
# Every subnet of the VPC uses the default ACL (no other ACL exists): only 443 comes in.
resource "aws_default_network_acl" "main" {
  default_network_acl_id = aws_vpc.main.default_network_acl_id
  ingress {
    rule_no    = 100
    protocol   = "tcp"
    action     = "allow"
    cidr_block = "0.0.0.0/0"
    from_port  = 443
    to_port    = 443
  }
  egress {
    rule_no    = 100
    protocol   = "-1"
    action     = "allow"
    cidr_block = "0.0.0.0/0"
    from_port  = 0
    to_port    = 0
  }
}
resource "aws_security_group" "ssh" {
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_instance" "web" {
  ami                         = "ami-1"
  instance_type               = "t3.micro"
  subnet_id                   = var.subnet_id
  vpc_security_group_ids      = [aws_security_group.ssh.id]
  associate_public_ip_address = true
}
"""


def test_an_unknown_subnet_is_behind_the_network_acl_every_subnet_has(tmp_path: Path) -> None:
    # The VPC's default ACL, the only one, admits tcp 443 alone: whatever the subnet, SSH stops
    # there, in both modes. Before, an unknown subnet had no ACL and closed found SSH open.
    for assume in MODES:
        assert _findings(tmp_path, ONLY_HTTPS_THROUGH_THE_VPCS_ACL, assume) == []


def test_an_unknown_subnet_may_be_behind_a_narrow_acl_or_the_default_one(tmp_path: Path) -> None:
    # The narrow ACL guards subnet a only; another subnet has the default ACL, which AWS makes
    # open. Open: SSH may come in, resting on the subnet; closed: not for certain.
    narrow = ONLY_HTTPS_THROUGH_THE_VPCS_ACL.replace(
        'resource "aws_default_network_acl" "main" {\n'
        "  default_network_acl_id = aws_vpc.main.default_network_acl_id\n",
        'resource "aws_subnet" "a" {\n  vpc_id     = aws_vpc.main.id\n'
        '  cidr_block = "10.0.1.0/24"\n}\n'
        'resource "aws_network_acl" "main" {\n'
        "  vpc_id     = aws_vpc.main.id\n  subnet_ids = [aws_subnet.a.id]\n",
    )
    assert "aws_network_acl" in narrow and "aws_default_network_acl" not in narrow
    assert _findings(tmp_path, narrow, "open") == [("INTERNET-ADMIN-PORTS", "aws_instance.web")]
    assert _findings(tmp_path, narrow, "closed") == []


PUBLIC_OR_NAT_ROUTED_SUBNET = """variable "first" { type = bool }
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_internet_gateway" "igw" { vpc_id = aws_vpc.main.id }
resource "aws_subnet" "edge" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.0.0/24"
}
resource "aws_eip" "nat" { domain = "vpc" }
resource "aws_nat_gateway" "nat" {
  subnet_id     = aws_subnet.edge.id
  allocation_id = aws_eip.nat.id
}
resource "aws_route_table" "edge" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
}
resource "aws_route_table_association" "edge" {
  subnet_id      = aws_subnet.edge.id
  route_table_id = aws_route_table.edge.id
}
resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
}
resource "aws_route_table" "private" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = aws_nat_gateway.nat.id
  }
}
resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_subnet" "b" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.2.0/24"
}
resource "aws_route_table_association" "a" {
  subnet_id      = aws_subnet.a.id
  route_table_id = aws_route_table.public.id
}
resource "aws_route_table_association" "b" {
  subnet_id      = aws_subnet.b.id
  route_table_id = aws_route_table.private.id
}
resource "aws_security_group" "out" {
  vpc_id = aws_vpc.main.id
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_instance" "app" {
  ami                         = "ami-1"
  instance_type               = "t3.micro"
  subnet_id                   = var.first ? aws_subnet.a.id : aws_subnet.b.id
  associate_public_ip_address = false
  vpc_security_group_ids      = [aws_security_group.out.id]
}
"""


def test_without_a_public_address_an_unknown_subnet_goes_out_by_its_nat_route(
    tmp_path: Path,
) -> None:
    # Subnet a routes 0.0.0.0/0 to the internet gateway, b to a NAT gateway; the instance has
    # no public address, so only b's NAT route takes it out. Open: out through the NAT gateway,
    # resting on the subnet; closed: not for certain.
    (tmp_path / "main.tf").write_text(PUBLIC_OR_NAT_ROUTED_SUBNET)
    asked = {"protocol": "tcp", "port": "443"}
    _, opened = run_query(
        [tmp_path], "aws_instance.app", "internet", assume_unknown="open", **asked
    )
    assert opened.reachable
    assert "aws_nat_gateway.nat" in [hop.address for hop in opened.paths[0].path]
    _, closed = run_query(
        [tmp_path], "aws_instance.app", "internet", assume_unknown="closed", **asked
    )
    assert not closed.reachable


def _many_public_subnets(count: int) -> str:
    """An instance with a public address whose subnet is unknown, in a VPC of `count` subnets,
    each with its own route table to the internet gateway and its own open network ACL."""
    text = """variable "subnet_id" { type = string }
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_internet_gateway" "igw" { vpc_id = aws_vpc.main.id }
resource "aws_default_route_table" "main" {
  default_route_table_id = aws_vpc.main.default_route_table_id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
}
resource "aws_security_group" "ssh" {
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_instance" "web" {
  ami                         = "ami-1"
  instance_type               = "t3.micro"
  subnet_id                   = var.subnet_id
  vpc_security_group_ids      = [aws_security_group.ssh.id]
  associate_public_ip_address = true
}
"""
    for n in range(count):
        text += f"""resource "aws_subnet" "s{n}" {{
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.{n}.0/24"
}}
resource "aws_route_table" "t{n}" {{
  vpc_id = aws_vpc.main.id
  route {{
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }}
}}
resource "aws_route_table_association" "a{n}" {{
  subnet_id      = aws_subnet.s{n}.id
  route_table_id = aws_route_table.t{n}.id
}}
resource "aws_network_acl" "n{n}" {{
  vpc_id     = aws_vpc.main.id
  subnet_ids = [aws_subnet.s{n}.id]
  ingress {{
    rule_no    = 100
    protocol   = "-1"
    action     = "allow"
    cidr_block = "0.0.0.0/0"
    from_port  = 0
    to_port    = 0
  }}
  egress {{
    rule_no    = 100
    protocol   = "-1"
    action     = "allow"
    cidr_block = "0.0.0.0/0"
    from_port  = 0
    to_port    = 0
  }}
}}
"""
    return text


def test_past_sixteen_candidates_closed_keeps_only_what_is_certain(tmp_path: Path) -> None:
    # Every table routes to the internet gateway and every ACL is open, so with few candidates
    # SSH is reachable for certain. Past 16 candidate tables and ACLs (a bound on hostile
    # input) they are not compared: open still finds it, closed keeps only the VPC's own range.
    admin = [("INTERNET-ADMIN-PORTS", "aws_instance.web")]
    for assume in MODES:
        assert _findings(tmp_path, _many_public_subnets(3), assume) == admin
    assert _findings(tmp_path, _many_public_subnets(17), "open") == admin
    assert _findings(tmp_path, _many_public_subnets(17), "closed") == []


def test_what_names_no_subnet_lands_in_the_default_vpc_beside_a_declared_one(
    tmp_path: Path,
) -> None:
    # RunInstances without a subnet "chooses a default subnet from your default VPC", and a
    # security group without vpc_id is created in the default VPC: a VPC the configuration
    # declares for other things changes neither. Before, both were taken to be in it (the only
    # VPC of the input), with the subnet an unknown value. SSH is open to the world; the default
    # VPC's subnets give public addresses and route to its internet gateway.
    (tmp_path / "main.tf").write_text(
        """
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_security_group" "ssh" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_instance" "web" {
  ami                    = "ami-1"
  instance_type          = "t3.micro"
  vpc_security_group_ids = [aws_security_group.ssh.id]
}
"""
    )
    model = build_model([tmp_path])
    (interface,) = model.endpoints["aws_instance.web"].interfaces
    assert interface.network == "default-vpc"
    assert model.security_groups["aws_security_group.ssh"].network == "default-vpc"
    opened = run_check([tmp_path], [], assume_unknown="open")
    ssh = [f for f in opened.findings if f.rule == "INTERNET-ADMIN-PORTS"]
    assert [(f.destination.address, f.depends_on_unknown) for f in ssh] == [
        ("aws_instance.web", ["aws_instance.web: subnet_id"])
    ]
