"""One build's state: the model so far, and what the handlers of each domain share."""

from __future__ import annotations

from collections import defaultdict

from msgspec import Struct, field

from reachlint.model.network import Interface, Listener, NetworkModel, Route, SecurityGroupRule
from reachlint.providers.aws.source import Fields, Inventory, Kinds, Resource

NOTE_SAMPLE = 5  # how many choices a note names


class Build(Struct):
    inv: Inventory
    model: NetworkModel
    declared_networks: list[str] = field(default_factory=list)
    # VPCs the input reads but does not create: their route tables are not in the input.
    read_networks: set[str] = field(default_factory=set)
    default_vpc: str | None = None
    default_vpc_read: bool = False  # default_vpc is read (data source), as AWS made it
    # Default subnets the input adopts (aws_default_subnet) that may not give public addresses.
    private_default_subnets: list[str] = field(default_factory=list)
    # VPCs have their default group, ACL and main table; a VPC added later gets them at once.
    defaults_done: bool = False
    listeners: dict[str, list[Listener]] = field(default_factory=dict)
    interfaces: dict[str, tuple[str, Interface]] = field(default_factory=dict)  # -> (endpoint, it)
    owner: dict[str, str] = field(default_factory=dict)  # ENI, cluster member... -> endpoint
    eni_owner: dict[str, tuple[str, int]] = field(default_factory=dict)  # ENI -> (instance, device)
    owned_enis: defaultdict[str, list[tuple[int, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    ip_index: dict[str, str] | None = None
    # Routes whose target is a value known only after apply: the route, the field (as the
    # provider names it) and its path as the input spells it.
    unknown_targets: list[tuple[Route, str, str]] = field(default_factory=list)
    members: dict[str, dict[str, list[Resource]]] = field(default_factory=dict)
    targets_seen: set[tuple[str, str, int | None, str | None]] = field(default_factory=set)
    # Rules that name a Classic Load Balancer's source group, with where they are written:
    # resolved once the load balancer's groups are known.
    source_groups: list[tuple[SecurityGroupRule, Fields, str]] = field(default_factory=list)


def one_of(resource: Resource, field: str, kinds: Kinds, what: str) -> list[str] | None:
    """The resources a one-value field may name, with a note, when the input says only that it
    is one of them (a condition not known chooses); None when it names one, or none."""
    links = resource.links(field, kinds, what, None, single=True)
    if not links.ambiguous:
        return None
    choices = ", ".join(links.addresses[:NOTE_SAMPLE])
    resource.note(f"{resource.path(field)} may be any of {choices}; its {what} is unknown", field)
    return links.addresses
