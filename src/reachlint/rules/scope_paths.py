"""A Network Access Scope as written: its match and exclude paths, before the inputs are known.

reachlint.rules.scopes reads them from the file; reachlint.rules.scope_binding turns them into
a rule's matches and allow entries against a model.
"""

from __future__ import annotations

from msgspec import Struct

from reachlint.model.traffic import IntervalSet


class Statement(Struct, frozen=True):
    """One resource statement, as written."""

    resources: tuple[str, ...]
    types: tuple[str, ...]
    where: str  # "MatchPaths[0].Source", for messages
    line: int


class ScopePath(Struct, frozen=True):
    """One match or exclude path, as written (header fields merged from both statements)."""

    where: str
    line: int
    source: Statement | None = None
    destination: Statement | None = None
    through: tuple[Statement, ...] = ()
    source_addresses: IntervalSet | None = None
    destination_addresses: IntervalSet | None = None
    source_prefix_lists: tuple[str, ...] = ()
    destination_prefix_lists: tuple[str, ...] = ()
    protocols: IntervalSet | None = None
    ports: IntervalSet | None = None


class Scope(Struct, frozen=True):
    file: str
    matches: tuple[ScopePath, ...]
    excludes: tuple[ScopePath, ...]
    rule: str = ""
    # MatchPaths and ExcludePaths as written (JSON), to write the scope out again.
    written: str = "{}"
