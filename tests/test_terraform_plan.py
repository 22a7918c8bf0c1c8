"""The Terraform plan loader: which resources a plan leaves, their values, their references."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reachlint.errors import InputError
from reachlint.formats.terraform.plan import (
    PlanResources,
    load_plan_resources,
    looks_like_plan,
    read_json,
)
from reachlint.formats.terraform.records import UNKNOWN, TfResource

REPO = Path(__file__).resolve().parents[1]
MODULES_PLAN = REPO / "fixtures" / "aws" / "loader-modules" / "plan.json"
CORPUS = REPO.parent / "shared" / "corpus"


@pytest.fixture(scope="module")
def modules_plan() -> PlanResources:
    return load_plan_resources(MODULES_PLAN)


def by_address(plan: PlanResources) -> dict[str, TfResource]:
    return {resource.address: resource for resource in plan.resources}


def refs(plan: PlanResources, address: str, path: str) -> list[str] | None:
    return by_address(plan)[address].references.get(path)


# --- references in a real plan of nested modules, count and for_each ----------------------


def test_module_variable_carries_security_group_to_instance(modules_plan: PlanResources) -> None:
    for index in (0, 1):
        address = f"module.web.aws_instance.this[{index}]"
        assert refs(modules_plan, address, "vpc_security_group_ids") == ["aws_security_group.web"]


def test_count_index_through_module_variable_aligns_instances(modules_plan: PlanResources) -> None:
    # subnet_id = var.subnet_ids[count.index], subnet_ids = aws_subnet.private[*].id
    assert refs(modules_plan, "module.web.aws_instance.this[0]", "subnet_id") == [
        "aws_subnet.private[0]"
    ]
    assert refs(modules_plan, "module.web.aws_instance.this[1]", "subnet_id") == [
        "aws_subnet.private[1]"
    ]


def test_module_output_used_by_root_resource(modules_plan: PlanResources) -> None:
    # source_security_group_id = module.web.security_group_id = module.sg.id, two levels down
    assert refs(
        modules_plan, "aws_security_group_rule.from_web_module", "source_security_group_id"
    ) == ["module.web.module.sg.aws_security_group.this"]


def test_sibling_module_output_and_literal_index_into_variable(
    modules_plan: PlanResources,
) -> None:
    nic = "module.web.module.nic.aws_network_interface.this"
    assert refs(modules_plan, nic, "security_groups") == [
        "module.web.module.sg.aws_security_group.this"
    ]
    assert refs(modules_plan, nic, "subnet_id") == ["aws_subnet.private[0]"]  # var.subnet_ids[0]


def test_count_index_aligns_counted_resources(modules_plan: PlanResources) -> None:
    association = "aws_route_table_association.private[1]"
    assert refs(modules_plan, association, "subnet_id") == ["aws_subnet.private[1]"]
    assert refs(modules_plan, association, "route_table_id") == ["aws_route_table.private[1]"]


def test_each_value_and_each_key_align_with_for_each_keys(modules_plan: PlanResources) -> None:
    # for_each = aws_subnet.public, subnet_id = each.value.id
    assert refs(modules_plan, 'aws_route_table_association.public["b"]', "subnet_id") == [
        'aws_subnet.public["b"]'
    ]
    # subnet_ids = [aws_subnet.public[each.key].id]
    assert refs(modules_plan, 'aws_network_acl.public["a"]', "subnet_ids") == [
        'aws_subnet.public["a"]'
    ]


def test_modules_called_with_count_and_for_each(modules_plan: PlanResources) -> None:
    assert refs(modules_plan, "module.app[1].aws_instance.app", "subnet_id") == [
        "aws_subnet.private[1]"
    ]
    assert refs(modules_plan, 'module.edge["a"].aws_instance.app', "subnet_id") == [
        'aws_subnet.public["a"]'
    ]
    # References inside a module instance stay inside it.
    assert refs(modules_plan, "module.app[1].aws_instance.app", "launch_template.0.id") == [
        "module.app[1].aws_launch_template.app"
    ]
    assert refs(
        modules_plan,
        'module.edge["b"].aws_instance.app',
        "network_interface.0.network_interface_id",
    ) == ['module.edge["b"].aws_network_interface.app']


def test_nested_block_paths_and_literal_instance_keys(modules_plan: PlanResources) -> None:
    assert refs(modules_plan, "aws_lb.front", "subnet_mapping.0.subnet_id") == [
        'aws_subnet.public["a"]'
    ]
    assert refs(modules_plan, "aws_lb.front", "subnet_mapping.1.subnet_id") == [
        'aws_subnet.public["b"]'
    ]
    assert refs(modules_plan, "aws_lb_listener.front", "default_action.0.target_group_arn") == [
        "aws_lb_target_group.web"
    ]


def test_set_blocks_follow_the_planned_values_order(modules_plan: PlanResources) -> None:
    # Written device 1 first; the plan lists its set of interfaces by device_index 0, 1.
    multi = by_address(modules_plan)["aws_instance.multi"]
    assert multi.values["network_interface"][0]["device_index"] == 0
    assert multi.references["network_interface.0.network_interface_id"] == [
        "aws_network_interface.first"
    ]
    assert multi.references["network_interface.1.network_interface_id"] == [
        "aws_network_interface.second"
    ]


def test_data_sources_are_kept_and_referenced(modules_plan: PlanResources) -> None:
    data = by_address(modules_plan)["data.aws_vpc.main"]
    assert (data.mode, data.action) == ("data", "read")
    assert refs(modules_plan, "aws_lb_target_group.web", "vpc_id") == ["data.aws_vpc.main"]


def test_block_list_written_as_one_attribute_keeps_its_references(
    modules_plan: PlanResources,
) -> None:
    # aws_security_group's ingress is an attribute: the plan gives one reference list for all
    # blocks together, so it is kept under the attribute's name.
    assert refs(modules_plan, "aws_security_group.db", "ingress") == [
        "aws_security_group.web",
        "module.web.module.sg.aws_security_group.this",
    ]


def test_what_the_plan_does_not_record_is_noted(modules_plan: PlanResources) -> None:
    assert refs(modules_plan, 'aws_subnet.public["a"]', "vpc_id") is None  # = local.vpc_id
    notes = "\n".join(modules_plan.notes)
    assert notes.count("local.vpc_id is not recorded in a plan") == 1
    assert "aws_lb.inner: the plan's configuration does not record subnet_mapping" in notes
    assert "aws_security_group.cache: the plan's configuration does not record ingress" in notes


def test_unknown_values_are_marked(modules_plan: PlanResources) -> None:
    resources = by_address(modules_plan)
    assert resources["aws_lb.front"].values["subnet_mapping"][0]["subnet_id"] is UNKNOWN
    database = resources["aws_security_group.db"].values
    assert database["egress"] is UNKNOWN
    assert database["ingress"][0]["security_groups"] is UNKNOWN
    assert database["ingress"][0]["from_port"] == 5432
    assert resources["aws_vpc.main"].values["cidr_block"] == "10.0.0.0/16"


def test_addresses_modules_keys_and_configuration_addresses(modules_plan: PlanResources) -> None:
    instance = by_address(modules_plan)['module.edge["a"].aws_instance.app']
    assert (instance.module, instance.type, instance.name) == (
        'module.edge["a"]',
        "aws_instance",
        "app",
    )
    assert by_address(modules_plan)['aws_subnet.public["b"]'].index == "b"
    assert by_address(modules_plan)["aws_subnet.private[1]"].index == 1
    assert modules_plan.config_addresses["module.web.aws_instance.this[0]"] == (
        "module.web.aws_instance.this"
    )
    assert (modules_plan.format_version, modules_plan.terraform_version) == ("1.2", "1.11.4")


# --- a real plan against existing resources (fixtures/aws/loader-existing/existing.tfstate) --

EXISTING_FIXTURE = REPO / "fixtures" / "aws" / "loader-existing" / "plan.json"


def test_real_plan_against_existing_resources() -> None:
    plan = load_plan_resources(EXISTING_FIXTURE)
    actions = {resource.address: resource.action for resource in plan.resources}
    assert actions == {
        "aws_instance.web": "create",
        "aws_security_group.web": "create",
        "aws_subnet.a": "no-op",
        "aws_subnet.b": "replace",
        "aws_vpc.main": "no-op",
    }
    assert plan.ids["vpc-0abc"] == "aws_vpc.main"
    assert plan.ids["subnet-0b"] == "aws_subnet.b"  # replaced: its old id still leads to it
    assert "subnet-0gone" not in plan.ids
    assert by_address(plan)["aws_subnet.b"].values["id"] is UNKNOWN


def test_without_configuration_known_ids_still_connect_resources() -> None:
    document = read_json(EXISTING_FIXTURE)
    del document["configuration"]
    plan = load_plan_resources(EXISTING_FIXTURE, document)
    assert refs(plan, "aws_instance.web", "subnet_id") == ["aws_subnet.a"]
    assert refs(plan, "aws_security_group.web", "vpc_id") == ["aws_vpc.main"]
    assert refs(plan, "aws_instance.web", "vpc_security_group_ids") is None  # not known yet
    assert plan.notes == [
        "the plan has no configuration section, so references between resources are matched "
        "by known ids only"
    ]


# --- existing resources, deletes, replacements and moves (a hand-made plan) -----------------


def resource(address: str, values: dict[str, Any]) -> dict[str, Any]:
    kind, name = address.split("[")[0].split(".")[-2:]
    return {"address": address, "mode": "managed", "type": kind, "name": name, "values": values}


def change(address: str, actions: list[str], after_unknown: dict[str, Any]) -> dict[str, Any]:
    kind, name = address.split("[")[0].split(".")[-2:]
    return {
        "address": address,
        "mode": "managed",
        "type": kind,
        "name": name,
        "change": {"actions": actions, "after_unknown": after_unknown},
    }


def expression_resource(address: str, expressions: dict[str, Any], **extra: Any) -> dict[str, Any]:
    kind, name = address.split(".")
    return {"address": address, "mode": "managed", "type": kind, "name": name, **extra} | {
        "expressions": expressions
    }


# The shape of `terraform show -json PLANFILE` for a plan against existing resources:
# prior_state holds what exists, planned_values what will, resource_changes the actions.
EXISTING_PLAN: dict[str, Any] = {
    "format_version": "0.2",
    "terraform_version": "1.0.11",
    "prior_state": {
        "values": {
            "root_module": {
                "resources": [
                    resource("aws_vpc.main", {"id": "vpc-0abc", "cidr_block": "10.0.0.0/16"}),
                    resource("aws_subnet.old", {"id": "subnet-0old", "vpc_id": "vpc-0abc"}),
                    # Not in planned_values or resource_changes, as older plans leave no-ops.
                    resource("aws_subnet.kept", {"id": "subnet-0kept", "vpc_id": "vpc-0abc"}),
                    resource("aws_instance.web", {"id": "i-0old", "subnet_id": "subnet-0kept"}),
                    resource("aws_security_group.web", {"id": "sg-0web", "vpc_id": "vpc-0abc"}),
                    resource("aws_security_group.legacy", {"id": "sg-0moved"}),
                ]
            }
        }
    },
    "planned_values": {
        "root_module": {
            "resources": [
                resource("aws_vpc.main", {"id": "vpc-0abc", "cidr_block": "10.0.0.0/16"}),
                resource("aws_instance.web", {"subnet_id": "subnet-0kept"}),
                resource("aws_security_group.web", {"vpc_id": "vpc-0abc"}),
                resource("aws_subnet.private[0]", {"vpc_id": "vpc-0abc"}),
                resource("aws_subnet.private[1]", {"vpc_id": "vpc-0abc"}),
                resource("aws_db_subnet_group.all", {}),
                resource("aws_security_group.renamed", {"id": "sg-0moved"}),
            ]
        }
    },
    "resource_changes": [
        change("aws_vpc.main", ["no-op"], {}),
        change("aws_subnet.old", ["delete"], {}),
        change("aws_instance.web", ["delete", "create"], {"id": True}),
        change("aws_security_group.web", ["create", "delete"], {"id": True, "ingress": True}),
        change("aws_subnet.private[0]", ["create"], {"id": True}),
        change("aws_subnet.private[1]", ["create"], {"id": True}),
        change("aws_db_subnet_group.all", ["create"], {"id": True, "subnet_ids": True}),
        # A `moved` block: the old address is only in prior_state.
        change("aws_security_group.renamed", ["no-op"], {})
        | {"previous_address": "aws_security_group.legacy"},
    ],
    "configuration": {
        "root_module": {
            "resources": [
                expression_resource(
                    "aws_subnet.private",
                    {"vpc_id": {"references": ["aws_vpc.main.id", "aws_vpc.main"]}},
                    count_expression={"constant_value": 2},
                ),
                expression_resource(
                    "aws_db_subnet_group.all",
                    {"subnet_ids": {"references": ["aws_subnet.private"]}},  # [*].id
                ),
            ]
        }
    },
}


@pytest.fixture(scope="module")
def existing_plan() -> PlanResources:
    return load_plan_resources(Path("plan.json"), json.loads(json.dumps(EXISTING_PLAN)))


def test_deleted_resources_are_absent(existing_plan: PlanResources) -> None:
    assert "aws_subnet.old" not in by_address(existing_plan)
    assert "subnet-0old" not in existing_plan.ids


def test_actions_and_moved_addresses(existing_plan: PlanResources) -> None:
    actions = {resource.address: resource.action for resource in existing_plan.resources}
    assert actions == {
        "aws_vpc.main": "no-op",
        "aws_instance.web": "replace",
        "aws_security_group.web": "replace",
        "aws_subnet.private[0]": "create",
        "aws_subnet.private[1]": "create",
        "aws_db_subnet_group.all": "create",
        "aws_security_group.renamed": "no-op",
        "aws_subnet.kept": "no-op",
    }
    assert existing_plan.ids["sg-0moved"] == "aws_security_group.renamed"


def test_planned_values_win_over_prior_state(existing_plan: PlanResources) -> None:
    instance = by_address(existing_plan)["aws_instance.web"]
    assert instance.values["id"] is UNKNOWN
    assert by_address(existing_plan)["aws_security_group.web"].values["ingress"] is UNKNOWN


def test_known_ids_become_references(existing_plan: PlanResources) -> None:
    assert existing_plan.ids["vpc-0abc"] == "aws_vpc.main"
    assert existing_plan.ids["i-0old"] == "aws_instance.web"  # replaced, same address
    assert refs(existing_plan, "aws_subnet.kept", "vpc_id") == ["aws_vpc.main"]
    assert refs(existing_plan, "aws_instance.web", "subnet_id") == ["aws_subnet.kept"]


def test_unindexed_reference_to_counted_resource_means_every_instance(
    existing_plan: PlanResources,
) -> None:
    assert refs(existing_plan, "aws_db_subnet_group.all", "subnet_ids") == [
        "aws_subnet.private[0]",
        "aws_subnet.private[1]",
    ]


def test_shown_state_is_read_as_existing_resources() -> None:
    state = {
        "format_version": "1.0",
        "terraform_version": "1.5.7",
        "values": EXISTING_PLAN["prior_state"]["values"],
    }
    loaded = load_plan_resources(Path("state.json"), state)
    assert {resource.action for resource in loaded.resources} == {"no-op"}
    assert refs(loaded, "aws_subnet.old", "vpc_id") == ["aws_vpc.main"]


def test_indexes_into_counted_module_outputs() -> None:
    net = [f"module.net[{m}].aws_subnet.private[{s}]" for m in (0, 1) for s in (0, 1)]
    planned = [resource(address, {}) for address in net]
    planned += [
        resource(a, {}) for a in ("aws_instance.a", "aws_instance.b[0]", "aws_instance.b[1]")
    ]
    document = {
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": planned}},
        "configuration": {
            "root_module": {
                "resources": [
                    # subnet_id = module.net[1].subnet_ids[0]
                    expression_resource(
                        "aws_instance.a",
                        {
                            "subnet_id": {
                                "references": ["module.net[1].subnet_ids[0]", "module.net"]
                            }
                        },
                    ),
                    # count = 2, subnet_id = module.net[count.index].subnet_ids[count.index]
                    expression_resource(
                        "aws_instance.b",
                        {"subnet_id": {"references": ["module.net", "count.index"]}},
                        count_expression={"constant_value": 2},
                    ),
                ],
                "module_calls": {
                    "net": {
                        "count_expression": {"constant_value": 2},
                        "module": {
                            "outputs": {
                                "subnet_ids": {"expression": {"references": ["aws_subnet.private"]}}
                            },
                            "resources": [expression_resource("aws_subnet.private", {})],
                        },
                    }
                },
            }
        },
    }
    plan = load_plan_resources(Path("plan.json"), document)
    assert refs(plan, "aws_instance.a", "subnet_id") == ["module.net[1].aws_subnet.private[0]"]
    assert refs(plan, "aws_instance.b[1]", "subnet_id") == ["module.net[1].aws_subnet.private[1]"]


# --- input detection and bad input ---------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "plan.json") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def error_for(path: Path, document: Any = None) -> str:
    with pytest.raises(InputError) as caught:
        load_plan_resources(path, document)
    return str(caught.value)


def test_broken_json_names_file_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, '{\n  "format_version": "1.2",\n  "planned_values": {,}\n}\n')
    with pytest.raises(InputError) as caught:
        read_json(path)
    assert caught.value.line == 3
    assert str(caught.value).startswith(f"{path}:3: broken JSON at line 3 column 22:")


def test_streaming_plan_output_is_recognised(tmp_path: Path) -> None:
    lines = [
        {"@level": "info", "@message": "Terraform 1.11.4", "type": "version"},
        {"@level": "info", "@message": "Plan: 1 to add", "type": "change_summary"},
    ]
    path = write(tmp_path, "\n".join(json.dumps(line) for line in lines) + "\n")
    assert error_for(path) == (
        f"{path}: looks like the streaming output of `terraform plan -json`; give reachlint "
        "the output of `terraform show -json PLANFILE` instead"
    )


@pytest.mark.parametrize("version", ["2.0", "10.1", "x"])
def test_unsupported_format_version(version: str) -> None:
    document = {"format_version": version, "planned_values": {}}
    assert error_for(Path("plan.json"), document) == (
        f"plan.json: unsupported plan format version {version} (reachlint reads 0.x and 1.x)"
    )


@pytest.mark.parametrize("version", ["0.1", "0.2", "1.0", "1.2"])
def test_supported_format_versions(version: str) -> None:
    document = {"format_version": version, "planned_values": {"root_module": {}}}
    assert load_plan_resources(Path("plan.json"), document).format_version == version


def test_raw_state_file_is_explained() -> None:
    state = {"version": 4, "terraform_version": "1.5.7", "serial": 3, "lineage": "x"}
    message = error_for(Path("terraform.tfstate"), state | {"resources": []})
    assert message.startswith("terraform.tfstate: is a raw Terraform state file;")
    assert "`terraform show -json`" in message


def test_arm_template_is_named() -> None:
    template = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "resources": [],
    }
    assert "is an ARM template" in error_for(Path("azuredeploy.json"), template)


def test_other_json_lists_keys_found_and_expected() -> None:
    message = error_for(Path("x.json"), {"name": "x", "items": []})
    assert message == (
        "x.json: is not a Terraform plan: found top-level keys items, name; expected "
        "format_version with planned_values, resource_changes or values (the output of "
        "`terraform show -json PLANFILE`)"
    )


def test_json_array_is_not_a_plan() -> None:
    assert "is a JSON array, not a Terraform plan" in error_for(Path("x.json"), [1, 2])


def test_empty_and_utf16_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is empty"):
        read_json(write(tmp_path, " \n", "empty.json"))
    utf16 = tmp_path / "utf16.json"
    utf16.write_bytes('{"format_version": "1.0"}'.encode("utf-16"))
    assert read_json(utf16) == {"format_version": "1.0"}


@pytest.mark.parametrize(
    "text",
    [
        '{"n": 123456789012345678901234567890, "m": -9223372036854775809}',  # beyond 64 bits
        '{"big": 1e400, "small": 1e-400, "edge": [5e-324, 1.7976931348623157e308]}',
        '{"lone": "\\ud800", "pair": "\\ud83d\\ude00", "nul": "\\u0000"}',
        '{"a": 1, "a": 2}',
        '\ufeff{"with": "a byte order mark"}',
        "[" * 200 + "]" * 200,
        '{"floats": [0.1, 1e2, -0.0, 1.00000000000000011102230246251565404236316680908203125]}',
    ],
)
def test_a_plan_reads_as_json_reads_it(tmp_path: Path, text: str) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    expected = json.loads(text.removeprefix("\ufeff"))
    assert repr(read_json(path)) == repr(expected)  # repr tells -0.0 from 0.0, an int from 1e29


def test_json_too_deep_for_either_parser_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nested too deeply"):
        read_json(write(tmp_path, "[" * 100_000 + "]" * 100_000, "deep.json"))


def test_bad_utf8_is_named_with_its_offset(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(b'{"name": "caf\xe9"}')
    with pytest.raises(InputError, match="undecodable byte at offset 13"):
        read_json(path)


def test_looks_like_plan() -> None:
    assert looks_like_plan(EXISTING_PLAN)
    assert looks_like_plan({"format_version": "1.0", "values": {}})
    assert looks_like_plan({"format_version": "1.0"})  # `terraform show -json` of no state
    assert not looks_like_plan({"$schema": "x", "resources": []})
    assert not looks_like_plan({"format_version": "1.0", "provider_schemas": {}})
    assert not looks_like_plan([])


# --- real plans from the corpus, when it is beside the repository --------------------------

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus not present")


@needs_corpus
def test_every_corpus_plan_loads() -> None:
    listed = (CORPUS / "PLANS.tsv").read_text().splitlines()[1:]
    for line in listed:
        path = CORPUS / line.split("\t")[0]
        document = read_json(path)
        assert looks_like_plan(document), path
        load_plan_resources(path, document)


@needs_corpus
def test_corpus_terraform_012_plan_references() -> None:
    plan = load_plan_resources(
        CORPUS / "bridgecrewio+checkov/tests/terraform/runner/resources/plan/tfplan.json"
    )
    assert plan.format_version == "0.1"
    assert refs(plan, "aws_instance.web_host", "subnet_id") == ["aws_subnet.web_subnet"]
    assert refs(plan, "aws_eks_cluster.eks_cluster", "vpc_config.0.subnet_ids") == [
        "aws_subnet.eks_subnet1",
        "aws_subnet.eks_subnet2",
    ]


@needs_corpus
def test_corpus_vpc_module_aligns_nat_gateways() -> None:
    plan = load_plan_resources(
        CORPUS / "terraform-compliance+cli/tests/functional/test_issue-158/plan.out.json"
    )
    assert refs(plan, "module.vpc.aws_route.private_nat_gateway[2]", "nat_gateway_id") == [
        "module.vpc.aws_nat_gateway.this[2]"
    ]
    assert refs(plan, "module.vpc.aws_nat_gateway.this[1]", "subnet_id") == [
        "module.vpc.aws_subnet.public[1]"
    ]


@needs_corpus
def test_corpus_plan_that_only_deletes_leaves_nothing() -> None:
    path = "StackGuardian+tirith/tests/providers/terraform_plan/fixtures/input_vnet_destroy.json"
    assert load_plan_resources(CORPUS / path).resources == []


@pytest.mark.parametrize(
    ("marks", "paths"),
    [
        ({"tags": {}, "ingress": [{"cidr_blocks": [False]}]}, []),
        ({"password": True, "tags": {"owner": True}}, ["password", "tags.owner"]),
        ({"ingress": [{"description": True}, {}]}, ["ingress.0.description"]),
        ({"keys": [False, True]}, ["keys"]),
        ({"true": {}, "note": "true"}, []),  # the word, not the mark
        ({"\ud800": True}, ["\ud800"]),  # a key its JSON text cannot hold is still walked
        (True, []),
        (None, []),
    ],
)
def test_sensitive_marks_name_the_paths_they_mark(marks: Any, paths: list[str]) -> None:
    from reachlint.formats.terraform.plan_values import sensitive_paths

    assert sensitive_paths(marks, "") == paths


@pytest.mark.parametrize(
    ("values_marks", "change_marks", "paths"),
    [
        ({"tags": {"owner": True}}, {"description": True}, ["description", "tags.owner"]),
        ({"description": True}, {"description": True}, ["description"]),
        (None, {"description": True}, ["description"]),
        ({"description": True}, None, ["description"]),
        ({}, {}, []),
    ],
)
def test_a_record_is_sensitive_where_either_mark_says(
    values_marks: Any, change_marks: Any, paths: list[str]
) -> None:
    from reachlint.formats.terraform.plan_reader import PlanReader

    address = "aws_security_group.web"
    resource = {"address": address, "mode": "managed", "type": "aws_security_group"}
    plan = {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {
                "resources": [
                    {**resource, "name": "web", "values": {}, "sensitive_values": values_marks}
                ]
            }
        },
        "resource_changes": [
            {**resource, "change": {"actions": ["create"], "after_sensitive": change_marks}}
        ],
    }
    reader = PlanReader(plan)
    reader.read()

    assert reader.records[address].sensitive == paths


# --- a plan decoded in its shape reads as the whole document does --------------------------


def _shaped_and_whole(path: Path) -> tuple[PlanResources, PlanResources]:
    """The plan read from its file (decoded in the plan's shape) and from the whole document."""
    whole = json.loads(path.read_text(encoding="utf-8-sig"))
    return load_plan_resources(path), load_plan_resources(path, whole)


def _plans() -> list[Path]:
    fixtures = sorted((REPO / "fixtures").glob("**/plan*.json"))
    corpus = sorted(CORPUS.glob("**/*.json")) if CORPUS.is_dir() else []
    return [path for path in (*fixtures, *corpus) if looks_like_plan(_whole_or_none(path))]


def _whole_or_none(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None


def test_every_fixture_and_corpus_plan_reads_the_same_shaped_and_whole(tmp_path: Path) -> None:
    plans = _plans()
    assert len(plans) > 20
    # Moved, replaced, deleted and existing resources; a deposed object of a replaced one.
    deposed = change("aws_instance.web", ["delete"], {}) | {"deposed": "00000001"}
    existing = {**EXISTING_PLAN, "resource_changes": [*EXISTING_PLAN["resource_changes"], deposed]}
    for path in (*plans, write(tmp_path, json.dumps(existing), "existing.json")):
        shaped, whole = _shaped_and_whole(path)
        assert shaped == whole, path


def test_a_resource_only_among_the_changes_is_read_from_its_after(tmp_path: Path) -> None:
    # A trimmed plan: no planned_values entry; `after` holds a number beyond a double.
    plan = {
        "format_version": "1.2",
        "planned_values": {"root_module": {}},
        "resource_changes": [
            change("aws_vpc.main", ["create"], {"id": True})
            | {"change": {"actions": ["create"], "after_unknown": {"id": True}}},
        ],
    }
    text = json.dumps(plan).replace(
        '"after_unknown"',
        '"after": {"cidr_block": "10.0.0.0/16", "big": 1e400, "d": [[1]]}, '
        '"before": {"huge": 1e400}, "after_unknown"',
    )
    shaped, whole = _shaped_and_whole(write(tmp_path, text))
    assert shaped == whole
    values = by_address(shaped)["aws_vpc.main"].values
    assert values["cidr_block"] == "10.0.0.0/16" and values["big"] == float("inf")
    assert values["id"] is UNKNOWN


@pytest.mark.parametrize(
    "changes",
    [
        '{"not": "a list"}',
        '[{"address": "aws_vpc.main", "change": "not an object"}]',
        '["not an object"]',
    ],
)
def test_a_plan_of_another_shape_is_decoded_whole(tmp_path: Path, changes: str) -> None:
    text = '{"format_version": "1.2", "planned_values": {}, "resource_changes": ' + changes + "}"
    assert read_json(write(tmp_path, text)) == json.loads(text)


def test_a_log_record_with_plan_keys_is_still_named(tmp_path: Path) -> None:
    text = '{"@level": "info", "@message": "Plan: 1 to add", "planned_values": {}}'
    with pytest.raises(InputError, match="streaming output"):
        load_plan_resources(write(tmp_path, text))


def _changes_only_plan(after: str, before: str) -> str:
    """A plan whose one resource is only among the changes, with `after` and `before` as given."""
    plan = {
        "format_version": "1.2",
        "planned_values": {"root_module": {}},
        "resource_changes": [change("aws_vpc.main", ["update"], {})],
    }
    return json.dumps(plan).replace(
        '"after_unknown"', f'"after": {after}, "before": {before}, "after_unknown"'
    )


@pytest.mark.parametrize("where", ["after", "before"])
def test_bytes_that_are_not_utf8_where_the_shape_does_not_decode_are_named(
    tmp_path: Path, where: str
) -> None:
    text = _changes_only_plan('{"cidr_block": "AFTER"}', '{"cidr_block": "BEFORE"}')
    raw = text.encode().replace(where.upper().encode(), b"\xff\xfe")
    path = tmp_path / "plan.json"
    path.write_bytes(raw)
    offset = raw.index(b"\xff")
    with pytest.raises(
        InputError, match=rf"not UTF-8 text \(undecodable byte at offset {offset}\)"
    ):
        read_json(path)


def test_utf8_across_the_pieces_it_is_checked_in_reads_the_same_shaped_and_whole(
    tmp_path: Path,
) -> None:
    # A three-byte character astride the first megabyte, and others after it.
    head = _changes_only_plan('{"cidr_block": "10.0.0.0/16", "tags": {"note": "', "null")
    before_note = head.encode().index(b'"note": "') + len(b'"note": "')
    padding = "x" * ((1 << 20) - 1 - before_note)
    text = head.replace('"note": "', '"note": "' + padding + "€ é ✓", 1)
    text = text.replace(', "before": null', '"}}, "before": null', 1)
    path = write(tmp_path, text)
    assert text.encode().index("€".encode()) == (1 << 20) - 1
    # Valid UTF-8 that is not ASCII is still decoded in the plan's shape.
    from reachlint.formats.terraform.plan_values import ResourceChange

    assert isinstance(read_json(path)["resource_changes"][0], ResourceChange)
    shaped, whole = _shaped_and_whole(path)
    assert shaped == whole
    assert by_address(shaped)["aws_vpc.main"].values["tags"]["note"].endswith("€ é ✓")


def test_terraform_0_12_prior_state_addresses_are_completed() -> None:
    # Terraform 0.12 wrote prior_state addresses without the module and the instance key
    # (hashicorp/terraform#24110); they are the same objects as the planned ones, not more.
    counted = resource("aws_instance.counted[0]", {"id": "i-0counted"})
    in_module = resource('module.app.aws_instance.named["a"]', {"id": "i-0named"})
    plan: dict[str, Any] = {
        "format_version": "0.1",
        "terraform_version": "0.12.31",
        "prior_state": {
            "values": {
                "root_module": {
                    "resources": [{**counted, "address": "aws_instance.counted", "index": 0}],
                    "child_modules": [
                        {
                            "address": "module.app",
                            "resources": [
                                {**in_module, "address": "aws_instance.named", "index": "a"}
                            ],
                        }
                    ],
                }
            }
        },
        "planned_values": {
            "root_module": {
                "resources": [counted],
                "child_modules": [{"address": "module.app", "resources": [in_module]}],
            }
        },
        "resource_changes": [
            change("aws_instance.counted[0]", ["no-op"], {}),
            change('module.app.aws_instance.named["a"]', ["no-op"], {}),
        ],
    }
    loaded = load_plan_resources(Path("plan.json"), plan)
    assert sorted(r.address for r in loaded.resources) == [
        "aws_instance.counted[0]",
        'module.app.aws_instance.named["a"]',
    ]
