variable "zones" {
  default = {
    a = "10.0.1.0/24"
    b = "10.0.2.0/24"
  }
}

locals {
  vpc_cidr  = "10.0.0.0/16"
  names     = toset(["web", "db"])
  web_ports = [80, 443]
}

resource "aws_vpc" "main" {
  cidr_block = local.vpc_cidr
}

resource "aws_subnet" "counted" {
  count      = 2
  vpc_id     = aws_vpc.main.id
  cidr_block = cidrsubnet(aws_vpc.main.cidr_block, 8, count.index + 10)
}

resource "aws_subnet" "zone" {
  for_each                = var.zones
  vpc_id                  = aws_vpc.main.id
  cidr_block              = each.value
  availability_zone       = "eu-west-1${each.key}"
  map_public_ip_on_launch = each.key == "a" ? true : false
}

resource "aws_security_group" "named" {
  for_each = local.names
  name     = "group-${each.key}"
  vpc_id   = aws_vpc.main.id
}

# for_each over another resource: each.value is the instance with the same key.
resource "aws_route_table" "main" {
  vpc_id = aws_vpc.main.id
}

resource "aws_route_table_association" "zone" {
  for_each       = aws_subnet.zone
  subnet_id      = each.value.id
  route_table_id = aws_route_table.main.id
}

resource "aws_instance" "web" {
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  count                  = length(aws_subnet.counted)
  subnet_id              = aws_subnet.counted[count.index].id
  vpc_security_group_ids = [aws_security_group.named["web"].id]
  tags = {
    Name = format("web-%02d", count.index + 1)
  }
}

resource "aws_network_acl" "all" {
  vpc_id     = aws_vpc.main.id
  subnet_ids = concat(aws_subnet.counted[*].id, [for k, s in aws_subnet.zone : s.id if k != "b"])
}

resource "aws_security_group_rule" "web" {
  count             = length(local.web_ports)
  type              = "ingress"
  from_port         = local.web_ports[count.index]
  to_port           = local.web_ports[count.index]
  protocol          = "tcp"
  cidr_blocks       = [aws_subnet.zone["a"].cidr_block, "${cidrhost(local.vpc_cidr, 0)}/32"]
  security_group_id = aws_security_group.named["web"].id
}

resource "aws_security_group_rule" "none" {
  count             = 0
  type              = "ingress"
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  self              = true
  security_group_id = aws_security_group.named["db"].id
}
