"""Azure Firewall rules, shared by the ARM and azurerm mappers: one order, one default.

Microsoft's "Azure Firewall rule processing logic"
(https://learn.microsoft.com/azure/firewall/rule-processing): DNAT rules first (each implicitly
allows the translated traffic), then network rules, then application rules; rule processing
stops on the first match; what nothing matches is denied. Classic rule collections are ordered
by collection priority within each rule type; a Firewall Policy orders rule collection groups by
priority, then the collections inside a group, and a parent (base) policy's rules come before its
child's. Application rules match HTTP/HTTPS/MSSQL by FQDN, FQDN tag, URL or web category: which
addresses those are is known only when traffic flows, so they are undecidable.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import NamedTuple

import msgspec
from msgspec import Struct, field

from reachlint.model.network import AddressSpec, DnatRule, FirewallPolicy, FirewallRule, PortRange
from reachlint.providers.azure.nsgs import add_plain_address, port_ranges
from reachlint.sources import Origin

# The rule types in the order the firewall reads them.
RANK = {"dnat": 0, "network": 1, "application": 2}
# Application rule protocols on the wire: Http and Https are TCP on the port written.
APP_DEFAULT_PORTS = {"http": 80, "https": 443, "mssql": 1433}


def addresses(
    values: Iterable[str], groups: dict[str, list[str]], group_refs: Iterable[str]
) -> AddressSpec:
    """A rule side from addresses (IPs, CIDRs, ranges, '*', service tags) and IP groups."""
    spec = AddressSpec()
    for group in group_refs:
        members = groups.get(group)
        if members is None:
            spec.service_tags.append(f"IP group {group}")  # not in the input: unknown addresses
            continue
        spec = _merge(spec, addresses(members, {}, ()))
    for raw in values:
        text = add_plain_address(spec, raw)
        if not text:
            continue
        low, dash, high = text.partition("-")
        if dash:
            try:
                first, last = ipaddress.ip_address(low.strip()), ipaddress.ip_address(high.strip())
                spec.cidrs.extend(str(n) for n in ipaddress.summarize_address_range(first, last))
                continue
            except (ValueError, TypeError):
                pass
        spec.service_tags.append(text)
    return spec


def written(spec: AddressSpec) -> AddressSpec:
    """A rule side with no address at all matches what Microsoft does not document: unknown."""
    if not (spec.any or spec.cidrs or spec.service_tags):
        spec.service_tags.append("no addresses written")
    return spec


def _merge(a: AddressSpec, b: AddressSpec) -> AddressSpec:
    return AddressSpec(
        any=a.any or b.any,
        cidrs=[*a.cidrs, *b.cidrs],
        service_tags=[*a.service_tags, *b.service_tags],
    )


def protocols(values: Iterable[str]) -> list[str]:
    out = []
    for raw in values:
        text = str(raw).strip().lower()
        if text in ("any", "*", "all"):
            return ["*"]
        out.append(text)
    return out or ["*"]


class RuleSet(Struct):
    """Rules gathered from collections in any order, each with the key the firewall sorts by."""

    policy: FirewallPolicy
    _filters: list[tuple[tuple[int, ...], int, FirewallRule]] = field(default_factory=list)
    _dnat: list[tuple[tuple[int, ...], int, DnatRule]] = field(default_factory=list)

    def add(self, key: tuple[int, ...], rule: FirewallRule) -> None:
        self._filters.append(((RANK.get(rule.kind, 1), *key), len(self._filters), rule))

    def add_dnat(self, key: tuple[int, ...], rule: DnatRule) -> None:
        self._dnat.append((key, len(self._dnat), rule))

    def done(self) -> FirewallPolicy:
        self.policy.rules = [rule for *_, rule in sorted(self._filters, key=lambda t: t[:2])]
        self.policy.dnat = [rule for *_, rule in sorted(self._dnat, key=lambda t: t[:2])]
        return self.policy


def unknown_policy(address: str, type_name: str, origin: Origin, why: str) -> FirewallPolicy:
    """A firewall whose rules are not in the input: whatever it admits is an unknown."""
    rule = FirewallRule(
        address=address,
        type=type_name,
        origin=origin,
        name="(its rules)",
        kind="every",
        action="allow",
        undecidable=why,
    )
    return FirewallPolicy(address=address, type=type_name, origin=origin, rules=[rule])


def application_ports(entries: Iterable[tuple[str, int | None]]) -> list[PortRange] | None:
    """(protocolType, port) pairs of an application rule as TCP ports."""
    out = []
    for kind, port in entries:
        number = port if port is not None else APP_DEFAULT_PORTS.get(kind.lower())
        if number is None:
            return None
        out.append(PortRange(low=number, high=number))
    return out or None


def filter_rule(
    address: str,
    type_name: str,
    origin: Origin,
    name: str,
    kind: str,
    collection: str,
    action: Written,
    sources: AddressSpec,
    undecidable_action: bool,
) -> FirewallRule:
    """A network or application rule of a collection whose action is Allow or Deny. An action
    not known, or (where the dialect says so, `Settings.unknown_rule_action_undecidable`) one
    Azure does not take, may allow or deny: `action_known` is False."""
    written = action.values[0] if action.values else ""
    verdict = written.lower()
    rule = FirewallRule(
        address=address,
        type=type_name,
        origin=origin,
        name=name,
        kind=kind,
        collection=collection,
        action="deny" if verdict == "deny" else "allow",
        sources=sources,
    )
    if action.unknown:
        rule.undecidable, rule.action_known = action.unknown, False
    elif undecidable_action and verdict not in ("allow", "deny"):
        rule.undecidable, rule.action_known = f"action {shown(written)}", False
    return rule


def shown(text: str) -> str:
    """A value as written, quoted and cut short: it names a rule's part in every finding."""
    return repr(text if len(text) <= _SHOWN else f"{text[:_SHOWN]}...")


