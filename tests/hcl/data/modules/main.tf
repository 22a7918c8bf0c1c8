resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

module "net" {
  source = "./modules/net"
  vpc_id = aws_vpc.main.id
  cidr   = aws_vpc.main.cidr_block
}

module "app" {
  source            = "./modules/app"
  count             = 2
  subnet_id         = module.net.subnet_ids[count.index]
  security_group_id = module.net.security_group_id
}

module "edge" {
  source            = "./modules/app"
  for_each          = { blue = 0, green = 1 }
  subnet_id         = module.net.subnet_ids[each.value]
  security_group_id = module.net.security_group_id
}

resource "aws_security_group_rule" "from_app" {
  type                     = "ingress"
  from_port                = 5432
  to_port                  = 5432
  protocol                 = "tcp"
  security_group_id        = module.net.security_group_id
  source_security_group_id = module.app[1].instance_security_group
}
