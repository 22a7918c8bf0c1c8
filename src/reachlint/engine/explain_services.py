"""Why not, where a service or a load balancer decides: an end that starts none of the traffic,
a managed service that accepts none of it, and a pass-through load balancer, which is no place
of its own: what stops the traffic at its backends.
"""

from __future__ import annotations

from reachlint.engine.balancers import keeps_client
from reachlint.engine.classes import ClassView
from reachlint.engine.core import end_side
from reachlint.engine.explain import Blocked, Explainer
from reachlint.engine.flows import INTERNET, External
from reachlint.model.exposure import Side
from reachlint.model.network import TargetGroup
from reachlint.model.traffic import (
    ALL_ADDRESSES,
    PUBLIC_ADDRESSES,
    IntervalSet,
    Traffic,
    cidrs,
)


def not_a_source(explainer: Explainer, a: ClassView, side: Side, wanted: Traffic) -> Blocked | None:
    """An end that starts none of `wanted`: a load balancer, a private endpoint..."""
    service = a.service
    if service.exposure is None or service.sends(side, wanted):
        return None
    name = explainer.name(a, "source")
    endpoint = explainer.engine.model.endpoints[name]
    toward = {"internet": "the internet", "network": "its networks", "onprem": "on-premises"}
    if service.balancer:
        reason = (
            f"{name} is a load balancer: it starts no connections of its own and only "
            "forwards its clients' connections to its targets; ask from a client"
        )
    elif service.starts_nothing(side):
        reason = f"{name} starts no connections toward {toward[side]} ({service.what()})"
    else:
        limit = service.sends_to[side]
        assert limit is not None
        reason = f"{name} starts only {limit.text()} toward {toward[side]} ({service.what()})"
    return Blocked("not-a-source", name, endpoint.kind, reason, endpoint.origin)


def not_its_kind(explainer: Explainer, a: ClassView, b: ClassView) -> Blocked | None:
    """A service that connects only to some kinds of endpoint (Azure Bastion: to virtual
    machines), asked about another kind."""
    if a.service.connects_to(b.kinds):
        return None
    name = explainer.name(a, "source")
    endpoint = explainer.engine.model.endpoints[name]
    assert a.service.exposure is not None
    kinds = ", ".join(sorted(b.kinds))
    reason = f"{name} does not connect to endpoints of kind {kinds} ({a.service.what()})"
    return Blocked("not-a-source", name, endpoint.kind, reason, endpoint.origin)


def not_accepted(explainer: Explainer, b: ClassView, side: Side, wanted: Traffic) -> Blocked | None:
    """A managed service that takes none of `wanted` from this side."""
    service = b.service
    if service.exposure is None or service.balancer or service.accepts(side, wanted):
        return None
    name = explainer.name(b, "destination")
    endpoint = explainer.engine.model.endpoints[name]
    limit = service.accepts_from[side]
    taken = f"only {limit.text()}" if limit else "no connections"
    where = {"internet": "the internet", "network": "its networks", "onprem": "on-premises"}
    return Blocked(
        "no-listener",
        name,
        endpoint.kind,
        f"{name} accepts {taken} from {where[side]} ({service.what()})",
        endpoint.origin,
    )


def through_balancer(
    explainer: Explainer, source: ClassView | External, lb: ClassView, wanted: Traffic
) -> Blocked | None:
    """A pass-through load balancer is no place: what stops `wanted` at its backends,
    through every frontend of it the source can use."""
    engine = explainer.engine
    balancer = lb.load_balancer
    assert balancer is not None
    internet = isinstance(source, External) and source.kind == "internet"
    frontends = [
        c for c in engine.classes if c.load_balancer is balancer and (c.info.public or not internet)
    ]
    if not frontends:
        return Blocked(
            "no-public-address",
            balancer.address,
            balancer.kind,
            f"{balancer.address} is an internal load balancer: it has no public frontend",
            balancer.origin,
        )
    found: Blocked | None = None
    heard_any = False
    for frontend in frontends:
        for heard, arriving, t_class, _group in _forwards(explainer, frontend, wanted):
            heard_any = True
            blocked = _at_backend(explainer, source, lb, t_class, arriving, heard)
            if blocked is None:
                return None  # something gets through: the direct explanation stands
            found = found or blocked
    if not heard_any:
        return Blocked(
            "no-listener",
            balancer.address,
            "load-balancer",
            f"{balancer.address} has no rule for {wanted.text()}"
            + (" on a public frontend" if internet else ""),
            balancer.origin,
        )
    if found is not None:
        return found
    return Blocked(
        "no-path",
        balancer.address,
        "load-balancer",
        f"{balancer.address} forwards {wanted.text()} to no backend in the input",
        balancer.origin,
    )


