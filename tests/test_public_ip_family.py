"""An Azure load balancer's public frontend has the address family of its public IP: IPv4
unless the IP's version says IPv6 (`publicIPAddressVersion`, `ip_version`; "Default: IPv4").
Before, every public frontend was taken as dual-stack, and the internet's IPv6 addresses
reached an IPv4-only load balancer."""

from __future__ import annotations

import json
from pathlib import Path

from reachlint.engine.core import Engine
from reachlint.inputs.load import build_model
from reachlint.model.network import NetworkModel
from reachlint.model.traffic import V4_ALL, V6_ALL, IntervalSet
from tests.arm.arm_helpers import template_document

NET = "Microsoft.Network"
LB = f"{NET}/loadBalancers/web-lb"


def _public_ip(name: str, version: str | None) -> dict[str, object]:
    properties: dict[str, object] = {"publicIPAllocationMethod": "Static"}
    if version is not None:
        properties["publicIPAddressVersion"] = version
    return {
        "type": f"{NET}/publicIPAddresses",
        "apiVersion": "2023-04-01",
        "name": name,
        "location": "westeurope",
        "sku": {"name": "Standard"},
        "properties": properties,
    }


def _frontend(name: str, ip: str) -> dict[str, object]:
    return {
        "name": name,
        "properties": {
            "publicIPAddress": {"id": f"[resourceId('{NET}/publicIPAddresses', '{ip}')]"}
        },
    }


def _families(model: NetworkModel) -> dict[str, IntervalSet]:
    """Each frontend's address families, as the engine's classes hold them."""
    found: dict[str, IntervalSet] = {}
    for cls in Engine(model, "open").classes:
        for member in cls.info.members:
            found[member.interface.rsplit("/", 1)[-1]] = cls.families
    return found


def test_arm_frontends_have_their_public_ips_family(tmp_path: Path) -> None:
    document = template_document(
        parameters={"version": {"type": "string"}},
        resources=[
            _public_ip("v4-default", None),
            _public_ip("v4", "IPv4"),
            _public_ip("v6", "IPv6"),
            _public_ip("v-later", "[parameters('version')]"),
            {
                "type": f"{NET}/loadBalancers",
                "apiVersion": "2023-04-01",
                "name": "web-lb",
                "location": "westeurope",
                "sku": {"name": "Standard"},
                "properties": {
                    "frontendIPConfigurations": [
                        _frontend("fe-default", "v4-default"),
                        _frontend("fe-v4", "v4"),
                        _frontend("fe-v6", "v6"),
                        _frontend("fe-later", "v-later"),
                        {
                            "name": "fe-outside",
                            "properties": {
                                "publicIPAddress": {
                                    "id": "/subscriptions/s/resourceGroups/g/providers/"
                                    f"{NET}/publicIPAddresses/elsewhere"
                                }
                            },
                        },
                    ]
                },
            },
        ],
    )
    path = tmp_path / "lb.json"
    path.write_text(json.dumps(document))
    families = _families(build_model([path]))
    assert families["fe-default"] == V4_ALL
    assert families["fe-v4"] == V4_ALL
    assert families["fe-v6"] == V6_ALL
    # A public IP the template does not declare, or whose version a parameter without a value
    # gives: its family is not known, so either.
    assert families["fe-outside"] == V4_ALL | V6_ALL
    assert families["fe-later"] == V4_ALL | V6_ALL


def test_azurerm_frontends_have_their_public_ips_family(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        """
resource "azurerm_public_ip" "v4" {
  name                = "v4"
  location            = "westeurope"
  resource_group_name = "rg"
  allocation_method   = "Static"
  sku                 = "Standard"
}

resource "azurerm_public_ip" "v6" {
  name                = "v6"
  location            = "westeurope"
  resource_group_name = "rg"
  allocation_method   = "Static"
  sku                 = "Standard"
  ip_version          = "IPv6"
}

resource "azurerm_lb" "web" {
  name                = "web"
  location            = "westeurope"
  resource_group_name = "rg"
  sku                 = "Standard"

  frontend_ip_configuration {
    name                 = "fe-v4"
    public_ip_address_id = azurerm_public_ip.v4.id
  }

  frontend_ip_configuration {
    name                 = "fe-v6"
    public_ip_address_id = azurerm_public_ip.v6.id
  }
}
"""
    )
    families = _families(build_model([tmp_path]))
    assert families["fe-v4"] == V4_ALL
    assert families["fe-v6"] == V6_ALL
