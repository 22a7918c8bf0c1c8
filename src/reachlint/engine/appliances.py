"""Appliances a route sends traffic to: a firewall, or a VM or interface that forwards.

Traffic sent to one goes on by the routes of the appliance's own subnet (borders.py); an
appliance in a hub VNet joins the hub's peers (interconnect.py).
"""

from __future__ import annotations

from msgspec import Struct

from reachlint.engine.flows import Hop
from reachlint.engine.listeners import heard_by
from reachlint.model.network import (
    Endpoint,
    Interface,
    NetworkModel,
    Subnet,
    every_port_listeners,
    targets_of,
)
from reachlint.model.traffic import Traffic
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
    # What it passes on (an internal load balancer: what its rules hear); None: everything.
    carries: Traffic | None = None

    def hop(self) -> Hop:
        return Hop(
            address=self.address,
            kind=self.kind,
            type=self.type,
            detail=self.detail,
            origin=self.origin,
        )


def appliance_of(
    model: NetworkModel, address: str | None, open_unknowns: bool = True
) -> Appliance | None:
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
    first = endpoint.interfaces[0]
    balanced = endpoint.load_balancer is not None  # an Azure internal load balancer's HA ports
    machines = _balanced_interfaces(model, endpoint) if balanced else endpoint.interfaces
    # The traffic goes on from the machine, behind a load balancer from its appliances.
    placed = machines[0] if machines else first
    subnet = model.subnets.get(placed.subnet or "")
    network = subnet.network if subnet is not None else placed.network
    net = model.networks.get(network or "")
    aws = net is not None and net.provider == "aws"
    if aws:
        unsure = not first.public and "public" in first.unknown
    else:
        unsure = not any(i.public for i in machines) and any(
            "public" in i.unknown for i in machines
        )
    return Appliance(
        endpoint.address,
        "virtual-appliance",
        endpoint.type,
        network,
        subnet,
        endpoint.origin,
        public=first.public if aws else None,
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
        carries=_heard(model, endpoint, open_unknowns) if balanced else None,
    )


def _heard(model: NetworkModel, balancer: Endpoint, open_unknowns: bool) -> Traffic:
    """What a load balancer passes on to its backends: what its rules hear (HA ports: every
    TCP and UDP port; a rule: its port), never anything else; closed, not what rests on a
    backend port not known."""
    spec = balancer.load_balancer
    assert spec is not None
    heard = Traffic()
    for listener in spec.listeners:
        groups = [model.target_groups.get(group) for group in listener.target_groups]
        if open_unknowns or not any(g is not None and g.port_unknown for g in groups):
            heard |= heard_by(listener, open_unknowns)
    return heard


def _balanced_interfaces(model: NetworkModel, balancer: Endpoint) -> list[Interface]:
    """The interfaces of the machines a load balancer's HA ports rules pass traffic to."""
    targets = targets_of(model, every_port_listeners(balancer))
    return [interface for target in targets for interface in target.interfaces]
