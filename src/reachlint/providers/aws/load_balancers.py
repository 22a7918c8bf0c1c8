"""Load balancers: application, network and gateway load balancers with their listeners and
target groups, and Classic Load Balancers with their instances.

A load balancer is internet-facing unless internal; a network or gateway load balancer without
security groups filters nothing. A network load balancer keeps the client's address for the
target groups that preserve it (`_preserves_client`); the targets of the others see the load
balancer's private address. A listener without a protocol takes its flavor's (HTTP, GENEVE,
TCP); GENEVE is UDP on 6081. A target reaches a group through an attachment, an Auto Scaling
group or an ECS service.

Fields: a load balancer's `flavor`, `internal`, `subnet_mappings` entries (`subnet`,
`private_ip`, `allocation`), `subnets`, `groups`; a classic one's `internal`, `subnets`,
`groups`, `listeners` entries (`port`, `target_port`, `protocol`), `instances`; a target
group's `protocol`, `port`, `target_type`, `preserve_client_ip` ("true" or "false"); a
listener's `load_balancer`, `protocol`, `port`, `actions` (the groups its forward actions
name); a rule's `listener`, `actions`; a target attachment's
`group`, `target`, `port`; an Auto Scaling group's `target_groups`, `load_balancers`; its
attachment's `group`, `target_group`, `legacy_target_group`, `classic`; a service's
`load_balancers` entries (`container_port`, `target_group`, `classic`); a classic attachment's
`classic`, `instance`.
"""

from __future__ import annotations

from reachlint.model.network import (
    ElasticIp,
    Listener,
    LoadBalancer,
    Target,
    TargetGroup,
)
from reachlint.providers.aws.endpoints import (
    INSTANCE_KINDS,
    add_endpoint,
    interfaces_for,
    ips,
    subnets_of,
)
from reachlint.providers.aws.networks import SUBNET_KINDS, in_default_vpc, is_default_vpc
from reachlint.providers.aws.security_groups import Groups, groups_of
from reachlint.providers.aws.source import Resource
from reachlint.providers.aws.state import Build
from reachlint.providers.values import dedupe, flag, integer, string_value
from reachlint.sources import UNKNOWN

# Client IP preservation, a target group attribute
# (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html):
# "enabled (and can't be disabled) for instance and IP type target groups with UDP, TCP_UDP,
# QUIC, and TCP_QUIC protocols"; for TCP and TLS, `preserve_client_ip.enabled`, by default
# "Instance type target groups: Enabled", "IP type target groups (TCP, TLS): Disabled". "When
# you disable client IP preservation, the source IP address is the private IP address of the
# Network Load Balancer." A target group's type is "instance" unless written (CreateTargetGroup).
_ALWAYS_PRESERVED = frozenset({"UDP", "TCP_UDP", "QUIC", "TCP_QUIC"})

LB_KINDS = frozenset({"load-balancer"})
LISTENER_KINDS = frozenset({"listener"})
TG_KINDS = frozenset({"target-group"})
ASG_KINDS = frozenset({"autoscaling-group"})
ELB_KINDS = frozenset({"classic-load-balancer"})
EIP_KINDS = frozenset({"elastic-ip"})


