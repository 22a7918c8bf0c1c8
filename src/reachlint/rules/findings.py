"""Findings: what a rule reports, one pair of ends and the traffic left over, with its path.

They are the items of the JSON report (SPEC §3); reachlint.reports.schema is the document
around them.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import msgspec

if TYPE_CHECKING:
    from reachlint.model.traffic import Traffic

Severity = Literal["low", "medium", "high", "critical"]
SEVERITIES: tuple[Severity, ...] = ("low", "medium", "high", "critical")


class Strict(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The report's documents: no unknown key when read; `from` and `to` in JSON are `source`
    and `destination` here."""

    # Where `plain` looks for absent fields besides the document's own: fields that hold
    # documents which may have some (JSON name, a list of them?, their class), and fields of
    # no fixed shape. tests/test_report_plain.py keeps them in step with the fields.
    holds: ClassVar[tuple[tuple[str, bool, type[Strict]], ...]] = ()
    loose: ClassVar[tuple[str, ...]] = ()


class Omitting(Strict, kw_only=True, omit_defaults=True):
    """Documents whose every default is None: msgspec itself leaves out an absent field, so
    `plain` need not look inside them."""


class EndRef(Omitting, kw_only=True):
    address: str
    kind: str
    # The resource type as the input names it (aws_instance, AWS::EC2::Instance,
    # Microsoft.Compute/virtualMachines); absent for the internet and on-premises ends.
    type: str | None = None
    file: str | None = None
    line: int | None = None
    # The name its author knows it by besides the address: a CDK construct path.
    label: str | None = None


class TrafficEntry(Omitting, kw_only=True):
    protocol: str
    ports: list[tuple[int, int]] | None = None
    messages: list[str] | None = None  # ICMP types and codes, when not every message
    numbers: str | None = None  # protocol numbers, for protocol "other"


class AddressedTraffic(Omitting, kw_only=True):
    """Part of a finding's traffic and the external addresses that part comes from or goes to,
    as CIDRs (absent: every public address)."""

    traffic: list[TrafficEntry]
    addresses: list[str] | None = None


class UnknownPart(Omitting, kw_only=True):
    """A value not known that only part of a finding's traffic rests on, and that part."""

    value: str
    traffic: list[TrafficEntry]


class HopRef(Omitting, kw_only=True):
    address: str
    kind: str
    detail: str
    file: str | None = None
    line: int | None = None


class Suppression(Omitting, kw_only=True):
    """Why a finding does not count: an inline comment or metadata entry, or a baseline."""

    kind: Literal["inline", "baseline"]
    reason: str
    file: str | None = None
    line: int | None = None


class Finding(Strict, kw_only=True):
    rule: str
    severity: Severity
    title: str
    message: str
    source: EndRef = msgspec.field(name="from")
    destination: EndRef = msgspec.field(name="to")
    traffic: list[TrafficEntry]
    path: list[HopRef]
    # Addresses outside the internet/on-premises end that the leftover traffic reaches or
    # comes from, as CIDRs (only for flows with an external end).
    addresses: list[str] | None = None
    # When the external addresses differ between parts of the traffic (SSH from one range,
    # 9100 from anywhere): each part with its own addresses, so no part reads as open to all.
    traffic_by_addresses: list[AddressedTraffic] | None = None
    state: Literal["reachable", "reply-dropped"] = "reachable"
    depends_on_unknown: list[str] | None = None
    # Those of them that only part of the traffic rests on, each with that part (the others
    # decide all of it).
    depends_on_unknown_for: list[UnknownPart] | None = None
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


def plain(document: msgspec.Struct) -> Any:
    """A report document as JSON's types: `from` and `to` by those names, no empty field."""
    data = msgspec.to_builtins(document)
    if isinstance(document, Strict):  # the report's: looked inside only where it may hold one
        return _stripped(data, type(document))
    return _without_none(data)


def _stripped(data: Any, kind: type[Strict]) -> Any:
    if not kind.__struct_config__.omit_defaults:
        data = {key: item for key, item in data.items() if item is not None}
    for name, many, inner in kind.holds:
        value = data.get(name)
        if value is not None:
            data[name] = (
                [_stripped(item, inner) for item in value] if many else _stripped(value, inner)
            )
    for name in kind.loose:
        if name in data:
            data[name] = _without_none(data[name])
    return data


def _without_none(value: Any) -> Any:
    # Leaves are passed as they are, not through a call each: a large report has millions.
    if isinstance(value, dict):
        return {
            key: _without_none(item) if isinstance(item, (dict, list)) else item
            for key, item in value.items()
            if item is not None
        }
    if isinstance(value, list):
        return [_without_none(item) if isinstance(item, (dict, list)) else item for item in value]
    return value


def traffic_entries(traffic: Traffic) -> list[TrafficEntry]:
    """`traffic` as the report lists it, one entry per protocol."""
    return [msgspec.convert(entry, TrafficEntry) for entry in traffic.describe()]


def fingerprint(kind: str, source: str, destination: str, traffic: list[TrafficEntry]) -> str:
    """A stable hash of what a path is: its kind (a rule id), ends and traffic."""
    described = [plain(entry) for entry in traffic]
    text = json.dumps([kind, source, destination, described], sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


# Addresses listed in a sentence before "and N more" (the JSON report lists them all).
ADDRESSES_SHOWN = 3


def traffic_by_addresses(traffic: Traffic) -> list[AddressedTraffic] | None:
    """`traffic` in parts by external address, when its parts do not all share their addresses
    (None when they do); a part open to every public address lists none."""
    from reachlint.model.traffic import addresses_as_cidrs, narrower_than_public

    merged: dict[tuple[str, ...] | None, Traffic] = {}
    for addresses, part in traffic.by_addresses():
        key = tuple(addresses_as_cidrs(addresses)) if narrower_than_public(addresses) else None
        merged[key] = merged[key] | part if key in merged else part
    if len(merged) < 2:
        return None
    return [
        AddressedTraffic(
            traffic=traffic_entries(part),
            addresses=list(key) if key is not None else None,
        )
        for key, part in merged.items()
    ]


def entries_text(entries: list[TrafficEntry]) -> str:
    """Traffic in a message's words: 'tcp 22, 80; udp 53', 'all protocols and ports'."""
    texts = []
    for entry in entries:
        if entry.ports:
            ranges = ", ".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in entry.ports)
            texts.append(f"{entry.protocol} {ranges}")
        elif entry.messages:
            texts.append(f"{entry.protocol} {', '.join(entry.messages)}")
        else:
            texts.append(entry.protocol if entry.protocol != "all" else "all protocols and ports")
    return "; ".join(texts)


def external_side(source_kind: str) -> str:
    """How a finding's addresses relate to its traffic: where it comes from, or goes to."""
    return "from" if source_kind in {"internet", "onprem"} else "to"


def addressed_text(traffic_text: str, addresses: list[str] | None, side: str) -> str:
    """'tcp 22 from 81.2.69.160/27', 'tcp 9100 from any address'."""
    if addresses is None:
        return f"{traffic_text} {side} any address"
    shown = ", ".join(addresses[:ADDRESSES_SHOWN])
    rest = len(addresses) - ADDRESSES_SHOWN
    return f"{traffic_text} {side} {shown}" + (f" and {rest} more" if rest > 0 else "")


def joined_parts(parts: list[str]) -> str:
    """'A', 'A and on B', 'A, on B and on C': each part after the first starts with "on"."""
    if len(parts) == 1:
        return parts[0]
    return ", on ".join(parts[:-1]) + " and on " + parts[-1]
