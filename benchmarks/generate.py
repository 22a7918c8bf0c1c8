#!/usr/bin/env python3
"""Realistic AWS estates as Terraform plans (`terraform show -json`), at any size.

An estate is a set of VPCs built by one module (config/modules/vpc): public, web, app and db
subnets in three zones, an internet-facing load balancer before the web tier, a NAT gateway,
a bastion, security groups that reference each other through inline blocks and three kinds of
rule resources, a strict network ACL around the databases, and a nested module per zone
(config/modules/zone) with the tiers' instances. VPCs come in groups of twenty: every VPC
peers with its group's hub, the hubs peer in a chain, and each peering carries routes both
ways and a security group rule that references the peer's group.

The plan is what Terraform 1.11 with hashicorp/aws 5.100 writes for that configuration: each
resource's attributes, unknowns and sensitivity come from templates.json, captured from a real
plan of the same configuration by check_shape.py, which also compares a generated plan with a
real one field by field. Only the values that differ from instance to instance are filled in.

Usage:
  python benchmarks/generate.py --resources 10000 --output plan.json
  python benchmarks/generate.py --resources 250 --hcl DIR    (the same estate as .tf files)
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import random
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "config"
TEMPLATES = HERE / "templates.json"

ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")
ADMIN_CIDR = "100.20.0.0/16"
GROUP_SIZE = 20
TIER_OFFSETS = {"public": 0, "web": 4, "app": 8, "db": 12}  # cidrsubnet(var.cidr, 4, n)
TIMESTAMP = "2025-01-01T00:00:00Z"

JSON = dict[str, Any]


@dataclass(frozen=True)
class Vpc:
    key: str  # the module instance key: module.vpc["v0007"]
    cidr: str  # a /20
    web: int  # instances per zone
    app: int
    db: int

    def subnet_cidr(self, tier: str, zone: int) -> str:
        network = ipaddress.ip_network(self.cidr)
        return str(list(network.subnets(prefixlen_diff=4))[TIER_OFFSETS[tier] + zone])

    def resource_count(self) -> int:
        per_zone = 2 * self.web + self.app + self.db  # web instances have a target attachment
        return RESOURCES_PER_VPC + len(ZONES) * per_zone


@dataclass(frozen=True)
class Peering:
    requester: Vpc
    accepter: Vpc

    @property
    def name(self) -> str:
        return f"{self.requester.key}_{self.accepter.key}"


# A peering connection, a route each way and one cross-VPC security group rule.
RESOURCES_PER_PEERING = 4


@dataclass(frozen=True)
class Estate:
    vpcs: tuple[Vpc, ...]
    peerings: tuple[Peering, ...]

    def resource_count(self) -> int:
        peered = RESOURCES_PER_PEERING * len(self.peerings)
        return sum(vpc.resource_count() for vpc in self.vpcs) + peered


def vpc_cidr(index: int) -> str:
    """The index-th /20 of 10.0.0.0/8 (4096 of them)."""
    return f"10.{index // 16}.{(index % 16) * 16}.0/20"


def make_estate(resources: int, seed: int = 1) -> Estate:
    """The smallest estate of at least `resources` resources; the same seed gives the same one."""
    rng = random.Random(seed)
    vpcs: list[Vpc] = []
    peerings: list[Peering] = []
    total = 0
    while total < resources or not vpcs:
        index = len(vpcs)
        if index >= 4096:
            raise ValueError("an estate holds at most 4096 VPCs (about 330,000 resources)")
        vpc = Vpc(
            key=f"v{index:04d}",
            cidr=vpc_cidr(index),
            web=rng.randint(1, 3),
            app=rng.randint(1, 3),
            db=rng.randint(0, 2),
        )
        vpcs.append(vpc)
        total += vpc.resource_count()
        hub = vpcs[index - index % GROUP_SIZE]
        if hub is not vpc:
            peerings.append(Peering(hub, vpc))
        elif index:
            peerings.append(Peering(vpcs[index - GROUP_SIZE], vpc))
        if len(vpcs) > 1:
            total += RESOURCES_PER_PEERING
    return Estate(tuple(vpcs), tuple(peerings))


# ----- the configuration as .tf files ----------------------------------------------------------

_PROVIDERS = """terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

