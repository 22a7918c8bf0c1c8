"""Appliances a route sends traffic to: a firewall, or a VM or interface that forwards.

Traffic sent to one goes on by the routes of the appliance's own subnet (borders.py); an
appliance in a hub VNet joins the hub's peers (interconnect.py).
"""

from __future__ import annotations

from msgspec import Struct

from reachlint.engine.flows import Hop
from reachlint.model.network import Endpoint, Interface, NetworkModel, Subnet
from reachlint.sources import Origin


class Appliance(Struct, frozen=True):
    address: str
    kind: str
    type: str
    network: str | None
    subnet: Subnet | None
    origin: Origin
    # An AWS instance that forwards: whether it has a public address to translate to (None:
    # not one; Azure's machines and firewalls translate as their kind does), and what that
    # rests on when it is not known.
    public: bool | None = None
    public_unknown: str | None = None
    detail: str = "passes the traffic on"
    # An Azure machine that forwards, or the machines behind a load balancer's HA ports:
    # whether they have a public address and default outbound access, their own way out
    # after they translate to their own address.
    way_out: tuple[bool, bool] | None = None

    def hop(self) -> Hop:
        return Hop(
            address=self.address,
            kind=self.kind,
            type=self.type,
            detail=self.detail,
            origin=self.origin,
        )


def appliance_of(model: NetworkModel, address: str | None) -> Appliance | None:
    """A firewall, or a VM or interface that forwards: where it sits, what it is."""
    gateway = model.gateways.get(address or "")
    if gateway is not None:
        subnet = model.subnets.get(gateway.subnet or "")
        network = subnet.network if subnet is not None else gateway.network
        return Appliance(
            gateway.address, gateway.kind, gateway.type, network, subnet, gateway.origin
        )
    endpoint = model.endpoints.get(address or "")
    if endpoint is None or not endpoint.interfaces:
        return None
    interface = endpoint.interfaces[0]
    subnet = model.subnets.get(interface.subnet or "")
    network = subnet.network if subnet is not None else interface.network
    net = model.networks.get(network or "")
    aws = net is not None and net.provider == "aws"
    balanced = endpoint.load_balancer is not None  # an Azure internal load balancer's HA ports
    machines = _balanced_interfaces(model, endpoint) if balanced else [interface]
    unsure = not any(i.public for i in machines) and any("public" in i.unknown for i in machines)
    return Appliance(
        endpoint.address,
        "virtual-appliance",
        endpoint.type,
        network,
        subnet,
        endpoint.origin,
        public=interface.public if aws else None,
        public_unknown=f"the public address of {endpoint.address}" if unsure else None,
        detail="passes the traffic on to the appliances in its backend pool"
        if balanced
        else "passes the traffic on",
        way_out=None
        if aws
        else (
            any(i.public for i in machines),
            any(i.default_outbound_access for i in machines),
        ),
    )


def _balanced_interfaces(model: NetworkModel, balancer: Endpoint) -> list[Interface]:
    """The interfaces of the machines a load balancer's HA ports rules pass traffic to."""
    spec = balancer.load_balancer
    assert spec is not None
    return [
        interface
        for listener in spec.listeners
        if listener.every_port
        for group in listener.target_groups
        if group in model.target_groups
        for target in model.target_groups[group].targets
        if target.endpoint in model.endpoints
        for interface in model.endpoints[target.endpoint].interfaces
    ]
