"""VPCs and subnets, and where an element sits when its input does not say.

Every VPC has a default security group (its members reach each other; everything may leave), a
default network ACL (everything in and out) and a main route table: written out here, so the
engine needs no AWS knowledge. The default VPC has 172.31.0.0/16; its default subnets give
public addresses. Something placed in no subnet lands in the default VPC.

Fields: a VPC's `cidr`, `ipv6_cidr` (and, existing, `associated_cidrs` entries with `cidr`);
a `vpc-cidr-block`'s `network`, `cidr`, `ipv6_cidr`; a `subnet-cidr-block`'s `subnet`,
`ipv6_cidr`; a subnet's `network`, `cidr`, `ipv6_cidr`, `public_ip_on_launch`,
`ipv6_on_launch`, `zone`.
"""

from __future__ import annotations

from typing import Any

from msgspec.structs import replace

from reachlint.model.network import (
    AclEntry,
    Direction,
    Gateway,
    Network,
    NetworkAcl,
    Route,
    RouteTable,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
)
from reachlint.providers.aws.source import Fields, Links, Resource
from reachlint.providers.aws.state import Build
from reachlint.providers.values import dedupe, has_unknown, string_value, strings, valid_cidr
from reachlint.sources import UNKNOWN, UnknownValue, not_known

VPC_KINDS = frozenset({"vpc", "default-vpc"})
SUBNET_KINDS = frozenset({"subnet", "default-subnet"})
SG_KINDS = frozenset({"security-group", "default-security-group"})
ACL_KINDS = frozenset({"network-acl", "default-network-acl"})
RT_KINDS = frozenset({"route-table", "default-route-table"})
# What a VPC may be read from: the VPC, or something that sits in it (a subnet's VPC).
NETWORK_LINK_KINDS = VPC_KINDS | SUBNET_KINDS | SG_KINDS | ACL_KINDS | RT_KINDS

DEFAULT_VPC_CIDR = "172.31.0.0/16"  # every default VPC has this range
DEFAULT_VPC = "default-vpc"  # the account's default VPC, when the input does not declare it
ALL_V4, ALL_V6 = "0.0.0.0/0", "::/0"


def add_networks(b: Build) -> None:
    for resource in b.inv.of("vpc", "default-vpc"):
        add_network(b, resource)
    read_defaults = []
    for resource in b.inv.existing("vpc"):
        add_network(b, resource)
        b.read_networks.add(resource.address)
        if resource.value("default") is True:
            read_defaults.append(resource.address)
    default_vpcs = [r.address for r in b.inv.of("default-vpc")]
    if len(default_vpcs) == 1:
        b.default_vpc = default_vpcs[0]
    elif not default_vpcs and len(read_defaults) == 1:
        b.default_vpc, b.default_vpc_read = read_defaults[0], True
    for resource in b.inv.of("vpc-cidr-block"):
        unknown: list[str] = []
        vpc = resource.link("network", VPC_KINDS, "VPC", unknown)
        if vpc is None or vpc not in b.model.networks:
            continue
        network = b.model.networks[vpc]
        for name, version in (("cidr", 4), ("ipv6_cidr", 6)):
            network.cidrs.extend(
                cidr_values(
                    resource, name, network.unknown, ranges=network.unknown_ranges, version=version
                )
            )


def add_network(b: Build, resource: Resource) -> None:
    unknown: list[str] = []
    ranges: list[UnknownValue] = []
    cidrs: list[str] = []
    default = resource.kind == "default-vpc" or resource.value("default") is True
    if default and not string_value(resource.value("cidr")):
        cidrs.append(DEFAULT_VPC_CIDR)
    else:
        cidrs.extend(cidr_values(resource, "cidr", unknown, ranges=ranges, version=4))
    cidrs.extend(cidr_values(resource, "ipv6_cidr", unknown, ranges=ranges))
    if resource.existing:
        for entry in resource.entries("associated_cidrs"):
            cidr = string_value(entry.value("cidr"))
            if cidr is not None:
                cidrs.append(cidr)
    if not cidrs and not any(r.version == 4 for r in ranges):
        # Read from the account, or allocated from an IPAM pool when created: the VPC's own
        # attribute, which what names it (a subnet carved from it, a rule) shares.
        own = f"{resource.address}.{resource.name('cidr')}"
        found = resource.unknown_ranges("cidr") or [UnknownValue(sources=(own,), exactly=own)]
        ranges.extend(r if r.version is not None else replace(r, version=4) for r in found)
    b.model.networks[resource.address] = Network(
        address=resource.address,
        type=resource.type,
        origin=resource.origin,
        cidrs=dedupe(cidrs),
        unknown=unknown,
        unknown_ranges=ranges,
    )
    b.declared_networks.append(resource.address)


