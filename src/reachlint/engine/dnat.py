"""The ways in through a firewall's DNAT rules: internet traffic to the firewall's public
address, translated to an endpoint's private address and port.

The firewall also translates the source to an address of its own subnet, so the target's
filters see the firewall, not the client; the way on is by the firewall subnet's routes.
"""

from __future__ import annotations

from reachlint.engine.classes import ClassView
from reachlint.engine.core import Engine
from reachlint.engine.filters import port_sets
from reachlint.engine.firewall import FirewallView, rule_protocols, spec_addresses
from reachlint.engine.flows import INTERNET, Doubt, Hop, Unknown
from reachlint.model.network import DnatRule
from reachlint.model.traffic import (
    ALL_ADDRESSES,
    ALL_PORTS,
    PUBLIC_ADDRESSES,
    IntervalSet,
    Traffic,
    cidrs,
)


def through_dnat(engine: Engine) -> None:
    for view in engine.firewalls.views.values():
        # What rules known for sure translate to each class: a rule not known after them (the
        # part of a rule not known) rests on its value only for the rest.
        certain: dict[int, Traffic] = {}
        for rule in view.policy.dnat:
            for b, unsure in dnat_targets(engine, rule):
                _dnat_flow(engine, view, rule, b, unsure, certain)
            engine.filters.take_unknowns()


def dnat_targets(engine: Engine, rule: DnatRule) -> list[tuple[ClassView, str | None]]:
    """Classes with a member that holds the translated address; with the unknown it rests
    on when members' addresses are known only after deployment and may be that one. An
    address named as an interface's own is that interface's, whatever it turns out to be."""
    if rule.translated_interface is not None:
        named = rule.translated_interface.lower()
        return [
            (c, None)
            for c in engine.classes
            if any(member.interface.lower() == named for member in c.info.members)
        ]
    try:
        translated = cidrs([rule.translated_address or ""])
    except ValueError:
        return []
    holders = [c for c in engine.classes if c.address_known and translated & c.addresses]
    found: list[tuple[ClassView, str | None]] = [(c, None) for c in holders]
    if holders:
        return found
    why = f"{rule.address}: which endpoint gets {rule.translated_address} (DNAT rule {rule.name})"
    for cls in engine.classes:
        if not cls.address_known and translated & cls.addresses and cls.load_balancer is None:
            if engine.assume == "open":
                found.append((cls, why))
            else:
                engine.filters.unknowns.append(why)
    return found


def dnat_traffic(engine: Engine, rule: DnatRule) -> tuple[Traffic, list[str]]:
    """Internet traffic the rule translates, as it arrives (on the translated port). A rule
    not known translates, when open, what it may match, and nothing when closed."""
    clients, unsure = spec_addresses(rule.sources)
    unknowns = []
    if rule.undecidable:
        unknowns.append(f"{rule.address}: DNAT rule {rule.name} ({rule.undecidable})")
        if engine.assume == "closed":
            return Traffic(), unknowns
    if unsure:
        unknowns.append(f"{rule.address}: DNAT rule {rule.name} (addresses it names)")
        if engine.assume == "open":
            clients = ALL_ADDRESSES
    ports = port_sets(rule.ports)
    if rule.translated_port is not None:
        ports = IntervalSet([(rule.translated_port, rule.translated_port)])
    elif not rule.translated_port_known:
        ports = ALL_PORTS
    protocols = rule_protocols(rule.protocols)
    return Traffic.box(protocols, clients & PUBLIC_ADDRESSES, ports), unknowns


def _dnat_flow(
    engine: Engine,
    view: FirewallView,
    rule: DnatRule,
    b: ClassView,
    unsure: str | None,
    certain: dict[int, Traffic],
) -> None:
    traffic, rule_unknowns = dnat_traffic(engine, rule)
    unknowns: list[Unknown] = [*rule_unknowns]
    known = certain.get(b.info.id)
    if rule.undecidable:
        own = rule_unknowns[0]  # dnat_traffic names the rule first
        unknowns[0] = Doubt(own, traffic - known) if known is not None else own
    elif not unknowns and not unsure:
        certain[b.info.id] = known | traffic if known is not None else traffic
    if unsure:
        unknowns.append(unsure)
    peer, routes = engine.firewall_peer(view)
    legs = engine.interconnect.between(routes, peer.network, b.addresses, b.info.network)
    if legs is None or not traffic:
        return
    allowed = traffic & b.guards.toward("ingress", peer)
    if not allowed:
        engine.filters.take_unknowns()
        return
    unknowns = [*unknowns, *b.unknowns, *engine.filters.take_unknowns()]

    def build_path() -> list[Hop]:
        hops = [view.firewall_hop(), _dnat_hop(view, rule), *legs]
        hops.extend(b.guards.hops("ingress", allowed.services_everywhere(), peer))
        return hops

    engine.emit(INTERNET, b.info, allowed, build_path, True, unknowns)


def _dnat_hop(view: FirewallView, rule: DnatRule) -> Hop:
    ports = (
        ", ".join(str(r.low) if r.low == r.high else f"{r.low}-{r.high}" for r in rule.ports)
        or "every port"
    )
    to_port = f":{rule.translated_port}" if rule.translated_port is not None else ""
    if not rule.translated_port_known:
        to_port = " on a port not known"
    to_address = (
        f"the private address of {rule.translated_interface}"
        if rule.translated_interface is not None
        else rule.translated_address
    )
    where = f" in {rule.collection}" if rule.collection else ""
    return Hop(
        address=rule.address,
        kind="dnat-rule",
        type=rule.type,
        detail=(
            f"DNAT rule {rule.name}{where} translates {'/'.join(rule.protocols)} {ports} on "
            f"{view.gateway.address}'s public address to {to_address}{to_port}"
        ),
        origin=rule.origin,
    )
