# One VPC of the benchmark estate: public, web, app and db subnets in every zone, an internet
# facing load balancer in front of the web tier, NAT for the private tiers, a bastion, security
# groups that reference each other and a strict network ACL around the databases.

variable "name" {
  description = "Name prefix of everything in the VPC"
  type        = string
}

variable "cidr" {
  description = "The VPC's address range, a /20"
  type        = string
}

variable "azs" {
  description = "Availability zones, one subnet of each tier in each"
  type        = list(string)
}

variable "web_per_az" {
  type = number
}

variable "app_per_az" {
  type = number
}

variable "db_per_az" {
  type = number
}

variable "admin_cidr" {
  description = "Where administrators connect from"
  type        = string
}

locals {
  zones = length(var.azs)
  tags  = { Environment = "bench", Network = var.name }
}

resource "aws_vpc" "this" {
  cidr_block           = var.cidr
  enable_dns_hostnames = true
  tags                 = merge(local.tags, { Name = var.name })
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id
  tags   = merge(local.tags, { Name = "${var.name}-igw" })
}

resource "aws_subnet" "public" {
  count = local.zones

  vpc_id                  = aws_vpc.this.id
  cidr_block              = cidrsubnet(var.cidr, 4, count.index)
  availability_zone       = var.azs[count.index]
  map_public_ip_on_launch = false
  tags                    = merge(local.tags, { Name = "${var.name}-public-${count.index}", Tier = "public" })
}

resource "aws_subnet" "web" {
  count = local.zones

  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet(var.cidr, 4, 4 + count.index)
  availability_zone = var.azs[count.index]
  tags              = merge(local.tags, { Name = "${var.name}-web-${count.index}", Tier = "web" })
}

resource "aws_subnet" "app" {
  count = local.zones

  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet(var.cidr, 4, 8 + count.index)
  availability_zone = var.azs[count.index]
  tags              = merge(local.tags, { Name = "${var.name}-app-${count.index}", Tier = "app" })
}

resource "aws_subnet" "db" {
  count = local.zones

  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet(var.cidr, 4, 12 + count.index)
  availability_zone = var.azs[count.index]
  tags              = merge(local.tags, { Name = "${var.name}-db-${count.index}", Tier = "db" })
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id
  tags   = merge(local.tags, { Name = "${var.name}-public" })
}

resource "aws_route" "public_internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "public" {
  count = local.zones

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

resource "aws_eip" "nat" {
  domain = "vpc"
  tags   = merge(local.tags, { Name = "${var.name}-nat" })
}

resource "aws_nat_gateway" "this" {
  allocation_id = aws_eip.nat.id
  subnet_id     = aws_subnet.public[0].id
  tags          = merge(local.tags, { Name = "${var.name}-nat" })
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.this.id

  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = aws_nat_gateway.this.id
  }

  tags = merge(local.tags, { Name = "${var.name}-private" })
}

resource "aws_route_table_association" "web" {
  count = local.zones

  subnet_id      = aws_subnet.web[count.index].id
  route_table_id = aws_route_table.private.id
}

resource "aws_route_table_association" "app" {
  count = local.zones

  subnet_id      = aws_subnet.app[count.index].id
  route_table_id = aws_route_table.private.id
}

# The db subnets stay on the VPC's main route table: local only.

resource "aws_network_acl" "public" {
  vpc_id     = aws_vpc.this.id
  subnet_ids = aws_subnet.public[*].id

  ingress {
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    from_port  = 80
    to_port    = 80
    cidr_block = "0.0.0.0/0"
  }

  ingress {
    rule_no    = 110
    action     = "allow"
    protocol   = "tcp"
    from_port  = 443
    to_port    = 443
    cidr_block = "0.0.0.0/0"
  }

  ingress {
    rule_no    = 120
    action     = "allow"
    protocol   = "tcp"
    from_port  = 22
    to_port    = 22
    cidr_block = var.admin_cidr
  }

  ingress {
    rule_no    = 130
    action     = "allow"
    protocol   = "tcp"
    from_port  = 1024
    to_port    = 65535
    cidr_block = "0.0.0.0/0"
  }

  ingress {
    rule_no    = 140
    action     = "allow"
    protocol   = "-1"
    from_port  = 0
    to_port    = 0
    cidr_block = var.cidr
  }

  egress {
    rule_no    = 100
    action     = "allow"
    protocol   = "-1"
    from_port  = 0
    to_port    = 0
    cidr_block = "0.0.0.0/0"
  }

  tags = merge(local.tags, { Name = "${var.name}-public" })
}

resource "aws_network_acl" "db" {
  vpc_id = aws_vpc.this.id
  tags   = merge(local.tags, { Name = "${var.name}-db" })
}

resource "aws_network_acl_association" "db" {
  count = local.zones

  network_acl_id = aws_network_acl.db.id
  subnet_id      = aws_subnet.db[count.index].id
}

resource "aws_network_acl_rule" "db_ssh_denied" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 90
  egress         = false
  protocol       = "tcp"
  rule_action    = "deny"
  cidr_block     = "0.0.0.0/0"
  from_port      = 22
  to_port        = 22
}

resource "aws_network_acl_rule" "db_postgres_in" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 100
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = var.cidr
  from_port      = 5432
  to_port        = 5432
}

resource "aws_network_acl_rule" "db_replies_in" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 110
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = var.cidr
  from_port      = 1024
  to_port        = 65535
}

resource "aws_network_acl_rule" "db_replies_out" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 100
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = var.cidr
  from_port      = 1024
  to_port        = 65535
}

