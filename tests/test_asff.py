"""`check --format asff`: findings for `aws securityhub batch-import-findings`.

What each attribute holds follows Security Hub's documentation: the required attributes
(https://docs.aws.amazon.com/securityhub/latest/userguide/asff-required-attributes.html), the
finding-type taxonomy (namespace/category/classifier,
https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-findings-format-type-taxonomy.html),
the resource types (https://docs.aws.amazon.com/securityhub/latest/userguide/asff-resources.html)
and a product ARN for an account's own findings, `product/ACCOUNT/default`
(https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-custom-providers.html).
"""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest
from asff_shape import asff_problems
from expectations import AWS_FIXTURES, FIXTURES
from typer.testing import CliRunner

from reachlint.commands.check import run_check
from reachlint.commands.cli import app
from reachlint.reports import render
from reachlint.reports.asff import AsffContext
from reachlint.reports.schema import Report, Summary, Tool
from reachlint.rules.findings import EndRef, Finding, HopRef, Suppression, TrafficEntry

NONCOMPLIANT = AWS_FIXTURES / "naa-noncompliant"
AZURE_WEB = FIXTURES / "azure" / "public-web"


def _asff(report: Report, context: AsffContext | None = None) -> list[dict[str, object]]:
    findings: list[dict[str, object]] = json.loads(render(report, "asff", asff=context))
    return findings


def _noncompliant() -> Report:
    return run_check([NONCOMPLIANT / "plan.json"], [NONCOMPLIANT / "rules.yaml"], builtin=False)


def _by_rule(findings: list[dict[str, object]], rule: str) -> dict[str, object]:
    return next(f for f in findings if f["GeneratorId"] == f"reachlint/{rule}")


def test_internet_ingress_is_an_inbound_finding_on_the_instance() -> None:
    """SSH open to the world on the web server: inbound TCP 22 to an EC2 instance, HIGH."""
    finding = _by_rule(_asff(_noncompliant()), "INTERNET-ONLY-WEB")
    assert finding["Severity"] == {"Label": "HIGH"}
    assert finding["Network"] == {"Direction": "IN", "Protocol": "TCP", "DestinationPort": 22}
    resources = finding["Resources"]
    assert isinstance(resources, list)
    assert [(r["Type"], r["Id"]) for r in resources] == [("AwsEc2Instance", "aws_instance.web")]
    assert finding["Types"] == [
        "Software and Configuration Checks/AWS Security Best Practices/Network Reachability"
    ]
    assert finding["RecordState"] == "ACTIVE"
    assert finding["Workflow"] == {"Status": "NEW"}
    description = str(finding["Description"])
    assert "tcp 22" in description and "aws_internet_gateway.business" in description
    fields = finding["ProductFields"]
    assert isinstance(fields, dict)
    # The line that opens the path: the SSH ingress block of aws_security_group.web.
    assert fields["reachlint/Location"].endswith("naa-noncompliant/business.tf:64")


def test_egress_to_the_internet_is_outbound_and_both_ends_are_instances() -> None:
    findings = _asff(_noncompliant())
    egress = _by_rule(findings, "EGRESS-ONLY-UPDATES")
    assert egress["Network"] == {"Direction": "OUT", "Protocol": "TCP", "DestinationPort": 443}
    assert [r["Id"] for r in egress["Resources"]] == ["aws_instance.directory"]  # type: ignore[attr-defined]
    peers = _by_rule(findings, "BUSINESS-TO-DIRECTORY-DNS-ONLY")
    assert "Direction" not in peers["Network"]  # type: ignore[operator]
    assert [(r["Type"], r["Id"]) for r in peers["Resources"]] == [  # type: ignore[attr-defined]
        ("AwsEc2Instance", "aws_instance.directory"),
        ("AwsEc2Instance", "aws_instance.web"),
    ]


def test_the_id_is_the_fingerprint_and_stays_the_same() -> None:
    report = _noncompliant()
    first, second = _asff(report), _asff(_noncompliant())
    assert [f["Id"] for f in first] == [f["Id"] for f in second]
    assert [f["Id"] for f in first] == [f"reachlint/{f.fingerprint}" for f in report.findings]
    assert len({f["Id"] for f in first}) == len(first)


