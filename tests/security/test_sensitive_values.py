"""Hostile inputs: a pull request that tries to print a secret in the public report.

CI keeps its secrets in TF_VAR_ environment variables; configurations mark theirs
`sensitive = true`; ARM templates declare `securestring` and `secureObject` parameters; a plan
lists `sensitive_values`. Such values are used in evaluation, and everything computed from
them is sensitive too (Terraform: https://developer.hashicorp.com/terraform/language/values/variables#suppressing-values-in-cli-output,
and for functions https://developer.hashicorp.com/terraform/language/expressions/function-calls#using-sensitive-data-as-function-arguments);
no format of any command ever prints them: `(sensitive value)` stands where they would be.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.security.support import FIXTURES, Run, public_ssh, reachlint, refused, repository

SECRET = "ghp_CI_SECRET_0123456789abcdef"
ENV = {"TF_VAR_note": SECRET}
NOTE = 'variable "note" {\n  type = string\n}\n'
SHOWN = "(sensitive value)"
WEB_RULE_HIDDEN = f"aws_security_group.web allows tcp 22 from 0.0.0.0/0 ({SHOWN})"
FORMATS = ("text", "json", "sarif", "github", "markdown", "junit", "gitlab", "asff")


def _leaks(run: Run, *forms: str) -> list[str]:
    """The forms of the secret that the output shows."""
    return [form for form in (SECRET, *forms) if form in run.output]


def _check(repo: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    return reachlint("check", repo, *args, env=ENV if env is None else env)


def _details(run: Run) -> list[str]:
    report = json.loads(run.stdout)
    return [hop["detail"] for finding in report["findings"] for hop in finding["path"]]


# The attacker's ways to print a TF_VAR_ secret through a rule's description, and the text each
# would have printed.
DERIVED = [
    ("var.note", SECRET),
    ("upper(var.note)", SECRET.upper()),
    ("base64encode(var.note)", base64.b64encode(SECRET.encode()).decode()),
    ('"prefix ${var.note} suffix"', f"prefix {SECRET} suffix"),
    ('join("-", split("", var.note))', "-".join(SECRET)),
    ('format("%s!", var.note)', f"{SECRET}!"),
    ('replace(var.note, "ghp_", "")', SECRET.replace("ghp_", "")),
    ("substr(var.note, 4, 12)", SECRET[4:16]),
    ("sha256(var.note)", hashlib.sha256(SECRET.encode()).hexdigest()),
    ("jsonencode({ k = var.note })", json.dumps({"k": SECRET}, separators=(",", ":"))),
    ('lookup({ k = var.note }, "k")', SECRET),
    ("[for c in [var.note] : lower(c)][0]", SECRET.lower()),
    ('length(var.note) > 3 ? var.note : "short"', SECRET),
    ("nonsensitive(var.note)", SECRET),
    ("local.chain", f"{SECRET}-1-2"),
]
CHAIN = 'locals {\n  one   = "${var.note}-1"\n  chain = "${local.one}-2"\n}\n'


@pytest.mark.parametrize(("expression", "printed"), DERIVED, ids=[e for e, _ in DERIVED])
def test_a_tf_var_secret_never_reaches_a_description(
    tmp_path: Path, expression: str, printed: str
) -> None:
    config = public_ssh(description=expression) + NOTE + CHAIN
    repo = repository(tmp_path / "repo", {"main.tf": config})

    run = _check(repo, "--format", "json")

    assert run.code == 1, run.output
    assert _leaks(run, printed) == []
    assert WEB_RULE_HIDDEN in _details(run)


@pytest.mark.parametrize("output_format", FORMATS)
def test_no_format_shows_the_secret(tmp_path: Path, output_format: str) -> None:
    repo = repository(
        tmp_path / "repo",
        {"main.tf": public_ssh(description="var.note", name_tag="var.note") + NOTE},
    )

    run = _check(repo, "--format", output_format)

    assert run.code == 1, run.output
    assert _leaks(run) == []
    assert SHOWN in run.output


def test_a_variable_declared_sensitive_is_hidden_without_the_environment(tmp_path: Path) -> None:
    declared = (
        'variable "note" {\n  type      = string\n  sensitive = true\n'
        f'  default   = "{SECRET}"\n}}\n'
    )
    repo = repository(tmp_path / "repo", {"main.tf": public_ssh(description="var.note") + declared})

    run = _check(repo, "--format", "json", env={})

    assert _leaks(run) == []
    assert WEB_RULE_HIDDEN in _details(run)


def test_a_sensitive_module_output_stays_sensitive_in_the_caller(tmp_path: Path) -> None:
    module = (
        'variable "seed" {\n  type      = string\n  sensitive = true\n}\n'
        'output "derived" {\n  value     = "${var.seed}-derived"\n  sensitive = true\n}\n'
    )
    repo = repository(
        tmp_path / "repo",
        {
            "modules/secret/main.tf": module,
            "main.tf": public_ssh(description="module.secret.derived")
            + f'module "secret" {{\n  source = "./modules/secret"\n  seed   = "{SECRET}"\n}}\n',
        },
    )

    run = _check(repo, "--format", "json", env={})

    assert _leaks(run, f"{SECRET}-derived") == []
    assert WEB_RULE_HIDDEN in _details(run)


def test_only_the_sensitive_part_of_an_object_is_hidden(tmp_path: Path) -> None:
    """Terraform marks the attribute, not the object around it: the rest stays readable."""
    parts = 'locals {\n  parts = { secret = var.note, plain = "readable description" }\n}\n'
    repo = repository(
        tmp_path / "repo", {"main.tf": public_ssh(description="local.parts.plain") + NOTE + parts}
    )

    run = _check(repo, "--format", "json")

    assert "aws_security_group.web allows tcp 22 from 0.0.0.0/0 (readable description)" in (
        _details(run)
    )


def test_a_short_secret_hides_its_fields_not_every_word_like_it(tmp_path: Path) -> None:
    """TF_VAR_env=prod hides a description that is that value, not the word in addresses:
    texts shorter than 8 characters are hidden where a whole field is the value."""
    config = public_ssh(description="var.env").replace('"main"', '"prod"')
    config = config.replace(".main.", ".prod.")
    repo = repository(tmp_path / "repo", {"main.tf": config + 'variable "env" {}\n'})

    run = _check(repo, "--format", "json", env={"TF_VAR_env": "prod"})

    details = _details(run)
    assert "aws_internet_gateway.prod" in run.stdout
    assert WEB_RULE_HIDDEN in details
    assert "(prod)" not in run.stdout


def test_issensitive_tells_without_hiding_its_answer(tmp_path: Path) -> None:
    description = 'issensitive(var.note) ? "the note is sensitive" : "the note is plain"'
    repo = repository(tmp_path / "repo", {"main.tf": public_ssh(description=description) + NOTE})

    run = _check(repo, "--format", "json")

    assert "aws_security_group.web allows tcp 22 from 0.0.0.0/0 (the note is sensitive)" in (
        _details(run)
    )


def test_a_tag_value_is_used_to_group_and_hidden_in_the_matrix(tmp_path: Path) -> None:
    repo = repository(tmp_path / "repo", {"main.tf": public_ssh(name_tag="var.note") + NOTE})

    run = reachlint("matrix", repo, "--by", "tag:Name", env=ENV)

    assert run.code == 0, run.output
    assert _leaks(run) == []
    assert f"Name={SHOWN}" in run.stdout


def test_a_tag_from_a_secret_still_matches_a_rule_selector(tmp_path: Path) -> None:
    """Hidden is not unknown: a rule about Name=<the value> still finds the endpoint."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: 1\nrules:\n  - id: NOTHING-TO-TAGGED\n    severity: high\n"
        f"    match: {{from: internet, to: {{tags: {{Name: '{SECRET}'}}}}}}\n",
        encoding="utf-8",
    )
    repo = repository(tmp_path / "repo", {"main.tf": public_ssh(name_tag="var.note") + NOTE})

    run = _check(repo, "--rules", str(rules), "--no-builtin", "--format", "json")

    assert run.code == 1, run.output
    assert [f["rule"] for f in json.loads(run.stdout)["findings"]] == ["NOTHING-TO-TAGGED"]


