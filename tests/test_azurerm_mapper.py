"""The azurerm mapper: Terraform resources in, Azure's network semantics out, on small inputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest

from reachlint.dialects.terraform.azurerm import build_azurerm_model
from reachlint.formats.terraform.records import UNKNOWN, TfResource
from reachlint.model.network import AddressSpec, NetworkModel, PortRange
from reachlint.sources import UnknownValue

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures" / "azurerm"
RG = "rg"
SUB = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers"


def res(address: str, values: dict[str, Any] | None = None, **refs: list[str]) -> TfResource:
    """A resource; keyword arguments are references by attribute path (dots as __)."""
    bare, _, key = address.partition("[")
    type_name, name = bare.rsplit(".", 2)[-2:]
    index: int | str | None = None
    if key:
        key = key.rstrip("]")
        index = int(key) if key.isdigit() else key.strip('"')
    return TfResource(
        address=address,
        type=type_name,
        name=name,
        index=index,
        mode="data" if bare.startswith("data.") else "managed",
        values={"resource_group_name": RG, **(values or {})},
        references={path.replace("__", "."): targets for path, targets in refs.items()},
    )


def vnet(name: str = "main", space: str = "10.0.0.0/16", **values: Any) -> TfResource:
    return res(
        f"azurerm_virtual_network.{name}", {"name": name, "address_space": [space], **values}
    )


def subnet(label: str, prefix: str, network: str = "main", **values: Any) -> TfResource:
    return res(
        f"azurerm_subnet.{label}",
        {"name": label, "virtual_network_name": UNKNOWN, "address_prefixes": [prefix], **values},
        virtual_network_name=[f"azurerm_virtual_network.{network}"],
    )


def nic(name: str, subnet_name: str = "web", **configuration: Any) -> TfResource:
    block = {"name": "ipconfig", "subnet_id": UNKNOWN, "private_ip_address_allocation": "Dynamic"}
    return res(
        f"azurerm_network_interface.{name}",
        {"name": name, "ip_configuration": [{**block, **configuration}]},
        ip_configuration__0__subnet_id=[f"azurerm_subnet.{subnet_name}"],
    )


def vm(name: str, *nics: str) -> TfResource:
    return res(
        f"azurerm_linux_virtual_machine.{name}",
        {"name": name, "network_interface_ids": UNKNOWN, "tags": {"Tier": "web"}},
        network_interface_ids=[f"azurerm_network_interface.{n}" for n in nics],
    )


def rule(name: str, priority: int, **values: Any) -> dict[str, Any]:
    """An NSG rule block as a plan shows it: every attribute present, unused ones empty."""
    base: dict[str, Any] = {
        "name": name,
        "priority": priority,
        "direction": "Inbound",
        "access": "Allow",
        "protocol": "Tcp",
        "source_port_range": "*",
        "source_port_ranges": [],
        "destination_port_range": "",
        "destination_port_ranges": [],
        "source_address_prefix": "",
        "source_address_prefixes": [],
        "destination_address_prefix": "*",
        "destination_address_prefixes": [],
        "source_application_security_group_ids": [],
        "destination_application_security_group_ids": [],
    }
    return {**base, **values}


def notes(model: NetworkModel) -> str:
    return "\n".join(note.message for note in model.notes)


def build(*resources: TfResource, ids: dict[str, str] | None = None) -> NetworkModel:
    return build_azurerm_model(list(resources), ids)


# --- virtual networks and subnets -------------------------------------------------------------


def test_subnet_finds_its_vnet_by_reference_then_by_name_and_group() -> None:
    by_name = res(
        "azurerm_subnet.db",
        {"name": "db", "virtual_network_name": "MAIN", "address_prefix": "10.0.3.0/24"},
    )
    model = build(vnet(), vnet("other", "10.9.0.0/16"), subnet("web", "10.0.1.0/24"), by_name)
    assert model.networks["azurerm_virtual_network.main"].provider == "azure"
    assert model.networks["azurerm_virtual_network.main"].cidrs == ["10.0.0.0/16"]
    assert model.subnets["azurerm_subnet.web"].network == "azurerm_virtual_network.main"
    assert model.subnets["azurerm_subnet.db"].network == "azurerm_virtual_network.main"
    assert model.subnets["azurerm_subnet.db"].cidrs == ["10.0.3.0/24"]
    assert model.networks["azurerm_virtual_network.main"].main_route_table is None


def test_data_sources_that_read_managed_resources_are_the_same_element() -> None:
    read_vnet = res(
        "data.azurerm_virtual_network.main", {"name": "main", "address_space": ["10.0.0.0/16"]}
    )
    read_subnet = res(
        "data.azurerm_subnet.web",
        {"name": "web", "virtual_network_name": "main", "address_prefixes": ["10.0.1.0/24"]},
    )
    interface = nic("a")
    interface.references["ip_configuration.0.subnet_id"] = ["data.azurerm_subnet.web"]
    model = build(vnet(), subnet("web", "10.0.1.0/24"), read_vnet, read_subnet, interface)
    assert set(model.networks) == {"azurerm_virtual_network.main"}
    assert set(model.subnets) == {"azurerm_subnet.web"}
    assert model.endpoints[interface.address].interfaces[0].subnet == "azurerm_subnet.web"


def test_existing_subnet_read_by_a_data_source_is_modelled_with_its_nsg() -> None:
    group = res(
        "azurerm_network_security_group.shared",
        {"name": "shared", "id": f"{SUB}/Microsoft.Network/networkSecurityGroups/shared"},
    )
    read_subnet = res(
        "data.azurerm_subnet.shared",
        {
            "name": "shared",
            "virtual_network_name": "main",
            "address_prefixes": ["10.0.7.0/24"],
            "network_security_group_id": f"{SUB}/Microsoft.Network/networkSecurityGroups/shared",
        },
    )
    model = build(vnet(), group, read_subnet)
    placed = model.subnets["data.azurerm_subnet.shared"]
    assert (placed.network, placed.cidrs, placed.security_group) == (
        "azurerm_virtual_network.main",
        ["10.0.7.0/24"],
        group.address,
    )


def test_subnet_in_a_vnet_outside_the_input_gets_a_placeholder_network() -> None:
    outside = res(
        "azurerm_subnet.x",
        {"name": "x", "virtual_network_name": "shared", "address_prefixes": ["10.5.0.0/24"]},
    )
    model = build(vnet(), vnet("other", "10.9.0.0/16"), outside)
    network = model.subnets["azurerm_subnet.x"].network
    assert network == "Microsoft.Network/virtualNetworks/shared"
    assert [r.sources for r in model.networks[network].unknown_ranges] == [
        (f"{network}.address_space",)
    ]
    assert "virtual network outside the input" in notes(model)


def test_inline_subnets_and_default_outbound_access() -> None:
    main = vnet(subnet=[{"name": "web", "address_prefixes": ["10.0.1.0/24"]}])
    private = subnet("app", "10.0.2.0/24", default_outbound_access_enabled=False)
    model = build(main, private, subnet("data", "10.0.3.0/24"))
    inline = model.subnets["azurerm_virtual_network.main/subnet/web"]
    assert inline.network == "azurerm_virtual_network.main"
    assert inline.cidrs == ["10.0.1.0/24"]
    assert model.subnets["azurerm_subnet.app"].default_outbound_access is False
    assert model.subnets["azurerm_subnet.data"].default_outbound_access is True


def test_existing_vnet_listing_its_separate_subnets_does_not_double_them() -> None:
    listed = {"name": "web", "address_prefixes": ["10.0.1.0/24"], "security_group": ""}
    model = build(vnet(subnet=[listed]), subnet("web", "10.0.1.0/24"))
    assert list(model.subnets) == ["azurerm_subnet.web"]
    assert model.notes == []


def test_whichever_of_address_prefix_and_address_prefixes_is_known_counts() -> None:
    old = res(
        "azurerm_subnet.old",
        {"name": "old", "virtual_network_name": "main", "address_prefix": "10.0.5.0/24"},
    )
    old.values["address_prefixes"] = UNKNOWN
    new = subnet("new", "10.0.6.0/24", address_prefix=UNKNOWN)
    model = build(vnet(), old, new)
    assert model.subnets["azurerm_subnet.old"].cidrs == ["10.0.5.0/24"]
    assert model.subnets["azurerm_subnet.new"].cidrs == ["10.0.6.0/24"]
    assert model.notes == []


def test_subnet_id_of_an_existing_subnet_resolves_by_the_names_in_the_id() -> None:
    existing = f"{SUB}/Microsoft.Network/virtualNetworks/main/subnets/web"
    interface = res(
        "azurerm_network_interface.a",
        {"name": "a", "ip_configuration": [{"name": "c", "subnet_id": existing.upper()}]},
    )
    web = subnet("web", "10.0.1.0/24")
    web.values["virtual_network_name"] = "main"
    model = build(vnet(), web, interface)
    assert (
        model.endpoints["azurerm_network_interface.a"].interfaces[0].subnet == "azurerm_subnet.web"
    )


def test_subnet_outside_the_input_is_placed_by_its_id() -> None:
    outside = f"{SUB}/Microsoft.Network/virtualNetworks/hub/subnets/shared"
    interface = res(
        "azurerm_network_interface.a",
        {"name": "a", "ip_configuration": [{"name": "c", "subnet_id": outside}]},
    )
    model = build(vnet(), interface)
    placed = model.endpoints["azurerm_network_interface.a"].interfaces[0]
    assert placed.subnet == outside
    assert [r.sources for r in model.subnets[outside].unknown_ranges] == [
        (f"{outside}.address_prefixes",)
    ]
    assert "a subnet outside the input" in notes(model)


# --- network security groups ------------------------------------------------------------------


def test_nsg_without_rules_has_the_six_azure_defaults() -> None:
    model = build(res("azurerm_network_security_group.web", {"name": "web", "security_rule": []}))
    rules = model.network_security_groups["azurerm_network_security_group.web"].rules
    assert [(r.name, r.priority, r.direction, r.allow) for r in rules] == [
        ("AllowVnetInBound", 65000, "inbound", True),
        ("AllowAzureLoadBalancerInBound", 65001, "inbound", True),
        ("DenyAllInBound", 65500, "inbound", False),
        ("AllowVnetOutBound", 65000, "outbound", True),
        ("AllowInternetOutBound", 65001, "outbound", True),
        ("DenyAllOutBound", 65500, "outbound", False),
    ]
    assert all(r.is_default for r in rules)


def test_unknown_inline_rules_mean_rules_live_in_rule_resources() -> None:
    group = res("azurerm_network_security_group.web", {"name": "web", "security_rule": UNKNOWN})
    model = build(group)
    assert len(model.network_security_groups[group.address].rules) == 6
    assert not model.notes


def test_standalone_rules_attach_by_reference_and_by_name() -> None:
    group = res("azurerm_network_security_group.app", {"name": "app", "security_rule": UNKNOWN})
    by_reference = res(
        "azurerm_network_security_rule.ssh",
        rule("ssh", 200, network_security_group_name=UNKNOWN, destination_port_range="22"),
        network_security_group_name=["azurerm_network_security_group.app"],
    )
    by_name = res(
        "azurerm_network_security_rule.deny",
        rule("deny", 4000, access="Deny", protocol="*", network_security_group_name="APP"),
    )
    model = build(group, by_reference, by_name)
    own = [r for r in model.network_security_groups[group.address].rules if not r.is_default]
    assert [(r.address, r.name, r.priority, r.allow, r.protocol) for r in own] == [
        ("azurerm_network_security_rule.ssh", "ssh", 200, True, "tcp"),
        ("azurerm_network_security_rule.deny", "deny", 4000, False, "all"),
    ]
    assert own[0].destination_ports == [PortRange(low=22, high=22)]


def test_rule_reads_singular_and_plural_prefixes_and_ports() -> None:
    inline = rule(
        "web",
        100,
        source_address_prefixes=["10.0.1.0/24", "VirtualNetwork", "192.168.1.5"],
        destination_port_ranges=["80", "8000-8080"],
        source_port_range="*",
    )
    internet = rule("any", 110, source_address_prefix="Internet", destination_port_range="443")
    group = res(
        "azurerm_network_security_group.web", {"name": "web", "security_rule": [inline, internet]}
    )
    rules = build(group).network_security_groups[group.address].rules
    first, second = rules[0], rules[1]
    assert first.address == group.address
    assert first.source == AddressSpec(
        cidrs=["10.0.1.0/24", "192.168.1.5/32"], service_tags=["VirtualNetwork"]
    )
    assert first.destination == AddressSpec(any=True)
    assert first.destination_ports == [PortRange(low=80, high=80), PortRange(low=8000, high=8080)]
    assert first.source_ports is None
    assert second.source == AddressSpec(service_tags=["Internet"])
    assert second.destination_ports == [PortRange(low=443, high=443)]


def test_rule_names_application_security_groups_as_members() -> None:
    web = res("azurerm_application_security_group.web", {"name": "web"})
    app = res("azurerm_application_security_group.app", {"name": "app"})
    standalone = res(
        "azurerm_network_security_rule.web_to_app",
        rule(
            "web-to-app",
            100,
            network_security_group_name="app",
            destination_port_range="8080",
            destination_address_prefix="",
            source_application_security_group_ids=UNKNOWN,
            destination_application_security_group_ids=UNKNOWN,
        ),
        source_application_security_group_ids=["azurerm_application_security_group.web"],
        destination_application_security_group_ids=["azurerm_application_security_group.app"],
    )
    group = res("azurerm_network_security_group.app", {"name": "app"})
    model = build(web, app, group, standalone)
    assert set(model.application_security_groups) == {web.address, app.address}
    first = model.network_security_groups[group.address].rules[0]
    assert first.source == AddressSpec(application_security_groups=[web.address])
    assert first.destination == AddressSpec(application_security_groups=[app.address])
    assert first.unknown == []


def test_inline_and_standalone_rules_together_are_both_modelled_with_a_note() -> None:
    group = res(
        "azurerm_network_security_group.g", {"name": "g", "security_rule": [rule("a", 100)]}
    )
    extra = res("azurerm_network_security_rule.b", rule("b", 200, network_security_group_name="g"))
    model = build(group, extra)
    own = [r.name for r in model.network_security_groups[group.address].rules if not r.is_default]
    assert own == ["a", "b"]
    assert "Azure keeps whichever is applied last" in notes(model)


def test_rule_with_an_unknown_group_name_joins_the_only_group_with_a_note() -> None:
    group = res("azurerm_network_security_group.g", {"name": UNKNOWN, "security_rule": UNKNOWN})
    orphan = res(
        "azurerm_network_security_rule.r", rule("r", 300, network_security_group_name=UNKNOWN)
    )
    model = build(group, orphan)
    [attached] = [r for r in model.network_security_groups[group.address].rules if not r.is_default]
    assert attached.address == orphan.address
    assert "network_security_group_name" in attached.unknown
    assert "assumed azurerm_network_security_group.g" in notes(model)


def test_rule_prefix_from_a_subnet_reference_is_that_subnets_range() -> None:
    inline = rule("to-web", 100, destination_address_prefix=UNKNOWN, destination_port_range="443")
    group = res(
        "azurerm_network_security_group.g",
        {"name": "g", "security_rule": [inline]},
        security_rule__0__destination_address_prefix=["azurerm_subnet.web"],
    )
    model = build(vnet(), subnet("web", "10.0.1.0/24"), group)
    first = model.network_security_groups[group.address].rules[0]
    assert first.destination == AddressSpec(cidrs=["10.0.1.0/24"])
    assert first.unknown == []


def test_unknown_rule_fields_are_recorded_not_guessed_silently() -> None:
    inline = rule("odd", UNKNOWN, source_address_prefix=UNKNOWN, destination_port_range="x-y")
    group = res("azurerm_network_security_group.g", {"name": "g", "security_rule": [inline]})
    model = build(group)
    odd = model.network_security_groups[group.address].rules[0]
    assert {"priority", "destination_port_range"} <= set(odd.unknown)
    # An unknown source is an unknown range of the rule's source, named by the attribute.
    assert [r.sources for r in odd.source.unknown_ranges] == [
        ("azurerm_network_security_group.g.security_rule.0.source_address_prefix",)
    ]
    assert "priority of rule odd" in notes(model)


def test_nsg_associations_to_subnet_and_nic() -> None:
    group = res("azurerm_network_security_group.web", {"name": "web"})
    to_subnet = res(
        "azurerm_subnet_network_security_group_association.web",
        {"subnet_id": UNKNOWN, "network_security_group_id": UNKNOWN},
        subnet_id=["azurerm_subnet.web"],
        network_security_group_id=["azurerm_network_security_group.web"],
    )
    to_nic = res(
        "azurerm_network_interface_security_group_association.a",
        {"network_interface_id": UNKNOWN, "network_security_group_id": UNKNOWN},
        network_interface_id=["azurerm_network_interface.a"],
        network_security_group_id=["azurerm_network_security_group.web"],
    )
    model = build(vnet(), subnet("web", "10.0.1.0/24"), group, nic("a"), to_subnet, to_nic)
    assert model.subnets["azurerm_subnet.web"].security_group == group.address
    interface = model.endpoints["azurerm_network_interface.a"].interfaces[0]
    assert interface.network_security_group == group.address
    assert interface.security_groups == []


def test_asg_association_puts_the_nic_in_the_group() -> None:
    asg = res("azurerm_application_security_group.web", {"name": "web"})
    association = res(
        "azurerm_network_interface_application_security_group_association.a",
        {"network_interface_id": UNKNOWN, "application_security_group_id": UNKNOWN},
        network_interface_id=["azurerm_network_interface.a"],
        application_security_group_id=["azurerm_application_security_group.web"],
    )
    model = build(vnet(), subnet("web", "10.0.1.0/24"), asg, nic("a"), vm("a", "a"), association)
    interface = model.endpoints["azurerm_linux_virtual_machine.a"].interfaces[0]
    assert interface.application_security_groups == [asg.address]


# --- network interfaces, VMs, public IPs ------------------------------------------------------


def test_vm_owns_its_nics_and_a_lone_nic_is_an_endpoint() -> None:
    model = build(
        vnet(),
        subnet("web", "10.0.1.0/24"),
        nic("a", private_ip_address="10.0.1.10", private_ip_address_allocation="Static"),
        nic("b"),
        nic("spare"),
        vm("web", "a", "b"),
    )
    machine = model.endpoints["azurerm_linux_virtual_machine.web"]
    assert machine.kind == "virtual-machine"
    assert machine.tags == {"Tier": "web"}
    assert [i.address for i in machine.interfaces] == [
        "azurerm_network_interface.a",
        "azurerm_network_interface.b",
    ]
    first = machine.interfaces[0]
    assert (first.subnet, first.network) == ("azurerm_subnet.web", "azurerm_virtual_network.main")
    assert first.private_ips == ["10.0.1.10"]
    assert machine.interfaces[1].private_ips == []
    assert "azurerm_network_interface.a" not in model.endpoints
    assert model.endpoints["azurerm_network_interface.spare"].kind == "network-interface"


def test_counted_vms_take_the_nic_of_their_own_index() -> None:
    nics = [nic(f"n[{i}]") for i in range(2)]
    machines = [
        res(
            f"azurerm_linux_virtual_machine.web[{i}]",
            {"name": f"web{i}", "network_interface_ids": UNKNOWN},
            network_interface_ids=["azurerm_network_interface.n"],
        )
        for i in range(2)
    ]
    model = build(vnet(), subnet("web", "10.0.1.0/24"), *nics, *machines)
    for i in range(2):
        interfaces = model.endpoints[f"azurerm_linux_virtual_machine.web[{i}]"].interfaces
        assert [x.address for x in interfaces] == [f"azurerm_network_interface.n[{i}]"]


def test_public_ip_makes_the_interface_public_and_is_recorded() -> None:
    pip = res("azurerm_public_ip.a", {"name": "a", "allocation_method": "Static"})
    public_nic = nic("a", public_ip_address_id=UNKNOWN)
    public_nic.references["ip_configuration.0.public_ip_address_id"] = ["azurerm_public_ip.a"]
    model = build(vnet(), subnet("web", "10.0.1.0/24"), pip, public_nic, nic("b"), vm("a", "a"))
    interface = model.endpoints["azurerm_linux_virtual_machine.a"].interfaces[0]
    assert interface.public is True
    assert interface.public_source == pip.address
    eip = model.elastic_ips[pip.address]
    assert (eip.endpoint, eip.interface) == ("azurerm_linux_virtual_machine.a", public_nic.address)
    assert model.endpoints["azurerm_network_interface.b"].interfaces[0].public is False


@pytest.mark.parametrize(
    ("values", "closed"),
    [
        # azurerm_public_ip: "Public IP Standard SKUs require allocation_method to be set to
        # Static"; so Dynamic, whatever the provider's default SKU, is Basic: open.
        ({"allocation_method": "Dynamic"}, False),
        # Static without a SKU: Basic under provider 3.x, Standard under 4.x; not known.
        ({"allocation_method": "Static"}, None),
        ({"allocation_method": "Static", "sku": "Standard"}, True),
        ({"allocation_method": "Dynamic", "sku": "Basic"}, False),
    ],
)
def test_a_public_ips_sku_is_written_or_follows_from_its_allocation(
    values: dict[str, Any], closed: bool | None
) -> None:
    pip = res("azurerm_public_ip.a", {"name": "a", **values})
    public_nic = nic("a", public_ip_address_id=UNKNOWN)
    public_nic.references["ip_configuration.0.public_ip_address_id"] = ["azurerm_public_ip.a"]
    model = build(vnet(), subnet("web", "10.0.1.0/24"), pip, public_nic, vm("a", "a"))
    interface = model.endpoints["azurerm_linux_virtual_machine.a"].interfaces[0]
    assert interface.closed_without_nsg is closed


def test_empty_public_ip_id_is_no_public_ip() -> None:
    model = build(vnet(), subnet("web", "10.0.1.0/24"), nic("a", public_ip_address_id=""))
    interface = model.endpoints["azurerm_network_interface.a"].interfaces[0]
    assert interface.public is False
    assert interface.unknown == []


# --- load balancers ---------------------------------------------------------------------------


def _balanced(protocol: str = "Tcp") -> list[TfResource]:
    lb = res(
        "azurerm_lb.web",
        {
            "name": "web",
            "sku": "Standard",
            "frontend_ip_configuration": [{"name": "public", "public_ip_address_id": UNKNOWN}],
        },
        frontend_ip_configuration__0__public_ip_address_id=["azurerm_public_ip.lb"],
    )
    pool = res(
        "azurerm_lb_backend_address_pool.web",
        {"name": "web", "loadbalancer_id": UNKNOWN},
        loadbalancer_id=["azurerm_lb.web"],
    )
    associations = [
        res(
            f"azurerm_network_interface_backend_address_pool_association.web[{i}]",
            {
                "network_interface_id": UNKNOWN,
                "ip_configuration_name": "ipconfig",
                "backend_address_pool_id": UNKNOWN,
            },
            network_interface_id=[f"azurerm_network_interface.n[{i}]"],
            backend_address_pool_id=["azurerm_lb_backend_address_pool.web"],
        )
        for i in range(2)
    ]
    lb_rule = res(
        "azurerm_lb_rule.http",
        {
            "name": "http",
            "loadbalancer_id": UNKNOWN,
            "protocol": protocol,
            "frontend_port": 80,
            "backend_port": 8080,
            "frontend_ip_configuration_name": "public",
            "backend_address_pool_ids": UNKNOWN,
        },
        loadbalancer_id=["azurerm_lb.web"],
        backend_address_pool_ids=["azurerm_lb_backend_address_pool.web"],
    )
    machines = [
        res(
            f"azurerm_linux_virtual_machine.web[{i}]",
            {"name": f"web{i}", "network_interface_ids": UNKNOWN},
            network_interface_ids=[f"azurerm_network_interface.n[{i}]"],
        )
        for i in range(2)
    ]
    return [
        vnet(),
        subnet("web", "10.0.1.0/24"),
        res("azurerm_public_ip.lb", {"name": "lb"}),
        *[nic(f"n[{i}]") for i in range(2)],
        *machines,
        lb,
        pool,
        *associations,
        lb_rule,
    ]


def test_lb_rule_forwards_to_the_pool_members_through_their_associations() -> None:
    model = build(*_balanced())
    balancer = model.endpoints["azurerm_lb.web"]
    assert balancer.kind == "load-balancer"
    spec = balancer.load_balancer
    assert spec is not None
    assert (spec.scheme, spec.flavor, spec.preserves_client_address) == (
        "internet-facing",
        "network",
        True,
    )
    frontend = balancer.interfaces[0]
    assert frontend.address == "azurerm_lb.web/frontend_ip_configuration/public"
    assert (frontend.public, frontend.public_source) == (True, "azurerm_public_ip.lb")
    assert (frontend.subnet, frontend.network) == (None, "azurerm_virtual_network.main")
    assert frontend.network_security_group is None and frontend.security_groups == []
    [listener] = spec.listeners
    assert (listener.address, listener.port, listener.protocol) == (
        "azurerm_lb_rule.http",
        80,
        "tcp",
    )
    assert balancer.exposure == "azure-load-balancer-standard"
    assert listener.frontends == ["azurerm_lb.web/frontend_ip_configuration/public"]
    group = model.target_groups[listener.target_groups[0]]
    assert group.address == "azurerm_lb_rule.http#backend"
    assert group.port == 8080
    assert [(t.endpoint, t.via) for t in group.targets] == [
        (
            f"azurerm_linux_virtual_machine.web[{i}]",
            f"azurerm_network_interface_backend_address_pool_association.web[{i}]",
        )
        for i in range(2)
    ]
    assert model.elastic_ips["azurerm_public_ip.lb"].endpoint == "azurerm_lb.web"


def test_an_lb_rule_whose_frontend_port_is_not_known_listens_on_a_port_not_known() -> None:
    # `frontend_port = var.port` without a value: a listener on some port (any, when open),
    # named by it; the backend port as written. Before, the rule was left out.
    resources = _balanced()
    rule = resources[-1]
    rule.values["frontend_port"] = UNKNOWN
    model = build(*resources)
    spec = model.endpoints["azurerm_lb.web"].load_balancer
    assert spec is not None
    [listener] = spec.listeners
    assert (listener.port, listener.unknown) == (None, ["frontend_port"])
    group = model.target_groups[listener.target_groups[0]]
    assert (group.port, group.unknown) == (8080, [])


def test_lb_rule_for_all_protocols_listens_on_tcp_and_udp() -> None:
    model = build(*_balanced("All"))
    spec = model.endpoints["azurerm_lb.web"].load_balancer
    assert spec is not None
    assert spec.listeners[0].protocol == "tcp_udp"


def test_internal_lb_frontend_sits_in_its_subnet() -> None:
    lb = res(
        "azurerm_lb.app",
        {
            "name": "app",
            "frontend_ip_configuration": [
                {
                    "name": "private",
                    "subnet_id": UNKNOWN,
                    "private_ip_address": "10.0.1.100",
                    "public_ip_address_id": "",
                }
            ],
        },
        frontend_ip_configuration__0__subnet_id=["azurerm_subnet.web"],
    )
    model = build(vnet(), subnet("web", "10.0.1.0/24"), lb)
    balancer = model.endpoints["azurerm_lb.app"]
    assert balancer.load_balancer is not None
    assert balancer.load_balancer.scheme == "internal"
    frontend = balancer.interfaces[0]
    assert (frontend.subnet, frontend.public, frontend.private_ips) == (
        "azurerm_subnet.web",
        False,
        ["10.0.1.100"],
    )


def test_nat_rule_forwards_to_the_associated_nic_owner() -> None:
    nat = res(
        "azurerm_lb_nat_rule.ssh",
        {
            "name": "ssh",
            "loadbalancer_id": UNKNOWN,
            "protocol": "Tcp",
            "frontend_port": 2222,
            "backend_port": 22,
        },
        loadbalancer_id=["azurerm_lb.web"],
    )
    association = res(
        "azurerm_network_interface_nat_rule_association.ssh",
        {"network_interface_id": UNKNOWN, "nat_rule_id": UNKNOWN},
        network_interface_id=["azurerm_network_interface.n[0]"],
        nat_rule_id=["azurerm_lb_nat_rule.ssh"],
    )
    model = build(*_balanced(), nat, association)
    spec = model.endpoints["azurerm_lb.web"].load_balancer
    assert spec is not None
    listener = next(item for item in spec.listeners if item.port == 2222)
    group = model.target_groups[listener.target_groups[0]]
    assert group.port == 22
    assert [t.endpoint for t in group.targets] == ["azurerm_linux_virtual_machine.web[0]"]


def test_scale_set_interfaces_join_pools_and_get_public_ips() -> None:
    scale_set = res(
        "azurerm_linux_virtual_machine_scale_set.app",
        {
            "name": "app",
            "tags": {"Tier": "app"},
            "network_interface": [
                {
                    "name": "nic",
                    "primary": True,
                    "network_security_group_id": UNKNOWN,
                    "ip_configuration": [
                        {
                            "name": "internal",
                            "subnet_id": UNKNOWN,
                            "load_balancer_backend_address_pool_ids": UNKNOWN,
                            "application_security_group_ids": UNKNOWN,
                            "public_ip_address": [{"name": "each"}],
                        }
                    ],
                }
            ],
        },
        network_interface__0__network_security_group_id=["azurerm_network_security_group.app"],
        network_interface__0__ip_configuration__0__subnet_id=["azurerm_subnet.web"],
        network_interface__0__ip_configuration__0__load_balancer_backend_address_pool_ids=[
            "azurerm_lb_backend_address_pool.web"
        ],
        network_interface__0__ip_configuration__0__application_security_group_ids=[
            "azurerm_application_security_group.app"
        ],
    )
    model = build(
        *_balanced(),
        res("azurerm_network_security_group.app", {"name": "app"}),
        res("azurerm_application_security_group.app", {"name": "app"}),
        scale_set,
    )
    endpoint = model.endpoints[scale_set.address]
    assert endpoint.kind == "scale-set"
    [interface] = endpoint.interfaces
    assert interface.address == f"{scale_set.address}/network_interface/nic"
    assert interface.subnet == "azurerm_subnet.web"
    assert interface.network_security_group == "azurerm_network_security_group.app"
    assert interface.application_security_groups == ["azurerm_application_security_group.app"]
    assert interface.public is True
    assert model.elastic_ips[interface.public_source or ""].endpoint == scale_set.address
    group = model.target_groups["azurerm_lb_rule.http#backend"]
    assert scale_set.address in [t.endpoint for t in group.targets]


def _ha_ports(backend_port: int, public: bool) -> list[TfResource]:
    """_balanced with its rule on port 0, protocol All; its frontend private unless `public`."""
    resources = _balanced("All")
    resources[-1].values.update(frontend_port=0, backend_port=backend_port)
    if not public:
        index = next(i for i, r in enumerate(resources) if r.address == "azurerm_lb.web")
        frontend = {"name": "public", "private_ip_address": "10.0.1.100", "subnet_id": UNKNOWN}
        resources[index] = res(
            "azurerm_lb.web",
            {"name": "web", "sku": "Standard", "frontend_ip_configuration": [frontend]},
            frontend_ip_configuration__0__subnet_id=["azurerm_subnet.web"],
        )
    return resources


def test_ha_ports_rule_on_an_internal_frontend_listens_on_every_port() -> None:
    model = build(*_ha_ports(0, public=False))
    spec = model.endpoints["azurerm_lb.web"].load_balancer
    assert spec is not None and spec.scheme == "internal"
    [listener] = spec.listeners
    assert (listener.every_port, listener.port, listener.port_unknown, listener.unknown) == (
        True,
        None,
        None,
        [],
    )
    assert listener.protocol == "tcp_udp"
    group = model.target_groups["azurerm_lb_rule.http#backend"]
    assert (group.port, group.port_unknown, group.unknown) == (None, None, [])
    assert "HA ports" not in notes(model)


@pytest.mark.parametrize(
    ("backend_port", "public", "said"),
    [
        (0, True, "on an internal load balancer's frontend only"),
        (8080, False, "frontend port 0 (every port) but backend port 8080"),
    ],
)
def test_port_zero_that_azure_does_not_take_is_a_note_not_a_listener(
    backend_port: int, public: bool, said: str
) -> None:
    model = build(*_ha_ports(backend_port, public))
    spec = model.endpoints["azurerm_lb.web"].load_balancer
    assert spec is not None
    assert spec.listeners == []
    assert said in notes(model)


# --- application gateways, bastion, private endpoints ------------------------------------------


def test_application_gateway_routes_listener_to_pool_members() -> None:
    gateway = res(
        "azurerm_application_gateway.front",
        {
            "name": "front",
            "gateway_ip_configuration": [{"name": "gw", "subnet_id": UNKNOWN}],
            "frontend_ip_configuration": [{"name": "pub", "public_ip_address_id": UNKNOWN}],
            "frontend_port": [{"name": "http", "port": 80}],
            "backend_address_pool": [
                {"name": "vms", "ip_addresses": [], "fqdns": []},
                {"name": "static", "ip_addresses": ["10.0.1.20"], "fqdns": []},
            ],
            "backend_http_settings": [{"name": "s8080", "port": 8080, "protocol": "Http"}],
            "http_listener": [
                {
                    "name": "l80",
                    "frontend_ip_configuration_name": "pub",
                    "frontend_port_name": "http",
                    "protocol": "Http",
                }
            ],
            "request_routing_rule": [
                {
                    "name": "r1",
                    "rule_type": "Basic",
                    "http_listener_name": "l80",
                    "backend_address_pool_name": "vms",
                    "backend_http_settings_name": "s8080",
                },
                {
                    "name": "r2",
                    "rule_type": "Basic",
                    "http_listener_name": "l80",
                    "backend_address_pool_name": "static",
                    "backend_http_settings_name": "s8080",
                },
            ],
        },
        gateway_ip_configuration__0__subnet_id=["azurerm_subnet.gw"],
        frontend_ip_configuration__0__public_ip_address_id=["azurerm_public_ip.gw"],
    )
    # A known pool id names the pool; a bare reference to the gateway could be any pool.
    association = res(
        "azurerm_network_interface_application_gateway_backend_address_pool_association.a",
        {
            "network_interface_id": UNKNOWN,
            "ip_configuration_name": "ipconfig",
            "backend_address_pool_id": (
                f"{SUB}/Microsoft.Network/applicationGateways/front/backendAddressPools/vms"
            ),
        },
        network_interface_id=["azurerm_network_interface.a"],
    )
    static = nic("b", private_ip_address="10.0.1.20", private_ip_address_allocation="Static")
    model = build(
        vnet(),
        subnet("web", "10.0.1.0/24"),
        subnet("gw", "10.0.0.0/24"),
        res("azurerm_public_ip.gw", {"name": "gw"}),
        nic("a"),
        static,
        vm("a", "a"),
        gateway,
        association,
    )
    endpoint = model.endpoints[gateway.address]
    spec = endpoint.load_balancer
    assert spec is not None
    assert (spec.flavor, spec.scheme, spec.preserves_client_address) == (
        "application",
        "internet-facing",
        False,
    )
    [interface] = endpoint.interfaces
    assert (interface.subnet, interface.public) == ("azurerm_subnet.gw", True)
    [listener] = spec.listeners
    assert listener.port == 80
    groups = [model.target_groups[address] for address in listener.target_groups]
    assert [(g.port, [t.endpoint for t in g.targets]) for g in groups] == [
        (8080, ["azurerm_linux_virtual_machine.a"]),
        (8080, ["azurerm_network_interface.b"]),
    ]
    assert model.notes == []


def test_pool_association_naming_only_the_gateway_joins_every_pool_with_a_note() -> None:
    gateway = res(
        "azurerm_application_gateway.front",
        {
            "name": "front",
            "backend_address_pool": [{"name": "a"}, {"name": "b"}],
            "backend_http_settings": [{"name": "s", "port": 80}],
            "frontend_port": [{"name": "p", "port": 80}],
            "frontend_ip_configuration": [{"name": "f", "private_ip_address": "10.0.1.50"}],
            "http_listener": [
                {"name": "l", "frontend_port_name": "p", "frontend_ip_configuration_name": "f"}
            ],
            "request_routing_rule": [
                {
                    "name": name,
                    "http_listener_name": "l",
                    "backend_address_pool_name": name,
                    "backend_http_settings_name": "s",
                }
                for name in ("a", "b")
            ],
        },
    )
    association = res(
        "azurerm_network_interface_application_gateway_backend_address_pool_association.x",
        {"network_interface_id": UNKNOWN, "backend_address_pool_id": UNKNOWN},
        network_interface_id=["azurerm_network_interface.x"],
        backend_address_pool_id=["azurerm_application_gateway.front"],
    )
    model = build(vnet(), subnet("web", "10.0.1.0/24"), nic("x"), gateway, association)
    spec = model.endpoints[gateway.address].load_balancer
    assert spec is not None and spec.scheme == "internal"
    targets = [
        [t.endpoint for t in model.target_groups[g].targets]
        for g in spec.listeners[0].target_groups
    ]
    assert targets == [["azurerm_network_interface.x"], ["azurerm_network_interface.x"]]
    assert "cannot be told apart" in notes(model)


@pytest.mark.parametrize(
    ("policies", "skipped", "unknown"),
    [
        ({"private_endpoint_network_policies": "Disabled"}, True, None),
        ({"private_endpoint_network_policies": "RouteTableEnabled"}, True, None),
        ({"private_endpoint_network_policies": "Enabled"}, False, None),
        ({"private_endpoint_network_policies": "NetworkSecurityGroupEnabled"}, False, None),
        ({"private_endpoint_network_policies_enabled": False}, True, None),
        ({}, False, None),  # the default differs by provider version: the NSG is kept
        (
            {"private_endpoint_network_policies": UNKNOWN},
            False,
            "azurerm_subnet.pe: private_endpoint_network_policies",
        ),
    ],
)
def test_a_subnet_nsg_filters_a_private_endpoint_as_its_network_policies_say(
    policies: dict[str, Any], skipped: bool, unknown: str | None
) -> None:
    """https://learn.microsoft.com/azure/private-link/disable-private-endpoint-network-policy"""
    group = res("azurerm_network_security_group.pe", {"name": "pe"})
    association = res(
        "azurerm_subnet_network_security_group_association.pe",
        {"subnet_id": UNKNOWN, "network_security_group_id": UNKNOWN},
        subnet_id=["azurerm_subnet.pe"],
        network_security_group_id=["azurerm_network_security_group.pe"],
    )
    endpoint = res(
        "azurerm_private_endpoint.blob",
        {"name": "blob", "subnet_id": UNKNOWN},
        subnet_id=["azurerm_subnet.pe"],
    )
    model = build(vnet(), subnet("pe", "10.0.2.0/24", **policies), group, association, endpoint)
    interface = model.endpoints[endpoint.address].interfaces[0]
    assert model.subnets["azurerm_subnet.pe"].security_group == group.address
    assert (interface.subnet_nsg_skipped, interface.subnet_nsg_unknown) == (skipped, unknown)
    assert ("does not filter traffic to this private endpoint" in notes(model)) == skipped


