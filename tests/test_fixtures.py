"""Every fixture with an expected.yaml yields exactly the findings it lists."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import jsonschema
import msgspec
import pytest
from expectations import (
    FIXTURES,
    compare,
    finding_traffic,
    load_expectation,
    parse_traffic,
)

from reachlint.model.traffic import ALL_PORTS, IntervalSet, Traffic, parse_protocol, ports_from_spec
from reachlint.reports.schema import Report, report_schema
from reachlint.rules.findings import TrafficEntry

CASES = sorted(FIXTURES.glob("**/expected*.yaml"))


def _name(case: Path) -> str:
    name = case.parent.relative_to(FIXTURES).as_posix()
    return name if case.name == "expected.yaml" else f"{name}/{case.stem}"


@cache
def _report(case: Path) -> Report:
    from reachlint.commands.check import run_check

    expectation = load_expectation(case)
    assume_unknown = "closed" if expectation.assume_unknown == "closed" else "open"
    return run_check(
        expectation.inputs,
        expectation.rules,
        builtin=expectation.builtin,
        assume_unknown=assume_unknown,
    )


@pytest.mark.parametrize("case", CASES, ids=_name)
def test_fixture_findings_are_exactly_the_expected_ones(case: Path) -> None:
    expectation = load_expectation(case)
    problems = compare(expectation, _report(case))
    assert not problems, f"{_name(case)}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("case", CASES, ids=_name)
def test_fixture_report_renders_and_matches_its_schema(case: Path) -> None:
    from reachlint.reports import render

    report = _report(case)
    document = json.loads(render(report, "json"))
    jsonschema.validate(document, report_schema(Report))
    text = render(report, "text")
    assert text.splitlines()[-1].startswith(("No findings", f"{len(report.findings)} finding"))


@pytest.mark.parametrize("case", CASES, ids=_name)
def test_fixture_asff_fits_security_hubs_finding_shape(case: Path) -> None:
    """Every fixture's findings import into Security Hub as they are written."""
    from asff_shape import asff_problems

    from reachlint.reports import render

    report = _report(case)
    findings = json.loads(render(report, "asff"))
    assert len(findings) == len(report.findings)
    if findings:
        assert not asff_problems(findings), asff_problems(findings)


def _tcp(*ports: str) -> Traffic:
    return Traffic.box(parse_protocol("tcp"), ports=ports_from_spec(ports))


@pytest.mark.parametrize(
    ("text", "traffic"),
    [
        ("tcp 22, 80-81", _tcp("22", "80-81")),
        ("tcp", _tcp("0-65535")),
        (
            "tcp 22; udp 53",
            _tcp("22") | Traffic.box(parse_protocol("udp"), ports=IntervalSet([(53, 53)])),
        ),
        ("icmp", Traffic.box(parse_protocol("icmp"))),
        ("all", Traffic.everything()),
        ("all except tcp 80, 443", Traffic.everything() - _tcp("80", "443")),
    ],
)
def test_expected_traffic_grammar(text: str, traffic: Traffic) -> None:
    assert parse_traffic(text) == traffic


def test_expected_traffic_rejects_ports_on_icmp() -> None:
    with pytest.raises(ValueError, match="expected 'type 8'"):
        parse_traffic("icmp 8")
    with pytest.raises(ValueError, match="only tcp and udp"):
        parse_traffic("all 8")


@pytest.mark.parametrize(
    "traffic",
    [
        Traffic.everything(),
        Traffic.everything() - _tcp("80", "443"),
        _tcp("0-79", "81-442", "444-65535") | Traffic.box(parse_protocol("icmp")),
        Traffic.box(IntervalSet([(47, 47), (50, 51)]), ports=ALL_PORTS),
    ],
    ids=["all", "all-but-web", "tcp-ranges-and-icmp", "gre-esp-ah"],
)
def test_report_traffic_list_reads_back_as_the_same_set(traffic: Traffic) -> None:
    entries = [msgspec.convert(entry, TrafficEntry) for entry in traffic.describe()]
    assert finding_traffic(entries) == traffic


SYMBOLIC = sorted(
    path.parent
    for path in FIXTURES.glob("azure/*/template.symbolic.json")
    if (path.parent / "expected.yaml").exists()
)


@pytest.mark.parametrize("directory", SYMBOLIC, ids=_name)
def test_symbolic_dialect_gives_the_same_findings(directory: Path) -> None:
    """Bicep's languageVersion 2.0 output and the classic template are one deployment."""
    from reachlint.commands.check import run_check

    expectation = load_expectation(directory / "expected.yaml")
    symbolic = [directory / "template.symbolic.json"]
    report = run_check(symbolic, expectation.rules, builtin=expectation.builtin)
    problems = compare(expectation, report)
    assert not problems, f"{_name(directory)} (symbolic):\n  " + "\n  ".join(problems)
