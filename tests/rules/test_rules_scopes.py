"""Network Access Scopes as rules files (`--rules scope.json`).

The meaning of each statement is Network Access Analyzer's:
https://docs.aws.amazon.com/vpc/latest/network-access-analyzer/resource-statement.html (what a
resource statement may name, ids or types but not both), the create-network-insights-access-scope
input and get-network-insights-access-scope-content output
(https://docs.aws.amazon.com/cli/latest/reference/ec2/create-network-insights-access-scope.html),
and a finding is a path that a MatchPath covers and no ExcludePath does. The network is the
Network Access Analyzer sample translated to Terraform (fixtures/aws/naa-noncompliant): a
public web server in the business VPC with SSH open to the world, tcp 22 from it to the
directory server across a peering, the directory server's tcp 443 to anywhere through a NAT
gateway, and the web server's tcp 443 to 55.3.0.0/16 straight through its internet gateway.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rules_scenario import build, summary

from reachlint.commands.check import run_check
from reachlint.errors import InputError
from reachlint.model.network import PrefixList
from reachlint.rules import evaluate, load_rules

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
AWS_FIXTURES = FIXTURES / "aws"
NONCOMPLIANT = AWS_FIXTURES / "naa-noncompliant" / "plan.json"
INSTANCE = {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::Instance"]}}
GATEWAY = {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::InternetGateway"]}}


def _write(directory: Path, name: str, document: object) -> Path:
    path = directory / name
    path.write_text(json.dumps(document, indent=2))
    return path


def _found(
    scope: object, tmp_path: Path, name: str = "scope.json", plan: Path = NONCOMPLIANT
) -> list[tuple[str, str, str, str]]:
    path = _write(tmp_path, name, scope)
    report = run_check([plan], [path], builtin=False)
    return summary(report.findings)


def _path(source: object = None, destination: object = None, **more: object) -> dict[str, object]:
    path: dict[str, object] = {}
    if source is not None:
        path["Source"] = source
    if destination is not None:
        path["Destination"] = destination
    path.update(more)
    return path


def _resources(*names: str) -> dict[str, object]:
    return {"ResourceStatement": {"Resources": list(names)}}


EGRESS = {
    "MatchPaths": [_path(INSTANCE, GATEWAY)],
    "ExcludePaths": [
        _path(destination={"PacketHeaderStatement": {"DestinationAddresses": ["55.3.0.0/16"]}})
    ],
}


def test_the_create_input_and_the_described_content_are_the_same_rule(tmp_path: Path) -> None:
    created = _found(EGRESS, tmp_path, "egress.json")
    described = _found(
        {
            "NetworkInsightsAccessScopeContent": {
                "NetworkInsightsAccessScopeId": "nis-0123456789abcdef0",
                **EGRESS,
            }
        },
        tmp_path,
        "egress.json",
    )
    wrapped = _found({"AccessScopeContent": EGRESS}, tmp_path, "egress.json")
    assert (
        created
        == described
        == wrapped
        == [("egress", "aws_instance.directory", "internet", "tcp 443")]
    )


def test_the_name_tag_names_the_rule_and_severity_is_medium_by_default(tmp_path: Path) -> None:
    tagged = dict(
        EGRESS,
        TagSpecifications=[
            {
                "ResourceType": "network-insights-access-scope",
                "Tags": [{"Key": "Name", "Value": "EGRESS-ONLY-MIRROR"}],
            }
        ],
    )
    path = _write(tmp_path, "anything.json", tagged)
    (rule,) = load_rules([path], builtin=False).rules
    assert (rule.id, rule.severity) == ("EGRESS-ONLY-MIRROR", "medium")


def test_severity_from_a_reachlint_key_or_a_tag(tmp_path: Path) -> None:
    keyed = _write(tmp_path, "a.json", dict(EGRESS, reachlint={"severity": "high"}))
    tagged = _write(
        tmp_path,
        "b.json",
        dict(
            EGRESS,
            TagSpecifications=[
                {
                    "ResourceType": "network-insights-access-scope",
                    "Tags": [{"Key": "reachlint:severity", "Value": "critical"}],
                }
            ],
        ),
    )
    severities = {
        rule.id: rule.severity for rule in load_rules([keyed, tagged], builtin=False).rules
    }
    assert severities == {"a": "high", "b": "critical"}


def test_an_internet_gateway_as_source_is_the_internet_coming_in_through_it(
    tmp_path: Path,
) -> None:
    """Only the business VPC's gateway carries traffic in: the directory server is private."""
    through_business = {
        "MatchPaths": [_path(_resources("aws_internet_gateway.business"), INSTANCE)],
        "ExcludePaths": [
            _path(destination={"PacketHeaderStatement": {"DestinationPorts": ["80", "443"]}})
        ],
    }
    assert _found(through_business, tmp_path) == [
        ("scope", "internet", "aws_instance.web", "tcp 22")
    ]
    through_directory = {
        "MatchPaths": [_path(_resources("aws_internet_gateway.directory"), INSTANCE)]
    }
    assert _found(through_directory, tmp_path) == []


