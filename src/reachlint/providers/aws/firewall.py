"""AWS Network Firewall policies as the engine's staged first-match rules.

AWS's "Firewall policy rule evaluation"
(https://docs.aws.amazon.com/network-firewall/latest/developerguide/firewall-rules-engines.html):
the stateless engine reads its rule groups by their priority in the policy and the rules in a
group by rule priority; the first match passes (`aws:pass`, past the stateful engine), drops
(`aws:drop`) or forwards to the stateful engine (`aws:forward_to_sfe`); unmatched packets take
the policy's stateless default action. The stateful engine, in strict order, reads its groups by
priority and their rules in order, the first pass or drop deciding (alert decides nothing), then
its default actions (`aws:drop_strict`, `aws:drop_established`: drop); in action order (the
default) every pass rule comes before every drop rule and unmatched traffic passes
(https://docs.aws.amazon.com/network-firewall/latest/developerguide/suricata-rule-evaluation-order.html).
Domain lists match HTTP host names and TLS SNI, and Suricata rule strings match what only the
traffic shows: both are undecidable rules.

The policy and rule group documents are read in the shape Terraform's aws provider writes them
(snake_case keys, nested blocks as lists); a dialect that writes them otherwise (CloudFormation's
PascalCase properties) hands them over in that shape.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any, Literal

from msgspec.structs import replace

from reachlint.model.network import (
    AddressSpec,
    FirewallAction,
    FirewallPolicy,
    FirewallRule,
    FirewallStage,
    Gateway,
    PortRange,
)
from reachlint.providers.aws.networks import SUBNET_KINDS
from reachlint.providers.aws.source import Resource
from reachlint.providers.aws.state import Build
from reachlint.providers.values import has_unknown, integer, strings
from reachlint.sources import UNKNOWN, Origin

STATELESS_ACTIONS: dict[str, Literal["allow", "deny", "next"]] = {
    "aws:pass": "allow",
    "aws:drop": "deny",
    "aws:forward_to_sfe": "next",
}
STATEFUL_ACTIONS: dict[str, FirewallAction] = {
    "PASS": "allow",
    "DROP": "deny",
    "REJECT": "deny",
    "ALERT": "alert",
}
_PLAIN_PROTOCOLS = {"TCP": "tcp", "UDP": "udp", "ICMP": "icmp", "IP": "*"}


def _blocks(value: Any) -> list[dict[str, Any]]:
    return [b for b in value if isinstance(b, dict)] if isinstance(value, list) else []


def _first(value: Any) -> dict[str, Any]:
    found = _blocks(value)
    return found[0] if found else {}


class Variables:
    """Suricata IP set variables: $HOME_NET defaults to the firewall's VPC ranges."""

    def __init__(self, home: list[str]) -> None:
        self.sets: dict[str, list[str]] = {"HOME_NET": home}

    def add(self, rule_variables: Any) -> None:
        for item in _blocks(_first(rule_variables).get("ip_sets")):
            key = item.get("key")
            definition = _first(item.get("ip_set")).get("definition")
            if isinstance(key, str) and isinstance(definition, list):
                self.sets[key] = [d for d in definition if isinstance(d, str)]

    def copy(self) -> Variables:
        made = Variables([])
        made.sets = dict(self.sets)
        return made


def header_addresses(text: Any, variables: Variables) -> tuple[AddressSpec, str | None]:
    """A Suricata header address (ANY, a CIDR, $VAR, [a, b]); the reason if undecidable."""
    if not isinstance(text, str) or not text.strip():
        return AddressSpec(any=True), "an address not known"
    spec = AddressSpec()
    for item in text.strip().strip("[]").split(","):
        word = item.strip()
        if not word:
            continue
        if word.lower() == "any":
            return AddressSpec(any=True), None
        if word.startswith("!"):
            return AddressSpec(any=True), f"a negated address {word}"
        if word.startswith("$"):
            values = variables.sets.get(word[1:])
            if values is None:
                return AddressSpec(any=True), f"variable {word}, not in the input"
            spec.cidrs.extend(_cidr_list(values))
            continue
        spec.cidrs.extend(_cidr_list([word]))
    return spec, None