def add_load_balancer(b: Build, resource: Resource) -> None:
    unknown: list[str] = []
    flavor = resource.value("flavor")
    if flavor not in ("application", "network", "gateway"):
        flavor = "application"
    internal = resource.value("internal") is True
    if resource.value("internal") is UNKNOWN and resource.refers("internal"):
        unknown.append(resource.name("internal"))
    mappings = [entry for entry in resource.entries("subnet_mappings") if entry.known]
    placing = len(unknown)
    subnets: list[str] = []
    private_ips: dict[str, list[str]] = {}
    # Each mapping's Elastic IP, by its subnet (None: a subnet the input does not hold, where
    # the address is still the load balancer's).
    eips: list[tuple[str | None, str]] = []
    for mapping in mappings:
        subnet = mapping.link("subnet", SUBNET_KINDS, "subnet", unknown)
        eip = mapping.link("allocation", EIP_KINDS, "EIP", None)
        if eip is not None:
            eips.append((subnet, eip))
        if subnet is None:
            continue
        subnets.append(subnet)
        private_ips[subnet] = ips(mapping.value("private_ip"))
    if not mappings:
        subnets = subnets_of(b, resource, ["subnets"], unknown)
    # A subnet not known places it in a VPC whose routes are not known either.
    subnet_unknown = unknown[placing] if len(unknown) > placing else None
    groups: Groups | None = groups_of(b, resource, ["groups"], unknown)
    if flavor != "application" and groups is not None and not groups.given:
        groups = None  # network and gateway load balancers without groups filter nothing
    # Its addresses (ip_address_type): IPv4 unless dual stack, and then without public IPv4
    # addresses when so asked; an internal one has private IPv4 addresses only.
    written = resource.value("address_type")
    address_type = written if isinstance(written, str) else "ipv4"
    type_unknown = written is UNKNOWN
    if type_unknown:
        unknown.append(resource.name("address_type"))
    dual_stack = address_type.startswith("dualstack") and not internal
    interfaces = interfaces_for(
        b,
        resource,
        subnets,
        unknown,
        groups,
        public=not internal and address_type != "dualstack-without-public-ipv4",
        public_source=resource.address,
        subnet_unknown=subnet_unknown,
        ipv6=None if type_unknown else dual_stack,
        ipv6_unknown=type_unknown and not internal,
    )
    for interface in interfaces:
        interface.private_ips = private_ips.get(interface.subnet or "", [])
    spec = LoadBalancer(
        scheme="internal" if internal else "internet-facing",
        flavor=flavor,
        preserves_client_address=flavor == "network",  # for the groups that preserve it
    )
    add_endpoint(b, resource, "load-balancer", interfaces, unknown, spec)
    for subnet, eip in eips:
        address = b.inv.get(eip)
        if address is None:
            continue
        b.model.elastic_ips[eip] = ElasticIp(
            address=eip,
            type=address.type,
            origin=address.origin,
            endpoint=resource.address,
            interface=next((i.address for i in interfaces if subnet and i.subnet == subnet), None),
        )


def _default_elb_group(b: Build, resource: Resource, vpc: str | None) -> Groups:
    """In the default VPC a Classic Load Balancer without groups gets the account's default_elb
    group, made with rules for the first load balancer's ports and shared by the later ones
    (https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/elb-vpc-security-groups.html):
    a group outside the input, whose rules are unknown."""
    resource.note(
        "no security groups in the default VPC: Elastic Load Balancing gives it the account's "
        "default_elb group, whose rules are not in the input",
        "groups",
    )
    return Groups([f"{vpc}.default_elb"], True)


def add_classic_load_balancer(b: Build, resource: Resource) -> None:
    unknown: list[str] = []
    internal = resource.value("internal") is True
    subnets = subnets_of(b, resource, ["subnets"], unknown)
    network = None
    where = resource.path("subnets")
    absent = not subnets and where not in unknown
    if absent:
        network = in_default_vpc(b, resource, "subnets", unknown, where)
    groups = groups_of(b, resource, ["groups"], unknown)
    vpc = network or next((b.model.subnets[a].network for a in subnets), None)
    if not groups.given and is_default_vpc(b, vpc):
        groups = _default_elb_group(b, resource, vpc)
    interfaces = interfaces_for(
        b,
        resource,
        subnets,
        unknown,
        groups,
        public=not internal,
        public_source=resource.address,
        subnet_unknown=where,
        network=network,
        subnet_absent=absent,
    )
    listeners = []
    for entry in resource.entries("listeners"):
        if not entry.known:
            continue
        port, target_port = integer(entry.value("port")), integer(entry.value("target_port"))
        if port is None:
            resource.note(f"{entry.path('port')} unknown; listener skipped")
            continue
        listeners.append(
            Listener(
                address=resource.address,
                type=resource.type,
                origin=entry.origin,
                protocol=string_value(entry.value("protocol")) or "tcp",
                port=port,
                target_port=target_port if target_port is not None else port,
            )
        )
    instances = resource.links("instances", INSTANCE_KINDS, "instance", unknown)
    origin = resource.origin_of("instances")
    spec = LoadBalancer(
        scheme="internal" if internal else "internet-facing",
        flavor="classic",
        listeners=listeners,
        instances=[Target(endpoint=a, origin=origin) for a in instances.addresses],
    )
    add_endpoint(b, resource, "load-balancer", interfaces, unknown, spec)


