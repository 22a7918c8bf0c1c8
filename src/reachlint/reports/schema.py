"""The JSON report (SPEC §3): the stable machine interface every other format derives from.

The findings it lists are the rules' (reachlint.rules.findings); this is what surrounds them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from reachlint.rules.findings import (
    AddressedTraffic,
    EndRef,
    Finding,
    HopRef,
    Severity,
    Strict,
    TrafficEntry,
)


class Tool(Strict):
    name: str = "reachlint"
    version: str


class RuleInfo(Strict):
    """A rule that was checked, described for formats that list rules (SARIF, JUnit)."""

    id: str
    title: str
    severity: Severity
    description: str = ""
    help: str = ""  # Markdown: what the rule reports, why it matters, how to fix it
    builtin: bool = False
    tool: Literal["reachlint", "checkov"] = "reachlint"
    guideline: str | None = None


class SuppressionProblem(Strict):
    """A suppression that cannot be honoured: no reason given, or a rule that does not exist."""

    message: str
    rule: str | None = None
    file: str
    line: int


class NoteRef(Strict):
    address: str | None = None
    message: str
    file: str | None = None
    line: int | None = None


class Summary(Strict):
    findings: int
    by_severity: dict[str, int]
    rules: int
    endpoints: int
    # Findings a suppression or the baseline covers; `findings` and `by_severity` leave them out.
    suppressed: int | None = None


class Report(Strict):
    tool: Tool
    inputs: list[str]
    findings: list[Finding]
    summary: Summary
    notes: list[NoteRef] = Field(default_factory=list)
    suppression_problems: list[SuppressionProblem] | None = None
    # The rules checked, for the formats that describe them; the JSON report leaves them out.
    rules: list[RuleInfo] = Field(default_factory=list, exclude=True)
    # The network as a Mermaid flowchart, for the Markdown report (not part of the JSON).
    diagram: str | None = Field(default=None, exclude=True)
    # Texts of sensitive values that every format hides (reachlint.sensitive).
    sensitive: SkipJsonSchema[set[str]] = Field(default_factory=set, exclude=True, repr=False)

    @property
    def active_findings(self) -> list[Finding]:
        """The findings no suppression covers: the ones that count."""
        return [finding for finding in self.findings if finding.suppressed is None]

    def to_json(self) -> str:
        from reachlint.safe_text import model_json

        return model_json(self)


class FlowChange(Strict):
    """A flow that a change opens or closes between two ends, with the path that carries it."""

    source: EndRef = Field(alias="from")
    destination: EndRef = Field(alias="to")
    traffic: list[TrafficEntry]
    addresses: list[str] | None = None
    traffic_by_addresses: list[AddressedTraffic] | None = None  # as in a finding
    path: list[HopRef]
    # The rules whose findings the change adds (opened) or removes (closed) on this traffic.
    rules: list[str] | None = None
    severity: Severity | None = None  # the most severe of those rules
    fingerprint: str | None = None


class DiffSummary(Strict):
    opened: int
    closed: int
    # Opened flows that break a rule, by the most severe rule they break.
    by_severity: dict[str, int]
    new_suppressions: int | None = None


class DiffReport(Strict):
    """`reachlint diff BASE HEAD`: the flows the change opens and closes."""

    tool: Tool
    base: list[str]
    head: list[str]
    opened: list[FlowChange]
    closed: list[FlowChange]
    summary: DiffSummary
    notes: list[NoteRef] = Field(default_factory=list)
    # Suppressions the change adds, as findings of the rule NEW-SUPPRESSION.
    new_suppressions: list[Finding] | None = None
    rules: list[RuleInfo] = Field(default_factory=list, exclude=True)
    sensitive: SkipJsonSchema[set[str]] = Field(default_factory=set, exclude=True, repr=False)

    def to_json(self) -> str:
        from reachlint.safe_text import model_json

        return model_json(self)
