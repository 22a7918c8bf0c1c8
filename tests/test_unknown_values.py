"""Unknown values are named by what they rest on, in every loader, and reports say so.

SPEC §4: a value known only after apply, or a variable or parameter without a value, never
makes a rule pass silently; it shows in `depends_on_unknown` by the name a reviewer looks up.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import pytest

from reachlint.commands.check import run_check
from reachlint.dialects.arm import load_arm_template
from reachlint.errors import InputError
from reachlint.formats.arm.values import MissingParameter, Placeholder
from reachlint.formats.terraform.directory import load_terraform_dir
from reachlint.formats.terraform.plan import load_plan_resources
from reachlint.inputs.load import LoadOptions, build_model
from reachlint.reports.text import traffic_text
from reachlint.sources import UnknownValue

REPO = Path(__file__).resolve().parents[1]
SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def write(directory: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (directory / name).write_text(text)
    return directory


def ranges(values: list[UnknownValue]) -> list[tuple[tuple[str, ...], str | None]]:
    return [(value.sources, value.exactly) for value in values]


# ----- Terraform directories ---------------------------------------------------------------

NAMED = """
variable "cidr" { type = string }
variable "admin_range" { type = string }
module "net" {
  source = "./net"
  cidr   = var.cidr
}
data "aws_ip_ranges" "office" { services = ["ec2"] }
resource "aws_vpc" "main" { cidr_block = var.cidr }
resource "aws_instance" "bastion" {
  ami = "ami-1"
  instance_type = "t3.micro"
}
resource "aws_security_group" "web" {
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.admin_range, "${aws_instance.bastion.private_ip}/32"]
  }
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = data.aws_ip_ranges.office.cidr_blocks
  }
  ingress {
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.main.cidr_block]
  }
}
"""
MODULE = """
variable "cidr" { type = string }
resource "aws_subnet" "a" {
  vpc_id     = "vpc-1"
  cidr_block = cidrsubnet(var.cidr, 8, 1)
}
resource "aws_vpc" "copy" { cidr_block = var.cidr }
"""


def test_a_directorys_unknowns_are_named_by_variable_data_source_and_attribute(
    tmp_path: Path,
) -> None:
    write(tmp_path, {"main.tf": NAMED})
    (tmp_path / "net").mkdir()
    write(tmp_path / "net", {"main.tf": MODULE})
    model = build_model([tmp_path], None, None)
    assert ranges(model.networks["aws_vpc.main"].unknown_ranges) == [(("var.cidr",), "var.cidr")]
    # Passed into a module, the variable stays the same value; cidrsubnet() only rests on it.
    assert ranges(model.networks["module.net.aws_vpc.copy"].unknown_ranges) == [
        (("var.cidr",), "var.cidr")
    ]
    assert ranges(model.subnets["module.net.aws_subnet.a"].unknown_ranges) == [
        (("var.cidr",), None)
    ]
    ssh, https, http = model.security_groups["aws_security_group.web"].rules
    assert ranges(ssh.unknown_ranges) == [
        (("var.admin_range",), "var.admin_range"),
        (("aws_instance.bastion.private_ip",), None),
    ]
    assert ranges(https.unknown_ranges) == [
        (("data.aws_ip_ranges.office",), "data.aws_ip_ranges.office.cidr_blocks")
    ]
    # The VPC's own range, written as var.cidr: the same value, so the same addresses.
    assert ranges(http.unknown_ranges) == [(("var.cidr",), "var.cidr")]


def test_a_vpc_without_cidr_block_has_an_unknown_range_named_by_its_attribute(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        {
            "main.tf": 'resource "aws_vpc" "ipam" {\n  ipv4_ipam_pool_id = "ipam-pool-1"\n'
            "  ipv4_netmask_length = 16\n}\n"
        },
    )
    model = build_model([tmp_path], None, None)
    assert ranges(model.networks["aws_vpc.ipam"].unknown_ranges) == [
        (("aws_vpc.ipam.cidr_block",), "aws_vpc.ipam.cidr_block")
    ]


def test_notes_do_not_repeat_the_address_they_carry(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": NAMED})
    (tmp_path / "net").mkdir()
    write(tmp_path / "net", {"main.tf": MODULE})
    model = build_model([tmp_path], None, None)
    (note,) = [n for n in model.notes if n.address == "aws_vpc.main"]
    assert note.message == "cidr_block is not known (it rests on var.cidr)"
    model.note("aws_vpc.main: said twice", "aws_vpc.main")
    assert model.notes[-1].message == "said twice"


def test_hcl_unknowns_carry_their_names_to_the_records(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": NAMED})
    (tmp_path / "net").mkdir()
    write(tmp_path / "net", {"main.tf": MODULE})
    records = {r.address: r for r in load_terraform_dir(tmp_path, environ={}).resources}
    web = records["aws_security_group.web"].unknown_values
    assert [v.sources for v in web["ingress.0.cidr_blocks"]] == [
        ("var.admin_range",),
        ("aws_instance.bastion.private_ip",),
    ]


# ----- Terraform plans -----------------------------------------------------------------------


def _plan(after_unknown: dict[str, Any], expressions: dict[str, Any]) -> dict[str, Any]:
    def entry(address: str) -> dict[str, Any]:
        kind, name = address.split(".")
        return {"address": address, "mode": "managed", "type": kind, "name": name}

    return {
        "format_version": "1.2",
        "terraform_version": "1.11.0",
        "variables": {"admin": {"value": "203.0.113.0/24"}},
        "planned_values": {
            "root_module": {
                "resources": [
                    entry("aws_security_group.web")
                    | {"values": {"ingress": [{"cidr_blocks": [None, "203.0.113.0/24"]}]}}
                ]
            }
        },
        "resource_changes": [
            entry("aws_security_group.web")
            | {"change": {"actions": ["create"], "after_unknown": after_unknown}}
        ],
        "configuration": {
            "root_module": {
                "resources": [
                    entry("aws_security_group.web") | {"expressions": expressions},
                    entry("aws_eip.bastion") | {"expressions": {}},
                ]
            }
        },
    }


def test_a_plans_unknowns_are_named_by_the_resources_they_rest_on_not_its_variables(
    tmp_path: Path,
) -> None:
    # cidr_blocks = ["${aws_eip.bastion.public_ip}/32", var.admin]: the variable is known.
    expressions = {
        "ingress": [
            {
                "cidr_blocks": {
                    "references": ["aws_eip.bastion.public_ip", "aws_eip.bastion", "var.admin"]
                }
            }
        ]
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(_plan({"ingress": [{"cidr_blocks": [True, False]}]}, expressions)))
    (record,) = [r for r in load_plan_resources(path).resources if r.type == "aws_security_group"]
    assert [v.sources for v in record.unknown_values["ingress.0.cidr_blocks"]] == [
        ("aws_eip.bastion.public_ip",)
    ]


# ----- ARM templates -------------------------------------------------------------------------


def arm(tmp_path: Path, parameters: dict[str, Any], resources: list[Any], **extra: Any) -> Path:
    document = {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": parameters,
        "resources": resources,
        **extra,
    }
    path = tmp_path / "template.json"
    path.write_text(json.dumps(document, indent=2))
    return path


NIC = {
    "type": "Microsoft.Network/networkInterfaces",
    "apiVersion": "2023-09-01",
    "name": "[concat(parameters('vmName'), '-nic')]",
    "properties": {
        "ipConfigurations": [
            {
                "name": "ipconfig1",
                "properties": {
                    "subnet": {
                        "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', "
                        "'vnet', 'default')]"
                    }
                },
            }
        ],
        "networkSecurityGroup": {
            "id": "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg')]"
        },
    },
}
VM = {
    "type": "Microsoft.Compute/virtualMachines",
    "apiVersion": "2023-09-01",
    "name": "[parameters('vmName')]",
    "condition": "[not(equals(parameters('vmName'), 'none'))]",
    "properties": {
        "networkProfile": {
            "networkInterfaces": [
                {
                    "id": "[resourceId('Microsoft.Network/networkInterfaces', "
                    "concat(parameters('vmName'), '-nic'))]"
                }
            ]
        }
    },
}
VNET = {
    "type": "Microsoft.Network/virtualNetworks",
    "apiVersion": "2023-09-01",
    "name": "vnet",
    "properties": {
        "addressSpace": {"addressPrefixes": ["[parameters('vnetPrefix')]"]},
        "subnets": [
            {"name": "default", "properties": {"addressPrefix": "[parameters('subnetPrefix')]"}}
        ],
    },
}
NSG = {
    "type": "Microsoft.Network/networkSecurityGroups",
    "apiVersion": "2023-09-01",
    "name": "nsg",
    "properties": {
        "securityRules": [
            {
                "name": "ssh-from-admins",
                "properties": {
                    "priority": 100,
                    "access": "Allow",
                    "direction": "Inbound",
                    "protocol": "Tcp",
                    "sourceAddressPrefix": "[parameters('adminRange')]",
                    "sourcePortRange": "*",
                    "destinationAddressPrefix": "*",
                    "destinationPortRange": "22",
                },
            }
        ]
    },
}
PARAMETERS = {
    "vmName": {"type": "string"},
    "vnetPrefix": {"type": "string"},
    "subnetPrefix": {"type": "string"},
    "adminRange": {"type": "string"},
    "adminPassword": {"type": "securestring"},
    "vmCount": {"type": "int", "allowedValues": [1, 2]},
    "sku": {"type": "string", "defaultValue": "Basic", "allowedValues": ["Basic", "Standard"]},
}


def test_a_parameter_without_value_is_a_readable_placeholder_in_names(tmp_path: Path) -> None:
    model = load_arm_template(arm(tmp_path, PARAMETERS, [VNET, NSG, NIC, VM]))
    vm = model.endpoints["Microsoft.Compute/virtualMachines/{vmName}"]
    # The id built from the placeholder still links the VM to its NIC and the NIC to its subnet.
    (interface,) = vm.interfaces
    assert interface.address == "Microsoft.Network/networkInterfaces/{vmName}-nic"
    assert interface.subnet == "Microsoft.Network/virtualNetworks/vnet/subnets/default"


def test_address_prefixes_from_parameters_without_value_are_named_unknown_ranges(
    tmp_path: Path,
) -> None:
    model = load_arm_template(arm(tmp_path, PARAMETERS, [VNET, NSG, NIC, VM]))
    vnet = "Microsoft.Network/virtualNetworks/vnet"
    assert ranges(model.networks[vnet].unknown_ranges) == [
        (("parameters('vnetPrefix')",), "parameters('vnetPrefix')")
    ]
    assert ranges(model.subnets[f"{vnet}/subnets/default"].unknown_ranges) == [
        (("parameters('subnetPrefix')",), "parameters('subnetPrefix')")
    ]
    nsg = model.network_security_groups["Microsoft.Network/networkSecurityGroups/nsg"]
    admins = next(r for r in nsg.rules if r.name == "ssh-from-admins")
    assert ranges(admins.source.unknown_ranges) == [
        (("parameters('adminRange')",), "parameters('adminRange')")
    ]
    # One note lists them all; the secret is not one of them.
    (note,) = [n for n in model.notes if "without a value" in n.message]
    assert note.message.startswith(
        "4 parameter(s) used without a value or a default: adminRange, subnetPrefix, vmName, "
        "vnetPrefix; names built from them show each in braces"
    )


def test_what_only_a_parameters_value_can_decide_is_unknown_and_named() -> None:
    from reachlint.formats.arm.evaluator import Scope, evaluate
    from tests.arm.arm_helpers import expand, template_document

    template, _ = expand(template_document(parameters={"vmName": {"type": "string"}}))
    scope = Scope(template)
    nic = evaluate("[concat(parameters('vmName'), '-nic')]", scope)
    assert isinstance(nic, Placeholder) and nic == "{vmName}-nic" and not nic.exact
    compared = evaluate("[equals(parameters('vmName'), 'none')]", scope)
    assert isinstance(compared, MissingParameter) and compared.names == {"vmName"}
    assert isinstance(evaluate("[length(parameters('vmName'))]", scope), MissingParameter)
    # A required parameter is always given: its placeholder is never empty.
    assert evaluate("[empty(parameters('vmName'))]", scope) is False
    assert evaluate("[if(equals(parameters('vmName'), ''), 'x', 'y')]", scope) == "y"
    # Cut to a length or cased, a name keeps the placeholder readable.
    assert evaluate("[take(toLower(concat(parameters('vmName'), 'LB')), 5)]", scope) == (
        "{vmName}lb"
    )


def public_nic() -> list[dict[str, Any]]:
    """A public IP address and the VM's NIC with it."""
    public_ip = {
        "type": "Microsoft.Network/publicIPAddresses",
        "apiVersion": "2023-09-01",
        "name": "pip",
        "properties": {},
    }
    nic = json.loads(json.dumps(NIC))
    nic["properties"]["ipConfigurations"][0]["properties"]["publicIPAddress"] = {
        "id": "[resourceId('Microsoft.Network/publicIPAddresses', 'pip')]"
    }
    return [public_ip, nic]


