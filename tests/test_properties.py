"""Broken inputs never crash reachlint: exit 0, 1 or 2, and for 2 one line naming the problem.

Hypothesis takes the real plans, templates and rules files of the fixtures and damages them the
way hand edits, other tools and half-finished changes do: keys dropped, values of another type,
lists cut short, values turned unknown, nonsense where CIDRs, ports and protocols belong, lines
of YAML lost or duplicated. `reachlint check` runs in-process on each result.
"""

from __future__ import annotations

import copy
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from reachlint.commands.cli import app
from reachlint.formats.cloudformation.document import read_template

ROOT = Path(__file__).resolve().parent.parent
PLANS = sorted(ROOT.glob("fixtures/aws/**/plan.json")) + sorted(
    ROOT.glob("fixtures/azurerm/*/plan.json")
)
TEMPLATES = sorted(ROOT.glob("fixtures/azure/*/template*.json"))
# CloudFormation templates, YAML with short-form intrinsics among them; damaged as JSON.
STACKS = sorted(
    {
        path
        for pattern in ("fixtures/**/template.yaml", "fixtures/cloudformation/*/*.yaml")
        for path in ROOT.glob(pattern)
        if "Resources" in path.read_text(encoding="utf-8")
    }
) + sorted(ROOT.glob("fixtures/cloudformation/*/cdk.out/*/*.template.json"))
RULES = sorted(ROOT.glob("rules/*.yaml")) + sorted(ROOT.glob("fixtures/*/*/rules.yaml"))
# Examples per property scale with this (CI runs the default; a night run may raise it).
SCALE = float(os.environ.get("REACHLINT_PROPERTY_SCALE", "1"))

# Where a value means something to the network: the attributes a mistake is most likely in.
MEANINGFUL = {
    # Terraform (AWS and azurerm)
    "cidr_block", "cidr_blocks", "ipv6_cidr_block", "ipv6_cidr_blocks", "cidr_ipv4",
    "destination_cidr_block", "from_port", "to_port", "protocol", "ip_protocol", "rule_no",
    "rule_number", "egress", "action", "rule_action", "type", "private_ip", "private_ips",
    "security_groups", "vpc_security_group_ids", "subnet_id", "subnet_ids", "vpc_id",
    "associate_public_ip_address", "map_public_ip_on_launch", "ingress", "route",
    "gateway_id", "nat_gateway_id", "vpc_peering_connection_id", "references", "port",
    "address_space", "address_prefixes", "priority", "direction", "access",
    "source_address_prefix", "destination_port_range", "destination_port_ranges",
    "actions", "after", "after_unknown", "address", "index", "module_address",
    # ARM
    "addressPrefix", "addressPrefixes", "sourceAddressPrefix", "destinationAddressPrefix",
    "sourcePortRange", "destinationPortRange", "securityRules", "subnets", "properties",
    "parameters", "variables", "resources", "dependsOn", "copy", "name", "apiVersion",
    # CloudFormation
    "Resources", "Properties", "Type", "Ref", "Fn::GetAtt", "Fn::If", "Fn::Sub", "Fn::Select",
    "Condition", "Conditions", "Default", "CidrIp", "CidrIpv6", "IpProtocol", "FromPort",
    "ToPort", "SecurityGroupIngress", "SecurityGroupEgress", "SourceSecurityGroupId", "GroupId",
    "VpcId", "SubnetId", "Subnets", "SecurityGroups", "SecurityGroupIds", "CidrBlock",
    "DestinationCidrBlock", "GatewayId", "RuleAction", "RuleNumber", "Egress", "PortRange",
    "Listeners", "DefaultActions", "TargetGroupArn", "Targets", "NetworkInterfaces",
    "AssociatePublicIpAddress", "TemplateURL",
    # rules files
    "cidrs", "ports", "match", "allow", "from", "to", "groups", "rules", "severity", "id",
    "version", "same", "through", "tags", "addresses", "types",
}  # fmt: skip
NONSENSE: list[Any] = [
    "", " ", "-1", "all", "*", "0.0.0.0/0", "999.1.1.1/33", "10.0.0.0/8,10.1.0.0/16",
    "10.0.0.0/", "::/0", "fe80::1%eth0", "not-a-cidr", "80-", "-80", "65536", "1-65536",
    "tcp", "TCP", "icmpv6", "256", "${var.cidr}", "[parameters('x')]", "[concat(",
    -1, 0, 65535, 65536, 2**64, -(2**63), 1.5, float("nan"), True, None, [], {}, [None],
    {"": None}, ["0.0.0.0/0", 22], "\u0000", "é" * 3,
]  # fmt: skip

