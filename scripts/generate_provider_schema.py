#!/usr/bin/env python3
"""Write the trimmed hashicorp/aws schema that the directory loader checks configurations against.

Usage: python scripts/generate_provider_schema.py [--version 5.100.0]

Runs `terraform providers schema -json` offline, with the provider from the local filesystem
mirror (TF_PLUGIN_MIRROR, default /opt/tf-plugins, as fixtures/regenerate.py), and keeps only
what reachlint reads: the resource types the AWS mapper models (its HANDLED_TYPES, plus the
Network Firewall types) and the data sources it reads. Of each type it keeps the names of the
arguments and nested blocks, their nesting (list, set, single...), block counts, and whether an
argument is required, optional or computed only. Descriptions and value types are dropped.

The result, src/reachlint/dialects/terraform/aws_schema.json, is written one type per line:

    {"provider": ..., "version": ..., "resource": {TYPE: BLOCK, ...}, "data": {TYPE: BLOCK}}
    BLOCK  = {"a": {NAME: ATTR}, "b": {NAME: [NESTING, MIN, MAX, BLOCK]}}   (empty keys left out)
    ATTR   = "r" | "o" | "c"            required, optional, computed only
           | [FLAG, "list"|"set", OBJ]  a list or set of objects, which may be written as blocks
    OBJ    = {NAME: 0 | ["list"|"set", OBJ]}

azurerm: no azurerm provider is available offline, so no azurerm schema is generated and
configurations using azurerm types are not checked against one. Hand-writing one would be a
guess at what the provider accepts, which is the one thing this check must not be.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "src" / "reachlint" / "dialects" / "terraform" / "aws_schema.json"
MIRROR = os.environ.get("TF_PLUGIN_MIRROR", "/opt/tf-plugins")
PROVIDER = "registry.terraform.io/hashicorp/aws"
CLI_CONFIG = f"""
provider_installation {{
  filesystem_mirror {{
    path    = "{MIRROR}"
    include = ["registry.terraform.io/hashicorp/*"]
  }}
  direct {{ exclude = ["registry.terraform.io/hashicorp/*"] }}
}}
"""
# Modelled by the mapper's firewall support; kept so that a configuration using them is checked
# the same way once it reads them.
EXTRA_RESOURCES = (
    "aws_networkfirewall_firewall",
    "aws_networkfirewall_firewall_policy",
    "aws_networkfirewall_rule_group",
)
DATA_SOURCES = ("aws_vpc", "aws_subnet", "aws_security_group")


def provider_schema(version: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "cli.tfrc").write_text(CLI_CONFIG)
        (work / "main.tf").write_text(
            "terraform {\n  required_providers {\n"
            f'    aws = {{ source = "hashicorp/aws", version = "{version}" }}\n'
            "  }\n}\n"
        )
        env = dict(os.environ, TF_CLI_CONFIG_FILE=str(work / "cli.tfrc"), TF_IN_AUTOMATION="1")
        subprocess.run(
            ["terraform", "init", "-input=false", "-no-color"],
            cwd=work, env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        shown = subprocess.run(
            ["terraform", "providers", "schema", "-json"],
            cwd=work, env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
    schema: dict[str, Any] = json.loads(shown.stdout)["provider_schemas"][PROVIDER]
    return schema


def trim_block(block: dict[str, Any]) -> dict[str, Any]:
    trimmed: dict[str, Any] = {}
    attributes = {
        name: trim_attribute(attribute)
        for name, attribute in sorted(block.get("attributes", {}).items())
    }
    if attributes:
        trimmed["a"] = attributes
    blocks = {
        name: [
            nested["nesting_mode"],
            nested.get("min_items", 0),
            nested.get("max_items", 0),
            trim_block(nested["block"]),
        ]
        for name, nested in sorted(block.get("block_types", {}).items())
    }
    if blocks:
        trimmed["b"] = blocks
    return trimmed


def trim_attribute(attribute: dict[str, Any]) -> Any:
    flag = "r" if attribute.get("required") else "o" if attribute.get("optional") else "c"
    kind = attribute.get("type")
    if (
        isinstance(kind, list)
        and kind[0] in ("list", "set")
        and isinstance(kind[1], list)
        and kind[1][0] == "object"
    ):
        return [flag, kind[0], object_names(kind[1][1])]
    return flag


def object_names(attributes: dict[str, Any]) -> dict[str, Any]:
    names: dict[str, Any] = {}
    for name, kind in sorted(attributes.items()):
        if (
            isinstance(kind, list)
            and kind[0] in ("list", "set")
            and isinstance(kind[1], list)
            and kind[1][0] == "object"
        ):
            names[name] = [kind[0], object_names(kind[1][1])]
        else:
            names[name] = 0
    return names


def modelled_resources() -> list[str]:
    sys.path.insert(0, str(ROOT / "src"))
    from reachlint.dialects.terraform.aws import HANDLED_TYPES

    return sorted({*HANDLED_TYPES, *EXTRA_RESOURCES})


def render(version: str, resources: dict[str, Any], data: dict[str, Any]) -> str:
    def section(types: dict[str, Any]) -> str:
        lines = [
            f"{json.dumps(name)}:{json.dumps(block, separators=(',', ':'))}"
            for name, block in types.items()
        ]
        return "{\n" + ",\n".join(lines) + "\n}"

    return (
        f'{{"provider":{json.dumps(PROVIDER)},"version":{json.dumps(version)},\n'
        f'"resource":{section(resources)},\n"data":{section(data)}}}\n'
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", default="5.100.0", help="hashicorp/aws version to read")
    args = parser.parse_args(argv)
    schema = provider_schema(args.version)
    available = schema["resource_schemas"]
    wanted = modelled_resources()
    missing = [name for name in wanted if name not in available]
    if missing:
        print(f"not in hashicorp/aws {args.version}: {', '.join(missing)}", file=sys.stderr)
        return 1
    resources = {name: trim_block(available[name]["block"]) for name in wanted}
    data = {name: trim_block(schema["data_source_schemas"][name]["block"]) for name in DATA_SOURCES}
    OUTPUT.write_text(render(args.version, resources, data), encoding="utf-8")
    print(f"{OUTPUT.relative_to(ROOT)}: {len(resources)} resource types, {len(data)} data sources")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
