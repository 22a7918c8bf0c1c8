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
