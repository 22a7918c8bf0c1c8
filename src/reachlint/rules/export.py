"""Rules written out as Network Access Scopes, for Network Access Analyzer after deployment.

Each rule the scope language can say becomes the input of
`aws ec2 create-network-insights-access-scope --cli-input-json`: its matches as `MatchPaths`,
its allow entries as `ExcludePaths`, its id, severity and title as tags (which reachlint
reads back). Resources keep the names the input gives them (Terraform addresses,
CloudFormation logical ids), to be replaced with the deployed ids before the scope is created.

What a scope cannot say, the rule is left out for, with the reason: tags and globs (a scope
names resources by id or type), `not`, two conditions on one end at once, protocols other than
tcp and udp, `same`, replies that are dropped, `only_if`, `defers_to`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from msgspec import Struct

from reachlint.model.traffic import (
    ALL_PORTS,
    ALL_PROTOCOLS,
    TCP,
    UDP,
    IntervalSet,
    addresses_as_cidrs,
)
from reachlint.rules.ruleset import Entry, Rule, RuleSet
from reachlint.rules.scopes import SEVERITY_TAG, TITLE_TAG
from reachlint.rules.selectors import AllOf, AnyOf, Cidrs, Not, Patterns, Selector, Tags, Word

TAG_VALUE_LIMIT = 256  # an EC2 tag value's maximum length
TCP_AND_UDP = IntervalSet([(TCP, TCP), (UDP, UDP)])
_WORD_TYPES = {
    "internet": "AWS::EC2::InternetGateway",
    "onprem": "AWS::EC2::VPNGateway",
    "endpoints": "AWS::EC2::NetworkInterface",
}
# An end's kind or resource type -> the scope's resource types (only those a scope accepts).
_END_KINDS = {
    "instance": ("AWS::EC2::Instance",),
    "vpc-endpoint": ("AWS::EC2::VPCEndpoint",),
    "load-balancer": (
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "AWS::ElasticLoadBalancing::LoadBalancer",
    ),
}
_END_TYPES = {
    "aws_instance": "AWS::EC2::Instance",
    "AWS::EC2::Instance": "AWS::EC2::Instance",
    "aws_vpc_endpoint": "AWS::EC2::VPCEndpoint",
    "AWS::EC2::VPCEndpoint": "AWS::EC2::VPCEndpoint",
}
_THROUGH_KINDS = {
    "internet-gateway": "AWS::EC2::InternetGateway",
    "nat-gateway": "AWS::EC2::NatGateway",
    "peering": "AWS::EC2::VPCPeeringConnection",
    "transit-gateway": "AWS::EC2::TransitGatewayAttachment",
    "vpn-gateway": "AWS::EC2::VPNGateway",
    "load-balancer": "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "firewall": "AWS::NetworkFirewall::Firewall",
    "gateway-endpoint": "AWS::EC2::VPCEndpoint",
}
_THROUGH_TYPES = {
    "aws_internet_gateway": "AWS::EC2::InternetGateway",
    "aws_nat_gateway": "AWS::EC2::NatGateway",
    "aws_vpc_peering_connection": "AWS::EC2::VPCPeeringConnection",
    "aws_ec2_transit_gateway": "AWS::EC2::TransitGatewayAttachment",
    "aws_vpn_gateway": "AWS::EC2::VPNGateway",
    "aws_lb": "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "aws_alb": "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "aws_elb": "AWS::ElasticLoadBalancing::LoadBalancer",
    "aws_networkfirewall_firewall": "AWS::NetworkFirewall::Firewall",
}
_NAME_KEYS = ("addresses", "networks", "subnets", "security_groups")


class Unexpressible(Exception):
    """What the scope language cannot say; the message is the reason."""


class Exported(Struct, frozen=True):
    rule: str
    document: dict[str, Any] | None = None
    reason: str | None = None


def export_scopes(rules: RuleSet, ids: Mapping[str, str] | None = None) -> list[Exported]:
    """Each rule as a scope document, or the reason it cannot be one.

    `ids`: the deployed id of a resource by its address, where the input knows it (a plan's
    prior state): the scope names it so; other names stay the input's.
    """
    exported: list[Exported] = []
    for rule in rules.rules:
        try:
            document = scope_document(rule)
        except Unexpressible as reason:
            exported.append(Exported(rule.id, reason=str(reason)))
            continue
        exported.append(Exported(rule.id, _with_ids(document, ids or {})))
    return exported


def deployed_ids(ids: Mapping[str, str]) -> dict[str, str]:
    """Address -> id, from the model's id -> address (ARNs left out: a scope takes the id)."""
    by_address: dict[str, str] = {}
    for known, address in sorted(ids.items()):
        if not known.startswith("arn:"):
            by_address.setdefault(address, known)
    return by_address


