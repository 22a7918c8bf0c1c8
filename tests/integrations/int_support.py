"""What the integration tests share: fixtures, reports with file and line, a SARIF validator and
a local server that answers like the GitHub REST API."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jsonschema
import msgspec

from reachlint.reports.schema import Report, RuleInfo, Summary, Tool
from reachlint.rules.findings import EndRef, Finding, HopRef, TrafficEntry

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
FIXTURES = REPO / "fixtures"
DIFF = FIXTURES / "aws" / "diff-monitoring"
TOKEN = "test-token"
REPOSITORY = "acme/network"

INTERNET = EndRef(address="internet", kind="internet")
MONITORING = EndRef(address="aws_instance.monitoring", kind="instance", file="main.tf", line=90)


@cache
def sarif_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((HERE / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def sarif_errors(document: object) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in sarif_validator().iter_errors(document)
    ]


def path_hops(shift: int = 0) -> list[HopRef]:
    """An internet path: gateway, route, ACL entry, then the security-group rule that opens it."""
    return [
        HopRef(
            address="aws_internet_gateway.main",
            kind="internet-gateway",
            detail="admits internet traffic",
            file="main.tf",
            line=9 + shift,
        ),
        HopRef(address="aws_route_table.public", kind="route", detail="0.0.0.0/0 to the IGW"),
        HopRef(
            address="aws_network_acl.public",
            kind="network-acl-entry",
            detail="rule 100 allows all from 0.0.0.0/0",
            file="network.tf",
            line=30 + shift,
        ),
        HopRef(
            address="aws_security_group_rule.exporter[0]",
            kind="security-group-rule",
            detail="allows tcp 9100 from 0.0.0.0/0",
            file="security.tf",
            line=66 + shift,
        ),
    ]


def finding(
    rule: str = "EXPORTER-PRIVATE",
    severity: str = "high",
    ports: tuple[int, int] = (9100, 9100),
    destination: EndRef = MONITORING,
    path: list[HopRef] | None = None,
    **extra: object,
) -> Finding:
    return msgspec.convert(
        {
            "rule": rule,
            "severity": severity,
            "title": "The exporter is reachable only from inside",
            "message": f"internet reaches {destination.address} on tcp {ports[0]}",
            "from": INTERNET,
            "to": destination,
            "traffic": [TrafficEntry(protocol="tcp", ports=[ports])],
            "path": path_hops() if path is None else path,
            **extra,
        },
        Finding,
    )


def report(findings: list[Finding], **extra: Any) -> Report:
    """A report as the pipeline makes it, with rule descriptions for the rules named."""
    active = [item for item in findings if item.suppressed is None]
    by_severity: dict[str, int] = {}
    for severity in ("critical", "high", "medium", "low"):
        count = sum(1 for item in active if item.severity == severity)
        if count:
            by_severity[severity] = count
    rules: dict[str, RuleInfo] = {}
    for item in findings:
        rules.setdefault(
            item.rule,
            RuleInfo(
                id=item.rule,
                title=item.title,
                severity=item.severity,
                description="Why it matters.",
                help=f"# {item.rule}\n\nWhat, why and how to fix.\n",
            ),
        )
    return Report(
        tool=Tool(version="0.1.0"),
        inputs=["plan.json"],
        findings=findings,
        summary=Summary(
            findings=len(active),
            by_severity=by_severity,
            rules=len(rules),
            endpoints=2,
            suppressed=len(findings) - len(active) or None,
        ),
        rules=list(rules.values()),
        **extra,
    )


@dataclass
class FakeGitHub:
    """Issue comments of one pull request, served like api.github.com serves them."""

    comments: list[dict[str, Any]] = field(default_factory=list)
    fail_with: int | None = None
    requests: list[tuple[str, str]] = field(default_factory=list)
    url: str = ""
    login: str = "github-actions[bot]"  # who the token posts as

    def answer(self, method: str, path: str, body: bytes, token: str) -> tuple[int, object]:
        self.requests.append((method, path))
        if token != f"Bearer {TOKEN}":
            return 401, {"message": "Bad credentials"}
        if self.fail_with is not None:
            return self.fail_with, {"message": "Resource not accessible by integration"}
        listing = re.fullmatch(rf"/repos/{REPOSITORY}/issues/(\d+)/comments(\?.*)?", path)
        single = re.fullmatch(rf"/repos/{REPOSITORY}/issues/comments/(\d+)", path)
        if listing and method == "GET":
            query = dict(
                part.split("=") for part in (listing.group(2) or "?").lstrip("?").split("&") if part
            )
            size, page = int(query.get("per_page", 30)), int(query.get("page", 1))
            number = int(listing.group(1))
            on_issue = [c for c in self.comments if c.get("issue", number) == number]
            return 200, on_issue[(page - 1) * size : page * size]
        if listing and method == "POST":
            identifier = 1000 + len(self.comments)
            comment = {
                "issue": int(listing.group(1)),
                "id": identifier,
                "body": json.loads(body)["body"],
                "user": {"login": self.login, "type": "Bot"},
                "html_url": f"https://github.example/{REPOSITORY}/pull/{listing.group(1)}#issuecomment-{identifier}",
            }
            self.comments.append(comment)
            return 201, comment
        if single and method == "PATCH":
            for comment in self.comments:
                if comment["id"] == int(single.group(1)):
                    comment["body"] = json.loads(body)["body"]
                    return 200, comment
        return 404, {"message": "Not Found"}


@contextmanager
def fake_github(api: FakeGitHub) -> Iterator[FakeGitHub]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, document = api.answer(
                self.command, self.path, body, self.headers.get("Authorization", "")
            )
            payload = json.dumps(document).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PATCH = _serve

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def github_environment(api_url: str, tmp: Path, number: int = 7) -> dict[str, str]:
    """The variables a pull_request run of GitHub Actions sets."""
    event = tmp / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": number}}), encoding="utf-8")
    return {
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_REPOSITORY": REPOSITORY,
        "GITHUB_API_URL": api_url,
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_EVENT_NAME": "pull_request",
    }
