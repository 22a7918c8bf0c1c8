"""ARM templates (classic and Bicep's compiled JSON) to the network model.

The template is expanded first (parameters, variables, loops, conditions, nested deployments;
see `arm_eval`), then each deployed network resource becomes model elements. Azure's implicit
behaviour is written out here: the six default rules of every NSG, the address Azure gives an
Azure Firewall, which NICs a load balancer rule reaches. Addresses are the resource type with
the evaluated names (`Microsoft.Network/virtualNetworks/hub/subnets/web`); elements declared
inside another (inline subnets, rules, IP configurations) get the same address their own
resource id would give them. What cannot be known before deployment is recorded on the element
and in a note. The Azure provider (`providers/azure`) builds networks, subnets, NSGs, peerings,
routes, gateways, on-premises ends, private endpoints and injected services from `arm_table`
through `arm_reading`; what is still read here (network interfaces, machines and scale sets,
public IPs, load balancers, application gateways, Bastion, firewalls) moves there next.
"""

from __future__ import annotations

import ipaddress
import json
import os
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from reachlint.confine import confined, input_root
from reachlint.dialects.arm_reading import ArmInput
from reachlint.errors import InputError
from reachlint.formats.arm.deployment import Deployment, NoteSink, root_template
from reachlint.formats.arm.evaluator import Scope, TemplateError
from reachlint.formats.arm.functions.context import DeploymentInfo
from reachlint.formats.arm.resource_ids import address_from_id, child_address
from reachlint.formats.arm.resources import ArmResource
from reachlint.formats.arm.validate import validate_template
from reachlint.formats.arm.values import (
    MissingParameter,
    Placeholder,
    Unknown,
    find_key,
    lookup,
    parameter_reference,
)
from reachlint.formats.jsonpos import JsonObject, read_json_file
from reachlint.limits import evaluation
from reachlint.model import exposure
from reachlint.model.network import (
    AddressSpec,
    DnatRule,
    ElasticIp,
    Endpoint,
    EndpointKind,
    FirewallPolicy,
    FirewallRule,
    Gateway,
    Interface,
    Listener,
    LoadBalancer,
    NetworkModel,
    PortRange,
    Target,
    TargetGroup,
)
from reachlint.model.redact import redact_model
from reachlint.providers.azure import compute as azure_compute
from reachlint.providers.azure import connections as azure_connections
from reachlint.providers.azure import firewall as azure_firewall
from reachlint.providers.azure import gateways as azure_gateways
from reachlint.providers.azure import networks as azure_networks
from reachlint.providers.azure import nsgs as azure_nsgs
from reachlint.providers.azure import peerings as azure_peerings
from reachlint.providers.azure import routes as azure_routes
from reachlint.providers.azure.resources import Build
from reachlint.sources import Origin, UnknownValue

VNET = "microsoft.network/virtualnetworks"
SUBNET = "microsoft.network/virtualnetworks/subnets"
PEERING = "microsoft.network/virtualnetworks/virtualnetworkpeerings"
NSG = "microsoft.network/networksecuritygroups"
NSG_RULE = "microsoft.network/networksecuritygroups/securityrules"
ASG = "microsoft.network/applicationsecuritygroups"
NIC = "microsoft.network/networkinterfaces"
VM = "microsoft.compute/virtualmachines"
VMSS = "microsoft.compute/virtualmachinescalesets"
PIP = "microsoft.network/publicipaddresses"
LB = "microsoft.network/loadbalancers"
LB_POOL = "microsoft.network/loadbalancers/backendaddresspools"
LB_NAT_RULE = "microsoft.network/loadbalancers/inboundnatrules"
APP_GATEWAY = "microsoft.network/applicationgateways"
FIREWALL = "microsoft.network/azurefirewalls"
FIREWALL_POLICY = "microsoft.network/firewallpolicies"
RULE_GROUP = "microsoft.network/firewallpolicies/rulecollectiongroups"
OLD_RULE_GROUP = "microsoft.network/firewallpolicies/rulegroups"  # the 2019-2020 preview API
IP_GROUP = "microsoft.network/ipgroups"
ROUTE_TABLE = "microsoft.network/routetables"
ROUTE = "microsoft.network/routetables/routes"
VNET_GATEWAY = "microsoft.network/virtualnetworkgateways"
LOCAL_GATEWAY = "microsoft.network/localnetworkgateways"
CONNECTION = "microsoft.network/connections"
EXPRESS_ROUTE = "microsoft.network/expressroutecircuits"
NAT_GATEWAY = "microsoft.network/natgateways"
BASTION = "microsoft.network/bastionhosts"
PRIVATE_ENDPOINT = "microsoft.network/privateendpoints"
DEPLOYMENTS = "microsoft.resources/deployments"

