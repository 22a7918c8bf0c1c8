"""AWS's network model from an input's resources, domain by domain, in the order each needs.

Networks, subnets, groups, ACLs and tables come first, then what AWS gives every VPC (so that
what links to a default element finds it), then what is written apart from its parent,
gateways, and last the endpoints, which sit in all of them.
"""

from __future__ import annotations

from reachlint.model.network import NetworkModel
from reachlint.providers.aws import (
    compute,
    data_stores,
    exposure,
    firewall,
    gateways,
    load_balancers,
    network_acls,
    networks,
    routing,
    security_groups,
)
from reachlint.providers.aws.source import Inventory
from reachlint.providers.aws.state import Build


def build(inv: Inventory, model: NetworkModel) -> None:
    """Add every resource of `inv` to `model`, with AWS's implicit defaults made explicit."""
    b = Build(inv, model)
    networks.add_networks(b)
    networks.add_subnets(b)
    security_groups.add_groups(b)
    network_acls.add_acls(b)
    routing.add_route_tables(b)
    for address in list(model.networks):
        networks.complete_network(b, address)
    b.defaults_done = True
    security_groups.add_rules(b)
    network_acls.add_entries_and_associations(b)
    routing.add_routes_and_associations(b)
    gateways.add_gateways(b)
    firewall.add_firewalls(b)
    routing.add_prefix_lists(b)
    gateways.add_peerings(b)
    gateways.add_transit(b)
    gateways.add_vpn(b)
    routing.choose_unknown_targets(b)
    _endpoints(b)
    routing.add_forwarders(b)
    security_groups.add_source_groups(b)
    load_balancers.add_listeners_and_targets(b)
    exposure.add_elastic_ips(b)
    compute.add_group_attachments(b)


def _endpoints(b: Build) -> None:
    compute.add_interfaces_and_instances(b)
    for resource in b.inv.of("load-balancer"):
        load_balancers.add_load_balancer(b, resource)
    for resource in b.inv.of("classic-load-balancer"):
        load_balancers.add_classic_load_balancer(b, resource)
    data_stores.add_data_stores(b)
    for resource in b.inv.of("lambda-function"):
        compute.add_function(b, resource)
    for resource in b.inv.of("ecs-service"):
        compute.add_service(b, resource)
    for resource in b.inv.of("autoscaling-group"):
        compute.add_auto_scaling_group(b, resource)
    for resource in b.inv.of("vpc-endpoint"):
        compute.add_interface_endpoint(b, resource)