def test_ssh_from_a_range_without_value_follows_assume_unknown(tmp_path: Path) -> None:
    path = arm(tmp_path, PARAMETERS, [VNET, NSG, *public_nic(), VM])
    opened = run_check([path], [], assume_unknown="open")
    (admin,) = [f for f in opened.findings if f.rule == "INTERNET-ADMIN-PORTS"]
    assert admin.destination.address == "Microsoft.Compute/virtualMachines/{vmName}"
    assert admin.depends_on_unknown == ["parameters('adminRange')"]
    nsg_hop = next(h for h in admin.path if h.kind == "nsg-rule")
    assert nsg_hop.detail.endswith(
        "allows inbound tcp 22 from addresses known only at deployment: parameters('adminRange')"
    )
    closed = run_check([path], [], assume_unknown="closed")
    assert not closed.findings


@pytest.mark.parametrize(
    ("written", "named", "note"),
    [
        (
            "[parameters('sshPort')]",
            "destinationPortRange (parameters('sshPort'))",
            "destinationPortRange is unknown: parameter 'sshPort' has no value",
        ),
        # Azure refuses ports outside 0-65535 and ranges that run backwards (HTTP 400,
        # SecurityRuleInvalidPortRange): such a rule's ports are not known either.
        ("65536", "destinationPortRange", "destinationPortRange ['65536'] is not a port range"),
        ("100-90", "destinationPortRange", "destinationPortRange ['100-90'] is not a port range"),
    ],
)
def test_an_nsg_rule_whose_ports_are_not_known_is_named_and_follows_assume_unknown(
    tmp_path: Path, written: str, named: str, note: str
) -> None:
    nsg = json.loads(json.dumps(NSG))
    rule = nsg["properties"]["securityRules"][0]["properties"]
    rule["sourceAddressPrefix"], rule["destinationPortRange"] = "Internet", written
    parameters = {**PARAMETERS, "sshPort": {"type": "string"}}
    path = arm(tmp_path, parameters, [VNET, nsg, *public_nic(), VM])
    model = load_arm_template(path)
    assert any(n.message.endswith(note) for n in model.notes)
    rule_address = "Microsoft.Network/networkSecurityGroups/nsg/securityRules/ssh-from-admins"
    opened = run_check([path], [], assume_unknown="open")
    # Open: the rule admits every port from the internet, and each finding says it rests on it.
    assert sorted(f.rule for f in opened.findings) == ["INTERNET-ADMIN-PORTS", "INTERNET-ALL-PORTS"]
    for finding in opened.findings:
        assert finding.depends_on_unknown == [f"{rule_address}: {named}"]
        (hop,) = [h for h in finding.path if h.kind == "nsg-rule"]
        assert hop.detail.endswith(f"allows inbound tcp 0-65535; unknown: {named}")
    assert not run_check([path], [], assume_unknown="closed").findings


def test_a_given_value_of_the_wrong_type_is_still_an_input_error(tmp_path: Path) -> None:
    path = arm(tmp_path, PARAMETERS, [VNET])
    with pytest.raises(InputError, match="parameter 'vmCount' is declared int but is given "):
        load_arm_template(path, parameter_values={"vmCount": "three"})


def test_a_given_value_outside_allowed_values_is_still_an_input_error(tmp_path: Path) -> None:
    path = arm(tmp_path, PARAMETERS, [VNET])
    with pytest.raises(InputError, match="not one of its allowed values"):
        load_arm_template(path, parameter_values={"sku": "Premium"})
    # Case does not matter; a number given on the command line to a string is its text.
    model = load_arm_template(path, parameter_values={"sku": "standard", "vnetPrefix": 10})
    assert ranges(model.networks["Microsoft.Network/virtualNetworks/vnet"].unknown_ranges) == []


# ----- reports ---------------------------------------------------------------------------------


