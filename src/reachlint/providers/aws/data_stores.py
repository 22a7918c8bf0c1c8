"""Data stores: RDS instances, Aurora, DocumentDB and Neptune clusters, ElastiCache clusters and
replication groups.

A data store sits in the subnets of the subnet group it names, else in a default subnet of the
default VPC; a read replica without a group of its own takes its source's. A cluster is public
when one of its members is publicly accessible; an ElastiCache cluster in a replication group is
a member of that group, which is the endpoint. A database takes IPv6 traffic from beyond its
VPC only in dual-stack mode and publicly accessible.

Fields: a subnet group's `subnets`; a database's `subnet_group`, `replicates`, `groups`,
`public`, `port`, `engine`, `network_type`; a cluster's `subnet_group`, `groups`, `port`,
`engine`, `network_type`, and a member's `cluster`, `public`; an ElastiCache cluster's
`replication_group`, `subnet_group`, `groups`, `port`, `engine`, `network_type`.
"""

from __future__ import annotations

from collections import defaultdict

from reachlint.providers.aws.endpoints import add_endpoint, interfaces_for, subnets_of
from reachlint.providers.aws.networks import in_default_vpc
from reachlint.providers.aws.security_groups import groups_of
from reachlint.providers.aws.source import Resource
from reachlint.providers.aws.state import Build
from reachlint.providers.values import has_unknown

DB_SUBNET_GROUPS = frozenset({"db-subnet-group"})
# Network types whose databases have IPv6 endpoints (RDS, Aurora, Neptune, DocumentDB).
WITH_IPV6 = frozenset({"dual", "ipv6"})
# Clusters: the subnet groups they may name, and their members' kind.
CLUSTERS: dict[str, tuple[frozenset[str], str]] = {
    "rds-cluster": (DB_SUBNET_GROUPS, "rds-cluster-instance"),
    "docdb-cluster": (
        frozenset({"docdb-subnet-group"}) | DB_SUBNET_GROUPS,
        "docdb-cluster-instance",
    ),
    "neptune-cluster": (
        frozenset({"neptune-subnet-group"}) | DB_SUBNET_GROUPS,
        "neptune-cluster-instance",
    ),
}


def add_data_stores(b: Build) -> None:
    for resource in b.inv.of("db-instance"):
        _database(b, resource)
    for kind in CLUSTERS:
        for resource in b.inv.of(kind):
            _cluster(b, resource)
    _caches(b)


def _subnet_group(
    b: Build, resource: Resource, kinds: frozenset[str], unknown: list[str]
) -> list[str] | None:
    """Subnets of the subnet group a data store names; None when it names none."""
    links = resource.links("subnet_group", kinds, "subnet group", unknown, single=True)
    if not links.given:
        return None
    if len(links.addresses) != 1:
        return []
    group = b.inv.get(links.addresses[0])
    if group is None:
        return []
    group_unknown: list[str] = []
    subnets = subnets_of(b, group, ["subnets"], group_unknown)
    if group_unknown:  # the group's subnets are not known: nor is where the data store sits
        unknown.append(resource.path("subnet_group"))
    return subnets


def _placed(
    b: Build, resource: Resource, subnets: list[str] | None, unknown: list[str]
) -> tuple[list[str], str | None]:
    """Its subnets; naming no subnet group, it sits in the default VPC."""
    if subnets is not None:
        return subnets, None
    return [], in_default_vpc(b, resource, "subnet_group", unknown, "subnet group")


def _database(b: Build, resource: Resource) -> None:
    unknown: list[str] = []
    subnets = _subnet_group(b, resource, DB_SUBNET_GROUPS, unknown)
    if subnets is None:
        source = resource.link("replicates", frozenset({"db-instance"}), "database", None)
        replicated = b.inv.get(source or "")
        if replicated is not None:
            subnets = _subnet_group(b, replicated, DB_SUBNET_GROUPS, unknown)
    placed, network = _placed(b, resource, subnets, unknown)
    groups = groups_of(b, resource, ["groups"], unknown)
    public = resource.value("public")
    if has_unknown(public):
        # Public or not only at deployment: named, so that it follows --assume-unknown.
        unknown.append(resource.path("public"))
    ipv6 = _ipv6(resource, public)
    interfaces = interfaces_for(
        b,
        resource,
        placed,
        unknown,
        groups,
        public=public is True,
        public_source=resource.address,
        subnet_unknown=resource.path("subnet_group"),
        network=network,
        ipv6=ipv6,
        ipv6_unknown=ipv6 is None,
    )
    add_endpoint(b, resource, "database", interfaces, unknown)


