"""One network written in Terraform and in CloudFormation gives the same findings, ends and hops,
names aside: fixtures/parity/shop, with names.yaml pairing each Terraform address with the
template's logical id."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from reachlint.commands.check import run_check
from reachlint.reports.schema import Report

SHOP = Path(__file__).resolve().parents[2] / "fixtures" / "parity" / "shop"


def _names() -> dict[str, str]:
    pairs = yaml.safe_load((SHOP / "names.yaml").read_text())
    assert isinstance(pairs, dict)
    return {str(k): str(v) for k, v in pairs.items()}


def _element(address: str, names: dict[str, str]) -> str:
    """An address in the template's names: a resource, or an element AWS gives a resource
    (`aws_vpc.shop.default_network_acl`), or a rule inside a resource."""
    for terraform, logical_id in sorted(names.items(), key=lambda pair: -len(pair[0])):
        if address == terraform or address.startswith(terraform + "."):
            return logical_id + address[len(terraform) :]
    return address


def _shape(report: Report, rename: dict[str, str] | None) -> list[tuple[Any, ...]]:
    def name(address: str) -> str:
        return _element(address, rename) if rename is not None else address

    shape = []
    for finding in report.findings:
        hops = tuple((name(hop.address).split(".")[0], hop.kind) for hop in finding.path)
        shape.append(
            (
                finding.rule,
                name(finding.source.address),
                name(finding.destination.address),
                tuple((entry.protocol, tuple(entry.ports or ())) for entry in finding.traffic),
                hops,
                finding.state,
                tuple(finding.depends_on_unknown or ()),
            )
        )
    return sorted(shape)


def test_terraform_and_cloudformation_give_the_same_findings_ends_and_hops() -> None:
    rules = [SHOP / "rules.yaml"]
    terraform = run_check([SHOP / "terraform" / "plan.json"], rules)
    cloudformation = run_check([SHOP / "cloudformation" / "template.yaml"], rules)
    assert terraform.findings, "the shop network has findings to compare"
    assert _shape(terraform, _names()) == _shape(cloudformation, None)


def test_the_two_inputs_model_the_same_endpoints_and_every_flow() -> None:
    from reachlint.engine.flows import External
    from reachlint.engine.reach import compute_reachability
    from reachlint.inputs.load import build_model

    names = _names()
    terraform = build_model([SHOP / "terraform" / "plan.json"])
    cloudformation = build_model([SHOP / "cloudformation" / "template.yaml"])
    assert {(_element(a, names), e.kind) for a, e in terraform.endpoints.items()} == {
        (a, e.kind) for a, e in cloudformation.endpoints.items()
    }

    def flows(model: Any, rename: dict[str, str] | None) -> set[tuple[Any, ...]]:
        def name(address: str) -> str:
            return _element(address, rename) if rename is not None else address

        def end(value: Any) -> tuple[str, ...]:
            if isinstance(value, External):
                return (value.address,)
            return tuple(sorted(name(member.endpoint) for member in value.members))

        return {
            (end(flow.source), end(flow.destination), flow.traffic, flow.state)
            for flow in compute_reachability(model).flows
        }

    terraform_flows = flows(terraform, names)
    assert len(terraform_flows) > 5
    assert terraform_flows == flows(cloudformation, None)
