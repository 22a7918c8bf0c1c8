"""The AWS mapper: Terraform resources in, the network model with AWS defaults made explicit."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from reachlint.dialects.terraform.aws import build_aws_model
from reachlint.formats.terraform.records import UNKNOWN, TfResource
from reachlint.model.network import NetworkModel, PortRange
from reachlint.sources import Origin

_ADDRESS = re.compile(
    r"^(?P<module>(?:module\.[^.\[]+(?:\[[^\]]+\])?\.)*)(?P<data>data\.)?"
    r"(?P<type>[^.\[]+)\.(?P<name>[^.\[]+)(?:\[(?P<index>[^\]]+)\])?$"
)


def res(
    address: str,
    values: dict[str, Any] | None = None,
    refs: dict[str, list[str]] | None = None,
    **origins: Origin,
) -> TfResource:
    """A resource as the plan loader hands it over; refs are attribute path -> addresses."""
    match = _ADDRESS.match(address)
    assert match is not None, address
    index_text = match.group("index")
    index: int | str | None = None
    if index_text is not None:
        index = int(index_text) if index_text.isdigit() else index_text.strip('"')
    return TfResource(
        address=address,
        type=match.group("type"),
        name=match.group("name"),
        module=match.group("module").rstrip("."),
        index=index,
        mode="data" if match.group("data") else "managed",
        values=values or {},
        references=refs or {},
        origin=Origin(file="main.tf", line=1),
        attribute_origins={path.replace("__", "."): o for path, o in origins.items()},
    )


def vpc(address: str = "aws_vpc.main", cidr: str = "10.0.0.0/16") -> TfResource:
    return res(address, {"cidr_block": cidr})


def subnet(
    address: str = "aws_subnet.a",
    cidr: str = "10.0.1.0/24",
    vpc_address: str = "aws_vpc.main",
    public: Any = False,
) -> TfResource:
    return res(
        address,
        {"vpc_id": UNKNOWN, "cidr_block": cidr, "map_public_ip_on_launch": public},
        {"vpc_id": [vpc_address]},
    )


def group(address: str = "aws_security_group.web", **values: Any) -> TfResource:
    return res(
        address,
        {"vpc_id": UNKNOWN, "ingress": UNKNOWN, "egress": UNKNOWN, **values},
        {"vpc_id": ["aws_vpc.main"]},
    )


def instance(
    address: str = "aws_instance.web",
    subnet_address: str | None = "aws_subnet.a",
    groups: list[str] | None = None,
    **values: Any,
) -> TfResource:
    refs: dict[str, list[str]] = {}
    if subnet_address:
        refs["subnet_id"] = [subnet_address]
    if groups:
        refs["vpc_security_group_ids"] = groups
    base = {
        "subnet_id": UNKNOWN,
        "vpc_security_group_ids": [UNKNOWN] * len(groups) if groups else UNKNOWN,
        "security_groups": UNKNOWN,
        "associate_public_ip_address": UNKNOWN,
    }
    return res(address, {**base, **values}, refs)


def build(*resources: TfResource, ids: dict[str, str] | None = None) -> NetworkModel:
    return build_aws_model(list(resources), ids, "plan.json")


def notes_about(model: NetworkModel, address: str) -> list[str]:
    return [n.message for n in model.notes if n.address == address]


# ----- networks and their defaults ----------------------------------------------------------------


def test_a_vpc_gets_the_default_group_acl_and_main_table_aws_creates() -> None:
    model = build(vpc())

    assert model.inputs == ["plan.json"]
    network = model.networks["aws_vpc.main"]
    assert network.cidrs == ["10.0.0.0/16"]

    group = model.security_groups[network.default_security_group or ""]
    assert group.address == "aws_vpc.main.default_security_group"
    assert group.is_default and group.network == "aws_vpc.main"
    ingress = [r for r in group.rules if r.direction == "ingress"]
    egress = [r for r in group.rules if r.direction == "egress"]
    assert [(r.protocol, r.self_reference, r.cidrs) for r in ingress] == [("-1", True, [])]
    assert [(r.protocol, r.cidrs) for r in egress] == [("-1", ["0.0.0.0/0", "::/0"])]

    acl = model.network_acls[network.default_network_acl or ""]
    assert acl.address == "aws_vpc.main.default_network_acl" and acl.is_default
    assert sorted((e.egress, e.cidr, e.allow, e.protocol) for e in acl.entries) == [
        (False, "0.0.0.0/0", True, "-1"),
        (False, "::/0", True, "-1"),
        (True, "0.0.0.0/0", True, "-1"),
        (True, "::/0", True, "-1"),
    ]

    table = model.route_tables[network.main_route_table or ""]
    assert table.address == "aws_vpc.main.main_route_table"
    assert table.is_main and table.routes == []


def test_cidr_associations_add_ranges_to_the_vpc() -> None:
    model = build(
        vpc(),
        res(
            "aws_vpc_ipv4_cidr_block_association.extra",
            {"vpc_id": UNKNOWN, "cidr_block": "100.64.0.0/16"},
            {"vpc_id": ["aws_vpc.main"]},
        ),
    )
    assert model.networks["aws_vpc.main"].cidrs == ["10.0.0.0/16", "100.64.0.0/16"]


def test_a_declared_default_security_group_has_exactly_its_written_rules() -> None:
    declared = res(
        "aws_default_security_group.default",
        {"vpc_id": UNKNOWN, "ingress": [], "egress": []},
        {"vpc_id": ["aws_vpc.main"]},
    )
    model = build(vpc(), subnet(), declared, instance())

    assert model.networks["aws_vpc.main"].default_security_group == declared.address
    assert "aws_vpc.main.default_security_group" not in model.security_groups
    assert model.security_groups[declared.address].rules == []  # denies everything
    interface = model.endpoints["aws_instance.web"].interfaces[0]
    assert interface.security_groups == [declared.address]


def test_a_declared_default_network_acl_keeps_exactly_its_rules_and_subnets() -> None:
    declared = res(
        "aws_default_network_acl.default",
        {
            "default_network_acl_id": UNKNOWN,
            "subnet_ids": UNKNOWN,
            "ingress": [
                {
                    "rule_no": 100,
                    "action": "allow",
                    "protocol": "tcp",
                    "from_port": 443,
                    "to_port": 443,
                    "cidr_block": "0.0.0.0/0",
                }
            ],
            "egress": [],
        },
        {"default_network_acl_id": ["aws_vpc.main"], "subnet_ids": ["aws_subnet.a"]},
        ingress__0=Origin(file="net.tf", line=7),
    )
    model = build(vpc(), subnet(), subnet("aws_subnet.b", "10.0.2.0/24"), declared)

    acl = model.network_acls[declared.address]
    assert model.networks["aws_vpc.main"].default_network_acl == declared.address
    assert acl.is_default and acl.subnets == ["aws_subnet.a"]
    [entry] = acl.entries
    assert (entry.rule_number, entry.egress, entry.allow, entry.protocol) == (
        100,
        False,
        True,
        "tcp",
    )
    assert entry.ports == PortRange(low=443, high=443)
    assert entry.origin == Origin(file="net.tf", line=7)
    assert model.subnets["aws_subnet.a"].network_acl == declared.address
    assert model.subnets["aws_subnet.b"].network_acl is None  # the default ACL too


def test_a_vpc_that_cannot_be_resolved_is_the_only_vpc_in_the_input() -> None:
    lone = res("aws_subnet.a", {"vpc_id": UNKNOWN, "cidr_block": "10.0.1.0/24"})
    model = build(vpc(), lone)
    assert model.subnets["aws_subnet.a"].network == "aws_vpc.main"
    assert "vpc_id" in model.subnets["aws_subnet.a"].unknown
    assert any("only VPC" in m for m in notes_about(model, "aws_subnet.a"))


def test_a_vpc_known_only_by_id_becomes_an_external_network_with_defaults() -> None:
    outside = res("aws_subnet.a", {"vpc_id": "vpc-0abc", "cidr_block": "10.9.1.0/24"})
    model = build(outside, instance())
    assert model.subnets["aws_subnet.a"].network == "vpc-0abc"
    network = model.networks["vpc-0abc"]
    assert [r.sources for r in network.unknown_ranges] == [("vpc-0abc.cidr_block",)]
    interface = model.endpoints["aws_instance.web"].interfaces[0]
    assert interface.security_groups == ["vpc-0abc.default_security_group"]
    # Its default group's rules are the account's, not AWS's first ones: named, not written,
    # so the engine takes them as not known.
    assert network.default_security_group == "vpc-0abc.default_security_group"
    assert "vpc-0abc.default_security_group" not in model.security_groups


def test_known_ids_link_existing_resources() -> None:
    existing = res("aws_subnet.a", {"vpc_id": "vpc-1", "cidr_block": "10.0.1.0/24"})
    model = build(vpc(), existing, ids={"vpc-1": "aws_vpc.main"})
    assert model.subnets["aws_subnet.a"].network == "aws_vpc.main"
    assert model.subnets["aws_subnet.a"].unknown == []


def test_a_reference_without_index_matches_the_aligned_instance() -> None:
    subnets = [subnet(f"aws_subnet.a[{i}]", f"10.0.{i}.0/24") for i in range(2)]
    instances = [instance(f"aws_instance.web[{i}]", "aws_subnet.a") for i in range(2)]
    model = build(vpc(), *subnets, *instances)
    assert model.endpoints["aws_instance.web[1]"].interfaces[0].subnet == "aws_subnet.a[1]"

    shared = instance("aws_instance.solo", "aws_subnet.a")
    model = build(vpc(), *subnets, shared)
    interface = model.endpoints["aws_instance.solo"].interfaces[0]
    assert interface.subnet is None and interface.network == "aws_vpc.main"
    assert "subnet_id" in interface.unknown


# ----- security groups ----------------------------------------------------------------------------


def test_an_instance_without_groups_is_in_the_default_group() -> None:
    model = build(vpc(), subnet(), instance())
    [interface] = model.endpoints["aws_instance.web"].interfaces
    assert interface.security_groups == ["aws_vpc.main.default_security_group"]
    assert interface.address == "aws_instance.web.eni"
    assert interface.network == "aws_vpc.main"


def test_unknown_inline_rules_mean_no_inline_rules() -> None:
    model = build(vpc(), group())
    assert model.security_groups["aws_security_group.web"].rules == []


def test_all_three_rule_styles_land_in_the_group() -> None:
    web = group(
        ingress=[
            {
                "protocol": "tcp",
                "from_port": 443,
                "to_port": 443,
                "cidr_blocks": ["0.0.0.0/0"],
                "ipv6_cidr_blocks": ["::/0"],
                "security_groups": [],
                "self": False,
                "prefix_list_ids": [],
                "description": "https",
            }
        ],
        egress=[],
    )
    web.attribute_origins["ingress.0"] = Origin(file="sg.tf", line=12)
    legacy = res(
        "aws_security_group_rule.ssh",
        {
            "type": "ingress",
            "protocol": "6",
            "from_port": 22,
            "to_port": 22,
            "security_group_id": UNKNOWN,
            "source_security_group_id": UNKNOWN,
            "cidr_blocks": None,
            "prefix_list_ids": None,
            "self": False,
        },
        {
            "security_group_id": ["aws_security_group.web"],
            "source_security_group_id": ["aws_security_group.bastion"],
        },
    )
    modern_in = res(
        "aws_vpc_security_group_ingress_rule.all_from_office",
        {"security_group_id": UNKNOWN, "ip_protocol": "-1", "cidr_ipv4": "192.0.2.0/24"},
        {"security_group_id": ["aws_security_group.web"]},
    )
    modern_out = res(
        "aws_vpc_security_group_egress_rule.to_db",
        {
            "security_group_id": UNKNOWN,
            "ip_protocol": "tcp",
            "from_port": 5432,
            "to_port": 5432,
            "referenced_security_group_id": UNKNOWN,
        },
        {
            "security_group_id": ["aws_security_group.web"],
            "referenced_security_group_id": ["aws_security_group.db"],
        },
    )
    model = build(
        vpc(),
        web,
        group("aws_security_group.bastion"),
        group("aws_security_group.db"),
        legacy,
        modern_in,
        modern_out,
    )

    rules = {r.type: r for r in model.security_groups["aws_security_group.web"].rules}
    inline = rules["aws_security_group"]
    assert inline.address == "aws_security_group.web"
    assert inline.origin == Origin(file="sg.tf", line=12)
    assert (inline.direction, inline.protocol, inline.ports) == (
        "ingress",
        "tcp",
        PortRange(low=443, high=443),
    )
    assert inline.cidrs == ["0.0.0.0/0", "::/0"] and inline.description == "https"

    ssh = rules["aws_security_group_rule"]
    assert ssh.address == "aws_security_group_rule.ssh"
    assert (ssh.protocol, ssh.ports) == ("6", PortRange(low=22, high=22))
    assert ssh.security_groups == ["aws_security_group.bastion"] and ssh.unknown == []

    office = rules["aws_vpc_security_group_ingress_rule"]
    assert (office.protocol, office.ports, office.cidrs) == ("-1", None, ["192.0.2.0/24"])

    to_db = rules["aws_vpc_security_group_egress_rule"]
    assert to_db.direction == "egress"
    assert to_db.security_groups == ["aws_security_group.db"]


def test_icmp_rules_have_no_ports_and_unknown_sources_are_recorded() -> None:
    web = group(
        ingress=[
            {"protocol": "icmp", "from_port": 8, "to_port": 0, "cidr_blocks": ["10.0.0.0/8"]},
            {"protocol": "tcp", "from_port": 80, "to_port": 80, "cidr_blocks": [UNKNOWN]},
        ],
    )
    model = build(vpc(), web)
    icmp, http = model.security_groups["aws_security_group.web"].rules
    assert (icmp.protocol, icmp.ports) == ("icmp", None)
    assert http.unknown == []
    # Without a configuration to name its source, the range is named by its attribute.
    assert [r.sources for r in http.unknown_ranges] == [
        ("aws_security_group.web.ingress.1.cidr_blocks",)
    ]


def test_inline_rules_that_echo_rules_written_apart_are_those_rules() -> None:
    """A plan of a group that exists lists, among its inline rules, the rules written apart
    too (AWS lists every rule of a group): the same rule is the one written apart, which the
    path names; what an inline rule admits beyond them stays inline."""

    def https_and_ssh(peers: list[str]) -> list[dict[str, Any]]:
        return [
            {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.0.0.0/8"]},
            {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": peers},
        ]

    def apart(name: str, port: int) -> TfResource:
        values = {"type": "ingress", "protocol": "tcp", "from_port": port, "to_port": port}
        return res(
            f"aws_security_group_rule.{name}",
            {**values, "cidr_blocks": ["10.0.0.0/8"], "security_group_id": UNKNOWN},
            {"security_group_id": ["aws_security_group.web"]},
        )

    web = group(ingress=https_and_ssh(["10.0.0.0/8", "192.168.0.0/16"]))
    model = build(vpc(), web, apart("https", 443), apart("ssh", 22))
    rules = [
        (r.address, r.ports.low if r.ports else None, r.cidrs)
        for r in model.security_groups["aws_security_group.web"].rules
        if r.direction == "ingress"
    ]
    assert sorted(rules) == [
        ("aws_security_group.web", 22, ["192.168.0.0/16"]),
        ("aws_security_group_rule.https", 443, ["10.0.0.0/8"]),
        ("aws_security_group_rule.ssh", 22, ["10.0.0.0/8"]),
    ]


def test_a_rule_on_the_vpcs_default_group_id_lands_in_the_synthetic_default_group() -> None:
    rule = res(
        "aws_security_group_rule.extra",
        {
            "type": "ingress",
            "protocol": "tcp",
            "from_port": 80,
            "to_port": 80,
            "cidr_blocks": ["10.0.0.0/8"],
            "security_group_id": UNKNOWN,
        },
        {"security_group_id": ["aws_vpc.main"]},  # aws_vpc.main.default_security_group_id
    )
    model = build(vpc(), rule)
    rules = model.security_groups["aws_vpc.main.default_security_group"].rules
    assert [r.address for r in rules][-1] == "aws_security_group_rule.extra"


def test_references_shared_by_inline_blocks_are_dealt_out_in_source_order() -> None:
    web = group(
        ingress=[
            {"protocol": "tcp", "from_port": 22, "to_port": 22, "security_groups": [UNKNOWN]},
            {"protocol": "tcp", "from_port": 80, "to_port": 80, "security_groups": [UNKNOWN]},
        ],
    )
    # Blocks written as attributes keep their references for the whole list.
    web.references["ingress"] = ["aws_security_group.a", "aws_vpc.main", "aws_security_group.b"]
    model = build(vpc(), web, group("aws_security_group.a"), group("aws_security_group.b"))
    first, second = model.security_groups["aws_security_group.web"].rules
    assert (first.security_groups, first.unknown) == (["aws_security_group.a"], [])
    assert (second.security_groups, second.unknown) == (["aws_security_group.b"], [])


def test_shared_references_that_cannot_be_dealt_out_leave_the_groups_unknown() -> None:
    web = group(
        ingress=[
            {"protocol": "tcp", "from_port": 22, "to_port": 22, "security_groups": [UNKNOWN]},
            {
                "protocol": "tcp",
                "from_port": 80,
                "to_port": 80,
                "security_groups": [UNKNOWN, UNKNOWN],
            },
        ],
    )
    web.references["ingress"] = ["aws_security_group.a", "aws_security_group.b"]
    model = build(vpc(), web, group("aws_security_group.a"), group("aws_security_group.b"))
    first, second = model.security_groups["aws_security_group.web"].rules
    assert first.security_groups == ["aws_security_group.a", "aws_security_group.b"]
    # Which of them is not known: the groups, not the rule's services or ranges.
    assert first.groups_unknown == ("security_groups",) and first.unknown == []
    assert second.groups_unknown == ("security_groups",) and second.unknown == []


def test_shared_route_references_are_dealt_out_in_source_order() -> None:
    table = res(
        "aws_route_table.t",
        {
            "vpc_id": UNKNOWN,
            "route": [
                {
                    "cidr_block": "10.1.0.0/16",
                    "vpc_peering_connection_id": UNKNOWN,
                    "gateway_id": "",
                },
                {
                    "cidr_block": "10.1.1.0/24",
                    "vpc_peering_connection_id": UNKNOWN,
                    "gateway_id": "",
                },
                {"cidr_block": "0.0.0.0/0", "vpc_peering_connection_id": "", "gateway_id": UNKNOWN},
            ],
        },
        {
            "vpc_id": ["aws_vpc.main"],
            "route": [
                "aws_vpc_peering_connection.one",
                "aws_internet_gateway.gw",
                "aws_vpc_peering_connection.two",
            ],
        },
    )
    model = build(
        vpc(),
        table,
        res("aws_vpc_peering_connection.one", {}),
        res("aws_vpc_peering_connection.two", {}),
        res("aws_internet_gateway.gw", {}),
    )
    routes = model.route_tables["aws_route_table.t"].routes
    assert [(r.destination, r.target_kind, r.target) for r in routes] == [
        ("10.1.0.0/16", "peering", "aws_vpc_peering_connection.one"),
        ("10.1.1.0/24", "peering", "aws_vpc_peering_connection.two"),
        ("0.0.0.0/0", "internet-gateway", "aws_internet_gateway.gw"),
    ]


def test_a_data_source_group_named_default_is_the_vpcs_default_group() -> None:
    looked_up = res(
        "data.aws_security_group.default",
        {"name": "default", "vpc_id": UNKNOWN},
        {"vpc_id": ["aws_vpc.main"]},
    )
    model = build(vpc(), subnet(), looked_up, instance(groups=["data.aws_security_group.default"]))
    interface = model.endpoints["aws_instance.web"].interfaces[0]
    assert interface.security_groups == ["aws_vpc.main.default_security_group"]


def test_a_group_outside_the_input_stays_named_on_the_interface() -> None:
    web = instance(vpc_security_group_ids=["sg-0outside"])
    model = build(vpc(), subnet(), web)
    interface = model.endpoints["aws_instance.web"].interfaces[0]
    assert interface.security_groups == ["sg-0outside"]
    assert "vpc_security_group_ids" in interface.unknown


# ----- network ACLs -------------------------------------------------------------------------------


def test_network_acl_entries_and_associations() -> None:
    acl = res(
        "aws_network_acl.dmz",
        {
            "vpc_id": UNKNOWN,
            "subnet_ids": UNKNOWN,
            "ingress": [
                {
                    "rule_no": 100,
                    "action": "deny",
                    "protocol": "tcp",
                    "from_port": 22,
                    "to_port": 22,
                    "cidr_block": "0.0.0.0/0",
                    "ipv6_cidr_block": "",
                },
                {
                    "rule_no": 200,
                    "action": "allow",
                    "protocol": "-1",
                    "from_port": 0,
                    "to_port": 0,
                    "cidr_block": "",
                    "ipv6_cidr_block": "::/0",
                },
            ],
            "egress": UNKNOWN,
        },
        {"vpc_id": ["aws_vpc.main"], "subnet_ids": ["aws_subnet.a"]},
    )
    rule = res(
        "aws_network_acl_rule.out",
        {
            "network_acl_id": UNKNOWN,
            "rule_number": 100,
            "egress": True,
            "protocol": "all",
            "rule_action": "allow",
            "cidr_block": "0.0.0.0/0",
        },
        {"network_acl_id": ["aws_network_acl.dmz"]},
    )
    empty = res("aws_network_acl.closed", {"vpc_id": UNKNOWN}, {"vpc_id": ["aws_vpc.main"]})
    association = res(
        "aws_network_acl_association.b",
        {"subnet_id": UNKNOWN, "network_acl_id": UNKNOWN},
        {"subnet_id": ["aws_subnet.b"], "network_acl_id": ["aws_network_acl.closed"]},
    )
    model = build(
        vpc(), subnet(), subnet("aws_subnet.b", "10.0.2.0/24"), acl, rule, empty, association
    )

    dmz = model.network_acls["aws_network_acl.dmz"]
    assert dmz.subnets == ["aws_subnet.a"] and not dmz.is_default
    summary = [
        (e.address, e.rule_number, e.egress, e.allow, e.protocol, e.cidr, e.ports)
        for e in dmz.entries
    ]
    assert summary == [
        ("aws_network_acl.dmz", 100, False, False, "tcp", "0.0.0.0/0", PortRange(low=22, high=22)),
        ("aws_network_acl.dmz", 200, False, True, "-1", "::/0", None),
        ("aws_network_acl_rule.out", 100, True, True, "-1", "0.0.0.0/0", None),
    ]
    assert model.network_acls["aws_network_acl.closed"].entries == []  # denies everything
    assert model.subnets["aws_subnet.a"].network_acl == "aws_network_acl.dmz"
    assert model.subnets["aws_subnet.b"].network_acl == "aws_network_acl.closed"


# ----- route tables -------------------------------------------------------------------------------


def test_the_main_route_table_is_synthetic_without_a_declaration() -> None:
    model = build(vpc(), subnet())
    assert model.networks["aws_vpc.main"].main_route_table == "aws_vpc.main.main_route_table"
    assert model.subnets["aws_subnet.a"].route_table is None


def test_the_default_route_table_is_the_main_table() -> None:
    default = res(
        "aws_default_route_table.main",
        {
            "default_route_table_id": UNKNOWN,
            "route": [{"cidr_block": "0.0.0.0/0", "gateway_id": UNKNOWN, "nat_gateway_id": ""}],
        },
        {"default_route_table_id": ["aws_vpc.main"], "route": ["aws_internet_gateway.gw"]},
    )
    gateway = res("aws_internet_gateway.gw", {"vpc_id": UNKNOWN}, {"vpc_id": ["aws_vpc.main"]})
    model = build(vpc(), default, gateway)
    assert model.networks["aws_vpc.main"].main_route_table == "aws_default_route_table.main"
    table = model.route_tables["aws_default_route_table.main"]
    assert table.is_main and table.network == "aws_vpc.main"
    assert [(r.destination, r.target_kind, r.target) for r in table.routes] == [
        ("0.0.0.0/0", "internet-gateway", "aws_internet_gateway.gw")
    ]
    assert "aws_vpc.main.main_route_table" not in model.route_tables


def test_a_main_route_table_association_replaces_the_main_table() -> None:
    default = res(
        "aws_default_route_table.main",
        {"default_route_table_id": UNKNOWN},
        {"default_route_table_id": ["aws_vpc.main"]},
    )
    custom = res(
        "aws_route_table.custom",
        {"vpc_id": UNKNOWN, "route": UNKNOWN},
        {"vpc_id": ["aws_vpc.main"]},
    )
    association = res(
        "aws_main_route_table_association.main",
        {"vpc_id": UNKNOWN, "route_table_id": UNKNOWN},
        {"vpc_id": ["aws_vpc.main"], "route_table_id": ["aws_route_table.custom"]},
    )
    model = build(vpc(), default, custom, association)
    assert model.networks["aws_vpc.main"].main_route_table == "aws_route_table.custom"
    assert model.route_tables["aws_route_table.custom"].is_main
    assert not model.route_tables["aws_default_route_table.main"].is_main


def test_subnet_route_table_associations() -> None:
    table = res("aws_route_table.public", {"vpc_id": UNKNOWN}, {"vpc_id": ["aws_vpc.main"]})
    association = res(
        "aws_route_table_association.a",
        {"subnet_id": UNKNOWN, "route_table_id": UNKNOWN},
        {"subnet_id": ["aws_subnet.a"], "route_table_id": ["aws_route_table.public"]},
    )
    edge = res(
        "aws_route_table_association.edge",
        {"gateway_id": UNKNOWN, "route_table_id": UNKNOWN},
        {"gateway_id": ["aws_internet_gateway.gw"], "route_table_id": ["aws_route_table.public"]},
    )
    model = build(vpc(), subnet(), table, association, edge)
    assert model.subnets["aws_subnet.a"].route_table == "aws_route_table.public"
    assert model.route_tables["aws_route_table.public"].subnets == ["aws_subnet.a"]
    assert any("edge association" in m for m in notes_about(model, edge.address))


@pytest.mark.parametrize(
    ("attribute", "target", "kind"),
    [
        ("gateway_id", "aws_internet_gateway.gw", "internet-gateway"),
        ("gateway_id", "aws_vpn_gateway.vgw", "vpn-gateway"),
        ("gateway_id", "aws_vpc_endpoint.s3", "gateway-endpoint"),
        ("nat_gateway_id", "aws_nat_gateway.nat", "nat-gateway"),
        ("transit_gateway_id", "aws_ec2_transit_gateway.tgw", "transit-gateway"),
        ("vpc_peering_connection_id", "aws_vpc_peering_connection.pcx", "peering"),
        ("network_interface_id", "aws_network_interface.appliance", "network-interface"),
        (
            "egress_only_gateway_id",
            "aws_egress_only_internet_gateway.v6",
            "egress-only-internet-gateway",
        ),
    ],
)
def test_route_target_kinds_follow_what_the_route_refers_to(
    attribute: str, target: str, kind: str
) -> None:
    route = res(
        "aws_route.r",
        {
            "route_table_id": UNKNOWN,
            "destination_cidr_block": "0.0.0.0/0",
            attribute: UNKNOWN,
            "network_interface_id": UNKNOWN,
            "instance_id": UNKNOWN,
        },
        {"route_table_id": ["aws_route_table.t"], attribute: [target]},
    )
    table = res("aws_route_table.t", {"vpc_id": UNKNOWN}, {"vpc_id": ["aws_vpc.main"]})
    model = build(vpc(), table, route, res(target, {}))
    [entry] = model.route_tables["aws_route_table.t"].routes
    assert (entry.address, entry.destination, entry.target_kind, entry.target) == (
        "aws_route.r",
        "0.0.0.0/0",
        kind,
        target,
    )


@pytest.mark.parametrize(
    ("value", "kind", "target"),
    [
        ("local", "local", None),
        ("igw-0abc", "internet-gateway", "igw-0abc"),
        ("vgw-0abc", "vpn-gateway", "vgw-0abc"),
        ("vpce-0abc", "gateway-endpoint", "vpce-0abc"),
        ("something-else", "unknown", "something-else"),
    ],
)
def test_route_targets_known_only_by_id_are_read_from_the_prefix(
    value: str, kind: str, target: str | None
) -> None:
    table = res(
        "aws_route_table.t",
        {"vpc_id": UNKNOWN, "route": [{"cidr_block": "10.0.0.0/8", "gateway_id": value}]},
        {"vpc_id": ["aws_vpc.main"]},
    )
    model = build(vpc(), table)
    [entry] = model.route_tables["aws_route_table.t"].routes
    assert (entry.target_kind, entry.target) == (kind, target)


def test_an_unresolvable_route_target_is_unknown_and_noted() -> None:
    route = res(
        "aws_route.r",
        {
            "route_table_id": UNKNOWN,
            "destination_cidr_block": "0.0.0.0/0",
            "gateway_id": UNKNOWN,
            "network_interface_id": UNKNOWN,
            "instance_id": UNKNOWN,
        },
        {"route_table_id": ["aws_vpc.main"]},  # aws_vpc.main.main_route_table_id
    )
    model = build(vpc(), route)
    [entry] = model.route_tables["aws_vpc.main.main_route_table"].routes
    assert (entry.target_kind, entry.target, entry.unknown) == ("unknown", None, ["gateway_id"])
    assert notes_about(model, "aws_route.r")


def test_propagation_and_gateway_endpoint_route_tables() -> None:
    table = res("aws_route_table.t", {"vpc_id": UNKNOWN}, {"vpc_id": ["aws_vpc.main"]})
    vgw = res("aws_vpn_gateway.vgw", {"vpc_id": UNKNOWN}, {"vpc_id": ["aws_vpc.main"]})
    propagation = res(
        "aws_vpn_gateway_route_propagation.p",
        {"vpn_gateway_id": UNKNOWN, "route_table_id": UNKNOWN},
        {"vpn_gateway_id": ["aws_vpn_gateway.vgw"], "route_table_id": ["aws_route_table.t"]},
    )
    endpoint = res(
        "aws_vpc_endpoint.s3",
        {
            "vpc_id": UNKNOWN,
            "service_name": "com.amazonaws.eu-west-1.s3",
            "vpc_endpoint_type": "Gateway",
            "route_table_ids": UNKNOWN,
        },
        {"vpc_id": ["aws_vpc.main"]},
    )
    association = res(
        "aws_vpc_endpoint_route_table_association.s3",
        {"vpc_endpoint_id": UNKNOWN, "route_table_id": UNKNOWN},
        {"vpc_endpoint_id": ["aws_vpc_endpoint.s3"], "route_table_id": ["aws_route_table.t"]},
    )
    model = build(vpc(), table, vgw, propagation, endpoint, association)
    assert model.route_tables["aws_route_table.t"].propagating_gateways == ["aws_vpn_gateway.vgw"]
    gateway = model.gateways["aws_vpc_endpoint.s3"]
    assert (gateway.kind, gateway.service, gateway.route_tables) == (
        "gateway-endpoint",
        "com.amazonaws.eu-west-1.s3",
        ["aws_route_table.t"],
    )
    assert "aws_vpc_endpoint.s3" not in model.endpoints


# ----- gateways, peering, transit, VPN ------------------------------------------------------------


def test_gateways() -> None:
    nat = res(
        "aws_nat_gateway.private",
        {"subnet_id": UNKNOWN, "connectivity_type": "private", "allocation_id": None},
        {"subnet_id": ["aws_subnet.a"]},
    )
    igw = res("aws_internet_gateway.gw", {"vpc_id": UNKNOWN})
    attachment = res(
        "aws_internet_gateway_attachment.gw",
        {"vpc_id": UNKNOWN, "internet_gateway_id": UNKNOWN},
        {"vpc_id": ["aws_vpc.main"], "internet_gateway_id": ["aws_internet_gateway.gw"]},
    )
    tgw = res("aws_ec2_transit_gateway.tgw", {"default_route_table_propagation": "disable"})
    model = build(vpc(), subnet(), nat, igw, attachment, tgw)
    nat_gateway = model.gateways["aws_nat_gateway.private"]
    shown = ("kind", "network", "subnet", "public")
    assert {name: getattr(nat_gateway, name) for name in shown} == {
        "kind": "nat-gateway",
        "network": "aws_vpc.main",
        "subnet": "aws_subnet.a",
        "public": False,
    }
    assert model.gateways["aws_internet_gateway.gw"].network == "aws_vpc.main"
    assert model.gateways["aws_ec2_transit_gateway.tgw"].default_propagation is False


def test_peering_with_a_vpc_outside_the_input() -> None:
    peering = res(
        "aws_vpc_peering_connection.out",
        {"vpc_id": UNKNOWN, "peer_vpc_id": "vpc-0elsewhere", "auto_accept": True},
        {"vpc_id": ["aws_vpc.main"]},
    )
    inside = res(
        "aws_vpc_peering_connection.in",
        {"vpc_id": UNKNOWN, "peer_vpc_id": UNKNOWN},
        {"vpc_id": ["aws_vpc.main"], "peer_vpc_id": ["aws_vpc.other"]},
    )
    accepter = res(
        "aws_vpc_peering_connection_accepter.in",
        {"vpc_peering_connection_id": UNKNOWN},
        {"vpc_peering_connection_id": ["aws_vpc_peering_connection.in"]},
    )
    model = build(vpc(), vpc("aws_vpc.other", "10.1.0.0/16"), peering, inside, accepter)
    out = model.peerings["aws_vpc_peering_connection.out"]
    assert (out.requester, out.accepter, out.active) == ("aws_vpc.main", None, True)
    assert notes_about(model, "aws_vpc_peering_connection.out")
    both = model.peerings["aws_vpc_peering_connection.in"]
    assert (both.requester, both.accepter, both.active) == ("aws_vpc.main", "aws_vpc.other", True)


def test_transit_gateway_attachments_and_routes() -> None:
    tgw = res("aws_ec2_transit_gateway.tgw", {})
    attachment = res(
        "aws_ec2_transit_gateway_vpc_attachment.main",
        {"transit_gateway_id": UNKNOWN, "vpc_id": UNKNOWN, "subnet_ids": [UNKNOWN]},
        {
            "transit_gateway_id": ["aws_ec2_transit_gateway.tgw"],
            "vpc_id": ["aws_vpc.main"],
            "subnet_ids": ["aws_subnet.a"],
        },
    )
    table = res(
        "aws_ec2_transit_gateway_route_table.t",
        {"transit_gateway_id": UNKNOWN},
        {"transit_gateway_id": ["aws_ec2_transit_gateway.tgw"]},
    )
    route = res(
        "aws_ec2_transit_gateway_route.r",
        {
            "destination_cidr_block": "10.0.0.0/16",
            "transit_gateway_route_table_id": UNKNOWN,
            "transit_gateway_attachment_id": UNKNOWN,
            "blackhole": False,
        },
        {
            "transit_gateway_route_table_id": ["aws_ec2_transit_gateway_route_table.t"],
            "transit_gateway_attachment_id": ["aws_ec2_transit_gateway_vpc_attachment.main"],
        },
    )
    model = build(vpc(), subnet(), tgw, attachment, table, route)
    made = model.transit_gateway_attachments["aws_ec2_transit_gateway_vpc_attachment.main"]
    assert (made.transit_gateway, made.network, made.subnets) == (
        "aws_ec2_transit_gateway.tgw",
        "aws_vpc.main",
        ["aws_subnet.a"],
    )
    routed = model.transit_gateway_routes["aws_ec2_transit_gateway_route.r"]
    assert (routed.transit_gateway, routed.destination, routed.attachment) == (
        "aws_ec2_transit_gateway.tgw",
        "10.0.0.0/16",
        "aws_ec2_transit_gateway_vpc_attachment.main",
    )


def test_a_vpn_connection_is_an_onprem_site() -> None:
    vgw = res("aws_vpn_gateway.vgw", {"vpc_id": UNKNOWN}, {"vpc_id": ["aws_vpc.main"]})
    cgw = res("aws_customer_gateway.office", {"ip_address": "198.51.100.1"})
    connection = res(
        "aws_vpn_connection.office",
        {
            "vpn_gateway_id": UNKNOWN,
            "customer_gateway_id": UNKNOWN,
            "static_routes_only": True,
            "local_ipv4_network_cidr": "0.0.0.0/0",
            "transit_gateway_id": None,
        },
        {
            "vpn_gateway_id": ["aws_vpn_gateway.vgw"],
            "customer_gateway_id": ["aws_customer_gateway.office"],
        },
    )
    route = res(
        "aws_vpn_connection_route.office",
        {"vpn_connection_id": UNKNOWN, "destination_cidr_block": "172.16.0.0/12"},
        {"vpn_connection_id": ["aws_vpn_connection.office"]},
    )
    model = build(vpc(), vgw, cgw, connection, route)
    site = model.onprem_sites["aws_vpn_connection.office"]
    assert (site.type, site.gateway, site.customer_gateway, site.static_routes_only) == (
        "aws_vpn_connection",
        "aws_vpn_gateway.vgw",
        "aws_customer_gateway.office",
        True,
    )
    assert site.cidrs == ["172.16.0.0/12"]  # 0.0.0.0/0 says nothing about the site


# ----- public addresses ---------------------------------------------------------------------------


def test_public_addresses_come_from_the_instance_the_subnet_or_an_elastic_ip() -> None:
    model = build(
        vpc(),
        subnet("aws_subnet.public", "10.0.1.0/24", public=True),
        subnet("aws_subnet.private", "10.0.2.0/24"),
        instance("aws_instance.asked", "aws_subnet.private", associate_public_ip_address=True),
        instance("aws_instance.by_subnet", "aws_subnet.public"),
        instance("aws_instance.refused", "aws_subnet.public", associate_public_ip_address=False),
        instance("aws_instance.private", "aws_subnet.private"),
        instance("aws_instance.eip", "aws_subnet.private"),
        res(
            "aws_eip.web",
            {"instance": UNKNOWN, "network_interface": UNKNOWN},
            {"instance": ["aws_instance.eip"]},
        ),
    )

    def public(address: str) -> tuple[bool, str | None]:
        interface = model.endpoints[address].interfaces[0]
        return interface.public, interface.public_source

    assert public("aws_instance.asked") == (True, "aws_instance.asked")
    assert public("aws_instance.by_subnet") == (True, "aws_subnet.public")
    assert public("aws_instance.refused") == (False, None)
    assert public("aws_instance.private") == (False, None)
    assert public("aws_instance.eip") == (True, "aws_eip.web")
    eip = model.elastic_ips["aws_eip.web"]
    assert (eip.endpoint, eip.interface) == ("aws_instance.eip", "aws_instance.eip.eni")


def test_an_elastic_ip_association_makes_an_interface_public() -> None:
    eni = res(
        "aws_network_interface.app",
        {"subnet_id": UNKNOWN, "security_groups": UNKNOWN},
        {"subnet_id": ["aws_subnet.a"]},
    )
    eip = res("aws_eip.app", {"instance": UNKNOWN, "network_interface": UNKNOWN})
    association = res(
        "aws_eip_association.app",
        {"allocation_id": UNKNOWN, "network_interface_id": UNKNOWN, "instance_id": UNKNOWN},
        {"allocation_id": ["aws_eip.app"], "network_interface_id": ["aws_network_interface.app"]},
    )
    model = build(vpc(), subnet(), eni, eip, association)
    interface = model.endpoints["aws_network_interface.app"].interfaces[0]
    assert (interface.public, interface.public_source) == (True, "aws_eip.app")
    assert model.elastic_ips["aws_eip.app"].endpoint == "aws_network_interface.app"


def test_a_nat_gateways_elastic_ip_belongs_to_no_endpoint() -> None:
    eip = res("aws_eip.nat", {"instance": UNKNOWN, "network_interface": UNKNOWN})
    nat = res(
        "aws_nat_gateway.nat",
        {"subnet_id": UNKNOWN, "allocation_id": UNKNOWN},
        {"subnet_id": ["aws_subnet.a"], "allocation_id": ["aws_eip.nat"]},
    )
    model = build(vpc(), subnet(), eip, nat)
    assert model.elastic_ips["aws_eip.nat"].endpoint is None
    assert notes_about(model, "aws_eip.nat") == []


# ----- instances and network interfaces -----------------------------------------------------------


def test_an_interface_attached_to_an_instance_is_reported_as_the_instance() -> None:
    eni = res(
        "aws_network_interface.primary",
        {"subnet_id": UNKNOWN, "security_groups": [UNKNOWN], "private_ips": ["10.0.1.10"]},
        {"subnet_id": ["aws_subnet.a"], "security_groups": ["aws_security_group.web"]},
    )
    second = res(
        "aws_network_interface.second", {"subnet_id": UNKNOWN}, {"subnet_id": ["aws_subnet.b"]}
    )
    attachment = res(
        "aws_network_interface_attachment.second",
        {"instance_id": UNKNOWN, "network_interface_id": UNKNOWN, "device_index": 1},
        {"instance_id": ["aws_instance.app"], "network_interface_id": [second.address]},
    )
    app = res(
        "aws_instance.app",
        {
            "subnet_id": UNKNOWN,
            "network_interface": [{"network_interface_id": UNKNOWN, "device_index": 0}],
        },
        {"network_interface.0.network_interface_id": ["aws_network_interface.primary"]},
    )
    bare = res(
        "aws_network_interface.bare", {"subnet_id": UNKNOWN}, {"subnet_id": ["aws_subnet.a"]}
    )
    extra_group = res(
        "aws_network_interface_sg_attachment.extra",
        {"security_group_id": UNKNOWN, "network_interface_id": UNKNOWN},
        {
            "security_group_id": ["aws_security_group.extra"],
            "network_interface_id": ["aws_instance.app"],
        },  # its primary_network_interface_id
    )
    model = build(
        vpc(),
        subnet(),
        subnet("aws_subnet.b", "10.0.2.0/24"),
        group(),
        group("aws_security_group.extra"),
        eni,
        second,
        attachment,
        app,
        bare,
        extra_group,
    )

    assert "aws_network_interface.primary" not in model.endpoints
    assert "aws_network_interface.second" not in model.endpoints
    endpoint = model.endpoints["aws_instance.app"]
    primary, other = endpoint.interfaces
    assert (primary.address, primary.subnet, primary.private_ips) == (
        "aws_network_interface.primary",
        "aws_subnet.a",
        ["10.0.1.10"],
    )
    assert primary.security_groups == ["aws_security_group.web", "aws_security_group.extra"]
    assert (other.address, other.subnet) == ("aws_network_interface.second", "aws_subnet.b")
    assert other.security_groups == ["aws_vpc.main.default_security_group"]
    assert model.endpoints["aws_network_interface.bare"].kind == "network-interface"


def test_an_instance_whose_subnet_cannot_be_resolved_is_kept_with_the_gap_recorded() -> None:
    lost = res("aws_instance.lost", {"subnet_id": UNKNOWN}, {"subnet_id": ["data.aws_subnets.x"]})
    model = build(vpc(), vpc("aws_vpc.other", "10.1.0.0/16"), lost)
    [interface] = model.endpoints["aws_instance.lost"].interfaces
    assert interface.subnet is None and "subnet_id" in interface.unknown
    assert "subnet_id" in model.endpoints["aws_instance.lost"].unknown
    assert any("subnet_id" in m for m in notes_about(model, "aws_instance.lost"))


def test_an_instance_takes_groups_and_public_address_from_its_launch_template() -> None:
    template = res(
        "aws_launch_template.app",
        {
            "vpc_security_group_ids": [UNKNOWN],
            "network_interfaces": [{"associate_public_ip_address": "true"}],
        },
        {"vpc_security_group_ids": ["aws_security_group.web"]},
    )
    app = instance("aws_instance.app", launch_template=[{"id": UNKNOWN}])
    app.references["launch_template.0.id"] = ["aws_launch_template.app"]
    model = build(vpc(), subnet(), group(), template, app)
    [interface] = model.endpoints["aws_instance.app"].interfaces
    assert interface.security_groups == ["aws_security_group.web"]
    assert interface.public


# ----- load balancers -----------------------------------------------------------------------------


def _balanced() -> list[TfResource]:
    return [
        vpc(),
        subnet("aws_subnet.a", "10.0.1.0/24"),
        subnet("aws_subnet.b", "10.0.2.0/24"),
        group("aws_security_group.alb"),
        res(
            "aws_lb.front",
            {
                "load_balancer_type": "application",
                "internal": False,
                "subnets": [UNKNOWN] * 2,
                "security_groups": [UNKNOWN],
                "subnet_mapping": UNKNOWN,
            },
            {
                "subnets": ["aws_subnet.a", "aws_subnet.b"],
                "security_groups": ["aws_security_group.alb"],
            },
        ),
        res(
            "aws_lb_target_group.web", {"port": 8080, "protocol": "HTTP", "target_type": "instance"}
        ),
        res("aws_lb_target_group.api", {"port": 9000, "protocol": "HTTP"}),
        res(
            "aws_lb_listener.https",
            {
                "load_balancer_arn": UNKNOWN,
                "port": 443,
                "protocol": "HTTPS",
                "default_action": [{"type": "forward", "target_group_arn": UNKNOWN}],
            },
            {
                "load_balancer_arn": ["aws_lb.front"],
                "default_action.0.target_group_arn": ["aws_lb_target_group.web"],
            },
        ),
        res(
            "aws_lb_listener_rule.api",
            {"listener_arn": UNKNOWN, "action": [{"type": "forward", "target_group_arn": UNKNOWN}]},
            {
                "listener_arn": ["aws_lb_listener.https"],
                "action.0.target_group_arn": ["aws_lb_target_group.api"],
            },
        ),
        instance("aws_instance.web", "aws_subnet.a"),
        res(
            "aws_lb_target_group_attachment.web",
            {"target_group_arn": UNKNOWN, "target_id": UNKNOWN, "port": 8081},
            {"target_group_arn": ["aws_lb_target_group.web"], "target_id": ["aws_instance.web"]},
        ),
        res("aws_launch_template.api", {"vpc_security_group_ids": UNKNOWN}),
        res(
            "aws_autoscaling_group.api",
            {
                "vpc_zone_identifier": [UNKNOWN],
                "target_group_arns": [UNKNOWN],
                "launch_template": [{"id": UNKNOWN}],
            },
            {
                "vpc_zone_identifier": ["aws_subnet.b"],
                "target_group_arns": ["aws_lb_target_group.api"],
                "launch_template.0.id": ["aws_launch_template.api"],
            },
        ),
    ]


def test_listeners_forward_to_target_groups_and_their_targets() -> None:
    model = build(*_balanced())
    front = model.endpoints["aws_lb.front"]
    assert front.kind == "load-balancer"
    assert front.load_balancer is not None
    assert (front.load_balancer.scheme, front.load_balancer.flavor) == (
        "internet-facing",
        "application",
    )
    [listener] = front.load_balancer.listeners
    assert (listener.address, listener.port, listener.protocol) == (
        "aws_lb_listener.https",
        443,
        "HTTPS",
    )
    assert listener.target_groups == ["aws_lb_target_group.web", "aws_lb_target_group.api"]

    assert [i.address for i in front.interfaces] == [
        "aws_lb.front.eni[aws_subnet.a]",
        "aws_lb.front.eni[aws_subnet.b]",
    ]
    assert all(i.public and i.public_source == "aws_lb.front" for i in front.interfaces)
    assert all(i.security_groups == ["aws_security_group.alb"] for i in front.interfaces)

    [web] = model.target_groups["aws_lb_target_group.web"].targets
    assert (web.endpoint, web.port, web.via) == (
        "aws_instance.web",
        8081,
        "aws_lb_target_group_attachment.web",
    )
    [api] = model.target_groups["aws_lb_target_group.api"].targets
    assert api.endpoint == "aws_autoscaling_group.api"

    group = model.endpoints["aws_autoscaling_group.api"]
    assert group.kind == "auto-scaling-group"
    [interface] = group.interfaces
    assert interface.subnet == "aws_subnet.b"
    assert interface.security_groups == ["aws_vpc.main.default_security_group"]


def test_network_load_balancers_without_groups_filter_nothing() -> None:
    nlb = res(
        "aws_lb.nlb",
        {
            "load_balancer_type": "network",
            "internal": True,
            "security_groups": UNKNOWN,
            "subnet_mapping": [{"subnet_id": UNKNOWN, "private_ipv4_address": "10.0.1.5"}],
        },
        {"subnet_mapping.0.subnet_id": ["aws_subnet.a"]},
    )
    alb = res(
        "aws_lb.alb",
        {"subnets": [UNKNOWN], "security_groups": UNKNOWN},
        {"subnets": ["aws_subnet.a"]},
    )
    model = build(vpc(), subnet(), nlb, alb)
    network_lb = model.endpoints["aws_lb.nlb"]
    assert network_lb.load_balancer is not None
    assert network_lb.load_balancer.preserves_client_address
    assert network_lb.load_balancer.scheme == "internal"
    [interface] = network_lb.interfaces
    assert (interface.security_groups, interface.public, interface.private_ips) == (
        [],
        False,
        ["10.0.1.5"],
    )
    [alb_interface] = model.endpoints["aws_lb.alb"].interfaces
    assert alb_interface.security_groups == ["aws_vpc.main.default_security_group"]


def test_an_elastic_ip_a_load_balancer_maps_is_its_own_in_a_subnet_outside_the_input() -> None:
    # A network load balancer takes an Elastic IP per subnet mapping (AllocationId), in the
    # subnet the mapping names, which may be one that is not deployed with it.
    nlb = res(
        "aws_lb.nlb",
        {
            "load_balancer_type": "network",
            "subnet_mapping": [{"subnet_id": "subnet-0a1b2c3d", "allocation_id": UNKNOWN}],
        },
        {"subnet_mapping.0.allocation_id": ["aws_eip.lb"]},
    )
    model = build(nlb, res("aws_eip.lb", {"domain": "vpc"}), res("aws_eip.spare", {}))
    assert model.elastic_ips["aws_eip.lb"].endpoint == "aws_lb.nlb"
    assert notes_about(model, "aws_eip.lb") == []
    assert notes_about(model, "aws_eip.spare") == [
        "an Elastic IP not associated with anything in the input"
    ]


def test_classic_load_balancers_list_listeners_and_instances() -> None:
    elb = res(
        "aws_elb.web",
        {
            "subnets": [UNKNOWN],
            "security_groups": UNKNOWN,
            "internal": False,
            "instances": [UNKNOWN],
            "listener": [{"lb_port": 80, "lb_protocol": "http", "instance_port": 8080}],
        },
        {"subnets": ["aws_subnet.a"], "instances": ["aws_instance.web"]},
    )
    attachment = res(
        "aws_elb_attachment.extra",
        {"elb": UNKNOWN, "instance": UNKNOWN},
        {"elb": ["aws_elb.web"], "instance": ["aws_instance.extra"]},
    )
    model = build(vpc(), subnet(), instance(), instance("aws_instance.extra"), elb, attachment)
    balancer = model.endpoints["aws_elb.web"]
    assert balancer.load_balancer is not None
    assert balancer.load_balancer.flavor == "classic"
    [listener] = balancer.load_balancer.listeners
    assert (listener.port, listener.target_port, listener.protocol) == (80, 8080, "http")
    assert [t.endpoint for t in balancer.load_balancer.instances] == [
        "aws_instance.web",
        "aws_instance.extra",
    ]
    assert balancer.interfaces[0].security_groups == ["aws_vpc.main.default_security_group"]


def test_ecs_services_are_endpoints_and_targets() -> None:
    service = res(
        "aws_ecs_service.api",
        {
            "network_configuration": [
                {"subnets": [UNKNOWN], "security_groups": [UNKNOWN], "assign_public_ip": False}
            ],
            "load_balancer": [{"target_group_arn": UNKNOWN, "container_port": 3000}],
        },
        {
            "network_configuration.0.subnets": ["aws_subnet.a"],
            "network_configuration.0.security_groups": ["aws_security_group.web"],
            "load_balancer.0.target_group_arn": ["aws_lb_target_group.api"],
        },
    )
    model = build(vpc(), subnet(), group(), res("aws_lb_target_group.api", {"port": 80}), service)
    endpoint = model.endpoints["aws_ecs_service.api"]
    assert endpoint.kind == "service"
    assert endpoint.interfaces[0].security_groups == ["aws_security_group.web"]
    [target] = model.target_groups["aws_lb_target_group.api"].targets
    assert (target.endpoint, target.port) == ("aws_ecs_service.api", 3000)


# ----- databases, caches, functions, VPC endpoints ------------------------------------------------


def _subnet_group(address: str = "aws_db_subnet_group.db", name: str = "db") -> TfResource:
    return res(
        address,
        {"name": name, "subnet_ids": [UNKNOWN, UNKNOWN]},
        {"subnet_ids": ["aws_subnet.a", "aws_subnet.b"]},
    )


def test_a_database_has_an_interface_in_each_subnet_of_its_group() -> None:
    database = res(
        "aws_db_instance.main",
        {
            "db_subnet_group_name": "db",
            "vpc_security_group_ids": [UNKNOWN],
            "publicly_accessible": True,
        },
        {"vpc_security_group_ids": ["aws_security_group.web"]},
    )
    model = build(
        vpc(), subnet(), subnet("aws_subnet.b", "10.0.2.0/24"), group(), _subnet_group(), database
    )
    endpoint = model.endpoints["aws_db_instance.main"]
    assert endpoint.kind == "database"
    assert [(i.address, i.subnet) for i in endpoint.interfaces] == [
        ("aws_db_instance.main.eni[aws_subnet.a]", "aws_subnet.a"),
        ("aws_db_instance.main.eni[aws_subnet.b]", "aws_subnet.b"),
    ]
    assert all(i.public and i.public_source == "aws_db_instance.main" for i in endpoint.interfaces)


@pytest.mark.parametrize(
    ("values", "refs", "ports"),
    [
        ({"engine": "postgres", "port": UNKNOWN}, {}, [(5432, 5432)]),  # left to the engine
        ({"engine": "mysql", "port": 3307}, {}, [(3307, 3307)]),
        ({"engine": "postgres", "port": UNKNOWN}, {"port": ["var.db_port"]}, []),
    ],
)
def test_a_database_listens_on_its_port_as_its_row_says(
    values: dict[str, Any], refs: dict[str, list[str]], ports: list[tuple[int, int]]
) -> None:
    database = res("aws_db_instance.main", {"db_subnet_group_name": UNKNOWN, **values}, refs)
    endpoint = build(vpc(), database).endpoints["aws_db_instance.main"]
    assert endpoint.exposure == "aws-database"
    assert [(p.low, p.high) for p in endpoint.service_ports] == ports


def test_load_balancers_and_endpoints_name_their_exposure_row() -> None:
    model = build(
        vpc(),
        subnet(),
        res("aws_lb.app", {"load_balancer_type": "application", "subnets": ["subnet-a"]}),
        res("aws_lb.net", {"load_balancer_type": "network"}),
        res("aws_vpc_endpoint.api", {"vpc_endpoint_type": "Interface"}),
        ids={"subnet-a": "aws_subnet.a"},
    )
    exposures = {a: e.exposure for a, e in model.endpoints.items()}
    assert exposures == {
        "aws_lb.app": "aws-alb",
        "aws_lb.net": "aws-nlb",
        "aws_vpc_endpoint.api": "aws-interface-endpoint",
    }


def test_a_database_without_subnet_group_lands_in_the_default_vpc() -> None:
    database = res("aws_db_instance.main", {"db_subnet_group_name": UNKNOWN})
    model = build(vpc(), vpc("aws_vpc.other", "10.1.0.0/16"), database)
    [interface] = model.endpoints["aws_db_instance.main"].interfaces
    assert (interface.subnet, interface.network) == (None, "default-vpc")
    assert interface.security_groups == ["default-vpc.default_security_group"]
    assert "db_subnet_group_name" in model.endpoints["aws_db_instance.main"].unknown
    assert any("default VPC" in m for m in notes_about(model, "aws_db_instance.main"))


def test_cluster_instances_fold_into_their_cluster() -> None:
    cluster = res(
        "aws_rds_cluster.main",
        {"db_subnet_group_name": UNKNOWN},
        {"db_subnet_group_name": ["aws_db_subnet_group.db"]},
    )
    members = [
        res(
            f"aws_rds_cluster_instance.node[{i}]",
            {"cluster_identifier": UNKNOWN, "publicly_accessible": i == 1},
            {"cluster_identifier": ["aws_rds_cluster.main"]},
        )
        for i in range(2)
    ]
    model = build(
        vpc(), subnet(), subnet("aws_subnet.b", "10.0.2.0/24"), _subnet_group(), cluster, *members
    )
    assert not any(a.startswith("aws_rds_cluster_instance") for a in model.endpoints)
    endpoint = model.endpoints["aws_rds_cluster.main"]
    assert len(endpoint.interfaces) == 2
    assert endpoint.interfaces[0].public_source == "aws_rds_cluster_instance.node[1]"
    assert not [n for n in model.notes if "aws_rds_cluster_instance" in n.message]


def test_caches_functions_and_interface_endpoints() -> None:
    cache_group = res(
        "aws_elasticache_subnet_group.cache",
        {"name": "cache", "subnet_ids": [UNKNOWN]},
        {"subnet_ids": ["aws_subnet.a"]},
    )
    cache = res(
        "aws_elasticache_replication_group.redis",
        {"subnet_group_name": UNKNOWN, "security_group_ids": UNKNOWN},
        {"subnet_group_name": ["aws_elasticache_subnet_group.cache"]},
    )
    function = res(
        "aws_lambda_function.fn",
        {"vpc_config": [{"subnet_ids": [UNKNOWN], "security_group_ids": [UNKNOWN]}]},
        {
            "vpc_config.0.subnet_ids": ["aws_subnet.a"],
            "vpc_config.0.security_group_ids": ["aws_security_group.web"],
        },
    )
    outside = res("aws_lambda_function.outside", {"vpc_config": []})
    endpoint = res(
        "aws_vpc_endpoint.ssm",
        {
            "vpc_endpoint_type": "Interface",
            "subnet_ids": [UNKNOWN],
            "security_group_ids": UNKNOWN,
            "vpc_id": UNKNOWN,
        },
        {"subnet_ids": ["aws_subnet.a"], "vpc_id": ["aws_vpc.main"]},
    )
    model = build(vpc(), subnet(), group(), cache_group, cache, function, outside, endpoint)

    kinds = {a: e.kind for a, e in model.endpoints.items()}
    assert kinds == {
        "aws_elasticache_replication_group.redis": "cache",
        "aws_lambda_function.fn": "function",
        "aws_vpc_endpoint.ssm": "vpc-endpoint",
    }
    redis = model.endpoints["aws_elasticache_replication_group.redis"].interfaces[0]
    assert redis.subnet == "aws_subnet.a"
    assert redis.security_groups == ["aws_vpc.main.default_security_group"]
    assert model.endpoints["aws_lambda_function.fn"].interfaces[0].security_groups == [
        "aws_security_group.web"
    ]
    assert model.endpoints["aws_vpc_endpoint.ssm"].interfaces[0].security_groups == [
        "aws_vpc.main.default_security_group"
    ]


# ----- what is not modelled -----------------------------------------------------------------------


def test_unmodelled_types_get_one_note_per_type() -> None:
    model = build(
        vpc(),
        *[res(f"aws_s3_bucket.b{i}", {}) for i in range(7)],
        res("aws_dx_connection.dc", {}),
        res("aws_globalaccelerator_accelerator.ga", {}),
        res("data.aws_ami.ubuntu", {}),
        res("azurerm_resource_group.rg", {}),
    )
    messages = [n.message for n in model.notes]
    buckets = [m for m in messages if "aws_s3_bucket" in m]
    assert len(buckets) == 1
    assert buckets[0].startswith("7 aws_s3_bucket resource(s) not modelled")
    assert "aws_s3_bucket.b0" in buckets[0] and "and 2 more" in buckets[0]
    assert any("aws_dx_connection" in m and "Direct Connect" in m for m in messages)
    assert any("aws_globalaccelerator_accelerator" in m and "reachability" in m for m in messages)
    assert not any("aws_ami" in m or "azurerm" in m for m in messages)


def test_a_group_named_default_is_the_vpcs_default_group() -> None:
    named = instance(security_groups=["default"], vpc_security_group_ids=UNKNOWN)
    model = build(vpc(), subnet(), named)
    [interface] = model.endpoints["aws_instance.web"].interfaces
    assert interface.security_groups == ["aws_vpc.main.default_security_group"]
    assert interface.unknown == []


def test_a_data_source_reading_a_managed_vpc_is_that_vpc() -> None:
    looked_up = res(
        "data.aws_vpc.main", {"id": UNKNOWN, "cidr_block": UNKNOWN}, {"id": ["aws_vpc.main"]}
    )
    target_group = res(
        "aws_lb_target_group.web",
        {"port": 80, "vpc_id": UNKNOWN},
        {"vpc_id": ["data.aws_vpc.main"]},
    )
    on_data = res(
        "aws_subnet.a",
        {"vpc_id": UNKNOWN, "cidr_block": "10.0.1.0/24"},
        {"vpc_id": ["data.aws_vpc.main"]},
    )
    model = build(vpc(), looked_up, target_group, on_data)
    assert list(model.networks) == ["aws_vpc.main"]
    assert model.subnets["aws_subnet.a"].network == "aws_vpc.main"


# ----- real plans ---------------------------------------------------------------------------------

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "aws"


def _plan_model(name: str) -> NetworkModel:
    from reachlint.formats.terraform.plan import load_plan_resources

    path = FIXTURES / name / "plan.json"
    plan = load_plan_resources(path)
    return build_aws_model(plan.resources, plan.ids, str(path))


def test_three_tier_plan() -> None:
    model = _plan_model("three-tier")
    front = model.endpoints["aws_lb.front"]
    assert front.load_balancer is not None
    [listener] = front.load_balancer.listeners
    assert (listener.port, listener.target_groups) == (80, ["aws_lb_target_group.web"])
    targets = [t.endpoint for t in model.target_groups["aws_lb_target_group.web"].targets]
    assert targets == ["module.web.aws_instance.this[0]", "module.web.aws_instance.this[1]"]
    database = model.endpoints["aws_db_instance.main"]
    assert [i.subnet for i in database.interfaces] == ["aws_subnet.db_a", "aws_subnet.db_b"]
    routes = {
        address: [(r.destination, r.target_kind, r.target) for r in table.routes]
        for address, table in model.route_tables.items()
    }
    assert routes["aws_route_table.public"] == [
        ("0.0.0.0/0", "internet-gateway", "aws_internet_gateway.main")
    ]
    assert routes["aws_route_table.private"] == [
        ("0.0.0.0/0", "nat-gateway", "aws_nat_gateway.main")
    ]
    [db_rule] = model.security_groups["aws_security_group.db"].rules
    assert db_rule.security_groups == ["aws_security_group.app"]


def test_peered_vpcs_plan() -> None:
    model = _plan_model("naa-compliant")
    peering = model.peerings["aws_vpc_peering_connection.business_directory"]
    assert (peering.requester, peering.accepter, peering.active) == (
        "aws_vpc.business",
        "aws_vpc.directory",
        True,
    )
    web = model.endpoints["aws_instance.web"].interfaces[0]
    assert (web.public, web.public_source) == (True, "aws_subnet.business_public")
    directory = [
        (r.destination, r.target_kind, r.target)
        for r in model.route_tables["aws_route_table.directory_private"].routes
    ]
    assert directory == [
        ("0.0.0.0/0", "nat-gateway", "aws_nat_gateway.directory"),
        ("10.1.0.0/16", "peering", "aws_vpc_peering_connection.business_directory"),
    ]


def test_private_vpn_plan() -> None:
    model = _plan_model("private-vpn")
    site = model.onprem_sites["aws_vpn_connection.datacenter"]
    assert (site.gateway, site.cidrs) == ("aws_vpn_gateway.vgw", ["172.16.0.0/16"])
    [route] = model.route_tables["aws_route_table.private"].routes
    assert (route.target_kind, route.target) == ("vpn-gateway", "aws_vpn_gateway.vgw")
    acl = model.network_acls["aws_network_acl.private"]
    assert acl.subnets == ["aws_subnet.a", "aws_subnet.b"]
    assert any(not e.allow for e in acl.entries)


def test_plan_with_modules_and_attached_interfaces() -> None:
    model = _plan_model("loader-modules")
    app = model.endpoints["module.app[1].aws_instance.app"]
    [interface] = app.interfaces
    assert (interface.address, interface.subnet) == (
        "module.app[1].aws_network_interface.app",
        "aws_subnet.private[1]",
    )
    assert interface.security_groups == ["module.app[1].aws_security_group.app"]
    assert "module.app[1].aws_network_interface.app" not in model.endpoints
    bare = model.endpoints["module.web.module.nic.aws_network_interface.this"]
    assert bare.kind == "network-interface"
    assert bare.interfaces[0].security_groups == ["module.web.module.sg.aws_security_group.this"]


def test_an_unknown_computed_attribute_counts_as_written_when_listed_in_references() -> None:
    # An empty reference list: written in the configuration, from something not a resource.
    unset = instance()
    written = instance("aws_instance.written")
    written.references["vpc_security_group_ids"] = []
    model = build(vpc(), subnet(), unset, written)
    assert model.endpoints["aws_instance.web"].interfaces[0].security_groups == [
        "aws_vpc.main.default_security_group"
    ]
    interface = model.endpoints["aws_instance.written"].interfaces[0]
    assert interface.security_groups == ["aws_instance.written.vpc_security_group_ids"]
    assert "vpc_security_group_ids" in interface.unknown


def test_default_vpc_elements_stay_in_the_default_vpc() -> None:
    default_group = res(
        "aws_default_security_group.default", {"vpc_id": UNKNOWN, "ingress": [], "egress": []}
    )
    default_subnet = res(
        "aws_default_subnet.a", {"availability_zone": "eu-west-1a", "vpc_id": UNKNOWN}
    )
    model = build(vpc(), default_group, default_subnet)
    assert model.networks["aws_vpc.main"].default_security_group == (
        "aws_vpc.main.default_security_group"
    )
    assert model.security_groups[default_group.address].network == "default-vpc"
    default_vpc = model.networks["default-vpc"]
    assert default_vpc.cidrs == ["172.31.0.0/16"]
    assert default_vpc.default_security_group == default_group.address
    placed = model.subnets["aws_default_subnet.a"]
    assert (placed.network, placed.map_public_ip, placed.zone) == (
        "default-vpc",
        True,
        "eu-west-1a",
    )


@pytest.mark.parametrize(
    ("values", "refs", "launches"),
    [
        # CreateAutoScalingGroup: without a launch configuration, one of a launch template, a
        # mixed instances policy or an instance is required. Naming none, the group is refused.
        ({"launch_template": [], "launch_configuration": None}, {}, False),
        ({"launch_template": [], "launch_configuration": UNKNOWN}, {}, True),
        (
            {"launch_template": [{"id": UNKNOWN, "name": None}]},
            {"launch_template.0.id": ["aws_launch_template.app"]},
            True,
        ),
    ],
)
def test_an_auto_scaling_group_without_a_launch_source_launches_nothing(
    values: dict[str, Any], refs: dict[str, list[str]], launches: bool
) -> None:
    group = res("aws_autoscaling_group.web", {"vpc_zone_identifier": [], **values}, refs)
    model = build_aws_model([res("aws_vpc.main", {"cidr_block": "10.0.0.0/16"}), group])
    assert (group.address in model.endpoints) is launches
    said = any("launches nothing" in note.message for note in model.notes)
    assert said is not launches


# ----- data sources ---------------------------------------------------------------------------


def test_data_sources_that_read_one_vpc_are_one_network() -> None:
    # Every module reads the account's VPC for itself: one VPC, named by the first address.
    model = build(
        res("data.aws_vpc.shared", {"id": "vpc-0abc", "cidr_block": "10.0.0.0/16"}),
        res("module.app.data.aws_vpc.shared", {"id": "vpc-0abc", "cidr_block": "10.0.0.0/16"}),
        res(
            "module.app.aws_security_group.db",
            {"vpc_id": UNKNOWN},
            {"vpc_id": ["module.app.data.aws_vpc.shared"]},
        ),
    )
    assert [a for a in model.networks if "aws_vpc" in a] == ["data.aws_vpc.shared"]
    assert model.security_groups["module.app.aws_security_group.db"].network == (
        "data.aws_vpc.shared"
    )


def test_an_id_another_data_source_also_carries_still_names_the_vpc() -> None:
    # aws_subnet_ids carries its VPC's id as its own: a VPC id names the VPC all the same.
    model = build(
        res("data.aws_subnet_ids.private", {"id": "vpc-0abc", "vpc_id": "vpc-0abc"}),
        res("module.a.data.aws_vpc.shared", {"id": "vpc-0abc", "cidr_block": "10.0.0.0/16"}),
        res("module.b.data.aws_vpc.shared", {"id": "vpc-0abc", "cidr_block": "10.0.0.0/16"}),
        res("aws_security_group.app", {"vpc_id": "vpc-0abc"}),
        ids={"vpc-0abc": "data.aws_subnet_ids.private"},
    )
    # A data source in a module reads the VPC as much as one at the root does.
    assert model.security_groups["aws_security_group.app"].network == (
        "module.a.data.aws_vpc.shared"
    )


_DUAL_STACK_FUNCTION = """
variable "allow_ipv6" {
  type = bool
}
resource "aws_vpc" "main" {
  cidr_block                       = "10.0.0.0/16"
  assign_generated_ipv6_cidr_block = true
}
resource "aws_egress_only_internet_gateway" "out" {
  vpc_id = aws_vpc.main.id
}
resource "aws_subnet" "private" {
  vpc_id          = aws_vpc.main.id
  cidr_block      = "10.0.2.0/24"
  ipv6_cidr_block = cidrsubnet(aws_vpc.main.ipv6_cidr_block, 8, 2)
}
resource "aws_route_table" "private" {
  vpc_id = aws_vpc.main.id
  route {
    ipv6_cidr_block        = "::/0"
    egress_only_gateway_id = aws_egress_only_internet_gateway.out.id
  }
}
resource "aws_route_table_association" "private" {
  subnet_id      = aws_subnet.private.id
  route_table_id = aws_route_table.private.id
}
resource "aws_security_group" "fn" {
  vpc_id = aws_vpc.main.id
  egress {
    protocol         = "-1"
    from_port        = 0
    to_port          = 0
    ipv6_cidr_blocks = ["::/0"]
  }
}
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = "arn:aws:iam::123456789012:role/fn"
  vpc_config {
    subnet_ids         = [aws_subnet.private.id]
    security_group_ids = [aws_security_group.fn.id]
    ALLOWED
  }
}
"""


@pytest.mark.parametrize(
    ("allowed", "reached", "rests_on"),
    [
        ("", False, []),
        ("ipv6_allowed_for_dual_stack = false", False, []),
        ("ipv6_allowed_for_dual_stack = true", True, []),
        ("ipv6_allowed_for_dual_stack = var.allow_ipv6", True, ["aws_lambda_function.fn: ipv6"]),
    ],
)
def test_a_function_sends_ipv6_only_when_allowed(
    tmp_path: Path, allowed: str, reached: bool, rests_on: list[str]
) -> None:
    # Lambda's VpcConfig Ipv6AllowedForDualStack: "Allows outbound IPv6 traffic on VPC
    # functions that are connected to dual-stack subnets" (false unless written); here IPv6 is
    # the only way out, through an egress-only internet gateway.
    from reachlint.commands.check import run_check

    (tmp_path / "main.tf").write_text(_DUAL_STACK_FUNCTION.replace("ALLOWED", allowed))
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: 1\nrules:\n  - id: OUT\n    title: out\n    severity: low\n"
        "    match: {from: {types: [aws_lambda_function]}, to: internet}\n"
    )
    findings = run_check([tmp_path], [rules], builtin=False).findings
    assert [f.source.address for f in findings] == (["aws_lambda_function.fn"] if reached else [])
    if reached:
        assert (findings[0].depends_on_unknown or []) == rests_on
    closed = run_check([tmp_path], [rules], builtin=False, assume_unknown="closed").findings
    assert bool(closed) == (reached and not rests_on)
