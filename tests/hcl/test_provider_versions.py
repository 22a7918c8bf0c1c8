"""The version of a provider Terraform installs: the lock file's, else the newest the
constraints admit (https://developer.hashicorp.com/terraform/language/files/dependency-lock)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reachlint.formats.hcl.config import read_module
from reachlint.formats.terraform.versions import (
    Constraint,
    Requirement,
    installs_at_least,
    requirement,
)

FOUR = (4, 0, 0)


@pytest.mark.parametrize(
    ("constraints", "expected"),
    [
        ((), True),  # none: the newest
        (("~> 4.0",), True),
        (("~> 3.0",), False),
        (("~> 3.116.0",), False),
        ((">= 3.0",), True),
        ((">= 2.0, < 4.0.0",), False),
        (("< 4.0",), False),
        (("= 1.1.2",), False),
        (("4.1.0",), True),
        (("~> 4",), True),
        ((">= 3.0", "~> 3.100"), False),  # every module's constraints at once
        (("latest",), None),  # not a constraint Terraform reads
    ],
)
def test_the_newest_admitted_version_decides(
    constraints: tuple[str, ...], expected: object
) -> None:
    found = Requirement(constraints=tuple(Constraint(text, "versions.tf") for text in constraints))
    assert installs_at_least(found, FOUR) is expected


def test_the_lock_file_decides_before_the_constraints() -> None:
    found = Requirement(locked="3.116.0", constraints=(Constraint(">= 3.0", "versions.tf"),))
    assert installs_at_least(found, FOUR) is False
    assert installs_at_least(Requirement(locked="4.2.0"), FOUR) is True


def test_a_local_name_for_another_provider_is_not_known(tmp_path: Path) -> None:
    (tmp_path / "versions.tf").write_text(
        "terraform {\n  required_providers {\n"
        '    azurerm = { source = "example/azurerm" }\n  }\n}\n'
    )
    config = read_module(tmp_path, tmp_path, ".", tmp_path)
    found = requirement(config.settings, tmp_path, "hashicorp/azurerm", "azurerm")
    assert found.other_source == "example/azurerm"
    assert installs_at_least(found, FOUR) is None


def test_constraints_and_the_lock_file_are_read_from_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "versions.tf").write_text(
        "terraform {\n  required_providers {\n    azurerm = {\n"
        '      source  = "hashicorp/azurerm"\n      version = "~> 3.0"\n    }\n  }\n}\n'
    )
    config = read_module(tmp_path, tmp_path, ".", tmp_path)
    found = requirement(config.settings, tmp_path, "hashicorp/azurerm", "azurerm")
    assert [c.text for c in found.constraints] == ["~> 3.0"] and found.locked is None
    (tmp_path / ".terraform.lock.hcl").write_text(
        'provider "registry.terraform.io/hashicorp/azurerm" {\n  version = "4.10.0"\n}\n'
    )
    found = requirement(config.settings, tmp_path, "hashicorp/azurerm", "azurerm")
    assert found.locked == "4.10.0" and installs_at_least(found, FOUR) is True


def test_a_lock_file_linked_from_outside_the_configuration_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.hcl"
    outside.write_text(
        'provider "registry.terraform.io/hashicorp/azurerm" {\n  version = "3.1.0"\n}\n'
    )
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    (config_dir / "main.tf").write_text("")
    (config_dir / ".terraform.lock.hcl").symlink_to(outside)
    found = requirement([], config_dir, "hashicorp/azurerm", "azurerm")
    assert found.locked is None
    # Inside the configuration, the same text is read.
    (config_dir / ".terraform.lock.hcl").unlink()
    (config_dir / ".terraform.lock.hcl").write_text(outside.read_text())
    assert requirement([], config_dir, "hashicorp/azurerm", "azurerm").locked == "3.1.0"
