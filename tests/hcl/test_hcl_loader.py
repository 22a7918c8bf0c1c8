"""A Terraform directory loads into the records a plan of it would give."""

from __future__ import annotations

from pathlib import Path

import pytest

from reachlint.errors import InputError
from reachlint.formats.terraform.directory import HclResources, load_terraform_dir
from reachlint.formats.terraform.records import UNKNOWN, TfResource

DATA = Path(__file__).parent / "data"


def load(name: str, **options: object) -> HclResources:
    return load_terraform_dir(DATA / name, environ={}, **options)  # type: ignore[arg-type]


def by_address(result: HclResources) -> dict[str, TfResource]:
    return {resource.address: resource for resource in result.resources}


def write(directory: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return directory


# Variables.
def test_variable_values_follow_terraform_precedence() -> None:
    result = load_terraform_dir(
        DATA / "variables",
        variables={"from_command_line": "--var", "ports": '[22, "443"]'},
        var_files=[DATA / "variables" / "extra" / "given.tfvars"],
        environ={"TF_VAR_from_env": "environment", "TF_VAR_from_tfvars": "environment"},
    )
    values = by_address(result)["test_values.all"].values
    assert values["from_env"] == "environment"
    assert values["from_tfvars"] == "terraform.tfvars"
    assert values["from_tfvars_json"] == "terraform.tfvars.json"
    assert values["from_auto"] == "a.auto.tfvars"
    assert values["from_auto_json"] == "b.auto.tfvars.json"
    assert values["from_var_file"] == "given.tfvars"
    assert values["from_command_line"] == "--var"
    assert values["untouched"] == "default"


def test_values_are_converted_to_the_declared_type() -> None:
    result = load_terraform_dir(DATA / "variables", variables={"ports": '[22, "443"]'}, environ={})
    values = by_address(result)["test_values.all"].values
    assert values["ports"] == [22, 443]
    # An optional attribute gets its default; a string port becomes a number.
    assert values["rules"] == {"ssh": {"port": 22, "protocol": "tcp"}}


def test_environment_variables_are_read_for_complex_types_as_hcl() -> None:
    result = load_terraform_dir(DATA / "variables", environ={"TF_VAR_ports": "[8080]"})
    assert by_address(result)["test_values.all"].values["ports"] == [8080]


def test_a_value_for_an_undeclared_variable_is_an_error() -> None:
    with pytest.raises(InputError, match='declares no variable "nope"'):
        load_terraform_dir(DATA / "variables", variables={"nope": "1"}, environ={})


def test_a_variable_without_any_value_is_unknown_and_noted(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": 'variable "cidr" {}\n\n'
            'resource "aws_vpc" "main" {\n  cidr_block = var.cidr\n}\n'
        },
    )
    result = load_terraform_dir(tmp_path, environ={})
    assert by_address(result)["aws_vpc.main"].values["cidr_block"] is UNKNOWN
    (note,) = result.notes
    assert note.message.startswith("var.cidr has no value")
    assert (note.origin.file, note.origin.line) == ("main.tf", 1)


# Locals and errors.
def test_cycle_in_locals_is_reported_with_file_and_line() -> None:
    with pytest.raises(InputError) as raised:
        load("locals_cycle")
    assert raised.value.message == "cycle in locals: a -> b -> a"
    assert raised.value.file is not None and raised.value.file.endswith("locals_cycle/main.tf")
    assert raised.value.line == 2


