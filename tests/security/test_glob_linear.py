"""Rule globs (address and tag value selectors) match in time linear in the value: a pattern of
many stars against a long tag value is answered at once, as a backtracking regular expression
would not be; and the linear matcher means exactly what the glob says."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from reachlint.rules.selectors import glob_match
from tests.security.subprocess_run import run, write

STARS = "*a" * 16 + "*b"  # never matches a value without a b

CONFIGURATION = """
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "public" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}

resource "aws_instance" "web" {
  ami           = "ami-0c55b159cbfafe1f0"
  instance_type = "t3.micro"
  subnet_id     = aws_subnet.public.id
  tags          = { Name = "%s" }
}

# In the VPC's default security group too, which admits its own members: a flow to web.
resource "aws_instance" "app" {
  ami           = "ami-0c55b159cbfafe1f0"
  instance_type = "t3.micro"
  subnet_id     = aws_subnet.public.id
}
"""


def test_a_glob_of_many_stars_against_a_long_tag_value_is_answered_at_once(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        {
            "config/main.tf": CONFIGURATION % ("a" * 3000),
            "rules.yaml": "version: 1\nrules:\n"
            "  - id: NAMED\n"
            f"    match: {{from: any, to: {{tags: {{Name: '{STARS}'}}}}}}\n"
            "  - id: ADDRESSED\n"
            f"    match: {{from: {{addresses: ['{STARS}']}}, to: any}}\n"
            "  - id: ANY\n"
            "    match: {from: any, to: any}\n",
        },
    )
    outcome = run("check", "config", "--rules", "rules.yaml", "--no-builtin", cwd=tmp_path)
    assert outcome.code == 1, outcome.stderr  # ANY reports the flows, NAMED none
    assert outcome.seconds < 15


def reference(pattern: str, value: str) -> bool:
    """Glob matching by dynamic programming: `*` any run, `?` one character, all else itself."""
    matched = [True] + [False] * len(value)
    for char in pattern:
        if char == "*":
            for position in range(1, len(value) + 1):
                matched[position] = matched[position] or matched[position - 1]
        else:
            matched = [False] + [
                matched[position] and char in ("?", value[position])
                for position in range(len(value))
            ]
    return matched[len(value)]


# Values without digits or quotes have no instance key, which glob_match also tries without.
@given(st.text("ab*?[]", max_size=8), st.text("ab[]\n", max_size=10))
def test_the_linear_matcher_means_what_the_glob_says(pattern: str, value: str) -> None:
    assert glob_match(pattern, value) == reference(pattern, value)