def _cidr_list(values: list[str]) -> list[str]:
    out = []
    for value in values:
        try:
            out.append(str(ipaddress.ip_network(value.strip(), strict=False)))
        except ValueError:
            continue
    return out


def header_ports(text: Any) -> tuple[list[PortRange] | None, str | None]:
    """ANY, 443, 1024:65535, 1024: (and up), :1023 (and down), [80,443]; the reason when it
    cannot be read (a variable, a negation, a port outside 0-65535)."""
    if text is UNKNOWN:
        return None, "ports not known"
    if not isinstance(text, str) or text.strip().lower() in ("any", ""):
        return None, None
    ranges = []
    for item in text.strip().strip("[]").split(","):
        word = item.strip()
        if not word or word.startswith("!") or word.startswith("$"):
            return None, f"ports {text}"
        low_text, colon, high_text = word.partition(":")
        try:
            low = int(low_text) if low_text.strip() else 0
            high = int(high_text) if high_text.strip() else 65535 if colon else low
        except ValueError:
            return None, f"ports {text}"
        if not 0 <= low <= high <= 65535:
            return None, f"ports {text}"
        ranges.append(PortRange(low=low, high=high))
    return ranges or None, None


def match_ports(blocks: Any) -> tuple[list[PortRange] | None, str | None]:
    """A stateless rule's port ranges (None: every port); the reason when one cannot be read:
    a value known only after apply, or what AWS refuses."""
    ranges = []
    for block in _blocks(blocks):
        low_written = block.get("from_port")
        high_written = block.get("to_port", low_written)
        if has_unknown(low_written) or has_unknown(high_written):
            return None, "ports not known"
        low, high = integer(low_written), integer(high_written)
        if low is None or high is None or not 0 <= low <= high <= 65535:
            return None, f"ports {low_written!r}-{high_written!r}"
        ranges.append(PortRange(low=low, high=high))
    return ranges or None, None


def match_addresses(blocks: Any) -> tuple[AddressSpec, bool]:
    """A stateless rule's addresses known (none written: any), and whether more are not
    known (a value known only after apply, a variable without one)."""
    values = [b.get("address_definition") for b in _blocks(blocks)]
    cidrs = _cidr_list([v for v in values if isinstance(v, str)])
    if not values:
        return AddressSpec(any=True), False
    return AddressSpec(cidrs=cidrs), any(has_unknown(v) for v in values)


def _known_and_not(
    rule: FirewallRule, more_sources: bool, more_destinations: bool, more_protocols: bool
) -> list[FirewallRule]:
    """A stateless rule whose addresses or protocols are known in part, as the rules it stands
    for (AWS matches any of those listed): the part known, decided for sure, then one that may
    match any address or protocol not known, undecidable."""
    parts = [
        what
        for what, more in (
            ("source addresses", more_sources),
            ("destination addresses", more_destinations),
            ("protocols", more_protocols),
        )
        if more
    ]
    if not parts:
        return [rule]
    why = f"{', '.join(parts)} not known"
    guessed = replace(
        rule,
        sources=AddressSpec(any=True) if more_sources else rule.sources,
        destinations=AddressSpec(any=True) if more_destinations else rule.destinations,
        protocols=["*"] if more_protocols else rule.protocols,
        undecidable=f"{rule.undecidable}; {why}" if rule.undecidable else why,
    )
    known = not (
        (more_sources and not rule.sources.cidrs)
        or (more_destinations and not rule.destinations.cidrs)
        or (more_protocols and rule.protocols == ["*"])
    )
    return [rule, guessed] if known else [guessed]


