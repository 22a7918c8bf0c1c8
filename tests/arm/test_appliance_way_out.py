"""A forwarding Azure VM sends what it forwards to the internet its own way: by the public IP of
any of its interfaces, its subnet's NAT gateway or default outbound access
(https://learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access). A VM
with an inside interface in a private subnet and an outside one with a public IP goes out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reachlint.engine.flows import EndpointClass, External
from reachlint.engine.reach import compute_reachability
from reachlint.inputs.load import build_model
from reachlint.model.traffic import Traffic
from tests.arm.arm_helpers import template_document

SUBNET = "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', '{}')]"
NIC = "[resourceId('Microsoft.Network/networkInterfaces', '{}')]"


def _nic(name: str, subnet: str, ip: str, public_ip: str | None = None) -> dict[str, Any]:
    config: dict[str, Any] = {
        "privateIPAllocationMethod": "Static",
        "privateIPAddress": ip,
        "subnet": {"id": SUBNET.format(subnet)},
    }
    if public_ip:
        config["publicIPAddress"] = {
            "id": f"[resourceId('Microsoft.Network/publicIPAddresses', '{public_ip}')]"
        }
    return {
        "type": "Microsoft.Network/networkInterfaces",
        "apiVersion": "2023-09-01",
        "name": name,
        "location": "westeurope",
        "properties": {
            "enableIPForwarding": True,
            "ipConfigurations": [{"name": "ipconfig1", "properties": config}],
        },
    }


def _network(order: tuple[str, str]) -> dict[str, Any]:
    route = {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance"}
    subnets = [
        (
            "client",
            "10.0.1.0/24",
            {"routeTable": {"id": "[resourceId('Microsoft.Network/routeTables', 'rt')]"}},
        ),
        ("inside", "10.0.2.0/24", {"defaultOutboundAccess": False}),
        ("outside", "10.0.3.0/24", {}),
    ]
    return template_document(
        resources=[
            {
                "type": "Microsoft.Network/routeTables",
                "apiVersion": "2023-09-01",
                "name": "rt",
                "location": "westeurope",
                "properties": {
                    "routes": [
                        {"name": "out", "properties": {**route, "nextHopIpAddress": "10.0.2.4"}}
                    ]
                },
            },
            {
                "type": "Microsoft.Network/virtualNetworks",
                "apiVersion": "2023-09-01",
                "name": "vnet",
                "location": "westeurope",
                "properties": {
                    "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                    "subnets": [
                        {"name": name, "properties": {"addressPrefix": prefix, **more}}
                        for name, prefix, more in subnets
                    ],
                },
            },
            {
                "type": "Microsoft.Network/publicIPAddresses",
                "apiVersion": "2023-09-01",
                "name": "nvaIp",
                "location": "westeurope",
                "sku": {"name": "Standard"},
                "properties": {"publicIPAllocationMethod": "Static"},
            },
            _nic("client", "client", "10.0.1.4"),
            _nic("inside", "inside", "10.0.2.4"),
            _nic("outside", "outside", "10.0.3.4", public_ip="nvaIp"),
            {
                "type": "Microsoft.Compute/virtualMachines",
                "apiVersion": "2023-09-01",
                "name": "nva",
                "location": "westeurope",
                "properties": {
                    "networkProfile": {
                        "networkInterfaces": [{"id": NIC.format(name)} for name in order]
                    }
                },
            },
        ]
    )


@pytest.mark.parametrize("order", [("inside", "outside"), ("outside", "inside")])
def test_a_two_interface_appliance_goes_out_by_its_public_interface(
    tmp_path: Path, order: tuple[str, str]
) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps(_network(order)))
    model = build_model([path])
    reached = Traffic()
    for flow in compute_reachability(model).flows:
        if (
            isinstance(flow.source, EndpointClass)
            and "Microsoft.Network/networkInterfaces/client"
            in (member.endpoint for member in flow.source.members)
            and isinstance(flow.destination, External)
            and flow.state == "reachable"
        ):
            reached |= flow.traffic
    assert reached.text() == "all"