_SHOWN = 40


def application_rule(
    rule: FirewallRule,
    protocols: Iterable[tuple[str, int | None]],
    targets: list[str],
    destinations: Iterable[str],
    inspects_tls: bool,
    ports_unknown: str = "",
) -> None:
    """An application rule: TCP on its protocols' ports (any, when one is not known), to
    targets (FQDNs, tags, URLs, web categories) that only traffic names; what it admits is
    undecidable."""
    rule.protocols = ["tcp"]
    rule.destination_ports = None if ports_unknown else application_ports(protocols)
    if ports_unknown:
        targets.append(ports_unknown)
    rule.destinations = addresses(destinations, {}, ())
    if inspects_tls:
        targets.append("TLS inspection")
    rule.undecidable = "; ".join(targets) or "application rule"


class Written(NamedTuple):
    """A rule's field as written: the values known, and why the rest is not known (a parameter
    without a value, a value known only after apply), or None when all of it is."""

    values: list[str]
    unknown: str | None = None


def network_rule(
    rule: FirewallRule,
    protocols_written: Written,
    destinations: AddressSpec,
    fqdns: list[str],
    ports_written: Written,
    invalid_ports: Callable[[list[str]], str],
) -> list[FirewallRule]:
    """A network rule, as the rules it stands for. FQDN destinations resolve only when traffic
    flows, and ports Azure does not accept are not known (`invalid_ports` notes them and names
    them): the rule is undecidable. Any protocol with a port written is TCP and UDP: "If a
    destination port is explicitly configured, then the rule is translated to a TCP+UDP rule"
    (https://learn.microsoft.com/azure/firewall/rule-processing). Protocols or ports not known
    in part make a second rule after it, undecidable, for what the part not known may add, so
    that what the rule matches for sure is not taken for a guess."""
    rule.protocols = protocols(protocols_written.values)
    try:
        rule.destination_ports = port_ranges(ports_written.values)
    except ValueError:
        _also_undecidable(rule, invalid_ports(ports_written.values))
    every_port = rule.destination_ports is None or any(
        port.low <= 0 and port.high >= 65535 for port in rule.destination_ports
    )
    any_written = any(text.strip().lower() == "any" for text in protocols_written.values)
    if rule.protocols == ["*"] and any_written and not every_port:
        rule.protocols = ["tcp", "udp"]
    rule.destinations = destinations
    if fqdns:
        _also_undecidable(rule, f"FQDN destinations {', '.join(fqdns[:3])}")
    if not (protocols_written.unknown or ports_written.unknown):
        return [rule]
    guessed = msgspec.structs.replace(rule)
    for written in (protocols_written, ports_written):
        _also_undecidable(guessed, written.unknown)
    if ports_written.unknown:
        guessed.destination_ports = None
    if protocols_written.unknown:
        # With a port written, Azure takes TCP, UDP and ICMP (Any becomes TCP and UDP).
        guessed.protocols = ["*"] if every_port or ports_written.unknown else ["tcp", "udp", "icmp"]
    elif ports_written.unknown:  # the ports may be every port, which leaves Any as it is
        guessed.protocols = protocols(protocols_written.values)
    nothing_known = any(w.unknown and not w.values for w in (protocols_written, ports_written))
    return [guessed] if nothing_known else [rule, guessed]


