"""Classes of interfaces that the network cannot tell apart.

Interfaces with the same subnet, security groups, NSGs, public address, address atom, targets
and service behave identically toward every peer, so the engine computes flows once per pair of
classes, never per pair of endpoints. Interfaces behind the same filters share one Guards, and
with it its cached verdicts.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cached_property
from typing import Literal

from msgspec import Struct, field
from msgspec.structs import replace

from reachlint.engine.filters import Filters
from reachlint.engine.flows import EndpointClass, Member, Unknown, private_address_of
from reachlint.engine.guards import Guards
from reachlint.engine.network_acls import AclView, NetworkAcls
from reachlint.engine.nsg import AzureSpaces, NsgView, Peer
from reachlint.engine.ranges import NOWHERE, Placement, Places, families_of
from reachlint.engine.route_tables import RouteTables, RouteView
from reachlint.engine.security_groups import SecurityGroups
from reachlint.engine.services import Service, service_of
from reachlint.model.network import Endpoint, Interface, NetworkModel, Subnet
from reachlint.model.traffic import ALL_ADDRESSES, V4_ALL, V6_ALL, IntervalSet, cidrs

_PLAIN = Endpoint(address="", type="", kind="other")


def counts_as_public(interface: Interface, assume: str) -> bool:
    """A public address known only after apply counts as one unless told to assume closed."""
    if interface.public:
        return True
    unsure = any("public" in what.lower() for what in interface.unknown)
    return unsure and assume == "open"


class ClassView(Struct, dict=True):
    """Engine-side view of an endpoint class: what its members share."""

    info: EndpointClass
    addresses: IntervalSet  # where its members' addresses may lie
    address_known: bool
    families: IntervalSet  # address families it can use (V4_ALL, V6_ALL)
    asgs: tuple[str, ...]
    guards: Guards
    acl: AclView | None
    routes: RouteView
    load_balancer: Endpoint | None = None
    unknowns: list[Unknown] = field(default_factory=list)
    # Among unknown ranges: where its addresses lie, and where an external peer's lie.
    placement: Placement = NOWHERE
    outside: Placement = NOWHERE
    address_names: tuple[str, ...] = ()  # what its addresses rest on, when not known
    service: Service = field(default_factory=lambda: service_of(_PLAIN))
    closed_without_nsg: bool | None = False  # a Standard public IP: see Interface
    public_source: str | None = None
    default_outbound: bool = True  # Azure's default outbound access: see Interface
    # Where its members' addresses lie in their subnet, for a family whose addresses the input
    # does not give (a fixed private IPv4 address, an IPv6 one chosen at launch).
    subnet_range: IntervalSet = ALL_ADDRESSES
    kinds: set[str] = field(default_factory=set)  # its members' endpoint kinds

    @cached_property
    def frontends(self) -> frozenset[str]:
        """A load balancer's interfaces in this class: the frontends its rules listen on."""
        return frozenset(m.interface for m in self.info.members)

    @cached_property  # the class never changes once made, and pairs ask for it often
    def peer(self) -> Peer:
        return Peer(
            addresses=self.addresses,
            groups=self.info.security_groups,
            asgs=self.asgs,
            known=self.address_known,
            network=self.info.network,
            placement=self.placement,
            names=self.address_names,
        )

    @cached_property
    def over_families(self) -> tuple[ClassView | None, ClassView | None]:
        """The class over IPv4 and over IPv6, None where it holds no address of the family: a
        connection keeps its family end to end, so the filters on its way judge the ends'
        addresses of that family only."""
        if not self.families:
            return (self, None)  # no family known: judged as it is
        views: list[ClassView | None] = []
        for family in (V4_ALL, V6_ALL):
            own = self.addresses & family
            chosen = self.subnet_range & family
            if not self.families & family or not (own or chosen):
                views.append(None)
            elif not own:  # given for the other family only: chosen in its subnet
                names = (private_address_of(self.info.id),)
                views.append(
                    replace(self, addresses=chosen, address_known=False, address_names=names)
                )
            else:
                views.append(self if own == self.addresses else replace(self, addresses=own))
        return (views[0], views[1])

    def of_family(self, addresses: IntervalSet) -> ClassView:
        """The class over the one address family `addresses` hold, if they hold one."""
        v4, v6 = self.over_families
        if v4 is not None and not addresses & V6_ALL:
            return v4
        if v6 is not None and not addresses & V4_ALL:
            return v6
        return self