def test_syntax_error_names_file_line_and_column() -> None:
    with pytest.raises(InputError) as raised:
        load("syntax_error")
    assert raised.value.file is not None and raised.value.file.endswith("syntax_error/main.tf")
    assert raised.value.line == 8
    assert raised.value.message == (
        'syntax error at column 1: expected "," or ")" in the arguments of cidrsubnet(), found "}"'
    )


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("var.missing", 'reference to undeclared input variable "missing"'),
        ("local.missing", 'reference to undeclared local value "missing"'),
        ("aws_vpc.missing.id", "reference to undeclared resource aws_vpc.missing"),
        ("data.aws_vpc.missing.id", "reference to undeclared data source data.aws_vpc.missing"),
        ("module.missing.id", 'reference to undeclared module "missing"'),
        ("count.index", 'count.index can only be used where "count" is set'),
        ("nosuchfunction(1)", "call to unknown function nosuchfunction()"),
    ],
)
def test_reference_to_something_undeclared_names_it_with_file_and_line(
    tmp_path: Path, expression: str, message: str
) -> None:
    write(tmp_path, {"main.tf": f'resource "aws_vpc" "main" {{\n  cidr_block = {expression}\n}}\n'})
    with pytest.raises(InputError) as raised:
        load_terraform_dir(tmp_path, environ={})
    assert raised.value.message.startswith(message)
    assert raised.value.file is not None and raised.value.file.endswith("main.tf")
    assert raised.value.line == 2


def test_an_output_a_module_does_not_have_is_an_error(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": 'module "m" {\n  source = "./m"\n}\n\n'
            'resource "aws_vpc" "x" {\n  cidr_block = module.m.nothing\n}\n',
            "m/main.tf": 'output "something" {\n  value = 1\n}\n',
        },
    )
    with pytest.raises(InputError) as raised:
        load_terraform_dir(tmp_path, environ={})
    assert raised.value.message == 'module.m has no output "nothing"'
    assert raised.value.line == 6


