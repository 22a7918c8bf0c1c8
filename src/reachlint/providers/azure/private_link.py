"""Azure Private Link services, and the private endpoints connected to them.

A service behind a Standard load balancer, offered to private endpoints of other VNets
(https://learn.microsoft.com/azure/private-link/private-link-service-overview); its IP
configuration "is used for source NAT-ing the incoming traffic from private endpoint"
(https://learn.microsoft.com/powershell/module/az.network/new-azprivatelinkserviceipconfig), so
the backends see that address. A connection made by a manual request waits for the service
owner's approval (`manual`).
"""

from __future__ import annotations

from reachlint.model.network import PrivateLinkService
from reachlint.providers.azure.compute import address
from reachlint.providers.azure.resources import Build, Resource


def private_link_services(build: Build) -> None:
    """Every Private Link service, and the private endpoints of the input connected to it."""
    services = build.model.private_link_services
    # A frontend as its load balancer spells it: ids may spell the segment in another case.
    frontends = {
        interface.address.lower(): interface.address
        for endpoint in build.model.endpoints.values()
        if endpoint.load_balancer is not None
        for interface in endpoint.interfaces
    }
    for resource in build.source.of("private_link_service"):
        service = PrivateLinkService(
            address=resource.address, type=resource.type, origin=resource.origin
        )
        named = len(service.unknown)
        for link in resource.links("frontends", service.unknown):
            service.frontends.extend(_frontends(build, frontends, link, service))
        frontends_not_known = len(service.unknown) > named
        service.subnet = resource.link("subnet", service.unknown)
        if service.subnet is not None and service.subnet not in build.model.subnets:
            service.subnet = None  # named by a value not known, or not in the input
            service.unknown.append("subnet")
        if frontends_not_known and not service.frontends and service.subnet is not None:
            # Any frontend of a load balancer of its NAT subnet's VNet, where its load balancer
            # is, not known which.
            network = build.model.subnets[service.subnet].network
            service.frontends = [
                interface.address
                for endpoint in build.model.endpoints.values()
                if endpoint.load_balancer is not None
                for interface in endpoint.interfaces
                if interface.network == network
            ]
            service.frontends_known = False
        for entry in resource.entries("ip_configurations"):
            ip = address(entry.text("private_ip"), build.settings.normalise_addresses)
            if ip is not None:
                service.nat_ips.append(ip)
        if _leads_on(build, service, resource):
            services[service.address] = service
    if not services:
        return
    for endpoint in build.source.of("private_endpoint"):
        for field in ("connections", "manual_connections"):
            for connection in endpoint.entries(field):
                linked = services.get(connection.link("service") or "")
                if linked is None or endpoint.address in linked.endpoints:
                    continue
                linked.endpoints.append(endpoint.address)
                # A manual request, or one that may be (the flag is not known).
                flag = connection.flag("manual")
                if (
                    field == "manual_connections"
                    or flag
                    or (flag is None and connection.given("manual"))
                ):
                    linked.manual.append(endpoint.address)


def _frontends(
    build: Build, frontends: dict[str, str], link: str, service: PrivateLinkService
) -> list[str]:
    """The frontends a link names: a frontend itself, or a load balancer (Terraform records
    `azurerm_lb.lb.frontend_ip_configuration[0].id` as a reference to the load balancer), whose
    frontends it may be: its one, or any of them, not known which."""
    if link.lower() in frontends:
        return [frontends[link.lower()]]
    balancer = build.model.endpoints.get(link)
    if balancer is None or balancer.load_balancer is None:
        return [link]
    found = [interface.address for interface in balancer.interfaces]
    if len(found) > 1:
        service.unknown.append(f"which frontend of {link}")
        service.frontends_known = False
    return found


def _leads_on(build: Build, service: PrivateLinkService, resource: Resource) -> bool:
    """Whether the service leads to a load balancer of the input that takes it: a Standard
    one, over IPv4 ("Supported only on Standard Load Balancer", "Supports IPv4 traffic only",
    https://learn.microsoft.com/azure/private-link/private-link-service-overview#limitations).
    Otherwise a note says its clients' flows end at its private endpoints."""
    named = [
        (endpoint, interface)
        for endpoint in build.model.endpoints.values()
        if endpoint.load_balancer is not None
        for interface in endpoint.interfaces
        if interface.address in service.frontends
    ]
    addresses = [ip for _, interface in named for ip in interface.private_ips]
    why = ""
    if not named:
        why = "the load balancer frontends it names are not in the input, or not known"
    elif any(b.load_balancer and (b.load_balancer.sku or "").lower() == "basic" for b, _ in named):
        why = "its load balancer is of the Basic SKU, which Private Link does not take"
    elif addresses and all(":" in ip for ip in addresses):
        why = "its frontends are IPv6, which Private Link does not take"
    if why:
        resource.note(f"{why}: its private endpoints' clients go no further")
    return not why
