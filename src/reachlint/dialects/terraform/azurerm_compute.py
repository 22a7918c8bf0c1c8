"""azurerm's network interfaces, virtual machines, scale sets and Bastion hosts, with public IPs.

They share what each learns: which endpoint holds a network interface (a VM claims the NICs it
names; an interface no one claims is an endpoint of its own), the public IPs on each, and the
load balancer pools, NAT rules and application gateway pools the interfaces join, by their own
ip configurations or by association resources (read by `azurerm_balancers`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from msgspec import Struct, field

from reachlint.dialects.terraform.azurerm_links import (
    AzurermLinks,
    ip_text,
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
    NAT_RULE_TYPES,
    NIC_TYPES,
    NSG_TYPES,
    PIP_PREFIX_TYPES,
    PIP_TYPES,
    POOL_TYPES,
    SCALE_SET_TYPES,
    VM_TYPES,
)
from reachlint.dialects.terraform.links import value_at
from reachlint.formats.terraform.records import UNKNOWN, TfResource
from reachlint.model.network import (
    ElasticIp,
    Endpoint,
    EndpointKind,
    Interface,
    LoadBalancer,
    Target,
)
from reachlint.providers.azure import compute as azure_compute
from reachlint.providers.azure import public_ips as azure_public_ips
from reachlint.providers.azure.resources import Resource
from reachlint.providers.values import dedupe, string_value, strings
from reachlint.sources import Origin

_GATEWAY_POOL_KIND = "microsoft.network/applicationgateways/backendaddresspools"


def interface_unknowns(paths: Iterable[str]) -> list[str]:
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


def add_target(targets: list[Target], target: Target) -> None:
    if target not in targets:
        targets.append(target)


class IpConfiguration(Struct):
    """What one ip configuration of a NIC or scale set says, links resolved."""

    origin: Origin
    pools: list[str] = field(default_factory=list)  # load balancer backend pools
    nat_rules: list[str] = field(default_factory=list)
    gateway_pools: list[tuple[str, str | None]] = field(default_factory=list)  # (gateway, pool)


class AzurermCompute:
    """Interfaces and what holds them, read in the order `azurerm.build_azurerm_model` calls."""

    def __init__(self, tf: TfInput) -> None:
        self.tf = tf
        self.links: AzurermLinks = tf.links
        self.idx = tf.idx
        self.model = tf.model
        self.interfaces: dict[str, Interface] = {}  # NIC address -> its interface
        self.nic_configs: dict[str, list[IpConfiguration]] = {}
        self.nic_public_ips: dict[str, list[str]] = {}
        self.owner: dict[str, str] = {}  # NIC -> the endpoint that owns it
        self.pools: dict[str, list[Target]] = defaultdict(list)  # LB backend pool -> targets
        self.nat_targets: dict[str, list[Target]] = defaultdict(list)
        # Application gateway -> backend pool name -> the targets it gathers.
        self.gateway_pools: dict[str, dict[str, list[Target]]] = {}
        self._ip_index: dict[str, str] | None = None

    def network_interfaces(self) -> None:
        for resource in self.idx.of("azurerm_network_interface"):
            self.network_interface(resource)
        for resource in self.idx.of("azurerm_network_interface_security_group_association"):
            unknown: list[str] = []
            nic = self.links.one(resource, "network_interface_id", NIC_TYPES, unknown, "interface")
            group = self.links.one(
                resource, "network_security_group_id", NSG_TYPES, unknown, "network security group"
            )
            interface = self.interfaces.get(nic or "")
            if interface is None:
                continue
            if group is None:
                interface.unknown = dedupe([*interface.unknown, "network_security_group"])
                interface.network_security_group_unknown = True
            else:
                interface.network_security_group = group
        for resource in self.idx.of(
            "azurerm_network_interface_application_security_group_association"
        ):
            unknown = []
            nic = self.links.one(resource, "network_interface_id", NIC_TYPES, unknown, "interface")
            group = self.links.one(
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
            self.links.note(resource, "ip_configuration is not known; its subnet is unknown")
        order = sorted(range(len(blocks)), key=lambda p: blocks[p].get("primary") is not True)
        subnet: str | None = None
        private_ips: list[str] = []
        public_ips: list[str] = []
        groups: list[str] = []
        configs: list[IpConfiguration] = []
        for position in order:
            block = blocks[position]
            prefix = f"ip_configuration.{position}"
            found = self.links.subnet_of(resource, f"{prefix}.subnet_id", unknown)
            if found is not None and subnet is None:
                subnet = found
            ip = ip_text(block.get("private_ip_address"))
            if ip is not None:
                private_ips.append(ip)
            public_ips.extend(
                self.public_sources(resource, f"{prefix}.public_ip_address_id", unknown)
            )
            config, config_groups = self.ip_configuration(resource, prefix, unknown)
            configs.append(config)
            groups.extend(config_groups)
        nsg = self.links.one(resource, "network_security_group_id", NSG_TYPES, unknown, "NSG")
        self.interfaces[resource.address] = Interface(
            address=resource.address,
            subnet=subnet,
            network=self.links.subnet_network(subnet) or self.only_network(),
            private_ips=dedupe(private_ips),
            public=bool(public_ips),
            public_source=public_ips[0] if public_ips else None,
            closed_without_nsg=self.closed_without_nsg(public_ips[0]) if public_ips else False,
            network_security_group=nsg,
            application_security_groups=dedupe(groups),
            unknown=interface_unknowns(unknown),
        )
        self.nic_configs[resource.address] = configs
        self.nic_public_ips[resource.address] = dedupe(public_ips)

    def closed_without_nsg(self, public_ip: str) -> bool | None:
        """Whether a public IP is closed until an NSG allows traffic; one outside the input has
        a SKU that is not known."""
        resource = self.idx.by_address.get(public_ip)
        sku = resource.values.get("sku") if resource is not None else None
        written = isinstance(sku, str)
        if resource is not None and sku is None:
            # The provider's default SKU changed (Basic in 3.x, Standard in 4.x), but "Public
            # IP Standard SKUs require allocation_method to be set to Static" (azurerm 1.x
            # named it public_ip_address_allocation).
            values = resource.values
            allocation = values.get("allocation_method", values.get("public_ip_address_allocation"))
            if isinstance(allocation, str) and allocation.lower() == "dynamic":
                sku, written = "Basic", True
        return azure_public_ips.closed_without_nsg(
            self.tf.settings, sku if written else None, written
        )

    def carries_ipv6(self, sources: list[str]) -> bool | None:
        """Whether public IPs of the input hold an IPv6 address (`ip_version`); None: one of
        them is not in the input, or its version is not known before apply."""
        found: list[bool | None] = []
        for source in sources:
            resource = self.idx.by_address.get(source)
            version = resource.values.get("ip_version") if resource is not None else UNKNOWN
            found.append(azure_public_ips.carries_ipv6(version))
        return True if True in found else None if None in found else False

    def public_sources(
        self, resource: TfResource, path: str, unknown: list[str], *, computed: bool = False
    ) -> list[str]:
        """The public IPs an attribute names: in the input, or known ids of ones outside it."""
        links = self.links.resolve(resource, path, PIP_TYPES | PIP_PREFIX_TYPES, computed=computed)
        sources = links.addresses + links.literals
        if links.unresolved and not sources:
            unknown.append(path)
            rests_on = ", ".join(links.rests_on)
            why = f"is not known (it rests on {rests_on})" if rests_on else "cannot be resolved"
            self.links.note(resource, f"{path} {why}; whether it is public is unknown", path)
        return sources

    def ip_configuration(
        self, resource: TfResource, prefix: str, unknown: list[str]
    ) -> tuple[IpConfiguration, list[str]]:
        """Backend pools, NAT rules and ASGs written on an ip configuration itself."""
        config = IpConfiguration(origin=self.links.block_origin(resource, prefix))
        config.pools = self.links.resolve(
            resource,
            f"{prefix}.load_balancer_backend_address_pool_ids",
            POOL_TYPES,
            unknown,
            "backend pool",
        ).addresses
        for name in ("load_balancer_inbound_nat_rules_ids", "load_balancer_inbound_nat_pool_ids"):
            config.nat_rules += self.links.resolve(
                resource, f"{prefix}.{name}", NAT_RULE_TYPES, unknown, "NAT rule"
            ).addresses
        for gateway, pool in self.gateway_pool_links(
            resource, f"{prefix}.application_gateway_backend_address_pool_ids"
        ):
            config.gateway_pools.append((gateway, pool))
        groups = self.links.resolve(
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
            gateway = self.links.lookup(literal.rsplit("/", 2)[0], APP_GATEWAY_TYPES)
            if gateway is not None:
                found.append((gateway, parsed.names[-1]))
        named = {gateway for gateway, _ in found}
        links = self.links.resolve(resource, path, APP_GATEWAY_TYPES)
        found.extend((gateway, None) for gateway in links.addresses if gateway not in named)
        if links.given and not found:
            self.links.note(
                resource, f"{path} names no application gateway pool in the input", path
            )
        return found

    def stand_in(self, address: str) -> Interface:
        """An interface for those not known: in the input's only network, if it has one."""
        return Interface(address=address, network=self.only_network(), unknown=["subnet"])

    def only_network(self) -> str | None:
        return self.links.declared_networks[0] if len(self.links.declared_networks) == 1 else None

    def virtual_machines(self) -> None:
        for resource in self.idx.of(*sorted(VM_TYPES)):
            unknown: list[str] = []
            nics = self.links.resolve(
                resource, "primary_network_interface_id", NIC_TYPES, None, single=True
            ).addresses
            nics += self.links.resolve(
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
                    self.links.note(
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
                    self.links.note(resource, "none of its network interfaces is in the input")
                interfaces = [self.stand_in(f"{resource.address}/network_interface")]
            self.add_endpoint(resource, "virtual-machine", interfaces, unknown)

    def add_endpoint(
        self,
        resource: TfResource,
        kind: EndpointKind,
        interfaces: list[Interface],
        unknown: list[str] | None = None,
        load_balancer: LoadBalancer | None = None,
    ) -> Endpoint:
        endpoint = azure_compute.endpoint(self.tf.entry(resource), kind)
        endpoint.interfaces = interfaces
        endpoint.load_balancer = load_balancer
        endpoint.unknown = unknown or []
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

    def join_backends(self, endpoint: str, configs: list[IpConfiguration]) -> None:
        """Pools, NAT rules and gateway pools that ip configurations name themselves."""
        for config in configs:
            target = Target(endpoint=endpoint, origin=config.origin)
            for pool_address in config.pools:
                add_target(self.pools[pool_address], target)
            for rule in config.nat_rules:
                add_target(self.nat_targets[rule], target)
            for gateway, pool in config.gateway_pools:
                self.join_gateway_pool(gateway, pool, target)

    def join_gateway_pool(self, gateway: str, pool: str | None, target: Target) -> None:
        pools = self.gateway_pools.get(gateway)
        if pools is None:
            return
        names = [pool] if pool is not None else list(pools)
        if pool is None and len(names) > 1:
            resource = self.idx.by_address[gateway]
            self.links.note(
                resource,
                f"{target.via or target.endpoint} joins one of its backend pools, which cannot "
                f"be told apart; assumed all of {', '.join(names)}",
            )
        for name in names:
            for known, targets in pools.items():
                if same_name(known, name):
                    add_target(targets, target)

    def nic_backend_associations(self) -> None:
        joins = (
            ("azurerm_network_interface_backend_address_pool_association",
             "backend_address_pool_id", POOL_TYPES, "pool", self.pools),
            ("azurerm_network_interface_nat_rule_association",
             "nat_rule_id", NAT_RULE_TYPES, "NAT rule", self.nat_targets),
        )  # fmt: skip
        for type_name, attribute, types, what, targets in joins:
            for resource in self.idx.of(type_name):
                unknown: list[str] = []
                endpoint = self.nic_owner(resource, unknown)
                joined = self.links.one(resource, attribute, types, unknown, what)
                if endpoint is not None and joined is not None:
                    target = Target(endpoint=endpoint, origin=resource.origin, via=resource.address)
                    add_target(targets[joined], target)
        for resource in self.idx.of("azurerm_lb_backend_address_pool_address"):
            unknown = []
            pool = self.links.one(resource, "backend_address_pool_id", POOL_TYPES, unknown, "pool")
            ip = ip_text(resource.values.get("ip_address"))
            endpoint = self.endpoint_with_ip(ip) if ip is not None else None
            if pool is not None and endpoint is not None:
                target = Target(endpoint=endpoint, origin=resource.origin, via=resource.address)
                add_target(self.pools[pool], target)
            elif pool is not None:
                self.links.note(
                    resource, f"ip_address {ip or 'unknown'} is not an interface in the input"
                )

    def nic_owner(self, resource: TfResource, unknown: list[str]) -> str | None:
        nic = self.links.one(
            resource, "network_interface_id", NIC_TYPES, unknown, "network interface"
        )
        return self.owner.get(nic or "")

    def endpoint_with_ip(self, ip: str) -> str | None:
        if self._ip_index is None:
            self._ip_index = {}
            for endpoint in self.model.endpoints.values():
                for interface in endpoint.interfaces:
                    for known in interface.private_ips:
                        self._ip_index.setdefault(known, endpoint.address)
        return self._ip_index.get(ip)

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
        configs: list[IpConfiguration] = []
        for position, block in enumerate(_blocks(resource.values.get(block_name))):
            prefix = f"{block_name}.{position}"
            own_unknown: list[str] = []
            subnet: str | None = None
            groups: list[str] = []
            public: str | None = None
            public_origin = resource.origin
            for number, ip_block in enumerate(_blocks(block.get("ip_configuration"))):
                ip_prefix = f"{prefix}.ip_configuration.{number}"
                found = self.links.subnet_of(resource, f"{ip_prefix}.subnet_id", own_unknown)
                subnet = subnet or found
                config, config_groups = self.ip_configuration(resource, ip_prefix, own_unknown)
                configs.append(config)
                groups.extend(config_groups)
                public_blocks = _blocks(ip_block.get(public_name))
                if public_blocks and public is None:
                    # Each instance gets its own address: the block asking for them stands in.
                    label = string_value(public_blocks[0].get("name")) or public_name
                    public = f"{resource.address}/{public_name}/{label}"
                    public_origin = self.links.block_origin(resource, f"{ip_prefix}.{public_name}")
            nsg = self.links.one(
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
                    network=self.links.subnet_network(subnet) or self.only_network(),
                    public=public is not None,
                    public_source=public,
                    network_security_group=nsg,
                    application_security_groups=dedupe(groups),
                    unknown=interface_unknowns(own_unknown),
                )
            )
        if not interfaces:
            unknown.append(block_name)
            self.links.note(resource, f"{block_name} is not known; its placement is unknown")
            interfaces = [self.stand_in(f"{resource.address}/{block_name}")]
        self.add_endpoint(resource, "scale-set", interfaces, unknown)
        self.join_backends(resource.address, configs)

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

    def bastion_public_ip(self, bastion: Resource, interface: Interface) -> None:
        """A Bastion host's public IPs: its first ip configuration's."""
        resource = self.idx.by_address[bastion.address]
        public = self.links.resolve(
            resource, "ip_configuration.0.public_ip_address_id", PIP_TYPES, None
        ).addresses
        if public:
            interface.public_source = public[0]
        self._ip_index = None  # a new endpoint may hold an address asked for later
        for source in public:
            self.record_public_ip(source, resource.address, resource.address)