class PolicyBuilder:
    """One policy: its stateless and stateful rule groups, read in the engines' order."""

    def __init__(
        self,
        policy: FirewallPolicy,
        variables: Variables,
        origin_of: Callable[[str, str], Origin],
    ) -> None:
        self.policy = policy
        self.variables = variables
        self.origin_of = origin_of  # (group address, path in its definition) -> origin
        self.stateless: list[tuple[int, int, int, FirewallRule]] = []
        self.stateful: list[tuple[int, int, int, FirewallRule]] = []

    def stateless_group(
        self, address: str, type_name: str, name: Any, definition: Any, priority: int
    ) -> None:
        group = _first(definition)
        source = _first(_first(group.get("rules_source")).get("stateless_rules_and_custom_actions"))
        base = "0.rules_source.0.stateless_rules_and_custom_actions.0.stateless_rule"
        label = f"rule group {name} (priority {priority})"
        for index, block in enumerate(_blocks(source.get("stateless_rule"))):
            definition = _first(block.get("rule_definition"))
            actions = strings(definition.get("actions"))
            action = next((STATELESS_ACTIONS[a] for a in actions if a in STATELESS_ACTIONS), None)
            why: list[str | None] = []
            action_known = action is not None
            if action is None:
                if not has_unknown(definition.get("actions")):
                    continue  # only custom actions: metrics, no verdict
                action, why = "allow", ["action not known"]
            attributes = _first(definition.get("match_attributes"))
            listed_protocols = attributes.get("protocols")
            protocols = [
                str(p)
                for p in (listed_protocols if isinstance(listed_protocols, list) else [])
                if isinstance(p, int) and not isinstance(p, bool)
            ]
            sources, more_sources = match_addresses(attributes.get("source"))
            destinations, more_destinations = match_addresses(attributes.get("destination"))
            more_protocols = has_unknown(listed_protocols)
            written = block.get("priority")
            rule_priority = written if isinstance(written, int) else 0
            rule = FirewallRule(
                address=address,
                type=type_name,
                origin=self.origin_of(address, f"{base}.{index}"),
                name=f"priority {rule_priority}",
                kind="stateless",
                collection=label,
                stage=0,
                action=action,
                protocols=protocols or ["*"],
                sources=sources,
                destinations=destinations,
                action_known=action_known,
            )
            rule.source_ports, source_reason = match_ports(attributes.get("source_port"))
            rule.destination_ports, reason = match_ports(attributes.get("destination_port"))
            if _blocks(attributes.get("tcp_flag")):
                why.append("TCP flags")
            rule.undecidable = "; ".join(r for r in (*why, reason, source_reason) if r) or None
            for made in _known_and_not(rule, more_sources, more_destinations, more_protocols):
                self.stateless.append((priority, rule_priority, index, made))

    def stateful_group(
        self, address: str, type_name: str, name: Any, definition: Any, priority: int
    ) -> None:
        group = _first(definition)
        variables = self.variables.copy()
        variables.add(group.get("rule_variables"))
        source = _first(group.get("rules_source"))
        label = f"rule group {name} (priority {priority})"
        base = "0.rules_source.0"
        position = 0

        def add(rule: FirewallRule) -> None:
            nonlocal position
            self.stateful.append((priority, position, 0, rule))
            position += 1

        for index, block in enumerate(_blocks(source.get("stateful_rule"))):
            header = _first(block.get("header"))
            written_action = block.get("action")
            action = STATEFUL_ACTIONS.get(str(written_action).upper(), "alert")
            sid = str(index)
            for option in _blocks(block.get("rule_option")):
                settings = option.get("settings")
                if option.get("keyword") == "sid" and isinstance(settings, list) and settings:
                    sid = str(settings[0])
            why: list[str] = []
            if written_action is UNKNOWN:
                action, why = "allow", ["action not known"]
            sources, reason = header_addresses(header.get("source"), variables)
            why += [reason] if reason else []
            destinations, reason = header_addresses(header.get("destination"), variables)
            why += [reason] if reason else []
            ports, reason = header_ports(header.get("destination_port"))
            why += [reason] if reason else []
            source_ports, reason = header_ports(header.get("source_port"))
            why += [reason] if reason else []
            written = header.get("protocol")
            protocol = "IP" if written is UNKNOWN else str(written or "IP").upper()
            if written is UNKNOWN:
                why.append("protocol not known")
            elif protocol not in _PLAIN_PROTOCOLS:
                why.append(f"application protocol {protocol}")
            add(
                FirewallRule(
                    address=address,
                    type=type_name,
                    origin=self.origin_of(address, f"{base}.stateful_rule.{index}"),
                    name=f"sid {sid}",
                    kind="stateful",
                    collection=label,
                    stage=1,
                    action=action,
                    protocols=[_PLAIN_PROTOCOLS.get(protocol, "*")],
                    sources=sources,
                    destinations=destinations,
                    source_ports=source_ports,
                    destination_ports=ports,
                    both_directions=str(header.get("direction")).upper() == "ANY",
                    undecidable="; ".join(why) or None,
                    action_known=written_action is not UNKNOWN,
                )
            )
        home, _ = header_addresses("$HOME_NET", variables)
        origin = self.origin_of(address, base)
        for listed in _blocks(source.get("rules_source_list")):
            targets = ", ".join(strings(listed.get("targets"))[:3])
            kinds = "/".join(strings(listed.get("target_types")))
            allow = str(listed.get("generated_rules_type")).upper() == "ALLOWLIST"
            words = f"domain list {targets} ({kinds})"
            made = [("domain allow list", "allow", words)] if allow else []
            made.append(
                (
                    "domain allow list: other domains",
                    "deny",
                    f"HTTP/TLS to domains outside the {words}",
                )
                if allow
                else ("domain deny list", "deny", words)
            )
            for name, verdict, because in made:
                add(
                    FirewallRule(
                        address=address,
                        type=type_name,
                        origin=origin,
                        name=name,
                        kind="stateful",
                        collection=label,
                        stage=1,
                        action="allow" if verdict == "allow" else "deny",
                        protocols=["tcp"],
                        sources=home,
                        undecidable=because,
                    )
                )
        text = source.get("rules_string")
        if isinstance(text, str) and text.strip():
            keywords = {
                line.split(None, 1)[0].lower() for line in text.splitlines() if line.split()
            }
            for keyword in ("pass", "drop", "reject"):
                if keyword in keywords:
                    add(
                        FirewallRule(
                            address=address,
                            type=type_name,
                            origin=self.origin_of(address, f"{base}.rules_string"),
                            name=f"Suricata {keyword} rules",
                            kind="stateful",
                            collection=label,
                            stage=1,
                            action="allow" if keyword == "pass" else "deny",
                            undecidable="Suricata rules",
                        )
                    )

    def missing_group(
        self, reference: str, type_name: str, stateful: bool, priority: int, origin: Origin
    ) -> None:
        rule = FirewallRule(
            address=reference,
            type=type_name,
            origin=origin,
            name="(its rules)",
            kind="stateful" if stateful else "stateless",
            stage=1 if stateful else 0,
            action="allow",
            undecidable="a rule group not in the input",
        )
        (self.stateful if stateful else self.stateless).append((priority, 0, 0, rule))

    def done(self, written: Any) -> FirewallPolicy:
        settings = _first(written)
        stateless_default: Literal["allow", "deny", "next"] = next(
            (
                STATELESS_ACTIONS[a]
                for a in strings(settings.get("stateless_default_actions"))
                if a in STATELESS_ACTIONS
            ),
            "next",
        )
        order = str(_first(settings.get("stateful_engine_options")).get("rule_order") or "")
        strict = order.upper() == "STRICT_ORDER"
        defaults = strings(settings.get("stateful_default_actions"))
        denies = strict and any("drop" in a or "reject" in a for a in defaults)
        stateful = sorted(self.stateful, key=lambda t: t[:3])
        if not strict:
            rank = {"allow": 0, "deny": 1, "next": 1, "alert": 2}
            stateful = sorted(stateful, key=lambda t: rank[t[3].action])
        self.policy.stages = [
            FirewallStage(name="stateless engine", default=stateless_default),
            FirewallStage(name="stateful engine", default="deny" if denies else "allow"),
        ]
        self.policy.rules = [t[3] for t in sorted(self.stateless, key=lambda t: t[:3])]
        self.policy.rules += [t[3] for t in stateful]
        return self.policy


