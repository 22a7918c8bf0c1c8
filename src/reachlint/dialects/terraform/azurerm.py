"""Azure semantics for Terraform resources: azurerm `TfResource` records in, the network model out.

The Azure provider (`providers/azure`) builds networks, subnets, NSGs, peerings, routes,
gateways, on-premises ends and private endpoints from `azurerm_table` through
`azurerm_reading`; what is still read here (network interfaces, machines and scale sets, public
IPs, load balancers, application gateways, Bastion, firewalls) moves there next. Links follow
`azurerm_links`; what cannot be resolved is recorded on the element and in a note.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from reachlint.dialects.terraform.azurerm_links import (
    NOTE_SAMPLE,
    AzurermLinks,
    parse_azure_id,
    same_name,
)
from reachlint.dialects.terraform.azurerm_links import (
    blocks as _blocks,
)
from reachlint.dialects.terraform.azurerm_reading import TfInput
from reachlint.dialects.terraform.azurerm_table import (
    APP_GATEWAY_TYPES,
    ASG_TYPES,
    FIREWALL_TYPES,
    LB_TYPES,
    NAT_RULE_TYPES,
    NIC_TYPES,
    NSG_TYPES,
    PIP_PREFIX_TYPES,
    PIP_TYPES,
    POOL_TYPES,
    SCALE_SET_TYPES,
    VM_TYPES,
)
from reachlint.dialects.terraform.values import (
    dedupe,
    has_unknown,
    integer,
    string_value,
    strings,
    value_at,
)
from reachlint.formats.terraform.records import TfResource
from reachlint.model import exposure
from reachlint.model.network import (
    AddressSpec,
    DnatRule,
    ElasticIp,
    Endpoint,
    EndpointKind,
    FirewallPolicy,
    FirewallRule,
    Gateway,
    Interface,
    Listener,
    LoadBalancer,
    NetworkModel,
    PortRange,
    Target,
    TargetGroup,
)
from reachlint.providers.azure import compute as azure_compute
from reachlint.providers.azure import connections as azure_connections
from reachlint.providers.azure import firewall as azure_firewall
from reachlint.providers.azure import gateways as azure_gateways
from reachlint.providers.azure import networks as azure_networks
from reachlint.providers.azure import nsgs as azure_nsgs
from reachlint.providers.azure import peerings as azure_peerings
from reachlint.providers.azure import routes as azure_routes
from reachlint.providers.azure.resources import Build
from reachlint.sources import Origin

_POLICY_TYPES = frozenset({"azurerm_firewall_policy"})
_IP_GROUP_TYPES = frozenset({"azurerm_ip_group"})
_FIREWALL_RULE_TYPES_LIST = (
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
_POLICY_COLLECTIONS = {
    "nat_rule_collection": "dnat",
    "network_rule_collection": "network",
    "application_rule_collection": "application",
}

# Types read here, as elements or as helpers of other elements; the rest get a note.
HANDLED_TYPES = frozenset(
    {
        "azurerm_resource_group",  # read for resource_group_name matching
        "azurerm_virtual_network",
        "azurerm_subnet",
        "azurerm_network_security_group",
        "azurerm_network_security_rule",
        "azurerm_application_security_group",
        "azurerm_subnet_network_security_group_association",
        "azurerm_network_interface",
        "azurerm_network_interface_security_group_association",
        "azurerm_network_interface_application_security_group_association",
        "azurerm_public_ip",
        "azurerm_public_ip_prefix",
        "azurerm_lb",
        "azurerm_lb_backend_address_pool",
        "azurerm_lb_backend_address_pool_address",
        "azurerm_network_interface_backend_address_pool_association",
        "azurerm_lb_rule",
        "azurerm_lb_probe",
        "azurerm_lb_nat_rule",
        "azurerm_lb_nat_pool",
        "azurerm_network_interface_nat_rule_association",
        "azurerm_application_gateway",
        "azurerm_network_interface_application_gateway_backend_address_pool_association",
        "azurerm_firewall",
        *_FIREWALL_RULE_TYPES_LIST,
        "azurerm_ip_group",
        "azurerm_route_table",
        "azurerm_route",
        "azurerm_subnet_route_table_association",
        "azurerm_virtual_network_peering",
        "azurerm_virtual_network_gateway",
        "azurerm_local_network_gateway",
        "azurerm_virtual_network_gateway_connection",
        "azurerm_express_route_circuit",
        "azurerm_nat_gateway",
        "azurerm_subnet_nat_gateway_association",
        "azurerm_nat_gateway_public_ip_association",
        "azurerm_nat_gateway_public_ip_prefix_association",
        "azurerm_bastion_host",
        "azurerm_private_endpoint",
        *VM_TYPES,
        *SCALE_SET_TYPES,
    }
)
# Unmodelled types whose note should say that they may change what is reachable.
_NETWORK_ADJACENT_PREFIXES = (
    "azurerm_virtual_network_",
    "azurerm_subnet_",
    "azurerm_network_",
    "azurerm_lb_",
    "azurerm_application_gateway",
    "azurerm_web_application_firewall",
    "azurerm_virtual_hub",
    "azurerm_virtual_wan",
    "azurerm_vpn_",
    "azurerm_point_to_site_vpn",
    "azurerm_express_route_",
    "azurerm_private_link",
    "azurerm_private_dns_resolver",
    "azurerm_ip_group",
    "azurerm_route_",
    "azurerm_frontdoor",
    "azurerm_cdn_frontdoor",
    "azurerm_nat_gateway_",
)
# Listeners written out for one port-range NAT rule; a wider range gets a note instead.
_MAX_RANGE_LISTENERS = 256
_FIREWALL_SUBNET = "azurefirewallsubnet"
_GATEWAY_POOL_KIND = "microsoft.network/applicationgateways/backendaddresspools"

# One index in an address: [0] or ["key"] (keys may hold escaped quotes).


def build_azurerm_model(
    resources: list[TfResource], ids: dict[str, str] | None = None, source: str = ""
) -> NetworkModel:
    """The network model of these azurerm resources, with Azure's implicit behaviour explicit.

    `ids` maps known Azure resource ids of resources in the input to their addresses.
    """
    mapper = _Mapper(resources, ids or {})
    if source:
        mapper.model.inputs.append(source)
    mapper.run()
    return mapper.model


# ----- small value helpers --------------------------------------------------------------------


def _ip(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def _tags(resource: TfResource) -> dict[str, str]:
    tags = resource.values.get("tags")
    if isinstance(tags, dict):
        return {str(k): v for k, v in tags.items() if isinstance(v, str)}
    return {}


def _interface_unknowns(paths: Iterable[str]) -> list[str]:
    """Unresolved attribute paths of an interface, as what they leave unknown about it."""
    found: list[str] = []
    for path in paths:
        last = path.rsplit(".", 1)[-1]
        if last in ("subnet_id", "ip_configuration", "network_interface", "network_profile"):
            found.append("subnet")
        elif "public_ip" in last:
            found.append("public")
        elif last.startswith("network_security_group"):
            found.append("network_security_group")
        elif last.startswith("application_security_group"):
            found.append("application_security_groups")
        else:
            found.append(last)
    return dedupe(found)


def _first(*choices: list[str]) -> str | None:
    return next((items[0] for items in choices if items), None)


def _fourth_address(cidr: str) -> str | None:
    """Azure keeps a subnet's first four addresses: the first usable one is x.x.x.4."""
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return None
    return str(network.network_address + 4) if network.num_addresses > 4 else None


