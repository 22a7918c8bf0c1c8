"""Paths, snapshots and small helpers shared by the design-review tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reachlint.errors import InputError

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
AZURE_HYBRID = FIXTURES / "azure" / "hybrid" / "template.json"
UPDATE = "REACHLINT_UPDATE_SNAPSHOTS"


def assert_snapshot(name: str, text: str) -> None:
    """`text` equals the stored snapshot; REACHLINT_UPDATE_SNAPSHOTS=1 stores it instead."""
    path = SNAPSHOTS / name
    if os.environ.get(UPDATE):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"no snapshot {name}: run the tests with {UPDATE}=1 to write it"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its snapshot"


def require_azure_hybrid() -> Path:
    """The Azure hybrid template, or a skip while reachlint cannot read ARM templates yet."""
    if not AZURE_HYBRID.exists():
        pytest.skip(f"{AZURE_HYBRID.relative_to(REPO)} is not in the repository yet")
    from reachlint.pipeline import build_model

    try:
        build_model([AZURE_HYBRID])
    except InputError as error:
        if "not supported yet" in error.message:
            pytest.skip(f"ARM templates are not supported yet: {error.message}")
        raise
    return AZURE_HYBRID
