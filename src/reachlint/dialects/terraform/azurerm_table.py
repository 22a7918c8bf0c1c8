"""azurerm's vocabulary for the Azure provider: which resource type is which kind, what each
attribute is called.

Start here to add a resource type. `TYPES` maps an azurerm resource type to the kind of
resource the provider knows (`providers/azure/resources.py`); `FIELDS` says, for each kind,
which attributes hold the provider's fields (one or more, read together: `address_prefix` and
`address_prefixes`), what a link may point at, and how a note names them. `ENTRIES` says which
blocks hold entries written inside a resource (inline subnets, rules).
"""

from __future__ import annotations

from dataclasses import dataclass

from reachlint.providers.azure.resources import Settings


@dataclass(frozen=True)
class Field:
    """Which attributes hold one provider field."""

    names: tuple[str, ...]
    types: frozenset[str] | None = None  # a link: the types it may name (None: any)
    what: str = "resource"  # a link: what it names, in a note
    by_name: bool = False  # a link by name (`virtual_network_name`), in the same group
    assume_only: str = ""  # unknown link: the only resource of its types is assumed; the note
    unresolved: str = ""  # the note for a link that cannot be resolved ({path} {what})
    missing: str = ""  # the note for a value that must be known but is not ({path} {name})
    invalid: str = ""  # the note for a value Azure refuses ({path} {written})


def attr(*names: str, **how: object) -> Field:
    return Field(names, **how)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Entries:
    block: str  # the nested block's name
    kind: str  # the entries' provider kind


NSG_TYPES = frozenset({"azurerm_network_security_group"})
ASG_TYPES = frozenset({"azurerm_application_security_group"})

TYPES: dict[str, str] = {
    "azurerm_network_security_group": "network_security_group",
    "azurerm_network_security_rule": "security_rule",
    "azurerm_application_security_group": "application_security_group",
}

ENTRIES: dict[str, dict[str, Entries]] = {
    "network_security_group": {"rules": Entries("security_rule", "security_rule")},
}

_RULE_UNKNOWN = "{path} of rule {name} is known only after apply"
_GROUPS = "{path} names {what}"
_PORTS = "{path} holds {written}, which is not a port range"

FIELDS: dict[str, dict[str, Field]] = {
    "security_rule": {
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
    skip_rule_without_verdict=False,
    sort_default_rules_in=False,
    rule_without_group=None,
    inline_and_separate_rules="{group} also has inline security_rule blocks; Azure keeps "
    "whichever is applied last, so both are modelled",
    read_rule_side_by_side=False,
)
