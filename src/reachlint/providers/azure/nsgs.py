"""Network and application security groups: Azure's default rules, how a rule's fields read.

Azure's implicit behaviour is explicit in the model (the six default rules below every NSG's
own), so the engine applies one set of semantics whatever the input was written in.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

from msgspec.structs import replace

from reachlint.model.network import (
    AddressSpec,
    Element,
    NetworkSecurityGroup,
    NsgPart,
    NsgRule,
    PortRange,
)
from reachlint.sources import Origin, UnknownValue

if TYPE_CHECKING:
    from reachlint.providers.azure.resources import Build, Resource, Settings, Source

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
        text = add_plain_address(spec, raw)
        if text:
            spec.service_tags.append(KNOWN_SERVICE_TAGS.get(text.lower(), text))
    return spec


def add_plain_address(spec: AddressSpec, raw: object) -> str:
    """Adds an address every Azure rule reads alike ('*' and its synonyms, an IP, a CIDR) to
    `spec`; returns the text when it is none of those (a tag, a range), else ''."""
    text = str(raw).strip()
    if not text:
        return ""
    if text.lower() in ANY_WORDS:
        spec.any = True
        return ""
    try:
        spec.cidrs.append(str(ipaddress.ip_network(text, strict=False)))
    except ValueError:
        return text
    return ""


def port_ranges(values: Iterable[str | int]) -> list[PortRange] | None:
    """'*', '80', '8000-8080' (an NSG rule's or a firewall rule's ports) -> ranges; None means
    any port. Raises ValueError on what Azure refuses: a port outside 0-65535, a range that
    runs backwards, text that is not a port."""
    ranges: list[PortRange] = []
    for raw in values:
        text = str(raw).strip()
        if not text:
            continue
        if text == "*":
            return None
        low_text, _, high_text = text.partition("-")
        low = int(low_text)
        high = int(high_text) if high_text else low
        if not 0 <= low <= high <= 65535:
            raise ValueError(f"{text!r} is not a port range of 0-65535")
        ranges.append(PortRange(low=low, high=high))
    return ranges or None


def protocol_name(value: object) -> str:
    """Azure protocol spellings (Tcp, TCP, *, Icmp, Esp, Ah) as the engine reads them."""
    text = str(value or "*").strip().lower()
    return {"*": "all", "any": "all", "esp": "50", "ah": "51"}.get(text, text)


def security_groups(source: Source) -> None:
    """Every NSG with its rules, written inline or as separate resources, above Azure's six
    default rules."""
    settings = source.settings
    groups: dict[str, tuple[NetworkSecurityGroup, list[NsgRule]]] = {}
    with_inline: set[str] = set()
    for resource in source.of("network_security_group"):
        nsg = NetworkSecurityGroup(
            address=resource.address, type=resource.type, origin=resource.origin
        )
        rules: list[NsgRule] = []
        for entry in resource.entries("rules", nsg.unknown):
            with_inline.add(nsg.address)
            rules.extend(security_rules(entry, settings))
        groups[nsg.address] = (nsg, rules)
    for resource in source.of("security_rule"):
        unknown: list[str] = []
        parent = resource.link("network_security_group", unknown)
        if parent is None or parent not in groups:
            if parent is not None and settings.rule_without_group:
                resource.note(settings.rule_without_group.format(group=parent))
            continue
        if parent in with_inline and settings.inline_and_separate_rules:
            resource.note(settings.inline_and_separate_rules.format(group=parent))
        for rule in security_rules(resource, settings):
            if unknown:  # which group it belongs to, when that was assumed
                rule.unknown.extend(unknown)
                _unknown_part(rule, "rule")
            groups[parent][1].append(rule)
    for nsg, rules in groups.values():
        defaults = default_rules(nsg.address, nsg.type, nsg.origin)
        if settings.sort_default_rules_in:
            nsg.rules = sorted(rules + defaults, key=_rule_order)
        else:
            nsg.rules = sorted(rules, key=_rule_order) + defaults
        source.model.network_security_groups[nsg.address] = nsg


def _rule_order(rule: NsgRule) -> tuple[str, int]:
    return (rule.direction, rule.priority)


def security_rules(entry: Resource, settings: Settings) -> list[NsgRule]:
    """One security rule; two, one each way, when its direction is not known: it may be
    either, and each direction weighs it by --assume-unknown (its "rule" part is unknown)."""
    rule, direction_known = _security_rule(entry, settings)
    if direction_known:
        return [rule]
    outbound = replace(
        rule,
        direction="outbound",
        unknown=list(rule.unknown),
        unknown_parts=list(rule.unknown_parts),
    )
    return [rule, outbound]


def _security_rule(entry: Resource, settings: Settings) -> tuple[NsgRule, bool]:
    """One security rule, read inbound when its direction is not known (and whether it is).
    What is not known (or not what Azure accepts) is named, taken as Azure's default, and
    marked in `unknown_parts` for --assume-unknown to decide."""
    unknown: list[str] = []
    parts: list[NsgPart] = []
    before = len(unknown)
    priority = entry.number("priority", unknown)
    if priority is None and len(unknown) == before:  # not already named with its reason
        entry.missing("priority", unknown)
    if len(unknown) > before:
        parts.append("priority")
    before = len(unknown)
    direction = (entry.text("direction", unknown) or "").strip().lower()
    if direction not in ("inbound", "outbound") and len(unknown) == before:
        entry.missing("direction", unknown)
    direction_known = len(unknown) == before
    if not direction_known:
        parts.append("rule")
    before = len(unknown)
    access = (entry.text("access", unknown) or "").strip().lower()
    if access not in ("allow", "deny") and len(unknown) == before:
        entry.missing("access", unknown)
    if len(unknown) > before:
        parts.append("access")
    rule = NsgRule(
        address=entry.address,
        type=entry.type,
        origin=entry.origin,
        name=entry.name or entry.address,
        priority=priority if priority is not None else 4096,
        direction="outbound" if direction == "outbound" else "inbound",
        allow=access != "deny",
        unknown=unknown,
        unknown_parts=parts,
    )
    before = len(rule.unknown)
    protocol = (entry.text("protocol", rule.unknown) or "").strip().lower()
    if protocol not in _PROTOCOLS and len(rule.unknown) == before:
        entry.missing("protocol", rule.unknown)
    rule.protocol = protocol_name(protocol if protocol in _PROTOCOLS else "*")
    if len(rule.unknown) > before:
        _unknown_part(rule, "rule")
    sides: tuple[Literal["source", "destination"], ...] = ("source", "destination")
    if settings.read_rule_side_by_side:
        for side in sides:
            _read_side(entry, rule, side, addresses=True)
            _read_side(entry, rule, side, addresses=False)
    else:
        for addresses in (True, False):
            for side in sides:
                _read_side(entry, rule, side, addresses)
    return rule, direction_known


# What Azure accepts as a security rule's protocol.
_PROTOCOLS = ("tcp", "udp", "icmp", "esp", "ah", "*", "any")


def _unknown_part(rule: NsgRule, part: NsgPart) -> None:
    if part not in rule.unknown_parts:
        rule.unknown_parts.append(part)


def _read_side(
    entry: Resource, rule: NsgRule, side: Literal["source", "destination"], addresses: bool
) -> None:
    """A side's addresses (or its ports), marking the part unknown when a value is."""
    before = len(rule.unknown)
    if addresses:
        setattr(rule, side, _address_side(entry, side, rule.unknown))
        part: NsgPart = "source_groups" if side == "source" else "destination_groups"
    else:
        setattr(rule, f"{side}_ports", _port_side(entry, side, rule.unknown))
        part = "source_ports" if side == "source" else "destination_ports"
    if len(rule.unknown) > before:
        _unknown_part(rule, part)


