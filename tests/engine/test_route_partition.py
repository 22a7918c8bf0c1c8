"""A route table partitions a destination by longest prefix: routes that lie apart from the
destination are passed over by their ends, and one address in common is not apart."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reachlint.commands.check import run_check
from reachlint.engine.route_tables import RouteEntry, RouteView
from reachlint.model.traffic import IntervalSet


def _entry(name: str, addresses: IntervalSet, prefix: int) -> RouteEntry:
    return RouteEntry(name, addresses, prefix, "local", None, None, None)


def _parts(view: RouteView, destination: IntervalSet) -> list[tuple[IntervalSet, str]]:
    return [(part, entry.destination) for part, entry in view.partition(destination)]


def _intersected(
    entries: list[RouteEntry], destination: IntervalSet
) -> list[tuple[IntervalSet, str]]:
    """The partition by intersecting every route, in the view's order."""
    remaining, parts = destination, []
    for entry in RouteView(None, entries).entries:
        part = remaining & entry.addresses
        if part:
            parts.append((part, entry.destination))
            remaining = remaining - part
    return parts


def test_a_route_sharing_one_address_at_either_end_takes_it() -> None:
    below = _entry("below", IntervalSet([(0, 10)]), -4)
    above = _entry("above", IntervalSet([(20, 30)]), -4)
    view = RouteView(None, [below, above])
    destination = IntervalSet([(10, 20)])
    assert _parts(view, destination) == [
        (IntervalSet([(10, 10)]), "below"),
        (IntervalSet([(20, 20)]), "above"),
    ]


_INTERVAL = st.tuples(st.integers(0, 64), st.integers(0, 16)).map(lambda s: (s[0], s[0] + s[1]))
_SET = st.lists(_INTERVAL, min_size=0, max_size=3).map(IntervalSet)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_SET, st.integers(-8, 0)), max_size=6), _SET)
def test_passing_over_routes_apart_changes_no_partition(
    routes: list[tuple[IntervalSet, int]], destination: IntervalSet
) -> None:
    entries = [_entry(f"r{n}", addresses, prefix) for n, (addresses, prefix) in enumerate(routes)]
    assert _parts(RouteView(None, entries), destination) == _intersected(entries, destination)


DUAL_STACK_SSH_OVER_IPV6 = """resource "aws_vpc" "main" {
  cidr_block      = "10.0.0.0/16"
  ipv6_cidr_block = "2600:1f18:1:100::/56"
}
resource "aws_internet_gateway" "igw" { vpc_id = aws_vpc.main.id }
resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
  route {
    ipv6_cidr_block = "::/0"
    gateway_id      = aws_internet_gateway.igw.id
  }
}
resource "aws_subnet" "public" {
  vpc_id          = aws_vpc.main.id
  cidr_block      = "10.0.1.0/24"
  ipv6_cidr_block = "2600:1f18:1:101::/64"
}
resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}
resource "aws_security_group" "ssh" {
  vpc_id = aws_vpc.main.id
  ingress {
    from_port        = 22
    to_port          = 22
    protocol         = "tcp"
    ipv6_cidr_blocks = ["::/0"]
  }
}
resource "aws_instance" "web" {
  ami                    = "ami-1"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.public.id
  vpc_security_group_ids = [aws_security_group.ssh.id]
  ipv6_address_count     = 1
}
"""


def test_a_path_over_ipv6_names_the_ipv6_route(tmp_path: Path) -> None:
    # The group admits SSH from IPv6 clients only; their replies leave by the ::/0 route, so
    # that is the route the path cites, not the table's 0.0.0.0/0 one.
    (tmp_path / "main.tf").write_text(DUAL_STACK_SSH_OVER_IPV6)
    (finding,) = run_check([tmp_path], []).findings
    route = finding.path[1]
    assert (route.address, route.detail, route.line) == (
        "aws_route_table.public",
        "aws_route_table.public sends ::/0 to aws_internet_gateway.igw",
        12,
    )