def test_a_rule_from_unknown_addresses_says_so_instead_of_nobody(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": """
variable "admin_range" { type = string }
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_internet_gateway" "gw" { vpc_id = aws_vpc.main.id }
resource "aws_subnet" "public" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.0.1.0/24"
  map_public_ip_on_launch = true
}
resource "aws_route" "out" {
  route_table_id         = aws_vpc.main.main_route_table_id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.gw.id
}
resource "aws_security_group" "admin" {
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.admin_range]
  }
}
resource "aws_instance" "host" {
  ami                    = "ami-1"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.public.id
  vpc_security_group_ids = [aws_security_group.admin.id]
}
"""
        },
    )
    report = run_check([tmp_path], [], assume_unknown="open")
    (admin,) = [f for f in report.findings if f.rule == "INTERNET-ADMIN-PORTS"]
    assert admin.depends_on_unknown == ["var.admin_range"]
    details = [h.detail for h in admin.path if h.kind == "security-group-rule"]
    assert details == [
        "aws_security_group.admin allows tcp 22 from addresses known only after apply: "
        "var.admin_range"
    ]
    assert not run_check([tmp_path], [], assume_unknown="closed").findings


AZURERM = """variable "address_space" { type = list(string) }
variable "subnet_prefix" { type = string }
variable "admin_source" { type = string }
resource "azurerm_resource_group" "rg" {
  name     = "rg"
  location = "westeurope"
}
resource "azurerm_virtual_network" "vnet" {
  name                = "vnet"
  address_space       = var.address_space
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
}
resource "azurerm_subnet" "web" {
  name                 = "web"
  resource_group_name  = azurerm_resource_group.rg.name
  virtual_network_name = azurerm_virtual_network.vnet.name
  address_prefixes     = [var.subnet_prefix]
}
resource "azurerm_network_security_group" "web" {
  name                = "web"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  security_rule {
    name                       = "ssh"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "22"
    source_address_prefix      = var.admin_source
    destination_address_prefix = "*"
  }
}
resource "azurerm_subnet_network_security_group_association" "web" {
  subnet_id                 = azurerm_subnet.web.id
  network_security_group_id = azurerm_network_security_group.web.id
}
resource "azurerm_public_ip" "vm" {
  name                = "vm"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  allocation_method   = "Static"
}
resource "azurerm_network_interface" "vm" {
  name                = "vm"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  ip_configuration {
    name                          = "internal"
    subnet_id                     = azurerm_subnet.web.id
    private_ip_address_allocation = "Dynamic"
    public_ip_address_id          = azurerm_public_ip.vm.id
  }
}
resource "azurerm_linux_virtual_machine" "vm" {
  name                  = "vm"
  resource_group_name   = azurerm_resource_group.rg.name
  location              = azurerm_resource_group.rg.location
  size                  = "Standard_B1s"
  admin_username        = "azureuser"
  network_interface_ids = [azurerm_network_interface.vm.id]
  os_disk {
    caching              = "ReadWrite"
    storage_account_type = "Standard_LRS"
  }
  source_image_reference {
    publisher = "Canonical"
    offer     = "0001-com-ubuntu-server-jammy"
    sku       = "22_04-lts"
    version   = "latest"
  }
}
"""


def test_azurerm_ranges_and_nsg_sources_without_values_are_named_unknowns(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": AZURERM})
    model = build_model([tmp_path], None, None)
    vnet = model.networks["azurerm_virtual_network.vnet"]
    assert ranges(vnet.unknown_ranges) == [(("var.address_space",), "var.address_space")]
    assert ranges(model.subnets["azurerm_subnet.web"].unknown_ranges) == [
        (("var.subnet_prefix",), "var.subnet_prefix")
    ]
    opened = run_check([tmp_path], [], assume_unknown="open")
    (admin,) = [f for f in opened.findings if f.rule == "INTERNET-ADMIN-PORTS"]
    assert admin.destination.address == "azurerm_linux_virtual_machine.vm"
    assert admin.depends_on_unknown == ["var.admin_source"]
    assert not run_check([tmp_path], [], assume_unknown="closed").findings


def test_an_azurerm_nsg_rule_with_ports_known_only_after_apply_follows_assume_unknown(
    tmp_path: Path,
) -> None:
    text = (
        AZURERM.replace("var.address_space", '["10.0.0.0/16"]')
        .replace("[var.subnet_prefix]", '["10.0.1.0/24"]')
        .replace("var.admin_source", '"Internet"')
        .replace('destination_port_range     = "22"', "destination_port_range     = var.ssh_port")
        .replace('variable "admin_source"', 'variable "ssh_port"')
    )
    write(tmp_path, {"main.tf": text})
    opened = run_check([tmp_path], [], assume_unknown="open")
    assert sorted(f.rule for f in opened.findings) == ["INTERNET-ADMIN-PORTS", "INTERNET-ALL-PORTS"]
    for finding in opened.findings:
        assert finding.depends_on_unknown == [
            "azurerm_network_security_group.web rule ssh: destination_port_range"
        ]
    assert not run_check([tmp_path], [], assume_unknown="closed").findings


HALF_SUBNET = """
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_security_group" "client" {
  vpc_id = aws_vpc.main.id
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_security_group" "server" {
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.0.1.0/25"]
  }
}
resource "aws_instance" "client" {
  ami                    = "ami-1"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.a.id
  vpc_security_group_ids = [aws_security_group.client.id]
}
resource "aws_instance" "server" {
  ami                    = "ami-1"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.a.id
  private_ip             = "10.0.1.200"
  vpc_security_group_ids = [aws_security_group.server.id]
}
"""
SSH_RULES = """
version: 1
rules:
  - id: NO-SSH-BETWEEN-INSTANCES
    match: {from: {types: [aws_instance]}, to: {types: [aws_instance]}, protocol: tcp, ports: [22]}
"""


def test_an_address_the_subnet_assigns_is_named_after_the_endpoint_of_the_finding(
    tmp_path: Path,
) -> None:
    # The client's address is chosen in 10.0.1.0/24 at launch; SSH is allowed from half of it.
    write(tmp_path, {"main.tf": HALF_SUBNET, "rules.yaml": SSH_RULES})
    rules = [tmp_path / "rules.yaml"]
    (finding,) = run_check([tmp_path], rules, builtin=False, assume_unknown="open").findings
    assert (finding.source.address, finding.destination.address) == (
        "aws_instance.client",
        "aws_instance.server",
    )
    assert finding.depends_on_unknown == ["aws_instance.client: its private address"]
    assert not run_check([tmp_path], rules, builtin=False, assume_unknown="closed").findings


def _azurerm_rules(*rules: tuple[str, str, str, str]) -> str:
    """AZURERM with known ranges, a variable x without a value, and these inbound TCP rules
    from the internet: (name, priority, access, destination_port_ranges)."""
    text = (
        AZURERM.replace("var.address_space", '["10.0.0.0/16"]')
        .replace("[var.subnet_prefix]", '["10.0.1.0/24"]')
        .replace('variable "admin_source"', 'variable "x"')
    )
    start = text.index("  security_rule {")
    end = text.index('resource "azurerm_subnet_network_security_group_association"')
    written = "".join(
        f"  security_rule {{\n    name = {name}\n    priority = {priority}\n"
        f'    direction = "Inbound"\n    access = {access}\n    protocol = "Tcp"\n'
        f'    source_port_range = "*"\n    destination_port_ranges = {ports}\n'
        f'    source_address_prefix = "Internet"\n    destination_address_prefix = "*"\n  }}\n'
        for name, priority, access, ports in rules
    )
    return text[:start] + written + "}\n" + text[end:]


ADMIN = [(22, 22), (3389, 3389), (5985, 5986)]


def _admin_ports(
    path: Path, assume: Literal["open", "closed"]
) -> tuple[list[tuple[int, int]], list[str]]:
    """The ports of the one INTERNET-ADMIN-PORTS finding, and what it rests on."""
    report = run_check([path], [], assume_unknown=assume)
    admin = [f for f in report.findings if f.rule == "INTERNET-ADMIN-PORTS"]
    if not admin:
        return [], []
    (finding,) = admin
    return list(finding.traffic[0].ports or []), list(finding.depends_on_unknown or [])


@pytest.mark.parametrize(
    ("rules", "part", "opened", "closed"),
    [
        # Port 22 is certain, the other port is not: closed keeps 22, open takes any port.
        ([('"p"', "100", '"Allow"', '["22", var.x]')], "p: destination_port_ranges", ADMIN,
         [(22, 22)]),
        # A deny of 22 and a port not known, above an allow of all: open denies only 22,
        # closed denies every port.
        ([('"d"', "100", '"Deny"', '["22", var.x]'), ('"a"', "200", '"Allow"', '["0-65535"]')],
         "d: destination_port_ranges", [(3389, 3389), (5985, 5986)], []),
        # An access not known: an allow when open, a deny when closed.
        ([('"u"', "100", "var.x", '["0-65535"]'), ('"a"', "200", '"Allow"', '["22"]')],
         "u: access", ADMIN, []),
        # A priority not known: the allow comes first when open, last when closed.
        ([('"d"', "200", '"Deny"', '["22"]'), ('"a"', "var.x", '"Allow"', '["0-65535"]')],
         "a: priority", ADMIN, [(3389, 3389), (5985, 5986)]),
    ],
)  # fmt: skip
def test_what_is_not_known_of_an_nsg_rule_widens_it_when_open_and_narrows_it_when_closed(
    tmp_path: Path,
    rules: list[tuple[str, str, str, str]],
    part: str,
    opened: list[tuple[int, int]],
    closed: list[tuple[int, int]],
) -> None:
    write(tmp_path, {"main.tf": _azurerm_rules(*rules)})
    named = f"azurerm_network_security_group.web rule {part}"

    assert _admin_ports(tmp_path, "open") == (opened, [named])
    # What closed mode admits is certain: it rests on nothing.
    assert _admin_ports(tmp_path, "closed") == (closed, [])


def _outbound_https(*rules: tuple[str, str, str]) -> str:
    """AZURERM with these TCP 443 rules to the internet, (name, direction, access) at
    priorities 100, 200 ..., and a variable x without a value."""
    written = "".join(
        f'  security_rule {{\n    name = "{name}"\n    priority = {100 * (number + 1)}\n'
        f'    direction = {direction}\n    access = {access}\n    protocol = "Tcp"\n'
        f'    source_port_range = "*"\n    destination_port_range = "443"\n'
        f'    source_address_prefix = "*"\n    destination_address_prefix = "Internet"\n  }}\n'
        for number, (name, direction, access) in enumerate(rules)
    )
    text = _azurerm_rules()
    start = text.index('}\nresource "azurerm_subnet_network_security_group_association"')
    return text[:start] + written + text[start:]


HTTPS_OUT = """
version: 1
rules:
  - id: NO-HTTPS-OUT
    match: {from: any, to: internet, protocol: tcp, ports: [443]}
