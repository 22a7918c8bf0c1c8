"""A finding's identity across runs, and baseline files of accepted findings.

A finding is identified by its rule, its two ends and its traffic, never by line numbers: a
baseline keeps covering a path when unrelated lines move. A finding is covered when a baseline
entry of the same rule and ends carries at least its traffic (services and external
addresses); when the entry carries only part of it, what is left is reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec.structs import replace

from reachlint.errors import InputError
from reachlint.limits import MAX_BASELINE_BYTES, read_bounded
from reachlint.rules.findings import fingerprint

if TYPE_CHECKING:
    from reachlint.commands.changes.baseline_file import BaselineEntry
    from reachlint.model.traffic import IntervalSet, Traffic
    from reachlint.rules.findings import Finding, TrafficEntry

BASELINE_VERSION = 1
NEW_SUPPRESSION = "NEW-SUPPRESSION"  # suppress_added.RULE_ID, without importing it
Identity = tuple[str, str, str]  # rule, from, to


def identity(finding: Finding) -> Identity:
    return finding.rule, finding.source.address, finding.destination.address


def with_fingerprint(finding: Finding) -> Finding:
    """The finding with its fingerprint set (in place: findings are made fresh per run)."""
    rule, source, destination = identity(finding)
    finding.fingerprint = fingerprint(rule, source, destination, finding.traffic)
    return finding


def entries_traffic(entries: Iterable[TrafficEntry]) -> Traffic:
    """The report's traffic list as a set of services (every address)."""
    from reachlint.model.icmp import messages_from_text
    from reachlint.model.traffic import (
        ALL_PORTS,
        ALL_PROTOCOLS,
        IntervalSet,
        Traffic,
        parse_protocol,
    )

    total = Traffic()
    for entry in entries:
        if entry.protocol == "all":
            protocols = ALL_PROTOCOLS
        elif entry.protocol == "other":
            protocols = IntervalSet(_number_ranges(entry.numbers or ""))
        else:
            protocols = parse_protocol(entry.protocol)
        ports = IntervalSet(entry.ports) if entry.ports else ALL_PORTS
        read = messages_from_text(entry.messages) if entry.messages else None
        messages = ALL_PORTS if read is None else IntervalSet(read)
        total = total | Traffic.box(protocols, ports=ports, messages=messages)
    return total


def _number_ranges(text: str) -> list[tuple[int, int]]:
    ranges = []
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        low, _, high = part.partition("-")
        ranges.append((int(low), int(high or low)))
    return ranges


def finding_traffic(finding: Finding) -> Traffic:
    """What a finding covers as a set: its services, from or to its external addresses.

    A finding lists its addresses once for all its services, so this may hold more than the
    finding does; it errs towards reporting, never towards hiding.
    """
    from reachlint.model.traffic import cidrs

    services = entries_traffic(finding.traffic)
    return services.only_addresses(cidrs(finding.addresses)) if finding.addresses else services


class KnownFindings:
    """Findings already known (from a baseline), by identity: their services and addresses."""

    def __init__(self) -> None:
        self._services: dict[Identity, Traffic] = {}
        self._addresses: dict[Identity, IntervalSet] = {}

    def add(self, key: Identity, services: Traffic, addresses: list[str] | None) -> None:
        from reachlint.model.traffic import ALL_ADDRESSES, cidrs

        reached = cidrs(addresses) if addresses else ALL_ADDRESSES
        if key in self._services:
            self._services[key] = self._services[key] | services
            self._addresses[key] = self._addresses[key] | reached
        else:
            self._services[key], self._addresses[key] = services, reached

    def covers(self, key: Identity, services: Traffic, addresses: list[str] | None) -> bool:
        """Whether what is known accepts all of these services and addresses already."""
        from reachlint.model.traffic import ALL_ADDRESSES, cidrs

        if key not in self._services:
            return False
        reached = cidrs(addresses) if addresses else ALL_ADDRESSES
        return services.issubset(self._services[key]) and reached.issubset(self._addresses[key])

    def new_part(self, finding: Finding) -> Finding | None:
        """The finding as far as it is new: whole, narrowed to new services, or None.

        A finding lists its external addresses once for all its services, so when they grew
        the whole finding is reported: it errs towards reporting, never towards hiding.
        """
        from reachlint.model.traffic import ALL_ADDRESSES, cidrs

        key = identity(finding)
        if key not in self._services:
            return finding
        reached = cidrs(finding.addresses) if finding.addresses else ALL_ADDRESSES
        if not reached.issubset(self._addresses[key]):
            return finding
        new_services = entries_traffic(finding.traffic) - self._services[key]
        return narrowed(finding, new_services.only_addresses(reached))


