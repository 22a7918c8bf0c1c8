"""A filter's verdict is shared by every peer in a stretch of addresses that none of its rules
divides (security groups and network ACLs keep one verdict per stretch). Shared or not, each
peer gets the verdict, and the unknowns, it gets from a filter that has judged no one before."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest

from reachlint.engine.filters import Filters
from reachlint.engine.network_acls import NetworkAcls
from reachlint.engine.nsg import Peer
from reachlint.engine.ranges import NOWHERE
from reachlint.engine.security_groups import SecurityGroups, SgView
from reachlint.model.network import NetworkModel
from reachlint.model.traffic import IntervalSet, Traffic, cidrs
from tests.differential.networks import random_network

SEEDS = range(40)
NAMES = ((), ("var.office_cidr",), ("aws_subnet.app.cidr_block", "var.range"))


def _peers(
    model: NetworkModel, rng: random.Random
) -> list[tuple[IntervalSet, bool, tuple[str, ...]]]:
    """Peers inside and across the model's ranges: subnets, parts of them, spans of two."""
    ranges = [cidrs([c]) for s in model.subnets.values() for c in s.cidrs]
    ranges += [cidrs([c]) for c in ("10.0.0.0/8", "10.0.3.0/28", "8.8.8.8/32", "52.1.0.0/16")]
    peers = []
    for _ in range(30):
        addresses = rng.choice(ranges)
        if rng.random() < 0.3:
            addresses = addresses | rng.choice(ranges)
        peers.append((addresses, rng.random() < 0.5, rng.choice(NAMES)))
    return peers


def _networks() -> Iterator[tuple[int, NetworkModel, random.Random]]:
    for seed in SEEDS:
        yield seed, random_network(seed), random.Random(seed)


def _groups_verdict(view: SgView, direction: str, where: tuple[Any, ...]) -> Traffic:
    return view.ingress_from(*where) if direction == "ingress" else view.egress_to(*where)


@pytest.mark.parametrize("assume", ["open", "closed"])
def test_security_group_verdicts_shared_by_peers_are_each_peers_own(assume: Any) -> None:
    compared = 0
    for seed, model, rng in _networks():
        shared_filters = Filters(model, assume)
        shared = SecurityGroups(shared_filters)
        names = list(model.security_groups)
        for addresses, known, address_names in _peers(model, rng):
            view_groups = tuple(sorted(rng.sample(names, min(len(names), rng.randint(1, 2)))))
            peer_groups = tuple(rng.sample(names, rng.randint(0, len(names))))
            where = (addresses, peer_groups, known, NOWHERE, address_names)
            peer = Peer(addresses=addresses, groups=peer_groups, known=known, names=address_names)
            for direction in ("ingress", "egress"):
                got = _groups_verdict(shared.view(view_groups), direction, where)
                alone_filters = Filters(model, assume)
                alone = SecurityGroups(alone_filters).view(view_groups)
                assert got == _groups_verdict(alone, direction, where), (seed, view_groups, where)
                alone_unknowns = alone_filters.take_unknowns()
                assert shared_filters.take_unknowns() == alone_unknowns
                for _ in range(2):  # worked out for the peer, then looked up by it
                    assert shared.view(view_groups).toward(direction, peer) == got
                    assert shared_filters.take_unknowns() == alone_unknowns
                compared += 1
    assert compared == 2 * 30 * len(SEEDS)


@pytest.mark.parametrize("assume", ["open", "closed"])
def test_network_acl_verdicts_shared_by_peers_are_each_peers_own(assume: Any) -> None:
    compared = 0
    for seed, model, rng in _networks():
        shared_filters = Filters(model, assume)
        shared = NetworkAcls(shared_filters)
        subnets = list(model.subnets.values())
        for addresses, _known, address_names in _peers(model, rng):
            subnet = rng.choice(subnets)
            acl = shared.acl_for(subnet)
            if acl is None:
                continue
            for direction in ("ingress", "egress"):
                got = shared.toward(acl, direction, addresses, NOWHERE, address_names)
                alone_filters = Filters(model, assume)
                alone = NetworkAcls(alone_filters)
                want = alone.toward(
                    alone.acl_for(subnet), direction, addresses, NOWHERE, address_names
                )
                assert got == want, (seed, subnet.address, direction, addresses)
                assert shared_filters.take_unknowns() == alone_filters.take_unknowns()
                compared += 1
    assert compared > 500  # most random networks give their subnets an ACL
