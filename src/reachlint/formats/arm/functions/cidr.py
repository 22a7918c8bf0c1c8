"""ARM's CIDR functions: parseCidr, cidrSubnet, cidrHost."""

from __future__ import annotations

import ipaddress
from typing import Any

from reachlint.formats.arm.functions.arguments import (
    EvalError,
    Function,
    as_integer,
    as_string,
    check_count,
)


def _network(text: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(as_string(text, "CIDR"), strict=False)
    except ValueError:
        raise EvalError(f"{text!r} is not a CIDR") from None


def fn_parse_cidr(args: list[Any]) -> Any:
    check_count(args, 1)
    net = _network(args[0])
    result: dict[str, Any] = {"network": str(net.network_address), "netmask": str(net.netmask)}
    if net.version == 4:
        result["broadcast"] = str(net.broadcast_address)
    # IPv4 keeps the network and broadcast addresses out of the usable range; IPv6 does not.
    reserved = 1 if net.version == 4 and net.num_addresses > 2 else 0
    first = str(net.network_address + reserved)
    last = str(net.broadcast_address - reserved)
    result.update(firstUsable=first, lastUsable=last, cidr=net.prefixlen)
    return result


def fn_cidr_subnet(args: list[Any]) -> Any:
    check_count(args, 3)
    net, prefix, index = _network(args[0]), as_integer(args[1]), as_integer(args[2])
    if not net.prefixlen <= prefix <= net.max_prefixlen:
        raise EvalError(f"new prefix /{prefix} does not fit in {net}")
    count = 1 << (prefix - net.prefixlen)
    if not 0 <= index < count:
        raise EvalError(f"subnet index {index} is outside 0-{count - 1}")
    size = 1 << (net.max_prefixlen - prefix)
    start = net.network_address + index * size
    return str(ipaddress.ip_network(f"{start}/{prefix}"))


def fn_cidr_host(args: list[Any]) -> Any:
    check_count(args, 2)
    net, index = _network(args[0]), as_integer(args[1])
    reserved = 2 if net.version == 4 and net.num_addresses > 2 else 1
    if not 0 <= index < net.num_addresses - reserved:
        raise EvalError(f"host index {index} is outside {net}")
    return str(net.network_address + index + 1)


FUNCTIONS: dict[str, Function] = {
    "parsecidr": fn_parse_cidr,
    "cidrsubnet": fn_cidr_subnet,
    "cidrhost": fn_cidr_host,
}
