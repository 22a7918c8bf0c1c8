"""Terraform resources, from a plan or a configuration, to one model: each provider's mapper."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reachlint.formats.terraform.records import TfResource
from reachlint.model.network import NetworkModel
from reachlint.model.redact import redact_model
from reachlint.sources import Origin

if TYPE_CHECKING:
    from reachlint.formats.terraform.versions import Requirement

# Resource type prefixes and the provider mapper that understands them.
_MAPPED = {"aws": "aws_", "azurerm": "azurerm_"}
# Providers that never describe a network: their resources need no note.
_NOT_NETWORK = ("random_", "null_", "local_", "tls_", "time_", "template_", "archive_", "http")
# What of a provider's configuration its mapper reads.
PROVIDERS_CONFIGURED = {"aws": frozenset({"default_tags"})}
# Providers whose version a directory's requirements are read for: azurerm 4.0 changed defaults.
PROVIDERS_VERSIONED = {"azurerm": "hashicorp/azurerm"}


def model_from_resources(
    resources: list[TfResource],
    ids: dict[str, Any] | None,
    source: str,
    requirements: Mapping[str, Requirement] | None = None,
) -> NetworkModel:
    """The model of these resources; `requirements`: what a configuration says of its
    providers' versions (PROVIDERS_VERSIONED), where their defaults changed between them."""
    from reachlint.dialects.terraform.aws import build_aws_model

    by_provider: dict[str, list[TfResource]] = {name: [] for name in _MAPPED}
    others: Counter[str] = Counter()
    for resource in resources:
        for name, prefix in _MAPPED.items():
            if resource.type.startswith(prefix):
                by_provider[name].append(resource)
                break
        else:
            if resource.mode == "managed" and not resource.type.startswith(_NOT_NETWORK):
                others[resource.type.split("_", 1)[0]] += 1
    model = build_aws_model(by_provider["aws"], ids, source)
    if by_provider["azurerm"]:
        from reachlint.dialects.terraform.azurerm import build_azurerm_model

        azurerm = (requirements or {}).get("azurerm")
        azure = build_azurerm_model(by_provider["azurerm"], ids, source, azurerm)
        azure.inputs = []  # the same input, already listed
        model.merge(azure)
    for provider, count in sorted(others.items()):
        model.note(f"{count} resource(s) of provider '{provider}' are not modelled")
    hidden = {resource.address: resource.sensitive_texts() for resource in resources}
    redact_model(model, {address: found for address, found in hidden.items() if found})
    return model


def rebase_origins(resources: list[TfResource], directory: Path) -> None:
    """Origins relative to the configuration, as paths a reviewer can open from here."""
    for resource in resources:
        resource.origin = _rebased(resource.origin, directory)
        resource.attribute_origins = {
            path: _rebased(origin, directory) for path, origin in resource.attribute_origins.items()
        }


def _rebased(origin: Origin, directory: Path) -> Origin:
    if origin.file is None or Path(origin.file).is_absolute():
        return origin
    return Origin(file=shown_path(directory / origin.file), line=origin.line)


def shown_path(path: Path) -> str:
    """A path as reports show it: relative to the working directory when it lies inside it."""
    full = os.path.normpath(path)
    if os.path.isabs(full):
        inside = os.path.relpath(full)
        if not inside.startswith(".."):
            return inside
    return full


def attach_configuration(
    resources: list[TfResource],
    directory: Path,
    variables: dict[str, str],
    var_files: tuple[Path, ...] = (),
) -> list[str]:
    """Give plan resources the file and line of their configuration, and its exact references.

    A plan records one reference list per expression, so `subnet_ids[count.index]` names every
    subnet; the configuration, evaluated, names the one. Returns notes; a configuration that
    cannot be read leaves the plan as it is.
    """
    from reachlint.confine import ConfinementError
    from reachlint.dialects.terraform.links import value_at
    from reachlint.dialects.terraform.set_blocks import align
    from reachlint.errors import InputError
    from reachlint.formats.terraform.directory import load_terraform_dir
    from reachlint.providers.values import has_unknown

    try:
        # Terraform planned it: the configuration is valid for the provider it was planned with.
        loaded = load_terraform_dir(directory, variables, list(var_files))
    except ConfinementError:
        raise  # a file that must not be read is refused, not noted
    except InputError as error:
        return [
            f"the configuration beside the plan could not be read, so findings carry no "
            f".tf lines: {error.render()}"
        ]
    rebase_origins(loaded.resources, directory)
    by_address = {resource.address: resource for resource in loaded.resources}
    matched = 0
    for resource in resources:
        configured = by_address.get(resource.address)
        if configured is None:
            continue
        matched += 1
        resource.origin = configured.origin
        # Set elements (ingress rules, routes) are planned in an order of Terraform's own.
        aligned = align(resource, configured)
        resource.attribute_origins = aligned.origins
        for stale in aligned.lists:
            for path in [p for p in resource.references if p.startswith(stale + ".")]:
                del resource.references[path]
        for path, references in aligned.references.items():
            if references:
                resource.references[path] = references
        # The configuration names what an unknown value rests on more exactly than a plan's
        # reference lists; only values the plan does not know are unknown.
        for planned, named in aligned.unknown_values.items():
            if has_unknown(value_at(resource.values, planned)):
                resource.unknown_values[planned] = named
    if resources and not matched:
        return [f"{directory} does not hold the configuration of this plan: no resource matches"]
    return []