def test_bastion_and_private_endpoint_are_endpoints_in_their_subnets() -> None:
    bastion = res(
        "azurerm_bastion_host.b",
        {
            "name": "b",
            "ip_configuration": [
                {"name": "c", "subnet_id": UNKNOWN, "public_ip_address_id": UNKNOWN}
            ],
        },
        ip_configuration__0__subnet_id=["azurerm_subnet.bastion"],
        ip_configuration__0__public_ip_address_id=["azurerm_public_ip.b"],
    )
    endpoint = res(
        "azurerm_private_endpoint.sql",
        {
            "name": "sql",
            "subnet_id": UNKNOWN,
            "ip_configuration": [{"private_ip_address": "10.0.1.9"}],
        },
        subnet_id=["azurerm_subnet.web"],
    )
    model = build(
        vnet(),
        subnet("web", "10.0.1.0/24"),
        subnet("bastion", "10.0.9.0/26", name="AzureBastionSubnet"),
        res("azurerm_public_ip.b", {"name": "b"}),
        bastion,
        endpoint,
    )
    host = model.endpoints[bastion.address]
    assert host.kind == "bastion"
    assert host.exposure == "azure-bastion"  # no sku: Basic
    assert (host.interfaces[0].subnet, host.interfaces[0].public) == (
        "azurerm_subnet.bastion",
        True,
    )
    private = model.endpoints[endpoint.address]
    assert private.kind == "private-endpoint"
    assert private.exposure == "azure-private-endpoint"
    assert (private.interfaces[0].subnet, private.interfaces[0].private_ips) == (
        "azurerm_subnet.web",
        ["10.0.1.9"],
    )


