"""Exact reachability over classes of interfaces that the network cannot tell apart.

The engine reads only the provider-neutral model. Interfaces with the same subnet, security
groups, public address and address atom behave identically, so flows are computed once per
pair of classes, never per pair of endpoints. Every set is exact (see traffic.py).

The stages run in order, each adding flows to the engine (core.py): between classes, in from
the internet, out to the internet and on-premises sites, in from those sites, through DNAT
rules, and last on through load balancers from every flow that reached one.
"""

from __future__ import annotations

from reachlint.engine.balancers import through_load_balancers
from reachlint.engine.core import AssumeUnknown, Engine
from reachlint.engine.dnat import through_dnat
from reachlint.engine.flows import INTERNET, Reachability
from reachlint.engine.inbound import from_internet, from_sites
from reachlint.engine.outbound import to_outside
from reachlint.engine.pairs import Pairs, between_classes
from reachlint.engine.private_link import through_private_link
from reachlint.model.network import NetworkModel

__all__ = [
    "AssumeUnknown",
    "analysed",
    "compute_reachability",
    "reachability_of",
    "traffic_only",
]


def analysed(
    model: NetworkModel, assume_unknown: AssumeUnknown = "open", paths: bool = True
) -> Engine:
    """The engine, its flows computed: between classes, with the internet and on-premises,
    through DNAT rules and through load balancers. Without `paths`, the flows have none."""
    engine = Engine(model, assume_unknown)
    pairs = Pairs(engine)
    between_classes(engine, pairs)
    from_internet(engine)
    to_outside(engine)
    from_sites(engine)
    through_dnat(engine)
    arrivals = [*engine.flows, *engine.held]
    through_private_link(engine, arrivals)
    through_load_balancers(engine, pairs, arrivals)
    if not paths:
        # A path's builder holds the pairs' cache, which holds the builder, and a class keeps
        # its views by family, itself among them: cycles that would keep the engine and the
        # model alive until the cyclic collector runs (it is off, see cli.main).
        pairs.forget()
        engine.forget_paths()
    return engine


def reachability_of(engine: Engine) -> Reachability:
    return Reachability(
        classes=[c.info for c in engine.classes],
        externals=[INTERNET, *engine.tables.sites()],
        flows=engine.flows,
        assume_unknown=engine.assume,
    )


def compute_reachability(
    model: NetworkModel, assume_unknown: AssumeUnknown = "open"
) -> Reachability:
    return reachability_of(analysed(model, assume_unknown))


def traffic_only(model: NetworkModel, assume_unknown: AssumeUnknown = "open") -> Reachability:
    """The flows without their paths, for a side whose paths no one reads: once the caller
    lets go of it and of the model, reference counting frees them all."""
    return reachability_of(analysed(model, assume_unknown, paths=False))
