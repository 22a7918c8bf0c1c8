"""Interfaces whose subnet the input does not hold: one whose subnet is a value not known (a
parameter or variable without a value), or a subnet outside the input named by its id.

Such an interface still sits in a subnet of some virtual network, and Azure gives every subnet
its system routes, the internet among them
(https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview). What the
input does not say is the subnet's range and its network security group. The range is an
unknown value; the network security group is one whose rules are not known: `open` lets
traffic through it and the findings name it, `closed` lets nothing through. The network is the
one the subnet's id names; for a subnet not known, the only virtual network in the input, else
one outside it (`unknown-vnet`).
"""

from __future__ import annotations

from reachlint.model.network import Interface
from reachlint.providers.azure.networks import outside_network, outside_subnet
from reachlint.providers.azure.nsgs import nsg_not_known
from reachlint.providers.azure.resources import Build
from reachlint.sources import UnknownValue

UNKNOWN_VNET = "unknown-vnet"


def place_interfaces(build: Build) -> None:
    """Every interface whose subnet is not known, or outside the input, in a subnet whose range
    and network security group are not known: the one its id names, else one per network.
    Interfaces placed already stay where they are, so it runs again after new ones are read."""
    model = build.model
    declared = [a for a, network in model.networks.items() if not network.outside]
    for endpoint in model.endpoints.values():
        for interface in endpoint.interfaces:
            if interface.network_security_group_unknown and not interface.network_security_group:
                # Which NSG, if any, the deployment decides: one whose rules are not known.
                interface.network_security_group = nsg_not_known(build, interface.address)
            placed = model.subnets.get(interface.subnet or "")
            if interface.subnet is not None and (placed is None or placed.outside):
                _outside(build, interface, interface.subnet)
            elif interface.subnet is None and "subnet" in interface.unknown:
                network = declared[0] if len(declared) == 1 else UNKNOWN_VNET
                # One for all such interfaces of the network: a class each would be judged
                # against every other (hostile input: thousands of them).
                _outside(build, interface, f"a subnet of {network}", network)
                where = (
                    "a virtual network outside the input"
                    if network == UNKNOWN_VNET
                    else "the only virtual network in the input"
                )
                model.note(
                    f"{interface.address}: its subnet is not known; placed in {network} ({where}),"
                    " in a subnet whose range and network security group are not known",
                    endpoint.address,
                    endpoint.origin,
                )


def _outside(build: Build, interface: Interface, subnet: str, network: str | None = None) -> None:
    model, settings = build.model, build.settings
    if subnet not in model.subnets:
        network = network or build.source.parent_network(subnet) or UNKNOWN_VNET
        space = UnknownValue(sources=(f"the address space of {network}",))
        outside_network(model, network, settings.network_type, space)
        prefix = UnknownValue(sources=(f"the address range of {subnet}",))
        outside_subnet(model, subnet, settings.subnet_type, network, prefix)
    placed = model.subnets[subnet]
    if placed.security_group is None:
        placed.security_group = nsg_not_known(build, subnet)
    interface.subnet, interface.network = subnet, placed.network
