"""`reachlint matrix`: which group reaches which, on what traffic.

Groups come from a groups file (the `groups:` of a rules file, in the file's order) or are made
from the model (`--by`): one group per subnet, network, security group, value of a tag, or
endpoint. `auto` groups by a tag other than Name that every endpoint carries with more than one
value (Tier, Role...), and by subnet when there is none. The internet and each on-premises site
are groups of their own unless a groups-file group selects them; endpoints no group selects are
"other endpoints".

A cell holds the union of the engine's reachable flows from a member of the row's group to a
different member of the column's group, as it arrives. Traffic that gets there only through a
load balancer is marked with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec import Struct, field

from reachlint.commands.design.common import (
    Ends,
    address_space,
    end_key,
    load_balancers_on,
    short_name,
)
from reachlint.engine.flows import End, EndpointClass, External, Flow
from reachlint.errors import InputError
from reachlint.limits import LimitError
from reachlint.model.traffic import (
    ALL_ADDRESSES,
    V4_ALL,
    V6_ALL,
    IntervalSet,
    Traffic,
    addresses_as_cidrs,
)
from reachlint.rules.findings import TrafficEntry, traffic_entries
from reachlint.rules.selectors import EndSubject, Matcher
from reachlint.safe_text import md_code, md_text, one_line
from reachlint.sensitive import Scrubber, shown_label

if TYPE_CHECKING:
    from reachlint.commands.design.selector_text import Groups
    from reachlint.engine.reach import AssumeUnknown
    from reachlint.inputs.load import LoadOptions
    from reachlint.model.network import Endpoint, NetworkModel

FORMATS = ("text", "markdown", "json")
GROUPINGS = ("auto", "subnet", "network", "security-group", "endpoint", "tag:KEY")
OTHER = "other endpoints"
EMPTY_CELL = "-"
ADDRESSES_SHOWN = 2


# ----- groups -------------------------------------------------------------------------------


class _Side(Struct):
    """The members of one end that belong to a group, and the addresses they stand for."""

    members: set[str] = field(default_factory=set)
    addresses: IntervalSet = field(default_factory=IntervalSet)


class Grouping(Struct):
    """Named groups of ends, and for each end of a flow which groups its members are in."""

    names: list[str]
    members: dict[str, list[str]]
    description: str
    # Grouped by subnet or network: a picture's boxes already say what the group is.
    by_placement: bool
    _sides: dict[tuple[str, str | int], dict[str, _Side]]

    def sides(self, end: End) -> dict[str, _Side]:
        return self._sides.get(end_key(end), {})

    def labels_of(self, end: End, member: str) -> list[str]:
        """The groups a member of `end` is in, in the groups' order."""
        sides = self.sides(end)
        return [name for name in self.names if name in sides and member in sides[name].members]


class _Builder:
    def __init__(self, ends: Ends, description: str, by_placement: bool = False) -> None:
        self.ends = ends
        self.description = description
        self.by_placement = by_placement
        self.sides: dict[tuple[str, str | int], dict[str, _Side]] = {}
        self.members: dict[str, set[str]] = {}

    def add(self, end: End, name: str, subject: EndSubject, addresses: IntervalSet) -> None:
        side = self.sides.setdefault(end_key(end), {}).setdefault(name, _Side())
        side.members.add(subject.address)
        side.addresses = side.addresses | addresses
        self.members.setdefault(name, set()).add(subject.address)

    def build(self, order: list[str]) -> Grouping:
        names = [name for name in order if name in self.members]
        return Grouping(
            names=names,
            members={name: sorted(self.members[name]) for name in names},
            description=self.description,
            by_placement=self.by_placement,
            _sides=self.sides,
        )


