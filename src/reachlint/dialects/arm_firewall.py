"""ARM's Azure Firewalls: their rules, from classic collections or a policy.

The provider places each firewall (`providers.azure.gateways.firewall`). Its rules come from the
collections written on it, or from its Firewall Policy and the policy's parents;
`providers.azure.firewall` holds their meaning and order.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from reachlint.dialects.arm_reading import ArmInput, at, items, parent_of
from reachlint.formats.arm.resource_ids import child_address
from reachlint.formats.arm.resources import ArmResource
from reachlint.formats.arm.values import MissingParameter, Placeholder, StateUnknown, Unknown
from reachlint.model.network import (
    AddressSpec,
    DnatRule,
    FirewallPolicy,
    FirewallRule,
)
from reachlint.providers.azure import firewall as azure_firewall
from reachlint.providers.azure import gateways as azure_gateways
from reachlint.providers.azure.resources import Build

FIREWALL = "microsoft.network/azurefirewalls"
FIREWALL_POLICY = "microsoft.network/firewallpolicies"
RULE_GROUP = "microsoft.network/firewallpolicies/rulecollectiongroups"
OLD_RULE_GROUP = "microsoft.network/firewallpolicies/rulegroups"  # the 2019-2020 preview API
IP_GROUP = "microsoft.network/ipgroups"
NETWORK_INTERFACES = "microsoft.network/networkinterfaces/"


class ArmFirewalls:
    """Every firewall of a deployment, with its rules."""

    def __init__(self, arm: ArmInput, build: Build) -> None:
        self.arm = arm
        self.build = build
        self.model = arm.model
        self._ip_groups: dict[str, list[str]] | None = None  # read when a rule first names one

    def firewalls(self) -> None:
        """Each firewall placed by the provider, then its rules read (ARM notes them in turn)."""
        for resource in self.arm.resources(FIREWALL):
            public = azure_gateways.firewall(self.build, self.arm.entry(resource))
            gateway = self.model.gateways[resource.address]
            properties = self.arm.properties(resource)
            policy = at(properties, "firewallPolicy")
            if policy is not None:
                gateway.policy = self.firewall_policy(resource, policy, public)
            else:
                gateway.policy = self.classic_rules(resource, properties, public)

    def ip_groups(self) -> dict[str, list[str]]:
        if self._ip_groups is None:
            found: dict[str, list[str]] = {}
            for resource in self.arm.resources(IP_GROUP):
                found[resource.address.lower()] = self.arm.texts(
                    resource, at(self.arm.properties(resource), "ipAddresses"), what="ipAddresses"
                )
            self._ip_groups = found
        return self._ip_groups

    def fw_addresses(
        self, resource: ArmResource, rule: Any, plain: str, groups: str
    ) -> AddressSpec:
        values = at(rule, plain)
        refs = [a.lower() for a in self.arm.refs(resource, at(rule, groups), groups)]
        spec = azure_firewall.addresses(
            self.arm.texts(resource, values, what=plain), self.ip_groups(), refs
        )
        if isinstance(values, Unknown) or any(isinstance(v, Unknown) for v in items(values)):
            spec.service_tags.append("a value known at deployment")
        return azure_firewall.written(spec)

    def written(self, resource: ArmResource, *values: Any, what: str) -> azure_firewall.Written:
        """A rule's field: the values known, and why the rest is not (parameters without a
        value); `texts` notes each value not known."""
        texts = self.arm.texts(resource, *values, what=what)
        listed = [
            item
            for value in values
            for item in ([value] if isinstance(value, Unknown) else items(value) or [value])
            if item is not None
        ]
        reasons = [item.reason for item in listed if isinstance(item, Unknown)]
        # What Azure does not take (a number with a fraction, a flag, an object) is no value.
        unreadable = [item for item in listed if _unreadable(item)]
        if unreadable:
            reasons.append(
                f"{azure_firewall.shown(json.dumps(unreadable[0]))} is not a value Azure takes"
            )
        for text in texts:
            if isinstance(text, Placeholder):
                reasons.append(MissingParameter("", None, None, text.parameters).reason)
        known = [text for text in texts if not isinstance(text, Placeholder)]
        if not reasons:
            return azure_firewall.Written(known)
        return azure_firewall.Written(
            known, f"{what} not known: {'; '.join(dict.fromkeys(reasons))}"
        )

    def invalid_ports(
        self, resource: ArmResource, rule: Any, key: str
    ) -> Callable[[list[str]], str]:
        def noted(values: list[str]) -> str:
            listed = azure_firewall.shown(", ".join(values))
            self.arm.note(
                resource, f"{key} {listed} is not a port range; taken as every port", rule
            )
            return f"{key} {listed}"

        return noted

    def classic_rules(
        self, resource: ArmResource, properties: Any, public: bool
    ) -> FirewallPolicy | None:
        """Rule collections written on the firewall itself (classic rules)."""
        sections = ("natRuleCollections", "networkRuleCollections", "applicationRuleCollections")
        if not any(items(at(properties, key)) for key in sections):
            return None
        rules = azure_firewall.RuleSet(
            FirewallPolicy(
                address=resource.address, type=resource.type, origin=self.arm.origin(resource)
            )
        )
        for section, kind in zip(sections, ("dnat", "network", "application"), strict=True):
            for collection in items(at(properties, section)):
                name = self.arm.text(resource, at(collection, "name"), f"{section} name") or "?"
                inner = at(collection, "properties")
                priority = self.arm.integer(resource, at(inner, "priority"), f"{name} priority")
                action = self.written(resource, at(inner, "action", "type"), what="action")
                address = child_address(resource.address, section, name)
                self.fw_collection(
                    rules, resource, address, kind, name, priority, action, inner, (), public
                )
        return rules.done()

    def firewall_policy(
        self, resource: ArmResource, reference: Any, public: bool
    ) -> FirewallPolicy:
        address = self.arm.ref(resource, reference, "firewallPolicy")
        policies = {r.address.lower(): r for r in self.arm.resources(FIREWALL_POLICY)}
        chain: list[ArmResource] = []
        current = address
        while current is not None and current.lower() in policies and len(chain) < 8:
            found = policies[current.lower()]
            if found in chain:
                break
            chain.append(found)
            current = self.arm.ref(
                found, at(self.arm.properties(found), "basePolicy"), "basePolicy"
            )
        if not chain or current is not None:
            missing = current or address or "its firewall policy"
            self.arm.note(
                resource, f"firewall policy {missing} is not in the input; its rules are unknown"
            )
            return azure_firewall.unknown_policy(
                missing,
                FIREWALL_POLICY,
                self.arm.origin(resource),
                f"policy {missing} not in the input",
            )
        top = chain[0]
        rules = azure_firewall.RuleSet(
            FirewallPolicy(address=top.address, type=top.type, origin=self.arm.origin(top))
        )
        groups = self.arm.resources(RULE_GROUP)
        for old in self.arm.resources(OLD_RULE_GROUP):
            if any(old.address.lower().startswith(f"{p.address.lower()}/") for p in chain):
                # Their rule conditions are not read: what the group allows is an unknown.
                rules.add(
                    (-1,),
                    FirewallRule(
                        address=old.address,
                        type=old.type,
                        origin=self.arm.origin(old),
                        name="(its rules)",
                        kind="rule group",
                        action="allow",
                        undecidable="rule groups of the preview API are not read",
                    ),
                )
        # The base policy's rules come first: the chain is read from the root.
        for depth, policy in enumerate(reversed(chain)):
            for group in groups:
                if self.arm.canonical(parent_of(group.address, "ruleCollectionGroups")).lower() != (
                    policy.address.lower()
                ):
                    continue
                properties = self.arm.properties(group)
                group_priority = self.arm.integer(group, at(properties, "priority"), "priority")
                for collection in items(at(properties, "ruleCollections")):
                    name = (
                        self.arm.text(group, at(collection, "name"), "rule collection name") or "?"
                    )
                    priority = self.arm.integer(
                        group, at(collection, "priority"), f"{name} priority"
                    )
                    action = self.written(group, at(collection, "action", "type"), what="action")
                    kind_text = str(at(collection, "ruleCollectionType") or "")
                    kind = "dnat" if "nat" in kind_text.lower() else "filter"
                    self.fw_collection(
                        rules, group, group.address, kind, name, priority, action, collection,
                        (depth, group_priority if group_priority is not None else 65000), public,
                    )  # fmt: skip
        return rules.done()

    def fw_collection(
        self,
        rules: azure_firewall.RuleSet,
        resource: ArmResource,
        address: str,
        kind: str,
        name: str,
        priority: int | None,
        action: azure_firewall.Written,
        collection: Any,
        key: tuple[int, ...],
        public: bool,
    ) -> None:
        order = (*key, priority if priority is not None else 65000)
        label = f"rule collection {name} (priority {priority})"
        # A DNAT collection's: SNAT rules are not DNAT.
        verdict = action.values[0].lower() if action.values else ""
        for data in items(at(collection, "rules")):
            rule_name = self.arm.text(resource, at(data, "name"), "rule name") or "?"
            origin = self.arm.origin(resource, data)
            rule_type = str(at(data, "ruleType") or "").lower()
            if kind == "dnat" or rule_type == "natrule":
                if verdict == "snat":
                    continue
                self.dnat_rule(rules, resource, address, label, rule_name, data, order, public)
                continue
            app = kind == "application" or rule_type == "applicationrule"
            rule = azure_firewall.filter_rule(
                address, resource.type, origin, rule_name, "application" if app else "network",
                label, action,
                self.fw_addresses(resource, data, "sourceAddresses", "sourceIpGroups"),
                self.arm.settings.unknown_rule_action_undecidable,
            )  # fmt: skip
            if app:
                self.application_rule(resource, rule, data)
                rules.add(order, rule)
                continue
            for made in azure_firewall.network_rule(
                rule,
                self.written(
                    resource, at(data, "ipProtocols"), at(data, "protocols"), what="protocols"
                ),
                self.fw_addresses(resource, data, "destinationAddresses", "destinationIpGroups"),
                self.arm.texts(resource, at(data, "destinationFqdns"), what="destinationFqdns"),
                self.written(resource, at(data, "destinationPorts"), what="destinationPorts"),
                self.invalid_ports(resource, data, "destinationPorts"),
            ):
                rules.add(order, made)

    def application_rule(self, resource: ArmResource, rule: FirewallRule, data: Any) -> None:
        entries: list[tuple[str, int | None]] = []
        # The ports: a protocol not known may be any, with its own port or its default one.
        listed = at(data, "protocols")
        ports_unknown = (
            [f"protocols not known: {listed.reason}"] if isinstance(listed, Unknown) else []
        )
        for protocol in items(at(data, "protocols")):
            kind = self.written(resource, at(protocol, "protocolType"), what="protocolType")
            port = self.written(resource, at(protocol, "port"), what="port")
            ports_unknown += [w.unknown for w in (kind, port) if w.unknown]
            number = self.arm.integer(resource, port.values[0], "port") if port.values else None
            entries.append((kind.values[0] if kind.values else "", number))
        targets = [
            target
            for key, words in (
                ("targetFqdns", "FQDN targets"),
                ("fqdnTags", "FQDN tags"),
                ("targetUrls", "URL targets"),
                ("webCategories", "web categories"),
            )
            for target in azure_firewall.listed(
                words, self.arm.texts(resource, at(data, key), what=key)
            )
        ]
        destinations = self.arm.texts(
            resource, at(data, "destinationAddresses"), what="destinationAddresses"
        )
        inspects = at(data, "terminateTLS") is True
        azure_firewall.application_rule(
            rule, entries, targets, destinations, inspects, "; ".join(ports_unknown)
        )

    def dnat_rule(
        self,
        rules: azure_firewall.RuleSet,
        resource: ArmResource,
        address: str,
        label: str,
        name: str,
        data: Any,
        order: tuple[int, ...],
        public: bool,
    ) -> None:
        if not public:
            self.arm.note(resource, f"DNAT rule {name}: the firewall has no public address", data)
            return
        if azure_firewall.on_private_addresses_only(items(at(data, "destinationAddresses"))):
            self.arm.note(resource, azure_firewall.PRIVATE_DNAT.format(name=name), data)
            return
        rule = DnatRule(
            address=address,
            type=resource.type,
            origin=self.arm.origin(resource, data),
            name=name,
            collection=label,
            sources=self.fw_addresses(resource, data, "sourceAddresses", "sourceIpGroups"),
        )
        translated = at(data, "translatedAddress")
        rule.translated_interface = _private_address_of(translated)
        if rule.translated_interface is None:
            rule.translated_address = self.arm.text(resource, translated, "translatedAddress")
        fqdn = self.arm.text(resource, at(data, "translatedFqdn"), "translatedFqdn")
        if rule.translated_address is None and rule.translated_interface is None:
            why = f"translated FQDN {fqdn}" if fqdn else "a translated address known at deployment"
            self.arm.note(
                resource, f"DNAT rule {name} leads to {why}; where it leads is not modelled", data
            )
            return
        for made in azure_firewall.dnat_match(
            rule,
            self.written(
                resource, at(data, "ipProtocols"), at(data, "protocols"), what="protocols"
            ),
            self.written(resource, at(data, "destinationPorts"), what="destinationPorts"),
            self.written(resource, at(data, "translatedPort"), what="translatedPort"),
        ):
            rules.add_dnat(order, made)


def _private_address_of(value: Any) -> str | None:
    """The network interface whose private address `value` is, when the deployment assigns it
    (`reference(nicId).ipConfigurations[0].properties.privateIPAddress`)."""
    if not isinstance(value, StateUnknown) or value.name.lower() != "privateipaddress":
        return None
    resource = value.resource or ""
    return resource if resource.lower().startswith(NETWORK_INTERFACES) else None


def _unreadable(item: Any) -> bool:
    """Not a value Azure takes for a rule's field: blank text, a fraction, a flag, an object, a
    list (a value known at deployment is not known, not unreadable)."""
    if isinstance(item, Unknown):
        return False
    if isinstance(item, str):
        return not item.strip()
    return isinstance(item, bool) or not isinstance(item, int)
