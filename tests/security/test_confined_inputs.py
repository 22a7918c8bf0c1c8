"""Hostile inputs: files a pull request leads reachlint to read must stay inside its root.

A pull request can commit symbolic links, FIFOs and module sources that climb out of the
repository. reachlint reads a file the input leads to only when it resolves to a regular file
inside the input's root (the nearest directory with .git); anything else is refused with exit 2
and one sentence naming the file. Files named on the command line may be anywhere.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.security.support import (
    FIXTURES,
    public_ssh,
    reachlint,
    reachlint_process,
    refused,
    repository,
)

TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.TOKEN-FROM-THE-HOME-DIRECTORY"
# What `az login` leaves in the home directory of a CI runner or a developer.
TOKEN_CACHE = json.dumps(
    {"AccessToken": {"entry": {"credential_type": "AccessToken", "secret": TOKEN}}}
)
# A configuration that prints a variables file's content: in a note (the count is not a
# number) and in the description of a security group rule on a finding's path.
PRINTS_THE_CACHE = (
    public_ssh(description="jsonencode(var.AccessToken)")
    + """
variable "AccessToken" {
  type = any
}

resource "aws_security_group" "loud" {
  vpc_id = aws_vpc.main.id
  count  = values(var.AccessToken)[0].secret
}
"""
)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A home directory outside the repository, with a token cache in it."""
    azure = tmp_path / "home" / ".azure"
    azure.mkdir(parents=True)
    (azure / "msal_token_cache.json").write_text(TOKEN_CACHE, encoding="utf-8")
    return tmp_path / "home"


@pytest.mark.parametrize("name", ["terraform.tfvars.json", "secrets.auto.tfvars.json"])
def test_a_variables_file_linked_to_a_token_cache_is_refused(
    tmp_path: Path, home: Path, name: str
) -> None:
    repo = repository(tmp_path / "repo", {"main.tf": PRINTS_THE_CACHE})
    (repo / name).symlink_to(home / ".azure" / "msal_token_cache.json")

    run = reachlint("check", repo, "--format", "markdown")

    refused(run, name, "outside")
    assert "TOKEN-FROM-THE-HOME-DIRECTORY" not in run.output


def test_a_variables_file_linked_inside_the_repository_is_read(tmp_path: Path) -> None:
    repo = repository(
        tmp_path / "repo",
        {
            "main.tf": public_ssh(description="var.note")
            + 'variable "note" {\n  type = string\n}\n',
            "envs/dev.tfvars": 'note = "from the dev environment"\n',
        },
    )
    (repo / "terraform.tfvars").symlink_to(repo / "envs" / "dev.tfvars")

    run = reachlint("check", repo, "--format", "json")

    assert run.code == 1, run.output
    assert "(from the dev environment)" in run.stdout


def test_a_variables_file_named_on_the_command_line_may_be_anywhere(
    tmp_path: Path,
) -> None:
    outside = tmp_path / "ci" / "prod.tfvars"
    outside.parent.mkdir()
    outside.write_text('note = "given by the user"\n', encoding="utf-8")
    repo = repository(
        tmp_path / "repo",
        {"main.tf": public_ssh(description="var.note") + 'variable "note" {\n  type = string\n}\n'},
    )

    run = reachlint("check", repo, "--var-file", outside, "--format", "json")

    assert run.code == 1, run.output
    assert "(given by the user)" in run.stdout


@pytest.mark.parametrize("target", ["/dev/zero", "/proc/self/environ"])
def test_a_tf_file_linked_to_a_device_or_the_environment_is_refused(
    tmp_path: Path, target: str
) -> None:
    if not Path(target).exists():
        pytest.skip(f"{target} does not exist here")
    repo = repository(tmp_path / "repo", {"main.tf": public_ssh()})
    (repo / "zz.tf").symlink_to(target)

    run = reachlint_process("check", repo, timeout=30)

    refused(run, "zz.tf", "outside")


def test_a_fifo_named_terraform_tfvars_is_refused_not_waited_on(tmp_path: Path) -> None:
    repo = repository(tmp_path / "repo", {"main.tf": public_ssh()})
    os.mkfifo(repo / "terraform.tfvars")

    run = reachlint_process("check", repo, timeout=30)

    refused(run, "terraform.tfvars", "FIFO")


