"""ARM's vocabulary for the Azure provider: which resource type is which kind, where each field is.

Start here to add a resource type. `TYPES` maps an ARM resource type (lower case) to the kind of
resource the provider knows (`providers/azure/resources.py`); `FIELDS` says, for each kind,
where the provider's fields are in the resource's evaluated `properties` (a path of keys,
dotted; `*` for every item of a list, a number for one position) and how a note names them. A
kind's `entries` say where entries written inside a resource are (inline subnets, rules, IP
configurations) and how each gets its address; `ENTRY_KINDS` are kinds written only there.
"""

from __future__ import annotations

from msgspec import Struct, field

from reachlint.providers.azure.resources import Settings


class Field(Struct, frozen=True):
    """Where one provider field is, in a resource's properties."""

    paths: tuple[tuple[str | int, ...], ...]
    what: str  # how notes and unknown names call it; `{name}`, `{address}`: the entry's
    subnet: bool = False  # a link to a subnet: a subnet not deployed here is noted
    invalid: str = ""  # the note for a value Azure refuses ({address} {what} {written})
    quiet: bool = False  # read as written, without a note: a flag, or a string


def at(
    *paths: str, what: str = "", subnet: bool = False, invalid: str = "", quiet: bool = False
) -> Field:
    """A field at one or more dotted paths (a singular and a plural property read together)."""
    split = tuple(
        tuple(int(key) if key.isdecimal() else key for key in path.split(".")) for path in paths
    )
    return Field(split, what or paths[0], subnet, invalid, quiet)


def _subnets(path: str) -> Field:
    """Links to subnets at a path (`*`: every item of a list), each noted when not deployed."""
    return at(path, what="subnet", subnet=True)


class Entries(Struct, frozen=True):
    """Entries written inside a resource: where they are and how each is addressed."""

    path: str  # the list in properties
    kind: str  # their provider kind
    segment: str  # the child type in their address (`subnets`)
    what: str  # their name, in a note when it is unknown
    remember: bool = False  # ids may name them in another spelling: remember this one
    unnamed: str | None = None  # the name of one whose name is not known (None: skipped)
    single: bool = False  # one object (named `unnamed`), not a list
    flat: bool = False  # its fields are in the object itself, not in its `properties`
    anonymous: bool = False  # not named: each is addressed as its resource
    noted: bool = True  # a list whose value is unknown is noted (else: none are written)


class Kind(Struct, frozen=True):
    """An ARM resource type as a provider kind."""

    kind: str
    type: str | None = None  # the element's type when not the resource's own spelling
    # A child resource: the field that links to its parent, and its segment in the address.
    parent: tuple[str, str] | None = None
    origin_at_properties: bool = False  # its element is placed where its properties are
    entries: dict[str, Entries] = field(default_factory=dict)


NSG_RULE_TYPE = "Microsoft.Network/networkSecurityGroups/securityRules"
SUBNET_TYPE = "Microsoft.Network/virtualNetworks/subnets"
PEERING_TYPE = "Microsoft.Network/virtualNetworks/virtualNetworkPeerings"
ROUTE_TYPE = "Microsoft.Network/routeTables/routes"
CLIENTS_TYPE = "Microsoft.Network/virtualNetworkGateways/vpnClientConfiguration"
_PORTS = "{address} {what} {written!r} is not a port range"
_POLICIES = (
    "{address} {what} {written!r} is none of Disabled, Enabled, NetworkSecurityGroupEnabled, "
    "RouteTableEnabled: whether its NSG filters its private endpoints is unknown"
)

