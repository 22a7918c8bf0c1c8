"""Which version of a provider Terraform installs for a configuration: the one its lock file
records, else the newest its version constraints admit (`terraform init` picks that one).

A provider is named by its source (`hashicorp/azurerm`) and the local name a configuration
gives it (`azurerm`); constraints come from `required_providers` in `terraform` blocks, and from
a `provider` block's `version` (Terraform 0.12 and earlier).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from msgspec import Struct

from reachlint.errors import InputError
from reachlint.formats.hcl.config import SourceFile, read_text
from reachlint.formats.hcl.evaluator import evaluate_constant
from reachlint.formats.hcl.parser import parse_file
from reachlint.formats.hcl.syntax import Block, Body
from reachlint.formats.hcl.values import EvalError

_LOCK_FILE = ".terraform.lock.hcl"
_VERSION = re.compile(r"^\s*(=|!=|>=|<=|>|<|~>)?\s*v?(\d+(?:\.\d+){0,2})\s*$")
# Beyond any version a provider has published: what "the newest" is compared as.
_NEWEST = (10**6, 0, 0)

Version = tuple[int, int, int]


class Constraint(Struct, frozen=True):
    """One version constraint, and the file it is written in."""

    text: str
    file: str


class Requirement(Struct, frozen=True):
    """What a configuration says of a provider's version."""

    locked: str | None = None  # the version its lock file records
    constraints: tuple[Constraint, ...] = ()
    # The local name stands for another provider's source: its constraints are not this one's.
    other_source: str | None = None


def requirement(
    settings: Iterable[tuple[SourceFile, Block]], root: Path, source: str, name: str
) -> Requirement:
    """What the `terraform` and `provider` blocks of every module, and the lock file in `root`,
    say of the provider `source` that the configuration names `name`."""
    constraints: list[Constraint] = []
    other: str | None = None
    for file, block in settings:
        for text in _constraints(block, source, name):
            if text.startswith("source "):
                other = other or text[7:]
            else:
                constraints.append(Constraint(text, file.shown))
    return Requirement(_locked_version(root, source), tuple(constraints), other)


def installs_at_least(found: Requirement, version: Version) -> bool | None:
    """Whether the version Terraform installs is `version` or later; None when the lock file or
    a constraint cannot be read, or the name stands for another provider."""
    if found.other_source is not None:
        return None
    if found.locked is not None:
        locked = parse_version(found.locked)
        return None if locked is None else locked >= version
    texts = [c.text for c in found.constraints]
    if not texts:
        return True  # the newest, which no reader of today's configurations predates
    bounds = []
    for text in texts:
        for part in text.split(","):
            match = _VERSION.match(part)
            if match is None:
                return None
            parsed = parse_version(match.group(2))
            assert parsed is not None
            bounds.append(parsed)
    # The newest admitted version lies at a bound, just below one, or past them all.
    candidates = {_NEWEST, version}
    for major, minor, patch in bounds:
        candidates |= {(major, minor, patch), (major, minor, 10**6), (major, 10**6, 0)}
        candidates |= {(major - 1, 10**6, 0), (major, minor - 1, 10**6)}
    admitted = [c for c in candidates if all(admits(text, c) for text in texts)]
    return max(admitted) >= version if admitted else None


def parse_version(text: str) -> Version | None:
    parts = text.strip().lstrip("v").split("-", 1)[0].split(".")
    if not 1 <= len(parts) <= 3 or not all(part.isdecimal() for part in parts):
        return None
    numbers = [int(part) for part in parts] + [0] * (3 - len(parts))
    return numbers[0], numbers[1], numbers[2]


def admits(constraints: str, version: Version) -> bool:
    """Whether a Terraform version constraint ("~> 5.0, != 5.3.0") admits `version`; a
    constraint that cannot be read admits nothing."""
    for constraint in constraints.split(","):
        match = _VERSION.match(constraint)
        if match is None:
            return False
        operator, text = match.group(1) or "=", match.group(2)
        segments = text.split(".")
        bound = parse_version(text)
        assert bound is not None
        if operator == "~>":
            # ~> 5.2 allows 5.2 and later 5.x; ~> 5.2.1 allows later 5.2.x; ~> 5 is >= 5.
            kept = len(segments) - 1
            if version < bound or version[:kept] != bound[:kept]:
                return False
        elif not {
            "=": version == bound,
            "!=": version != bound,
            ">": version > bound,
            ">=": version >= bound,
            "<": version < bound,
            "<=": version <= bound,
        }[operator]:
            return False
    return True


def _locked_version(root: Path, source: str) -> str | None:
    path = root / _LOCK_FILE
    if not path.is_file():
        return None
    try:
        # Only a regular file inside the configuration: a link out of it is not followed.
        text = read_text(path, str(path), Path(os.path.realpath(root)))
        body = parse_file(text, str(path))
    except InputError:
        return None  # a broken lock file is Terraform's to report
    for block in body.blocks:
        if block.type == "provider" and block.labels and block.labels[0].endswith(source):
            version = _constant(block.body, "version")
            if isinstance(version, str):
                return version
    return None


def _constraints(block: Block, source: str, name: str) -> list[str]:
    """Version constraints on the provider in a `terraform` or `provider` block, and
    "source X" when its local name stands for another provider."""
    found: list[str] = []
    if block.type == "provider":
        version = _constant(block.body, "version") if block.labels == [name] else None
        return [version] if isinstance(version, str) else []
    for inner in block.body.blocks:
        if inner.type != "required_providers":
            continue
        for local, attribute in inner.body.attributes.items():
            try:
                wanted = evaluate_constant(attribute.expr)
            except EvalError:
                continue
            if isinstance(wanted, str) and local == name:
                found.append(wanted)  # the form of Terraform 0.12
            elif isinstance(wanted, dict):
                given = wanted.get("source")
                version = wanted.get("version")
                ours = isinstance(given, str) and given.lower().endswith(source)
                if (given is None and local == name) or ours:
                    if isinstance(version, str):
                        found.append(version)
                elif local == name:
                    found.append(f"source {given}")
    return found


def _constant(body: Body, attribute_name: str) -> object:
    attribute = body.attributes.get(attribute_name)
    if attribute is None:
        return None
    try:
        return evaluate_constant(attribute.expr)
    except EvalError:
        return None
