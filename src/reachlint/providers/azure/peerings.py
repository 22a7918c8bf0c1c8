"""Virtual network peerings: each is declared once per direction, and connects only when both
directions exist (https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-
overview). A peering to a network outside the input is taken as connected: its other half is
not for this input to declare. The flags are per direction in Azure: forwarded traffic is kept
as one, which either direction sets; gateway transit takes both, "If the flag is set to true,
and allowGatewayTransit on remote peering is also true, virtual network will use gateways of
remote virtual network for transit" (useRemoteGateways,
https://learn.microsoft.com/rest/api/virtualnetwork/virtual-network-peerings/create-or-update).
"""

from __future__ import annotations

from collections import defaultdict

from reachlint.model.network import Peering
from reachlint.providers.azure.resources import Build, PeeringSide, Resource


def side(entry: Resource, local: str | None = None) -> PeeringSide:
    """A direction written inside its network (`local` given) or as a resource of its own."""
    unknown: list[str] = []
    if local is None:
        local = entry.link("network", unknown)
    return PeeringSide(entry, local, entry.link("remote_network", unknown), unknown)


def sides(build: Build) -> None:
    """The directions written as resources of their own."""
    build.peering_sides.extend(side(resource) for resource in build.source.of("peering"))


def connect(build: Build) -> None:
    """The directions of each peering made one Peering (see `Settings.pair_all_declarations`)."""
    if build.settings.pair_all_declarations:
        _by_network_pair(build)
    else:
        _by_direction(build)


def _either(directions: list[PeeringSide], name: str) -> bool:
    return any(direction.flag(name) is True for direction in directions)


def _gateway_user(directions: list[PeeringSide]) -> str | None:
    """The network whose direction uses remote gateways where the other allows transit."""
    for user in directions:
        if user.flag("use_remote_gateways") is not True or user.local is None:
            continue
        for hub in directions:
            same = (hub.local or "").lower() == (user.remote or "").lower()
            if same and hub.flag("allow_gateway_transit") is True:
                return user.local
    return None


def _by_network_pair(build: Build) -> None:
    """Every declaration between two networks (names compared without case) is one peering,
    addressed by the first."""
    notes = build.settings.notes
    pairs: dict[frozenset[str], list[PeeringSide]] = defaultdict(list)
    for found in build.peering_sides:
        if found.local is not None and found.remote is not None:
            pairs[frozenset((found.local.lower(), found.remote.lower()))].append(found)
    for directions in pairs.values():
        first = directions[0]
        both = len({(s.local or "").lower() for s in directions}) == 2
        remote_known = first.remote in build.model.networks
        peering = _peering(first, directions, first.remote if remote_known else None)
        peering.active = both or not remote_known
        if not remote_known:
            first.entry.note(notes["peer outside"].format(remote=first.remote))
        elif not both:
            first.entry.note(
                notes["no peering back"].format(local=first.local, remote=first.remote)
            )
        if any(s.flag("allow_network_access") is False for s in directions):
            peering.active = False
            first.entry.note(notes["no network access"])
        build.model.peerings[peering.address] = peering


def _by_direction(build: Build) -> None:
    """Each direction with the first one back is one peering, addressed by the first of them."""
    notes = build.settings.notes
    back_of: dict[tuple[str, str], PeeringSide] = {}
    for found in build.peering_sides:
        if found.local is not None and found.remote is not None:
            back_of.setdefault((found.local, found.remote), found)
    merged: set[str] = set()
    for found in build.peering_sides:
        if found.entry.address in merged:
            continue
        local, remote = found.local, found.remote
        back = back_of.get((remote, local)) if local and remote else None
        directions = [found] if back is None else [found, back]
        merged.update(d.entry.address for d in directions)
        access = all(d.flag("allow_network_access") is not False for d in directions)
        if not access:
            found.entry.note(notes["no network access"])
        one_sided = local is not None and remote is not None and back is None
        if one_sided:
            found.entry.note(notes["no peering back"].format(local=local, remote=remote))
        peering = _peering(found, directions, remote)
        peering.active = access and not one_sided
        peering.unknown = found.unknown
        build.model.peerings[peering.address] = peering


def _peering(first: PeeringSide, directions: list[PeeringSide], accepter: str | None) -> Peering:
    return Peering(
        address=first.entry.address,
        type=first.entry.type,
        origin=first.entry.origin,
        requester=first.local,
        accepter=accepter,
        allow_forwarded_traffic=_either(directions, "allow_forwarded_traffic"),
        gateway_user=_gateway_user(directions),
    )
