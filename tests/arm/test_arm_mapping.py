"""Azure resources to model elements, on one template that uses most network services."""

from __future__ import annotations

from functools import cache

from arm_helpers import DATA

from reachlint.dialects.arm import load_arm_template
from reachlint.model.network import NetworkModel

N = "Microsoft.Network"
VNET = f"{N}/virtualNetworks/svc-vnet"


@cache
def services() -> NetworkModel:
    return load_arm_template(DATA / "services.json")


def test_nsg_rule_declared_as_its_own_resource_with_asgs_and_port_lists() -> None:
    nsg = services().network_security_groups[f"{N}/networkSecurityGroups/svc-nsg"]
    (rule,) = [r for r in nsg.rules if not r.is_default]
    assert rule.address == f"{N}/networkSecurityGroups/svc-nsg/securityRules/allow-web-asg"
    assert rule.source.cidrs == ["10.50.0.0/24", "10.51.0.0/24"]
    assert rule.destination.application_security_groups == [
        f"{N}/applicationSecurityGroups/web-asg"
    ]
    assert [(p.low, p.high) for p in rule.destination_ports or []] == [(443, 443), (8000, 8100)]
    assert rule.source_ports is None
    assert f"{N}/applicationSecurityGroups/web-asg" in services().application_security_groups
    web = services().endpoints["Microsoft.Compute/virtualMachines/web-vm"].interfaces[0]
    assert web.application_security_groups == [f"{N}/applicationSecurityGroups/web-asg"]


def test_route_next_hop_types() -> None:
    table = services().route_tables[f"{N}/routeTables/svc-routes"]
    routes = {r.address.rsplit("/", 1)[-1]: (r.target_kind, r.target) for r in table.routes}
    assert routes == {
        "to-nva": ("virtual-appliance", "Microsoft.Compute/virtualMachines/nva-vm"),
        "to-plain-vm": ("virtual-appliance", f"{N}/networkInterfaces/plain-nic"),
        "local": ("local", None),
        "drop": ("blackhole", None),
        "out": ("internet", None),
    }
    messages = [n.message for n in services().notes]
    assert any("service tag Storage" in m for m in messages)
    assert any("does not enable IP forwarding" in m and "plain-nic" in m for m in messages)


def test_subnet_associations_and_nat_gateway() -> None:
    apps = services().subnets[f"{VNET}/subnets/apps"]
    assert apps.nat_gateway == f"{N}/natGateways/svc-nat"
    assert apps.route_table == f"{N}/routeTables/svc-routes"
    nat = services().gateways[f"{N}/natGateways/svc-nat"]
    assert nat.kind == "nat-gateway" and nat.network == f"{N}/virtualNetworks/svc-vnet"


def test_internal_load_balancer_rules_nat_rules_and_scale_set_pool() -> None:
    lb = services().endpoints[f"{N}/loadBalancers/svc-ilb"]
    assert lb.load_balancer is not None and lb.load_balancer.scheme == "internal"
    (frontend,) = lb.interfaces
    assert frontend.subnet == f"{VNET}/subnets/apps" and frontend.private_ips == ["10.50.1.100"]
    listeners = {x.address.rsplit("/", 1)[-1]: x for x in lb.load_balancer.listeners}
    dns, ssh = listeners["dns"], listeners["ssh-web"]
    assert (dns.protocol, dns.port) == ("udp", 53)
    dns_group = services().target_groups[dns.target_groups[0]]
    assert dns_group.protocol == "udp" and dns_group.port == 5353
    assert [t.endpoint for t in dns_group.targets] == [
        "Microsoft.Compute/virtualMachineScaleSets/svc-vmss"
    ]
    assert lb.exposure == "azure-load-balancer-standard"
    assert dns.frontends == [f"{N}/loadBalancers/svc-ilb/frontendIPConfigurations/fe"]
    ssh_group = services().target_groups[ssh.target_groups[0]]
    assert (ssh.port, ssh_group.port) == (2201, 22)
    assert [t.endpoint for t in ssh_group.targets] == ["Microsoft.Compute/virtualMachines/web-vm"]


def test_scale_set_interfaces_and_instance_public_addresses() -> None:
    scale_set = services().endpoints["Microsoft.Compute/virtualMachineScaleSets/svc-vmss"]
    assert scale_set.kind == "scale-set"
    (interface,) = scale_set.interfaces
    assert interface.subnet == f"{VNET}/subnets/apps"
    assert interface.network_security_group == f"{N}/networkSecurityGroups/svc-nsg"
    assert interface.public and interface.public_source in services().elastic_ips


def test_application_gateway_listener_path_rules_and_pools() -> None:
    gateway = services().endpoints[f"{N}/applicationGateways/svc-appgw"]
    balancer = gateway.load_balancer
    assert balancer is not None
    assert (balancer.flavor, balancer.scheme) == ("application", "internet-facing")
    assert not balancer.preserves_client_address
    (frontend,) = gateway.interfaces
    assert frontend.subnet == f"{VNET}/subnets/appgw" and frontend.public
    (listener,) = balancer.listeners
    assert listener.port == 443
    groups = [services().target_groups[g] for g in listener.target_groups]
    assert [(g.port, [t.endpoint for t in g.targets]) for g in groups] == [
        (8080, ["Microsoft.Compute/virtualMachineScaleSets/svc-vmss"]),  # the default pool
        (8080, ["Microsoft.Compute/virtualMachines/web-vm"]),  # /api/* by the VM's address
    ]
    assert any("api.example.com" in n.message for n in services().notes)


def test_bastion_private_endpoint_and_nic_without_vm() -> None:
    endpoints = services().endpoints
    bastion = endpoints[f"{N}/bastionHosts/svc-bastion"]
    assert bastion.kind == "bastion"
    assert bastion.interfaces[0].subnet == f"{VNET}/subnets/AzureBastionSubnet"
    assert bastion.interfaces[0].public_source == f"{N}/publicIPAddresses/bastion-pip"
    assert bastion.exposure == "azure-bastion"  # no sku: Basic
    endpoint = endpoints[f"{N}/privateEndpoints/svc-pe"]
    assert endpoint.kind == "private-endpoint"
    assert endpoint.exposure == "azure-private-endpoint"
    assert endpoint.interfaces[0].private_ips == ["10.50.1.50"]
    assert endpoints[f"{N}/networkInterfaces/plain-nic"].kind == "network-interface"


def test_point_to_site_clients_and_express_route_are_on_premises_ends() -> None:
    sites = services().onprem_sites
    gateway = f"{N}/virtualNetworkGateways/svc-vpngw"
    clients = sites[f"{gateway}/vpnClientConfiguration/clients"]
    assert clients.gateway == gateway and clients.cidrs == ["172.16.200.0/24"]
    circuit = sites[f"{N}/expressRouteCircuits/svc-er"]
    assert circuit.gateway == gateway and circuit.cidrs == []
    assert services().gateways[gateway].network == f"{N}/virtualNetworks/svc-vnet"


def test_a_managed_service_injected_into_a_subnet_is_an_endpoint_there() -> None:
    cache = services().endpoints["Microsoft.Cache/redis/svc-cache"]
    assert cache.kind == "cache"
    (interface,) = cache.interfaces
    assert interface.subnet == f"{VNET}/subnets/apps" and interface.private_ips == ["10.50.1.60"]
    assert "Microsoft.Cache/redis/public-cache" not in services().endpoints
    (note,) = [n for n in services().notes if "Microsoft.Cache/redis resource" in n.message]
    assert note.message.startswith("1 Microsoft.Cache/redis resource(s) not modelled")
