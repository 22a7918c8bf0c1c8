"""The JSON report (SPEC §3): the stable machine interface every other format derives from."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

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


class Suppression(_Strict):
    """Why a finding does not count: an inline comment or metadata entry, or a baseline."""

    kind: Literal["inline", "baseline"]
    reason: str
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


class RuleInfo(_Strict):
    """A rule that was checked, described for formats that list rules (SARIF, JUnit)."""

    id: str
    title: str
    severity: Severity
    description: str = ""
    help: str = ""  # Markdown: what the rule reports, why it matters, how to fix it
    builtin: bool = False
    tool: Literal["reachlint", "checkov"] = "reachlint"
    guideline: str | None = None


class SuppressionProblem(_Strict):
    """A suppression that cannot be honoured: no reason given, or a rule that does not exist."""

    message: str
    rule: str | None = None
    file: str
    line: int


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
    # Findings a suppression or the baseline covers; `findings` and `by_severity` leave them out.
    suppressed: int | None = None


class Report(_Strict):
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


class FlowChange(_Strict):
    """A flow that a change opens or closes between two ends, with the path that carries it."""

    source: EndRef = Field(alias="from")
    destination: EndRef = Field(alias="to")
    traffic: list[TrafficEntry]
    addresses: list[str] | None = None
    path: list[HopRef]
    # The rules whose findings the change adds (opened) or removes (closed) on this traffic.
    rules: list[str] | None = None
    severity: Severity | None = None  # the most severe of those rules
    fingerprint: str | None = None


class DiffSummary(_Strict):
    opened: int
    closed: int
    # Opened flows that break a rule, by the most severe rule they break.
    by_severity: dict[str, int]
    new_suppressions: int | None = None


class DiffReport(_Strict):
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