def file_grouping(model: NetworkModel, ends: Ends, groups: Groups) -> Grouping:
    """The groups of a groups file; ends that none selects get groups of their own."""
    matcher = Matcher(model)
    builder = _Builder(ends, f"groups of {groups.file}")
    externals: list[str] = []
    undecided: set[str] = set()
    for end, subjects in ends.all():
        space = address_space(model, end)
        for subject in subjects:
            picked = False
            maybe: list[str] = []
            for name in groups.names:
                least, most, _doubts = matcher.bounds(groups.rules.groups[name], subject)
                if least & space:
                    builder.add(end, name, subject, least & space)
                    picked = True
                elif most & space:
                    maybe.append(name)
            if picked:
                continue
            if isinstance(end, External):
                builder.add(end, end.address, subject, space)
                externals.append(end.address)
            elif maybe:
                # Tags not known before apply: the group it may be in, named as such.
                name = f"(maybe {', '.join(maybe)})"
                builder.add(end, name, subject, ALL_ADDRESSES)
                undecided.add(name)
            else:
                builder.add(end, OTHER, subject, ALL_ADDRESSES)
    return builder.build([*externals, *groups.names, *sorted(undecided), OTHER])


def auto_grouping(model: NetworkModel, ends: Ends, by: str) -> Grouping:
    """Groups made from the model: by subnet, network, security group, tag value or endpoint."""
    if by == "auto":
        key = _tier_tag(model)
        by = f"tag:{key}" if key is not None else "subnet"
    label, description = _labeller(by)
    builder = _Builder(ends, description, by_placement=by in ("subnet", "network"))
    externals: list[str] = []
    names: set[str] = set()
    for end, subjects in ends.all():
        for subject in subjects:
            if isinstance(end, External):
                builder.add(end, end.address, subject, address_space(model, end))
                externals.append(end.address)
                continue
            for label_text in label(end, subject):
                name = shown_label(label_text, model.sensitive)
                builder.add(end, name, subject, ALL_ADDRESSES)
                names.add(name)
    return builder.build([*externals, *sorted(names)])


def _labeller(by: str) -> tuple[Callable[[EndpointClass, EndSubject], list[str]], str]:
    if by == "subnet":
        return _subnet_label, "one group per subnet"
    if by == "network":
        return _network_label, "one group per network"
    if by == "security-group":
        return _security_group_labels, "one group per security group"
    if by == "endpoint":
        return (lambda _cls, subject: [subject.address]), "one group per endpoint"
    prefix, colon, key = by.partition(":")
    if prefix == "tag" and colon and key.strip():
        return _tag_labeller(key.strip()), f"one group per value of the {key.strip()} tag"
    raise InputError(f"unknown --by {by!r}; expected one of {', '.join(GROUPINGS)}")


def _subnet_label(cls: EndpointClass, subject: EndSubject) -> list[str]:
    if cls.subnet:
        return [cls.subnet]
    if not cls.network:
        return ["(no network)"]
    return [f"{cls.network} ({'subnet unknown' if subnet_unknown(subject) else 'no subnet'})"]


def subnet_unknown(subject: EndSubject) -> bool:
    """Whether the input leaves the subnet open (known after apply), not merely absent."""
    interface = subject.interface
    return interface is not None and any("subnet" in what for what in interface.unknown)


def _network_label(cls: EndpointClass, _subject: EndSubject) -> list[str]:
    return [cls.network or "(no network)"]


def _security_group_labels(cls: EndpointClass, subject: EndSubject) -> list[str]:
    interface = subject.interface
    found = list(cls.security_groups)
    if interface is not None:
        found += interface.application_security_groups
        if interface.network_security_group:
            found.append(interface.network_security_group)
    return sorted(set(found)) or ["(no security group)"]


def _tag_labeller(key: str) -> Callable[[EndpointClass, EndSubject], list[str]]:
    def label(_cls: EndpointClass, subject: EndSubject) -> list[str]:
        endpoint = subject.endpoint
        if endpoint is not None and key in endpoint.tags:
            return [f"{key}={endpoint.tags[key]}"]
        if endpoint is not None and (key in endpoint.unknown_tags or endpoint.tags_unknown):
            return [f"({key} not known before apply)"]
        return [f"(no {key} tag)"]

    return label


