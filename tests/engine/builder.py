"""A tiny builder for network models, so engine tests read like the network they describe."""

from __future__ import annotations

from reachlint.engine.flows import EndpointClass, External, Flow, Reachability
from reachlint.engine.reach import AssumeUnknown, compute_reachability
from reachlint.model.network import (
    AclEntry,
    Endpoint,
    Gateway,
    Interface,
    Listener,
    LoadBalancer,
    Network,
    NetworkAcl,
    NetworkModel,
    OnPremSite,
    Peering,
    PortRange,
    Route,
    RouteTable,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
    Target,
    TargetGroup,
)


class Net:
    def __init__(self) -> None:
        self.model = NetworkModel()

    def vpc(self, name: str, cidr: str) -> str:
        address = f"aws_vpc.{name}"
        main = f"{address}.main_route_table"
        self.model.networks[address] = Network(
            address=address, type="aws_vpc", cidrs=[cidr], main_route_table=main
        )
        self.model.route_tables[main] = RouteTable(
            address=main, type="aws_route_table", network=address, is_main=True
        )
        return address

    def subnet(
        self, name: str, vpc: str, cidr: str, table: str | None = None, acl: str | None = None
    ) -> str:
        address = f"aws_subnet.{name}"
        self.model.subnets[address] = Subnet(
            address=address,
            type="aws_subnet",
            network=vpc,
            cidrs=[cidr],
            route_table=table,
            network_acl=acl,
        )
        return address

    def table(self, name: str, vpc: str, *routes: tuple[str, str, str | None]) -> str:
        address = f"aws_route_table.{name}"
        self.model.route_tables[address] = RouteTable(
            address=address,
            type="aws_route_table",
            network=vpc,
            routes=[
                Route(
                    address=f"{address}.route[{i}]",
                    type="aws_route_table",
                    destination=dest,
                    target_kind=kind,
                    target=target,  # type: ignore[arg-type]
                )
                for i, (dest, kind, target) in enumerate(routes)
            ],
        )
        return address

    def main_routes(self, vpc: str, *routes: tuple[str, str, str | None]) -> None:
        main = self.model.networks[vpc].main_route_table
        assert main is not None
        table = self.model.route_tables[main]
        for dest, kind, target in routes:
            table.routes.append(
                Route(
                    address=f"aws_route.main_{len(table.routes)}",
                    type="aws_route",
                    destination=dest,
                    target_kind=kind,
                    target=target,  # type: ignore[arg-type]
                )
            )

    def gateway(self, name: str, kind: str, vpc: str | None, subnet: str | None = None) -> str:
        prefix = {
            "internet-gateway": "aws_internet_gateway",
            "nat-gateway": "aws_nat_gateway",
            "vpn-gateway": "aws_vpn_gateway",
        }[kind]
        address = f"{prefix}.{name}"
        self.model.gateways[address] = Gateway(
            address=address,
            type=prefix,
            kind=kind,
            network=vpc,
            subnet=subnet,  # type: ignore[arg-type]
        )
        return address

    def sg(self, name: str, *rules: SecurityGroupRule) -> str:
        address = f"aws_security_group.{name}"
        self.model.security_groups[address] = SecurityGroup(
            address=address, type="aws_security_group", rules=list(rules)
        )
        return address

    def acl(self, name: str, vpc: str, *entries: AclEntry) -> str:
        address = f"aws_network_acl.{name}"
        self.model.network_acls[address] = NetworkAcl(
            address=address, type="aws_network_acl", network=vpc, entries=list(entries)
        )
        return address

    def instance(
        self, name: str, subnet: str, *groups: str, public: bool = False, ip: str | None = None
    ) -> str:
        address = f"aws_instance.{name}"
        self.model.endpoints[address] = Endpoint(
            address=address,
            type="aws_instance",
            kind="instance",
            interfaces=[
                Interface(
                    address=f"{address}.eni",
                    subnet=subnet,
                    security_groups=list(groups),
                    public=public,
                    private_ips=[ip] if ip else [],
                )
            ],
        )
        return address

    def alb(
        self,
        name: str,
        subnets: list[str],
        groups: list[str],
        listen: int,
        forward: int,
        targets: list[str],
        internal: bool = False,
        flavor: str = "application",
    ) -> str:
        address = f"aws_lb.{name}"
        group = f"aws_lb_target_group.{name}"
        self.model.target_groups[group] = TargetGroup(
            address=group,
            type="aws_lb_target_group",
            port=forward,
            targets=[Target(endpoint=t) for t in targets],
        )
        listener = Listener(
            address=f"aws_lb_listener.{name}",
            type="aws_lb_listener",
            port=listen,
            target_groups=[group],
        )
        self.model.endpoints[address] = Endpoint(
            address=address,
            type="aws_lb",
            kind="load-balancer",
            interfaces=[
                Interface(
                    address=f"{address}.eni[{i}]",
                    subnet=s,
                    security_groups=groups,
                    public=not internal,
                )
                for i, s in enumerate(subnets)
            ],
            load_balancer=LoadBalancer(
                scheme="internal" if internal else "internet-facing",
                flavor=flavor,  # type: ignore[arg-type]
                listeners=[listener],
                preserves_client_address=flavor == "network",
            ),
        )
        return address

    def site(self, name: str, gateway: str, *cidrs: str) -> str:
        address = f"aws_vpn_connection.{name}"
        self.model.onprem_sites[address] = OnPremSite(
            address=address, type="aws_vpn_connection", gateway=gateway, cidrs=list(cidrs)
        )
        return address

    def peer(self, name: str, a: str, b: str) -> str:
        address = f"aws_vpc_peering_connection.{name}"
        self.model.peerings[address] = Peering(
            address=address, type="aws_vpc_peering_connection", requester=a, accepter=b
        )
        return address

    def reach(self, assume: AssumeUnknown = "open") -> Result:
        return Result(compute_reachability(self.model, assume))