def test_an_internet_gateway_as_destination_takes_nat_paths_in(tmp_path: Path) -> None:
    """The directory server leaves through its NAT gateway, then the directory VPC's gateway."""
    scope = {"MatchPaths": [_path(INSTANCE, _resources("aws_internet_gateway.directory"))]}
    assert _found(scope, tmp_path) == [("scope", "aws_instance.directory", "internet", "tcp 443")]


def test_through_a_nat_gateway_leaves_out_the_direct_path(tmp_path: Path) -> None:
    """The web server's tcp 443 to 55.3.0.0/16 goes straight out: only NAT paths match."""
    through = [{"ResourceStatement": {"ResourceTypes": ["AWS::EC2::NatGateway"]}}]
    scope = {"MatchPaths": [_path(INSTANCE, GATEWAY, ThroughResources=through)]}
    assert _found(scope, tmp_path) == [("scope", "aws_instance.directory", "internet", "tcp 443")]
    direct = {"MatchPaths": [_path(INSTANCE, GATEWAY)]}
    assert ("scope", "aws_instance.web", "internet", "tcp 443") in _found(direct, tmp_path)


def test_several_match_paths_report_what_any_of_them_covers(tmp_path: Path) -> None:
    scope = {
        "MatchPaths": [
            _path(_resources("aws_instance.directory"), GATEWAY),
            _path(GATEWAY, _resources("aws_instance.web")),
        ],
        "ExcludePaths": [
            _path(destination={"PacketHeaderStatement": {"DestinationPorts": ["80", "443"]}})
        ],
    }
    assert _found(scope, tmp_path) == [("scope", "internet", "aws_instance.web", "tcp 22")]
    without_exclude = dict(scope, ExcludePaths=[])
    assert sorted(_found(without_exclude, tmp_path)) == [
        ("scope", "aws_instance.directory", "internet", "tcp 443"),
        ("scope", "internet", "aws_instance.web", "tcp 22, 80, 443"),
    ]


def test_vpcs_subnets_and_security_groups_select_what_sits_in_them(tmp_path: Path) -> None:
    for source in ("aws_vpc.business", "aws_subnet.business_public", "aws_security_group.web"):
        scope = {"MatchPaths": [_path(_resources(source), _resources("aws_vpc.directory"))]}
        assert _found(scope, tmp_path) == [
            ("scope", "aws_instance.web", "aws_instance.directory", "tcp 22, 53; udp 53")
        ], source


def test_packet_headers_narrow_protocols_ports_and_addresses(tmp_path: Path) -> None:
    udp = {"PacketHeaderStatement": {"Protocols": ["udp"]}}
    scope = {
        "MatchPaths": [
            _path(_resources("aws_vpc.business"), {**_resources("aws_vpc.directory"), **udp})
        ]
    }
    assert _found(scope, tmp_path) == [
        ("scope", "aws_instance.web", "aws_instance.directory", "udp 53")
    ]
    ssh = {"PacketHeaderStatement": {"DestinationPorts": ["20-25"], "Protocols": ["tcp"]}}
    scope = {"MatchPaths": [_path(INSTANCE, {**INSTANCE, **ssh})]}
    assert _found(scope, tmp_path) == [
        ("scope", "aws_instance.web", "aws_instance.directory", "tcp 22")
    ]
    elsewhere = {"PacketHeaderStatement": {"SourceAddresses": ["10.2.0.0/16"]}}
    scope = {"MatchPaths": [_path({**INSTANCE, **elsewhere}, _resources("aws_vpc.directory"))]}
    assert _found(scope, tmp_path) == []


