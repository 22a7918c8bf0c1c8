"""Public IPs: whether one lets inbound traffic in before a network security group allows it,
and which address family it carries.

A Standard public IP is closed to inbound traffic until an NSG on the subnet or the interface
allows it; a Basic one is open
(https://learn.microsoft.com/azure/virtual-network/ip-services/public-ip-addresses#sku).
A public IP is IPv4 unless its version says IPv6 (`publicIPAddressVersion`, "Default: IPv4",
https://learn.microsoft.com/azure/templates/microsoft.network/publicipaddresses).
"""

from __future__ import annotations

from reachlint.providers.azure.resources import Settings


def closed_without_nsg(settings: Settings, sku: str | None, written: bool) -> bool | None:
    """Whether a public IP of this SKU is closed until an NSG allows traffic; None: not known.

    `written`: the input sets a SKU (`sku` None then: one known only at deployment); where it
    sets none, the SKU is the one the dialect's API gives (`Settings.public_ip_default_sku`).
    """
    name = sku if written else settings.public_ip_default_sku
    return None if name is None else name.lower() == "standard"


def carries_ipv6(version: object) -> bool | None:
    """Whether a public IP of this version (as written: "IPv6", "IPv4", absent) is an IPv6
    address; None: written but not known before deployment."""
    if version is None:
        return False
    if type(version) is str:  # not ARM's placeholder for a parameter without a value
        return version.strip().lower() == "ipv6"
    return None
