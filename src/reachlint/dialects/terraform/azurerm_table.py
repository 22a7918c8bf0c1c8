"""azurerm's vocabulary for the Azure provider: which resource type is which kind, what each
attribute is called.

Start here to add a resource type. `TYPES` maps an azurerm resource type to the kind of
resource the provider knows (`providers/azure/resources.py`); `FIELDS` says, for each kind,
which attributes hold the provider's fields (one or more, read together: `address_prefix` and
`address_prefixes`), what a link may point at, and how a note names them. `ENTRIES` says which
blocks hold entries written inside a resource (inline subnets, rules).
"""

from __future__ import annotations

from msgspec import Struct

from reachlint.providers.azure.resources import Settings


class Field(Struct, frozen=True):
    """Which attributes hold one provider field."""

    names: tuple[str, ...]
    types: frozenset[str] | None = None  # a link: the types it may name (None: any)
    what: str = "resource"  # a link: what it names, in a note
    by_name: bool = False  # a link by name (`virtual_network_name`), in the same group
    assume_only: str = ""  # unknown link: the only resource of its types is assumed; the note
    unresolved: str = ""  # the note for a link that cannot be resolved ({path} {what})
    missing: str = ""  # the note for a value that must be known but is not ({path} {name})
    invalid: str = ""  # the note for a value Azure refuses ({path} {written})
    resolver: str = ""  # a link read its own way: the `TfLinks` method that reads it
    required: bool = False  # the provider schema requires it: always given


def attr(*names: str, **how: object) -> Field:
    return Field(names, **how)  # type: ignore[arg-type]


class Entries(Struct, frozen=True):
    block: str  # the nested block's name
    kind: str  # the entries' provider kind
    fields: str  # the key of their fields in FIELDS
    # How each is addressed ({parent}, {name}: only named ones count); none: its resource's.
    address: str = ""


# What a link may name: the azurerm types of each Azure resource type.
VNET_TYPES = frozenset({"azurerm_virtual_network"})
SUBNET_TYPES = frozenset({"azurerm_subnet"})
NSG_TYPES = frozenset({"azurerm_network_security_group"})
ASG_TYPES = frozenset({"azurerm_application_security_group"})
NIC_TYPES = frozenset({"azurerm_network_interface"})
PIP_TYPES = frozenset({"azurerm_public_ip"})
PIP_PREFIX_TYPES = frozenset({"azurerm_public_ip_prefix"})
VM_TYPES = frozenset(
    {"azurerm_linux_virtual_machine", "azurerm_windows_virtual_machine", "azurerm_virtual_machine"}
)
SCALE_SET_TYPES = frozenset(
    {
        "azurerm_linux_virtual_machine_scale_set",
        "azurerm_windows_virtual_machine_scale_set",
        "azurerm_orchestrated_virtual_machine_scale_set",
        "azurerm_virtual_machine_scale_set",
    }
)
LB_TYPES = frozenset({"azurerm_lb"})
POOL_TYPES = frozenset({"azurerm_lb_backend_address_pool"})
NAT_RULE_TYPES = frozenset({"azurerm_lb_nat_rule", "azurerm_lb_nat_pool"})
APP_GATEWAY_TYPES = frozenset({"azurerm_application_gateway"})
ROUTE_TABLE_TYPES = frozenset({"azurerm_route_table"})
VNG_TYPES = frozenset({"azurerm_virtual_network_gateway"})
LNG_TYPES = frozenset({"azurerm_local_network_gateway"})
CIRCUIT_TYPES = frozenset({"azurerm_express_route_circuit"})
NAT_GATEWAY_TYPES = frozenset({"azurerm_nat_gateway"})
FIREWALL_TYPES = frozenset({"azurerm_firewall"})
PRIVATE_LINK_TYPES = frozenset({"azurerm_private_link_service"})

# A subnet link may name the VNet when the subnet is an inline block of it.
SUBNET_LINK_TYPES = SUBNET_TYPES | VNET_TYPES