def why_not_known(view: Fields, field: str) -> str:
    """Why a value is not known, for a note: what it rests on (a variable, a data source), else
    that only the apply sets it."""
    itself = f"{view.address}."  # a plan without the expression names the attribute itself
    rests_on = dedupe(
        source
        for value in view.unknown_ranges(field)
        for source in value.sources
        if not source.startswith(itself)
    )
    if rests_on:
        return f"is not known (it rests on {', '.join(rests_on)})"
    return "is known only after apply"


def cidr_values(
    view: Fields,
    field: str,
    unknown: list[str],
    *,
    ranges: list[UnknownValue] | None = None,
    version: int | None = None,
) -> list[str]:
    """The CIDRs written in `field`; what is unknown goes to `ranges` as unknown address
    ranges when given, else to `unknown` as the field's path. A range not known is still of
    its field's family: `version`, or IPv6 for an `ipv6_` field."""
    value = view.value(field)
    path = view.path(field)
    if has_unknown(value):
        if ranges is not None:
            found_ranges = view.unknown_ranges(field)
            version = version or (6 if field.startswith("ipv6") else None)
            if version is not None:
                found_ranges = [
                    r if r.version is not None else replace(r, version=version)
                    for r in found_ranges
                ]
            ranges.extend(r for r in found_ranges if r not in ranges)
            view.note(not_known(path, found_ranges), field)
        elif path not in unknown:
            unknown.append(path)
            view.note(f"{path} {why_not_known(view, field)}", field)
    found: list[str] = []
    for text in strings(value):
        if valid_cidr(text):
            found.append(text)
        else:
            if path not in unknown:
                unknown.append(path)
            view.note(f"{path} holds {text!r}, which is not a CIDR", field)
    return found


# ----- subnets --------------------------------------------------------------------------------


def add_subnets(b: Build) -> None:
    for resource in b.inv.of("subnet", "default-subnet"):
        add_subnet(b, resource)
    for resource in b.inv.existing("subnet"):
        add_subnet(b, resource)
    for resource in b.inv.of("subnet-cidr-block"):
        unknown: list[str] = []
        address = resource.link("subnet", SUBNET_KINDS, "subnet", unknown)
        subnet = b.model.subnets.get(address or "")
        if subnet is not None:
            subnet.cidrs.extend(
                cidr_values(resource, "ipv6_cidr", subnet.unknown, ranges=subnet.unknown_ranges)
            )


def add_subnet(b: Build, resource: Resource) -> None:
    unknown: list[str] = []
    ranges: list[UnknownValue] = []
    default = resource.kind == "default-subnet"
    network = network_of(b, resource, "network", unknown)
    cidrs = cidr_values(resource, "cidr", unknown, ranges=ranges, version=4)
    cidrs += cidr_values(resource, "ipv6_cidr", unknown, ranges=ranges)
    if not cidrs and not ranges and (default or resource.existing):
        # One /20 of the default VPC, chosen by AWS; or read from the account.
        ranges.extend(resource.unknown_ranges("cidr"))
    written = resource.value("public_ip_on_launch")
    # Default subnets give public addresses unless told otherwise; others do not.
    public = written if isinstance(written, bool) else default
    if written is UNKNOWN:
        launch = "public_ip_on_launch"
        unknown.append(resource.name(launch))
        resource.note(f"{resource.path(launch)} {why_not_known(resource, launch)}")
    ipv6_on_launch = resource.value("ipv6_on_launch")
    if ipv6_on_launch is UNKNOWN:
        unknown.append(resource.name("ipv6_on_launch"))
    zone = resource.value("zone")
    if default and public is not True:
        b.private_default_subnets.append(resource.address)
    b.model.subnets[resource.address] = Subnet(
        address=resource.address,
        type=resource.type,
        origin=resource.origin,
        network=network,
        cidrs=cidrs,
        zone=zone if isinstance(zone, str) else None,
        map_public_ip=bool(public),
        ipv6_on_launch=ipv6_on_launch is True,
        unknown=unknown,
        unknown_ranges=ranges,
    )


# ----- where an element sits ------------------------------------------------------------------