def test_a_sensitive_cidr_is_used_and_hidden_in_paths_and_pictures(tmp_path: Path) -> None:
    office = "93.184.216.34/32"
    config = public_ssh().replace('cidr_blocks = ["0.0.0.0/0"]', "cidr_blocks = [var.office]")
    repo = repository(
        tmp_path / "repo", {"main.tf": config + 'variable "office" {\n  type = string\n}\n'}
    )
    env = {"TF_VAR_office": office}

    check = _check(repo, "--format", "json", env=env)
    picture = reachlint("graph", repo, env=env)

    assert check.code == 1, check.output  # the office reaches SSH: the value was used
    assert f"aws_security_group.web allows tcp 22 from {SHOWN} (SSH)" in _details(check)
    assert office not in check.output
    assert office not in picture.output


def test_evaluation_errors_do_not_quote_a_secret(tmp_path: Path) -> None:
    errors = (
        'resource "aws_security_group" "count_from_secret" {\n'
        "  vpc_id = aws_vpc.main.id\n  count  = var.note\n}\n"
        'resource "aws_security_group" "cidr_from_secret" {\n'
        "  vpc_id = aws_vpc.main.id\n"
        '  ingress {\n    from_port   = 1\n    to_port     = 1\n    protocol    = "tcp"\n'
        "    cidr_blocks = [var.note]\n  }\n}\n"
        'resource "aws_security_group" "index_by_secret" {\n'
        "  vpc_id      = aws_vpc.main.id\n"
        '  description = { a = "b" }[var.note]\n}\n'
    )
    repo = repository(tmp_path / "repo", {"main.tf": public_ssh() + NOTE + errors})

    run = _check(repo, "--format", "json")

    notes = [note["message"] for note in json.loads(run.stdout)["notes"]]
    assert _leaks(run) == []
    assert any("count_from_secret: a number is required for the count" in n for n in notes)
    assert any(f"cidr_blocks holds '{SHOWN}', which is not a CIDR" in n for n in notes)
    assert any("index_by_secret description" in n for n in notes)