provider "aws" {
  region                      = "us-east-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}
"""


def write_config(estate: Estate, directory: Path) -> None:
    """The estate as a Terraform configuration that `terraform plan` turns into the same plan."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copytree(CONFIG / "modules", directory / "modules", dirs_exist_ok=True)
    (directory / "providers.tf").write_text(_PROVIDERS)
    rows = "\n".join(
        f'    "{v.key}" = {{ cidr = "{v.cidr}", web = {v.web}, app = {v.app}, db = {v.db} }}'
        for v in estate.vpcs
    )
    zones = ", ".join(f'"{zone}"' for zone in ZONES)
    (directory / "main.tf").write_text(
        f"""locals {{
  vpcs = {{
{rows}
  }}
}}

module "vpc" {{
  source   = "./modules/vpc"
  for_each = local.vpcs

  name       = each.key
  cidr       = each.value.cidr
  azs        = [{zones}]
  web_per_az = each.value.web
  app_per_az = each.value.app
  db_per_az  = each.value.db
  admin_cidr = "{ADMIN_CIDR}"
}}
"""
    )
    (directory / "peering.tf").write_text("".join(_peering_hcl(p) for p in estate.peerings))


def _peering_hcl(peering: Peering) -> str:
    a, b = peering.requester, peering.accepter
    return f"""
resource "aws_vpc_peering_connection" "{a.key}_{b.key}" {{
  vpc_id      = module.vpc["{a.key}"].vpc_id
  peer_vpc_id = module.vpc["{b.key}"].vpc_id
  auto_accept = true
  tags        = {{ Name = "{a.key}-{b.key}" }}
}}

resource "aws_route" "{a.key}_to_{b.key}" {{
  route_table_id            = module.vpc["{a.key}"].private_route_table_id
  destination_cidr_block    = "{b.cidr}"
  vpc_peering_connection_id = aws_vpc_peering_connection.{a.key}_{b.key}.id
}}

resource "aws_route" "{b.key}_to_{a.key}" {{
  route_table_id            = module.vpc["{b.key}"].private_route_table_id
  destination_cidr_block    = "{a.cidr}"
  vpc_peering_connection_id = aws_vpc_peering_connection.{a.key}_{b.key}.id
}}

resource "aws_security_group_rule" "{b.key}_app_from_{a.key}" {{
  type                     = "ingress"
  security_group_id        = module.vpc["{b.key}"].app_security_group_id
  description              = "API from the app tier of {a.key}"
  protocol                 = "tcp"
  from_port                = 8443
  to_port                  = 8443
  source_security_group_id = module.vpc["{a.key}"].app_security_group_id
}}
"""


# ----- the plan ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Instance:
    """One resource instance of the estate and where it sits."""

    config: str  # configuration address, module keys and indexes left out
    vpc: Vpc | None
    zone: int | None  # the zone module's index
    index: int | None  # count.index

    @property
    def type(self) -> str:
        return self.config.split(".")[-2]

    @property
    def name(self) -> str:
        return self.config.split(".")[-1]

    @property
    def module_address(self) -> str:
        if self.vpc is None:
            return ""
        address = f'module.vpc["{self.vpc.key}"]'
        return address if self.zone is None else f"{address}.module.zone[{self.zone}]"

    @property
    def address(self) -> str:
        own = f"{self.type}.{self.name}" + ("" if self.index is None else f"[{self.index}]")
        return f"{self.module_address}.{own}" if self.module_address else own


def vpc_instances(vpc: Vpc) -> Iterator[Instance]:
    """Every resource instance of one VPC module instance."""
    for config, count in _VPC_RESOURCES:
        if count == "one":
            yield Instance(f"module.vpc.{config}", vpc, None, None)
        else:
            for index in range(len(ZONES)):
                yield Instance(f"module.vpc.{config}", vpc, None, index)
    for zone in range(len(ZONES)):
        for config, per_zone in _ZONE_RESOURCES:
            for index in range(per_zone(vpc)):
                yield Instance(f"module.vpc.module.zone.{config}", vpc, zone, index)


_VPC_RESOURCES: tuple[tuple[str, str], ...] = (
    ("aws_eip.nat", "one"),
    ("aws_instance.bastion", "one"),
    ("aws_internet_gateway.this", "one"),
    ("aws_lb.web", "one"),
    ("aws_lb_listener.http", "one"),
    ("aws_lb_target_group.web", "one"),
    ("aws_nat_gateway.this", "one"),
    ("aws_network_acl.db", "one"),
    ("aws_network_acl.public", "one"),
    ("aws_network_acl_association.db", "zones"),
    ("aws_network_acl_rule.db_postgres_in", "one"),
    ("aws_network_acl_rule.db_replies_in", "one"),
    ("aws_network_acl_rule.db_replies_out", "one"),
    ("aws_network_acl_rule.db_ssh_denied", "one"),
    ("aws_route.public_internet", "one"),
    ("aws_route_table.private", "one"),
    ("aws_route_table.public", "one"),
    ("aws_route_table_association.app", "zones"),
    ("aws_route_table_association.public", "zones"),
    ("aws_route_table_association.web", "zones"),
    ("aws_security_group.app", "one"),
    ("aws_security_group.bastion", "one"),
    ("aws_security_group.db", "one"),
    ("aws_security_group.lb", "one"),
    ("aws_security_group.web", "one"),
    ("aws_security_group_rule.db_from_app", "one"),
    ("aws_security_group_rule.web_from_lb", "one"),
    ("aws_security_group_rule.web_out", "one"),
    ("aws_security_group_rule.web_ssh", "one"),
    ("aws_subnet.app", "zones"),
    ("aws_subnet.db", "zones"),
    ("aws_subnet.public", "zones"),
    ("aws_subnet.web", "zones"),
    ("aws_vpc.this", "one"),
    ("aws_vpc_security_group_egress_rule.app_out", "one"),
    ("aws_vpc_security_group_ingress_rule.app_from_web", "one"),
    ("aws_vpc_security_group_ingress_rule.app_peers", "one"),
    ("aws_vpc_security_group_ingress_rule.app_ssh", "one"),
)
_ZONE_RESOURCES: tuple[tuple[str, Callable[[Vpc], int]], ...] = (
    ("aws_instance.app", lambda vpc: vpc.app),
    ("aws_instance.db", lambda vpc: vpc.db),
    ("aws_instance.web", lambda vpc: vpc.web),
    ("aws_lb_target_group_attachment.web", lambda vpc: vpc.web),
)
RESOURCES_PER_VPC = sum(1 if count == "one" else len(ZONES) for _, count in _VPC_RESOURCES)


@cache
def load_templates() -> JSON:
    with TEMPLATES.open(encoding="utf-8") as stream:
        templates: JSON = json.load(stream)
    return templates


def _tagged(after: JSON, name: str, network: str) -> JSON:
    tags = {**after["tags"], "Name": name, "Network": network}
    return {**after, "tags": tags, "tags_all": tags}


def _after(instance: Instance, template: JSON) -> JSON:
    """The template's planned attributes with this instance's own values put in."""
    vpc = instance.vpc
    assert vpc is not None
    key, kind, zone, index = vpc.key, instance.config.split(".")[-1], instance.zone, instance.index
    config = instance.config.removeprefix("module.vpc.")
    if config == "aws_vpc.this":
        return _tagged({**template, "cidr_block": vpc.cidr}, key, key)
    if config.startswith("aws_subnet."):
        assert index is not None
        placed = {
            **template,
            "cidr_block": vpc.subnet_cidr(kind, index),
            "availability_zone": ZONES[index],
        }
        return _tagged(placed, f"{key}-{kind}-{index}", key)
    if config.startswith("module.zone.aws_instance."):
        tier = kind
        after = _tagged(template, f"{key}-{zone}-{tier}-{index}", key)
        if tier == "db":
            assert zone is not None and index is not None
            host = ipaddress.ip_network(vpc.subnet_cidr("db", zone))[10 + index]
            after["private_ip"] = str(host)
        return after
    if config.startswith("aws_security_group."):
        after = _tagged({**template, "name": f"{key}-{kind}"}, f"{key}-{kind}", key)
        if kind == "lb":  # its egress reaches the VPC's own range
            after["egress"] = [{**rule, "cidr_blocks": [vpc.cidr]} for rule in template["egress"]]
        return after
    if config.startswith("aws_network_acl_rule.") and template["cidr_block"] != "0.0.0.0/0":
        return {**template, "cidr_block": vpc.cidr}
    if config == "aws_network_acl.public":
        entries = [
            {**entry, "cidr_block": vpc.cidr} if entry["protocol"] == "-1" else entry
            for entry in template["ingress"]
        ]
        return _tagged({**template, "ingress": entries}, f"{key}-public", key)
    if config in {"aws_lb.web", "aws_lb_target_group.web"}:
        named = {**template, "name": f"{key}-web"}
        return _tagged(named, f"{key}-web", key) if template.get("tags") else named
    names = {
        "aws_internet_gateway.this": f"{key}-igw",
        "aws_eip.nat": f"{key}-nat",
        "aws_nat_gateway.this": f"{key}-nat",
        "aws_route_table.public": f"{key}-public",
        "aws_route_table.private": f"{key}-private",
        "aws_network_acl.db": f"{key}-db",
        "aws_instance.bastion": f"{key}-bastion",
    }
    if config in names:
        return _tagged(template, names[config], key)
    return template  # the same in every VPC: shared, never copied


def _resource_entries(instance: Instance, after: JSON) -> tuple[JSON, JSON]:
    """The instance's planned_values entry and its resource_changes entry."""
    template = load_templates()["resources"][instance.config]
    planned: JSON = {}
    for field, value in template["planned"].items():
        planned[field] = value
        if field == "address":
            planned[field] = instance.address
        elif field == "index":
            planned[field] = instance.index
        elif field == "values":
            planned[field] = after
    change: JSON = {
        field: (after if field == "after" else value) for field, value in template["change"].items()
    }
    entry: JSON = {"address": instance.address}
    if instance.module_address:
        entry["module_address"] = instance.module_address
    entry.update(mode="managed", type=instance.type, name=instance.name)
    if instance.index is not None:
        entry["index"] = instance.index
    entry["provider_name"] = template["planned"]["provider_name"]
    entry["change"] = change
    return planned, entry


_TOKEN = re.compile(r"v\d{4}|10\.\d+\.\d+\.0/20")


def _substitute(value: Any, mapping: dict[str, str]) -> Any:
    """The template with the template peering's keys and ranges replaced by another's."""
    if isinstance(value, str):
        return _TOKEN.sub(lambda match: mapping.get(match.group(0), match.group(0)), value)
    if isinstance(value, list):
        return [_substitute(item, mapping) for item in value]
    if isinstance(value, dict):
        return {name: _substitute(item, mapping) for name, item in value.items()}
    return value


def _peering_mapping(peering: Peering) -> dict[str, str]:
    template = load_templates()["peering"]
    a, b = peering.requester, peering.accepter
    return {
        template["requester"]: a.key,
        template["accepter"]: b.key,
        template["requester_cidr"]: a.cidr,
        template["accepter_cidr"]: b.cidr,
    }


def _peering_resources(peering: Peering) -> Iterator[tuple[JSON, JSON, JSON]]:
    """(planned_values entry, resource_changes entry, configuration entry) of each root resource
    of a peering: the connection, the route each way and the cross-VPC rule."""
    mapping = _peering_mapping(peering)
    for template in load_templates()["peering"]["resources"].values():
        yield (
            _substitute(template["planned"], mapping),
            _substitute(template["change"], mapping),
            _substitute(template["configuration"], mapping),
        )


def build_plan(estate: Estate) -> JSON:
    """The plan Terraform writes for the estate (see write_config), as a JSON document."""
    templates = load_templates()
    root_planned: list[JSON] = []
    root_changes: list[JSON] = []
    root_config: list[JSON] = []
    relevant: list[JSON] = []
    for peering in estate.peerings:
        for planned, change, configured in _peering_resources(peering):
            root_planned.append(planned)
            root_changes.append(change)
            root_config.append(configured)
        mapping = _peering_mapping(peering)
        relevant.extend(_substitute(templates["relevant_attributes"]["peering"], mapping))
    by_address = sorted(range(len(root_planned)), key=lambda i: root_planned[i]["address"])
    root_planned = [root_planned[i] for i in by_address]
    root_changes = [root_changes[i] for i in by_address]
    root_config.sort(key=lambda entry: entry["address"])

    vpc_modules: list[JSON] = []
    vpc_changes: list[JSON] = []
    zone_changes: list[JSON] = []
    for vpc in estate.vpcs:
        module_address = f'module.vpc["{vpc.key}"]'
        own: list[JSON] = []
        zones: list[list[JSON]] = [[] for _ in ZONES]
        for instance in vpc_instances(vpc):
            template = templates["resources"][instance.config]
            after = _after(instance, template["change"]["after"])
            planned, change = _resource_entries(instance, after)
            if instance.zone is None:
                own.append(planned)
                vpc_changes.append(change)
            else:
                zones[instance.zone].append(planned)
                zone_changes.append(change)
        children = [
            {"resources": resources, "address": f"{module_address}.module.zone[{zone}]"}
            for zone, resources in enumerate(zones)
            if resources
        ]
        vpc_modules.append({"resources": own, "address": module_address, "child_modules": children})
        relevant.extend(
            {**item, "resource": f"{module_address}.{item['resource']}"}
            for item in templates["relevant_attributes"]["module"]
        )
    relevant.sort(key=lambda item: json.dumps(item, sort_keys=True))

    configuration = json.loads(json.dumps(templates["configuration"]))
    configuration["root_module"]["resources"] = root_config
    return {
        "format_version": templates["format_version"],
        "terraform_version": templates["terraform_version"],
        "planned_values": {
            "root_module": {"resources": root_planned, "child_modules": vpc_modules},
        },
        # Terraform lists the root module's changes first, then each module depth in turn.
        "resource_changes": [*root_changes, *vpc_changes, *zone_changes],
        "configuration": configuration,
        "relevant_attributes": relevant,
        "timestamp": TIMESTAMP,
        **templates["status"],
    }


def write_plan(estate: Estate, output: Path) -> int:
    """Write the estate's plan as compact JSON, as Terraform does; return its size in bytes."""
    text = json.dumps(build_plan(estate), separators=(",", ":"))
    output.write_text(text, encoding="utf-8")
    return len(text)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resources", type=int, required=True, help="at least this many")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", type=Path, help="write the plan JSON here")
    parser.add_argument("--hcl", type=Path, help="write the estate as .tf files here")
    args = parser.parse_args(argv)
    if args.output is None and args.hcl is None:
        parser.error("give --output, --hcl or both")
    estate = make_estate(args.resources, args.seed)
    if args.output is not None:
        size = write_plan(estate, args.output)
        print(f"{args.output}: {estate.resource_count()} resources, {size / 1e6:.1f} MB")
    if args.hcl is not None:
        write_config(estate, args.hcl)
        print(f"{args.hcl}: {len(estate.vpcs)} VPCs, {len(estate.peerings)} peerings")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
