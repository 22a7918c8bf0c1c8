"""A finding's path names the filter rules that admit its traffic, not every rule of the group."""

from __future__ import annotations

from pathlib import Path

from reachlint.commands.check import run_check

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "aws"


def test_path_shows_only_the_rule_that_opens_the_finding() -> None:
    fixture = FIXTURES / "naa-noncompliant"
    report = run_check([fixture / "plan.json"], [fixture / "rules.yaml"])
    admin = next(f for f in report.findings if f.rule == "INTERNET-ADMIN-PORTS")
    rules = [hop for hop in admin.path if hop.kind == "security-group-rule"]
    assert len(rules) == 1
    assert "tcp 22" in rules[0].detail
    assert [hop.kind for hop in admin.path][:2] == ["internet-gateway", "route"]


def test_target_behind_load_balancer_keeps_the_listener_side_of_the_path() -> None:
    fixture = FIXTURES / "facts" / "lb-forwards-target-port"
    rules = fixture / "rules.yaml"
    report = run_check([fixture / "plan.json"], [rules])
    through = [f for f in report.findings if any(h.kind == "load-balancer" for h in f.path)]
    assert through
    kinds = [hop.kind for hop in through[0].path]
    assert kinds.index("security-group-rule") < kinds.index("load-balancer")
    assert "listener" in kinds and "target-group" in kinds


def test_a_public_subnet_is_not_said_to_give_the_first_member_alone_its_address(
    tmp_path: Path,
) -> None:
    # Two instances alike in one public subnet are one class; each finding's path shows how
    # its own end got a public address, not that the subnet gave one to the other.
    from tests.test_unknown_tags import NETWORK, instance

    (tmp_path / "main.tf").write_text(
        NETWORK + instance("one", '{ Tier = "app" }') + instance("two", '{ Tier = "app" }')
    )
    report = run_check([tmp_path], [], assume_unknown="closed")
    details = {
        f.destination.address: [h.detail for h in f.path if h.kind == "public-address"]
        for f in report.findings
        if f.source.address == "internet"
    }
    assert details == {
        "aws_instance.one": ["gives each endpoint launched in it a public address"],
        "aws_instance.two": ["gives each endpoint launched in it a public address"],
    }


def test_a_finding_about_one_family_names_that_family_s_route_alone(tmp_path: Path) -> None:
    # The change opens SSH over IPv6 only (the base admits it from 0.0.0.0/0): the new part
    # comes by the ::/0 route, with no public IPv4 address on its way.
    fixture = FIXTURES / "facts" / "dual-stack-path-both-routes"
    head = fixture / "template.yaml"
    base = tmp_path / "base.yaml"
    base.write_text(
        "".join(
            line
            for line in head.read_text().splitlines(True)
            if 'CidrIpv6: "::/0"}' not in line or "22" not in line
        )
    )
    report = run_check([head], [fixture / "rules.yaml"], base=[base])
    (ssh,) = [f for f in report.findings if f.rule == "INTERNET-ADMIN-PORTS"]
    on_path = [hop.address for hop in ssh.path]
    assert "InternetV6" in on_path
    assert "InternetV4" not in on_path and "Public" not in on_path
    # Checked whole, the same finding names both routes and the public address.
    (whole,) = [f for f in run_check([head], []).findings if f.rule == "INTERNET-ADMIN-PORTS"]
    assert {"InternetV4", "InternetV6", "Public"} <= {hop.address for hop in whole.path}
