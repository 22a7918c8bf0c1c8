"""ARM's network interfaces, virtual machines, scale sets and Bastion hosts, with their public IPs.

They share what each learns: which endpoint holds a network interface (a VM or scale set owns
the NICs it names; an interface no one owns is an endpoint of its own), the public IPs attached
to each interface, the interfaces that forward IP (read by the routes), and every IP
configuration's load balancer and application gateway pools (read by `arm_balancers`).
"""

from __future__ import annotations

from typing import Any

from msgspec import Struct, field

from reachlint.dialects.arm_reading import ArmInput, at, items
from reachlint.formats.arm.resource_ids import child_address
from reachlint.formats.arm.resources import ArmResource
from reachlint.formats.arm.values import Placeholder, Unknown
from reachlint.model.network import ElasticIp, Endpoint, EndpointKind, Interface
from reachlint.providers.azure import compute as azure_compute
from reachlint.providers.azure import networks as azure_networks
from reachlint.providers.azure import public_ips as azure_public_ips
from reachlint.providers.azure.resources import Build, Resource
from reachlint.providers.values import valid_ip
from reachlint.sources import Origin

NIC = "microsoft.network/networkinterfaces"
VM = "microsoft.compute/virtualmachines"
VMSS = "microsoft.compute/virtualmachinescalesets"
PIP = "microsoft.network/publicipaddresses"


def sku_name(sku: Any) -> tuple[str | None, bool]:
    """A public IP's SKU name, and whether one is written (a name not known: None, True)."""
    name = at(sku, "name") if sku is not None else None
    if name is None:
        return None, False
    if not isinstance(name, str) or isinstance(name, Placeholder):
        return None, True
    return name, True


def endpoint_of(arm: ArmInput, resource: ArmResource, kind: EndpointKind) -> Endpoint:
    """The endpoint a resource becomes (see `providers.azure.compute.endpoint`)."""
    return azure_compute.endpoint(arm.entry(resource), kind)


class IpConfig(Struct):
    """A NIC or scale-set IP configuration: where its owner joins pools and rules."""

    address: str
    owner: str  # the endpoint that holds the NIC
    interface: Interface
    origin: Origin
    pools: list[str] = field(default_factory=list)
    nat_rules: list[str] = field(default_factory=list)
    nat_pools: list[str] = field(default_factory=list)
    gateway_pools: list[str] = field(default_factory=list)


