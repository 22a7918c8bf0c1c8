"""Through Azure Private Link services: a flow that reaches a private endpoint connected to a
service of the input goes on to the service's load balancer frontends and their backends.

The service translates the source to one of its NAT addresses, in its own subnet ("used for
source NAT-ing the incoming traffic from private endpoint",
https://learn.microsoft.com/powershell/module/az.network/new-azprivatelinkserviceipconfig): the
backends' filters see that address, and the way on follows that subnet's routes. What reaches
the frontends is what their rules hear, as the load balancer forwards it.
"""

from __future__ import annotations

from collections.abc import Iterator

from msgspec import Struct
from msgspec.structs import replace

from reachlint.engine.classes import ClassView
from reachlint.engine.core import Engine, end_side
from reachlint.engine.flows import EndpointClass, Flow, Hop, Unknown, carried_on
from reachlint.engine.listeners import ListenerView
from reachlint.engine.nsg import Peer
from reachlint.engine.route_tables import RouteView
from reachlint.model.network import Endpoint, PrivateLinkService
from reachlint.model.traffic import Traffic


class Link(Struct):
    """A Private Link service as the engine reads it, toward one load balancer: the frontends
    of it the service names (or may name), where its NAT addresses are (`peer`, `routes`), and
    what its own unknowns are named."""

    service: PrivateLinkService
    balancer: Endpoint
    frontends: frozenset[str]
    peer: Peer
    routes: RouteView
    unknowns: list[str]

    def forwards(
        self, engine: Engine
    ) -> Iterator[tuple[ListenerView, Traffic, list[str], list[Hop]]]:
        """The load balancer's forwards from the frontends the service names."""
        yield from engine.listeners.forwarding(self.balancer, self.frontends)

    def rests_on(self, endpoints: list[str]) -> list[str]:
        """What a flow through it from these private endpoints (one class) rests on: a manual
        request is approved by its owner after deployment, or not; one connected without a
        request carries the flow whatever the others' fate."""
        if self.only_by_request(endpoints):
            approval = f"{self.service.address}: its owner's approval of the connection"
            return [*self.unknowns, approval]
        return self.unknowns

    def only_by_request(self, endpoints: list[str]) -> bool:
        """Whether every one of these endpoints connected to it asks by a manual request."""
        connected = [e for e in endpoints if e in self.service.endpoints]
        return all(endpoint in self.service.manual for endpoint in connected)


def links(engine: Engine) -> dict[str, list[Link]]:
    """The Private Link services each private endpoint of the input is connected to, a link
    for each load balancer whose frontends a service names (several when it is not known
    which)."""
    balancers = {
        interface.address: endpoint
        for endpoint in engine.model.endpoints.values()
        if endpoint.load_balancer is not None
        for interface in endpoint.interfaces
    }
    found: dict[str, list[Link]] = {}
    for service in engine.model.private_link_services.values():
        by_balancer: dict[str, list[str]] = {}
        for frontend in service.frontends:
            if frontend in balancers:
                by_balancer.setdefault(balancers[frontend].address, []).append(frontend)
        unknowns = [f"{service.address}: {name}" for name in service.unknown]
        for address, named in by_balancer.items():
            balancer = engine.model.endpoints[address]
            network = next((i.network for i in balancer.interfaces if i.address in named), None)
            # Its NAT addresses are no interface of the subnet: its route table does not apply.
            peer, _ = engine.subnet_peer(service.subnet, network)
            routes = engine.tables.view_for(None, peer.network)
            link = Link(service, balancer, frozenset(named), peer, routes, unknowns)
            for endpoint in service.endpoints:
                found.setdefault(endpoint, []).append(link)
    return found


def links_of(reached: ClassView, by_endpoint: dict[str, list[Link]]) -> list[Link]:
    """The services a class's private endpoints are connected to, each link once."""
    found = {
        (link.service.address, link.balancer.address): link
        for member in reached.info.members
        for link in by_endpoint.get(member.endpoint, ())
    }
    return list(found.values())


