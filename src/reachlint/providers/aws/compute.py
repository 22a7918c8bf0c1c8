"""Compute endpoints: instances and their network interfaces, launch templates, Auto Scaling
groups, Lambda functions in a VPC, ECS services and interface VPC endpoints.

An instance launched with interfaces of its own (device 0) uses them; otherwise it gets one in
its subnet, or the launch template's, or a default subnet of the default VPC. A separate
interface is public only through an Elastic IP. A function outside any VPC is no network
endpoint; a service without awsvpc networking runs on its cluster's instances. A Gateway Load
Balancer endpoint has no security groups.

Fields: an instance's `network_interfaces` entries (`interface`, `device_index`), `subnet`,
`groups`, `group_names`, `public_ip`, `private_ip`, `private_ips`, `template`,
`template_name`; an interface's `subnet`, `groups`, `private_ip`, `private_ips`,
`private_ip_list`, `ipv6_count`, `ipv6_addresses` (an instance's too), `attachments` entries
(`instance`, `device_index`); an attachment's
`instance`, `interface`, `device_index`; a launch template's `groups`, `group_names`,
`interface_groups`, `interface_subnet`, `public_ip`, `ipv6_count`, `ipv6_addresses`,
`instance_tags` (a launch configuration's
`groups`, `public_ip`); an Auto Scaling group's `subnets`, `template`, `template_name`,
`mixed_template`, `mixed_template_name`, `launch_configuration`, `instance`, `launch_template`; a
function's `vpc` entries (`subnets`, `groups`); a service's `network` entries (`subnets`,
`groups`, `public_ip`); a VPC endpoint's `endpoint_type`, `subnets`, `groups`; a group
attached to an interface: `group`, `interface`.
"""

from __future__ import annotations

from collections.abc import Iterable

from msgspec.structs import replace

from reachlint.model.network import EndpointKind, Interface
from reachlint.providers.aws.endpoints import (
    ENI_KINDS,
    INSTANCE_KINDS,
    add_endpoint,
    interface_named,
    interfaces_for,
    ips,
    ipv6_request,
    subnet_choice,
    subnets_of,
    tags_of,
)
from reachlint.providers.aws.networks import in_default_vpc
from reachlint.providers.aws.security_groups import (
    SG_LINK_KINDS,
    Groups,
    group_address,
    groups_of,
)
from reachlint.providers.aws.source import Entry, Fields, Resource
from reachlint.providers.aws.state import Build
from reachlint.providers.values import dedupe, flag, integer, string_value, tag_values
from reachlint.sources import UNKNOWN

TEMPLATE_KINDS = frozenset({"launch-template"})


def add_interfaces_and_instances(b: Build) -> None:
    """Network interfaces, and instances with the interfaces they own."""
    _eni_ownership(b)
    enis = {r.address: _eni_interface(b, r) for r in b.inv.of("network-interface")}
    for resource in b.inv.of("instance"):
        _instance(b, resource, enis)
    for address, interface in enis.items():
        if address in b.eni_owner:
            continue
        found = b.inv.get(address)
        if found is not None:
            add_endpoint(b, found, "network-interface", [interface])


def _eni_ownership(b: Build) -> None:
    for instance in b.inv.of("instance"):
        for entry in instance.entries("network_interfaces"):
            index = entry.value("device_index")
            device = integer(index) if entry.known else None
            for address in entry.links("interface", ENI_KINDS, single=True).addresses:
                b.eni_owner[address] = (instance.address, device or 0)
    for interface in b.inv.of("network-interface"):
        for entry in interface.entries("attachments"):
            owner = entry.link("instance", INSTANCE_KINDS, "instance", None)
            if owner is not None and entry.known:
                device = integer(entry.value("device_index")) or 0
                b.eni_owner.setdefault(interface.address, (owner, device))
    for attachment in b.inv.of("network-interface-attachment"):
        unknown: list[str] = []
        attached_to = attachment.link("instance", INSTANCE_KINDS, "instance", unknown)
        eni = attachment.link("interface", ENI_KINDS, "interface", unknown)
        if attached_to is not None and eni is not None:
            device = integer(attachment.value("device_index")) or 1
            b.eni_owner.setdefault(eni, (attached_to, device))
    for eni, (owner, device) in b.eni_owner.items():
        b.owned_enis[owner].append((device, eni))


