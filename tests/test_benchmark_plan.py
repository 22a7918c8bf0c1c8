"""The benchmark's generated plans read like real ones: every resource loads and connects."""

from __future__ import annotations

import json
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import generate  # noqa: E402  (a script beside the benchmark, not a package)

from reachlint.dialects.terraform.aws import build_aws_model  # noqa: E402
from reachlint.engine.flows import EndpointClass, External  # noqa: E402
from reachlint.engine.reach import compute_reachability  # noqa: E402
from reachlint.formats.terraform.plan import load_plan_resources  # noqa: E402


def test_generated_plan_loads_and_maps_with_the_estates_counts(tmp_path: Path) -> None:
    estate = generate.make_estate(300, seed=5)
    plan = tmp_path / "plan.json"
    generate.write_plan(estate, plan)
    loaded = load_plan_resources(plan)
    model = build_aws_model(loaded.resources, loaded.ids, str(plan))
    vpcs = len(estate.vpcs)
    instances = sum(len(generate.ZONES) * (v.web + v.app + v.db) for v in estate.vpcs)
    web = sum(len(generate.ZONES) * v.web for v in estate.vpcs)

    assert len(loaded.resources) == estate.resource_count()
    assert loaded.notes == [] and model.notes == []
    assert len(model.networks) == vpcs
    assert len(model.subnets) == 4 * len(generate.ZONES) * vpcs
    # Declared groups, ACLs and tables, plus the VPC's default ones the mapper makes explicit.
    assert len(model.security_groups) == 6 * vpcs
    assert len(model.network_acls) == 3 * vpcs
    assert len(model.route_tables) == 3 * vpcs
    assert len(model.peerings) == len(estate.peerings)
    assert len(model.endpoints) == instances + 2 * vpcs  # plus a bastion and a load balancer
    assert sum(len(group.targets) for group in model.target_groups.values()) == web
    for endpoint in model.endpoints.values():
        for interface in endpoint.interfaces:
            assert interface.subnet in model.subnets, endpoint.address


def test_generated_plan_means_what_its_configuration_says(tmp_path: Path) -> None:
    estate = generate.make_estate(1, seed=1)
    plan = tmp_path / "plan.json"
    generate.write_plan(estate, plan)
    loaded = load_plan_resources(plan)
    reach = compute_reachability(build_aws_model(loaded.resources, loaded.ids, str(plan)))
    from_internet: dict[str, str] = {}
    for flow in reach.flows:
        source, destination = flow.source, flow.destination
        if flow.state != "reachable" or not isinstance(destination, EndpointClass):
            continue
        if isinstance(source, External) and source.kind == "internet":
            for member in destination.members:
                from_internet[member.endpoint.split(".", 1)[1]] = flow.traffic.text()
    key = estate.vpcs[0].key
    assert from_internet[f'vpc["{key}"].aws_lb.web'] == "tcp 80"
    assert from_internet[f'vpc["{key}"].aws_instance.bastion'] == "tcp 22"
    # Web instances behind the load balancer get its traffic on the target port only.
    assert from_internet[f'vpc["{key}"].module.zone[0].aws_instance.web[0]'] == "tcp 8080"


def test_generated_plan_is_compact_json_in_terraforms_layout(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    generate.write_plan(generate.make_estate(1), plan)
    text = plan.read_text()
    document = json.loads(text)
    assert ", " not in text[:200]
    assert list(document)[:4] == [
        "format_version",
        "terraform_version",
        "planned_values",
        "resource_changes",
    ]
    assert document["format_version"] == "1.2"