MODELLED = frozenset(
    {
        VNET, SUBNET, PEERING, NSG, NSG_RULE, ASG, NIC, VM, VMSS, PIP, LB, LB_POOL, LB_NAT_RULE,
        APP_GATEWAY, FIREWALL, ROUTE_TABLE, ROUTE,
        VNET_GATEWAY, LOCAL_GATEWAY, CONNECTION, EXPRESS_ROUTE, NAT_GATEWAY, BASTION,
        PRIVATE_ENDPOINT, DEPLOYMENTS, FIREWALL_POLICY, RULE_GROUP, OLD_RULE_GROUP, IP_GROUP,
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
        supplied[name] = _constant(_as_declared(value, lookup(declared, name)))
        given_in[name] = "--var"
    _check_given(declared, supplied, given_in, file)
    notes = NoteSink()
    deployment = Deployment(notes)
    info = info or DeploymentInfo()
    try:
        with evaluation():
            template = root_template(document, file, info, deployment, supplied)
            deployment.expand(template, lookup(document, "resources"), Scope(template))
            mapper = _Mapper(deployment, file)
            mapper.run()
    except RecursionError:
        raise InputError("is nested too deeply to evaluate", file) from None
    except TemplateError as err:  # raised outside any one expression, so without a line
        raise InputError(str(err), file) from None
    model = mapper.model
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
    given = lookup(read_json_file(parameters_file), "parameters")
    declared = lookup(document, "parameters")
    if not isinstance(given, dict):
        return True
    return all(find_key(declared if isinstance(declared, dict) else {}, name) for name in given)


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value


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
            supplied[name] = _constant(entry[value_key])
        elif find_key(entry, "reference") is not None:
            supplied[name] = _constant(Unknown(f"parameter '{name}' is a Key Vault secret"))
        else:
            raise InputError(
                f"parameter '{name}' has neither 'value' nor 'reference'", str(path), line
            )
    return supplied


# ----- reading evaluated values ----------------------------------------------------------------


def _at(data: Any, *path: str | int) -> Any:
    for key in path:
        if isinstance(data, Unknown):
            return data
        if isinstance(data, dict) and isinstance(key, str):
            found = find_key(data, key)
            data = data[found] if found is not None else None
        elif isinstance(data, list) and isinstance(key, int):
            data = data[key] if 0 <= key < len(data) else None
        else:
            return None
    return data


def _items(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _closed_without_nsg(sku: Any) -> bool | None:
    """A public IP of the Standard SKU is closed to inbound traffic unless an NSG allows it;
    Basic, the API's default when no SKU is written, is open. None: the SKU is not known."""
    if sku is None:
        return False
    name = _at(sku, "name")
    if name is None:
        return False
    if not isinstance(name, str) or isinstance(name, Placeholder):
        return None
    return name.lower() == "standard"


def _valid_cidr(text: str) -> bool:
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return True


def _roomy(cidrs: list[str]) -> bool:
    """A first range with room for Azure's four reserved addresses and one more."""
    return bool(cidrs) and ipaddress.ip_network(cidrs[0]).num_addresses > 4


def _valid_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _prefix(parent: str, marker: str) -> str:
    """`.../loadBalancers/lb/backendAddressPools/p` -> `.../loadBalancers/lb`."""
    lowered = parent.lower()
    position = lowered.rfind(f"/{marker.lower()}/")
    return parent[:position] if position >= 0 else parent


@dataclass
class _IpConfig:
    """A NIC or scale-set IP configuration: where its owner joins pools and rules."""

    address: str
    owner: str  # the endpoint that holds the NIC
    interface: Interface
    origin: Origin
    pools: list[str] = field(default_factory=list)
    nat_rules: list[str] = field(default_factory=list)
    nat_pools: list[str] = field(default_factory=list)
    gateway_pools: list[str] = field(default_factory=list)


class _Mapper:
    def __init__(self, deployment: Deployment, file: str) -> None:
        self.file = file
        self.input = ArmInput(deployment, file)
        self.build = Build(self.input)
        self.model = self.input.model
        self.by_type = self.input.by_type
        self.known = self.input.known
        self.nic_interfaces: dict[str, tuple[Interface, ArmResource]] = {}
        self.ip_configs: list[_IpConfig] = []
        self.owner: dict[str, str] = {}  # NIC address -> the endpoint that holds it
        self.public_ips: dict[str, ArmResource] = {}
        self.doubted = self.input.doubted

    # --- plumbing ------------------------------------------------------------------------------

    def of(self, *types: str) -> list[ArmResource]:
        return [r for t in types for r in self.by_type.get(t, [])]

    def origin(self, resource: ArmResource, data: Any = None) -> Origin:
        line = getattr(data, "line", None)
        source = getattr(data, "source", None)
        if line:
            return Origin(file=source or resource.file, line=line)
        return Origin(file=resource.file, line=resource.line)

    def note(self, resource: ArmResource | None, message: str, data: Any = None) -> None:
        if resource is None:
            self.model.note(message, origin=Origin(file=self.file))
            return
        self.model.note(message, resource.address, self.origin(resource, data))

    def properties(self, resource: ArmResource) -> Any:
        """A modelled resource's properties; what left its name, count or condition open is
        noted."""
        if resource.address not in self.doubted:
            self.doubted.add(resource.address)
            for doubt in resource.doubts:
                self.note(resource, doubt.reason)
        return resource.properties

    def canonical(self, address: str) -> str:
        return self.known.get(address.lower(), address)

    def remember(self, address: str) -> str:
        self.known.setdefault(address.lower(), address)
        return address

    def ref(self, resource: ArmResource, value: Any, what: str, element: Any = None) -> str | None:
        """The address a `{"id": ...}` reference (or an id string) names."""
        if isinstance(value, dict):
            value = _at(value, "id")
        if value is None:
            return None
        if isinstance(value, Unknown):
            self.unknown(resource, element, what, value)
            return None
        if not isinstance(value, str):
            return None
        address = address_from_id(value)
        if address is None and isinstance(value, Placeholder):
            # An id passed in as a parameter that has no value: the resource is unknown.
            self.unknown(
                resource, element, what, MissingParameter("", None, None, value.parameters)
            )
            return None
        if address is None:
            self.note(resource, f"{what} {value!r} is not a resource id; ignored")
            return None
        return self.canonical(address)

    def refs(self, resource: ArmResource, values: Any, what: str, element: Any = None) -> list[str]:
        if isinstance(values, Unknown):
            self.unknown(resource, element, what, values)
            return []
        found = (self.ref(resource, v, what, element) for v in _items(values))
        return [a for a in found if a]

    def unknown(self, resource: ArmResource, element: Any, what: str, value: Unknown) -> None:
        if element is not None and what not in element.unknown:
            element.unknown.append(what)
        self.note(resource, f"{what} is unknown: {value.reason}")

    def text(self, resource: ArmResource, value: Any, what: str, element: Any = None) -> str | None:
        if isinstance(value, Unknown):
            self.unknown(resource, element, what, value)
            return None
        if isinstance(value, str) and value:
            return value
        return None

    def integer(
        self, resource: ArmResource, value: Any, what: str, element: Any = None
    ) -> int | None:
        if isinstance(value, Unknown):
            self.unknown(resource, element, what, value)
            return None
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        return None

    def flag(self, resource: ArmResource, value: Any, what: str) -> bool | None:
        if isinstance(value, Unknown):
            self.note(resource, f"{what} is unknown: {value.reason}")
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        return None

    def texts(
        self,
        resource: ArmResource,
        *values: Any,
        what: str,
        element: Any = None,
        ranges: list[UnknownValue] | None = None,
    ) -> list[str]:
        """Strings from singular and plural properties together (addressPrefix(es)); with
        `ranges`, what is unknown is an unknown address range there."""
        out: list[str] = []
        for value in values:
            if isinstance(value, Unknown):
                if ranges is not None:
                    ranges.append(self.unknown_range(value, f"{resource.address} {what}"))
                    self.note(resource, f"{what} is unknown: {value.reason}")
                else:
                    self.unknown(resource, element, what, value)
                continue
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, Unknown) and ranges is not None:
                    ranges.append(self.unknown_range(item, f"{resource.address} {what}"))
                    self.note(resource, f"{what} is unknown: {item.reason}")
                elif isinstance(item, Unknown):
                    self.unknown(resource, element, what, item)
                elif isinstance(item, str) and item:
                    out.append(item)
                elif isinstance(item, int) and not isinstance(item, bool):
                    out.append(str(item))
        return out

    def cidrs(
        self,
        resource: ArmResource,
        *values: Any,
        what: str,
        element: Any,
        ranges: list[UnknownValue] | None = None,
    ) -> list[str]:
        """The CIDRs of address prefix properties; those that are unknown values go to
        `ranges` (the element's unknown ranges by default)."""
        if ranges is None:
            ranges = element.unknown_ranges
        found = []
        for text in self.texts(resource, *values, what=what, element=element, ranges=ranges):
            if isinstance(text, Placeholder):
                ranges.append(self.unknown_range(text))
            elif _valid_cidr(text):
                found.append(str(ipaddress.ip_network(text, strict=False)))
            else:
                self.note(resource, f"{what} {text!r} is not a CIDR; ignored")
        return found

    def unknown_range(self, value: Placeholder | Unknown, where: str = "") -> UnknownValue:
        """An address range that is a parameter without a value (named by it), or a value
        known only at deployment."""
        if isinstance(value, Placeholder):
            sources = tuple(parameter_reference(p) for p in sorted(value.parameters))
            return UnknownValue(sources=sources, exactly=sources[0] if value.exact else None)
        if isinstance(value, MissingParameter):
            return UnknownValue(sources=tuple(parameter_reference(p) for p in sorted(value.names)))
        return UnknownValue(sources=(f"{where} ({value.reason})" if where else value.reason,))

    def tags(self, resource: ArmResource) -> dict[str, str]:
        tags = resource.get("tags")
        if not isinstance(tags, dict):
            return {}
        return {k: str(v) for k, v in tags.items() if isinstance(v, str | int | bool)}

    # --- the mapping ---------------------------------------------------------------------------

    def run(self) -> None:
        azure_networks.virtual_networks(self.build)
        azure_peerings.sides(self.build)
        azure_networks.subnets(self.build)
        azure_nsgs.security_groups(self.input)
        azure_nsgs.application_security_groups(self.input)
        for resource in self.of(PIP):
            self.public_ips[resource.address.lower()] = resource
        azure_gateways.virtual_network_gateways(self.build)
        self.firewalls()
        azure_gateways.nat_gateways(self.build)
        self.network_interfaces()
        self.virtual_machines()
        self.scale_sets()
        self.unowned_interfaces()
        self.bastions()
        azure_compute.private_endpoints(self.build)
        azure_compute.subnet_services(self.build)
        self.load_balancers()
        self.application_gateways()
        azure_routes.route_tables(self.build)
        azure_peerings.connect(self.build)
        azure_connections.on_premises(self.build)
        self.unmodelled()

    # virtual networks and subnets

    def network_of_subnet(self, subnet: str | None) -> str | None:
        if subnet is None:
            return None
        known = self.model.subnets.get(subnet)
        if known is not None:
            return known.network
        network = self.canonical(_prefix(subnet, "subnets"))
        return network if network in self.model.networks else None

    def subnet_ref(
        self, resource: ArmResource, value: Any, element: Any, what: str = "subnet"
    ) -> str | None:
        subnet = self.ref(resource, value, what, element)
        if subnet is not None and subnet not in self.model.subnets:
            self.note(
                resource,
                f"{what} {subnet} is not deployed by this template; its address range is unknown",
            )
        return subnet

    # gateways

    def firewalls(self) -> None:
        for resource in self.of(FIREWALL):
            properties = self.properties(resource)
            gateway = Gateway(
                address=resource.address,
                type=resource.type,
                origin=self.origin(resource),
                kind="firewall",
            )
            configs = _items(_at(properties, "ipConfigurations"))
            subnet = self.subnet_ref(resource, _at(configs, 0, "properties", "subnet"), gateway)
            gateway.subnet = subnet
            gateway.network = self.network_of_subnet(subnet)
            given = self.text(
                resource, _at(configs, 0, "properties", "privateIPAddress"), "privateIPAddress"
            )
            if given and _valid_ip(given):
                gateway.private_ips = [given]
            elif subnet in self.model.subnets and _roomy(self.model.subnets[subnet].cidrs):
                network = ipaddress.ip_network(self.model.subnets[subnet].cidrs[0])
                gateway.private_ips = [str(network.network_address + 4)]
                self.note(
                    resource,
                    f"its private address is taken to be {gateway.private_ips[0]}, the first "
                    "address Azure hands out in AzureFirewallSubnet (it reserves four)",
                )
            else:
                gateway.unknown.append("private_ips")
            if _at(properties, "virtualHub") is not None:
                self.note(resource, "a firewall in a Virtual WAN hub is not placed in a network")
            public = any(
                _at(config, "properties", "publicIPAddress") is not None for config in configs
            )
            policy = _at(properties, "firewallPolicy")
            if policy is not None:
                gateway.policy = self.firewall_policy(resource, policy, public)
            else:
                gateway.policy = self.classic_rules(resource, properties, public)
            self.model.gateways[gateway.address] = gateway

    # firewall rules

    def ip_groups(self) -> dict[str, list[str]]:
        if not hasattr(self, "_ip_groups"):
            found: dict[str, list[str]] = {}
            for resource in self.of(IP_GROUP):
                found[resource.address.lower()] = self.texts(
                    resource, _at(self.properties(resource), "ipAddresses"), what="ipAddresses"
                )
            self._ip_groups = found
        return self._ip_groups

    def fw_addresses(
        self, resource: ArmResource, rule: Any, plain: str, groups: str
    ) -> AddressSpec:
        values = _at(rule, plain)
        refs = [a.lower() for a in self.refs(resource, _at(rule, groups), groups)]
        spec = azure_firewall.addresses(
            self.texts(resource, values, what=plain), self.ip_groups(), refs
        )
        if isinstance(values, Unknown) or any(isinstance(v, Unknown) for v in _items(values)):
            spec.service_tags.append("a value known at deployment")
        return azure_firewall.written(spec)

    def fw_ports(self, resource: ArmResource, rule: Any, key: str) -> list[PortRange] | None:
        values = self.texts(resource, _at(rule, key), what=key)
        try:
            return azure_firewall.ports(values)
        except ValueError:
            self.note(resource, f"{key} {values!r} is not a port range; taken as every port", rule)
            return None

    def classic_rules(
        self, resource: ArmResource, properties: Any, public: bool
    ) -> FirewallPolicy | None:
        """Rule collections written on the firewall itself (classic rules)."""
        sections = ("natRuleCollections", "networkRuleCollections", "applicationRuleCollections")
        if not any(_items(_at(properties, key)) for key in sections):
            return None
        rules = azure_firewall.RuleSet(
            FirewallPolicy(
                address=resource.address, type=resource.type, origin=self.origin(resource)
            )
        )
        for section, kind in zip(sections, ("dnat", "network", "application"), strict=True):
            for collection in _items(_at(properties, section)):
                name = self.text(resource, _at(collection, "name"), f"{section} name") or "?"
                inner = _at(collection, "properties")
                priority = self.integer(resource, _at(inner, "priority"), f"{name} priority")
                action = self.text(resource, _at(inner, "action", "type"), f"{name} action")
                address = child_address(resource.address, section, name)
                self.fw_collection(
                    rules, resource, address, kind, name, priority, action, inner, (), public
                )
        return rules.done()

    def firewall_policy(
        self, resource: ArmResource, reference: Any, public: bool
    ) -> FirewallPolicy:
        address = self.ref(resource, reference, "firewallPolicy")
        policies = {r.address.lower(): r for r in self.of(FIREWALL_POLICY)}
        chain: list[ArmResource] = []
        current = address
        while current is not None and current.lower() in policies and len(chain) < 8:
            found = policies[current.lower()]
            if found in chain:
                break
            chain.append(found)
            current = self.ref(found, _at(self.properties(found), "basePolicy"), "basePolicy")
        if not chain or current is not None:
            missing = current or address or "its firewall policy"
            self.note(
                resource, f"firewall policy {missing} is not in the input; its rules are unknown"
            )
            return azure_firewall.unknown_policy(
                missing,
                FIREWALL_POLICY,
                self.origin(resource),
                f"policy {missing} not in the input",
            )
        top = chain[0]
        rules = azure_firewall.RuleSet(
            FirewallPolicy(address=top.address, type=top.type, origin=self.origin(top))
        )
        groups = self.of(RULE_GROUP)
        for old in self.of(OLD_RULE_GROUP):
            if any(old.address.lower().startswith(f"{p.address.lower()}/") for p in chain):
                # Their rule conditions are not read: what the group allows is an unknown.
                rules.add(
                    (-1,),
                    FirewallRule(
                        address=old.address,
                        type=old.type,
                        origin=self.origin(old),
                        name="(its rules)",
                        kind="rule group",
                        action="allow",
                        undecidable="rule groups of the preview API are not read",
                    ),
                )
        # The base policy's rules come first: the chain is read from the root.
        for depth, policy in enumerate(reversed(chain)):
            for group in groups:
                if self.canonical(_prefix(group.address, "ruleCollectionGroups")).lower() != (
                    policy.address.lower()
                ):
                    continue
                properties = self.properties(group)
                group_priority = self.integer(group, _at(properties, "priority"), "priority")
                for collection in _items(_at(properties, "ruleCollections")):
                    name = self.text(group, _at(collection, "name"), "rule collection name") or "?"
                    priority = self.integer(group, _at(collection, "priority"), f"{name} priority")
                    action = self.text(group, _at(collection, "action", "type"), f"{name} action")
                    kind_text = str(_at(collection, "ruleCollectionType") or "")
                    kind = "dnat" if "nat" in kind_text.lower() else "filter"
                    self.fw_collection(
                        rules, group, group.address, kind, name, priority, action, collection,
                        (depth, group_priority if group_priority is not None else 65000), public,
                    )  # fmt: skip
        return rules.done()

    def fw_collection(
        self,
        rules: azure_firewall.RuleSet,
        resource: ArmResource,
        address: str,
        kind: str,
        name: str,
        priority: int | None,
        action: str | None,
        collection: Any,
        key: tuple[int, ...],
        public: bool,
    ) -> None:
        order = (*key, priority if priority is not None else 65000)
        label = f"rule collection {name} (priority {priority})"
        verdict = (action or "").lower()
        for data in _items(_at(collection, "rules")):
            rule_name = self.text(resource, _at(data, "name"), "rule name") or "?"
            origin = self.origin(resource, data)
            rule_type = str(_at(data, "ruleType") or "").lower()
            if kind == "dnat" or rule_type == "natrule":
                if verdict == "snat":
                    continue
                self.dnat_rule(rules, resource, address, label, rule_name, data, order, public)
                continue
            app = kind == "application" or rule_type == "applicationrule"
            rule = FirewallRule(
                address=address,
                type=resource.type,
                origin=origin,
                name=rule_name,
                kind="application" if app else "network",
                collection=label,
                action="deny" if verdict == "deny" else "allow",
                sources=self.fw_addresses(resource, data, "sourceAddresses", "sourceIpGroups"),
            )
            if verdict not in ("allow", "deny"):
                rule.undecidable = f"action {action!r}"
            if app:
                self.application_rule(resource, rule, data)
            else:
                rule.protocols = azure_firewall.protocols(
                    self.texts(
                        resource, _at(data, "ipProtocols"), _at(data, "protocols"), what="protocols"
                    )
                )
                rule.destinations = self.fw_addresses(
                    resource, data, "destinationAddresses", "destinationIpGroups"
                )
                fqdns = self.texts(resource, _at(data, "destinationFqdns"), what="destinationFqdns")
                if fqdns:
                    rule.undecidable = f"FQDN destinations {', '.join(fqdns[:3])}"
                rule.destination_ports = self.fw_ports(resource, data, "destinationPorts")
            rules.add(order, rule)

    def application_rule(self, resource: ArmResource, rule: FirewallRule, data: Any) -> None:
        entries: list[tuple[str, int | None]] = []
        for protocol in _items(_at(data, "protocols")):
            kind = str(_at(protocol, "protocolType") or "")
            entries.append((kind, self.integer(resource, _at(protocol, "port"), "port")))
        rule.protocols = ["tcp"]
        rule.destination_ports = azure_firewall.application_ports(entries)
        targets = []
        for key, words in (
            ("targetFqdns", "FQDN targets"),
            ("fqdnTags", "FQDN tags"),
            ("targetUrls", "URL targets"),
            ("webCategories", "web categories"),
        ):
            found = self.texts(resource, _at(data, key), what=key)
            if found:
                targets.append(f"{words} {', '.join(found[:3])}")
        destinations = self.texts(
            resource, _at(data, "destinationAddresses"), what="destinationAddresses"
        )
        rule.destinations = azure_firewall.addresses(destinations, {}, ())
        if _at(data, "terminateTLS") is True:
            targets.append("TLS inspection")
        rule.undecidable = "; ".join(targets) or "application rule"

    def dnat_rule(
        self,
        rules: azure_firewall.RuleSet,
        resource: ArmResource,
        address: str,
        label: str,
        name: str,
        data: Any,
        order: tuple[int, ...],
        public: bool,
    ) -> None:
        if not public:
            self.note(resource, f"DNAT rule {name}: the firewall has no public address", data)
            return
        rule = DnatRule(
            address=address,
            type=resource.type,
            origin=self.origin(resource, data),
            name=name,
            collection=label,
            protocols=azure_firewall.protocols(
                self.texts(
                    resource, _at(data, "ipProtocols"), _at(data, "protocols"), what="protocols"
                )
            ),
            sources=self.fw_addresses(resource, data, "sourceAddresses", "sourceIpGroups"),
            ports=self.fw_ports(resource, data, "destinationPorts") or [],
            translated_address=self.text(
                resource, _at(data, "translatedAddress"), "translatedAddress"
            ),
            translated_port=self.integer(resource, _at(data, "translatedPort"), "translatedPort"),
        )
        fqdn = self.text(resource, _at(data, "translatedFqdn"), "translatedFqdn")
        if rule.translated_address is None:
            why = f"translated FQDN {fqdn}" if fqdn else "a translated address known at deployment"
            self.note(
                resource, f"DNAT rule {name} leads to {why}; where it leads is not modelled", data
            )
            return
        rules.add_dnat(order, rule)

    # network interfaces and what owns them

    def network_interfaces(self) -> None:
        for resource in self.of(NIC):
            properties = self.properties(resource)
            interface = Interface(address=resource.address)
            interface.network_security_group = self.ref(
                resource, _at(properties, "networkSecurityGroup"), "networkSecurityGroup", interface
            )
            if self.flag(resource, _at(properties, "enableIPForwarding"), "enableIPForwarding"):
                self.build.forwarding_nics.add(resource.address)
            configs = _at(properties, "ipConfigurations")
            if isinstance(configs, Unknown):
                self.unknown(resource, interface, "ipConfigurations", configs)
            self.fill_interface(resource, interface, _items(configs), resource.address)
            self.nic_interfaces[resource.address] = (interface, resource)

    def fill_interface(
        self, resource: ArmResource, interface: Interface, configs: list[Any], owner: str
    ) -> None:
        """Subnet, addresses, public IP, ASGs and pool memberships from IP configurations."""
        primary = next(
            (c for c in configs if _at(c, "properties", "primary") is True), None
        ) or next(iter(configs), None)
        if primary is not None:
            interface.subnet = self.subnet_ref(
                resource, _at(primary, "properties", "subnet"), interface
            )
            interface.network = self.network_of_subnet(interface.subnet)
        for config in configs:
            properties = _at(config, "properties")
            name = self.text(resource, _at(config, "name"), "ipConfiguration name") or "ipconfig"
            address = self.remember(child_address(interface.address, "ipConfigurations", name))
            ip = self.text(resource, _at(properties, "privateIPAddress"), "privateIPAddress")
            method = _at(properties, "privateIPAllocationMethod")
            if (
                ip
                and _valid_ip(ip)
                and not (isinstance(method, str) and method.lower() == "dynamic")
            ):
                interface.private_ips.append(ip)
            self.public_address(resource, interface, owner, properties)
            for asg in self.refs(
                resource,
                _at(properties, "applicationSecurityGroups"),
                "applicationSecurityGroups",
                interface,
            ):
                if asg not in interface.application_security_groups:
                    interface.application_security_groups.append(asg)
            self.ip_configs.append(
                _IpConfig(
                    address=address,
                    owner=owner,
                    interface=interface,
                    origin=self.origin(resource, config),
                    pools=self.refs(
                        resource, _at(properties, "loadBalancerBackendAddressPools"), "pools"
                    ),
                    nat_rules=self.refs(
                        resource, _at(properties, "loadBalancerInboundNatRules"), "NAT rules"
                    ),
                    nat_pools=self.refs(
                        resource, _at(properties, "loadBalancerInboundNatPools"), "NAT pools"
                    ),
                    gateway_pools=self.refs(
                        resource,
                        _at(properties, "applicationGatewayBackendAddressPools"),
                        "application gateway pools",
                    ),
                )
            )

    def public_address(
        self, resource: ArmResource, interface: Interface, owner: str, properties: Any
    ) -> None:
        public_ip = self.ref(
            resource, _at(properties, "publicIPAddress"), "publicIPAddress", interface
        )
        if public_ip is not None:
            self.attach_public_ip(public_ip, owner, interface)
            return
        configuration = _at(properties, "publicIPAddressConfiguration")
        if isinstance(configuration, dict):
            # A scale set gives each instance its own public address.
            name = _at(configuration, "name")
            address = child_address(interface.address, "publicIPAddressConfiguration", str(name))
            interface.public = True
            interface.public_source = address
            interface.closed_without_nsg = _closed_without_nsg(_at(configuration, "sku"))
            self.model.elastic_ips[address] = ElasticIp(
                address=address,
                type="Microsoft.Compute/virtualMachineScaleSets/publicIPAddressConfiguration",
                origin=self.origin(resource, configuration),
                endpoint=owner,
                interface=interface.address,
            )

    def attach_public_ip(self, public_ip: str, owner: str, interface: Interface) -> None:
        interface.public = True
        interface.public_source = public_ip
        declared = self.public_ips.get(public_ip.lower())
        origin = Origin(file=self.file)
        interface.closed_without_nsg = None  # a public IP from outside: its SKU is not known
        if declared is not None:
            origin = self.origin(declared)
            interface.closed_without_nsg = _closed_without_nsg(declared.get("sku"))
        self.model.elastic_ips[public_ip] = ElasticIp(
            address=public_ip,
            type="Microsoft.Network/publicIPAddresses",
            origin=origin,
            endpoint=owner,
            interface=interface.address,
        )

    def virtual_machines(self) -> None:
        for resource in self.of(VM):
            properties = self.properties(resource)
            endpoint = self.endpoint(resource, "virtual-machine")
            profile = _at(properties, "networkProfile")
            for nic in self.refs(
                resource, _at(profile, "networkInterfaces"), "networkInterfaces", endpoint
            ):
                self.own_nic(resource, endpoint, nic)
            for configuration in _items(_at(profile, "networkInterfaceConfigurations")):
                endpoint.interfaces.append(self.nic_configuration(resource, configuration))
            if not endpoint.interfaces:
                self.note(resource, "the virtual machine has no network interface in the template")
            self.model.endpoints[endpoint.address] = endpoint

    def own_nic(self, resource: ArmResource, endpoint: Endpoint, nic: str) -> None:
        found = self.nic_interfaces.get(nic)
        if found is None:
            self.note(resource, f"its network interface {nic} is not deployed by this template")
            return
        if nic in self.owner:
            self.note(resource, f"network interface {nic} is already attached to {self.owner[nic]}")
            return
        self.owner[nic] = endpoint.address
        interface = found[0]
        endpoint.interfaces.append(interface)
        for config in self.ip_configs:
            if config.interface is interface:
                config.owner = endpoint.address
        for eip in self.model.elastic_ips.values():
            if eip.interface == interface.address:
                eip.endpoint = endpoint.address

    def nic_configuration(self, resource: ArmResource, configuration: Any) -> Interface:
        """A NIC a VM or scale set creates itself (networkInterfaceConfigurations)."""
        name = self.text(resource, _at(configuration, "name"), "networkInterfaceConfiguration name")
        address = child_address(resource.address, "networkInterfaceConfigurations", name or "nic")
        interface = Interface(address=address)
        properties = _at(configuration, "properties")
        interface.network_security_group = self.ref(
            resource, _at(properties, "networkSecurityGroup"), "networkSecurityGroup", interface
        )
        if self.flag(resource, _at(properties, "enableIPForwarding"), "enableIPForwarding"):
            self.build.forwarding_nics.add(address)
        configs = _at(properties, "ipConfigurations")
        if isinstance(configs, Unknown):
            self.unknown(resource, interface, "ipConfigurations", configs)
        self.fill_interface(resource, interface, _items(configs), resource.address)
        return interface

    def scale_sets(self) -> None:
        for resource in self.of(VMSS):
            properties = self.properties(resource)
            endpoint = self.endpoint(resource, "scale-set")
            profile = _at(properties, "virtualMachineProfile", "networkProfile")
            configurations = _at(profile, "networkInterfaceConfigurations")
            if isinstance(configurations, Unknown):
                self.unknown(resource, endpoint, "networkInterfaceConfigurations", configurations)
            for configuration in _items(configurations):
                endpoint.interfaces.append(self.nic_configuration(resource, configuration))
            if not endpoint.interfaces:
                self.note(
                    resource,
                    "the scale set declares no network interface configuration "
                    "(flexible orchestration attaches VMs later)",
                )
            self.model.endpoints[endpoint.address] = endpoint

    def unowned_interfaces(self) -> None:
        for address, (interface, resource) in self.nic_interfaces.items():
            if address in self.owner:
                continue
            endpoint = self.endpoint(resource, "network-interface")
            endpoint.interfaces.append(interface)
            self.model.endpoints[address] = endpoint

    def endpoint(self, resource: ArmResource, kind: EndpointKind) -> Endpoint:
        return Endpoint(
            address=resource.address,
            type=resource.type,
            origin=self.origin(resource),
            kind=kind,
            tags=self.tags(resource),
            exposure=exposure.pick(resource.type, sku=self.sku(resource)),
        )

    def sku(self, resource: ArmResource) -> str | None:
        """The SKU's name; unknown or absent picks the service's default SKU."""
        name = _at(resource.get("sku"), "name")
        return name if isinstance(name, str) else None

    def bastions(self) -> None:
        for resource in self.of(BASTION):
            properties = self.properties(resource)
            endpoint = self.endpoint(resource, "bastion")
            interface = Interface(address=resource.address)
            configs = _items(_at(properties, "ipConfigurations"))
            if configs:
                config = _at(configs, 0, "properties")
                interface.subnet = self.subnet_ref(resource, _at(config, "subnet"), interface)
                interface.network = self.network_of_subnet(interface.subnet)
                public_ip = self.ref(resource, _at(config, "publicIPAddress"), "publicIPAddress")
                if public_ip is not None:
                    self.attach_public_ip(public_ip, endpoint.address, interface)
            else:
                interface.network = self.ref(
                    resource, _at(properties, "virtualNetwork"), "virtualNetwork", interface
                )
                self.note(resource, "a Developer bastion runs on shared infrastructure")
            interface.public = True
            endpoint.interfaces.append(interface)
            self.model.endpoints[endpoint.address] = endpoint

    # load balancers and application gateways

    def members(self, pool: str, kind: Literal["pools", "gateway_pools"]) -> list[_IpConfig]:
        wanted = pool.lower()
        return [c for c in self.ip_configs if wanted in (p.lower() for p in getattr(c, kind))]

    def by_private_ip(self, ip: str) -> list[tuple[str, Interface]]:
        return [
            (endpoint.address, interface)
            for endpoint in self.model.endpoints.values()
            for interface in endpoint.interfaces
            if ip in interface.private_ips
        ]

    def load_balancers(self) -> None:
        child_pools: dict[str, list[ArmResource]] = defaultdict(list)
        for resource in self.of(LB_POOL):
            child_pools[self.canonical(_prefix(resource.address, "backendAddressPools"))].append(
                resource
            )
        child_nat_rules: dict[str, list[ArmResource]] = defaultdict(list)
        for resource in self.of(LB_NAT_RULE):
            child_nat_rules[self.canonical(_prefix(resource.address, "inboundNatRules"))].append(
                resource
            )
        for resource in self.of(LB):
            self.load_balancer(
                resource,
                child_pools.get(resource.address, []),
                child_nat_rules.get(resource.address, []),
            )
        for parent, pools in child_pools.items():
            if parent not in self.model.endpoints:
                self.note(pools[0], f"its load balancer {parent} is not deployed by this template")

    def load_balancer(
        self,
        resource: ArmResource,
        child_pools: list[ArmResource],
        child_nat_rules: list[ArmResource],
    ) -> None:
        properties = self.properties(resource)
        endpoint = self.endpoint(resource, "load-balancer")
        tier = _at(resource.get("sku"), "tier")
        flavor: Literal["network", "gateway"] = (
            "gateway" if isinstance(tier, str) and tier.lower() == "gateway" else "network"
        )
        balancer = LoadBalancer(flavor=flavor, preserves_client_address=True, scheme="internal")
        endpoint.load_balancer = balancer
        # Pool members: NIC IP configurations that join, then addresses the pool lists itself.
        pools: dict[str, list[Target]] = {}
        pool_entries = [(p, p) for p in _items(_at(properties, "backendAddressPools"))]
        pool_entries += [(r.properties, r) for r in child_pools]
        for pool, source in pool_entries:
            if isinstance(source, ArmResource):
                address = source.address
                pool_properties = self.properties(source)
            else:
                name = self.text(resource, _at(pool, "name"), "backend pool name") or "pool"
                address = self.remember(
                    child_address(resource.address, "backendAddressPools", name)
                )
                pool_properties = _at(pool, "properties")
            pools[address.lower()] = self.pool_targets(resource, address, pool_properties)
        frontends = self.frontends(
            resource, endpoint, _items(_at(properties, "frontendIPConfigurations"))
        )
        backend_networks = [
            c.interface.network for targets in pools.values() for c in self.ip_configs
            if c.owner in {t.endpoint for t in targets} and c.interface.network
        ]  # fmt: skip
        for interface in frontends:
            if interface.public:
                balancer.scheme = "internet-facing"
                interface.network = backend_networks[0] if backend_networks else None
        for rule in _items(_at(properties, "loadBalancingRules")):
            self.balancing_rule(resource, balancer, rule, pools)
        nat_rules: list[tuple[Any, ArmResource | None]] = [
            (r, None) for r in _items(_at(properties, "inboundNatRules"))
        ]
        nat_rules += [(None, r) for r in child_nat_rules]
        for rule, child in nat_rules:
            self.nat_rule(resource, balancer, rule, child, pools)
        for pool in _items(_at(properties, "inboundNatPools")):
            self.nat_pool(resource, balancer, pool)
        if _items(_at(properties, "outboundRules")):
            self.note(resource, "its outbound rules (SNAT for the backends) are not modelled")
        self.model.endpoints[endpoint.address] = endpoint

    def pool_targets(self, resource: ArmResource, pool: str, properties: Any) -> list[Target]:
        targets: list[Target] = []
        seen: set[str] = set()
        for config in self.members(pool, "pools"):
            if config.owner not in seen:
                seen.add(config.owner)
                targets.append(
                    Target(endpoint=config.owner, origin=config.origin, via=config.address)
                )
        for entry in _items(_at(properties, "loadBalancerBackendAddresses")):
            ip = self.text(resource, _at(entry, "properties", "ipAddress"), "backend ipAddress")
            if ip is None:
                continue
            found = self.by_private_ip(ip)
            if not found:
                self.note(
                    resource, f"backend address {ip} of {pool} matches no interface in the template"
                )
            for owner, _interface in found:
                if owner not in seen:
                    seen.add(owner)
                    targets.append(Target(endpoint=owner, origin=self.origin(resource, entry)))
        return targets

    def frontends(
        self, resource: ArmResource, endpoint: Endpoint, configs: list[Any]
    ) -> list[Interface]:
        interfaces = []
        for config in configs:
            name = self.text(resource, _at(config, "name"), "frontend name") or "frontend"
            address = self.remember(
                child_address(resource.address, "frontendIPConfigurations", name)
            )
            properties = _at(config, "properties")
            interface = Interface(address=address)
            public_ip = self.ref(
                resource, _at(properties, "publicIPAddress"), "publicIPAddress", interface
            )
            prefix = _at(properties, "publicIPPrefix")
            if public_ip is not None:
                self.attach_public_ip(public_ip, endpoint.address, interface)
            elif prefix is not None:
                interface.public = True
                interface.public_source = self.ref(resource, prefix, "publicIPPrefix")
            else:
                interface.subnet = self.subnet_ref(resource, _at(properties, "subnet"), interface)
                interface.network = self.network_of_subnet(interface.subnet)
                ip = self.text(resource, _at(properties, "privateIPAddress"), "privateIPAddress")
                if ip and _valid_ip(ip):
                    interface.private_ips.append(ip)
            interfaces.append(interface)
            endpoint.interfaces.append(interface)
        return interfaces

    def balancing_rule(
        self,
        resource: ArmResource,
        balancer: LoadBalancer,
        rule: Any,
        pools: dict[str, list[Target]],
    ) -> None:
        name = self.text(resource, _at(rule, "name"), "load balancing rule name") or "rule"
        address = child_address(resource.address, "loadBalancingRules", name)
        properties = _at(rule, "properties")
        protocol = self.listener_protocol(_at(properties, "protocol"))
        frontend_port = self.integer(
            resource, _at(properties, "frontendPort"), f"{name} frontendPort"
        )
        backend_port = self.integer(resource, _at(properties, "backendPort"), f"{name} backendPort")
        if frontend_port is None:
            self.note(
                resource, f"load balancing rule {name} has no known frontend port; skipped", rule
            )
            return
        if frontend_port == 0:
            self.note(
                resource,
                f"load balancing rule {name} uses HA ports (every port); "
                "not modelled as a listener",
                rule,
            )
            return
        single = self.ref(resource, _at(properties, "backendAddressPool"), "backendAddressPool")
        pool_refs = [single] if single else []
        pool_refs += self.refs(
            resource, _at(properties, "backendAddressPools"), "backendAddressPools"
        )
        targets = [t for pool in pool_refs for t in pools.get(pool.lower(), [])]
        self.add_listener(
            resource, balancer, address, "Microsoft.Network/loadBalancers/loadBalancingRules",
            self.origin(resource, rule), protocol, frontend_port, backend_port or frontend_port,
            targets, self.frontend_of(resource, properties),
        )  # fmt: skip

    def nat_rule(
        self,
        resource: ArmResource,
        balancer: LoadBalancer,
        rule: Any,
        child: ArmResource | None,
        pools: dict[str, list[Target]],
    ) -> None:
        if child is not None:
            address, properties, data = child.address, self.properties(child), None
            origin = self.origin(child)
        else:
            name = self.text(resource, _at(rule, "name"), "inbound NAT rule name") or "nat"
            address = self.remember(child_address(resource.address, "inboundNatRules", name))
            properties, data, origin = _at(rule, "properties"), rule, self.origin(resource, rule)
        protocol = self.listener_protocol(_at(properties, "protocol"))
        backend_port = self.integer(resource, _at(properties, "backendPort"), "NAT backendPort")
        frontend_port = self.integer(resource, _at(properties, "frontendPort"), "NAT frontendPort")
        targets: list[Target] = []
        for config in self.ip_configs:
            if address.lower() in (r.lower() for r in config.nat_rules):
                targets.append(
                    Target(endpoint=config.owner, origin=config.origin, via=config.address)
                )
        pool = self.ref(resource, _at(properties, "backendAddressPool"), "backendAddressPool")
        if pool is not None:
            # A NAT rule over a pool maps a frontend port range to each member in turn.
            frontend_port = self.integer(
                resource, _at(properties, "frontendPortRangeStart"), "frontendPortRangeStart"
            )
            targets = list(pools.get(pool.lower(), []))
            self.note(
                resource, f"NAT rule {address} maps a port range; modelled at its first port", data
            )
        if frontend_port is None or not frontend_port:
            self.note(resource, f"NAT rule {address} has no known frontend port; skipped", data)
            return
        self.add_listener(
            resource, balancer, address, "Microsoft.Network/loadBalancers/inboundNatRules", origin,
            protocol, frontend_port, backend_port or frontend_port, targets,
            self.frontend_of(resource, properties),
        )  # fmt: skip

    def nat_pool(self, resource: ArmResource, balancer: LoadBalancer, pool: Any) -> None:
        name = self.text(resource, _at(pool, "name"), "inbound NAT pool name") or "natpool"
        address = self.remember(child_address(resource.address, "inboundNatPools", name))
        properties = _at(pool, "properties")
        start = self.integer(
            resource, _at(properties, "frontendPortRangeStart"), "frontendPortRangeStart"
        )
        backend_port = self.integer(
            resource, _at(properties, "backendPort"), "NAT pool backendPort"
        )
        if start is None or backend_port is None:
            self.note(resource, f"NAT pool {name} has no known ports; skipped", pool)
            return
        targets = [
            Target(endpoint=c.owner, origin=c.origin, via=c.address)
            for c in self.ip_configs
            if address.lower() in (p.lower() for p in c.nat_pools)
        ]
        self.note(resource, f"NAT pool {name} maps a port range; modelled at its first port", pool)
        self.add_listener(
            resource, balancer, address, "Microsoft.Network/loadBalancers/inboundNatPools",
            self.origin(resource, pool), self.listener_protocol(_at(properties, "protocol")),
            start, backend_port, targets, self.frontend_of(resource, properties),
        )  # fmt: skip

    def frontend_of(self, resource: ArmResource, properties: Any) -> list[str]:
        """The frontend IP configuration a rule listens on (none named: every one)."""
        frontend = self.ref(
            resource, _at(properties, "frontendIPConfiguration"), "frontendIPConfiguration"
        )
        return [frontend] if frontend is not None else []

    def listener_protocol(self, value: Any) -> str:
        text = value.lower() if isinstance(value, str) else "tcp"
        return {"all": "tcp_udp", "udp": "udp"}.get(text, "tcp")

    def add_listener(
        self,
        resource: ArmResource,
        balancer: LoadBalancer,
        address: str,
        listener_type: str,
        origin: Origin,
        protocol: str,
        port: int,
        target_port: int,
        targets: list[Target],
        frontends: list[str],
    ) -> None:
        group = TargetGroup(
            address=f"{address}#backend",
            type=listener_type,
            origin=origin,
            protocol="udp" if protocol == "udp" else "tcp",
            port=target_port,
            targets=targets,
        )
        if not targets:
            self.note(resource, f"{address} forwards to no backend in the template")
        self.model.target_groups[group.address] = group
        balancer.listeners.append(
            Listener(
                address=address,
                type=listener_type,
                origin=origin,
                protocol=protocol,
                port=port,
                target_groups=[group.address],
                frontends=frontends,
            )
        )

    def application_gateways(self) -> None:
        for resource in self.of(APP_GATEWAY):
            self.application_gateway(resource)

    def application_gateway(self, resource: ArmResource) -> None:
        properties = self.properties(resource)
        endpoint = self.endpoint(resource, "load-balancer")
        balancer = LoadBalancer(flavor="application", scheme="internal")
        endpoint.load_balancer = balancer
        gateway_configs = _items(_at(properties, "gatewayIPConfigurations"))
        subnet = self.subnet_ref(
            resource, _at(gateway_configs, 0, "properties", "subnet"), endpoint
        )
        network = self.network_of_subnet(subnet)

        def named(section: str) -> dict[str, tuple[str, Any]]:
            """Sub-resources by lower-case address, with their address as written."""
            found: dict[str, tuple[str, Any]] = {}
            for item in _items(_at(properties, section)):
                name = _at(item, "name")
                if isinstance(name, str):
                    address = self.remember(child_address(resource.address, section, name))
                    found[address.lower()] = (address, item)
            return found

        for config in _items(_at(properties, "frontendIPConfigurations")):
            name = self.text(resource, _at(config, "name"), "frontend name") or "frontend"
            interface = Interface(
                address=self.remember(
                    child_address(resource.address, "frontendIPConfigurations", name)
                ),
                subnet=subnet,
                network=network,
            )
            config_properties = _at(config, "properties")
            public_ip = self.ref(
                resource, _at(config_properties, "publicIPAddress"), "publicIPAddress", interface
            )
            if public_ip is not None:
                self.attach_public_ip(public_ip, endpoint.address, interface)
                balancer.scheme = "internet-facing"
            ip = self.text(resource, _at(config_properties, "privateIPAddress"), "privateIPAddress")
            if ip and _valid_ip(ip):
                interface.private_ips.append(ip)
            endpoint.interfaces.append(interface)
        ports = named("frontendPorts")
        settings = named("backendHttpSettingsCollection")
        pools = {
            key: self.gateway_pool_targets(resource, address, pool)
            for key, (address, pool) in named("backendAddressPools").items()
        }
        path_maps = named("urlPathMaps")
        # listener -> (routing rule or path rule address, its origin, pool, HTTP settings)
        routes: dict[str, list[tuple[str, Origin, str | None, str | None]]] = defaultdict(list)
        for rule in _items(_at(properties, "requestRoutingRules")):
            rule_name = _at(rule, "name")
            rule_address = child_address(resource.address, "requestRoutingRules", str(rule_name))
            rule_properties = _at(rule, "properties")
            origin = self.origin(resource, rule)
            listener = self.ref(resource, _at(rule_properties, "httpListener"), "httpListener")
            if listener is None:
                continue
            pool = self.ref(
                resource, _at(rule_properties, "backendAddressPool"), "backendAddressPool"
            )
            setting = self.ref(
                resource, _at(rule_properties, "backendHttpSettings"), "backendHttpSettings"
            )
            if pool is not None:
                routes[listener.lower()].append((rule_address, origin, pool, setting))
            path_map = self.ref(resource, _at(rule_properties, "urlPathMap"), "urlPathMap")
            if path_map is not None:
                found = path_maps.get(path_map.lower())
                for address, pool_ref, setting_ref in self.path_rules(
                    resource, found[1] if found else None, rule_address
                ):
                    routes[listener.lower()].append((address, origin, pool_ref, setting_ref))
            if pool is None and path_map is None:
                self.note(
                    resource,
                    f"routing rule {rule_name} forwards to no backend pool (a redirect)",
                    rule,
                )
        for listener in _items(_at(properties, "httpListeners")):
            name = self.text(resource, _at(listener, "name"), "listener name") or "listener"
            address = self.remember(child_address(resource.address, "httpListeners", name))
            listener_properties = _at(listener, "properties")
            port_ref = self.ref(resource, _at(listener_properties, "frontendPort"), "frontendPort")
            port_entry = ports.get((port_ref or "").lower())
            port = self.integer(
                resource,
                _at(port_entry[1] if port_entry else None, "properties", "port"),
                f"listener {name} port",
            )
            if port is None:
                self.note(
                    resource, f"listener {name} has no known frontend port; skipped", listener
                )
                continue
            groups = []
            for rule_address, origin, pool, setting in routes.get(address.lower(), []):
                setting_entry = settings.get((setting or "").lower())
                group = TargetGroup(
                    address=f"{rule_address}#backend",
                    type="Microsoft.Network/applicationGateways/requestRoutingRules",
                    origin=origin,
                    port=self.integer(
                        resource,
                        _at(setting_entry[1] if setting_entry else None, "properties", "port"),
                        "backend HTTP settings port",
                    ),
                    targets=pools.get((pool or "").lower(), []),
                )
                self.model.target_groups[group.address] = group
                groups.append(group.address)
            balancer.listeners.append(
                Listener(
                    address=address,
                    type="Microsoft.Network/applicationGateways/httpListeners",
                    origin=self.origin(resource, listener),
                    protocol="tcp",
                    port=port,
                    target_groups=groups,
                )
            )
        if _items(_at(properties, "listeners")):
            self.note(resource, "its TCP/TLS proxy listeners are not modelled")
        self.model.endpoints[endpoint.address] = endpoint

    def path_rules(
        self, resource: ArmResource, path_map: Any, rule_address: str
    ) -> Iterator[tuple[str, str | None, str | None]]:
        properties = _at(path_map, "properties")
        default_pool = self.ref(
            resource, _at(properties, "defaultBackendAddressPool"), "defaultBackendAddressPool"
        )
        default_setting = self.ref(
            resource, _at(properties, "defaultBackendHttpSettings"), "defaultBackendHttpSettings"
        )
        if default_pool is not None:
            yield rule_address, default_pool, default_setting
        for path_rule in _items(_at(properties, "pathRules")):
            name = _at(path_rule, "name")
            rule_properties = _at(path_rule, "properties")
            pool = self.ref(
                resource, _at(rule_properties, "backendAddressPool"), "backendAddressPool"
            )
            setting = self.ref(
                resource, _at(rule_properties, "backendHttpSettings"), "backendHttpSettings"
            )
            if pool is not None:
                yield f"{rule_address}/pathRules/{name}", pool, setting

    def gateway_pool_targets(self, resource: ArmResource, pool: str, data: Any) -> list[Target]:
        targets: list[Target] = []
        seen: set[str] = set()
        for config in self.members(pool, "gateway_pools"):
            if config.owner not in seen:
                seen.add(config.owner)
                targets.append(
                    Target(endpoint=config.owner, origin=config.origin, via=config.address)
                )
        for entry in _items(_at(data, "properties", "backendAddresses")):
            ip = self.text(resource, _at(entry, "ipAddress"), "backend ipAddress")
            fqdn = _at(entry, "fqdn")
            if ip is None:
                if isinstance(fqdn, Unknown):
                    self.note(resource, f"a backend of {pool} is unknown: {fqdn.reason}", entry)
                elif fqdn is not None:
                    self.note(
                        resource,
                        f"backend {fqdn} of {pool} is a name; its address is unknown",
                        entry,
                    )
                continue
            found = self.by_private_ip(ip)
            if not found:
                self.note(
                    resource,
                    f"backend address {ip} of {pool} matches no interface in the template",
                    entry,
                )
            for owner, _interface in found:
                if owner not in seen:
                    seen.add(owner)
                    targets.append(Target(endpoint=owner, origin=self.origin(resource, entry)))
        return targets

    # everything else

    def unmodelled(self) -> None:
        """One note per resource type that has no place in the model."""
        for kind, resources in sorted(self.by_type.items()):
            if kind in MODELLED:
                continue
            left = [r for r in resources if r.address not in self.model.endpoints]
            if not left:
                continue
            sample = ", ".join(r.address for r in left[:_NOTE_SAMPLE])
            more = f" and {len(left) - _NOTE_SAMPLE} more" if len(left) > _NOTE_SAMPLE else ""
            # The message lists the resources: the note names none of them on its own.
            self.model.note(
                f"{len(left)} {left[0].type} resource(s) not modelled: {sample}{more}",
                origin=self.origin(left[0]),
            )