# --- routes, gateways, VPN, peering -----------------------------------------------------------


def _routed() -> list[TfResource]:
    table = res(
        "azurerm_route_table.app",
        {
            "name": "app",
            "route": [
                {
                    "name": "default",
                    "address_prefix": "0.0.0.0/0",
                    "next_hop_type": "VirtualNetworkGateway",
                    "next_hop_in_ip_address": "",
                },
                {"name": "local", "address_prefix": "10.0.0.0/16", "next_hop_type": "VnetLocal"},
                {"name": "out", "address_prefix": "203.0.113.0/24", "next_hop_type": "Internet"},
                {"name": "drop", "address_prefix": "198.51.100.0/24", "next_hop_type": "None"},
            ],
        },
    )
    appliance = res(
        "azurerm_route.fw",
        {
            "name": "fw",
            "route_table_name": "app",
            "address_prefix": "172.16.0.0/12",
            "next_hop_type": "VirtualAppliance",
            "next_hop_in_ip_address": "10.0.250.4",
        },
    )
    association = res(
        "azurerm_subnet_route_table_association.app",
        {"subnet_id": UNKNOWN, "route_table_id": UNKNOWN},
        subnet_id=["azurerm_subnet.app"],
        route_table_id=["azurerm_route_table.app"],
    )
    gateway = res(
        "azurerm_virtual_network_gateway.vpn",
        {"name": "vpn", "type": "Vpn", "ip_configuration": [{"name": "c", "subnet_id": UNKNOWN}]},
        ip_configuration__0__subnet_id=["azurerm_subnet.gateway"],
    )
    firewall = res(
        "azurerm_firewall.hub",
        {
            "name": "hub",
            "ip_configuration": [
                {
                    "name": "c",
                    "subnet_id": UNKNOWN,
                    "public_ip_address_id": UNKNOWN,
                    "private_ip_address": UNKNOWN,
                }
            ],
        },
        ip_configuration__0__subnet_id=["azurerm_subnet.firewall"],
        ip_configuration__0__public_ip_address_id=["azurerm_public_ip.fw"],
    )
    return [
        vnet(),
        subnet("app", "10.0.2.0/24"),
        subnet("gateway", "10.0.255.0/27", name="GatewaySubnet"),
        subnet("firewall", "10.0.250.0/26", name="AzureFirewallSubnet"),
        res("azurerm_public_ip.fw", {"name": "fw"}),
        table,
        appliance,
        association,
        gateway,
        firewall,
    ]


