"""What kind of input a PATH is, judged by its content rather than its name."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from msgspec import Struct

from reachlint.errors import InputError
from reachlint.limits import MAX_PLAN_BYTES, check_file

InputKind = Literal[
    "terraform-plan", "terraform-dir", "arm", "bicep", "cloudformation", "cloud-assembly"
]

_ZIP_MAGIC = b"PK\x03\x04"
_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")
_SNIFF_BYTES = 4096
_RULES_FILE = re.compile(r"^(rules|groups):", re.MULTILINE)
_HUMAN_PLAN = re.compile(r"Terraform (will perform|used the selected providers)|^Plan: ", re.M)
_EXPECTED = "a Terraform plan in JSON (terraform show -json PLANFILE)"
_TEMPLATE_MARKS = re.compile(r"^(AWSTemplateFormatVersion|Resources|Transform)\s*:", re.MULTILINE)


class DetectedInput(Struct, frozen=True):
    path: Path
    kind: InputKind
    # The parsed JSON for JSON inputs, so that a large plan is read only once.
    document: Any = None


def inspect_input(path: Path) -> DetectedInput:
    """Decide what `path` holds; raise InputError naming it when it is nothing reachlint reads."""
    name = str(path)
    if not path.exists():
        raise InputError("no such file or directory", file=name)
    if path.is_dir():
        if any(child.suffix == ".tf" and child.is_file() for child in path.iterdir()):
            return DetectedInput(path, "terraform-dir")
        if (path / "manifest.json").is_file():
            return DetectedInput(path, "cloud-assembly")
        raise InputError(
            "is a directory without .tf files or a cloud assembly's manifest.json; expected a "
            "Terraform configuration or the output of cdk synth (cdk.out)",
            file=name,
        )
    if path.suffix == ".bicep":
        return DetectedInput(path, "bicep")
    if path.suffix == ".tf":  # one file of a configuration stands for its directory
        return DetectedInput(path, "terraform-dir")
    check_file(path, MAX_PLAN_BYTES, "Terraform plan or template")
    try:
        with path.open("rb") as stream:
            head = stream.read(_SNIFF_BYTES)
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror or error}", file=name) from None
    if _TEMPLATE_MARKS.search(head.decode("utf-8", errors="ignore")) and not _starts_json(head):
        return DetectedInput(path, "cloudformation")  # YAML; read with positions by its dialect
    _refuse_non_json(head, path)

    from reachlint.formats.terraform.plan import looks_like_plan, read_json

    try:
        document = read_json(path)
    except InputError as broken:
        document = _json_with_comments(path, broken)
    if looks_like_plan(document):
        return DetectedInput(path, "terraform-plan", document)
    if _looks_like_arm(document):
        return DetectedInput(path, "arm", document)
    from reachlint.formats.cloudformation.document import looks_like_template

    if looks_like_template(document):
        return DetectedInput(path, "cloudformation")
    raise InputError(
        "is JSON but neither a Terraform plan, an ARM template nor a CloudFormation template; "
        f"expected {_EXPECTED}",
        file=name,
    )


def _json_with_comments(path: Path, broken: InputError) -> Any:
    """ARM templates may carry // and /* */ comments; other JSON may not."""
    from reachlint.dialects.arm import looks_like_arm
    from reachlint.formats.jsonpos import read_json_file

    try:
        document = read_json_file(path)
    except InputError:
        raise broken from None
    if not looks_like_arm(document):
        raise broken
    return document


def _refuse_non_json(head: bytes, path: Path) -> None:
    """Name what a file that is clearly not JSON is, before a JSON parser reports line 1."""
    if head.startswith(_ZIP_MAGIC):
        raise InputError(
            "is a binary Terraform plan file; convert it first with "
            f"`terraform show -json {path.name} > plan.json`",
            file=str(path),
        )
    if head.startswith(_UTF16_MARKS):
        return  # the JSON reader decodes UTF-16
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    if not text or text[0] in "{[" or text.startswith(("//", "/*")):
        return
    if _RULES_FILE.search(text):
        raise InputError("is a rules file; give it with --rules, after the plan", file=str(path))
    if _HUMAN_PLAN.search(text):
        raise InputError(
            f"is the human-readable output of terraform plan; expected {_EXPECTED}", file=str(path)
        )
    raise InputError(f"is not a JSON object; expected {_EXPECTED}", file=str(path))


def _starts_json(head: bytes) -> bool:
    return head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n").startswith("{")


def detect(path: Path) -> InputKind:
    return inspect_input(path).kind


def _looks_like_arm(document: object) -> bool:
    if not isinstance(document, dict):
        return False
    schema = document.get("$schema")
    return isinstance(schema, str) and "deploymenttemplate" in schema.lower()
