"""What the design-review commands (query, matrix, graph) share: the model and its analysis,
the ends of the engine's flows as selectors see them, and report references.

An endpoint class stands for its member interfaces; each becomes an EndSubject that selectors
can be evaluated on. External ends (the internet, on-premises sites) are one subject each.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from reachlint.engine.filters import safe_cidr
from reachlint.engine.flows import End, EndpointClass, External, Flow, Hop, Reachability
from reachlint.errors import InputError
from reachlint.model.network import NetworkModel
from reachlint.model.traffic import (
    ALL_ADDRESSES,
    NAT64_PREFIX,
    PUBLIC_ADDRESSES,
    IntervalSet,
    Traffic,
    cidrs,
)
from reachlint.rules.selectors import EndSubject

if TYPE_CHECKING:
    from reachlint.engine.analysis import Analysis
    from reachlint.engine.reach import AssumeUnknown
    from reachlint.inputs.load import LoadOptions

EndKey = tuple[str, str | int]
LOAD_BALANCER = "load-balancer"


def end_key(end: End) -> EndKey:
    """A hashable name for an end (classes are mutable structs)."""
    if isinstance(end, External):
        return end.kind, end.address
    return "class", end.id


class Ends:
    """Every end of a model's flows, each with the subjects (member interfaces) it stands for."""

    def __init__(self, model: NetworkModel, reach: Reachability) -> None:
        self.model = model
        self.reach = reach
        self._subjects: dict[EndKey, list[EndSubject]] = {}

    def all(self) -> Iterator[tuple[End, list[EndSubject]]]:
        """Endpoint classes first, then the internet and the on-premises sites."""
        for cls in self.reach.classes:
            yield cls, self.of(cls)
        for external in self.reach.externals:
            yield external, self.of(external)

    def of(self, end: End) -> list[EndSubject]:
        key = end_key(end)
        subjects = self._subjects.get(key)
        if subjects is None:
            if isinstance(end, External):
                subjects = [EndSubject(address=end.address, external=end)]
            else:
                subjects = [self._member(end, m.endpoint, m.interface) for m in end.members]
            self._subjects[key] = subjects
        return subjects

    def _member(self, cls: EndpointClass, address: str, interface: str) -> EndSubject:
        endpoint = self.model.endpoints.get(address)
        found = None
        if endpoint is not None:
            found = next((i for i in endpoint.interfaces if i.address == interface), None)
        return EndSubject(address=address, endpoint=endpoint, interface=found, endpoint_class=cls)


def address_space(model: NetworkModel, end: End) -> IntervalSet:
    """Where an end's addresses can lie: a selector's CIDRs narrow an external end within it."""
    if not isinstance(end, External):
        return ALL_ADDRESSES
    if end.kind == "internet":
        # The IPv4 internet reached through NAT64 too, where a route leads there.
        return PUBLIC_ADDRESSES | NAT64_PREFIX if _routes_nat64(model) else PUBLIC_ADDRESSES
    site = model.onprem_sites.get(end.address)
    if site is None or not site.cidrs:
        return ALL_ADDRESSES
    try:
        return cidrs(site.cidrs)
    except ValueError:
        return ALL_ADDRESSES


def _routes_nat64(model: NetworkModel) -> bool:
    """Whether some route sends part of the NAT64 prefix to a NAT gateway (engine/borders.py)."""
    return any(
        route.target_kind == "nat-gateway" and safe_cidr(route.destination or "") & NAT64_PREFIX
        for table in model.route_tables.values()
        for route in table.routes
    )


def load_balancers_on(path: list[Hop]) -> list[str]:
    """The load balancers a flow passes through, in order."""
    return [hop.address for hop in path if hop.kind == LOAD_BALANCER]


def passes_through(model: NetworkModel, address: str) -> bool:
    """Whether an endpoint is a pass-through load balancer (Azure's): no place of its own."""
    from reachlint.engine.services import service_of

    endpoint = model.endpoints.get(address)
    return endpoint is not None and service_of(endpoint).pass_through


def frontend_traffic(model: NetworkModel, flow: Flow, balancer: str) -> Traffic:
    """What a flow through `balancer` sent to its frontend: the rule's frontend port, from the
    flow's client addresses (the flow's own traffic is as it arrives at the backend)."""
    from reachlint.engine.listeners import heard_by

    endpoint = model.endpoints.get(balancer)
    spec = endpoint.load_balancer if endpoint is not None else None
    path = flow.path
    start = next((i for i, hop in enumerate(path) if hop.address == balancer), None)
    if spec is None or start is None:
        return Traffic()
    heard = Traffic()
    rules = {hop.address for hop in path[start:] if hop.kind == "listener"}
    for listener in spec.listeners:
        if listener.address in rules:
            heard |= heard_by(listener, open_unknowns=True)  # the flow is there only when open
    return heard.only_addresses(flow.traffic.addresses())


def analyse(
    paths: list[Path], assume_unknown: AssumeUnknown = "open", options: LoadOptions | None = None
) -> tuple[NetworkModel, Analysis]:
    """The model of `paths` and its reachability, ready for questions."""
    from reachlint.engine.analysis import Analysis
    from reachlint.inputs.load import build_model

    for path in paths:
        if not path.exists():
            raise InputError("no such file or directory", file=str(path))
    model = build_model(paths, options=options)
    return model, Analysis(model, assume_unknown)


def short_name(address: str) -> str:
    """An address as a picture or table shows it: Azure ids without their provider namespace
    (`virtualMachines/web-0` for `Microsoft.Compute/virtualMachines/web-0`)."""
    namespace, slash, rest = address.partition("/")
    return rest if slash and namespace.startswith("Microsoft.") else address


def require_format(value: str, formats: tuple[str, ...]) -> None:
    """Refuse an output format the command does not have, before any input is read."""
    if value not in formats:
        raise InputError(f"unknown --format {value!r}; expected {' or '.join(formats)}")
