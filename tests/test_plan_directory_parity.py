"""A Terraform directory and the plan made from it give the same model and the same findings."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from expectations import AWS_FIXTURES, compare, load_expectation

from reachlint.commands.check import run_check
from reachlint.inputs.load import build_model
from reachlint.model.network import NetworkModel

PAIRED = sorted(
    path.parent
    for path in AWS_FIXTURES.glob("**/plan.json")
    if any(path.parent.glob("*.tf")) and (path.parent / "expected.yaml").exists()
)


def _name(directory: Path) -> str:
    return directory.relative_to(AWS_FIXTURES).as_posix()


@cache
def _models(directory: Path) -> tuple[NetworkModel, NetworkModel]:
    return build_model([directory / "plan.json"]), build_model([directory])


def _shape(model: NetworkModel) -> dict[str, object]:
    """What reachability depends on, without ids that exist only after apply."""
    return {
        "endpoints": {
            address: (
                endpoint.kind,
                sorted(
                    (i.subnet, i.network, i.public, tuple(sorted(i.security_groups)))
                    for i in endpoint.interfaces
                ),
                # Tags: the plan's as the provider computed them, the directory's as reachlint
                # reads the configuration (default tags included).
                endpoint.tags,
                sorted(endpoint.unknown_tags),
                endpoint.tags_unknown is not None,
            )
            for address, endpoint in model.endpoints.items()
        },
        "subnets": {
            a: (s.network, s.cidrs, s.route_table, s.network_acl) for a, s in model.subnets.items()
        },
        "rules": sorted(
            (
                g.address,
                r.direction,
                r.protocol,
                str(r.ports),
                tuple(r.cidrs),
                tuple(r.security_groups),
                r.self_reference,
            )
            for g in model.security_groups.values()
            for r in g.rules
        ),
        "acl_entries": sorted(
            (a.address, e.rule_number, e.egress, e.allow, e.protocol, e.cidr, str(e.ports))
            for a in model.network_acls.values()
            for e in a.entries
        ),
        "routes": sorted(
            (t.address, r.destination or "", r.target_kind, r.target or "")
            for t in model.route_tables.values()
            for r in t.routes
        ),
    }


@pytest.mark.parametrize("directory", PAIRED, ids=_name)
def test_directory_and_plan_build_the_same_model(directory: Path) -> None:
    from_plan, from_directory = _models(directory)
    assert _shape(from_directory) == _shape(from_plan)


@pytest.mark.parametrize("directory", PAIRED, ids=_name)
def test_directory_gives_the_findings_of_its_plan(directory: Path) -> None:
    expectation = load_expectation(directory / "expected.yaml")
    report = run_check(
        [directory],
        expectation.rules,
        builtin=expectation.builtin,
        assume_unknown="closed" if expectation.assume_unknown == "closed" else "open",
    )
    problems = compare(expectation, report)
    assert not problems, f"{_name(directory)}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("directory", PAIRED, ids=_name)
def test_plan_findings_point_at_the_configuration(directory: Path) -> None:
    expectation = load_expectation(directory / "expected.yaml")
    report = run_check([directory / "plan.json"], expectation.rules, builtin=expectation.builtin)
    for finding in report.findings:
        for end in (finding.source, finding.destination):
            if end.kind not in {"internet", "onprem"}:
                assert end.file is not None and end.file.endswith(".tf"), end
                assert end.line is not None
        for hop in finding.path:
            if hop.kind in {"security-group-rule", "route", "network-acl-entry", "listener"}:
                if ".default_" in hop.address or ".main_route_table" in hop.address:
                    continue  # AWS defaults that no file declares
                assert hop.file is not None and hop.line is not None, hop


@pytest.mark.parametrize("directory", PAIRED, ids=_name)
def test_plan_and_directory_point_at_the_same_blocks(directory: Path) -> None:
    """Every hop of every finding names the same file and line from the plan as from the
    directory: set elements (inline rules, routes, listeners) are matched by content."""
    expectation = load_expectation(directory / "expected.yaml")

    def lines(given: Path) -> dict[tuple[str, str, str], list[tuple[str, str | None, int | None]]]:
        report = run_check([given], expectation.rules, builtin=expectation.builtin)
        return {
            (f.rule, f.source.address, f.destination.address): sorted(
                (hop.address, hop.file, hop.line) for hop in f.path
            )
            for f in report.findings
        }

    assert lines(directory / "plan.json") == lines(directory)
