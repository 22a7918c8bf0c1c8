"""Hand-built Azure networks for engine tests, with the NSG defaults a loader would add."""

from __future__ import annotations

from reachlint.model.exposure import pick
from reachlint.model.network import (
    Endpoint,
    Gateway,
    Interface,
    Listener,
    LoadBalancer,
    Network,
    NetworkSecurityGroup,
    NsgRule,
    OnPremSite,
    Peering,
    Route,
    RouteTable,
    Subnet,
    Target,
    TargetGroup,
)
from reachlint.providers.azure.nsgs import address_spec, default_rules, port_ranges
from reachlint.sources import Origin
from tests.engine.builder import Net

VNETS = "Microsoft.Network/virtualNetworks"
NSGS = "Microsoft.Network/networkSecurityGroups"


def rule(
    name: str,
    priority: int,
    direction: str,
    allow: bool,
    source: str | list[str] = "*",
    destination: str | list[str] = "*",
    ports: str = "*",
    protocol: str = "tcp",
    source_asgs: tuple[str, ...] = (),
    destination_asgs: tuple[str, ...] = (),
) -> tuple[str, int, str, bool, list[str], list[str], str, str, tuple[str, ...], tuple[str, ...]]:
    sources = [source] if isinstance(source, str) else source
    destinations = [destination] if isinstance(destination, str) else destination
    return (
        name,
        priority,
        direction,
        allow,
        sources,
        destinations,
        ports,
        protocol,
        source_asgs,
        destination_asgs,
    )


