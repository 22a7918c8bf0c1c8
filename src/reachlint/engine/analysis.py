"""The reachability of a model, and answers to "why not?" for any two ends (`query`)."""

from __future__ import annotations

from msgspec.structs import replace

from reachlint.engine.balancers import keeps_client
from reachlint.engine.classes import ClassView
from reachlint.engine.core import end_side
from reachlint.engine.explain import Blocked, Explainer
from reachlint.engine.explain_between import between
from reachlint.engine.explain_outside import from_internet, from_site, to_internet, to_site
from reachlint.engine.explain_services import not_a_source, not_accepted, not_its_kind
from reachlint.engine.flows import EndpointClass, External, Flow
from reachlint.engine.private_link import Link, links, links_of
from reachlint.engine.reach import AssumeUnknown, analysed, reachability_of
from reachlint.model.network import NetworkModel
from reachlint.model.traffic import Traffic


class Analysis:
    """The reachability of a model, and answers to "why not?" for any two ends."""

    def __init__(self, model: NetworkModel, assume_unknown: AssumeUnknown = "open") -> None:
        self._engine = analysed(model, assume_unknown)
        self.reachability = reachability_of(self._engine)
        # Flows that reach a load balancer, by where they come from (read when asked).
        self._at_balancers: dict[tuple[str, str | int], list[Flow]] | None = None
        # Flows that reach a class, and the Private Link services, for the way through them.
        self._to_classes: dict[tuple[str, str | int], list[Flow]] | None = None
        self._links: dict[str, list[Link]] | None = None

    def explain(
        self,
        source: EndpointClass | External,
        destination: EndpointClass | External,
        wanted: Traffic,
        *,
        source_endpoint: str | None = None,
        destination_endpoint: str | None = None,
    ) -> Blocked | None:
        """The first component that stops `wanted` on the direct way; None if nothing does.

        The endpoints name the members asked about, for the explanation's words.
        """
        explainer = Explainer(self._engine, source_endpoint, destination_endpoint)
        classes = self._engine.classes
        if isinstance(source, EndpointClass):
            blocked = not_a_source(explainer, classes[source.id], end_side(destination), wanted)
            if blocked is not None:
                return blocked
            wanted = classes[source.id].service.sends(end_side(destination), wanted)
        if isinstance(destination, EndpointClass):
            blocked = not_accepted(explainer, classes[destination.id], end_side(source), wanted)
            if blocked is not None:
                return blocked
            wanted = classes[destination.id].service.accepts(end_side(source), wanted)
        if isinstance(source, External) and isinstance(destination, EndpointClass):
            if source.kind == "internet":
                return from_internet(explainer, classes[destination.id], wanted)
            return from_site(explainer, source, classes[destination.id], wanted)
        if isinstance(source, EndpointClass) and isinstance(destination, External):
            if destination.kind == "internet":
                return to_internet(explainer, classes[source.id], wanted)
            return to_site(explainer, classes[source.id], destination, wanted)
        if isinstance(source, EndpointClass) and isinstance(destination, EndpointClass):
            a, b = classes[source.id], classes[destination.id]
            return not_its_kind(explainer, a, b) or between(explainer, a, b, wanted)
        assert isinstance(source, External)
        return Blocked("no-path", source.address, source.kind, "no path between two external ends")

    def explain_through_balancers(
        self,
        source: EndpointClass | External,
        destination: EndpointClass,
        wanted: Traffic,
        *,
        destination_endpoint: str | None = None,
    ) -> Blocked | None:
        """What stops `wanted` on the way on from a load balancer that `source` reaches and
        that forwards to `destination`: the way a target is meant to be reached. None when no
        such load balancer stops it, or when the target judges the client's address (the
        direct explanation holds then)."""
        classes = self._engine.classes
        target = classes[destination.id]
        members = {m.endpoint for m in target.info.members}
        arriving: dict[int, Traffic] = {}
        for flow in self._arrivals(source):
            assert isinstance(flow.destination, EndpointClass)
            reached = arriving.get(flow.destination.id, Traffic())
            arriving[flow.destination.id] = reached | flow.traffic
        for class_id, arrived in arriving.items():
            lb_class = classes[class_id]
            balancer = lb_class.load_balancer
            assert balancer is not None
            for listener, forwarded, targets, _via in self._engine.listeners.forwarding(
                balancer, lb_class.frontends
            ):
                if not members.intersection(targets) or not arrived & listener.heard:
                    continue
                if keeps_client(lb_class, listener.group) is not False:
                    continue
                carried = listener.carried(forwarded, arrived & listener.heard)
                leg = carried.services_everywhere() & wanted.services_everywhere()
                if not leg:
                    continue
                explainer = Explainer(self._engine, balancer.address, destination_endpoint)
                blocked = between(explainer, lb_class, target, leg)
                if blocked is not None:
                    return replace(blocked, reason=f"through {balancer.address}: {blocked.reason}")
        return self._through_private_link(source, target, wanted, destination_endpoint)

    def _through_private_link(
        self,
        source: EndpointClass | External,
        target: ClassView,
        wanted: Traffic,
        destination_endpoint: str | None,
    ) -> Blocked | None:
        """What stops `wanted` on the way on from a Private Link service whose private
        endpoint `source` reaches, to the backend `target`: a load balancer that hears none of
        it, or what the service's NAT address meets."""
        engine = self._engine
        if not engine.model.private_link_services:
            return None
        if self._links is None:
            self._links = links(engine)
        members = {m.endpoint for m in target.info.members}
        for flow in self._at_endpoints(source):
            assert isinstance(flow.destination, EndpointClass)
            for link in links_of(engine.classes[flow.destination.id], self._links):
                forwards = [f for f in link.forwards(engine) if members.intersection(f[2])]
                heard = [(listener, forwarded, flow.traffic & listener.heard)
                         for listener, forwarded, _targets, _via in forwards]  # fmt: skip
                legs = [
                    listener.carried(forwarded, part).services_everywhere()
                    & wanted.services_everywhere()
                    for listener, forwarded, part in heard
                    if part
                ]
                where = link.service.address
                if forwards and not any(legs):
                    return Blocked(
                        "no-listener",
                        link.balancer.address,
                        "load-balancer",
                        f"through {where}: no rule of {link.balancer.address} on the frontends "
                        f"it names forwards {wanted.text() or 'the traffic'} to "
                        f"{destination_endpoint or 'the destination'}",
                        link.balancer.origin,
                    )
                for leg in legs:
                    if not leg:
                        continue
                    explainer = Explainer(engine, where, destination_endpoint)
                    blocked = explainer.guards(target, "ingress", link.peer, leg, "destination")
                    engine.filters.take_unknowns()
                    if blocked is not None:
                        return replace(blocked, reason=f"through {where}: {blocked.reason}")
        return None

    def _at_endpoints(self, source: EndpointClass | External) -> list[Flow]:
        """The flows from `source` that reach a class (read when asked, once)."""
        if self._to_classes is None:
            self._to_classes = {}
            for flow in self.reachability.flows:
                if flow.state == "reachable" and isinstance(flow.destination, EndpointClass):
                    self._to_classes.setdefault(_key(flow.source), []).append(flow)
        return self._to_classes.get(_key(source), [])

    def _arrivals(self, source: EndpointClass | External) -> list[Flow]:
        """The flows from `source` that reach a load balancer's listener."""
        if self._at_balancers is None:
            classes = self._engine.classes
            self._at_balancers = {}
            for flow in self.reachability.flows:
                if (
                    flow.state == "reachable"
                    and isinstance(flow.destination, EndpointClass)
                    and classes[flow.destination.id].load_balancer is not None
                ):
                    self._at_balancers.setdefault(_key(flow.source), []).append(flow)
        return self._at_balancers.get(_key(source), [])


def _key(end: EndpointClass | External) -> tuple[str, str | int]:
    """A hashable name for an end (classes are mutable structs)."""
    return ("class", end.id) if isinstance(end, EndpointClass) else (end.kind, end.address)
