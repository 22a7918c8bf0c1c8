"""Load balancers start nothing, Azure Load Balancer passes flows through, and managed services
accept and send what their documentation says (reachlint.model.exposure), on hand-built models."""

from __future__ import annotations

import pytest

from reachlint.engine.analysis import Analysis
from reachlint.engine.flows import EndpointClass
from reachlint.model.exposure import pick
from reachlint.model.network import Endpoint, PortRange
from reachlint.model.traffic import IntervalSet, Traffic, cidrs, parse_protocol
from tests.engine.azure_builder import AzureNet, rule
from tests.engine.builder import Net, egress, ingress
from tests.engine.test_aws_semantics import WORLD, public_vpc

INTERNET = "Internet"
VMS = "Microsoft.Compute/virtualMachines"
BASTION = "Microsoft.Network/bastionHosts"
TCP = parse_protocol("tcp")


# ----- a load balancer never starts a connection (AWS) --------------------------------------


@pytest.mark.parametrize("flavor", ["application", "network", "gateway"])
def test_a_load_balancer_with_allow_all_egress_starts_nothing(flavor: str) -> None:
    """Network Access Analyzer takes load balancers as through-resources only."""
    net, _vpc, subnet, _ = public_vpc()
    lb_group = net.sg("lb", ingress("tcp", (80, 80), WORLD), egress())  # allow-all egress
    web = net.instance("web", subnet, net.sg("web", ingress("tcp", (8080, 8080), WORLD)))
    db = net.instance("db", subnet, net.sg("db", ingress("-1", None, "10.0.0.0/16")))
    lb = net.alb("front", [subnet], [lb_group], listen=80, forward=8080, targets=[web])
    net.model.endpoints[lb].exposure = pick("aws_lb", flavor=flavor)
    result = net.reach()
    assert result.traffic("internet", web) == "tcp 8080"  # the forward, through it
    assert lb in result.path("internet", web)
    starting = [f for f in result.reach.flows if lb in _names(f.source)]
    assert starting == []
    assert result.traffic(lb, db) == ""
    assert result.traffic(lb, "internet") == ""


def test_a_load_balancer_without_a_row_still_starts_nothing() -> None:
    net, _vpc, subnet, _ = public_vpc()
    lb_group = net.sg("lb", ingress("tcp", (443, 443), WORLD), egress())
    web = net.instance("web", subnet, net.sg("web", ingress("tcp", (22, 22), WORLD)))
    lb = net.alb("front", [subnet], [lb_group], listen=443, forward=80, targets=[web])
    result = net.reach()
    assert result.traffic(lb, web) == ""  # its egress allows tcp 22 to web: still nothing
    assert result.traffic("internet", lb) == "tcp 443"  # an ALB stays an endpoint


def test_a_load_balancer_sends_nothing_on_premises() -> None:
    net = Net()
    vpc = net.vpc("main", "10.0.0.0/16")
    vgw = net.gateway("vpn", "vpn-gateway", vpc)
    site = net.site("dc", vgw, "172.16.0.0/16")
    net.main_routes(vpc, (WORLD, "vpn-gateway", vgw))
    subnet = net.subnet("app", vpc, "10.0.1.0/24")
    app = net.instance(
        "app", subnet, net.sg("app", ingress("tcp", (80, 80), "172.16.0.0/16", "10.0.0.0/16"))
    )
    lb_group = net.sg("lb", ingress("tcp", (80, 80), "172.16.0.0/16"), egress())
    lb = net.alb("inner", [subnet], [lb_group], 80, 80, [app], internal=True)
    result = net.reach()
    assert result.traffic(lb, site) == ""
    assert result.traffic(site, app) == "tcp 80"
    assert any(lb in [h.address for h in f.path] for f in result.flows(site, app))


def test_query_from_a_load_balancer_says_it_starts_nothing() -> None:
    net, _vpc, subnet, _ = public_vpc()
    lb_group = net.sg("lb", ingress("tcp", (80, 80), WORLD), egress())
    web = net.instance("web", subnet, net.sg("web", ingress("tcp", (80, 80), WORLD)))
    lb = net.alb("front", [subnet], [lb_group], listen=80, forward=80, targets=[web])
    analysis = Analysis(net.model)
    lb_class = _class_of(analysis, lb)
    web_class = _class_of(analysis, web)
    blocked = analysis.explain(lb_class, web_class, Traffic.box(TCP))
    assert blocked is not None and blocked.code == "not-a-source"
    assert "load balancer" in blocked.reason


# ----- Azure Load Balancer passes flows through -----------------------------------------------