def test_a_malformed_tf_var_is_refused_without_quoting_it(tmp_path: Path) -> None:
    typed = 'variable "ports" {\n  type = list(number)\n}\n'
    repo = repository(tmp_path / "repo", {"main.tf": public_ssh() + typed})

    run = _check(repo, env={"TF_VAR_ports": f"[22, {SECRET}"})

    refused(run, "TF_VAR_ports", "sensitive")
    assert _leaks(run) == []


def test_for_each_keys_from_a_secret_are_stand_ins(tmp_path: Path) -> None:
    """Terraform refuses a sensitive for_each, since instance keys are shown in every plan
    (https://developer.hashicorp.com/terraform/language/meta-arguments/for_each#limitations-on-values-used-in-for_each);
    reachlint keeps the instances, each named by a stand-in, and says so."""
    keyed = (
        'resource "aws_security_group" "per_key" {\n'
        '  for_each    = toset([var.note, "second"])\n'
        "  vpc_id      = aws_vpc.main.id\n"
        '  description = "group ${each.key}"\n}\n'
    )
    repo = repository(tmp_path / "repo", {"main.tf": public_ssh() + NOTE + keyed})

    run = reachlint("graph", repo, env=ENV)
    check = _check(repo, "--format", "json")

    assert _leaks(run) == [] and _leaks(check) == []
    notes = [note["message"] for note in json.loads(check.stdout)["notes"]]
    hidden_keys = "per_key: for_each is a sensitive value, so its keys are not shown"
    assert any(hidden_keys in note for note in notes)


def _plan(tmp_path: Path, change: Any) -> Path:
    """The three-tier plan alone (no configuration beside it), changed by `change`."""
    source = FIXTURES / "aws" / "three-tier"
    plan = json.loads((source / "plan.json").read_text(encoding="utf-8"))
    change(plan)
    (tmp_path / "plan").mkdir()
    path = tmp_path / "plan" / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    shutil.copy(source / "rules.yaml", tmp_path / "plan" / "rules.yaml")
    return path


DESCRIPTION = "SSH from inside the VPC"  # of aws_security_group_rule.app_ssh_from_vpc


def _check_plan(path: Path, env: dict[str, str] | None = None) -> Run:
    rules = path.parent / "rules.yaml"
    return reachlint("check", path, "--rules", rules, "--no-builtin", "--format", "json", env=env)


def test_a_plans_sensitive_values_are_hidden(tmp_path: Path) -> None:
    def mark(plan: dict[str, Any]) -> None:
        for change in plan["resource_changes"]:
            if change["address"] == "aws_security_group_rule.app_ssh_from_vpc":
                change["change"]["after_sensitive"] = {"description": True}

    run = _check_plan(_plan(tmp_path, mark))

    assert run.code == 1, run.output
    assert DESCRIPTION not in run.output
    assert any(detail.endswith(f"({SHOWN})") for detail in _details(run))


