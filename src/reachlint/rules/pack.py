"""The built-in rule pack: its files, read, and the documentation page of each rule."""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reachlint.rules.document import Document
    from reachlint.rules.ruleset import RuleSet

# The pack's files composed ahead of time, each with the digest of the text it was composed
# from (`python scripts/compose_rule_packs.py` writes it; a test keeps it current).
COMPOSED = "composed.json"

_RULE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def builtin_rules_dir() -> Path:
    """Where the built-in pack lives: inside an installed wheel, else the repository's rules/."""
    shipped = resources.files("reachlint") / "builtin_rules"
    if shipped.is_dir():
        return Path(str(shipped))
    return Path(__file__).resolve().parents[3] / "rules"


def builtin_rule_files() -> list[Path]:
    return sorted(builtin_rules_dir().glob("*.yaml"))


def builtin_documents() -> list[Document]:
    """The pack's files, read. A file whose text still has the digest `composed.json` records is
    taken from there, so that a check needs no YAML parser unless the user gives a rules file;
    any other (an edited pack) is composed from its YAML."""
    from reachlint.rules.document import from_composed, load_document

    stored = _stored(builtin_rules_dir() / COMPOSED)
    documents = []
    for path in builtin_rule_files():
        text = path.read_bytes()
        entry = stored.get(path.name)
        if isinstance(entry, dict) and entry.get("sha256") == _digest(text):
            documents.append(from_composed(entry, str(path)))
        else:
            documents.append(load_document(text.decode("utf-8"), str(path), shipped=True))
    return documents


def compose_packs(directory: Path) -> dict[str, Any]:
    """What `composed.json` holds for the pack in `directory`."""
    from reachlint.rules.document import composed, load_document

    found: dict[str, Any] = {}
    for path in sorted(directory.glob("*.yaml")):
        text = path.read_bytes()
        document = load_document(text.decode("utf-8"), path.name, shipped=True)
        found[path.name] = {"sha256": _digest(text), **composed(document)}
    return found


def _stored(path: Path) -> dict[str, Any]:
    import msgspec

    try:
        stored = msgspec.json.decode(path.read_bytes())
    except (OSError, msgspec.DecodeError):
        return {}
    return stored if isinstance(stored, dict) else {}


def _digest(text: bytes) -> str:
    return hashlib.sha256(text).hexdigest()


def rule_doc(rule_id: str, rules: RuleSet | None = None) -> str | None:
    """The Markdown page of a rule: a built-in rule's page, or one made from a rule's own text."""
    if _RULE_ID.match(rule_id):
        page = builtin_rules_dir() / "docs" / f"{rule_id}.md"
        if page.is_file():
            return page.read_text(encoding="utf-8")
    rule = rules.get(rule_id) if rules is not None else None
    if rule is None:
        return None
    lines = [f"# {rule.id}", "", rule.heading, "", f"Severity: {rule.severity}."]
    if rule.origin.file:
        where = f"{rule.origin.file}:{rule.origin.line}" if rule.origin.line else rule.origin.file
        lines.append(f"Defined in {where}.")
    if rule.defers_to:
        lines.append(
            f"Defers to {', '.join(rule.defers_to)}: what they report between the same two ends "
            "is left out of this rule's findings."
        )
    if rule.description:
        lines += ["", rule.description.strip()]
    if rule.docs:
        lines += ["", f"More: {rule.docs}"]
    return "\n".join(lines) + "\n"