"""


@pytest.mark.parametrize(
    ("rules", "rests_on", "closed"),
    [
        # An allow that may be outbound, above a deny of all: open lets HTTPS out, closed not.
        ([("u", "var.x", '"Allow"'), ("deny", '"Outbound"', '"Deny"')], "u: direction", False),
        # A deny that may be outbound, above Azure's default allow to the internet: open skips
        # it, closed denies HTTPS out.
        ([("d", "var.x", '"Deny"')], "d: direction", False),
        # Known to be inbound, the same deny leaves HTTPS out to Azure's default allow.
        ([("d", '"Inbound"', '"Deny"')], None, True),
    ],
)
def test_an_nsg_rule_whose_direction_is_not_known_is_weighed_both_ways(
    tmp_path: Path, rules: list[tuple[str, str, str]], rests_on: str | None, closed: bool
) -> None:
    write(tmp_path, {"main.tf": _outbound_https(*rules), "rules.yaml": HTTPS_OUT})
    rules_file = [tmp_path / "rules.yaml"]

    (opened,) = run_check([tmp_path], rules_file, builtin=False, assume_unknown="open").findings
    assert (opened.source.address, opened.destination.address) == (
        "azurerm_linux_virtual_machine.vm",
        "internet",
    )
    named = [f"azurerm_network_security_group.web rule {rests_on}"] if rests_on else []
    assert opened.depends_on_unknown == (named or None)
    found = run_check([tmp_path], rules_file, builtin=False, assume_unknown="closed").findings
    assert bool(found) == closed


@pytest.mark.parametrize(
    ("field", "parameter", "named", "closed"),
    [
        # An access not known: an allow when open, a deny when closed.
        (
            "access",
            {"type": "string"},
            "security rule ssh-from-admins access (parameters('p'))",
            [],
        ),
        # A priority not known: with no other rule of its own, the allow admits the same
        # wherever it stands, so nothing rests on it.
        ("priority", {"type": "int"}, None, [(22, 22)]),
        # A protocol not known: whether the rule applies at all is not known.
        (
            "protocol",
            {"type": "string"},
            "security rule ssh-from-admins protocol (parameters('p'))",
            [],
        ),
        # A direction not known: the same, each way.
        (
            "direction",
            {"type": "string"},
            "security rule ssh-from-admins direction (parameters('p'))",
            [],
        ),
    ],
)
def test_an_arm_nsg_rule_part_from_a_parameter_without_value_follows_assume_unknown(
    tmp_path: Path,
    field: str,
    parameter: dict[str, str],
    named: str | None,
    closed: list[tuple[int, int]],
) -> None:
    nsg = json.loads(json.dumps(NSG))
    rule = nsg["properties"]["securityRules"][0]["properties"]
    rule["sourceAddressPrefix"], rule[field] = "Internet", "[parameters('p')]"
    path = arm(tmp_path, {**PARAMETERS, "p": parameter}, [VNET, nsg, *public_nic(), VM])
    rule_address = "Microsoft.Network/networkSecurityGroups/nsg/securityRules/ssh-from-admins"

    expected = [f"{rule_address}: {named}"] if named else []
    assert _admin_ports(path, "open") == ([(22, 22)], expected)
    assert _admin_ports(path, "closed") == (closed, [])


def test_an_application_security_group_not_known_may_hold_the_endpoint_when_open(
    tmp_path: Path,
) -> None:
    text = (
        _azurerm_rules(('"ssh"', "100", '"Allow"', '["22"]'))
        .replace('destination_address_prefix = "*"', "destination_application_security_group_ids"
                 " = [var.x]")
    )  # fmt: skip
    write(tmp_path, {"main.tf": text})
    named = (
        "azurerm_network_security_group.web rule ssh: destination_application_security_group_ids"
    )
    (ssh,) = run_check([tmp_path], [], assume_unknown="open").findings
    assert (ssh.rule, ssh.traffic[0].ports, ssh.depends_on_unknown) == (
        "INTERNET-ADMIN-PORTS",
        [(22, 22)],
        [named],
    )
    assert not run_check([tmp_path], [], assume_unknown="closed").findings


ASG_IN_DEFAULT_VPC = """variable "subnet_ids" { type = list(string) }
resource "aws_security_group" "instance" {
  ingress {
    from_port   = 8080
    to_port     = 8080
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_launch_configuration" "web" {
  image_id        = "ami-1"
  instance_type   = "t3.micro"
  security_groups = [aws_security_group.instance.id]
}
resource "aws_autoscaling_group" "web" {
  launch_configuration = aws_launch_configuration.web.name
  vpc_zone_identifier  = var.subnet_ids
  min_size             = 1
  max_size             = 2
}
"""


def test_subnets_from_a_variable_without_value_are_unknown_not_absent(tmp_path: Path) -> None:
    # The group has no vpc_id, so it is in the default VPC, and AWS launches the instances only
    # in subnets of their groups' VPC. Which subnets is not known: a default subnet gives public
    # addresses, another may not. Open: reachable on 8080, resting on the subnets; closed: not.
    write(tmp_path, {"main.tf": ASG_IN_DEFAULT_VPC})
    opened = run_check([tmp_path], [], assume_unknown="open")
    (finding,) = opened.findings
    assert (finding.rule, finding.destination.address, finding.traffic[0].ports) == (
        "INTERNET-NON-WEB-PORTS",
        "aws_autoscaling_group.web",
        [(8080, 8080)],
    )
    assert "aws_autoscaling_group.web: vpc_zone_identifier" in (finding.depends_on_unknown or [])
    notes = [note.message for note in opened.notes if note.address == "aws_autoscaling_group.web"]
    assert notes == [
        "vpc_zone_identifier is not known (it rests on var.subnet_ids); its subnet is unknown"
    ]
    assert not run_check([tmp_path], [], assume_unknown="closed").findings


def test_without_subnets_the_group_launches_in_the_default_subnets_which_are_public(
    tmp_path: Path,
) -> None:
    # No vpc_zone_identifier at all: the default subnets of the default VPC, public by default.
    write(
        tmp_path,
        {"main.tf": ASG_IN_DEFAULT_VPC.replace("  vpc_zone_identifier  = var.subnet_ids\n", "")},
    )
    modes: list[Literal["open", "closed"]] = ["open", "closed"]
    for assume in modes:
        (finding,) = run_check([tmp_path], [], assume_unknown=assume).findings
        assert finding.destination.address == "aws_autoscaling_group.web"


def test_a_vpc_id_from_a_variable_without_value_names_it(tmp_path: Path) -> None:
    text = ASG_IN_DEFAULT_VPC.replace(
        'resource "aws_security_group" "instance" {\n',
        'variable "vpc_id" { type = string }\n'
        'resource "aws_security_group" "instance" {\n  vpc_id = var.vpc_id\n',
    )
    write(tmp_path, {"main.tf": text})
    model = build_model([tmp_path])
    notes = [n.message for n in model.notes if n.address == "aws_security_group.instance"]
    assert notes == [
        "vpc_id is not known (it rests on var.vpc_id); placed in a VPC outside the input"
    ]


SSH_IN_A_READ_VPC = """data "aws_vpc" "main" {
  default = true
}
resource "aws_security_group" "ssh" {
  vpc_id = data.aws_vpc.main.id
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_instance" "web" {
  ami                    = "ami-1"
  instance_type          = "t3.micro"
  vpc_security_group_ids = [aws_security_group.ssh.id]
}
"""


def test_a_vpc_read_as_the_default_one_has_its_internet_gateway_and_public_subnets(
    tmp_path: Path,
) -> None:
    # docs.aws.amazon.com/vpc/latest/userguide/default-vpc.html: the default VPC has an internet
    # gateway, a main route table sending 0.0.0.0/0 to it, and default subnets that give
    # public addresses. An instance without a subnet launches in one of them.
    write(tmp_path, {"main.tf": SSH_IN_A_READ_VPC})
    modes: list[Literal["open", "closed"]] = ["open", "closed"]
    for assume in modes:
        admin = [
            f
            for f in run_check([tmp_path], [], assume_unknown=assume).findings
            if f.rule == "INTERNET-ADMIN-PORTS"
        ]
        assert [(f.destination.address, f.depends_on_unknown) for f in admin] == [
            ("aws_instance.web", None)
        ]


def test_a_vpc_read_by_a_data_source_routes_as_its_own_tables_say(tmp_path: Path) -> None:
    # A VPC the configuration reads (by tag) but does not create: its route tables are not in
    # the input, so whether a subnet created in it reaches the internet is not known.
    text = SSH_IN_A_READ_VPC.replace(
        "  default = true\n", '  tags = { Name = "shared" }\n'
    ).replace(
        '  instance_type          = "t3.micro"\n',
        '  instance_type          = "t3.micro"\n  subnet_id              = aws_subnet.a.id\n',
    ) + (
        'resource "aws_subnet" "a" {\n  vpc_id = data.aws_vpc.main.id\n'
        '  cidr_block = "10.9.1.0/24"\n  map_public_ip_on_launch = true\n}\n'
    )
    write(tmp_path, {"main.tf": text})
    opened = run_check([tmp_path], [], assume_unknown="open").findings
    admin = [f for f in opened if f.rule == "INTERNET-ADMIN-PORTS"]
    assert [(f.destination.address, f.depends_on_unknown) for f in admin] == [
        ("aws_instance.web", ["the routes of data.aws_vpc.main"])
    ]
    assert not run_check([tmp_path], [], assume_unknown="closed").findings


def test_an_attribute_written_as_a_value_not_known_still_refers_to_its_resource(
    tmp_path: Path,
) -> None:
    # The subnet group's name is built from a data source, so it is not known when Terraform
    # plans; db_subnet_group_name still refers to the subnet group, as Terraform's own
    # references say, and the database sits in the group's subnet.
    write(
        tmp_path,
        {
            "main.tf": """data "aws_caller_identity" "current" {}
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_db_subnet_group" "default" {
  name       = "sg-${data.aws_caller_identity.current.account_id}"
  subnet_ids = [aws_subnet.a.id]
}
resource "aws_db_instance" "db" {
  engine               = "mysql"
  instance_class       = "db.t3.micro"
  db_subnet_group_name = aws_db_subnet_group.default.name
}
"""
        },
    )
    model = build_model([tmp_path])
    assert [i.subnet for i in model.endpoints["aws_db_instance.db"].interfaces] == ["aws_subnet.a"]
    assert not [n for n in model.notes if n.address == "aws_db_instance.db"]


ASG_IN_A_DECLARED_VPC = """variable "subnet_ids" { type = list(string) }
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_internet_gateway" "igw" { vpc_id = aws_vpc.main.id }
resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
}
resource "aws_subnet" "public" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}
resource "aws_security_group" "ssh" {
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_launch_configuration" "web" {
  image_id                    = "ami-1"
  instance_type               = "t3.micro"
  security_groups             = [aws_security_group.ssh.id]
  associate_public_ip_address = true
}
resource "aws_autoscaling_group" "web" {
  launch_configuration = aws_launch_configuration.web.name
  vpc_zone_identifier  = var.subnet_ids
  min_size             = 1
  max_size             = 2
}
"""


def test_an_unknown_subnet_may_be_any_subnet_of_its_vpc_and_so_take_any_of_its_tables(
    tmp_path: Path,
) -> None:
    # The groups put the instances in aws_vpc.main; the subnets are not known. The public
    # subnet's table sends 0.0.0.0/0 to the internet gateway, the main table (any other subnet)
    # does not: reachable when open, resting on the subnets; not when closed.
    write(tmp_path, {"main.tf": ASG_IN_A_DECLARED_VPC})
    (finding,) = run_check([tmp_path], [], assume_unknown="open").findings
    assert (finding.destination.address, finding.depends_on_unknown) == (
        "aws_autoscaling_group.web",
        ["aws_autoscaling_group.web: vpc_zone_identifier"],
    )
    assert [hop.address for hop in finding.path][:2] == [
        "aws_internet_gateway.igw",
        "aws_route_table.public",
    ]
    assert not run_check([tmp_path], [], assume_unknown="closed").findings


def test_an_unknown_subnet_is_public_for_certain_when_every_table_of_its_vpc_is(
    tmp_path: Path,
) -> None:
    # The public table is also the VPC's main table: every subnet, known or not, reaches the
    # internet gateway, so the finding holds in both modes.
    text = ASG_IN_A_DECLARED_VPC.replace(
        'resource "aws_route_table_association" "public" {\n'
        "  subnet_id      = aws_subnet.public.id\n",
        'resource "aws_main_route_table_association" "public" {\n'
        "  vpc_id         = aws_vpc.main.id\n",
    )
    write(tmp_path, {"main.tf": text})
    modes: list[Literal["open", "closed"]] = ["open", "closed"]
    for assume in modes:
        (finding,) = run_check([tmp_path], [], assume_unknown=assume).findings
        assert finding.destination.address == "aws_autoscaling_group.web"


def test_a_group_without_subnets_in_a_vpc_read_as_the_default_is_public_for_certain(
    tmp_path: Path,
) -> None:
    # No vpc_zone_identifier: AWS launches in the default subnets of the default VPC, which give
    # public addresses. The VPC is read by `default = true`; that is no unknown.
    text = 'data "aws_vpc" "default" {\n  default = true\n}\n' + ASG_IN_DEFAULT_VPC.replace(
        "  vpc_zone_identifier  = var.subnet_ids\n", ""
    ).replace(
        'resource "aws_security_group" "instance" {\n',
        'resource "aws_security_group" "instance" {\n  vpc_id = data.aws_vpc.default.id\n',
    )
    write(tmp_path, {"main.tf": text})
    modes: list[Literal["open", "closed"]] = ["open", "closed"]
    for assume in modes:
        (finding,) = run_check([tmp_path], [], assume_unknown=assume).findings
        assert (finding.destination.address, finding.depends_on_unknown) == (
            "aws_autoscaling_group.web",
            None,
        )


def test_the_adopted_default_vpc_has_its_internet_gateway(tmp_path: Path) -> None:
    # aws_default_vpc adopts the default VPC without managing its internet gateway or main
    # route table, which AWS created with it: an instance without a subnet is public.
    text = SSH_IN_A_READ_VPC.replace('data "aws_vpc" "main" {\n  default = true\n}\n', "")
    text = 'resource "aws_default_vpc" "main" {}\n' + text.replace(
        "data.aws_vpc.main.id", "aws_default_vpc.main.id"
    )
    write(tmp_path, {"main.tf": text})
    modes: list[Literal["open", "closed"]] = ["open", "closed"]
    for assume in modes:
        admin = [
            f
            for f in run_check([tmp_path], [], assume_unknown=assume).findings
            if f.rule == "INTERNET-ADMIN-PORTS"
        ]
        assert [(f.destination.address, f.path[0].address) for f in admin] == [
            ("aws_instance.web", "aws_default_vpc.main.internet_gateway")
        ]


def test_an_instance_whose_subnet_is_not_known_sits_in_the_vpc_of_its_groups(
    tmp_path: Path,
) -> None:
    # Its group is in aws_vpc.b, which has no internet gateway; AWS accepts only groups of the
    # instance's own VPC, so whatever the subnet, it is not reachable from the internet.
    text = """variable "subnet_id" { type = string }
