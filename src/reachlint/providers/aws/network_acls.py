"""Network ACLs: numbered entries, each direction read lowest number first; a subnet is in one ACL,
its VPC's default one unless associated with another.

Fields: an ACL's `network`, `subnets`, `ingress`/`egress` entries (a default ACL: `default_of`,
the VPC whose default it is); an entry (or a `network-acl-entry` with `acl` and
`egress`) has `rule_number`, `action`, `protocol`, `from_port`, `to_port`, `icmp_type`,
`icmp_code`, `cidr`, `ipv6_cidr`; an association has `subnet` and `acl`.
"""

from __future__ import annotations

from reachlint.model.network import AclEntry, NetworkAcl
from reachlint.providers.aws.networks import (
    ACL_KINDS,
    SUBNET_KINDS,
    VPC_KINDS,
    cidr_values,
    network_of,
)
from reachlint.providers.aws.security_groups import (
    DIRECTIONS,
    icmp_messages,
    port_range,
    protocol_of,
)
from reachlint.providers.aws.source import Fields
from reachlint.providers.aws.state import Build, one_of
from reachlint.providers.values import dedupe, integer
from reachlint.sources import UnknownValue

ACL_LINK_KINDS = ACL_KINDS | VPC_KINDS  # a VPC stands for its default ACL


def add_acls(b: Build) -> None:
    for resource in b.inv.of("default-network-acl", "network-acl"):
        unknown: list[str] = []
        is_default = resource.kind == "default-network-acl"
        vpc = resource.link("default_of", VPC_KINDS, "VPC", None) if is_default else None
        network = vpc or network_of(b, resource, "network", unknown)
        acl = NetworkAcl(
            address=resource.address,
            type=resource.type,
            origin=resource.origin,
            network=network,
            is_default=is_default,
            entries=list(_inline_entries(resource)),
            unknown=unknown,
        )
        b.model.network_acls[resource.address] = acl
        if is_default:
            net = b.model.networks[network]
            if net.default_network_acl is None:
                net.default_network_acl = resource.address
            else:
                resource.note(f"{net.default_network_acl} is already its VPC's ACL")
        links = resource.links("subnets", SUBNET_KINDS, "subnet", acl.unknown)
        for subnet in links.addresses:
            associate(b, subnet, resource.address)


def associate(b: Build, subnet_address: str, acl_address: str) -> None:
    subnet = b.model.subnets.get(subnet_address)
    acl = b.model.network_acls.get(acl_address)
    if subnet is None or acl is None:
        return
    previous = b.model.network_acls.get(subnet.network_acl or "")
    if previous is not None and subnet_address in previous.subnets:
        previous.subnets.remove(subnet_address)
    subnet.network_acl = acl_address
    if subnet_address not in acl.subnets:
        acl.subnets.append(subnet_address)


def _inline_entries(resource: Fields) -> list[AclEntry]:
    found = []
    for direction in DIRECTIONS:
        for entry in resource.entries(direction):
            if not entry.known:
                resource.note(f"{entry.path()} is known only after apply; entry skipped")
                continue
            made = acl_entry(entry, egress=direction == "egress")
            if made is not None:
                found.append(made)
    return found


def acl_entry(view: Fields, *, egress: bool) -> AclEntry | None:
    unknown: list[str] = []
    number = integer(view.value("rule_number"))
    action = view.value("action")
    if number is None or action not in ("allow", "deny"):
        both = f"{view.path('rule_number')}/{view.name('action')}"
        view.note(f"{both} unknown; entry skipped")
        return None
    protocol = protocol_of(view.value("protocol"))
    if protocol is None:
        protocol = "-1"
        unknown.append(view.name("protocol"))
    ports = port_range(view, protocol, unknown)
    icmp = icmp_messages(view, protocol, unknown, "icmp_type", "icmp_code")
    ranges: list[UnknownValue] = []
    cidrs = cidr_values(view, "cidr", unknown, ranges=ranges, version=4)
    cidrs += cidr_values(view, "ipv6_cidr", unknown, ranges=ranges)
    unknown = [u.removeprefix(view.prefix) for u in unknown]
    if not cidrs and not ranges:
        view.note(f"{view.path('cidr')}: the entry names no addresses; skipped")
        return None
    return AclEntry(
        address=view.address,
        type=view.type,
        origin=view.origin,
        rule_number=number,
        egress=egress,
        allow=action == "allow",
        protocol=protocol,
        cidr=cidrs[0] if cidrs else "",  # "": the entry's range is one of unknown_ranges
        ports=ports,
        icmp=icmp,
        unknown=dedupe(unknown),
        unknown_ranges=ranges,
    )


def add_entries_and_associations(b: Build) -> None:
    for resource in b.inv.of("network-acl-entry"):
        unknown: list[str] = []
        target = resource.link("acl", ACL_LINK_KINDS, "network ACL", unknown)
        acl = b.model.network_acls.get(acl_address(b, target)) if target else None
        if acl is None:
            if not unknown:
                resource.note("its network ACL is not in the input; rule not modelled")
            continue
        entry = acl_entry(resource, egress=resource.value("egress") is True)
        if entry is not None:
            acl.entries.append(entry)
    for resource in b.inv.of("network-acl-association"):
        unknown = []
        subnet = resource.link("subnet", SUBNET_KINDS, "subnet", unknown)
        choices = one_of(resource, "acl", ACL_LINK_KINDS, "network ACL")
        if choices is not None and subnet in b.model.subnets:
            # One of several, as a condition not known decides: --assume-unknown picks.
            chosen = b.model.subnets[subnet]
            acls = (acl_address(b, a) for a in choices)
            chosen.network_acl_choices = [a for a in acls if a in b.model.network_acls]
            chosen.network_acl_unknown = f"{resource.address}: {resource.path('acl')}"
            continue
        target = resource.link("acl", ACL_LINK_KINDS, "network ACL", unknown)
        if subnet is not None and target is not None:
            associate(b, subnet, acl_address(b, target))


def acl_address(b: Build, address: str) -> str:
    network = b.model.networks.get(address)
    if network is not None and network.default_network_acl is not None:
        return network.default_network_acl
    return address
