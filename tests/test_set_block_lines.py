"""Findings from a plan point at the written block that opens them, whatever order the plan
lists a set's elements in (fixtures/aws/facts/set-blocks-by-content, fixtures/aws/terragoat-web;
their READMEs derive each line by hand)."""

from __future__ import annotations

from pathlib import Path

import pytest
from expectations import AWS_FIXTURES, load_expectation

from reachlint.commands.check import run_check
from reachlint.dialects.terraform.set_blocks import align
from reachlint.formats.terraform.records import UNKNOWN, TfResource
from reachlint.rules.findings import Finding
from reachlint.sources import Origin

SETS = AWS_FIXTURES / "facts" / "set-blocks-by-content"
TERRAGOAT = AWS_FIXTURES / "terragoat-web"
FILTERS = {"security-group-rule", "network-acl-entry", "route", "listener"}

# (rule, from, to) -> the filter hops of its path: (address, line).
SET_BLOCK_LINES = {
    ("WEB-SSH", "internet", "aws_instance.web"): {
        ("aws_route_table.public", 32),
        ("aws_network_acl.public", 102),
        ("aws_security_group.web", 205),
    },
    ("WEB-HTTP", "internet", "aws_instance.web"): {
        ("aws_route_table.public", 32),
        ("aws_network_acl.public", 93),
        ("aws_security_group.web", 198),
    },
    ("WEB-VIA-ELB-HTTP", "internet", "aws_instance.web"): {
        ("aws_route_table.public", 32),
        ("aws_network_acl.public", 93),
        ("aws_network_acl.public", 84),
        ("aws_security_group.elb", 172),
        ("aws_security_group.elb", 179),
        ("aws_elb.web", 309),
        ("aws_security_group.elb", 186),
        ("aws_security_group.web", 219),
    },
    ("WEB-VIA-ELB-HTTPS", "internet", "aws_instance.web"): {
        ("aws_route_table.public", 32),
        ("aws_network_acl.public", 93),
        ("aws_network_acl.public", 84),
        ("aws_security_group.elb", 172),
        ("aws_security_group.elb", 179),
        ("aws_elb.web", 301),
        ("aws_security_group.elb", 186),
        ("aws_security_group.web", 212),
    },
    ("APP-FROM-WEB", "aws_instance.web", "aws_instance.app"): {
        ("aws_security_group.web", 226),
        ("aws_network_acl.public", 66),
        ("aws_default_network_acl.main", 124),
        ("aws_security_group.app", 251),
    },
    ("APP-FROM-ADMIN", "aws_instance.admin", "aws_instance.app"): {
        ("aws_security_group.admin", 238),
        ("aws_security_group.app", 258),
    },
    ("LEGACY-FROM-WEB", "aws_instance.web", "aws_instance.legacy"): {
        ("aws_security_group.web", 226),
        ("aws_network_acl.public", 66),
        ("aws_default_network_acl.main", 124),
        ("aws_default_security_group.default", 153),
    },
    ("LEGACY-TO-INTERNET", "aws_instance.legacy", "internet"): {
        ("aws_default_security_group.default", 160),
        ("aws_default_network_acl.main", 133),
        ("aws_default_route_table.main", 51),
    },
}
TERRAGOAT_LINES = {
    ("INTERNET-ADMIN-PORTS", "internet", "aws_instance.web_host"): {
        ("aws_route.public_internet_gateway", 176),
        ("aws_vpc.web_vpc.default_network_acl", 74),
        ("aws_security_group.web-node", 47),
    },
}


def _filter_lines(finding: Finding, file: str) -> set[tuple[str, int | None]]:
    hops = [hop for hop in finding.path if hop.kind in FILTERS]
    assert all(hop.file is not None and hop.file.endswith(file) for hop in hops), hops
    return {(hop.address, hop.line) for hop in hops}


def _lines(directory: Path, source: str, file: str) -> dict[tuple[str, str, str], object]:
    expectation = load_expectation(directory / "expected.yaml")
    given = directory / "plan.json" if source == "plan" else directory
    findings = run_check([given], expectation.rules, builtin=expectation.builtin).findings
    return {
        (f.rule, f.source.address, f.destination.address): _filter_lines(f, file) for f in findings
    }


@pytest.mark.parametrize("source", ["plan", "directory"])
def test_every_hop_points_at_the_block_that_opens_it(source: str) -> None:
    assert _lines(SETS, source, "set-blocks-by-content/main.tf") == SET_BLOCK_LINES


@pytest.mark.parametrize("source", ["plan", "directory"])
def test_terragoat_ssh_points_at_the_ssh_block(source: str) -> None:
    lines = _lines(TERRAGOAT, source, "terragoat-web/ec2.tf")
    assert {key: lines[key] for key in TERRAGOAT_LINES} == TERRAGOAT_LINES


# Matching one resource's blocks by hand: what the plan and the configuration would give.


def _rule(port: int, cidr: object) -> dict[str, object]:
    return {"from_port": port, "to_port": port, "protocol": "tcp", "cidr_blocks": [cidr]}