def test_route_next_hops_name_their_gateways() -> None:
    model = build(*_routed())
    table = model.route_tables["azurerm_route_table.app"]
    assert (table.network, table.subnets) == (
        "azurerm_virtual_network.main",
        ["azurerm_subnet.app"],
    )
    assert model.subnets["azurerm_subnet.app"].route_table == table.address
    assert [(r.destination, r.target_kind, r.target) for r in table.routes] == [
        ("0.0.0.0/0", "vpn-gateway", "azurerm_virtual_network_gateway.vpn"),
        ("10.0.0.0/16", "local", None),
        ("203.0.113.0/24", "internet", None),
        ("198.51.100.0/24", "blackhole", None),
        ("172.16.0.0/12", "virtual-appliance", "azurerm_firewall.hub"),
    ]
    assert table.routes[-1].address == "azurerm_route.fw"
    vpn = model.gateways["azurerm_virtual_network_gateway.vpn"]
    assert (vpn.kind, vpn.network, vpn.subnet) == (
        "vpn-gateway",
        "azurerm_virtual_network.main",
        "azurerm_subnet.gateway",
    )


def test_firewall_private_ip_is_the_fourth_address_of_its_subnet() -> None:
    model = build(*_routed())
    firewall = model.gateways["azurerm_firewall.hub"]
    assert (firewall.kind, firewall.private_ips, firewall.public) == (
        "firewall",
        ["10.0.250.4"],
        True,
    )
    assert "assumed 10.0.250.4" in notes(model)


