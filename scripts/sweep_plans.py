#!/usr/bin/env python3
"""Load every Terraform plan JSON under a directory and count what happens.

Usage: python scripts/sweep_plans.py DIR

Prints the number of JSON files, plans found and loaded, resources, input errors (with their
message) and crashes. A crash is any exception other than InputError; there must be none.
"""

from __future__ import annotations

import sys
import time
import traceback
from pathlib import Path

from reachlint.errors import InputError
from reachlint.formats.terraform.plan import load_plan_resources, looks_like_plan, read_json


def sweep(root: Path) -> int:
    files = plans = loaded = resources = references = notes = unreadable = 0
    input_errors: list[str] = []
    crashes: list[str] = []
    slowest = (0.0, "")
    for path in sorted(root.rglob("*.json")):
        if not path.is_file():
            continue
        files += 1
        try:
            document = read_json(path)
        except InputError:
            unreadable += 1  # not JSON at all: not a plan either
            continue
        if not looks_like_plan(document):
            continue
        plans += 1
        started = time.perf_counter()
        try:
            result = load_plan_resources(path, document)
        except InputError as err:
            input_errors.append(str(err))
            continue
        except Exception:
            crashes.append(f"{path}:\n{traceback.format_exc()}")
            continue
        elapsed = time.perf_counter() - started
        slowest = max(slowest, (elapsed, str(path)))
        loaded += 1
        resources += len(result.resources)
        references += sum(len(r.references) for r in result.resources)
        notes += len(result.notes)
    print(f"json files:       {files} ({unreadable} not readable as JSON)")
    print(f"plans found:      {plans}")
    print(f"plans loaded:     {loaded}")
    print(f"resources:        {resources}")
    print(f"reference paths:  {references}")
    print(f"notes:            {notes}")
    print(f"slowest load:     {slowest[0] * 1000:.1f} ms {slowest[1]}")
    print(f"input errors:     {len(input_errors)}")
    for message in input_errors:
        print(f"  {message}")
    print(f"crashes:          {len(crashes)}")
    for crash in crashes:
        print(crash)
    return 1 if crashes else 0


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print(__doc__, file=sys.stderr)
        return 2
    return sweep(Path(argv[0]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
