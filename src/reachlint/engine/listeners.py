"""Load-balancer listeners: what a load balancer hears on its frontends, and where it forwards.

An AWS load balancer's listener forwards to target groups; an Azure rule names its frontend and
sends to the instances of its backend pool. Every listener protocol rides on TCP but UDP and
TCP_UDP.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from msgspec import Struct

from reachlint.engine.filters import EVERYTHING
from reachlint.engine.flows import Doubt, Hop, Unknown
from reachlint.model.network import Endpoint, Listener, NetworkModel, TargetGroup
from reachlint.model.traffic import IntervalSet, Traffic, parse_protocol

_ALL: frozenset[str] = frozenset({"*"})  # every frontend of a load balancer


class ListenerView(Struct):
    heard: Traffic  # what it hears: its port, or any port when open and the port is not known
    hop: Hop
    # What the port it forwards to rests on, when that is not known (any port, when open).
    rests_on: tuple[str, ...] = ()
    group: TargetGroup | None = None  # the target group it forwards to (None: instances)
    same_port: bool = False  # HA ports: each port heard goes on to the same port

    def carried(self, forwarded: Traffic, heard: Traffic) -> Traffic:
        """What goes on to the targets of `heard` (what arrived and this listener hears): the
        port it forwards to from the clients' addresses, or under HA ports `heard` itself."""
        if self.same_port:
            return heard & forwarded
        return forwarded.with_addresses(heard.addresses())


class Listeners:
    """The listeners of the model's load balancers, with the target groups they forward to.
    A listener whose port is not known hears every port of its protocol when open and nothing
    when closed; what only it hears rests on that port (`doubts`)."""

    def __init__(self, model: NetworkModel, assume: str) -> None:
        self.model = model
        self.open = assume == "open"
        self._heard: dict[tuple[str, frozenset[str]], tuple[Traffic, list[Doubt]]] = {}

    def traffic(
        self,
        balancer: Endpoint,
        frontends: frozenset[str] = _ALL,
        doubts: list[Unknown] | None = None,
    ) -> Traffic:
        """What the listeners on these frontends hear (an Azure rule names its frontend); the
        listener ports not known that some of it rests on are added to `doubts`."""
        if balancer.load_balancer is None:
            return EVERYTHING
        heard, resting = self._hearing(balancer, frontends)
        if doubts is not None:
            doubts.extend(resting)
        return heard

    def _hearing(
        self, balancer: Endpoint, frontends: frozenset[str]
    ) -> tuple[Traffic, list[Doubt]]:
        spec = balancer.load_balancer
        assert spec is not None
        key = (balancer.address, frontends)
        found = self._heard.get(key)
        if found is None:
            known, doubts = Traffic(), []
            for listener in spec.listeners:
                if _listens_on(listener, frontends) and _port_known(listener):
                    known |= heard_by(listener, self.open)
            heard = known
            for listener in spec.listeners:
                if _listens_on(listener, frontends) and not _port_known(listener):
                    some = heard_by(listener, self.open) - known
                    if some:
                        heard |= some
                        doubts.append(Doubt(_port_name(listener), some))
            found = self._heard[key] = (heard, doubts)
        return found

    def forwarding(
        self, balancer: Endpoint, frontends: frozenset[str] = _ALL
    ) -> Iterator[tuple[ListenerView, Traffic, list[str], list[Hop]]]:
        """(listener, what arrives at the targets (their port), target endpoints, hops between)
        for each forward."""
        spec = balancer.load_balancer
        if spec is None:
            return
        for listener in spec.listeners:
            if not _listens_on(listener, frontends):
                continue
            if listener.every_port:
                yield from self._every_port(balancer, listener)
                continue
            for protocol in listener_protocols(listener.protocol):
                port = listener.port if listener.port is not None else "(a port not known)"
                hop = _hop(listener, "listener", f"{balancer.address} listens on {protocol} {port}")
                heard = heard_by(listener, self.open) & Traffic.box(parse_protocol(protocol))
                for group_address in listener.target_groups:
                    group = self.model.target_groups.get(group_address)
                    if group is None:
                        continue
                    forward = "udp" if group.protocol.lower() == "udp" else protocol
                    by_port: dict[int | None, list[str]] = {}
                    for target in group.targets:
                        target_port = target.port or group.port or listener.port
                        if target_port is not None or self.open:  # None: any, when open
                            by_port.setdefault(target_port, []).append(target.endpoint)
                    for forward_port, targets in sorted(
                        by_port.items(), key=lambda item: (item[0] is None, item[0] or 0)
                    ):
                        shown = forward_port if forward_port is not None else "(a port not known)"
                        group_hop = _hop(
                            group, "target-group", f"forwards to its targets on {forward} {shown}"
                        )
                        if forward_port is None:
                            view = ListenerView(
                                heard,
                                hop,
                                (f"{group.address}: {group.port_unknown or 'port'}",),
                                group,
                            )
                            forwarded = Traffic.box(parse_protocol(forward))
                        else:
                            view = ListenerView(heard, hop, group=group)
                            forwarded = on_port(forward, forward_port)
                        yield view, forwarded, targets, [group_hop]
                if listener.target_port is not None and spec.instances:
                    targets = [t.endpoint for t in spec.instances]
                    view = ListenerView(heard, hop)
                    yield view, on_port(protocol, listener.target_port), targets, []

    def _every_port(
        self, balancer: Endpoint, listener: Listener
    ) -> Iterator[tuple[ListenerView, Traffic, list[str], list[Hop]]]:
        """forwarding for HA ports: each port heard goes on to the same port of the targets."""
        protocols = " and ".join(listener_protocols(listener.protocol))
        hop = _hop(
            listener, "listener", f"{balancer.address} listens on every {protocols} port (HA ports)"
        )
        heard = heard_by(listener, self.open)
        for group_address in listener.target_groups:
            group = self.model.target_groups.get(group_address)
            # A backend port not known: HA ports only if it is 0, so when open, named.
            rests_on = (
                (f"{group.address}: {group.port_unknown}",) if group and group.port_unknown else ()
            )
            if group is not None and (self.open or not rests_on):
                group_hop = _hop(
                    group, "target-group", "forwards each flow to the same port of its targets"
                )
                view = ListenerView(heard, hop, rests_on, group, same_port=True)
                targets = [target.endpoint for target in group.targets]
                yield view, heard.services_everywhere(), targets, [group_hop]