def test_route_table_no_subnet_uses_is_a_note() -> None:
    unused = res("azurerm_route_table.spare", {"name": "spare", "route": []})
    model = build(*_routed(), unused)
    assert "azurerm_route_table.spare" not in model.route_tables
    assert "no subnet in the input uses it" in notes(model)


def test_firewall_rule_collections_become_the_firewall_rules() -> None:
    """Classic collections join the firewall they name; deny collections by priority first."""

    def collection(name: str, priority: int, action: str, port: str) -> TfResource:
        rule = {
            "name": f"{name}-rule",
            "protocols": ["TCP"],
            "source_addresses": ["10.0.0.0/16"],
            "destination_addresses": ["*"],
            "destination_ports": [port],
        }
        return res(
            f"azurerm_firewall_network_rule_collection.{name}",
            {"name": name, "azure_firewall_name": "hub", "priority": priority,
             "action": action, "rule": [rule]},
            azure_firewall_name=["azurerm_firewall.hub"],
        )  # fmt: skip

    model = build(
        *_routed(), collection("web", 200, "Allow", "443"), collection("no", 100, "Deny", "*")
    )
    policy = model.gateways["azurerm_firewall.hub"].policy
    assert policy is not None
    assert [(r.name, r.action) for r in policy.rules] == [
        ("no-rule", "deny"),
        ("web-rule", "allow"),
    ]
    assert policy.rules[1].destination_ports == [PortRange(low=443, high=443)]
    assert not [n for n in model.notes if "azurerm_firewall_network_rule_collection" in n.message]