def _private_ips(resource: Resource) -> list[str]:
    found = ips(resource.value("private_ip"), resource.value("private_ips"))
    return dedupe([*found, *ips(resource.value("private_ip_list"))])


def _eni_interface(b: Build, resource: Resource) -> Interface:
    unknown: list[str] = []
    groups = groups_of(b, resource, ["groups"], unknown)
    choice = subnet_choice(b, resource, "subnet", unknown, groups=groups)
    interface = interfaces_for(
        b,
        resource,
        [choice.subnet] if choice.subnet else [],
        unknown,
        groups,
        public=False,  # only an Elastic IP makes a separate interface public
        public_source=None,
        private_ips=_private_ips(resource),
        subnet_unknown=resource.path("subnet"),
        network=choice.network,
        subnet_choices=choice.choices,
        ipv6=ipv6_request(resource, unknown),
        launched=True,
    )[0]
    return replace(interface, address=resource.address)


def _instance(b: Build, resource: Resource, enis: dict[str, Interface]) -> None:
    unknown: list[str] = []
    owned = sorted(p for p in b.owned_enis.get(resource.address, []) if p[1] in enis)
    interfaces: list[Interface] = []
    launched_with_enis = any(device == 0 for device, _ in owned)
    # Entries that only describe a new interface (CloudFormation's SubnetId, GroupSet and
    # AssociatePublicIpAddress at device 0) are read as the instance's own fields.
    attaching = [e for e in resource.entries("network_interfaces") if _names_interface(e)]
    if not launched_with_enis and attaching:
        unknown.append(resource.name("network_interfaces"))
        resource.note(f"its primary {resource.name('network_interfaces')} cannot be resolved")
    elif not launched_with_enis:
        template = template_of(b, resource, ("template", "template_name"), unknown)
        written = resource.refers("subnet") or string_value(resource.value("subnet"))
        placing, field = resource, "subnet"
        if not written and template is not None:
            placing, field = template, "interface_subnet"
        groups = groups_of(b, resource, ["groups", "group_names"], unknown)
        if not groups.given and template is not None:
            groups = template_groups(b, template, unknown)
        choice = subnet_choice(b, placing, field, unknown, default_vpc=True, groups=groups)
        # A launch template the input names but does not hold may well name a subnet.
        template_unknown = template is None and any(
            _names_template(resource, name) for name in ("template", "template_name")
        )
        public = flag(resource.value("public_ip"))
        if public is None and resource.refers("public_ip"):
            unknown.append(resource.name("public_ip"))
        if public is None and template is not None:
            public = flag(template.value("public_ip"))
        interfaces = interfaces_for(
            b,
            resource,
            [choice.subnet] if choice.subnet else [],
            unknown,
            groups,
            public=public,
            public_source=resource.address,
            private_ips=_private_ips(resource),
            subnet_unknown=placing.path(field),
            network=choice.network,
            subnet_absent=choice.absent and not template_unknown,
            subnet_choices=choice.choices,
            ipv6=_ipv6_of(resource, template, unknown),
            launched=True,
        )
    interfaces.extend(enis[eni] for _, eni in owned)
    for _, eni in owned:
        b.owner[eni] = resource.address
    if not interfaces:
        # Its primary interface is one the input does not resolve: where it sits, whether it
        # has a public address and which groups it has are all not known.
        attached = resource.name("network_interfaces")
        unknown.append(attached)
        interfaces = interfaces_for(
            b,
            resource,
            [],
            unknown,
            Groups([f"{resource.address}.{resource.path('network_interfaces')}"], True),
            public=None,
            public_source=None,
            subnet_unknown=attached,
        )
    add_endpoint(b, resource, "instance", interfaces, unknown)


