"""pre-commit appends the changed files' names to the hook's arguments, and a commit can name a
file `--output=main.tf`: the hook must take it for a file, never for one of `check`'s options
(before, `--create-baseline=decoy.tf` made the hook pass and write that file, and
`--output=main.tf` overwrote main.tf with the report)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reachlint.commands.integrations.precommit import main

REPO = Path(__file__).resolve().parents[2]
EXPOSED = REPO / "fixtures" / "aws" / "diff-monitoring" / "head"  # SSH and tcp 9100 open
DECOY = "--create-baseline=decoy.tf"
OVERWRITE = "--output=main.tf"


def _stack(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("main.tf", "providers.tf", "plan.json"):
        shutil.copy(EXPOSED / name, folder / name)
    for name in (DECOY, OVERWRITE):  # valid Terraform: a comment
        (folder / name).write_text("# nothing to see here\n", encoding="utf-8")
    return folder


@pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")
def test_pre_commit_try_repo_takes_leading_dash_names_for_files(tmp_path: Path) -> None:
    work = _stack(tmp_path / "work")
    original = (work / "main.tf").read_text(encoding="utf-8")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "GIT_AUTHOR_NAME": "reachlint",
        "GIT_AUTHOR_EMAIL": "reachlint@example.com",
        "GIT_COMMITTER_NAME": "reachlint",
        "GIT_COMMITTER_EMAIL": "reachlint@example.com",
        "NO_COLOR": "1",
    }
    for command in (["git", "init", "--quiet"], ["git", "add", "--", "."]):
        subprocess.run(command, cwd=work, env=env, check=True)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "try-repo",
            str(REPO),
            "reachlint-terraform",
            "--all-files",  # pre-commit lists the committed files, the hostile names first
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output  # the exposed stack fails the hook
    assert "INTERNET-ADMIN-PORTS [critical]" in output
    assert not (work / "decoy.tf").exists()
    assert (work / "main.tf").read_text(encoding="utf-8") == original


def test_without_a_separator_every_argument_is_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(_stack(tmp_path / "stack"))
    original = Path("main.tf").read_text(encoding="utf-8")
    assert main(["terraform", DECOY, OVERWRITE, "main.tf"]) == 1
    assert not Path("decoy.tf").exists()
    assert Path("main.tf").read_text(encoding="utf-8") == original
    assert "INTERNET-ADMIN-PORTS" in capsys.readouterr().out


def test_options_end_with_a_separator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(_stack(tmp_path / "stack"))
    # The user's options apply; the files after `--` stay files, however they are named.
    assert main(["terraform", "--fail-on", "never", "--", DECOY, OVERWRITE, "main.tf"]) == 0
    assert not Path("decoy.tf").exists()
    assert main(["terraform", "--fail-on", "critical", "--", OVERWRITE]) == 1
    assert "INTERNET-ADMIN-PORTS" in capsys.readouterr().out


def test_options_given_the_old_way_are_refused_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(_stack(tmp_path / "stack"))
    assert main(["terraform", "--fail-on", "never", "main.tf"]) == 2
    error = capsys.readouterr().err
    assert "--fail-on is not a file" in error and "`--`" in error


def test_a_plan_named_like_an_option_is_checked_as_a_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(EXPOSED / "plan.json", tmp_path / "--output=plan.json")
    assert main(["plan", "--output=plan.json"]) == 1
    assert "INTERNET-ADMIN-PORTS" in capsys.readouterr().out
    assert [path.name for path in tmp_path.iterdir()] == ["--output=plan.json"]
