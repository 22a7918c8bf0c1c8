"""Posting the report as one pull-request comment, updated on every push (GitHub REST API).

The comment starts with a hidden marker; the comment that starts with it AND was written by the
identity posting now (`github-actions[bot]` for the token GitHub Actions gives a workflow,
`--comment-author` for another) is edited, so a pull request keeps one reachlint comment however
often it is checked, and a comment someone else wrote with the marker is left alone (a new one
is posted). The token, the repository and the pull request come from the variables GitHub
Actions sets: GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_EVENT_PATH (or GITHUB_REF) and
GITHUB_API_URL.

The token goes only to GITHUB_API_URL's scheme, host and port (https; plain http only to this
machine, for tests): a redirect elsewhere is refused, not followed with the token, and no error
message shows the token.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import HTTPRedirectHandler, Request, build_opener

from msgspec import Struct

from reachlint.errors import InputError

if TYPE_CHECKING:
    from http.client import HTTPMessage

DEFAULT_API = "https://api.github.com"
PAGE_SIZE = 100
TIMEOUT_SECONDS = 30
MAX_BODY = 65_536  # GitHub refuses longer comments
ACTIONS_AUTHOR = "github-actions[bot]"  # who writes with the token Actions gives a workflow
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_PULL_REF = re.compile(r"^refs/pull/(\d+)/")
_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


def marker(comment_id: str = "") -> str:
    """The hidden line that tells this comment from every other one."""
    return f"<!-- reachlint:{comment_id} -->" if comment_id else "<!-- reachlint -->"


class Target(Struct, frozen=True):
    api: str
    repository: str
    pull_request: int
    token: str


def target_from_environment(environ: Mapping[str, str], pull_request: int | None = None) -> Target:
    """Where to post, from the GitHub Actions environment; InputError says what is missing."""
    token = environ.get("GITHUB_TOKEN", "")
    if not token:
        raise InputError(
            "GITHUB_TOKEN is not set; in a workflow pass it with "
            "`env: {GITHUB_TOKEN: ${{ github.token }}}` and `permissions: pull-requests: write`"
        )
    repository = environ.get("GITHUB_REPOSITORY", "")
    if not _REPOSITORY.match(repository):
        raise InputError("GITHUB_REPOSITORY is not set to OWNER/NAME")
    number = pull_request if pull_request is not None else _pull_request_number(environ)
    api = (environ.get("GITHUB_API_URL") or DEFAULT_API).rstrip("/")
    _check_api(api)
    return Target(api=api, repository=repository, pull_request=number, token=token)


def _check_api(api: str) -> None:
    """The token is sent here: https, or http to this machine only; no user or password."""
    parts = urlsplit(api)
    local = parts.scheme == "http" and (parts.hostname or "") in _LOCAL_HOSTS
    if not (parts.scheme == "https" or local) or not parts.hostname or "@" in parts.netloc:
        raise InputError(
            "GITHUB_API_URL must be an https address (http only to localhost), such as "
            f"{DEFAULT_API}; the token is sent there"
        )


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


def _pull_request_number(environ: Mapping[str, str]) -> int:
    event_path = environ.get("GITHUB_EVENT_PATH")
    if event_path:
        try:
            event = json.loads(Path(event_path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            event = None
        if isinstance(event, dict):
            pull = event.get("pull_request")
            number = pull.get("number") if isinstance(pull, dict) else None
            if number is None and isinstance(event.get("issue"), dict):
                issue = event["issue"]
                number = issue.get("number") if "pull_request" in issue else None
            if isinstance(number, int):
                return number
    match = _PULL_REF.match(environ.get("GITHUB_REF", ""))
    if match:
        return int(match.group(1))
    raise InputError(
        "this run is not about a pull request (no pull request in GITHUB_EVENT_PATH or "
        "GITHUB_REF); give --pull-request NUMBER"
    )


def post_comment_file(
    path: Path, *, pull_request: int | None, comment_id: str, author: str = ACTIONS_AUTHOR
) -> str:
    """Post the comment in `path` ('-' for standard input); returns the comment's URL."""
    if str(path) == "-":
        body = sys.stdin.read()
    else:
        try:
            body = path.read_text(encoding="utf-8")
        except OSError as error:
            raise InputError(f"cannot read the comment: {error.strerror}", file=str(path)) from None
    target = target_from_environment(os.environ, pull_request)
    return upsert_comment(target, body, comment_id, author)