TYPES: dict[str, str] = {
    "azurerm_virtual_network": "virtual_network",
    "azurerm_subnet": "subnet",
    "azurerm_virtual_network_peering": "peering",
    "azurerm_subnet_network_security_group_association": "subnet_association",
    "azurerm_subnet_route_table_association": "subnet_association",
    "azurerm_subnet_nat_gateway_association": "subnet_association",
    "azurerm_network_security_group": "network_security_group",
    "azurerm_network_security_rule": "security_rule",
    "azurerm_application_security_group": "application_security_group",
    "azurerm_virtual_network_gateway": "virtual_network_gateway",
    "azurerm_nat_gateway": "nat_gateway",
    "azurerm_firewall": "firewall",
    "azurerm_bastion_host": "bastion_host",
    "azurerm_nat_gateway_public_ip_association": "nat_gateway_public_ip",
    "azurerm_nat_gateway_public_ip_prefix_association": "nat_gateway_public_ip",
    "azurerm_virtual_network_gateway_connection": "connection",
    "azurerm_local_network_gateway": "local_network_gateway",
    "azurerm_express_route_circuit": "express_route_circuit",
    "azurerm_private_endpoint": "private_endpoint",
    "azurerm_private_link_service": "private_link_service",
    "azurerm_route_table": "route_table",
    "azurerm_route": "route",
}

# Data sources read like resources: an existing network or subnet, with the fields they have.
DATA: dict[str, str] = {
    "azurerm_virtual_network": "virtual_network",
    "azurerm_subnet": "subnet",
}

ENTRIES: dict[str, dict[str, Entries]] = {
    "azurerm_virtual_network": {
        "subnets": Entries(
            "subnet", "subnet", "azurerm_virtual_network.subnet", address="{parent}/subnet/{name}"
        ),
    },
    "azurerm_network_security_group": {
        "rules": Entries("security_rule", "security_rule", "azurerm_network_security_rule")
    },
    "azurerm_virtual_network_gateway": {
        "client_pools": Entries(
            "vpn_client_configuration",
            "client_pool",
            "azurerm_virtual_network_gateway.vpn_client_configuration",
            address="{parent}/vpn_client_configuration",
        )
    },
    "azurerm_local_network_gateway": {"bgp": Entries("bgp_settings", "bgp", "")},
    "azurerm_private_endpoint": {
        "ip_configurations": Entries(
            "ip_configuration", "ip_configuration", "azurerm_private_endpoint.ip_configuration"
        ),
        "connections": Entries(
            "private_service_connection",
            "service_connection",
            "azurerm_private_endpoint.private_service_connection",
        ),
    },
    "azurerm_private_link_service": {
        "ip_configurations": Entries(
            "nat_ip_configuration",
            "ip_configuration",
            "azurerm_private_link_service.nat_ip_configuration",
        )
    },
    "azurerm_route_table": {"routes": Entries("route", "route", "azurerm_route_table.route")},
    "azurerm_firewall": {
        "ip_configurations": Entries(
            "ip_configuration", "ip_configuration", "azurerm_firewall.ip_configuration"
        )
    },
}

_RULE_UNKNOWN = "{path} of rule {name} is known only after apply"
_GROUPS = "{path} names {what}"
_PORTS = "{path} holds {written}, which is not a port range"
_POLICIES = (
    "{path} holds {written}, none of Disabled, Enabled, NetworkSecurityGroupEnabled, "
    "RouteTableEnabled: whether its NSG filters its private endpoints is unknown"
)

_SUBNET = {
    "address_prefixes": attr("address_prefixes", "address_prefix"),
    "default_outbound_access": attr("default_outbound_access_enabled"),
    "private_endpoint_policies": attr("private_endpoint_network_policies", invalid=_POLICIES),
    "private_endpoint_policies_enabled": attr("private_endpoint_network_policies_enabled"),
}
_LOCAL_GATEWAY = {"address_space": attr("address_space")}
_NAT_PUBLIC = {"nat_gateway": attr("nat_gateway_id", types=NAT_GATEWAY_TYPES, what="NAT gateway")}
_ROUTE = {
    "address_prefix": attr("address_prefix"),
    "next_hop_type": attr("next_hop_type"),
    "next_hop_ip": attr("next_hop_in_ip_address"),
}
_IN_NETWORK = attr("virtual_network_name", resolver="network_of_subnet")
_ASSOCIATED_SUBNET = attr("subnet_id", resolver="subnet_of")