def network_of(b: Build, resource: Resource, field: str, unknown: list[str]) -> str:
    """The network an element sits in; falls back where the model needs one."""
    links = resource.links(field, NETWORK_LINK_KINDS, "VPC", None, single=True)
    if not links.given and resource.kind.startswith("default-"):
        return default_vpc_network(b, resource)  # the default VPC's own element
    return network_from(b, resource, field, unknown, links)


def optional_network_of(b: Build, resource: Resource, field: str, unknown: list[str]) -> str | None:
    """The network of an element that may sit in none (a detached gateway)."""
    links = resource.links(field, NETWORK_LINK_KINDS, "VPC", None, single=True)
    if not links.given:
        return None
    return network_from(b, resource, field, unknown, links)


def network_from(b: Build, resource: Resource, field: str, unknown: list[str], links: Links) -> str:
    path = resource.path(field)
    found = dedupe(n for n in (network_via(b, a) for a in links.addresses) if n is not None)
    if len(found) == 1:
        return found[0]
    if links.literals and not found:
        return external_network(b, links.literals[0], resource, field)
    if found:
        reason = f"{path} may be any of {', '.join(found)}"
    elif links.rests_on:
        reason = f"{path} is not known (it rests on {', '.join(links.rests_on)})"
    elif links.given:
        reason = f"{path} cannot be resolved"
    else:
        reason = f"{path} is not set (the default VPC)"
    return fallback_network(b, resource, field, unknown, reason, absent=not links.given)


def network_via(b: Build, address: str) -> str | None:
    model = b.model
    if address in model.networks:
        return address
    for elements in (model.subnets, model.route_tables, model.network_acls):
        element = elements.get(address)
        if element is not None:
            return element.network
    group = model.security_groups.get(address)
    return group.network if group is not None else None


def in_default_vpc(b: Build, resource: Resource, field: str, unknown: list[str], what: str) -> str:
    """Where something placed in no subnet lands: some default subnet of the default VPC. All
    of them route alike, so which one is unknown only if the default VPC is not in the input."""
    reason = f"no {what}: lands in the default VPC"
    if b.default_vpc is not None:
        resource.note(reason, field)
    return fallback_network(b, resource, field, unknown, reason, absent=True)


def is_default_vpc(b: Build, network: str | None) -> bool:
    """Whether a network is the account's default VPC, declared, read or assumed."""
    return network is not None and network in (DEFAULT_VPC, b.default_vpc)


def fallback_network(
    b: Build, resource: Resource, field: str, unknown: list[str], reason: str, absent: bool
) -> str:
    """The network of something whose VPC the input does not give. Not written (`absent`), AWS
    takes the default VPC, whatever the input declares; not known, the only VPC declared is the
    likely one, else one outside the input."""
    if absent and b.default_vpc is not None:
        return b.default_vpc
    path = resource.path(field)
    if path not in unknown:
        unknown.append(path)  # not written: which default subnet of a default VPC not declared
    if absent:
        return default_vpc_network(b, resource, reason)
    if len(b.declared_networks) == 1:
        only = b.declared_networks[0]
        resource.note(f"{reason}; assumed {only}, the only VPC in the input", field)
        return only
    resource.note(f"{reason}; placed in a VPC outside the input", field)
    return outside_vpc(b)


def outside_vpc(b: Build) -> str:
    """The VPC outside the input, whose routes are unknown, for what no input places."""
    address = "unknown-vpc"
    if address not in b.model.networks:
        add_synthetic_network(b, outside_network(b, address))
    return address


def default_vpc_network(b: Build, resource: Resource, reason: str | None = None) -> str:
    if b.default_vpc is not None:
        return b.default_vpc
    address = DEFAULT_VPC
    if address not in b.model.networks:
        add_synthetic_network(
            b,
            Network(address=address, type=b.inv.type_name("default-vpc"), cidrs=[DEFAULT_VPC_CIDR]),
        )
    where = "sits in the account's default VPC, which the input does not declare"
    resource.note(f"{reason}; {where}" if reason else where)
    return address


def external_network(b: Build, vpc_id: str, resource: Resource, field: str) -> str:
    if vpc_id not in b.model.networks:
        add_synthetic_network(b, outside_network(b, vpc_id))
        path = resource.path(field)
        resource.note(f"{path} names {vpc_id}, a VPC outside the input", field)
    return vpc_id


def outside_network(b: Build, address: str) -> Network:
    """A VPC the input names but does not declare: its range is not in the input."""
    attribute = f"{address}.{b.inv.field_name('vpc', 'cidr')}"
    outside = UnknownValue(sources=(attribute,), exactly=attribute, version=4)
    return Network(address=address, type=b.inv.type_name("vpc"), unknown_ranges=[outside])


