"""ARM's load balancers and application gateways: their frontends, listeners and backends.

A backend pool gathers the IP configurations that join it (read by `arm_compute`) and the
addresses it lists itself; a listener forwards to the pools its rule names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any, Literal

from reachlint.dialects.arm_compute import ArmCompute, endpoint_of, sku_name
from reachlint.dialects.arm_reading import ArmInput, at, items, parent_of
from reachlint.formats.arm.resource_ids import child_address
from reachlint.formats.arm.resources import ArmResource
from reachlint.formats.arm.values import Unknown
from reachlint.model.network import Endpoint, Interface, Listener, LoadBalancer, Target, TargetGroup
from reachlint.providers.azure import load_balancers as azure_load_balancers
from reachlint.providers.azure import networks as azure_networks
from reachlint.providers.azure.resources import Build
from reachlint.providers.values import valid_ip
from reachlint.sources import Origin

LB = "microsoft.network/loadbalancers"
LB_POOL = "microsoft.network/loadbalancers/backendaddresspools"
LB_NAT_RULE = "microsoft.network/loadbalancers/inboundnatrules"
APP_GATEWAY = "microsoft.network/applicationgateways"


class ArmBalancers:
    """Every load balancer and application gateway, over the interfaces `compute` read."""

    def __init__(self, arm: ArmInput, build: Build, compute: ArmCompute) -> None:
        self.arm = arm
        self.build = build
        self.model = arm.model
        self.compute = compute
        # Pools (lower case) that hold other load balancers' frontends: a cross-region one's.
        self.to_balancers: set[str] = set()

    def members(
        self, pool: str, kind: Literal["pools", "gateway_pools"]
    ) -> tuple[list[Target], set[str]]:
        """The endpoints whose IP configurations join a pool, and their addresses."""
        wanted = pool.lower()
        targets: list[Target] = []
        seen: set[str] = set()
        for config in self.compute.ip_configs:
            if wanted in (p.lower() for p in getattr(config, kind)) and config.owner not in seen:
                seen.add(config.owner)
                targets.append(
                    Target(endpoint=config.owner, origin=config.origin, via=config.address)
                )
        return targets, seen

    def by_private_ip(self, ip: str) -> list[tuple[str, Interface]]:
        return [
            (endpoint.address, interface)
            for endpoint in self.model.endpoints.values()
            for interface in endpoint.interfaces
            if ip in interface.private_ips
        ]

    def load_balancers(self) -> None:
        child_pools: dict[str, list[ArmResource]] = defaultdict(list)
        for resource in self.arm.resources(LB_POOL):
            child_pools[
                self.arm.canonical(parent_of(resource.address, "backendAddressPools"))
            ].append(resource)
        child_nat_rules: dict[str, list[ArmResource]] = defaultdict(list)
        for resource in self.arm.resources(LB_NAT_RULE):
            child_nat_rules[
                self.arm.canonical(parent_of(resource.address, "inboundNatRules"))
            ].append(resource)
        for resource in self.arm.resources(LB):
            self.load_balancer(
                resource,
                child_pools.get(resource.address, []),
                child_nat_rules.get(resource.address, []),
            )
        for parent, pools in child_pools.items():
            if parent not in self.model.endpoints:
                self.arm.note(
                    pools[0], f"its load balancer {parent} is not deployed by this template"
                )

    def load_balancer(
        self,
        resource: ArmResource,
        child_pools: list[ArmResource],
        child_nat_rules: list[ArmResource],
    ) -> None:
        properties = self.arm.properties(resource)
        endpoint = endpoint_of(self.arm, resource, "load-balancer")
        tier = at(resource.get("sku"), "tier")
        gateway_tier = isinstance(tier, str) and tier.lower() == "gateway"
        balancer = azure_load_balancers.load_balancer(
            public=False, gateway_tier=gateway_tier, sku=sku_name(resource.get("sku"))[0]
        )
        endpoint.load_balancer = balancer
        # Pool members: NIC IP configurations that join, then addresses the pool lists itself.
        pools: dict[str, list[Target]] = {}
        pool_entries = [(p, p) for p in items(at(properties, "backendAddressPools"))]
        pool_entries += [(r.properties, r) for r in child_pools]
        for pool, source in pool_entries:
            if isinstance(source, ArmResource):
                address = source.address
                pool_properties = self.arm.properties(source)
            else:
                name = self.arm.text(resource, at(pool, "name"), "backend pool name") or "pool"
                address = self.arm.remember(
                    child_address(resource.address, "backendAddressPools", name)
                )
                pool_properties = at(pool, "properties")
            pools[address.lower()] = self.pool_targets(resource, address, pool_properties)
        frontends = self.frontends(
            resource, endpoint, items(at(properties, "frontendIPConfigurations"))
        )
        if any(interface.public for interface in frontends):
            balancer.scheme = "internet-facing"
        public = {interface.address for interface in frontends if interface.public}
        for rule in items(at(properties, "loadBalancingRules")):
            self.balancing_rule(resource, balancer, rule, pools, public)
        nat_rules: list[tuple[Any, ArmResource | None]] = [
            (r, None) for r in items(at(properties, "inboundNatRules"))
        ]
        nat_rules += [(None, r) for r in child_nat_rules]
        for rule, child in nat_rules:
            self.nat_rule(resource, balancer, rule, child, pools)
        for pool in items(at(properties, "inboundNatPools")):
            self.nat_pool(resource, balancer, pool)
        if items(at(properties, "outboundRules")):
            self.arm.note(resource, "its outbound rules (SNAT for the backends) are not modelled")
        self.model.endpoints[endpoint.address] = endpoint
        azure_load_balancers.place_public_frontends(self.model, endpoint.address)

    def pool_targets(self, resource: ArmResource, pool: str, properties: Any) -> list[Target]:
        targets, seen = self.members(pool, "pools")
        balancers: list[str] = []
        for entry in items(at(properties, "loadBalancerBackendAddresses")):
            frontend = self.arm.ref(
                resource,
                at(entry, "properties", "loadBalancerFrontendIPConfiguration"),
                "loadBalancerFrontendIPConfiguration",
            )
            if frontend is not None:
                balancers.append(parent_of(frontend, "frontendIPConfigurations"))
                continue
            ip = self.arm.text(resource, at(entry, "properties", "ipAddress"), "backend ipAddress")
            if ip is None:
                continue
            found = self.by_private_ip(ip)
            if not found:
                self.arm.note(
                    resource, f"backend address {ip} of {pool} matches no interface in the template"
                )
            for owner, _interface in found:
                if owner not in seen:
                    seen.add(owner)
                    targets.append(Target(endpoint=owner, origin=self.arm.origin(resource, entry)))
        if balancers:
            self.to_balancers.add(pool.lower())
            self.arm.note(
                resource,
                f"{pool} holds the frontends of {', '.join(dict.fromkeys(balancers))}, as a "
                "cross-region load balancer's pool does; reachlint does not follow traffic "
                "from one load balancer into another",
            )
        return targets

    def frontends(
        self, resource: ArmResource, endpoint: Endpoint, configs: list[Any]
    ) -> list[Interface]:
        interfaces = []
        for config in configs:
            name = self.arm.text(resource, at(config, "name"), "frontend name") or "frontend"
            address = self.arm.remember(
                child_address(resource.address, "frontendIPConfigurations", name)
            )
            properties = at(config, "properties")
            interface = Interface(address=address)
            public_ip = self.arm.ref(
                resource, at(properties, "publicIPAddress"), "publicIPAddress", interface.unknown
            )
            prefix = at(properties, "publicIPPrefix")
            if public_ip is not None:
                self.compute.attach_public_ip(public_ip, endpoint.address, interface)
            elif prefix is not None:
                interface.public = True
                interface.public_source = self.arm.ref(resource, prefix, "publicIPPrefix")
            else:
                interface.subnet = self.arm.subnet_ref(
                    resource, at(properties, "subnet"), interface.unknown
                )
                interface.network = azure_networks.network_of(self.build, interface.subnet)
                ip = self.arm.text(resource, at(properties, "privateIPAddress"), "privateIPAddress")
                if ip and valid_ip(ip):
                    interface.private_ips.append(ip)
            interfaces.append(interface)
            endpoint.interfaces.append(interface)
        return interfaces

    def balancing_rule(
        self,
        resource: ArmResource,
        balancer: LoadBalancer,
        rule: Any,
        pools: dict[str, list[Target]],
        public_frontends: set[str],
    ) -> None:
        name = self.arm.text(resource, at(rule, "name"), "load balancing rule name") or "rule"
        address = child_address(resource.address, "loadBalancingRules", name)
        properties = at(rule, "properties")
        protocol = self.listener_protocol(at(properties, "protocol"))
        written = at(properties, "frontendPort")
        frontend_port = self.arm.integer(resource, written, f"{name} frontendPort")
        backend_port = self.arm.integer(
            resource, at(properties, "backendPort"), f"{name} backendPort"
        )
        if frontend_port is None and not isinstance(written, Unknown):
            self.arm.note(
                resource, f"load balancing rule {name} has no frontend port; skipped", rule
            )
            return
        frontends = self.frontend_of(resource, properties)
        if frontend_port == 0:
            public = bool(public_frontends.intersection(frontends or public_frontends))
            problem = azure_load_balancers.any_port_problem(backend_port, public, balancer.sku)
            if problem is not None:
                self.arm.note(resource, f"load balancing rule {name} {problem}", rule)
                return
        single = self.arm.ref(resource, at(properties, "backendAddressPool"), "backendAddressPool")
        pool_refs = [single] if single else []
        pool_refs += self.arm.refs(
            resource, at(properties, "backendAddressPools"), "backendAddressPools"
        )
        targets = [t for pool in pool_refs for t in pools.get(pool.lower(), [])]
        self.add_listener(
            resource, balancer, address, "Microsoft.Network/loadBalancers/loadBalancingRules",
            self.arm.origin(resource, rule), protocol, frontend_port,
            backend_port if frontend_port == 0 else backend_port or frontend_port,
            targets, frontends,
            chained=any(pool.lower() in self.to_balancers for pool in pool_refs),
            every_port=frontend_port == 0,
        )  # fmt: skip

    def nat_rule(
        self,
        resource: ArmResource,
        balancer: LoadBalancer,
        rule: Any,
        child: ArmResource | None,
        pools: dict[str, list[Target]],
    ) -> None:
        if child is not None:
            address, properties, data = child.address, self.arm.properties(child), None
            origin = self.arm.origin(child)
        else:
            name = self.arm.text(resource, at(rule, "name"), "inbound NAT rule name") or "nat"
            address = self.arm.remember(child_address(resource.address, "inboundNatRules", name))
            properties, data, origin = at(rule, "properties"), rule, self.arm.origin(resource, rule)
        protocol = self.listener_protocol(at(properties, "protocol"))
        backend_port = self.arm.integer(resource, at(properties, "backendPort"), "NAT backendPort")
        written = at(properties, "frontendPort")
        frontend_port = self.arm.integer(resource, written, "NAT frontendPort")
        targets: list[Target] = []
        for config in self.compute.ip_configs:
            if address.lower() in (r.lower() for r in config.nat_rules):
                targets.append(
                    Target(endpoint=config.owner, origin=config.origin, via=config.address)
                )
        pool = self.arm.ref(resource, at(properties, "backendAddressPool"), "backendAddressPool")
        if pool is not None:
            # A NAT rule over a pool maps a frontend port range to each member in turn.
            frontend_port = self.arm.integer(
                resource, at(properties, "frontendPortRangeStart"), "frontendPortRangeStart"
            )
            targets = list(pools.get(pool.lower(), []))
            self.arm.note(
                resource, f"NAT rule {address} maps a port range; modelled at its first port", data
            )
        if not frontend_port and not (frontend_port is None and isinstance(written, Unknown)):
            self.arm.note(resource, f"NAT rule {address} has no known frontend port; skipped", data)
            return
        self.add_listener(
            resource, balancer, address, "Microsoft.Network/loadBalancers/inboundNatRules", origin,
            protocol, frontend_port, backend_port or frontend_port, targets,
            self.frontend_of(resource, properties),
        )  # fmt: skip

    def nat_pool(self, resource: ArmResource, balancer: LoadBalancer, pool: Any) -> None:
        name = self.arm.text(resource, at(pool, "name"), "inbound NAT pool name") or "natpool"
        address = self.arm.remember(child_address(resource.address, "inboundNatPools", name))
        properties = at(pool, "properties")
        start = self.arm.integer(
            resource, at(properties, "frontendPortRangeStart"), "frontendPortRangeStart"
        )
        backend_port = self.arm.integer(
            resource, at(properties, "backendPort"), "NAT pool backendPort"
        )
        if start is None or backend_port is None:
            self.arm.note(resource, f"NAT pool {name} has no known ports; skipped", pool)
            return
        targets = [
            Target(endpoint=c.owner, origin=c.origin, via=c.address)
            for c in self.compute.ip_configs
            if address.lower() in (p.lower() for p in c.nat_pools)
        ]
        self.arm.note(
            resource, f"NAT pool {name} maps a port range; modelled at its first port", pool
        )
        self.add_listener(
            resource, balancer, address, "Microsoft.Network/loadBalancers/inboundNatPools",
            self.arm.origin(resource, pool), self.listener_protocol(at(properties, "protocol")),
            start, backend_port, targets, self.frontend_of(resource, properties),
        )  # fmt: skip

    def frontend_of(self, resource: ArmResource, properties: Any) -> list[str]:
        """The frontend IP configuration a rule listens on (none named: every one)."""
        frontend = self.arm.ref(
            resource, at(properties, "frontendIPConfiguration"), "frontendIPConfiguration"
        )
        return [frontend] if frontend is not None else []

    def listener_protocol(self, value: Any) -> str:
        """A rule's protocol; Tcp where it is not one Azure takes (or not known)."""
        found = azure_load_balancers.listener_protocol(value) if isinstance(value, str) else None
        return found or "tcp"

    def add_listener(
        self,
        resource: ArmResource,
        balancer: LoadBalancer,
        address: str,
        listener_type: str,
        origin: Origin,
        protocol: str,
        port: int | None,
        target_port: int | None,
        targets: list[Target],
        frontends: list[str],
        chained: bool = False,
        every_port: bool = False,
    ) -> None:
        """A rule as a listener; a port None is one a parameter without value gives: any, when
        open, and the flows through it name it. `chained`: its pool holds other load
        balancers, which a note already names. `every_port`: HA ports, each port to itself."""
        backend_unknown = target_port is None
        group = TargetGroup(
            address=f"{address}#backend",
            type=listener_type,
            origin=origin,
            protocol=azure_load_balancers.backend_protocol(protocol),
            port=None if every_port else target_port,
            port_unknown="backendPort" if backend_unknown else None,
            targets=targets,
            unknown=["backendPort"] if backend_unknown else [],
        )
        if not targets and not chained:
            self.arm.note(resource, f"{address} forwards to no backend in the template")
        self.model.target_groups[group.address] = group
        balancer.listeners.append(
            Listener(
                address=address,
                type=listener_type,
                origin=origin,
                protocol=protocol,
                port=None if every_port else port,
                port_unknown="frontendPort" if port is None else None,
                target_groups=[group.address],
                frontends=frontends,
                unknown=["frontendPort"] if port is None else [],
                every_port=every_port,
            )
        )

    def application_gateways(self) -> None:
        for resource in self.arm.resources(APP_GATEWAY):
            self.application_gateway(resource)

    def application_gateway(self, resource: ArmResource) -> None:
        properties = self.arm.properties(resource)
        endpoint = endpoint_of(self.arm, resource, "load-balancer")
        balancer = azure_load_balancers.application_gateway(public=False)
        endpoint.load_balancer = balancer
        gateway_configs = items(at(properties, "gatewayIPConfigurations"))
        subnet = self.arm.subnet_ref(
            resource, at(gateway_configs, 0, "properties", "subnet"), endpoint.unknown
        )
        network = azure_networks.network_of(self.build, subnet)

        def named(section: str) -> dict[str, tuple[str, Any]]:
            """Sub-resources by lower-case address, with their address as written."""
            found: dict[str, tuple[str, Any]] = {}
            for item in items(at(properties, section)):
                name = at(item, "name")
                if isinstance(name, str):
                    address = self.arm.remember(child_address(resource.address, section, name))
                    found[address.lower()] = (address, item)
            return found

        for config in items(at(properties, "frontendIPConfigurations")):
            name = self.arm.text(resource, at(config, "name"), "frontend name") or "frontend"
            interface = Interface(
                address=self.arm.remember(
                    child_address(resource.address, "frontendIPConfigurations", name)
                ),
                subnet=subnet,
                network=network,
            )
            config_properties = at(config, "properties")
            public_ip = self.arm.ref(
                resource,
                at(config_properties, "publicIPAddress"),
                "publicIPAddress",
                interface.unknown,
            )
            if public_ip is not None:
                self.compute.attach_public_ip(public_ip, endpoint.address, interface)
                balancer.scheme = "internet-facing"
            ip = self.arm.text(
                resource, at(config_properties, "privateIPAddress"), "privateIPAddress"
            )
            if ip and valid_ip(ip):
                interface.private_ips.append(ip)
            endpoint.interfaces.append(interface)
        ports = named("frontendPorts")
        settings = named("backendHttpSettingsCollection")
        pools = {
            key: self.gateway_pool_targets(resource, address, pool)
            for key, (address, pool) in named("backendAddressPools").items()
        }
        path_maps = named("urlPathMaps")
        # listener -> (routing rule or path rule address, its origin, pool, HTTP settings)
        routes: dict[str, list[tuple[str, Origin, str | None, str | None]]] = defaultdict(list)
        for rule in items(at(properties, "requestRoutingRules")):
            rule_name = at(rule, "name")
            rule_address = child_address(resource.address, "requestRoutingRules", str(rule_name))
            rule_properties = at(rule, "properties")
            origin = self.arm.origin(resource, rule)
            listener = self.arm.ref(resource, at(rule_properties, "httpListener"), "httpListener")
            if listener is None:
                continue
            pool = self.arm.ref(
                resource, at(rule_properties, "backendAddressPool"), "backendAddressPool"
            )
            setting = self.arm.ref(
                resource, at(rule_properties, "backendHttpSettings"), "backendHttpSettings"
            )
            if pool is not None:
                routes[listener.lower()].append((rule_address, origin, pool, setting))
            path_map = self.arm.ref(resource, at(rule_properties, "urlPathMap"), "urlPathMap")
            if path_map is not None:
                found = path_maps.get(path_map.lower())
                for address, pool_ref, setting_ref in self.path_rules(
                    resource, found[1] if found else None, rule_address
                ):
                    routes[listener.lower()].append((address, origin, pool_ref, setting_ref))
            if pool is None and path_map is None:
                self.arm.note(
                    resource,
                    f"routing rule {rule_name} forwards to no backend pool (a redirect)",
                    rule,
                )
        for listener in items(at(properties, "httpListeners")):
            name = self.arm.text(resource, at(listener, "name"), "listener name") or "listener"
            address = self.arm.remember(child_address(resource.address, "httpListeners", name))
            listener_properties = at(listener, "properties")
            port_ref = self.arm.ref(
                resource, at(listener_properties, "frontendPort"), "frontendPort"
            )
            port_entry = ports.get((port_ref or "").lower())
            port = self.arm.integer(
                resource,
                at(port_entry[1] if port_entry else None, "properties", "port"),
                f"listener {name} port",
            )
            if port is None:
                self.arm.note(
                    resource, f"listener {name} has no known frontend port; skipped", listener
                )
                continue
            groups = []
            for rule_address, origin, pool, setting in routes.get(address.lower(), []):
                setting_entry = settings.get((setting or "").lower())
                group = TargetGroup(
                    address=f"{rule_address}#backend",
                    type="Microsoft.Network/applicationGateways/requestRoutingRules",
                    origin=origin,
                    port=self.arm.integer(
                        resource,
                        at(setting_entry[1] if setting_entry else None, "properties", "port"),
                        "backend HTTP settings port",
                    ),
                    targets=pools.get((pool or "").lower(), []),
                )
                self.model.target_groups[group.address] = group
                groups.append(group.address)
            balancer.listeners.append(
                Listener(
                    address=address,
                    type="Microsoft.Network/applicationGateways/httpListeners",
                    origin=self.arm.origin(resource, listener),
                    protocol="tcp",
                    port=port,
                    target_groups=groups,
                    # A listener takes requests on one frontend IP configuration only.
                    frontends=self.frontend_of(resource, listener_properties),
                )
            )
        if items(at(properties, "listeners")):
            self.arm.note(resource, "its TCP/TLS proxy listeners are not modelled")
        self.model.endpoints[endpoint.address] = endpoint

    def path_rules(
        self, resource: ArmResource, path_map: Any, rule_address: str
    ) -> Iterator[tuple[str, str | None, str | None]]:
        properties = at(path_map, "properties")
        default_pool = self.arm.ref(
            resource, at(properties, "defaultBackendAddressPool"), "defaultBackendAddressPool"
        )
        default_setting = self.arm.ref(
            resource, at(properties, "defaultBackendHttpSettings"), "defaultBackendHttpSettings"
        )
        if default_pool is not None:
            yield rule_address, default_pool, default_setting
        for path_rule in items(at(properties, "pathRules")):
            name = at(path_rule, "name")
            rule_properties = at(path_rule, "properties")
            pool = self.arm.ref(
                resource, at(rule_properties, "backendAddressPool"), "backendAddressPool"
            )
            setting = self.arm.ref(
                resource, at(rule_properties, "backendHttpSettings"), "backendHttpSettings"
            )
            if pool is not None:
                yield f"{rule_address}/pathRules/{name}", pool, setting

    def gateway_pool_targets(self, resource: ArmResource, pool: str, data: Any) -> list[Target]:
        targets, seen = self.members(pool, "gateway_pools")
        for entry in items(at(data, "properties", "backendAddresses")):
            ip = self.arm.text(resource, at(entry, "ipAddress"), "backend ipAddress")
            fqdn = at(entry, "fqdn")
            if ip is None:
                if isinstance(fqdn, Unknown):
                    self.arm.note(resource, f"a backend of {pool} is unknown: {fqdn.reason}", entry)
                elif fqdn is not None:
                    self.arm.note(
                        resource,
                        f"backend {fqdn} of {pool} is a name; its address is unknown",
                        entry,
                    )
                continue
            found = self.by_private_ip(ip)
            if not found:
                self.arm.note(
                    resource,
                    f"backend address {ip} of {pool} matches no interface in the template",
                    entry,
                )
            for owner, _interface in found:
                if owner not in seen:
                    seen.add(owner)
                    targets.append(Target(endpoint=owner, origin=self.arm.origin(resource, entry)))
        return targets
