"""The baseline file's document: read from a file a pull request may change, so validated
(pydantic) before anything is taken from it; imported only when a baseline is read or written."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class BaselineEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    rule: str
    source: str = Field(alias="from")
    destination: str = Field(alias="to")
    traffic: list[dict[str, object]]
    addresses: list[str] | None = None
    fingerprint: str | None = None


class BaselineFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    tool: str = "reachlint"
    findings: list[BaselineEntry]
