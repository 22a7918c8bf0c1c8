"""The GitHub Action: action.yml wires its inputs to action/run.py, which writes the SARIF, posts
the comment, annotates, fills the job summary and hands the exit status to the last step."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml
from int_support import DIFF, REPO, FakeGitHub, fake_github, github_environment, sarif_errors

ACTION = yaml.safe_load((REPO / "action.yml").read_text())
SCRIPT = REPO / "action" / "run.py"


def _run_action(tmp_path: Path, api: FakeGitHub, **inputs: str) -> tuple[dict[str, str], str]:
    outputs, summary = tmp_path / "outputs.txt", tmp_path / "summary.md"
    env = {
        **os.environ,
        **github_environment(api.url, tmp_path),
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_STEP_SUMMARY": str(summary),
        "RUNNER_TEMP": str(tmp_path),
        "INPUT_COMMENT": "true",
        **{f"INPUT_{name.upper()}": value for name, value in inputs.items()},
    }
    finished = subprocess.run(
        [sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, check=False
    )
    assert finished.returncode == 0, finished.stderr
    pairs = (line.split("=", 1) for line in outputs.read_text().splitlines())
    return dict(pairs), finished.stdout


def test_the_action_reports_everywhere_and_defers_the_exit_status(tmp_path: Path) -> None:
    with fake_github(FakeGitHub()) as api:
        outputs, stdout = _run_action(tmp_path, api, paths=str(DIFF / "head"), fail_on="low")
    assert outputs["exit-code"] == "1"
    sarif = json.loads(Path(outputs["sarif"]).read_text())
    assert sarif_errors(sarif) == [] and len(sarif["runs"][0]["results"]) == 2
    assert re.search(r"^::error file=\S+/head/main\.tf,line=46,", stdout, re.MULTILINE)
    (comment,) = api.comments
    assert comment["body"].startswith("<!-- reachlint -->\n## reachlint: 2 findings")
    assert "```mermaid" in (tmp_path / "summary.md").read_text()


def test_with_a_base_the_action_judges_only_what_the_change_opens(tmp_path: Path) -> None:
    existing = {
        "id": 1,
        "body": "<!-- reachlint -->\nyesterday",
        "html_url": "u",
        "user": {"login": "github-actions[bot]"},
    }
    with fake_github(FakeGitHub(comments=[existing])) as api:
        outputs, _ = _run_action(
            tmp_path,
            api,
            paths=str(DIFF / "head"),
            base=str(DIFF / "base"),
            fail_on="high",
        )
    assert outputs["exit-code"] == "0"  # the exporter breaks a medium rule only
    assert len(api.comments) == 1 and "## reachlint: 1 finding" in existing["body"]


def test_bad_input_stops_before_the_comment_with_status_2(tmp_path: Path) -> None:
    with fake_github(FakeGitHub()) as api:
        outputs, _ = _run_action(tmp_path, api, paths=str(tmp_path / "missing.json"))
    assert outputs == {"exit-code": "2"}
    assert api.requests == []


def test_action_yml_passes_every_input_to_the_script() -> None:
    steps = ACTION["runs"]["steps"]
    check = next(step for step in steps if step.get("id") == "check")
    assert '"$GITHUB_ACTION_PATH/action/run.py"' in check["run"]
    passed = " ".join(str(value) for value in check["env"].values())
    for name in ("paths", "rules", "fail-on", "base", "baseline", "args", "comment", "comment-id"):
        assert f"inputs.{name}" in passed, name
    upload = next(step for step in steps if "upload-sarif" in str(step.get("uses")))
    assert upload["with"]["sarif_file"] == "${{ steps.check.outputs.sarif }}"
    assert "always()" in upload["if"]
    last = steps[-1]
    assert "exit" in last["run"] and "steps.check.outputs.exit-code" in last["env"]["EXIT_CODE"]
    assert ACTION["runs"]["using"] == "composite"
