"""From a template to the resources it deploys: loops, conditions, children, nested deployments.

Both dialects are read: the classic `resources` array and languageVersion 2.0, where `resources`
is an object keyed by symbolic name and `existing: true` marks a resource that is only read.
Child resources declared inside a parent take their type and name relative to it. Nested
deployments with an inline template are expanded with their own parameters and variables
(`expressionEvaluationOptions.scope: inner`) or the parent's (`outer`, the default); linked
templates are never fetched. Properties are evaluated on first use, so a resource the network
model does not read costs only its name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from typing import Any

from msgspec import Struct, field
from msgspec.structs import replace

from reachlint.errors import InputError
from reachlint.formats.arm.evaluator import Scope, Template, TemplateError, evaluate, loop_count
from reachlint.formats.arm.functions.context import DeploymentInfo
from reachlint.formats.arm.resource_ids import (
    ResourceIdError,
    address_of,
    group_prefix,
    type_segments,
)
from reachlint.formats.arm.resources import DEPLOYMENTS, ArmResource, DeployedResources
from reachlint.formats.arm.values import (
    MissingParameter,
    Placeholder,
    Unknown,
    as_mapping,
    find_key,
    lookup,
)
from reachlint.formats.jsonpos import JsonObject
from reachlint.limits import MAX_RESOURCE_INSTANCES, LimitError
from reachlint.sensitive import Sensitive, unmark


class NoteSink(Struct):
    """Notes gathered while expanding, reported by the loader with their file and line."""

    notes: list[tuple[str, str | None, str | None, int | None]] = field(default_factory=list)

    def add(self, message: str, address: str | None, file: str | None, line: int | None) -> None:
        self.notes.append((message, address, file, line))


class Deployment(DeployedResources):
    """Expands a template's resources, and those of the nested deployments it contains."""

    def __init__(self, notes: NoteSink) -> None:
        super().__init__()
        self.notes = notes

    def expand(
        self,
        template: Template,
        declared: Any,
        scope: Scope,
        parent: ArmResource | None = None,
        enabled: bool = True,
        inherited: ArmResource | None = None,
    ) -> None:
        """Expand declared resources; `inherited` is the nested deployment they belong to, whose
        doubts (an unknown condition or count) they share."""
        for symbolic, raw in _declarations(declared):
            self._expand_one(template, symbolic, raw, scope, parent, enabled, inherited)

    def _expand_one(
        self,
        template: Template,
        symbolic: str | None,
        raw: Mapping[str, Any],
        scope: Scope,
        parent: ArmResource | None,
        enabled: bool,
        inherited: ArmResource | None,
    ) -> None:
        line = getattr(raw, "line", None)
        if find_key(raw, "import") is not None or find_key(raw, "type") is None:
            return  # extensibility imports declare a provider, not a resource
        loop = lookup(raw, "copy")
        if not isinstance(loop, dict):
            self._instance(template, symbolic, raw, scope, parent, enabled, inherited, None, None)
            return
        name = str(lookup(loop, "name", symbolic or "copy"))
        count_key = find_key(loop, "count") or "count"
        count_line = loop.key_lines.get(count_key) if isinstance(loop, JsonObject) else line
        try:
            count = loop_count(evaluate(loop.get(count_key), scope, count_line))
        except TemplateError as err:
            raise InputError(str(err), scope.template.file, count_line) from None
        instances = 1 if isinstance(count, Unknown) else count
        for position in range(instances):
            self._instance(
                template, symbolic, raw, scope.loop(name, position, resource=True),
                parent, enabled, inherited, position, count if isinstance(count, Unknown) else None,
            )  # fmt: skip

    def _instance(
        self,
        template: Template,
        symbolic: str | None,
        raw: Mapping[str, Any],
        scope: Scope,
        parent: ArmResource | None,
        enabled: bool,
        inherited: ArmResource | None,
        position: int | None,
        unknown_count: Unknown | None,
    ) -> None:
        line = getattr(raw, "line", None)
        resource_type, name = self._type_and_name(raw, scope, parent, line)
        address = self._group(template, resource_type, raw, scope, line) + self._address(
            resource_type, name, raw, position, line, template.file
        )
        existing = lookup(raw, "existing") is True
        condition = self._condition(raw, scope, line)
        resource = ArmResource(
            template=template,
            scope=scope,
            raw=raw,
            type=resource_type,
            name=name,
            address=address,
            symbolic=symbolic,
            deployed=enabled and not existing and condition is not False,
            existing=existing,
            line=line,
        )
        for source in (parent, inherited):
            if source is not None:
                resource.doubts.extend(source.doubts)
        if isinstance(name, Unknown) and not isinstance(name, MissingParameter):
            # A name resting on parameters without values reads {name}: no doubt to note.
            resource.doubts.append(_doubt(name, "its name is unknown ({})"))
        if unknown_count is not None:
            resource.doubts.append(
                _doubt(unknown_count, "its copy count is unknown ({}); one instance is modelled")
            )
        if isinstance(condition, Unknown):
            resource.doubts.append(
                _doubt(condition, "its condition is unknown ({}); it is modelled as deployed")
            )
        self.resources.append(resource)
        if len(self.resources) > MAX_RESOURCE_INSTANCES:
            # Copy loops of up to 800 inside nested deployments multiply.
            raise LimitError(
                f"the template deploys {len(self.resources):,} resources",
                MAX_RESOURCE_INSTANCES,
                "resource instances in total",
                template.file,
                line,
            )
        self.by_address.setdefault(address.lower(), []).append(resource)
        if symbolic is not None:
            template.symbols.setdefault(symbolic.lower(), []).append(resource)
        children = lookup(raw, "resources")
        if children:
            self.expand(template, children, scope, resource, resource.deployed, inherited)
        if resource_type.lower() == DEPLOYMENTS and not existing:
            self._nested(resource, resource.deployed)

    def _type_and_name(
        self, raw: Mapping[str, Any], scope: Scope, parent: ArmResource | None, line: int | None
    ) -> tuple[str, str | Unknown]:
        resource_type = evaluate(lookup(raw, "type"), scope, line)
        if not isinstance(resource_type, str):
            raise InputError(
                "a resource's type must be a string such as 'Microsoft.Network/virtualNetworks'",
                scope.template.file,
                line,
            )
        name_key = find_key(raw, "name")
        name_line = (
            raw.key_lines.get(name_key) if name_key and isinstance(raw, JsonObject) else line
        )
        name = evaluate(raw[name_key], scope, name_line) if name_key else None
        if isinstance(name, Sensitive):
            # Names are in every address a report shows: one from a secure value is not known.
            name = Unknown("it is computed from a secure parameter, so it is not shown")
        if not isinstance(name, str | Unknown):
            raise InputError(
                f"resource of type {resource_type} needs a string name", scope.template.file, line
            )
        if parent is not None and "." not in resource_type.split("/")[0]:
            # A child declared inside its parent: type and name are relative to it.
            resource_type = f"{parent.type}/{resource_type}"
            if isinstance(name, str) and isinstance(parent.name, str):
                name = f"{parent.name}/{name}"
            elif isinstance(name, str):
                name = parent.name
        return resource_type, name

    def _address(
        self,
        resource_type: str,
        name: str | Unknown,
        raw: Mapping[str, Any],
        position: int | None,
        line: int | None,
        file: str,
    ) -> str:
        try:
            namespace, types = type_segments(resource_type)
        except ResourceIdError as err:
            raise InputError(str(err), file, line) from None
        if isinstance(name, Unknown):
            # A name known only at deployment gets a placeholder: the parameter it waits for,
            # or a short digest of the expression that computes it.
            written = str(lookup(raw, "name"))
            # surrogatepass: a lone surrogate (JSON's "\ud800") is hashed as written.
            digest = hashlib.sha1(written.encode("utf-8", "surrogatepass")).hexdigest()[:6]
            if isinstance(name, MissingParameter):
                last = f"{{{name.name}}}-{digest}"  # several names may rest on one parameter
            else:
                last = f"<unknown-{digest}>"
            if position is not None:
                last += f"[{position}]"
            names = ["<unknown>"] * (len(types) - 1) + [last]
            return "/".join([namespace, *(f"{t}/{n}" for t, n in zip(types, names, strict=True))])
        try:
            return address_of(resource_type, name)
        except ResourceIdError as err:
            raise InputError(str(err), file, line) from None

    def _group(
        self,
        template: Template,
        resource_type: str,
        raw: Mapping[str, Any],
        scope: Scope,
        line: int | None,
    ) -> str:
        """What goes before a resource's address: its template's resource group, or for a
        nested deployment the group it deploys to (ids name it in that group)."""
        group = template.info.resource_group
        if resource_type.lower() == DEPLOYMENTS:
            target = evaluate(lookup(raw, "resourceGroup"), scope, line)
            if isinstance(target, str) and "/" in target:
                # Azure's group names have none; in an address it would read as a path.
                raise InputError(
                    f"resourceGroup {target!r} is not a resource group name (it holds '/')",
                    template.file,
                    line,
                )
            if isinstance(target, str) and target:
                group = target
        prefix = group_prefix(group)
        if prefix:
            self.groups.add(group.lower())
        return prefix

    def _condition(self, raw: Mapping[str, Any], scope: Scope, line: int | None) -> Any:
        key = find_key(raw, "condition")
        if key is None:
            return True
        value = unmark(evaluate(raw[key], scope, line))
        if isinstance(value, Placeholder):
            return MissingParameter(sorted(value.parameters)[0], None, line, value.parameters)
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if isinstance(value, bool | Unknown):
            return value
        raise InputError("a resource condition must be true or false", scope.template.file, line)

    def _nested(self, resource: ArmResource, deployed: bool) -> None:
        """A nested deployment: expand its inline template; note a linked one."""
        raw_properties = lookup(resource.raw, "properties")
        if not isinstance(raw_properties, dict):
            return
        outer = resource.template
        file, line = outer.file, resource.line
        if lookup(raw_properties, "templateLink") is not None:
            if deployed:
                self.notes.add(
                    "a linked template (templateLink) is not followed; its resources are not "
                    "in the model and its outputs are unknown",
                    resource.address, file, line,
                )  # fmt: skip
            return
        inline = lookup(raw_properties, "template")
        if isinstance(inline, str):
            inline = evaluate(inline, resource.scope, line)
        if not isinstance(inline, dict):
            return
        options = lookup(raw_properties, "expressionEvaluationOptions")
        scope_option = (
            evaluate(lookup(options, "scope", "outer"), resource.scope, line)
            if (isinstance(options, dict))
            else "outer"
        )
        if isinstance(scope_option, str) and scope_option.lower() == "inner":
            inner = self._inner_template(resource, raw_properties, inline)
            resource.inner = inner
            self.expand(inner, lookup(inline, "resources"), Scope(inner), None, deployed, resource)
        else:
            # Outer scope: the nested template's expressions read the parent's parameters and
            # variables, and its resources join the parent's.
            resource.outer_outputs = as_mapping(lookup(inline, "outputs"))
            self.expand(
                outer, lookup(inline, "resources"), resource.scope, None, deployed, resource
            )

    def _inner_template(
        self, resource: ArmResource, raw_properties: Mapping[str, Any], inline: Mapping[str, Any]
    ) -> Template:
        outer = resource.template
        supplied: dict[str, Any] = {}
        given = lookup(raw_properties, "parameters")
        for name, entry in as_mapping(given).items():
            supplied[name] = _parameter_thunk(entry, resource.scope, name)
        if lookup(raw_properties, "parametersLink") is not None:
            self.notes.add(
                "a linked parameters file (parametersLink) is not read", resource.address,
                outer.file, resource.line,
            )  # fmt: skip
        info = outer.info
        name = resource.name if isinstance(resource.name, str) else info.deployment_name
        group = evaluate(lookup(resource.raw, "resourceGroup"), resource.scope, resource.line)
        subscription = evaluate(lookup(resource.raw, "subscriptionId"), resource.scope)
        info = replace(
            info,
            deployment_name=name,
            resource_group=group if isinstance(group, str) and group else info.resource_group,
            subscription_id=(
                subscription
                if isinstance(subscription, str) and subscription
                else info.subscription_id
            ),
        )
        try:
            return Template(inline, outer.file, info, self, supplied)
        except TemplateError as err:
            raise InputError(str(err), outer.file, resource.line) from None