def test_vpn_connection_makes_the_local_network_an_onprem_site() -> None:
    local = res(
        "azurerm_local_network_gateway.office",
        {"name": "office", "gateway_address": "198.51.100.1", "address_space": ["192.168.0.0/16"]},
    )
    connection = res(
        "azurerm_virtual_network_gateway_connection.office",
        {
            "name": "office",
            "type": "IPsec",
            "virtual_network_gateway_id": UNKNOWN,
            "local_network_gateway_id": UNKNOWN,
        },
        virtual_network_gateway_id=["azurerm_virtual_network_gateway.vpn"],
        local_network_gateway_id=["azurerm_local_network_gateway.office"],
    )
    model = build(*_routed(), local, connection)
    site = model.onprem_sites[local.address]
    assert (site.type, site.gateway, site.cidrs) == (
        "azurerm_local_network_gateway",
        "azurerm_virtual_network_gateway.vpn",
        ["192.168.0.0/16"],
    )


def test_local_network_gateway_without_connection_reaches_nothing() -> None:
    local = res(
        "azurerm_local_network_gateway.lost", {"name": "lost", "address_space": ["192.168.0.0/16"]}
    )
    model = build(*_routed(), local)
    assert model.onprem_sites == {}
    assert "no connection uses it" in notes(model)


def test_nat_gateway_serves_its_subnets() -> None:
    nat = res("azurerm_nat_gateway.out", {"name": "out"})
    association = res(
        "azurerm_subnet_nat_gateway_association.app",
        {"subnet_id": UNKNOWN, "nat_gateway_id": UNKNOWN},
        subnet_id=["azurerm_subnet.app"],
        nat_gateway_id=["azurerm_nat_gateway.out"],
    )
    address = res(
        "azurerm_nat_gateway_public_ip_association.out",
        {"nat_gateway_id": UNKNOWN, "public_ip_address_id": UNKNOWN},
        nat_gateway_id=["azurerm_nat_gateway.out"],
        public_ip_address_id=["azurerm_public_ip.nat"],
    )
    model = build(vnet(), subnet("app", "10.0.2.0/24"), nat, association, address)
    assert model.subnets["azurerm_subnet.app"].nat_gateway == nat.address
    gateway = model.gateways[nat.address]
    assert (gateway.kind, gateway.network, gateway.public) == (
        "nat-gateway",
        "azurerm_virtual_network.main",
        True,
    )


def _peering(name: str, local: str, remote: str, **flags: bool) -> TfResource:
    return res(
        f"azurerm_virtual_network_peering.{name}",
        {
            "name": name,
            "virtual_network_name": local,
            "remote_virtual_network_id": UNKNOWN,
            **flags,
        },
        remote_virtual_network_id=[f"azurerm_virtual_network.{remote}"],
    )


def test_both_directions_of_a_peering_are_one_active_peering() -> None:
    model = build(
        vnet("hub", "10.0.0.0/16"),
        vnet("spoke", "10.1.0.0/16"),
        _peering("hub_to_spoke", "hub", "spoke", allow_gateway_transit=True),
        _peering(
            "spoke_to_hub", "spoke", "hub", use_remote_gateways=True, allow_forwarded_traffic=True
        ),
    )
    [peering] = model.peerings.values()
    assert peering.address == "azurerm_virtual_network_peering.hub_to_spoke"
    assert (peering.requester, peering.accepter, peering.active) == (
        "azurerm_virtual_network.hub",
        "azurerm_virtual_network.spoke",
        True,
    )
    assert peering.gateway_user == "azurerm_virtual_network.spoke"
    assert peering.allow_forwarded_traffic


def test_one_direction_of_a_peering_carries_nothing() -> None:
    model = build(vnet("hub"), vnet("spoke", "10.1.0.0/16"), _peering("only", "hub", "spoke"))
    assert model.peerings["azurerm_virtual_network_peering.only"].active is False
    assert "until both directions exist" in notes(model)


def test_peering_to_a_vnet_outside_the_input_is_assumed_active() -> None:
    outside = res(
        "azurerm_virtual_network_peering.out",
        {
            "name": "out",
            "virtual_network_name": "hub",
            "remote_virtual_network_id": f"{SUB}/Microsoft.Network/virtualNetworks/elsewhere",
        },
    )
    model = build(vnet("hub"), outside)
    peering = model.peerings[outside.address]
    assert (peering.requester, peering.accepter, peering.active) == (
        "azurerm_virtual_network.hub",
        None,
        True,
    )
    assert "outside the input" in notes(model)


# --- what is not modelled, what is unknown, what is broken ------------------------------------


def test_unmodelled_types_get_one_note_per_type() -> None:
    accounts = [res(f"azurerm_storage_account.s{i}", {"name": f"s{i}"}) for i in range(7)]
    model = build(vnet(), *accounts, res("azurerm_virtual_hub.h", {"name": "h"}))
    messages = notes(model).splitlines()
    storage = [m for m in messages if "azurerm_storage_account" in m]
    assert storage == [
        "7 azurerm_storage_account resource(s) not modelled: azurerm_storage_account.s0, "
        "azurerm_storage_account.s1, azurerm_storage_account.s2, azurerm_storage_account.s3, "
        "azurerm_storage_account.s4 and 2 more"
    ]
    assert any("azurerm_virtual_hub" in m and "may affect reachability" in m for m in messages)
    assert not any("azurerm_virtual_network " in m for m in messages)


def test_unknown_links_are_recorded_with_a_note() -> None:
    lost = res(
        "azurerm_network_interface.lost",
        {"name": "lost", "ip_configuration": [{"name": "c", "subnet_id": UNKNOWN}]},
    )
    association = res(
        "azurerm_network_interface_security_group_association.lost",
        {"network_interface_id": UNKNOWN, "network_security_group_id": UNKNOWN},
        network_interface_id=["azurerm_network_interface.lost"],
    )
    model = build(vnet(), lost, association)
    interface = model.endpoints[lost.address].interfaces[0]
    # In a subnet not known of the only virtual network, whose NSG's rules are not known.
    assert (interface.subnet, interface.network) == (
        "a subnet of azurerm_virtual_network.main",
        "azurerm_virtual_network.main",
    )
    placed = model.subnets[interface.subnet]
    assert placed.outside and placed.security_group is not None
    nsg = model.network_security_groups[placed.security_group]
    assert [(r.direction, r.unknown_parts) for r in nsg.rules] == [
        ("inbound", ["access"]),
        ("outbound", ["access"]),
    ]
    assert set(interface.unknown) == {"subnet", "network_security_group"}
    text = notes(model)
    assert (
        "its subnet is not known; placed in azurerm_virtual_network.main (the only virtual "
        "network in the input)"
    ) in text
    assert "ip_configuration.0.subnet_id is known only after apply" in text
    assert "network_security_group_id is known only after apply" in text


def test_vm_whose_nics_are_not_in_the_input_keeps_an_unknown_interface() -> None:
    model = build(vnet(), vm("orphan", "missing"))
    machine = model.endpoints["azurerm_linux_virtual_machine.orphan"]
    assert "network_interface_ids" in machine.unknown
    assert machine.interfaces[0].unknown == ["subnet"]


