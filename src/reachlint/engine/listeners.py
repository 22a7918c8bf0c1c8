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
from reachlint.engine.flows import Hop
from reachlint.model.network import Endpoint, Listener, NetworkModel
from reachlint.model.traffic import IntervalSet, Traffic, parse_protocol

_ALL: frozenset[str] = frozenset({"*"})  # every frontend of a load balancer


class ListenerView(Struct):
    protocol_number: str
    forward_protocol: str
    port: int
    hop: Hop


class Listeners:
    """The listeners of the model's load balancers, with the target groups they forward to."""

    def __init__(self, model: NetworkModel) -> None:
        self.model = model
        self._heard: dict[tuple[str, frozenset[str]], Traffic] = {}

    def traffic(self, balancer: Endpoint, frontends: frozenset[str] = _ALL) -> Traffic:
        """What the listeners on these frontends hear (an Azure rule names its frontend)."""
        spec = balancer.load_balancer
        if spec is None:
            return EVERYTHING
        key = (balancer.address, frontends)
        heard = self._heard.get(key)
        if heard is None:
            heard = Traffic()
            for listener in spec.listeners:
                if not _listens_on(listener, frontends):
                    continue
                for protocol in listener_protocols(listener.protocol):
                    heard |= on_port(protocol, listener.port)
            self._heard[key] = heard
        return heard

    def forwarding(
        self, balancer: Endpoint, frontends: frozenset[str] = _ALL
    ) -> Iterator[tuple[ListenerView, int, list[str], list[Hop]]]:
        """(listener, target port, target endpoints, hops between) for each forward."""
        spec = balancer.load_balancer
        if spec is None:
            return
        for listener in spec.listeners:
            if not _listens_on(listener, frontends):
                continue
            for protocol in listener_protocols(listener.protocol):
                hop = Hop(
                    address=listener.address,
                    kind="listener",
                    type=listener.type,
                    detail=f"{balancer.address} listens on {protocol} {listener.port}",
                    origin=listener.origin,
                )
                for group_address in listener.target_groups:
                    group = self.model.target_groups.get(group_address)
                    if group is None:
                        continue
                    forward = "udp" if group.protocol.lower() == "udp" else protocol
                    by_port: dict[int, list[str]] = {}
                    for target in group.targets:
                        port = target.port or group.port or listener.port
                        by_port.setdefault(port, []).append(target.endpoint)
                    for port, targets in sorted(by_port.items()):
                        group_hop = Hop(
                            address=group.address,
                            kind="target-group",
                            type=group.type,
                            detail=f"forwards to its targets on {forward} {port}",
                            origin=group.origin,
                        )
                        view = ListenerView(protocol, forward, listener.port, hop)
                        yield view, port, targets, [group_hop]
                if listener.target_port is not None and spec.instances:
                    targets = [t.endpoint for t in spec.instances]
                    view = ListenerView(protocol, protocol, listener.port, hop)
                    yield view, listener.target_port, targets, []


@lru_cache(maxsize=4096)  # the same few listeners are asked for by every flow that reaches them
def on_port(protocol: str, port: int) -> Traffic:
    """Traffic of one protocol to one port, from any address."""
    return Traffic.box(parse_protocol(protocol), ports=IntervalSet([(port, port)]))


def _listens_on(listener: Listener, frontends: frozenset[str]) -> bool:
    return frontends is _ALL or not listener.frontends or bool(frontends & set(listener.frontends))


def listener_protocols(protocol: str) -> list[str]:
    text = protocol.lower()
    if text == "tcp_udp":
        return ["tcp", "udp"]
    if text == "udp":
        return ["udp"]
    return ["tcp"]  # HTTP, HTTPS, TLS, SSL and TCP all ride on TCP
