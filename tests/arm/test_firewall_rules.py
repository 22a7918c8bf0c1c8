"""Azure Firewall rules from ARM: order, IP groups, and the unknowns they leave."""

from __future__ import annotations

import json
from pathlib import Path

from arm_helpers import FIXTURES

from reachlint.commands.check import run_check
from reachlint.dialects.arm import load_arm_template
from reachlint.model.network import PortRange

FW_DOCS = FIXTURES / "firewall-dnat-fqdn"


def test_policy_rules_in_firewall_order_with_ip_groups_resolved() -> None:
    model = load_arm_template(FIXTURES / "firewall-policy-ipgroups" / "template.json")
    (firewall,) = [g for g in model.gateways.values() if g.kind == "firewall"]
    assert firewall.policy is not None
    rules = firewall.policy.rules
    assert [(r.kind, r.name) for r in rules] == [
        ("network", "time-windows"),
        ("application", "winupdate-rule-01"),
        ("application", "global-rule-01"),
    ]
    network = rules[0]
    assert sorted(network.sources.cidrs) == [
        "10.20.0.0/24", "10.30.0.0/24", "10.40.0.0/24", "10.50.0.0/24",
    ]  # fmt: skip
    assert network.protocols == ["udp"] and network.destinations.cidrs == ["13.86.101.172/32"]
    assert network.destination_ports == [PortRange(low=123, high=123)]
    assert rules[1].undecidable == "FQDN tags WindowsUpdate"
    assert rules[2].undecidable == "FQDN targets www.microsoft.com"
    assert rules[2].destination_ports == [PortRange(low=443, high=443)]
    assert rules[2].address.endswith("/ruleCollectionGroups/DefaultApplicationRuleCollectionGroup")


def test_classic_dnat_rules_are_read() -> None:
    model = load_arm_template(FW_DOCS / "template.json")
    policy = model.gateways["Microsoft.Network/azureFirewalls/FW-01"].policy
    assert policy is not None
    assert [(d.name, d.translated_address, d.translated_port) for d in policy.dnat] == [
        ("rdp-01", "10.0.1.4", 3389),
        ("rdp-02", "10.0.1.5", 3389),
    ]
    assert all(r.kind == "application" and r.undecidable for r in policy.rules)


def test_findings_through_fqdn_rules_name_them_and_closed_drops_them() -> None:
    rules = [FW_DOCS / "rules.yaml"]
    opened = run_check([FW_DOCS / "template.json"], rules, builtin=False, assume_unknown="open")
    egress = [f for f in opened.findings if f.rule == "VM-EGRESS"]
    assert len(egress) == 2
    collection = "Microsoft.Network/azureFirewalls/FW-01/applicationRuleCollections/web"
    for finding in egress:
        assert (
            f"{collection}: application rule wan-address (FQDN targets getmywanip.com)"
            in finding.depends_on_unknown
        )
    inbound = [f for f in opened.findings if f.rule == "INTERNET-TO-VMS"]
    assert all(
        any("which endpoint gets 10.0.1.4" in u for u in f.depends_on_unknown) for f in inbound
    )
    closed = run_check([FW_DOCS / "template.json"], rules, builtin=False, assume_unknown="closed")
    assert closed.findings == []


def test_azurerm_classic_collections_network_before_application() -> None:
    from reachlint.inputs.load import build_model

    directory = FIXTURES.parent / "azurerm" / "firewall-classic" / "config"
    model = build_model([directory])
    policy = model.gateways["azurerm_firewall.azufw"].policy
    assert policy is not None
    # testcollection (network, priority 200) is read before appRc1 (application, priority 101).
    assert [(r.kind, r.name, r.address) for r in policy.rules] == [
        ("network", "netRc1", "azurerm_firewall_network_rule_collection.azufwnetr1"),
        ("application", "appRule1", "azurerm_firewall_application_rule_collection.azufwappr1"),
    ]
    assert policy.rules[0].destinations.any
    assert policy.rules[1].undecidable == "target fqdns www.microsoft.com"
    assert policy.rules[1].origin.line is not None