def _also_undecidable(rule: FirewallRule, reason: str | None) -> None:
    if reason:
        rule.undecidable = f"{rule.undecidable}; {reason}" if rule.undecidable else reason


def dnat_match(
    rule: DnatRule, protocols_written: Written, ports_written: Written, translated_port: Written
) -> list[DnatRule]:
    """What a DNAT rule translates, as the rules it stands for. The traffic arrives at the
    translated port: one not known (or not a port) leaves it any port, and the rule
    undecidable; the destination ports decide only where no translated port is written.
    Protocols known in part make a second rule after it, undecidable, for the rest: TCP and
    UDP, all that a DNAT rule takes."""
    rule.protocols = protocols(protocols_written.values) if protocols_written.values else []
    invalid = None
    try:
        rule.ports = port_ranges(ports_written.values) or []
    except ValueError:
        rule.ports, invalid = [], f"destination ports {shown(', '.join(ports_written.values))}"
    whole: list[str] = []
    written = translated_port.values[0].strip() if translated_port.values else None
    number = None
    if written is not None and written.isascii() and written.isdecimal() and len(written) <= 5:
        number = int(written)
    if translated_port.unknown or (written is not None and (number is None or number > 65535)):
        rule.translated_port, rule.translated_port_known = None, False
        whole.append(translated_port.unknown or f"translated port {shown(written or '')}")
    elif number is not None:
        rule.translated_port = number
    else:  # it arrives on the port it was sent to
        whole.extend(reason for reason in (ports_written.unknown, invalid) if reason)
        if whole:
            rule.ports = [PortRange(low=0, high=65535)]
    if whole:
        if protocols_written.unknown:
            whole.append(protocols_written.unknown)
            rule.protocols = ["tcp", "udp"]
        rule.undecidable = "; ".join(whole)
        return [rule]
    if not rule.protocols and not protocols_written.unknown:
        rule.protocols = ["*"]  # nothing written: what Azure takes
    if not protocols_written.unknown:
        return [rule]
    guessed = msgspec.structs.replace(
        rule, protocols=["tcp", "udp"], undecidable=protocols_written.unknown
    )
    return [rule, guessed] if rule.protocols else [guessed]


# A DNAT rule that on_private_addresses_only keeps out of the model, as its note says.
PRIVATE_DNAT = (
    "DNAT rule {name} takes traffic sent to the firewall's private address only, from the "
    "network or on-premises; not modelled"
)


def on_private_addresses_only(destinations: object) -> bool:
    """Whether a DNAT rule's destination addresses, as written, are all private: it then takes
    traffic sent to the firewall's private address (from the network or on-premises), never
    from the internet, which reaches only the public one. Nothing written, `*`, a public
    address or a value not known: not private only."""
    from reachlint.model.traffic import PUBLIC_ADDRESSES, cidrs

    listed = destinations if isinstance(destinations, list) else [destinations]
    written = [text for text in listed if isinstance(text, str)]
    if not written or len(written) != len(listed):
        return False
    try:
        return not (cidrs(written) & PUBLIC_ADDRESSES)
    except ValueError:  # `*`, a service tag, text that is no address
        return False


def listed(words: str, found: list[str]) -> list[str]:
    """An application rule's targets of one kind, as its undecidable reason names them."""
    return [f"{words} {', '.join(found[:3])}"] if found else []
