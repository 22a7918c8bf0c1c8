"""What a finding says about its ends, the hops of its path and the unknowns it rests on: the
report's references, built alike by `check`'s rules and by `query`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from reachlint.engine.flows import class_of_private_address
from reachlint.model.network import Endpoint
from reachlint.rules.findings import EndRef
from reachlint.rules.selectors import EndSubject


def end_ref(subject: EndSubject) -> EndRef:
    """The report's view of an end: its address, kind and where it is written."""
    if subject.external is not None:
        origin = subject.external.origin
        return EndRef(
            address=subject.address, kind=subject.external.kind, file=origin.file, line=origin.line
        )
    endpoint = subject.endpoint
    if endpoint is None:
        return EndRef(address=subject.address, kind=subject.kind)
    return EndRef(
        address=subject.address,
        kind=endpoint.kind,
        type=endpoint.type,
        file=endpoint.origin.file,
        line=endpoint.origin.line,
    )


def depends_on(
    unknowns: Iterable[str],
    source: EndSubject,
    destination: EndSubject,
    endpoints: Mapping[str, Endpoint],
) -> list[str]:
    """What a path between two ends depends on: a class's unknowns about other members are
    left out, and the private address of an end's class is that end's."""
    ends = {source.address, destination.address}
    found: set[str] = set()
    for unknown in unknowns:
        class_id = class_of_private_address(unknown)
        if class_id is not None:
            for end in (source, destination):
                if end.endpoint_class is not None and end.endpoint_class.id == class_id:
                    found.add(f"{end.address}: its private address")
        elif unknown.split(": ", 1)[0] in ends or unknown.split(": ", 1)[0] not in endpoints:
            found.add(unknown)
    return sorted(found)
