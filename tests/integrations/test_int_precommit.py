"""The hooks in .pre-commit-hooks.yaml, run by real `pre-commit try-repo` against this repository
in a temporary git repository: a clean stack passes, an exposed one fails and says why."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from int_support import DIFF, FIXTURES, REPO

CLEAN = FIXTURES / "aws" / "facts" / "eip-gives-public"


def _stack(source: Path, target: Path) -> None:
    target.mkdir(parents=True)
    for name in ("main.tf", "providers.tf", "plan.json"):
        shutil.copy(source / name, target / name)


@pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")
def test_pre_commit_try_repo_passes_clean_stacks_and_fails_exposed_ones(tmp_path: Path) -> None:
    work = tmp_path / "work"
    _stack(CLEAN, work / "clean")
    _stack(DIFF / "head", work / "exposed")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "GIT_AUTHOR_NAME": "reachlint",
        "GIT_AUTHOR_EMAIL": "reachlint@example.com",
        "GIT_COMMITTER_NAME": "reachlint",
        "GIT_COMMITTER_EMAIL": "reachlint@example.com",
        "NO_COLOR": "1",
    }
    for command in (["git", "init", "--quiet"], ["git", "add", "."]):
        subprocess.run(command, cwd=work, env=env, check=True)

    def try_repo(*files: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "--files", *files]
        return subprocess.run(
            command, cwd=work, env=env, capture_output=True, text=True, check=False, timeout=900
        )

    clean = try_repo("clean/main.tf", "clean/plan.json")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "reachlint (Terraform directories)" in clean.stdout
    assert "reachlint (Terraform plans)" in clean.stdout

    exposed = try_repo("exposed/main.tf", "exposed/plan.json", "clean/plan.json")
    assert exposed.returncode == 1, exposed.stdout + exposed.stderr
    assert exposed.stdout.count("Failed") == 2  # the directory hook and the plan hook
    assert exposed.stdout.count("INTERNET-NON-WEB-PORTS [medium]") == 2
    assert "exposed/main.tf:66" in exposed.stdout  # the line that opens the exporter
