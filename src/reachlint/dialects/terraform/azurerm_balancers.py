"""azurerm's load balancers and application gateways: their frontends, listeners and backends.

A backend pool gathers what joins it (read by `azurerm_compute`); a rule or listener forwards to
the pools it names. A public frontend sits in no subnet: it belongs to its backends' network.
"""

from __future__ import annotations

from collections import defaultdict

from reachlint.dialects.terraform.azurerm_compute import (
    AzurermCompute,
    add_target,
    interface_unknowns,
)
from reachlint.dialects.terraform.azurerm_links import AzurermLinks, ip_text
from reachlint.dialects.terraform.azurerm_links import blocks as _blocks
from reachlint.dialects.terraform.azurerm_table import LB_TYPES, POOL_TYPES
from reachlint.formats.terraform.records import UNKNOWN, TfResource
from reachlint.model.network import Interface, Listener, LoadBalancer, Target, TargetGroup
from reachlint.providers.azure import load_balancers as azure_load_balancers
from reachlint.providers.values import dedupe, integer, string_value, strings
from reachlint.sources import Origin

# Listeners written out for one port-range NAT rule; a wider range gets a note instead.
_MAX_RANGE_LISTENERS = 256


def _first(*choices: list[str]) -> str | None:
    return next((items[0] for items in choices if items), None)


