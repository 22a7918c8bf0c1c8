#!/usr/bin/env python3
"""Run every input of a corpus through reachlint and count what happens; there must be no crash.

Usage: python scripts/sweep_corpus.py [DIR] [--timeout SECONDS] [--verbose]
       (DIR defaults to ../shared/corpus beside the repository)

An input is what `reachlint check PATH` accepts, found by content: a Terraform plan JSON, an ARM
template (Bicep's compiled JSON included), a Bicep file, a CloudFormation template (JSON or
YAML), or a directory holding .tf files. Each
one goes through the same steps as `reachlint check` with the built-in rules: load, model,
engine, rules. The summary counts per kind the inputs loaded, modelled and analysed, the notes
the models carry, the inputs refused as not supported yet, the input errors (exit 2 with a
message) and the crashes (any other exception). JSON files that are none of these (parameter
files, package manifests) are counted apart. Exit 1 when anything crashed or took longer than
--timeout.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reachlint.rules.ruleset import RuleSet

KINDS = ("terraform-plan", "arm", "bicep", "terraform-dir", "cloudformation")
NOT_YET = "not supported yet"
DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


@dataclass
class KindCount:
    found: int = 0
    loaded: int = 0
    modelled: int = 0
    analysed: int = 0
    endpoints: int = 0
    notes: int = 0
    not_yet: int = 0
    input_errors: int = 0
    crashes: int = 0
    too_slow: int = 0


@dataclass
class Sweep:
    kinds: dict[str, KindCount] = field(default_factory=lambda: {k: KindCount() for k in KINDS})
    not_inputs: int = 0  # JSON files that are neither plans nor templates
    not_input_reasons: Counter[str] = field(default_factory=Counter)
    input_errors: list[str] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)
    too_slow: list[str] = field(default_factory=list)
    slowest: tuple[float, str] = (0.0, "")

    @property
    def failed(self) -> bool:
        return bool(self.crashes or self.too_slow)


class _TooSlow(Exception):
    pass


def candidates(root: Path) -> Iterator[Path]:
    """Files reachlint might read, and every directory that holds .tf files, in a stable order."""
    for path in sorted(root.rglob("*")):
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue  # .terraform caches, .github workflows
        if path.is_dir():
            if any(child.suffix == ".tf" and child.is_file() for child in path.iterdir()):
                yield path
        elif path.suffix in _SUFFIXES and path.is_file():
            yield path


# JSON (plans, ARM and CloudFormation templates), Bicep, CloudFormation in YAML.
_SUFFIXES = frozenset({".json", ".bicep", ".yaml", ".yml", ".template"})


def _on_alarm(_signum: int, _frame: FrameType | None) -> None:
    raise _TooSlow


def sweep_one(
    path: Path, ruleset: RuleSet, result: Sweep, timeout: float, root: Path | None = None
) -> None:
    from reachlint.confine import declared_root

    with declared_root(root):
        _sweep_one(path, ruleset, result, timeout)


def _sweep_one(path: Path, ruleset: RuleSet, result: Sweep, timeout: float) -> None:
    from reachlint.engine.reach import compute_reachability
    from reachlint.errors import InputError
    from reachlint.inputs.detect import inspect_input
    from reachlint.inputs.load import build_model
    from reachlint.rules import evaluate

    try:
        kind = inspect_input(path).kind
    except InputError as error:
        result.not_inputs += 1
        result.not_input_reasons[_reason(str(error))] += 1
        return
    except Exception:
        kind = "terraform-dir" if path.is_dir() else "terraform-plan"
        result.kinds[kind].found += 1
        result.kinds[kind].crashes += 1
        result.crashes.append(f"{path} (detecting its kind):\n{traceback.format_exc()}")
        return
    count = result.kinds[kind]
    count.found += 1
    timings: dict[str, float] = {}
    started = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        model = build_model([path], timings)
        count.loaded += 1
        count.modelled += 1
        count.notes += len(model.notes)
        count.endpoints += len(model.endpoints)
        reach = compute_reachability(model)
        evaluate(ruleset, model, reach)
        count.analysed += 1
    except _TooSlow:
        count.too_slow += 1
        result.too_slow.append(f"{path}: more than {timeout:.0f} s")
    except InputError as error:
        if "model" in timings:
            count.loaded += 1
        if NOT_YET in str(error):
            count.not_yet += 1
        else:
            count.input_errors += 1
            result.input_errors.append(str(error))
    except Exception:
        if "model" in timings:
            count.loaded += 1
        count.crashes += 1
        result.crashes.append(f"{path}:\n{traceback.format_exc()}")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    result.slowest = max(result.slowest, (time.perf_counter() - started, str(path)))


def _reason(message: str) -> str:
    """An input error's message without the file it names, so alike errors count together."""
    return message.split(": ", 1)[-1]


def sweep(root: Path, timeout: float = 120.0) -> Sweep:
    from reachlint.rules import load_rules

    ruleset = load_rules([], builtin=True)
    result = Sweep()
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        for path in candidates(root):
            # Each source repository of the corpus is the root its inputs' files come from.
            source = root / path.relative_to(root).parts[0]
            sweep_one(path, ruleset, result, timeout, source)
    finally:
        signal.signal(signal.SIGALRM, previous)
    return result


def summary(result: Sweep, verbose: bool = False) -> str:
    columns = ["found", "loaded", "modelled", "analysed", "endpoints", "notes", "not yet"]
    columns += ["input errors", "crashes", "too slow"]
    lines = [f"{'kind':<16}" + "".join(f"{name:>14}" for name in columns)]
    total = KindCount()
    for kind, count in result.kinds.items():
        values = list(vars(count).values())
        lines.append(f"{kind:<16}" + "".join(f"{value:>14}" for value in values))
        for name, value in vars(count).items():
            setattr(total, name, getattr(total, name) + value)
    lines.append(f"{'total':<16}" + "".join(f"{value:>14}" for value in vars(total).values()))
    lines.append(f"JSON files that are no input reachlint reads: {result.not_inputs}")
    for reason, number in result.not_input_reasons.most_common(None if verbose else 5):
        lines.append(f"  {number:>5}  {reason}")
    lines.append(f"slowest input: {result.slowest[0]:.2f} s {result.slowest[1]}")
    errors = Counter(_reason(message) for message in result.input_errors)
    lines.append(f"input errors: {len(result.input_errors)} ({len(errors)} distinct messages)")
    for reason, number in errors.most_common(None if verbose else 15):
        lines.append(f"  {number:>5}  {reason}")
    lines.append(f"too slow: {len(result.too_slow)}")
    lines.extend(f"  {line}" for line in result.too_slow)
    lines.append(f"crashes: {len(result.crashes)}")
    lines.extend(result.crashes)
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per input")
    parser.add_argument("--verbose", action="store_true", help="every distinct message")
    args = parser.parse_args(argv)
    if not args.root.is_dir():
        print(f"{args.root}: not a directory", file=sys.stderr)
        return 2
    started = time.perf_counter()
    result = sweep(args.root, args.timeout)
    print(summary(result, args.verbose))
    print(f"swept {args.root} in {time.perf_counter() - started:.1f} s")
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