def behind_balancers(explainer: Explainer, b: ClassView, wanted: Traffic) -> Blocked | None:
    """Why the internet does not reach a backend that has no public address of its own
    through the public load balancers that forward to it; None if none do."""
    engine = explainer.engine
    members = {m.endpoint for m in b.info.members}
    forwarded = Traffic()
    found: Blocked | None = None
    for lb in engine.classes:
        if not (lb.info.public and lb.load_balancer is not None):
            continue
        for heard, arriving, t_class, group in _forwards(explainer, lb, Traffic.everything()):
            if t_class is not b and not members & {m.endpoint for m in t_class.info.members}:
                continue
            forwarded |= arriving.services_everywhere()
            asked = wanted & arriving.services_everywhere()
            if not asked:
                continue
            blocked = _via_balancer(explainer, lb, t_class, asked, heard, group)
            if blocked is None:
                return None
            found = found or blocked
    if found is not None or not forwarded:
        return found
    name = explainer.name(b, "destination")
    endpoint = engine.model.endpoints[name]
    return Blocked(
        "no-listener",
        name,
        endpoint.kind,
        f"{name} has no public address, and the load balancers in front of it forward "
        f"only {forwarded.text()} to it",
        endpoint.origin,
    )


def _via_balancer(
    explainer: Explainer,
    lb: ClassView,
    backend: ClassView,
    arriving: Traffic,
    heard: Traffic,
    group: TargetGroup | None,
) -> Blocked | None:
    """What stops internet traffic to a backend through one load balancer: at a pass-through
    one, the backend; at one that is a place of its own, first whether the internet reaches
    it, then the backend, which sees the client's address or the load balancer's."""
    if lb.service.pass_through:
        return _at_backend(explainer, INTERNET, lb, backend, arriving, heard)
    reached = Traffic()
    for flow in explainer.engine.flows:
        if flow.destination is lb.info and end_side(flow.source) == "internet":
            reached |= flow.traffic
    if not reached & heard:
        balancer = lb.load_balancer
        assert balancer is not None
        blocked = explainer.guards(lb, "ingress", None, heard, "destination")
        return blocked or Blocked(
            "no-path",
            balancer.address,
            "load-balancer",
            f"the internet does not reach {balancer.address} on {heard.text()}",
            balancer.origin,
        )
    keeps = keeps_client(lb, group)
    ways = [keeps] if keeps is not None else [True, False]  # not known: either may be
    found = [
        _at_backend(explainer, INTERNET, lb, backend, arriving, heard)
        if kept
        # The backend sees the load balancer's own addresses.
        else _at_backend(explainer, lb, lb, backend, _from(arriving, lb), heard)
        for kept in ways
    ]
    if explainer.engine.assume == "open":
        return None if None in found else found[0]
    return next((blocked for blocked in found if blocked is not None), None)


def _from(arriving: Traffic, lb: ClassView) -> Traffic:
    return arriving.services_everywhere().only_addresses(lb.addresses)


def _forwards(
    explainer: Explainer, lb: ClassView, wanted: Traffic
) -> list[tuple[Traffic, Traffic, ClassView, TargetGroup | None]]:
    """(frontend traffic heard, traffic arriving at the backend, backend class, its target
    group) for each rule of a load balancer that hears some of `wanted`."""
    engine = explainer.engine
    balancer = lb.load_balancer
    assert balancer is not None
    found = []
    for listener, forwarded, targets, _via in engine.listeners.forwarding(balancer, lb.frontends):
        heard = wanted & listener.heard
        if not heard:
            continue
        arriving = listener.carried(forwarded, heard)
        wanted_targets = set(targets)
        for t_class in engine.classes:
            if wanted_targets & {m.endpoint for m in t_class.info.members}:
                found.append((heard, arriving, t_class, listener.group))
    return found


def _at_backend(
    explainer: Explainer,
    source: ClassView | External,
    lb: ClassView,
    backend: ClassView,
    arriving: Traffic,
    heard: Traffic,
) -> Blocked | None:
    """What stops `arriving` at one backend; the backend's filters see the client."""
    balancer = lb.load_balancer
    assert balancer is not None
    exposure = lb.service.exposure
    judge = Explainer(explainer.engine, explainer.source_name, None)
    name = judge.name(backend, "destination")
    internet = isinstance(source, External) and source.kind == "internet"
    closed = exposure is not None and exposure.closed_without_nsg
    if internet and closed and not backend.guards.nsgs:
        assert exposure is not None
        return Blocked(
            "nsg",
            balancer.address,
            "load-balancer",
            f"{balancer.address} ({exposure.service}) is closed to internet clients "
            f"unless an NSG allows them, and {name} has no NSG ({exposure.doc[-1]})",
            balancer.origin,
        )
    side: Side = (
        "network" if not isinstance(source, External)
        else "internet" if internet else "onprem"
    )  # fmt: skip
    blocked = not_accepted(judge, backend, side, arriving)
    if blocked is not None:
        return blocked
    if isinstance(source, External):
        clients = _clients_of(explainer, source) & arriving.addresses()
        scoped = arriving.only_addresses(clients)
        return judge.guards(backend, "ingress", None, scoped, "destination")
    return judge.guards(backend, "ingress", source.peer, arriving, "destination")


def _clients_of(explainer: Explainer, end: External) -> IntervalSet:
    """The addresses an external end's clients come from."""
    if end.kind == "internet":
        return PUBLIC_ADDRESSES
    site = explainer.engine.model.onprem_sites.get(end.address)
    try:
        return cidrs(site.cidrs) if site is not None and site.cidrs else ALL_ADDRESSES
    except ValueError:
        return ALL_ADDRESSES
