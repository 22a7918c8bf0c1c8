"""`reachlint diff` and `check --base`: the monitoring host whose exporter port is opened to the
world in the middle of the night. The change opens exactly that exposure, and nothing else."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from int_support import DIFF, sarif_errors
from typer.testing import CliRunner, Result

from reachlint.commands.cli import app
from reachlint.reports import DIFF_FORMATS

BASE, HEAD = DIFF / "base", DIFF / "head"
CUSTOMER_RULE = "aws_security_group_rule.monitoring_exporter_customer"


def _run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(arg) for arg in args])


@pytest.mark.parametrize(("base", "head"), [(BASE, HEAD), (BASE / "plan.json", HEAD / "plan.json")])
def test_the_change_opens_exactly_the_exporter_to_the_internet(base: Path, head: Path) -> None:
    result = _run("diff", base, head, "--format", "json")
    assert result.exit_code == 1  # the opened flow breaks INTERNET-NON-WEB-PORTS (medium)
    document = json.loads(result.stdout)
    assert document["closed"] == []
    (opened,) = document["opened"]
    assert (opened["from"]["address"], opened["to"]["address"]) == (
        "internet",
        "aws_instance.monitoring",
    )
    assert opened["traffic"] == [{"protocol": "tcp", "ports": [[9100, 9100]]}]
    assert "addresses" not in opened  # the whole internet
    assert opened["rules"] == ["INTERNET-NON-WEB-PORTS"] and opened["severity"] == "medium"
    hops = [hop["address"] for hop in opened["path"]]
    assert hops[0] == "aws_internet_gateway.main" and hops[-1] == CUSTOMER_RULE
    assert "aws_security_group_rule.monitoring_ssh_office" not in hops


def test_the_lines_responsible_are_named() -> None:
    document = json.loads(_run("diff", BASE, HEAD, "--format", "json").stdout)
    rule = document["opened"][0]["path"][-1]
    lines = Path(rule["file"]).read_text().splitlines()
    assert f'"{CUSTOMER_RULE.split(".")[1]}"' in lines[rule["line"] - 1]


def test_reversing_the_change_closes_the_same_flow() -> None:
    result = _run("diff", HEAD, BASE, "--format", "json")
    assert result.exit_code == 0  # closing a flow breaks nothing
    document = json.loads(result.stdout)
    assert document["opened"] == []
    (closed,) = document["closed"]
    assert closed["to"]["address"] == "aws_instance.monitoring"
    assert closed["rules"] == ["INTERNET-NON-WEB-PORTS"]


def test_a_change_against_itself_opens_and_closes_nothing() -> None:
    result = _run("diff", HEAD, HEAD, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["opened"] == []


def test_fail_on_judges_the_rules_the_opened_flows_break() -> None:
    assert _run("diff", BASE, HEAD, "--fail-on", "high").exit_code == 0
    assert _run("diff", BASE, HEAD, "--fail-on", "medium").exit_code == 1


@pytest.mark.parametrize("fmt", DIFF_FORMATS)
def test_diff_renders_in_every_format(fmt: str) -> None:
    result = _run("diff", BASE, HEAD, "--format", fmt, "--fail-on", "never")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "aws_instance.monitoring" in text
    if fmt in ("json", "sarif", "gitlab"):
        document = json.loads(text)
        if fmt == "sarif":
            assert sarif_errors(document) == []
    if fmt == "junit":
        root = ElementTree.fromstring(text.split("\n", 1)[1])
        assert root.get("failures") == "1"
    if fmt == "text":
        assert "Opened: 1 flow" in text and "Closed: 0 flows" in text
        assert "opened at: " in text and "main.tf:66" in text


def test_check_base_reports_only_what_the_change_introduces() -> None:
    whole = json.loads(_run("check", HEAD, "--format", "json").stdout)
    assert len(whole["findings"]) == 2
    result = _run("check", HEAD, "--base", BASE, "--format", "json")
    assert result.exit_code == 1
    (new,) = json.loads(result.stdout)["findings"]
    assert new["rule"] == "INTERNET-NON-WEB-PORTS"
    assert new["traffic"] == [{"protocol": "tcp", "ports": [[9100, 9100]]}]
    assert new["message"] == "internet reaches aws_instance.monitoring on tcp 9100"
    assert [hop["address"] for hop in new["path"]][-1] == CUSTOMER_RULE


def test_check_base_of_an_unchanged_input_reports_nothing() -> None:
    result = _run("check", BASE, "--base", BASE)
    assert result.exit_code == 0
    assert "No findings" in result.stdout


def test_a_missing_base_is_named() -> None:
    result = _run("diff", "no-such-plan.json", HEAD)
    assert result.exit_code == 2
    assert result.stderr == "reachlint: error: no-such-plan.json: no such file or directory\n"