resource "aws_vpc" "a" { cidr_block = "10.0.0.0/16" }
resource "aws_vpc" "b" { cidr_block = "10.1.0.0/16" }
resource "aws_internet_gateway" "a" { vpc_id = aws_vpc.a.id }
resource "aws_default_route_table" "a" {
  default_route_table_id = aws_vpc.a.default_route_table_id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.a.id
  }
}
resource "aws_security_group" "ssh" {
  vpc_id = aws_vpc.b.id
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_instance" "web" {
  ami                         = "ami-1"
  instance_type               = "t3.micro"
  subnet_id                   = var.subnet_id
  vpc_security_group_ids      = [aws_security_group.ssh.id]
  associate_public_ip_address = true
}
"""
    write(tmp_path, {"main.tf": text})
    model = build_model([tmp_path])
    (interface,) = model.endpoints["aws_instance.web"].interfaces
    assert (interface.network, interface.subnet, interface.subnet_unknown) == (
        "aws_vpc.b",
        None,
        True,
    )
    notes = [n.message for n in model.notes if n.address == "aws_instance.web"]
    assert notes == ["subnet_id is not known (it rests on var.subnet_id); its subnet is unknown"]
    assert not run_check([tmp_path], [], assume_unknown="open").findings


ONE_SUBNET_FOR_MANY = """data "aws_availability_zones" "available" {}
locals {
  subnets = {
    for index, zone in data.aws_availability_zones.available.names :
    "${zone}-${index}" => { index = index, tier = index < 2 ? "public" : "private" }
  }
}
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_internet_gateway" "igw" { vpc_id = aws_vpc.main.id }
resource "aws_subnet" "this" {
  for_each   = local.subnets
  vpc_id     = aws_vpc.main.id
  cidr_block = cidrsubnet("10.0.0.0/16", 8, each.value.index)
  tags       = { Tier = each.value.tier }
}
resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
}
resource "aws_route_table" "private" { vpc_id = aws_vpc.main.id }
resource "aws_route_table_association" "public" {
  for_each       = { for k, v in aws_subnet.this : k => v if v.tags.Tier == "public" }
  subnet_id      = each.value.id
  route_table_id = aws_route_table.public.id
}
resource "aws_route_table_association" "private" {
  for_each       = { for k, v in aws_subnet.this : k => v if v.tags.Tier == "private" }
  subnet_id      = each.value.id
  route_table_id = aws_route_table.private.id
}
resource "aws_security_group" "ssh" {
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_instance" "web" {
  for_each                    = aws_subnet.this
  ami                         = "ami-1"
  instance_type               = "t3.micro"
  subnet_id                   = each.value.id
  vpc_security_group_ids      = [aws_security_group.ssh.id]
  associate_public_ip_address = true
}
"""


def test_one_subnet_standing_for_many_may_have_any_table_associated_with_it(
    tmp_path: Path,
) -> None:
    # The zones are read when Terraform plans, so the subnets' keys are not known and one
    # subnet stands for all of them; the public and the private associations both name it.
    # Some of the instances sit in public subnets, some in private ones: open, one is
    # reachable through the public table, resting on that choice; closed, none is for certain.
    write(tmp_path, {"main.tf": ONE_SUBNET_FOR_MANY})
    model = build_model([tmp_path])
    (subnet,) = model.subnets.values()
    assert sorted(subnet.route_table_choices) == [
        "aws_route_table.private",
        "aws_route_table.public",
    ]
    opened = run_check([tmp_path], [], assume_unknown="open").findings
    admin = [f for f in opened if f.rule == "INTERNET-ADMIN-PORTS"]
    assert [(f.destination.address, f.path[1].address) for f in admin] == [
        ("aws_instance.web[*]", "aws_route_table.public")
    ]
    assert "the route table of aws_subnet.this[*]" in (admin[0].depends_on_unknown or [])
    assert not run_check([tmp_path], [], assume_unknown="closed").findings


def test_query_says_what_a_path_rests_on_and_what_closed_leaves_out(tmp_path: Path) -> None:
    from reachlint.commands.design.query import run_query
    from reachlint.commands.design.query_text import render_answer_text

    write(tmp_path, {"main.tf": ASG_IN_A_DECLARED_VPC})
    asked = {"protocol": "tcp", "port": "22"}
    target = "aws_autoscaling_group.web"
    question, opened = run_query([tmp_path], "internet", target, assume_unknown="open", **asked)
    (route,) = opened.paths
    assert opened.reachable
    assert route.depends_on_unknown == ["aws_autoscaling_group.web: vpc_zone_identifier"]
    assert opened.if_unknowns_allow is None
    text = render_answer_text(question, opened)
    assert "depends on unknown values: aws_autoscaling_group.web: vpc_zone_identifier" in text

    question, closed = run_query([tmp_path], "internet", target, assume_unknown="closed", **asked)
    assert not closed.reachable and not closed.paths
    assert [
        (r.destination.address, r.depends_on_unknown) for r in closed.if_unknowns_allow or []
    ] == [(target, ["aws_autoscaling_group.web: vpc_zone_identifier"])]
    text = render_answer_text(question, closed)
    assert text.startswith("Not reachable: internet -> aws_autoscaling_group.web on tcp 22\n")
    assert "Reachable if the values not known before apply allow it" in text


def test_query_closed_lists_nothing_more_when_nothing_rests_on_unknowns(tmp_path: Path) -> None:
    from reachlint.commands.design.query import run_query

    text = ASG_IN_A_DECLARED_VPC.replace(
        "  vpc_zone_identifier  = var.subnet_ids\n",
        "  vpc_zone_identifier  = [aws_subnet.public.id]\n",
    )
    write(tmp_path, {"main.tf": text})
    _, closed = run_query(
        [tmp_path], "internet", "aws_autoscaling_group.web", assume_unknown="closed", port="22"
    )
    assert closed.reachable
    assert [r.depends_on_unknown for r in closed.paths] == [None]
    assert closed.if_unknowns_allow == []


CLASSIC_ELB_WITHOUT_GROUPS = """resource "aws_default_vpc" "main" {}
resource "aws_elb" "web" {
  availability_zones = ["us-east-1a"]
  listener {
    instance_port     = 8080
    instance_protocol = "http"
    lb_port           = 8080
    lb_protocol       = "http"
  }
}
"""


def test_a_classic_load_balancer_without_groups_in_the_default_vpc_gets_default_elb(
    tmp_path: Path,
) -> None:
    # docs.aws.amazon.com/elasticloadbalancing/latest/classic/elb-vpc-security-groups.html: in
    # the default VPC it gets the account's default_elb group, made to allow the first load
    # balancer's ports and shared by later ones, so its rules are not known here. Before, it
    # took the VPC's default group and was never reachable.
    write(tmp_path, {"main.tf": CLASSIC_ELB_WITHOUT_GROUPS})
    (finding,) = run_check([tmp_path], [], assume_unknown="open").findings
    assert (finding.destination.address, finding.depends_on_unknown) == (
        "aws_elb.web",
        [
            "aws_default_vpc.main.default_elb",
            "aws_default_vpc.main.default_elb: security group not in the input",
        ],
    )
    assert not run_check([tmp_path], [], assume_unknown="closed").findings
    model = build_model([tmp_path])
    (interface,) = model.endpoints["aws_elb.web"].interfaces
    assert interface.security_groups == ["aws_default_vpc.main.default_elb"]


def test_groups_from_a_variable_without_value_name_what_they_rest_on(tmp_path: Path) -> None:
    text = """variable "groups" { type = list(string) }
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_instance" "web" {
  ami                    = "ami-1"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.a.id
  vpc_security_group_ids = var.groups
}
"""
    write(tmp_path, {"main.tf": text})
    model = build_model([tmp_path])
    assert [n.message for n in model.notes if n.address == "aws_instance.web"] == [
        "vpc_security_group_ids is not known (it rests on var.groups); its security group is "
        "unknown"
    ]


EDGE_ACL = """
variable "value" { type = string }
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_internet_gateway" "main" { vpc_id = aws_vpc.main.id }
resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main.id
  }
}
resource "aws_subnet" "public" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.0.1.0/24"
  map_public_ip_on_launch = true
}
resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}
resource "aws_network_acl" "edge" {
  vpc_id     = aws_vpc.main.id
  subnet_ids = [aws_subnet.public.id]
  ingress {
    rule_no    = 100
    action     = "ACTION"
    protocol   = PROTOCOL
    cidr_block = "0.0.0.0/0"
    from_port  = FROM
    to_port    = 22
  }
  ingress {
    rule_no    = 200
    action     = "ACTION_AFTER"
    protocol   = "-1"
    cidr_block = "0.0.0.0/0"
    from_port  = 0
    to_port    = 0
  }
  egress {
    rule_no    = 100
    action     = "allow"
    protocol   = "-1"
    cidr_block = "0.0.0.0/0"
    from_port  = 0
    to_port    = 0
  }
}
resource "aws_security_group" "ssh" {
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_instance" "bastion" {
  ami                    = "ami-1"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.public.id
  vpc_security_group_ids = [aws_security_group.ssh.id]
}
"""


@pytest.mark.parametrize(
    ("protocol", "from_port", "named"),
    [("var.value", "0", "protocol"), ('"tcp"', "var.value", "from_port (var.value)")],
)
@pytest.mark.parametrize("action", ["deny", "allow"])
def test_an_acl_entry_whose_protocol_or_ports_are_not_known_follows_assume_unknown(
    tmp_path: Path, protocol: str, from_port: str, named: str, action: str
) -> None:
    # Rule 100 names SSH, or not; rule 200 does the opposite for everything. Before, an
    # unknown protocol or port range matched everything: a deny hid SSH in both modes.
    after = "allow" if action == "deny" else "deny"
    text = EDGE_ACL.replace("ACTION_AFTER", after).replace("ACTION", action)
    write(tmp_path, {"main.tf": text.replace("PROTOCOL", protocol).replace("FROM", from_port)})
    name = f"aws_network_acl.edge ingress rule 100: {named}"
    for assume in ("open", "closed"):
        report = run_check([tmp_path], [], assume_unknown=assume)
        ssh = [f for f in report.findings if f.rule == "INTERNET-ADMIN-PORTS"]
        if assume == "open":  # the deny may miss SSH, the allow may admit it
            assert [(f.traffic[0].ports, f.depends_on_unknown) for f in ssh] == [
                ([(22, 22)], [name])
            ]
        else:
            assert not ssh
            # Replies of the bastion's own connections come in through the entry too: dropped
            # only because it is taken as closed, which the finding says.
            dropped = [f for f in report.findings if f.rule == "REPLY-DROPPED"]
            assert [(f.destination.address, f.depends_on_unknown) for f in dropped] == [
                ("internet", [name])
            ]


INTERNAL = """
resource "aws_subnet" "internal" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.2.0/24"
}
resource "aws_security_group" "internal" {
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["10.0.0.0/16"]
  }
}
resource "aws_instance" "internal" {
  ami                    = "ami-1"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.internal.id
  vpc_security_group_ids = [aws_security_group.internal.id]
}
"""


def test_replies_dropped_only_by_an_entry_taken_as_closed_name_it(tmp_path: Path) -> None:
    # The bastion's subnet denies, first, a protocol not known. Its connections to an
    # instance of the VPC get their replies back through that entry.
    text = EDGE_ACL.replace("ACTION_AFTER", "allow").replace("ACTION", "deny")
    text = text.replace("PROTOCOL", "var.value").replace("FROM", "0") + INTERNAL
    write(tmp_path, {"main.tf": text})
    name = "aws_network_acl.edge ingress rule 100: protocol"
    closed = run_check([tmp_path], [], assume_unknown="closed")
    dropped = {
        f.destination.address: f.depends_on_unknown
        for f in closed.findings
        if f.rule == "REPLY-DROPPED" and f.source.address == "aws_instance.bastion"
    }
    assert dropped == {"aws_instance.internal": [name], "internet": [name]}
    opened = run_check([tmp_path], [], assume_unknown="open")
    assert not [f for f in opened.findings if f.rule == "REPLY-DROPPED"]


# ----- Azure: an interface whose subnet the input does not hold --------------------------------


@pytest.mark.parametrize(
    ("subnet_id", "nsg_named"),
    [
        # A parameter without a value: the only VNet of the template holds some subnet of it.
        (
            "[parameters('subnetId')]",
            "the network security group of a subnet of Microsoft.Network/virtualNetworks/vnet "
            "rule inbound: its rules",
        ),
        # An existing subnet, named by its id: in its own VNet, outside the template.
        (
            "[resourceId('hub', 'Microsoft.Network/virtualNetworks/subnets', 'hub', 'shared')]",
            "the network security group of Microsoft.Network/virtualNetworks/hub/subnets/shared "
            "rule inbound: its rules",
        ),
    ],
)
def test_an_arm_interface_in_a_subnet_the_template_does_not_hold_is_reachable_when_open(
    tmp_path: Path, subnet_id: str, nsg_named: str
) -> None:
    # Every subnet has Azure's system route to the internet; what the template does not say is
    # the subnet's NSG. The VM's NSG admits SSH from the admins' range; its public IP is Basic.
    _, nic = public_nic()
    nic["properties"]["ipConfigurations"][0]["properties"]["subnet"] = {"id": subnet_id}
    parameters = {**PARAMETERS, "subnetId": {"type": "string"}}
    path = arm(tmp_path, parameters, [VNET, NSG, _, nic, VM])
    opened = run_check([path], [], assume_unknown="open")
    (admin,) = [f for f in opened.findings if f.rule == "INTERNET-ADMIN-PORTS"]
    assert nsg_named in (admin.depends_on_unknown or [])
    assert "parameters('adminRange')" in (admin.depends_on_unknown or [])
    assert not run_check([path], [], assume_unknown="closed").findings


@pytest.mark.parametrize(
    ("subnet_id", "nsg_named"),
    [
        (
            "var.subnet_id",
            "the network security group of a subnet of unknown-vnet rule inbound: its rules",
        ),
        (
            '"/subscriptions/0/resourceGroups/hub/providers/Microsoft.Network/virtualNetworks/'
            'hub/subnets/shared"',
            "the network security group of /subscriptions/0/resourceGroups/hub/providers/"
            "Microsoft.Network/virtualNetworks/hub/subnets/shared rule inbound: its rules",
        ),
    ],
)
def test_an_azurerm_interface_in_a_subnet_the_input_does_not_hold_is_reachable_when_open(
    tmp_path: Path, subnet_id: str, nsg_named: str
) -> None:
    write(
        tmp_path,
        {
            "main.tf": f"""