def ingress(
    proto: str,
    ports: tuple[int, int] | None = None,
    *cidrs: str,
    groups: tuple[str, ...] = (),
    self_ref: bool = False,
    unknown: tuple[str, ...] = (),
) -> SecurityGroupRule:
    return SecurityGroupRule(
        address="aws_security_group_rule.in",
        type="aws_security_group_rule",
        direction="ingress",
        protocol=proto,
        ports=PortRange(low=ports[0], high=ports[1]) if ports else None,
        cidrs=list(cidrs),
        security_groups=list(groups),
        self_reference=self_ref,
        unknown=list(unknown),
    )


def egress(
    proto: str = "-1",
    ports: tuple[int, int] | None = None,
    *cidrs: str,
    groups: tuple[str, ...] = (),
) -> SecurityGroupRule:
    return SecurityGroupRule(
        address="aws_security_group_rule.out",
        type="aws_security_group_rule",
        direction="egress",
        protocol=proto,
        ports=PortRange(low=ports[0], high=ports[1]) if ports else None,
        cidrs=list(cidrs or ("0.0.0.0/0",)),
        security_groups=list(groups),
    )


def entry(
    number: int,
    egress: bool,
    allow: bool,
    proto: str = "-1",
    cidr: str = "0.0.0.0/0",
    ports: tuple[int, int] | None = None,
) -> AclEntry:
    return AclEntry(
        address=f"aws_network_acl_rule.r{number}{'e' if egress else 'i'}",
        type="aws_network_acl_rule",
        rule_number=number,
        egress=egress,
        allow=allow,
        protocol=proto,
        cidr=cidr,
        ports=PortRange(low=ports[0], high=ports[1]) if ports else None,
    )


def _end_names(end: EndpointClass | External) -> list[str]:
    if isinstance(end, External):
        return [end.address]
    return sorted({m.endpoint for m in end.members})


class Result:
    def __init__(self, reach: Reachability) -> None:
        self.reach = reach

    def flows(self, source: str, destination: str, state: str = "reachable") -> list[Flow]:
        return [
            f
            for f in self.reach.flows
            if source in _end_names(f.source)
            and destination in _end_names(f.destination)
            and f.state == state
        ]

    def traffic(self, source: str, destination: str, state: str = "reachable") -> str:
        """Union of the traffic from one end to another, as text ("" when none)."""
        from reachlint.model.traffic import Traffic

        total = Traffic()
        for flow in self.flows(source, destination, state):
            total |= flow.traffic
        return total.text()

    def path(self, source: str, destination: str) -> list[str]:
        found = self.flows(source, destination)
        assert found, f"no flow {source} -> {destination}"
        return [hop.address for hop in found[0].path]
