"""Rules as compiled from rules files: what a rule matches, what it allows, how bad it is."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from msgspec import Struct, field

from reachlint.engine.flows import FlowState
from reachlint.model.traffic import ALL_PORTS, ALL_PROTOCOLS, IntervalSet, Traffic
from reachlint.rules.findings import Severity
from reachlint.rules.selectors import Selector
from reachlint.sources import Origin

if TYPE_CHECKING:
    from reachlint.rules.scope_paths import Scope

Same = Literal["subnet", "network"]
OnlyIf = Literal["all-ports"]


class Entry(Struct, frozen=True, eq=False):
    """A match or allow entry. An end or path selector of None holds for everything."""

    source: Selector | None = None
    destination: Selector | None = None
    through: Selector | None = None
    protocols: IntervalSet = ALL_PROTOCOLS
    ports: IntervalSet = ALL_PORTS
    same: Same | None = None
    state: FlowState = "reachable"
    # More components that must all be on the path too (a scope's ThroughResources).
    also_through: tuple[Selector, ...] = ()

    @property
    def throughs(self) -> tuple[Selector, ...]:
        """Every component selector the path must pass."""
        return (self.through, *self.also_through) if self.through else self.also_through

    def traffic(self, addresses: IntervalSet) -> Traffic:
        """The entry's protocols and ports for these addresses of the external end."""
        return Traffic.box(self.protocols, addresses, self.ports)


class Rule(Struct, frozen=True, eq=False):
    id: str
    match: Entry
    allow: tuple[Entry, ...] = ()
    severity: Severity = "medium"
    title: str = ""
    description: str = ""
    only_if: OnlyIf | None = None
    docs: str | None = None
    builtin: bool = False
    origin: Origin = field(default_factory=Origin)
    # Rules that report first: what an active one of them reports between the same two ends
    # is left out of this rule's findings (each opening once, under its most specific rule).
    defers_to: tuple[str, ...] = ()
    # As written (canonical JSON): what it matches, and each allow entry with its line; to
    # tell what a change to the rules files lets through.
    match_written: str = ""
    allow_written: tuple[tuple[str, int], ...] = ()
    # Further matches: the rule is about the flows any of its matches covers.
    also_match: tuple[Entry, ...] = ()
    # A Network Access Scope, whose resources are known only with the model: evaluate binds it.
    scope: Scope | None = None

    @property
    def matches(self) -> tuple[Entry, ...]:
        return (self.match, *self.also_match)

    @property
    def heading(self) -> str:
        """The title, or the id for a rule written without one."""
        return self.title or self.id


class RuleSet(Struct):
    rules: list[Rule] = field(default_factory=list)
    # Every group of every file, by name: usable as a selector elsewhere (query, matrix).
    groups: dict[str, Selector] = field(default_factory=dict)
    # Rules a rules file switched off (`disable`, `builtin: false`): where it did.
    switched_off: dict[str, Origin] = field(default_factory=dict)

    def get(self, rule_id: str) -> Rule | None:
        return next((rule for rule in self.rules if rule.id == rule_id), None)
