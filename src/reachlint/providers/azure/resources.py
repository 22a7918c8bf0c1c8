"""How the Azure provider reads its input: resources in Azure's own terms, whatever the dialect.

A dialect (ARM including Bicep's JSON, Terraform's azurerm provider) hands the provider each
resource as a `Resource`: its address, its type as the input spells it, where it is written,
and its fields under the provider's names (`address_space`, `security_group`, `rules`...). A
field may hold a value, a link to another resource, or entries written inside the resource
(inline subnets, rules, IP configurations), each a `Resource` too. A value may be unknown before
deployment: the dialect says so in its own words (`known only after apply`, `unknown: ... at
deployment`), names the unknown attribute in the list it is given and writes the note. The
provider never sees a JSON path or an attribute name: the dialect's table translates.

Where the two dialects model the same thing differently today, the difference is a named
setting in `Settings`, so that it can be seen, and unified deliberately later.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Protocol

from msgspec import Struct, field

from reachlint.model.network import NetworkModel
from reachlint.providers.values import TagValues
from reachlint.sources import Origin, UnknownValue


class Resource(Protocol):
    """One resource, or one entry written inside a resource, as the provider reads it."""

    @property
    def address(self) -> str: ...

    @property
    def type(self) -> str: ...

    @property
    def origin(self) -> Origin: ...

    @property
    def name(self) -> str | None:
        """Its own name, as Azure knows it."""

    @property
    def path(self) -> str:
        """Where an entry is written inside its resource, as the dialect's notes prefix a field
        (`route.0.`); empty for a resource itself, or where notes name fields otherwise."""

    def tags(self) -> TagValues:
        """Its tags, and those whose value is not known."""

    def sku(self) -> str | None:
        """Its SKU's name; None picks the service's default."""

    def text(self, field: str, unknown: list[str] | None = None) -> str | None:
        """A string field; None when absent or unknown (then named in `unknown` and noted)."""

    def number(self, field: str, unknown: list[str] | None = None) -> int | None:
        """A whole number (an integer, or a string of digits)."""

    def flag(self, field: str) -> bool | None:
        """A boolean; None when absent or unknown."""

    def texts(self, field: str, unknown: list[str] | None = None) -> list[str]:
        """The strings of a field that holds one or many (a singular and a plural property)."""

    def cidrs(
        self, field: str, unknown: list[str], ranges: list[UnknownValue] | None = None
    ) -> list[str]:
        """Address ranges, normalised; unknown ones named in `ranges` (or `unknown`)."""

    def prefixes(self, field: str, unknown: list[str], ranges: list[UnknownValue]) -> list[str]:
        """An NSG rule's address prefixes as written (CIDRs, tags, '*'); unknown ranges named."""

    def address_range(self, field: str, ranges: list[UnknownValue]) -> str | None:
        """The one address range a field holds, as written; an unknown one named in `ranges`."""

    def link(self, field: str, unknown: list[str] | None = None) -> str | None:
        """The address of the one resource a field links to."""

    def links(self, field: str, unknown: list[str] | None = None) -> list[str]:
        """The addresses of the resources a field links to."""

    def given(self, field: str) -> bool:
        """Whether the field is written at all (an unknown value counts)."""

    def entries(self, field: str, unknown: list[str] | None = None) -> list[Resource]:
        """The entries written inside this resource under a field (inline rules, subnets)."""

    def note(self, message: str, here: bool = False, at: str | None = None) -> None:
        """A note on this resource; `here`: at the entry's own place rather than its resource's;
        `at`: where a field is written, where the dialect knows."""

    def unknowable(self, what: str, why: str, unknown: list[str]) -> None:
        """Azure decides `what` at deployment, for the reason `why`: named, and noted."""

    def name_unknown(self, field: str, unknown: list[str]) -> None:
        """Name a field in `unknown` as the dialect calls it; the caller writes the note."""

    def missing(self, field: str, unknown: list[str]) -> None:
        """A field that must be known is not: named in `unknown`, and noted."""

    def invalid(self, field: str, written: Iterable[str], unknown: list[str]) -> None:
        """A field holds what Azure would refuse: noted, and named in `unknown` where the
        dialect does."""


