"""ARM templates (classic and Bicep's compiled JSON) to the network model.

The template is expanded first (parameters, variables, loops, conditions, nested deployments;
see `formats/arm`), then each deployed network resource becomes model elements, in the order
`map_deployment` runs the readers (notes follow it). Addresses are the resource type with the
evaluated names (`Microsoft.Network/virtualNetworks/hub/subnets/web`); elements declared inside
another (inline subnets, rules, IP configurations) get the same address their own resource id
would give them. What cannot be known before deployment is recorded on the element and in a
note. The Azure provider (`providers/azure`) builds networks, subnets, NSGs, peerings, routes,
gateways, firewalls' placement, on-premises ends, private endpoints and injected services from
`arm_table` through `arm_reading`. Still read in ARM's terms: network interfaces, machines,
scale sets, Bastion and their public IPs (`arm_compute`), load balancers and application
gateways (`arm_balancers`), and firewall rules (`arm_firewall`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from reachlint.confine import confined, input_root
from reachlint.dialects.arm_balancers import APP_GATEWAY, LB, LB_NAT_RULE, LB_POOL, ArmBalancers
from reachlint.dialects.arm_compute import NIC, PIP, VM, VMSS, ArmCompute
from reachlint.dialects.arm_firewall import (
    FIREWALL,
    FIREWALL_POLICY,
    IP_GROUP,
    OLD_RULE_GROUP,
    RULE_GROUP,
    ArmFirewalls,
)
from reachlint.dialects.arm_reading import ArmInput
from reachlint.errors import InputError
from reachlint.formats.arm.deployment import Deployment, NoteSink, root_template
from reachlint.formats.arm.evaluator import Scope, TemplateError
from reachlint.formats.arm.functions.context import DeploymentInfo
from reachlint.formats.arm.validate import validate_template
from reachlint.formats.arm.values import Unknown, constant, find_key, lookup
from reachlint.formats.jsonpos import JsonObject, read_json_file
from reachlint.limits import evaluation
from reachlint.model.network import NetworkModel
from reachlint.model.redact import redact_model
from reachlint.providers.azure import compute as azure_compute
from reachlint.providers.azure import connections as azure_connections
from reachlint.providers.azure import gateways as azure_gateways
from reachlint.providers.azure import load_balancers as azure_load_balancers
from reachlint.providers.azure import networks as azure_networks
from reachlint.providers.azure import nsgs as azure_nsgs
from reachlint.providers.azure import peerings as azure_peerings
from reachlint.providers.azure import placement as azure_placement
from reachlint.providers.azure import private_link as azure_private_link
from reachlint.providers.azure import routes as azure_routes
from reachlint.providers.azure.resources import Build
from reachlint.sources import Origin

VNET = "microsoft.network/virtualnetworks"
SUBNET = "microsoft.network/virtualnetworks/subnets"
PEERING = "microsoft.network/virtualnetworks/virtualnetworkpeerings"
NSG = "microsoft.network/networksecuritygroups"
NSG_RULE = "microsoft.network/networksecuritygroups/securityrules"
ASG = "microsoft.network/applicationsecuritygroups"
ROUTE_TABLE = "microsoft.network/routetables"
ROUTE = "microsoft.network/routetables/routes"
VNET_GATEWAY = "microsoft.network/virtualnetworkgateways"
LOCAL_GATEWAY = "microsoft.network/localnetworkgateways"
CONNECTION = "microsoft.network/connections"
EXPRESS_ROUTE = "microsoft.network/expressroutecircuits"
NAT_GATEWAY = "microsoft.network/natgateways"
PRIVATE_ENDPOINT = "microsoft.network/privateendpoints"
PRIVATE_LINK_SERVICE = "microsoft.network/privatelinkservices"
DEPLOYMENTS = "microsoft.resources/deployments"
BASTION = "microsoft.network/bastionhosts"

MODELLED = frozenset(
    {
        VNET, SUBNET, PEERING, NSG, NSG_RULE, ASG, NIC, VM, VMSS, PIP, LB, LB_POOL, LB_NAT_RULE,
        APP_GATEWAY, FIREWALL, ROUTE_TABLE, ROUTE,
        VNET_GATEWAY, LOCAL_GATEWAY, CONNECTION, EXPRESS_ROUTE, NAT_GATEWAY, BASTION,
        PRIVATE_ENDPOINT, PRIVATE_LINK_SERVICE, DEPLOYMENTS, FIREWALL_POLICY, RULE_GROUP,
        OLD_RULE_GROUP, IP_GROUP,
    }
)  # fmt: skip

SUBNET_TYPE = "Microsoft.Network/virtualNetworks/subnets"
PARAMETER_FILE_NAMES = ("azuredeploy.parameters.json",)
_NOTE_SAMPLE = 3


def looks_like_arm(document: object) -> bool:
    """A deployment template: its $schema says so, or it has resources and a contentVersion."""
    if not isinstance(document, dict):
        return False
    schema = lookup(document, "$schema")
    if isinstance(schema, str):
        lowered = schema.lower()
        if "deploymenttemplate" in lowered:
            return True
        if "deploymentparameters" in lowered:
            return False
    return (
        lookup(document, "resources") is not None and lookup(document, "contentVersion") is not None
    )


def parameters_file_for(template: Path) -> Path | None:
    """`<name>.parameters.json` or `azuredeploy.parameters.json` beside the template."""
    stem = template.name[: -len(".json")] if template.name.endswith(".json") else template.stem
    candidates = [template.with_name(f"{stem}.parameters.json")]
    candidates += [template.with_name(name) for name in PARAMETER_FILE_NAMES]
    # Anything by that name but a directory: a link or a FIFO is refused when read, not skipped.
    return next(
        (c for c in candidates if os.path.lexists(c) and not c.is_dir() and c != template), None
    )


def load_arm_template(
    path: Path,
    parameters_file: Path | None = None,
    document: Any | None = None,
    *,
    parameter_values: Mapping[str, Any] | None = None,
    info: DeploymentInfo | None = None,
) -> NetworkModel:
    """The network model of an ARM template (classic or languageVersion 2.0).

    `parameters_file` defaults to the parameters file beside the template. `parameter_values`
    (from the command line) override both. `document` is used only when it still carries the
    positions of `arm_eval.jsonpos`; otherwise the file is read again to know every line.
    """
    file = str(path)
    if not isinstance(document, JsonObject):
        document = read_json_file(path)
    if not looks_like_arm(document):
        raise InputError("is not an ARM template (no deploymentTemplate $schema)", file)
    validate_template(document, file)
    unused_file: Path | None = None
    if parameters_file is None:
        parameters_file = parameters_file_for(path)
        if parameters_file is not None:
            # Found beside the template, not named by the user: only inside the input's root.
            confined(parameters_file, input_root(path))
        if parameters_file is not None and not _fits(parameters_file, path, document):
            unused_file, parameters_file = parameters_file, None
    supplied = read_parameters_file(parameters_file) if parameters_file else {}
    declarations = lookup(document, "parameters")
    declared = declarations if isinstance(declarations, dict) else {}
    given_in = dict.fromkeys(supplied, str(parameters_file) if parameters_file else file)
    for name, value in (parameter_values or {}).items():
        supplied[name] = constant(_as_declared(value, lookup(declared, name)))
        given_in[name] = "--var"
    _check_given(declared, supplied, given_in, file)
    notes = NoteSink()
    deployment = Deployment(notes)
    info = info or DeploymentInfo()
    try:
        with evaluation():
            template = root_template(document, file, info, deployment, supplied)
            deployment.expand(template, lookup(document, "resources"), Scope(template))
            model = map_deployment(deployment, file)
    except RecursionError:
        raise InputError("is nested too deeply to evaluate", file) from None
    except TemplateError as err:  # raised outside any one expression, so without a line
        raise InputError(str(err), file) from None
    if parameters_file:
        model.inputs.append(str(parameters_file))
    if unused_file is not None:
        model.note(
            f"{unused_file.name} beside the template sets parameters it does not declare; "
            "it is not used",
            origin=Origin(file=str(unused_file)),
        )
    for message, address, note_file, line in notes.notes:
        model.note(message, address, Origin(file=note_file, line=line))
    hidden = {resource.address: resource.secrets for resource in deployment.resources}
    redact_model(model, {address: found for address, found in hidden.items() if found})
    without = sorted(template.without_value, key=str.lower)
    if without:
        # One note for all of them: a design review runs without the pipeline's parameters.
        listed = ", ".join(without)
        model.note(
            f"{len(without)} parameter(s) used without a value or a default: {listed}; names "
            "built from them show each in braces, and what depends on them is unknown",
            origin=Origin(file=file, line=template.line_of("parameters", without[0])),
        )
    return model


_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "securestring": (str,),
    "int": (int,),
    "bool": (bool,),
    "array": (list,),
    "object": (dict,),
    "secureobject": (dict,),
}


def _as_declared(value: Any, declaration: Any) -> Any:
    """--var NAME=VALUE reads VALUE as JSON; for a string parameter it is the text itself."""
    kind = lookup(declaration, "type") if isinstance(declaration, dict) else None
    is_string = isinstance(kind, str) and kind.lower() in ("string", "securestring")
    if is_string and not isinstance(value, str):
        return json.dumps(value)
    return value


def _check_given(
    declared: Mapping[str, Any],
    supplied: Mapping[str, Callable[[], Any]],
    given_in: Mapping[str, str],
    file: str,
) -> None:
    """A value given for a parameter must have its declared type and be one of its allowed
    values, as Azure checks before it deploys."""
    for name, thunk in supplied.items():
        declaration = lookup(declared, name)
        if not isinstance(declaration, dict):
            continue  # an undeclared parameter is reported where the template is read
        value = thunk()
        if isinstance(value, Unknown):
            continue  # a Key Vault reference
        kind = lookup(declaration, "type")
        accepted = _TYPES.get(kind.lower()) if isinstance(kind, str) else None
        wrong_bool = isinstance(value, bool) and accepted == (int,)
        if accepted is not None and (not isinstance(value, accepted) or wrong_bool):
            raise InputError(
                f"parameter '{name}' is declared {kind} but is given {_value_text(value)} "
                f"(in {given_in.get(name, file)})",
                file,
            )
        allowed = lookup(declaration, "allowedValues")
        if isinstance(allowed, list) and allowed and not _allowed(value, allowed):
            choices = ", ".join(_value_text(a) for a in allowed[:8])
            raise InputError(
                f"parameter '{name}' is given {_value_text(value)}, which is not one of its "
                f"allowed values ({choices}) (in {given_in.get(name, file)})",
                file,
            )


def _allowed(value: Any, allowed: list[Any]) -> bool:
    # Strings compare without regard to case: a false alarm would stop a valid review.
    if isinstance(value, list):
        return all(_allowed(item, allowed) for item in value)
    if isinstance(value, str):
        return any(isinstance(a, str) and a.lower() == value.lower() for a in allowed)
    return any(a == value and type(a) is type(value) for a in allowed)


def _value_text(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _fits(parameters_file: Path, template: Path, document: Any) -> bool:
    """A shared parameters file found beside a template is its own only if every parameter it
    sets is declared there (`azuredeploy.parameters.json` next to a nested template is not)."""
    if (
        parameters_file.name.lower() != PARAMETER_FILE_NAMES[0]
        or template.name == "azuredeploy.json"
    ):
        return True
    found = read_json_file(parameters_file)
    given = lookup(found, "parameters") if isinstance(found, dict) else None
    declared = lookup(document, "parameters")
    if not isinstance(given, dict):
        return True  # not a parameters file: read_parameters_file says so
    return all(find_key(declared if isinstance(declared, dict) else {}, name) for name in given)


def read_parameters_file(path: Path) -> dict[str, Callable[[], Any]]:
    """A parameters file, {"parameters": {"x": {"value": ...}}}, as the value of each parameter;
    a Key Vault reference is unknown."""
    document = read_json_file(path)
    parameters = lookup(document, "parameters") if isinstance(document, dict) else None
    if not isinstance(parameters, dict):
        raise InputError("is not an ARM parameters file (no 'parameters' object)", str(path))
    supplied: dict[str, Any] = {}
    for name, entry in parameters.items():
        line = parameters.key_lines.get(name) if isinstance(parameters, JsonObject) else None
        if not isinstance(entry, dict):
            raise InputError(
                f"parameter '{name}' must be an object with a 'value'", str(path), line
            )
        value_key = find_key(entry, "value")
        if value_key is not None:
            supplied[name] = constant(entry[value_key])
        elif find_key(entry, "reference") is not None:
            supplied[name] = constant(Unknown(f"parameter '{name}' is a Key Vault secret"))
        else:
            raise InputError(
                f"parameter '{name}' has neither 'value' nor 'reference'", str(path), line
            )
    return supplied


# ----- the mapping ------------------------------------------------------------------------------


def map_deployment(deployment: Deployment, file: str) -> NetworkModel:
    """The network model of an expanded deployment, read in an order that notes depend on."""
    arm = ArmInput(deployment, file)
    build = Build(arm)
    azure_networks.virtual_networks(build)
    azure_peerings.sides(build)
    azure_networks.subnets(build)
    azure_nsgs.security_groups(arm)
    azure_nsgs.application_security_groups(arm)
    compute = ArmCompute(arm, build)
    azure_gateways.virtual_network_gateways(build)
    ArmFirewalls(arm, build).firewalls()
    azure_gateways.nat_gateways(build)
    compute.network_interfaces()
    compute.virtual_machines()
    compute.scale_sets()
    compute.unowned_interfaces()
    azure_compute.bastions(build, compute.bastion_public_ip)
    azure_compute.private_endpoints(build)
    azure_compute.subnet_services(build)
    # Before the load balancers: a public frontend belongs to its backends' network.
    azure_placement.place_interfaces(build)
    balancers = ArmBalancers(arm, build, compute)
    balancers.load_balancers()
    balancers.application_gateways()
    azure_placement.place_interfaces(build)  # and their own frontends
    azure_private_link.private_link_services(build)  # after the frontends it names
    azure_load_balancers.default_outbound(build.model)
    azure_routes.route_tables(build)
    azure_peerings.connect(build)
    azure_connections.on_premises(build)
    _unmodelled(arm)
    return arm.model


def _unmodelled(arm: ArmInput) -> None:
    """One note per resource type that has no place in the model."""
    for kind, resources in sorted(arm.by_type.items()):
        if kind in MODELLED:
            continue
        left = [r for r in resources if r.address not in arm.model.endpoints]
        if not left:
            continue
        sample = ", ".join(r.address for r in left[:_NOTE_SAMPLE])
        more = f" and {len(left) - _NOTE_SAMPLE} more" if len(left) > _NOTE_SAMPLE else ""
        # The message lists the resources: the note names none of them on its own.
        arm.model.note(
            f"{len(left)} {left[0].type} resource(s) not modelled: {sample}{more}",
            origin=arm.origin(left[0]),
        )
