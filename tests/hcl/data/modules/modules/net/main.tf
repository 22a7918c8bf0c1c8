variable "vpc_id" {
  type = string
}

variable "cidr" {
  type = string
}

resource "aws_subnet" "this" {
  count      = 2
  vpc_id     = var.vpc_id
  cidr_block = cidrsubnet(var.cidr, 8, count.index)
}

module "sg" {
  source = "../sg"
  vpc_id = var.vpc_id
}

output "subnet_ids" {
  value = aws_subnet.this[*].id
}

output "security_group_id" {
  value = module.sg.id
}
