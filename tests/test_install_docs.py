"""Every install command the documentation shows works on a fresh machine as written.

reachlint is not on a package index: a `pip install reachlint` or `pip install
'reachlint[checkov]'` fails wherever it is copied to. What works is installing from the
repository (a `git+https` URL at a release tag) or from a checkout (`.`), with extras that
exist; a package from PyPI (checkov) only with the range reachlint's extra names."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest
import yaml

from reachlint.commands.integrations.checkov_runner import INSTALL_COMMAND

REPO = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
EXTRAS = set(PROJECT["optional-dependencies"])
RELEASE = f"v{PROJECT['version']}"
FROM_REPOSITORY = re.compile(
    r"(?:reachlint(?:\[(?P<extras>[\w,]+)\])? @ )?git\+https://github\.com/OWNER/reachlint@(?P<tag>\S+)"
)
FROM_CHECKOUT = re.compile(r"\.(?:\[(?P<extras>[\w,]+)\])?")


def _documents() -> dict[str, str]:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    described = "\n".join(str(item.get("description", "")) for item in action["inputs"].values())
    return {
        "README.md": (REPO / "README.md").read_text(),
        "action.yml": described,
        "the --checkov error": INSTALL_COMMAND,
    }


def _requirements(text: str) -> list[str]:
    """What each `pip install` in `text` asks for (options and comments left out)."""
    found = []
    for match in re.finditer(r"pip install ([^\n`&;#]+)", text):
        found += [word for word in shlex.split(match.group(1)) if not word.startswith("-")]
    return found


def _extras_exist(extras: str | None) -> bool:
    return extras is None or set(extras.split(",")) <= EXTRAS


def _installable(requirement: str) -> bool:
    repository = FROM_REPOSITORY.fullmatch(requirement)
    if repository is not None:
        return repository["tag"] == RELEASE and _extras_exist(repository["extras"])
    checkout = FROM_CHECKOUT.fullmatch(requirement)
    if checkout is not None:
        return _extras_exist(checkout["extras"])
    # A package from PyPI: only what reachlint's own extras name, in their range.
    named = {
        spec.replace(" ", "")
        for specs in PROJECT["optional-dependencies"].values()
        for spec in specs
    }
    return requirement.replace(" ", "") in named


@pytest.mark.parametrize("document", ["README.md", "action.yml", "the --checkov error"])
def test_every_install_command_installs_from_where_reachlint_is(document: str) -> None:
    text = _documents()[document]
    # The action's `version` input names its example requirement in parentheses.
    examples = re.findall(r"pip requirement \(([^)]+)\)", text)
    requirements = _requirements(text) + examples
    assert requirements, document
    wrong = [requirement for requirement in requirements if not _installable(requirement)]
    assert not wrong, f"{document}: {wrong}"


def test_the_ci_snippets_install_reachlint_before_running_it() -> None:
    readme = _documents()["README.md"]
    for section in ("## GitLab CI", "## Azure Pipelines"):
        body = readme.split(section, 1)[1].split("\n## ", 1)[0]
        requirements = _requirements(body)
        assert any(FROM_REPOSITORY.fullmatch(r) for r in requirements), section


def test_a_feature_that_needs_a_system_package_names_it_where_it_is_shown() -> None:
    lines = _documents()["README.md"].splitlines()
    drawn = [number for number, line in enumerate(lines) if "| dot " in line]
    assert drawn
    for number in drawn:
        nearby = " ".join(lines[number - 1 : number + 3])
        assert "graphviz" in nearby.lower(), lines[number]
