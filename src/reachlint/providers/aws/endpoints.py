"""What every endpoint shares: its interfaces, their subnets, groups and public addresses.

An endpoint has one interface per subnet it sits in. An interface is in the security groups its
resource names, else in its VPC's default group. An interface is public when an Elastic IP,
the resource itself or its subnet (`public_ip_on_launch`) makes it so. A database's or cache's
service port is the one written, else its engine's default.

Fields every endpoint may have: `tags`, `all_tags` (its own and inherited tags, as the provider
computed them), `default_tags` (those its provider's configuration gives), `endpoint_type` (a
VPC endpoint's), `port` and `engine` (a data store's).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from reachlint.model import exposure
from reachlint.model.network import (
    Endpoint,
    EndpointKind,
    Interface,
    LoadBalancer,
    PortRange,
)
from reachlint.providers.aws.networks import (
    SUBNET_KINDS,
    default_group,
    fallback_network,
    is_default_vpc,
    outside_vpc,
)
from reachlint.providers.aws.security_groups import Groups
from reachlint.providers.aws.source import Fields, Resource
from reachlint.providers.aws.state import NOTE_SAMPLE, Build
from reachlint.providers.values import (
    TagValues,
    dedupe,
    has_unknown,
    integer,
    string_value,
    strings,
    tag_values,
    valid_ip,
)
from reachlint.sources import UNKNOWN

ENI_KINDS = frozenset({"network-interface"})
INSTANCE_KINDS = frozenset({"instance"})


def tags_of(resource: Resource) -> TagValues:
    """A plan's tags_all when it is known (its own tags and the provider's default tags), else
    its own tags over the default tags of its provider's configuration. A plan may show tags_all
    as known after apply when tags is null, default tags or none, so it counts only where it is
    known."""
    everything = tag_values(
        resource.value("all_tags"), f"{resource.address}: {resource.path('all_tags')}"
    )
    if everything.known or everything.unknown:
        return everything
    own = tag_values(resource.value("tags"), f"{resource.address}: {resource.path('tags')}")
    defaults = resource.value("default_tags")
    if defaults is None:
        return own
    return tag_values(defaults, resource.path("default_tags")).under(own)


def add_endpoint(
    b: Build,
    resource: Resource,
    kind: EndpointKind,
    interfaces: list[Interface],
    unknown: list[str] | None = None,
    load_balancer: LoadBalancer | None = None,
    tags: TagValues | None = None,
) -> Endpoint:
    """The endpoint `resource` stands for, tagged with `tags` (default: its own)."""
    tags = tags if tags is not None else tags_of(resource)
    endpoint = Endpoint(
        address=resource.address,
        type=resource.type,
        origin=resource.origin,
        kind=kind,
        tags=tags.known,
        unknown_tags=tags.unknown,
        tags_unknown=tags.whole,
        interfaces=interfaces,
        load_balancer=load_balancer,
        unknown=unknown or [],
        exposure=exposure.pick(
            resource.type,
            flavor=load_balancer.flavor if load_balancer is not None else None,
            endpoint_type=string_value(resource.value("endpoint_type")),
        ),
        service_ports=service_ports(resource),
    )
    b.model.endpoints[resource.address] = endpoint
    for interface in interfaces:
        b.interfaces[interface.address] = (resource.address, interface)
    return endpoint


def ipv6_request(resource: Fields, unknown: list[str]) -> bool | None:
    """Whether an instance or interface asks for IPv6 addresses itself: some addresses or a
    count above 0; a count of 0 declines them; None: it does not say (its subnet decides)."""
    addresses, count = resource.value("ipv6_addresses"), resource.value("ipv6_count")
    if isinstance(addresses, list) and addresses:
        return True
    number = integer(count)
    if number is not None:
        return number > 0
    if has_unknown(count) or has_unknown(addresses):
        unknown.append(resource.name("ipv6_count"))
    return None


def service_ports(resource: Resource) -> list[PortRange]:
    """A database's or cache's port: as written, else its engine's default."""
    value = resource.value("port")
    port = integer(value)
    if port is None:
        if value is UNKNOWN and resource.refers("port"):
            return []  # set from a value known only at deployment: the filters decide
        port = exposure.default_port(resource.type, string_value(resource.value("engine")))
    return [PortRange(low=port, high=port)] if port is not None else []


