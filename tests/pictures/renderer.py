"""Mermaid diagrams drawn by the real mermaid.js in headless Chromium, as GitHub draws them.

`.ci/run` installs Chromium (a Debian package) and the mermaid pinned in `package-lock.json`
here (`npm ci`); elsewhere the tests that need them skip and say what is missing.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
# REACHLINT_MERMAID_JS draws with another mermaid.min.js (GitHub's version changes).
MERMAID_JS = Path(
    os.environ.get("REACHLINT_MERMAID_JS")
    or HERE / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
)
PAGE_JS = HERE / "page.js"
COMMENT_WIDTH = 860  # pixels: the width of a pull-request comment on GitHub
_RESULTS = re.compile(r'<pre id="results">(.*?)</pre>', re.DOTALL)


def _browser() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found is not None:
            return found
    return ""


def require_renderer() -> str:
    """Chromium's path; skips (fails in CI, which installs both) when a part is missing."""
    browser = _browser()
    missing = []
    if not browser:
        missing.append("Chromium (apt-get install chromium)")
    if not MERMAID_JS.is_file():
        missing.append(f"mermaid (npm ci --prefix {HERE.relative_to(HERE.parents[1])})")
    if missing:
        reason = "the Mermaid renderer needs " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; .ci/run installs it")
        pytest.skip(reason)
    return browser


def render(diagrams: list[str], workdir: Path) -> list[dict[str, Any]]:
    """What mermaid draws for each diagram: `ok`, `error`, `width`, `height`, node `texts`,
    box `titles` (each `hidden` when a node covers it, and whether `dashed`), how many
    nodes are `dashedNodes` (an empty box) and pairs of edge labels that `crossed`."""
    browser = require_renderer()
    page = workdir / "page.html"
    data = json.dumps(diagrams).replace("</", "<\\/")
    page.write_text(
        '<!doctype html><html><head><meta charset="utf-8"></head><body><div id="out"></div>'
        '<pre id="results">pending</pre>\n'
        f'<script src="{MERMAID_JS.as_uri()}"></script>\n'
        f"<script>const DIAGRAMS = {data};</script>\n"
        f'<script src="{PAGE_JS.as_uri()}"></script>\n</body></html>\n',
        encoding="utf-8",
    )
    done = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--allow-file-access-from-files",
            f"--user-data-dir={workdir / 'profile'}",
            "--virtual-time-budget=600000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    found = _RESULTS.search(done.stdout)
    assert found is not None, f"Chromium wrote no results: {done.stderr[-2000:]}"
    text = html.unescape(found.group(1))
    assert text != "pending", "mermaid did not finish rendering within the time budget"
    results: list[dict[str, Any]] = json.loads(text)
    assert len(results) == len(diagrams)
    return results
