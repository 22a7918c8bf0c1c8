"""ARM's functions that read the deployment's context: resource ids (resourceId(),
subscriptionResourceId()...), resourceGroup(), subscription(), tenant(), deployment(),
environment(), managementGroup().

ARM knows these only when it runs; reachlint answers with `DeploymentInfo`'s stable stand-ins.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from msgspec import Struct

from reachlint.formats.arm.functions.arguments import EvalError
from reachlint.formats.arm.resource_ids import (
    DEPLOYMENT_GROUP,
    provider_path,
    resource_id,
    split_resource_id_args,
)
from reachlint.formats.arm.values import RuntimeObject, Unknown, first_unknown


class DeploymentInfo(Struct, frozen=True):
    """What the deployment-context functions return; ARM knows these only when it runs, so
    reachlint uses stable stand-ins that keep resource names readable."""

    subscription_id: str = "00000000-0000-0000-0000-000000000000"
    tenant_id: str = "00000000-0000-0000-0000-000000000000"
    resource_group: str = DEPLOYMENT_GROUP
    location: str = "eastus"
    deployment_name: str = "deployment"


def _strings(args: list[Any]) -> list[str] | Unknown:
    unknown = first_unknown(args)
    if unknown is not None:
        return unknown
    if not all(isinstance(a, str) for a in args):
        raise EvalError("takes strings")
    return [str(a) for a in args]


def _resource_id(args: list[Any], info: DeploymentInfo) -> Any:
    texts = _strings(args)
    if isinstance(texts, Unknown):
        return texts
    subscription, group, kind, names = split_resource_id_args(
        texts, info.subscription_id, info.resource_group
    )
    return resource_id(subscription, group, kind, names)


def _subscription_resource_id(args: list[Any], info: DeploymentInfo) -> Any:
    texts = _strings(args)
    if isinstance(texts, Unknown):
        return texts
    subscription = info.subscription_id
    if texts and "/" not in texts[0]:
        subscription, texts = texts[0], texts[1:]
    return f"/subscriptions/{subscription}/{provider_path(texts[0], texts[1:])}"


def _tenant_resource_id(args: list[Any], info: DeploymentInfo) -> Any:
    texts = _strings(args)
    if isinstance(texts, Unknown):
        return texts
    return "/" + provider_path(texts[0], texts[1:])


def _extension_resource_id(args: list[Any], info: DeploymentInfo) -> Any:
    texts = _strings(args)
    if isinstance(texts, Unknown):
        return texts
    return f"{texts[0].rstrip('/')}/{provider_path(texts[1], texts[2:])}"


def _management_group_resource_id(args: list[Any], info: DeploymentInfo) -> Any:
    texts = _strings(args)
    if isinstance(texts, Unknown):
        return texts
    if "/" in texts[0]:
        return Unknown("the management group is known only at deployment time")
    group, rest = texts[0], texts[1:]
    return (
        f"/providers/Microsoft.Management/managementGroups/{group}/"
        f"{provider_path(rest[0], rest[1:])}"
    )


def _runtime(values: dict[str, Any]) -> RuntimeObject:
    result = RuntimeObject()
    result.update(values)
    return result


def _resource_group(args: list[Any], info: DeploymentInfo) -> Any:
    return _runtime(
        {
            "id": f"/subscriptions/{info.subscription_id}/resourceGroups/{info.resource_group}",
            "name": info.resource_group,
            "type": "Microsoft.Resources/resourceGroups",
            "location": info.location,
            "properties": {"provisioningState": "Succeeded"},
        }
    )


def _subscription(args: list[Any], info: DeploymentInfo) -> Any:
    return _runtime(
        {
            "id": f"/subscriptions/{info.subscription_id}",
            "subscriptionId": info.subscription_id,
            "tenantId": info.tenant_id,
        }
    )


def _tenant(args: list[Any], info: DeploymentInfo) -> Any:
    return _runtime({"tenantId": info.tenant_id})


def _deployment(args: list[Any], info: DeploymentInfo) -> Any:
    return _runtime({"name": info.deployment_name, "location": info.location})


def _environment(args: list[Any], info: DeploymentInfo) -> Any:
    return _runtime(
        {
            "name": "AzureCloud",
            "gallery": "https://gallery.azure.com/",
            "graph": "https://graph.windows.net/",
            "portal": "https://portal.azure.com",
            "graphAudience": "https://graph.windows.net/",
            "activeDirectoryDataLake": "https://datalake.azure.net/",
            "batch": "https://batch.core.windows.net/",
            "media": "https://rest.media.azure.net",
            "sqlManagement": "https://management.core.windows.net:8443/",
            "resourceManager": "https://management.azure.com/",
            "authentication": {
                "loginEndpoint": "https://login.microsoftonline.com/",
                "audiences": [
                    "https://management.core.windows.net/",
                    "https://management.azure.com/",
                ],
                "tenant": "common",
                "identityProvider": "AAD",
            },
            "suffixes": {
                "acrLoginServer": ".azurecr.io",
                "azureDatalakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
                "azureDatalakeStoreFileSystem": "azuredatalakestore.net",
                "azureFrontDoorEndpointSuffix": "azurefd.net",
                "keyvaultDns": ".vault.azure.net",
                "sqlServerHostname": ".database.windows.net",
                "storage": "core.windows.net",
            },
        }
    )


def _management_group(args: list[Any], info: DeploymentInfo) -> Any:
    return _runtime({})


ContextFunction = Callable[[list[Any], DeploymentInfo], Any]
CONTEXT_FUNCTIONS: dict[str, ContextFunction] = {
    "resourceid": _resource_id,
    "subscriptionresourceid": _subscription_resource_id,
    "tenantresourceid": _tenant_resource_id,
    "extensionresourceid": _extension_resource_id,
    "managementgroupresourceid": _management_group_resource_id,
    "resourcegroup": _resource_group,
    "subscription": _subscription,
    "tenant": _tenant,
    "deployment": _deployment,
    "environment": _environment,
    "managementgroup": _management_group,
}
