"""The reachability of a model, and answers to "why not?" for any two ends (`query`)."""

from __future__ import annotations

from reachlint.engine.core import end_side
from reachlint.engine.explain import Blocked, Explainer
from reachlint.engine.flows import EndpointClass, External
from reachlint.engine.reach import AssumeUnknown, analysed, reachability_of
from reachlint.model.network import NetworkModel
from reachlint.model.traffic import Traffic


class Analysis:
    """The reachability of a model, and answers to "why not?" for any two ends."""

    def __init__(self, model: NetworkModel, assume_unknown: AssumeUnknown = "open") -> None:
        self._engine = analysed(model, assume_unknown)
        self.reachability = reachability_of(self._engine)

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
            blocked = explainer.not_a_source(classes[source.id], end_side(destination), wanted)
            if blocked is not None:
                return blocked
            wanted = classes[source.id].service.sends(end_side(destination), wanted)
        if isinstance(destination, EndpointClass):
            blocked = explainer.not_accepted(classes[destination.id], end_side(source), wanted)
            if blocked is not None:
                return blocked
            wanted = classes[destination.id].service.accepts(end_side(source), wanted)
        if isinstance(source, External) and isinstance(destination, EndpointClass):
            if source.kind == "internet":
                return explainer.from_internet(classes[destination.id], wanted)
            return explainer.from_site(source, classes[destination.id], wanted)
        if isinstance(source, EndpointClass) and isinstance(destination, External):
            if destination.kind == "internet":
                return explainer.to_internet(classes[source.id], wanted)
            return explainer.to_site(classes[source.id], destination, wanted)
        if isinstance(source, EndpointClass) and isinstance(destination, EndpointClass):
            return explainer.between(classes[source.id], classes[destination.id], wanted)
        assert isinstance(source, External)
        return Blocked("no-path", source.address, source.kind, "no path between two external ends")
