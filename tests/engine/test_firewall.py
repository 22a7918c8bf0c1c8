"""Firewalls judge what crosses them by their rules, in their order, with default deny.

Azure Firewall: https://learn.microsoft.com/azure/firewall/rule-processing (rules are terminating;
network rules before application rules; DNAT rules before both; deny by default).
AWS Network Firewall: https://docs.aws.amazon.com/network-firewall/latest/developerguide/
firewall-rules-engines.html (stateless rules by priority: pass, drop or forward to the stateful
engine; then the stateful engine; strict order or action order).
"""

from __future__ import annotations

from reachlint.engine.analysis import Analysis
from reachlint.engine.flows import External, rests_on
from reachlint.model.network import (
    AddressSpec,
    DnatRule,
    FirewallPolicy,
    FirewallRule,
    FirewallStage,
    PortRange,
)
from reachlint.model.traffic import IntervalSet, Traffic, cidrs, parse_protocol, ports_from_spec
from tests.engine.azure_builder import AzureNet, rule
from tests.engine.test_explain import class_of

POLICY = "Microsoft.Network/firewallPolicies/p"
GROUP = f"{POLICY}/ruleCollectionGroups/g"


def fw_rule(
    name: str,
    action: str = "allow",
    kind: str = "network",
    sources: list[str] | None = None,
    destinations: list[str] | None = None,
    ports: list[int] | None = None,
    protocols: tuple[str, ...] = ("tcp",),
    undecidable: str | None = None,
    stage: int = 0,
) -> FirewallRule:
    def spec(cidrs: list[str] | None) -> AddressSpec:
        return AddressSpec(any=True) if cidrs is None else AddressSpec(cidrs=cidrs)

    return FirewallRule(
        address=GROUP,
        type="Microsoft.Network/firewallPolicies/ruleCollectionGroups",
        name=name,
        kind=kind,
        action=action,  # type: ignore[arg-type]
        protocols=list(protocols),
        sources=spec(sources),
        destinations=AddressSpec() if undecidable and destinations is None else spec(destinations),
        destination_ports=[PortRange(low=p, high=p) for p in ports] if ports else None,
        undecidable=undecidable,
        stage=stage,
    )


def hub_and_spokes(*rules: FirewallRule, dnat: list[DnatRule] | None = None) -> tuple:  # type: ignore[type-arg]
    net = AzureNet()
    hub = net.vnet("hub", "10.0.0.0/16")
    spoke_a, spoke_b = net.vnet("a", "10.1.0.0/16"), net.vnet("b", "10.2.0.0/16")
    fw_subnet = net.subnet_in(hub, "AzureFirewallSubnet", "10.0.1.0/26")
    firewall = net.firewall(hub, fw_subnet, "10.0.1.4")
    net.model.gateways[firewall].policy = FirewallPolicy(
        address=POLICY, type="Microsoft.Network/firewallPolicies", rules=list(rules),
        dnat=dnat or [],
    )  # fmt: skip
    net.vnet_peering(hub, spoke_a)
    net.vnet_peering(hub, spoke_b)
    table_a = net.route_table("a", spoke_a, ("0.0.0.0/0", "virtual-appliance", firewall))
    table_b = net.route_table("b", spoke_b, ("0.0.0.0/0", "virtual-appliance", firewall))
    vm_a = net.vm("a", net.subnet_in(spoke_a, "w", "10.1.1.0/24", table=table_a), ip="10.1.1.4")
    vm_b = net.vm("b", net.subnet_in(spoke_b, "w", "10.2.1.0/24", table=table_b), ip="10.2.1.4")
    return net, firewall, vm_a, vm_b


def tcp(port: int) -> Traffic:
    return Traffic.box(parse_protocol("tcp"), ports=ports_from_spec([port]))


def test_default_deny_cuts_what_no_nsg_stops() -> None:
    net, _firewall, vm_a, vm_b = hub_and_spokes(
        fw_rule("https", sources=["10.1.0.0/16"], destinations=["10.2.0.0/16"], ports=[443])
    )
    result = net.reach()
    assert result.traffic(vm_a, vm_b) == "tcp 443"
    assert result.traffic(vm_b, vm_a) == ""  # the rule names one direction
    assert result.traffic(vm_a, "internet") == ""
    assert GROUP in result.path(vm_a, vm_b)


def test_first_match_wins_deny_before_allow() -> None:
    net, _fw, vm_a, vm_b = hub_and_spokes(
        fw_rule("no-ssh", action="deny", ports=[22]),
        fw_rule("all-tcp"),
    )
    result = net.reach()
    assert result.traffic(vm_a, vm_b) == "tcp 0-21, 23-65535"
    assert result.traffic(vm_a, "internet") == "tcp 0-21, 23-65535"


