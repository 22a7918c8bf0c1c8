"""Load balancers and application gateways: what each is, and what a rule's protocol means.

An Azure Load Balancer passes traffic through: its backends see the client's address
(https://learn.microsoft.com/azure/load-balancer/load-balancer-overview); a Gateway one chains
traffic to network virtual appliances. An Application Gateway is a proxy whose backends see the
gateway (https://learn.microsoft.com/azure/application-gateway/how-application-gateway-works).
A load-balancing or inbound NAT rule carries Tcp, Udp or All (both) from its frontend port to
its backend port (https://learn.microsoft.com/azure/load-balancer/components#load-balancing-rules,
https://learn.microsoft.com/rest/api/load-balancer/load-balancers/create-or-update#transportprotocol).
"""

from __future__ import annotations

from reachlint.model.network import Listener, LoadBalancer, NetworkModel

# A rule's protocol, in lower case, as the protocol its listener takes.
LISTENER_PROTOCOLS = {"tcp": "tcp", "udp": "udp", "all": "tcp_udp"}


def listener_protocol(written: str) -> str | None:
    """The protocol a rule listens on; None: not one Azure takes."""
    return LISTENER_PROTOCOLS.get(written.lower())


def any_port_problem(backend_port: int | None, public: bool, sku: str | None) -> str | None:
    """Why a rule whose frontend port is 0 is not HA ports as Azure takes them; None: it is.
    Port 0 is "Any Port": every port of the rule's protocols, each to the same backend port, on
    an internal Standard load balancer only
    (https://learn.microsoft.com/azure/load-balancer/load-balancer-ha-ports-overview). A
    backend port not known is named by the flows through the rule."""
    if backend_port is not None and backend_port != 0:
        return f"has frontend port 0 (every port) but backend port {backend_port}; not modelled"
    if (sku or "basic").lower() != "standard":
        return (
            "uses HA ports (port 0), which Azure takes on a Standard load balancer only "
            f"(this one is {sku or 'Basic, the default'}); not modelled"
        )
    if public:
        return (
            "uses HA ports (port 0), which Azure takes on an internal load balancer's frontend "
            "only; not modelled"
        )
    return None


def backend_protocol(listener: str) -> str:
    """The protocol the backends receive, as a target group names it."""
    return "udp" if listener == "udp" else "tcp"


def load_balancer(public: bool, gateway_tier: bool = False, sku: str | None = None) -> LoadBalancer:
    """A load balancer, internet-facing when a frontend is public."""
    return LoadBalancer(
        scheme="internet-facing" if public else "internal",
        flavor="gateway" if gateway_tier else "network",
        preserves_client_address=True,
        sku=sku,
    )


def place_public_frontends(model: NetworkModel, balancer: str) -> None:
    """A public frontend sits in no subnet: it belongs to the network of its backends, those of
    its load-balancing rules and of its inbound NAT rules alike (a NAT rule's NIC need not be in
    a pool: https://learn.microsoft.com/azure/load-balancer/inbound-nat-rules)."""
    endpoint = model.endpoints[balancer]
    assert endpoint.load_balancer is not None
    networks: list[str] = []
    for listener in endpoint.load_balancer.listeners:
        for group in listener.target_groups:
            found = model.target_groups.get(group)
            for target in found.targets if found is not None else []:
                backend = model.endpoints.get(target.endpoint)
                for interface in backend.interfaces if backend is not None else []:
                    if interface.network is not None:
                        networks.append(interface.network)
    for interface in endpoint.interfaces:
        if interface.public and interface.network is None and networks:
            interface.network = networks[0]


def default_outbound(model: NetworkModel) -> None:
    """A VM that only internal Standard load balancers serve has no default outbound access:
    "When only an internal Load Balancer serves a virtual machine ... outbound connections
    over default SNAT aren't available" (https://learn.microsoft.com/azure/load-balancer/skus).
    A public one, or a Basic one, still gives it a way out."""
    serving: dict[str, list[LoadBalancer | None]] = {}
    for endpoint in model.endpoints.values():
        balancer = endpoint.load_balancer
        if balancer is None or balancer.flavor != "network":
            continue
        # Internal only when every frontend is known to be private (the dialects name an
        # unknown public address "public", or by a path that says public).
        private = all(
            not i.public and not any("public" in what.lower() for what in i.unknown)
            for i in endpoint.interfaces
        )
        groups = {group for listener in balancer.listeners for group in listener.target_groups}
        for group in sorted(groups):
            for target in (
                model.target_groups[group].targets if group in model.target_groups else []
            ):
                serving.setdefault(target.endpoint, []).append(balancer if private else None)
    for address, balancers in serving.items():
        if all(b is not None and (b.sku or "").lower() == "standard" for b in balancers):
            for interface in (
                model.endpoints[address].interfaces if address in model.endpoints else []
            ):
                interface.default_outbound_access = False


def application_gateway(public: bool, listeners: list[Listener] | None = None) -> LoadBalancer:
    """An application gateway, internet-facing when a frontend is public."""
    return LoadBalancer(
        scheme="internet-facing" if public else "internal",
        flavor="application",
        listeners=listeners or [],
    )
