"""Security groups: their rules, written inline or apart, and the groups an interface is in.

A link to a VPC where a group is expected means the VPC's default group (AWS names it by the
VPC). An existing group named "default" is its VPC's default group. An interface that names no
group, or the group "default", is in its VPC's default group.

A group in the default VPC may be named by its name: a rule's source (`group_names`) and the
group a rule written apart is added to (`group_name`, when `group` is not written)
(https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AuthorizeSecurityGroupIngress.html).
A Classic Load Balancer named as a source by name stands for its source security group, "the
security group for the load balancer, which you can use as part of your inbound rules for your
registered instances"
(https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_LoadBalancerDescription.html):
the one group its interfaces are in. A group named by an id or a name that no group of the
input has is one outside the input: its members in the input are those that name it. A group
not known (a value only the deployment knows) may hold any endpoint, never the internet.

Fields: a group's `network`, `name`, `name_prefix`, and `ingress`/`egress` entries; a rule
(an entry, or a `security-group-rule` with `group` or `group_name`, and `direction`) has
`protocol`, `from_port`, `to_port` (for ICMP its type and code), `cidrs`, `ipv6_cidrs`,
`prefix_lists`, `groups`, `group_names`, `self`, `description`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from msgspec import Struct
from msgspec.structs import replace

from reachlint.model.network import (
    Direction,
    IcmpMessages,
    PortRange,
    SecurityGroup,
    SecurityGroupRule,
)
from reachlint.providers.aws.networks import (
    SG_KINDS,
    VPC_KINDS,
    cidr_values,
    default_group,
    network_of,
    optional_network_of,
)
from reachlint.providers.aws.source import Fields, Links, Resource
from reachlint.providers.aws.state import NOTE_SAMPLE, Build, one_of
from reachlint.providers.values import dedupe, integer, string_value
from reachlint.sources import UNKNOWN, UnknownValue

SG_LINK_KINDS = SG_KINDS | VPC_KINDS  # a VPC stands for its default group
# Named where a group's name is expected, a Classic Load Balancer stands for its source group.
SOURCE_GROUP_KINDS = frozenset({"classic-load-balancer"})
PREFIX_LIST_KINDS = frozenset({"prefix-list"})
PORTED_PROTOCOLS = frozenset({"tcp", "udp", "6", "17"})
ICMP_PROTOCOLS = frozenset({"icmp", "1", "icmpv6", "58"})
DIRECTIONS: tuple[Direction, ...] = ("ingress", "egress")


def protocol_of(value: Any) -> str | None:
    """The protocol as written, lower case; "all" is AWS's -1. None when unknown."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        text = value.strip().lower()
        return "-1" if text in {"all", "-1"} else text
    return None


def port_range(view: Fields, protocol: str, unknown: list[str]) -> PortRange | None:
    if protocol not in PORTED_PROTOCOLS:
        return None  # all protocols, or ICMP type and code: not ports
    low, high = view.value("from_port"), view.value("to_port")
    if low is UNKNOWN or high is UNKNOWN:
        _name_unknown_pair(view, "from_port", "to_port", unknown)
        return None
    low_port, high_port = integer(low), integer(high)
    if low_port is None or high_port is None:
        return None
    return PortRange(low=min(low_port, high_port), high=max(low_port, high_port))


def _name_unknown_pair(view: Fields, first: str, second: str, unknown: list[str]) -> None:
    """Two fields read together (ports, ICMP type and code), one of them not known: named by
    what they rest on (a variable, a parameter) where the input says."""
    rests_on = ", ".join(
        dict.fromkeys(
            source
            for field in (first, second)
            if view.value(field) is UNKNOWN
            for value in view.unknown_ranges(field)
            for source in value.sources
        )
    )
    both = f"{view.path(first)}/{view.name(second)}"
    if rests_on:
        unknown.append(f"{view.path(first)} ({rests_on})")
        view.note(f"{both} are not known (they rest on {rests_on})")
    else:
        unknown.append(view.path(first))
        view.note(f"{both} are known only after apply")


def icmp_messages(
    view: Fields, protocol: str, unknown: list[str], type_field: str, code_field: str
) -> IcmpMessages | None:
    """The ICMP type and code a rule names (a security group writes them as from_port and
    to_port, an ACL entry as icmp_type and icmp_code); -1, or nothing written, is every one."""
    if protocol not in ICMP_PROTOCOLS:
        return None
    type_value, code_value = view.value(type_field), view.value(code_field)
    if type_value is UNKNOWN or code_value is UNKNOWN:
        _name_unknown_pair(view, type_field, code_field, unknown)
        return None
    icmp_type, code = integer(type_value), integer(code_value)
    if type_value is None or icmp_type == -1:
        return None  # every type (AWS writes -1; nothing written reads the same)
    code_read = code_value is None or (code is not None and -1 <= code <= 255)
    if icmp_type is None or not 0 <= icmp_type <= 255 or not code_read:
        # AWS refuses it: which messages the rule would name is not known.
        unknown.append(view.path(type_field))
        both = f"{view.path(type_field)}/{view.name(code_field)}"
        view.note(f"{both} is not an ICMP type and code AWS accepts")
        return None
    return IcmpMessages(type=icmp_type, code=None if code is None or code == -1 else code)