class AzureNet(Net):
    def vnet(self, name: str, *cidrs: str) -> str:
        address = f"{VNETS}/{name}"
        self.model.networks[address] = Network(
            address=address, type=VNETS, provider="azure", cidrs=list(cidrs)
        )
        return address

    def subnet_in(
        self, vnet: str, name: str, cidr: str, nsg: str | None = None, table: str | None = None
    ) -> str:
        address = f"{vnet}/subnets/{name}"
        self.model.subnets[address] = Subnet(
            address=address,
            type=f"{VNETS}/subnets",
            network=vnet,
            cidrs=[cidr],
            security_group=nsg,
            route_table=table,
        )
        return address

    def nsg(self, name: str, *rules: tuple) -> str:  # type: ignore[type-arg]
        address = f"{NSGS}/{name}"
        own = [
            NsgRule(
                address=f"{address}/securityRules/{r[0]}",
                type=f"{NSGS}/securityRules",
                name=r[0],
                priority=r[1],
                direction=r[2],
                allow=r[3],
                protocol=r[7],
                source=address_spec(r[4], r[8]),
                destination=address_spec(r[5], r[9]),
                destination_ports=port_ranges([r[6]]),
            )
            for r in rules
        ]
        self.model.network_security_groups[address] = NetworkSecurityGroup(
            address=address, type=NSGS, rules=own + default_rules(address, NSGS, Origin())
        )
        return address

    def vm(
        self,
        name: str,
        subnet: str,
        nsg: str | None = None,
        public: bool = False,
        asgs: tuple[str, ...] = (),
        ip: str | None = None,
    ) -> str:
        address = f"Microsoft.Compute/virtualMachines/{name}"
        nic = f"Microsoft.Network/networkInterfaces/{name}-nic"
        self.model.endpoints[address] = Endpoint(
            address=address,
            type="Microsoft.Compute/virtualMachines",
            kind="virtual-machine",
            interfaces=[
                Interface(
                    address=nic,
                    subnet=subnet,
                    network=self.model.subnets[subnet].network,
                    network_security_group=nsg,
                    application_security_groups=list(asgs),
                    public=public,
                    private_ips=[ip] if ip else [],
                )
            ],
        )
        return address

    def route_table(self, name: str, vnet: str, *routes: tuple[str, str, str | None]) -> str:
        address = f"Microsoft.Network/routeTables/{name}"
        self.model.route_tables[address] = RouteTable(
            address=address,
            type="Microsoft.Network/routeTables",
            network=vnet,
            routes=[
                Route(
                    address=f"{address}/routes/r{i}",
                    type="Microsoft.Network/routeTables/routes",
                    destination=dest,
                    target_kind=kind,  # type: ignore[arg-type]
                    target=target,
                )
                for i, (dest, kind, target) in enumerate(routes)
            ],
        )
        return address

    def vpn(self, vnet: str, site_cidrs: list[str]) -> tuple[str, str]:
        gateway = "Microsoft.Network/virtualNetworkGateways/vng"
        self.model.gateways[gateway] = Gateway(
            address=gateway,
            type="Microsoft.Network/virtualNetworkGateways",
            kind="vpn-gateway",
            network=vnet,
        )
        site = "Microsoft.Network/localNetworkGateways/datacenter"
        self.model.onprem_sites[site] = OnPremSite(
            address=site,
            type="Microsoft.Network/localNetworkGateways",
            gateway=gateway,
            cidrs=site_cidrs,
        )
        return gateway, site

    def firewall(self, vnet: str, subnet: str, ip: str) -> str:
        address = "Microsoft.Network/azureFirewalls/hub-fw"
        self.model.gateways[address] = Gateway(
            address=address,
            type="Microsoft.Network/azureFirewalls",
            kind="firewall",
            network=vnet,
            subnet=subnet,
            private_ips=[ip],
        )
        return address

    def vnet_peering(self, a: str, b: str, forwarded: bool = True) -> str:
        address = f"{a}/virtualNetworkPeerings/to-{b.rsplit('/', 1)[-1]}"
        self.model.peerings[address] = Peering(
            address=address,
            type=f"{VNETS}/virtualNetworkPeerings",
            requester=a,
            accepter=b,
            allow_forwarded_traffic=forwarded,
        )
        return address

    def public_lb(
        self, name: str, vnet: str, port: int, backend_port: int, targets: list[str]
    ) -> str:
        address = f"Microsoft.Network/loadBalancers/{name}"
        group = f"{address}/loadBalancingRules/http#backend"
        self.model.target_groups[group] = TargetGroup(
            address=group,
            type="Microsoft.Network/loadBalancers/loadBalancingRules",
            port=backend_port,
            targets=[Target(endpoint=t) for t in targets],
        )
        self.model.endpoints[address] = Endpoint(
            address=address,
            type="Microsoft.Network/loadBalancers",
            kind="load-balancer",
            interfaces=[Interface(address=f"{address}/frontend", network=vnet, public=True)],
            load_balancer=LoadBalancer(
                scheme="internet-facing",
                flavor="network",
                preserves_client_address=True,
                listeners=[
                    Listener(
                        address=f"{address}/loadBalancingRules/http",
                        type="Microsoft.Network/loadBalancers/loadBalancingRules",
                        port=port,
                        target_groups=[group],
                    )
                ],
            ),
        )
        return address

    def azure_lb(
        self,
        name: str,
        vnet: str,
        rules: list[tuple[int, int, list[str]]],
        sku: str | None = "Standard",
        subnet: str | None = None,
        frontends: tuple[str, ...] = ("fe",),
        rule_frontend: str | None = None,
    ) -> str:
        """An Azure Load Balancer as the mappers make it: public unless `subnet` places its
        frontends; each rule is (frontend port, backend port, backend VMs)."""
        address = f"Microsoft.Network/loadBalancers/{name}"
        listeners = []
        for number, (port, backend_port, targets) in enumerate(rules):
            rule_address = f"{address}/loadBalancingRules/rule{number}"
            group = f"{rule_address}#backend"
            self.model.target_groups[group] = TargetGroup(
                address=group,
                type="Microsoft.Network/loadBalancers/loadBalancingRules",
                port=backend_port,
                targets=[Target(endpoint=t) for t in targets],
            )
            listeners.append(
                Listener(
                    address=rule_address,
                    type="Microsoft.Network/loadBalancers/loadBalancingRules",
                    port=port,
                    target_groups=[group],
                    frontends=[f"{address}/frontendIPConfigurations/{rule_frontend}"]
                    if rule_frontend
                    else [],
                )
            )
        self.model.endpoints[address] = Endpoint(
            address=address,
            type="Microsoft.Network/loadBalancers",
            kind="load-balancer",
            exposure=pick("Microsoft.Network/loadBalancers", sku=sku),
            interfaces=[
                Interface(
                    address=f"{address}/frontendIPConfigurations/{frontend}",
                    network=vnet,
                    subnet=subnet,
                    public=subnet is None,
                    public_source=f"Microsoft.Network/publicIPAddresses/{frontend}-ip"
                    if subnet is None
                    else None,
                )
                for frontend in frontends
            ],
            load_balancer=LoadBalancer(
                scheme="internal" if subnet else "internet-facing",
                flavor="network",
                preserves_client_address=True,
                listeners=listeners,
            ),
        )
        return address

    def managed(
        self,
        resource_type: str,
        name: str,
        subnet: str | None,
        vnet: str,
        public: bool = False,
        **facts: str,
    ) -> str:
        """A managed service endpoint with the exposure row the mappers would pick."""
        address = f"{resource_type}/{name}"
        self.model.endpoints[address] = Endpoint(
            address=address,
            type=resource_type,
            kind="other",
            exposure=pick(resource_type, **facts),
            interfaces=[Interface(address=address, subnet=subnet, network=vnet, public=public)],
        )
        return address
