#!/usr/bin/env python3
"""Compare a generated plan with the plan Terraform itself makes of the same estate.

Usage:
  python benchmarks/check_shape.py [--resources N] [--seed S]
      Writes the estate as .tf files, plans it with terraform against the local provider
      mirror, and compares that plan with generate.py's field by field. Exit 1 on a difference.
  python benchmarks/check_shape.py --capture
      Plans a two-VPC estate and stores its resources as templates.json for generate.py.

Needs terraform and hashicorp/aws 5.100.0 in a filesystem mirror (TF_PLUGIN_MIRROR, default
/opt/tf-plugins). Credentials are fake; nothing is refreshed or applied.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate

MIRROR = os.environ.get("TF_PLUGIN_MIRROR", "/opt/tf-plugins")
CLI_CONFIG = f"""
provider_installation {{
  filesystem_mirror {{
    path    = "{MIRROR}"
    include = ["registry.terraform.io/hashicorp/*"]
  }}
  direct {{ exclude = ["registry.terraform.io/hashicorp/*"] }}
}}
"""
JSON = dict[str, Any]


def terraform_plan(estate: generate.Estate, work: Path) -> JSON:
    """Plan the estate with terraform and return `terraform show -json` of the plan."""
    generate.write_config(estate, work)
    (work / "cli.tfrc").write_text(CLI_CONFIG)
    env = dict(
        os.environ,
        TF_CLI_CONFIG_FILE=str(work / "cli.tfrc"),
        TF_IN_AUTOMATION="1",
        AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE",
        AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        AWS_REGION="us-east-1",
    )
    steps = [
        ["terraform", "init", "-input=false", "-no-color"],
        ["terraform", "plan", "-refresh=false", "-input=false", "-no-color", "-out=plan.tfplan"],
    ]
    for step in steps:
        subprocess.run(step, cwd=work, env=env, check=True, capture_output=True, text=True)
    shown = subprocess.run(
        ["terraform", "show", "-json", "plan.tfplan"],
        cwd=work, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    plan: JSON = json.loads(shown.stdout)
    return plan


def _config_address(address: str) -> str:
    return re.sub(r"\[[^\]]*\]", "", address)


def _planned_entries(module: JSON) -> Iterator[JSON]:
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from _planned_entries(child)


_FIRST = generate.Vpc("v0000", generate.vpc_cidr(0), web=1, app=1, db=1)
_SECOND = generate.Vpc("v0001", generate.vpc_cidr(1), web=2, app=1, db=2)
TEMPLATE_ESTATE = generate.Estate((_FIRST, _SECOND), (generate.Peering(_FIRST, _SECOND),))


def capture(work: Path) -> JSON:
    """Templates for generate.py from a real plan of a two-VPC estate with one peering."""
    a, b = TEMPLATE_ESTATE.vpcs
    plan = terraform_plan(TEMPLATE_ESTATE, work)
    planned = {
        entry["address"]: entry for entry in _planned_entries(plan["planned_values"]["root_module"])
    }
    resources: dict[str, JSON] = {}
    peering: dict[str, JSON] = {}
    roles = {
        f"aws_vpc_peering_connection.{a.key}_{b.key}": "connection",
        f"aws_route.{a.key}_to_{b.key}": "route",
        f"aws_route.{b.key}_to_{a.key}": "route_back",
        f"aws_security_group_rule.{b.key}_app_from_{a.key}": "rule",
    }
    root_config = {e["address"]: e for e in plan["configuration"]["root_module"]["resources"]}
    for change in plan["resource_changes"]:
        address = change["address"]
        if address in roles:
            peering[roles[address]] = {
                "planned": planned[address],
                "change": change,
                "configuration": root_config[address],
            }
            continue
        config = _config_address(address)
        if config not in resources:
            resources[config] = {"planned": planned[address], "change": change["change"]}
    module_prefix = f'module.vpc["{a.key}"].'
    module_relevant = [
        {**item, "resource": item["resource"].removeprefix(module_prefix)}
        for item in plan["relevant_attributes"]
        if item["resource"].startswith(module_prefix)
    ]
    configuration = plan["configuration"]
    configuration["root_module"]["resources"] = []
    return {
        "format_version": plan["format_version"],
        "terraform_version": plan["terraform_version"],
        "status": {key: plan[key] for key in ("applyable", "complete", "errored")},
        "resources": dict(sorted(resources.items())),
        "peering": {
            "requester": a.key,
            "accepter": b.key,
            "requester_cidr": a.cidr,
            "accepter_cidr": b.cidr,
            "resources": {
                role: peering[role] for role in ("connection", "route", "route_back", "rule")
            },
        },
        "relevant_attributes": {
            "module": sorted(module_relevant, key=lambda item: json.dumps(item, sort_keys=True)),
            "peering": [
                item
                for item in plan["relevant_attributes"]
                if not item["resource"].startswith("module.")
            ],
        },
        "configuration": configuration,
    }


def differences(real: Any, made: Any, path: str = "$") -> Iterator[str]:
    """Every place where two JSON values differ, in order; lists compare element by element."""
    if isinstance(real, dict) and isinstance(made, dict):
        if list(real) != list(made) and set(real) == set(made):
            yield f"{path}: same keys in another order"
        for key in real:
            if key not in made:
                yield f"{path}.{key}: missing from the generated plan"
            else:
                yield from differences(real[key], made[key], f"{path}.{key}")
        for key in made:
            if key not in real:
                yield f"{path}.{key}: only in the generated plan"
    elif isinstance(real, list) and isinstance(made, list):
        if len(real) != len(made):
            yield f"{path}: {len(real)} items in terraform's plan, {len(made)} generated"
        for index, (one, other) in enumerate(zip(real, made, strict=False)):
            yield from differences(one, other, f"{path}[{index}]")
    elif real != made or type(real) is not type(made):
        yield f"{path}: terraform {json.dumps(real)[:80]}, generated {json.dumps(made)[:80]}"


def _sort_child_modules(module: JSON) -> None:
    children = module.get("child_modules")
    if isinstance(children, list):
        children.sort(key=lambda child: str(child.get("address")))
        for child in children:
            _sort_child_modules(child)


def compare(real: JSON, made: JSON) -> list[str]:
    # Terraform lists relevant attributes and nested modules in no fixed order from run to run,
    # and stamps each plan with its time.
    for plan in (real, made):
        plan["relevant_attributes"].sort(key=lambda item: json.dumps(item, sort_keys=True))
        _sort_child_modules(plan["planned_values"]["root_module"])
        plan["timestamp"] = "(time of the plan)"
    return list(differences(real, made))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resources", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--capture", action="store_true", help="rewrite templates.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        try:
            if args.capture:
                templates = capture(work)
                generate.TEMPLATES.write_text(json.dumps(templates, indent=1) + "\n")
                print(f"{generate.TEMPLATES}: {len(templates['resources'])} resource templates")
                return 0
            estate = generate.make_estate(args.resources, args.seed)
            real = terraform_plan(estate, work)
        except subprocess.CalledProcessError as err:
            print(f"terraform failed:\n{err.stderr}", file=sys.stderr)
            return 1
    made = generate.build_plan(estate)
    found = compare(real, json.loads(json.dumps(made)))
    count = estate.resource_count()
    print(f"{len(estate.vpcs)} VPCs, {len(estate.peerings)} peerings, {count} resources")
    print(f"terraform planned {len(real['resource_changes'])} resource changes")
    for line in found[:50]:
        print(line)
    if found:
        print(f"{len(found)} differences")
        return 1
    print("the generated plan equals terraform's, field by field")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