class AzurermBalancers:
    """Every load balancer and application gateway, over the interfaces `compute` read."""

    def __init__(self, links: AzurermLinks, compute: AzurermCompute) -> None:
        self.links = links
        self.idx = links.idx
        self.model = links.model
        self.compute = compute

    def load_balancers(self) -> None:
        for resource in self.idx.of("azurerm_lb"):
            self.load_balancer(resource)
        for resource in self.idx.of("azurerm_lb_rule"):
            self.balancing_rule(resource)
        for resource in self.idx.of("azurerm_lb_nat_rule", "azurerm_lb_nat_pool"):
            self.nat_rule(resource)
        for resource in self.idx.of("azurerm_lb"):
            azure_load_balancers.place_public_frontends(self.model, resource.address)

    def load_balancer(self, resource: TfResource) -> None:
        unknown: list[str] = []
        interfaces: list[Interface] = []
        public_ips: list[tuple[str, str]] = []
        blocks = _blocks(resource.values.get("frontend_ip_configuration"))
        if not blocks:
            unknown.append("frontend_ip_configuration")
            self.links.note(resource, "no frontend_ip_configuration is known; it cannot be reached")
        for position, block in enumerate(blocks):
            prefix = f"frontend_ip_configuration.{position}"
            name = string_value(block.get("name")) or str(position)
            address = f"{resource.address}/frontend_ip_configuration/{name}"
            own_unknown: list[str] = []
            # Azure fills in what a frontend does not say: unknown alone means "not written".
            sources = [
                source
                for name in ("public_ip_address_id", "public_ip_prefix_id")
                for source in self.compute.public_sources(
                    resource, f"{prefix}.{name}", own_unknown, computed=True
                )
            ]
            is_public = bool(sources)
            # A public frontend has its public IPs' address family (not known: either).
            ipv6 = self.compute.carries_ipv6(sources) if is_public else None
            subnet = (
                None
                if is_public
                else self.links.subnet_of(
                    resource, f"{prefix}.subnet_id", own_unknown, computed=True
                )
            )
            interfaces.append(
                Interface(
                    address=address,
                    subnet=subnet,
                    network=self.links.subnet_network(subnet),
                    private_ips=[ip] if (ip := ip_text(block.get("private_ip_address"))) else [],
                    public=is_public,
                    ipv6=ipv6,
                    ipv4=None if ipv6 is None else not ipv6,
                    public_source=_first(sources),
                    unknown=interface_unknowns(own_unknown),
                )
            )
            public_ips.extend((source, address) for source in sources)
        spec = azure_load_balancers.load_balancer(
            public=any(i.public for i in interfaces), sku=string_value(resource.values.get("sku"))
        )
        self.compute.add_endpoint(resource, "load-balancer", interfaces, unknown, spec)
        for source, interface in public_ips:
            self.compute.record_public_ip(source, resource.address, interface)

    def balancer_of(self, resource: TfResource) -> LoadBalancer | None:
        address = self.balancer_address(resource)
        balancer = self.model.endpoints.get(address or "")
        return balancer.load_balancer if balancer is not None else None

    def balancer_address(self, resource: TfResource) -> str | None:
        return self.links.one(resource, "loadbalancer_id", LB_TYPES, [], "load balancer")

    def balancing_rule(self, resource: TfResource) -> None:
        spec = self.balancer_of(resource)
        if spec is None:
            return
        values = resource.values
        unknown: list[str] = []
        pools = self.links.resolve(
            resource, "backend_address_pool_ids", POOL_TYPES, unknown, "backend pool"
        ).addresses
        pools += self.links.resolve(
            resource, "backend_address_pool_id", POOL_TYPES, unknown, "backend pool"
        ).addresses
        targets: list[Target] = []
        for pool in dedupe(pools):
            for target in self.compute.pools.get(pool, []):
                add_target(targets, target)
        if not pools and not unknown:
            self.links.note(resource, "names no backend pool; it forwards nowhere")
        ports = [integer(values.get("frontend_port"))]
        self.add_listeners(resource, spec, ports, targets, unknown, any_port=True)

    def nat_rule(self, resource: TfResource) -> None:
        spec = self.balancer_of(resource)
        if spec is None:
            return
        values = resource.values
        unknown: list[str] = []
        targets = list(self.compute.nat_targets.get(resource.address, []))
        pool = self.links.one(resource, "backend_address_pool_id", POOL_TYPES, None, "backend pool")
        for target in self.compute.pools.get(pool or "", []):
            add_target(targets, target)
        ports: list[int | None] = [integer(values.get("frontend_port"))]
        low, high = (
            integer(values.get("frontend_port_start")),
            integer(values.get("frontend_port_end")),
        )
        if low is not None and high is not None:
            if high - low >= _MAX_RANGE_LISTENERS:
                unknown.append("frontend_port_end")
                self.links.note(
                    resource,
                    f"frontend ports {low}-{high}: only the first {_MAX_RANGE_LISTENERS} are "
                    "modelled",
                )
                high = low + _MAX_RANGE_LISTENERS - 1
            ports = list(range(low, high + 1))
        if not targets:
            self.links.note(resource, "no network interface or scale set is behind it")
        self.add_listeners(resource, spec, ports, targets, unknown)

    def add_listeners(
        self,
        resource: TfResource,
        spec: LoadBalancer,
        ports: list[int | None],
        targets: list[Target],
        unknown: list[str],
        any_port: bool = False,
    ) -> None:
        """Listeners for a rule's frontend ports; `any_port`: a load-balancing rule, whose port
        0 is every port (HA ports)."""
        values = resource.values
        protocol = azure_load_balancers.listener_protocol(str(values.get("protocol") or ""))
        if protocol is None:
            unknown.append("protocol")
            self.links.note(resource, "protocol is not known; assumed Tcp", "protocol")
            protocol = "tcp"
        backend = integer(values.get("backend_port"))
        every_port = any_port and ports == [0]
        if every_port:
            problem = azure_load_balancers.any_port_problem(
                backend, self.public_rule(resource), spec.sku
            )
            if problem is not None:
                self.links.note(resource, problem)
                return
        if backend is None:
            unknown.append("backend_port")
            assumed = "HA ports rest on it being 0" if every_port else "assumed the frontend port"
            self.links.note(resource, f"backend_port is not known; {assumed}")
        group = TargetGroup(
            address=f"{resource.address}#backend",
            type=resource.type,
            origin=resource.origin,
            protocol=azure_load_balancers.backend_protocol(protocol),
            port=None if every_port else backend,
            port_unknown="backend_port" if backend is None else None,
            targets=targets,
            unknown=list(unknown),
        )
        known_ports: list[int | None] = [p for p in ports if p is not None]
        if not known_ports:
            if values.get("frontend_port") is not UNKNOWN:
                self.links.note(resource, "has no frontend port; rule not modelled")
                return
            # It listens on some port: any, when open, the flows through it naming it.
            unknown.append("frontend_port")
            known_ports = [None]
        self.model.target_groups[group.address] = group
        for port in known_ports:
            spec.listeners.append(
                Listener(
                    address=resource.address,
                    type=resource.type,
                    origin=resource.origin,
                    protocol=protocol,
                    port=None if every_port else port,
                    port_unknown="frontend_port" if port is None else None,
                    target_groups=[group.address],
                    unknown=unknown,
                    frontends=self.rule_frontends(resource),
                    every_port=every_port,
                )
            )

    def public_rule(self, resource: TfResource) -> bool:
        """Whether a rule listens on a public frontend of its load balancer."""
        balancer = self.model.endpoints.get(self.balancer_address(resource) or "")
        if balancer is None:
            return False
        named = self.rule_frontends(resource)
        return any(
            interface.public and (not named or interface.address in named)
            for interface in balancer.interfaces
        )

    def rule_frontends(self, resource: TfResource) -> list[str]:
        """The frontend a rule names (`frontend_ip_configuration_name`); unknown: every one."""
        name = string_value(resource.values.get("frontend_ip_configuration_name"))
        balancer = self.balancer_address(resource)
        if name is None or balancer is None:
            return []
        return [f"{balancer}/frontend_ip_configuration/{name}"]

    def application_gateways(self) -> None:
        for resource in self.idx.of(
            "azurerm_network_interface_application_gateway_backend_address_pool_association"
        ):
            unknown: list[str] = []
            endpoint = self.compute.nic_owner(resource, unknown)
            if endpoint is None:
                continue
            target = Target(endpoint=endpoint, origin=resource.origin, via=resource.address)
            for gateway, pool in self.compute.gateway_pool_links(
                resource, "backend_address_pool_id"
            ):
                self.compute.join_gateway_pool(gateway, pool, target)
        for resource in self.idx.of("azurerm_application_gateway"):
            self.application_gateway(resource)

    def application_gateway(self, resource: TfResource) -> None:
        values = resource.values
        unknown: list[str] = []
        subnet: str | None = None
        for position, _ in enumerate(_blocks(values.get("gateway_ip_configuration"))):
            subnet = subnet or self.links.subnet_of(
                resource, f"gateway_ip_configuration.{position}.subnet_id", unknown
            )
        frontends: dict[str, tuple[str | None, str | None]] = {}  # name -> (public IP, private)
        for position, block in enumerate(_blocks(values.get("frontend_ip_configuration"))):
            path = f"frontend_ip_configuration.{position}.public_ip_address_id"
            source = _first(self.compute.public_sources(resource, path, unknown, computed=True))
            frontends[string_value(block.get("name")) or str(position)] = (
                source,
                ip_text(block.get("private_ip_address")),
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
        pools = self.compute.gateway_pools[resource.address]
        for position, block in enumerate(_blocks(values.get("backend_address_pool"))):
            name = string_value(block.get("name"))
            if name is None:
                continue
            origin = self.links.block_origin(resource, f"backend_address_pool.{position}")
            for key in ("ip_addresses", "ip_address_list"):
                for text in strings(block.get(key)):
                    endpoint = self.compute.endpoint_with_ip(text)
                    if endpoint is None:
                        self.links.note(
                            resource,
                            f"backend pool {name}: {text} is not an interface in the input",
                        )
                    else:
                        add_target(pools[name], Target(endpoint=endpoint, origin=origin))
            for key in ("fqdns", "fqdn_list"):
                if strings(block.get(key)):
                    self.links.note(resource, f"backend pool {name}: FQDN members are not resolved")
        routes = self.gateway_routes(resource)
        listeners: list[Listener] = []
        public_sources: list[str] = []
        for position, block in enumerate(_blocks(values.get("http_listener"))):
            name = string_value(block.get("name")) or str(position)
            origin = self.links.block_origin(resource, f"http_listener.{position}")
            port = ports.get(string_value(block.get("frontend_port_name")) or "")
            if port is None:
                self.links.note(
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
                        self.links.note(
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
            self.links.note(
                resource,
                "some listeners use its private frontend; the model cannot tell frontends apart, "
                "so they count as public too",
            )
        interface = Interface(
            address=resource.address,
            subnet=subnet,
            network=self.links.subnet_network(subnet),
            private_ips=private_ips,
            public=bool(public_sources),
            public_source=public_sources[0] if public_sources else None,
            unknown=["subnet"] if subnet is None else [],
        )
        spec = azure_load_balancers.application_gateway(bool(public_sources), listeners)
        self.compute.add_endpoint(resource, "load-balancer", [interface], unknown, spec)
        for source in dedupe(public_sources):
            self.compute.record_public_ip(source, resource.address, resource.address)

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
            origin = self.links.block_origin(resource, f"request_routing_rule.{position}")
            routes[listener].append((name, origin, pairs))
        return routes
