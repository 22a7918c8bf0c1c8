"""Security Hub's published finding shape, from the service model botocore bundles.

botocore's ParamValidator checks what the SDK would refuse to send (required members, types,
lists, maps, minimum lengths); the walk below adds what Security Hub checks on import: enums,
the model's `.*\\S.*` patterns and the maximum lengths the API reference documents
(https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_AwsSecurityFinding.html,
https://docs.aws.amazon.com/securityhub/latest/userguide/asff-required-attributes.html).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

# Attribute path -> documented maximum length (characters).
MAX_LENGTHS = {
    ("Id",): 512,
    ("GeneratorId",): 512,
    ("Title",): 256,
    ("Description",): 1024,
    ("Remediation", "Recommendation", "Text"): 512,
}
MAX_RESOURCES = 32
MAX_PRODUCT_FIELDS = 50


@cache
def _model() -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model("securityhub")


def asff_problems(findings: object) -> list[str]:
    """Everything in `findings` (the file given to batch-import-findings) that does not fit."""
    from botocore.validate import ParamValidator

    model = _model()
    request = model.operation_model("BatchImportFindings").input_shape
    report = ParamValidator().validate({"Findings": findings}, request)
    problems = [report.generate_report()] if report.has_errors() else []
    if not isinstance(findings, list) or not 1 <= len(findings) <= 100:
        if findings != []:
            problems.append("a batch holds 1 to 100 findings")
        return problems
    shape = model.shape_for("AwsSecurityFinding")
    for index, finding in enumerate(findings):
        _walk(finding, shape, (), f"finding {index}", problems)
        if not isinstance(finding, dict):
            continue
        for path, limit in MAX_LENGTHS.items():
            value: Any = finding
            for step in path:
                value = value.get(step) if isinstance(value, dict) else None
            if isinstance(value, str) and len(value) > limit:
                problems.append(f"finding {index}: {'.'.join(path)} is longer than {limit}")
        if len(finding.get("Resources", [])) > MAX_RESOURCES:
            problems.append(f"finding {index}: more than {MAX_RESOURCES} resources")
        fields = finding.get("ProductFields", {})
        if len(fields) > MAX_PRODUCT_FIELDS:
            problems.append(f"finding {index}: more than {MAX_PRODUCT_FIELDS} product fields")
        for key, value in fields.items():
            if len(key) > 128 or len(value) > 2048:
                problems.append(f"finding {index}: product field {key[:40]!r} is too long")
    return problems


def _walk(value: object, shape: Any, path: tuple[str, ...], where: str, out: list[str]) -> None:
    name = ".".join(path) or "finding"
    if shape.type_name == "structure" and isinstance(value, dict):
        for key, item in value.items():
            if key in shape.members:
                _walk(item, shape.members[key], (*path, key), where, out)
    elif shape.type_name == "list" and isinstance(value, list):
        for item in value:
            _walk(item, shape.member, path, where, out)
    elif shape.type_name == "map" and isinstance(value, dict):
        for item in value.values():
            _walk(item, shape.value, path, where, out)
    elif shape.type_name == "string" and isinstance(value, str):
        enum = shape.metadata.get("enum")
        if enum and value not in enum:
            out.append(f"{where}: {name} {value!r} is not one of {enum}")
        pattern = shape.metadata.get("pattern")
        if pattern and not re.fullmatch(pattern, value, re.DOTALL):
            out.append(f"{where}: {name} {value[:40]!r} does not match {pattern}")
