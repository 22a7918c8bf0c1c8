"""Shared helpers for the ARM tests: evaluate an expression, write a template, load a fixture."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reachlint.formats.arm.deployment import Deployment, NoteSink, root_template
from reachlint.formats.arm.evaluator import Scope, Template, evaluate
from reachlint.formats.arm.functions.context import DeploymentInfo
from reachlint.formats.arm.values import lookup
from reachlint.formats.jsonpos import parse_json

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures" / "azure"
SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def template_document(**sections: Any) -> dict[str, Any]:
    return {"$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": [], **sections}


def expand(document: dict[str, Any], file: str = "t.json") -> tuple[Template, Deployment]:
    """The root template and every resource it deploys, without the network mapping."""
    parsed = parse_json(json.dumps(document), file)
    deployment = Deployment(NoteSink())
    template = root_template(parsed, file, DeploymentInfo(), deployment, {})
    deployment.expand(template, lookup(parsed, "resources"), Scope(template))
    return template, deployment


def value_of(expression: str, **sections: Any) -> Any:
    """What `expression` (a "[...]" string) evaluates to in a template with these sections."""
    template, _ = expand(template_document(**sections))
    return evaluate(expression, Scope(template))


def write_template(directory: Path, document: dict[str, Any], name: str = "t.json") -> Path:
    path = directory / name
    path.write_text(json.dumps(document, indent=2))
    return path