def upsert_comment(
    target: Target, body: str, comment_id: str = "", author: str = ACTIONS_AUTHOR
) -> str:
    """Edit the comment `author` wrote that starts with the marker, or post a new one;
    returns its URL."""
    tag = marker(comment_id)
    body = body.replace(marker(), tag) if comment_id else body
    if not body.startswith(tag):
        body = f"{tag}\n{body}"
    if len(body) > MAX_BODY:
        raise InputError(f"the comment is {len(body)} characters; GitHub takes at most {MAX_BODY}")
    base = f"{target.api}/repos/{target.repository}"
    existing = _find_comment(target, base, tag, author)
    if existing is None:
        url = f"{base}/issues/{target.pull_request}/comments"
        answer = _call(target, "POST", url, {"body": body})
    else:
        answer = _call(target, "PATCH", f"{base}/issues/comments/{existing}", {"body": body})
    link = answer.get("html_url") if isinstance(answer, dict) else None
    return str(link or "")


def _find_comment(target: Target, base: str, tag: str, author: str) -> int | None:
    page = 1
    while True:
        url = f"{base}/issues/{target.pull_request}/comments?per_page={PAGE_SIZE}&page={page}"
        comments = _call(target, "GET", url)
        if not isinstance(comments, list):
            raise InputError(f"GitHub answered GET {url} with something other than a list")
        for comment in comments:
            if isinstance(comment, dict) and _ours(comment, tag, author):
                identifier = comment.get("id")
                if isinstance(identifier, int):
                    return identifier
        if len(comments) < PAGE_SIZE:
            return None
        page += 1


def _ours(comment: dict[str, Any], tag: str, author: str) -> bool:
    """Written by `author` (GitHub logins ignore case) and starting with the marker."""
    user = comment.get("user")
    login = user.get("login") if isinstance(user, dict) else None
    if not isinstance(login, str) or login.casefold() != author.casefold():
        return False
    return str(comment.get("body") or "").lstrip().startswith(tag)


class _SameOrigin(HTTPRedirectHandler):
    """Follows a redirect of a GET on the API's own scheme, host and port; refuses any other
    (urllib would send the Authorization header to wherever the answer points)."""

    def __init__(self, method: str, url: str) -> None:
        self.method, self.url = method, url

    def redirect_request(
        self,
        req: Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> Request | None:
        if self.method != "GET" or _origin(newurl) != _origin(self.url):
            _scheme, host, port = _origin(newurl)
            raise InputError(
                f"GitHub answered {self.method} {self.url} with {code}, a redirect to "
                f"{host}:{port}; reachlint sends the token only to GITHUB_API_URL and follows "
                "no redirect elsewhere"
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _call(target: Target, method: str, url: str, payload: dict[str, Any] | None = None) -> Any:
    try:
        return _request(target, method, url, payload)
    except InputError as error:
        # Whatever answered may echo the token; a real one is 40 characters or more, a few
        # letters (tests) would blot out the whole sentence.
        if len(target.token) >= 8 and target.token in error.message:
            error.message = error.message.replace(target.token, "***")
            error.args = (error.render(),)
        raise


def _request(target: Target, method: str, url: str, payload: dict[str, Any] | None) -> Any:
    data = json.dumps(payload).encode("utf-8") if payload is not None else None
    request = Request(url, data=data, method=method)
    request.add_header("Accept", "application/vnd.github+json")
    request.add_header("Authorization", f"Bearer {target.token}")
    request.add_header("X-GitHub-Api-Version", "2022-11-28")
    request.add_header("User-Agent", "reachlint")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    opener = build_opener(_SameOrigin(method, url))
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            text = response.read().decode("utf-8")
    except HTTPError as error:
        detail = _error_message(error)
        raise InputError(
            f"GitHub answered {method} {url} with {error.code} {error.reason}{detail}"
        ) from None
    except (URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise InputError(f"cannot reach GitHub at {url}: {reason}") from None
    try:
        return json.loads(text) if text else None
    except ValueError:
        raise InputError(f"GitHub answered {method} {url} with something other than JSON") from None


def _error_message(error: HTTPError) -> str:
    try:
        document = json.loads(error.read().decode("utf-8"))
    except (ValueError, OSError):
        return ""
    message = document.get("message") if isinstance(document, dict) else None
    return f": {message}" if message else ""
