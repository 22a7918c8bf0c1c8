"""A CDK cloud assembly (`cdk.out`): the stack templates its manifest lists, stages included.

`cdk synth` writes `manifest.json` beside the templates. Each artifact of type
`aws:cloudformation:stack` names its template; each `cdk:cloud-assembly` artifact is a nested
assembly (a stage) in a directory of its own. Construct paths (`/App/Vpc/Resource`) come from
the stack's metadata, so findings can name the construct beside the logical id.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from reachlint.confine import confined, not_a_file_name
from reachlint.errors import InputError
from reachlint.limits import (
    MAX_STACKS,
    MAX_TEMPLATE_BYTES,
    LimitError,
    read_bounded,
    too_many_digits,
)

MANIFEST = "manifest.json"
_MAX_DEPTH = 8  # stages within stages; CDK apps rarely nest more than two


class StackArtifact(Struct, frozen=True):
    name: str  # the stack's display name (`Stage/Stack`)
    template: Path
    construct_paths: dict[str, str] = field(default_factory=dict)  # logical id -> path


def is_assembly(directory: Path) -> bool:
    return (directory / MANIFEST).is_file()


def stack_artifacts(directory: Path) -> list[StackArtifact]:
    """Every stack template of the assembly in `directory`, nested assemblies included: at most
    MAX_STACKS of them, the assemblies read counted too (a manifest may list one nested
    assembly many times, which may list it again)."""
    root = directory.resolve()
    found: list[StackArtifact] = []
    _collect(root, root, found, 0, [0])
    if not found:
        raise InputError("is a cloud assembly without CloudFormation stacks", str(directory))
    return found


def _collect(
    directory: Path, root: Path, found: list[StackArtifact], depth: int, assemblies: list[int]
) -> None:
    manifest_path = directory / MANIFEST
    assemblies[0] += 1
    _within_limit(assemblies[0] + len(found), manifest_path)
    # Like every file it names, the manifest itself lies within the assembly, link or not.
    manifest = _read_json(confined(manifest_path, root))
    artifacts = manifest.get("artifacts") if isinstance(manifest, dict) else None
    if not isinstance(artifacts, dict):
        raise InputError("is not a cloud assembly manifest: no artifacts", str(manifest_path))
    for name, artifact in sorted(artifacts.items()):
        if not isinstance(artifact, dict):
            continue
        kind, properties = artifact.get("type"), artifact.get("properties")
        if not isinstance(properties, dict):
            properties = {}
        if kind == "aws:cloudformation:stack":
            template = _inside(directory, properties.get("templateFile"), root, manifest_path)
            paths = _construct_paths(directory, artifact, root, manifest_path)
            shown = artifact.get("displayName")
            found.append(StackArtifact(shown if isinstance(shown, str) else name, template, paths))
            _within_limit(assemblies[0] + len(found), manifest_path)
        elif kind == "cdk:cloud-assembly":
            if depth >= _MAX_DEPTH:
                raise InputError(
                    f"nests cloud assemblies more than {_MAX_DEPTH} deep", str(manifest_path)
                )
            nested = _inside(directory, properties.get("directoryName"), root, manifest_path)
            _collect(nested, root, found, depth + 1, assemblies)


def _within_limit(listed: int, manifest_path: Path) -> None:
    """At most MAX_STACKS stacks and assemblies, counted as they are listed, before any
    template is read."""
    if listed > MAX_STACKS:
        raise LimitError(
            f"the cloud assembly lists {listed:,} stacks and nested assemblies or more",
            MAX_STACKS,
            "stacks",
            str(manifest_path),
        )


def _construct_paths(
    directory: Path, artifact: dict[str, Any], root: Path, manifest_path: Path
) -> dict[str, str]:
    metadata = artifact.get("metadata")
    extra = artifact.get("additionalMetadataFile")
    if isinstance(extra, str):
        metadata = _read_json(_inside(directory, extra, root, manifest_path))
    paths: dict[str, str] = {}
    if not isinstance(metadata, dict):
        return paths
    for path, entries in metadata.items():
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and entry.get("type") == "aws:cdk:logicalId":
                logical_id = entry.get("data")
                if isinstance(logical_id, str) and isinstance(path, str):
                    paths.setdefault(logical_id, path.lstrip("/"))
    return paths


def _inside(directory: Path, name: Any, root: Path, manifest_path: Path) -> Path:
    """A file the manifest names: within the assembly, as `cdk synth` writes it."""
    if not isinstance(name, str) or not name:
        raise InputError("names an artifact without its file", str(manifest_path))
    problem = not_a_file_name(name)
    if problem is not None:
        raise InputError(f"names {name!r}, which {problem}", str(manifest_path))
    resolved = (directory / name).resolve()
    if not resolved.is_relative_to(root):
        raise InputError(
            f"names {name!r}, which lies outside the cloud assembly", str(manifest_path)
        )
    return resolved


def _read_json(path: Path) -> Any:
    raw = read_bounded(path, MAX_TEMPLATE_BYTES, "cloud assembly file", str(path))
    try:
        return json.loads(raw)
    except ValueError as error:
        text = raw.decode("utf-8", "replace")
        raise too_many_digits(error, text, str(path)) or InputError(
            f"is not JSON: {error}", str(path)
        ) from None
