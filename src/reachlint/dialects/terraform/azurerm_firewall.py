"""azurerm's Azure Firewalls: their rules, from classic collections or a policy.

The provider places each firewall (`providers.azure.gateways.firewall`). Its rules come from
the classic rule collection resources that name it, or from its Firewall Policy's rule
collection groups and the policy's parents; `providers.azure.firewall` holds their meaning
and order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reachlint.dialects.terraform.azurerm_links import AzurermLinks, blocks, ip_text
from reachlint.dialects.terraform.azurerm_reading import TfInput
from reachlint.dialects.terraform.azurerm_table import FIREWALL_TYPES, NIC_TYPES
from reachlint.formats.terraform.records import TfResource
from reachlint.model.network import (
    AddressSpec,
    DnatRule,
    FirewallPolicy,
    Gateway,
)
from reachlint.providers.azure import firewall as azure_firewall
from reachlint.providers.azure import gateways as azure_gateways
from reachlint.providers.azure.resources import Build
from reachlint.providers.values import dedupe, has_unknown, integer, string_value, strings

POLICY_TYPES = frozenset({"azurerm_firewall_policy"})
IP_GROUP_TYPES = frozenset({"azurerm_ip_group"})
RULE_TYPES = (
    "azurerm_firewall_policy",
    "azurerm_firewall_policy_rule_collection_group",
    "azurerm_firewall_network_rule_collection",
    "azurerm_firewall_application_rule_collection",
    "azurerm_firewall_nat_rule_collection",
)
_CLASSIC_COLLECTIONS = {
    "azurerm_firewall_nat_rule_collection": "dnat",
    "azurerm_firewall_network_rule_collection": "network",
    "azurerm_firewall_application_rule_collection": "application",
}
# Where an application rule names its targets (its undecidable reason says the attribute).
_APPLICATION_TARGETS = (
    "target_fqdns", "fqdn_tags", "destination_fqdns", "destination_fqdn_tags",
    "destination_urls", "web_categories",
)  # fmt: skip
_POLICY_COLLECTIONS = {
    "nat_rule_collection": "dnat",
    "network_rule_collection": "network",
    "application_rule_collection": "application",
}


class AzurermFirewalls:
    """Every firewall of the input, with its rules."""

    def __init__(self, tf: TfInput, build: Build) -> None:
        self.tf = tf
        self.build = build
        self.links: AzurermLinks = tf.links
        self.idx = tf.idx
        self.model = tf.model

    def firewalls(self) -> None:
        for resource in self.tf.of("firewall"):
            azure_gateways.firewall(self.build, resource)

    def firewall_rules(self) -> None:
        ip_groups = {
            r.address: strings(r.values.get("cidrs"))
            for r in self.idx.of("azurerm_ip_group")
            if not has_unknown(r.values.get("cidrs"))
        }
        for resource in self.idx.of("azurerm_firewall"):
            gateway = self.model.gateways.get(resource.address)
            if gateway is None:
                continue
            policy = self.links.resolve(resource, "firewall_policy_id", POLICY_TYPES)
            if policy.given:
                gateway.policy = self.policy_rules(resource, policy.addresses, ip_groups, gateway)
                continue
            rules = azure_firewall.RuleSet(
                FirewallPolicy(address=resource.address, type=resource.type, origin=resource.origin)
            )
            found = False
            for type_name, kind in _CLASSIC_COLLECTIONS.items():
                for collection in self.idx.of(type_name):
                    links = self.links.resolve(
                        collection, "azure_firewall_name", FIREWALL_TYPES, by_name=True
                    )
                    if resource.address not in links.addresses:
                        continue
                    found = True
                    values = collection.values
                    priority = integer(values.get("priority"))
                    key = (priority if priority is not None else 65000,)
                    label = (
                        f"rule collection {string_value(values.get('name'))} (priority {priority})"
                    )
                    self.fw_rules(
                        collection, "rule", kind, label, values, key, rules, ip_groups, gateway
                    )
            if found:
                gateway.policy = rules.done()

    def policy_rules(
        self,
        resource: TfResource,
        found: list[str],
        ip_groups: dict[str, list[str]],
        gateway: Gateway,
    ) -> FirewallPolicy:
        chain: list[TfResource] = []
        current = found[0] if len(found) == 1 else None
        while current is not None and len(chain) < 8:
            policy = self.idx.by_address.get(current)
            if policy is None or policy in chain:
                break
            chain.append(policy)
            base = self.links.resolve(policy, "base_policy_id", POLICY_TYPES)
            current = base.addresses[0] if len(base.addresses) == 1 else None
            if base.given and current is None:
                chain = []
                break
        if not chain:
            self.links.note(
                resource, "its firewall policy is not in the input; its rules are unknown"
            )
            return azure_firewall.unknown_policy(
                resource.address,
                resource.type,
                resource.origin,
                "its firewall policy is not in the input",
            )
        top = chain[0]
        rules = azure_firewall.RuleSet(
            FirewallPolicy(address=top.address, type=top.type, origin=top.origin)
        )
        groups = self.idx.of("azurerm_firewall_policy_rule_collection_group")
        for depth, policy in enumerate(reversed(chain)):
            for group in groups:
                links = self.links.resolve(group, "firewall_policy_id", POLICY_TYPES)
                if policy.address not in links.addresses:
                    continue
                group_priority = integer(group.values.get("priority"))
                for block_name, kind in _POLICY_COLLECTIONS.items():
                    for i, collection in enumerate(blocks(group.values.get(block_name))):
                        priority = integer(collection.get("priority"))
                        key = (depth, group_priority or 65000, priority or 65000)
                        name = string_value(collection.get("name"))
                        label = f"rule collection {name} (priority {priority})"
                        self.fw_rules(
                            group, f"{block_name}.{i}.rule", kind, label, collection, key, rules,
                            ip_groups, gateway,
                        )  # fmt: skip
        return rules.done()

    def fw_side(
        self, resource: TfResource, path: str, block: dict[str, Any], names: tuple[str, str],
        ip_groups: dict[str, list[str]],
    ) -> AddressSpec:  # fmt: skip
        plain, grouped = names
        value = block.get(plain)
        links = self.links.resolve(resource, f"{path}.{grouped}", IP_GROUP_TYPES)
        known = {a: ip_groups[a] for a in links.addresses if a in ip_groups}
        refs = [*links.addresses, *links.literals]
        spec = azure_firewall.addresses(strings(value), known, refs)
        if has_unknown(value):
            spec.service_tags.append("a value known after apply")
        return azure_firewall.written(spec)

    def _private_address_of(
        self, resource: TfResource, path: str, block: dict[str, Any]
    ) -> str | None:
        """The network interface whose private address a translated address known only after
        apply is: the value is that attribute and nothing else
        (`azurerm_network_interface.vm.private_ip_address`, not a `coalesce` that may pick
        another)."""
        field = f"{path}.translated_address"
        if not has_unknown(block.get("translated_address")):
            return None
        rests_on = resource.unknown_values.get(field, [])
        names = [v.exactly or (v.sources[0] if len(v.sources) == 1 else "") for v in rests_on]
        links = self.links.resolve(resource, field, NIC_TYPES)
        if len(names) != 1 or len(links.addresses) != 1:
            return None
        nic = links.addresses[0]
        return nic if names[0] == f"{nic}.private_ip_address" else None

    def fw_rules(
        self,
        resource: TfResource,
        path: str,
        kind: str,
        label: str,
        collection: dict[str, Any],
        key: tuple[int, ...],
        rules: azure_firewall.RuleSet,
        ip_groups: dict[str, list[str]],
        gateway: Gateway,
    ) -> None:
        where = path.rsplit(".", 1)[0] if "." in path else ""
        action = self.written(resource, where, collection, "action")
        verdict = action.values[0].lower() if action.values else ""
        for i, block in enumerate(blocks(collection.get(path.rsplit(".", 1)[-1]))):
            at = f"{path}.{i}"
            name = string_value(block.get("name")) or "?"
            origin = self.links.block_origin(resource, at)
            sources = self.fw_side(
                resource, at, block, ("source_addresses", "source_ip_groups"), ip_groups
            )
            if kind == "dnat":
                if verdict == "snat":
                    continue
                translated = ip_text(block.get("translated_address"))
                interface = None if translated else self._private_address_of(resource, at, block)
                if (translated is None and interface is None) or not gateway.public:
                    self.links.note(
                        resource, f"DNAT rule {name} leads nowhere reachlint can place", at
                    )
                    continue
                if azure_firewall.on_private_addresses_only(block.get("destination_addresses")):
                    self.links.note(resource, azure_firewall.PRIVATE_DNAT.format(name=name), at)
                    continue
                dnat = DnatRule(
                    address=resource.address, type=resource.type, origin=origin, name=name,
                    collection=label, sources=sources, translated_address=translated,
                    translated_interface=interface,
                )  # fmt: skip
                for each in azure_firewall.dnat_match(
                    dnat,
                    self.written(resource, at, block, "protocols"),
                    self.written(resource, at, block, "destination_ports"),
                    self.written(resource, at, block, "translated_port"),
                ):
                    rules.add_dnat(key, each)
                continue
            rule = azure_firewall.filter_rule(
                resource.address, resource.type, origin, name, kind, label, action, sources,
                self.tf.settings.unknown_rule_action_undecidable,
            )  # fmt: skip
            if kind == "application":
                written = [
                    (
                        self.written(resource, f"{at}.{key}.{j}", p, "type"),
                        self.written(resource, f"{at}.{key}.{j}", p, "port"),
                    )
                    for key in ("protocol", "protocols")
                    for j, p in enumerate(blocks(block.get(key)))
                ]
                entries = [
                    (
                        kind.values[0] if kind.values else "",
                        integer(port.values[0]) if port.values else None,
                    )
                    for kind, port in written
                ]
                # A protocol or port not known: any port.
                ports_unknown = "; ".join(w.unknown for pair in written for w in pair if w.unknown)
                destinations = strings(block.get("destination_addresses"))
                targets = [
                    target
                    for attribute in _APPLICATION_TARGETS
                    for target in azure_firewall.listed(
                        attribute.replace("_", " "), strings(block.get(attribute))
                    )
                ]
                inspects = block.get("terminate_tls") is True
                azure_firewall.application_rule(
                    rule, entries, targets, destinations, inspects, ports_unknown
                )
                rules.add(key, rule)
                continue
            for made in azure_firewall.network_rule(
                rule,
                self.written(resource, at, block, "protocols"),
                self.fw_side(
                    resource, at, block, ("destination_addresses", "destination_ip_groups"),
                    ip_groups,
                ),
                strings(block.get("destination_fqdns")),
                self.written(resource, at, block, "destination_ports"),
                self.invalid_ports(resource, at),
            ):  # fmt: skip
                rules.add(key, made)

    def written(
        self, resource: TfResource, path: str, block: dict[str, Any], key: str
    ) -> azure_firewall.Written:
        """A rule's field: the values known, and what the rest rests on (a variable without a
        value, an attribute known only after apply)."""
        value = block.get(key)
        known = strings(value) or ([str(value)] if integer(value) is not None else [])
        if not has_unknown(value):
            return azure_firewall.Written(known)
        field = f"{path}.{key}" if path else key
        names = dedupe(
            name for each in resource.unknown_values.get(field, ()) for name in each.sources
        )
        return azure_firewall.Written(
            known, f"{key} not known: {', '.join(names) or 'known only after apply'}"
        )

    def invalid_ports(self, resource: TfResource, path: str) -> Callable[[list[str]], str]:
        def noted(values: list[str]) -> str:
            listed = azure_firewall.shown(", ".join(values))
            self.links.note(resource, f"destination_ports {listed} is not a port range", path)
            return f"destination_ports {listed}"

        return noted
