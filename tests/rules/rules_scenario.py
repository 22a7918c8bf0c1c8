"""Hand-written engine output for rule tests: endpoints, their classes and the flows between them.

A scenario is plain data (the YAML case files use the same shape):

    endpoints:                      # each gets one interface, "<address>.eni"
      - {address: aws_instance.web, kind: instance, tags: {Tier: web}, subnet: aws_subnet.a,
         network: aws_vpc.main, security_groups: [...], private_ips: [...], class: web}
    subnets: {aws_subnet.a: [10.0.1.0/24]}
    onprem: {aws_vpn_connection.office: [192.168.0.0/16]}
    flows:
      - {from: internet, to: aws_instance.web, protocol: tcp, ports: [22], cidrs: [...],
         path: [{address: aws_lb.front, kind: load-balancer}], state: reachable, unknowns: [...]}

Endpoints sharing a `class` name are members of one class; a flow end names an endpoint, a
class, `internet` or an on-premises site. Without `cidrs`, a flow's address axis is the public
addresses for the internet, the site's CIDRs for a site and everything between endpoints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reachlint.engine.flows import End, EndpointClass, External, Flow, Hop, Member, Reachability
from reachlint.model.network import Endpoint, Interface, NetworkModel, OnPremSite, Subnet
from reachlint.model.traffic import (
    ALL_ADDRESSES,
    ALL_PORTS,
    PUBLIC_ADDRESSES,
    Traffic,
    cidrs,
    parse_protocol,
    ports_from_spec,
)
from reachlint.rules import RuleSet, evaluate, load_rules
from reachlint.rules.findings import Finding
from reachlint.sources import Origin


def resource_type(address: str) -> str:
    parts = address.split(".")
    while parts and parts[0] == "module":
        parts = parts[2:]
    return parts[0]


def build(spec: dict[str, Any]) -> tuple[NetworkModel, Reachability]:
    model = NetworkModel()
    for address, subnet_cidrs in (spec.get("subnets") or {}).items():
        model.subnets[address] = Subnet(
            address=address, type="aws_subnet", network="aws_vpc.main", cidrs=subnet_cidrs
        )
    ends: dict[str, End] = {"internet": External("internet", "internet")}
    for address, site_cidrs in (spec.get("onprem") or {}).items():
        model.onprem_sites[address] = OnPremSite(
            address=address, type=resource_type(address), cidrs=site_cidrs
        )
        ends[address] = External(address, "onprem", Origin(file="vpn.tf", line=1))
    classes: list[EndpointClass] = []
    for index, item in enumerate(spec.get("endpoints") or []):
        endpoint = _endpoint(item, index)
        model.endpoints[endpoint.address] = endpoint
        interface = endpoint.interfaces[0]
        class_name = item.get("class", endpoint.address)
        endpoint_class = ends.get(class_name)
        if not isinstance(endpoint_class, EndpointClass):
            endpoint_class = EndpointClass(
                id=len(classes),
                network=interface.network,
                subnet=interface.subnet,
                public=bool(item.get("public", False)),
                security_groups=tuple(interface.security_groups),
            )
            classes.append(endpoint_class)
            ends[class_name] = endpoint_class
        endpoint_class.members.append(Member(endpoint.address, interface.address))
        ends[endpoint.address] = endpoint_class
    flows = [_flow(item, ends, model) for item in spec.get("flows") or []]
    externals = [end for end in ends.values() if isinstance(end, External)]
    return model, Reachability(classes=classes, externals=externals, flows=flows)


def _endpoint(item: dict[str, Any], index: int) -> Endpoint:
    address = item["address"]
    interface = Interface(
        address=f"{address}.eni",
        subnet=item.get("subnet", "aws_subnet.main"),
        network=item.get("network", "aws_vpc.main"),
        private_ips=item.get("private_ips", []),
        security_groups=item.get("security_groups", []),
    )
    return Endpoint(
        address=address,
        type=item.get("type", resource_type(address)),
        kind=item.get("kind", "instance"),
        tags={key: str(value) for key, value in (item.get("tags") or {}).items()},
        interfaces=[interface],
        origin=Origin(file="main.tf", line=10 * (index + 1)),
    )


def _flow(item: dict[str, Any], ends: dict[str, End], model: NetworkModel) -> Flow:
    source, destination = ends[item["from"]], ends[item["to"]]
    if "cidrs" in item:
        addresses = cidrs(item["cidrs"])
    elif "internet" in (item["from"], item["to"]):
        addresses = PUBLIC_ADDRESSES
    elif item["from"] in model.onprem_sites or item["to"] in model.onprem_sites:
        site = model.onprem_sites.get(item["from"]) or model.onprem_sites[item["to"]]
        addresses = cidrs(site.cidrs)
    else:
        addresses = ALL_ADDRESSES
    ports = ports_from_spec(item["ports"]) if "ports" in item else ALL_PORTS
    traffic = Traffic.box(parse_protocol(item.get("protocol")), addresses, ports)
    path = [
        Hop(
            address=hop["address"],
            kind=hop.get("kind", "route"),
            type=hop.get("type", resource_type(hop["address"])),
            detail=hop.get("detail", ""),
        )
        for hop in item.get("path") or []
    ]
    return Flow(
        source=source,
        destination=destination,
        traffic=traffic,
        path=path,
        state=item.get("state", "reachable"),
        unknowns=item.get("unknowns", []),
    )


def check(rules: RuleSet, spec: dict[str, Any]) -> list[Finding]:
    model, reach = build(spec)
    return evaluate(rules, model, reach)


def summary(findings: list[Finding]) -> list[tuple[str, str, str, str]]:
    """(rule, from, to, traffic text) of each finding, in report order."""
    return [(f.rule, f.source.address, f.destination.address, _text(f)) for f in findings]


def _text(finding: Finding) -> str:
    parts = []
    for entry in finding.traffic:
        if entry.ports is None:
            parts.append(entry.protocol)
        else:
            ranges = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in entry.ports)
            parts.append(f"{entry.protocol} {ranges}")
    return "; ".join(parts)


def rules_from(text: str, directory: Path, *, builtin: bool = False) -> RuleSet:
    path = directory / "rules.yaml"
    path.write_text(text)
    return load_rules([path], builtin=builtin)
