"""The JSON report (SPEC §3): the stable machine interface every other format derives from."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["low", "medium", "high", "critical"]
SEVERITIES: tuple[Severity, ...] = ("low", "medium", "high", "critical")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Tool(_Strict):
    name: str = "reachlint"
    version: str


class EndRef(_Strict):
    address: str
    kind: str
    file: str | None = None
    line: int | None = None


class TrafficEntry(_Strict):
    protocol: str
    ports: list[tuple[int, int]] | None = None
    numbers: str | None = None  # protocol numbers, for protocol "other"


class HopRef(_Strict):
    address: str
    kind: str
    detail: str
    file: str | None = None
    line: int | None = None


class Finding(_Strict):
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


class NoteRef(_Strict):
    address: str | None = None
    message: str
    file: str | None = None
    line: int | None = None


class Summary(_Strict):
    findings: int
    by_severity: dict[str, int]
    rules: int
    endpoints: int


class Report(_Strict):
    tool: Tool
    inputs: list[str]
    findings: list[Finding]
    summary: Summary
    notes: list[NoteRef] = Field(default_factory=list)

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True, exclude_none=True, indent=2)