def test_a_prefix_list_is_read_as_its_cidrs(tmp_path: Path) -> None:
    model, reach = build(
        {
            "endpoints": [{"address": "aws_instance.a"}],
            "flows": [
                {"from": "aws_instance.a", "to": "internet", "protocol": "tcp", "ports": [443]}
            ],
        }
    )
    model.prefix_lists["aws_ec2_managed_prefix_list.mirror"] = PrefixList(
        address="aws_ec2_managed_prefix_list.mirror",
        type="aws_ec2_managed_prefix_list",
        cidrs=["55.3.0.0/16"],
    )
    excluded = {
        "PacketHeaderStatement": {"DestinationPrefixLists": ["aws_ec2_managed_prefix_list.mirror"]}
    }
    scope = {
        "MatchPaths": [_path(INSTANCE, GATEWAY)],
        "ExcludePaths": [_path(destination=excluded)],
    }
    rules = load_rules([_write(tmp_path, "scope.json", scope)], builtin=False)
    (finding,) = evaluate(rules, model, reach)
    assert finding.addresses is not None and "55.3.0.0/16" not in finding.addresses
    assert "55.2.0.0/16" in finding.addresses and "55.4.0.0/14" in finding.addresses


def test_arm_resource_names_name_their_resources(tmp_path: Path) -> None:
    web = FIXTURES / "azure" / "public-web"
    scope = {"MatchPaths": [_path(GATEWAY, _resources("web-vm-0"))]}
    assert _found(scope, tmp_path, plan=web / "template.json") == [
        ("scope", "internet", "Microsoft.Compute/virtualMachines/web-vm-0", "tcp 80")
    ]


def test_an_arn_names_the_resource_after_its_last_slash(tmp_path: Path) -> None:
    arn = "arn:aws:ec2:us-east-1:123456789012:vpc/aws_vpc.business"
    scope = {"MatchPaths": [_path(_resources(arn), _resources("aws_vpc.directory"))]}
    assert _found(scope, tmp_path)[0][1:3] == ("aws_instance.web", "aws_instance.directory")


def _error(scope: object, tmp_path: Path) -> InputError:
    path = _write(tmp_path, "scope.json", scope)
    with pytest.raises(InputError) as raised:
        run_check([NONCOMPLIANT], [path], builtin=False)
    assert raised.value.file == str(path)
    return raised.value


def test_an_id_that_names_nothing_is_an_input_error_saying_what_could_match(
    tmp_path: Path,
) -> None:
    scope = {"MatchPaths": [_path(_resources("vpc-aaaaaaaaaaaaaaaaa"), INSTANCE)]}
    error = _error(scope, tmp_path)
    assert "'vpc-aaaaaaaaaaaaaaaaa'" in error.message
    assert "MatchPaths[0].Source" in error.message and "aws_" in error.message
    assert error.line == 5  # the ResourceStatement (json.dumps with indent=2)


@pytest.mark.parametrize(
    ("scope", "says"),
    [
        (
            {
                "MatchPaths": [
                    _path(
                        {
                            "ResourceStatement": {
                                "Resources": ["aws_vpc.business"],
                                "ResourceTypes": ["AWS::EC2::VPC"],
                            }
                        }
                    )
                ]
            },
            "Resources or ResourceTypes, not both",
        ),
        (
            {"MatchPaths": [_path({"PacketHeaderStatement": {"SourcePorts": ["1024-2048"]}})]},
            "SourcePorts cannot be checked before deployment",
        ),
        ({"MatchPaths": [{"Sauce": INSTANCE}]}, "did you mean 'Source'?"),
        (
            {
                "MatchPaths": [
                    _path(
                        destination={
                            "ResourceStatement": {"ResourceTypes": ["AWS::ResourceGroups::Group"]}
                        }
                    )
                ]
            },
            "cannot be checked before deployment",
        ),
        (
            {"MatchPaths": [_path(_resources("aws_nat_gateway.directory"))]},
            "ThroughResources, not as a source or destination",
        ),
        (
            {
                "MatchPaths": [
                    _path(
                        destination={
                            "PacketHeaderStatement": {"DestinationAddresses": ["55.3.0.0/33"]}
                        }
                    )
                ]
            },
            "is not a CIDR",
        ),
        (
            {"MatchPaths": [_path(destination={"PacketHeaderStatement": {"Protocols": ["icmp"]}})]},
            "not one of: tcp, udp",
        ),
        (
            {
                "MatchPaths": [
                    _path(
                        destination={
                            "PacketHeaderStatement": {"DestinationPrefixLists": ["pl-0123"]}
                        }
                    )
                ]
            },
            "prefix list 'pl-0123', which no input defines",
        ),
        ({"ExcludePaths": [_path(INSTANCE)]}, "MatchPaths must hold at least one path"),
        (dict(EGRESS, reachlint={"severity": "severe"}), "is not one of: low, medium, high"),
    ],
)
def test_a_mistake_is_one_sentence_at_its_line(scope: Any, says: str, tmp_path: Path) -> None:
    error = _error(scope, tmp_path)
    assert says in error.message
    assert error.line is not None


