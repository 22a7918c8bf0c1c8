"""The exposure rows (reachlint.model.exposure) as the engine applies them to an endpoint class."""

from __future__ import annotations

from collections.abc import Iterable

from msgspec import Struct

from reachlint.engine.filters import port_sets
from reachlint.model.exposure import (
    GENERIC_LOAD_BALANCER,
    OWN_PORT,
    Exposure,
    Side,
    row,
    traffic_of,
)
from reachlint.model.network import Endpoint
from reachlint.model.traffic import ALL_ADDRESSES, Traffic, parse_protocol


class Service(Struct, frozen=True):
    """What an endpoint's documented service accepts and sends; None: its filters decide."""

    exposure: Exposure | None
    accepts_from: dict[Side, Traffic | None]
    sends_to: dict[Side, Traffic | None]

    @property
    def pass_through(self) -> bool:
        return self.exposure is not None and self.exposure.role == "pass-through"

    @property
    def balancer(self) -> bool:
        return self.exposure is not None and self.exposure.role in ("load-balancer", "pass-through")

    def accepts(self, side: Side, traffic: Traffic) -> Traffic:
        limit = self.accepts_from[side]
        return traffic if limit is None else traffic & limit

    def sends(self, side: Side, traffic: Traffic) -> Traffic:
        limit = self.sends_to[side]
        return traffic if limit is None else traffic & limit

    def connects_to(self, kinds: Iterable[str]) -> bool:
        """Whether it opens connections in its networks to an endpoint of one of these kinds
        (a Bastion host: to machines, not to a private endpoint)."""
        never = self.exposure.never_connects_to if self.exposure is not None else ()
        return not never or any(kind not in never for kind in kinds)

    def starts_nothing(self, side: Side) -> bool:
        limit = self.sends_to[side]
        return limit is not None and not limit

    def what(self) -> str:
        """The service's name and its first documentation link, for explanations."""
        assert self.exposure is not None
        return f"{self.exposure.service}, {self.exposure.doc[0]}"


_NO_SERVICE = Service(None, dict.fromkeys(("internet", "network", "onprem")), {
    "internet": None, "network": None, "onprem": None})  # fmt: skip


def service_of(endpoint: Endpoint) -> Service:
    """The row that applies to the endpoint, turned into traffic limits."""
    if endpoint.exposure is not None:
        exposure: Exposure | None = row(endpoint.exposure)
    elif endpoint.load_balancer is not None:
        exposure = GENERIC_LOAD_BALANCER
    else:
        exposure = None
    if exposure is None:
        return _NO_SERVICE
    own = _own_ports(endpoint)
    accepts: dict[Side, Traffic | None] = {}
    sends: dict[Side, Traffic | None] = {}
    for side in ("internet", "network", "onprem"):
        spec = exposure.accepts.of(side)
        accepts[side] = own if spec == OWN_PORT else traffic_of(spec)
        sends[side] = traffic_of(exposure.sends.of(side))
    return Service(exposure, accepts, sends)


def _own_ports(endpoint: Endpoint) -> Traffic | None:
    ports = port_sets(endpoint.service_ports)
    if not ports:
        return None  # the port is not known (or no port at all): the filters decide
    return Traffic.box(parse_protocol("tcp"), ALL_ADDRESSES, ports)