def _pair(
    planned: list[dict[str, object]], written: list[dict[str, object]], lines: list[int]
) -> tuple[TfResource, TfResource]:
    plan = TfResource(address="aws_security_group.g", type="aws_security_group", name="g")
    plan.values = {"ingress": planned}
    configured = TfResource(
        address="aws_security_group.g", type="aws_security_group", name="g", values={}
    )
    configured.values = {"ingress": written}
    configured.origin = Origin(file="main.tf", line=1)
    configured.attribute_origins = {
        f"ingress.{i}": Origin(file="main.tf", line=line) for i, line in enumerate(lines)
    }
    return plan, configured


def test_a_block_whose_content_is_unknown_is_placed_by_elimination() -> None:
    # The directory read has no value for the first block's range; the second is known.
    plan, configured = _pair(
        [_rule(22, "10.0.0.0/8"), _rule(22, "192.0.2.0/24")],
        [_rule(22, UNKNOWN), _rule(22, "10.0.0.0/8")],
        [10, 20],
    )
    origins = align(plan, configured).origins
    assert (origins["ingress.0"].line, origins["ingress.1"].line) == (20, 10)


def test_blocks_that_cannot_be_told_apart_get_the_resource_line() -> None:
    # Both written ranges are unknown: either block may be either element, and they differ.
    plan, configured = _pair(
        [_rule(22, "10.0.0.0/8"), _rule(22, "192.0.2.0/24")],
        [_rule(22, UNKNOWN), _rule(22, UNKNOWN)],
        [10, 20],
    )
    configured.references = {
        "ingress.0.cidr_blocks": ["aws_vpc.a"],
        "ingress.1.cidr_blocks": ["aws_vpc.b"],
    }
    aligned = align(plan, configured)
    assert "ingress.0" not in aligned.origins and "ingress.1" not in aligned.origins
    # What they refer to stays known for the list, not for either block.
    assert aligned.references == {"ingress.cidr_blocks": ["aws_vpc.a", "aws_vpc.b"]}


def test_one_dynamic_block_stands_for_every_element_it_makes() -> None:
    # A dynamic block over a value known only after apply is read as one unknown block.
    plan, configured = _pair(
        [_rule(443, "10.0.0.0/8"), _rule(443, "192.0.2.0/24"), _rule(22, "10.0.0.0/8")],
        [{"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": UNKNOWN}],
        [30],
    )
    configured.references = {"ingress.0.cidr_blocks": ["data.aws_vpc.shared"]}
    aligned = align(plan, configured)
    assert [aligned.origins.get(f"ingress.{i}") for i in range(3)] == [
        Origin(file="main.tf", line=30),
        Origin(file="main.tf", line=30),
        None,  # tcp 22 cannot come from the tcp 443 block
    ]
    assert aligned.references == {"ingress.cidr_blocks": ["data.aws_vpc.shared"]}


def test_identical_written_blocks_planned_as_one_element() -> None:
    # A set keeps one copy of equal elements; either written block is the right line.
    plan, configured = _pair(
        [_rule(80, "0.0.0.0/0")], [_rule(80, "0.0.0.0/0"), _rule(80, "0.0.0.0/0")], [5, 12]
    )
    assert align(plan, configured).origins["ingress.0"].line == 5


def test_lists_keep_their_positions() -> None:
    # aws_lb_listener's default_action is a list: its order is the configuration's.
    plan = TfResource(address="aws_lb_listener.l", type="aws_lb_listener", name="l")
    plan.values = {"default_action": [{"type": "forward"}, {"type": "fixed-response"}]}
    configured = TfResource(address="aws_lb_listener.l", type="aws_lb_listener", name="l")
    configured.values = {"default_action": [{"type": UNKNOWN}, {"type": "forward"}]}
    configured.attribute_origins = {
        "default_action.0": Origin(file="main.tf", line=3),
        "default_action.1": Origin(file="main.tf", line=9),
    }
    origins = align(plan, configured).origins
    assert (origins["default_action.0"].line, origins["default_action.1"].line) == (3, 9)


def test_blocks_of_types_without_a_schema_are_matched_by_content() -> None:
    # azurerm_network_security_group's security_rule is a set; no azurerm schema is shipped.
    kind = "azurerm_network_security_group"
    plan = TfResource(address=f"{kind}.n", type=kind, name="n")
    plan.values = {"security_rule": [{"name": "ssh", "priority": 100}, {"name": "web"}]}
    configured = TfResource(address=f"{kind}.n", type=kind, name="n")
    configured.values = {"security_rule": [{"name": "web"}, {"name": "ssh", "priority": 100}]}
    configured.attribute_origins = {
        "security_rule.0": Origin(file="main.tf", line=7),
        "security_rule.0.name": Origin(file="main.tf", line=8),
        "security_rule.1": Origin(file="main.tf", line=15),
    }
    origins = align(plan, configured).origins
    assert origins["security_rule.0"].line == 15
    assert (origins["security_rule.1"].line, origins["security_rule.1.name"].line) == (7, 8)


def test_values_nested_beyond_reason_keep_only_the_resource_line() -> None:
    deep: dict[str, object] = {}
    inner = deep
    for _ in range(5000):
        inner["x"] = [{}]
        inner = inner["x"][0]  # type: ignore[index]
    plan, configured = _pair([deep], [deep], [10])
    configured.attribute_origins["name"] = Origin(file="main.tf", line=2)
    aligned = align(plan, configured)
    assert aligned.origins == {"name": Origin(file="main.tf", line=2)}
