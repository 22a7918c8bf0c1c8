"""The built-in rule pack: its files and the documentation page of each rule."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reachlint.rules.ruleset import RuleSet

_RULE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def builtin_rules_dir() -> Path:
    """Where the built-in pack lives: inside an installed wheel, else the repository's rules/."""
    shipped = resources.files("reachlint") / "builtin_rules"
    if shipped.is_dir():
        return Path(str(shipped))
    return Path(__file__).resolve().parents[3] / "rules"


def builtin_rule_files() -> list[Path]:
    return sorted(builtin_rules_dir().glob("*.yaml"))


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