def test_rule_on_other_sources_does_not_apply() -> None:
    net, _fw, vm_a, vm_b = hub_and_spokes(fw_rule("from-b-only", sources=["10.2.0.0/16"]))
    result = net.reach()
    assert result.traffic(vm_a, vm_b) == ""
    assert result.traffic(vm_b, vm_a) == "tcp 0-65535"


def test_fqdn_rule_is_an_unknown_that_assume_unknown_decides() -> None:
    app = fw_rule("AllowWeb", kind="application", ports=[443], undecidable="FQDN targets")
    net, _fw, vm_a, _vm_b = hub_and_spokes(app)
    opened = net.reach("open")
    (flow,) = opened.flows(vm_a, "internet")
    assert opened.traffic(vm_a, "internet") == "tcp 443"
    assert f"{GROUP}: application rule AllowWeb (FQDN targets)" in rests_on(
        flow.unknowns, flow.traffic
    )
    assert net.reach("closed").traffic(vm_a, "internet") == ""


def _rests_on(net: AzureNet, source: str, port: int) -> set[str]:
    """What the traffic to `port` from `source` to the internet rests on, when open."""
    (flow,) = net.reach("open").flows(source, "internet")
    return rests_on(flow.unknowns, flow.traffic & Traffic.box(ports=IntervalSet([(port, port)])))


def test_a_rule_not_known_is_named_only_for_what_it_alone_decides() -> None:
    """Network rules before application rules (https://learn.microsoft.com/azure/firewall/
    rule-processing): what a network rule admits does not rest on an FQDN rule after it."""
    net, _fw, vm_a, _vm_b = hub_and_spokes(
        fw_rule("high-ports", ports=[8000]),
        fw_rule("AllowWeb", kind="application", ports=[80, 8000], undecidable="FQDN targets"),
    )
    assert net.reach("open").traffic(vm_a, "internet") == "tcp 80, 8000"
    assert _rests_on(net, vm_a, 8000) == set()
    assert _rests_on(net, vm_a, 80) == {f"{GROUP}: application rule AllowWeb (FQDN targets)"}


def test_a_rule_not_known_before_a_known_one_that_admits_the_same_decides_nothing() -> None:
    """An FQDN rule before a network rule for tcp 443 (one stage, first match): tcp 443 passes
    whether the FQDN rule matches or not, so it rests on it only for tcp 80."""
    net, _fw, vm_a, _vm_b = hub_and_spokes(
        fw_rule("AllowWeb", kind="application", ports=[80, 443], undecidable="FQDN targets"),
        fw_rule("https", ports=[443]),
    )
    assert net.reach("open").traffic(vm_a, "internet") == "tcp 80, 443"
    assert _rests_on(net, vm_a, 443) == set()
    assert _rests_on(net, vm_a, 80) == {f"{GROUP}: application rule AllowWeb (FQDN targets)"}


def test_undecidable_deny_denies_only_when_closed() -> None:
    net, _fw, vm_a, _vm_b = hub_and_spokes(
        fw_rule("BlockSites", action="deny", kind="application", ports=[443], undecidable="FQDN"),
        fw_rule("all-tcp"),
    )
    assert net.reach("open").traffic(vm_a, "internet") == "tcp 0-65535"
    assert net.reach("closed").traffic(vm_a, "internet") == "tcp 0-442, 444-65535"
    # Open, what passes only because the deny is not taken to match rests on it alone.
    assert _rests_on(net, vm_a, 443) == {f"{GROUP}: application rule BlockSites (FQDN)"}
    assert _rests_on(net, vm_a, 22) == set()


def test_stages_forward_to_the_stateful_engine() -> None:
    """Stateless pass admits at once, drop stops, forward hands to the stateful rules; the
    stateful default (drop) denies what no stateful rule passes."""
    net, firewall, vm_a, vm_b = hub_and_spokes(
        fw_rule("pass-dns", ports=[53], protocols=("udp",)),
        fw_rule("drop-telnet", action="deny", ports=[23]),
        fw_rule("to-sfe", action="next"),
        fw_rule("stateful-https", ports=[443], stage=1),
        fw_rule("stateful-telnet", ports=[23], stage=1),
    )
    policy = net.model.gateways[firewall].policy
    assert policy is not None
    policy.stages = [FirewallStage(name="stateless", default="deny"), FirewallStage(name="sf")]
    result = net.reach()
    assert result.traffic(vm_a, vm_b) == "tcp 443; udp 53"