def interfaces_for(
    b: Build,
    resource: Fields,
    subnets: list[str],
    unknown: list[str],
    groups: Groups | None,
    *,
    public: bool | None,
    public_source: str | None,
    private_ips: list[str] | None = None,
    subnet_unknown: str | None = None,
    network: str | None = None,
    subnet_absent: bool = False,
    subnet_choices: tuple[str, ...] = (),
    ipv6: bool | None = None,
    launched: bool = False,
    ipv6_unknown: bool = False,
) -> list[Interface]:
    """One interface per subnet; `groups` None means "no security-group filtering".

    `public` None: the subnet's public_ip_on_launch decides. `subnet_unknown`: what `unknown`
    names the subnet by, which an interface in a known subnet does not inherit. `network`:
    where an interface without a known subnet sits, when that is known. `subnet_absent`: no
    subnet is written at all, so in the default VPC AWS picks one of its default subnets.
    `subnet_choices`: the subnets it may be in, when the input narrows it to several.
    `ipv6`: whether it asks for IPv6 addresses itself; `launched`: an instance or interface,
    which otherwise gets them as its subnet's AssignIpv6AddressOnCreation says;
    `ipv6_unknown`: whether it does is a value not known (named in `unknown`).
    """
    placements: list[str | None] = list(subnets) or [None]
    launch_public = b.inv.field_name("subnet", "public_ip_on_launch")
    launch_ipv6 = b.inv.field_name("subnet", "ipv6_on_launch")
    interfaces = []
    for subnet_address in placements:
        name = f"{resource.address}.eni"
        if len(placements) > 1:
            name += f"[{subnet_address}]"
        own_unknown = [u for u in unknown if u != subnet_unknown or subnet_address is None]
        subnet = b.model.subnets.get(subnet_address or "")
        placed = subnet.network if subnet is not None else placement_network(b, network, groups)
        unknown_subnet = subnet is None and subnet_unknown in unknown
        if placed is None and unknown_subnet:
            placed = outside_vpc(b)  # routed as its own tables say, which are unknown
        is_public, source = bool(public), public_source if public else None
        if public is None:
            if subnet is None and subnet_absent and is_default_vpc(b, network):
                # AWS picks one of the default subnets, which give public addresses unless the
                # input adopts one that does not.
                if b.private_default_subnets:
                    own_unknown.append("public")
                else:
                    is_public, source = True, network
            elif subnet is None or launch_public in subnet.unknown:
                own_unknown.append("public")
            elif subnet.map_public_ip:
                is_public, source = True, subnet.address
        has_ipv6 = ipv6
        if ipv6_unknown:
            own_unknown.append("ipv6")
        elif has_ipv6 is None and launched and subnet is not None:
            if launch_ipv6 in subnet.unknown:
                own_unknown.append("ipv6")
            else:
                has_ipv6 = subnet.ipv6_on_launch
        interfaces.append(
            Interface(
                address=name,
                subnet=subnet_address,
                network=placed,
                ipv6=has_ipv6,
                private_ips=list(private_ips or []) if len(placements) == 1 else [],
                public=is_public,
                public_source=source,
                security_groups=with_default(b, groups, placed, own_unknown),
                unknown=dedupe(own_unknown),
                subnet_unknown=unknown_subnet,
                subnet_choices=list(subnet_choices) if unknown_subnet else [],
            )
        )
    return interfaces


def with_default(
    b: Build, groups: Groups | None, network: str | None, unknown: list[str]
) -> list[str]:
    if groups is None:
        return []
    if groups.given and not groups.named_default:
        return list(groups.addresses)
    default = default_group(b, network)
    if default is None:
        # The default group of a VPC that is not known: a group the engine cannot see.
        default = "default"
        unknown.append("security_groups")
    return dedupe([*groups.addresses, default])


def placement_network(b: Build, known: str | None, groups: Groups | None = None) -> str | None:
    """Where an interface without a known subnet sits, if that is clear at all: the VPC of its
    security groups (AWS takes only groups of the interface's own VPC), or the only VPC."""
    if known is not None:
        return known
    if (of_groups := groups_network(b, groups)) is not None:
        return of_groups
    if len(b.declared_networks) == 1:
        return b.declared_networks[0]
    return None


def groups_network(b: Build, groups: Groups | None) -> str | None:
    """The one VPC of an interface's security groups, when the input holds them."""
    if groups is None:
        return None
    networks = {
        group.network
        for address in groups.addresses
        if (group := b.model.security_groups.get(address)) is not None
    }
    return networks.pop() if len(networks) == 1 else None


