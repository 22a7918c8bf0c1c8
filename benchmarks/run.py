#!/usr/bin/env python3
"""Time `reachlint check` on generated AWS plans of growing size, and checkov on the same plans.

Usage:
  python benchmarks/run.py [--sizes 50,1000,10000,100000] [--repeat 3] [--work DIR]
                           [--checkov PATH | --no-checkov] [--checkov-timeout SECONDS]
                           [--plan FILE]... [--help-row] [--before SRC] [--format FORMAT]

For each size it writes a plan with generate.py, runs `reachlint check PLAN --timings --format
json` (the built-in rules; `--format` names another format) `--repeat` times and keeps the
median run, then runs `checkov -f PLAN --framework terraform_plan` once. It prints a Markdown
report: the machine, the date, wall time, peak memory and time per phase for reachlint (and
"other": the wall time outside the phases), checkov's wall time and memory, and how many times
faster reachlint is.
checkov is looked up on PATH unless --checkov names it; without it the checkov columns say so.
--plan adds a plan file, --help-row `reachlint --help`; --before times another source tree's
reachlint alternately with this one, under the same load.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate

DEFAULT_SIZES = (50, 1000, 10_000, 100_000)
_PHASE = re.compile(r"([a-z][a-z-]*) ([0-9.]+) ms")


@dataclass
class Run:
    wall: float  # seconds
    peak_mb: float
    exit_code: int
    cpu: float = 0.0  # user and system seconds: what other work on the machine changes least
    phases: dict[str, float] = field(default_factory=dict)  # seconds
    failure: str | None = None  # why the run has no result (timeout, crash)


def measured(
    command: list[str],
    timeout: float,
    memory_limit_gb: float | None = None,
    source: Path | None = None,
) -> Run:
    """Run a command alone and measure its wall time and the peak resident memory of the child;
    with `source`, reachlint's package comes from that source tree."""
    limit = None if memory_limit_gb is None else int(memory_limit_gb * 1024**3)
    # As pip installs it: compiled bytecode is written once and read from then on.
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    if source is not None:
        env["PYTHONPATH"] = str(source)

    def prepare() -> None:
        os.setsid()  # its own process group, so a timeout stops its children too
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=errors, preexec_fn=prepare, env=env
        )
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                os.killpg(process.pid, signal.SIGKILL)
                _, status, usage = os.wait4(process.pid, 0)
                process.returncode = -signal.SIGKILL
                run = Run(time.perf_counter() - started, usage.ru_maxrss / 1024, -9)
                run.cpu = usage.ru_utime + usage.ru_stime
                run.failure = f"stopped after {timeout:.0f} s"
                return run
            time.sleep(0.002)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        stderr = errors.read().decode("utf-8", errors="replace")
    run = Run(wall, usage.ru_maxrss / 1024, process.returncode, usage.ru_utime + usage.ru_stime)
    timings = [line for line in stderr.splitlines() if line.startswith("timings:")]
    if timings:
        for name, milliseconds in _PHASE.findall(timings[-1]):
            if name != "total":
                run.phases[name] = float(milliseconds) / 1000
    # Exit 1 is findings; a traceback is a crash whatever the status says.
    if run.exit_code not in (0, 1) or "Traceback (most recent call last)" in stderr:
        last = stderr.strip().splitlines()[-1:] or ["no message"]
        run.failure = f"exit {run.exit_code}: {last[0][:120]}"
    return run


# With --before both trees run as `python -m reachlint`: the same start-up, whatever entry
# point each tree's pyproject names.
_AS_MODULE = [False]


def reachlint_command() -> list[str]:
    found = shutil.which("reachlint", path=str(Path(sys.executable).parent)) or shutil.which(
        "reachlint"
    )
    return [found] if found and not _AS_MODULE[0] else [sys.executable, "-m", "reachlint"]


@dataclass
class Row:
    label: str  # the resource count, or the name of a plan file given with --plan
    resources: int
    megabytes: float
    reachlint: Run
    checkov: Run | None
    before: Run | None = None  # the --before source tree, in the same run