def test_a_network_rule_with_ports_azure_does_not_accept_is_undecidable(tmp_path: Path) -> None:
    # A port outside 0-65535 fails the deployment. Read as every port, the rule must neither
    # deny nor admit silently: it is undecidable, and named where findings rest on it.
    text = (FIXTURES / "firewall-policy-ipgroups" / "template.json").read_text()
    written = '"destinationPorts": [\n                  "123"'
    assert written in text
    template = tmp_path / "template.json"
    template.write_text(text.replace(written, '"destinationPorts": [\n "65536"'))
    model = load_arm_template(template)
    (firewall,) = [g for g in model.gateways.values() if g.kind == "firewall"]
    assert firewall.policy is not None
    network = firewall.policy.rules[0]
    assert (network.name, network.destination_ports) == ("time-windows", None)
    assert network.undecidable == "destinationPorts '65536'"


def test_a_dnat_rule_to_a_nics_own_dynamic_address_leads_to_that_nic(tmp_path: Path) -> None:
    # fixtures/azure/firewall-dnat-fqdn (fw-docs-qs) with rdp-01 translating to
    # `reference(nic1).ipConfigurations[0].properties.privateIPAddress`, as the
    # azure-firewall-dns-proxy quickstart writes it, and rdp-02 gone. The address is dynamic, so
    # known only after deployment, but it is net-int1's whatever it is: myVM1 is reached for
    # certain, in both modes. Both NICs share one NSG here, so both VMs would be one class;
    # only the one the rule names is reached. Before, the rule was dropped with a note.
    fixture = FIXTURES / "firewall-dnat-fqdn"
    text = (fixture / "template.json").read_text()
    document = json.loads(text)
    nic1 = (
        "[reference(resourceId('Microsoft.Network/networkInterfaces', "
        "format('{0}{1}', variables('networkInterfaceName'), 1)))"
        ".ipConfigurations[0].properties.privateIPAddress]"
    )
    for resource in document["resources"]:
        if resource["type"] == "Microsoft.Network/azureFirewalls":
            (collection,) = resource["properties"]["natRuleCollections"]
            first = collection["properties"]["rules"][0]
            first["translatedAddress"] = nic1
            collection["properties"]["rules"] = [first]
        if resource["type"] == "Microsoft.Network/networkInterfaces":
            resource["properties"]["networkSecurityGroup"]["id"] = (
                "[resourceId('Microsoft.Network/networkSecurityGroups', "
                "format('{0}{1}', variables('nsgName'), 1))]"
            )
    path = tmp_path / "template.json"
    path.write_text(json.dumps(document))
    for assume in ("open", "closed"):
        report = run_check([path], [fixture / "rules.yaml"], builtin=False, assume_unknown=assume)
        reached = [
            (f.destination.address, f.depends_on_unknown, [h.kind for h in f.path][:2])
            for f in report.findings
            if f.rule == "INTERNET-TO-VMS"
        ]
        assert reached == [
            ("Microsoft.Compute/virtualMachines/myVM1", None, ["firewall", "dnat-rule"])
        ], assume
        (finding,) = [f for f in report.findings if f.rule == "INTERNET-TO-VMS"]
        dnat = next(h for h in finding.path if h.kind == "dnat-rule")
        assert dnat.detail.endswith(
            "to the private address of Microsoft.Network/networkInterfaces/net-int1:3389"
        )