variable "subnet_id" {{ type = string }}
resource "azurerm_public_ip" "pip" {{
  name                = "pip"
  location            = "westeurope"
  resource_group_name = "rg"
  allocation_method   = "Static"
  sku                 = "Basic"
}}
resource "azurerm_network_interface" "nic" {{
  name                = "nic"
  location            = "westeurope"
  resource_group_name = "rg"
  ip_configuration {{
    name                          = "ipc"
    subnet_id                     = {subnet_id}
    private_ip_address_allocation = "Dynamic"
    public_ip_address_id          = azurerm_public_ip.pip.id
  }}
}}
resource "azurerm_linux_virtual_machine" "vm" {{
  name                  = "vm"
  location              = "westeurope"
  resource_group_name   = "rg"
  size                  = "Standard_B1s"
  admin_username        = "a"
  network_interface_ids = [azurerm_network_interface.nic.id]
}}
"""
        },
    )
    opened = run_check([tmp_path], [], assume_unknown="open")
    ssh = [f for f in opened.findings if f.rule == "INTERNET-ADMIN-PORTS"]
    assert [nsg_named in (f.depends_on_unknown or []) for f in ssh] == [True]
    assert not run_check([tmp_path], [], assume_unknown="closed").findings


def test_an_arm_load_balancer_reaches_backends_whose_subnet_is_not_known_when_open(
    tmp_path: Path,
) -> None:
    # fixtures/azure/lb-standard-backends with the VMs' subnet a parameter without value. The
    # public frontend belongs to its backends' network; before, the backends were placed only
    # after the load balancer was read, so it belonged to none and the internet reached
    # nothing through it: not even open mode reported the three VMs.
    fixture = REPO / "fixtures/azure/lb-standard-backends"
    document = json.loads((fixture / "azuredeploy.json").read_text())
    document["parameters"]["vmSubnetId"] = {"type": "string"}
    for resource in document["resources"]:
        if resource["type"] == "Microsoft.Network/networkInterfaces":
            for config in resource["properties"]["ipConfigurations"]:
                config["properties"]["subnet"] = {"id": "[parameters('vmSubnetId')]"}
    path = tmp_path / "azuredeploy.json"
    path.write_text(json.dumps(document))
    rules = [fixture / "rules.yaml"]
    subnet_nsg = (
        "the network security group of a subnet of "
        "Microsoft.Network/virtualNetworks/{projectName}-vnet rule inbound: its rules"
    )
    opened = run_check([path], rules, assume_unknown="open")
    through = {
        f.destination.address: (traffic_text(f.traffic), subnet_nsg in (f.depends_on_unknown or []))
        for f in opened.findings
        if f.rule == "FROM-INTERNET"
        and any(h.address == "Microsoft.Network/loadBalancers/{projectName}-lb" for h in f.path)
    }
    assert through == {
        f"Microsoft.Compute/virtualMachines/{{projectName}}-vm{n}": ("tcp 80", True)
        for n in (1, 2, 3)
    }
    closed = run_check([path], rules, assume_unknown="closed")
    assert not [f for f in closed.findings if "virtualMachines" in f.destination.address]


def test_an_azurerm_load_balancer_reaches_backends_whose_subnet_is_not_known_when_open(
    tmp_path: Path,
) -> None:
    # The azurerm counterpart: the backend's NIC sits in a subnet given by a variable without
    # value; the load balancer forwards SSH to it and the NIC's NSG admits SSH from the internet.
    write(
        tmp_path,
        {
            "main.tf": """