def subnets_of(b: Build, resource: Fields, fields: Iterable[str], unknown: list[str]) -> list[str]:
    found: list[str] = []
    for field in fields:
        links = resource.links(field, SUBNET_KINDS, "subnet", unknown)
        found.extend(a for a in links.addresses if a in b.model.subnets)
    return dedupe(found)


def ips(*values: Any) -> list[str]:
    found: list[str] = []
    for value in values:
        found.extend(text for text in strings(value) if valid_ip(text))
    return dedupe(found)


class SubnetChoice(NamedTuple):
    subnet: str | None
    network: str | None  # when the subnet is not known but its VPC is
    absent: bool = False  # no subnet written: a default subnet of the default VPC
    choices: tuple[str, ...] = ()  # the subnets it may be, when the input names several


def subnet_choice(
    b: Build,
    resource: Resource,
    field: str,
    unknown: list[str],
    *,
    default_vpc: bool = False,
    groups: Groups | None = None,
) -> SubnetChoice:
    """The subnet an interface sits in; if it may be any of several, their common VPC.

    `default_vpc`: naming no subnet places it in a default subnet of the default VPC. A subnet
    that is a value not known before apply, or one outside the input, is in the VPC of the
    interface's `groups` (AWS takes only groups of the subnet's VPC) when that VPC is not one the
    input declares (whose own subnets and tables would not tell how it routes).
    """
    links = resource.links(field, SUBNET_KINDS, "subnet", unknown, single=True)
    subnets = [a for a in links.addresses if a in b.model.subnets]
    if len(subnets) == 1:
        return SubnetChoice(subnets[0], None)
    path = resource.path(field)
    if len(subnets) > 1:
        if path not in unknown:
            unknown.append(path)
        choices = ", ".join(subnets[:NOTE_SAMPLE])
        resource.note(f"{path} may be any of {choices}; its subnet is unknown", field)
        networks = {b.model.subnets[a].network for a in subnets}
        if len(networks) != 1:
            return SubnetChoice(None, None)
        # Narrowed to these only when nothing else may be meant (a subnet outside the input, a
        # value not known): else it may be any subnet of the VPC.
        only = not (links.literals or links.rests_on or links.unresolved)
        return SubnetChoice(None, networks.pop(), choices=tuple(subnets) if only else ())
    if not links.given and default_vpc:
        network = fallback_network(b, resource, field, unknown, f"no {path}", absent=True)
        return SubnetChoice(None, network, absent=True)
    if links.given and not links.addresses and not links.rests_on:
        # A subnet the input names but does not hold: in the VPC of its groups, else in a VPC
        # outside the input, routed as that VPC's own tables say.
        named = "names a subnet outside the input" if links.literals else "is not known"
        reason = f"{path} {named}"
        # A VPC the input declares may hold subnets it does not, routed as the input does not
        # say: only a VPC whose routes are the account's own anyway takes it.
        of_groups = groups_network(b, groups)
        if of_groups is not None and of_groups not in b.declared_networks:
            if path not in unknown:
                unknown.append(path)
            resource.note(f"{reason}; in {of_groups}, the VPC of its security groups", field)
            return SubnetChoice(None, of_groups)
        return SubnetChoice(None, fallback_network(b, resource, field, unknown, reason, False))
    return SubnetChoice(None, None)


def interface_named(
    b: Build, resource: Resource, eni_field: str, instance_field: str | None, unknown: list[str]
) -> tuple[str | None, Interface | None]:
    """The interface an address or attachment points at: an ENI, or an instance's primary."""
    eni = resource.link(eni_field, ENI_KINDS | INSTANCE_KINDS, "interface", unknown)
    if eni is not None:
        if eni in b.interfaces:
            return b.interfaces[eni]
        if eni in b.model.endpoints:
            return primary(b, eni)
    if instance_field is None:
        return None, None
    instance = resource.link(instance_field, INSTANCE_KINDS, "instance", unknown)
    if instance is not None:
        return primary(b, instance)
    return None, None


def primary(b: Build, endpoint_address: str) -> tuple[str | None, Interface | None]:
    endpoint = b.model.endpoints.get(endpoint_address)
    if endpoint is None or not endpoint.interfaces:
        return None, None
    return endpoint_address, endpoint.interfaces[0]
