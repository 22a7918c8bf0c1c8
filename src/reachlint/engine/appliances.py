"""Appliances a route sends traffic to: a firewall, or a VM or interface that forwards.

Traffic sent to one goes on by the routes of the appliance's own subnet (borders.py); an
appliance in a hub VNet joins the hub's peers (interconnect.py).
"""

from __future__ import annotations

from msgspec import Struct

from reachlint.engine.flows import Hop
from reachlint.model.network import NetworkModel, Subnet
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

    def hop(self) -> Hop:
        return Hop(
            address=self.address,
            kind=self.kind,
            type=self.type,
            detail="passes the traffic on",
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
    unsure = aws and not interface.public and "public" in interface.unknown
    return Appliance(
        endpoint.address,
        "virtual-appliance",
        endpoint.type,
        network,
        subnet,
        endpoint.origin,
        interface.public if aws else None,
        f"the public address of {endpoint.address}" if unsure else None,
    )
