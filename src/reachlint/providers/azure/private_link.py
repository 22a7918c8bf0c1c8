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
from reachlint.providers.azure.resources import Build


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
        for link in resource.links("frontends", service.unknown):
            service.frontends.extend(_frontends(build, frontends, link, service))
        service.subnet = resource.link("subnet", service.unknown)
        for entry in resource.entries("ip_configurations"):
            ip = address(entry.text("private_ip"), build.settings.normalise_addresses)
            if ip is not None:
                service.nat_ips.append(ip)
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
    return found
