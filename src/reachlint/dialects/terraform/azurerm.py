"""Azure semantics for Terraform resources: azurerm `TfResource` records in, the network model out.

The Azure provider (`providers/azure`) builds networks, subnets, NSGs, peerings, routes,
gateways, firewalls' placement, on-premises ends and private endpoints from `azurerm_table`
through `azurerm_reading`, in the order `build_azurerm_model` runs the readers (notes follow
it). Still read in azurerm's terms: network interfaces, machines, scale sets, Bastion and their
public IPs (`azurerm_compute`), load balancers and application gateways (`azurerm_balancers`),
and firewall rules (`azurerm_firewall`). Links follow `azurerm_links`; what cannot
be resolved is recorded on the element and in a note.
"""

from __future__ import annotations

from reachlint.dialects.terraform.azurerm_balancers import AzurermBalancers
from reachlint.dialects.terraform.azurerm_compute import AzurermCompute
from reachlint.dialects.terraform.azurerm_firewall import RULE_TYPES, AzurermFirewalls
from reachlint.dialects.terraform.azurerm_links import NOTE_SAMPLE, AzurermLinks
from reachlint.dialects.terraform.azurerm_reading import TfInput
from reachlint.dialects.terraform.azurerm_table import SCALE_SET_TYPES, VM_TYPES
from reachlint.formats.terraform.records import TfResource
from reachlint.formats.terraform.versions import Requirement, installs_at_least
from reachlint.model.network import NetworkModel
from reachlint.providers.azure import compute as azure_compute
from reachlint.providers.azure import connections as azure_connections
from reachlint.providers.azure import gateways as azure_gateways
from reachlint.providers.azure import load_balancers as azure_load_balancers
from reachlint.providers.azure import networks as azure_networks
from reachlint.providers.azure import nsgs as azure_nsgs
from reachlint.providers.azure import peerings as azure_peerings
from reachlint.providers.azure import placement as azure_placement
from reachlint.providers.azure import private_link as azure_private_link
from reachlint.providers.azure import routes as azure_routes
from reachlint.providers.azure.resources import Build

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
        *RULE_TYPES,
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
        "azurerm_private_link_service",
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


def default_sku(version: Requirement | None) -> str | None:
    """The SKU of a public IP or load balancer that does not write one: "The `sku` property now
    defaults to `Standard`" in azurerm 4.0 for both, Basic before; None when the version
    Terraform installs is not known."""
    if version is None:
        return None
    newer = installs_at_least(version, (4, 0, 0))
    return None if newer is None else "Standard" if newer else "Basic"


def build_azurerm_model(
    resources: list[TfResource],
    ids: dict[str, str] | None = None,
    source: str = "",
    version: Requirement | None = None,
) -> NetworkModel:
    """The network model of these azurerm resources, with Azure's implicit behaviour explicit.

    `ids` maps known Azure resource ids of resources in the input to their addresses; `version`
    is what a configuration says of the provider's version (a plan records the values the
    provider fills in).
    """
    links = AzurermLinks(resources, ids or {})
    if source:
        links.model.inputs.append(source)
    tf = TfInput(links, default_sku(version))
    build = Build(tf)
    azure_networks.virtual_networks(build)
    azure_networks.subnets(build)
    tf.drop_listed_twins()
    azure_nsgs.application_security_groups(tf)
    azure_nsgs.security_groups(tf)
    azure_networks.associations(build)
    azure_gateways.virtual_network_gateways(build)
    azure_gateways.nat_gateways(build)
    firewalls = AzurermFirewalls(tf, build)
    firewalls.firewalls()
    firewalls.firewall_rules()
    compute = AzurermCompute(tf)
    compute.network_interfaces()
    compute.virtual_machines()
    compute.scale_sets()
    compute.unowned_interfaces()
    compute.public_ips()
    balancers = AzurermBalancers(links, compute)
    balancers.load_balancers()
    balancers.application_gateways()
    azure_load_balancers.default_outbound(build.model)
    azure_compute.bastions(build, compute.bastion_public_ip)
    azure_compute.private_endpoints(build)
    azure_private_link.private_link_services(build)
    azure_placement.place_interfaces(build)
    azure_routes.route_tables(build)
    azure_gateways.points_to_site(build)
    azure_connections.on_premises(build)
    azure_peerings.sides(build)
    azure_peerings.connect(build)
    _unmodelled(links)
    return links.model


def _unmodelled(links: AzurermLinks) -> None:
    for type_name in sorted(links.idx.managed):
        if type_name in HANDLED_TYPES or not type_name.startswith("azurerm_"):
            continue
        resources = links.idx.managed[type_name]
        sample = ", ".join(r.address for r in resources[:NOTE_SAMPLE])
        more = f" and {len(resources) - NOTE_SAMPLE} more" if len(resources) > NOTE_SAMPLE else ""
        if type_name.startswith(_NETWORK_ADJACENT_PREFIXES):
            why = "may affect reachability but is not modelled"
        else:
            why = "not modelled"
        links.model.note(
            f"{len(resources)} {type_name} resource(s) {why}: {sample}{more}",
            origin=resources[0].origin,
        )
