#!/usr/bin/env python3
"""Write what reachlint says about every fixture and corpus input to a folder, to compare runs.

Usage: python scripts/snapshot_outputs.py OUTDIR [--corpus DIR] [--only fixtures|corpus]
       python scripts/snapshot_outputs.py --compare OLD NEW

For every fixture (with its own rules files) and every input the corpus sweep finds, it runs
`check --format json`, `matrix --format json` and `graph` through the command line in this
process and writes each output (or the error message and exit code) to its own file. Two
snapshots compare file by file: a refactoring must leave them byte-identical (the version
string aside), a semantic change shows which findings it added and removed, per rule.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from sweep_corpus import DEFAULT_CORPUS, candidates  # noqa: E402

_VERSION = re.compile(r'(?<="version": ")[^"]*(?=")|(?<=reachlint )\d+\.\d+\.\d+\S*')


def _run(args: list[str]) -> tuple[int, str]:
    from reachlint.commands.cli import app

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = app(args, prog_name="reachlint", standalone_mode=False)
        except SystemExit as done:
            code = done.code
        except Exception as error:  # a crash is an output too: it must not change silently
            code = f"crash: {type(error).__name__}: {error}"
    return (code if isinstance(code, int) else 0 if code is None else 99), (
        out.getvalue() + ("\n--- stderr\n" + err.getvalue() if err.getvalue() else "")
    )


def _key(path: Path, base: Path) -> str:
    text = str(path.relative_to(base)) if path.is_relative_to(base) else str(path)
    digest = hashlib.sha1(text.encode()).hexdigest()[:8]
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text)[-120:] + "-" + digest


def _inputs(corpus: Path, only: str | None) -> list[tuple[str, list[str], list[str]]]:
    """(name, inputs, extra check arguments) for every fixture and corpus input."""
    import yaml

    found: list[tuple[str, list[str], list[str]]] = []
    if only in (None, "fixtures"):
        fixtures = ROOT / "fixtures"
        for expected in sorted(fixtures.glob("**/expected.yaml")):
            data = yaml.safe_load(expected.read_text())
            directory = expected.parent
            inputs = [str(directory / name) for name in data.get("inputs", ["plan.json"])]
            extra: list[str] = []
            for rules in data.get("rules", []):
                extra += ["--rules", str(directory / rules)]
            if data.get("builtin") is False:
                extra.append("--no-builtin")
            if data.get("assume_unknown") == "closed":
                extra += ["--assume-unknown", "closed"]
            found.append(("fixture-" + _key(directory, fixtures), inputs, extra))
    if only in (None, "corpus"):
        corpus = corpus.resolve()
        for path in candidates(corpus):
            # Each source repository of the corpus is the root its inputs' files come from.
            root = corpus / path.relative_to(corpus).parts[0]
            found.append(("corpus-" + _key(path, corpus), [str(path)], ["--root", str(root)]))
    return found


def snapshot(outdir: Path, corpus: Path, only: str | None) -> int:
    outdir.mkdir(parents=True, exist_ok=True)
    count = 0
    for name, inputs, extra in _inputs(corpus, only):
        rooted = extra[-2:-1] == ["--root"]
        commands = {
            "check.json": ["check", *inputs, "--format", "json", "--fail-on", "never", *extra],
            "matrix.json": ["matrix", *inputs, "--format", "json", *extra[-2:] * rooted],
            "graph.mmd": ["graph", *inputs, *extra[-2:] * rooted],
        }
        for suffix, args in commands.items():
            code, text = _run(args)
            # Where the tree and the corpus lie is no output: snapshots of two clones compare.
            text = _VERSION.sub("VERSION", text)
            text = text.replace(str(corpus.resolve()), "CORPUS").replace(str(ROOT), "ROOT")
            (outdir / f"{name}.{suffix}").write_text(f"exit {code}\n{text}")
            count += 1
    return count


def _findings(text: str) -> list[tuple[str, str, str, str]]:
    body = text.split("\n", 1)[-1].split("\n--- stderr\n")[0]
    try:
        report = json.loads(body)
    except ValueError:
        return []
    return [
        (
            f["rule"],
            f["from"]["address"],
            f["to"]["address"],
            "; ".join(
                f"{t['protocol']} {t.get('ports') or t.get('numbers') or ''}".strip()
                for t in f["traffic"]
            ),
        )
        for f in report.get("findings", [])
        if not f.get("suppressed")
    ]


def compare(old: Path, new: Path, show: int) -> int:
    names = sorted({p.name for p in old.iterdir()} | {p.name for p in new.iterdir()})
    differing = [n for n in names if _read(old / n) != _read(new / n)]
    print(f"{len(names)} outputs, {len(names) - len(differing)} identical, {len(differing)} differ")
    added: Counter[str] = Counter()
    removed: Counter[str] = Counter()
    examples: list[str] = []
    for name in differing:
        if not name.endswith(".check.json"):
            continue
        before, after = set(_findings(_read(old / name))), set(_findings(_read(new / name)))
        for finding in sorted(after - before):
            added[finding[0]] += 1
            examples.append(f"+ {name}: {finding}")
        for finding in sorted(before - after):
            removed[finding[0]] += 1
            examples.append(f"- {name}: {finding}")
    for rule in sorted(set(added) | set(removed)):
        print(f"  {rule:<32} +{added[rule]:<6} -{removed[rule]}")
    print(f"  {'total':<32} +{sum(added.values()):<6} -{sum(removed.values())}")
    for line in examples[:show]:
        print(line)
    for name in differing[:show]:
        print(f"differs: {name}")
    return 1 if differing else 0


def _read(path: Path) -> str:
    return path.read_text() if path.exists() else "(missing)"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", nargs="?", type=Path)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--only", choices=["fixtures", "corpus"])
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("OLD", "NEW"))
    parser.add_argument("--show", type=int, default=40, help="examples to print when comparing")
    args = parser.parse_args(argv)
    if args.compare:
        return compare(*args.compare, args.show)
    if args.outdir is None:
        parser.error("OUTDIR is needed unless --compare is given")
    count = snapshot(args.outdir, args.corpus, args.only)
    print(f"wrote {count} outputs to {args.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