def test_known_ids_link_case_insensitively() -> None:
    group_id = f"{SUB}/Microsoft.Network/networkSecurityGroups/web"
    group = res("azurerm_network_security_group.web", {"name": "web", "id": group_id})
    association = res(
        "azurerm_subnet_network_security_group_association.web",
        {"subnet_id": UNKNOWN, "network_security_group_id": group_id.lower()},
        subnet_id=["azurerm_subnet.web"],
    )
    model = build(vnet(), subnet("web", "10.0.1.0/24"), group, association)
    assert model.subnets["azurerm_subnet.web"].security_group == group.address


def _internal_balancer(sku: str) -> list[TfResource]:
    """_balanced with its load balancer internal: one private frontend in the VMs' subnet."""
    internal = res(
        "azurerm_lb.web",
        {
            "name": "web",
            "sku": sku,
            "frontend_ip_configuration": [{"name": "public", "subnet_id": UNKNOWN}],
        },
        frontend_ip_configuration__0__subnet_id=["azurerm_subnet.web"],
    )
    return [internal if r.address == "azurerm_lb.web" else r for r in _balanced()]


def test_only_an_internal_standard_load_balancer_takes_default_outbound_access_away() -> None:
    # learn.microsoft.com/azure/load-balancer/skus: when only an internal Standard load
    # balancer serves a VM, default SNAT is not available; a public or Basic one keeps it.
    def outbound(*resources: TfResource) -> list[bool]:
        model = build(*resources)
        return [
            interface.default_outbound_access
            for index in range(2)
            for interface in model.endpoints[
                f"azurerm_linux_virtual_machine.web[{index}]"
            ].interfaces
        ]

    assert outbound(*_internal_balancer("Standard")) == [False, False]
    # A frontend whose public IP rests on a variable without value may be public: the load
    # balancer is not known to be internal, so the VMs keep their way out.
    unsure = _internal_balancer("Standard")
    (balancer,) = [r for r in unsure if r.address == "azurerm_lb.web"]
    balancer.values["frontend_ip_configuration"][0]["public_ip_address_id"] = UNKNOWN
    balancer.unknown_values["frontend_ip_configuration.0.public_ip_address_id"] = [
        UnknownValue(sources=("var.frontend_ip",))
    ]
    assert outbound(*unsure) == [True, True]
    assert outbound(*_internal_balancer("Basic")) == [True, True]
    assert outbound(*_balanced()) == [True, True]


GARBAGE: list[Any] = [
    None,
    UNKNOWN,
    "",
    "x",
    7,
    -1,
    True,
    [],
    {},
    [None],
    [UNKNOWN],
    [{}],
    {"a": 1},
]


@pytest.mark.parametrize("garbage", GARBAGE, ids=repr)
def test_odd_values_never_crash_the_mapper(garbage: Any) -> None:
    types = [
        "azurerm_virtual_network",
        "azurerm_subnet",
        "azurerm_network_security_group",
        "azurerm_network_security_rule",
        "azurerm_network_interface",
        "azurerm_linux_virtual_machine",
        "azurerm_linux_virtual_machine_scale_set",
        "azurerm_virtual_machine_scale_set",
        "azurerm_lb",
        "azurerm_lb_rule",
        "azurerm_lb_nat_rule",
        "azurerm_application_gateway",
        "azurerm_firewall",
        "azurerm_route_table",
        "azurerm_route",
        "azurerm_virtual_network_peering",
        "azurerm_virtual_network_gateway",
        "azurerm_local_network_gateway",
        "azurerm_virtual_network_gateway_connection",
        "azurerm_nat_gateway",
        "azurerm_bastion_host",
        "azurerm_private_endpoint",
    ]
    keys = [
        "name", "address_space", "subnet", "address_prefixes", "address_prefix",
        "virtual_network_name", "security_rule", "priority", "direction", "access", "protocol",
        "ip_configuration", "network_interface_ids", "network_interface", "network_profile",
        "frontend_ip_configuration", "frontend_port", "backend_port", "loadbalancer_id",
        "backend_address_pool", "http_listener", "request_routing_rule", "route",
        "next_hop_type", "remote_virtual_network_id", "type", "source_port_ranges",
        "destination_port_range", "source_address_prefixes", "vpn_client_configuration",
        "url_path_map", "backend_http_settings", "frontend_port_start", "frontend_port_end",
    ]  # fmt: skip
    resources = [res(f"{t}.x", dict.fromkeys(keys, garbage)) for t in types]
    model = build(*resources, *_routed(), *_balanced())
    fields = [name for name in model.__struct_fields__ if name != "type_names"]
    data = {name: msgspec.to_builtins(getattr(model, name)) for name in fields}
    msgspec.convert(data, NetworkModel)  # every field holds the type it declares


# --- fixtures through the plan loader --------------------------------------------------------


def _plan_model(name: str) -> NetworkModel:
    from reachlint.formats.terraform.plan import load_plan_resources

    path = FIXTURES / name / "plan.json"
    plan = load_plan_resources(path)
    return build_azurerm_model(plan.resources, plan.ids, str(path))


def test_public_web_fixture() -> None:
    model = _plan_model("public-web")
    machines = [e for e in model.endpoints.values() if e.kind == "virtual-machine"]
    assert sorted(m.address for m in machines) == [
        "azurerm_linux_virtual_machine.web[0]",
        "azurerm_linux_virtual_machine.web[1]",
    ]
    for machine in machines:
        [interface] = machine.interfaces
        assert interface.subnet == "azurerm_subnet.web"
        assert interface.network_security_group == "azurerm_network_security_group.web"
        assert interface.public is False
    balancer = model.endpoints["azurerm_lb.web"]
    assert balancer.load_balancer is not None
    assert balancer.load_balancer.scheme == "internet-facing"
    [listener] = balancer.load_balancer.listeners
    group = model.target_groups[listener.target_groups[0]]
    assert (listener.port, group.port) == (80, 80)
    assert sorted(t.endpoint for t in group.targets) == [
        m.address for m in sorted(machines, key=lambda m: m.address)
    ]
    rules = model.network_security_groups["azurerm_network_security_group.web"].rules
    own = [(r.name, r.priority, r.allow) for r in rules if not r.is_default]
    assert own == [("allow-http", 100, True), ("deny-vnet", 200, False)]
    assert model.notes == []


def test_hybrid_fixture() -> None:
    model = _plan_model("hybrid")
    app_group = model.network_security_groups["azurerm_network_security_group.app"]
    own = [r for r in app_group.rules if not r.is_default]
    assert [(r.name, r.source.cidrs, r.destination_ports) for r in own if r.allow] == [
        ("web-8080", ["10.10.1.0/24"], [PortRange(low=8080, high=8080)]),
        ("office-ssh", ["192.168.10.0/24"], [PortRange(low=22, high=22)]),
    ]
    assert model.subnets["azurerm_subnet.app"].security_group == app_group.address
    table = model.route_tables["azurerm_route_table.app"]
    assert [(r.destination, r.target_kind, r.target) for r in table.routes] == [
        ("0.0.0.0/0", "vpn-gateway", "azurerm_virtual_network_gateway.vpn")
    ]
    site = model.onprem_sites["azurerm_local_network_gateway.office"]
    assert (site.gateway, site.cidrs) == (
        "azurerm_virtual_network_gateway.vpn",
        ["192.168.0.0/16"],
    )
    placed = {
        address: endpoint.interfaces[0].subnet for address, endpoint in model.endpoints.items()
    }
    assert placed == {
        "azurerm_linux_virtual_machine.web": "azurerm_subnet.web",
        "azurerm_linux_virtual_machine.app": "azurerm_subnet.app",
    }
    assert model.notes == []


def test_interfaces_whose_subnet_is_not_known_share_one_placeholder_per_network() -> None:
    # Each its own subnet would make each its own class, judged against every other: input
    # with thousands of them would cost their square.
    lost = [
        res(
            f"azurerm_network_interface.lost{i}",
            {"name": f"lost{i}", "ip_configuration": [{"name": "c", "subnet_id": UNKNOWN}]},
        )
        for i in range(50)
    ]
    model = build(vnet(), *lost)
    placed = {model.endpoints[n.address].interfaces[0].subnet for n in lost}
    assert placed == {"a subnet of azurerm_virtual_network.main"}
    assert len(model.network_security_groups) == 1


DNAT_TO_THE_SERVER_NIC = """
resource "azurerm_firewall_nat_rule_collection" "ssh" {
  name                = "ssh"
  azure_firewall_name = azurerm_firewall.azufw.name
  resource_group_name = azurerm_resource_group.azurg.name
  priority            = 100
  action              = "Dnat"
  rule {
    name                  = "server-ssh"
    source_addresses      = ["*"]
    destination_ports     = ["2222"]
    destination_addresses = [azurerm_public_ip.azufwpip.ip_address]
    translated_port       = 22
    translated_address    = azurerm_network_interface.azunicvm.private_ip_address
    protocols             = ["TCP"]
  }
}
"""