def test_a_dnat_rule_on_the_firewalls_private_address_is_no_way_in_from_the_internet(
    tmp_path: Path,
) -> None:
    # fixtures/azure/firewall-dnat-fqdn (fw-docs-qs) with rdp-02's destination the firewall's
    # private address (the first of AzureFirewallSubnet), as a rule for traffic from the
    # network or on-premises writes it: the internet reaches only the public addresses, so
    # only rdp-01 lets it in. Before, every DNAT rule was taken to listen on a public one.
    fixture = FIXTURES / "firewall-dnat-fqdn"
    document = json.loads((fixture / "template.json").read_text())
    for resource in document["resources"]:
        if resource["type"] == "Microsoft.Network/azureFirewalls":
            (collection,) = resource["properties"]["natRuleCollections"]
            collection["properties"]["rules"][1]["destinationAddresses"] = ["10.0.2.4"]
    path = tmp_path / "template.json"
    path.write_text(json.dumps(document))
    model = load_arm_template(path)
    policy = model.gateways["Microsoft.Network/azureFirewalls/FW-01"].policy
    assert policy is not None and [d.name for d in policy.dnat] == ["rdp-01"]
    assert any("DNAT rule rdp-02 takes traffic sent to the firewall's private" in n.message
               for n in model.notes)  # fmt: skip
    # Both NICs take dynamic addresses: either VM may get 10.0.1.4, which rdp-01 names; each
    # finding rests on that, and nothing on rdp-02 any more.
    report = run_check([path], [fixture / "rules.yaml"], builtin=False)
    rests_on = {
        f.destination.address: f.depends_on_unknown
        for f in report.findings
        if f.rule == "INTERNET-TO-VMS"
    }
    rdp_01 = (
        "Microsoft.Network/azureFirewalls/FW-01/natRuleCollections/Coll-01: which endpoint gets "
        "10.0.1.4 (DNAT rule rdp-01)"
    )
    assert rests_on == {
        "Microsoft.Compute/virtualMachines/myVM1": [rdp_01],
        "Microsoft.Compute/virtualMachines/myVM2": [rdp_01],
    }


def test_any_protocol_with_a_port_written_is_tcp_and_udp(tmp_path: Path) -> None:
    # "If a destination port is explicitly configured, then the rule is translated to a
    # TCP+UDP rule" (https://learn.microsoft.com/azure/firewall/rule-processing); every port
    # written leaves Any as it is.
    text = (FIXTURES / "firewall-policy-ipgroups" / "template.json").read_text()
    written = '"ipProtocols": [\n                  "UDP"'
    assert written in text
    found = []
    for ports in ('"123"', '"*"'):
        template = tmp_path / "template.json"
        changed = text.replace(written, '"ipProtocols": [\n "Any"')
        template.write_text(
            changed.replace(
                '"destinationPorts": [\n                  "123"', f'"destinationPorts": [\n {ports}'
            )
        )
        model = load_arm_template(template)
        (firewall,) = [g for g in model.gateways.values() if g.kind == "firewall"]
        assert firewall.policy is not None
        found.append(firewall.policy.rules[0].protocols)
    assert found == [["tcp", "udp"], ["*"]]


def test_a_protocol_not_known_is_not_taken_for_any(tmp_path: Path) -> None:
    # Only Any as written becomes TCP and UDP with a port: a protocol from a parameter without
    # value is not known, not Any.
    text = (FIXTURES / "firewall-policy-ipgroups" / "template.json").read_text()
    written = '"ipProtocols": [\n                  "UDP"\n                ]'
    assert written in text
    document = json.loads(text.replace(written, '"ipProtocols": "[parameters(\'protocols\')]"'))
    document["parameters"]["protocols"] = {"type": "array"}
    template = tmp_path / "template.json"
    template.write_text(json.dumps(document))
    model = load_arm_template(template)
    (firewall,) = [g for g in model.gateways.values() if g.kind == "firewall"]
    assert firewall.policy is not None
    network = firewall.policy.rules[0]
    # With port 123 written, Azure takes TCP, UDP or ICMP (Any: TCP and UDP), nothing else.
    assert (network.protocols, network.undecidable) == (
        ["tcp", "udp", "icmp"],
        "protocols not known: parameter 'protocols' has no value",
    )


def _with_network_rules(tmp_path: Path, *collections: dict[str, object]) -> Path:
    """fw-docs-qs (firewall-dnat-fqdn) with network rule collections for the VMs' subnet, and
    array parameters `protocols` and `ports` without a value."""
    document = json.loads((FW_DOCS / "template.json").read_text())
    (firewall,) = [
        r for r in document["resources"] if r["type"] == "Microsoft.Network/azureFirewalls"
    ]
    firewall["properties"]["networkRuleCollections"] = list(collections)
    document["parameters"] |= {"protocols": {"type": "array"}, "ports": {"type": "array"}}
    template = tmp_path / "template.json"
    template.write_text(json.dumps(document))
    return template


def _collection(action: str, priority: int, protocols: object, ports: object) -> dict[str, object]:
    rule = {"name": action.lower(), "protocols": protocols, "sourceAddresses": ["10.0.1.0/24"],
            "destinationAddresses": ["*"], "destinationPorts": ports}  # fmt: skip
    return {"name": action, "properties": {"priority": priority, "action": {"type": action},
            "rules": [rule]}}  # fmt: skip


