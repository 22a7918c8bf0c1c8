"""The AWS Security Finding Format, for `aws securityhub batch-import-findings`.

One ASFF finding per reachlint finding, in the shape of Security Hub's `AwsSecurityFinding`
(https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_AwsSecurityFinding.html):
the required attributes
(https://docs.aws.amazon.com/securityhub/latest/userguide/asff-required-attributes.html), a
type from the finding-type taxonomy
(https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-findings-format-type-taxonomy.html),
the ends as resources of Security Hub's types (`Other` where none fits), and the traffic in
`Network`. Every text that comes from the input is cut to the attribute's documented length;
JSON's own escaping does the rest.

What a template cannot know, the account and the region, comes from `--account` and `--region`
or is a placeholder (`000000000000`, `us-east-1`) to replace before the import.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from msgspec import Struct

from reachlint.reports.places import primary_place
from reachlint.reports.text import traffic_text, unknowns_text
from reachlint.safe_text import json_text_pieces

if TYPE_CHECKING:
    from reachlint.reports.schema import Report
    from reachlint.rules.findings import EndRef, Finding

PLACEHOLDER_ACCOUNT = "000000000000"
PLACEHOLDER_REGION = "us-east-1"
SCHEMA_VERSION = "2018-10-08"
FINDING_TYPE = "Software and Configuration Checks/AWS Security Best Practices/Network Reachability"

# Documented maximum lengths (AwsSecurityFinding and its parts).
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 1024
ID_LIMIT = 512
RECOMMENDATION_LIMIT = 512
PRODUCT_FIELD_KEY_LIMIT = 128
PRODUCT_FIELD_VALUE_LIMIT = 2048
RESOURCE_ID_LIMIT = 512
OTHER_VALUE_LIMIT = 1023  # "fewer than 1,024 characters" (asff-resourcedetails-other.html)

SEVERITY_LABEL = {"low": "LOW", "medium": "MEDIUM", "high": "HIGH", "critical": "CRITICAL"}

# Security Hub's resource types
# (https://docs.aws.amazon.com/securityhub/latest/userguide/asff-resources.html), by the
# resource type as Terraform and as CloudFormation name it.
_RESOURCE_TYPES: dict[str, str] = {
    "aws_instance": "AwsEc2Instance",
    "AWS::EC2::Instance": "AwsEc2Instance",
    "aws_network_interface": "AwsEc2NetworkInterface",
    "AWS::EC2::NetworkInterface": "AwsEc2NetworkInterface",
    "aws_lb": "AwsElbv2LoadBalancer",
    "aws_alb": "AwsElbv2LoadBalancer",
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "AwsElbv2LoadBalancer",
    "aws_elb": "AwsElbLoadBalancer",
    "AWS::ElasticLoadBalancing::LoadBalancer": "AwsElbLoadBalancer",
    "aws_db_instance": "AwsRdsDbInstance",
    "AWS::RDS::DBInstance": "AwsRdsDbInstance",
    "aws_rds_cluster": "AwsRdsDbCluster",
    "aws_rds_cluster_instance": "AwsRdsDbInstance",
    "AWS::RDS::DBCluster": "AwsRdsDbCluster",
    "aws_lambda_function": "AwsLambdaFunction",
    "AWS::Lambda::Function": "AwsLambdaFunction",
    "aws_autoscaling_group": "AwsAutoScalingAutoScalingGroup",
    "AWS::AutoScaling::AutoScalingGroup": "AwsAutoScalingAutoScalingGroup",
    "aws_ecs_service": "AwsEcsService",
    "AWS::ECS::Service": "AwsEcsService",
    "aws_eks_cluster": "AwsEksCluster",
    "AWS::EKS::Cluster": "AwsEksCluster",
    "aws_elasticache_cluster": "AwsElastiCacheCacheCluster",
    "AWS::ElastiCache::CacheCluster": "AwsElastiCacheCacheCluster",
    "aws_redshift_cluster": "AwsRedshiftCluster",
    "AWS::Redshift::Cluster": "AwsRedshiftCluster",
    "aws_opensearch_domain": "AwsOpenSearchServiceDomain",
    "AWS::OpenSearchService::Domain": "AwsOpenSearchServiceDomain",
    "aws_elasticsearch_domain": "AwsElasticsearchDomain",
    "AWS::Elasticsearch::Domain": "AwsElasticsearchDomain",
    "aws_dms_replication_instance": "AwsDmsReplicationInstance",
    "AWS::DMS::ReplicationInstance": "AwsDmsReplicationInstance",
    "aws_msk_cluster": "AwsMskCluster",
    "AWS::MSK::Cluster": "AwsMskCluster",
    "aws_security_group": "AwsEc2SecurityGroup",
    "AWS::EC2::SecurityGroup": "AwsEc2SecurityGroup",
    "aws_subnet": "AwsEc2Subnet",
    "AWS::EC2::Subnet": "AwsEc2Subnet",
    "aws_vpc": "AwsEc2Vpc",
    "AWS::EC2::VPC": "AwsEc2Vpc",
    "aws_vpn_connection": "AwsEc2VpnConnection",
    "AWS::EC2::VPNConnection": "AwsEc2VpnConnection",
}
_AZURE_TYPE = re.compile(r"^(?:Microsoft\.|azurerm_)", re.IGNORECASE)


class AsffContext(Struct, frozen=True):
    """What the template cannot say: the account and region the findings are imported into."""

    account: str = PLACEHOLDER_ACCOUNT
    region: str = PLACEHOLDER_REGION


def render_asff(report: Report, context: AsffContext | None = None) -> str:
    """The findings as a JSON list of ASFF findings (`--findings file://...`)."""
    return "".join(asff_pieces(report, context))


def asff_pieces(report: Report, context: AsffContext | None = None) -> Iterator[str]:
    """render_asff's text in pieces, a finding at a time (see json_text_pieces)."""
    context = context or AsffContext()
    now = _timestamp()
    findings = (_finding(finding, report, context, now) for finding in report.findings)
    document: list[dict[str, Any]] = []
    yield from json_text_pieces(document, document, findings)
    yield "\n"


