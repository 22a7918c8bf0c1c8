"""The built-in packs composed ahead of time (rules/composed.json) say what their YAML says, and
a pack edited since is read from its YAML."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from reachlint.rules import pack
from reachlint.rules.document import load_document
from reachlint.rules.pack import COMPOSED, builtin_documents, builtin_rule_files, compose_packs

RULES = Path(__file__).resolve().parents[2] / "rules"


def test_composed_json_is_current() -> None:
    stored = json.loads((RULES / COMPOSED).read_text(encoding="utf-8"))
    assert stored == compose_packs(RULES), "run python scripts/compose_rule_packs.py"


def test_every_pack_reads_the_same_composed_as_from_its_yaml() -> None:
    documents = builtin_documents()
    files = builtin_rule_files()
    assert len(documents) == len(files) >= 5
    for document, path in zip(documents, files, strict=True):
        from_yaml = load_document(path.read_text(encoding="utf-8"), str(path))
        assert document == from_yaml


def test_a_pack_edited_since_is_read_from_its_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "rules"
    shutil.copytree(RULES, copy)
    edited = copy / "internet-admin-ports.yaml"
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("severity: critical", "severity: low", 1), encoding="utf-8")
    monkeypatch.setattr(pack, "builtin_rules_dir", lambda: copy)
    by_file = {Path(document.file).name: document for document in builtin_documents()}
    rules = by_file["internet-admin-ports.yaml"].data["rules"]  # type: ignore[index]
    assert rules[0]["severity"] == "low"
    assert by_file["reply-dropped.yaml"] == load_document(
        (copy / "reply-dropped.yaml").read_text(encoding="utf-8"), str(copy / "reply-dropped.yaml")
    )