def add_listeners_and_targets(b: Build) -> None:
    for resource in b.inv.of("target-group"):
        protocol = string_value(resource.value("protocol")) or "tcp"
        preserves, rests_on = _preserves_client(resource)
        b.model.target_groups[resource.address] = TargetGroup(
            address=resource.address,
            type=resource.type,
            origin=resource.origin,
            protocol="UDP" if protocol.upper() == "GENEVE" else protocol,
            port=integer(resource.value("port")),
            port_unknown=resource.path("port") if resource.value("port") is UNKNOWN else None,
            preserves_client_address=preserves,
            preservation_rests_on=rests_on,
            ipv6_targets=resource.value("address_type") == "ipv6",
        )
    for resource in b.inv.of("listener"):
        _listener(b, resource)
    for resource in b.inv.of("listener-rule"):
        unknown: list[str] = []
        listener = resource.link("listener", LISTENER_KINDS, "listener", unknown)
        groups = _forwards_to(resource, unknown)
        for item in b.listeners.get(listener or "", []):
            item.target_groups = dedupe([*item.target_groups, *groups])
    for resource in b.inv.of("target-group-attachment"):
        _target_attachment(b, resource)
    for resource in b.inv.of("autoscaling-group"):
        links = resource.links("target_groups", TG_KINDS, "target group", [])
        origin = resource.origin_of("target_groups")
        for target_group in links.addresses:
            add_target(b, target_group, Target(endpoint=resource.address, origin=origin))
        balancers = resource.links("load_balancers", ELB_KINDS, "load balancer", [])
        for balancer in balancers.addresses:
            add_instance(b, balancer, Target(endpoint=resource.address, origin=origin))
    for resource in b.inv.of("autoscaling-attachment"):
        unknown = []
        scaling_group = resource.link("group", ASG_KINDS, "auto scaling group", unknown)
        if scaling_group is None:
            continue
        target = Target(endpoint=scaling_group, origin=resource.origin, via=resource.address)
        for field in ("target_group", "legacy_target_group"):
            for address in resource.links(field, TG_KINDS, "group", unknown).addresses:
                add_target(b, address, target)
        classic = resource.link("classic", ELB_KINDS, "load balancer", unknown)
        if classic is not None:
            add_instance(b, classic, target)
    for resource in b.inv.of("ecs-service"):
        for entry in resource.entries("load_balancers"):
            if not entry.known:
                continue
            target = Target(
                endpoint=resource.address,
                port=integer(entry.value("container_port")),
                origin=entry.origin,
            )
            forward = entry.link("target_group", TG_KINDS, "group", [])
            if forward is not None:
                add_target(b, forward, target)
            classic = entry.link("classic", ELB_KINDS, "load balancer", [])
            if classic is not None:
                add_instance(b, classic, target)
    for resource in b.inv.of("classic-load-balancer-attachment"):
        unknown = []
        classic = resource.link("classic", ELB_KINDS, "load balancer", unknown)
        instance = resource.link("instance", INSTANCE_KINDS, "instance", unknown)
        if classic is not None and instance is not None:
            add_instance(
                b, classic, Target(endpoint=instance, origin=resource.origin, via=resource.address)
            )


def _preserves_client(resource: Resource) -> tuple[bool | None, str | None]:
    """Whether a network load balancer's targets in this group see the client's address, or
    else the load balancer's; None with the value it rests on when the input does not say."""
    protocol = resource.value("protocol")
    if isinstance(protocol, str) and protocol.upper() in _ALWAYS_PRESERVED:
        return True, None
    preserve = resource.value("preserve_client_ip")
    written = flag(preserve)
    if written is not None:
        return written, None
    if preserve is UNKNOWN:
        return None, f"{resource.address}: {resource.path('preserve_client_ip')}"
    # Not written: it follows the group's type, and for IP targets its protocol.
    target_type = resource.value("target_type")
    if target_type is UNKNOWN:
        return None, f"{resource.address}: {resource.path('target_type')}"
    if (string_value(target_type) or "instance").lower() != "ip":
        return True, None
    if protocol is UNKNOWN:
        return None, f"{resource.address}: {resource.path('protocol')}"
    return False, None