def test_dnat_is_a_way_in_to_the_translated_address_and_port() -> None:
    dnat = DnatRule(
        address=f"{GROUP}/dnat",
        type="t",
        name="rdp",
        sources=AddressSpec(cidrs=["52.0.0.0/24"]),
        ports=[PortRange(low=50000, high=50000)],
        translated_address="10.2.1.4",
        translated_port=3389,
    )
    net, firewall, _vm_a, vm_b = hub_and_spokes(dnat=[dnat])
    result = net.reach()
    (flow,) = result.flows("internet", vm_b)
    assert flow.traffic.text() == "tcp 3389"
    assert flow.traffic.addresses() == cidrs(["52.0.0.0/24"])
    assert result.path("internet", vm_b)[:2] == [firewall, f"{GROUP}/dnat"]
    # No public address and no other DNAT rule: vm_a stays out of reach.
    assert result.flows("internet", "Microsoft.Compute/virtualMachines/a") == []


def test_dnat_target_nsg_sees_the_firewall_subnet() -> None:
    """DNAT also translates the source to an address of AzureFirewallSubnet (Microsoft, "Azure
    Firewall NAT behaviors"): an NSG that admits only the internet does not admit it."""
    dnat = DnatRule(
        address=f"{GROUP}/dnat",
        type="t",
        name="ssh",
        ports=[PortRange(low=22, high=22)],
        translated_address="10.0.2.4",
    )
    net = AzureNet()
    vnet = net.vnet("hub", "10.0.0.0/16")
    fw_subnet = net.subnet_in(vnet, "AzureFirewallSubnet", "10.0.1.0/26")
    firewall = net.firewall(vnet, fw_subnet, "10.0.1.4")
    net.model.gateways[firewall].policy = FirewallPolicy(address=POLICY, type="t", dnat=[dnat])
    no_vnet = rule("no-vnet", 200, "inbound", False, source="VirtualNetwork")
    only_internet = net.nsg(
        "n", rule("ssh", 100, "inbound", True, source="Internet", ports="22"), no_vnet
    )
    vm = net.vm("b", net.subnet_in(vnet, "w", "10.0.2.0/24"), nsg=only_internet, ip="10.0.2.4")
    assert net.reach().flows("internet", vm) == []
    from_fw = net.nsg(
        "m", rule("ssh", 100, "inbound", True, source="10.0.1.0/26", ports="22"), no_vnet
    )
    net.model.endpoints[vm].interfaces[0].network_security_group = from_fw
    assert net.reach().traffic("internet", vm) == "tcp 22"


def test_query_names_the_firewall_rule_or_default_deny() -> None:
    net, _firewall, vm_a, vm_b = hub_and_spokes(
        fw_rule("no-ssh", action="deny", ports=[22]),
        fw_rule("web", ports=[443]),
    )
    analysis = Analysis(net.model)
    a, b = class_of(analysis, vm_a), class_of(analysis, vm_b)
    blocked = analysis.explain(a, b, tcp(22))
    assert blocked is not None and blocked.code == "firewall"
    assert blocked.address == GROUP and "no-ssh" in blocked.reason
    blocked = analysis.explain(a, b, tcp(80))
    assert blocked is not None and blocked.code == "firewall"
    assert blocked.address == POLICY and "default deny" in blocked.reason
    assert analysis.explain(a, b, tcp(443)) is None
    internet = External(address="internet", kind="internet")
    out = analysis.explain(a, internet, tcp(80))
    assert out is not None and out.code == "firewall"


def test_a_vm_appliance_without_rules_still_passes_traffic() -> None:
    net = AzureNet()
    hub = net.vnet("hub", "10.0.0.0/16")
    spoke = net.vnet("a", "10.1.0.0/16")
    nva = net.vm("nva", net.subnet_in(hub, "nva", "10.0.1.0/24"), ip="10.0.1.4")
    net.vnet_peering(hub, spoke)
    table = net.route_table("a", spoke, ("0.0.0.0/0", "virtual-appliance", nva))
    vm = net.vm("a", net.subnet_in(spoke, "w", "10.1.1.0/24", table=table))
    result = net.reach()
    assert result.traffic(vm, "internet") == "all"
    assert nva in result.path(vm, "internet")


def test_ports_beyond_the_port_range_in_a_model_are_no_ports() -> None:
    # Providers refuse them; a model built from other input may still carry them.
    beyond = fw_rule("beyond")
    beyond.destination_ports = [PortRange(low=70000, high=70001)]
    straddling = fw_rule("straddling", sources=["10.2.0.0/16"])
    straddling.destination_ports = [PortRange(low=65000, high=70000)]
    net, _fw, vm_a, vm_b = hub_and_spokes(beyond, straddling)
    result = net.reach()
    assert result.traffic(vm_a, vm_b) == ""
    assert result.traffic(vm_b, vm_a) == "tcp 65000-65535"
