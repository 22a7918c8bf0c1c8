"""Template expansion: loops, conditions, nested deployments, parameters, both dialects, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from arm_helpers import DATA, expand, template_document, write_template

from reachlint.dialects.arm import load_arm_template, looks_like_arm, read_parameters_file
from reachlint.errors import InputError
from reachlint.formats.arm.evaluator import Scope, evaluate
from reachlint.formats.arm.resource_ids import address_from_id, address_of
from reachlint.formats.arm.values import Unknown

VNET = "Microsoft.Network/virtualNetworks"
NSG = "Microsoft.Network/networkSecurityGroups"


def test_looks_like_arm() -> None:
    schema = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
    assert looks_like_arm({"$schema": schema, "resources": []})
    assert looks_like_arm({"resources": [], "contentVersion": "1.0.0.0"})
    parameters = "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#"
    assert not looks_like_arm({"$schema": parameters, "parameters": {}})
    assert not looks_like_arm({"format_version": "1.2", "resource_changes": []})
    assert not looks_like_arm([])


def test_resource_ids_and_addresses_meet() -> None:
    subnet_id = (
        "/subscriptions/1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/hub"
        "/subnets/web"
    )
    expected = "Microsoft.Network/virtualNetworks/hub/subnets/web"
    assert address_from_id(subnet_id) == expected
    assert address_of("Microsoft.Network/virtualNetworks/subnets", "hub/web") == expected
    assert address_from_id("not-an-id") is None


def test_an_id_in_a_group_the_input_deploys_to_apart_names_that_group() -> None:
    nsg = "/providers/Microsoft.Network/networkSecurityGroups/nsg"
    # A nested deployment's group: its resources have the group in front.
    assert address_from_id(f"/subscriptions/1/resourceGroups/RG2{nsg}", {"rg2"}) == (
        "resourceGroups/RG2/Microsoft.Network/networkSecurityGroups/nsg"
    )
    # Any other group is taken as the deployment's own, which a template may name by name.
    assert address_from_id(f"/subscriptions/1/resourceGroups/rg{nsg}", {"rg2"}) == (
        "Microsoft.Network/networkSecurityGroups/nsg"
    )


def test_resource_property_and_variable_copy_loops() -> None:
    model = load_arm_template(DATA / "loops.json")
    subnets = {a.rsplit("/", 1)[-1]: s.cidrs for a, s in model.subnets.items()}
    assert subnets == {"s0": ["10.1.0.0/24"], "s1": ["10.1.1.0/24"], "s2": ["10.1.2.0/24"]}
    rules = model.network_security_groups[f"{NSG}/rules-by-loop"].rules
    own = [(r.name, r.priority, r.destination_ports) for r in rules if not r.is_default]
    assert [(name, priority) for name, priority, _ in own] == [("http", 100), ("https", 101)]
    assert own[1][2] is not None and own[1][2][0].low == 443
    _, deployment = expand(json.loads((DATA / "loops.json").read_text()))
    addresses = [r.address for r in deployment.resources if "publicIP" in r.type]
    assert addresses == [
        "Microsoft.Network/publicIPAddresses/pip-1",
        "Microsoft.Network/publicIPAddresses/pip-2",
    ]


def test_conditions_decide_what_is_deployed() -> None:
    model = load_arm_template(DATA / "loops.json")
    assert f"{VNET}/extra" not in model.networks
    assert f"{NSG}/kept" in model.network_security_groups
    flipped = load_arm_template(DATA / "loops.json", parameter_values={"deployExtra": True})
    assert f"{VNET}/extra" in flipped.networks
    assert f"{NSG}/kept" not in flipped.network_security_groups


def test_nested_deployments_inner_and_outer_scope() -> None:
    model = load_arm_template(DATA / "nested.json")
    assert model.networks[f"{VNET}/inner-vnet"].cidrs == ["10.20.0.0/16"]  # the inner variable
    assert model.networks[f"{VNET}/outer-vnet"].cidrs == ["10.30.0.0/16"]  # the parent's parameter
    peering = model.peerings[f"{VNET}/outer-vnet/virtualNetworkPeerings/to-inner"]
    assert peering.accepter == f"{VNET}/inner-vnet"  # through the nested deployment's output
    assert not peering.active  # no peering back
    assert any("templateLink" in n.message and n.address.endswith("/linked") for n in model.notes)


def test_an_inner_scope_does_not_see_the_parents_variables(tmp_path: Path) -> None:
    inner = template_document(
        resources=[{"type": VNET, "apiVersion": "2023-09-01", "name": "[variables('outer')]"}]
    )
    document = template_document(
        variables={"outer": "x"},
        resources=[
            {
                "type": "Microsoft.Resources/deployments",
                "apiVersion": "2022-09-01",
                "name": "n",
                "properties": {
                    "expressionEvaluationOptions": {"scope": "inner"},
                    "template": inner,
                },
            }
        ],
    )
    with pytest.raises(InputError, match="variable 'outer' is not declared"):
        load_arm_template(write_template(tmp_path, document))


def test_parameters_file_beside_the_template_wins_over_defaults(tmp_path: Path) -> None:
    model = load_arm_template(DATA / "params.json")
    network = model.networks[f"{VNET}/from-file"]
    assert network.cidrs == ["10.0.0.0/16"]  # not in the file: the default
    assert str(DATA / "params.parameters.json") in model.inputs


def test_a_given_parameters_file_and_command_line_values_take_precedence() -> None:
    model = load_arm_template(DATA / "params.json", DATA / "other.parameters.json")
    assert set(model.networks) == {f"{VNET}/from-other-file"}
    assert model.networks[f"{VNET}/from-other-file"].cidrs == ["10.9.0.0/16"]
    model = load_arm_template(
        DATA / "params.json",
        DATA / "other.parameters.json",
        parameter_values={"vnetName": "from-command-line"},
    )
    assert set(model.networks) == {f"{VNET}/from-command-line"}


def test_a_key_vault_reference_is_unknown() -> None:
    supplied = read_parameters_file(DATA / "params.parameters.json")
    assert supplied["vnetName"]() == "from-file"
    assert isinstance(supplied["secretTag"](), Unknown)


def test_a_parameters_file_naming_an_undeclared_parameter_is_an_input_error(
    tmp_path: Path,
) -> None:
    shutil.copy(DATA / "params.json", tmp_path / "t.json")
    (tmp_path / "t.parameters.json").write_text('{"parameters": {"nope": {"value": 1}}}')
    with pytest.raises(InputError, match="parameter 'nope', which is not declared"):
        load_arm_template(tmp_path / "t.json")


def test_a_parameter_without_value_or_default_is_a_named_unknown_not_an_error() -> None:
    # A design review runs without the pipeline's parameters: the range is an unknown value.
    model = load_arm_template(DATA / "missing-parameter.json")
    network = model.networks[f"{VNET}/needs-a-prefix"]
    assert network.cidrs == []
    assert [(r.sources, r.exactly) for r in network.unknown_ranges] == [
        (("parameters('vnetPrefix')",), "parameters('vnetPrefix')")
    ]
    (note,) = [n for n in model.notes if "without a value" in n.message]
    # adminPassword has no value either, but a secret never shapes the network.
    assert note.message.startswith("1 parameter(s) used without a value or a default: vnetPrefix;")
    assert (note.origin.file, note.origin.line) == (str(DATA / "missing-parameter.json"), 5)
    given = load_arm_template(
        DATA / "missing-parameter.json", parameter_values={"vnetPrefix": "10.0.0.0/8"}
    )
    assert given.networks[f"{VNET}/needs-a-prefix"].cidrs == ["10.0.0.0/8"]
    assert not [n for n in given.notes if "without a value" in n.message]


def test_an_expression_syntax_error_names_expression_file_and_line() -> None:
    with pytest.raises(InputError) as raised:
        load_arm_template(DATA / "bad-expression.json")
    error = raised.value
    assert error.file == str(DATA / "bad-expression.json") and error.line == 11
    assert "invalid template expression \"[concat(parameters('prefix') 'store')]\"" in error.message
    assert "expected ')'" in error.message


def test_an_undeclared_parameter_anywhere_is_an_input_error(tmp_path: Path) -> None:
    document = template_document(
        resources=[
            {
                "type": "Microsoft.Storage/storageAccounts",
                "apiVersion": "2023-01-01",
                "name": "store",
                "properties": {"note": "[parameters('nowhere')]"},
            }
        ]
    )
    with pytest.raises(InputError, match="parameter 'nowhere' is not declared"):
        load_arm_template(write_template(tmp_path, document))


def test_comments_are_accepted() -> None:
    model = load_arm_template(DATA / "comments.json")
    assert model.networks[f"{VNET}/commented-vnet"].origin.line == 8


def test_child_resources_nested_and_top_level(tmp_path: Path) -> None:
    document = template_document(
        resources=[
            {
                "type": VNET,
                "apiVersion": "2023-09-01",
                "name": "parent",
                "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}},
                "resources": [
                    {
                        "type": "subnets",
                        "apiVersion": "2023-09-01",
                        "name": "nested",
                        "properties": {"addressPrefix": "10.0.1.0/24"},
                    }
                ],
            },
            {
                "type": f"{VNET}/subnets",
                "apiVersion": "2023-09-01",
                "name": "parent/top",
                "properties": {"addressPrefix": "10.0.2.0/24"},
            },
        ]
    )
    model = load_arm_template(write_template(tmp_path, document))
    assert set(model.subnets) == {f"{VNET}/parent/subnets/nested", f"{VNET}/parent/subnets/top"}
    assert {s.network for s in model.subnets.values()} == {f"{VNET}/parent"}


def test_a_name_with_the_wrong_number_of_segments_is_an_input_error(tmp_path: Path) -> None:
    document = template_document(
        resources=[{"type": f"{VNET}/subnets", "apiVersion": "2023-09-01", "name": "lonely"}]
    )
    with pytest.raises(InputError, match="needs 2"):
        load_arm_template(write_template(tmp_path, document))


def test_symbolic_names_existing_resources_and_reference() -> None:
    model = load_arm_template(DATA / "symbolic.json")
    assert f"{VNET}/shared-vnet" not in model.networks  # existing: read, not deployed
    subnet = model.subnets[f"{VNET}/shared-vnet/subnets/apps"]
    assert subnet.network == f"{VNET}/shared-vnet"
    nic = model.endpoints["Microsoft.Network/networkInterfaces/lonely-nic"]
    assert nic.kind == "network-interface" and nic.tags == {"Role": "probe"}
    assert nic.interfaces[0].private_ips == ["10.40.1.5"]
    assert nic.interfaces[0].subnet == subnet.address
    document = json.loads((DATA / "symbolic.json").read_text())
    template, _ = expand(document)
    output = document["outputs"]["nicAddress"]["value"]
    assert evaluate(output, Scope(template)) == "10.40.1.5"
    existing = evaluate("[reference('sharedVnet').addressSpace]", Scope(template))
    assert isinstance(existing, Unknown)


def test_reference_reads_what_the_template_sets_and_nothing_more() -> None:
    template, _ = expand(
        template_document(
            resources=[
                {
                    "type": VNET,
                    "apiVersion": "2023-09-01",
                    "name": "v",
                    "properties": {
                        "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                        "subnets": [{"name": "s", "properties": {"addressPrefix": "10.0.1.0/24"}}],
                    },
                },
                {
                    "type": "Microsoft.Network/networkInterfaces",
                    "apiVersion": "2023-09-01",
                    "name": "n",
                    "properties": {
                        "ipConfigurations": [
                            {"name": "ip", "properties": {"privateIPAllocationMethod": "Dynamic"}}
                        ]
                    },
                },
            ]
        )
    )
    scope = Scope(template)
    vnet = "reference(resourceId('Microsoft.Network/virtualNetworks', 'v'))"
    assert evaluate(f"[{vnet}.addressSpace.addressPrefixes[0]]", scope) == "10.0.0.0/16"
    assert evaluate(f"[{vnet}.subnets[0].id]", scope).endswith("/virtualNetworks/v/subnets/s")
    assert isinstance(evaluate(f"[{vnet}.provisioningState]", scope), Unknown)
    nic = "reference(resourceId('Microsoft.Network/networkInterfaces', 'n'))"
    address = f"[{nic}.ipConfigurations[0].properties.privateIPAddress]"
    assert isinstance(evaluate(address, scope), Unknown)  # dynamic: assigned at deployment


def test_a_next_hop_known_only_at_deployment_is_noted_once(tmp_path: Path) -> None:
    network = "Microsoft.Network"
    nva = f"resourceId('{network}/networkInterfaces', 'nva')"
    document = template_document(
        resources=[
            {
                "type": f"{network}/virtualNetworks",
                "apiVersion": "2023-09-01",
                "name": "vnet",
                "properties": {
                    "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                    "subnets": [
                        {
                            "name": "app",
                            "properties": {
                                "addressPrefix": "10.0.1.0/24",
                                "routeTable": {
                                    "id": f"[resourceId('{network}/routeTables', 'rt')]"
                                },
                            },
                        }
                    ],
                },
            },
            {
                "type": f"{network}/routeTables",
                "apiVersion": "2023-09-01",
                "name": "rt",
                "properties": {
                    "routes": [
                        {
                            "name": "via-nva",
                            "properties": {
                                "addressPrefix": "0.0.0.0/0",
                                "nextHopType": "VirtualAppliance",
                                "nextHopIpAddress": f"[reference({nva}).ipConfigurations[0]"
                                ".properties.privateIPAddress]",
                            },
                        }
                    ]
                },
            },
        ]
    )
    model = load_arm_template(write_template(tmp_path, document))
    hop_notes = [n for n in model.notes if "via-nva nextHopIpAddress" in n.message]
    assert len(hop_notes) == 1


def test_a_resource_group_name_with_a_slash_is_refused(tmp_path: Path) -> None:
    # Azure's group names hold no '/'; in an address one would read as a path of types.
    nested = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [],
    }
    template = {
        "$schema": "https://schema.management.azure.com/schemas/2018-05-01/"
        "subscriptionDeploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [
            {
                "type": "Microsoft.Resources/deployments",
                "apiVersion": "2021-04-01",
                "name": "m",
                "resourceGroup": "a/subnets/b",
                "properties": {
                    "mode": "Incremental",
                    "expressionEvaluationOptions": {"scope": "inner"},
                    "template": nested,
                },
            }
        ],
    }
    path = tmp_path / "azuredeploy.json"
    path.write_text(json.dumps(template))
    with pytest.raises(InputError, match="not a resource group name"):
        load_arm_template(path)


def test_a_rule_field_resting_on_a_parameter_is_noted_once_with_the_reason(
    tmp_path: Path,
) -> None:
    decided_later = "[if(parameters('openSsh'), 'Allow', 'Deny')]"
    rule = {
        "name": "ssh",
        "properties": {
            "priority": "[parameters('priority')]",
            "direction": "Inbound",
            "access": decided_later,
            "protocol": "[parameters('protocol')]",
            "sourceAddressPrefix": "*",
            "sourcePortRange": "*",
            "destinationAddressPrefix": "*",
            "destinationPortRange": "22",
        },
    }
    document = template_document(
        parameters={
            "openSsh": {"type": "bool"},
            "priority": {"type": "int"},
            "protocol": {"type": "string"},
        },
        resources=[
            {
                "type": NSG,
                "apiVersion": "2023-09-01",
                "name": "nsg",
                "properties": {"securityRules": [rule]},
            }
        ],
    )
    model = load_arm_template(write_template(tmp_path, document))
    (loaded,) = model.network_security_groups[f"{NSG}/nsg"].rules[:1]
    assert loaded.unknown_parts == ["priority", "access", "rule"]
    for field, parameter in (
        ("priority", "priority"),
        ("access", "openSsh"),
        ("protocol", "protocol"),
    ):
        notes = [n.message for n in model.notes if f"rule ssh {field}" in n.message]
        assert notes == [
            f"security rule ssh {field} is unknown: parameter '{parameter}' has no value"
        ]
