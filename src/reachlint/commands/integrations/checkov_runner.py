"""checkov's checks, run in this process through its runners: the one module that imports it.

checkov is an optional extra (`pip install '.[checkov]'`) with no type information
reachlint relies on, so every call into it happens here and comes back as plain records.
Importing it takes seconds (it loads a thousand checks), so nothing here runs before
`reachlint check --checkov` asks for it.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, Protocol, cast

from msgspec import Struct, field

from reachlint.errors import InputError

# checkov is on PyPI (reachlint is not): the range of reachlint's `checkov` extra, installed
# beside reachlint, works whichever way reachlint was installed.
INSTALL_COMMAND = "pip install 'checkov>=3.2,<4'"
LOWEST_VERSION = 3

Framework = Literal["terraform_plan", "terraform", "arm", "cloudformation"]
# The runner module of each checkov framework reachlint reads inputs of.
_RUNNERS: dict[Framework, str] = {
    "terraform_plan": "checkov.terraform.plan_runner",
    "terraform": "checkov.terraform.runner",
    "arm": "checkov.arm.runner",
    "cloudformation": "checkov.cloudformation.runner",
}


class Target(Struct, frozen=True):
    """One input for checkov: a plan file, a Terraform directory, an ARM template, or a
    CloudFormation template or cloud assembly."""

    framework: Framework
    path: Path
    var_files: tuple[Path, ...] = ()


class CheckResult(Struct, frozen=True):
    """One failed (or checkov-skipped) check on one resource, as checkov reports it."""

    check_id: str
    name: str
    resource: str  # as checkov names it: the plan address, `type.name`, ARM `Type.name`
    file: str  # absolute
    lines: tuple[int, int]  # the resource's first and last line in `file`
    severity: str | None  # lower case, when checkov has one (it needs its platform for most)
    guideline: str | None
    details: tuple[str, ...] = ()
    skip_reason: str | None = None  # set when a `checkov:skip` comment covers it


class Scan(Struct):
    results: list[tuple[Target, CheckResult]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what checkov could not read


class _Severity(Protocol):
    name: str


class _Record(Protocol):
    """The attributes of checkov's Record that reachlint reads."""

    check_id: str
    check_name: str
    check_result: dict[str, object]
    resource: str
    file_abs_path: str
    file_line_range: list[int]
    severity: _Severity | None
    guideline: str | None
    details: list[str] | None


def require_checkov() -> None:
    """Import checkov's runners now, or say how to install them: exit 2, not a traceback."""
    try:
        with _quiet_logging():
            version = cast(str, importlib.import_module("checkov.version").version)
            for module in _RUNNERS.values():
                importlib.import_module(module)
            importlib.import_module("checkov.runner_filter")
    except ImportError:
        raise InputError(
            f"--checkov needs checkov, which is not installed; install it with {INSTALL_COMMAND}"
        ) from None
    major = version.split(".", 1)[0]
    if not major.isdecimal() or int(major) < LOWEST_VERSION:
        raise InputError(
            f"--checkov needs checkov {LOWEST_VERSION} or newer, found {version}; "
            f"upgrade it with {INSTALL_COMMAND}"
        )


def run_checks(targets: list[Target]) -> Scan:
    """Every target through its checkov runner; a target checkov fails on becomes a problem."""
    require_checkov()
    scan = Scan()
    for target in targets:
        try:
            with _quiet_logging():
                report = _run(target)
        except Exception as error:  # checkov's own failure must not hide reachlint's report
            text = " ".join(str(error).split()) or type(error).__name__
            scan.problems.append(f"checkov could not check {target.path}: {text}")
            continue
        for name in ("failed_checks", "skipped_checks"):
            scan.results += [(target, _result(record)) for record in _records(report, name)]
        scan.problems += [
            f"checkov could not parse {file}" for file in _strings(report, "parsing_errors")
        ]
    return scan


def _run(target: Target) -> Any:
    runner_type = importlib.import_module(_RUNNERS[target.framework]).Runner
    runner_filter = importlib.import_module("checkov.runner_filter").RunnerFilter(
        framework=[target.framework],
        show_progress_bar=False,
        download_external_modules=False,  # reading must never reach the network
        var_files=[str(path) for path in target.var_files] or None,
    )
    path = target.path.resolve()
    if target.framework == "terraform" or path.is_dir():  # a directory: every file in it
        folder = path if path.is_dir() else path.parent
        report = runner_type().run(root_folder=str(folder), runner_filter=runner_filter)
    else:
        report = runner_type().run(root_folder=None, files=[str(path)], runner_filter=runner_filter)
    # A runner returns a list only when it also scans container images, which is off here.
    return report[0] if isinstance(report, list) else report


@contextmanager
def _quiet_logging() -> Iterator[None]:
    """Keep checkov's log lines out of the report's streams.

    checkov logs warnings through the root logger, and a root logger without handlers gets a
    handler printing to stderr on the first `logging.warning`; for the time checkov runs the
    root logger has only a handler that drops them, and after it, the handlers it had before.
    """
    root = logging.getLogger()
    handlers = list(root.handlers)
    root.handlers = [logging.NullHandler()]
    try:
        yield
    finally:
        root.handlers = handlers


def _records(report: Any, name: str) -> list[_Record]:
    return cast("list[_Record]", list(getattr(report, name, None) or []))


def _strings(report: Any, name: str) -> list[str]:
    return [str(item) for item in getattr(report, name, None) or []]


def _result(record: _Record) -> CheckResult:
    lines = [int(line) for line in record.file_line_range or []] or [1]
    severity = record.severity.name.lower() if record.severity is not None else None
    skip = record.check_result.get("suppress_comment")
    return CheckResult(
        check_id=str(record.check_id),
        name=str(record.check_name),
        resource=str(record.resource),
        file=os.path.normpath(str(record.file_abs_path)),
        lines=(lines[0], lines[-1]),
        severity=severity,
        guideline=str(record.guideline) if record.guideline else None,
        details=tuple(str(detail) for detail in record.details or ()),
        skip_reason=str(skip) if skip is not None else None,
    )
