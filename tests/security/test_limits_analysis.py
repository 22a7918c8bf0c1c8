"""An input whose endpoints are each set apart (a security group of its own) asks the analysis to
judge every pair of them: a few lines with `count` ask for a million pairs and gigabytes. Past
the limit it is refused at once, before any pair is judged."""

from __future__ import annotations

from pathlib import Path

from tests.security.subprocess_run import run

APART = """
resource "aws_vpc" "v" { cidr_block = "10.0.0.0/8" }
resource "aws_subnet" "s" {
  vpc_id     = aws_vpc.v.id
  cidr_block = "10.0.0.0/8"
}
resource "aws_security_group" "g" {
  count  = COUNT
  vpc_id = aws_vpc.v.id
  ingress {
    from_port   = count.index
    to_port     = count.index
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}
resource "aws_instance" "i" {
  count                  = COUNT
  ami                    = "ami-1"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.s.id
  vpc_security_group_ids = [aws_security_group.g[count.index].id]
}
"""


def test_a_million_pairs_of_classes_are_refused_before_they_are_judged(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(APART.replace("COUNT", "1001"))
    outcome = run("check", "main.tf", "--no-builtin", cwd=tmp_path)
    outcome.refused("1,002,001 pairs of endpoint classes", "1,001 classes in aws_vpc.v")
    assert "limit of 1,000,000 pairs" in outcome.stderr
    assert outcome.stderr.startswith("reachlint: error: main.tf:2: ")
    assert outcome.seconds < 20


def test_endpoints_set_apart_below_the_limit_are_judged(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(APART.replace("COUNT", "30"))
    assert run("check", "main.tf", "--no-builtin", cwd=tmp_path).code == 0
