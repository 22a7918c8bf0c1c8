#!/usr/bin/env python3
"""Write rules/composed.json: the built-in packs composed ahead of time, so that a check reads
them without a YAML parser. Run it after editing a pack; tests/rules/test_rules_pack_composed.py
fails while it is stale (and reachlint composes a changed pack from its YAML meanwhile)."""

from __future__ import annotations

import json
from pathlib import Path

from reachlint.rules.pack import COMPOSED, compose_packs

RULES = Path(__file__).resolve().parent.parent / "rules"


def main() -> None:
    text = json.dumps(compose_packs(RULES), indent=1, ensure_ascii=False) + "\n"
    (RULES / COMPOSED).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