class ClassBuilder:
    """Puts every interface of the model in its class, each class with its filters and routes."""

    def __init__(
        self,
        model: NetworkModel,
        assume: Literal["open", "closed"],
        filters: Filters,
        groups: SecurityGroups,
        acls: NetworkAcls,
        tables: RouteTables,
        places: Places,
        spaces: AzureSpaces,
    ) -> None:
        self.model = model
        self.assume = assume
        self.filters = filters
        self.groups = groups
        self.acls = acls
        self.tables = tables
        self.places = places
        self.spaces = spaces
        self.classes: list[ClassView] = []
        self._target_of: dict[str, tuple[str, ...]] = {}
        self._guard_views: dict[tuple[object, ...], Guards] = {}

    def build(self) -> list[ClassView]:
        self._target_of = self._targets()
        by_key: dict[tuple[object, ...], ClassView] = {}
        for endpoint in self.model.endpoints.values():
            for interface in endpoint.interfaces:
                key, addresses, known = self._class_key(endpoint, interface)
                found = by_key.get(key)
                if found is None:
                    found = self._new_class(endpoint, interface, addresses, known)
                    by_key[key] = found
                elif interface.unknown:
                    # Members share what is unknown about them, each under its own address.
                    found.unknowns.extend(f"{endpoint.address}: {w}" for w in interface.unknown)
                found.info.members.append(Member(endpoint.address, interface.address))
                found.kinds.add(endpoint.kind)
        return self.classes

    def _class_key(
        self, endpoint: Endpoint, interface: Interface
    ) -> tuple[tuple[object, ...], IntervalSet, bool]:
        network = self._network_of(interface)
        subnet_range = self._subnet_range(interface, network)
        known = [ip for ip in interface.private_ips if ip]
        if known:
            addresses = cidrs(known)
            atom = self.filters.atom_of(subnet_range, addresses)
        else:
            addresses, atom = subnet_range, None
        lb = endpoint.address if endpoint.load_balancer is not None else None
        key = (
            network,
            interface.subnet,
            counts_as_public(interface, self.assume),
            interface.public_source,  # each member's path names what makes it public
            interface.closed_without_nsg,
            interface.ipv6,
            tuple(sorted(interface.security_groups)),
            atom,
            lb,
            bool(known),
            tuple(interface.unknown),
            interface.subnet_unknown,
            tuple(interface.subnet_choices),
            interface.default_outbound_access,
            interface.network_security_group,
            interface.subnet_nsg_skipped,
            interface.subnet_nsg_unknown,
            tuple(sorted(interface.application_security_groups)),
            self._target_of.get(endpoint.address, ()),
            endpoint.exposure,
            tuple((p.low, p.high) for p in endpoint.service_ports),
        )
        return key, (atom if atom is not None else addresses), bool(known)

    def _targets(self) -> dict[str, tuple[str, ...]]:
        """Load balancers send to their targets only: being a target sets an endpoint apart."""
        found: dict[str, set[str]] = defaultdict(set)
        for group in self.model.target_groups.values():
            for target in group.targets:
                found[target.endpoint].add(group.address)
        for endpoint in self.model.endpoints.values():
            if endpoint.load_balancer is not None:
                for target in endpoint.load_balancer.instances:
                    found[target.endpoint].add(endpoint.address)
        # Nor do firewalls' DNAT rules that name an interface rather than its address.
        named = {
            rule.translated_interface.lower(): rule.address
            for gateway in self.model.gateways.values()
            if gateway.policy is not None
            for rule in gateway.policy.dnat
            if rule.translated_interface is not None
        }
        if named:
            for endpoint in self.model.endpoints.values():
                for interface in endpoint.interfaces:
                    if (rule := named.get(interface.address.lower())) is not None:
                        found[endpoint.address].add(rule)
        return {address: tuple(sorted(groups)) for address, groups in found.items()}

    def _network_of(self, interface: Interface) -> str | None:
        if interface.subnet and interface.subnet in self.model.subnets:
            return self.model.subnets[interface.subnet].network
        return interface.network

    def _subnet_range(self, interface: Interface, network: str | None) -> IntervalSet:
        return self.places.address_range(self.model.subnets.get(interface.subnet or ""), network)

    def _new_class(
        self, endpoint: Endpoint, interface: Interface, addresses: IntervalSet, known: bool
    ) -> ClassView:
        network = self._network_of(interface)
        subnet = self.model.subnets.get(interface.subnet or "")
        unknowns: list[Unknown] = [f"{endpoint.address}: {what}" for what in interface.unknown]
        if subnet is None and interface.network is None:
            unknowns.append(f"{endpoint.address}: subnet")
        if subnet is not None and subnet.route_table_unknown:
            unknowns.append(subnet.route_table_unknown)
        if subnet is not None and subnet.network_acl_unknown:
            unknowns.append(subnet.network_acl_unknown)
        families = IntervalSet()
        subnet_ranges = families_of(subnet) if subnet is not None else ALL_ADDRESSES
        if (subnet is None or subnet_ranges & V4_ALL) and interface.ipv4 is not False:
            families = families | V4_ALL
        if (subnet is None or subnet_ranges & V6_ALL) and _has_ipv6(interface, self.assume):
            families = families | V6_ALL
        service = service_of(endpoint)
        info = EndpointClass(
            id=len(self.classes),
            network=network,
            subnet=interface.subnet,
            public=counts_as_public(interface, self.assume),
            security_groups=tuple(sorted(interface.security_groups)),
        )
        names = self.places.address_names(subnet, network)
        if not known and not names:
            names = (private_address_of(info.id),)  # chosen in its subnet when deployed
        made = ClassView(
            info=info,
            addresses=addresses,
            address_known=known,
            placement=self.places.inside(subnet, network),
            outside=self.places.internet(network),
            address_names=() if known else names,
            families=families,
            asgs=tuple(sorted(interface.application_security_groups)),
            guards=self._guards(
                interface, subnet, network, addresses, known, bare=service.pass_through
            ),
            acl=self._acl(interface, subnet, network),
            routes=self._routes(interface, subnet, network),
            load_balancer=endpoint if endpoint.load_balancer is not None else None,
            unknowns=unknowns,
            service=service,
            closed_without_nsg=interface.closed_without_nsg,
            public_source=interface.public_source,
            default_outbound=interface.default_outbound_access,
            subnet_range=self._subnet_range(interface, network) if known else addresses,
        )
        self.classes.append(made)
        return made

    def _acl(
        self, interface: Interface, subnet: Subnet | None, network: str | None
    ) -> AclView | None:
        if subnet is None and interface.subnet_unknown and network is not None:
            choices = [self.model.subnets[a] for a in interface.subnet_choices]
            return self.acls.acl_for_some(choices, network)
        return self.acls.acl_for(subnet)

    def _routes(
        self, interface: Interface, subnet: Subnet | None, network: str | None
    ) -> RouteView:
        if subnet is None and interface.subnet_unknown and network is not None:
            # Any subnet of its network, or of those the input names: --assume-unknown decides.
            choices = [self.model.subnets[a] for a in interface.subnet_choices]
            public = counts_as_public(interface, self.assume)
            if choices:
                return self.tables.view_for_some_subnet(choices, network, public)
            return self.tables.view_for_unknown_subnet(network, public)
        return self.tables.view_for(subnet, network)

    def _guards(
        self,
        interface: Interface,
        subnet: Subnet | None,
        network: str | None,
        addresses: IntervalSet,
        known: bool,
        bare: bool = False,
    ) -> Guards:
        """The filters of an interface; `bare`: none (a pass-through frontend has none)."""
        if bare:
            return Guards(self.filters, self.groups.view(()), [])
        groups = self.groups.view(tuple(sorted(interface.security_groups)))
        guarded = Peer(
            addresses=addresses,
            groups=tuple(sorted(interface.security_groups)),
            asgs=tuple(sorted(interface.application_security_groups)),
            known=known,
            network=network,
            placement=self.places.inside(subnet, network),
        )
        table = subnet.route_table if subnet is not None else None
        # The subnet's NSG, unless it does not filter this interface (or may not: then the
        # value that decides is named).
        subnet_nsg = subnet.security_group if subnet is not None else None
        if interface.subnet_nsg_skipped:
            subnet_nsg = None
        placed = [
            (nsg, level, optional)
            for address, level, optional in (
                (subnet_nsg, "subnet", interface.subnet_nsg_unknown),
                (interface.network_security_group, "network interface", None),
            )
            if (nsg := self.model.network_security_groups.get(address or "")) is not None
        ]
        # Interfaces behind the same filters share one Guards, and so its verdict caches; an
        # NSG also judges the guarded address, so then that is part of what must be the same.
        key = (
            groups.groups,
            tuple((n.address, level, optional) for n, level, optional in placed),
            table,
            guarded if placed else None,
        )
        found = self._guard_views.get(key)
        if found is None:
            views = [
                NsgView(n, guarded, self.spaces, self.assume, level, table, optional)
                for n, level, optional in placed
            ]
            found = self._guard_views[key] = Guards(self.filters, groups, views)
        return found


def _has_ipv6(interface: Interface, assume: str) -> bool:
    """Whether an interface holds IPv6 addresses where its subnet has IPv6 ranges; not known
    (its request or its subnet's, named in `unknown`), as --assume-unknown takes it."""
    if interface.ipv6 is not None:
        return interface.ipv6
    return assume == "open" or "ipv6" not in interface.unknown