PathT = tuple[str | int, ...]


@cache
def _document(path: Path) -> Any:
    if path.suffix == ".yaml":  # a CloudFormation template, its intrinsics in long form
        return json.loads(json.dumps(read_template(path)))
    return json.loads(path.read_text(encoding="utf-8"))


def _places(document: Any) -> tuple[list[PathT], list[PathT]]:
    """Every place in a document, and the places whose key is a meaningful attribute."""
    everywhere: list[PathT] = []
    meaningful: list[PathT] = []

    def walk(value: Any, at: PathT) -> None:
        children: list[tuple[str | int, Any]] = []
        if isinstance(value, dict):
            children = list(value.items())
        elif isinstance(value, list):
            children = list(enumerate(value))
        for key, child in children:
            here = (*at, key)
            everywhere.append(here)
            if key in MEANINGFUL:
                meaningful.append(here)
            walk(child, here)

    walk(document, ())
    return everywhere, meaningful


@cache
def _paths(path: Path) -> tuple[list[PathT], list[PathT]]:
    return _places(_document(path))


def _parent(document: Any, path: PathT) -> tuple[Any, str | int] | None:
    """The container holding `path`'s value and its key there, while the path still exists."""
    current = document
    for key in path[:-1]:
        try:
            current = current[key]
        except (KeyError, IndexError, TypeError):
            return None
    if isinstance(current, dict) and path[-1] in current:
        return current, path[-1]
    if isinstance(current, list) and isinstance(path[-1], int) and path[-1] < len(current):
        return current, path[-1]
    return None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
MUTATIONS = ("drop", "retype", "truncate", "unknown", "nonsense", "null")


def _mutate(data: st.DataObject, document: Any, paths: tuple[list[PathT], list[PathT]]) -> Any:
    everywhere, meaningful = paths
    # Places are picked uniformly: left to itself Hypothesis favours the first few keys.
    places = data.draw(st.randoms(use_true_random=False), label="places")
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        pool = meaningful if meaningful and data.draw(st.booleans()) else everywhere
        if not pool:
            break
        path = places.choice(pool)
        found = _parent(document, path)
        if found is None:
            continue  # an earlier mutation removed it
        container, key = found
        kind = data.draw(st.sampled_from(MUTATIONS), label="mutation")
        if kind == "drop":
            del container[key]
        elif kind == "retype":
            container[key] = data.draw(json_values, label="value")
        elif kind == "truncate" and isinstance(container[key], list | str):
            value = container[key]
            container[key] = value[: data.draw(st.integers(0, max(0, len(value) - 1)))]
        elif kind == "unknown":
            _make_unknown(document, path)
        elif kind == "nonsense":
            container[key] = data.draw(st.sampled_from(NONSENSE) | st.text(max_size=20))
        else:
            container[key] = None
    return document


def _make_unknown(document: Any, path: PathT) -> None:
    """Turn an attribute of a planned resource into "known after apply", as Terraform shows it."""
    if len(path) < 5 or path[0] != "resource_changes" or path[2:4] != ("change", "after"):
        return
    change = _parent(document, path[:3])
    if change is None or not isinstance(change[0][change[1]], dict):
        return
    after, unknown = change[0][change[1]].get("after"), change[0][change[1]].get("after_unknown")
    attribute = path[4]
    if isinstance(after, dict) and isinstance(unknown, dict) and attribute in after:
        del after[attribute]
        unknown[attribute] = True


def _assert_clean_exit(result: Any, what: str) -> None:
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{what}: uncaught {result.exception!r}") from result.exception
    assert result.exit_code in (0, 1, 2), f"{what}: exit {result.exit_code}"
    assert "Traceback" not in result.stdout + result.stderr, what
    if result.exit_code == 2:
        message = result.stderr.strip()
        assert message and "\n" not in message, f"{what}: {message!r}"
        assert message.startswith("reachlint: error: "), f"{what}: {message}"
    else:
        json.loads(result.stdout)  # the report is whole


