"""Paths, snapshots and small helpers shared by the design-review tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reachlint.errors import InputError
from tests.engine.azure_builder import AzureNet, rule

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
AZURE_HYBRID = FIXTURES / "azure" / "hybrid" / "template.json"
UPDATE = "REACHLINT_UPDATE_SNAPSHOTS"


def assert_snapshot(name: str, text: str) -> None:
    """`text` equals the stored snapshot; REACHLINT_UPDATE_SNAPSHOTS=1 stores it instead."""
    path = SNAPSHOTS / name
    if os.environ.get(UPDATE):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"no snapshot {name}: run the tests with {UPDATE}=1 to write it"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its snapshot"


def require_azure_hybrid() -> Path:
    """The Azure hybrid template, or a skip while reachlint cannot read ARM templates yet."""
    if not AZURE_HYBRID.exists():
        pytest.skip(f"{AZURE_HYBRID.relative_to(REPO)} is not in the repository yet")
    from reachlint.inputs.load import build_model

    try:
        build_model([AZURE_HYBRID])
    except InputError as error:
        if "not supported yet" in error.message:
            pytest.skip(f"ARM templates are not supported yet: {error.message}")
        raise
    return AZURE_HYBRID


def azure_hybrid_net() -> AzureNet:
    """A hub VNet with a VPN to the data center, a public load balancer in front of the web
    VMs, an app VM admitting only the web subnet and the data center, and a peered spoke."""
    net = AzureNet()
    hub = net.vnet("hub", "10.0.0.0/16")
    spoke = net.vnet("spoke", "10.1.0.0/16")
    net.vnet_peering(hub, spoke)
    net.vpn(hub, ["192.168.0.0/16"])
    web_nsg = net.nsg("web-nsg", rule("http", 100, "inbound", True, "Internet", "*", "80"))
    app_nsg = net.nsg(
        "app-nsg",
        rule("from-web", 100, "inbound", True, "10.0.1.0/24", "*", "8080"),
        rule("ssh-from-dc", 110, "inbound", True, "192.168.0.0/16", "*", "22"),
        rule("deny-vnet", 200, "inbound", False, "VirtualNetwork", "*", "*", "*"),
    )
    web = net.subnet_in(hub, "web", "10.0.1.0/24", nsg=web_nsg)
    app = net.subnet_in(hub, "app", "10.0.2.0/24", nsg=app_nsg)
    webs = [net.vm(f"web-{index}", web) for index in range(2)]
    net.vm("app-0", app)
    net.vm("jump", net.subnet_in(spoke, "tools", "10.1.1.0/24"))
    net.public_lb("front", hub, 80, 80, webs)
    return net