def through_private_link(engine: Engine, arrivals: list[Flow]) -> None:
    """A flow that reaches a private endpoint connected to a Private Link service continues to
    the backends of the load balancer frontends the service names."""
    if not engine.model.private_link_services:
        return
    by_endpoint = links(engine)
    classes_of: dict[str, list[ClassView]] = {}
    for cls in engine.classes:
        for member in cls.info.members:
            found = classes_of.setdefault(member.endpoint, [])
            if cls not in found:
                found.append(cls)
    for arrival in arrivals:
        if not isinstance(arrival.destination, EndpointClass) or arrival.state != "reachable":
            continue
        reached = engine.classes[arrival.destination.id]
        for link in links_of(reached, by_endpoint):
            _forward(engine, link, arrival, reached, classes_of)


def _forward(
    engine: Engine,
    link: Link,
    arrival: Flow,
    reached: ClassView,
    classes_of: dict[str, list[ClassView]],
) -> None:
    endpoints = [member.endpoint for member in reached.info.members]
    if engine.assume == "closed" and (
        link.only_by_request(endpoints) or not link.service.frontends_known
    ):
        return
    own = link.rests_on(endpoints)
    service_hop = _service_hop(link, reached)
    for listener, forwarded, targets, via in link.forwards(engine):
        heard = arrival.traffic & listener.heard
        if not heard:
            continue
        carried = listener.carried(forwarded, heard)
        arrived = [*carried_on(arrival.unknowns, heard), *listener.rests_on, *own]
        hops = [service_hop, _balancer_hop(link), listener.hop, *via]
        target_classes = {
            cls.info.id: cls for target in targets for cls in classes_of.get(target, [])
        }
        for target in target_classes.values():
            _to_target(engine, link, arrival, carried, arrived, hops, target)


def _to_target(
    engine: Engine,
    link: Link,
    arrival: Flow,
    carried: Traffic,
    arrived: list[str],
    hops: list[Hop],
    target: ClassView,
) -> None:
    if isinstance(arrival.source, EndpointClass) and arrival.source is target.info:
        return  # an endpoint reaching itself is no flow
    legs = engine.interconnect.between(
        link.routes, link.peer.network, target.addresses, target.info.network
    )
    if legs is None:
        engine.filters.take_unknowns()
        return
    admitted = carried & target.guards.toward("ingress", link.peer)
    allowed = target.service.accepts(end_side(arrival.source), admitted)
    unknowns: list[Unknown] = [*arrived, *target.unknowns, *engine.filters.take_unknowns()]
    if not allowed:
        return
    before = arrival.path

    def build_path() -> list[Hop]:
        return [
            *(replace(hop, admits=None) for hop in before),
            *hops,
            *legs,
            *target.guards.hops("ingress", allowed.services_everywhere(), link.peer),
        ]

    engine.emit(arrival.source, target.info, allowed, build_path, True, unknowns)


def _service_hop(link: Link, reached: ClassView) -> Hop:
    service = link.service
    where = service.subnet or "a subnet not known"
    nat = f" ({', '.join(service.nat_ips)})" if service.nat_ips else ""
    connected = [m.endpoint for m in reached.info.members if m.endpoint in service.endpoints]
    return Hop(
        address=service.address,
        kind="private-link-service",
        type=service.type,
        detail=(
            f"{', '.join(connected[:1])} connects to it; it passes the flow on to "
            f"{link.balancer.address} from its NAT address{nat} in {where}"
        ),
        origin=service.origin,
    )


def _balancer_hop(link: Link) -> Hop:
    balancer = link.balancer
    return Hop(
        address=balancer.address,
        kind="load-balancer",
        type=balancer.type,
        detail=f"its frontend {', '.join(sorted(link.frontends))} passes the flow to a backend",
        origin=balancer.origin,
    )