def _tier_tag(model: NetworkModel) -> str | None:
    """A tag every endpoint carries (or may) with more than one value, other than Name.

    Such a tag names roles (Tier=web, Tier=app); Name names individuals. Of several, the one
    with the fewest values wins.
    """
    endpoints = list(model.endpoints.values())
    if len(endpoints) < 2:
        return None
    # A tag whose value, or tags whose keys, are not known may be that tag.
    keys = [set(e.tags) | set(e.unknown_tags) for e in endpoints if e.tags_unknown is None]
    if not keys:
        return None
    shared = set.intersection(*keys)
    candidates = []
    for key in shared:
        values = {endpoint.tags[key] for endpoint in endpoints if key in endpoint.tags}
        if key.lower() == "name" or _provenance(key) or len(values) < 2:
            continue
        if not _names_individuals(values, endpoints):
            candidates.append((len(values), key))
    return min(candidates)[1] if candidates else None


# A commit, a content hash or a UUID: what tools such as yor stamp on every resource.
_HASH = re.compile(
    r"(?=.*\d)(?=.*[a-f])[0-9a-f]{7,64}|[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}", re.IGNORECASE
)


def _names_individuals(values: set[str], endpoints: list[Endpoint]) -> bool:
    """Whether a tag's values tell resources apart rather than name roles: a hash in any of
    them, or a value of its own for each of more than two endpoints."""
    unique = len(values) == len(endpoints) > 2
    return unique or any(_HASH.fullmatch(value) for value in values)


def _provenance(key: str) -> bool:
    """yor's code-to-cloud tags (git_commit, git_file, yor_trace...) say where a resource was
    written, not what it does: https://github.com/bridgecrewio/yor#tag-groups"""
    return key.lower().startswith(("git_", "yor_"))


def check_grouping(groups_file: Path | None, by: str | None) -> None:
    """Refuse a grouping mistake before any input is read."""
    if groups_file is not None and by is not None:
        raise InputError("give either --groups or --by, not both")
    if by is not None and by != "auto":
        _labeller(by)


# Groups a table or a picture shows: each is a row and a column, or a box with its arrows; past
# this many no one reads either, and a few hostile lines can ask for a million cells.
MAX_GROUPS = 500


def grouping_for(
    model: NetworkModel, ends: Ends, groups: Groups | None, by: str | None
) -> Grouping:
    """The groups a groups file names, else those `--by` makes (default auto)."""
    if groups is not None:
        grouping = file_grouping(model, ends, groups)
    else:
        grouping = auto_grouping(model, ends, by or "auto")
    if len(grouping.names) > MAX_GROUPS:
        raise LimitError(
            f"{grouping.description} makes {len(grouping.names):,} groups (group by subnet, "
            "network or a tag, or name fewer in a groups file)",
            MAX_GROUPS,
            "groups",
        )
    return grouping


# ----- the matrix ---------------------------------------------------------------------------