resource "aws_security_group" "lb" {
  name        = "${var.name}-lb"
  description = "Internet facing load balancer"
  vpc_id      = aws_vpc.this.id

  ingress {
    description = "HTTP"
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    description = "HTTPS"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    description = "To the web tier"
    from_port   = 8080
    to_port     = 8080
    protocol    = "tcp"
    cidr_blocks = [var.cidr]
  }

  tags = merge(local.tags, { Name = "${var.name}-lb" })
}

resource "aws_security_group" "bastion" {
  name        = "${var.name}-bastion"
  description = "Administrator access"
  vpc_id      = aws_vpc.this.id

  ingress {
    description = "SSH from the office"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.admin_cidr]
  }

  egress {
    description = "Anything out"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = merge(local.tags, { Name = "${var.name}-bastion" })
}

resource "aws_security_group" "web" {
  name        = "${var.name}-web"
  description = "Web tier"
  vpc_id      = aws_vpc.this.id
  tags        = merge(local.tags, { Name = "${var.name}-web" })
}

resource "aws_security_group" "app" {
  name        = "${var.name}-app"
  description = "App tier"
  vpc_id      = aws_vpc.this.id
  tags        = merge(local.tags, { Name = "${var.name}-app" })
}

resource "aws_security_group" "db" {
  name        = "${var.name}-db"
  description = "Databases"
  vpc_id      = aws_vpc.this.id
  tags        = merge(local.tags, { Name = "${var.name}-db" })
}

resource "aws_security_group_rule" "web_from_lb" {
  type                     = "ingress"
  security_group_id        = aws_security_group.web.id
  description              = "HTTP from the load balancer"
  protocol                 = "tcp"
  from_port                = 8080
  to_port                  = 8080
  source_security_group_id = aws_security_group.lb.id
}

resource "aws_security_group_rule" "web_ssh" {
  type                     = "ingress"
  security_group_id        = aws_security_group.web.id
  description              = "SSH from the bastion"
  protocol                 = "tcp"
  from_port                = 22
  to_port                  = 22
  source_security_group_id = aws_security_group.bastion.id
}

resource "aws_security_group_rule" "web_out" {
  type              = "egress"
  security_group_id = aws_security_group.web.id
  description       = "Anything out"
  protocol          = "-1"
  from_port         = 0
  to_port           = 0
  cidr_blocks       = ["0.0.0.0/0"]
}

resource "aws_vpc_security_group_ingress_rule" "app_from_web" {
  security_group_id            = aws_security_group.app.id
  description                  = "API from the web tier"
  ip_protocol                  = "tcp"
  from_port                    = 8443
  to_port                      = 8443
  referenced_security_group_id = aws_security_group.web.id
}

resource "aws_vpc_security_group_ingress_rule" "app_peers" {
  security_group_id            = aws_security_group.app.id
  description                  = "Cluster traffic between app instances"
  ip_protocol                  = "tcp"
  from_port                    = 7000
  to_port                      = 7001
  referenced_security_group_id = aws_security_group.app.id
}

resource "aws_vpc_security_group_ingress_rule" "app_ssh" {
  security_group_id            = aws_security_group.app.id
  description                  = "SSH from the bastion"
  ip_protocol                  = "tcp"
  from_port                    = 22
  to_port                      = 22
  referenced_security_group_id = aws_security_group.bastion.id
}

resource "aws_vpc_security_group_egress_rule" "app_out" {
  security_group_id = aws_security_group.app.id
  description       = "Anything out"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_security_group_rule" "db_from_app" {
  type                     = "ingress"
  security_group_id        = aws_security_group.db.id
  description              = "Postgres from the app tier"
  protocol                 = "tcp"
  from_port                = 5432
  to_port                  = 5432
  source_security_group_id = aws_security_group.app.id
}

resource "aws_lb" "web" {
  name               = "${var.name}-web"
  internal           = false
  load_balancer_type = "application"
  security_groups    = [aws_security_group.lb.id]
  subnets            = aws_subnet.public[*].id
  tags               = merge(local.tags, { Name = "${var.name}-web" })
}

resource "aws_lb_target_group" "web" {
  name     = "${var.name}-web"
  port     = 8080
  protocol = "HTTP"
  vpc_id   = aws_vpc.this.id
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.web.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}

module "zone" {
  source = "../zone"
  count  = local.zones

  name                  = "${var.name}-${count.index}"
  tags                  = local.tags
  web_count             = var.web_per_az
  app_count             = var.app_per_az
  db_count              = var.db_per_az
  web_subnet_id         = aws_subnet.web[count.index].id
  app_subnet_id         = aws_subnet.app[count.index].id
  db_subnet_id          = aws_subnet.db[count.index].id
  db_subnet_cidr        = aws_subnet.db[count.index].cidr_block
  web_security_group_id = aws_security_group.web.id
  app_security_group_id = aws_security_group.app.id
  db_security_group_id  = aws_security_group.db.id
  web_target_group_arn  = aws_lb_target_group.web.arn
}

resource "aws_instance" "bastion" {
  ami                         = "ami-0c55b159cbfafe1f0"
  instance_type               = "t3.micro"
  subnet_id                   = aws_subnet.public[0].id
  associate_public_ip_address = true
  vpc_security_group_ids      = [aws_security_group.bastion.id]
  tags                        = merge(local.tags, { Name = "${var.name}-bastion", Tier = "bastion" })
}

output "vpc_id" {
  value = aws_vpc.this.id
}

output "private_route_table_id" {
  value = aws_route_table.private.id
}

output "app_security_group_id" {
  value = aws_security_group.app.id
}
