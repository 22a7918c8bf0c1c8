"""Findings: what a rule reports, one pair of ends and the traffic left over, with its path.

They are the items of the JSON report (SPEC §3); reachlint.reports.schema is the document
around them.
"""

from __future__ import annotations

import hashlib
import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["low", "medium", "high", "critical"]
SEVERITIES: tuple[Severity, ...] = ("low", "medium", "high", "critical")


class Strict(BaseModel):
    """The report's documents: no unknown key, and the aliases (`from`, `to`) or the names."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class EndRef(Strict):
    address: str
    kind: str
    # The resource type as the input names it (aws_instance, AWS::EC2::Instance,
    # Microsoft.Compute/virtualMachines); absent for the internet and on-premises ends.
    type: str | None = None
    file: str | None = None
    line: int | None = None


class TrafficEntry(Strict):
    protocol: str
    ports: list[tuple[int, int]] | None = None
    numbers: str | None = None  # protocol numbers, for protocol "other"


class HopRef(Strict):
    address: str
    kind: str
    detail: str
    file: str | None = None
    line: int | None = None


class Suppression(Strict):
    """Why a finding does not count: an inline comment or metadata entry, or a baseline."""

    kind: Literal["inline", "baseline"]
    reason: str
    file: str | None = None
    line: int | None = None


class Finding(Strict):
    rule: str
    severity: Severity
    title: str
    message: str
    source: EndRef = Field(alias="from")
    destination: EndRef = Field(alias="to")
    traffic: list[TrafficEntry]
    path: list[HopRef]
    # Addresses outside the internet/on-premises end that the leftover traffic reaches or
    # comes from, as CIDRs (only for flows with an external end).
    addresses: list[str] | None = None
    state: Literal["reachable", "reply-dropped"] = "reachable"
    depends_on_unknown: list[str] | None = None
    # The path's identity (rule, ends, traffic) hashed: it stays the same when lines move.
    fingerprint: str | None = None
    # Set when a suppression covers the finding: it is shown as suppressed and does not fail.
    suppressed: Suppression | None = None
    # What found it: reachlint's reachability rules, or one of checkov's checks (--checkov),
    # whose findings are about one resource: `from` and `to` are that resource, no traffic.
    tool: Literal["reachlint", "checkov"] = "reachlint"
    guideline: str | None = None  # a page on how to fix it, where the check has one
    # Fingerprints of findings of the other tool that say the same thing (an open security
    # group and the path from the internet through it).
    related: list[str] | None = None


def fingerprint(kind: str, source: str, destination: str, traffic: list[TrafficEntry]) -> str:
    """A stable hash of what a path is: its kind (a rule id), ends and traffic."""
    described = [entry.model_dump(exclude_none=True) for entry in traffic]
    text = json.dumps([kind, source, destination, described], sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
