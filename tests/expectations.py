"""What a fixture's expected.yaml promises, and how a report compares with it.

expected.yaml:

    description: what the fixture shows              (optional)
    inputs: [plan.json]                              (optional; default plan.json)
    rules: [rules.yaml]                              (optional; rules files beside it)
    builtin: true                                    (optional; the built-in rules too)
    assume_unknown: open                             (optional; open or closed)
    findings:                                        (exactly these, no more, no fewer)
      - rule: INTERNET-ONLY-WEB
        from: internet
        to: aws_instance.web
        traffic: "tcp 22, 80-81; udp 53"             (see parse_traffic)
        path_includes: [aws_internet_gateway.main]   (optional; addresses on the path)
        state: reachable                             (optional; or reply-dropped)
        depends_on_unknown: [var.admin_range]        (optional; exactly these, [] for none)
        by_addresses:                                (optional; exactly these parts, [] for
          - {traffic: "tcp 22", addresses: [81.2.69.160/27]}   none: one set of addresses)
          - {traffic: "tcp 9100", addresses: any}

A fixture may hold more than one: expected-closed.yaml is the same inputs checked with
`assume_unknown: closed`, where the verdict differs.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from reachlint.model.traffic import (
    ALL_ADDRESSES,
    ALL_PORTS,
    PORTED,
    IntervalSet,
    Traffic,
    parse_protocol,
    ports_from_spec,
)
from reachlint.reports.schema import Report
from reachlint.rules.findings import Finding, TrafficEntry

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
AWS_FIXTURES = FIXTURES / "aws"
BAD_FIXTURES = FIXTURES / "bad"

_FILE_KEYS = {"description", "inputs", "rules", "builtin", "assume_unknown", "findings"}
_FINDING_KEYS = {
    "rule",
    "from",
    "to",
    "traffic",
    "path_includes",
    "state",
    "depends_on_unknown",
    "by_addresses",
}
_EXCEPT = "all except "

Key = tuple[str, str, str, Traffic]
# A part of a finding's traffic and its external addresses (None: every public address).
AddressedPart = tuple[Traffic, tuple[str, ...] | None]


@dataclass(frozen=True)
class ExpectedFinding:
    rule: str
    source: str
    destination: str
    traffic: Traffic
    path_includes: tuple[str, ...] = ()
    state: str | None = None
    depends_on_unknown: tuple[str, ...] | None = None
    by_addresses: frozenset[AddressedPart] | None = None

    @property
    def key(self) -> Key:
        return (self.rule, self.source, self.destination, self.traffic)


@dataclass(frozen=True)
class Expectation:
    directory: Path
    inputs: list[Path]
    rules: list[Path]
    builtin: bool
    assume_unknown: str
    findings: list[ExpectedFinding]


def load_expectation(path: Path) -> Expectation:
    document: dict[str, Any] = yaml.safe_load(path.read_text()) or {}
    unknown = set(document) - _FILE_KEYS
    if unknown:
        raise ValueError(f"{path}: unknown keys {sorted(unknown)}")
    directory = path.parent
    findings = []
    for entry in document.get("findings") or []:
        extra = set(entry) - _FINDING_KEYS
        if extra:
            raise ValueError(f"{path}: finding {entry} has unknown keys {sorted(extra)}")
        findings.append(
            ExpectedFinding(
                rule=entry["rule"],
                source=entry["from"],
                destination=entry["to"],
                traffic=parse_traffic(str(entry["traffic"])),
                path_includes=tuple(entry.get("path_includes") or ()),
                state=entry.get("state"),
                depends_on_unknown=(
                    tuple(entry["depends_on_unknown"]) if "depends_on_unknown" in entry else None
                ),
                by_addresses=(
                    frozenset(_part(part) for part in entry["by_addresses"])
                    if "by_addresses" in entry
                    else None
                ),
            )
        )
    return Expectation(
        directory=directory,
        inputs=[directory / name for name in document.get("inputs") or ["plan.json"]],
        rules=[directory / name for name in document.get("rules") or []],
        builtin=bool(document.get("builtin", True)),
        assume_unknown=str(document.get("assume_unknown", "open")),
        findings=findings,
    )


def _part(entry: dict[str, Any]) -> AddressedPart:
    addresses = entry["addresses"]
    return parse_traffic(str(entry["traffic"])), None if addresses == "any" else tuple(addresses)


def parse_traffic(text: str) -> Traffic:
    """'tcp 22, 80-81; udp 53', 'tcp' (every port), 'icmp', 'all', 'all except tcp 80, 443',
    'icmp type 8 code 0, types 10-12' (ICMP messages)."""
    text = text.strip()
    if text.startswith(_EXCEPT):
        return Traffic.everything() - parse_traffic(text[len(_EXCEPT) :])
    traffic = Traffic()
    for entry in text.split(";"):
        protocol, _, port_text = entry.strip().partition(" ")
        protocols = parse_protocol(protocol)
        ports = messages = ALL_PORTS
        if port_text.strip() and protocol in ("icmp", "icmpv6"):
            messages = _messages(port_text.split(","))
        elif port_text.strip():
            if protocols - IntervalSet((number, number) for number in PORTED):
                raise ValueError(f"traffic {text!r}: only tcp and udp take ports")
            ports = ports_from_spec(part for part in port_text.split(","))
        traffic |= Traffic.box(protocols, ALL_ADDRESSES, ports, messages)
    return traffic


# ICMP messages as the expectations write them, read here independently of the report's words.
_MESSAGE = re.compile(r"types? (\d+)(?:-(\d+))?(?: codes? (\d+)(?:-(\d+))?)?")


def _messages(parts: list[str]) -> IntervalSet:
    """ICMP messages: the port axis holds type * 256 + code (see AWS's IcmpTypeCode)."""
    found = IntervalSet()
    for part in parts:
        read = _MESSAGE.fullmatch(part.strip())
        if read is None:
            raise ValueError(f"ICMP messages {part!r}: expected 'type 8', 'type 3 code 4'")
        first, last, low, high = read.groups()
        if last and low:
            raise ValueError(f"ICMP messages {part!r}: codes belong to one type")
        last, low = last or first, low or "0"
        high = high or (low if read.group(3) else "255")
        found |= IntervalSet([(int(first) * 256 + int(low), int(last) * 256 + int(high))])
    return found


def finding_traffic(entries: list[TrafficEntry]) -> Traffic:
    """The protocols and ports of a finding's traffic list, for every address."""
    traffic = Traffic()
    for entry in entries:
        if entry.protocol == "other":
            protocols = IntervalSet(
                _number_range(part) for part in (entry.numbers or "").split(",")
            )
        else:
            protocols = parse_protocol(entry.protocol)
        ports = IntervalSet(entry.ports) if entry.ports else ALL_PORTS
        messages = _messages(entry.messages) if entry.messages else ALL_PORTS
        traffic |= Traffic.box(protocols, ALL_ADDRESSES, ports, messages)
    return traffic


def _number_range(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    return int(low), int(high or low)


def finding_key(finding: Finding) -> Key:
    return (
        finding.rule,
        finding.source.address,
        finding.destination.address,
        finding_traffic(finding.traffic),
    )


def describe(key: Key) -> str:
    rule, source, destination, traffic = key
    return f"{rule}: {source} -> {destination} {traffic.text() or 'none'}"


def compare(expectation: Expectation, report: Report) -> list[str]:
    """Every way the report differs from the expectation, one line each (empty when it agrees)."""
    keys = Counter(finding_key(finding) for finding in report.findings)
    actual = {finding_key(finding): finding for finding in report.findings}
    expected = {finding.key: finding for finding in expectation.findings}
    problems = [f"missing     {describe(key)}" for key in expected if key not in actual]
    problems += [f"unexpected  {describe(key)}" for key in actual if key not in expected]
    problems += [f"{count} times  {describe(key)}" for key, count in keys.items() if count > 1]
    for key, wanted in expected.items():
        found = actual.get(key)
        if found is None:
            continue
        hops = [hop.address for hop in found.path]
        absent = [address for address in wanted.path_includes if address not in hops]
        if absent:
            problems.append(f"path of    {describe(key)} lacks {absent}; path: {hops}")
        if wanted.state is not None and found.state != wanted.state:
            problems.append(f"state of   {describe(key)} is {found.state}, not {wanted.state}")
        unknowns = tuple(found.depends_on_unknown or ())
        if wanted.depends_on_unknown is not None and unknowns != wanted.depends_on_unknown:
            problems.append(
                f"unknowns of {describe(key)} are {list(unknowns)}, "
                f"not {list(wanted.depends_on_unknown)}"
            )
        parts = frozenset(
            (finding_traffic(part.traffic), tuple(part.addresses) if part.addresses else None)
            for part in found.traffic_by_addresses or ()
        )
        if wanted.by_addresses is not None and parts != wanted.by_addresses:
            problems.append(
                f"parts of  {describe(key)} by address are {_parts_text(parts)}, "
                f"not {_parts_text(wanted.by_addresses)}"
            )
    return problems


def _parts_text(parts: frozenset[AddressedPart]) -> str:
    texts = sorted(
        f"{traffic.text()} {list(cidrs) if cidrs else 'any'}" for traffic, cidrs in parts
    )
    return "; ".join(texts) or "none"