def test_a_plans_sensitive_variables_are_hidden(tmp_path: Path) -> None:
    def declare(plan: dict[str, Any]) -> None:
        plan["variables"] = {"ssh_note": {"value": DESCRIPTION}}
        plan["configuration"]["root_module"]["variables"] = {"ssh_note": {"sensitive": True}}

    run = _check_plan(_plan(tmp_path, declare))

    assert run.code == 1, run.output
    assert DESCRIPTION not in run.output


def test_a_plan_made_with_a_tf_var_secret_does_not_show_it(tmp_path: Path) -> None:
    """The plan was made in CI, where the same TF_VAR_ values are set: a configuration that
    copied one into a description is caught although the plan does not mark it."""
    run = _check_plan(_plan(tmp_path, lambda plan: None), env={"TF_VAR_x": DESCRIPTION})

    assert run.code == 1, run.output
    assert DESCRIPTION not in run.output


def test_diff_and_query_hide_it_too(tmp_path: Path) -> None:
    base = repository(tmp_path / "base", {"main.tf": public_ssh().replace("22", "23") + NOTE})
    head = repository(tmp_path / "head", {"main.tf": public_ssh(description="var.note") + NOTE})

    diff = reachlint("diff", base, head, "--format", "json", env=ENV)
    query = reachlint(
        "query", head, "--from", "internet", "--to", "aws_instance.web", "--format", "json", env=ENV
    )

    assert diff.code == 1 and query.code == 0, diff.output + query.output
    assert _leaks(diff) == [] and _leaks(query) == []
    assert SHOWN in diff.stdout and SHOWN in query.stdout


# ----- ARM: securestring and secureObject parameters ------------------------------------------


def _arm(tmp_path: Path, change: Any, parameters: dict[str, Any]) -> Path:
    template = json.loads(
        (FIXTURES / "azure" / "public-web" / "template.json").read_text(encoding="utf-8")
    )
    template = copy.deepcopy(template)
    change(template)
    repo = repository(tmp_path / "repo", {})
    (repo / "template.json").write_text(json.dumps(template), encoding="utf-8")
    values = {name: {"value": value} for name, value in parameters.items()}
    (repo / "template.parameters.json").write_text(
        json.dumps({"parameters": values}), encoding="utf-8"
    )
    return repo / "template.json"


def _rules(template: Path) -> list[str]:
    return ["--rules", str(FIXTURES / "azure" / "public-web" / "rules.yaml")]


def test_a_securestring_parameter_names_nothing_in_the_report(tmp_path: Path) -> None:
    def name_a_rule(template: dict[str, Any]) -> None:
        template["parameters"]["ruleName"] = {"type": "securestring"}
        template["parameters"]["settings"] = {"type": "secureObject"}
        rules = template["resources"][0]["properties"]["securityRules"]
        rules[1]["name"] = "[parameters('ruleName')]"
        rules.append(
            {
                "name": "ssh",
                "properties": {
                    "priority": "[int(parameters('settings').priority)]",
                    "direction": "Inbound",
                    "access": "Allow",
                    "protocol": "Tcp",
                    "sourceAddressPrefix": "*",
                    "sourcePortRange": "*",
                    "destinationAddressPrefix": "*",
                    "destinationPortRange": "22",
                },
            }
        )

    parameters = {
        "adminPublicKey": "ssh-rsa AAAA",
        "ruleName": "rule-" + SECRET,
        "settings": {"priority": "p-" + SECRET},
    }
    template = _arm(tmp_path, name_a_rule, parameters)

    run = reachlint("check", template, *_rules(template), "--format", "json")

    assert run.code == 1, run.output
    assert _leaks(run) == []
    assert any(f"rule {SHOWN} priority 110 allows inbound tcp 80" in d for d in _details(run))
    notes = [note["message"] for note in json.loads(run.stdout)["notes"]]
    assert any("security rule ssh priority is unknown" in note for note in notes)


def test_a_resource_named_by_a_secure_parameter_has_an_unknown_name(tmp_path: Path) -> None:
    def name_the_nsg(template: dict[str, Any]) -> None:
        template["parameters"]["nsgName"] = {"type": "securestring"}
        template["resources"][0]["name"] = "[parameters('nsgName')]"

    template = _arm(tmp_path, name_the_nsg, {"adminPublicKey": "k", "nsgName": "nsg-" + SECRET})

    run = reachlint("check", template, "--format", "json")

    assert _leaks(run) == []
    notes = json.loads(run.stdout)["notes"]
    assert any("it is computed from a secure parameter" in note["message"] for note in notes)
