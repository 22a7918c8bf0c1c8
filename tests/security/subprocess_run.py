"""Running reachlint on hostile input the way a pull-request check does: a separate process,
with a deadline and a memory cap, so that a regression fails the test instead of hanging CI or
taking the machine's memory.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# A hostile input must be refused within seconds; a regression hangs until this deadline.
DEADLINE_SECONDS = 30.0
# Far above what reachlint needs for these inputs (about 100 MB), far below the machine's.
MEMORY_CAP_BYTES = 2 * 1024**3

VPC = 'resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n'
ARM_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


@dataclass
class Outcome:
    code: int | None  # None: still running at the deadline
    stderr: str
    seconds: float

    def refused(self, *words: str) -> None:
        """Exit 2 with one sentence (no internal error) that says each of `words`."""
        assert self.code is not None, f"still running after {DEADLINE_SECONDS} s"
        assert self.code == 2, f"exit {self.code}: {self.stderr}"
        assert "internal error" not in self.stderr, self.stderr
        assert self.stderr.count("\n") == 1, self.stderr  # one line
        for word in words:
            assert word in self.stderr, f"{word!r} not in: {self.stderr}"


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP_BYTES, MEMORY_CAP_BYTES))


def run(*args: str | Path, cwd: Path, prelude: str = "") -> Outcome:
    """`reachlint ARGS` in `cwd`; `prelude` is Python run first (to shorten a budget)."""
    code = f"{prelude}\nfrom reachlint.commands.cli import main\nmain()\n"
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    environment.pop("REACHLINT_DEBUG", None)
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, *map(str, args)],
            cwd=cwd,
            env=environment,
            capture_output=True,
            text=True,
            timeout=DEADLINE_SECONDS,
            preexec_fn=_capped,
        )
    except subprocess.TimeoutExpired as expired:
        stderr = expired.stderr.decode() if isinstance(expired.stderr, bytes) else ""
        return Outcome(None, stderr, time.monotonic() - started)
    return Outcome(done.returncode, done.stderr, time.monotonic() - started)


def write(directory: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return directory


def terraform(directory: Path, text: str, **more: str) -> Path:
    """A configuration: `text` in main.tf beside a VPC, so there is a network to model."""
    return write(directory, {"main.tf": text + "\n" + VPC, **more})


def arm_template(variables: dict[str, object], **sections: object) -> dict[str, object]:
    """An ARM template whose one virtual network is named by `variables('name')`."""
    return {
        "$schema": ARM_SCHEMA,
        "contentVersion": "1.0.0.0",
        "variables": variables,
        "resources": [
            {
                "type": "Microsoft.Network/virtualNetworks",
                "apiVersion": "2023-04-01",
                "name": "[variables('name')]",
                "location": "eastus",
                "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}},
            }
        ],
        **sections,
    }
