"""What the AWS provider reads: the protocol an input dialect implements.

The provider sees resources of AWS's kinds ("vpc", "subnet", "security-group", ...), each with
fields named in the provider's vocabulary ("network", "cidr", "groups", ...); `KINDS` below lists
them all. A field holds a value, links to other resources, or entries (nested records with fields
of their own, such as a security group's rules). A dialect says how its input spells each field
(`name`, `path`), so that notes and `unknown` lists speak the input's language; the provider
never spells a field itself.

Values are plain: text, numbers, flags, lists and mappings, or `UNKNOWN` for a value written but
known only at deployment. A field the input does not write, or cannot write, reads as None.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from msgspec import Struct, field

from reachlint.sources import Origin, UnknownValue

Kinds = frozenset[str] | None  # the kinds a link may name; None: any kind


class Links(Struct):
    """What a field links to."""

    addresses: list[str] = field(default_factory=list)  # resources of the input
    given: bool = False  # the field is written at all
    unresolved: bool = False  # some of it could not be resolved
    literals: list[str] = field(default_factory=list)  # ids or names not in the input
    # The input says only that the field names some of `addresses`, not which.
    ambiguous: bool = False
    rests_on: list[str] = field(default_factory=list)  # what an unknown value is unknown for


class Fields(Protocol):
    """A resource, or one entry nested in it, read by field."""

    @property
    def address(self) -> str:
        """The resource's address as the input names it (an entry: its resource's)."""

    @property
    def type(self) -> str:
        """The input's own type name, as reports show it."""

    @property
    def origin(self) -> Origin:
        """Where it is written (an entry: where the entry is)."""

    @property
    def prefix(self) -> str:
        """Where an entry sits in its resource, as the input spells it, ending in its separator
        ("ingress.0."); "" for the resource itself."""

    def name(self, field: str) -> str:
        """How the input spells `field` here, as an entry's own `unknown` lists name it."""

    def path(self, field: str = "") -> str:
        """`prefix` and `name(field)`: the field as notes name it; "" names the entry itself."""

    def value(self, field: str) -> Any:
        """The field's value: None where it is not written, UNKNOWN where written but unknown."""

    def refers(self, field: str) -> bool:
        """Whether the input writes the field as a reference to another resource."""

    def entries(self, field: str) -> list[Entry]:
        """The entries written in the field, in order; none where it is not written."""

    def links(
        self,
        field: str,
        kinds: Kinds,
        what: str = "resource",
        unknown: list[str] | None = None,
        *,
        single: bool = False,
        likely: Kinds = None,
    ) -> Links:
        """The resources the field links to, of these kinds.

        `unknown`, when given, collects the field's path if the link cannot be resolved, and a
        note names it as a `what`. `single`: the field names one resource. `likely`: where the
        input records links only for a list of entries as a whole, only those of these kinds
        (default `kinds`) are taken as this entry's.
        """

    def link(self, field: str, kinds: Kinds, what: str, unknown: list[str] | None) -> str | None:
        """The one resource the field links to; None, and with `unknown` a note, otherwise."""

    def origin_of(self, field: str) -> Origin:
        """Where the field, or an entry it holds, is written; else where this is."""

    def origin_within(self, field: str, path: str) -> Origin:
        """Where a part of a field's value (a document) is written: `path` names the keys and
        positions inside it, joined by dots; else where this is."""

    def unknown_ranges(self, field: str) -> list[UnknownValue]:
        """The address ranges at `field` that are unknown, named by what they rest on."""

    def note(self, message: str, field: str | None = None) -> None:
        """A note on the resource, placed where `field` is written (None: the resource)."""


class Entry(Fields, Protocol):
    @property
    def known(self) -> bool:
        """False where the entry itself is known only at deployment: its fields read None."""

    @property
    def written_if(self) -> str | None:
        """What decides whether the entry is written at all, when the deployment does (a
        condition not known choosing between it and nothing); None: it is written."""


