"""Azure's default outbound access, taken away by an internal Standard load balancer.

"When only an internal Load Balancer serves a virtual machine, availability set, or virtual
machine scale set, outbound connections over default SNAT aren't available" for the Standard
SKU; a Basic one uses default SNAT (https://learn.microsoft.com/azure/load-balancer/skus). The
template is the quickstart of fixtures/azure/lb-standard-backends with its load balancer made
internal: one private frontend in the backends' subnet, no outbound rule.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reachlint.engine.flows import External
from reachlint.engine.reach import compute_reachability
from reachlint.inputs.load import build_model

QUICKSTART = Path(__file__).parents[2] / "fixtures/azure/lb-standard-backends"
VMS = "Microsoft.Compute/virtualMachines"


def _internal(sku: str) -> dict[str, Any]:
    template: dict[str, Any] = json.loads((QUICKSTART / "azuredeploy.json").read_text())
    template["variables"]["lbSkuName"] = sku
    (balancer,) = [r for r in template["resources"] if r["type"].endswith("/loadBalancers")]
    subnet = (
        "[resourceId('Microsoft.Network/virtualNetworks/subnets', variables('vNetName'), "
        "variables('vNetSubnetName'))]"
    )
    balancer["properties"]["frontendIPConfigurations"] = [
        {
            "name": "[variables('lbFrontEndName')]",
            "properties": {"privateIPAllocationMethod": "Dynamic", "subnet": {"id": subnet}},
        }
    ]
    del balancer["properties"]["outboundRules"]
    return template


def _senders(tmp_path: Path, sku: str) -> tuple[set[str], set[str]]:
    """The virtual machines, and the endpoints that reach the internet."""
    (tmp_path / "azuredeploy.json").write_text(json.dumps(_internal(sku)))
    parameters = (QUICKSTART / "azuredeploy.parameters.json").read_text()
    (tmp_path / "azuredeploy.parameters.json").write_text(parameters)
    model = build_model([tmp_path / "azuredeploy.json"])
    reachability = compute_reachability(model)
    senders = {
        member.endpoint
        for flow in reachability.flows
        if isinstance(flow.destination, External)
        and flow.destination.kind == "internet"
        and flow.state == "reachable"
        and not isinstance(flow.source, External)
        for member in flow.source.members
    }
    return {a for a in model.endpoints if a.startswith(VMS)}, senders


def test_only_an_internal_standard_load_balancer_leaves_its_backends_no_way_out(
    tmp_path: Path,
) -> None:
    machines, senders = _senders(tmp_path, "Standard")
    assert len(machines) == 3 and not machines & senders
    # The Bastion host is no backend: it keeps its way out.
    assert any(s.startswith("Microsoft.Network/bastionHosts") for s in senders)


def test_a_basic_internal_load_balancer_keeps_default_outbound_access(tmp_path: Path) -> None:
    machines, senders = _senders(tmp_path, "Basic")
    assert len(machines) == 3 and machines <= senders