FIELDS: dict[str, dict[str, Field]] = {
    "azurerm_virtual_network": {"address_space": attr("address_space")},
    "azurerm_virtual_network.subnet": _SUBNET,
    "azurerm_subnet": {"network": _IN_NETWORK, **_SUBNET},
    # An existing subnet says which NSG and route table it has.
    "data.azurerm_subnet": {
        "network": _IN_NETWORK,
        **_SUBNET,
        "security_group": attr(
            "network_security_group_id", types=NSG_TYPES, what="network_security_group"
        ),
        "route_table": attr("route_table_id", types=ROUTE_TABLE_TYPES, what="route_table"),
    },
    "azurerm_virtual_network.subnet_association": {
        "security_group": attr("security_group", types=NSG_TYPES, what="network security group"),
        "route_table": attr("route_table_id", types=ROUTE_TABLE_TYPES, what="route table"),
    },
    "azurerm_subnet_network_security_group_association": {
        "subnet": _ASSOCIATED_SUBNET,
        "security_group": attr(
            "network_security_group_id",
            types=NSG_TYPES,
            what="network security group",
            required=True,
        ),
    },
    "azurerm_subnet_route_table_association": {
        "subnet": _ASSOCIATED_SUBNET,
        "route_table": attr(
            "route_table_id", types=ROUTE_TABLE_TYPES, what="route table", required=True
        ),
    },
    "azurerm_subnet_nat_gateway_association": {
        "subnet": _ASSOCIATED_SUBNET,
        "nat_gateway": attr(
            "nat_gateway_id", types=NAT_GATEWAY_TYPES, what="NAT gateway", required=True
        ),
    },
    "azurerm_virtual_network_peering": {
        "network": attr(
            "virtual_network_name", types=VNET_TYPES, what="virtual network", by_name=True
        ),
        "remote_network": attr("remote_virtual_network_id", resolver="remote_network"),
        "allow_forwarded_traffic": attr("allow_forwarded_traffic"),
        "allow_gateway_transit": attr("allow_gateway_transit"),
        "use_remote_gateways": attr("use_remote_gateways"),
        "allow_network_access": attr("allow_virtual_network_access"),
    },
    "azurerm_virtual_network_gateway": {
        "subnet": attr("ip_configuration", resolver="gateway_subnet")
    },
    "azurerm_virtual_network_gateway.vpn_client_configuration": {
        "address_prefixes": attr("address_space")
    },
    "azurerm_virtual_network_gateway_connection": {
        "connection_type": attr("type"),
        "gateway": attr(
            "virtual_network_gateway_id", types=VNG_TYPES, what="virtual network gateway"
        ),
        "local_gateway": attr(
            "local_network_gateway_id", types=LNG_TYPES, what="local network gateway"
        ),
        "circuit": attr("express_route_circuit_id", types=CIRCUIT_TYPES, what="circuit"),
    },
    "azurerm_local_network_gateway": _LOCAL_GATEWAY,
    "data.azurerm_local_network_gateway": _LOCAL_GATEWAY,
    "azurerm_nat_gateway_public_ip_association": _NAT_PUBLIC,
    "azurerm_nat_gateway_public_ip_prefix_association": _NAT_PUBLIC,
    "azurerm_private_endpoint": {"subnet": attr("subnet_id", resolver="subnet_of")},
    "azurerm_private_endpoint.ip_configuration": {"private_ip": attr("private_ip_address")},
    "azurerm_private_endpoint.private_service_connection": {
        "service": attr(
            "private_connection_resource_id", types=PRIVATE_LINK_TYPES, what="Private Link service"
        ),
        "manual": attr("is_manual_connection"),
    },
    "azurerm_private_link_service": {
        "frontends": attr(
            "load_balancer_frontend_ip_configuration_ids", types=LB_TYPES, what="load balancer"
        ),
        "subnet": attr("nat_ip_configuration.0.subnet_id", resolver="subnet_of"),
    },
    "azurerm_private_link_service.nat_ip_configuration": {"private_ip": attr("private_ip_address")},
    "azurerm_firewall": {"subnet": attr("ip_configuration", resolver="gateway_subnet")},
    "azurerm_bastion_host": {"subnet": attr("ip_configuration", resolver="gateway_subnet")},
    "azurerm_firewall.ip_configuration": {
        "private_ip": attr("private_ip_address"),
        "public_ip": attr("public_ip_address_id"),
    },
    "azurerm_route_table": {
        "disable_bgp_route_propagation": attr("disable_bgp_route_propagation"),
        "bgp_route_propagation": attr("bgp_route_propagation_enabled"),
    },
    "azurerm_route_table.route": _ROUTE,
    "azurerm_route": {
        "route_table": attr(
            "route_table_name", types=ROUTE_TABLE_TYPES, what="route table", by_name=True
        ),
        **_ROUTE,
    },
    "azurerm_network_security_rule": {
        "priority": attr("priority", missing=_RULE_UNKNOWN),
        "direction": attr("direction", missing=_RULE_UNKNOWN),
        "access": attr("access", missing=_RULE_UNKNOWN),
        "protocol": attr("protocol", missing=_RULE_UNKNOWN),
        "network_security_group": attr(
            "network_security_group_name",
            types=NSG_TYPES,
            what="network security group",
            by_name=True,
            assume_only="assumed {address}, the only network security group in the input",
        ),
        "source_addresses": attr("source_address_prefix", "source_address_prefixes"),
        "destination_addresses": attr("destination_address_prefix", "destination_address_prefixes"),
        "source_application_security_groups": attr(
            "source_application_security_group_ids",
            types=ASG_TYPES,
            what="application security group",
            unresolved=_GROUPS,
        ),
        "destination_application_security_groups": attr(
            "destination_application_security_group_ids",
            types=ASG_TYPES,
            what="application security group",
            unresolved=_GROUPS,
        ),
        "source_ports": attr("source_port_range", "source_port_ranges", invalid=_PORTS),
        "destination_ports": attr(
            "destination_port_range", "destination_port_ranges", invalid=_PORTS
        ),
    },
}

