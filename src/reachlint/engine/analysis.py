"""The reachability of a model, and answers to "why not?" for any two ends (`query`)."""

from __future__ import annotations

from reachlint.engine.core import end_side
from reachlint.engine.explain import Blocked, Explainer
from reachlint.engine.explain_between import between
from reachlint.engine.explain_outside import from_internet, from_site, to_internet, to_site
from reachlint.engine.explain_services import not_a_source, not_accepted
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
            return between(explainer, classes[source.id], classes[destination.id], wanted)
        assert isinstance(source, External)
        return Blocked("no-path", source.address, source.kind, "no path between two external ends")
