# The instances of one availability zone: web, app and db tiers, each in its own subnet.

variable "name" {
  description = "Name prefix of the zone's instances"
  type        = string
}

variable "tags" {
  type = map(string)
}

variable "web_count" {
  type = number
}

variable "app_count" {
  type = number
}

variable "db_count" {
  type = number
}

variable "web_subnet_id" {
  type = string
}

variable "app_subnet_id" {
  type = string
}

variable "db_subnet_id" {
  type = string
}

variable "db_subnet_cidr" {
  description = "Databases get fixed addresses from the tenth host on"
  type        = string
}

variable "web_security_group_id" {
  type = string
}

variable "app_security_group_id" {
  type = string
}

variable "db_security_group_id" {
  type = string
}

variable "web_target_group_arn" {
  type = string
}

resource "aws_instance" "web" {
  count = var.web_count

  ami                    = "ami-0c55b159cbfafe1f0"
  instance_type          = "t3.small"
  subnet_id              = var.web_subnet_id
  vpc_security_group_ids = [var.web_security_group_id]
  tags                   = merge(var.tags, { Name = "${var.name}-web-${count.index}", Tier = "web" })
}

resource "aws_lb_target_group_attachment" "web" {
  count = var.web_count

  target_group_arn = var.web_target_group_arn
  target_id        = aws_instance.web[count.index].id
  port             = 8080
}

resource "aws_instance" "app" {
  count = var.app_count

  ami                    = "ami-0c55b159cbfafe1f0"
  instance_type          = "t3.medium"
  subnet_id              = var.app_subnet_id
  vpc_security_group_ids = [var.app_security_group_id]
  tags                   = merge(var.tags, { Name = "${var.name}-app-${count.index}", Tier = "app" })
}

resource "aws_instance" "db" {
  count = var.db_count

  ami                    = "ami-0c55b159cbfafe1f0"
  instance_type          = "r6g.large"
  subnet_id              = var.db_subnet_id
  private_ip             = cidrhost(var.db_subnet_cidr, 10 + count.index)
  vpc_security_group_ids = [var.db_security_group_id]
  tags                   = merge(var.tags, { Name = "${var.name}-db-${count.index}", Tier = "db" })
}
