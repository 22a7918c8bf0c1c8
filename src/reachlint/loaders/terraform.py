"""Terraform resources, from a plan or a configuration, to one model: each provider's mapper."""

from __future__ import annotations

from collections import Counter
from typing import Any

from reachlint.loaders.terraform_resources import TfResource
from reachlint.model import NetworkModel

# Resource type prefixes and the provider mapper that understands them.
_MAPPED = {"aws": "aws_", "azurerm": "azurerm_"}
# Providers that never describe a network: their resources need no note.
_NOT_NETWORK = ("random_", "null_", "local_", "tls_", "time_", "template_", "archive_", "http")


def model_from_resources(
    resources: list[TfResource], ids: dict[str, Any] | None, source: str
) -> NetworkModel:
    from reachlint.loaders.aws import build_aws_model

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
        from reachlint.loaders.azurerm import build_azurerm_model

        azure = build_azurerm_model(by_provider["azurerm"], ids, source)
        azure.inputs = []  # the same input, already listed
        model.merge(azure)
    for provider, count in sorted(others.items()):
        model.note(f"{count} resource(s) of provider '{provider}' are not modelled")
    return model