def heard_by(listener: Listener, open_unknowns: bool) -> Traffic:
    """What one listener hears: its port in each of its protocols; a port not known, every
    port when open and none when closed."""
    heard = Traffic()
    for protocol in listener_protocols(listener.protocol):
        if listener.every_port:
            heard |= Traffic.box(parse_protocol(protocol))
        elif listener.port is not None:
            heard |= on_port(protocol, listener.port)
        elif open_unknowns:
            heard |= Traffic.box(parse_protocol(protocol))
    return heard


@lru_cache(maxsize=4096)  # the same few listeners are asked for by every flow that reaches them
def on_port(protocol: str, port: int) -> Traffic:
    """Traffic of one protocol to one port, from any address."""
    return Traffic.box(parse_protocol(protocol), ports=IntervalSet([(port, port)]))


def _hop(element: Listener | TargetGroup, kind: str, detail: str) -> Hop:
    return Hop(
        address=element.address,
        kind=kind,
        type=element.type,
        detail=detail,
        origin=element.origin,
    )


def _port_known(listener: Listener) -> bool:
    return listener.port is not None or listener.every_port


def _port_name(listener: Listener) -> str:
    """What a listener's port not known is named by in the findings that rest on it."""
    return f"{listener.address}: {listener.port_unknown or 'port'}"


def _listens_on(listener: Listener, frontends: frozenset[str]) -> bool:
    return frontends is _ALL or not listener.frontends or bool(frontends & set(listener.frontends))


def listener_protocols(protocol: str) -> list[str]:
    text = protocol.lower()
    if text == "tcp_udp":
        return ["tcp", "udp"]
    if text == "udp":
        return ["udp"]
    return ["tcp"]  # HTTP, HTTPS, TLS, SSL and TCP all ride on TCP