def _check(*arguments: str) -> Any:
    runner = CliRunner(env={"REACHLINT_DEBUG": None, "NO_COLOR": "1"})
    return runner.invoke(app, ["check", *arguments, "--format", "json"], catch_exceptions=True)


def _settings(examples: int) -> Any:
    return settings(
        max_examples=int(examples * SCALE),
        deadline=None,
        derandomize=True,  # the same examples in every CI run; raise the scale to explore more
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def _damaged_json(data: Any, sources: list[Path], tmp: Path) -> tuple[Path, Path]:
    source = data.draw(st.sampled_from(sources), label="source")
    document = _mutate(data, copy.deepcopy(_document(source)), _paths(source))
    damaged = tmp / source.name
    damaged.write_text(json.dumps(document), encoding="utf-8")
    for beside in source.parent.glob("*parameters*.json"):
        (tmp / beside.name).write_bytes(beside.read_bytes())
    return source, damaged


@_settings(200)
@given(data=st.data())
def test_damaged_plan_exits_cleanly(tmp_path_factory: Any, data: Any) -> None:
    source, damaged = _damaged_json(data, PLANS, tmp_path_factory.mktemp("plan"))
    _assert_clean_exit(_check(str(damaged)), str(source))


@pytest.mark.skipif(not TEMPLATES, reason="no ARM templates among the fixtures")
@_settings(100)
@given(data=st.data())
def test_damaged_template_exits_cleanly(tmp_path_factory: Any, data: Any) -> None:
    source, damaged = _damaged_json(data, TEMPLATES, tmp_path_factory.mktemp("template"))
    _assert_clean_exit(_check(str(damaged)), str(source))


@_settings(100)
@given(data=st.data())
def test_damaged_cloudformation_template_exits_cleanly(tmp_path_factory: Any, data: Any) -> None:
    directory = tmp_path_factory.mktemp("stack")
    source, damaged = _damaged_json(data, STACKS, directory)
    # A nested stack's children beside it, as the parent's TemplateURL names them.
    for child in source.parent.glob("*.yaml"):
        if child != source and not (directory / child.name).exists():
            (directory / child.name).write_bytes(child.read_bytes())
    _assert_clean_exit(_check(str(damaged.rename(damaged.with_suffix(".json")))), str(source))


def _damaged_yaml(data: Any, text: str) -> str:
    if data.draw(st.booleans(), label="by structure"):
        document = yaml.safe_load(text)
        return yaml.safe_dump(_mutate(data, document, _places(document)))
    lines = text.splitlines()
    places = data.draw(st.randoms(use_true_random=False), label="line")
    edit = data.draw(st.sampled_from(("delete", "duplicate", "indent", "insert")), label="edit")
    if edit == "insert" or not lines:
        inserted = data.draw(st.text(max_size=30), label="inserted")
        lines.insert(places.randrange(len(lines) + 1), inserted)
    else:
        where = places.randrange(len(lines))
        if edit == "delete":
            del lines[where]
        elif edit == "duplicate":
            lines.insert(where, lines[where])
        else:
            lines[where] = " " + lines[where]
    return "\n".join(lines) + "\n"


@_settings(100)
@given(data=st.data())
def test_damaged_rules_file_exits_cleanly(tmp_path_factory: Any, data: Any) -> None:
    source = data.draw(st.sampled_from(RULES), label="rules file")
    rules = tmp_path_factory.mktemp("rules") / "rules.yaml"
    rules.write_text(_damaged_yaml(data, source.read_text(encoding="utf-8")), encoding="utf-8")
    beside = source.parent / "plan.json"
    plan = beside if beside.exists() else PLANS[0]
    # A built-in rules file given again would only repeat the built-in rules' ids.
    builtin = source.parent.name != "rules" and data.draw(st.booleans(), label="built-in")
    _assert_clean_exit(
        _check(str(plan), "--rules", str(rules), *([] if builtin else ["--no-builtin"])),
        str(source),
    )
