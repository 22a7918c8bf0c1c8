"""The managed-service exposure table: its rows, how mappers pick them, and the README's copy."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from reachlint.model.exposure import (
    FILTERS,
    LISTENERS,
    NOTHING,
    OWN_PORT,
    ROWS,
    SIDES,
    default_port,
    markdown_table,
    pick,
    row,
    traffic_of,
)

README = Path(__file__).resolve().parents[1] / "README.md"
_TABLE = re.compile(
    r"(<!-- exposure-table:start -->\n)(.*?)(<!-- exposure-table:end -->)", re.DOTALL
)


def test_the_readme_table_is_generated_from_the_rows() -> None:
    """REACHLINT_UPDATE_SNAPSHOTS=1 rewrites it after a change to the rows."""
    text = README.read_text(encoding="utf-8")
    found = _TABLE.search(text)
    assert found is not None, "README.md has no exposure-table markers"
    if os.environ.get("REACHLINT_UPDATE_SNAPSHOTS"):
        updated = text[: found.start(2)] + markdown_table() + text[found.end(2) :]
        README.write_text(updated, encoding="utf-8")
        return
    assert found.group(2) == markdown_table(), "README.md's exposure table is out of date"


def test_every_row_is_documented_and_well_formed() -> None:
    keys = [entry.key for entry in ROWS]
    assert len(keys) == len(set(keys))
    for entry in ROWS:
        assert entry.doc and all(url.startswith("https://") for url in entry.doc), entry.key
        assert entry.types and entry.notes, entry.key
        for side in SIDES:
            for spec in (entry.accepts.of(side), entry.sends.of(side)):
                if spec not in (FILTERS, NOTHING, LISTENERS, OWN_PORT):
                    assert traffic_of(spec), (entry.key, spec)  # parses, and is not empty


def test_load_balancers_start_nothing_and_hops_are_no_endpoints() -> None:
    for entry in ROWS:
        if entry.role in ("load-balancer", "pass-through"):
            assert not entry.originates, entry.key
            assert {entry.accepts.of(side) for side in SIDES} == {LISTENERS}, entry.key
        if entry.role == "hop":
            assert not entry.originates and entry.accepts.of("internet") == NOTHING, entry.key


@pytest.mark.parametrize(
    ("resource_type", "facts", "key"),
    [
        ("aws_lb", {"flavor": "application"}, "aws-alb"),
        ("aws_lb", {"flavor": "network"}, "aws-nlb"),
        ("aws_alb", {"flavor": "gateway"}, "aws-gwlb"),
        ("aws_elb", {}, "aws-clb"),
        ("aws_vpc_endpoint", {"endpoint_type": "Interface"}, "aws-interface-endpoint"),
        ("aws_vpc_endpoint", {"endpoint_type": "GatewayLoadBalancer"}, "aws-gwlb-endpoint"),
        ("Microsoft.Network/loadBalancers", {"sku": "Standard"}, "azure-load-balancer-standard"),
        ("microsoft.network/loadbalancers", {}, "azure-load-balancer-basic"),
        ("azurerm_lb", {"sku": "Basic"}, "azure-load-balancer-basic"),
        ("Microsoft.Network/bastionHosts", {}, "azure-bastion"),
        ("Microsoft.Network/bastionHosts", {"sku": "Developer"}, "azure-bastion"),
        ("azurerm_bastion_host", {"sku": "Premium"}, "azure-bastion-standard"),
        (
            "Microsoft.Network/applicationGateways",
            {"sku": "Standard_v2"},
            "azure-application-gateway",
        ),
        ("aws_instance", {}, None),
    ],
)
def test_a_mapper_picks_the_row_by_type_and_facts(
    resource_type: str, facts: dict[str, str], key: str | None
) -> None:
    assert pick(resource_type, **facts) == key


def test_an_unknown_row_is_a_bug() -> None:
    with pytest.raises(KeyError):
        row("no-such-service")


@pytest.mark.parametrize(
    ("resource_type", "engine", "port"),
    [
        ("aws_db_instance", "postgres", 5432),
        ("aws_db_instance", "aurora-postgresql", 5432),
        ("aws_db_instance", "mysql", 3306),
        ("aws_db_instance", "sqlserver-ex", 1433),
        ("aws_db_instance", "oracle-se2", 1521),
        ("aws_rds_cluster", None, 3306),  # aurora, MySQL-compatible, when no engine is written
        ("aws_docdb_cluster", None, 27017),
        ("aws_elasticache_replication_group", None, 6379),
        ("aws_elasticache_cluster", "memcached", 11211),
        ("aws_db_instance", "some-future-engine", None),
    ],
)
def test_default_ports(resource_type: str, engine: str | None, port: int | None) -> None:
    assert default_port(resource_type, engine) == port