def add_synthetic_network(b: Build, network: Network) -> None:
    b.model.networks[network.address] = network
    if b.defaults_done:
        complete_network(b, network.address)


# ----- what AWS gives every VPC -----------------------------------------------------------------


def complete_network(b: Build, address: str) -> None:
    """Write out the default group, ACL and main table AWS gives every VPC. The default group
    of a VPC outside the input (not the account's default VPC) is named but not written: its
    rules are the account's, not AWS's first ones, so what it admits is not known."""
    network = b.model.networks[address]
    outside = not is_default_vpc(b, address) and (
        address in b.read_networks
        or (address not in b.declared_networks and address != b.default_vpc)
    )
    if network.default_security_group is None and outside:
        network.default_security_group = f"{address}.{b.inv.implied_name('default-security-group')}"
    if network.default_security_group is None:
        group = f"{address}.{b.inv.implied_name('default-security-group')}"
        kind = b.inv.type_name("default-security-group")

        def rule(direction: Direction, **rest: Any) -> SecurityGroupRule:
            return SecurityGroupRule(
                address=group, type=kind, origin=network.origin, direction=direction, **rest
            )

        b.model.security_groups[group] = SecurityGroup(
            address=group,
            type=kind,
            origin=network.origin,
            network=address,
            name="default",
            is_default=True,
            rules=[
                rule("ingress", self_reference=True),
                rule("egress", cidrs=[ALL_V4, ALL_V6]),
            ],
        )
        network.default_security_group = group
    if network.default_network_acl is None:
        acl = f"{address}.{b.inv.implied_name('default-network-acl')}"
        kind = b.inv.type_name("default-network-acl")
        b.model.network_acls[acl] = NetworkAcl(
            address=acl,
            type=kind,
            origin=network.origin,
            network=address,
            is_default=True,
            entries=[
                AclEntry(
                    address=acl,
                    type=kind,
                    origin=network.origin,
                    rule_number=number,
                    egress=egress,
                    allow=True,
                    cidr=cidr,
                )
                for egress in (False, True)
                for number, cidr in ((100, ALL_V4), (101, ALL_V6))
            ],
        )
        network.default_network_acl = acl
    if network.main_route_table is None:
        table = f"{address}.{b.inv.implied_name('default-route-table')}"
        b.model.route_tables[table] = RouteTable(
            address=table,
            type=b.inv.type_name("default-route-table"),
            origin=network.origin,
            network=address,
            is_main=True,
        )
        network.main_route_table = table
        if is_default_vpc(b, address):
            _default_vpc_internet(b, table, address)
        elif outside:
            _outside_routes(b, table, address)


def _outside_routes(b: Build, table: str, address: str) -> None:
    """A VPC outside the input routes as its own tables say, which the input does not: to the
    internet or not is an unknown value, named by the VPC, that --assume-unknown decides."""
    gateway = f"{address}.{b.inv.implied_name('internet-gateway')}"
    b.model.gateways[gateway] = Gateway(
        address=gateway,
        type=b.inv.type_name("internet-gateway"),
        kind="internet-gateway",
        network=address,
    )
    b.model.route_tables[table].routes.append(
        Route(
            address=table,
            type=b.inv.type_name("route"),
            target_kind="internet-gateway",
            target=gateway,
            unknown_ranges=[UnknownValue(sources=(f"the routes of {address}",))],
        )
    )


def _default_vpc_internet(b: Build, table: str, address: str) -> None:
    """The account's default VPC, as AWS creates it: an internet gateway, and a main route
    table sending 0.0.0.0/0 to it (docs.aws.amazon.com/vpc/latest/userguide/default-vpc.html)."""
    gateway = f"{address}.{b.inv.implied_name('internet-gateway')}"
    kind = b.inv.type_name("internet-gateway")
    b.model.gateways[gateway] = Gateway(
        address=gateway, type=kind, kind="internet-gateway", network=address
    )
    b.model.route_tables[table].routes.append(
        Route(
            address=table,
            type=b.inv.type_name("route"),
            destination=ALL_V4,
            target_kind="internet-gateway",
            target=gateway,
        )
    )


def default_group(b: Build, network: str | None) -> str | None:
    if network is None or network not in b.model.networks:
        return None
    found = b.model.networks[network].default_security_group
    return (
        found if found is not None else f"{network}.{b.inv.implied_name('default-security-group')}"
    )