def add_groups(b: Build) -> None:
    for resource in b.inv.of("default-security-group", "security-group"):
        unknown: list[str] = []
        network = network_of(b, resource, "network", unknown)
        is_default = resource.kind == "default-security-group"
        name: str | None = "default"
        if not is_default:
            name = string_value(resource.value("name")) or string_value(
                resource.value("name_prefix")
            )
        group = SecurityGroup(
            address=resource.address,
            type=resource.type,
            origin=resource.origin,
            network=network,
            name=name,
            is_default=is_default,
            unknown=unknown,
        )
        b.model.security_groups[resource.address] = group
        if is_default:
            net = b.model.networks[network]
            if net.default_security_group is not None:
                resource.note(
                    f"{net.default_security_group} is already the default group of {network}"
                )
            else:
                net.default_security_group = resource.address
    for resource in b.inv.existing("security-group"):
        add_existing_group(b, resource)
    for address, group in b.model.security_groups.items():
        found = b.inv.get(address)
        if found is not None and not found.existing:
            group.rules.extend(inline_rules(b, found))


def add_existing_group(b: Build, resource: Resource) -> None:
    unknown: list[str] = []
    network = optional_network_of(b, resource, "network", unknown)
    name = string_value(resource.value("name"))
    if name == "default" and network is not None:
        # Looking up the group named "default" reads the VPC's default group.
        b.inv.alias(resource.address, default_group(b, network) or resource.address)
        return
    named = b.inv.named("security-group", name) if name else None
    if named is not None and b.model.security_groups[named].network == network:
        b.inv.alias(resource.address, named)  # looked up by the name the input gives it
        return

    def unknown_rule(direction: Direction) -> SecurityGroupRule:
        return SecurityGroupRule(
            address=resource.address,
            type=resource.type,
            origin=resource.origin,
            direction=direction,
            unknown=[direction],
        )

    b.model.security_groups[resource.address] = SecurityGroup(
        address=resource.address,
        type=resource.type,
        origin=resource.origin,
        network=network,
        name=name,
        unknown=[*unknown, *DIRECTIONS],
        rules=[unknown_rule(direction) for direction in DIRECTIONS],
    )
    resource.note("a security group read from the account; its rules are unknown")


def inline_rules(b: Build, resource: Resource) -> Iterator[SecurityGroupRule]:
    for direction in DIRECTIONS:
        for entry in resource.entries(direction):
            if not entry.known:
                entry.note(f"{entry.path()} is known only after apply", "")
                yield SecurityGroupRule(
                    address=resource.address,
                    type=resource.type,
                    origin=entry.origin,
                    direction=direction,
                    unknown=[entry.path()],
                )
                continue
            rule = group_rule(b, entry, direction)
            if entry.written_if is not None:
                rule.written_if = f"{entry.path()} (its condition rests on {entry.written_if})"
            yield rule