def median_run(runs: list[Run]) -> Run:
    ordered = sorted(runs, key=lambda run: run.wall)
    return ordered[len(ordered) // 2]


def bench_size(size: int, args: argparse.Namespace, log: Callable[[str], None]) -> Row:
    estate = generate.make_estate(size, args.seed)
    plan = args.work / f"plan-{size}-seed{args.seed}.json"
    if not plan.exists():
        log(f"writing {plan}")
        generate.write_plan(estate, plan)
    return bench_plan(plan, f"{estate.resource_count():,}", estate.resource_count(), args, log)


def bench_plan(
    plan: Path, label: str, resources: int, args: argparse.Namespace, log: Callable[[str], None]
) -> Row:
    report = args.work / f"report-{plan.stem}.{args.format}"
    command = [*reachlint_command(), "check", str(plan), "--timings", "--format", args.format]
    command += ["--output", str(report)]
    runs, before = [], []
    for attempt in range(args.repeat):
        # The tree before a change runs right after, under the same load on the machine.
        log(f"reachlint, {label}, run {attempt + 1} of {args.repeat}")
        runs.append(measured(command, args.reachlint_timeout))
        if args.before:
            before.append(measured(command, args.reachlint_timeout, source=args.before))
    checkov_run = None
    if args.checkov:
        log(f"checkov, {label}")
        checkov_command = [args.checkov, "-f", str(plan), "--framework", "terraform_plan"]
        # --skip-download: no network, as for reachlint; -o json: no terminal rendering cost.
        checkov_command += ["--quiet", "--compact", "--skip-download", "-o", "json"]
        checkov_run = measured(checkov_command, args.checkov_timeout, args.checkov_memory_gb)
    megabytes = plan.stat().st_size / 1e6
    row = Row(label, resources, megabytes, median_run(runs), checkov_run)
    row.before = median_run(before) if before else None
    return row


def bench_help(args: argparse.Namespace) -> Row:
    """`reachlint --help`: the start-up alone."""
    command = [*reachlint_command(), "--help"]
    runs, before = [], []
    for _ in range(args.repeat):  # alternately, as for the plans
        runs.append(measured(command, 60))
        if args.before:
            before.append(measured(command, 60, source=args.before))
    row = Row("--help", 0, 0.0, median_run(runs), None)
    row.before = median_run(before) if args.before else None
    return row


def plan_resources(plan: Path) -> int:
    import json

    return len(json.loads(plan.read_text(encoding="utf-8")).get("resource_changes") or [])


def warm_up(work: Path, before: Path | None) -> None:
    """One untimed check first, so every timed run reads compiled bytecode, as after pip install."""
    plan = work / "warm-up.json"
    generate.write_plan(generate.make_estate(1), plan)
    command = [*reachlint_command(), "check", str(plan), "--output", os.devnull]
    for source in (None, before) if before else (None,):
        measured(command, timeout=600, source=source)


def _seconds(value: float) -> str:
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def _machine() -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return [
        f"- Machine: {cpu}, {os.cpu_count()} CPUs, {memory:.0f} GB memory, {platform.system()} "
        f"{platform.release()}",
        f"- Python {platform.python_version()}; reachlint {_version(reachlint_command())}",
    ]


def _version(command: list[str]) -> str:
    try:
        shown = subprocess.run(
            [*command, "--version"], capture_output=True, text=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return "(unknown version)"
    return shown.stdout.strip().split()[-1] if shown.stdout.strip() else "(unknown version)"


def markdown(rows: list[Row], args: argparse.Namespace) -> str:
    phases: list[str] = []
    for row in rows:
        for name in row.reachlint.phases:
            if name not in phases:
                phases.append(name)
    lines = [
        f"Run on {datetime.date.today().isoformat()}.",
        "",
        *_machine(),
    ]
    if args.checkov:
        lines.append(f"- checkov {_version([args.checkov])} ({args.checkov})")
    if args.before:
        lines.append(
            f"- before: the source tree {args.before}, run alternately with the tree measured; "
            "both as `python -m reachlint`"
        )
    lines += [
        f"- reachlint: `check PLAN --format {args.format} --output FILE`, the median of "
        f"{args.repeat} runs (by wall time); checkov: one run",
        f"- load average (1 min) before the first run {args.load_before:.2f}, after the last "
        f"{os.getloadavg()[0]:.2f}: other work on the machine slows both tools",
        "",
    ]
    before = ["before wall", "before CPU", "before RSS"] if args.before else []
    header = ["resources", "plan", *before, "reachlint wall", "CPU", "peak RSS", "other", *phases]
    header += ["checkov wall", "checkov RSS", "checkov / reachlint"]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join("---:" for _ in header) + "|")
    for row in rows:
        ours = row.reachlint
        other = ours.wall - sum(ours.phases.values())
        cells = [row.label, f"{row.megabytes:.1f} MB" if row.megabytes else ""]
        if row.before is not None:
            old = row.before
            cells += [old.failure or _seconds(old.wall), _seconds(old.cpu), f"{old.peak_mb:.0f} MB"]
        if ours.failure:
            cells += [ours.failure, "", "", "", *("" for _ in phases)]
        else:
            cells += [_seconds(ours.wall), _seconds(ours.cpu), f"{ours.peak_mb:.0f} MB"]
            cells += [_seconds(other)]
            cells += [_seconds(ours.phases[name]) if name in ours.phases else "" for name in phases]
        theirs = row.checkov
        if theirs is None:
            cells += ["not run", "", ""]
        elif theirs.failure:
            # Stopped at the time limit: reachlint is at least that many times faster.
            stopped = theirs.exit_code == -9 and not ours.failure
            at_least = f"more than {theirs.wall / ours.wall:.0f}x" if stopped else ""
            cells += [theirs.failure, f"{theirs.peak_mb:.0f} MB", at_least]
        else:
            ratio = theirs.wall / ours.wall if ours.wall and not ours.failure else 0.0
            cells += [_seconds(theirs.wall), f"{theirs.peak_mb:.0f} MB", f"{ratio:.1f}x"]
        lines.append("| " + " | ".join(cells) + " |")
    if not args.checkov:
        lines += ["", "checkov is not installed here (or --no-checkov): its columns are empty."]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(str(size) for size in DEFAULT_SIZES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, help="where plans and reports go (default: temp)")
    parser.add_argument("--checkov", help="the checkov executable (default: from PATH)")
    parser.add_argument("--no-checkov", action="store_true")
    parser.add_argument("--checkov-timeout", type=float, default=1800)
    parser.add_argument("--checkov-memory-gb", type=float, default=12)
    parser.add_argument("--reachlint-timeout", type=float, default=600)
    parser.add_argument(
        "--plan", type=Path, action="append", default=[], help="a plan file to time as well"
    )
    parser.add_argument(
        "--before", type=Path, help="a reachlint source tree (its src/) to time alongside"
    )
    parser.add_argument("--help-row", action="store_true", help="time `reachlint --help` too")
    parser.add_argument("--format", default="json", help="the report's format (default json)")
    args = parser.parse_args(argv)
    _AS_MODULE[0] = args.before is not None
    sizes = [int(text) for text in args.sizes.split(",") if text.strip()]
    if args.no_checkov:
        args.checkov = None
    else:
        args.checkov = args.checkov or shutil.which("checkov")

    def log(message: str) -> None:
        print(f"... {message}", file=sys.stderr, flush=True)

    args.load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as scratch:
        args.work = args.work or Path(scratch)
        args.work.mkdir(parents=True, exist_ok=True)
        warm_up(args.work, args.before)
        rows = [bench_help(args)] if args.help_row else []
        rows += [
            bench_plan(plan, plan.parent.name, plan_resources(plan), args, log)
            for plan in args.plan
        ]
        rows += [bench_size(size, args, log) for size in sizes]
    print(markdown(rows, args), end="")
    return 0 if all(row.reachlint.failure is None for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