def test_a_fifo_where_suppressions_are_read_is_refused(tmp_path: Path) -> None:
    """Inline suppressions are read from every .tf file below the input, not only the
    configuration's own: a FIFO there must not hang the job either."""
    repo = repository(tmp_path / "repo", {"main.tf": public_ssh(), "examples/x/README.md": ""})
    os.mkfifo(repo / "examples" / "x" / "main.tf")

    run = reachlint_process("check", repo, timeout=30)

    refused(run, "main.tf", "FIFO")


def test_a_module_source_climbing_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "leak.tf").write_text(
        'resource "aws_vpc" "leak" {\n  cidr_block = "10.9.0.0/16"\n}\n', encoding="utf-8"
    )
    repo = repository(
        tmp_path / "repo",
        {"stacks/prod/main.tf": 'module "m" {\n  source = "../../../elsewhere"\n}\n'},
    )

    run = reachlint("check", repo / "stacks" / "prod")

    line = refused(run, "main.tf:1", 'module "m"', "outside", "--root")
    assert "aws_vpc.leak" not in line


def test_a_module_source_inside_the_repository_is_read(tmp_path: Path) -> None:
    """A monorepo's stack may use a module two levels up: the repository is the root."""
    repo = repository(
        tmp_path / "repo",
        {
            "modules/web/main.tf": public_ssh(),
            "stacks/prod/main.tf": 'module "web" {\n  source = "../../modules/web"\n}\n',
        },
    )

    run = reachlint("check", repo / "stacks" / "prod", "--format", "json")

    assert run.code == 1, run.output
    assert "module.web.aws_instance.web" in run.stdout


def test_a_module_directory_linked_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "main.tf").write_text(public_ssh(), encoding="utf-8")
    repo = repository(tmp_path / "repo", {"main.tf": 'module "m" {\n  source = "./m"\n}\n'})
    (repo / "m").symlink_to(tmp_path / "elsewhere")

    run = reachlint("check", repo)

    refused(run, "main.tf:1", 'module "m"', "outside")


def test_a_downloaded_module_directory_outside_the_repository_is_refused(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "main.tf").write_text(public_ssh(), encoding="utf-8")
    manifest = {"Modules": [{"Key": "m", "Source": "registry/x/y", "Dir": "../elsewhere"}]}
    repo = repository(
        tmp_path / "repo",
        {
            "main.tf": 'module "m" {\n  source = "registry/x/y"\n}\n',
            ".terraform/modules/modules.json": json.dumps(manifest),
        },
    )

    run = reachlint("check", repo)

    refused(run, "main.tf:1", "modules.json", "outside")


def test_a_module_manifest_linked_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    manifest = {"Modules": [{"Key": "m", "Source": "registry/x/y", "Dir": "."}]}
    (tmp_path / "elsewhere" / "modules.json").write_text(json.dumps(manifest), encoding="utf-8")
    repo = repository(tmp_path / "repo", {"main.tf": public_ssh()})
    (repo / ".terraform" / "modules").mkdir(parents=True)
    (repo / ".terraform" / "modules" / "modules.json").symlink_to(
        tmp_path / "elsewhere" / "modules.json"
    )

    run = reachlint("check", repo)

    refused(run, "modules.json", "outside")


def test_an_arm_parameters_file_beside_the_template_linked_out_is_refused(
    tmp_path: Path,
) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "params.json").write_text(
        json.dumps({"parameters": {"adminPublicKey": {"value": "ssh-rsa FROM-OUTSIDE"}}}),
        encoding="utf-8",
    )
    repo = repository(tmp_path / "repo", {})
    shutil.copy(FIXTURES / "azure" / "public-web" / "template.json", repo / "template.json")
    (repo / "template.parameters.json").symlink_to(tmp_path / "elsewhere" / "params.json")

    run = reachlint("check", repo / "template.json")

    refused(run, "template.parameters.json", "outside")


def test_the_configuration_beside_a_plan_is_confined_too(tmp_path: Path, home: Path) -> None:
    """The .tf files beside a plan are read for file and line: so are their variables files,
    and a link out among them is refused rather than softened into a note."""
    fixture = FIXTURES / "aws" / "facts" / "sg-self"
    repo = repository(tmp_path / "repo", {})
    for file in fixture.iterdir():
        if file.suffix in (".tf", ".json"):
            shutil.copy(file, repo / file.name)
    (repo / "terraform.tfvars.json").symlink_to(home / ".azure" / "msal_token_cache.json")

    run = reachlint("check", repo / "plan.json")

    refused(run, "terraform.tfvars.json", "outside")


