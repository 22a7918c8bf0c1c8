variable "subnet_id" {
  type = string
}

variable "security_group_id" {
  type = string
}

resource "aws_security_group" "instance" {
}

resource "aws_instance" "this" {
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  subnet_id              = var.subnet_id
  vpc_security_group_ids = [var.security_group_id, aws_security_group.instance.id]
}

output "instance_security_group" {
  value = aws_security_group.instance.id
}