def narrowed(finding: Finding, traffic: Traffic) -> Finding | None:
    """The finding with only `traffic` left (None when nothing is), message and fingerprint
    to match."""
    from reachlint.model.traffic import addresses_as_cidrs, narrower_than_public
    from reachlint.rules.findings import (
        addressed_text,
        entries_text,
        external_side,
        joined_parts,
        traffic_by_addresses,
        traffic_entries,
    )

    if not traffic:
        return None
    if traffic == finding_traffic(finding):
        return finding
    entries = traffic_entries(traffic)
    text = traffic.text()
    text = "all protocols and ports" if text == "all" else text
    external = {finding.source.kind, finding.destination.kind} & {"internet", "onprem"}
    parts = traffic_by_addresses(traffic) if external else None
    if parts:
        side = external_side(finding.source.kind)
        text = joined_parts(
            [addressed_text(entries_text(part.traffic), part.addresses, side) for part in parts]
        )
    message = f"{finding.source.address} reaches {finding.destination.address} on {text}"
    if finding.state == "reply-dropped":
        message += ", but the replies are dropped"
    reached = traffic.addresses()
    addresses = addresses_as_cidrs(reached) if external and narrower_than_public(reached) else None
    narrower = replace(
        finding,
        traffic=entries,
        message=message,
        addresses=addresses,
        traffic_by_addresses=parts,
    )
    return with_fingerprint(narrower)


def read_baseline(path: Path) -> KnownFindings:
    """The findings a baseline file lists; InputError names a file that is not one."""
    known = KnownFindings()
    for entry, services, _line in baseline_entries(path):
        known.add((entry.rule, entry.source, entry.destination), services, entry.addresses)
    return known


def baseline_entries(path: Path) -> list[tuple[BaselineEntry, Traffic, int]]:
    """Each entry of a baseline file with its services and the line it starts on."""
    import msgspec
    from pydantic import ValidationError

    from reachlint.commands.changes.baseline_file import BaselineFile
    from reachlint.commands.changes.comments import JsonReader
    from reachlint.model.traffic import cidrs
    from reachlint.rules.findings import TrafficEntry

    try:
        text = read_bounded(path, MAX_BASELINE_BYTES, "baseline").decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"is not UTF-8 text (undecodable byte at offset {error.start}); expected a baseline",
            file=str(path),
        ) from None
    try:
        document = BaselineFile.model_validate_json(text)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the document"
        raise InputError(
            f"is not a reachlint baseline ({where}: {first['msg']}); "
            "create one with `reachlint check ... --create-baseline FILE`",
            file=str(path),
        ) from None
    if document.version != BASELINE_VERSION:
        raise InputError(
            f"is a baseline of version {document.version}; this reachlint reads version "
            f"{BASELINE_VERSION}",
            file=str(path),
        )
    reader = JsonReader(text, str(path))
    reader.read()
    lines = sorted(
        located.first
        for located in reader.objects
        if isinstance(located.value, dict) and {"rule", "from", "to"} <= located.value.keys()
    )
    entries = []
    for index, entry in enumerate(document.findings):
        try:
            traffic = [msgspec.convert(item, TrafficEntry, strict=False) for item in entry.traffic]
            services = entries_traffic(traffic)
            cidrs(entry.addresses or [])
        except (msgspec.ValidationError, ValueError):
            raise InputError(
                f"baseline entry {entry.rule} {entry.source} -> {entry.destination} has "
                "traffic or addresses reachlint cannot read",
                file=str(path),
            ) from None
        entries.append((entry, services, lines[index] if index < len(lines) else 1))
    return entries


def write_baseline(path: Path, findings: Iterable[Finding]) -> int:
    """Write the findings no inline suppression covers; returns how many were written."""
    from reachlint.commands.changes.baseline_file import BaselineEntry, BaselineFile
    from reachlint.rules.findings import plain

    entries = [
        BaselineEntry.model_validate(
            {
                "rule": finding.rule,
                "from": finding.source.address,
                "to": finding.destination.address,
                "traffic": [plain(entry) for entry in finding.traffic],
                "addresses": finding.addresses,
                "fingerprint": finding.fingerprint,
            }
        )
        for finding in findings
        if (finding.suppressed is None or finding.suppressed.kind == "baseline")
        and finding.rule != NEW_SUPPRESSION  # about the change, not the network
    ]
    entries.sort(key=lambda entry: (entry.rule, entry.source, entry.destination))
    document = BaselineFile(version=BASELINE_VERSION, findings=entries)
    from reachlint.commands.output_file import write_file
    from reachlint.safe_text import for_output, json_text

    text = json_text(document.model_dump(mode="json", by_alias=True, exclude_none=True))
    # Never through a link; a lone surrogate from the input is written as its JSON escape.
    write_file(path, for_output(text + "\n", "json"), what="baseline")
    return len(entries)
