"""Tags not known before apply: a rule selecting by tag neither passes silently nor guesses.

A tag whose value is a variable, parameter or attribute without value may be the one a rule names
(`open`: the end is matched, the finding names the tag) or not (`closed`: each such tag is taken
the way that reports less). An allow entry leans the other way, so open mode reports what it may
not allow and closed mode lets it allow.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reachlint.commands.check import run_check
from reachlint.errors import InputError
from reachlint.inputs.load import build_model
from reachlint.rules.findings import Finding

REPO = Path(__file__).resolve().parents[1]

# A public subnet, and PostgreSQL open to the world on every instance in it.
NETWORK = """
variable "tags" { type = map(string) }
variable "tier" { type = string }
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_internet_gateway" "gw" { vpc_id = aws_vpc.main.id }
resource "aws_subnet" "public" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.0.1.0/24"
  map_public_ip_on_launch = true
}
resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.gw.id
  }
}
resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}
resource "aws_security_group" "postgres" {
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"""


def instance(name: str, tags: str) -> str:
    return f"""
resource "aws_instance" "{name}" {{
  ami                    = "ami-1"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.public.id
  vpc_security_group_ids = [aws_security_group.postgres.id]
  tags                   = {tags}
}}
"""


INSTANCES = (
    instance("any_tags", "var.tags")  # which tags there are is not known
    + instance("tier_unknown", "{ Tier = var.tier }")  # Tier is there; its value is not known
    + instance("app", '{ Tier = "app" }')
    + instance("web", '{ Tier = "web" }')
)


def write(directory: Path, rules: str) -> tuple[Path, Path]:
    (directory / "main.tf").write_text(NETWORK + INSTANCES)
    rules_file = directory / "rules.yaml"
    rules_file.write_text(rules)
    return directory, rules_file


def reported(findings: list[Finding]) -> dict[tuple[str, str], list[str]]:
    return {(f.source.address, f.destination.address): f.depends_on_unknown or [] for f in findings}


def in_both_modes(
    directory: Path, rules: Path
) -> tuple[dict[tuple[str, str], list[str]], dict[tuple[str, str], list[str]]]:
    """What the rules report, open and closed."""
    opened, closed = (
        reported(run_check([directory], [rules], builtin=False, assume_unknown=mode).findings)
        for mode in ("open", "closed")
    )
    return opened, closed


def test_the_model_names_tags_whose_value_is_not_known(tmp_path: Path) -> None:
    directory, _ = write(tmp_path, "version: 1\nrules: []\n")
    model = build_model([directory])
    seen = {
        address: (e.tags, e.unknown_tags, e.tags_unknown) for address, e in model.endpoints.items()
    }
    assert seen == {
        "aws_instance.any_tags": ({}, {}, "aws_instance.any_tags: tags"),
        "aws_instance.tier_unknown": ({}, {"Tier": "aws_instance.tier_unknown: tags.Tier"}, None),
        "aws_instance.app": ({"Tier": "app"}, {}, None),
        "aws_instance.web": ({"Tier": "web"}, {}, None),
    }


def test_a_match_on_a_tag_not_known_holds_when_open_and_names_it(tmp_path: Path) -> None:
    directory, rules = write(
        tmp_path,
        """version: 1
rules:
  - id: APP-NOT-FROM-INTERNET
    title: The app tier is not reachable from the internet
    severity: high
    match: {from: internet, to: {tags: {Tier: app}}}
""",
    )
    opened, closed = in_both_modes(directory, rules)
    assert opened == {
        ("internet", "aws_instance.any_tags"): ["aws_instance.any_tags: tags"],
        ("internet", "aws_instance.tier_unknown"): ["aws_instance.tier_unknown: tags.Tier"],
        ("internet", "aws_instance.app"): [],
    }
    assert closed == {("internet", "aws_instance.app"): []}


def test_an_allow_on_a_tag_not_known_does_not_allow_when_open(tmp_path: Path) -> None:
    # Only the web tier may reach PostgreSQL on the app tier; every instance reaches every
    # other in the subnet (the group admits the world). Whether the two instances with tags
    # not known are web decides whether their flows are allowed.
    directory, rules = write(
        tmp_path,
        """version: 1
rules:
  - id: APP-ONLY-FROM-WEB
    title: The app tier is reachable only from the web tier
    severity: high
    match: {from: endpoints, to: {tags: {Tier: app}}, protocol: tcp, ports: [5432]}
    allow:
      - {from: {tags: {Tier: web}}}
""",
    )
    opened, closed = in_both_modes(directory, rules)
    to_app = {k: v for k, v in opened.items() if k[1] == "aws_instance.app"}
    assert to_app == {
        ("aws_instance.any_tags", "aws_instance.app"): ["aws_instance.any_tags: tags"],
        ("aws_instance.tier_unknown", "aws_instance.app"): ["aws_instance.tier_unknown: tags.Tier"],
    }
    # Closed: the way that reports less; the instances that may be web are allowed, and an
    # instance that may be app is not matched.
    assert closed == {}


def test_a_negated_tag_not_known_may_hold_when_open(tmp_path: Path) -> None:
    directory, rules = write(
        tmp_path,
        """version: 1
rules:
  - id: ONLY-WEB-FROM-INTERNET
    title: From the internet only the web tier is reachable
    severity: high
    match: {from: internet, to: {not: {tags: {Tier: web}}}}
""",
    )
    opened, closed = in_both_modes(directory, rules)
    assert opened == {
        ("internet", "aws_instance.any_tags"): ["aws_instance.any_tags: tags"],
        ("internet", "aws_instance.tier_unknown"): ["aws_instance.tier_unknown: tags.Tier"],
        ("internet", "aws_instance.app"): [],
    }
    assert closed == {("internet", "aws_instance.app"): []}


def test_a_known_tag_that_differs_decides_even_beside_one_not_known(tmp_path: Path) -> None:
    # {Tier: app, Team: x}: web's Tier is known and not app, so it is never matched, whatever
    # else is unknown.
    directory, rules = write(
        tmp_path,
        """version: 1
rules:
  - id: APP-OF-TEAM-X
    title: x
    severity: high
    match: {from: internet, to: {tags: {Tier: app, Team: x}}}
""",
    )
    opened = run_check([directory], [rules], builtin=False, assume_unknown="open")
    # app is known to have no Team tag; any_tags may have both; tier_unknown has no Team.
    assert reported(opened.findings) == {
        ("internet", "aws_instance.any_tags"): ["aws_instance.any_tags: tags"],
    }


def test_cloudformation_tag_values_from_parameters_without_default_are_not_known(
    tmp_path: Path,
) -> None:
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {"Tier": {"Type": "String"}, "Team": {"Type": "String", "Default": "x"}},
        "Resources": {
            "Server": {
                "Type": "AWS::EC2::Instance",
                "Properties": {
                    "ImageId": "ami-1",
                    "Tags": [
                        {"Key": "Tier", "Value": {"Ref": "Tier"}},
                        {"Key": "Team", "Value": {"Ref": "Team"}},
                    ],
                },
            },
            "Other": {
                "Type": "AWS::EC2::Instance",
                "Properties": {
                    "ImageId": "ami-1",
                    "Tags": [{"Key": {"Ref": "Tier"}, "Value": "app"}],
                },
            },
        },
    }
    path = tmp_path / "template.json"
    path.write_text(json.dumps(template))
    model = build_model([path])
    server, other = model.endpoints["Server"], model.endpoints["Other"]
    assert (server.tags, server.unknown_tags) == ({"Team": "x"}, {"Tier": "Server: Tags.Tier"})
    # A key not known: any tag may be there.
    assert (other.tags, other.tags_unknown) == ({}, "Other: Tags")


def test_cloudformation_tag_values_written_as_numbers_or_booleans_are_their_text(
    tmp_path: Path,
) -> None:
    # CloudFormation passes a number or a boolean written where a string goes on as its text
    # (YAML 1.1: `yes` is true); the text of a fraction is not kept, so it is not known.
    path = tmp_path / "template.yaml"
    path.write_text(
        """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Server:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-1
      Tags:
        - {Key: Version, Value: 2}
        - {Key: Public, Value: true}
        - {Key: Legacy, Value: no}
        - {Key: Ratio, Value: 1.10}
"""
    )
    server = build_model([path]).endpoints["Server"]
    assert (server.tags, server.unknown_tags) == (
        {"Version": "2", "Public": "true", "Legacy": "false"},
        {"Ratio": "Server: Tags.Ratio"},
    )


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ("[parameters('tags')]", ({}, {}, "Microsoft.Compute/virtualMachines/vm: tags")),
        (
            {"Tier": "[parameters('tier')]", "Team": "x"},
            ({"Team": "x"}, {"Tier": "Microsoft.Compute/virtualMachines/vm: tags.Tier"}, None),
        ),
        ({"Tier": "[parameters('known')]"}, ({"Tier": "app"}, {}, None)),
    ],
)
def test_arm_tags_from_parameters_without_value_are_not_known(
    tmp_path: Path, tags: object, expected: tuple[object, ...]
) -> None:
    template = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {
            "tags": {"type": "object"},
            "tier": {"type": "string"},
            "known": {"type": "string", "defaultValue": "app"},
        },
        "resources": [
            {
                "type": "Microsoft.Compute/virtualMachines",
                "apiVersion": "2023-09-01",
                "name": "vm",
                "tags": tags,
                "properties": {"networkProfile": {"networkInterfaces": []}},
            }
        ],
    }
    path = tmp_path / "template.json"
    path.write_text(json.dumps(template))
    vm = build_model([path]).endpoints["Microsoft.Compute/virtualMachines/vm"]
    assert (vm.tags, vm.unknown_tags, vm.tags_unknown) == expected


def test_a_plans_tags_all_known_after_apply_beside_null_tags_is_no_unknown_tag() -> None:
    # The AWS provider's plan shows tags_all as known after apply whenever tags is null; the
    # load balancer of fixtures/parity/shop has no tags and no default tags.
    model = build_model([REPO / "fixtures/parity/shop/terraform/plan.json"])
    shop = model.endpoints["aws_lb.shop"]
    assert (shop.tags, shop.unknown_tags, shop.tags_unknown) == ({}, {}, None)


BALANCED = """
resource "aws_instance" "private_app" {
  ami                         = "ami-1"
  instance_type               = "t3.micro"
  subnet_id                   = aws_subnet.public.id
  associate_public_ip_address = false
  vpc_security_group_ids      = [aws_security_group.postgres.id]
  tags                        = { Tier = "app" }
}
resource "aws_lb" "front" {
  load_balancer_type = "network"
  subnets            = [aws_subnet.public.id]
  tags               = TAGS
}
resource "aws_lb_target_group" "app" {
  port     = 5432
  protocol = "TCP"
  vpc_id   = aws_vpc.main.id
}
resource "aws_lb_target_group_attachment" "app" {
  target_group_arn = aws_lb_target_group.app.arn
  target_id        = aws_instance.private_app.id
}
resource "aws_lb_listener" "postgres" {
  load_balancer_arn = aws_lb.front.arn
  port              = 5432
  protocol          = "TCP"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}
"""


@pytest.mark.parametrize(
    ("tags", "named"),
    [("var.tags", "aws_lb.front: tags"), ("{ Role = var.tier }", "aws_lb.front: tags.Role")],
)
def test_a_component_whose_tags_are_not_known_allows_only_when_closed(
    tmp_path: Path, tags: str, named: str
) -> None:
    # The app instance has no public address: the internet reaches it only through the network
    # load balancer, which the rule allows if it is the one tagged Role=front.
    (tmp_path / "main.tf").write_text(NETWORK + BALANCED.replace("TAGS", tags))
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        """version: 1
rules:
  - id: APP-ONLY-THROUGH-THE-FRONT
    title: From the internet the app tier is reachable only through the front load balancer
    severity: high
    match: {from: internet, to: {tags: {Tier: app}}}
    allow:
      - {through: {tags: {Role: front}}}
"""
    )
    opened = run_check([tmp_path], [rules], builtin=False, assume_unknown="open")
    found = reported(opened.findings)
    # With no tags known at all, the load balancer itself may be of the app tier too.
    assert found.pop(("internet", "aws_lb.front"), [named]) == [named]
    assert found == {("internet", "aws_instance.private_app"): [named]}
    closed = run_check([tmp_path], [rules], builtin=False, assume_unknown="closed")
    assert reported(closed.findings) == {}
    # Known as the front one, it allows in both modes; known as another, in neither.
    for written, allowed in (('{ Role = "front" }', True), ('{ Role = "back" }', False)):
        (tmp_path / "main.tf").write_text(NETWORK + BALANCED.replace("TAGS", written))
        for assume in ("open", "closed"):
            report = run_check([tmp_path], [rules], builtin=False, assume_unknown=assume)
            expected = {} if allowed else {("internet", "aws_instance.private_app"): []}
            assert reported(report.findings) == expected, (written, assume)


def test_a_match_through_a_component_whose_tags_are_not_known_holds_when_open(
    tmp_path: Path,
) -> None:
    (tmp_path / "main.tf").write_text(NETWORK + BALANCED.replace("TAGS", "var.tags"))
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        """version: 1
rules:
  - id: NOTHING-THROUGH-THE-LEGACY-BALANCER
    title: Nothing passes the legacy load balancer
    severity: high
    match: {from: internet, to: {tags: {Tier: app}}, through: {tags: {Role: legacy}}}
"""
    )
    opened = run_check([tmp_path], [rules], builtin=False, assume_unknown="open")
    # The load balancer, whose tags are not known at all, may be of the app tier as well.
    assert reported(opened.findings) == {
        ("internet", "aws_instance.private_app"): ["aws_lb.front: tags"],
        ("internet", "aws_lb.front"): ["aws_lb.front: tags"],
    }
    assert not run_check([tmp_path], [rules], builtin=False, assume_unknown="closed").findings


def test_a_tag_not_known_is_named_only_where_it_could_change_the_finding(tmp_path: Path) -> None:
    # The allow entry needs its destination tagged db; app is known to be app, so whatever
    # the sources' unknown tags are, the entry never allows: the findings rest on nothing.
    directory, rules = write(
        tmp_path,
        """version: 1
rules:
  - id: APP-ONLY-FROM-WEB-TO-DB
    title: x
    severity: high
    match: {from: endpoints, to: {tags: {Tier: app}}, protocol: tcp, ports: [5432]}
    allow:
      - {from: {tags: {Tier: web}}, to: {tags: {Tier: db}}}
""",
    )
    opened = run_check([directory], [rules], builtin=False, assume_unknown="open")
    to_app = {k: v for k, v in reported(opened.findings).items() if k[1] == "aws_instance.app"}
    assert to_app == {
        ("aws_instance.any_tags", "aws_instance.app"): [],
        ("aws_instance.tier_unknown", "aws_instance.app"): [],
        ("aws_instance.web", "aws_instance.app"): [],
    }


def test_a_plans_tags_all_holds_the_providers_default_tags(tmp_path: Path) -> None:
    # fixtures/parity/shop with the provider's default tags as `terraform plan` shows them:
    # tags_all is the endpoint's own tags and the default ones. Before, own tags hid them.
    document = json.loads((REPO / "fixtures/parity/shop/terraform/plan.json").read_text())
    for change in document["resource_changes"]:
        if change["address"] == "aws_instance.app":
            change["change"]["after"]["tags_all"] = {"Tier": "app", "Environment": "prod"}
    for resource in document["planned_values"]["root_module"]["resources"]:
        if resource["address"] == "aws_instance.app":
            resource["values"]["tags_all"] = {"Tier": "app", "Environment": "prod"}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document))
    app = build_model([path]).endpoints["aws_instance.app"]
    assert app.tags == {"Tier": "app", "Environment": "prod"}


def _with_default_tags(directory: Path, default_tags: str) -> Path:
    (directory / "main.tf").write_text(
        NETWORK
        + f'provider "aws" {{\n  default_tags {{\n    tags = {default_tags}\n  }}\n}}\n'
        + INSTANCES
    )
    return directory


def test_default_tags_not_known_are_named_under_the_resources_own(tmp_path: Path) -> None:
    # The provider's tags are a variable without value: any default tag may be there, except
    # where the resource's own tags say the key; own tags not known hide every default.
    directory = _with_default_tags(tmp_path, "var.tags")
    seen = {
        address: (e.tags, e.unknown_tags, e.tags_unknown)
        for address, e in build_model([directory]).endpoints.items()
    }
    defaults = "provider.aws: default_tags.0.tags"
    assert seen == {
        "aws_instance.any_tags": ({}, {}, "aws_instance.any_tags: tags"),
        "aws_instance.tier_unknown": (
            {},
            {"Tier": "aws_instance.tier_unknown: tags.Tier"},
            defaults,
        ),
        "aws_instance.app": ({"Tier": "app"}, {}, defaults),
        "aws_instance.web": ({"Tier": "web"}, {}, defaults),
    }


def test_a_default_tag_not_known_may_be_the_one_a_rule_names(tmp_path: Path) -> None:
    directory = _with_default_tags(tmp_path, '{ Environment = var.tier, Tier = "db" }')
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        """version: 1
rules:
  - id: PROD-NOT-FROM-INTERNET
    title: Production is not reachable from the internet
    severity: high
    match: {from: internet, to: {tags: {Environment: prod}}}
  - id: DB-NOT-FROM-INTERNET
    title: The database tier is not reachable from the internet
    severity: high
    match: {from: internet, to: {tags: {Tier: db}}}
"""
    )
    environment = "provider.aws: default_tags.0.tags.Environment"
    by_rule: dict[str, dict[str, dict[tuple[str, str], list[str]]]] = {}
    for mode in ("open", "closed"):
        report = run_check([directory], [rules], builtin=False, assume_unknown=mode)
        for rule in ("PROD-NOT-FROM-INTERNET", "DB-NOT-FROM-INTERNET"):
            found = [f for f in report.findings if f.rule == rule]
            by_rule.setdefault(rule, {})[mode] = reported(found)
    # Environment comes only from the provider, not known: every instance whose own tags do
    # not hide it may be production (any_tags's own tags may hold Environment: named by them).
    assert by_rule["PROD-NOT-FROM-INTERNET"] == {
        "open": {
            ("internet", "aws_instance.any_tags"): ["aws_instance.any_tags: tags"],
            ("internet", "aws_instance.tier_unknown"): [environment],
            ("internet", "aws_instance.app"): [environment],
            ("internet", "aws_instance.web"): [environment],
        },
        "closed": {},
    }
    # Tier=db is the provider's default; own Tier tags win over it.
    assert by_rule["DB-NOT-FROM-INTERNET"] == {
        "open": {
            ("internet", "aws_instance.any_tags"): ["aws_instance.any_tags: tags"],
            ("internet", "aws_instance.tier_unknown"): ["aws_instance.tier_unknown: tags.Tier"],
        },
        "closed": {},
    }


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ('provider = "aws" + "x"', "main.tf:7: aws_instance.a: provider must name a provider"),
        ("provider = aws.missing", None),
    ],
)
def test_a_resources_provider_reference_is_read_or_refused(
    tmp_path: Path, written: str, expected: str | None
) -> None:
    (tmp_path / "main.tf").write_text(
        'provider "aws" {\n  default_tags {\n    tags = { Team = "a" }\n  }\n}\n'
        f'resource "aws_instance" "a" {{\n  {written}\n  ami = "ami-1"\n}}\n'
    )
    if expected is None:
        # No such configuration: none of its tags (Terraform itself refuses it when planning).
        assert build_model([tmp_path]).endpoints["aws_instance.a"].tags == {}
        return
    with pytest.raises(InputError) as raised:
        build_model([tmp_path])
    assert expected in raised.value.render()


def test_a_directory_knows_the_constant_default_tags_its_plan_leaves_out() -> None:
    # fixtures/aws/unknown/default-tags-after-apply-plan: its README derives both.
    fixture = REPO / "fixtures/aws/unknown/default-tags-after-apply-plan"
    shared = "provider.aws: default_tags.0.tags"
    tags = {
        kind: {
            address: (e.tags, e.unknown_tags, e.tags_unknown)
            for address, e in build_model([given]).endpoints.items()
        }
        for kind, given in (("plan", fixture / "plan.json"), ("directory", fixture))
    }
    assert tags["plan"] == {
        "aws_instance.untagged": ({}, {}, shared),
        "aws_instance.tagged": ({"Tier": "web"}, {}, shared),
        "aws_instance.dev": ({"Environment": "dev"}, {}, shared),
    }
    vpc = {"SharedVpc": f"{shared}.SharedVpc"}
    assert tags["directory"] == {
        "aws_instance.untagged": ({"Environment": "prod"}, vpc, None),
        "aws_instance.tagged": ({"Environment": "prod", "Tier": "web"}, vpc, None),
        "aws_instance.dev": ({"Environment": "dev"}, vpc, None),
    }


def test_an_auto_scaling_groups_tag_blocks_over_a_value_not_known(tmp_path: Path) -> None:
    # fixtures/aws/facts/asg-tag-blocks without its variables file: the dynamic tag blocks go
    # over a map not known, so any tag may be there (named by the blocks).
    fixture = REPO / "fixtures/aws/facts/asg-tag-blocks"
    for name in ("main.tf", "providers.tf"):
        (tmp_path / name).write_text((fixture / name).read_text())
    endpoints = build_model([tmp_path]).endpoints
    web, batch = endpoints["aws_autoscaling_group.web"], endpoints["aws_autoscaling_group.batch"]
    assert (web.tags, web.tags_unknown) == ({}, "aws_autoscaling_group.web: tag")
    assert (batch.tags, batch.tags_unknown) == ({"Tier": "batch"}, None)


@pytest.mark.parametrize("alias", ['"a b"', '"`x`"', "var.alias", '""'])
def test_a_provider_alias_that_is_no_name_is_refused(tmp_path: Path, alias: str) -> None:
    # Terraform takes only a name as an alias; the text would reach notes and reports.
    (tmp_path / "main.tf").write_text(f'provider "aws" {{\n  alias = {alias}\n}}\n')
    with pytest.raises(InputError) as raised:
        build_model([tmp_path])
    assert 'main.tf:2: provider "aws": alias must be a name' in raised.value.render()