def _egress(template: Path, assume: str) -> set[tuple[str, tuple[str, ...]]]:
    """The VMs' egress: its traffic, and the network rules not known it rests on."""
    report = run_check([template], [FW_DOCS / "rules.yaml"], builtin=False, assume_unknown=assume)
    return {
        (
            str([(t.protocol, t.ports) for t in f.traffic]),
            tuple(u.split(": ", 1)[1] for u in f.depends_on_unknown or () if "network rule" in u),
        )
        for f in report.findings
        if f.rule == "VM-EGRESS"
    }


def test_a_network_rule_whose_protocols_or_ports_are_not_known_is_undecidable(
    tmp_path: Path,
) -> None:
    # An allow rule for protocols from a parameter without a value admitted every protocol for
    # certain, under closed too; ports from one, every port.
    for protocols, ports, traffic, why in (
        ("[parameters('protocols')]", ["*"], "[('all', None)]", "protocols not known: "
         "parameter 'protocols' has no value"),
        (["TCP"], "[parameters('ports')]", "[('tcp', [(0, 65535)])]", "destinationPorts not "
         "known: parameter 'ports' has no value"),
    ):  # fmt: skip
        template = _with_network_rules(tmp_path, _collection("Allow", 200, protocols, ports))
        assert _egress(template, "open") == {(traffic, (f"network rule allow ({why})",))}
        assert _egress(template, "closed") == set()


def test_a_deny_rule_whose_protocols_are_not_known_leaves_its_port_in_doubt(
    tmp_path: Path,
) -> None:
    # Deny 443 for protocols not known, then allow TCP: open, all of TCP passes, 443 resting on
    # the deny; closed, 443 is denied. Before, 443 was denied for certain under both.
    template = _with_network_rules(
        tmp_path,
        _collection("Deny", 50, "[parameters('protocols')]", ["443"]),
        _collection("Allow", 200, ["TCP"], ["*"]),
    )
    report = run_check([template], [FW_DOCS / "rules.yaml"], builtin=False)
    egress = [f for f in report.findings if f.rule == "VM-EGRESS"]
    assert len(egress) == 2
    for finding in egress:
        assert [(t.protocol, t.ports) for t in finding.traffic] == [("tcp", [(0, 65535)])]
        assert [
            (part.value.split(": ", 1)[1], [(t.protocol, t.ports) for t in part.traffic])
            for part in finding.depends_on_unknown_for or []
        ] == [
            (
                "network rule deny (protocols not known: parameter 'protocols' has no value)",
                [("tcp", [(443, 443)])],
            )
        ]
    closed = run_check([template], [FW_DOCS / "rules.yaml"], builtin=False,
                       assume_unknown="closed")  # fmt: skip
    assert {
        str([(t.protocol, t.ports) for t in f.traffic])
        for f in closed.findings
        if f.rule == "VM-EGRESS"
    } == {"[('tcp', [(0, 442), (444, 65535)])]"}


def test_ports_known_in_part_keep_the_known_part_certain(tmp_path: Path) -> None:
    # ["22", a parameter]: tcp 22 passes for certain, the rest rests on the parameter.
    template = _with_network_rules(
        tmp_path, _collection("Allow", 200, ["TCP"], ["22", "[parameters('ports')[0]]"])
    )
    model = load_arm_template(template)
    (firewall,) = [g for g in model.gateways.values() if g.kind == "firewall"]
    assert firewall.policy is not None
    network = [r for r in firewall.policy.rules if r.kind == "network"]
    assert [(r.protocols, r.destination_ports, r.undecidable) for r in network] == [
        (["tcp"], [PortRange(low=22, high=22)], None),
        (["tcp"], None, "destinationPorts not known: parameter 'ports' has no value"),
    ]