def azure_web(
    nsg_rules: tuple[tuple, ...] = (),  # type: ignore[type-arg]
    sku: str | None = "Standard",
    nsg: bool = True,
) -> tuple[AzureNet, str, str, str]:
    """One VNet, a web subnet whose NSG has `nsg_rules` (plus the defaults), a VM in it and a
    public load balancer forwarding tcp 80 to it."""
    net = AzureNet()
    vnet = net.vnet("app", "10.1.0.0/16")
    subnet_nsg = net.nsg("web", *nsg_rules) if nsg else None
    subnet = net.subnet_in(vnet, "web", "10.1.1.0/24", nsg=subnet_nsg)
    vm = net.vm("web-0", subnet)
    lb = net.azure_lb("front", vnet, [(80, 80, [vm])], sku=sku)
    return net, vnet, vm, lb


def test_internet_reaches_the_backend_through_the_load_balancer_not_the_frontend() -> None:
    net, _vnet, vm, lb = azure_web((rule("http", 100, "inbound", True, INTERNET, "*", "80"),))
    result = net.reach()
    assert result.traffic("internet", vm) == "tcp 80"
    path = result.path("internet", vm)
    assert lb in path
    assert f"{lb}/frontendIPConfigurations/fe" in path
    assert f"{lb}/loadBalancingRules/rule0" in path
    assert "Microsoft.Network/networkSecurityGroups/web/securityRules/http" in path
    assert result.traffic("internet", lb) == ""  # the frontend is no destination
    assert [f for f in result.reach.flows if lb in _names(f.destination)] == []


def test_backend_nsgs_see_the_client_address() -> None:
    office = "52.10.0.0/16"
    net, _vnet, vm, _lb = azure_web((rule("http", 100, "inbound", True, office, "*", "80"),))
    (flow,) = net.reach().flows("internet", vm)
    assert flow.traffic.addresses() == cidrs([office])


def test_when_every_backend_nsg_denies_nothing_is_reachable_and_query_names_the_rule() -> None:
    """The default AllowAzureLoadBalancerInBound admits the health probe (168.63.129.16), never
    a client: DenyAllInBound 65500 stops the internet."""
    net, _vnet, vm, lb = azure_web()
    result = net.reach()
    assert result.traffic("internet", vm) == ""
    assert result.traffic("internet", lb) == ""
    analysis = Analysis(net.model)
    internet = analysis.reachability.externals[0]
    for end in (vm, lb):
        blocked = analysis.explain(
            internet, _class_of(analysis, end), Traffic.box(TCP), destination_endpoint=end
        )
        assert blocked is not None, end
        assert blocked.code == "nsg"
        assert blocked.address.endswith("/defaultSecurityRules/DenyAllInBound")
        assert "DenyAllInBound priority 65500" in blocked.reason


def test_a_standard_load_balancer_is_closed_to_a_backend_without_nsg() -> None:
    """Standard: closed to inbound flows unless an NSG allows them; Basic: open by default."""
    standard, _, vm, lb = azure_web(nsg=False)
    assert standard.reach().traffic("internet", vm) == ""
    analysis = Analysis(standard.model)
    blocked = analysis.explain(
        analysis.reachability.externals[0], _class_of(analysis, vm), Traffic.box(TCP)
    )
    assert blocked is not None and blocked.code == "nsg" and blocked.address == lb
    basic, _, vm, _lb = azure_web(nsg=False, sku=None)
    assert basic.reach().traffic("internet", vm) == "tcp 80"


def test_an_inbound_nat_rule_reaches_one_backend_on_its_backend_port() -> None:
    net = AzureNet()
    vnet = net.vnet("app", "10.1.0.0/16")
    nsg = net.nsg("admin", rule("ssh", 100, "inbound", True, INTERNET, "*", "22"))
    subnet = net.subnet_in(vnet, "admin", "10.1.2.0/24", nsg=nsg)
    vm = net.vm("admin-0", subnet)
    other = net.vm("admin-1", subnet)
    net.azure_lb("nat", vnet, [(50001, 22, [vm])])
    result = net.reach()
    assert result.traffic("internet", vm) == "tcp 22"
    assert result.traffic("internet", other) == ""


def test_a_rule_listens_only_on_its_own_frontend() -> None:
    net = AzureNet()
    vnet = net.vnet("app", "10.1.0.0/16")
    nsg = net.nsg("web", rule("http", 100, "inbound", True, INTERNET, "*", "80"))
    vm = net.vm("web-0", net.subnet_in(vnet, "web", "10.1.1.0/24", nsg=nsg))
    lb = net.azure_lb(
        "front", vnet, [(80, 80, [vm])], frontends=("inbound", "outbound"), rule_frontend="inbound"
    )
    paths = [f.path for f in net.reach().flows("internet", vm)]
    frontends = {hop.address for path in paths for hop in path if hop.kind == "frontend"}
    assert frontends == {f"{lb}/frontendIPConfigurations/inbound"}