variable "subnet_id" { type = string }
resource "azurerm_virtual_network" "net" {
  name                = "net"
  location            = "westeurope"
  resource_group_name = "rg"
  address_space       = ["10.0.0.0/16"]
}
resource "azurerm_public_ip" "lb" {
  name                = "lb"
  location            = "westeurope"
  resource_group_name = "rg"
  allocation_method   = "Static"
  sku                 = "Standard"
}
resource "azurerm_lb" "lb" {
  name                = "lb"
  location            = "westeurope"
  resource_group_name = "rg"
  sku                 = "Standard"
  frontend_ip_configuration {
    name                 = "front"
    public_ip_address_id = azurerm_public_ip.lb.id
  }
}
resource "azurerm_lb_backend_address_pool" "pool" {
  name            = "pool"
  loadbalancer_id = azurerm_lb.lb.id
}
resource "azurerm_lb_rule" "ssh" {
  name                           = "ssh"
  loadbalancer_id                = azurerm_lb.lb.id
  protocol                       = "Tcp"
  frontend_port                  = 22
  backend_port                   = 22
  frontend_ip_configuration_name = "front"
  backend_address_pool_ids       = [azurerm_lb_backend_address_pool.pool.id]
}
resource "azurerm_network_security_group" "ssh" {
  name                = "ssh"
  location            = "westeurope"
  resource_group_name = "rg"
  security_rule {
    name                       = "ssh"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "22"
    source_address_prefix      = "Internet"
    destination_address_prefix = "*"
  }
}
resource "azurerm_network_interface" "nic" {
  name                = "nic"
  location            = "westeurope"
  resource_group_name = "rg"
  ip_configuration {
    name                          = "ipc"
    subnet_id                     = var.subnet_id
    private_ip_address_allocation = "Dynamic"
  }
}
resource "azurerm_network_interface_security_group_association" "ssh" {
  network_interface_id      = azurerm_network_interface.nic.id
  network_security_group_id = azurerm_network_security_group.ssh.id
}
resource "azurerm_network_interface_backend_address_pool_association" "pool" {
  network_interface_id    = azurerm_network_interface.nic.id
  ip_configuration_name   = "ipc"
  backend_address_pool_id = azurerm_lb_backend_address_pool.pool.id
}
resource "azurerm_linux_virtual_machine" "vm" {
  name                  = "vm"
  location              = "westeurope"
  resource_group_name   = "rg"
  size                  = "Standard_B1s"
  admin_username        = "a"
  network_interface_ids = [azurerm_network_interface.nic.id]
}
"""
        },
    )
    subnet_nsg = (
        "the network security group of a subnet of azurerm_virtual_network.net rule inbound: "
        "its rules"
    )
    opened = run_check([tmp_path], [], assume_unknown="open")
    ssh = [
        (f.destination.address, any(h.address == "azurerm_lb.lb" for h in f.path))
        for f in opened.findings
        if f.rule == "INTERNET-ADMIN-PORTS" and subnet_nsg in (f.depends_on_unknown or [])
    ]
    assert ssh == [("azurerm_linux_virtual_machine.vm", True)]
    assert not run_check([tmp_path], [], assume_unknown="closed").findings


# ----- a plan without its configuration -----------------------------------------------------


def test_without_the_configuration_a_value_known_after_apply_is_unknown_not_unwritten(
    tmp_path: Path,
) -> None:
    # fixtures/aws/facts/source-range-per-port, its plan trimmed of the configuration section:
    # subnet_id and vpc_security_group_ids are known after apply. Whether they are written (as
    # references) or left to the provider (a default subnet and group) is not known, so they
    # are unknown values; before, they read as not written, in the default VPC's subnet.
    document = json.loads((REPO / "fixtures/aws/facts/source-range-per-port/plan.json").read_text())
    del document["configuration"]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document))
    model = build_model([path])
    (interface,) = model.endpoints["aws_instance.node"].interfaces
    assert (interface.network, interface.subnet, interface.subnet_unknown) == (
        "aws_vpc.main",
        None,
        True,
    )
    assert not any("no subnet_id" in note.message for note in model.notes)


def test_a_route_whose_gateway_is_known_after_apply_leads_to_one_its_field_may_name(
    tmp_path: Path,
) -> None:
    # fixtures/aws/unknown/route-target-after-apply-plan, the plan alone: the route to
    # 0.0.0.0/0 comes from a dynamic block, so nothing says which gateway gateway_id names.
    # The VPC's internet gateway is one it may name: open, SSH reaches the bastion and the
    # finding says what it rests on; closed, nothing does. Before, the route led nowhere.
    fixture = REPO / "fixtures/aws/unknown/route-target-after-apply-plan/plan.json"
    path = tmp_path / "plan.json"
    path.write_text(fixture.read_text())
    opened = run_check([path], [], assume_unknown="open")
    assert [(f.rule, f.destination.address, f.depends_on_unknown) for f in opened.findings] == [
        (
            "INTERNET-ADMIN-PORTS",
            "aws_instance.bastion",
            ["aws_route_table.public: route.0.gateway_id"],
        )
    ]
    assert not run_check([path], [], assume_unknown="closed").findings


def test_a_route_whose_gateway_is_not_known_keeps_its_destination(tmp_path: Path) -> None:
    # The same plan with the dynamic route to 10.99.0.0/16: whatever gateway_id names, the
    # route covers that range only, so the internet does not come back through it.
    fixture = REPO / "fixtures/aws/unknown/route-target-after-apply-plan/plan.json"
    path = tmp_path / "plan.json"
    path.write_text(fixture.read_text().replace('"0.0.0.0/0"', '"10.99.0.0/16"'))
    assert not run_check([path], [], assume_unknown="open").findings
    # The fixture's own route names its destination and the gateway it may lead to.
    (tmp_path / "plan.json").write_text(fixture.read_text())
    (finding,) = run_check([path], [], assume_unknown="open").findings
    routes = [hop.detail for hop in finding.path if hop.kind == "route"]
    assert routes == ["aws_route_table.public sends 0.0.0.0/0 to aws_internet_gateway.main"]


@pytest.mark.parametrize("written", ["300", '"eight"'])
def test_an_icmp_type_aws_refuses_is_not_known(tmp_path: Path, written: str) -> None:
    # fixtures/aws/facts/icmp-messages with the ACL's deny naming type 300 (or no number): AWS
    # refuses it, so what the entry denies is not known; it follows --assume-unknown, named.
    fixture = REPO / "fixtures/aws/facts/icmp-messages"
    text = (fixture / "main.tf").read_text()
    assert "icmp_type      = 8" in text
    write(tmp_path, {"main.tf": text.replace("icmp_type      = 8", f"icmp_type      = {written}")})
    rules = [fixture / "rules.yaml"]
    opened = run_check([tmp_path], rules, builtin=False, assume_unknown="open")
    echo = [f for f in opened.findings if f.destination.address == "aws_instance.echo"]
    assert [f.depends_on_unknown for f in echo] == [
        ["aws_network_acl_rule.no_echo_requests ingress rule 100: icmp_type"]
    ]
    closed = run_check([tmp_path], rules, builtin=False, assume_unknown="closed")
    assert "aws_instance.echo" not in {f.destination.address for f in closed.findings}


def test_an_inline_acl_entry_without_icmp_type_and_code_takes_the_providers_zeros(
    tmp_path: Path,
) -> None:
    # aws_network_acl's own entries: icmp_type and icmp_code default to 0, type 0 code 0 (echo
    # replies). fixtures/aws/facts/icmp-messages with the probe ACL's two lines left out.
    fixture = REPO / "fixtures/aws/facts/icmp-messages"
    text = (fixture / "main.tf").read_text()
    unwritten = text.replace("    icmp_type  = 8\n    icmp_code  = -1\n", "")
    assert unwritten != text
    write(tmp_path, {"main.tf": unwritten})
    report = run_check([tmp_path], [fixture / "rules.yaml"], builtin=False)
    reached = {f.destination.address: traffic_text(f.traffic) for f in report.findings}
    assert reached == {
        "aws_instance.echo": "icmp types 0-7, types 9-255",
        "aws_instance.zeros": "icmp type 0 code 0",
    }


@pytest.mark.parametrize(
    ("fixture", "variable", "value", "reached"),
    [
        ("route-table-by-condition", "public", "true", "aws_instance.app"),
        ("route-table-by-condition", "public", "false", None),
        ("network-acl-by-condition", "locked", "true", None),
        ("network-acl-by-condition", "locked", "false", "aws_instance.web"),
        ("rule-ports-variable", "port", "22", "aws_instance.web"),
        ("rule-ports-variable", "port", "443", None),
    ],
)
def test_a_value_given_decides_what_its_unknown_twin_leaves_open(
    fixture: str, variable: str, value: str, reached: str | None
) -> None:
    # fixtures/aws/unknown/<fixture> with the variable given: its README derives each; not
    # given, its expected-open.yaml and expected-closed.yaml.
    given = REPO / "fixtures/aws/unknown" / fixture
    report = run_check([given], [], options=LoadOptions(variables={variable: value}))
    found = [(f.rule, f.destination.address, f.depends_on_unknown) for f in report.findings]
    assert found == ([("INTERNET-ADMIN-PORTS", reached, None)] if reached else [])


@pytest.mark.parametrize(
    ("port", "reached"),
    [("443", ["aws_instance.app"]), ("22", ["aws_instance.app", "aws_lb.front"])],
)
def test_a_listener_port_given_is_that_port(port: str, reached: list[str]) -> None:
    # fixtures/aws/unknown/listener-port-variable with the variable given (its README).
    fixture = REPO / "fixtures/aws/unknown/listener-port-variable"
    report = run_check([fixture], [], options=LoadOptions(variables={"port": port}))
    found = [(f.rule, f.destination.address, f.depends_on_unknown) for f in report.findings]
    assert found == [("INTERNET-ADMIN-PORTS", address, None) for address in reached]


def test_an_arm_balancing_rule_whose_frontend_port_is_not_known_listens_on_any_when_open(
    tmp_path: Path,
) -> None:
    # fixtures/azure/lb-standard-backends with the rule's frontendPort a parameter without
    # value: tcp 80 still reaches the VMs through it when open, resting on that port; when
    # closed the rule hears nothing. Before, the rule was skipped: nothing even when open.
    fixture = REPO / "fixtures/azure/lb-standard-backends"
    document = json.loads((fixture / "azuredeploy.json").read_text())
    document["parameters"]["httpPort"] = {"type": "int"}
    text = json.dumps(document).replace(
        '"frontendPort": 80', '"frontendPort": "[parameters(\'httpPort\')]"'
    )
    template = tmp_path / "azuredeploy.json"
    template.write_text(text)
    parameters = "azuredeploy.parameters.json"
    (tmp_path / parameters).write_text((fixture / parameters).read_text())
    rule = "Microsoft.Network/loadBalancers/GEN-UNIQUE-8-lb/loadBalancingRules/myHTTPRule"
    for mode, expected in (("open", [f"{rule}: frontendPort"]), ("closed", None)):
        report = run_check([template], [fixture / "rules.yaml"], builtin=False, assume_unknown=mode)
        through = [
            f.depends_on_unknown
            for f in report.findings
            if f.destination.address.endswith("-vm1") and f.source.address == "internet"
        ]
        assert through == ([expected] if expected else []), mode


def test_the_hop_of_an_nsg_not_known_makes_up_no_rule() -> None:
    # fixtures/azure/nic-nsg-not-known: the NIC's NSG is chosen by a parameter without value;
    # the rule that stands for its rules has no name or priority of its own to show.
    fixture = REPO / "fixtures/azure/nic-nsg-not-known/azuredeploy.json"
    report = run_check([fixture], [])
    details = {
        hop.detail
        for finding in report.findings
        for hop in finding.path
        if hop.address.startswith("the network security group of")
    }
    assert details == {
        "the network security group of Microsoft.Network/networkInterfaces/nic (network "
        "interface): its rules are not known; may allow inbound all"
    }


def test_a_launch_flag_or_route_target_not_known_is_named_by_what_it_rests_on(
    tmp_path: Path,
) -> None:
    # `map_public_ip_on_launch = var.public`, `gateway_id = var.gateway` without a value are not
    # something only the apply sets: the notes name the variable a reviewer can give.
    write(
        tmp_path,
        {
            "main.tf": 'variable "public" {\n  type = bool\n}\n'
            'variable "gateway" {\n  type = string\n}\n'
            'resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n'
            'resource "aws_subnet" "a" {\n  vpc_id = aws_vpc.main.id\n'
            '  cidr_block = "10.0.1.0/24"\n  map_public_ip_on_launch = var.public\n}\n'
            'resource "aws_route_table" "rt" {\n  vpc_id = aws_vpc.main.id\n}\n'
            'resource "aws_route" "out" {\n  route_table_id = aws_route_table.rt.id\n'
            '  destination_cidr_block = "0.0.0.0/0"\n  gateway_id = var.gateway\n}\n'
        },
    )
    model = build_model([tmp_path], None, None)
    assert [n.message for n in model.notes if n.address in ("aws_subnet.a", "aws_route.out")] == [
        "map_public_ip_on_launch is not known (it rests on var.public)",
        "gateway_id is not known (it rests on var.gateway)",
    ]
