"""Public addresses: Elastic IPs, on an interface or an instance's primary one.

An Elastic IP makes the interface it is associated with public, whether the association is
written on the address or apart from it; one held by a NAT gateway or a load balancer's subnet
mapping is theirs.

Fields: an Elastic IP's `interface`, `instance`; an association's `interface`, `instance`,
`allocation`; a NAT gateway's `allocation`.
"""

from __future__ import annotations

from reachlint.model.network import ElasticIp, Interface
from reachlint.providers.aws.endpoints import interface_named
from reachlint.providers.aws.load_balancers import EIP_KINDS
from reachlint.providers.aws.state import Build


def add_elastic_ips(b: Build) -> None:
    nat_eips = set()
    for nat in b.inv.of("nat-gateway"):
        nat_eips.update(nat.links("allocation", EIP_KINDS).addresses)
    # An association written apart from its address is read after the addresses.
    associated = {
        address
        for association in b.inv.of("elastic-ip-association")
        for address in association.links("allocation", EIP_KINDS).addresses
    }
    for resource in b.inv.of("elastic-ip"):
        if resource.address in b.model.elastic_ips:
            continue  # a load balancer's subnet mapping already holds it
        unknown: list[str] = []
        endpoint, interface = interface_named(b, resource, "interface", "instance", unknown)
        b.model.elastic_ips[resource.address] = ElasticIp(
            address=resource.address,
            type=resource.type,
            origin=resource.origin,
            endpoint=endpoint,
            interface=interface.address if interface else None,
            unknown=unknown,
        )
        if interface is not None:
            _make_public(interface, resource.address)
        elif resource.address not in nat_eips | associated and not unknown:
            resource.note("an Elastic IP not associated with anything in the input")
    for resource in b.inv.of("elastic-ip-association"):
        unknown = []
        endpoint, interface = interface_named(b, resource, "interface", "instance", unknown)
        eip = resource.link("allocation", EIP_KINDS, "Elastic IP", unknown)
        if interface is None:
            continue
        source = eip or resource.address
        _make_public(interface, source)
        if eip is not None and eip in b.model.elastic_ips:
            b.model.elastic_ips[eip].endpoint = endpoint
            b.model.elastic_ips[eip].interface = interface.address


def _make_public(interface: Interface, source: str) -> None:
    """An Elastic IP decides it: whether the subnet gives an address no longer matters."""
    interface.public, interface.public_source = True, source
    interface.unknown = [name for name in interface.unknown if name != "public"]