def test_an_internal_load_balancer_passes_vnet_clients_judged_by_their_address() -> None:
    net = AzureNet()
    vnet = net.vnet("app", "10.1.0.0/16")
    web_nsg = net.nsg(
        "web",
        rule("from-front", 100, "inbound", True, "10.1.0.0/24", "*", "8080"),
        rule("deny-vnet", 200, "inbound", False, "VirtualNetwork", "VirtualNetwork", "*", "*"),
    )
    front = net.vm("front-0", net.subnet_in(vnet, "front", "10.1.0.0/24"))
    other = net.vm("other-0", net.subnet_in(vnet, "other", "10.1.3.0/24"))
    backend_subnet = net.subnet_in(vnet, "back", "10.1.1.0/24", nsg=web_nsg)
    api = net.vm("api-0", backend_subnet)
    lb = net.azure_lb("inner", vnet, [(80, 8080, [api])], subnet=backend_subnet)
    result = net.reach()
    assert result.traffic(front, api) == "tcp 8080"  # directly, and through the balancer
    assert any(lb in [h.address for h in f.path] for f in result.flows(front, api))
    assert result.traffic(other, api) == ""  # the backend sees 10.1.3.x, not the frontend
    assert result.traffic(front, lb) == ""


# ----- managed services as documented ---------------------------------------------------------


def bastion_network(sku: str | None = None) -> tuple[AzureNet, str, str, str]:
    net = AzureNet()
    hub = net.vnet("hub", "10.0.0.0/16")
    spoke = net.vnet("spoke", "10.1.0.0/16")
    net.vnet_peering(hub, spoke)
    net.vnet_peering(spoke, hub)
    bastion_subnet = net.subnet_in(hub, "AzureBastionSubnet", "10.0.1.0/26")
    bastion = net.managed(BASTION, "bastion", bastion_subnet, hub, public=True, sku=sku or "")
    vm = net.vm("vm1", net.subnet_in(spoke, "workload", "10.1.1.0/24", nsg=net.nsg("vm")))
    return net, hub, bastion, vm


def test_azure_bastion_accepts_tcp_443_from_the_internet_and_reaches_vms_on_22_and_3389() -> None:
    net, _hub, bastion, vm = bastion_network()
    result = net.reach()
    assert result.traffic("internet", bastion) == "tcp 443"
    assert result.traffic(bastion, vm) == "tcp 22, 3389"  # in a peered network, too
    assert result.traffic(bastion, "internet") == "tcp 80, 443"
    assert result.traffic(vm, bastion) == ""


def test_azure_bastion_connects_to_virtual_machines_only() -> None:
    """ "Azure Bastion ... lets you connect to a virtual machine using your browser" (https://
    learn.microsoft.com/azure/bastion/bastion-overview): a private endpoint beside the VM, which
    takes any TCP port, gets nothing from it, and `query` says why."""
    net, _hub, bastion, vm = bastion_network("Standard")
    spoke = net.model.endpoints[vm].interfaces[0]
    assert spoke.subnet is not None and spoke.network is not None
    blob = net.managed("Microsoft.Network/privateEndpoints", "blob", spoke.subnet, spoke.network)
    net.model.endpoints[blob].kind = "private-endpoint"  # as the mappers make it
    result = net.reach()
    assert result.traffic(bastion, vm) == "tcp 0-65535"
    assert result.traffic(bastion, blob) == ""
    analysis = Analysis(net.model)
    source, target = _class_of(analysis, bastion), _class_of(analysis, blob)
    ssh = Traffic.box(TCP, ports=IntervalSet([(22, 22)]))
    blocked = analysis.explain(source, target, ssh, source_endpoint=bastion)
    assert blocked is not None and blocked.code == "not-a-source"
    assert "does not connect to endpoints of kind private-endpoint" in blocked.reason


def test_a_standard_bastion_reaches_custom_ports() -> None:
    net, _hub, bastion, vm = bastion_network("Standard")
    assert net.reach().traffic(bastion, vm) == "tcp 0-65535"