# ----- firewalls and their policies -------------------------------------------------------------
# Fields: a firewall's `subnet_mappings` entries (`subnet`) and `policy`; a policy's `settings`
# (the policy document), `variables`, `tls_inspection`, `stateless_groups` and
# `stateful_groups` entries (`group`, `priority`); a rule group's `name` and `definition` (the
# rule group document, whose parts `origin_within` places).


def add_firewalls(b: Build) -> None:
    for resource in b.inv.of("network-firewall"):
        unknown: list[str] = []
        subnets = []
        for mapping in resource.entries("subnet_mappings"):
            subnet = mapping.link("subnet", SUBNET_KINDS, "subnet", unknown)
            if subnet is not None:
                subnets.append(subnet)
        placed = b.model.subnets.get(subnets[0]) if subnets else None
        network = placed.network if placed is not None else None
        if len(subnets) > 1:
            resource.note(
                f"it has endpoints in {len(subnets)} subnets; what leaves it is routed by "
                f"{subnets[0]}'s route table"
            )
        b.model.gateways[resource.address] = Gateway(
            address=resource.address,
            type=resource.type,
            origin=resource.origin,
            kind="firewall",
            network=network,
            subnet=subnets[0] if subnets else None,
            public=False,
            policy=_policy(b, resource, network),
            unknown=unknown,
        )