class Cell(Struct):
    traffic: Traffic = field(default_factory=Traffic)
    direct: Traffic = field(default_factory=Traffic)
    # Traffic that arrives through each load balancer (the last one on its path).
    through: dict[str, Traffic] = field(default_factory=dict)
    # With the internet or an on-premises site at one end: the addresses there that take part,
    # and all the addresses the group stands for there.
    outside: IntervalSet = field(default_factory=IntervalSet)
    space: IntervalSet = field(default_factory=IntervalSet)
    outside_word: str = ""

    def add(self, traffic: Traffic, flow: Flow, external: _Side | None, word: str) -> None:
        if external is not None:
            self.outside = self.outside | traffic.addresses()
            self.space = self.space | external.addresses
            self.outside_word = word
        services = traffic.services_everywhere()
        self.traffic = self.traffic | services
        balancers = load_balancers_on(flow.path)
        if not balancers:
            self.direct = self.direct | services
            return
        last = balancers[-1]
        self.through[last] = self.through.get(last, Traffic()) | services

    def only_through(self) -> list[tuple[str, Traffic]]:
        """Per load balancer, the traffic that arrives no other way."""
        shown = []
        for balancer in sorted(self.through):
            rest = self.through[balancer] - self.direct
            if rest:
                shown.append((balancer, rest))
        return shown

    def addresses(self) -> list[str] | None:
        """The outside addresses as CIDRs, when only some of the group's take part."""
        # Per address family in use: an IPv4-only network reaches all of the IPv4 internet.
        for family in (V4_ALL, V6_ALL):
            used = self.outside & family
            if used and not (self.space & family).issubset(used):
                return addresses_as_cidrs(self.outside)
        return None

    def text(self) -> str:
        parts = [self.direct.text()] if self.direct else []
        parts += [
            f"{rest.text()} via {short_name(balancer)}" for balancer, rest in self.only_through()
        ]
        text = "; ".join(parts) or EMPTY_CELL
        listed = self.addresses()
        if listed:
            shown = ", ".join(listed[:ADDRESSES_SHOWN])
            more = len(listed) - ADDRESSES_SHOWN
            text += f" ({self.outside_word} {shown}{f' and {more} more' if more > 0 else ''})"
        return text


class Matrix(Struct):
    grouping: Grouping
    cells: dict[tuple[str, str], Cell]

    def cell(self, source: str, destination: str) -> Cell | None:
        return self.cells.get((source, destination))


def compute_matrix(grouping: Grouping, flows: list[Flow]) -> Matrix:
    """The traffic each group's members send to another member of each group."""
    cells: dict[tuple[str, str], Cell] = {}
    for flow in flows:
        if flow.state != "reachable":
            continue
        sources = grouping.sides(flow.source)
        destinations = grouping.sides(flow.destination) if sources else {}
        for source_name, source in sources.items():
            for destination_name, destination in destinations.items():
                if _only_itself(source, destination):
                    continue  # a flow from an endpoint to itself is not a flow
                addresses = source.addresses & destination.addresses
                traffic = flow.traffic
                if addresses != ALL_ADDRESSES:
                    traffic = traffic.only_addresses(addresses)
                if not traffic:
                    continue
                cell = cells.setdefault((source_name, destination_name), Cell())
                if isinstance(flow.source, External):
                    cell.add(traffic, flow, source, "from")
                elif isinstance(flow.destination, External):
                    cell.add(traffic, flow, destination, "to")
                else:
                    cell.add(traffic, flow, None, "")
    return Matrix(grouping, cells)


def _only_itself(source: _Side, destination: _Side) -> bool:
    return len(source.members) == 1 and source.members == destination.members


# ----- output -------------------------------------------------------------------------------


class _Strict(Struct, kw_only=True, forbid_unknown_fields=True):
    """An answer's documents, written as JSON with `from` and `to` as in a report."""


class GroupOut(_Strict, kw_only=True):
    name: str
    members: list[str]


class ThroughOut(_Strict, kw_only=True):
    address: str
    traffic: list[TrafficEntry]


class CellOut(_Strict, kw_only=True):
    source: str = field(name="from")
    destination: str = field(name="to")
    traffic: list[TrafficEntry]
    # Outside addresses (internet, on-premises) when only some of the group's take part.
    addresses: list[str] | None = None
    through: list[ThroughOut] | None = None


class MatrixOut(_Strict, kw_only=True):
    grouping: str
    groups: list[GroupOut]
    cells: list[CellOut]


def render_matrix(matrix: Matrix, fmt: str) -> str:
    if fmt == "json":
        return _json(matrix)
    rows = _rows(matrix)
    if fmt == "markdown":
        return _markdown(matrix, rows)
    return _text(matrix, rows)


