"""`reachlint query` on every SPEC §4 fact fixture and the scenarios: the verdict, the traffic
and path when reachable, and the blocking component and reason when not."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from reachlint.commands.cli import app
from reachlint.commands.design.query import Question, ask, run_query, wanted_traffic
from reachlint.commands.design.selector_text import parse_cli_selector
from reachlint.engine.analysis import Analysis
from reachlint.errors import InputError
from reachlint.reports.text import traffic_text
from tests.design.support import FIXTURES
from tests.engine.azure_builder import AzureNet, rule


@dataclass(frozen=True)
class Case:
    fixture: str
    source: str
    destination: str
    protocol: str | None = None
    port: str | None = None
    # Reachable: the traffic that gets through and addresses on a path that carries it.
    traffic: str | None = None
    through: tuple[str, ...] = ()
    # Not reachable: Reachability Analyzer's code, the component and words of the reason.
    code: str | None = None
    at: str | None = None
    reason: str = ""

    @property
    def id(self) -> str:
        service = f" {self.protocol or ''} {self.port or ''}".rstrip()
        return f"{self.fixture}: {self.source} -> {self.destination}{service}"


FACTS = "aws/facts/"
NSGS = "Microsoft.Network/networkSecurityGroups"
VMS = "Microsoft.Compute/virtualMachines"
AZURE_HYBRID = "azure/hybrid/template.json"
LBS = "Microsoft.Network/loadBalancers"
LB_BACKENDS = "azure/lb-standard-backends/azuredeploy.json"
LB_CLOSED = "azure/lb-standard-backends-closed/azuredeploy.json"
BASTION_HUB = "azure/bastion-hub-spoke/azuredeploy.json"
APP_GATEWAY = "azure/application-gateway-2vms/azuredeploy.json"
HA_PORTS = "azure/lb-ha-ports/"
HA_CLIENT = "Microsoft.Network/networkInterfaces/myClientNIC"
CASES = [
    Case(
        FACTS + "dual-stack-path-both-routes",
        "internet",
        "aws_instance.web",
        traffic="tcp 22",
        through=("aws_internet_gateway.main", "aws_route.internet_v4", "aws_route.internet_v6"),
    ),
    Case(
        FACTS + "dual-stack-path-both-routes",
        "aws_instance.web",
        "internet",
        traffic="tcp 443",
        through=("aws_security_group.web", "aws_internet_gateway.main"),
    ),
    Case(
        FACTS + "ipv6-on-launch",
        "internet",
        "aws_instance.auto",
        traffic="tcp 22",
        through=("aws_internet_gateway.main", "aws_security_group.ssh_v6"),
    ),
    Case(
        FACTS + "ipv6-on-launch",
        "internet",
        "aws_instance.unasked",
        "tcp",
        "22",
        code="no-public-address",
        at="aws_instance.unasked",
        reason="no public address",
    ),
    Case(
        FACTS + "instance-inline-interface",
        "internet",
        "aws_instance.public",
        traffic="tcp 22",
        through=("aws_internet_gateway.main", "aws_security_group.ssh"),
    ),
    Case(
        FACTS + "instance-inline-interface",
        "internet",
        "aws_instance.private",
        "tcp",
        "22",
        code="no-public-address",
        at="aws_instance.private",
        reason="no public address",
    ),
    Case(
        FACTS + "asg-launch-template-tags",
        "internet",
        "tag:Tier=app",
        traffic="tcp 8080",
        through=("aws_internet_gateway.main", "aws_security_group.app"),
    ),
    Case(
        FACTS + "asg-launch-template-tags",
        "internet",
        "tag:Team=payments",
        "tcp",
        "22",
        code="security-group",
        at="aws_security_group.app",
        reason="no ingress rule admits tcp 22",
    ),
    Case(
        FACTS + "asg-tag-blocks",
        "internet",
        "tag:Tier=batch",
        traffic="tcp 8080",
        through=("aws_internet_gateway.main", "aws_security_group.app"),
    ),
    Case(
        FACTS + "asg-tag-blocks",
        "internet",
        "tag:Team=payments",
        "tcp",
        "22",
        code="security-group",
        at="aws_security_group.app",
        reason="no ingress rule admits tcp 22",
    ),
    Case(
        FACTS + "custom-nacl-denies-by-default",
        "aws_instance.client",
        "aws_instance.server_closed",
        code="network-acl",
        at="aws_network_acl.closed",
        reason="implicit deny",
    ),
    Case(
        FACTS + "custom-nacl-denies-by-default",
        "aws_instance.client",
        "aws_instance.server_open",
        "tcp",
        "80",
        traffic="tcp 80",
    ),
    Case(
        FACTS + "default-nacl-allows",
        "aws_instance.client",
        "aws_instance.server",
        traffic="tcp 80",
        through=("aws_vpc.main.default_network_acl",),
    ),
    Case(
        FACTS + "default-sg-declared-rules",
        "aws_instance.a",
        "aws_instance.b",
        traffic="tcp 22",
        through=("aws_default_security_group.default",),
    ),
    Case(
        FACTS + "default-sg-declared-rules",
        "aws_instance.a",
        "aws_instance.b",
        "tcp",
        "80",
        code="security-group",
        at="aws_default_security_group.default",
        reason="no ingress rule admits tcp 80",
    ),
    Case(
        FACTS + "default-sg-for-instance-without-sg",
        "aws_instance.a",
        "aws_instance.b",
        traffic="all",
        through=("aws_vpc.main.default_security_group",),
    ),
    Case(
        FACTS + "default-sg-for-instance-without-sg",
        "aws_instance.custom",
        "aws_instance.a",
        code="security-group",
        at="aws_vpc.main.default_security_group",
        reason="no ingress rule",
    ),
    Case(
        FACTS + "default-tags-inherited",
        "internet",
        "tag:Environment=prod",
        traffic="tcp 22",
        through=("aws_internet_gateway.main", "aws_security_group.ssh"),
    ),
    Case(
        FACTS + "default-tags-inherited",
        "internet",
        "tag:Environment=staging",
        "tcp",
        "80",
        code="security-group",
        at="aws_security_group.ssh",
        reason="no ingress rule admits tcp 80",
    ),
    Case(
        FACTS + "eip-gives-public",
        "internet",
        "aws_instance.web_b",
        "tcp",
        "443",
        traffic="tcp 443",
        through=("aws_internet_gateway.main",),
    ),
    Case(
        FACTS + "eip-gives-public",
        "internet",
        "aws_instance.no_eip",
        "tcp",
        "443",
        code="no-public-address",
        at="aws_instance.no_eip",
        reason="has no public address",
    ),
    Case(
        FACTS + "source-range-per-port",
        "cidr:81.2.69.161",
        "aws_instance.node",
        traffic="tcp 22, 9100",
        through=("aws_security_group.monitored",),
    ),
    Case(
        FACTS + "source-range-per-port",
        "cidr:1.2.3.4",
        "aws_instance.node",
        "tcp",
        "22",
        code="security-group",
        at="aws_security_group.monitored",
        reason="admits tcp 22 for aws_instance.node only from other addresses",
    ),
    Case(
        FACTS + "igw-route-without-public-ip",
        "internet",
        "aws_instance.with_public_ip",
        "tcp",
        "80",
        traffic="tcp 80",
        through=("aws_internet_gateway.main", "aws_route_table.public"),
    ),
    Case(
        FACTS + "igw-route-without-public-ip",
        "internet",
        "aws_instance.private_only",
        "tcp",
        "80",
        code="no-public-address",
        at="aws_instance.private_only",
    ),
    Case(
        FACTS + "igw-route-without-public-ip",
        "aws_instance.private_only",
        "internet",
        code="no-public-address",
        at="aws_instance.private_only",
        reason="to use the internet gateway",
    ),
    Case(
        FACTS + "internal-lb-not-from-internet",
        "internet",
        "aws_lb.internal",
        code="no-public-address",
        at="aws_lb.internal",
    ),
    Case(
        FACTS + "internal-lb-not-from-internet",
        "aws_instance.client",
        "aws_instance.app",
        traffic="tcp 8080",
        through=("aws_lb.internal", "aws_lb_target_group.app"),
    ),
    Case(
        FACTS + "database-ipv6-dual-stack",
        "internet",
        "aws_db_instance.public_dual",
        traffic="tcp 5432",
        through=("aws_internet_gateway.main", "aws_security_group.db"),
    ),
    Case(
        FACTS + "database-ipv6-dual-stack",
        "internet",
        "aws_db_instance.private_dual",
        "tcp",
        "5432",
        code="no-public-address",
        at="aws_db_instance.private_dual",
        reason="has no public address",
    ),
    Case(
        FACTS + "cache-network-type",
        "aws_instance.client",
        "aws_elasticache_cluster.dual",
        traffic="tcp 6379",
        through=("aws_security_group.client", "aws_security_group.cache"),
    ),
    Case(
        FACTS + "cache-network-type",
        "aws_instance.client",
        "aws_elasticache_cluster.ipv4_default",
        "tcp",
        "6379",
        code="security-group",
        at="aws_security_group.cache",
        reason="holds no IPv6 address",
    ),
    Case(
        FACTS + "network-firewall-one-way",
        "aws_instance.app",
        "aws_instance.data",
        "tcp",
        "443",
        code="reply-dropped",
        at="aws_instance.data",
        reason="the TCP replies do not get back",
    ),
    Case(
        FACTS + "elb-source-group",
        "internet",
        "aws_instance.web",
        traffic="tcp 8080",
        through=("aws_elb.web", "aws_security_group.web"),
    ),
    Case(
        FACTS + "elb-source-group",
        "internet",
        "aws_instance.web",
        "tcp",
        "22",
        code="security-group",
        at="aws_security_group.web",
        reason="no ingress rule admits tcp 22",
    ),
    Case(
        FACTS + "lb-forwards-target-port",
        "internet",
        "aws_instance.web",
        traffic="tcp 80",
        through=("aws_internet_gateway.main", "aws_lb.front", "aws_lb_listener.https"),
    ),
    Case(
        FACTS + "lb-forwards-target-port",
        "internet",
        "aws_instance.web",
        "tcp",
        "443",
        code="no-listener",
        at="aws_instance.web",
        reason="the load balancers in front of it forward only tcp 80 to it",
    ),
    Case(
        FACTS + "longest-prefix",
        "aws_instance.client",
        "aws_instance.server_2",
        "tcp",
        "443",
        traffic="tcp 443",
        through=("aws_vpc_peering_connection.client_server",),
    ),
    Case(
        FACTS + "longest-prefix",
        "aws_instance.client",
        "aws_instance.server_1",
        "tcp",
        "443",
        code="no-route",
        at="aws_route_table.client",
        reason="aws_vpc_peering_connection.client_other, which does not lead there",
    ),
    Case(
        FACTS + "main-route-table",
        "internet",
        "aws_instance.implicit",
        "tcp",
        "80",
        traffic="tcp 80",
        through=("aws_default_route_table.main",),
    ),
    Case(
        FACTS + "main-route-table",
        "internet",
        "aws_instance.isolated",
        "tcp",
        "80",
        code="no-route",
        at="aws_route_table.isolated",
        reason="no route to an internet gateway",
    ),
    Case(
        FACTS + "set-blocks-by-content",
        "aws_instance.admin",
        "aws_instance.app",
        "tcp",
        "8080",
        traffic="tcp 8080",
        through=("aws_security_group.admin", "aws_security_group.app"),
    ),
    Case(
        FACTS + "set-blocks-by-content",
        "internet",
        "aws_instance.legacy",
        "tcp",
        "22",
        code="security-group",
        at="aws_default_security_group.default",
        reason="no ingress rule admits tcp 22",
    ),
    Case(
        FACTS + "nacl-first-match-order",
        "aws_instance.client",
        "aws_instance.server",
        "tcp",
        "22",
        code="network-acl",
        at="aws_network_acl.server",
        reason="rule 100 denies tcp 22",
    ),
    Case(
        FACTS + "nacl-first-match-order",
        "aws_instance.client",
        "aws_instance.server",
        "tcp",
        "80",
        traffic="tcp 80",
        through=("aws_network_acl.server",),
    ),
    Case(
        FACTS + "nacl-first-match-order",
        "aws_instance.other",
        "aws_instance.server",
        "tcp",
        "22",
        traffic="tcp 22",
    ),
    Case(
        FACTS + "icmp-messages",
        "internet",
        "aws_instance.echo",
        "icmp",
        traffic="icmp types 0-7, types 9-255",
        through=("aws_network_acl_rule.all_in", "aws_security_group.any_icmp"),
    ),
    # The ACL admits type 8 and the group type 0 code 0: each lets part of ICMP through, and
    # no part gets through both.
    Case(
        FACTS + "icmp-messages",
        "internet",
        "aws_instance.zeros",
        "icmp",
        code="no-path",
        reason="carries icmp",
    ),
    Case(
        FACTS + "nacl-reply-dropped",
        "internet",
        "aws_instance.dns",
        "tcp",
        "53",
        code="reply-dropped",
        at="aws_network_acl.public",
        reason="drops the replies",
    ),
    Case(
        FACTS + "nacl-reply-dropped",
        "internet",
        "aws_instance.dns",
        "udp",
        "53",
        traffic="udp 53",
        through=("aws_network_acl_rule.dns_udp_in",),
    ),
    Case(
        FACTS + "nacl-same-subnet-not-filtered",
        "aws_instance.peer[0]",
        "aws_instance.peer[1]",
        traffic="tcp 22",
    ),
    Case(
        FACTS + "nacl-same-subnet-not-filtered",
        "aws_instance.peer[0]",
        "aws_instance.outside",
        code="network-acl",
        at="aws_network_acl.locked",
    ),
    Case(
        FACTS + "nat-egress-only",
        "aws_instance.app",
        "internet",
        traffic="tcp 443; udp 123",
        through=("aws_nat_gateway.main", "aws_internet_gateway.main"),
    ),
    Case(
        FACTS + "nat-egress-only",
        "internet",
        "aws_instance.app",
        "tcp",
        "22",
        code="no-public-address",
        at="aws_instance.app",
    ),
    Case(
        FACTS + "peering-needs-both-routes",
        "aws_instance.a",
        "aws_instance.b",
        "udp",
        "514",
        traffic="udp 514",
        through=("aws_vpc_peering_connection.a_b",),
    ),
    Case(
        FACTS + "peering-needs-both-routes",
        "aws_instance.a",
        "aws_instance.b",
        "tcp",
        "22",
        code="no-route",
        at="aws_vpc.b.main_route_table",
        reason="back to",
    ),
    Case(
        FACTS + "peering-not-transitive",
        "aws_instance.a",
        "aws_instance.c",
        "tcp",
        "22",
        code="not-transitive",
        at="aws_vpc_peering_connection.a_b",
        reason="peering is not transitive",
    ),
    Case(
        FACTS + "peering-not-transitive",
        "aws_instance.a",
        "aws_instance.b",
        "tcp",
        "22",
        traffic="tcp 22",
        through=("aws_vpc_peering_connection.a_b",),
    ),
    Case(
        FACTS + "peering-not-transitive",
        "aws_instance.a",
        "internet",
        code="no-route",
        at="aws_route_table.a",
        reason="no route to an internet gateway",
    ),
    Case(FACTS + "private-cidr-not-internet", "internet", "aws_instance.web", traffic="tcp 443"),
    Case(
        FACTS + "private-cidr-not-internet",
        "internet",
        "aws_instance.web",
        "tcp",
        "22",
        code="security-group",
        at="aws_security_group.web",
        reason="admits tcp 22 for aws_instance.web only from addresses not the internet's",
    ),
    Case(
        FACTS + "public-ip-without-igw-route",
        "internet",
        "aws_instance.routed",
        traffic="tcp 80",
        through=("aws_route_table.routed",),
    ),
    Case(
        FACTS + "public-ip-without-igw-route",
        "internet",
        "aws_instance.stranded",
        code="no-route",
        at="aws_vpc.main.main_route_table",
        reason="no route to an internet gateway",
    ),
    Case(
        FACTS + "same-subnet-two-members",
        "aws_instance.node[0]",
        "aws_instance.node[1]",
        traffic="all",
    ),
    Case(
        FACTS + "self-flow-not-a-flow",
        "aws_instance.solo",
        "aws_instance.solo",
        code="no-path",
        at="aws_instance.solo",
        reason="a flow from an endpoint to itself is not a flow",
    ),
    Case(
        FACTS + "sg-named-in-default-vpc",
        "aws_instance.bastion",
        "aws_instance.web",
        "tcp",
        "5432",
        traffic="tcp 5432",
        through=("aws_security_group.web",),
    ),
    Case(
        FACTS + "sg-named-in-default-vpc/template.yaml",
        "Bastion",
        "Web",
        "tcp",
        "5432",
        traffic="tcp 5432",
        through=("WebSg",),
    ),
    Case(
        FACTS + "sg-named-in-default-vpc/template.yaml",
        "Other",
        "Web",
        "tcp",
        "5432",
        code="security-group",
        at="WebSg",
        reason="no ingress rule admits tcp 5432",
    ),
    Case(
        FACTS + "sg-named-in-default-vpc/template.yaml",
        "internet",
        "Web",
        "tcp",
        "22",
        traffic="tcp 22",
        through=("SshIn",),
    ),
    Case(
        FACTS + "sg-no-default-egress",
        "aws_instance.client_open",
        "aws_instance.server",
        traffic="tcp 80",
    ),
    Case(
        FACTS + "sg-no-default-egress",
        "aws_instance.client_closed",
        "aws_instance.server",
        code="security-group",
        at="aws_security_group.client_closed",
        reason="no egress rule",
    ),
    Case(
        FACTS + "sg-reference-members",
        "aws_instance.client",
        "aws_instance.server",
        traffic="tcp 5432",
    ),
    Case(
        FACTS + "sg-reference-members",
        "aws_instance.other",
        "aws_instance.server",
        "tcp",
        "5432",
        code="security-group",
        at="aws_security_group.server",
        reason="no ingress rule admits tcp 5432",
    ),
    Case(
        FACTS + "sg-rule-resources-all-apply",
        "aws_instance.client",
        "aws_instance.server",
        traffic="tcp 22, 80, 443",
        through=(
            "aws_security_group.server_inline",
            "aws_security_group_rule.server_http",
            "aws_vpc_security_group_ingress_rule.server_https",
        ),
    ),
    Case(
        FACTS + "sg-self", "aws_instance.node[0]", "aws_instance.node[1]", traffic="tcp 7000-7001"
    ),
    Case(
        FACTS + "sg-self",
        "aws_instance.outsider",
        "aws_instance.node[0]",
        code="security-group",
        at="aws_security_group.cluster",
    ),
    Case(FACTS + "sg-stateful-reply", "internet", "aws_instance.web", traffic="tcp 443"),
    Case(
        FACTS + "sg-stateful-reply",
        "aws_instance.web",
        "aws_instance.client",
        code="security-group",
        at="aws_security_group.web",
        reason="no egress rule",
    ),
    Case(
        FACTS + "sg-unknown-inline-rules-means-none",
        "aws_instance.client",
        "aws_instance.server",
        traffic="tcp 8080",
    ),
    Case(
        FACTS + "sg-unknown-inline-rules-means-none",
        "aws_instance.server",
        "aws_instance.client",
        code="security-group",
        at="aws_security_group.server",
        reason="no egress rule",
    ),
    Case(
        FACTS + "vpn-gets-onprem-not-internet",
        "onprem",
        "aws_instance.app",
        traffic="tcp 22",
        through=("aws_vpn_gateway.main",),
    ),
    Case(
        FACTS + "vpn-gets-onprem-not-internet",
        "aws_instance.app",
        "onprem",
        traffic="all",
        through=("aws_vpn_gateway.main",),
    ),
    Case(
        FACTS + "vpn-gets-onprem-not-internet",
        "aws_instance.app",
        "internet",
        code="no-route",
        at="aws_route_table.app",
        reason="no route to an internet gateway",
    ),
    # Scenarios, with the selectors a reviewer would type.
    Case(
        "aws/three-tier",
        "internet",
        "tag:Tier=web",
        traffic="tcp 8080",
        through=("aws_lb.front", "aws_lb_listener.http"),
    ),
    Case(
        "aws/three-tier",
        "tag:Tier=web",
        "tag:Tier=app",
        "tcp",
        "22",
        traffic="tcp 22",
        through=("aws_security_group_rule.app_ssh_from_vpc",),
    ),
    Case(
        "aws/three-tier",
        "tag:Tier=web",
        "kind:database",
        "tcp",
        "5432",
        code="security-group",
        at="aws_security_group.db",
        reason="no ingress rule admits tcp 5432",
    ),
    Case(
        "aws/three-tier",
        "internet",
        "tag:Tier=app",
        code="no-public-address",
        reason="has no public address",
    ),
    Case(
        "aws/naa-noncompliant",
        "internet",
        "aws_instance.web",
        "tcp",
        "22",
        traffic="tcp 22",
        through=("aws_internet_gateway.business",),
    ),
    Case(
        "aws/naa-noncompliant",
        "aws_instance.web",
        "aws_instance.directory",
        "tcp",
        "22",
        traffic="tcp 22",
        through=("aws_vpc_peering_connection.business_directory",),
    ),
    Case(
        "aws/naa-compliant",
        "internet",
        "aws_instance.web",
        "tcp",
        "22",
        code="security-group",
        at="aws_security_group.web",
    ),
    Case(
        "aws/naa-compliant",
        "aws_instance.web",
        "aws_instance.directory",
        "tcp",
        "22",
        code="security-group",
        at="aws_security_group.web",
        reason="no egress rule allows tcp 22",
    ),
    Case(
        "aws/private-vpn",
        "aws_instance.a",
        "aws_instance.b",
        code="network-acl",
        at="aws_network_acl_rule.out_deny_b",
        reason="rule 110 denies all to 10.10.2.0/24",
    ),
    Case(
        "aws/private-vpn",
        "onprem",
        "aws_instance.b",
        "tcp",
        "3389",
        traffic="tcp 3389",
        through=("aws_vpn_gateway.vgw",),
    ),
    Case(
        "aws/private-vpn",
        "internet",
        "aws_instance.a",
        code="no-public-address",
        at="aws_instance.a",
    ),
    Case("aws/analytics-private", "type:aws_lambda_function", "internet", code="no-route"),
    # Azure: ARM templates and an azurerm plan.
    Case(
        AZURE_HYBRID,
        "internet",
        "tag:Tier=web",
        "tcp",
        "443",
        traffic="tcp 443",
        through=(f"{NSGS}/web-nsg/securityRules/allow-https-from-internet",),
    ),
    Case(
        AZURE_HYBRID,
        "internet",
        "tag:Tier=web",
        "tcp",
        "22",
        code="nsg",
        at=f"{NSGS}/web-nsg/defaultSecurityRules/DenyAllInBound",
        reason="priority 65500 denies tcp 22 inbound",
    ),
    Case(
        AZURE_HYBRID,
        "internet",
        "tag:Tier=app",
        code="no-public-address",
        at="Microsoft.Compute/virtualMachines/app-vm",
    ),
    Case(
        AZURE_HYBRID,
        "onprem",
        "tag:Tier=app",
        "tcp",
        "22",
        traffic="tcp 22",
        through=("Microsoft.Network/virtualNetworkGateways/hybrid-vpngw",),
    ),
    Case(
        AZURE_HYBRID,
        "tag:Tier=app",
        "internet",
        code="no-route",
        at="Microsoft.Network/routeTables/app-routes",
    ),
    Case(
        AZURE_HYBRID,
        "tag:Tier=web",
        "tag:Tier=app",
        "tcp",
        "22",
        code="nsg",
        at=f"{NSGS}/app-nsg/securityRules/deny-other-vnet",
        reason="priority 4000 denies tcp 22 inbound",
    ),
    Case(
        "azure/public-web/template.json",
        "internet",
        "kind:virtual-machine",
        "tcp",
        "80",
        traffic="tcp 80",
        through=("Microsoft.Network/loadBalancers/web-lb",),
    ),
    Case(
        "azure/standard-ip-port-rule/template.json",
        "internet",
        f"{VMS}/MyUbuntuVM0",
        "icmp",
        code="nsg",
        at=f"{NSGS}/MyNSG/defaultSecurityRules/DenyAllInBound",
        reason="priority 65500 denies icmp inbound",
    ),
    Case(
        "azure/standard-ip-port-rule/no-nsg/template.json",
        "internet",
        f"{VMS}/MyUbuntuVM0",
        "tcp",
        "80",
        code="nsg",
        at="Microsoft.Network/publicIPAddresses/myPublicIP0",
        reason="is a Standard public IP, closed to inbound traffic unless an NSG allows it",
    ),
    Case(
        "azure/public-web/template.json",
        f"{VMS}/web-vm-0",
        f"{VMS}/web-vm-1",
        code="nsg",
        at=f"{NSGS}/web-nic-nsg/securityRules/deny-vnet-peers",
        reason="priority 100 denies all inbound",
    ),
    Case(
        "azure/public-web-peers/template.json", f"{VMS}/web-vm-0", f"{VMS}/web-vm-1", traffic="all"
    ),
    Case(
        "azure/hub-spoke/template.json",
        "kind:virtual-machine",
        "internet",
        code="firewall",
        at="Microsoft.Network/firewallPolicies/hub-fw-policy",
        reason="(the default deny)",
    ),
    Case(
        "azure/hub-spoke/template.json",
        "tag:Spoke=spoke1",
        "tag:Spoke=spoke2",
        traffic="tcp 443",
        through=(
            "Microsoft.Network/azureFirewalls/hub-fw",
            "Microsoft.Network/firewallPolicies/hub-fw-policy/ruleCollectionGroups/spoke-rules",
        ),
    ),
    Case(
        "azurerm/public-web",
        "internet",
        "type:azurerm_linux_virtual_machine",
        "tcp",
        "80",
        traffic="tcp 80",
        through=("azurerm_lb.web", "azurerm_lb_rule.http"),
    ),
    Case(
        "azurerm/public-web",
        "azurerm_linux_virtual_machine.web[0]",
        "azurerm_linux_virtual_machine.web[1]",
        code="nsg",
        reason="rule deny-vnet priority 200 denies all inbound",
    ),
    # A load balancer starts nothing; Azure's passes flows through to its backends.
    Case(
        FACTS + "lb-starts-nothing",
        "aws_elb.web",
        "aws_instance.web",
        code="not-a-source",
        at="aws_elb.web",
        reason="aws_elb.web is a load balancer: it starts no connections of its own",
    ),
    Case(
        FACTS + "lb-starts-nothing",
        "internet",
        "aws_instance.web",
        "tcp",
        "80",
        traffic="tcp 80",
        through=("aws_elb.web", "aws_security_group.default"),
    ),
    # A network load balancer's targets see its private address where their target group does
    # not preserve the client's (IP targets by default): a rule admitting the VPC admits it.
    Case(
        FACTS + "nlb-client-ip-preservation",
        "internet",
        'aws_instance.app["by_ip"]',
        "tcp",
        "22",
        traffic="tcp 22",
        through=("aws_lb.front", "aws_lb_target_group.by_ip", "aws_security_group.app"),
    ),
    Case(
        FACTS + "nlb-client-ip-preservation",
        "internet",
        'aws_instance.app["id_lost"]',
        "tcp",
        "22",
        traffic="tcp 22",
        through=("aws_lb.front", "aws_lb_target_group.id_lost", "aws_security_group.app"),
    ),
    Case(
        FACTS + "lb-leg-blocks-target",
        "internet",
        "aws_instance.app",
        "tcp",
        "8080",
        code="reply-dropped",
        at="aws_network_acl.app",
        reason="through aws_lb.front: network ACL aws_network_acl.app drops the replies",
    ),
    Case(
        FACTS + "lb-leg-blocks-target",
        "internet",
        "aws_instance.quiet",
        "tcp",
        "8080",
        code="security-group",
        at="aws_security_group.mute",
        reason="through aws_lb.mute: no egress rule allows tcp 8080",
    ),
    Case(
        FACTS + "nlb-group-reference-kept-client",
        "internet",
        "aws_instance.by_group",
        "tcp",
        "22",
        traffic="tcp 22",
        through=("aws_lb.front", "aws_lb_target_group.by_group", "aws_security_group.by_group"),
    ),
    Case(
        FACTS + "nlb-group-reference-kept-client",
        "aws_instance.client",
        "aws_instance.by_group",
        "tcp",
        "22",
        traffic="tcp 22",
        through=("aws_lb.front", "aws_lb_listener.by_group", "aws_security_group.by_group"),
    ),
    Case(
        FACTS + "nlb-group-reference-kept-client",
        "internet",
        "aws_instance.by_cidr",
        "tcp",
        "22",
        code="security-group",
        at="aws_security_group.by_cidr",
        reason="only from addresses not the internet's",
    ),
    Case(
        FACTS + "nlb-group-reference-kept-client",
        "aws_instance.client",
        "aws_instance.by_cidr",
        "tcp",
        "22",
        code="security-group",
        at="aws_security_group.by_cidr",
        reason="no ingress rule admits tcp 22",
    ),
    Case(
        FACTS + "ipv6-family-end-to-end",
        "aws_instance.client_both",
        "aws_instance.ssh_v6",
        traffic="tcp 22",
        through=("aws_security_group.sends_both", "aws_security_group.ssh_over_v6"),
    ),
    Case(
        FACTS + "ipv6-family-end-to-end",
        "aws_instance.client_v4",
        "aws_instance.ssh_v6",
        "tcp",
        "22",
        code="security-group",
        at="aws_security_group.ssh_over_v6",
        reason="over IPv6, at aws_security_group.sends_v4 (security-group): no egress rule",
    ),
    Case(
        FACTS + "ipv6-family-end-to-end",
        "aws_instance.client_no_v6",
        "aws_instance.https_v4",
        "tcp",
        "443",
        code="security-group",
        at="aws_security_group.sends_v6",
        reason="allows tcp 443 for aws_instance.client_no_v6 (security groups: aws_security_group"
        ".sends_v6); aws_instance.client_no_v6 holds no IPv6 address",
    ),
    Case(
        FACTS + "vpn-route-propagation",
        "aws_vpn_connection.office",
        "aws_instance.app",
        "tcp",
        "22",
        traffic="tcp 22",
        through=("aws_vpn_gateway.main", "aws_security_group.ssh_from_office"),
    ),
    Case(
        FACTS + "vpn-route-propagation",
        "aws_vpn_connection.office",
        "aws_instance.db",
        "tcp",
        "22",
        code="no-route",
        at="aws_route_table.isolated",
        reason="has no route to aws_vpn_connection.office (for the replies)",
    ),
    Case(
        FACTS + "nat-instance-forwards",
        "aws_instance.app_nat",
        "internet",
        "tcp",
        "443",
        traffic="tcp 443",
        through=("aws_route_table.behind_nat", "aws_instance.nat", "aws_security_group.nat"),
    ),
    Case(
        FACTS + "nat-instance-forwards",
        "aws_instance.app_nat",
        "internet",
        "tcp",
        "80",
        code="security-group",
        at="aws_security_group.nat",
        reason="no ingress rule admits tcp 80 for aws_instance.nat",
    ),
    Case(
        FACTS + "nat-instance-forwards",
        "aws_instance.app_checked",
        "internet",
        "tcp",
        "443",
        code="no-route",
        at="aws_route_table.behind_checked",
        reason="sends 0.0.0.0/0 to aws_instance.checked, an instance the input does not show",
    ),
    Case(
        FACTS + "nlb-client-family",
        "internet",
        "aws_instance.behind_dual",
        "tcp",
        "22",
        traffic="tcp 22",
        through=("aws_lb.dual", "aws_lb_listener.dual", "aws_security_group.from_vpc"),
    ),
    Case(
        FACTS + "nat64-reaches-ipv4",
        "aws_instance.app",
        "internet",
        "tcp",
        "443",
        traffic="tcp 443",
        through=("aws_route_table.ipv6_only", "aws_nat_gateway.main", "aws_internet_gateway.main"),
    ),
    Case(
        "azure/udr-within-subnet/blackhole.json",
        "Microsoft.Network/networkInterfaces/client",
        "Microsoft.Network/networkInterfaces/server",
        "tcp",
        "80",
        code="no-route",
        at="Microsoft.Network/routeTables/app-rt",
        reason="sends it to blackhole",
    ),
    Case(
        "azure/udr-within-subnet/azuredeploy.json",
        "Microsoft.Network/networkInterfaces/client",
        "Microsoft.Network/networkInterfaces/server",
        "tcp",
        "80",
        traffic="tcp 80",
        through=("Microsoft.Network/networkInterfaces/nva",),
    ),
    Case(
        LB_BACKENDS,
        "internet",
        f"{LBS}/GEN-UNIQUE-8-lb",
        traffic="tcp 80",
        through=(
            f"{LBS}/GEN-UNIQUE-8-lb/frontendIPConfigurations/LoadBalancerFrontEnd",
            f"{LBS}/GEN-UNIQUE-8-lb/loadBalancingRules/myHTTPRule",
            f"{NSGS}/GEN-UNIQUE-8-nsg/securityRules/AllowHTTPInbound",
        ),
    ),
    Case(
        LB_BACKENDS,
        f"{LBS}/GEN-UNIQUE-8-lb",
        f"{VMS}/GEN-UNIQUE-8-vm1",
        code="not-a-source",
        at=f"{LBS}/GEN-UNIQUE-8-lb",
    ),
    Case(
        LB_BACKENDS,
        "internet",
        f"{VMS}/GEN-UNIQUE-8-vm1",
        "tcp",
        "22",
        code="no-listener",
        at=f"{VMS}/GEN-UNIQUE-8-vm1",
        reason="has no public address, and the load balancers in front of it forward only tcp 80",
    ),
    Case(
        LB_CLOSED,
        "internet",
        f"{VMS}/GEN-UNIQUE-8-vm1",
        "tcp",
        "80",
        code="nsg",
        at=f"{NSGS}/GEN-UNIQUE-8-nsg/defaultSecurityRules/DenyAllInBound",
        reason="rule DenyAllInBound priority 65500 denies tcp 80 inbound",
    ),
    Case(
        LB_CLOSED,
        "internet",
        f"{LBS}/GEN-UNIQUE-8-lb",
        code="nsg",
        at=f"{NSGS}/GEN-UNIQUE-8-nsg/defaultSecurityRules/DenyAllInBound",
        reason="rule DenyAllInBound priority 65500 denies tcp 80 inbound",
    ),
    Case(
        HA_PORTS + "azuredeploy.json",
        HA_CLIENT,
        "Microsoft.Network/networkInterfaces/myNIC1",
        "tcp",
        "443",
        traffic="tcp 443",
        through=(
            f"{LBS}/myLoadBalancer/loadBalancingRules/myHARule",
            f"{NSGS}/myBackendNSG/securityRules/AllowHttpsFromClients",
        ),
    ),
    Case(
        HA_PORTS + "nva-route.json",
        HA_CLIENT,
        "internet",
        "tcp",
        "443",
        traffic="tcp 443",
        through=(
            "Microsoft.Network/routeTables/myClientRoutes/routes/toAppliances",
            f"{LBS}/myLoadBalancer",
        ),
    ),
    Case(
        "azure/lb-nat-rule-basic/azuredeploy.json",
        "internet",
        f"{LBS}/loadBalancer1",
        traffic="tcp 3389",
        through=(f"{LBS}/loadBalancer1/inboundNatRules/RDP",),
    ),
    Case(
        "azure/lb-nat-rule-standard/azuredeploy.json",
        "internet",
        "Microsoft.Network/networkInterfaces/networkInterface1",
        code="nsg",
        at=f"{LBS}/loadBalancer1",
        reason="is closed to internet clients unless an NSG allows them",
    ),
    Case(
        APP_GATEWAY,
        "internet",
        f"{VMS}/iisvm1",
        "tcp",
        "80",
        traffic="tcp 80",
        through=("Microsoft.Network/applicationGateways/ApplicationGateway",),
    ),
    Case(
        APP_GATEWAY,
        "Microsoft.Network/applicationGateways/ApplicationGateway",
        f"{VMS}/iisvm1",
        code="not-a-source",
        at="Microsoft.Network/applicationGateways/ApplicationGateway",
    ),
    Case(
        BASTION_HUB,
        "internet",
        "Microsoft.Network/bastionHosts/bastion1",
        "tcp",
        "22",
        code="no-listener",
        at="Microsoft.Network/bastionHosts/bastion1",
        reason="accepts only tcp 443 from the internet",
    ),
    Case(
        BASTION_HUB,
        "Microsoft.Network/bastionHosts/bastion1",
        f"{VMS}/vm1",
        "tcp",
        "3389",
        traffic="tcp 3389",
        through=(
            "Microsoft.Network/virtualNetworks/vnet-hub/virtualNetworkPeerings/peering-to-vnet-spoke",
        ),
    ),
    Case(
        BASTION_HUB,
        "Microsoft.Network/bastionHosts/bastion1",
        f"{VMS}/vm1",
        "tcp",
        "80",
        code="not-a-source",
        at="Microsoft.Network/bastionHosts/bastion1",
        reason="starts only tcp 22, 3389 toward its networks",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_query_verdict_and_explanation(case: Case) -> None:
    given = FIXTURES / case.fixture
    _question, answer = run_query(
        [given / "plan.json" if given.is_dir() else given],
        case.source,
        case.destination,
        protocol=case.protocol,
        port=case.port,
    )
    if case.code is None:
        assert answer.reachable, answer.blocked
        assert traffic_text(answer.traffic) == case.traffic
        assert answer.paths
        for path in answer.paths:
            on_path = [hop.address for hop in path.path]
            assert set(case.through) <= set(on_path), on_path
        return
    assert not answer.reachable
    assert answer.paths == [] and answer.traffic == []
    assert answer.blocked
    for blocked in answer.blocked:
        assert blocked.code == case.code, blocked.reason
        if case.at is not None:
            assert blocked.at.address == case.at
        assert case.reason in blocked.reason


def test_every_fact_fixture_is_asked_about() -> None:
    asked = {case.fixture.removeprefix(FACTS) for case in CASES if case.fixture.startswith(FACTS)}
    facts = {path.name for path in (FIXTURES / "aws" / "facts").iterdir() if path.is_dir()}
    assert facts <= asked, sorted(facts - asked)


def test_one_path_per_distinct_route_and_pair() -> None:
    _question, answer = run_query(
        [FIXTURES / "aws/three-tier/plan.json"], "internet", "tag:Tier=web"
    )
    pairs = [(p.source.address, p.destination.address) for p in answer.paths]
    assert pairs == [
        ("internet", "module.web.aws_instance.this[0]"),
        ("internet", "module.web.aws_instance.this[1]"),
    ]
    for path in answer.paths:
        hops = [hop.address for hop in path.path]
        assert hops.index("aws_internet_gateway.main") < hops.index("aws_lb.front")
        assert hops[-1] == "aws_security_group_rule.web_from_alb"


def test_some_pairs_reachable_is_reachable_and_the_rest_are_explained() -> None:
    _question, answer = run_query(
        [FIXTURES / "aws/facts/eip-gives-public/plan.json"], "internet", "type:aws_instance"
    )
    assert answer.reachable
    reached = {path.destination.address for path in answer.paths}
    assert reached == {"aws_instance.web_a", "aws_instance.web_b"}
    assert [(b.destination.address, b.code) for b in answer.blocked] == [
        ("aws_instance.no_eip", "no-public-address")
    ]


def test_cidr_narrows_the_internet_end() -> None:
    fixture = [FIXTURES / "aws/facts/sg-stateful-reply/plan.json"]
    _question, answer = run_query(fixture, "8.8.8.0/24", "aws_instance.web", port="443")
    assert answer.reachable
    # A private range is no part of the internet: it selects nothing there.
    with pytest.raises(InputError, match="selects nothing"):
        run_query(fixture, "cidr:192.168.0.0/16", "aws_instance.web")


def test_groups_file_names_the_ends(tmp_path: Path) -> None:
    groups = tmp_path / "groups.yaml"
    groups.write_text(
        "version: 1\ngroups:\n  web: {tags: {Tier: web}}\n  db: {types: [aws_db_instance]}\n"
    )
    _question, answer = run_query(
        [FIXTURES / "aws/three-tier/plan.json"], "web", "db", port="5432", groups_file=groups
    )
    assert not answer.reachable
    assert {b.source.address for b in answer.blocked} == {
        "module.web.aws_instance.this[0]",
        "module.web.aws_instance.this[1]",
    }


def test_wanted_traffic() -> None:
    assert wanted_traffic(None, "53").text() == "tcp 53; udp 53"
    assert wanted_traffic("tcp", "8000-8080,443").text() == "tcp 443, 8000-8080"
    assert wanted_traffic("icmp", None).text() == "icmp"
    assert wanted_traffic(None, None).text() == "all"
    with pytest.raises(InputError, match="ports apply only to tcp and udp"):
        wanted_traffic("icmp", "22")
    with pytest.raises(InputError, match="not a port"):
        wanted_traffic("tcp", "http")
    with pytest.raises(InputError, match="not a protocol"):
        wanted_traffic("tcpp", None)
    # An empty item is no port: "22,,80" is a typo, not two ports.
    for typo in ("22,,80", "", ","):
        with pytest.raises(InputError, match="not a port"):
            wanted_traffic("tcp", typo)


def test_nsg_rule_that_denies_is_named() -> None:
    net = AzureNet()
    vnet = net.vnet("app", "10.1.0.0/16")
    subnet = net.subnet_in(vnet, "web", "10.1.1.0/24")
    nsg = net.nsg(
        "web-nsg",
        rule("deny-ssh", 100, "inbound", False, "Internet", "*", "22"),
        rule("allow-web", 200, "inbound", True, "Internet", "*", "0-1023"),
    )
    net.vm("web-0", subnet, nsg, public=True)
    analysis = Analysis(net.model)
    question = Question(
        source_text="internet",
        destination_text="Microsoft.Compute/virtualMachines/web-0",
        source=parse_cli_selector("internet", None, "--from"),
        destination=parse_cli_selector("type:Microsoft.Compute/virtualMachines", None, "--to"),
        wanted=wanted_traffic("tcp", "22"),
    )
    answer = ask(net.model, analysis, question)
    assert not answer.reachable
    (blocked,) = answer.blocked
    assert blocked.code == "nsg"
    assert blocked.at.address.endswith("/securityRules/deny-ssh")
    assert "priority 100 denies tcp 22" in blocked.reason
    question.wanted = wanted_traffic("tcp", "80")
    assert ask(net.model, analysis, question).reachable


# ----- the command line ------------------------------------------------------------------------


def _query(*args: str) -> Result:
    return CliRunner().invoke(app, ["query", *args])


def test_exit_codes_and_json() -> None:
    plan = str(FIXTURES / "aws/facts/eip-gives-public/plan.json")
    reachable = _query(plan, "--from", "internet", "--to", "aws_instance.web_a", "--port", "443")
    assert reachable.exit_code == 0, reachable.output
    assert reachable.stdout.startswith("Reachable: internet -> aws_instance.web_a on tcp 443")
    blocked = _query(plan, "--from", "internet", "--to", "aws_instance.no_eip", "--format", "json")
    assert blocked.exit_code == 1
    document = json.loads(blocked.stdout)
    assert set(document) == {"reachable", "traffic", "paths", "blocked"}
    assert document["reachable"] is False
    (entry,) = document["blocked"]
    assert set(entry) == {"from", "to", "at", "code", "reason"}
    assert entry["from"]["address"] == "internet"
    assert entry["at"]["address"] == "aws_instance.no_eip"
    assert entry["at"]["kind"] == "instance"
    # The plan sits beside its configuration: the instance's own block is named.
    assert entry["at"]["file"].endswith("eip-gives-public/main.tf")
    assert entry["code"] == "no-public-address"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "wbe"], "--to: unknown selector 'wbe'"),
        (["--to", "aws_instance.nothing"], "--to: 'aws_instance.nothing' selects nothing"),
        (["--to", "kind:databse"], "did you mean 'database'?"),
        (["--to", "internet", "--format", "yaml"], "unknown --format 'yaml'"),
        (["--to", "internet", "--protocol", "icmp", "--port", "22"], "ports apply only"),
    ],
)
def test_bad_questions_exit_2_with_one_sentence(args: list[str], message: str) -> None:
    plan = str(FIXTURES / "aws/facts/eip-gives-public/plan.json")
    result = _query(plan, "--from", "internet", *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr


def test_a_terraform_directory_is_asked_like_its_plan() -> None:
    directory = str(FIXTURES / "aws/facts/sg-self")
    result = _query(directory, "--from", "aws_instance.node[0]", "--to", "aws_instance.node[1]")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "Reachable: aws_instance.node[0] -> aws_instance.node[1] on tcp 7000-7001"
    )
    bad = _query(directory, "--from", "internet", "--to", "internet", "--var", "x")
    assert (bad.exit_code, bad.stderr) == (2, "reachlint: error: --var 'x' is not NAME=VALUE\n")


def test_when_the_engine_names_no_blocker_the_answer_says_what_is_known(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(Analysis, "explain", lambda *_args, **_names: None)
    plan = FIXTURES / "aws/facts/peering-needs-both-routes/plan.json"
    _question, answer = run_query([plan], "aws_instance.a", "aws_instance.b", port="22")
    (blocked,) = answer.blocked
    assert (blocked.code, blocked.at.address) == ("reply-dropped", "aws_instance.b")
    assert blocked.reason == (
        "tcp 22 from aws_instance.a arrives at aws_instance.b, but the TCP replies do not get back"
    )
    plan = FIXTURES / "aws/facts/eip-gives-public/plan.json"
    _question, answer = run_query([plan], "internet", "aws_instance.no_eip", protocol="tcp")
    (blocked,) = answer.blocked
    assert (blocked.code, blocked.at.address) == ("no-path", "aws_instance.no_eip")
    assert blocked.reason == "no path from internet to aws_instance.no_eip carries tcp 0-65535"


def test_help_names_the_design_review_commands() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("query", "matrix", "graph"):
        assert command in result.stdout


@pytest.mark.parametrize(
    ("listed", "reached", "blocked", "unlisted"),
    [(3, 2, 1, None), (2, 2, 0, 1), (1, 1, 0, 2)],
)
def test_pairs_past_the_listed_bound_are_counted_reached_ones_first(
    monkeypatch: pytest.MonkeyPatch, listed: int, reached: int, blocked: int, unlisted: int | None
) -> None:
    # The same question as above: two instances reached, one blocked.
    from reachlint.commands.design import query

    monkeypatch.setattr(query, "MAX_LISTED_PAIRS", listed)
    _question, answer = run_query(
        [FIXTURES / "aws/facts/eip-gives-public/plan.json"], "internet", "type:aws_instance"
    )
    assert answer.reachable
    assert len({path.destination.address for path in answer.paths}) == reached
    assert len(answer.blocked) == blocked
    assert answer.unlisted_pairs == unlisted


NACL_DENIES_TCP = """
Resources:
  Vpc: {Type: "AWS::EC2::VPC", Properties: {CidrBlock: 10.0.0.0/16}}
  Igw: {Type: "AWS::EC2::InternetGateway"}
  Attach:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Igw}
  Public:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24, MapPublicIpOnLaunch: true}
  Routes: {Type: "AWS::EC2::RouteTable", Properties: {VpcId: !Ref Vpc}}
  Out:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref Routes, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Igw}
  Use:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {SubnetId: !Ref Public, RouteTableId: !Ref Routes}
  Acl: {Type: "AWS::EC2::NetworkAcl", Properties: {VpcId: !Ref Vpc}}
  UseAcl:
    Type: AWS::EC2::SubnetNetworkAclAssociation
    Properties: {SubnetId: !Ref Public, NetworkAclId: !Ref Acl}
  DenySsh:
    Type: AWS::EC2::NetworkAclEntry
    Properties: {NetworkAclId: !Ref Acl, RuleNumber: 100, Protocol: 6, RuleAction: deny,
                 CidrBlock: 0.0.0.0/0, PortRange: {From: 22, To: 22}}
  AllowRest:
    Type: AWS::EC2::NetworkAclEntry
    Properties: {NetworkAclId: !Ref Acl, RuleNumber: 200, Protocol: -1, RuleAction: allow,
                 CidrBlock: 0.0.0.0/0}
  AllowOut:
    Type: AWS::EC2::NetworkAclEntry
    Properties: {NetworkAclId: !Ref Acl, RuleNumber: 100, Protocol: -1, RuleAction: allow,
                 CidrBlock: 0.0.0.0/0, Egress: true}
  Ssh:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: ssh from anywhere
      VpcId: !Ref Vpc
      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}]
  Web:
    Type: AWS::EC2::Instance
    Properties: {ImageId: ami-1, SubnetId: !Ref Public, SecurityGroupIds: [!Ref Ssh]}
"""


def test_each_protocol_asked_is_explained_where_no_one_component_stops_them_all(
    tmp_path: Path,
) -> None:
    # --port 22 without --protocol asks tcp 22 and udp 22: the network ACL denies the first,
    # the group admits no udp. Before, neither stopped both and the answer was "no path".
    template = tmp_path / "template.yaml"
    template.write_text(NACL_DENIES_TCP)
    _question, answer = run_query([template], "internet", "Web", port="22")
    assert not answer.reachable
    assert [(b.code, b.at.address) for b in answer.blocked] == [
        ("network-acl", "DenySsh"),
        ("security-group", "Ssh"),
    ]