def _policy(b: Build, resource: Resource, network: str | None) -> FirewallPolicy:
    kinds = frozenset({"firewall-policy"})
    policy = b.inv.get(resource.link("policy", kinds, "firewall policy", None) or "")
    if policy is None:
        resource.note("its firewall policy is not in the input; its rules are unknown")
        rule = FirewallRule(
            address=resource.address, type=resource.type, origin=resource.origin,
            name="(its rules)", kind="every", action="allow",
            undecidable="a firewall policy not in the input",
        )  # fmt: skip
        return FirewallPolicy(
            address=resource.address, type=resource.type, origin=resource.origin, rules=[rule]
        )
    net = b.model.networks.get(network or "")
    variables = Variables(list(net.cidrs) if net is not None else [])
    variables.add(policy.value("variables"))

    def origin_of(group: str, path: str) -> Origin:
        found = b.inv.get(group)
        return found.origin_within("definition", path) if found is not None else policy.origin

    builder = PolicyBuilder(
        FirewallPolicy(address=policy.address, type=policy.type, origin=policy.origin),
        variables,
        origin_of,
    )
    group_kinds = frozenset({"firewall-rule-group"})
    for field in ("stateless_groups", "stateful_groups"):
        stateful = field == "stateful_groups"
        key = policy.name(field).rsplit(".", 1)[-1]
        for position, reference in enumerate(policy.entries(field)):
            written = reference.value("priority")
            priority = written if isinstance(written, int) else 0
            group = b.inv.get(reference.link("group", group_kinds, "rule group", None) or "")
            if group is None:
                path = reference.path("group")
                reference.note(f"{path}: the rule group is not in the input", "group")
                builder.missing_group(
                    f"{policy.address}.{key}[{position}]",
                    b.inv.type_name("firewall-rule-group"),
                    stateful,
                    priority,
                    reference.origin,
                )
                continue
            read = builder.stateful_group if stateful else builder.stateless_group
            read(
                group.address, group.type, group.value("name"), group.value("definition"), priority
            )
    if policy.value("tls_inspection"):
        policy.note("TLS inspection decrypts traffic; what it decides is not modelled")
    return builder.done(policy.value("settings"))