def _with_ids(document: Any, ids: Mapping[str, str]) -> Any:
    if not ids:
        return document
    if isinstance(document, dict):
        return {
            key: [ids.get(name, name) for name in value]
            if key == "Resources" and isinstance(value, list)
            else _with_ids(value, ids)
            for key, value in document.items()
        }
    if isinstance(document, list):
        return [_with_ids(item, ids) for item in document]
    return document


def scope_document(rule: Rule) -> dict[str, Any]:
    """The create-network-insights-access-scope input for one rule."""
    if rule.scope is not None:
        written: dict[str, Any] = json.loads(rule.scope.written)
        document = dict(written)
    else:
        _check_rule(rule)
        matches = [path for entry in rule.matches for path in _paths(entry, is_match=True)]
        excludes = [path for entry in rule.allow for path in _paths(entry, is_match=False)]
        document = {"MatchPaths": matches}
        if excludes:
            document["ExcludePaths"] = excludes
    tags = [{"Key": "Name", "Value": rule.id}, {"Key": SEVERITY_TAG, "Value": rule.severity}]
    if rule.title:
        tags.append({"Key": TITLE_TAG, "Value": rule.title[:TAG_VALUE_LIMIT]})
    document["TagSpecifications"] = [
        {"ResourceType": "network-insights-access-scope", "Tags": tags}
    ]
    return document


def _check_rule(rule: Rule) -> None:
    if rule.only_if is not None:
        raise Unexpressible(
            "only_if all-ports: a scope reports every path it matches, whatever else is open"
        )
    if rule.defers_to:
        raise Unexpressible(
            f"defers to {', '.join(rule.defers_to)}: a scope cannot leave out what another "
            "scope reports"
        )
    for entry in (*rule.matches, *rule.allow):
        if entry.state == "reply-dropped":
            raise Unexpressible(
                "it is about replies that are dropped: Network Access Analyzer reports paths "
                "that are open"
            )
        if entry.same is not None:
            raise Unexpressible(
                f"same: {entry.same}: a scope cannot ask for both ends in one {entry.same}"
            )


# One way an end can be: a resource statement (or none: any end) and addresses (or none).
_Alternative = tuple[dict[str, list[str]] | None, IntervalSet | None]


def _paths(entry: Entry, *, is_match: bool) -> list[dict[str, Any]]:
    header = _header(entry)
    through = [{"ResourceStatement": _through(selector)} for selector in entry.throughs]
    paths: list[dict[str, Any]] = []
    for source, source_addresses in _end(entry.source):
        for destination, destination_addresses in _end(entry.destination):
            path: dict[str, Any] = {}
            source_header = (
                {"SourceAddresses": addresses_as_cidrs(source_addresses)}
                if source_addresses is not None
                else {}
            )
            destination_header = dict(header)
            if destination_addresses is not None:
                destination_header["DestinationAddresses"] = addresses_as_cidrs(
                    destination_addresses
                )
            _statement(path, "Source", source, source_header)
            _statement(path, "Destination", destination, destination_header)
            if through:
                path["ThroughResources"] = through
            if not path:
                what = "match" if is_match else "allow entry"
                raise Unexpressible(
                    f"an {what} that covers every flow: a scope path must name a source, a "
                    "destination, a component or traffic"
                )
            paths.append(path)
    return paths


def _statement(
    path: dict[str, Any],
    key: str,
    resources: dict[str, list[str]] | None,
    header: dict[str, list[str]],
) -> None:
    statement: dict[str, Any] = {}
    if resources is not None:
        statement["ResourceStatement"] = resources
    if header:
        statement["PacketHeaderStatement"] = header
    if statement:
        path[key] = statement


def _header(entry: Entry) -> dict[str, list[str]]:
    header: dict[str, list[str]] = {}
    protocols, ports = entry.protocols, entry.ports
    if ports != ALL_PORTS:
        header["DestinationPorts"] = [
            str(low) if low == high else f"{low}-{high}" for low, high in ports.intervals
        ]
    if protocols == ALL_PROTOCOLS or (protocols == TCP_AND_UDP and ports != ALL_PORTS):
        return header  # ports alone mean tcp and udp, as in a rules file
    if not protocols.issubset(TCP_AND_UDP):
        raise Unexpressible("its protocol is not tcp or udp: a scope matches tcp and udp only")
    names = [
        name
        for number, name in ((TCP, "tcp"), (UDP, "udp"))
        if IntervalSet([(number, number)]).issubset(protocols)
    ]
    header["Protocols"] = names
    return header