def test_account_and_region_fill_the_product_arn_and_resources() -> None:
    findings = _asff(_noncompliant(), AsffContext("123456789012", "eu-west-1"))
    for finding in findings:
        assert finding["AwsAccountId"] == "123456789012"
        assert finding["ProductArn"] == (
            "arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default"
        )
        for resource in finding["Resources"]:  # type: ignore[attr-defined]
            assert resource["Partition"] == "aws" and resource["Region"] == "eu-west-1"


def test_without_account_and_region_the_placeholders_are_written() -> None:
    finding = _asff(_noncompliant())[0]
    assert finding["AwsAccountId"] == "000000000000"
    assert finding["ProductArn"] == (
        "arn:aws:securityhub:us-east-1:000000000000:product/000000000000/default"
    )


def test_source_date_epoch_makes_the_output_reproducible(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    report = _noncompliant()
    text = render(report, "asff")
    assert text == render(report, "asff")
    finding = json.loads(text)[0]
    assert finding["CreatedAt"] == finding["UpdatedAt"] == "2023-11-14T22:13:20.000Z"


def test_azure_ends_are_other_resources_outside_aws_partitions() -> None:
    report = run_check([AZURE_WEB / "template.json"], [AZURE_WEB / "rules.yaml"], builtin=False)
    findings = _asff(report)
    assert findings
    for finding in findings:
        resources = finding["Resources"]
        assert isinstance(resources, list)
        assert [(r["Type"], r.get("Partition"), r.get("Region")) for r in resources] == [
            ("Other", None, None)
        ]
        assert str(resources[0]["Id"]).startswith("Microsoft.Compute/virtualMachines/web-vm-")
    assert not asff_problems(findings)


def _report(finding: Finding) -> Report:
    return Report(
        tool=Tool(version="test"),
        inputs=["main.tf"],
        findings=[finding],
        summary=Summary(findings=1, by_severity={finding.severity: 1}, rules=1, endpoints=2),
    )


def _finding(**changes: object) -> Finding:
    values: dict[str, object] = {
        "rule": "R",
        "severity": "medium",
        "title": "t",
        "message": "m",
        "from": EndRef(address="internet", kind="internet"),
        "to": EndRef(address="aws_instance.a", kind="instance", type="aws_instance"),
        "traffic": [TrafficEntry(protocol="tcp", ports=[(22, 22)])],
        "path": [],
    }
    values.update(changes)
    return msgspec.convert(values, Finding)


def test_a_suppressed_finding_is_imported_as_suppressed() -> None:
    suppressed = Suppression(kind="baseline", reason="accepted risk", file="b.json", line=3)
    finding = _asff(_report(_finding(suppressed=suppressed)))[0]
    assert finding["Workflow"] == {"Status": "SUPPRESSED"}
    assert finding["ProductFields"]["reachlint/Suppressed"] == "accepted risk"  # type: ignore[index]


def test_several_ports_are_a_range_or_left_out() -> None:
    ranged = _finding(traffic=[TrafficEntry(protocol="tcp", ports=[(1000, 2000)])])
    assert _asff(_report(ranged))[0]["Network"] == {
        "Direction": "IN",
        "Protocol": "TCP",
        "OpenPortRange": {"Begin": 1000, "End": 2000},
    }
    mixed = _finding(
        traffic=[
            TrafficEntry(protocol="tcp", ports=[(22, 22), (80, 80)]),
            TrafficEntry(protocol="udp", ports=[(53, 53)]),
        ]
    )
    assert _asff(_report(mixed))[0]["Network"] == {"Direction": "IN"}


def test_one_outside_address_is_the_source_ip() -> None:
    narrowed = _finding(addresses=["203.0.113.7/32"])
    network = _asff(_report(narrowed))[0]["Network"]
    assert network["SourceIpV4"] == "203.0.113.7"  # type: ignore[index]
    wide = _finding(addresses=["203.0.113.0/24"])
    assert "SourceIpV4" not in _asff(_report(wide))[0]["Network"]  # type: ignore[operator]


def test_hostile_text_is_bounded_and_still_fits_the_shape() -> None:
    """Addresses, titles and messages come from the pull request: any length, any character."""
    hostile = 'x\n\u202e\x1b[31m"}]\ud800' * 2000
    finding = _finding(
        rule="R" * 5000,
        title=hostile,
        message=hostile,
        to=EndRef(address=hostile, kind="instance", type=hostile, file=hostile, line=1),
        path=[HopRef(address=hostile, kind="route", detail=hostile)],
        depends_on_unknown=[hostile],
    )
    text = render(_report(finding), "asff")
    findings = json.loads(text)
    assert not asff_problems(findings), asff_problems(findings)
    only = findings[0]
    assert len(only["Title"]) <= 256 and len(only["Description"]) <= 1024
    assert len(only["GeneratorId"]) <= 512
    assert only["Resources"][0]["Type"] == "Other"


def test_blank_texts_are_never_written_empty() -> None:
    """ASFF's strings must hold a non-blank character (pattern .*\\S.*)."""
    finding = _finding(title="   ", to=EndRef(address=" ", kind="instance"))
    assert not asff_problems(_asff(_report(finding)))


def test_the_shape_check_refuses_what_security_hub_refuses() -> None:
    """The validation used for every fixture can fail."""
    good = _asff(_report(_finding()))
    assert not asff_problems(good)
    for key, value in [
        ("Title", "t" * 257),
        ("RecordState", "OPEN"),
        ("Severity", {"Label": "SEVERE"}),
        ("Resources", [{"Type": "Other"}]),
        ("Description", " "),
    ]:
        broken = [dict(good[0], **{key: value})]
        assert asff_problems(broken), key
    missing = {k: v for k, v in good[0].items() if k != "AwsAccountId"}
    assert asff_problems([missing])


def _cli(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, [str(arg) for arg in args])
    return result.exit_code, result.output


def test_cli_writes_asff_with_account_and_region(tmp_path: Path) -> None:
    out = tmp_path / "findings.json"
    code, _ = _cli(
        "check",
        NONCOMPLIANT / "plan.json",
        "--rules",
        NONCOMPLIANT / "rules.yaml",
        "--no-builtin",
        "--format",
        "asff",
        "--account",
        "210987654321",
        "--region",
        "ap-southeast-2",
        "--output",
        out,
    )
    assert code == 1  # the findings still decide the exit code
    findings = json.loads(out.read_text())
    assert {f["AwsAccountId"] for f in findings} == {"210987654321"}
    assert not asff_problems(findings)


@pytest.mark.parametrize(
    ("option", "value"), [("--account", "12345"), ("--region", "Europe West"), ("--account", "")]
)
def test_a_malformed_account_or_region_is_a_usage_error(option: str, value: str) -> None:
    code, output = _cli("check", NONCOMPLIANT / "plan.json", "--format", "asff", option, value)
    assert code == 2
    assert option in output and "Traceback" not in output


def test_diff_has_no_asff_format() -> None:
    plan = NONCOMPLIANT / "plan.json"
    code, output = _cli("diff", plan, plan, "--format", "asff")
    assert code == 2 and "unknown --format 'asff'" in output


def test_the_report_schema_gives_an_end_its_resource_type() -> None:
    """The JSON report's ends carry the input's resource type, which ASFF's types come from."""
    code, output = _cli("schema", "report")
    assert code == 0
    end = json.loads(output)["$defs"]["EndRef"]["properties"]
    assert end["type"]["anyOf"] == [{"type": "string"}, {"type": "null"}]
    report = run_check([NONCOMPLIANT / "plan.json"], [NONCOMPLIANT / "rules.yaml"], builtin=False)
    document = json.loads(render(report, "json"))
    ends = [(f["to"]["address"], f["to"].get("type")) for f in document["findings"]]
    assert ("aws_instance.web", "aws_instance") in ends
    assert all(
        "type" not in f["from"] for f in document["findings"] if f["from"]["address"] == "internet"
    )
