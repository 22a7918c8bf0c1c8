"""A pull request can commit a symbolic link where a report is written (`report.sarif ->
~/.bashrc`) or in place of a directory on the way to it. `--output`, `--create-baseline` and the
action's reports write a new file beside the target and rename it over the target: a link
there is replaced, the file it pointed to is untouched. A linked directory on the way, inside
the working directory, is refused with exit 2."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reachlint.commands.cli import app

REPO = Path(__file__).resolve().parents[2]
HEAD = REPO / "fixtures" / "aws" / "diff-monitoring" / "head"
BASE = REPO / "fixtures" / "aws" / "diff-monitoring" / "base"
PRECIOUS = "precious\n"


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"NO_COLOR": "1"})
    return result.exit_code, result.stderr


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A checkout (the working directory) and, outside it, a file the attacker wants written."""
    (tmp_path / "checkout").mkdir()
    (tmp_path / "victim.txt").write_text(PRECIOUS, encoding="utf-8")
    monkeypatch.chdir(tmp_path / "checkout")
    return tmp_path


COMMANDS = {
    "check --output": ("check", str(HEAD / "plan.json"), "--output"),
    "check --create-baseline": ("check", str(HEAD / "plan.json"), "--create-baseline"),
    "diff --output": ("diff", str(BASE), str(HEAD), "--output"),
    "matrix --output": ("matrix", str(HEAD / "plan.json"), "--output"),
    "graph --output": ("graph", str(HEAD / "plan.json"), "--output"),
}


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_a_link_at_the_target_is_replaced_not_followed(
    work: Path, command: tuple[str, ...]
) -> None:
    victim = work / "victim.txt"
    Path("report").symlink_to(victim)
    code, error = _run(*command, "report")
    assert code in (0, 1), error
    assert victim.read_text(encoding="utf-8") == PRECIOUS
    written = Path("report")
    assert not written.is_symlink() and written.read_text(encoding="utf-8") != PRECIOUS
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(written.stat().st_mode) == 0o666 & ~umask  # as a new file would be


def test_a_dangling_link_creates_nothing_where_it_points(work: Path) -> None:
    Path("report.sarif").symlink_to(work / "planted.sarif")
    code, error = _run(*COMMANDS["check --output"], "report.sarif", "--format", "sarif")
    assert code == 1, error
    assert not (work / "planted.sarif").exists() and Path("report.sarif").is_file()


def test_a_linked_directory_inside_the_checkout_is_refused(work: Path) -> None:
    (work / "elsewhere").mkdir()
    Path("reports").symlink_to(work / "elsewhere", target_is_directory=True)
    code, error = _run(*COMMANDS["check --output"], "reports/report.txt")
    assert code == 2
    assert "reports is a symbolic link" in error and error.count("\n") == 1
    assert list((work / "elsewhere").iterdir()) == []
    code, error = _run(*COMMANDS["check --create-baseline"], "reports/../reports/base.json")
    assert code == 2 and list((work / "elsewhere").iterdir()) == []


def test_links_above_the_working_directory_are_the_machines(work: Path) -> None:
    (work / "runner-temp").mkdir()
    (work / "temp").symlink_to(work / "runner-temp", target_is_directory=True)
    code, error = _run(*COMMANDS["check --output"], str(work / "temp" / "report.txt"))
    assert code == 1, error
    assert (work / "runner-temp" / "report.txt").is_file()


def test_devices_and_named_streams_are_written_to(work: Path) -> None:
    code, error = _run(*COMMANDS["check --output"], os.devnull)
    assert code == 1, error
    assert Path(os.devnull).exists() and not Path(os.devnull).is_file()


def test_the_actions_reports_do_not_follow_links(work: Path) -> None:
    """RUNNER_TEMP is the runner's; the reports in it are written like every --output."""
    runner_temp = work / "runner"
    (runner_temp / "reachlint").mkdir(parents=True)
    victim = work / "victim.txt"
    for name in ("reachlint.sarif", "reachlint.md"):
        (runner_temp / "reachlint" / name).symlink_to(victim)
    outputs = work / "outputs.txt"
    env = {
        **os.environ,
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_EVENT_NAME": "push",
        "INPUT_PATHS": str(HEAD / "plan.json"),
    }
    env.pop("GITHUB_STEP_SUMMARY", None)
    finished = subprocess.run(
        [sys.executable, str(REPO / "action" / "run.py")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    assert "exit-code=1" in outputs.read_text(encoding="utf-8")
    assert victim.read_text(encoding="utf-8") == PRECIOUS
    assert (runner_temp / "reachlint" / "reachlint.sarif").is_file()


def test_a_large_report_is_written_whole_in_utf8(tmp_path: Path) -> None:
    from reachlint.commands.output_file import write_file

    # Pieces of a million characters: a character of two, three and four bytes and a CRLF
    # fall on their edges, and none is cut or translated.
    text = ("é" * 999_999 + "€\r\n" + "😀" * 10 + "\n") * 3
    target = tmp_path / "report.json"
    write_file(target, text)
    assert target.read_bytes() == text.encode("utf-8")