def test_without_git_the_root_is_the_current_directory_or_the_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No .git above the input: run from a directory that holds it, that directory is the
    root; run from anywhere else, the input's own directory is."""
    (tmp_path / "project" / "modules" / "web").mkdir(parents=True)
    (tmp_path / "project" / "modules" / "web" / "main.tf").write_text(public_ssh())
    stack = tmp_path / "project" / "stack"
    stack.mkdir()
    (stack / "main.tf").write_text('module "web" {\n  source = "../modules/web"\n}\n')
    (tmp_path / "elsewhere").mkdir()

    monkeypatch.chdir(tmp_path / "project")
    assert reachlint("check", stack).code == 1

    monkeypatch.chdir(tmp_path / "elsewhere")
    refused(reachlint("check", stack), "main.tf:1", "outside")


def test_a_module_source_with_a_nul_character_is_refused(tmp_path: Path) -> None:
    # HCL writes it as \u0000; no file can have that name, and the operating system refuses it.
    repo = repository(tmp_path / "repo", {"main.tf": 'module "m" {\n  source = "./a\\u0000b"\n}\n'})
    refused(reachlint("check", repo), "main.tf:1", 'module "m"', "NUL character")


def test_a_nested_stack_template_with_a_nul_character_is_refused(tmp_path: Path) -> None:
    template = """Resources:
  Child:
    Type: AWS::CloudFormation::Stack
    Properties: {TemplateURL: "child\\0.yaml"}
"""
    repo = repository(tmp_path / "repo", {"parent.yaml": template})
    refused(reachlint("check", repo / "parent.yaml"), "child", "NUL character")


@pytest.mark.parametrize(
    ("properties", "words"),
    [
        ({"templateFile": "Stack\u0000.template.json"}, "NUL character"),
        (["templateFile"], "without its file"),
        ("Stack.template.json", "without its file"),
    ],
)
def test_a_cloud_assembly_naming_its_template_wrongly_is_refused(
    tmp_path: Path, properties: object, words: str
) -> None:
    manifest = {
        "version": "36.0.0",
        "artifacts": {"Stack": {"type": "aws:cloudformation:stack", "properties": properties}},
    }
    repo = repository(tmp_path / "repo", {"cdk.out/manifest.json": json.dumps(manifest)})
    refused(reachlint("check", repo / "cdk.out"), "manifest.json", words)


@pytest.mark.parametrize("nested", [False, True])
def test_a_cloud_assembly_manifest_linked_from_outside_is_refused(
    tmp_path: Path, nested: bool
) -> None:
    # The manifest decides which templates are read: a link to one outside would let a pull
    # request read (and name in public output) files beyond the assembly.
    outside_stack = {"type": "aws:cloudformation:stack", "properties": {"templateFile": "S.json"}}
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "manifest.json").write_text(json.dumps({"artifacts": {"S": outside_stack}}))
    files = {"cdk.out/S.json": json.dumps({"Resources": {}})}
    if nested:
        inner = {"type": "cdk:cloud-assembly", "properties": {"directoryName": "sub"}}
        files["cdk.out/manifest.json"] = json.dumps({"artifacts": {"Inner": inner}})
        files["cdk.out/sub/S.json"] = files["cdk.out/S.json"]
    repo = repository(tmp_path / "repo", files)
    linked = repo / "cdk.out" / ("sub" if nested else "") / "manifest.json"
    linked.symlink_to(outside / "manifest.json")
    refused(reachlint("check", repo / "cdk.out"), "manifest.json", "leads outside", "--root")


@pytest.mark.parametrize(
    ("url", "words"),
    [
        (".", "is a directory"),
        ("../outside.yaml", "leads outside"),
        ("missing.yaml", "cannot read it"),
    ],
)
def test_a_nested_stack_url_that_cannot_be_read_is_named_where_the_template_writes_it(
    tmp_path: Path, url: str, words: str
) -> None:
    template = f"""Resources:
  Other:
    Type: AWS::SNS::Topic
  Child:
    Type: AWS::CloudFormation::Stack
    Properties: {{TemplateURL: "{url}"}}
"""
    (tmp_path / "outside.yaml").write_text("Resources: {}")
    repo = repository(tmp_path / "repo", {"parent.yaml": template})
    sentence = refused(reachlint("check", repo / "parent.yaml"), "parent.yaml", words)
    assert f"parent.yaml:4: nested stack Child, TemplateURL '{url}': " in sentence
