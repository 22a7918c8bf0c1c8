"""The rules files and baseline as the pull request's base branch has them.

A pull request can change its own rules and baseline; read from the base commit instead, they
cannot weaken the check that judges the pull request (`rules-from-base`, `baseline-from-base`),
and compared with the head's, every suppression they add is reported (`--base-rules`,
`--base-baseline`). Files are read from git objects, never from the working tree, so a link or a
file the pull request changed is not what is read.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

EMPTY_RULES = "version: 1\n"
EMPTY_BASELINE = '{"version": 1, "findings": []}\n'


class BaseUnavailable(Exception):
    """The base branch's copy cannot be read: one sentence saying why."""


def base_commit(environ: Mapping[str, str]) -> str | None:
    """The base commit of the pull request the workflow runs for, or None."""
    event = environ.get("GITHUB_EVENT_PATH")
    if not event:
        return None
    try:
        document = json.loads(Path(event).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    pull_request = document.get("pull_request") if isinstance(document, dict) else None
    base = pull_request.get("base") if isinstance(pull_request, dict) else None
    sha = base.get("sha") if isinstance(base, dict) else None
    if not isinstance(sha, str) or len(sha) not in (40, 64):
        return None
    return sha if all(c in "0123456789abcdef" for c in sha) else None


class BaseFiles:
    """Copies of files as the base commit has them, written to `folder`."""

    def __init__(self, commit: str, folder: Path, environ: Mapping[str, str]) -> None:
        self.commit = commit
        self.folder = folder
        self.environ = dict(environ)
        self._count = 0
        self._fetched = False

    def _git(self, *arguments: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            ["git", *arguments], env=self.environ, capture_output=True, check=False
        )

    def _ensure_commit(self) -> None:
        if self._git("cat-file", "-e", f"{self.commit}^{{commit}}").returncode == 0:
            return
        if not self._fetched:  # a shallow checkout: fetch the one commit
            self._fetched = True
            self._git("fetch", "--no-tags", "--depth=1", "origin", self.commit)
            if self._git("cat-file", "-e", f"{self.commit}^{{commit}}").returncode == 0:
                return
        raise BaseUnavailable(
            f"the base commit {self.commit[:12]} is not in the checkout and could not be "
            "fetched; check out with fetch-depth: 0"
        )

    def copy(self, path: str, empty: str) -> Path:
        """The base's version of `path` (relative to the working directory) as a file of its
        own; `empty` as its text when the base does not have the file."""
        self._ensure_commit()
        listed = self._git("ls-tree", "-z", self.commit, "--", path)
        if listed.returncode != 0:
            message = listed.stderr.decode("utf-8", "replace").strip().splitlines()
            raise BaseUnavailable(f"cannot look up {path} in the base commit: {message[-1:]}")
        entry = listed.stdout.split(b"\0", 1)[0]
        self._count += 1
        target = self.folder / f"base-{self._count}-{os.path.basename(path) or 'file'}"
        if not entry:
            target.write_text(empty, encoding="utf-8")
            return target
        mode, kind, rest = entry.split(b" ", 2)
        obj = rest.split(b"\t", 1)[0].decode("ascii")
        if kind != b"blob" or mode == b"120000":
            what = "a symbolic link" if mode == b"120000" else "not a file"
            raise BaseUnavailable(f"{path} is {what} in the base commit")
        blob = self._git("cat-file", "blob", obj)
        if blob.returncode != 0:
            raise BaseUnavailable(f"cannot read {path} from the base commit")
        target.write_bytes(blob.stdout)
        return target