TYPES: dict[str, Kind] = {
    "microsoft.network/virtualnetworks": Kind(
        "virtual_network",
        entries={
            "subnets": Entries("subnets", "subnet", "subnets", "subnet name", remember=True),
            "peerings": Entries(
                "virtualNetworkPeerings",
                "peering",
                "virtualNetworkPeerings",
                "peering name",
                remember=True,
            ),
        },
    ),
    "microsoft.network/virtualnetworks/subnets": Kind(
        "subnet", type=SUBNET_TYPE, parent=("network", "subnets")
    ),
    "microsoft.network/virtualnetworks/virtualnetworkpeerings": Kind(
        "peering", type=PEERING_TYPE, parent=("network", "virtualNetworkPeerings")
    ),
    "microsoft.network/networksecuritygroups": Kind(
        "network_security_group",
        entries={
            "rules": Entries(
                "securityRules", "security_rule", "securityRules", "security rule name"
            )
        },
    ),
    "microsoft.network/networksecuritygroups/securityrules": Kind(
        "security_rule",
        type=NSG_RULE_TYPE,
        parent=("network_security_group", "securityRules"),
        origin_at_properties=True,
    ),
    "microsoft.network/applicationsecuritygroups": Kind("application_security_group"),
    "microsoft.network/virtualnetworkgateways": Kind(
        "virtual_network_gateway",
        entries={
            "client_pools": Entries(
                "vpnClientConfiguration.vpnClientAddressPool",
                "client_pool",
                "vpnClientConfiguration",
                "",
                unnamed="clients",
                single=True,
                flat=True,
            )
        },
    ),
    "microsoft.network/natgateways": Kind("nat_gateway"),
    "microsoft.network/bastionhosts": Kind(
        "bastion_host",
        entries={
            "ip_configurations": Entries(
                "ipConfigurations", "ip_configuration", "", "", anonymous=True, noted=False
            )
        },
    ),
    "microsoft.network/azurefirewalls": Kind(
        "firewall",
        entries={
            "ip_configurations": Entries(
                "ipConfigurations", "ip_configuration", "", "", anonymous=True, noted=False
            )
        },
    ),
    "microsoft.network/connections": Kind("connection"),
    "microsoft.network/localnetworkgateways": Kind(
        "local_network_gateway",
        entries={
            "bgp": Entries(
                "bgpSettings", "bgp", "bgpSettings", "", unnamed="bgpSettings", single=True
            )
        },
    ),
    "microsoft.network/expressroutecircuits": Kind("express_route_circuit"),
    "microsoft.network/privateendpoints": Kind(
        "private_endpoint",
        entries={
            "ip_configurations": Entries(
                "ipConfigurations", "ip_configuration", "", "", anonymous=True, noted=False
            ),
            "connections": Entries(
                "privateLinkServiceConnections", "service_connection", "", "", anonymous=True
            ),
            "manual_connections": Entries(
                "manualPrivateLinkServiceConnections",
                "service_connection",
                "",
                "",
                anonymous=True,
            ),
        },
    ),
    "microsoft.network/privatelinkservices": Kind(
        "private_link_service",
        entries={
            "ip_configurations": Entries(
                "ipConfigurations", "ip_configuration", "", "", anonymous=True, noted=False
            )
        },
    ),
    "microsoft.sql/managedinstances": Kind("sql_managed_instance"),
    "microsoft.cache/redis": Kind("redis_cache"),
    "microsoft.containerservice/managedclusters": Kind("kubernetes_cluster"),
    "microsoft.containerinstance/containergroups": Kind("container_group"),
    "microsoft.apimanagement/service": Kind("api_management"),
    "microsoft.web/hostingenvironments": Kind("app_service_environment"),
    "microsoft.network/routetables": Kind(
        "route_table",
        entries={"routes": Entries("routes", "route", "routes", "route name", unnamed="route")},
    ),
    "microsoft.network/routetables/routes": Kind(
        "route", type=ROUTE_TYPE, parent=("route_table", "routes"), origin_at_properties=True
    ),
}

# Kinds written only inside another resource.
ENTRY_KINDS: dict[str, Kind] = {
    "client_pool": Kind("client_pool", type=CLIENTS_TYPE),
    "bgp": Kind("bgp"),
    "ip_configuration": Kind("ip_configuration"),
    "service_connection": Kind("service_connection"),
}