def test_a_dnat_rules_translated_port_is_read_as_azure_reads_it() -> None:
    # Only a whole number of 0-65535 in ASCII digits is a port: "²" passes str.isdigit() and
    # fails int(); the rest fails the deployment. Each is named, none an internal error.
    from reachlint.model.network import DnatRule
    from reachlint.providers.azure.firewall import Written, dnat_match

    found = []
    for written in ("3389", " 22 ", "²", "99999", "-1", "1e3", "0x50", "٣"):
        rule = DnatRule(address="fw", type="t", name="r")
        dnat_match(rule, Written(["TCP"]), Written(["80"]), Written([written]))
        found.append((rule.translated_port, rule.undecidable))
    assert found == [
        (3389, None),
        (22, None),
        *[(None, f"translated port {w!r}") for w in ("²", "99999", "-1", "1e3", "0x50", "٣")],
    ]


NIC1_ADDRESS = (
    "[reference(resourceId('Microsoft.Network/networkInterfaces', "
    "format('{0}{1}', variables('networkInterfaceName'), 1)))"
    ".ipConfigurations[0].properties.privateIPAddress]"
)


def _dnat(tmp_path: Path, **written: object) -> Path:
    """fw-docs-qs with one DNAT rule, rdp-01 translated to net-int1's own address (myVM1 for
    certain) and changed as `written` says; array and string parameters without a value."""
    document = json.loads((FW_DOCS / "template.json").read_text())
    (firewall,) = [
        r for r in document["resources"] if r["type"] == "Microsoft.Network/azureFirewalls"
    ]
    (collection,) = firewall["properties"]["natRuleCollections"]
    first = collection["properties"]["rules"][0]
    first |= {"translatedAddress": NIC1_ADDRESS, **written}
    collection["properties"]["rules"] = [first]
    document["parameters"] |= {"items": {"type": "array"}, "one": {"type": "string"}}
    template = tmp_path / "template.json"
    template.write_text(json.dumps(document))
    return template


def _inbound(template: Path, assume: str) -> list[tuple[str, list[str] | None]]:
    report = run_check([template], [FW_DOCS / "rules.yaml"], builtin=False, assume_unknown=assume)
    return [
        (str([(t.protocol, t.ports) for t in f.traffic]), f.depends_on_unknown)
        for f in report.findings
        if f.rule == "INTERNET-TO-VMS"
    ]


def test_a_dnat_rule_known_in_part_translates_its_known_part_for_certain(tmp_path: Path) -> None:
    # Traffic arrives at the translated port: destination ports not known do not change it,
    # and TCP of ["TCP", a parameter] is translated whatever the parameter is. Before, the
    # whole rule rested on the parameter and closed lost tcp 3389.
    certain = [("[('tcp', [(3389, 3389)])]", None)]
    for written in (
        {"destinationPorts": ["3389", "[parameters('one')]"]},
        {"destinationPorts": "[parameters('items')]"},
    ):
        template = _dnat(tmp_path, **written)
        for assume in ("open", "closed"):
            assert _inbound(template, assume) == certain, (written, assume)
    template = _dnat(tmp_path, protocols=["TCP", "[parameters('one')]"])
    assert _inbound(template, "closed") == certain
    why = (
        "Microsoft.Network/azureFirewalls/FW-01/natRuleCollections/Coll-01: DNAT rule rdp-01 "
        "(protocols not known: parameter 'one' has no value)"
    )
    report = run_check([template], [FW_DOCS / "rules.yaml"], builtin=False)
    (finding,) = [f for f in report.findings if f.rule == "INTERNET-TO-VMS"]
    assert [(part.value, [t.protocol for t in part.traffic]) for part in
            finding.depends_on_unknown_for or []] == [(why, ["udp"])]  # fmt: skip


def test_a_dnat_rules_translated_port_azure_does_not_take_is_any_port_named(
    tmp_path: Path,
) -> None:
    # 22.5, a flag, an object: not a port. Before, read as no translated port: tcp 3389 for
    # certain. The value is named, cut short however long it is written.
    for written, shown in ((22.5, "'22.5'"), (True, "'true'"), ({"a": 1}, "'{\"a\": 1}'"),
                           ("9" * 100_000, f"'{'9' * 40}...'")):  # fmt: skip
        template = _dnat(tmp_path, translatedPort=written)
        (firewall,) = [
            g for g in load_arm_template(template).gateways.values() if g.kind == "firewall"
        ]
        assert firewall.policy is not None
        (rule,) = firewall.policy.dnat
        assert (rule.translated_port, rule.translated_port_known) == (None, False)
        assert rule.undecidable in (
            f"translatedPort not known: {shown} is not a value Azure takes",
            f"translated port {shown}",
        )
        assert _inbound(template, "closed") == []


