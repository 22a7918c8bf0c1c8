"""Resource blocks are checked against hashicorp/aws's schema, as `terraform validate` does.

Every refusal here was first checked with terraform 1.11 and hashicorp/aws 5.100.0 (the
provider the schema data is generated from): `terraform validate` rejects the same block, at the
same line, with the words quoted in each test's comment.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from reachlint.dialects.terraform.aws import HANDLED_TYPES
from reachlint.dialects.terraform.schema import block_schema, check_configuration, schema_version
from reachlint.errors import InputError
from reachlint.formats.terraform.directory import HclResources, load_terraform_dir

SECURITY_GROUP = """\
resource "aws_security_group" "web" {
  name   = "web"
  vpc_id = "vpc-12345678"

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"""


def load(directory: Path, files: dict[str, str]) -> HclResources:
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return load_terraform_dir(directory, environ={}, validate=check_configuration)


def refusal(directory: Path, files: dict[str, str]) -> InputError:
    with pytest.raises(InputError) as raised:
        load(directory, files)
    return raised.value


def test_a_misspelled_nested_block_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    # Blocks of type "ingres" are not expected here. Did you mean "ingress"?
    error = refusal(tmp_path, {"main.tf": SECURITY_GROUP.replace("ingress {", "ingres {")})
    assert error.render() == (
        f"{tmp_path}/main.tf:5: aws_security_group.web: unsupported block type "
        '"ingres"; did you mean "ingress"?'
    )


def test_an_unknown_argument_inside_an_inline_rule_is_refused(tmp_path: Path) -> None:
    # An argument named "fro_port" is not expected here. Did you mean "from_port"?
    error = refusal(tmp_path, {"main.tf": SECURITY_GROUP.replace("from_port  ", "fro_port   ")})
    assert (error.line, error.message) == (
        6,
        'aws_security_group.web: unsupported argument "fro_port"; did you mean "from_port"?',
    )


def test_an_unknown_argument_of_the_resource_is_refused(tmp_path: Path) -> None:
    # An argument named "nme" is not expected here. Did you mean "name"?
    error = refusal(tmp_path, {"main.tf": SECURITY_GROUP.replace("name   =", "nme    =")})
    assert (error.line, error.message) == (
        2,
        'aws_security_group.web: unsupported argument "nme"; did you mean "name"?',
    )


def test_a_name_far_from_every_known_one_gets_no_suggestion(tmp_path: Path) -> None:
    # terragoat's aws_db_instance "name" (removed in hashicorp/aws 5.0): no "did you mean".
    text = 'resource "aws_db_instance" "db" {\n  instance_class = "db.t3.micro"\n  name = "x"\n}\n'
    error = refusal(tmp_path, {"main.tf": text})
    assert error.message == 'aws_db_instance.db: unsupported argument "name"'


def test_a_misspelled_route_target_is_refused(tmp_path: Path) -> None:
    # route blocks of aws_route_table are a set attribute written as blocks.
    text = (
        'resource "aws_route_table" "public" {\n  vpc_id = "vpc-1"\n\n  route {\n'
        '    cidr_block = "0.0.0.0/0"\n    gatway_id  = "igw-1"\n  }\n}\n'
    )
    error = refusal(tmp_path, {"main.tf": text})
    assert (error.line, error.message) == (
        6,
        'aws_route_table.public: unsupported argument "gatway_id"; did you mean "gateway_id"?',
    )


def test_a_dynamic_block_of_an_unknown_type_is_refused(tmp_path: Path) -> None:
    # Blocks of type "egres" are not expected here.
    text = SECURITY_GROUP.replace(
        "  ingress {", '  dynamic "egres" {\n    for_each = [1]\n    content {}\n  }\n\n  ingress {'
    )
    error = refusal(tmp_path, {"main.tf": text})
    assert (error.line, error.message) == (
        5,
        'aws_security_group.web: unsupported block type "egres"; did you mean "egress"?',
    )


def test_the_content_of_a_dynamic_block_is_checked(tmp_path: Path) -> None:
    text = SECURITY_GROUP.replace(
        "  ingress {",
        '  dynamic "egress" {\n    for_each = [443]\n    content {\n'
        "      to_prt = egress.value\n    }\n  }\n\n  ingress {",
    )
    error = refusal(tmp_path, {"main.tf": text})
    assert (error.line, error.message) == (
        8,
        'aws_security_group.web: unsupported argument "to_prt"; did you mean "to_port"?',
    )


def test_an_argument_written_as_a_block_and_a_block_as_an_argument(tmp_path: Path) -> None:
    # Blocks of type "tags" are not expected here. Did you mean to define argument "tags"? ...
    tags = refusal(tmp_path / "a", {"main.tf": SECURITY_GROUP.replace("  ingress {", "  tags {")})
    assert tags.message == (
        'aws_security_group.web: unsupported block type "tags"; did you mean to define argument '
        '"tags"? If so, use the equals sign to assign it a value'
    )
    # An argument named "timeouts" is not expected here. Did you mean to define a block ...
    timeouts = SECURITY_GROUP.replace('  name   = "web"', "  timeouts = {}")
    assert refusal(tmp_path / "b", {"main.tf": timeouts}).message == (
        'aws_security_group.web: unsupported argument "timeouts"; did you mean to define a block '
        'of type "timeouts"?'
    )


def test_a_value_for_an_attribute_only_the_provider_sets_is_refused(tmp_path: Path) -> None:
    # Value for unconfigurable attribute: Can't configure a value for "arn": ...
    text = SECURITY_GROUP.replace('  name   = "web"', '  arn    = "arn:aws:ec2:::sg/x"')
    error = refusal(tmp_path, {"main.tf": text})
    assert (error.line, error.message) == (
        2,
        'aws_security_group.web: can\'t configure a value for "arn": its value will be decided '
        "automatically based on the result of applying this configuration",
    )


def test_a_missing_required_argument_is_refused_at_the_block(tmp_path: Path) -> None:
    # The argument "vpc_id" is required, but no definition was found. (at the resource line)
    text = '\nresource "aws_network_acl" "private" {\n  subnet_ids = []\n}\n'
    error = refusal(tmp_path, {"main.tf": text})
    assert (error.line, error.message) == (
        2,
        'aws_network_acl.private: missing required argument "vpc_id"',
    )


def test_block_counts_are_checked(tmp_path: Path) -> None:
    # At least 1 "default_action" blocks are required.
    listener = 'resource "aws_lb_listener" "web" {\n  load_balancer_arn = "x"\n}\n'
    assert refusal(tmp_path / "a", {"main.tf": listener}).message == (
        'aws_lb_listener.web: insufficient "default_action" blocks: at least 1 required'
    )
    # No more than 1 "root_block_device" blocks are allowed.
    instance = (
        'resource "aws_instance" "web" {\n  ami = "ami-1"\n'
        "  root_block_device {}\n  root_block_device {}\n}\n"
    )
    assert refusal(tmp_path / "b", {"main.tf": instance}).message == (
        'aws_instance.web: too many "root_block_device" blocks: no more than 1 allowed'
    )
    # Only one block of type "timeouts" is allowed.
    twice = 'resource "aws_instance" "web" {\n  timeouts {}\n  timeouts {}\n}\n'
    assert refusal(tmp_path / "c", {"main.tf": twice}).message == (
        'aws_instance.web: duplicate "timeouts" block: only one is allowed'
    )


def test_a_dynamic_block_counts_as_any_number_of_blocks(tmp_path: Path) -> None:
    text = (
        'variable "actions" {\n  default = []\n}\n\n'
        'resource "aws_lb_listener" "web" {\n  load_balancer_arn = "x"\n'
        '  dynamic "default_action" {\n    for_each = var.actions\n'
        "    content {\n      type = default_action.value\n    }\n  }\n}\n"
    )
    assert load(tmp_path, {"main.tf": text}).resources


def test_a_mistake_in_a_local_module_names_the_module_file(tmp_path: Path) -> None:
    error = refusal(
        tmp_path,
        {
            "main.tf": 'module "web" {\n  source = "./modules/web"\n}\n',
            "modules/web/main.tf": SECURITY_GROUP.replace("ingress {", "ingres {"),
        },
    )
    assert error.file == f"{tmp_path}/modules/web/main.tf"
    assert error.line == 5


def test_an_override_file_mistake_names_the_override_file(tmp_path: Path) -> None:
    error = refusal(
        tmp_path,
        {
            "main.tf": SECURITY_GROUP,
            "web_override.tf": 'resource "aws_security_group" "web" {\n  vpc = "vpc-2"\n}\n',
        },
    )
    assert (error.file, error.line) == (f"{tmp_path}/web_override.tf", 2)


def test_a_data_source_is_checked_against_its_own_schema(tmp_path: Path) -> None:
    text = (
        'data "aws_vpc" "main" {\n  filter {\n    nam    = "tag:Name"\n    values = ["x"]\n  }\n}\n'
    )
    error = refusal(tmp_path, {"main.tf": text})
    assert (error.line, error.message) == (
        3,
        'data.aws_vpc.main: unsupported argument "nam"; did you mean "name"?',
    )


def test_valid_configurations_and_meta_arguments_load(tmp_path: Path) -> None:
    text = SECURITY_GROUP.replace(
        '  name   = "web"',
        '  count  = 2\n  name   = "web-${count.index}"\n  provider = aws\n'
        "  depends_on = []\n  lifecycle {\n    create_before_destroy = true\n  }",
    )
    dynamic = (
        'resource "aws_security_group" "app" {\n  name = "app"\n'
        '  dynamic "ingress" {\n    for_each = [80, 443]\n    iterator = port\n'
        "    content {\n      from_port = port.value\n      to_port = port.value\n"
        '      protocol = "tcp"\n      cidr_blocks = ["10.0.0.0/8"]\n    }\n  }\n'
        "  egress = []\n}\n"
    )
    result = load(tmp_path, {"main.tf": text, "app.tf": dynamic})
    assert len(result.resources) == 3


def test_resource_types_without_a_schema_are_not_checked(tmp_path: Path) -> None:
    # No azurerm provider schema is shipped, and unmodelled aws types are left alone.
    text = (
        'resource "azurerm_network_security_group" "nsg" {\n  nme = "x"\n}\n'
        'resource "aws_s3_bucket" "b" {\n  buckett = "x"\n}\n'
    )
    assert len(load(tmp_path, {"main.tf": text}).resources) == 2


@pytest.mark.parametrize(
    ("requirement", "checked"),
    [
        ('aws = { source = "hashicorp/aws", version = "~> 5.0" }', True),
        ('aws = { source = "hashicorp/aws", version = ">= 4.0, < 6.0" }', True),
        ('aws = { source = "hashicorp/aws" }', True),
        ('aws = "~> 5.10"', True),
        ('aws = { source = "hashicorp/aws", version = "~> 4.0" }', False),
        ('aws = { source = "hashicorp/aws", version = ">= 6.28" }', False),
        ('aws = { source = "hashicorp/aws", version = "5.31.0" }', False),
        ('aws = { source = "example/aws" }', False),
    ],
)
def test_only_configurations_that_admit_the_schema_version_are_checked(
    tmp_path: Path, requirement: str, checked: bool
) -> None:
    files = {
        "versions.tf": f"terraform {{\n  required_providers {{\n    {requirement}\n  }}\n}}\n",
        "main.tf": SECURITY_GROUP.replace("ingress {", "ingres {"),
    }
    if checked:
        assert "ingres" in refusal(tmp_path, files).message
    else:
        (note,) = [n for n in load(tmp_path, files).notes if "not checked" in n.message]
        assert "not checked against a schema" in note.message


def test_the_lock_file_decides_over_the_constraints(tmp_path: Path) -> None:
    lock = (
        'provider "registry.terraform.io/hashicorp/aws" {\n  version     = "{}"\n'
        '  constraints = ">= 4.0"\n}\n'
    )
    misspelled = SECURITY_GROUP.replace("ingress {", "ingres {")
    old = {"main.tf": misspelled, ".terraform.lock.hcl": lock.replace("{}", "4.67.0")}
    assert load(tmp_path / "old", old).resources
    same_major = {"main.tf": misspelled, ".terraform.lock.hcl": lock.replace("{}", "5.31.0")}
    assert "ingres" in refusal(tmp_path / "new", same_major).message


def test_every_modelled_aws_type_has_schema_data() -> None:
    """Run scripts/generate_provider_schema.py when the AWS mapper reads a new type."""
    missing = sorted(name for name in HANDLED_TYPES if block_schema("managed", name) is None)
    assert not missing
    assert schema_version() == "5.100.0"


def test_the_schema_data_is_small_and_trimmed() -> None:
    path = Path(__file__).parents[2] / "src/reachlint/dialects/terraform/aws_schema.json"
    assert path.stat().st_size < 100_000
    data = json.loads(path.read_text())
    assert data["resource"]["aws_security_group"]["a"]["ingress"][:2] == ["o", "set"]
    assert data["resource"]["aws_network_acl"]["a"]["vpc_id"] == "r"


def test_a_plan_vouches_for_the_configuration_beside_it(tmp_path: Path) -> None:
    """Terraform made the plan, so the configuration was valid for the provider it used (here a
    4.x-era argument): read beside the plan it still gives the findings their lines."""
    from reachlint.commands.check import run_check

    fixture = Path(__file__).parents[2] / "fixtures/aws/terragoat-web"
    copy = tmp_path / "terragoat-web"
    shutil.copytree(fixture, copy)
    with (copy / "ec2.tf").open("a") as ec2:
        ec2.write('\nresource "aws_db_instance" "old" {\n  name = "db1"\n}\n')
    with pytest.raises(InputError, match='unsupported argument "name"'):
        load_terraform_dir(copy, environ={}, validate=check_configuration)
    report = run_check([copy / "plan.json"], [], builtin=True)
    (admin,) = [f for f in report.findings if f.rule == "INTERNET-ADMIN-PORTS"]
    assert admin.path[-1].file == str(copy / "ec2.tf")
    assert admin.path[-1].line == 47
    assert all("could not be read" not in note.message for note in report.notes)