class Source(Protocol):
    """An input's resources in the provider's terms, and the model being built from them."""

    model: NetworkModel
    settings: Settings

    def of(self, kind: str) -> list[Resource]:
        """Every resource of one kind (`virtual_network`, `network_security_group`...)."""

    def parent_network(self, subnet: str) -> str | None:
        """The virtual network a subnet's address names, when the address says."""

    def resource(self, address: str, kind: str) -> Resource | None:
        """The resource of one kind at an address a link gave; None when none is there."""


class Settings(Struct, frozen=True):
    """How a dialect models what both dialects read; each a difference kept as it was."""

    # Azure's default NSG rules sorted in among the rules by direction and priority (ARM), or
    # listed after them (azurerm). The engine orders by priority either way.
    sort_default_rules_in: bool
    # A separate rule resource whose NSG is not in the input: what the note says (None: the
    # link's own note says it).
    rule_without_group: str | None
    # A separate rule resource for an NSG that also has inline rules: the note (None: none).
    inline_and_separate_rules: str | None
    # A rule's fields read source address, source ports, destination... (ARM) or both address
    # sides first (azurerm): the order of their notes.
    read_rule_side_by_side: bool
    # A subnet's address ranges listed twice count once (azurerm), or as often as written (ARM).
    dedupe_subnet_ranges: bool
    # A subnet's NSG, route table or NAT gateway that is not known: the reader names its own
    # attribute when the value is unknown (ARM), or the subnet's field is named whenever the
    # link cannot be resolved (azurerm).
    name_unresolved_subnet_links: bool
    # A subnet resource whose virtual network is not in the input: the note (None: the link
    # places it in a network outside the input, whose ranges are unknown).
    subnet_without_network: str | None
    # Every declaration between two networks is one peering, names compared without case (ARM),
    # or each direction pairs with the first one back (azurerm).
    pair_all_declarations: bool
    # The subnets that use a route table or NAT gateway: those associated with it when the
    # model is complete, in its order (a route table's sorted) (ARM), or in the order they were
    # associated, as the input writes them (azurerm).
    subnets_from_model: bool
    # The note on BGP route propagation turned off: before the table's routes are read (ARM),
    # or after them (azurerm).
    note_bgp_after_routes: bool
    # A route without a known prefix or next hop, or for a service tag: skipped with a note
    # (ARM), or kept with what it lacks named unknown (azurerm, also an unknown next hop type).
    keep_incomplete_routes: bool
    # Notes on a route placed at the route (ARM) or at its route table (azurerm).
    route_notes_here: bool
    # Addresses with spaces around them, or spelled another way than Python's (IPv6 case): read
    # and written in their canonical form (azurerm), or taken as written, a spaced one refused
    # (ARM).
    normalise_addresses: bool
    # A virtual appliance's next-hop address must be an IP address, else it is unknown
    # (azurerm), or is taken as written (ARM).
    check_next_hop_ip: bool
    # A next-hop address known only after apply, written as an appliance's own attribute,
    # names that appliance (azurerm: a reference); ARM's reference() is not followed.
    hop_by_reference: bool
    # The appliance holding a next-hop address is checked: a note when its interface does not
    # forward IP, or when no resource holds the address (ARM); taken as found (azurerm).
    check_appliance: bool
    # A route to the virtual network gateway from a spoke that uses its hub's gateway through
    # peering goes to the hub's gateway (ARM); only the network's own counts (azurerm).
    gateway_through_peering: bool
    # A virtual network gateway whose network is not known names `network` unknown (ARM), or
    # only what left it unknown (azurerm).
    name_unknown_gateway_network: bool
    # Point-to-site clients read with their gateway (ARM), or after the route tables, with the
    # other on-premises ends (azurerm).
    point_to_site_with_gateway: bool
    # An unknown client address pool: unknown ranges (ARM), or the field named unknown (azurerm).
    client_pool_unknown_ranges: bool
    # A NAT gateway is public only with a public IP or prefix association (azurerm); ARM does not
    # read its public IPs, and takes it as public.
    nat_public_from_associations: bool
    # A NAT gateway no subnet uses: the note (None: none).
    nat_without_subnet: str | None
    # On-premises ends found from the connections (azurerm), or every local network gateway
    # and circuit, behind the gateway a connection joins it to (ARM).
    sites_from_connections: bool
    # A private endpoint's or Bastion host's subnet that is not known: the link's field named on
    # the endpoint and `subnet` on its interface (azurerm), or the field on the interface when
    # its value is unknown (ARM).
    name_unknown_subnet_on_endpoint: bool
    # A subnet's private endpoint network policies when none are written: the API's default,
    # Disabled (ARM), or none (azurerm: the default differs by provider version, so its NSG is
    # taken to filter traffic to private endpoints).
    private_endpoint_policies_default: str | None
    # A route table with inline routes and separate route resources: the note (None: none).
    inline_and_separate_routes: str | None
    # A separate route whose table is not modelled: the note (None: none).
    route_without_table: str | None
    # A Bastion host without IP configurations is the Developer SKU, in its virtual network
    # (ARM); azurerm reads its subnet from them all the same.
    developer_bastion: bool
    # A Bastion host without a public IP in the input is public by itself (azurerm); ARM names
    # no source.
    bastion_public_by_itself: bool
    # The SKU of a public IP that the input writes none for: the API's default, Basic (ARM),
    # or not known (azurerm: its default changed from Basic to Standard in azurerm 4.0).
    public_ip_default_sku: str | None
    # A firewall rule collection whose action is neither Allow nor Deny (unknown): its rules
    # are undecidable (ARM), or allow (azurerm).
    unknown_rule_action_undecidable: bool
    # A firewall's private address: from its first IP configuration only (ARM), or from each
    # (azurerm).
    firewall_address_of_first_only: bool
    # A firewall is public when it has a public IP (azurerm), or always, the model's default
    # (ARM, which reads its public IP only for its DNAT rules).
    firewall_public_from_address: bool
    # A firewall whose private address is not known: the name it gets unknown, and the note
    # (None: none).
    firewall_address_unknown: tuple[str, str | None]
    # A firewall's subnet not named AzureFirewallSubnet: the note (None: not checked).
    firewall_subnet_not_named: str | None
    # The types of what the input does not declare but the model needs: a virtual network, a
    # subnet and a network security group outside the input, in the dialect's words.
    network_type: str
    subnet_type: str
    nsg_type: str
    # What the dialect says of facts both note in their own words, by name.
    notes: Mapping[str, str]


class PeeringSide(Struct):
    """One direction of a peering, from `local` to `remote` (see `peerings`)."""

    entry: Resource
    local: str | None
    remote: str | None
    unknown: list[str] = field(default_factory=list)

    def flag(self, name: str) -> bool | None:
        return self.entry.flag(name)


class Build:
    """One model in the making: the input's resources, and what one step leaves for another."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.model = source.model
        self.settings = source.settings
        self.peering_sides: list[PeeringSide] = []
        # Network interfaces that forward IP (a virtual appliance's), as far as they are read.
        self.forwarding_nics: set[str] = set()
        # Subnet -> whether its NSG filters traffic to the private endpoints in it, as its
        # private endpoint network policies say; a text: the value not known that decides.
        self.endpoint_nsg: dict[str, bool | str] = {}
        # Route table or NAT gateway -> the subnets associated with it, in the input's order.
        self.users: dict[str, dict[str, list[str]]] = {
            "route_table": defaultdict(list),
            "nat_gateway": defaultdict(list),
        }