def test_expression_terraform_would_reject_becomes_unknown_with_a_note(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": 'resource "aws_vpc" "main" {\n  cidr_block = {}.missing\n}\n'})
    result = load_terraform_dir(tmp_path, environ={})
    assert by_address(result)["aws_vpc.main"].values["cidr_block"] is UNKNOWN
    (note,) = result.notes
    assert 'aws_vpc.main cidr_block: this object has no attribute "missing"' in note.message
    assert note.origin.line == 2


# Expansion and references.
def test_count_and_for_each_make_terraform_addresses() -> None:
    resources = by_address(load("expansion"))
    assert {address for address in resources if address.startswith("aws_subnet.")} == {
        "aws_subnet.counted[0]",
        "aws_subnet.counted[1]",
        'aws_subnet.zone["a"]',
        'aws_subnet.zone["b"]',
    }
    assert resources["aws_subnet.counted[1]"].index == 1
    assert resources['aws_subnet.zone["b"]'].index == "b"
    assert not any(address.startswith("aws_security_group_rule.none") for address in resources)


def test_count_index_and_each_value_are_evaluated() -> None:
    resources = by_address(load("expansion"))
    assert resources["aws_subnet.counted[1]"].values["cidr_block"] == "10.0.11.0/24"
    zone_a = resources['aws_subnet.zone["a"]'].values
    assert zone_a["cidr_block"] == "10.0.1.0/24"
    assert zone_a["availability_zone"] == "eu-west-1a"
    assert zone_a["map_public_ip_on_launch"] is True
    assert resources['aws_subnet.zone["b"]'].values["map_public_ip_on_launch"] is False
    assert resources['aws_security_group.named["db"]'].values["name"] == "group-db"
    assert resources["aws_instance.web[1]"].values["tags"] == {"Name": "web-02"}


def test_computed_attributes_are_unknown_and_referenced() -> None:
    resources = by_address(load("expansion"))
    subnet = resources["aws_subnet.counted[0]"]
    assert subnet.values["vpc_id"] is UNKNOWN
    assert subnet.references["vpc_id"] == ["aws_vpc.main"]
    instance = resources["aws_instance.web[1]"]
    assert instance.references["subnet_id"] == ["aws_subnet.counted[1]"]
    assert instance.references["vpc_security_group_ids"] == ['aws_security_group.named["web"]']
    association = resources['aws_route_table_association.zone["b"]']
    assert association.references["subnet_id"] == ['aws_subnet.zone["b"]']


def test_splat_and_for_expressions_keep_each_reference() -> None:
    acl = by_address(load("expansion"))["aws_network_acl.all"]
    assert acl.values["subnet_ids"] == [UNKNOWN, UNKNOWN, UNKNOWN]
    assert sorted(acl.references["subnet_ids"]) == [
        "aws_subnet.counted[0]",
        "aws_subnet.counted[1]",
        'aws_subnet.zone["a"]',
    ]


def test_configured_attributes_of_other_resources_are_known() -> None:
    rule = by_address(load("expansion"))["aws_security_group_rule.web[1]"]
    assert rule.values["from_port"] == 443
    assert rule.values["cidr_blocks"] == ["10.0.1.0/24", "10.0.0.0/32"]
    assert rule.references["cidr_blocks"] == ['aws_subnet.zone["a"]']


def test_origins_name_file_and_line() -> None:
    subnet = by_address(load("expansion"))['aws_subnet.zone["a"]']
    assert (subnet.origin.file, subnet.origin.line) == ("main.tf", 24)
    assert subnet.attribute_origins["cidr_block"].line == 27


# Dynamic blocks.
def test_dynamic_blocks_expand_in_place_with_their_origins() -> None:
    group = by_address(load("dynamic"))["aws_security_group.web"]
    ingress = group.values["ingress"]
    assert [(rule["from_port"], rule.get("cidr_blocks")) for rule in ingress] == [
        (22, None),
        (80, ["0.0.0.0/0"]),
        (443, ["0.0.0.0/0", "10.0.0.0/8"]),
    ]
    assert ingress[2]["description"] == "rule 1"
    assert group.references["ingress.0.security_groups"] == ["aws_security_group.admin"]
    lines = {path: origin.line for path, origin in group.attribute_origins.items()}
    assert lines["ingress.0"] == 19
    assert lines["ingress.1"] == lines["ingress.2"] == 26  # the dynamic block
    assert lines["ingress.2.cidr_blocks"] == 33  # inside its content block
    assert lines["egress.0"] == 38


# Modules.
def test_module_resources_are_addressed_inside_their_module() -> None:
    resources = by_address(load("modules"))
    assert {
        "module.net.aws_subnet.this[0]",
        "module.net.module.sg.aws_security_group.this",
        "module.app[1].aws_instance.this",
        'module.edge["green"].aws_instance.this',
    } <= set(resources)
    instance = resources["module.app[1].aws_instance.this"]
    assert instance.module == "module.app[1]"
    assert (instance.origin.file, instance.origin.line) == ("modules/app/main.tf", 12)


def test_references_resolve_through_module_inputs_and_outputs() -> None:
    resources = by_address(load("modules"))
    subnet = resources["module.net.aws_subnet.this[1]"]
    assert subnet.references["vpc_id"] == ["aws_vpc.main"]
    assert subnet.values["cidr_block"] == "10.0.1.0/24"
    instance = resources['module.edge["green"].aws_instance.this']
    assert instance.references["subnet_id"] == ["module.net.aws_subnet.this[1]"]
    assert sorted(instance.references["vpc_security_group_ids"]) == [
        'module.edge["green"].aws_security_group.instance',
        "module.net.module.sg.aws_security_group.this",
    ]
    rule = resources["aws_security_group_rule.from_app"]
    assert rule.references == {
        "security_group_id": ["module.net.module.sg.aws_security_group.this"],
        "source_security_group_id": ["module.app[1].aws_security_group.instance"],
    }


def test_registry_modules_and_data_sources_are_named_in_notes() -> None:
    result = load("registry")
    messages = [note.message for note in result.notes]
    assert (
        "module.vpc: registry module terraform-aws-modules/vpc/aws is not expanded; its "
        "resources are not in the model" in messages[0]
    )
    resources = by_address(result)
    group = resources["aws_security_group.web"]
    assert group.values["vpc_id"] is UNKNOWN and not group.references
    data = resources["data.aws_vpc.shared"]
    assert (data.mode, data.type, data.name) == ("data", "aws_vpc", "shared")
    assert resources["aws_subnet.extra"].references["vpc_id"] == ["data.aws_vpc.shared"]


# Unknown expansion.
def test_unknown_count_is_one_instance_named_with_a_star() -> None:
    result = load("unknowns")
    resources = by_address(result)
    assert "aws_instance.web[*]" in resources
    assert resources["aws_instance.web[*]"].values["tags"] == {"Name": UNKNOWN}
    # Not "before apply": a data source Terraform reads when it plans is not known here either.
    assert any(
        "aws_instance.web: count is not known from the configuration alone (it rests on "
        "var.instance_count)" in note.message
        for note in result.notes
    )


def test_dynamic_blocks_over_unknown_values_stay_in_the_model_as_unknown() -> None:
    result = load("unknowns")
    (rule,) = by_address(result)["aws_security_group.web"].values["ingress"]
    assert rule["from_port"] == 443 and rule["cidr_blocks"] == [UNKNOWN]
    assert any('dynamic "ingress": for_each is not known' in n.message for n in result.notes)


def test_modules_json_lets_downloaded_modules_expand(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": 'module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n',
            ".terraform/modules/modules.json": (
                '{"Modules": [{"Key": "vpc", "Source": "registry.terraform.io/x/vpc/aws",'
                ' "Dir": ".terraform/modules/vpc"}]}'
            ),
            ".terraform/modules/vpc/main.tf": (
                'resource "aws_vpc" "this" {\n  cidr_block = "10.9.0.0/16"\n}\n'
            ),
        },
    )
    resources = by_address(load_terraform_dir(tmp_path, environ={}))
    assert resources["module.vpc.aws_vpc.this"].values["cidr_block"] == "10.9.0.0/16"