FIELDS: dict[str, dict[str, Field]] = {
    "virtual_network": {
        "address_space": at("addressSpace.addressPrefixes"),
        "ipam_pool": at("ipamPoolPrefixAllocations"),
    },
    "peering": {
        "remote_network": at("remoteVirtualNetwork"),
        "allow_forwarded_traffic": at("allowForwardedTraffic", quiet=True),
        "allow_gateway_transit": at("allowGatewayTransit", quiet=True),
        "use_remote_gateways": at("useRemoteGateways", quiet=True),
        "allow_network_access": at("allowVirtualNetworkAccess", quiet=True),
    },
    "subnet": {
        "address_prefixes": at("addressPrefix", "addressPrefixes", what="{address} addressPrefix"),
        "ipam_pool": at("ipamPoolPrefixAllocations"),
        "security_group": at("networkSecurityGroup"),
        "route_table": at("routeTable"),
        "nat_gateway": at("natGateway"),
        "default_outbound_access": at("defaultOutboundAccess"),
        "private_endpoint_policies": at("privateEndpointNetworkPolicies", invalid=_POLICIES),
    },
    "virtual_network_gateway": {
        "subnet": at("ipConfigurations.0.properties.subnet", what="subnet", subnet=True)
    },
    "client_pool": {"address_prefixes": at("addressPrefixes", what="vpnClientAddressPool")},
    "connection": {
        "connection_type": at("connectionType", quiet=True),
        "gateway": at("virtualNetworkGateway1"),
        "local_gateway": at("localNetworkGateway2"),
        "circuit": at("peer"),
    },
    "local_network_gateway": {"address_space": at("localNetworkAddressSpace.addressPrefixes")},
    "private_endpoint": {
        "subnet": at("subnet", what="subnet", subnet=True),
        "application_security_groups": at("applicationSecurityGroups"),
    },
    "private_link_service": {
        "frontends": at("loadBalancerFrontendIpConfigurations"),
        "subnet": at("ipConfigurations.0.properties.subnet", what="subnet", subnet=True),
    },
    "service_connection": {"service": at("privateLinkServiceId")},
    "ip_configuration": {
        "private_ip": at("privateIPAddress"),
        "public_ip": at("publicIPAddress", quiet=True),
    },
    "bastion_host": {
        "subnet": at("ipConfigurations.0.properties.subnet", what="subnet", subnet=True),
        "public_ip": at("ipConfigurations.0.properties.publicIPAddress", what="publicIPAddress"),
        "network": at("virtualNetwork"),
    },
    "firewall": {
        "subnet": at("ipConfigurations.0.properties.subnet", what="subnet", subnet=True),
        "virtual_hub": at("virtualHub", quiet=True),
    },
    "sql_managed_instance": {"subnets": _subnets("subnetId")},
    "redis_cache": {"subnets": _subnets("subnetId"), "static_ip": at("staticIP", quiet=True)},
    "kubernetes_cluster": {"subnets": _subnets("agentPoolProfiles.*.vnetSubnetID")},
    "container_group": {"subnets": _subnets("subnetIds.*.id")},
    "api_management": {"subnets": _subnets("virtualNetworkConfiguration.subnetResourceId")},
    "app_service_environment": {"subnets": _subnets("virtualNetwork.id")},
    "route_table": {"disable_bgp_route_propagation": at("disableBgpRoutePropagation")},
    "route": {
        "address_prefix": at("addressPrefix", what="{address} addressPrefix"),
        "next_hop_type": at("nextHopType", what="{address} nextHopType"),
        "next_hop_ip": at("nextHopIpAddress", what="{address} nextHopIpAddress"),
    },
    "security_rule": {
        "priority": at("priority", what="security rule {name} priority"),
        "direction": at("direction", what="security rule {name} direction"),
        "access": at("access", what="security rule {name} access"),
        "protocol": at("protocol", what="security rule {name} protocol"),
        "source_addresses": at("sourceAddressPrefix", "sourceAddressPrefixes"),
        "destination_addresses": at("destinationAddressPrefix", "destinationAddressPrefixes"),
        "source_application_security_groups": at("sourceApplicationSecurityGroups"),
        "destination_application_security_groups": at("destinationApplicationSecurityGroups"),
        "source_ports": at("sourcePortRange", "sourcePortRanges", invalid=_PORTS),
        "destination_ports": at("destinationPortRange", "destinationPortRanges", invalid=_PORTS),
    },
}

