"""From a plan document to `TfResource` records whose references lead to resource instances.

The reader collects what exists after apply, then resolves each attribute's references through
module inputs and outputs, `count.index`, `each.key` and `each.value`, to the instances they end
at; known ids and ARNs connect what the configuration section does not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reachlint.formats.terraform.plan_addresses import (
    ALL,
    NOT_RESOURCES,
    Address,
    AllInstances,
    Group,
    IndexStep,
    Key,
    ModulePath,
    Resolved,
    Step,
    Target,
    aligning,
    key_text,
    most_specific,
    parse_address,
    parse_reference,
    reference_name,
    render_module,
)
from reachlint.formats.terraform.plan_values import (
    NOT_ID_REFERENCES,
    ModuleConfiguration,
    ResourceChange,
    action_name,
    actions_of,
    as_dict,
    as_list,
    blocks_in_value_order,
    change_of,
    contains_unknown,
    decoded,
    flatten_expressions,
    id_references,
    module_configurations,
    module_resources,
    provider_configurations,
    references_of,
    sensitive_paths,
    value_at,
    value_modules,
    with_unknowns,
)
from reachlint.formats.terraform.records import ProviderConfig, TfResource
from reachlint.sources import UnknownValue


class PlanReader:
    """One plan document read: `read()` fills the records, notes, ids and addresses."""

    def __init__(
        self, document: dict[str, Any], providers: Mapping[str, frozenset[str]] | None = None
    ) -> None:
        # Taken over: what has been read is let go of as soon as it has been read.
        self.document = document
        self._providers_read = providers or {}
        self._provider_configs: dict[str, ProviderConfig] = {}
        self.records: dict[str, TfResource] = {}
        self.addresses: dict[str, Address] = {}
        self.notes: list[str] = []
        self.ids: dict[str, str] = {}
        self.config_addresses: dict[str, str] = {}
        self._noted: set[str] = set()
        # Target -> instance key -> address, in plan order.
        self._instances: dict[Target, dict[Key, str]] = {}
        # (module instance path, call name) -> instance keys of that module call.
        self._module_keys: dict[tuple[ModulePath, str], dict[Key, None]] = {}
        self._configs: dict[tuple[str, ...], ModuleConfiguration] = {}
        self._variables: dict[tuple[ModulePath, str], Resolved] = {}
        self._outputs: dict[tuple[ModulePath, str | None], Resolved] = {}
        # Reference texts -> the most specific parsed references, whether they align, and
        # whether what they resolve to depends on the instance's key (aligned or each.value).
        self._parsed: dict[tuple[str, ...], tuple[list[tuple[Step, ...]], bool, bool]] = {}
        # A configuration's reference lists by identity (the configuration keeps them alive),
        # with their texts: every instance of a resource reads the same lists.
        self._texts: dict[int, tuple[list[Any], tuple[str, ...]]] = {}
        # An expression's resources in the module instance read last, when no instance key
        # decides them: a module instance's resources come together, and a large plan's
        # module instances are too many to remember them all.
        self._resolved: dict[tuple[str, ...], Resolved] = {}
        self._resolved_in: ModulePath | None = None
        self._flattened: dict[int, tuple[dict[str, Any], list[tuple[str, list[Any]]]]] = {}
        # Module instances met, by their names without keys.
        self._module_names: dict[ModulePath, tuple[str, ...]] = {}
        self._checked_blocks: set[str] = set()
        self._prior_values: list[tuple[str, dict[str, Any]]] = []
        self._rested_on: dict[tuple[object, ...], list[str]] = {}

    def note(self, message: str, once_per: str | None = None) -> None:
        key = once_per or message
        if key not in self._noted:
            self._noted.add(key)
            self.notes.append(message)

    def read(self) -> None:
        is_plan = "planned_values" in self.document or "resource_changes" in self.document
        self._collect()
        # Read once: the changes repeat every value after apply (a third of a large plan).
        self.document.pop("resource_changes", None)
        configuration = self.document.get("configuration")
        self._configs = module_configurations(as_dict(configuration).get("root_module"))
        self._provider_configs = provider_configurations(
            as_dict(configuration).get("provider_config"), self._providers_read
        )
        self._index_ids()
        for record in self.records.values():
            self._resolve_record(record)
        if is_plan and not isinstance(configuration, dict):
            self.note(
                "the plan has no configuration section, so references between resources "
                "are matched by known ids only"
            )

    # Which resources exist after apply, with what values.
    def _collect(self) -> None:
        changes: dict[str, ResourceChange] = {}
        for item in as_list(self.document.get("resource_changes")):
            change = change_of(item)
            address = change.address
            if isinstance(address, str) and not change.deposed:
                changes[address] = change
        gone = {address for address, change in changes.items() if actions_of(change) == ["delete"]}
        # A `moved` block renames: the old address may linger in prior_state.
        gone.update(
            previous
            for change in changes.values()
            if isinstance(previous := change.previous_address, str) and previous not in changes
        )
        planned, prior, shown = value_modules(self.document)
        prior_addresses = set()
        for resource in module_resources(prior):
            address = resource.get("address")
            if isinstance(address, str) and address not in gone:
                prior_addresses.add(address)
                # A replaced or updated resource keeps its address: its old ids lead to it.
                self._prior_values.append((address, as_dict(resource.get("values"))))
        sources = (module_resources(planned), module_resources(prior), module_resources(shown))
        for source_number, source in enumerate(sources):
            for resource in source:
                address = resource.get("address")
                if not isinstance(address, str) or address in gone or address in self.records:
                    continue
                existing = source_number > 0 or address in prior_addresses
                self._add(
                    address,
                    resource.get("values"),
                    changes.get(address),
                    existing,
                    resource.get("sensitive_values"),
                )
        # Hand-made or trimmed plans may list a resource only among the changes.
        for address, change in changes.items():
            if address not in gone and address not in self.records:
                after = decoded(change.change.after) if change.change is not None else None
                self._add(address, after, change, existing=False)

    def _add(
        self,
        address: str,
        values: object,
        change: ResourceChange | None,
        existing: bool,
        sensitive_values: object = None,
    ) -> None:
        parsed = parse_address(address)
        if parsed is None:
            self.note(f"{address}: not a resource address reachlint can read; skipped")
            return
        planned = change.change if change is not None else None
        after_unknown = planned.after_unknown if planned is not None else None
        marked = with_unknowns(values if isinstance(values, dict) else {}, after_unknown)
        actions = actions_of(change)
        if actions:
            action = action_name(actions)
        else:
            action = "no-op" if existing or parsed.mode == "data" else "create"
        record = TfResource(
            address=address,
            type=parsed.type,
            name=parsed.name,
            module=parsed.module,
            index=parsed.key,
            mode="data" if parsed.mode == "data" else "managed",
            values=marked if isinstance(marked, dict) else {},
            action=action,
            sensitive=_sensitive(
                sensitive_values, planned.after_sensitive if planned is not None else None
            ),
        )
        self.records[address] = record
        self.addresses[address] = parsed
        self._instances.setdefault((parsed.module_path, parsed.resource), {})[parsed.key] = address
        path = parsed.module_path
        names = self._module_names.get(path)
        if names is None:  # a module instance's keys are noted when it is first met
            names = self._module_names[path] = tuple(name for name, _ in path)
            for depth in range(len(path)):
                call_keys = self._module_keys.setdefault((path[:depth], path[depth][0]), {})
                call_keys[path[depth][1]] = None
        module = render_module(names)
        self.config_addresses[address] = (
            f"{module}.{parsed.resource}" if module else parsed.resource
        )

    def _index_ids(self) -> None:
        """Known ids and ARNs; managed resources first, as a data source may read the same."""
        managed = [(r.address, r.values) for r in self.records.values() if r.mode == "managed"]
        data = [(r.address, r.values) for r in self.records.values() if r.mode == "data"]
        for address, values in (*managed, *self._prior_values, *data):
            if address not in self.records:
                continue
            for attribute in ("id", "arn"):
                value = values.get(attribute)
                if isinstance(value, str) and value:
                    self.ids.setdefault(value, address)

    def _resolve_record(self, record: TfResource) -> None:
        parsed = self.addresses[record.address]
        module_config = self._configs.get(self._module_names[parsed.module_path])
        config = module_config.resources.get(parsed.resource) if module_config else None
        record.configured = config is not None
        references: dict[str, list[str]] = {}
        if config is not None:
            key = config.get("provider_config_key")
            record.provider = self._provider_configs.get(key) if isinstance(key, str) else None
        locals_by_path: dict[str, tuple[str, ...]] = {}
        if config is not None:
            for_each = references_of(config.get("for_each_expression"))
            expressions = as_dict(config.get("expressions"))
            in_value_order = blocks_in_value_order(expressions, record.values)
            for path, expression_references in self._flatten(in_value_order, expressions):
                groups, locals_met = self._resolve_expression(
                    expression_references, parsed.module_path, parsed.key, for_each
                )
                addresses = self._addresses(groups, record.address)
                if addresses:
                    references[path] = addresses
                elif locals_met:
                    locals_by_path[path] = locals_met
                if contains_unknown(value_at(record.values, path)):
                    rests_on = self._rests_on(expression_references, parsed.module_path, for_each)
                    if rests_on:
                        record.unknown_values[path] = [UnknownValue(sources=tuple(rests_on))]
            self._note_dynamic_blocks(record, expressions)
        if self.ids:
            for path, addresses in id_references(record.values, self.ids, record.address).items():
                references.setdefault(path, addresses)
        for path, locals_met in locals_by_path.items():
            if (
                path not in references
                and path.split(".", 1)[0] not in NOT_ID_REFERENCES
                and contains_unknown(value_at(record.values, path))
            ):
                for local in locals_met:
                    self.note(
                        f"{local} is not recorded in a plan, so what it refers to (first at "
                        f"{record.address} {path}) is matched by known ids only",
                        once_per=local,
                    )
        record.references = references

    def _flatten(
        self, in_value_order: dict[str, Any], expressions: dict[str, Any]
    ) -> list[tuple[str, list[Any]]]:
        """flatten_expressions, once per configuration when its blocks keep their order."""
        if in_value_order is not expressions:
            return flatten_expressions(in_value_order)
        found = self._flattened.get(id(expressions))
        if found is None or found[0] is not expressions:
            found = self._flattened[id(expressions)] = (
                expressions,
                flatten_expressions(expressions),
            )
        return found[1]

    def _texts_of(self, references: list[Any]) -> tuple[str, ...]:
        if not references:
            return ()
        found = self._texts.get(id(references))
        if found is None or found[0] is not references:
            texts = tuple(text for text in references if isinstance(text, str))
            found = self._texts[id(references)] = (references, texts)
        return found[1]

    def _resolve_expression(
        self, references: list[Any], module_path: ModulePath, own_key: Key, for_each: list[Any]
    ) -> Resolved:
        """_resolve for an attribute's expression. Unless the instance's key decides, every
        instance of the resource in a module instance resolves it alike: looked up once per
        module instance (the variables and outputs it passes are looked up once too, so the
        answer is the same)."""
        texts = self._texts_of(references)
        if self._specific(texts)[2]:
            return self._resolve(references, module_path, own_key, for_each)
        if module_path != self._resolved_in:
            self._resolved.clear()
            self._resolved_in = module_path
        found = self._resolved.get(texts)
        if found is None:
            found = self._resolved[texts] = self._resolve(references, module_path, own_key, [])
        return found

    def _rests_on(
        self, references: list[Any], module_path: ModulePath, for_each: list[Any]
    ) -> list[str]:
        """_unknown_names of an attribute's expression: the same for every instance of a
        module instance's resource, so looked up once."""
        key = (self._texts_of(references), module_path, self._texts_of(for_each))
        found = self._rested_on.get(key)
        if found is None:
            found = self._rested_on[key] = self._unknown_names(
                references, module_path, for_each, set()
            )
        return found

    def _unknown_names(
        self,
        references: list[Any],
        module_path: ModulePath,
        for_each: list[Any],
        seen: set[tuple[ModulePath, str]],
    ) -> list[str]:
        """What an expression that is known only after apply rests on, as a reviewer would
        look it up: resource attributes and data sources, followed through module inputs and
        outputs. A plan knows every variable, so a variable is never what is unknown."""
        specific = self._specific(self._texts_of(references))[0]
        prefix = "".join(f"module.{name}{key_text(key)}." for name, key in module_path)
        names: dict[str, None] = {}
        for steps in specific:
            head = steps[0]
            second = steps[1] if len(steps) > 1 and isinstance(steps[1], str) else None
            if head == "var" and second is not None and module_path:
                memo = (module_path, f"var.{second}")
                if memo in seen:
                    continue
                seen.add(memo)
                parent = module_path[:-1]
                call_name = module_path[-1][0]
                parent_config = self._configs.get(tuple(n for n, _ in parent))
                call = parent_config.calls.get(call_name, {}) if parent_config else {}
                expression = as_dict(call.get("expressions")).get(second)
                call_for_each = references_of(call.get("for_each_expression"))
                found = self._unknown_names(references_of(expression), parent, call_for_each, seen)
                names.update(dict.fromkeys(found))
            elif head == "module" and second is not None:
                rest = steps[2:]
                key: Key = None
                if rest and isinstance(rest[0], IndexStep):
                    key, rest = rest[0].value, rest[1:]
                output = rest[0] if rest and isinstance(rest[0], str) else None
                keys = (
                    [key]
                    if key is not None
                    else list(self._module_keys.get((module_path, second), {None: None}))
                )
                for instance_key in keys:
                    child = (*module_path, (second, instance_key))
                    config = self._configs.get(tuple(n for n, _ in child))
                    outputs = config.outputs if config else {}
                    for name in [output] if output is not None else list(outputs):
                        memo = (child, f"output.{name}")
                        if memo in seen:
                            continue
                        seen.add(memo)
                        expression = as_dict(outputs.get(name)).get("expression")
                        found = self._unknown_names(references_of(expression), child, [], seen)
                        names.update(dict.fromkeys(found))
            elif head == "each" and second == "value":
                names.update(dict.fromkeys(self._unknown_names(for_each, module_path, [], seen)))
            elif head == "local" and second is not None:
                names[f"{prefix}local.{second}"] = None  # a plan does not record locals
            elif head in NOT_RESOURCES or head == "var":
                continue
            else:
                named = reference_name(steps)
                if named is not None:
                    names[prefix + named] = None
        return list(names)

    def _note_dynamic_blocks(self, record: TfResource, expressions: dict[str, Any]) -> None:
        """A dynamic block leaves no expression in the plan: say so where it hides references."""
        config_address = self.config_addresses[record.address]
        if config_address in self._checked_blocks:
            return  # instances share their configuration: the first one tells
        self._checked_blocks.add(config_address)
        for name, value in record.values.items():
            if (
                name not in expressions
                and isinstance(value, list)
                and value
                and all(isinstance(block, dict) for block in value)
                and contains_unknown(value)
            ):
                self.note(
                    f"{config_address}: the plan's configuration does not record {name} "
                    "(a dynamic block leaves nothing there), so what it refers to is unknown"
                )

    def _addresses(self, groups: list[Group], own: str) -> list[str]:
        addresses: dict[str, None] = {}
        for target, key in groups:
            instances = self._instances.get(target, {})
            if isinstance(key, AllInstances):
                for address in instances.values():
                    addresses[address] = None
            elif key in instances:
                addresses[instances[key]] = None
        addresses.pop(own, None)
        return list(addresses)

    def _narrow(self, groups: list[Group], key: Key) -> list[Group]:
        """Pick instance `key` of every all-instances group that has one."""
        narrowed: list[Group] = []
        for target, current in groups:
            if isinstance(current, AllInstances) and key in self._instances.get(target, {}):
                narrowed.append((target, key))
            else:
                narrowed.append((target, current))
        return narrowed

    def _resolve(
        self,
        references: list[Any],
        module_path: ModulePath,
        own_key: Key,
        for_each: list[Any],
    ) -> Resolved:
        """The resource instances an expression in `module_path` refers to.

        `own_key` is the count index or for_each key of the thing the expression belongs to;
        `for_each` the references of its for_each expression (what `each.value` is).
        """
        specific, aligns, _keyed = self._specific(self._texts_of(references))
        aligned = own_key is not None and aligns
        groups: list[Group] = []
        locals_met: list[str] = []
        for steps in specific:
            found, met = self._resolve_one(steps, module_path, own_key, for_each, aligned)
            groups.extend(found)
            locals_met.extend(met)
        if aligned:
            groups = self._narrow(groups, own_key)
        return list(dict.fromkeys(groups)), tuple(dict.fromkeys(locals_met))

    def _specific(self, texts: tuple[str, ...]) -> tuple[list[tuple[Step, ...]], bool, bool]:
        """An expression's most specific references, whether one aligns with the instance
        (count.index, each.key), and whether the instance's key decides what they resolve to
        (aligned, or each.value); every instance of a resource has the same expressions."""
        found = self._parsed.get(texts)
        if found is None:
            parsed = [steps for text in texts if (steps := parse_reference(text)) is not None]
            specific = most_specific(parsed)
            aligns = any(aligning(steps) for steps in specific)
            keyed = aligns or any(steps[0] == "each" for steps in specific)
            found = self._parsed[texts] = (specific, aligns, keyed)
        return found

    def _resolve_one(
        self,
        steps: tuple[Step, ...],
        module_path: ModulePath,
        own_key: Key,
        for_each: list[Any],
        aligned: bool,
    ) -> Resolved:
        head = steps[0]
        second = steps[1] if len(steps) > 1 else None
        if head == "local":
            where = f" in {render_module(tuple(n for n, _ in module_path))}" if module_path else ""
            return [], (f"local.{second}{where}",) if isinstance(second, str) else ()
        if head == "var" and isinstance(second, str):
            groups, met = self._variable(module_path, second)
            rest = steps[2:]
        elif head == "module" and isinstance(second, str):
            groups, met, rest = self._module_output(
                second, steps[2:], module_path, own_key, aligned
            )
        elif head == "each" and second == "value":
            groups, met = self._resolve(for_each, module_path, own_key, [])
            groups = self._narrow(groups, own_key)
            rest = steps[2:]
        elif head in NOT_RESOURCES or head in ("var", "module", "local"):
            return [], ()
        else:
            return self._resource(steps, module_path), ()
        # An index into a list or map built from all instances picks that instance.
        if rest and isinstance(rest[0], IndexStep) and rest[0].value is not None:
            groups = self._narrow(groups, rest[0].value)
        return groups, met

    def _resource(self, steps: tuple[Step, ...], module_path: ModulePath) -> list[Group]:
        if steps[0] == "data":
            steps = steps[1:]
            prefix = "data."
        else:
            prefix = ""
        if len(steps) < 2 or not isinstance(steps[0], str) or not isinstance(steps[1], str):
            return []
        target = (module_path, f"{prefix}{steps[0]}.{steps[1]}")
        if target not in self._instances:
            return []
        index = steps[2] if len(steps) > 2 else None
        if isinstance(index, IndexStep) and index.value is not None:
            return [(target, index.value)]
        return [(target, ALL)]

    def _module_output(
        self,
        name: str,
        after: tuple[Step, ...],
        module_path: ModulePath,
        own_key: Key,
        aligned: bool,
    ) -> tuple[list[Group], tuple[str, ...], tuple[Step, ...]]:
        """`module.NAME...`: `after` is what follows the name (instance key, output, rest)."""
        keys = list(self._module_keys.get((module_path, name), {None: None}))
        index = after[0] if after and isinstance(after[0], IndexStep) else None
        if index is not None:
            after = after[1:]
        if index is not None and index.value is not None:
            keys = [index.value]
        elif aligned and own_key in keys:
            keys = [own_key]
        output = after[0] if after and isinstance(after[0], str) else None
        groups: list[Group] = []
        locals_met: list[str] = []
        for key in keys:
            found, met = self._output((*module_path, (name, key)), output)
            groups.extend(found)
            locals_met.extend(met)
        return groups, tuple(locals_met), after[1:]

    def _variable(self, module_path: ModulePath, name: str) -> Resolved:
        """What input `name` of module instance `module_path` refers to, in its caller."""
        memo_key = (module_path, name)
        if memo_key in self._variables:
            return self._variables[memo_key]
        if not module_path:
            return [], ()  # a root variable: a value, never a resource
        self._variables[memo_key] = ([], ())  # guards against cycles
        parent = module_path[:-1]
        call_name, call_key = module_path[-1]
        parent_config = self._configs.get(tuple(n for n, _ in parent))
        call = parent_config.calls.get(call_name, {}) if parent_config else {}
        expression = as_dict(call.get("expressions")).get(name)
        for_each = references_of(call.get("for_each_expression"))
        result = self._resolve(references_of(expression), parent, call_key, for_each)
        self._variables[memo_key] = result
        return result

    def _output(self, module_path: ModulePath, name: str | None) -> Resolved:
        """What output `name` (every output when None) of module instance `module_path` is."""
        memo_key = (module_path, name)
        if memo_key in self._outputs:
            return self._outputs[memo_key]
        self._outputs[memo_key] = ([], ())
        config = self._configs.get(tuple(n for n, _ in module_path))
        outputs = config.outputs if config else {}
        names = [name] if name is not None else list(outputs)
        groups: list[Group] = []
        locals_met: list[str] = []
        for output in names:
            expression = as_dict(outputs.get(output)).get("expression")
            found, met = self._resolve(references_of(expression), module_path, None, [])
            groups.extend(found)
            locals_met.extend(met)
        result = (groups, tuple(locals_met))
        self._outputs[memo_key] = result
        return result


def _sensitive(marks: object, after_marks: object) -> list[str]:
    """The paths the values' and the change's sensitive marks name; mostly the same marks."""
    found = sensitive_paths(marks, "")
    if after_marks != marks:
        found += sensitive_paths(after_marks, "")
    return sorted(set(found))
