"""Azure facts shared by the ARM and azurerm mappers: NSG defaults and rule field parsing.

Both mappers make Azure's implicit behaviour explicit in the model, so the engine applies one
set of semantics whatever the input was written in.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Literal

from reachlint.model.network import AddressSpec, NsgRule, PortRange
from reachlint.sources import Origin

# Service tags the engine resolves to address sets; any other tag is an unknown address set.
KNOWN_SERVICE_TAGS = {"virtualnetwork": "VirtualNetwork", "internet": "Internet",
                      "azureloadbalancer": "AzureLoadBalancer"}  # fmt: skip
ANY_WORDS = {"*", "any", "0.0.0.0/0", "::/0"}


def default_rules(nsg_address: str, nsg_type: str, origin: Origin) -> list[NsgRule]:
    """Azure's six default rules, which every NSG has below its own (priorities 65000-65500)."""

    def rule(
        name: str,
        priority: int,
        direction: Literal["inbound", "outbound"],
        allow: bool,
        source: AddressSpec,
        destination: AddressSpec,
    ) -> NsgRule:
        return NsgRule(
            address=f"{nsg_address}/defaultSecurityRules/{name}",
            type=nsg_type,
            origin=origin,
            name=name,
            priority=priority,
            direction=direction,
            allow=allow,
            source=source,
            destination=destination,
            is_default=True,
        )

    vnet = AddressSpec(service_tags=["VirtualNetwork"])
    anywhere = AddressSpec(any=True)
    return [
        rule("AllowVnetInBound", 65000, "inbound", True, vnet, vnet),
        rule(
            "AllowAzureLoadBalancerInBound",
            65001,
            "inbound",
            True,
            AddressSpec(service_tags=["AzureLoadBalancer"]),
            anywhere,
        ),
        rule("DenyAllInBound", 65500, "inbound", False, anywhere, anywhere),
        rule("AllowVnetOutBound", 65000, "outbound", True, vnet, vnet),
        rule(
            "AllowInternetOutBound",
            65001,
            "outbound",
            True,
            anywhere,
            AddressSpec(service_tags=["Internet"]),
        ),
        rule("DenyAllOutBound", 65500, "outbound", False, anywhere, anywhere),
    ]


def address_spec(prefixes: Iterable[str], groups: Iterable[str] = ()) -> AddressSpec:
    """An NSG rule side from its address prefixes (CIDRs, IPs, tags, '*') and ASG addresses."""
    spec = AddressSpec(application_security_groups=[g for g in groups if g])
    for raw in prefixes:
        text = str(raw).strip()
        if not text:
            continue
        if text.lower() in ANY_WORDS:
            spec.any = True
            continue
        try:
            spec.cidrs.append(str(ipaddress.ip_network(text, strict=False)))
            continue
        except ValueError:
            pass
        spec.service_tags.append(KNOWN_SERVICE_TAGS.get(text.lower(), text))
    return spec


def port_ranges(values: Iterable[str | int]) -> list[PortRange] | None:
    """'*', '80', '8000-8080' (singular or plural properties) -> ranges; None means any port."""
    ranges: list[PortRange] = []
    for raw in values:
        text = str(raw).strip()
        if not text:
            continue
        if text == "*":
            return None
        low, _, high = text.partition("-")
        ranges.append(PortRange(low=int(low), high=int(high or low)))
    return ranges or None


def protocol_name(value: object) -> str:
    """Azure protocol spellings (Tcp, TCP, *, Icmp, Esp, Ah) as the engine reads them."""
    text = str(value or "*").strip().lower()
    return {"*": "all", "any": "all", "esp": "50", "ah": "51"}.get(text, text)