def _ipv6_of(resource: Resource, template: Resource | None, unknown: list[str]) -> bool | None:
    """An instance's own IPv6 request, else its launch template's."""
    asked = ipv6_request(resource, unknown)
    if asked is None and template is not None and template.kind == "launch-template":
        asked = ipv6_request(template, unknown)
    return asked


def _names_interface(entry: Entry) -> bool:
    """Whether an instance's interface entry attaches an interface (possibly not known)."""
    return not entry.known or entry.value("interface") is not None or entry.refers("interface")


def _names_template(resource: Resource, field: str) -> bool:
    return resource.value(field) is not None or resource.refers(field)


def _writes(resource: Resource, field: str) -> bool:
    """Whether the input itself gives the field: a value known now, or a reference."""
    value = resource.value(field)
    return (value is not None and value is not UNKNOWN) or resource.refers(field)


def template_of(
    b: Build, resource: Resource, fields: Iterable[str], unknown: list[str]
) -> Resource | None:
    """The launch template these fields name (by id or by name), if it is in the input."""
    for field in fields:
        if not _names_template(resource, field):
            continue
        address = resource.link(field, TEMPLATE_KINDS, "launch template", unknown)
        if address is not None:
            return b.inv.get(address)
    return None


def template_groups(b: Build, template: Resource, unknown: list[str]) -> Groups:
    if template.kind == "launch-configuration":
        return groups_of(b, template, ["groups"], unknown)
    first = groups_of(b, template, ["groups", "group_names"], unknown)
    if first.given:
        return first
    return groups_of(b, template, ["interface_groups"], unknown)


_LAUNCH_SOURCES = (
    "template",
    "template_name",
    "mixed_template",
    "mixed_template_name",
    "launch_configuration",
    "instance",  # CloudFormation's InstanceId: the group copies a running instance
)


_TEMPLATE_FIELDS = (("template", "template_name"), ("mixed_template", "mixed_template_name"))


def _launched_from(b: Build, resource: Resource, unknown: list[str]) -> Resource | None:
    """The launch template or launch configuration an Auto Scaling group launches from. It
    names one of them; a plan shows the others as known only after apply (the provider
    computes them), so one the input writes is taken alone."""
    written = {field for field in _LAUNCH_SOURCES if _writes(resource, field)}
    for fields in _TEMPLATE_FIELDS:
        if written and written.isdisjoint(fields):
            continue
        template = template_of(b, resource, fields, unknown)
        if template is not None:
            return template
    if written and "launch_configuration" not in written:
        return None
    address = resource.link(
        "launch_configuration", frozenset({"launch-configuration"}), "launch configuration", unknown
    )
    return b.inv.get(address or "")


def add_auto_scaling_group(b: Build, resource: Resource) -> None:
    if not any(_names_template(resource, field) for field in _LAUNCH_SOURCES):
        # CreateAutoScalingGroup requires a launch template, a launch configuration or a mixed
        # instances policy: a group that names none is refused and launches nothing.
        resource.note("names no launch template or launch configuration; it launches nothing")
        return
    unknown: list[str] = []
    subnets = subnets_of(b, resource, ["subnets"], unknown)
    network = None
    where = resource.path("subnets")
    absent = not subnets and where not in unknown
    if absent:
        network = in_default_vpc(b, resource, "subnets", unknown, where)
    template = _launched_from(b, resource, unknown)
    public = flag(template.value("public_ip")) if template is not None else None
    if template is None:
        unknown.append(resource.name("launch_template"))
        groups = Groups([f"{resource.address}.{resource.path('launch_template')}"], True)
        resource.note("its launch template is not in the input; groups unknown")
    else:
        groups = template_groups(b, template, unknown)
    source = template.address if template is not None and public else None
    tags = tags_of(resource)
    if template is not None and template.kind == "launch-template":
        # Its instances start with the template's instance tags; the group's own tags win key
        # by key (CreateAutoScalingGroup, Tags).
        field = f"{template.address}: {template.path('instance_tags')}"
        tags = tag_values(template.value("instance_tags"), field).under(tags)
    interfaces = interfaces_for(
        b,
        resource,
        subnets,
        unknown,
        groups,
        public=public,
        public_source=source,
        subnet_unknown=where,
        network=network,
        subnet_absent=absent,
        ipv6=_ipv6_of(resource, template, unknown),
        launched=True,
    )
    add_endpoint(b, resource, "auto-scaling-group", interfaces, unknown, tags=tags)


