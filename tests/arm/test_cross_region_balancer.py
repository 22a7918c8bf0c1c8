"""A cross-region load balancer's pool holds regional load balancers' frontends
(`loadBalancerFrontendIPConfiguration`, https://learn.microsoft.com/azure/load-balancer/
cross-region-overview): the note says so, not that its rules forward to no backend."""

from __future__ import annotations

import json
from pathlib import Path

from reachlint.inputs.load import build_model
from tests.arm.arm_helpers import template_document

NET = "Microsoft.Network"
FRONTEND = f"[resourceId('{NET}/loadBalancers/frontendIPConfigurations', "
POOL = f"[resourceId('{NET}/loadBalancers/backendAddressPools', "


def _balancer(name: str, frontend: str, rules: list[dict[str, object]]) -> dict[str, object]:
    return {
        "type": f"{NET}/loadBalancers",
        "apiVersion": "2023-04-01",
        "name": name,
        "location": "westeurope",
        "sku": {"name": "Standard", "tier": "Global" if name == "global" else "Regional"},
        "properties": {
            "frontendIPConfigurations": [
                {
                    "name": frontend,
                    "properties": {
                        "publicIPAddress": {"id": f"[resourceId('{NET}/publicIPAddresses', 'ip')]"}
                    },
                }
            ],
            "loadBalancingRules": rules,
        },
    }


def test_a_pool_of_load_balancers_is_named_as_such(tmp_path: Path) -> None:
    rule = {
        "name": "http",
        "properties": {
            "frontendIPConfiguration": {"id": FRONTEND + "'global', 'fe')]"},
            "backendAddressPool": {"id": POOL + "'global', 'regions')]"},
            "protocol": "Tcp",
            "frontendPort": 80,
            "backendPort": 80,
        },
    }
    pool = {
        "type": f"{NET}/loadBalancers/backendAddressPools",
        "apiVersion": "2023-04-01",
        "name": "global/regions",
        "properties": {
            "loadBalancerBackendAddresses": [
                {
                    "name": "west",
                    "properties": {
                        "loadBalancerFrontendIPConfiguration": {
                            "id": FRONTEND + "'west', 'fe-west')]"
                        }
                    },
                }
            ]
        },
    }
    document = template_document(
        resources=[_balancer("global", "fe", [rule]), _balancer("west", "fe-west", []), pool]
    )
    path = tmp_path / "azuredeploy.json"
    path.write_text(json.dumps(document))
    notes = [note.message for note in build_model([path]).notes]
    assert any(f"holds the frontends of {NET}/loadBalancers/west" in note for note in notes), notes
    assert not any("forwards to no backend" in note for note in notes), notes