def test_a_file_of_the_directory_stands_for_the_directory() -> None:
    result = load_terraform_dir(DATA / "dynamic" / "main.tf", environ={})
    assert "aws_security_group.web" in by_address(result)
    assert [path.name for path in result.files] == ["main.tf"]


def test_a_count_decided_by_an_unknown_condition_makes_every_instance_it_can() -> None:
    result = load("unknowns")
    resources = by_address(result)
    assert resources["aws_subnet.optional[1]"].values["cidr_block"] == "10.0.1.0/24"
    (rule,) = resources['aws_security_group.optional["app"]'].values["ingress"]
    assert rule["from_port"] == 8080
    assert any(
        note.message
        == "aws_subnet.optional: count depends on a condition not known before apply (it gives "
        "2 or 0); every instance it can make is modelled"
        for note in result.notes
    )


def test_a_local_module_that_is_not_there_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": 'locals {\n  a = 1\n}\n\nmodule "m" {\n  source = "./gone"\n}\n'})
    with pytest.raises(InputError) as raised:
        load_terraform_dir(tmp_path, environ={})
    assert raised.value.message == 'module "m": the source "./gone" is not a directory'
    assert raised.value.line == 5


def test_a_module_that_calls_itself_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": 'module "again" {\n  source = "./"\n}\n'})
    with pytest.raises(InputError, match="does a module call itself"):
        load_terraform_dir(tmp_path, environ={})


def test_override_files_replace_what_they_name(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": 'resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n'
            "  enable_dns_support = true\n}\n",
            "main_override.tf": 'resource "aws_vpc" "main" {\n  cidr_block = "10.1.0.0/16"\n}\n',
        },
    )
    vpc = by_address(load_terraform_dir(tmp_path, environ={}))["aws_vpc.main"]
    assert vpc.values == {"cidr_block": "10.1.0.0/16", "enable_dns_support": True}
    assert vpc.attribute_origins["cidr_block"].file == "main_override.tf"


def test_json_configuration_files_are_named_in_a_note(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": "", "extra.tf.json": '{"resource": {}}'})
    (note,) = load_terraform_dir(tmp_path, environ={}).notes
    assert note.origin.file == "extra.tf.json"
    assert "JSON configuration files are not read" in note.message


def test_resources_of_one_provider_configuration_share_it(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": 'provider "aws" {\n  default_tags {\n    tags = { Team = "net" }\n  }\n}\n'
            'resource "aws_vpc" "a" {\n  cidr_block = "10.0.0.0/16"\n}\n'
            'resource "aws_vpc" "b" {\n  cidr_block = "10.1.0.0/16"\n}\n'
        },
    )
    found = load_terraform_dir(tmp_path, environ={}, providers={"aws": frozenset({"default_tags"})})
    resources = by_address(found)
    first, second = resources["aws_vpc.a"].provider, resources["aws_vpc.b"].provider
    # Exported once for the configuration, not once per resource.
    assert first is not None and first is second
