"""What the CI formats share: where a path shows up in the code, and its steps end to end.

The place of a finding is the line that opens its path: the last filter rule on the path that
has a file (a security-group rule, NSG rule or network ACL entry), else the destination's
definition, else line 1 of the first input.
"""

from __future__ import annotations

import os
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Protocol

from msgspec import Struct

from reachlint.safe_text import one_line

if TYPE_CHECKING:
    from reachlint.rules.findings import AddressedTraffic, EndRef, HopRef, Severity, TrafficEntry

FILTER_HOP_KINDS = frozenset({"security-group-rule", "nsg-rule", "network-acl-entry"})
SEVERITY_ORDER: tuple[Severity, ...] = ("critical", "high", "medium", "low")


class PathLike(Protocol):
    """A finding or a flow change: two ends, the traffic and the path between them."""

    @property
    def source(self) -> EndRef: ...

    @property
    def destination(self) -> EndRef: ...

    @property
    def traffic(self) -> list[TrafficEntry]: ...

    @property
    def traffic_by_addresses(self) -> list[AddressedTraffic] | None: ...

    @property
    def path(self) -> list[HopRef]: ...


class Place(Struct, frozen=True):
    file: str
    line: int

    def __str__(self) -> str:
        """The place for people; `file` itself stays as the input names it (code hosts match it)."""
        return f"{one_line(self.file)}:{self.line}"


class Step(Struct, frozen=True):
    """One element of a path from end to end, with its place in the code when known."""

    address: str
    kind: str
    detail: str
    place: Place | None
    end: bool  # the source or the destination, not a hop


def repo_path(file: str) -> str:
    """A file as code hosts name it: relative to the working directory, with `/`."""
    if os.path.isabs(file):
        try:
            relative = os.path.relpath(file)
        except ValueError:  # another drive on Windows
            return PurePosixPath(file.replace(os.sep, "/")).as_posix()
        if not relative.startswith(".."):
            file = relative
    text = file.replace(os.sep, "/")
    while text.startswith("./"):
        text = text[2:]
    return text


def place_of(file: str | None, line: int | None) -> Place | None:
    return Place(repo_path(file), line or 1) if file else None


def primary_place(item: PathLike, inputs: list[str]) -> Place:
    """The line that opens the path (see the module's documentation)."""
    for hop in reversed(item.path):
        if hop.kind in FILTER_HOP_KINDS and hop.file:
            return Place(repo_path(hop.file), hop.line or 1)
    destination = place_of(item.destination.file, item.destination.line)
    if destination is not None:
        return destination
    return Place(repo_path(inputs[0]) if inputs else ".", 1)


def steps(item: PathLike) -> list[Step]:
    """The source, every hop, then the destination; a finding about one resource (a checkov
    check: both ends are the resource) is the resource, then its hops."""
    source, destination = item.source, item.destination
    first = Step(source.address, source.kind, "", place_of(source.file, source.line), end=True)
    hops = [
        Step(hop.address, hop.kind, hop.detail, place_of(hop.file, hop.line), end=False)
        for hop in item.path
    ]
    if destination == source:
        return [first, *hops]
    last = Step(
        destination.address,
        destination.kind,
        "",
        place_of(destination.file, destination.line),
        end=True,
    )
    return [first, *hops, last]


def step_text(step: Step) -> str:
    """'aws_security_group_rule.ssh (security-group-rule) — allows tcp 22 from 0.0.0.0/0', on
    one line whatever the input's names say."""
    if step.kind in ("internet", step.address):
        text = one_line(step.address)
    else:
        text = f"{one_line(step.address)} ({one_line(step.kind)})"
    return f"{text} — {one_line(step.detail)}" if step.detail else text


def severity_rank(severity: str | None) -> int:
    """0 for critical up to 3 for low; 4 for none."""
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