def _end(selector: Selector | None) -> list[_Alternative]:
    if selector is None or (isinstance(selector, Word) and selector.word == "any"):
        return [(None, None)]
    if isinstance(selector, AnyOf):
        alternatives = [alternative for part in selector.parts for alternative in _end(part)]
        return _merged(alternatives)
    if isinstance(selector, AllOf):
        return _all_of(selector)
    if isinstance(selector, Cidrs):
        return [(None, selector.addresses)]
    return [(_resources(selector), None)]


def _all_of(selector: AllOf) -> list[_Alternative]:
    addresses: IntervalSet | None = None
    resource_parts: list[Selector] = []
    for part in selector.parts:
        if isinstance(part, Cidrs):
            addresses = part.addresses if addresses is None else addresses & part.addresses
        else:
            resource_parts.append(part)
    if len(resource_parts) > 1:
        raise Unexpressible(
            "an end must meet two conditions at once: a scope's resource statement is any of "
            "its resources"
        )
    if not resource_parts:
        return [(None, addresses)]
    return [(resources, _both(addresses, more)) for resources, more in _end(resource_parts[0])]


def _both(one: IntervalSet | None, other: IntervalSet | None) -> IntervalSet | None:
    if one is None:
        return other
    return one if other is None else one & other


def _merged(alternatives: list[_Alternative]) -> list[_Alternative]:
    """Alternatives without addresses share one statement per key (Resources, ResourceTypes)."""
    if any(resources is None and addresses is None for resources, addresses in alternatives):
        return [(None, None)]  # one of them is any end
    kept: list[_Alternative] = []
    merged: dict[str, list[str]] = {}
    for resources, addresses in alternatives:
        if addresses is None and resources is not None and len(resources) == 1:
            ((key, values),) = resources.items()
            merged.setdefault(key, []).extend(v for v in values if v not in merged.get(key, []))
        else:
            kept.append((resources, addresses))
    return [({key: values}, None) for key, values in merged.items()] + kept


def _resources(selector: Selector) -> dict[str, list[str]]:
    if isinstance(selector, Word):
        return {"ResourceTypes": [_WORD_TYPES[selector.word]]}
    if isinstance(selector, Tags):
        raise Unexpressible(
            "it selects by tags: a scope names resources by id or type (tags only through a "
            "resource group, which exists only in the account)"
        )
    if isinstance(selector, Not):
        raise Unexpressible("it uses not: a scope has no negation but its exclude paths")
    if not isinstance(selector, Patterns):
        raise Unexpressible("an end must meet two conditions at once")
    if selector.key in _NAME_KEYS:
        return {"Resources": list(_names(selector))}
    table = _END_KINDS if selector.key == "kinds" else {k: (v,) for k, v in _END_TYPES.items()}
    types: list[str] = []
    for pattern in selector.patterns:
        found = table.get(pattern)
        if found is None:
            raise Unexpressible(
                f"{selector.key} {pattern!r} has no resource type in a scope (scopes select "
                "instances, network interfaces, VPC endpoints and load balancers by type)"
            )
        types.extend(name for name in found if name not in types)
    return {"ResourceTypes": types}


def _through(selector: Selector) -> dict[str, list[str]]:
    if isinstance(selector, Patterns) and selector.key == "addresses":
        return {"Resources": list(_names(selector))}
    if isinstance(selector, Patterns) and selector.key in {"kinds", "types"}:
        table = _THROUGH_KINDS if selector.key == "kinds" else _THROUGH_TYPES
        types: list[str] = []
        for pattern in selector.patterns:
            found = table.get(pattern)
            if found is None:
                raise Unexpressible(
                    f"through {selector.key} {pattern!r} is no component a scope can name"
                )
            if found not in types:
                types.append(found)
        return {"ResourceTypes": types}
    if isinstance(selector, AnyOf):
        parts = [_through(part) for part in selector.parts]
        if all(list(part) == list(parts[0]) for part in parts):
            ((key, _),) = parts[0].items()
            return {key: [value for part in parts for value in part[key]]}
    raise Unexpressible(
        "its through names components by something other than their address, kind or type"
    )


def _names(selector: Patterns) -> tuple[str, ...]:
    for pattern in selector.patterns:
        if "*" in pattern or "?" in pattern:
            raise Unexpressible(
                f"{selector.key} {pattern!r} is a pattern: a scope names each resource by its id"
            )
    return selector.patterns