def add_function(b: Build, resource: Resource) -> None:
    settings = resource.entries("vpc")
    if not any(entry.known for entry in settings):
        return  # outside any VPC: not a network endpoint
    # In dual-stack subnets a function sends IPv6 only when allowed to
    # (Ipv6AllowedForDualStack, false unless written).
    allowed = settings[0].value("ipv6")
    if allowed is UNKNOWN:
        settings[0].note(f"{settings[0].path('ipv6')} is not known: whether it sends IPv6", "ipv6")
    ipv6 = None if allowed is UNKNOWN else flag(allowed) is True
    _in_subnets(b, resource, settings[0], "function", [], ipv6=ipv6, ipv6_unknown=ipv6 is None)


def add_service(b: Build, resource: Resource) -> None:
    unknown: list[str] = []
    settings = resource.entries("network")
    written = [entry for entry in settings if entry.known]
    if not written:
        unknown.append(resource.name("network"))
        resource.note("runs on its cluster's instances (no awsvpc network); no interfaces")
        add_endpoint(b, resource, "service", [], unknown)
        return
    public = written[0].value("public_ip") is True
    _in_subnets(b, resource, settings[0], "service", unknown, public=public)


def add_interface_endpoint(b: Build, resource: Resource) -> None:
    endpoint_type = resource.value("endpoint_type")
    if endpoint_type not in ("Interface", "GatewayLoadBalancer"):
        return  # gateway endpoints are hops
    # A Gateway Load Balancer endpoint has no security groups.
    filtered = endpoint_type != "GatewayLoadBalancer"
    _in_subnets(b, resource, resource, "vpc-endpoint", [], filtered=filtered)


def _in_subnets(
    b: Build,
    resource: Resource,
    config: Fields,
    kind: EndpointKind,
    unknown: list[str],
    *,
    public: bool = False,
    filtered: bool = True,
    ipv6: bool | None = None,
    ipv6_unknown: bool = False,
) -> None:
    """An endpoint with an interface in each of the subnets `config` names, behind its groups;
    a public one's address comes from the resource itself."""
    subnets = subnets_of(b, config, ["subnets"], unknown)
    groups = groups_of(b, config, ["groups"], unknown)
    interfaces = interfaces_for(
        b,
        resource,
        subnets,
        unknown,
        groups if filtered else None,
        public=public,
        public_source=resource.address if public else None,
        subnet_unknown=config.path("subnets"),
        ipv6=ipv6,
        ipv6_unknown=ipv6_unknown,
    )
    add_endpoint(b, resource, kind, interfaces, unknown)


def add_group_attachments(b: Build) -> None:
    """Security groups added to an interface apart from it."""
    for resource in b.inv.of("network-interface-sg-attachment"):
        unknown: list[str] = []
        group = resource.link("group", SG_LINK_KINDS, "group", unknown)
        _, interface = interface_named(b, resource, "interface", None, unknown)
        if group is None or interface is None:
            continue
        address = group_address(b, group)
        if address not in interface.security_groups:
            interface.security_groups.append(address)