class Resource(Fields, Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def existing(self) -> bool:
        """Read from the account (a lookup), not declared by the input."""


class Inventory(Protocol):
    """Every resource of one input that the dialect maps, by kind."""

    def of(self, *kinds: str) -> Iterator[Resource]:
        """The declared resources of these kinds: kind by kind, each in input order."""

    def existing(self, kind: str) -> Iterator[Resource]:
        """Resources of this kind the input reads from the account, except those that are
        another name for a resource it declares."""

    def get(self, address: str) -> Resource | None: ...

    def named(self, kind: str, name: str) -> str | None:
        """The declared resource of this kind with this name."""

    def alias(self, address: str, to: str) -> None:
        """From now on, links to `address` mean `to` (a lookup that finds another element)."""

    def type_name(self, kind: str) -> str:
        """The input's type name for a kind, for the elements AWS makes on its own (a VPC's
        default security group)."""

    def implied_name(self, kind: str) -> str:
        """How the input names what AWS gives every VPC, after the VPC's address: its default
        security group, default network ACL or main route table (`default-route-table`)."""

    def field_name(self, kind: str, field: str) -> str:
        """How the input spells a kind's field, for what the provider names on its own (the
        range of a VPC outside the input)."""


# The kinds, with what they are; each one's fields are listed where its handler reads them.
KINDS = {
    "vpc": "a VPC (existing: read from the account)",
    "default-vpc": "the account's default VPC, adopted",
    "vpc-cidr-block": "another IPv4 or IPv6 block of a VPC",
    "subnet-cidr-block": "an IPv6 block of a subnet",
    "subnet": "a subnet (existing: read from the account)",
    "default-subnet": "a default subnet of the default VPC, adopted",
    "security-group": "a security group (existing: read from the account)",
    "default-security-group": "a VPC's default security group, adopted",
    "security-group-rule": "one rule of a group, written apart from it",
    "network-acl": "a network ACL",
    "default-network-acl": "a VPC's default network ACL, adopted",
    "network-acl-entry": "one entry of an ACL, written apart from it",
    "network-acl-association": "a subnet's ACL",
    "route-table": "a route table",
    "default-route-table": "a VPC's main route table, adopted",
    "route": "one route, written apart from its table",
    "route-table-association": "a subnet's (or an edge gateway's) route table",
    "main-route-table-association": "the table that becomes a VPC's main table",
    "vpn-gateway-route-propagation": "a VPN gateway propagating into a table",
    "vpc-endpoint-route-table-association": "a gateway endpoint in a table",
    "internet-gateway": "an internet gateway",
    "internet-gateway-attachment": "an internet gateway attached to a VPC",
    "egress-only-internet-gateway": "an egress-only internet gateway",
    "nat-gateway": "a NAT gateway",
    "vpn-gateway": "a virtual private gateway",
    "vpn-gateway-attachment": "a virtual private gateway attached to a VPC",
    "transit-gateway": "a transit gateway",
    "transit-gateway-vpc-attachment": "a VPC attached to a transit gateway",
    "transit-gateway-route": "a static route of a transit gateway",
    "transit-gateway-route-table": "a transit gateway's route table",
    "vpc-endpoint": "a VPC endpoint (gateway, interface or load balancer)",
    "vpn-connection": "a site-to-site VPN connection",
    "vpn-connection-route": "a static route of a VPN connection",
    "customer-gateway": "the on-premises side of a VPN",
    "vpc-peering-connection": "a VPC peering (the requester's side)",
    "vpc-peering-connection-accepter": "the accepting side of a peering",
    "prefix-list": "a managed prefix list",
    "prefix-list-entry": "one entry of a prefix list, written apart from it",
    "local-gateway": "an Outposts local gateway (a route target only)",
    "carrier-gateway": "a Wavelength carrier gateway (a route target only)",
    "core-network": "a Cloud WAN core network (a route target only)",
    "instance": "an EC2 instance",
    "network-interface": "an elastic network interface",
    "network-interface-attachment": "an interface attached to an instance",
    "network-interface-sg-attachment": "a security group added to an interface",
    "elastic-ip": "an Elastic IP",
    "elastic-ip-association": "an Elastic IP associated with an interface",
    "launch-template": "a launch template",
    "launch-configuration": "a launch configuration",
    "autoscaling-group": "an Auto Scaling group",
    "autoscaling-attachment": "an Auto Scaling group behind a load balancer",
    "lambda-function": "a Lambda function (an endpoint when in a VPC)",
    "ecs-service": "an ECS service",
    "load-balancer": "an application, network or gateway load balancer",
    "listener": "a load balancer's listener",
    "listener-rule": "a listener's rule",
    "target-group": "a target group",
    "target-group-attachment": "a target registered in a group",
    "classic-load-balancer": "a Classic Load Balancer",
    "classic-load-balancer-attachment": "an instance behind a Classic Load Balancer",
    "db-instance": "an RDS database instance",
    "db-subnet-group": "an RDS subnet group",
    "rds-cluster": "an Aurora cluster",
    "rds-cluster-instance": "a member of an Aurora cluster",
    "docdb-cluster": "a DocumentDB cluster",
    "docdb-cluster-instance": "a member of a DocumentDB cluster",
    "docdb-subnet-group": "a DocumentDB subnet group",
    "neptune-cluster": "a Neptune cluster",
    "neptune-cluster-instance": "a member of a Neptune cluster",
    "neptune-subnet-group": "a Neptune subnet group",
    "cache-cluster": "an ElastiCache cluster",
    "cache-replication-group": "an ElastiCache replication group",
    "cache-subnet-group": "an ElastiCache subnet group",
    "network-firewall": "an AWS Network Firewall",
    "firewall-policy": "a Network Firewall policy",
    "firewall-rule-group": "a Network Firewall rule group",
}