def group_rule(b: Build, view: Fields, direction: Direction) -> SecurityGroupRule:
    """One rule, written inline (an entry) or as a resource of its own."""
    unknown: list[str] = []
    protocol = protocol_of(view.value("protocol"))
    if protocol is None:
        protocol = "-1"
        unknown.append(view.name("protocol"))
        view.note(f"{view.path('protocol')} is not known", "protocol")
    ports = port_range(view, protocol, unknown)
    icmp = icmp_messages(view, protocol, unknown, "from_port", "to_port")
    services_unknown = bool(unknown)  # the protocol, ports or messages: nothing else yet
    cidrs: list[str] = []
    ranges: list[UnknownValue] = []
    for name, version in (("cidrs", 4), ("ipv6_cidrs", 6)):
        cidrs.extend(cidr_values(view, name, unknown, ranges=ranges, version=version))
    unknown = [u.removeprefix(view.prefix) for u in unknown]
    prefix_links = view.links("prefix_lists", PREFIX_LIST_KINDS, "prefix list")
    prefix_lists = [*prefix_links.addresses, *prefix_links.literals]
    if prefix_links.unresolved and not prefix_links.literals:
        unknown.append(view.name("prefix_lists"))
        view.note(f"{view.path('prefix_lists')} cannot be resolved")
    # Terraform's `aws_elb.x.source_security_group_id` stands for the balancer's source group.
    group_links = view.links(
        "groups",
        SG_LINK_KINDS | SOURCE_GROUP_KINDS,
        "security group",
        likely=SG_KINDS | SOURCE_GROUP_KINDS,
    )
    groups: list[str] = []
    balancers: list[str] = []
    _split_sources(b, group_links.addresses, groups, balancers)
    # A group outside the input admits its members: in the input, those that name it.
    groups.extend(group_links.literals)
    groups_unknown: list[str] = []
    path = view.path("groups")
    if group_links.ambiguous:
        groups_unknown.append(view.name("groups"))
        choices = ", ".join(groups[:NOTE_SAMPLE])
        view.note(f"{path} names some of {choices}", "groups")
    elif group_links.literals:
        view.note(f"{path} names {', '.join(group_links.literals)}, not in the input", "groups")
    rests_on = ", ".join(group_links.rests_on)
    if (
        group_links.unresolved
        and not group_links.ambiguous
        and (rests_on or not group_links.literals)
    ):
        groups_unknown.append(view.name("groups"))
        reason = f"is not known (it rests on {rests_on})" if rests_on else "cannot be resolved"
        view.note(f"{path} {reason}; its members are unknown", "groups")
    if view.value("group_names") is not None:
        names_unknown: list[str] = []
        named = view.links(
            "group_names", SG_LINK_KINDS | SOURCE_GROUP_KINDS, "security group", names_unknown
        )
        _split_sources(b, named.addresses, groups, balancers)
        groups.extend(_named_groups(b, view, "group_names", named, names_unknown))
        if names_unknown:
            groups_unknown.append(view.name("group_names"))
    description = view.value("description")
    rule = SecurityGroupRule(
        address=view.address,
        type=view.type,
        origin=view.origin,
        direction=direction,
        protocol=protocol,
        ports=ports,
        icmp=icmp,
        cidrs=cidrs,
        prefix_lists=prefix_lists,
        security_groups=dedupe(groups),
        self_reference=view.value("self") is True,
        description=description if isinstance(description, str) else None,
        unknown=dedupe(unknown),
        unknown_ranges=ranges,
        services_unknown=services_unknown,
        groups_unknown=tuple(groups_unknown),
    )
    b.source_groups.extend((rule, view, balancer) for balancer in balancers)
    return rule


def _split_sources(b: Build, addresses: list[str], groups: list[str], balancers: list[str]) -> None:
    """The groups a rule's source names, and the Classic Load Balancers that stand for their
    source groups (found once the balancers' groups are known)."""
    for address in addresses:
        found = b.inv.get(address)
        if found is not None and found.kind in SOURCE_GROUP_KINDS:
            balancers.append(address)
        else:
            groups.append(group_address(b, address))


def _named_groups(
    b: Build, view: Fields, field: str, links: Links, unknown: list[str]
) -> list[str]:
    """The groups a field names by name. A name no group of the input has is a group outside
    it, whose members in the input are those that name it; which of several a name not known
    names goes to `unknown`, with a note."""
    found: list[str] = []
    missing: list[str] = []
    for name in links.literals:
        address = b.inv.named("security-group", name)
        if address is None:
            missing.append(name)
        found.append(address or name)
    path = view.path(field)
    if missing:
        view.note(
            f"{path} names {', '.join(missing)}, the name of no security group in the input",
            field,
        )
    if links.ambiguous:
        if path not in unknown:
            unknown.append(path)
        choices = ", ".join(links.addresses[:NOTE_SAMPLE])
        view.note(f"{path} names some of {choices}", field)
    return found


def add_source_groups(b: Build) -> None:
    """Rules that name a Classic Load Balancer's source group, once its groups are known: the
    one group its interfaces are in. Several, or none known: which one is unknown."""
    for rule, view, balancer in b.source_groups:
        endpoint = b.model.endpoints.get(balancer)
        groups = dedupe(
            group
            for interface in (endpoint.interfaces if endpoint is not None else [])
            for group in interface.security_groups
        )
        if len(groups) == 1:
            rule.security_groups = dedupe([*rule.security_groups, groups[0]])
            continue
        name = view.name("group_names")
        if name not in rule.groups_unknown:
            rule.groups_unknown = (*rule.groups_unknown, name)
        which = f"one of {', '.join(groups[:NOTE_SAMPLE])}" if groups else "not known"
        view.note(
            f"{view.path('group_names')} names the source security group of {balancer}, "
            f"which is {which}; its members are unknown",
            "group_names",
        )


def group_address(b: Build, address: str) -> str:
    """A group link; a VPC stands for its default group."""
    if address in b.model.networks:
        return default_group(b, address) or address
    return address


