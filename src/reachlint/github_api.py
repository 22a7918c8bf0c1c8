"""Posting the report as one pull-request comment, updated on every push (GitHub REST API).

The comment carries a hidden marker; the comment that has it is edited, so a pull request
keeps one reachlint comment however often it is checked. The token, the repository and the
pull request come from the variables GitHub Actions sets: GITHUB_TOKEN, GITHUB_REPOSITORY,
GITHUB_EVENT_PATH (or GITHUB_REF) and GITHUB_API_URL.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

from reachlint.errors import InputError

DEFAULT_API = "https://api.github.com"
PAGE_SIZE = 100
TIMEOUT_SECONDS = 30
MAX_BODY = 65_536  # GitHub refuses longer comments
_PULL_REF = re.compile(r"^refs/pull/(\d+)/")
_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


def marker(comment_id: str = "") -> str:
    """The hidden line that tells this comment from every other one."""
    return f"<!-- reachlint:{comment_id} -->" if comment_id else "<!-- reachlint -->"


@dataclass(frozen=True)
class Target:
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
    return Target(api=api, repository=repository, pull_request=number, token=token)


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


def post_comment_file(path: Path, *, pull_request: int | None, comment_id: str) -> str:
    """Post the comment in `path` ('-' for standard input); returns the comment's URL."""
    if str(path) == "-":
        body = sys.stdin.read()
    else:
        try:
            body = path.read_text(encoding="utf-8")
        except OSError as error:
            raise InputError(f"cannot read the comment: {error.strerror}", file=str(path)) from None
    target = target_from_environment(os.environ, pull_request)
    return upsert_comment(target, body, comment_id)


def upsert_comment(target: Target, body: str, comment_id: str = "") -> str:
    """Edit the comment that carries the marker, or post a new one; returns its URL."""
    tag = marker(comment_id)
    body = body.replace(marker(), tag) if comment_id else body
    if tag not in body:
        body = f"{tag}\n{body}"
    if len(body) > MAX_BODY:
        raise InputError(f"the comment is {len(body)} characters; GitHub takes at most {MAX_BODY}")
    base = f"{target.api}/repos/{target.repository}"
    existing = _find_comment(target, base, tag)
    if existing is None:
        url = f"{base}/issues/{target.pull_request}/comments"
        answer = _call(target, "POST", url, {"body": body})
    else:
        answer = _call(target, "PATCH", f"{base}/issues/comments/{existing}", {"body": body})
    link = answer.get("html_url") if isinstance(answer, dict) else None
    return str(link or "")


def _find_comment(target: Target, base: str, tag: str) -> int | None:
    page = 1
    while True:
        url = f"{base}/issues/{target.pull_request}/comments?per_page={PAGE_SIZE}&page={page}"
        comments = _call(target, "GET", url)
        if not isinstance(comments, list):
            raise InputError(f"GitHub answered GET {url} with something other than a list")
        for comment in comments:
            if isinstance(comment, dict) and tag in str(comment.get("body") or ""):
                identifier = comment.get("id")
                if isinstance(identifier, int):
                    return identifier
        if len(comments) < PAGE_SIZE:
            return None
        page += 1


def _call(target: Target, method: str, url: str, payload: dict[str, Any] | None = None) -> Any:
    data = json.dumps(payload).encode("utf-8") if payload is not None else None
    request = Request(url, data=data, method=method)
    request.add_header("Accept", "application/vnd.github+json")
    request.add_header("Authorization", f"Bearer {target.token}")
    request.add_header("X-GitHub-Api-Version", "2022-11-28")
    request.add_header("User-Agent", "reachlint")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urlopen(request, timeout=TIMEOUT_SECONDS) as response:
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