def _entries(traffic: Traffic) -> list[TrafficEntry]:
    return traffic_entries(traffic)


def _json(matrix: Matrix) -> str:
    grouping = matrix.grouping
    cells = []
    for source in grouping.names:
        for destination in grouping.names:
            cell = matrix.cell(source, destination)
            if cell is None:
                continue
            through = [
                ThroughOut(address=balancer, traffic=_entries(rest))
                for balancer, rest in cell.only_through()
            ]
            cells.append(
                CellOut(
                    source=source,
                    destination=destination,
                    traffic=_entries(cell.traffic),
                    addresses=cell.addresses(),
                    through=through or None,
                )
            )
    document = MatrixOut(
        grouping=grouping.description,
        groups=[GroupOut(name=name, members=grouping.members[name]) for name in grouping.names],
        cells=cells,
    )
    from reachlint.reports.schema import document_json

    return document_json(document) + "\n"


def _rows(matrix: Matrix) -> list[list[str]]:
    names = matrix.grouping.names
    rows = [["from \\ to", *(short_name(name) for name in names)]]
    for source in names:
        row = [short_name(source)]
        for destination in names:
            cell = matrix.cell(source, destination)
            row.append(cell.text() if cell is not None else EMPTY_CELL)
        rows.append(row)
    return rows


def _text(matrix: Matrix, rows: list[list[str]]) -> str:
    rows = [[one_line(value) for value in row] for row in rows]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    description = one_line(matrix.grouping.description)
    lines = [f"Traffic from each row's group to each column's group ({description}):", ""]
    for row in rows:
        padded = (value.ljust(width) for value, width in zip(row, widths, strict=True))
        lines.append("  ".join(padded).rstrip())
    lines += ["", "Groups:"]
    lines += [
        f"  {one_line(name)}: {', '.join(map(one_line, members))}"
        for name, members in _group_members(matrix)
    ]
    return "\n".join(lines) + "\n"


def _markdown(matrix: Matrix, rows: list[list[str]]) -> str:
    header, *body = rows
    corner, *columns = header  # the corner is reachlint's own words
    lines = [
        "| " + " | ".join([corner, *(_md(value) for value in columns)]) + " |",
        "|" + "---|" * len(header),
    ]
    for row in body:
        first, *cells = row
        lines.append("| " + " | ".join([f"**{_md(first)}**", *(_md(c) for c in cells)]) + " |")
    lines += ["", f"Groups ({_md(matrix.grouping.description)}):", ""]
    for name, members in _group_members(matrix):
        lines.append(f"- **{_md(name)}**: {', '.join(md_code(member) for member in members)}")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return md_text(text, starts_line=False)


def _group_members(matrix: Matrix) -> list[tuple[str, list[str]]]:
    """The legend: each group by the name its row and column show, with its members in full."""
    grouping = matrix.grouping
    return [(short_name(name), grouping.members[name]) for name in grouping.names]


def run_matrix(
    paths: list[Path],
    *,
    groups_file: Path | None = None,
    by: str | None = None,
    output_format: str = "text",
    assume_unknown: AssumeUnknown = "open",
    options: LoadOptions | None = None,
) -> str:
    """The matrix of the model of `paths`, rendered in `output_format`."""
    from reachlint.commands.design.common import analyse, require_format
    from reachlint.commands.design.selector_text import read_groups

    require_format(output_format, FORMATS)
    check_grouping(groups_file, by)
    groups = read_groups(groups_file) if groups_file is not None else None
    model, analysis = analyse(paths, assume_unknown, options)
    ends = Ends(model, analysis.reachability)
    grouping = grouping_for(model, ends, groups, by)
    text = render_matrix(compute_matrix(grouping, analysis.reachability.flows), output_format)
    return Scrubber(model.sensitive)(text)