def add_rules(b: Build) -> None:
    """Rules written apart from their group."""
    for resource in b.inv.of("security-group-rule"):
        direction = resource.value("direction")
        if direction not in DIRECTIONS:
            resource.note(
                f"{resource.path('direction')} is neither ingress nor egress; rule skipped",
                "direction",
            )
            continue
        rule = group_rule(b, resource, direction)
        unknown: list[str] = []
        target = resource.link("group", SG_LINK_KINDS, "security group", unknown)
        if target is None and not unknown and resource.value("group") is None:
            target = _group_by_name(b, resource, unknown)
        group = b.model.security_groups.get(group_address(b, target)) if target else None
        if group is None:
            if not unknown:
                resource.note("its security group is not in the input; rule not modelled")
            continue
        group.rules.append(rule)
    for group in b.model.security_groups.values():
        _drop_echoes(group)


# A rule's peer, one at a time: a CIDR, a prefix list, a group, or the group itself.
_Peer = tuple[str, str]


def _peers(rule: SecurityGroupRule) -> list[_Peer]:
    return [
        *(("cidr", cidr) for cidr in rule.cidrs),
        *(("prefix-list", listed) for listed in rule.prefix_lists),
        *(("group", group) for group in rule.security_groups),
        *([("self", "")] if rule.self_reference else []),
    ]


def _service_key(rule: SecurityGroupRule) -> tuple[object, ...]:
    return (rule.direction, str(rule.protocol).lower(), rule.ports, rule.icmp)


def _drop_echoes(group: SecurityGroup) -> None:
    """A group's rules as AWS lists them hold the rules written apart too: a plan of a group
    that exists shows them again among its inline `ingress` and `egress`. An inline rule, or
    the part of its peers, that a rule written apart already admits alike is that one, which
    the path names instead (and a suppression on it then covers the traffic)."""
    apart = {
        (*_service_key(rule), peer)
        for rule in group.rules
        if rule.address != group.address and not rule.unknown
        for peer in _peers(rule)
    }
    if not apart:
        return
    kept: list[SecurityGroupRule] = []
    for rule in group.rules:
        if rule.address != group.address or rule.unknown or rule.written_if is not None:
            kept.append(rule)
            continue
        key = _service_key(rule)
        peers = _peers(rule)
        left = [peer for peer in peers if (*key, peer) not in apart]
        if len(left) == len(peers):
            kept.append(rule)
        elif left:
            kept.append(
                replace(
                    rule,
                    cidrs=[value for kind, value in left if kind == "cidr"],
                    prefix_lists=[value for kind, value in left if kind == "prefix-list"],
                    security_groups=[value for kind, value in left if kind == "group"],
                    self_reference=("self", "") in left,
                )
            )
    group.rules = kept


def _group_by_name(b: Build, resource: Resource, unknown: list[str]) -> str | None:
    """The group a rule written apart names by its name (`group_name`), if it is in the input."""
    if resource.value("group_name") is None:
        return None
    if one_of(resource, "group_name", SG_LINK_KINDS, "security group") is not None:
        unknown.append(resource.path("group_name"))
        return None
    links = resource.links("group_name", SG_LINK_KINDS, "security group", unknown, single=True)
    named = (b.inv.named("security-group", name) for name in links.literals)
    found = dedupe([*links.addresses, *(address for address in named if address)])
    return found[0] if len(found) == 1 else None


class Groups(Struct):
    addresses: list[str]
    given: bool
    # Named "default": the VPC's default group, which only the interface's network tells.
    named_default: bool = False


def groups_of(b: Build, resource: Fields, fields: Iterable[str], unknown: list[str]) -> Groups:
    """Security groups named in these fields; unresolved ones stay as placeholders.

    A group that is not in the model is one whose rules the engine treats as unknown.
    """
    found: list[str] = []
    given = named_default = False
    for field in fields:
        links = resource.links(field, SG_LINK_KINDS, "security group")
        given = given or links.given
        found.extend(group_address(b, a) for a in links.addresses)
        outside = [literal for literal in links.literals if literal != "default"]
        named_default = named_default or len(outside) < len(links.literals)
        found.extend(outside)
        path = resource.path(field)
        if outside:
            reason = f"names {', '.join(outside)}, which is not in the input"
        elif links.unresolved and not links.literals:
            found.append(f"{resource.address}.{path}")
            rests_on = ", ".join(links.rests_on)
            reason = f"is not known (it rests on {rests_on})" if rests_on else "cannot be resolved"
        else:
            continue
        if path not in unknown:
            unknown.append(path)
        resource.note(f"{path} {reason}; its security group is unknown", field)
    return Groups(dedupe(found), given, named_default)
