"""For every fixture with a plan made by real Terraform, loading its .tf files gives the same
resources: the same addresses, the same values where the plan knows them, and references to
the same resources.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reachlint.formats.terraform.directory import load_terraform_dir
from reachlint.formats.terraform.records import UNKNOWN, TfResource

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
PLANNED = sorted(
    path.parent for path in FIXTURES.rglob("plan.json") if any(path.parent.glob("*.tf"))
)

# Attributes a network model reads; their planned values are compared wherever the plan
# knows them, at the top level and in nested blocks.
KEY_ATTRIBUTES = frozenset(
    {
        "cidr_block",
        "cidr_blocks",
        "ipv6_cidr_blocks",
        "ipv6_cidr_block",
        "cidr_ipv4",
        "cidr_ipv6",
        "from_port",
        "to_port",
        "port",
        "protocol",
        "ip_protocol",
        "self",
        "egress",
        "type",
        "rule_number",
        "rule_action",
        "action",
        "map_public_ip_on_launch",
        "associate_public_ip_address",
        "destination_cidr_block",
        "internal",
        "load_balancer_type",
        "availability_zone",
        "private_ip",
        "private_ips",
        "vpc_endpoint_type",
        "auto_accept",
        "publicly_accessible",
        "bgp_asn",
        "target_type",
    }
)


def _plan_resources(path: Path) -> list[TfResource]:
    plan_loader = pytest.importorskip(
        "reachlint.formats.terraform.plan", reason="the plan loader is not there yet"
    )
    resources: list[TfResource] = plan_loader.load_plan_resources(path / "plan.json").resources
    return resources


def _is_blocks(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(i, dict) for i in value)


def _differences(name: str, mine: Any, planned: Any) -> list[str]:
    """Where a key value this loader knows differs from what the plan knows."""
    if mine is UNKNOWN or planned is UNKNOWN:
        return []
    if isinstance(mine, list) and isinstance(planned, list) and not _is_blocks(mine):
        if UNKNOWN in mine or UNKNOWN in planned:
            return []
        same = sorted(map(repr, mine)) == sorted(map(repr, planned))
    else:
        same = mine == planned
    return [] if same else [f"{name}: configuration gives {mine!r}, plan {planned!r}"]


def _block_differences(mine: dict[str, Any], planned: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for name, value in mine.items():
        if name in KEY_ATTRIBUTES and name in planned:
            found.extend(_differences(name, value, planned[name]))
    return found


def _value_differences(mine: TfResource, planned: TfResource) -> list[str]:
    found: list[str] = []
    for name, value in mine.values.items():
        plan_value = planned.values.get(name, UNKNOWN)
        if _is_blocks(value):
            if plan_value is UNKNOWN:
                continue
            if not isinstance(plan_value, list) or len(plan_value) != len(value):
                found.append(f"{name}: {len(value)} blocks, the plan has {plan_value!r}")
                continue
            # Blocks in sets come in another order in the plan: match each to one there.
            for block in value:
                if not any(not _block_differences(block, other) for other in plan_value):
                    found.append(f"{name}: no block in the plan matches {block!r}")
        elif name in KEY_ATTRIBUTES:
            found.extend(_differences(name, value, plan_value))
    return found


def _by_attribute(references: dict[str, list[str]]) -> dict[str, set[str]]:
    # The plan keeps an inline block's references on the block ("ingress"); this loader on
    # the attribute inside it ("ingress.0.security_groups"). Compare per top-level attribute.
    grouped: dict[str, set[str]] = {}
    for path, addresses in references.items():
        grouped.setdefault(path.split(".", 1)[0], set()).update(addresses)
    return grouped


def _contains_unknown(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, list):
        return any(_contains_unknown(item) for item in value)
    if isinstance(value, dict):
        return any(_contains_unknown(item) for item in value.values())
    return False


def _reference_differences(mine: TfResource, planned: TfResource) -> list[str]:
    found: list[str] = []
    my_references = _by_attribute(mine.references)
    for name, plan_addresses in _by_attribute(planned.references).items():
        addresses = my_references.get(name, set())
        # The plan lists every resource an expression mentions; evaluating it picks the ones
        # it uses (element(list, count.index) is one subnet), so ours may be fewer, not others.
        if not addresses <= plan_addresses:
            found.append(f"{name}: refers to {sorted(addresses)}, plan {sorted(plan_addresses)}")
        elif not addresses and _contains_unknown(planned.values.get(name, UNKNOWN)):
            found.append(f"{name}: refers to nothing, plan {sorted(plan_addresses)}")
    return found


@pytest.mark.parametrize(
    "fixture", PLANNED, ids=[str(path.relative_to(FIXTURES)) for path in PLANNED]
)
def test_configuration_matches_its_plan(fixture: Path) -> None:
    planned = {resource.address: resource for resource in _plan_resources(fixture)}
    mine = {r.address: r for r in load_terraform_dir(fixture, environ={}).resources}
    assert sorted(mine) == sorted(planned)
    problems: list[str] = []
    for address, resource in mine.items():
        plan_resource = planned[address]
        assert resource.mode == plan_resource.mode, address
        for problem in _value_differences(resource, plan_resource):
            problems.append(f"{address} {problem}")
        for problem in _reference_differences(resource, plan_resource):
            problems.append(f"{address} {problem}")
        for addresses in resource.references.values():
            assert set(addresses) <= set(mine), f"{address} refers to a resource not loaded"
    assert not problems, "\n".join(problems)


def test_there_are_planned_fixtures_to_compare() -> None:
    assert len(PLANNED) >= 5
