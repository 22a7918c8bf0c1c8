"""`reachlint comment` edits only its own comment, and sends the token only to GITHUB_API_URL.

Anyone can write a comment that starts with reachlint's marker; editing it would let a
pull-request author pick which comment the report overwrites, or make theirs look like
reachlint's. urllib follows a redirect to another host with the Authorization header, so an
answer pointing elsewhere would hand the token over. Both are tried against local servers.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

from typer.testing import CliRunner, Result

from reachlint.commands.cli import app
from tests.integrations.int_support import (
    REPOSITORY,
    FakeGitHub,
    fake_github,
    github_environment,
)

LONG_TOKEN = "ghs_" + "s3cr3t" * 7


def _comment(env: dict[str, str], tmp_path: Path, *args: str) -> Result:
    body = tmp_path / "comment.md"
    body.write_text("<!-- reachlint -->\n## reachlint: no findings\n", encoding="utf-8")
    return CliRunner().invoke(app, ["comment", str(body), *args], env=env)


def _theirs(
    identifier: int, login: str, body: str = "<!-- reachlint -->\nall clear"
) -> dict[str, Any]:
    return {"id": identifier, "body": body, "html_url": "u", "user": {"login": login}}


def test_a_comment_someone_else_wrote_with_the_marker_is_left_alone(tmp_path: Path) -> None:
    planted = _theirs(1, "mallory")
    quoted = _theirs(2, "github-actions[bot]", "I saw this: <!-- reachlint --> earlier")
    with fake_github(FakeGitHub(comments=[planted, quoted])) as api:
        result = _comment(github_environment(api.url, tmp_path), tmp_path)
    assert result.exit_code == 0, result.output
    assert [method for method, _ in api.requests] == ["GET", "POST"]
    assert planted["body"] == "<!-- reachlint -->\nall clear"
    assert quoted["body"] == "I saw this: <!-- reachlint --> earlier"
    assert api.comments[-1]["user"]["login"] == "github-actions[bot]"


def test_its_own_comment_is_edited(tmp_path: Path) -> None:
    ours = _theirs(3, "GitHub-Actions[bot]")  # logins ignore case
    with fake_github(FakeGitHub(comments=[_theirs(1, "mallory"), ours])) as api:
        result = _comment(github_environment(api.url, tmp_path), tmp_path)
    assert result.exit_code == 0, result.output
    assert api.requests[-1] == ("PATCH", f"/repos/{REPOSITORY}/issues/comments/3")
    assert ours["body"].endswith("## reachlint: no findings\n")


def test_another_identity_is_named_with_an_option(tmp_path: Path) -> None:
    app_comment = _theirs(4, "network-bot[bot]")
    actions_comment = _theirs(5, "github-actions[bot]")
    with fake_github(
        FakeGitHub(comments=[actions_comment, app_comment], login="network-bot[bot]")
    ) as api:
        env = github_environment(api.url, tmp_path)
        result = _comment(env, tmp_path, "--comment-author", "network-bot[bot]")
    assert result.exit_code == 0, result.output
    assert api.requests[-1] == ("PATCH", f"/repos/{REPOSITORY}/issues/comments/4")
    assert actions_comment["body"] == "<!-- reachlint -->\nall clear"


class _Recorder(BaseHTTPRequestHandler):
    """Another host: records what reaches it."""

    seen: ClassVar[list[tuple[str, str]]] = []

    def _serve(self) -> None:
        type(self).seen.append((self.path, self.headers.get("Authorization", "")))
        payload = b"[]"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = _serve

    def log_message(self, format: str, *args: object) -> None:
        return


@contextmanager
def _server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _redirecting_to(target: str, status: int = 302) -> type[BaseHTTPRequestHandler]:
    class Redirect(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            self.send_response(status)
            self.send_header("Location", f"{target}{self.path}")
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = do_PATCH = _serve

        def log_message(self, format: str, *args: object) -> None:
            return

    return Redirect


def test_a_redirect_to_another_host_or_port_gets_no_token(tmp_path: Path) -> None:
    _Recorder.seen = []
    for status in (301, 302, 307, 308):
        with _server(_Recorder) as elsewhere:
            for other in (elsewhere, elsewhere.replace("127.0.0.1", "localhost")):
                with _server(_redirecting_to(other, status)) as api:
                    env = github_environment(api, tmp_path)
                    env["GITHUB_TOKEN"] = LONG_TOKEN
                    result = _comment(env, tmp_path)
                assert result.exit_code == 2
                assert "a redirect to" in result.stderr and "follows no redirect" in result.stderr
                assert LONG_TOKEN not in result.output
    assert _Recorder.seen == []  # nothing reached the other host, with or without the token


def test_the_api_address_must_be_https(tmp_path: Path) -> None:
    env = github_environment("http://api.github.example", tmp_path)
    result = _comment(env, tmp_path)
    assert result.exit_code == 2 and "GITHUB_API_URL must be an https address" in result.stderr
    env = github_environment("https://user:pass@api.github.example", tmp_path)
    assert _comment(env, tmp_path).exit_code == 2


def test_an_echoed_token_is_not_printed(tmp_path: Path) -> None:
    class Echo(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            payload = f'{{"message": "bad {self.headers.get("Authorization")}"}}'.encode()
            self.send_response(401)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            return

    with _server(Echo) as api:
        env = github_environment(api, tmp_path)
        env["GITHUB_TOKEN"] = LONG_TOKEN
        result = _comment(env, tmp_path)
    assert result.exit_code == 2 and "401" in result.stderr
    assert LONG_TOKEN not in result.output and "Bearer ***" in result.stderr