class ArmCompute:
    """Interfaces and what holds them, read in the order `arm.map_deployment` calls."""

    def __init__(self, arm: ArmInput, build: Build) -> None:
        self.arm = arm
        self.build = build
        self.model = arm.model
        self.nic_interfaces: dict[str, tuple[Interface, ArmResource]] = {}
        self.ip_configs: list[IpConfig] = []
        self.owner: dict[str, str] = {}  # NIC address -> the endpoint that holds it
        self.public_ips = {r.address.lower(): r for r in arm.resources(PIP)}

    def closed_without_nsg(self, sku: Any) -> bool | None:
        return azure_public_ips.closed_without_nsg(self.arm.settings, *sku_name(sku))

    def network_interfaces(self) -> None:
        for resource in self.arm.resources(NIC):
            properties = self.arm.properties(resource)
            interface = self.interface(resource, resource.address, properties)
            self.nic_interfaces[resource.address] = (interface, resource)

    def interface(self, resource: ArmResource, address: str, properties: Any) -> Interface:
        """A network interface `resource` declares or creates: its NSG, IP forwarding and IP
        configurations."""
        interface = Interface(address=address)
        interface.network_security_group = self.arm.ref(
            resource,
            at(properties, "networkSecurityGroup"),
            "networkSecurityGroup",
            interface.unknown,
        )
        # Written but not known: the reference named it in `unknown`, nothing else has yet.
        interface.network_security_group_unknown = bool(interface.unknown)
        if self.arm.flag(resource, at(properties, "enableIPForwarding"), "enableIPForwarding"):
            self.build.forwarding_nics.add(address)
        configs = at(properties, "ipConfigurations")
        if isinstance(configs, Unknown):
            self.arm.unknown(resource, interface.unknown, "ipConfigurations", configs)
        self.fill_interface(resource, interface, items(configs), resource.address)
        return interface

    def fill_interface(
        self, resource: ArmResource, interface: Interface, configs: list[Any], owner: str
    ) -> None:
        """Subnet, addresses, public IP, ASGs and pool memberships from IP configurations."""
        primary = next(
            (c for c in configs if at(c, "properties", "primary") is True), None
        ) or next(iter(configs), None)
        if primary is not None:
            interface.subnet = self.arm.subnet_ref(
                resource, at(primary, "properties", "subnet"), interface.unknown
            )
            interface.network = azure_networks.network_of(self.build, interface.subnet)
        for config in configs:
            properties = at(config, "properties")
            name = self.arm.text(resource, at(config, "name"), "ipConfiguration name") or "ipconfig"
            address = self.arm.remember(child_address(interface.address, "ipConfigurations", name))
            ip = self.arm.text(resource, at(properties, "privateIPAddress"), "privateIPAddress")
            method = at(properties, "privateIPAllocationMethod")
            if (
                ip
                and valid_ip(ip)
                and not (isinstance(method, str) and method.lower() == "dynamic")
            ):
                interface.private_ips.append(ip)
            self.public_address(resource, interface, owner, properties)
            for asg in self.arm.refs(
                resource,
                at(properties, "applicationSecurityGroups"),
                "applicationSecurityGroups",
                interface.unknown,
            ):
                if asg not in interface.application_security_groups:
                    interface.application_security_groups.append(asg)
            self.ip_configs.append(
                IpConfig(
                    address=address,
                    owner=owner,
                    interface=interface,
                    origin=self.arm.origin(resource, config),
                    pools=self.arm.refs(
                        resource, at(properties, "loadBalancerBackendAddressPools"), "pools"
                    ),
                    nat_rules=self.arm.refs(
                        resource, at(properties, "loadBalancerInboundNatRules"), "NAT rules"
                    ),
                    nat_pools=self.arm.refs(
                        resource, at(properties, "loadBalancerInboundNatPools"), "NAT pools"
                    ),
                    gateway_pools=self.arm.refs(
                        resource,
                        at(properties, "applicationGatewayBackendAddressPools"),
                        "application gateway pools",
                    ),
                )
            )

    def public_address(
        self, resource: ArmResource, interface: Interface, owner: str, properties: Any
    ) -> None:
        public_ip = self.arm.ref(
            resource, at(properties, "publicIPAddress"), "publicIPAddress", interface.unknown
        )
        if public_ip is not None:
            self.attach_public_ip(public_ip, owner, interface)
            return
        configuration = at(properties, "publicIPAddressConfiguration")
        if isinstance(configuration, dict):
            # A scale set gives each instance its own public address.
            name = at(configuration, "name")
            address = child_address(interface.address, "publicIPAddressConfiguration", str(name))
            interface.public = True
            interface.public_source = address
            interface.closed_without_nsg = self.closed_without_nsg(at(configuration, "sku"))
            self.model.elastic_ips[address] = ElasticIp(
                address=address,
                type="Microsoft.Compute/virtualMachineScaleSets/publicIPAddressConfiguration",
                origin=self.arm.origin(resource, configuration),
                endpoint=owner,
                interface=interface.address,
            )

    def attach_public_ip(self, public_ip: str, owner: str, interface: Interface) -> None:
        interface.public = True
        interface.public_source = public_ip
        declared = self.public_ips.get(public_ip.lower())
        origin = Origin(file=self.arm.file)
        interface.closed_without_nsg = None  # a public IP from outside: its SKU is not known
        if declared is not None:
            origin = self.arm.origin(declared)
            interface.closed_without_nsg = self.closed_without_nsg(declared.get("sku"))
        if declared is not None and interface.subnet is None:
            # A frontend that stands on its public IP alone has that IP's address family (not
            # known: either).
            version = at(self.arm.properties(declared), "publicIPAddressVersion")
            interface.ipv6 = azure_public_ips.carries_ipv6(version)
            interface.ipv4 = None if interface.ipv6 is None else not interface.ipv6
        self.model.elastic_ips[public_ip] = ElasticIp(
            address=public_ip,
            type="Microsoft.Network/publicIPAddresses",
            origin=origin,
            endpoint=owner,
            interface=interface.address,
        )

    def virtual_machines(self) -> None:
        for resource in self.arm.resources(VM):
            properties = self.arm.properties(resource)
            endpoint = endpoint_of(self.arm, resource, "virtual-machine")
            profile = at(properties, "networkProfile")
            for nic in self.arm.refs(
                resource, at(profile, "networkInterfaces"), "networkInterfaces", endpoint.unknown
            ):
                self.own_nic(resource, endpoint, nic)
            for configuration in items(at(profile, "networkInterfaceConfigurations")):
                endpoint.interfaces.append(self.nic_configuration(resource, configuration))
            if not endpoint.interfaces:
                self.arm.note(
                    resource, "the virtual machine has no network interface in the template"
                )
            self.model.endpoints[endpoint.address] = endpoint

    def own_nic(self, resource: ArmResource, endpoint: Endpoint, nic: str) -> None:
        found = self.nic_interfaces.get(nic)
        if found is None:
            self.arm.note(resource, f"its network interface {nic} is not deployed by this template")
            return
        if nic in self.owner:
            self.arm.note(
                resource, f"network interface {nic} is already attached to {self.owner[nic]}"
            )
            return
        self.owner[nic] = endpoint.address
        interface = found[0]
        endpoint.interfaces.append(interface)
        for config in self.ip_configs:
            if config.interface is interface:
                config.owner = endpoint.address
        for eip in self.model.elastic_ips.values():
            if eip.interface == interface.address:
                eip.endpoint = endpoint.address

    def nic_configuration(self, resource: ArmResource, configuration: Any) -> Interface:
        """A NIC a VM or scale set creates itself (networkInterfaceConfigurations)."""
        name = self.arm.text(
            resource, at(configuration, "name"), "networkInterfaceConfiguration name"
        )
        address = child_address(resource.address, "networkInterfaceConfigurations", name or "nic")
        return self.interface(resource, address, at(configuration, "properties"))

    def scale_sets(self) -> None:
        for resource in self.arm.resources(VMSS):
            properties = self.arm.properties(resource)
            endpoint = endpoint_of(self.arm, resource, "scale-set")
            profile = at(properties, "virtualMachineProfile", "networkProfile")
            configurations = at(profile, "networkInterfaceConfigurations")
            if isinstance(configurations, Unknown):
                self.arm.unknown(
                    resource, endpoint.unknown, "networkInterfaceConfigurations", configurations
                )
            for configuration in items(configurations):
                endpoint.interfaces.append(self.nic_configuration(resource, configuration))
            if not endpoint.interfaces:
                self.arm.note(
                    resource,
                    "the scale set declares no network interface configuration "
                    "(flexible orchestration attaches VMs later)",
                )
            self.model.endpoints[endpoint.address] = endpoint

    def unowned_interfaces(self) -> None:
        for address, (interface, resource) in self.nic_interfaces.items():
            if address in self.owner:
                continue
            endpoint = endpoint_of(self.arm, resource, "network-interface")
            endpoint.interfaces.append(interface)
            self.model.endpoints[address] = endpoint

    def bastion_public_ip(self, bastion: Resource, interface: Interface) -> None:
        """A Bastion host's public IP, attached as a network interface's is."""
        public_ip = bastion.link("public_ip")
        if public_ip is not None:
            self.attach_public_ip(public_ip, bastion.address, interface)
