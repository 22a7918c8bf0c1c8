"""A path that joins another flow's way: each hop it lacks stands where the other way has it,
beside the hops of its own kind, so one numbered list still reads from one end to the other."""

from __future__ import annotations

from reachlint.engine.flows import Hop, merged_hops


def _hop(kind: str, detail: str) -> Hop:
    return Hop(address=f"{kind}.{detail}", kind=kind, type=kind, detail=detail)


IGW = _hop("internet-gateway", "igw")
ROUTE_V4 = _hop("route", "0.0.0.0/0")
ROUTE_V6 = _hop("route", "::/0")
PUBLIC = _hop("public-address", "subnet")
ACL_V4 = _hop("network-acl-entry", "100")
ACL_V6 = _hop("network-acl-entry", "101")
GROUP = _hop("security-group-rule", "22")


def _kinds(hops: list[Hop]) -> list[str]:
    return [hop.detail for hop in hops]


def test_each_family_s_hops_stand_beside_the_other_family_s() -> None:
    v4 = [IGW, ROUTE_V4, PUBLIC, ACL_V4, GROUP]
    v6 = [IGW, ROUTE_V6, ACL_V6, GROUP]
    assert _kinds(merged_hops(v4, v6)) == ["igw", "0.0.0.0/0", "::/0", "subnet", "100", "101", "22"]


def test_the_same_hops_are_not_repeated_and_the_first_path_keeps_its_order() -> None:
    v4 = [GROUP, ACL_V4, ROUTE_V4, IGW]
    assert merged_hops(v4, list(v4)) == v4
    assert _kinds(merged_hops(v4, [GROUP, ACL_V6, ROUTE_V6, IGW])) == [
        "22", "100", "101", "0.0.0.0/0", "::/0", "igw"
    ]  # fmt: skip


def test_a_hop_of_a_new_kind_follows_the_hop_before_it() -> None:
    direct = [IGW, ROUTE_V4, PUBLIC, GROUP]
    balancer = _hop("load-balancer", "lb")
    through = [IGW, ROUTE_V4, balancer, GROUP]
    assert _kinds(merged_hops(direct, through)) == ["igw", "0.0.0.0/0", "lb", "subnet", "22"]
    assert _kinds(merged_hops([], through)) == ["igw", "0.0.0.0/0", "lb", "22"]
