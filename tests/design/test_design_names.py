"""One name for one thing: a table's header and its legend name a group alike, and `check`
and `diff` list the same kinds of hops on a path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reachlint.commands.changes.diff import run_diff
from reachlint.commands.check import run_check
from reachlint.commands.design.matrix import run_matrix
from reachlint.reports import render, render_diff
from tests.design.support import FIXTURES, require_azure_hybrid

SOURCE_RANGES = FIXTURES / "aws" / "facts" / "source-range-per-port"


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_the_matrix_legend_names_each_group_as_the_header_does(fmt: str) -> None:
    text = run_matrix([require_azure_hybrid()], output_format=fmt)
    table, legend = text.split("Groups", 1)
    if fmt == "text":
        header = table.splitlines()[2]
        columns = [name for name in re.split(r" {2,}", header.strip())[1:]]
        named = [line.split(": ", 1)[0].strip() for line in legend.splitlines()[1:] if line]
    else:
        header = next(line for line in table.splitlines() if line.startswith("| from"))
        columns = [cell.strip() for cell in header.strip("|").split("|")[1:]]
        named = re.findall(r"^- \*\*(.+?)\*\*:", legend, flags=re.MULTILINE)
    assert "localNetworkGateways/onprem-site" in columns
    assert named == columns


def _numbered_hops(text: str, heading: str) -> list[str]:
    """The numbered path lines under the entry that starts with `heading`."""
    entry = text.split(heading, 1)[1].split("\n\n", 1)[0]
    return re.findall(r"^ +\d+\. (.+)$", entry, flags=re.MULTILINE)


def test_diff_lists_the_hops_check_lists(tmp_path: Path) -> None:
    base = tmp_path / "base"
    base.mkdir()
    (base / "providers.tf").write_text((SOURCE_RANGES / "providers.tf").read_text())
    written = (SOURCE_RANGES / "main.tf").read_text()
    (base / "main.tf").write_text(
        re.sub(r"\n  ingress \{.*?\n  \}\n", "\n", written, flags=re.DOTALL)
    )
    rules = [SOURCE_RANGES / "rules.yaml"]
    head = SOURCE_RANGES / "plan.json"
    diff_text = render_diff(run_diff(base, head, rules, builtin=False), "text")
    check_text = render(run_check([head], rules, builtin=False), "text")
    diff_hops = _numbered_hops(diff_text, "+ internet -> aws_instance.node")
    check_hops = _numbered_hops(check_text, "  internet -> aws_instance.node")
    assert diff_hops and check_hops
    # Neither lists the ends as hops: the path runs between them.
    assert not any(hop.startswith(("internet", "aws_instance.node")) for hop in diff_hops)

    def kinds(hops: list[str]) -> list[str]:
        return [re.search(r"\(([^)]+)\)", hop).group(1) for hop in hops]  # type: ignore[union-attr]

    assert kinds(diff_hops) == kinds(check_hops)