def test_query_to_bastion_on_ssh_says_what_it_accepts() -> None:
    net, _hub, bastion, _vm = bastion_network()
    analysis = Analysis(net.model)
    internet, target = analysis.reachability.externals[0], _class_of(analysis, bastion)
    ssh = Traffic.box(TCP, ports=IntervalSet([(22, 22)]))
    blocked = analysis.explain(internet, target, ssh, destination_endpoint=bastion)
    assert blocked is not None and blocked.code == "no-listener"
    assert "accepts only tcp 443" in blocked.reason
    assert "bastion-nsg" in blocked.reason


def test_a_private_endpoint_is_reached_and_starts_nothing() -> None:
    net = AzureNet()
    vnet = net.vnet("app", "10.1.0.0/16")
    subnet = net.subnet_in(vnet, "app", "10.1.1.0/24")
    vm = net.vm("app-0", subnet)
    endpoint = net.managed("Microsoft.Network/privateEndpoints", "blob", subnet, vnet)
    result = net.reach()
    assert result.traffic(vm, endpoint) == "tcp 0-65535; udp 0-65535"
    assert result.traffic(endpoint, vm) == ""
    assert result.traffic(endpoint, "internet") == ""


def test_a_lambda_function_accepts_nothing_and_reaches_its_database_port() -> None:
    net, _vpc, subnet, _ = public_vpc()
    fn_group = net.sg("fn", ingress("-1", None, "10.0.0.0/16"), egress())
    fn = net.instance("fn", subnet, fn_group)
    client = net.instance("client", subnet, net.sg("client", egress()))
    db = net.instance("db", subnet, net.sg("db", ingress("-1", None, "10.0.0.0/16")))
    _as_service(net, fn, "aws_lambda_function")
    _as_service(net, db, "aws_db_instance", port=5432)
    result = net.reach()
    assert result.traffic(client, fn) == ""
    assert result.traffic(fn, db) == "tcp 5432"  # the group allows all; the engine only 5432


def test_an_interface_endpoint_takes_tcp_and_starts_nothing() -> None:
    net, _vpc, subnet, _ = public_vpc()
    vpce = net.instance(
        "vpce", subnet, net.sg("vpce", ingress("-1", None, "10.0.0.0/16"), egress())
    )
    client = net.instance("client", subnet, net.sg("client", egress()))
    _as_service(net, vpce, "aws_vpc_endpoint", endpoint_type="Interface")
    result = net.reach()
    assert result.traffic(client, vpce) == "tcp 0-65535"
    assert result.traffic(vpce, client) == ""


# ----- helpers --------------------------------------------------------------------------------


def _names(end: object) -> set[str]:
    members = getattr(end, "members", None)
    if members is None:
        return {getattr(end, "address", "")}
    return {m.endpoint for m in members}


def _class_of(analysis: Analysis, address: str) -> EndpointClass:
    return next(c for c in analysis.reachability.classes if address in _names(c))


def _as_service(
    net: Net, address: str, resource_type: str, port: int | None = None, **facts: str
) -> None:
    endpoint: Endpoint = net.model.endpoints[address]
    endpoint.type = resource_type
    endpoint.exposure = pick(resource_type, **facts)
    if port is not None:
        endpoint.service_ports = [PortRange(low=port, high=port)]
    assert endpoint.exposure is not None, resource_type


def test_a_database_port_beyond_65535_is_not_a_port_and_the_filters_decide() -> None:
    # AWS refuses such a port; read as none, the database would take nothing (a silent pass).
    net, _vpc, subnet, _ = public_vpc()
    client = net.instance("client", subnet, net.sg("client", egress()))
    db = net.instance("db", subnet, net.sg("db", ingress("tcp", (3306, 3306), "10.0.0.0/16")))
    _as_service(net, db, "aws_db_instance", port=70000)
    assert net.reach().traffic(client, db) == "tcp 3306"


def test_a_listener_port_not_known_is_named_by_its_own_attribute() -> None:
    """The doubt names the port's attribute, whatever other unknown values the listener has
    (fixtures/aws/unknown/listener-port-variable, with its target group not known as well)."""
    from pathlib import Path

    from reachlint.engine.flows import Doubt, Unknown
    from reachlint.engine.listeners import Listeners
    from reachlint.inputs.load import build_model

    fixture = Path(__file__).resolve().parents[2] / "fixtures/aws/unknown/listener-port-variable"
    model = build_model([fixture])
    balancer = model.endpoints["aws_lb.front"]
    assert balancer.load_balancer is not None
    (listener,) = balancer.load_balancer.listeners
    listener.unknown.append("default_action.0.target_group_arn")  # after the port's
    doubts: list[Unknown] = []
    Listeners(model, "open").traffic(balancer, doubts=doubts)
    assert [d.name for d in doubts if isinstance(d, Doubt)] == ["aws_lb_listener.front: port"]
    assert len(doubts) == 1