def test_a_dnat_rule_to_a_nics_dynamic_address_leads_to_that_nic(tmp_path: Path) -> None:
    # fixtures/azurerm/firewall-classic with a DNAT rule to the server NIC's private address,
    # which is dynamic: known after apply, but the server's whatever it is. No NSG guards the
    # server, and the firewall's source address (its own subnet) is in the VNet.
    from reachlint.commands.check import run_check

    config = FIXTURES / "firewall-classic" / "config"
    for source in config.glob("*.tf"):
        (tmp_path / source.name).write_text(source.read_text())
    (tmp_path / "dnat.tf").write_text(DNAT_TO_THE_SERVER_NIC)
    for assume in ("open", "closed"):
        report = run_check([tmp_path], [], assume_unknown=assume)
        ssh = [
            (f.traffic[0].ports, f.depends_on_unknown, [h.kind for h in f.path][:2])
            for f in report.findings
            if f.rule == "INTERNET-ADMIN-PORTS"
            and f.destination.address == "azurerm_virtual_machine.vmserver"
        ]
        assert ssh == [([(22, 22)], None, ["firewall", "dnat-rule"])], assume


def test_a_dnat_rule_on_the_firewalls_private_address_is_no_way_in_from_the_internet(
    tmp_path: Path,
) -> None:
    # The same rule, its destination the firewall's private address: it takes traffic from the
    # network or on-premises only, so the internet does not reach the server through it.
    from reachlint.commands.check import run_check

    config = FIXTURES / "firewall-classic" / "config"
    for source in config.glob("*.tf"):
        (tmp_path / source.name).write_text(source.read_text())
    private = DNAT_TO_THE_SERVER_NIC.replace(
        "[azurerm_public_ip.azufwpip.ip_address]", '["10.0.1.4"]'
    )
    (tmp_path / "dnat.tf").write_text(private)
    report = run_check([tmp_path], [])
    assert not [
        f
        for f in report.findings
        if f.rule == "INTERNET-ADMIN-PORTS"
        and f.destination.address == "azurerm_virtual_machine.vmserver"
    ]
    assert any("DNAT rule server-ssh takes traffic sent to the firewall's private" in n.message
               for n in report.notes)  # fmt: skip


def test_a_dnat_rule_that_may_pick_another_address_does_not_lead_to_the_nic(
    tmp_path: Path,
) -> None:
    # coalesce(var.dnat_ip, nic.private_ip_address): with the variable set, the traffic goes
    # elsewhere, so the NIC is no certain target; the rule is noted as leading nowhere known.
    from reachlint.commands.check import run_check

    config = FIXTURES / "firewall-classic" / "config"
    for source in config.glob("*.tf"):
        (tmp_path / source.name).write_text(source.read_text())
    either = DNAT_TO_THE_SERVER_NIC.replace(
        "azurerm_network_interface.azunicvm.private_ip_address",
        "coalesce(var.dnat_ip, azurerm_network_interface.azunicvm.private_ip_address)",
    )
    (tmp_path / "dnat.tf").write_text(either + 'variable "dnat_ip" { type = string }\n')
    report = run_check([tmp_path], [], assume_unknown="open")
    assert not [f for f in report.findings if f.destination.address.endswith("vmserver")]
    assert any("server-ssh leads nowhere" in note.message for note in report.notes or [])


def test_a_nic_whose_network_security_group_is_not_known_gets_one_whose_rules_are_not() -> None:
    # The association names an NSG by a value not known: some NSG, or none, filters the NIC.
    # Not one that lets nothing through or everything, silently: its access is not known.
    association = res(
        "azurerm_network_interface_security_group_association.a",
        {"network_interface_id": UNKNOWN, "network_security_group_id": UNKNOWN},
        network_interface_id=["azurerm_network_interface.a"],
    )
    model = build(vnet(), subnet("web", "10.0.1.0/24"), nic("a"), association)
    interface = model.endpoints["azurerm_network_interface.a"].interfaces[0]
    assert interface.subnet == "azurerm_subnet.web"
    assert interface.network_security_group == (
        "the network security group of azurerm_network_interface.a"
    )
    nsg = model.network_security_groups[interface.network_security_group]
    assert [(r.direction, r.unknown_parts) for r in nsg.rules] == [
        ("inbound", ["access"]),
        ("outbound", ["access"]),
    ]


@pytest.mark.parametrize(
    ("flags", "learns"),
    [
        ({}, True),
        ({"disable_bgp_route_propagation": True}, False),
        ({"bgp_route_propagation_enabled": False}, False),
        ({"bgp_route_propagation_enabled": True}, True),
    ],
)
def test_a_table_that_stops_gateway_routes_learns_none(
    flags: dict[str, bool], learns: bool
) -> None:
    resources = _routed()
    table = next(r for r in resources if r.address == "azurerm_route_table.app")
    table.values.update(flags)
    model = build(*resources)
    assert model.route_tables["azurerm_route_table.app"].learns_gateway_routes is learns


def test_a_dnat_rule_whose_translated_port_is_not_known_is_named(tmp_path: Path) -> None:
    # The rule of the test above with `translated_port = var.ssh_port`, a variable without a
    # value: the server is reached on whatever port it is. Open, on every TCP port, named;
    # closed, not through it. Before, on the rule's own port 2222, for certain.
    from reachlint.commands.check import run_check

    config = FIXTURES / "firewall-classic" / "config"
    for source in config.glob("*.tf"):
        (tmp_path / source.name).write_text(source.read_text())
    rule = DNAT_TO_THE_SERVER_NIC.replace(
        "translated_port       = 22", "translated_port = var.ssh_port"
    )
    (tmp_path / "dnat.tf").write_text(rule + 'variable "ssh_port" {\n  type = number\n}\n')
    found = {}
    for assume in ("open", "closed"):
        report = run_check([tmp_path], [], assume_unknown=assume)
        found[assume] = [
            (f.rule, _ports(f.traffic), f.depends_on_unknown)
            for f in report.findings
            if f.destination.address == "azurerm_virtual_machine.vmserver"
            and f.source.kind == "internet"
        ]
    why = (
        "azurerm_firewall_nat_rule_collection.ssh: DNAT rule server-ssh (translated_port not "
        "known: var.ssh_port)"
    )
    assert found == {
        "open": [
            ("INTERNET-ADMIN-PORTS", "[tcp 22, 3389, 5985-5986]", [why]),
            ("INTERNET-ALL-PORTS", "[tcp 0-21, 23-3388, 3390-5984, 5987-65535]", [why]),
        ],
        "closed": [],
    }


def _ports(traffic: list[Any]) -> str:
    spans = (
        f"{t.protocol} " + ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in t.ports or [])
        for t in traffic
    )
    return f"[{'; '.join(spans)}]"


def test_a_network_rule_whose_protocols_are_not_known_is_undecidable(tmp_path: Path) -> None:
    # firewall-classic's netRc1 with `protocols = var.protocols`, a variable without a value:
    # not every protocol for certain, but a rule that may match any Azure takes with a port
    # written (TCP, UDP, ICMP), named by the variable.
    from reachlint.inputs.load import build_model

    config = FIXTURES / "firewall-classic" / "config"
    for source in config.glob("*.tf"):
        (tmp_path / source.name).write_text(source.read_text())
    main = (tmp_path / "main.tf").read_text()
    written = 'protocols = [\n      "TCP",\n    ]'
    assert main.count(written) == 1
    (tmp_path / "main.tf").write_text(main.replace(written, "protocols = var.protocols"))
    (tmp_path / "protocols.tf").write_text('variable "protocols" {\n  type = list(string)\n}\n')
    model = build_model([tmp_path])
    (firewall,) = [g for g in model.gateways.values() if g.kind == "firewall"]
    assert firewall.policy is not None
    assert [
        (r.name, r.protocols, r.destination_ports, r.undecidable)
        for r in firewall.policy.rules
        if r.kind == "network"
    ] == [
        (
            "netRc1",
            ["tcp", "udp", "icmp"],
            [PortRange(low=8000, high=8999)],
            "protocols not known: var.protocols",
        )
    ]


def test_a_private_endpoint_that_may_ask_for_approval_rests_on_it(tmp_path: Path) -> None:
    # fixtures/azurerm/private-link-service with `is_manual_connection = var.manual`, a variable
    # without a value: the connection may wait for the service owner's approval. Open, the
    # consumer reaches the backend resting on it; closed, not.
    from reachlint.commands.check import run_check

    fixture = FIXTURES / "private-link-service"
    for source in (fixture / "config").glob("*"):
        (tmp_path / source.name).write_text(source.read_text())
    main = (tmp_path / "main.tf").read_text()
    written = "is_manual_connection           = false"
    assert main.count(written) == 1
    main = main.replace(written, "is_manual_connection = var.manual")
    (tmp_path / "main.tf").write_text(main + '\nvariable "manual" {\n  type = bool\n}\n')
    found = {}
    for assume in ("open", "closed"):
        report = run_check([tmp_path], [fixture / "rules.yaml"], builtin=False,
                           assume_unknown=assume)  # fmt: skip
        found[assume] = [(_ports(f.traffic), f.depends_on_unknown) for f in report.findings]
    approval = "azurerm_private_link_service.example: its owner's approval of the connection"
    assert found == {"open": [("[tcp 443]", [approval])], "closed": []}
