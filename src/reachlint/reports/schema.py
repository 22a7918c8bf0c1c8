"""The JSON report (SPEC §3): the stable machine interface every other format derives from.

The findings it lists are the rules' (reachlint.rules.findings); this is what surrounds them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar, Literal

import msgspec

from reachlint.rules.findings import (
    AddressedTraffic,
    EndRef,
    Finding,
    HopRef,
    Omitting,
    Severity,
    Strict,
    TrafficEntry,
    plain,
)


class Tool(Strict, kw_only=True):
    name: str = "reachlint"
    version: str


class RuleInfo(Strict, kw_only=True):
    """A rule that was checked, described for formats that list rules (SARIF, JUnit)."""

    id: str
    title: str
    severity: Severity
    description: str = ""
    help: str = ""  # Markdown: what the rule reports, why it matters, how to fix it
    builtin: bool = False
    tool: Literal["reachlint", "checkov"] = "reachlint"
    guideline: str | None = None


class SuppressionProblem(Omitting, kw_only=True):
    """A suppression that cannot be honoured: no reason given, or a rule that does not exist."""

    message: str
    rule: str | None = None
    file: str
    line: int


class NoteRef(Omitting, kw_only=True):
    address: str | None = None
    message: str
    file: str | None = None
    line: int | None = None


class Summary(Omitting, kw_only=True):
    findings: int
    by_severity: dict[str, int]
    rules: int
    endpoints: int
    # Findings a suppression or the baseline covers; `findings` and `by_severity` leave them out.
    suppressed: int | None = None

    loose: ClassVar[tuple[str, ...]] = ("by_severity",)


class Report(Strict, kw_only=True):
    tool: Tool
    inputs: list[str]
    findings: list[Finding]
    summary: Summary
    notes: list[NoteRef] = msgspec.field(default_factory=list)
    suppression_problems: list[SuppressionProblem] | None = None
    # Carried for the other formats, never in the JSON report (UNWRITTEN):
    # the rules checked, for the formats that describe them;
    rules: list[RuleInfo] = msgspec.field(default_factory=list)
    # the network as a Mermaid flowchart, for the Markdown report;
    diagram: str | None = None
    # texts of sensitive values that every format hides (reachlint.sensitive).
    sensitive: set[str] = msgspec.field(default_factory=set)

    holds: ClassVar[tuple[tuple[str, bool, type[Strict]], ...]] = (
        ("tool", False, Tool),
        ("findings", True, Finding),
        ("summary", False, Summary),
        ("rules", True, RuleInfo),
    )

    @property
    def active_findings(self) -> list[Finding]:
        """The findings no suppression covers: the ones that count."""
        return [finding for finding in self.findings if finding.suppressed is None]

    def to_json(self) -> str:
        return document_json(self)


class FlowChange(Omitting, kw_only=True):
    """A flow that a change opens or closes between two ends, with the path that carries it."""

    source: EndRef = msgspec.field(name="from")
    destination: EndRef = msgspec.field(name="to")
    traffic: list[TrafficEntry]
    addresses: list[str] | None = None
    traffic_by_addresses: list[AddressedTraffic] | None = None  # as in a finding
    path: list[HopRef]
    # The rules whose findings the change adds (opened) or removes (closed) on this traffic.
    rules: list[str] | None = None
    severity: Severity | None = None  # the most severe of those rules
    fingerprint: str | None = None


class DiffSummary(Omitting, kw_only=True):
    opened: int
    closed: int
    # Opened flows that break a rule, by the most severe rule they break.
    by_severity: dict[str, int]
    new_suppressions: int | None = None

    loose: ClassVar[tuple[str, ...]] = ("by_severity",)


class DiffReport(Strict, kw_only=True):
    """`reachlint diff BASE HEAD`: the flows the change opens and closes."""

    tool: Tool
    base: list[str]
    head: list[str]
    opened: list[FlowChange]
    closed: list[FlowChange]
    summary: DiffSummary
    notes: list[NoteRef] = msgspec.field(default_factory=list)
    # Suppressions the change adds, as findings of the rule NEW-SUPPRESSION.
    new_suppressions: list[Finding] | None = None
    rules: list[RuleInfo] = msgspec.field(default_factory=list)  # as in Report, not written
    sensitive: set[str] = msgspec.field(default_factory=set)

    holds: ClassVar[tuple[tuple[str, bool, type[Strict]], ...]] = (
        ("tool", False, Tool),
        ("summary", False, DiffSummary),
        ("new_suppressions", True, Finding),
        ("rules", True, RuleInfo),
    )

    def to_json(self) -> str:
        return document_json(self)


# What a report carries for the other formats and the JSON report leaves out.
UNWRITTEN: dict[type[msgspec.Struct], tuple[str, ...]] = {
    Report: ("rules", "diagram", "sensitive"),
    DiffReport: ("rules", "sensitive"),
}


def document_json(document: msgspec.Struct) -> str:
    """A report document as indented JSON: no empty field, nothing it only carries."""
    from reachlint.safe_text import indented_json

    return indented_json([_written(document)])  # held by nothing else, to be let go of


def document_json_pieces(document: Strict, listed: str) -> Iterator[str]:
    """document_json's text in pieces that join to it, the items (documents) of the list field
    `listed` one at a time: a large report is never held whole as objects and as text at once."""
    from reachlint.safe_text import json_text_pieces

    head = _written(msgspec.structs.replace(document, **{listed: []}))
    items = (plain(item) for item in getattr(document, listed))
    return json_text_pieces(head, head[listed], items)


def _written(document: msgspec.Struct) -> Any:
    data = plain(document)
    for name in UNWRITTEN.get(type(document), ()):
        data.pop(name, None)
    return data


def report_schema(document: type[Strict]) -> dict[str, Any]:
    """The JSON Schema of a report document (Draft 2020-12), as `reachlint schema` prints it."""
    schema: dict[str, Any] = msgspec.json.schema(document)
    for kind, names in UNWRITTEN.items():
        definition = schema["$defs"].get(kind.__name__)
        if definition is None:
            continue
        for name in names:
            definition["properties"].pop(name, None)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
