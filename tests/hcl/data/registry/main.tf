module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 5.0"
  cidr    = "10.0.0.0/16"
}

resource "aws_security_group" "web" {
  vpc_id = module.vpc.vpc_id
}

data "aws_vpc" "shared" {
  tags = {
    Name = "shared"
  }
}

resource "aws_subnet" "extra" {
  vpc_id     = data.aws_vpc.shared.id
  cidr_block = "10.1.0.0/24"
}
