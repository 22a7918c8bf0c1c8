"""`reachlint matrix`: the traffic between groups, as a reviewer would tabulate it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reachlint.commands.cli import app
from reachlint.commands.design.common import Ends
from reachlint.commands.design.matrix import (
    Matrix,
    auto_grouping,
    compute_matrix,
    render_matrix,
    run_matrix,
)
from reachlint.engine.analysis import Analysis
from reachlint.errors import InputError
from tests.design.support import (
    FIXTURES,
    REPO,
    assert_snapshot,
    azure_hybrid_net,
    require_azure_hybrid,
)

THREE_TIER = FIXTURES / "aws" / "three-tier"


@pytest.fixture(autouse=True)
def _in_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    # Snapshots name the inputs as given: relative to the repository.
    monkeypatch.chdir(REPO)


def _relative(path: Path) -> Path:
    return path.relative_to(REPO)


@pytest.mark.parametrize(("fmt", "suffix"), [("text", "txt"), ("markdown", "md"), ("json", "json")])
def test_three_tier_by_tier_tag(fmt: str, suffix: str) -> None:
    text = run_matrix([_relative(THREE_TIER / "plan.json")], output_format=fmt)
    assert_snapshot(f"three-tier.matrix.{suffix}", text)


def test_three_tier_with_the_rules_file_groups() -> None:
    text = run_matrix(
        [_relative(THREE_TIER / "plan.json")],
        groups_file=_relative(THREE_TIER / "rules.yaml"),
        output_format="markdown",
    )
    assert_snapshot("three-tier.groups.matrix.md", text)


def test_three_tier_cells() -> None:
    document = json.loads(run_matrix([THREE_TIER / "plan.json"], output_format="json"))
    assert document["grouping"] == "one group per value of the Tier tag"
    assert [group["name"] for group in document["groups"]] == [
        "internet",
        "Tier=app",
        "Tier=db",
        "Tier=edge",
        "Tier=web",
    ]
    cells = {(cell["from"], cell["to"]): cell for cell in document["cells"]}
    assert cells["internet", "Tier=edge"]["traffic"] == [{"protocol": "tcp", "ports": [[80, 80]]}]
    # The internet reaches the web tier only through the load balancer, on the target port.
    through = cells["internet", "Tier=web"]["through"]
    assert through == [
        {"address": "aws_lb.front", "traffic": [{"protocol": "tcp", "ports": [[8080, 8080]]}]}
    ]
    assert cells["Tier=web", "Tier=app"]["traffic"] == [
        {"protocol": "tcp", "ports": [[22, 22], [8080, 8080]]}
    ]
    assert cells["Tier=app", "Tier=db"]["traffic"] == [{"protocol": "tcp", "ports": [[5432, 5432]]}]
    assert ("internet", "Tier=app") not in cells
    assert ("internet", "Tier=db") not in cells


def test_self_flows_stay_out_of_the_diagonal() -> None:
    plan = [FIXTURES / "aws/facts/self-flow-not-a-flow/plan.json"]
    document = json.loads(run_matrix(plan, by="endpoint", output_format="json"))
    assert [group["name"] for group in document["groups"]] == ["internet", "aws_instance.solo"]
    assert document["cells"] == []


def test_two_members_of_one_group_reach_each_other() -> None:
    document = json.loads(
        run_matrix(
            [FIXTURES / "aws/facts/same-subnet-two-members/plan.json"],
            by="subnet",
            output_format="json",
        )
    )
    (cell,) = [c for c in document["cells"] if c["from"] == c["to"]]
    assert cell["traffic"] == [{"protocol": "all"}]


def test_tags_not_known_make_groups_of_their_own(tmp_path: Path) -> None:
    # The network of tests/test_unknown_tags.py: `any_tags` has tags not known at all,
    # `tier_unknown` a Tier whose value is not known; neither has no Tier tag, neither is
    # surely web or app.
    from tests.test_unknown_tags import INSTANCES, NETWORK

    (tmp_path / "main.tf").write_text(NETWORK + INSTANCES)
    unknown = ["aws_instance.any_tags", "aws_instance.tier_unknown"]
    by_tag = json.loads(run_matrix([tmp_path], output_format="json"))
    assert by_tag["grouping"] == "one group per value of the Tier tag"
    assert {g["name"]: g["members"] for g in by_tag["groups"]} == {
        "internet": ["internet"],
        "(Tier not known before apply)": unknown,
        "Tier=app": ["aws_instance.app"],
        "Tier=web": ["aws_instance.web"],
    }
    groups = tmp_path / "groups.yaml"
    groups.write_text(
        "version: 1\ngroups:\n  web: {tags: {Tier: web}}\n  app: {tags: {Tier: app}}\n"
    )
    by_file = json.loads(run_matrix([tmp_path], groups_file=groups, output_format="json"))
    assert {g["name"]: g["members"] for g in by_file["groups"]} == {
        "internet": ["internet"],
        "web": ["aws_instance.web"],
        "app": ["aws_instance.app"],
        "(maybe web, app)": unknown,
    }


def _azure_matrix(by: str) -> Matrix:
    net = azure_hybrid_net()
    analysis = Analysis(net.model)
    grouping = auto_grouping(net.model, Ends(net.model, analysis.reachability), by)
    return compute_matrix(grouping, analysis.reachability.flows)


def test_azure_model_by_subnet() -> None:
    matrix = _azure_matrix("auto")
    hub = "Microsoft.Network/virtualNetworks/hub"
    web, app_subnet = f"{hub}/subnets/web", f"{hub}/subnets/app"
    site = "Microsoft.Network/localNetworkGateways/datacenter"
    assert matrix.grouping.names[:2] == ["internet", site]
    internet_web = matrix.cell("internet", web)
    assert internet_web is not None
    assert internet_web.text() == "tcp 80 via loadBalancers/front"
    web_app = matrix.cell(web, app_subnet)
    site_app = matrix.cell(site, app_subnet)
    assert web_app is not None and web_app.traffic.text() == "tcp 8080"
    assert site_app is not None and site_app.traffic.text() == "tcp 22"
    # The app NSG denies the rest of the VNet; the internet reaches no app VM.
    assert matrix.cell("internet", app_subnet) is None
    assert matrix.cell(f"{hub.replace('hub', 'spoke')}/subnets/tools", app_subnet) is None
    assert_snapshot("azure-model.matrix.md", render_matrix(matrix, "markdown"))


def test_azure_model_by_security_group() -> None:
    matrix = _azure_matrix("security-group")
    nsgs = "Microsoft.Network/networkSecurityGroups"
    assert "(no security group)" in matrix.grouping.names
    assert matrix.grouping.members["(no security group)"] == [
        "Microsoft.Compute/virtualMachines/app-0",
        "Microsoft.Compute/virtualMachines/jump",
        "Microsoft.Compute/virtualMachines/web-0",
        "Microsoft.Compute/virtualMachines/web-1",
        "Microsoft.Network/loadBalancers/front",
    ]
    assert f"{nsgs}/web-nsg" not in matrix.grouping.names  # a subnet's NSG, not the NIC's


def test_azure_hybrid_fixture() -> None:
    template = require_azure_hybrid()
    for fmt, suffix in (("text", "txt"), ("markdown", "md"), ("json", "json")):
        text = run_matrix([_relative(template)], output_format=fmt)
        assert_snapshot(f"azure-hybrid.matrix.{suffix}", text)
    assert run_matrix([template]).startswith(
        "Traffic from each row's group to each column's group (one group per value of the Tier tag)"
    )
    document = json.loads(run_matrix([template], by="subnet", output_format="json"))
    cells = {(cell["from"], cell["to"]): cell for cell in document["cells"]}
    subnets = "Microsoft.Network/virtualNetworks/hybrid-vnet/subnets"
    web, app_subnet = f"{subnets}/web", f"{subnets}/app"
    site = "Microsoft.Network/localNetworkGateways/onprem-site"
    assert cells["internet", web]["traffic"] == [{"protocol": "tcp", "ports": [[443, 443]]}]
    assert cells[web, app_subnet]["traffic"] == [{"protocol": "tcp", "ports": [[8080, 8080]]}]
    assert cells[site, app_subnet]["addresses"] == ["192.168.10.0/24"]
    # Forced tunnelling: everything the app subnet sends out goes on-premises.
    assert cells[app_subnet, site]["traffic"] == [{"protocol": "all"}]
    assert (app_subnet, "internet") not in cells
    assert ("internet", app_subnet) not in cells


def test_grouping_mistakes_are_input_errors(tmp_path: Path) -> None:
    plan = THREE_TIER / "plan.json"
    with pytest.raises(InputError, match="unknown --by 'tier'"):
        run_matrix([plan], by="tier")
    with pytest.raises(InputError, match="either --groups or --by"):
        run_matrix([plan], by="subnet", groups_file=THREE_TIER / "rules.yaml")
    empty = tmp_path / "groups.yaml"
    empty.write_text("version: 1\nrules: []\n")
    with pytest.raises(InputError, match="defines no groups"):
        run_matrix([plan], groups_file=empty)
    with pytest.raises(InputError, match="unknown --format 'html'"):
        run_matrix([plan], output_format="html")


def test_command_line() -> None:
    result = CliRunner().invoke(
        app, ["matrix", str(THREE_TIER / "plan.json"), "--format", "markdown", "--by", "tag:Tier"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("| from \\ to | internet | Tier=app |")
    bad = CliRunner().invoke(app, ["matrix", str(THREE_TIER / "plan.json"), "--by", "colour"])
    assert bad.exit_code == 2
    assert bad.stderr.startswith("reachlint: error: unknown --by 'colour'")


def test_outside_addresses_show_when_only_some_take_part() -> None:
    plan = FIXTURES / "aws/naa-noncompliant/plan.json"
    document = json.loads(run_matrix([plan], by="subnet", output_format="json"))
    cells = {(cell["from"], cell["to"]): cell for cell in document["cells"]}
    updates = cells["aws_subnet.business_public", "internet"]
    assert updates["addresses"] == ["55.3.0.0/16"]
    # The whole (IPv4) internet is not worth listing.
    assert "addresses" not in cells["internet", "aws_subnet.business_public"]
    assert "tcp 443 (to 55.3.0.0/16)" in run_matrix([plan], by="subnet")


@pytest.mark.parametrize("command", ["matrix", "graph"])
def test_a_grouping_past_the_bound_is_refused_in_one_sentence(
    monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    # Three-tier by endpoint makes more groups than a bound of 2: a table or a picture of a
    # million cells would be read by no one, and a few hostile lines can ask for one.
    from reachlint.commands.design import matrix

    monkeypatch.setattr(matrix, "MAX_GROUPS", 2)
    result = CliRunner().invoke(app, [command, str(THREE_TIER / "plan.json"), "--by", "endpoint"])
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert "one group per endpoint makes" in line and "limit of 2 groups" in line
    monkeypatch.setattr(matrix, "MAX_GROUPS", 500)
    assert CliRunner().invoke(app, [command, str(THREE_TIER / "plan.json")]).exit_code == 0
