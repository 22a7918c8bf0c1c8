"""`reachlint comment`: one pull-request comment, updated on every push, never duplicated —
against a local server that answers like the GitHub REST API."""

from __future__ import annotations

from pathlib import Path

from int_support import REPOSITORY, FakeGitHub, fake_github, github_environment
from typer.testing import CliRunner, Result

from reachlint.commands.cli import app


def _comment(env: dict[str, str | None], *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, ["comment", *args], env=env, input=stdin)


def _body(tmp_path: Path, text: str) -> str:
    path = tmp_path / "comment.md"
    path.write_text(f"<!-- reachlint -->\n{text}\n")
    return str(path)


def test_the_comment_is_posted_once_then_updated(tmp_path: Path) -> None:
    with fake_github(FakeGitHub()) as api:
        env = dict(github_environment(api.url, tmp_path))
        first = _comment(env, _body(tmp_path, "## reachlint: 2 findings"))
        second = _comment(env, _body(tmp_path, "## reachlint: no findings"))
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert len(api.comments) == 1
    assert api.comments[0]["body"] == "<!-- reachlint -->\n## reachlint: no findings\n"
    assert first.stdout.strip().endswith("/pull/7#issuecomment-1000")
    methods = [method for method, _path in api.requests]
    assert methods == ["GET", "POST", "GET", "PATCH"]
    assert api.requests[1][1] == f"/repos/{REPOSITORY}/issues/7/comments"
    assert api.requests[3][1] == f"/repos/{REPOSITORY}/issues/comments/1000"


def test_the_earlier_comment_is_found_past_the_first_page(tmp_path: Path) -> None:
    others = [{"id": n, "body": f"looks good {n}", "html_url": ""} for n in range(150)]
    mine = {
        "id": 500,
        "body": "<!-- reachlint -->\nold",
        "html_url": "https://x/500",
        "user": {"login": "github-actions[bot]"},
    }
    with fake_github(FakeGitHub(comments=[*others, mine])) as api:
        result = _comment(github_environment(api.url, tmp_path), _body(tmp_path, "new"))
    assert result.exit_code == 0
    assert [method for method, _ in api.requests] == ["GET", "GET", "PATCH"]
    assert "page=2" in api.requests[1][1]
    assert mine["body"] == "<!-- reachlint -->\nnew\n" and len(api.comments) == 151


def test_comments_with_an_id_live_side_by_side(tmp_path: Path) -> None:
    with fake_github(FakeGitHub()) as api:
        env = github_environment(api.url, tmp_path)
        _comment(env, _body(tmp_path, "network stack"))
        _comment(env, _body(tmp_path, "prod stack v1"), "--id", "prod")
        _comment(env, _body(tmp_path, "prod stack v2"), "--id", "prod")
    bodies = [comment["body"] for comment in api.comments]
    assert bodies == [
        "<!-- reachlint -->\nnetwork stack\n",
        "<!-- reachlint:prod -->\nprod stack v2\n",
    ]


def test_the_body_may_come_from_standard_input_and_gets_the_marker(tmp_path: Path) -> None:
    with fake_github(FakeGitHub()) as api:
        env = github_environment(api.url, tmp_path)
        result = _comment(env, "-", stdin="## reachlint: no findings\n")
    assert result.exit_code == 0
    assert api.comments[0]["body"] == "<!-- reachlint -->\n## reachlint: no findings\n"


def test_the_pull_request_comes_from_the_ref_or_the_option(tmp_path: Path) -> None:
    with fake_github(FakeGitHub()) as api:
        env: dict[str, str | None] = dict(github_environment(api.url, tmp_path))
        env["GITHUB_EVENT_PATH"] = None
        env["GITHUB_REF"] = "refs/pull/42/merge"
        _comment(env, _body(tmp_path, "from the ref"))
        _comment(env, _body(tmp_path, "from the option"), "--pull-request", "43")
    paths = [path for method, path in api.requests if method == "POST"]
    assert paths == [f"/repos/{REPOSITORY}/issues/{n}/comments" for n in (42, 43)]


def test_an_api_refusal_is_one_sentence(tmp_path: Path) -> None:
    with fake_github(FakeGitHub(fail_with=403)) as api:
        result = _comment(github_environment(api.url, tmp_path), _body(tmp_path, "x"))
    assert result.exit_code == 2
    assert result.stderr == (
        f"reachlint: error: GitHub answered GET {api.url}/repos/{REPOSITORY}/issues/7/comments"
        "?per_page=100&page=1 with 403 Forbidden: Resource not accessible by integration\n"
    )


def test_missing_environment_is_named(tmp_path: Path) -> None:
    env: dict[str, str | None] = dict(github_environment("http://127.0.0.1:9", tmp_path))
    env["GITHUB_TOKEN"] = None
    no_token = _comment(env, _body(tmp_path, "x"))
    assert no_token.exit_code == 2 and "GITHUB_TOKEN is not set" in no_token.stderr
    env.update(GITHUB_TOKEN="t", GITHUB_EVENT_PATH=None, GITHUB_REF="refs/heads/main")
    no_pull = _comment(env, _body(tmp_path, "x"))
    assert no_pull.exit_code == 2 and "give --pull-request NUMBER" in no_pull.stderr
    env.update(GITHUB_REF="refs/pull/1/merge", GITHUB_API_URL="http://127.0.0.1:9")
    unreachable = _comment(env, _body(tmp_path, "x"))
    assert unreachable.exit_code == 2 and "cannot reach GitHub" in unreachable.stderr
