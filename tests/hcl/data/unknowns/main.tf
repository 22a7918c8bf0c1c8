variable "instance_count" {
  type = number
}

variable "allowed" {
  type = list(string)
}

resource "aws_instance" "web" {
  count = var.instance_count
  tags = {
    Name = "web-${count.index}"
  }
}

resource "aws_security_group" "web" {
  dynamic "ingress" {
    for_each = var.allowed
    content {
      from_port   = 443
      to_port     = 443
      protocol    = "tcp"
      cidr_blocks = [ingress.value]
    }
  }
}

variable "create" {
  type = bool
}

resource "aws_subnet" "optional" {
  count      = var.create ? 2 : 0
  vpc_id     = "vpc-12345678"
  cidr_block = cidrsubnet("10.0.0.0/16", 8, count.index)
}

resource "aws_security_group" "optional" {
  for_each = var.create ? { app = 8080 } : {}
  name     = each.key

  dynamic "ingress" {
    for_each = var.create ? [each.value] : []
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["10.0.0.0/8"]
    }
  }
}