def test_any_with_ports_known_in_part_and_protocols_not_known_with_a_port(
    tmp_path: Path,
) -> None:
    # Allow Any on ["22", a parameter]: tcp and udp 22 for certain; the parameter may be "*",
    # which leaves Any every protocol. Deny for protocols not known on port 22, then allow Any:
    # with a port written Azure takes TCP, UDP or ICMP, so GRE and the rest pass for certain.
    allow = _with_network_rules(
        tmp_path, _collection("Allow", 200, ["Any"], ["22", "[parameters('ports')[0]]"])
    )
    assert _egress(allow, "closed") == {("[('tcp', [(22, 22)]), ('udp', [(22, 22)])]", ())}
    assert [traffic for traffic, _ in _egress(allow, "open")] == ["[('all', None)]"]
    deny = _with_network_rules(
        tmp_path,
        _collection("Deny", 50, "[parameters('protocols')]", ["22"]),
        _collection("Allow", 200, ["Any"], ["*"]),
    )
    (closed,) = _egress(deny, "closed")
    assert "('icmp', None)" not in closed[0] and "('other', None)" in closed[0]


def test_a_collection_action_not_known_may_allow_or_deny(tmp_path: Path) -> None:
    # Its action from a parameter without a value: open, what it matches passes, named; closed,
    # it denies what it matches, so a later allow no longer lets tcp 22 through.
    document = json.loads(_with_network_rules(
        tmp_path,
        _collection("Allow", 100, ["TCP"], ["22"]),
        _collection("Allow", 200, ["Any"], ["*"]),
    ).read_text())  # fmt: skip
    (firewall,) = [
        r for r in document["resources"] if r["type"] == "Microsoft.Network/azureFirewalls"
    ]
    first = firewall["properties"]["networkRuleCollections"][0]
    first["properties"]["action"]["type"] = "[parameters('one')]"
    document["parameters"]["one"] = {"type": "string"}
    template = tmp_path / "template.json"
    template.write_text(json.dumps(document))
    why = "network rule allow (action not known: parameter 'one' has no value)"
    (opened,) = _egress(template, "open")
    assert opened == ("[('all', None)]", (why,))
    (closed,) = _egress(template, "closed")
    assert "(22, 22)" not in closed[0] and closed[1] == ()


def test_an_application_rule_whose_protocols_are_not_known_names_them(tmp_path: Path) -> None:
    document = json.loads((FW_DOCS / "template.json").read_text())
    (firewall,) = [
        r for r in document["resources"] if r["type"] == "Microsoft.Network/azureFirewalls"
    ]
    (collection,) = firewall["properties"]["applicationRuleCollections"]
    collection["properties"]["rules"][0]["protocols"] = "[parameters('items')]"
    document["parameters"]["items"] = {"type": "array"}
    template = tmp_path / "template.json"
    template.write_text(json.dumps(document))
    (policy,) = [g.policy for g in load_arm_template(template).gateways.values() if g.policy]
    first = next(r for r in policy.rules if r.kind == "application")
    assert first.destination_ports is None
    assert first.undecidable is not None
    assert "protocols not known: parameter 'items' has no value" in first.undecidable


def test_a_firewall_subnet_not_declared_in_a_vnet_known_in_part_is_not_taken_as_known() -> None:
    # tests/arm/data/firewall-subnet-in-a-vnet-known-in-part.json: the VNet's prefixes are
    # 10.0.0.0/16 and one from a parameter without value; AzureFirewallSubnet is not declared;
    # a DNAT rule translates tcp 3389 to the backend, whose NSG denies 10.0.0.0/16 first. The
    # firewall's address may lie in the prefix not known: open, the flow rests on it.
    template = Path(__file__).parent / "data" / "firewall-subnet-in-a-vnet-known-in-part.json"
    rules = Path(__file__).parent / "data" / "internet-to-vms.yaml"
    report = run_check([template], [rules], builtin=False)
    assert [(str(f.traffic[0].ports), f.depends_on_unknown) for f in report.findings] == [
        ("[(3389, 3389)]", ["the address of an endpoint within its subnet"])
    ]
