"""The GitHub Action's check step (action/run.py) on a pull request that weakens its own rules
and baseline: with `rules-from-base` / `baseline-from-base` the base commit's copies judge it;
without, and with `base`, reachlint reports what the pull request's copies suppress."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "action" / "run.py"
HEAD = REPO / "fixtures" / "aws" / "suppress-scope" / "head"

BASE_RULES = "version: 1\n"
HEAD_RULES = "version: 1\ndisable: [INTERNET-NON-WEB-PORTS]\n"
EMPTY_BASELINE = '{"version": 1, "findings": []}\n'
# Accepts the finding the infrastructure has: the API on tcp 8080 from the internet.
HEAD_BASELINE = json.dumps(
    {
        "version": 1,
        "findings": [
            {
                "rule": "INTERNET-NON-WEB-PORTS",
                "from": "internet",
                "to": "aws_instance.main",
                "traffic": [{"protocol": "tcp", "ports": [[8080, 8080]]}],
            }
        ],
    },
    indent=2,
)


def _git(repo: Path, *arguments: str) -> str:
    environment = {
        **os.environ,
        "GIT_AUTHOR_NAME": "dev",
        "GIT_AUTHOR_EMAIL": "dev@example.com",
        "GIT_COMMITTER_NAME": "dev",
        "GIT_COMMITTER_EMAIL": "dev@example.com",
    }
    done = subprocess.run(
        ["git", "-C", str(repo), *arguments], env=environment, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _repository(tmp_path: Path, base_files: dict[str, str]) -> tuple[Path, str]:
    """A checkout of the pull request: the base commit, then the head commit, which changes
    the rules and the baseline but not the infrastructure."""
    repo = tmp_path / "repo"
    shutil.copytree(HEAD, repo / "infra", ignore=shutil.ignore_patterns("plan.json"))
    _git(tmp_path, "init", "-q", "-b", "main", str(repo))
    for name, text in base_files.items():
        if text.startswith("-> "):
            (repo / name).symlink_to(text[3:])
        else:
            (repo / name).write_text(text)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    base = _git(repo, "rev-parse", "HEAD")
    for name in base_files:
        (repo / name).unlink()
    (repo / "reachlint.yaml").write_text(HEAD_RULES)
    (repo / "baseline.json").write_text(HEAD_BASELINE)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "the pull request")
    return repo, base


def _run(repo: Path, commit: str | None, **inputs: str) -> tuple[dict[str, str], str]:
    runner = repo.parent / "runner"
    runner.mkdir(exist_ok=True)
    outputs = runner / "outputs.txt"
    outputs.write_text("")
    environment = {
        **os.environ,
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_STEP_SUMMARY": str(runner / "summary.md"),
        "RUNNER_TEMP": str(runner),
        "INPUT_PATHS": "infra",
        "INPUT_COMMENT": "false",
        **{f"INPUT_{name.upper()}": value for name, value in inputs.items()},
    }
    environment.pop("GITHUB_EVENT_PATH", None)
    if commit is not None:
        event = runner / "event.json"
        event.write_text(json.dumps({"pull_request": {"number": 7, "base": {"sha": commit}}}))
        environment.update(GITHUB_EVENT_PATH=str(event), GITHUB_EVENT_NAME="pull_request")
    finished = subprocess.run(
        [sys.executable, str(SCRIPT)], cwd=repo, env=environment, capture_output=True, text=True
    )
    assert finished.returncode == 0, finished.stderr
    pairs = (line.split("=", 1) for line in outputs.read_text().splitlines())
    return dict(pairs), finished.stdout


BASE = {"reachlint.yaml": BASE_RULES, "baseline.json": EMPTY_BASELINE}


@pytest.mark.parametrize(("from_base", "status"), [("true", "1"), ("false", "0")])
def test_the_base_commits_rules_and_baseline_judge_the_pull_request(
    tmp_path: Path, from_base: str, status: str
) -> None:
    """The pull request switches INTERNET-NON-WEB-PORTS off and accepts its finding on tcp 8080
    in the baseline: read from the base commit, neither holds and the finding fails the check."""
    repo, base = _repository(tmp_path, BASE)
    outputs, _ = _run(
        repo,
        base,
        rules="reachlint.yaml",
        baseline="baseline.json",
        rules_from_base=from_base,
        baseline_from_base=from_base,
        fail_on="medium",
    )
    assert outputs["exit-code"] == status


def test_with_a_base_the_rules_and_baseline_the_pull_request_changes_are_reported(
    tmp_path: Path,
) -> None:
    repo, base = _repository(tmp_path, BASE)
    _git(repo, "worktree", "add", "-q", str(tmp_path / "base"), base)
    outputs, _ = _run(
        repo,
        base,
        rules="reachlint.yaml",
        baseline="baseline.json",
        base=str(tmp_path / "base" / "infra"),
        fail_on="low",
    )
    assert outputs["exit-code"] == "1"
    results = json.loads(Path(outputs["sarif"]).read_text())["runs"][0]["results"]
    added = sorted(
        (
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            result["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for result in results
        if result["ruleId"] == "NEW-SUPPRESSION"
    )
    assert added == [("baseline.json", 4), ("reachlint.yaml", 2)]


def test_a_rules_file_that_is_a_link_in_the_base_is_refused(tmp_path: Path) -> None:
    repo, base = _repository(tmp_path, {"reachlint.yaml": "-> /etc/passwd"})
    outputs, stdout = _run(repo, base, rules="reachlint.yaml", rules_from_base="true")
    assert outputs == {"exit-code": "2"}
    assert "::error title=reachlint::reachlint.yaml is a symbolic link in the base commit" in stdout


def test_a_base_commit_that_cannot_be_had_is_an_error(tmp_path: Path) -> None:
    repo, _ = _repository(tmp_path, BASE)
    outputs, stdout = _run(repo, "0" * 40, rules="reachlint.yaml", rules_from_base="true")
    assert outputs == {"exit-code": "2"}
    assert "could not be fetched" in stdout


def _base_files_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("base_files", REPO / "action" / "base_files.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("event", "commit"),
    [
        (None, None),  # not a workflow run of a pull request: the checkout is read
        ({"pull_request": {"base": {"sha": "a" * 40}}}, "a" * 40),
        ({"pull_request": {"base": {"sha": "--upload-pack=touch /tmp/x"}}}, None),
        ({"pull_request": {"base": {"sha": ["a" * 40]}}}, None),
        ("not json", None),
    ],
)
def test_only_a_commit_id_from_the_event_is_used(
    tmp_path: Path, event: object, commit: str | None
) -> None:
    environ = {}
    if event is not None:
        path = tmp_path / "event.json"
        path.write_text(event if isinstance(event, str) else json.dumps(event))
        environ["GITHUB_EVENT_PATH"] = str(path)
    assert _base_files_module().base_commit(environ) == commit


def test_action_yml_passes_both_inputs_to_the_script() -> None:
    import yaml

    action = yaml.safe_load((REPO / "action.yml").read_text())
    check = next(step for step in action["runs"]["steps"] if step.get("id") == "check")
    for name in ("rules-from-base", "baseline-from-base"):
        assert action["inputs"][name]["default"] == "false"
        variable = f"INPUT_{name.upper().replace('-', '_')}"
        assert check["env"][variable] == f"${{{{ inputs.{name} }}}}"
