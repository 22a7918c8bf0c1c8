"""Endpoints: what holds an address in a network and can be reached there.

Managed services injected into a subnet are endpoints there, one interface per subnet; Azure
picks their addresses, so only a static address the input sets is known
(https://learn.microsoft.com/azure/virtual-network/virtual-network-for-azure-services). A
service injected into no network of the input is not reachable in it.

A private endpoint is an interface in its subnet, with the addresses its IP configurations fix
(https://learn.microsoft.com/azure/private-link/private-endpoint-overview). Network security
groups filter traffic to it only when its subnet's private endpoint network policies are on
(https://learn.microsoft.com/azure/private-link/disable-private-endpoint-network-policy).

A Bastion host is reached from the internet, from its AzureBastionSubnet; the Developer SKU has
no IP configuration of its own and serves its virtual network from shared infrastructure
(https://learn.microsoft.com/azure/bastion/bastion-overview,
https://learn.microsoft.com/azure/bastion/quickstart-developer-sku).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from reachlint.model import exposure
from reachlint.model.network import Endpoint, EndpointKind, Interface
from reachlint.providers.azure.networks import network_of
from reachlint.providers.azure.resources import Build, Resource

# Services injected into a subnet, and the kind of endpoint each is.
INJECTED: dict[str, EndpointKind] = {
    "sql_managed_instance": "database",
    "redis_cache": "cache",
    "kubernetes_cluster": "service",
    "container_group": "service",
    "api_management": "service",
    "app_service_environment": "service",
}


def endpoint(resource: Resource, kind: EndpointKind) -> Endpoint:
    """An endpoint for a resource: its tags, and what its service exposes at its SKU."""
    tags = resource.tags()
    return Endpoint(
        address=resource.address,
        type=resource.type,
        origin=resource.origin,
        kind=kind,
        tags=tags.known,
        unknown_tags=tags.unknown,
        tags_unknown=tags.whole,
        exposure=exposure.pick(resource.type, sku=resource.sku()),
    )


def subnet_services(build: Build) -> None:
    """Every managed service injected into a subnet of the input."""
    for kind, endpoint_kind in INJECTED.items():
        for resource in build.source.of(kind):
            found = endpoint(resource, endpoint_kind)
            subnets = resource.links("subnets", found.unknown)
            for position, subnet in enumerate(subnets):
                interface = Interface(
                    address=resource.address if position == 0 else f"{resource.address}#{position}",
                    subnet=subnet,
                    network=network_of(build, subnet),
                )
                ip = address(resource.text("static_ip"), normalise=False)
                if ip is not None and position == 0:
                    interface.private_ips.append(ip)
                found.interfaces.append(interface)
            if subnets:
                build.model.endpoints[found.address] = found


def private_endpoints(build: Build) -> None:
    settings = build.settings
    for resource in build.source.of("private_endpoint"):
        found = endpoint(resource, "private-endpoint")
        interface = Interface(address=resource.address)
        on_endpoint = settings.name_unknown_subnet_on_endpoint
        subnet = resource.link("subnet", found.unknown if on_endpoint else interface.unknown)
        interface.subnet, interface.network = subnet, network_of(build, subnet)
        if subnet is None and on_endpoint:
            interface.unknown = ["subnet"]
        for entry in resource.entries("ip_configurations"):
            ip = address(entry.text("private_ip"), settings.normalise_addresses)
            if ip is not None:
                interface.private_ips.append(ip)
        interface.application_security_groups = resource.links(
            "application_security_groups", interface.unknown
        )
        _policies(build, resource, interface)
        found.interfaces.append(interface)
        build.model.endpoints[found.address] = found


def _policies(build: Build, resource: Resource, interface: Interface) -> None:
    """The subnet's NSG filters a private endpoint only when its network policies say so."""
    placed = build.model.subnets.get(interface.subnet or "")
    if placed is None or placed.security_group is None:
        return
    filters = build.endpoint_nsg.get(placed.address, True)
    if filters is False:
        interface.subnet_nsg_skipped = True
        note = build.settings.notes["private endpoint policies off"]
        resource.note(note.format(subnet=placed.address, nsg=placed.security_group))
    elif isinstance(filters, str):
        interface.subnet_nsg_unknown = filters


def bastions(build: Build, public_ip: Callable[[Resource, Interface], None]) -> None:
    """Every Bastion host; `public_ip` reads a host's public IP onto its interface, as the
    dialect reads a network interface's."""
    settings = build.settings
    for resource in build.source.of("bastion_host"):
        found = endpoint(resource, "bastion")
        interface = Interface(address=resource.address)
        if settings.developer_bastion and not resource.entries("ip_configurations"):
            interface.network = resource.link("network", interface.unknown)
            resource.note("a Developer bastion runs on shared infrastructure")
        else:
            on_endpoint = settings.name_unknown_subnet_on_endpoint
            subnet = resource.link("subnet", found.unknown if on_endpoint else interface.unknown)
            interface.subnet, interface.network = subnet, network_of(build, subnet)
            if subnet is None and on_endpoint:
                interface.unknown = ["subnet"]
            public_ip(resource, interface)
        interface.public = True
        if interface.public_source is None and settings.bastion_public_by_itself:
            interface.public_source = resource.address
        found.interfaces.append(interface)
        build.model.endpoints[found.address] = found


def address(text: str | None, normalise: bool) -> str | None:
    """An IP address as written, when it is one (see `Settings.normalise_addresses`)."""
    if not text:
        return None
    try:
        found = ipaddress.ip_address(text.strip() if normalise else text)
    except ValueError:
        return None
    return str(found) if normalise else text
