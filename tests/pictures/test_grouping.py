"""Automatic grouping picks a tag that names roles, never one that tells resources apart."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from reachlint.commands.design.matrix import _tier_tag


def _model(*tags: dict[str, str]) -> Any:
    endpoints = {
        f"e{index}": SimpleNamespace(tags=t, unknown_tags={}, tags_unknown=None)
        for index, t in enumerate(tags)
    }
    return SimpleNamespace(endpoints=endpoints)


def test_a_role_tag_groups() -> None:
    model = _model({"Tier": "web"}, {"Tier": "web"}, {"Tier": "app"})
    assert _tier_tag(model) == "Tier"


def test_hashes_unique_values_and_provenance_tags_do_not_group() -> None:
    model = _model(
        {"commit": "a1b2c3d4e5", "trace": "1", "git_file": "ec2.tf", "Tier": "web"},
        {"commit": "f6e5d4c3b2", "trace": "2", "git_file": "ec2.tf", "Tier": "web"},
        {"commit": "a1b2c3d4e5", "trace": "3", "git_file": "elb.tf", "Tier": "app"},
    )
    assert _tier_tag(model) == "Tier"
    assert (
        _tier_tag(
            _model(
                *(
                    {k: v for k, v in t.items() if k != "Tier"}
                    for t in [
                        {"commit": "a1b2c3d4e5", "trace": "1", "git_file": "ec2.tf"},
                        {"commit": "f6e5d4c3b2", "trace": "2", "git_file": "ec2.tf"},
                        {"commit": "a1b2c3d4e5", "trace": "3", "git_file": "elb.tf"},
                    ]
                )
            )
        )
        is None
    )


def test_two_endpoints_with_two_roles_still_group() -> None:
    assert _tier_tag(_model({"Tier": "web"}, {"Tier": "app"})) == "Tier"