def product_arn(context: AsffContext) -> str:
    """The account's own default product, which accepts findings it imports itself."""
    return (
        f"arn:aws:securityhub:{context.region}:{context.account}:product/{context.account}/default"
    )


def _timestamp() -> str:
    """Now in RFC 3339, or SOURCE_DATE_EPOCH's time for reproducible output."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    moment = datetime.now(UTC)
    if epoch.isdecimal():
        with contextlib.suppress(OverflowError, OSError, ValueError):  # out of datetime's range
            moment = datetime.fromtimestamp(int(epoch), UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _finding(finding: Finding, report: Report, context: AsffContext, now: str) -> dict[str, Any]:
    from reachlint.rules.findings import fingerprint

    identity = finding.fingerprint or fingerprint(
        finding.rule, finding.source.address, finding.destination.address, finding.traffic
    )
    place = primary_place(finding, report.inputs)
    where = str(place)
    product_fields = {
        "reachlint/Rule": finding.rule,
        "reachlint/Tool": finding.tool,
        "reachlint/Source": finding.source.address,
        "reachlint/Destination": finding.destination.address,
        "reachlint/Traffic": traffic_text(finding.traffic),
        "reachlint/Location": where,
        "reachlint/Fingerprint": identity,
    }
    if finding.depends_on_unknown:
        product_fields["reachlint/DependsOnUnknown"] = ", ".join(unknowns_text(finding))
    if finding.suppressed is not None:
        product_fields["reachlint/Suppressed"] = finding.suppressed.reason
    document: dict[str, Any] = {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": _cut(f"reachlint/{identity}", ID_LIMIT),
        "ProductArn": product_arn(context),
        "GeneratorId": _cut(f"reachlint/{finding.rule}", ID_LIMIT),
        "AwsAccountId": context.account,
        "Types": [FINDING_TYPE],
        "CreatedAt": now,
        "UpdatedAt": now,
        "Severity": {"Label": SEVERITY_LABEL[finding.severity]},
        "Title": _cut(finding.title or finding.rule, TITLE_LIMIT),
        "Description": _cut(_description(finding, where), DESCRIPTION_LIMIT),
        "Remediation": {
            "Recommendation": {"Text": _cut(_recommendation(finding), RECOMMENDATION_LIMIT)}
        },
        "ProductFields": {
            _cut(key, PRODUCT_FIELD_KEY_LIMIT): _cut(value, PRODUCT_FIELD_VALUE_LIMIT)
            for key, value in product_fields.items()
            if value.strip()
        },
        "Resources": _resources(finding, context),
        "RecordState": "ACTIVE",
        "Workflow": {"Status": "SUPPRESSED" if finding.suppressed is not None else "NEW"},
    }
    if finding.guideline and finding.guideline.startswith(("https://", "http://")):
        document["Remediation"]["Recommendation"]["Url"] = finding.guideline
    network = _network(finding)
    if network:
        document["Network"] = network
    return document


def _description(finding: Finding, where: str) -> str:
    """The traffic, where it is opened and the path with what each hop does (cut at the end)."""
    parts = [finding.message + ".", f"Opened at {where}."]
    if finding.depends_on_unknown:
        parts.append(
            f"Depends on values known only after apply: {', '.join(unknowns_text(finding))}."
        )
    hops = [f"{hop.address} ({hop.detail})" if hop.detail else hop.address for hop in finding.path]
    ends = [finding.source.address, *hops, finding.destination.address]
    parts.append(f"Path: {' -> '.join(ends)}.")
    return " ".join(parts)


def _recommendation(finding: Finding) -> str:
    if finding.tool == "checkov":
        return f"Fix the resource as checkov's check {finding.rule} describes."
    return (
        f"Close {traffic_text(finding.traffic)} from {finding.source.address} to "
        f"{finding.destination.address} at the filter rule or route on its path that admits it, "
        f"or allow it in rule {finding.rule} if it is intended."
    )


def _resources(finding: Finding, context: AsffContext) -> list[dict[str, Any]]:
    resources: list[dict[str, Any]] = []
    seen: set[str] = set()
    # The destination first: Security Hub shows the first resource as the finding's own.
    for role, end in (("destination", finding.destination), ("source", finding.source)):
        # The internet is no resource: its addresses are in Network.
        if end.kind != "internet" and end.address not in seen:
            seen.add(end.address)
            resources.append(_resource(end, role, context))
    return resources


def _resource(end: EndRef, role: str, context: AsffContext) -> dict[str, Any]:
    kind = _RESOURCE_TYPES.get(end.type or "", "Other")
    other = {"Role": role, "Kind": end.kind}
    if end.type:
        other["InputType"] = end.type
    if end.file:
        other["File"] = f"{end.file}:{end.line}" if end.line else end.file
    resource: dict[str, Any] = {
        "Type": kind,
        "Id": _cut(end.address, RESOURCE_ID_LIMIT),
        "Details": {"Other": {key: _cut(value, OTHER_VALUE_LIMIT) for key, value in other.items()}},
    }
    # An Azure resource has no AWS partition or region; "AzureCloud" is a partition only in
    # newer Security Hub models (checkov's botocore rejects it), so it is left out.
    if not (end.type and _AZURE_TYPE.match(end.type)):
        resource["Partition"] = "aws"
        resource["Region"] = context.region
    return resource


def _network(finding: Finding) -> dict[str, Any]:
    """Direction, protocol and port where the finding has one of each; external addresses."""
    network: dict[str, Any] = {}
    if finding.source.kind in {"internet", "onprem"}:
        network["Direction"] = "IN"
    elif finding.destination.kind in {"internet", "onprem"}:
        network["Direction"] = "OUT"
    protocols = {entry.protocol for entry in finding.traffic}
    if len(protocols) == 1:
        protocol = next(iter(protocols))
        if protocol in {"tcp", "udp", "icmp"}:
            network["Protocol"] = protocol.upper()
    if len(finding.traffic) == 1 and finding.traffic[0].ports:
        ranges = finding.traffic[0].ports
        if len(ranges) == 1:
            low, high = ranges[0]
            if low == high:
                network["DestinationPort"] = low
            else:
                network["OpenPortRange"] = {"Begin": low, "End": high}
    single = _single_ipv4(finding.addresses)
    if single is not None:
        key = "SourceIpV4" if network.get("Direction") == "IN" else "DestinationIpV4"
        if network.get("Direction") in {"IN", "OUT"}:
            network[key] = single
    return network


def _single_ipv4(addresses: list[str] | None) -> str | None:
    """The one IPv4 address the external end narrows to, if it is exactly one."""
    if not addresses or len(addresses) != 1:
        return None
    text = addresses[0]
    if text.endswith("/32") and text.count(".") == 3:
        return text[:-3]
    return None


def _cut(text: str, limit: int) -> str:
    """`text` within `limit` characters, marked as cut; never empty (ASFF wants some text)."""
    text = text if text.strip() else "-"
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "…"