SETTINGS = Settings(
    sort_default_rules_in=True,
    rule_without_group="its NSG {group} is not deployed by this template; rule skipped",
    inline_and_separate_rules=None,
    read_rule_side_by_side=True,
    dedupe_subnet_ranges=False,
    name_unresolved_subnet_links=False,
    subnet_without_network="its virtual network {network} is not deployed by this template; its "
    "address space is unknown",
    pair_all_declarations=True,
    subnets_from_model=True,
    name_unknown_subnet_on_endpoint=False,
    private_endpoint_policies_default="Disabled",
    sites_from_connections=False,
    name_unknown_gateway_network=True,
    point_to_site_with_gateway=True,
    client_pool_unknown_ranges=True,
    nat_public_from_associations=False,
    nat_without_subnet="no subnet in the template uses this NAT gateway",
    note_bgp_after_routes=False,
    keep_incomplete_routes=False,
    route_notes_here=True,
    normalise_addresses=False,
    check_next_hop_ip=False,
    hop_by_reference=False,
    check_appliance=True,
    gateway_through_peering=True,
    inline_and_separate_routes=None,
    route_without_table="its route table {table} is not modelled; route skipped",
    developer_bastion=True,
    bastion_public_by_itself=False,
    public_ip_default_sku="Basic",
    unknown_rule_action_undecidable=True,
    firewall_address_of_first_only=True,
    firewall_public_from_address=False,
    firewall_address_unknown=("private_ips", None),
    firewall_subnet_not_named=None,
    network_type="Microsoft.Network/virtualNetworks",
    subnet_type="Microsoft.Network/virtualNetworks/subnets",
    nsg_type="Microsoft.Network/networkSecurityGroups",
    notes={
        "firewall first address": "its private address is taken to be {ip}, the first address "
        "Azure hands out in AzureFirewallSubnet (it reserves four)",
        "peer outside": "the peered network {remote} is outside the template; the peering is "
        "taken as connected",
        "no peering back": "{remote} has no peering back to {local} in the template; the "
        "peering is not connected",
        "no network access": "allowVirtualNetworkAccess is false; no traffic passes",
        "table unused": "no subnet in the template uses this route table; not modelled",
        "vnet2vnet": "a VNet-to-VNet connection is not modelled",
        "no far end": "the connection names no local network gateway or circuit",
        "bgp": "BGP may advertise more on-premises ranges than its address space lists",
        "circuit ranges": "the on-premises ranges behind an ExpressRoute circuit are learned by "
        "BGP; they are unknown here",
        "not connected": "no connection in the template joins it to a virtual network gateway",
        "several gateways": "it is connected to several gateways; modelled behind {gateway}",
        "no bgp": "it stops routes learned by the VPN gateway (BGP) from reaching its subnets",
        "route incomplete": "route {address} has no known prefix or next hop; skipped",
        "service tag": "route {address} is for service tag {prefix}; not modelled",
        "unknown hop": "route {address} has next hop type {hop!r}; its target is unknown",
        "no vpn gateway": "route {address} points at a VPN gateway that the template does not "
        "deploy in {network}",
        "no ip forwarding": "route {address} sends traffic to {ip} on {interface}, which does "
        "not enable IP forwarding: Azure drops what it would forward",
        "no appliance": "route {address} points at {ip}, which no resource in the template has",
        "balancer without ha ports": "route {address} sends traffic to {ip}, a frontend of "
        "{balancer}, which has no HA ports rule there: it passes on only the ports its rules name",
        "backends without ip forwarding": "route {address} sends traffic to {ip}, a frontend of "
        "{balancer}, whose backends do not enable IP forwarding: Azure drops what they would "
        "forward",
        "private endpoint policies off": "the private endpoint network policies of {subnet} "
        "leave NSGs out: its NSG {nsg} does not filter traffic to this private endpoint",
    },
)