def _ipv6(resource: Resource, public: object) -> bool | None:
    """Whether a database's IPv6 endpoints take traffic from beyond its VPC: only in dual-stack
    mode (its network type, IPv4 unless written) and publicly accessible, as "private dual-stack
    mode DB instances have IPv6 endpoints that RDS restricts to VPC access only" (those peers
    reach it over IPv4 the same way). None: not known, with a note."""
    network_type = resource.value("network_type")
    if network_type is None or not (public is True or has_unknown(public)):
        return False
    if not isinstance(network_type, str):
        path = resource.path("network_type")
        resource.note(f"{path} is not known; so is whether it takes IPv6", "network_type")
        return None
    if network_type.lower() not in WITH_IPV6:
        return False
    return True if public is True else None  # whether it is public is named already


def _cluster(b: Build, resource: Resource) -> None:
    subnet_kinds, member_kind = CLUSTERS[resource.kind]
    unknown: list[str] = []
    placed, network = _placed(
        b, resource, _subnet_group(b, resource, subnet_kinds, unknown), unknown
    )
    groups = groups_of(b, resource, ["groups"], unknown)
    public_source: str | None = None
    for member in _members(b, member_kind, resource.kind).get(resource.address, []):
        b.owner[member.address] = resource.address
        if member.value("public") is True and public_source is None:
            public_source = member.address
    ipv6 = _ipv6(resource, public_source is not None)
    interfaces = interfaces_for(
        b,
        resource,
        placed,
        unknown,
        groups,
        public=public_source is not None,
        public_source=public_source,
        subnet_unknown=resource.path("subnet_group"),
        network=network,
        ipv6=ipv6,
        ipv6_unknown=ipv6 is None,
    )
    add_endpoint(b, resource, "database", interfaces, unknown)


def _members(b: Build, member_kind: str, cluster_kind: str) -> dict[str, list[Resource]]:
    members = b.members.get(member_kind)
    if members is None:
        members = defaultdict(list)
        for member in b.inv.of(member_kind):
            links = member.links("cluster", frozenset({cluster_kind}), single=True)
            for cluster in links.addresses[:1]:
                members[cluster].append(member)
        b.members[member_kind] = members
    return members


def _caches(b: Build) -> None:
    subnet_kinds = frozenset({"cache-subnet-group"})
    replication_kinds = frozenset({"cache-replication-group"})
    for resource in b.inv.of("cache-cluster", "cache-replication-group"):
        if resource.kind == "cache-cluster":
            group = resource.link("replication_group", replication_kinds, "group", None)
            if group is not None:
                b.owner[resource.address] = group  # a member of its replication group
                continue
        unknown: list[str] = []
        placed, network = _placed(
            b, resource, _subnet_group(b, resource, subnet_kinds, unknown), unknown
        )
        groups = groups_of(b, resource, ["groups"], unknown)
        families = _cache_families(resource)
        interfaces = interfaces_for(
            b,
            resource,
            placed,
            unknown,
            groups,
            public=False,
            public_source=None,
            subnet_unknown=resource.path("subnet_group"),
            network=network,
            ipv6=families[1] if families is not None else None,
            ipv6_unknown=families is None,
        )
        if families is not None and not families[0]:
            for interface in interfaces:
                interface.ipv4 = False
        add_endpoint(b, resource, "cache", interfaces, unknown)


def _cache_families(resource: Resource) -> tuple[bool, bool] | None:
    """Whether an ElastiCache cluster takes IPv4 and IPv6 connections: as its network type
    says, "only IPv4 connections, only IPv6 connections, both IPv4 and IPv6 connections
    (dual-stack)", IPv4 unless written
    (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/network-type.html). None: not
    known, with a note."""
    network_type = resource.value("network_type")
    if network_type is None:
        return (True, False)
    if not isinstance(network_type, str):
        path = resource.path("network_type")
        resource.note(f"{path} is not known; so is whether it takes IPv6", "network_type")
        return None
    written = network_type.lower()
    return (written != "ipv6", written in ("ipv6", "dual_stack"))