def _doubt(unknown: Unknown, message: str) -> Unknown:
    """An unknown that says what it leaves open."""
    return Unknown(message.format(unknown.reason))


def _parameter_thunk(entry: Any, scope: Scope, name: str) -> Any:
    """How a nested deployment passes one parameter: a value, or a Key Vault reference."""

    def value() -> Any:
        if not isinstance(entry, dict):
            return Unknown(f"parameter '{name}' is passed in an unknown form")
        key = find_key(entry, "value")
        if key is not None:
            line = entry.key_lines.get(key) if isinstance(entry, JsonObject) else None
            return evaluate(entry[key], scope, line)
        if find_key(entry, "reference") is not None:
            return Unknown(f"parameter '{name}' is a Key Vault secret")
        return Unknown(f"parameter '{name}' has no value")

    return value


def _declarations(declared: Any) -> Iterator[tuple[str | None, Mapping[str, Any]]]:
    if isinstance(declared, list):
        for item in declared:
            if isinstance(item, dict):
                yield None, item
    elif isinstance(declared, dict):
        for symbolic, item in declared.items():
            if isinstance(item, dict):
                yield symbolic, item


def root_template(
    document: Mapping[str, Any],
    file: str,
    info: DeploymentInfo,
    deployment: Deployment,
    supplied: Mapping[str, Any],
) -> Template:
    try:
        return Template(document, file, info, deployment, supplied)
    except TemplateError as err:
        raise InputError(str(err), file) from None