def _listener(b: Build, resource: Resource) -> None:
    unknown: list[str] = []
    balancer_address = resource.link("load_balancer", LB_KINDS, "load balancer", unknown)
    balancer = b.model.endpoints.get(balancer_address or "")
    if balancer is None or balancer.load_balancer is None:
        if not unknown:
            resource.note("its load balancer is not in the input; not modelled")
        return
    spec = balancer.load_balancer
    protocol = string_value(resource.value("protocol"))
    if protocol is None:
        protocol = {"application": "HTTP", "gateway": "GENEVE"}.get(spec.flavor, "TCP")
    port = integer(resource.value("port"))
    if port is None and protocol.upper() == "GENEVE":
        port = 6081
    port_unknown = None
    if port is None and resource.value("port") is UNKNOWN:
        # It listens on some port: any, when open, and the flows through it name the port.
        port_unknown = resource.path("port")
        unknown.append(port_unknown)
    elif port is None:
        resource.note(f"{resource.path('port')} is not written; listener not modelled", "port")
        return
    listener = Listener(
        address=resource.address,
        type=resource.type,
        origin=resource.origin,
        protocol="UDP" if protocol.upper() == "GENEVE" else protocol,
        port=port,
        port_unknown=port_unknown,
        target_groups=_forwards_to(resource, unknown),
        unknown=unknown,
    )
    spec.listeners.append(listener)
    b.listeners.setdefault(resource.address, []).append(listener)


def _forwards_to(resource: Resource, unknown: list[str]) -> list[str]:
    """Target groups a listener's or rule's forward actions name (one that is not in the input,
    or known only at deployment, is noted and named in `unknown`)."""
    links = resource.links("actions", TG_KINDS, "target group", unknown)
    for literal in links.literals:
        resource.note(f"forwards to {literal}, which is not in the input", "actions")
    return dedupe(links.addresses)


def _target_attachment(b: Build, resource: Resource) -> None:
    unknown: list[str] = []
    group = resource.link("group", TG_KINDS, "target group", unknown)
    if group is None:
        return
    links = resource.links("target", None, single=True)
    endpoint = next(
        (e for e in (_endpoint_of(b, a) for a in links.addresses) if e is not None), None
    )
    if endpoint is None:
        for literal in links.literals:
            endpoint = _endpoint_with_ip(b, literal)
    if endpoint is None:
        target = ", ".join(links.addresses + links.literals) or "an unknown target"
        path = resource.path("target")
        resource.note(f"{path}: {target} is not an endpoint in the input", "target")
        return
    add_target(
        b,
        group,
        Target(
            endpoint=endpoint,
            port=integer(resource.value("port")),
            origin=resource.origin,
            via=resource.address,
        ),
    )


def _endpoint_of(b: Build, address: str) -> str | None:
    if address in b.model.endpoints:
        return address
    return b.owner.get(address)


def _endpoint_with_ip(b: Build, ip: str) -> str | None:
    if b.ip_index is None:
        b.ip_index = {}
        for endpoint, interface in b.interfaces.values():
            for known in interface.private_ips:
                b.ip_index.setdefault(known, endpoint)
    return b.ip_index.get(ip)


def add_target(b: Build, group_address: str, target: Target) -> None:
    group = b.model.target_groups.get(group_address)
    key = (group_address, target.endpoint, target.port, target.via)
    if group is not None and key not in b.targets_seen:
        b.targets_seen.add(key)
        group.targets.append(target)


def add_instance(b: Build, balancer_address: str, target: Target) -> None:
    balancer = b.model.endpoints.get(balancer_address)
    if balancer is not None and balancer.load_balancer is not None:
        balancer.load_balancer.instances.append(target)