NETWORK = (
    'resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n'
    'resource "aws_internet_gateway" "gw" {\n  vpc_id = aws_vpc.main.id\n}\n'
    'resource "aws_route_table" "public" {\n  vpc_id = aws_vpc.main.id\n'
    '  route {\n    cidr_block = "0.0.0.0/0"\n'
    "    gateway_id = aws_internet_gateway.gw.id\n  }\n}\n"
    'resource "aws_subnet" "public" {\n  vpc_id = aws_vpc.main.id\n'
    '  cidr_block = "10.0.1.0/24"\n  map_public_ip_on_launch = true\n}\n'
    'resource "aws_route_table_association" "public" {\n'
    "  subnet_id = aws_subnet.public.id\n  route_table_id = aws_route_table.public.id\n}\n"
    'resource "aws_security_group" "ssh" {\n  vpc_id = aws_vpc.main.id\n'
    '  ingress {\n    from_port = 22\n    to_port = 22\n    protocol = "tcp"\n'
    '    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n'
)
BOX = (
    'resource "aws_instance" "{name}" {{\n  ami = "ami-1"\n  instance_type = "t3.micro"\n'
    "  subnet_id = aws_subnet.public.id\n"
    "  vpc_security_group_ids = [aws_security_group.ssh.id]\n}}\n"
)


def test_diff_reads_a_scope_naming_what_the_change_adds(tmp_path: Path) -> None:
    """The base lacks aws_instance.new: there the scope selects nothing, no input error."""
    from typer.testing import CliRunner

    from reachlint.commands.cli import app

    base, head = tmp_path / "base", tmp_path / "head"
    for directory, names in ((base, ["old"]), (head, ["old", "new"])):
        directory.mkdir()
        boxes = "".join(BOX.format(name=name) for name in names)
        (directory / "main.tf").write_text(NETWORK + boxes)
    scope = {"MatchPaths": [_path(GATEWAY, _resources("aws_instance.new"))]}
    rules = _write(tmp_path, "NEW-BOX-CLOSED.json", scope)
    result = CliRunner().invoke(
        app,
        ["diff", str(base), str(head), "--rules", str(rules), "--no-builtin", "--format", "json"],
    )
    assert result.exit_code == 1, result.output
    (opened,) = json.loads(result.stdout)["opened"]
    assert (opened["to"]["address"], opened["rules"]) == ("aws_instance.new", ["NEW-BOX-CLOSED"])
    check = CliRunner().invoke(app, ["check", str(base), "--rules", str(rules), "--no-builtin"])
    assert check.exit_code == 2 and "'aws_instance.new'" in check.output


def test_a_live_id_the_plan_knows_names_its_resource(tmp_path: Path) -> None:
    """A plan of a deployed network carries the ids of what exists in its prior state."""
    plan = json.loads(NONCOMPLIANT.read_text())
    live = {
        "aws_vpc.business": "vpc-0a1b2c3d4e5f60718",
        "aws_vpc.directory": "vpc-0f1e2d3c4b5a69788",
    }
    prior = []
    for resource in plan["planned_values"]["root_module"]["resources"]:
        if resource["address"] in live:
            values = dict(resource["values"], id=live[resource["address"]])
            prior.append(dict(resource, values=values))
    plan["prior_state"] = {"format_version": "1.0", "values": {"root_module": {"resources": prior}}}
    deployed = _write(tmp_path, "plan.json", plan)
    scope = {
        "MatchPaths": [
            _path(_resources(live["aws_vpc.business"]), _resources(live["aws_vpc.directory"]))
        ]
    }
    assert _found(scope, tmp_path, plan=deployed) == [
        ("scope", "aws_instance.web", "aws_instance.directory", "tcp 22, 53; udp 53")
    ]
    arn = f"arn:aws:ec2:us-east-1:123456789012:vpc/{live['aws_vpc.business']}"
    scope = {"MatchPaths": [_path(_resources(arn), _resources("aws_vpc.directory"))]}
    assert len(_found(scope, tmp_path, plan=deployed)) == 1