def _address_side(entry: Resource, side: str, unknown: list[str]) -> AddressSpec:
    ranges: list[UnknownValue] = []
    prefixes = entry.prefixes(f"{side}_addresses", unknown, ranges)
    groups = entry.links(f"{side}_application_security_groups", unknown)
    spec = address_spec(prefixes, groups)
    spec.unknown_ranges = ranges
    return spec


def _port_side(entry: Resource, side: str, unknown: list[str]) -> list[PortRange] | None:
    """The side's ports; when some are not known, only those known for certain (maybe none)."""
    before = len(unknown)
    written = entry.texts(f"{side}_ports", unknown)
    try:
        ranges = port_ranges(written)
    except ValueError:
        entry.invalid(f"{side}_ports", written, unknown)
        return []
    if ranges is None and not written and len(unknown) > before:
        return []  # nothing written is known: no port is certain
    return ranges


def application_security_groups(source: Source) -> None:
    for resource in source.of("application_security_group"):
        source.model.application_security_groups[resource.address] = Element(
            address=resource.address, type=resource.type, origin=resource.origin
        )


def nsg_not_known(build: Build, owner: str) -> str:
    """A network security group whose rules are not known, of a subnet or a NIC whose NSG is a
    value not known: each way, one rule first of all whose access is not known (an allow when
    open, a deny when closed)."""
    address = f"the network security group of {owner}"
    rules = [
        NsgRule(
            address=address,
            type=build.settings.nsg_type,
            name=direction,
            priority=100,
            direction=direction,
            allow=False,
            source=AddressSpec(any=True),
            destination=AddressSpec(any=True),
            unknown=["its rules"],
            unknown_parts=["access"],
            stands_for_unknown_rules=True,
        )
        for direction in ("inbound", "outbound")
    ]
    build.model.network_security_groups[address] = NetworkSecurityGroup(
        address=address, type=build.settings.nsg_type, rules=rules
    )
    return address