@dataclass
class _IpConfiguration:
    """What one ip configuration of a NIC or scale set says, links resolved."""

    origin: Origin
    pools: list[str] = field(default_factory=list)  # load balancer backend pools
    nat_rules: list[str] = field(default_factory=list)
    gateway_pools: list[tuple[str, str | None]] = field(default_factory=list)  # (gateway, pool)


# ----- the mapper -----------------------------------------------------------------------------


class _Mapper(AzurermLinks):
    def __init__(self, resources: list[TfResource], ids: dict[str, str]) -> None:
        super().__init__(resources, ids)
        self.table_subnets: dict[str, list[str]] = defaultdict(list)
        self.nat_subnets: dict[str, list[str]] = defaultdict(list)
        self.interfaces: dict[str, Interface] = {}  # NIC address -> its interface
        self.nic_configs: dict[str, list[_IpConfiguration]] = {}
        self.nic_public_ips: dict[str, list[str]] = {}
        self.owner: dict[str, str] = {}  # NIC -> the endpoint that owns it
        self.pools: dict[str, list[Target]] = defaultdict(list)  # LB backend pool -> targets
        self.nat_targets: dict[str, list[Target]] = defaultdict(list)
        # Application gateway -> backend pool name -> the targets it gathers.
        self.gateway_pools: dict[str, dict[str, list[Target]]] = {}
        self._ip_index: dict[str, str] | None = None
        self.input = TfInput(self)
        self.build = Build(self.input)

    def run(self) -> None:
        azure_networks.virtual_networks(self.build)
        azure_networks.subnets(self.build)
        self.input.drop_listed_twins()
        azure_nsgs.application_security_groups(self.input)
        azure_nsgs.security_groups(self.input)
        azure_networks.associations(self.build)
        azure_gateways.virtual_network_gateways(self.build)
        azure_gateways.nat_gateways(self.build)
        self.firewalls()
        self.firewall_rules()
        self.network_interfaces()
        self.virtual_machines()
        self.scale_sets()
        self.unowned_interfaces()
        self.public_ips()
        self.load_balancers()
        self.application_gateways()
        self.bastions()
        azure_compute.private_endpoints(self.build)
        azure_routes.route_tables(self.build)
        azure_gateways.points_to_site(self.build)
        azure_connections.on_premises(self.build)
        azure_peerings.sides(self.build)
        azure_peerings.connect(self.build)
        self.unmodelled()

    # ----- gateways ---------------------------------------------------------------------------

    def firewalls(self) -> None:
        for resource in self.idx.of("azurerm_firewall"):
            self.firewall(resource)

    def firewall(self, resource: TfResource) -> None:
        unknown: list[str] = []
        subnet = self.gateway_subnet(resource, unknown)
        private_ips = [
            ip
            for block in _blocks(resource.values.get("ip_configuration"))
            if (ip := _ip(block.get("private_ip_address"))) is not None
        ]
        placed = self.model.subnets.get(subnet or "")
        if not private_ips and placed is not None:
            fourth = _fourth_address(placed.cidrs[0]) if placed.cidrs else None
            if fourth is not None:
                private_ips = [fourth]
                self.note(
                    resource,
                    f"its private IP is known only after apply; assumed {fourth}, the first "
                    f"address Azure hands out in {subnet}",
                )
        if placed is not None and self.subnet_name(placed.address).lower() != _FIREWALL_SUBNET:
            self.note(resource, f"{subnet} is not named AzureFirewallSubnet; Azure rejects this")
        if not private_ips:
            unknown.append("private_ip_address")
            self.note(resource, "its private IP is unknown")
        public = any(
            self.resolve(resource, f"ip_configuration.{position}.public_ip_address_id", None).given
            for position, _ in enumerate(_blocks(resource.values.get("ip_configuration")))
        )
        self.model.gateways[resource.address] = Gateway(
            address=resource.address,
            type=resource.type,
            origin=resource.origin,
            kind="firewall",
            network=self.subnet_network(subnet),
            subnet=subnet,
            public=public,
            private_ips=private_ips,
            unknown=unknown,
        )

    # ----- firewall rules (see azure_firewall for the order) ----------------------------------

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
            policy = self.resolve(resource, "firewall_policy_id", _POLICY_TYPES)
            if policy.given:
                gateway.policy = self.policy_rules(resource, policy.addresses, ip_groups, gateway)
                continue
            rules = azure_firewall.RuleSet(
                FirewallPolicy(address=resource.address, type=resource.type, origin=resource.origin)
            )
            found = False
            for type_name, kind in _CLASSIC_COLLECTIONS.items():
                for collection in self.idx.of(type_name):
                    links = self.resolve(
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
            base = self.resolve(policy, "base_policy_id", _POLICY_TYPES)
            current = base.addresses[0] if len(base.addresses) == 1 else None
            if base.given and current is None:
                chain = []
                break
        if not chain:
            self.note(resource, "its firewall policy is not in the input; its rules are unknown")
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
                links = self.resolve(group, "firewall_policy_id", _POLICY_TYPES)
                if policy.address not in links.addresses:
                    continue
                group_priority = integer(group.values.get("priority"))
                for block_name, kind in _POLICY_COLLECTIONS.items():
                    for i, collection in enumerate(_blocks(group.values.get(block_name))):
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
        links = self.resolve(resource, f"{path}.{grouped}", _IP_GROUP_TYPES)
        known = {a: ip_groups[a] for a in links.addresses if a in ip_groups}
        refs = [*links.addresses, *links.literals]
        spec = azure_firewall.addresses(strings(value), known, refs)
        if has_unknown(value):
            spec.service_tags.append("a value known after apply")
        return azure_firewall.written(spec)

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
        action = (string_value(collection.get("action")) or "").lower()
        for i, block in enumerate(_blocks(collection.get(path.rsplit(".", 1)[-1]))):
            at = f"{path}.{i}"
            name = string_value(block.get("name")) or "?"
            origin = self.block_origin(resource, at)
            sources = self.fw_side(
                resource, at, block, ("source_addresses", "source_ip_groups"), ip_groups
            )
            if kind == "dnat":
                if action == "snat":
                    continue
                translated = _ip(block.get("translated_address"))
                if translated is None or not gateway.public:
                    self.note(resource, f"DNAT rule {name} leads nowhere reachlint can place", at)
                    continue
                rules.add_dnat(
                    key,
                    DnatRule(
                        address=resource.address, type=resource.type, origin=origin, name=name,
                        collection=label,
                        protocols=azure_firewall.protocols(strings(block.get("protocols"))),
                        sources=sources, ports=self.fw_ports(resource, at, block) or [],
                        translated_address=translated,
                        translated_port=integer(block.get("translated_port")),
                    ),
                )  # fmt: skip
                continue
            rule = FirewallRule(
                address=resource.address,
                type=resource.type,
                origin=origin,
                name=name,
                kind=kind,
                collection=label,
                action="deny" if action == "deny" else "allow",
                sources=sources,
            )
            if kind == "application":
                entries = [
                    (string_value(p.get("type")) or "", integer(p.get("port")))
                    for p in (*_blocks(block.get("protocol")), *_blocks(block.get("protocols")))
                ]
                rule.protocols = ["tcp"]
                rule.destination_ports = azure_firewall.application_ports(entries)
                rule.destinations = azure_firewall.addresses(
                    strings(block.get("destination_addresses")), {}, ()
                )
                targets = []
                for attribute in (
                    "target_fqdns", "fqdn_tags", "destination_fqdns", "destination_fqdn_tags",
                    "destination_urls", "web_categories",
                ):  # fmt: skip
                    listed = strings(block.get(attribute))
                    if listed:
                        targets.append(f"{attribute.replace('_', ' ')} {', '.join(listed[:3])}")
                if block.get("terminate_tls") is True:
                    targets.append("TLS inspection")
                rule.undecidable = "; ".join(targets) or "application rule"
            else:
                rule.protocols = azure_firewall.protocols(strings(block.get("protocols")))
                rule.destinations = self.fw_side(
                    resource,
                    at,
                    block,
                    ("destination_addresses", "destination_ip_groups"),
                    ip_groups,
                )
                fqdns = strings(block.get("destination_fqdns"))
                if fqdns:
                    rule.undecidable = f"FQDN destinations {', '.join(fqdns[:3])}"
                rule.destination_ports = self.fw_ports(resource, at, block)
            rules.add(key, rule)

    def fw_ports(
        self, resource: TfResource, path: str, block: dict[str, Any]
    ) -> list[PortRange] | None:
        values = strings(block.get("destination_ports"))
        try:
            return azure_firewall.ports(values)
        except ValueError:
            self.note(resource, f"destination_ports {values!r} is not a port range", path)
            return None

    # ----- network interfaces and what owns them ----------------------------------------------

    def network_interfaces(self) -> None:
        for resource in self.idx.of("azurerm_network_interface"):
            self.network_interface(resource)
        for resource in self.idx.of("azurerm_network_interface_security_group_association"):
            unknown: list[str] = []
            nic = self.one(resource, "network_interface_id", NIC_TYPES, unknown, "interface")
            group = self.one(
                resource, "network_security_group_id", NSG_TYPES, unknown, "network security group"
            )
            interface = self.interfaces.get(nic or "")
            if interface is None:
                continue
            if group is None:
                interface.unknown = dedupe([*interface.unknown, "network_security_group"])
            else:
                interface.network_security_group = group
        for resource in self.idx.of(
            "azurerm_network_interface_application_security_group_association"
        ):
            unknown = []
            nic = self.one(resource, "network_interface_id", NIC_TYPES, unknown, "interface")
            group = self.one(
                resource,
                "application_security_group_id",
                ASG_TYPES,
                unknown,
                "application security group",
            )
            interface = self.interfaces.get(nic or "")
            if interface is None:
                continue
            if group is None:
                interface.unknown = dedupe([*interface.unknown, "application_security_groups"])
            else:
                interface.application_security_groups = dedupe(
                    [*interface.application_security_groups, group]
                )

    def network_interface(self, resource: TfResource) -> None:
        unknown: list[str] = []
        blocks = _blocks(resource.values.get("ip_configuration"))
        if not blocks:
            unknown.append("ip_configuration")
            self.note(resource, "ip_configuration is not known; its subnet is unknown")
        order = sorted(range(len(blocks)), key=lambda p: blocks[p].get("primary") is not True)
        subnet: str | None = None
        private_ips: list[str] = []
        public_ips: list[str] = []
        groups: list[str] = []
        configs: list[_IpConfiguration] = []
        for position in order:
            block = blocks[position]
            prefix = f"ip_configuration.{position}"
            found = self.subnet_of(resource, f"{prefix}.subnet_id", unknown)
            if found is not None and subnet is None:
                subnet = found
            ip = _ip(block.get("private_ip_address"))
            if ip is not None:
                private_ips.append(ip)
            public_ips.extend(
                self.public_sources(resource, f"{prefix}.public_ip_address_id", unknown)
            )
            config, config_groups = self.ip_configuration(resource, prefix, unknown)
            configs.append(config)
            groups.extend(config_groups)
        nsg = self.one(resource, "network_security_group_id", NSG_TYPES, unknown, "NSG")
        self.interfaces[resource.address] = Interface(
            address=resource.address,
            subnet=subnet,
            network=self.subnet_network(subnet) or self.only_network(),
            private_ips=dedupe(private_ips),
            public=bool(public_ips),
            public_source=public_ips[0] if public_ips else None,
            closed_without_nsg=self.closed_without_nsg(public_ips[0]) if public_ips else False,
            network_security_group=nsg,
            application_security_groups=dedupe(groups),
            unknown=_interface_unknowns(unknown),
        )
        self.nic_configs[resource.address] = configs
        self.nic_public_ips[resource.address] = dedupe(public_ips)

    def closed_without_nsg(self, public_ip: str) -> bool | None:
        """A Standard public IP is closed to inbound traffic unless an NSG allows it. None: not
        known (one outside the input, or `sku` unset in a configuration: the provider's default
        changed from Basic to Standard in azurerm 4.0)."""
        resource = self.idx.by_address.get(public_ip)
        sku = resource.values.get("sku") if resource is not None else None
        if not isinstance(sku, str):
            return None
        return sku.lower() == "standard"

    def public_sources(
        self, resource: TfResource, path: str, unknown: list[str], *, computed: bool = False
    ) -> list[str]:
        """The public IPs an attribute names: in the input, or known ids of ones outside it."""
        links = self.resolve(resource, path, PIP_TYPES | PIP_PREFIX_TYPES, computed=computed)
        sources = links.addresses + links.literals
        if links.unresolved and not sources:
            unknown.append(path)
            self.note(resource, f"{path} cannot be resolved; whether it is public is unknown", path)
        return sources

    def ip_configuration(
        self, resource: TfResource, prefix: str, unknown: list[str]
    ) -> tuple[_IpConfiguration, list[str]]:
        """Backend pools, NAT rules and ASGs written on an ip configuration itself."""
        config = _IpConfiguration(origin=self.block_origin(resource, prefix))
        config.pools = self.resolve(
            resource,
            f"{prefix}.load_balancer_backend_address_pool_ids",
            POOL_TYPES,
            unknown,
            "backend pool",
        ).addresses
        for name in ("load_balancer_inbound_nat_rules_ids", "load_balancer_inbound_nat_pool_ids"):
            config.nat_rules += self.resolve(
                resource, f"{prefix}.{name}", NAT_RULE_TYPES, unknown, "NAT rule"
            ).addresses
        for gateway, pool in self.gateway_pool_links(
            resource, f"{prefix}.application_gateway_backend_address_pool_ids"
        ):
            config.gateway_pools.append((gateway, pool))
        groups = self.resolve(
            resource,
            f"{prefix}.application_security_group_ids",
            ASG_TYPES,
            unknown,
            "application security group",
        )
        return config, groups.addresses

    def gateway_pool_links(self, resource: TfResource, path: str) -> list[tuple[str, str | None]]:
        """(application gateway, pool name; None: one of its pools) that an attribute names.

        A pool is a block of the gateway: a reference leads to the gateway, a known id also
        spells the pool's name.
        """
        found: list[tuple[str, str | None]] = []
        for literal in strings(value_at(resource.values, path)):
            parsed = parse_azure_id(literal)
            if parsed is None or parsed.kind != _GATEWAY_POOL_KIND:
                continue
            gateway = self.lookup(literal.rsplit("/", 2)[0], APP_GATEWAY_TYPES)
            if gateway is not None:
                found.append((gateway, parsed.names[-1]))
        named = {gateway for gateway, _ in found}
        links = self.resolve(resource, path, APP_GATEWAY_TYPES)
        found.extend((gateway, None) for gateway in links.addresses if gateway not in named)
        if links.given and not found:
            self.note(resource, f"{path} names no application gateway pool in the input", path)
        return found

    def only_network(self) -> str | None:
        return self.declared_networks[0] if len(self.declared_networks) == 1 else None

    def virtual_machines(self) -> None:
        for resource in self.idx.of(*sorted(VM_TYPES)):
            unknown: list[str] = []
            nics = self.resolve(
                resource, "primary_network_interface_id", NIC_TYPES, None, single=True
            ).addresses
            nics += self.resolve(
                resource,
                "network_interface_ids",
                NIC_TYPES,
                unknown,
                "network interface",
                single=True,
            ).addresses
            interfaces: list[Interface] = []
            for nic in dedupe(nics):
                if nic in self.owner:
                    self.note(
                        resource,
                        f"{nic} is also claimed by {self.owner[nic]}; kept there",
                        "network_interface_ids",
                    )
                    continue
                interface = self.interfaces.get(nic)
                if interface is not None:
                    self.owner[nic] = resource.address
                    interfaces.append(interface)
            if not interfaces:
                if "network_interface_ids" not in unknown:
                    unknown.append("network_interface_ids")
                    self.note(resource, "none of its network interfaces is in the input")
                interfaces = [
                    Interface(
                        address=f"{resource.address}/network_interface",
                        network=self.only_network(),
                        unknown=["subnet"],
                    )
                ]
            self.add_endpoint(resource, "virtual-machine", interfaces, unknown)

    def add_endpoint(
        self,
        resource: TfResource,
        kind: EndpointKind,
        interfaces: list[Interface],
        unknown: list[str] | None = None,
        load_balancer: LoadBalancer | None = None,
    ) -> Endpoint:
        endpoint = Endpoint(
            address=resource.address,
            type=resource.type,
            origin=resource.origin,
            kind=kind,
            tags=_tags(resource),
            interfaces=interfaces,
            load_balancer=load_balancer,
            unknown=unknown or [],
            exposure=exposure.pick(resource.type, sku=string_value(resource.values.get("sku"))),
        )
        self.model.endpoints[resource.address] = endpoint
        self._ip_index = None  # a new endpoint may hold an address asked for later
        return endpoint

    def unowned_interfaces(self) -> None:
        for nic, interface in self.interfaces.items():
            if nic not in self.owner:
                self.owner[nic] = nic
                self.add_endpoint(self.idx.by_address[nic], "network-interface", [interface])
        # Backend pools, NAT rules and gateway pools the NICs join themselves.
        for nic, configs in self.nic_configs.items():
            self.join_backends(self.owner[nic], configs)
        self.nic_backend_associations()

    def join_backends(self, endpoint: str, configs: list[_IpConfiguration]) -> None:
        """Pools, NAT rules and gateway pools that ip configurations name themselves."""
        for config in configs:
            target = Target(endpoint=endpoint, origin=config.origin)
            for pool_address in config.pools:
                self.add_target(self.pools[pool_address], target)
            for rule in config.nat_rules:
                self.add_target(self.nat_targets[rule], target)
            for gateway, pool in config.gateway_pools:
                self.join_gateway_pool(gateway, pool, target)

    def join_gateway_pool(self, gateway: str, pool: str | None, target: Target) -> None:
        pools = self.gateway_pools.get(gateway)
        if pools is None:
            return
        names = [pool] if pool is not None else list(pools)
        if pool is None and len(names) > 1:
            resource = self.idx.by_address[gateway]
            self.note(
                resource,
                f"{target.via or target.endpoint} joins one of its backend pools, which cannot "
                f"be told apart; assumed all of {', '.join(names)}",
            )
        for name in names:
            for known, targets in pools.items():
                if same_name(known, name):
                    self.add_target(targets, target)

    @staticmethod
    def add_target(targets: list[Target], target: Target) -> None:
        if target not in targets:
            targets.append(target)

    def nic_backend_associations(self) -> None:
        for resource in self.idx.of("azurerm_network_interface_backend_address_pool_association"):
            unknown: list[str] = []
            endpoint = self.nic_owner(resource, unknown)
            pool = self.one(resource, "backend_address_pool_id", POOL_TYPES, unknown, "pool")
            if endpoint is not None and pool is not None:
                target = Target(endpoint=endpoint, origin=resource.origin, via=resource.address)
                self.add_target(self.pools[pool], target)
        for resource in self.idx.of("azurerm_network_interface_nat_rule_association"):
            unknown = []
            endpoint = self.nic_owner(resource, unknown)
            rule = self.one(resource, "nat_rule_id", NAT_RULE_TYPES, unknown, "NAT rule")
            if endpoint is not None and rule is not None:
                target = Target(endpoint=endpoint, origin=resource.origin, via=resource.address)
                self.add_target(self.nat_targets[rule], target)
        for resource in self.idx.of("azurerm_lb_backend_address_pool_address"):
            unknown = []
            pool = self.one(resource, "backend_address_pool_id", POOL_TYPES, unknown, "pool")
            ip = _ip(resource.values.get("ip_address"))
            endpoint = self.endpoint_with_ip(ip) if ip is not None else None
            if pool is not None and endpoint is not None:
                target = Target(endpoint=endpoint, origin=resource.origin, via=resource.address)
                self.add_target(self.pools[pool], target)
            elif pool is not None:
                self.note(
                    resource, f"ip_address {ip or 'unknown'} is not an interface in the input"
                )

    def nic_owner(self, resource: TfResource, unknown: list[str]) -> str | None:
        nic = self.one(resource, "network_interface_id", NIC_TYPES, unknown, "network interface")
        return self.owner.get(nic or "")

    def endpoint_with_ip(self, ip: str) -> str | None:
        if self._ip_index is None:
            self._ip_index = {}
            for endpoint in self.model.endpoints.values():
                for interface in endpoint.interfaces:
                    for known in interface.private_ips:
                        self._ip_index.setdefault(known, endpoint.address)
        return self._ip_index.get(ip)

    # ----- scale sets -------------------------------------------------------------------------

    def scale_sets(self) -> None:
        # Application gateways first: scale sets join their pools by name.
        for resource in self.idx.of("azurerm_application_gateway"):
            self.gateway_pools[resource.address] = {
                name: []
                for block in _blocks(resource.values.get("backend_address_pool"))
                if (name := string_value(block.get("name"))) is not None
            }
        for resource in self.idx.of(*sorted(SCALE_SET_TYPES)):
            self.scale_set(resource)

    def scale_set(self, resource: TfResource) -> None:
        unknown: list[str] = []
        block_name = (
            "network_profile"
            if resource.type == "azurerm_virtual_machine_scale_set"
            else "network_interface"
        )
        public_name = (
            "public_ip_address_configuration"
            if block_name == "network_profile"
            else "public_ip_address"
        )
        interfaces: list[Interface] = []
        configs: list[_IpConfiguration] = []
        for position, block in enumerate(_blocks(resource.values.get(block_name))):
            prefix = f"{block_name}.{position}"
            own_unknown: list[str] = []
            subnet: str | None = None
            groups: list[str] = []
            public: str | None = None
            public_origin = resource.origin
            for number, ip_block in enumerate(_blocks(block.get("ip_configuration"))):
                ip_prefix = f"{prefix}.ip_configuration.{number}"
                found = self.subnet_of(resource, f"{ip_prefix}.subnet_id", own_unknown)
                subnet = subnet or found
                config, config_groups = self.ip_configuration(resource, ip_prefix, own_unknown)
                configs.append(config)
                groups.extend(config_groups)
                public_blocks = _blocks(ip_block.get(public_name))
                if public_blocks and public is None:
                    # Each instance gets its own address: the block asking for them stands in.
                    label = string_value(public_blocks[0].get("name")) or public_name
                    public = f"{resource.address}/{public_name}/{label}"
                    public_origin = self.block_origin(resource, f"{ip_prefix}.{public_name}")
            nsg = self.one(
                resource, f"{prefix}.network_security_group_id", NSG_TYPES, own_unknown, "NSG"
            )
            name = string_value(block.get("name")) or str(position)
            address = f"{resource.address}/{block_name}/{name}"
            if public is not None:
                self.record_public_ip(
                    public, resource.address, address, public_origin, resource.type
                )
            interfaces.append(
                Interface(
                    address=address,
                    subnet=subnet,
                    network=self.subnet_network(subnet) or self.only_network(),
                    public=public is not None,
                    public_source=public,
                    network_security_group=nsg,
                    application_security_groups=dedupe(groups),
                    unknown=_interface_unknowns(own_unknown),
                )
            )
        if not interfaces:
            unknown.append(block_name)
            self.note(resource, f"{block_name} is not known; its placement is unknown")
            interfaces = [
                Interface(
                    address=f"{resource.address}/{block_name}",
                    network=self.only_network(),
                    unknown=["subnet"],
                )
            ]
        self.add_endpoint(resource, "scale-set", interfaces, unknown)
        self.join_backends(resource.address, configs)

    # ----- public IPs -------------------------------------------------------------------------

    def public_ips(self) -> None:
        for nic, addresses in self.nic_public_ips.items():
            for address in addresses:
                self.record_public_ip(address, self.owner.get(nic), nic)

    def record_public_ip(
        self,
        address: str,
        endpoint: str | None,
        interface: str,
        origin: Origin | None = None,
        type_name: str = "azurerm_public_ip",
    ) -> None:
        resource = self.idx.by_address.get(address)
        self.model.elastic_ips[address] = ElasticIp(
            address=address,
            type=resource.type if resource is not None else type_name,
            origin=resource.origin if resource is not None else origin or Origin(),
            endpoint=endpoint,
            interface=interface,
        )

    # ----- load balancers ---------------------------------------------------------------------

    def load_balancers(self) -> None:
        for resource in self.idx.of("azurerm_lb"):
            self.load_balancer(resource)
        for resource in self.idx.of("azurerm_lb_rule"):
            self.balancing_rule(resource)
        for resource in self.idx.of("azurerm_lb_nat_rule", "azurerm_lb_nat_pool"):
            self.nat_rule(resource)
        for resource in self.idx.of("azurerm_lb"):
            self.place_public_frontends(resource.address)

    def load_balancer(self, resource: TfResource) -> None:
        unknown: list[str] = []
        interfaces: list[Interface] = []
        public_ips: list[tuple[str, str]] = []
        blocks = _blocks(resource.values.get("frontend_ip_configuration"))
        if not blocks:
            unknown.append("frontend_ip_configuration")
            self.note(resource, "no frontend_ip_configuration is known; it cannot be reached")
        for position, block in enumerate(blocks):
            prefix = f"frontend_ip_configuration.{position}"
            name = string_value(block.get("name")) or str(position)
            address = f"{resource.address}/frontend_ip_configuration/{name}"
            own_unknown: list[str] = []
            # Azure fills in what a frontend does not say: unknown alone means "not written".
            sources = [
                source
                for name in ("public_ip_address_id", "public_ip_prefix_id")
                for source in self.public_sources(
                    resource, f"{prefix}.{name}", own_unknown, computed=True
                )
            ]
            is_public = bool(sources)
            subnet = (
                None
                if is_public
                else self.subnet_of(resource, f"{prefix}.subnet_id", own_unknown, computed=True)
            )
            interfaces.append(
                Interface(
                    address=address,
                    subnet=subnet,
                    network=self.subnet_network(subnet),
                    private_ips=[ip] if (ip := _ip(block.get("private_ip_address"))) else [],
                    public=is_public,
                    public_source=_first(sources),
                    unknown=_interface_unknowns(own_unknown),
                )
            )
            public_ips.extend((source, address) for source in sources)
        spec = LoadBalancer(
            scheme="internet-facing" if any(i.public for i in interfaces) else "internal",
            flavor="network",
            preserves_client_address=True,
        )
        self.add_endpoint(resource, "load-balancer", interfaces, unknown, spec)
        for source, interface in public_ips:
            self.record_public_ip(source, resource.address, interface)

    def balancer_of(self, resource: TfResource) -> LoadBalancer | None:
        address = self.balancer_address(resource)
        balancer = self.model.endpoints.get(address or "")
        return balancer.load_balancer if balancer is not None else None

    def balancer_address(self, resource: TfResource) -> str | None:
        return self.one(resource, "loadbalancer_id", LB_TYPES, [], "load balancer")

    def balancing_rule(self, resource: TfResource) -> None:
        spec = self.balancer_of(resource)
        if spec is None:
            return
        values = resource.values
        unknown: list[str] = []
        pools = self.resolve(
            resource, "backend_address_pool_ids", POOL_TYPES, unknown, "backend pool"
        ).addresses
        pools += self.resolve(
            resource, "backend_address_pool_id", POOL_TYPES, unknown, "backend pool"
        ).addresses
        targets: list[Target] = []
        for pool in dedupe(pools):
            for target in self.pools.get(pool, []):
                self.add_target(targets, target)
        if not pools and not unknown:
            self.note(resource, "names no backend pool; it forwards nowhere")
        self.add_listeners(resource, spec, [integer(values.get("frontend_port"))], targets, unknown)

    def nat_rule(self, resource: TfResource) -> None:
        spec = self.balancer_of(resource)
        if spec is None:
            return
        values = resource.values
        unknown: list[str] = []
        targets = list(self.nat_targets.get(resource.address, []))
        pool = self.one(resource, "backend_address_pool_id", POOL_TYPES, None, "backend pool")
        for target in self.pools.get(pool or "", []):
            self.add_target(targets, target)
        ports: list[int | None] = [integer(values.get("frontend_port"))]
        low, high = (
            integer(values.get("frontend_port_start")),
            integer(values.get("frontend_port_end")),
        )
        if low is not None and high is not None:
            if high - low >= _MAX_RANGE_LISTENERS:
                unknown.append("frontend_port_end")
                self.note(
                    resource,
                    f"frontend ports {low}-{high}: only the first {_MAX_RANGE_LISTENERS} are "
                    "modelled",
                )
                high = low + _MAX_RANGE_LISTENERS - 1
            ports = list(range(low, high + 1))
        if not targets:
            self.note(resource, "no network interface or scale set is behind it")
        self.add_listeners(resource, spec, ports, targets, unknown)

    def add_listeners(
        self,
        resource: TfResource,
        spec: LoadBalancer,
        ports: list[int | None],
        targets: list[Target],
        unknown: list[str],
    ) -> None:
        values = resource.values
        protocol_text = str(values.get("protocol") or "").lower()
        if protocol_text not in ("tcp", "udp", "all"):
            unknown.append("protocol")
            self.note(resource, "protocol is not known; assumed Tcp", "protocol")
            protocol_text = "tcp"
        backend = integer(values.get("backend_port"))
        if protocol_text == "all" and ports == [0] and backend == 0:
            self.note(resource, "an HA-ports rule (every port) is not modelled")
            return
        if backend is None:
            unknown.append("backend_port")
            self.note(resource, "backend_port is not known; assumed the frontend port")
        known_ports = [p for p in ports if p is not None]
        if not known_ports:
            self.note(resource, "frontend_port is not known; rule not modelled", "frontend_port")
            return
        group = TargetGroup(
            address=f"{resource.address}#backend",
            type=resource.type,
            origin=resource.origin,
            protocol="udp" if protocol_text == "udp" else "tcp",
            port=backend,
            targets=targets,
            unknown=unknown,
        )
        self.model.target_groups[group.address] = group
        for port in known_ports:
            spec.listeners.append(
                Listener(
                    address=resource.address,
                    type=resource.type,
                    origin=resource.origin,
                    protocol={"all": "tcp_udp"}.get(protocol_text, protocol_text),
                    port=port,
                    target_groups=[group.address],
                    unknown=unknown,
                    frontends=self.rule_frontends(resource),
                )
            )

    def rule_frontends(self, resource: TfResource) -> list[str]:
        """The frontend a rule names (`frontend_ip_configuration_name`); unknown: every one."""
        name = string_value(resource.values.get("frontend_ip_configuration_name"))
        balancer = self.balancer_address(resource)
        if name is None or balancer is None:
            return []
        return [f"{balancer}/frontend_ip_configuration/{name}"]

    def place_public_frontends(self, balancer: str) -> None:
        """A public frontend sits in no subnet: it belongs to the network of its backends."""
        endpoint = self.model.endpoints[balancer]
        assert endpoint.load_balancer is not None
        networks: list[str] = []
        for listener in endpoint.load_balancer.listeners:
            for group in listener.target_groups:
                for target in self.model.target_groups[group].targets:
                    backend = self.model.endpoints.get(target.endpoint)
                    for interface in backend.interfaces if backend is not None else []:
                        if interface.network is not None:
                            networks.append(interface.network)
        found = dedupe(networks)
        for interface in endpoint.interfaces:
            if interface.public and interface.network is None and found:
                interface.network = found[0]

    # ----- application gateways ---------------------------------------------------------------

    def application_gateways(self) -> None:
        for resource in self.idx.of(
            "azurerm_network_interface_application_gateway_backend_address_pool_association"
        ):
            unknown: list[str] = []
            endpoint = self.nic_owner(resource, unknown)
            if endpoint is None:
                continue
            target = Target(endpoint=endpoint, origin=resource.origin, via=resource.address)
            for gateway, pool in self.gateway_pool_links(resource, "backend_address_pool_id"):
                self.join_gateway_pool(gateway, pool, target)
        for resource in self.idx.of("azurerm_application_gateway"):
            self.application_gateway(resource)

    def application_gateway(self, resource: TfResource) -> None:
        values = resource.values
        unknown: list[str] = []
        subnet: str | None = None
        for position, _ in enumerate(_blocks(values.get("gateway_ip_configuration"))):
            subnet = subnet or self.subnet_of(
                resource, f"gateway_ip_configuration.{position}.subnet_id", unknown
            )
        frontends: dict[str, tuple[str | None, str | None]] = {}  # name -> (public IP, private)
        for position, block in enumerate(_blocks(values.get("frontend_ip_configuration"))):
            path = f"frontend_ip_configuration.{position}.public_ip_address_id"
            source = _first(self.public_sources(resource, path, unknown, computed=True))
            frontends[string_value(block.get("name")) or str(position)] = (
                source,
                _ip(block.get("private_ip_address")),
            )
        ports = {
            name: port
            for block in _blocks(values.get("frontend_port"))
            if (name := string_value(block.get("name"))) is not None
            and (port := integer(block.get("port"))) is not None
        }
        settings = {
            name: integer(block.get("port"))
            for block in _blocks(values.get("backend_http_settings"))
            if (name := string_value(block.get("name"))) is not None
        }
        pools = self.gateway_pools[resource.address]
        for position, block in enumerate(_blocks(values.get("backend_address_pool"))):
            name = string_value(block.get("name"))
            if name is None:
                continue
            origin = self.block_origin(resource, f"backend_address_pool.{position}")
            for key in ("ip_addresses", "ip_address_list"):
                for text in strings(block.get(key)):
                    endpoint = self.endpoint_with_ip(text)
                    if endpoint is None:
                        self.note(
                            resource,
                            f"backend pool {name}: {text} is not an interface in the input",
                        )
                    else:
                        self.add_target(pools[name], Target(endpoint=endpoint, origin=origin))
            for key in ("fqdns", "fqdn_list"):
                if strings(block.get(key)):
                    self.note(resource, f"backend pool {name}: FQDN members are not resolved")
        routes = self.gateway_routes(resource)
        listeners: list[Listener] = []
        public_sources: list[str] = []
        for position, block in enumerate(_blocks(values.get("http_listener"))):
            name = string_value(block.get("name")) or str(position)
            origin = self.block_origin(resource, f"http_listener.{position}")
            port = ports.get(string_value(block.get("frontend_port_name")) or "")
            if port is None:
                self.note(
                    resource, f"listener {name}: its frontend port is not known; not modelled"
                )
                continue
            frontend = frontends.get(
                string_value(block.get("frontend_ip_configuration_name")) or ""
            )
            if frontend is None and len(frontends) == 1:
                frontend = next(iter(frontends.values()))
            if frontend is not None and frontend[0] is not None:
                public_sources.append(frontend[0])
            groups: list[str] = []
            for rule_name, rule_origin, pairs in routes.get(name, []):
                for pool, setting in pairs:
                    group = TargetGroup(
                        address=f"{resource.address}/request_routing_rule/{rule_name}/{pool}",
                        type=resource.type,
                        origin=rule_origin,
                        port=settings.get(setting),
                        targets=list(pools.get(pool, [])),
                    )
                    if pool not in pools:
                        group.unknown.append("backend_address_pool")
                        self.note(
                            resource,
                            f"rule {rule_name} names backend pool {pool}, which is not defined",
                        )
                    self.model.target_groups[group.address] = group
                    groups.append(group.address)
            listeners.append(
                Listener(
                    address=f"{resource.address}/http_listener/{name}",
                    type=resource.type,
                    origin=origin,
                    protocol=str(block.get("protocol") or "Http"),
                    port=port,
                    target_groups=groups,
                )
            )
        private_ips = [ip for _, ip in frontends.values() if ip is not None]
        if public_sources and len(public_sources) < len(listeners):
            self.note(
                resource,
                "some listeners use its private frontend; the model cannot tell frontends apart, "
                "so they count as public too",
            )
        interface = Interface(
            address=resource.address,
            subnet=subnet,
            network=self.subnet_network(subnet),
            private_ips=private_ips,
            public=bool(public_sources),
            public_source=public_sources[0] if public_sources else None,
            unknown=["subnet"] if subnet is None else [],
        )
        spec = LoadBalancer(
            scheme="internet-facing" if public_sources else "internal",
            flavor="application",
            listeners=listeners,
        )
        self.add_endpoint(resource, "load-balancer", [interface], unknown, spec)
        for source in dedupe(public_sources):
            self.record_public_ip(source, resource.address, resource.address)

    def gateway_routes(
        self, resource: TfResource
    ) -> dict[str, list[tuple[str, Origin, list[tuple[str, str]]]]]:
        """Listener name -> (rule name, origin, [(backend pool, backend settings)])."""
        values = resource.values
        path_maps: dict[str, list[tuple[str, str]]] = {}
        for block in _blocks(values.get("url_path_map")):
            pairs = [
                (
                    string_value(block.get("default_backend_address_pool_name")) or "",
                    string_value(block.get("default_backend_http_settings_name")) or "",
                )
            ]
            for path_rule in _blocks(block.get("path_rule")):
                pairs.append(
                    (
                        string_value(path_rule.get("backend_address_pool_name")) or "",
                        string_value(path_rule.get("backend_http_settings_name")) or "",
                    )
                )
            name = string_value(block.get("name"))
            if name is not None:
                path_maps[name] = [(pool, setting) for pool, setting in pairs if pool]
        routes: dict[str, list[tuple[str, Origin, list[tuple[str, str]]]]] = defaultdict(list)
        for position, block in enumerate(_blocks(values.get("request_routing_rule"))):
            listener = string_value(block.get("http_listener_name"))
            name = string_value(block.get("name")) or str(position)
            if listener is None:
                continue
            pool = string_value(block.get("backend_address_pool_name"))
            if pool is not None:
                pairs = [(pool, string_value(block.get("backend_http_settings_name")) or "")]
            else:
                pairs = path_maps.get(string_value(block.get("url_path_map_name")) or "", [])
            origin = self.block_origin(resource, f"request_routing_rule.{position}")
            routes[listener].append((name, origin, pairs))
        return routes

    # ----- bastion hosts and private endpoints ------------------------------------------------

    def bastions(self) -> None:
        for resource in self.idx.of("azurerm_bastion_host"):
            unknown: list[str] = []
            subnet = self.gateway_subnet(resource, unknown)
            public = self.resolve(
                resource, "ip_configuration.0.public_ip_address_id", PIP_TYPES, None
            ).addresses
            interface = Interface(
                address=resource.address,
                subnet=subnet,
                network=self.subnet_network(subnet),
                public=True,
                public_source=public[0] if public else resource.address,
                unknown=["subnet"] if subnet is None else [],
            )
            self.add_endpoint(resource, "bastion", [interface], unknown)
            for source in public:
                self.record_public_ip(source, resource.address, resource.address)

    # ----- what is left -------------------------------------------------------------------------

    def unmodelled(self) -> None:
        for type_name in sorted(self.idx.managed):
            if type_name in HANDLED_TYPES or not type_name.startswith("azurerm_"):
                continue
            resources = self.idx.managed[type_name]
            sample = ", ".join(r.address for r in resources[:NOTE_SAMPLE])
            more = (
                f" and {len(resources) - NOTE_SAMPLE} more" if len(resources) > NOTE_SAMPLE else ""
            )
            if type_name.startswith(_NETWORK_ADJACENT_PREFIXES):
                why = "may affect reachability but is not modelled"
            else:
                why = "not modelled"
            self.model.note(
                f"{len(resources)} {type_name} resource(s) {why}: {sample}{more}",
                origin=resources[0].origin,
            )
