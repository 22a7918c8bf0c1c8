"""Functions whose value exists only when the deployment runs (dates, newGuid, zones, secrets),
and those reachlint does not evaluate (base64, data URIs): their results are unknown.
"""

from __future__ import annotations

from typing import Any

from reachlint.formats.arm.functions.arguments import Function
from reachlint.formats.arm.values import Unknown


def deployment_only(what: str) -> Function:
    """A function whose value exists only when the deployment runs."""

    def unknown(args: list[Any]) -> Any:
        return Unknown(f"{what} is known only at deployment time")

    return unknown


def not_modelled(name: str) -> Function:
    def unknown(args: list[Any]) -> Any:
        return Unknown(f"{name}() is not evaluated by reachlint")

    return unknown


FUNCTIONS: dict[str, Function] = {
    "newguid": deployment_only("newGuid()"),
    "utcnow": deployment_only("utcNow()"),
    "datetimeadd": deployment_only("a date"),
    "datetimefromepoch": deployment_only("a date"),
    "datetimetoepoch": deployment_only("a date"),
    "pickzones": deployment_only("the region's availability zones"),
    "providers": deployment_only("a provider's API versions"),
    "getsecret": deployment_only("a Key Vault secret"),
    "base64": not_modelled("base64"),
    "base64tostring": not_modelled("base64ToString"),
    "base64tojson": not_modelled("base64ToJson"),
    "datauri": not_modelled("dataUri"),
    "datauritostring": not_modelled("dataUriToString"),
}
