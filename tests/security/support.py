"""A small repository to attack, and ways to run reachlint on it as CI would."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from reachlint.commands.cli import app

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"

# An instance with a public address and SSH open to the internet: INTERNET-ADMIN-PORTS reports
# it with the security group rule on its path, the rule's description in the hop's detail.
# {description} and {name_tag} are HCL expressions the attacking tests fill in.
PUBLIC_SSH = """\
resource "aws_vpc" "main" {{
  cidr_block = "10.0.0.0/16"
}}

resource "aws_internet_gateway" "main" {{
  vpc_id = aws_vpc.main.id
}}

resource "aws_subnet" "public" {{
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.0.1.0/24"
  map_public_ip_on_launch = true
}}

resource "aws_route_table" "public" {{
  vpc_id = aws_vpc.main.id
  route {{
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main.id
  }}
}}

resource "aws_route_table_association" "public" {{
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}}

resource "aws_security_group" "web" {{
  name   = "web"
  vpc_id = aws_vpc.main.id
  ingress {{
    description = {description}
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}

resource "aws_instance" "web" {{
  ami                    = "ami-0c55b159cbfafe1f0"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.public.id
  vpc_security_group_ids = [aws_security_group.web.id]
  tags                   = {{ Name = {name_tag}, Tier = "web" }}
}}
"""


def public_ssh(description: str = '"SSH"', name_tag: str = '"web"') -> str:
    return PUBLIC_SSH.format(description=description, name_tag=name_tag)


def repository(root: Path, files: dict[str, str]) -> Path:
    """A git work tree (its root marked by .git) holding `files`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / ".git").mkdir(exist_ok=True)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def reachlint(*args: str | Path, env: dict[str, str] | None = None) -> Run:
    """reachlint run in this process."""
    result = CliRunner().invoke(app, [str(arg) for arg in args], env=env)
    return Run(result.exit_code, result.stdout, result.stderr)


def reachlint_process(*args: str | Path, cwd: Path | None = None, timeout: float = 60) -> Run:
    """reachlint run as its own process, for inputs that could make it wait forever."""
    done = subprocess.run(
        [sys.executable, "-m", "reachlint", *(str(arg) for arg in args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def refused(run: Run, file: str, *words: str) -> str:
    """The one-sentence error that refuses `file`; it names the file and says why."""
    assert run.code == 2, run.output
    assert run.stdout == "", run.stdout
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    line = lines[0]
    assert "Traceback" not in line and "internal error" not in line, line
    assert file in line, line
    for word in words:
        assert word in line, line
    return line
