"""An NSG rule that names an interface's own private address decides for that interface.

Microsoft's NSG overview: "If you specify an address for an Azure resource, specify the private
IP address assigned to the resource. Network security groups are processed after Azure
translates a public IP address to a private IP address for inbound traffic." A static private
address is known before deployment, so the rule matches it for certain.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reachlint.commands.check import run_check
from tests.arm.arm_helpers import template_document, write_template


def _rule(destination: str) -> dict[str, Any]:
    return {
        "name": "ssh-to-the-vm",
        "properties": {
            "priority": 100,
            "access": "Allow",
            "direction": "Inbound",
            "protocol": "Tcp",
            "sourcePortRange": "*",
            "sourceAddressPrefix": "*",
            "destinationAddressPrefix": destination,
            "destinationPortRange": "22",
        },
    }


def _template(destination: str) -> dict[str, Any]:
    subnet_id = "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 's1')]"
    nsg_id = "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg')]"
    pip_id = "[resourceId('Microsoft.Network/publicIPAddresses', 'pip')]"
    return template_document(
        resources=[
            {
                "type": "Microsoft.Network/networkSecurityGroups",
                "apiVersion": "2023-04-01",
                "name": "nsg",
                "properties": {"securityRules": [_rule(destination)]},
            },
            {
                "type": "Microsoft.Network/virtualNetworks",
                "apiVersion": "2023-04-01",
                "name": "vnet",
                "properties": {
                    "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                    "subnets": [
                        {
                            "name": "s1",
                            "properties": {
                                "addressPrefix": "10.0.0.0/24",
                                "networkSecurityGroup": {"id": nsg_id},
                            },
                        }
                    ],
                },
            },
            {
                "type": "Microsoft.Network/publicIPAddresses",
                "apiVersion": "2023-04-01",
                "name": "pip",
                "sku": {"name": "Standard"},
                "properties": {"publicIPAllocationMethod": "Static"},
            },
            {
                "type": "Microsoft.Network/networkInterfaces",
                "apiVersion": "2023-04-01",
                "name": "nic",
                "properties": {
                    "ipConfigurations": [
                        {
                            "name": "ipc",
                            "properties": {
                                "privateIPAllocationMethod": "Static",
                                "privateIPAddress": "10.0.0.4",
                                "subnet": {"id": subnet_id},
                                "publicIPAddress": {"id": pip_id},
                            },
                        }
                    ]
                },
            },
            {
                "type": "Microsoft.Compute/virtualMachines",
                "apiVersion": "2023-03-01",
                "name": "vm",
                "properties": {
                    "networkProfile": {
                        "networkInterfaces": [
                            {"id": "[resourceId('Microsoft.Network/networkInterfaces', 'nic')]"}
                        ]
                    }
                },
            },
        ]
    )


@pytest.mark.parametrize("assume", ["open", "closed"])
@pytest.mark.parametrize(
    ("destination", "reached"),
    [("10.0.0.4", True), ("10.0.0.4/32", True), ("10.0.0.0/29", True), ("10.0.0.5", False)],
)
def test_a_rule_naming_the_static_private_address_decides_for_certain(
    tmp_path: Path, destination: str, reached: bool, assume: str
) -> None:
    path = write_template(tmp_path, _template(destination))
    report = run_check([path], [], assume_unknown=assume)  # type: ignore[arg-type]
    ssh = [f for f in report.findings if f.rule == "INTERNET-ADMIN-PORTS"]
    if reached:
        assert [(f.destination.address, f.depends_on_unknown) for f in ssh] == [
            ("Microsoft.Compute/virtualMachines/vm", None)
        ]
    else:
        assert not ssh
