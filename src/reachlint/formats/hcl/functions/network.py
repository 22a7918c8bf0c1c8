"""Terraform's IP network functions: cidrsubnet, cidrsubnets, cidrhost, cidrnetmask."""

from __future__ import annotations

import ipaddress
import json

from reachlint.formats.hcl.functions.registry import Family, as_int
from reachlint.formats.hcl.values import EvalError, Value, to_string

FAMILY = Family()
function = FAMILY.function


def _network(prefix: Value) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    text = to_string(prefix, "prefix")
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise EvalError(f"invalid CIDR prefix {json.dumps(text)}") from None


@function("cidrsubnet", 3, 3)
def _cidrsubnet(prefix: Value, newbits: Value, netnum: Value) -> Value:
    network = _network(prefix)
    extra = as_int(newbits, "newbits")
    number = as_int(netnum, "netnum")
    length = network.prefixlen + extra
    if extra < 0 or length > network.max_prefixlen:
        raise EvalError(
            f"cannot extend the prefix /{network.prefixlen} by {extra} bits "
            f"(an address has {network.max_prefixlen})"
        )
    if number < 0 or number >= 1 << extra:
        raise EvalError(f"prefix extension of {extra} bits cannot hold the number {number}")
    address = int(network.network_address) + (number << (network.max_prefixlen - length))
    return f"{ipaddress.ip_address(_address_type(network, address))}/{length}"


def _address_type(
    network: ipaddress.IPv4Network | ipaddress.IPv6Network, address: int
) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    if network.version == 4:
        return ipaddress.IPv4Address(address)
    return ipaddress.IPv6Address(address)


@function("cidrsubnets", 1)
def _cidrsubnets(prefix: Value, *newbits: Value) -> Value:
    network = _network(prefix)
    bits = network.max_prefixlen
    total = 1 << bits
    lengths = [network.prefixlen + as_int(extra, "newbits") for extra in newbits]
    for length in lengths:
        if length < network.prefixlen or length > bits:
            raise EvalError(f"cannot make a /{length} subnet of {network}")
    if not lengths:
        return []
    start = int(network.network_address)
    end = start + network.num_addresses
    # As Terraform: begin at the subnet just before the prefix, then take the next aligned
    # subnet of each requested size.
    size = 1 << (bits - lengths[0])
    current_address = ((start - 1) % total) & ~(size - 1)
    current_length = lengths[0]
    subnets: list[Value] = []
    for length in lengths:
        current_last = current_address | ((1 << (bits - current_length)) - 1)
        size = 1 << (bits - length)
        containing = current_last & ~(size - 1)
        following = containing + size
        if following >= total or not start <= following < end:
            raise EvalError(
                f"not enough remaining address space for a subnet with a prefix of {length} "
                f"bits after {_address_type(network, current_address)}/{current_length}"
            )
        current_address, current_length = following, length
        subnets.append(f"{_address_type(network, following)}/{length}")
    return subnets


@function("cidrhost", 2, 2)
def _cidrhost(prefix: Value, hostnum: Value) -> Value:
    network = _network(prefix)
    number = as_int(hostnum, "host number")
    count = network.num_addresses
    if number >= count or number < -count:
        raise EvalError(f"prefix {network} has no host number {number}")
    offset = number if number >= 0 else count + number
    return str(_address_type(network, int(network.network_address) + offset))


@function("cidrnetmask", 1, 1)
def _cidrnetmask(prefix: Value) -> Value:
    network = _network(prefix)
    if network.version != 4:
        raise EvalError("cidrnetmask() works only on IPv4 prefixes")
    return str(network.netmask)
