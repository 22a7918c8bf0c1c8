"""`reachlint graph`: nested boxes, endpoints inside, flows between groups, findings in red.

The DOT is rendered by Graphviz's `dot` (installed by .ci/run), the Mermaid text parsed by the
subset parser in mermaid_syntax.py.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
from pathlib import Path

import msgspec
import pytest
from typer.testing import CliRunner

from reachlint.commands.cli import app
from reachlint.commands.design.common import Ends
from reachlint.commands.design.drawing import network_picture
from reachlint.commands.design.graph import run_graph
from reachlint.commands.design.matrix import auto_grouping
from reachlint.commands.design.picture import Picture
from reachlint.commands.design.rendering import render_dot, render_mermaid
from reachlint.engine.analysis import Analysis
from tests.design.mermaid_syntax import Flowchart, MermaidError, parse_flowchart
from tests.design.support import (
    FIXTURES,
    REPO,
    assert_snapshot,
    azure_hybrid_net,
    require_azure_hybrid,
)

THREE_TIER = FIXTURES / "aws" / "three-tier"
RED_LINK = "stroke:#d62728,stroke-width:2px,color:#d62728"


@pytest.fixture(autouse=True)
def _in_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def _three_tier(fmt: str) -> str:
    plan = THREE_TIER.relative_to(REPO) / "plan.json"
    rules = THREE_TIER.relative_to(REPO) / "rules.yaml"
    return run_graph([plan], output_format=fmt, rules_files=[rules])


def render_with_graphviz(dot_text: str, tmp_path: Path) -> str:
    """The SVG Graphviz draws (entities decoded); it must draw it without a warning."""
    dot = shutil.which("dot")
    if dot is None:
        if os.environ.get("CI"):
            pytest.fail("Graphviz's dot is missing; .ci/run installs it")
        pytest.skip("Graphviz's dot is not installed (apt-get install graphviz)")
    source = tmp_path / "graph.dot"
    source.write_text(dot_text, encoding="utf-8")
    done = subprocess.run(
        [dot, "-Tsvg", str(source)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr
    return html.unescape(done.stdout)


def _node(chart: Flowchart, first_line: str) -> str:
    found = [n for n in chart.nodes if chart.text(n).split("\n")[0] == first_line]
    assert len(found) == 1, (first_line, [chart.text(n) for n in chart.nodes])
    return found[0]


def _box(chart: Flowchart, first_line: str) -> str:
    found = [s for s in chart.subgraphs if chart.text(s).split("\xa0·\xa0")[0] == first_line]
    assert len(found) == 1, first_line
    return found[0]


def test_three_tier_mermaid_is_what_a_reviewer_draws() -> None:
    text = _three_tier("mermaid")
    assert_snapshot("three-tier.graph.mmd", text)
    chart = parse_flowchart(text)
    vpc = _box(chart, "aws_vpc.main")
    # One line that cannot wrap: Mermaid hides a title's second line under the box inside.
    assert chart.text(vpc) == "aws_vpc.main\xa0·\xa010.0.0.0/16"
    for subnet in ("public_a", "public_b", "private_a", "private_b", "db_a", "db_b"):
        assert chart.inside(_box(chart, f"aws_subnet.{subnet}")) == [vpc]
    internet = _node(chart, "internet")
    gateway = _node(chart, "aws_internet_gateway.main")
    nat = _node(chart, "aws_nat_gateway.main")
    balancer, db = _node(chart, "Tier=edge"), _node(chart, "Tier=db")
    web, app = _node(chart, "Tier=web"), _node(chart, "Tier=app")
    assert chart.inside(internet) == []
    assert chart.inside(gateway) == [vpc]
    assert chart.inside(nat) == [_box(chart, "aws_subnet.public_a"), vpc]
    # Each tier has an instance in each private subnet, and every arrow treats the two alike:
    # one node per tier, so that web to app is one arrow, not four crossing ones.
    for tier, node in (("web", web), ("app", app)):
        assert chart.inside(node) == [vpc]
        assert chart.text(node) == (
            f"Tier={tier}\nmodule.{tier}.aws_instance.this[0]\nmodule.{tier}.aws_instance.this[1]"
            "\nin aws_subnet.private_a, aws_subnet.private_b"
        )
    assert chart.text(db) == "Tier=db\naws_db_instance.main\nin aws_subnet.db_a, aws_subnet.db_b"
    expected = {
        (internet, gateway, "-.-", None),
        (nat, gateway, "-.-", None),
        (gateway, balancer, "-->", "tcp 80"),
        (balancer, web, "-->", "tcp 8080"),
        (web, balancer, "-->", "tcp 80"),
        (web, nat, "-->", "all traffic"),
        (web, app, "-->", "tcp 8080"),
        (web, app, "==>", "tcp 22 · APP-ONLY-FROM-WEB"),
        (app, db, "-->", "tcp 5432"),
        (app, nat, "-->", "tcp 443"),
    }
    assert {(e.source, e.target, e.arrow, e.label) for e in chart.edges} == expected
    red = [e for e in chart.edges if e.styles]
    assert [(e.arrow, e.styles) for e in red] == [("==>", [RED_LINK])]


def test_three_tier_dot_renders(tmp_path: Path) -> None:
    text = _three_tier("dot")
    assert_snapshot("three-tier.graph.dot", text)
    svg = render_with_graphviz(text, tmp_path)
    for label in ("aws_vpc.main", "aws_subnet.db_a", "Tier=web", "tcp 22 · APP-ONLY-FROM-WEB"):
        assert label in svg
    assert 'stroke="#d62728"' in svg


def test_findings_take_their_traffic_off_the_plain_arrow() -> None:
    web, app = "module.web.aws_instance.this[0]", "module.app.aws_instance.this[1]"
    chart = parse_flowchart(_three_tier("mermaid"))
    pair = _member_node(chart, web), _member_node(chart, app)
    labels = {e.label for e in chart.edges if (e.source, e.target) == pair}
    assert labels == {"tcp 8080", "tcp 22 · APP-ONLY-FROM-WEB"}
    without_rules = parse_flowchart(
        run_graph([THREE_TIER / "plan.json"], builtin=False, output_format="mermaid")
    )
    pair = _member_node(without_rules, web), _member_node(without_rules, app)
    labels = {e.label for e in without_rules.edges if (e.source, e.target) == pair}
    assert labels == {"tcp 22, 8080"}
    assert not any(e.styles for e in without_rules.edges)


def _member_node(chart: Flowchart, member: str) -> str:
    (found,) = [n for n in chart.nodes if member in chart.text(n).split("\n")]
    return found


def test_gateways_sit_on_the_way_out_and_in() -> None:
    chart = parse_flowchart(
        run_graph([FIXTURES / "aws/facts/nat-egress-only/plan.json"], builtin=False)
    )
    app_node = _node(chart, "aws_instance.app")
    nat = _node(chart, "aws_nat_gateway.main")
    gateway = _node(chart, "aws_internet_gateway.main")
    internet = _node(chart, "internet")
    edges = {(e.source, e.target, e.arrow, e.label) for e in chart.edges}
    assert (app_node, nat, "-->", "tcp 443; udp 123") in edges
    assert (nat, gateway, "-.-", None) in edges
    assert (internet, gateway, "-.-", None) in edges
    assert not any(e.target == app_node and e.source in (internet, gateway) for e in chart.edges)


def test_vpn_sites_and_peerings_are_drawn_as_structure() -> None:
    vpn = parse_flowchart(run_graph([FIXTURES / "aws/private-vpn/plan.json"], builtin=False))
    site = _node(vpn, "aws_vpn_connection.datacenter")
    assert vpn.nodes[site][0] == "cylinder"
    assert vpn.text(site) == "aws_vpn_connection.datacenter\n172.16.0.0/16"
    gateway = _node(vpn, "aws_vpn_gateway.vgw")
    assert any((e.source, e.target, e.label) == (site, gateway, "VPN") for e in vpn.edges), (
        vpn.edges
    )
    peered = parse_flowchart(
        run_graph([FIXTURES / "aws/facts/peering-not-transitive/plan.json"], builtin=False)
    )
    a, b, c = (_box(peered, f"aws_vpc.{name}") for name in "abc")
    links = {(e.source, e.target, e.label) for e in peered.edges if e.arrow == "-.-"}
    assert (a, b, "aws_vpc_peering_connection.a_b") in links
    assert (b, c, "aws_vpc_peering_connection.b_c") in links
    assert not any({a, c} == {e.source, e.target} for e in peered.edges)


def _azure_picture(by: str) -> Picture:
    net = azure_hybrid_net()
    analysis = Analysis(net.model)
    grouping = auto_grouping(net.model, Ends(net.model, analysis.reachability), by)
    return network_picture(net.model, analysis.reachability, grouping, [])


def test_azure_model_picture(tmp_path: Path) -> None:
    picture = _azure_picture("auto")
    mermaid, dot = render_mermaid(picture), render_dot(picture)
    assert_snapshot("azure-model.graph.mmd", mermaid)
    assert_snapshot("azure-model.graph.dot", dot)
    render_with_graphviz(dot, tmp_path)
    chart = parse_flowchart(mermaid)
    hub, spoke = _box(chart, "virtualNetworks/hub"), _box(chart, "virtualNetworks/spoke")
    app_subnet = _box(chart, "virtualNetworks/hub/subnets/app")
    assert chart.inside(app_subnet) == [hub]
    web = _node(chart, "virtualMachines/web-0")
    # The two web servers reach each other: a line of their node, not a loop.
    assert chart.text(web) == (
        "virtualMachines/web-0\nvirtualMachines/web-1\nto each other: all traffic"
    )
    assert not any(e.source == e.target for e in chart.edges)
    balancer = _node(chart, "loadBalancers/front")
    assert chart.inside(balancer) == [hub]
    site = _node(chart, "localNetworkGateways/datacenter")
    gateway = _node(chart, "virtualNetworkGateways/vng")
    app_vm = _node(chart, "virtualMachines/app-0")
    internet = _node(chart, "internet")
    edges = {(e.source, e.target, e.label) for e in chart.edges}
    assert (hub, spoke, "virtualNetworks/hub/virtualNetworkPeerings/to-spoke") in edges
    assert (site, gateway, "VPN") in edges
    assert (internet, balancer, "tcp 80") in edges
    assert (balancer, web, "tcp 80") in edges  # what it forwards; it starts nothing
    # ... and the web servers reach its frontend on the same port: one arrow, two heads.
    assert [e.arrow for e in chart.edges if (e.source, e.target) == (balancer, web)] == ["<-->"]
    assert not any((e.source, e.target) == (web, balancer) for e in chart.edges)
    assert (web, app_vm, "tcp 8080") in edges
    assert (gateway, app_vm, "tcp 22") in edges
    assert not any(e.source == internet and e.target == app_vm for e in chart.edges)


def test_azure_hybrid_fixture(tmp_path: Path) -> None:
    template = require_azure_hybrid().relative_to(REPO)
    mermaid = run_graph([template], output_format="mermaid")
    dot = run_graph([template], output_format="dot")
    assert_snapshot("azure-hybrid.graph.mmd", mermaid)
    assert_snapshot("azure-hybrid.graph.dot", dot)
    render_with_graphviz(dot, tmp_path)
    chart = parse_flowchart(mermaid)
    vnet = _box(chart, "virtualNetworks/hybrid-vnet")
    gateway_subnet = _box(chart, "virtualNetworks/hybrid-vnet/subnets/GatewaySubnet")
    gateway = _node(chart, "virtualNetworkGateways/hybrid-vpngw")
    assert chart.inside(gateway) == [gateway_subnet, vnet]
    site = _node(chart, "localNetworkGateways/onprem-site")
    internet, web, app_vm = (_node(chart, name) for name in ("internet", "Tier=web", "Tier=app"))
    assert chart.text(web) == "Tier=web\nvirtualMachines/web-vm"
    edges = {(e.source, e.target, e.label) for e in chart.edges}
    assert {
        (site, gateway, "VPN"),
        (internet, web, "tcp 443"),
        (web, app_vm, "tcp 8080"),
        (gateway, app_vm, "tcp 22"),
        (app_vm, gateway, "all traffic"),
    } <= edges
    assert not any(
        app_vm in (e.source, e.target) and internet in (e.source, e.target) for e in chart.edges
    )


def test_text_is_escaped_for_both_formats(tmp_path: Path) -> None:
    net = azure_hybrid_net()
    vm = net.model.endpoints.pop("Microsoft.Compute/virtualMachines/jump")
    odd = 'Microsoft.Compute/virtualMachines/say "hi" <#1>\\'
    net.model.endpoints[odd] = msgspec.structs.replace(vm, address=odd)
    analysis = Analysis(net.model)
    grouping = auto_grouping(net.model, Ends(net.model, analysis.reachability), "endpoint")
    picture = network_picture(net.model, analysis.reachability, grouping, [])
    chart = parse_flowchart(render_mermaid(picture))
    assert _node(chart, 'virtualMachines/say "hi" <#1>\\')
    assert 'virtualMachines/say "hi" <#1>\\</text>' in render_with_graphviz(
        render_dot(picture), tmp_path
    )


@pytest.mark.parametrize(
    "text",
    [
        'flowchart TB\n  a["x"] -->|"y"| b\n',  # b is never defined
        'flowchart TB\n  subgraph c ["x"]\n',  # no end
        'flowchart TB\n  a["say "hi""]\n',  # a bare quote
        'flowchart TB\n  a["x"]\n  linkStyle 0 stroke:#000\n',  # no edge 0
        'flowchart TB\n  end["x"]\n',  # a keyword as an id
        'graph XY\n  a["x"]\n',
    ],
)
def test_the_mermaid_checker_rejects_broken_text(text: str) -> None:
    with pytest.raises(MermaidError):
        parse_flowchart(text)


def test_command_line(tmp_path: Path) -> None:
    out = tmp_path / "network.dot"
    result = CliRunner().invoke(
        app, ["graph", str(THREE_TIER / "plan.json"), "--format", "dot", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("digraph network {")
    mermaid = CliRunner().invoke(app, ["graph", str(THREE_TIER / "plan.json")])
    assert mermaid.exit_code == 0
    parse_flowchart(mermaid.stdout)
    bad = CliRunner().invoke(app, ["graph", str(THREE_TIER / "plan.json"), "--format", "svg"])
    assert bad.exit_code == 2
    assert bad.stderr == "reachlint: error: unknown --format 'svg'; expected mermaid or dot\n"


def test_an_azure_load_balancer_is_drawn_on_the_way_and_starts_nothing() -> None:
    """The arrow into a pass-through load balancer carries its rule's frontend port, the arrow
    out of it what arrives at the backend; nothing else leaves it."""
    from tests.engine.azure_builder import AzureNet, rule

    net = AzureNet()
    vnet = net.vnet("app", "10.1.0.0/16")
    nsg = net.nsg("admin", rule("ssh", 100, "inbound", True, "Internet", "*", "22"))
    vm = net.vm("admin-0", net.subnet_in(vnet, "admin", "10.1.2.0/24", nsg=nsg))
    net.azure_lb("nat", vnet, [(50001, 22, [vm])])
    analysis = Analysis(net.model)
    grouping = auto_grouping(net.model, Ends(net.model, analysis.reachability), "endpoint")
    chart = parse_flowchart(
        render_mermaid(network_picture(net.model, analysis.reachability, grouping, []))
    )
    internet, balancer = _node(chart, "internet"), _node(chart, "loadBalancers/nat")
    backend = _node(chart, "virtualMachines/admin-0")
    edges = {(e.source, e.target, e.label) for e in chart.edges}
    assert (internet, balancer, "tcp 50001") in edges
    assert (balancer, backend, "tcp 22") in edges
    assert [e for e in chart.edges if e.source == balancer and e.target != backend] == []
