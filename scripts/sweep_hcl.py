#!/usr/bin/env python3
"""Load every Terraform configuration directory under DIR and report what happened.

Usage: python scripts/sweep_hcl.py DIR [--quiet]

A directory is every folder that holds .tf files. Each is loaded with the configuration loader
and, when the AWS mapper is there, turned into a network model. One line per directory, then
totals: directories, loaded, resources, notes, input errors (with their messages) and crashes.
Crashes must be zero; input errors only for configurations that are really broken. Each
directory may read modules from anywhere in its repository: the first folder under DIR (the
command line's --root), and gets the provider configurations the mappers read.
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reachlint.confine import declared_root
from reachlint.dialects.terraform.model import PROVIDERS_CONFIGURED
from reachlint.dialects.terraform.schema import check_configuration
from reachlint.errors import InputError
from reachlint.formats.terraform.directory import load_terraform_dir


def _mapper() -> Callable[..., Any] | None:
    try:
        from reachlint.dialects.terraform.aws import build_aws_model
    except ImportError:
        return None
    return build_aws_model


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 2
    root = Path(argv[0])
    quiet = "--quiet" in argv
    directories = sorted({path.parent for path in root.rglob("*.tf") if path.is_file()})
    build_model = _mapper()
    loaded = resources = notes = 0
    errors: list[str] = []
    crashes: list[str] = []
    started = time.perf_counter()
    for directory in directories:
        name = directory.relative_to(root) if directory != root else Path(".")
        begun = time.perf_counter()
        try:
            repository = root / name.parts[0] if name.parts else root
            with declared_root(repository):
                result = load_terraform_dir(
                    directory, validate=check_configuration, providers=PROVIDERS_CONFIGURED
                )
            model_note = ""
            if build_model is not None:
                model = build_model(result.resources, {}, str(directory))
                model_note = f", model notes {len(model.notes)}"
        except InputError as err:
            errors.append(f"{name}: {err}")
            if not quiet:
                print(f"ERROR  {name}: {err}")
            continue
        except Exception:
            crashes.append(f"{name}:\n{traceback.format_exc()}")
            print(f"CRASH  {name}: {traceback.format_exc().splitlines()[-1]}")
            continue
        loaded += 1
        resources += len(result.resources)
        notes += len(result.notes)
        if not quiet:
            elapsed = (time.perf_counter() - begun) * 1000
            print(
                f"ok     {name}: {len(result.resources)} resources, {len(result.notes)} notes"
                f"{model_note}, {len(result.files)} files, {elapsed:.0f} ms"
            )
    total = time.perf_counter() - started
    print()
    print(f"directories  {len(directories)}")
    print(f"loaded       {loaded}")
    print(f"resources    {resources}")
    print(f"notes        {notes}")
    print(f"input errors {len(errors)}")
    for message in errors:
        print(f"  {message}")
    print(f"crashes      {len(crashes)}")
    for crash in crashes:
        print(crash)
    print(f"time         {total:.2f} s")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