SETTINGS = Settings(
    sort_default_rules_in=False,
    rule_without_group=None,
    inline_and_separate_rules="{group} also has inline security_rule blocks; Azure keeps "
    "whichever is applied last, so both are modelled",
    read_rule_side_by_side=False,
    dedupe_subnet_ranges=True,
    name_unresolved_subnet_links=True,
    subnet_without_network=None,
    pair_all_declarations=False,
    subnets_from_model=False,
    name_unknown_subnet_on_endpoint=True,
    private_endpoint_policies_default=None,
    sites_from_connections=True,
    name_unknown_gateway_network=False,
    point_to_site_with_gateway=False,
    client_pool_unknown_ranges=False,
    nat_public_from_associations=True,
    nat_without_subnet=None,
    note_bgp_after_routes=True,
    keep_incomplete_routes=True,
    route_notes_here=False,
    normalise_addresses=True,
    check_next_hop_ip=True,
    hop_by_reference=True,
    check_appliance=False,
    gateway_through_peering=False,
    inline_and_separate_routes="has inline route blocks and azurerm_route resources; Azure keeps "
    "whichever is applied last, so both are modelled",
    route_without_table=None,
    developer_bastion=False,
    bastion_public_by_itself=True,
    public_ip_default_sku=None,
    unknown_rule_action_undecidable=False,
    firewall_address_of_first_only=False,
    firewall_public_from_address=True,
    firewall_address_unknown=("private_ip_address", "its private IP is unknown"),
    firewall_subnet_not_named="{subnet} is not named AzureFirewallSubnet; Azure rejects this",
    network_type="azurerm_virtual_network",
    subnet_type="azurerm_subnet",
    nsg_type="azurerm_network_security_group",
    notes={
        "firewall first address": "its private IP is known only after apply; assumed {ip}, the "
        "first address Azure hands out in {subnet}",
        "no peering back": "no peering from {remote} back to {local} is in the input: traffic "
        "does not flow until both directions exist",
        "no network access": "allow_virtual_network_access is off: it carries nothing",
        "table unused": "no subnet in the input uses it; it routes nothing",
        "no nat public ip": "no public IP is associated: it gives no internet egress",
        "vnet2vnet": "VNet-to-VNet connections are not modelled",
        "circuit ranges": "ExpressRoute: the on-premises prefixes are learned over BGP and "
        "unknown here",
        "unknown connection type": "type is not known; connection not modelled",
        "not connected": "no connection uses it; it reaches nothing",
        "second connection": "{site} is already connected through {gateway}; this second "
        "connection is not modelled",
        "bgp ranges": "its prefixes are learned over BGP and unknown here",
        "empty address space": "address_space is empty: nothing on-premises is reachable",
        "private endpoint policies off": "{subnet} has private endpoint network policies off, "
        "so its NSG {nsg} does not filter traffic to this private endpoint",
        "no bgp": "BGP route propagation is off: routes the gateway learns do not reach its "
        "subnets",
        "service tag": "{path}address_prefix {prefix} is a service tag; not modelled",
        "unknown hop": "{path}next_hop_type is not known",
        "no vpn gateway": "{path}next hop: {network} has no virtual network gateway in the input",
        "no hop address": "{path}next_hop_in_ip_address is not known",
    },
)
