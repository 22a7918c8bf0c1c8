"""The GitHub Action's check step.

Writes the SARIF report for code scanning, posts the Markdown report as the pull-request
comment, prints the annotations and fills the job summary; the exit status goes to the step
output `exit-code` so that the SARIF upload runs before the job fails. Inputs come from the
INPUT_* variables action.yml sets; outputs go to GITHUB_OUTPUT.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from base_files import EMPTY_BASELINE, EMPTY_RULES, BaseFiles, BaseUnavailable, base_commit

PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target")


def main(environ: Mapping[str, str]) -> int:
    paths = _words(environ.get("INPUT_PATHS", ""))
    if not paths:
        print("::error title=reachlint::the action needs `paths`: what to check")
        _set_outputs(environ, {"exit-code": "2"})
        return 0
    folder = Path(environ.get("RUNNER_TEMP") or tempfile.mkdtemp()) / "reachlint"
    folder.mkdir(parents=True, exist_ok=True)
    bases = _words(environ.get("INPUT_BASE", ""))
    try:
        arguments = [*paths, *_rules_and_baseline(environ, folder, comparing=bool(bases))]
    except BaseUnavailable as error:
        print(f"::error title=reachlint::{error}")
        _set_outputs(environ, {"exit-code": "2"})
        return 0
    for base in bases:
        arguments += ["--base", base]
    arguments += _words(environ.get("INPUT_ARGS", ""))
    sarif, markdown = folder / "reachlint.sarif", folder / "reachlint.md"
    for output_format, target in (("sarif", sarif), ("markdown", markdown)):
        status = _reachlint(
            environ,
            "check",
            *arguments,
            "--format",
            output_format,
            "--output",
            str(target),
            "--fail-on",
            "never",
        )
        if status != 0:  # the input or the arguments are wrong; reachlint said why
            _set_outputs(environ, {"exit-code": str(status)})
            return 0
    outputs = {"sarif": str(sarif), "markdown": str(markdown)}

    wants_comment = environ.get("INPUT_COMMENT", "true").strip().lower() == "true"
    if wants_comment and environ.get("GITHUB_EVENT_NAME") in PULL_REQUEST_EVENTS:
        comment = ["comment", str(markdown)]
        comment_id = environ.get("INPUT_COMMENT_ID", "").strip()
        if comment_id:
            comment += ["--id", comment_id]
        author = environ.get("INPUT_COMMENT_AUTHOR", "").strip()
        if author:
            comment += ["--comment-author", author]
        if _reachlint(environ, *comment) != 0:
            # A fork's pull request gets a read-only token: the report is in the job summary.
            print("::warning title=reachlint::the pull-request comment could not be posted")

    fail_on = environ.get("INPUT_FAIL_ON", "").strip() or "low"
    status = _reachlint(environ, "check", *arguments, "--format", "github", "--fail-on", fail_on)
    outputs["exit-code"] = str(status)
    _set_outputs(environ, outputs)
    return 0


def _words(text: str) -> list[str]:
    return shlex.split(text)


def _rules_and_baseline(environ: Mapping[str, str], folder: Path, *, comparing: bool) -> list[str]:
    """--rules and --baseline: the base branch's copies when `rules-from-base` or
    `baseline-from-base` asks for them; else the checkout's, and (with `base`) the base's
    copies beside them, so that reachlint reports every suppression they add."""
    rules = _words(environ.get("INPUT_RULES", ""))
    baseline = environ.get("INPUT_BASELINE", "").strip()
    rules_from_base = _flag(environ, "INPUT_RULES_FROM_BASE")
    baseline_from_base = _flag(environ, "INPUT_BASELINE_FROM_BASE") and bool(baseline)
    commit = base_commit(environ)
    if commit is None:
        if rules_from_base or baseline_from_base:
            print(
                "::notice title=reachlint::not a pull request: the rules and baseline are "
                "read from the checkout"
            )
        rules_from_base = baseline_from_base = comparing = False
    files = BaseFiles(commit or "", folder, environ)
    arguments: list[str] = []
    for path in rules:
        used = files.copy(path, EMPTY_RULES) if rules_from_base else path
        arguments += ["--rules", str(used)]
    if baseline:
        used = files.copy(baseline, EMPTY_BASELINE) if baseline_from_base else baseline
        arguments += ["--baseline", str(used)]
    if comparing:
        arguments += _compared_with_base(
            files,
            [] if rules_from_base else rules,
            baseline if baseline and not baseline_from_base else None,
        )
    return arguments


def _compared_with_base(files: BaseFiles, rules: list[str], baseline: str | None) -> list[str]:
    """--base-rules and --base-baseline for the checkout's files, when the base can be read."""
    try:
        arguments = [
            a for path in rules for a in ("--base-rules", str(files.copy(path, EMPTY_RULES)))
        ]
        if baseline:
            arguments += ["--base-baseline", str(files.copy(baseline, EMPTY_BASELINE))]
    except BaseUnavailable as error:
        print(
            f"::warning title=reachlint::not compared with the base's rules and baseline: {error}"
        )
        return []
    return arguments


def _flag(environ: Mapping[str, str], name: str) -> bool:
    return environ.get(name, "").strip().lower() == "true"


def _reachlint(environ: Mapping[str, str], *arguments: str) -> int:
    command = [sys.executable, "-m", "reachlint", *arguments]
    return subprocess.run(command, env=dict(environ), check=False).returncode


def _set_outputs(environ: Mapping[str, str], outputs: dict[str, str]) -> None:
    target = environ.get("GITHUB_OUTPUT")
    lines = "".join(f"{name}={value}\n" for name, value in outputs.items())
    if target:
        with Path(target).open("a", encoding="utf-8") as stream:
            stream.write(lines)
    else:
        print(lines, end="")


if __name__ == "__main__":
    sys.exit(main(os.environ))
