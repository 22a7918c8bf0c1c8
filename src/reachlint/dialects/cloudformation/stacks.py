"""CloudFormation stacks as the AWS dialect reads them: each resource's type, evaluated
properties, condition, metadata and place.

An input is a template file or a cloud assembly (`cdk.out`, stages included). A stack's nested
stacks (`AWS::CloudFormation::Stack` with a local `TemplateURL`, as `cdk synth` and
`aws cloudformation package` write them) are read with the parameters the parent passes,
evaluated in the parent (a `Ref` to a parent resource is that resource), and the parent reads
their outputs (`Fn::GetAtt [Child, Outputs.Name]`); a remote one is named with a note.
Addresses are logical ids; a nested stack's resources are `Parent/Child`, and when one input
holds several top-level stacks each address starts with its stack's name.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from reachlint.confine import confined, input_root
from reachlint.errors import InputError
from reachlint.formats.cloudformation.assembly import is_assembly, stack_artifacts
from reachlint.formats.cloudformation.document import read_template
from reachlint.formats.cloudformation.intrinsics import (
    AttributeHook,
    Evaluator,
    ImportHook,
)
from reachlint.formats.cloudformation.loops import expand_loops, has_loops
from reachlint.formats.cloudformation.values import NO_VALUE, ResourceRef, Unknown
from reachlint.formats.jsonpos import JsonArray, JsonObject
from reachlint.limits import MAX_RESOURCE_INSTANCES, MAX_STACKS, LimitError
from reachlint.sources import Origin

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
_NESTED_STACK = "AWS::CloudFormation::Stack"
_SAM_APPLICATION = "AWS::Serverless::Application"
_MAX_NESTING = 16  # nested stacks within nested stacks; CloudFormation's own quota is 5 levels
_REMOTE = ("https://", "http://", "s3://")


class CfnResource(Struct):
    """One resource of one stack, its properties evaluated as far as they are known."""

    address: str
    logical_id: str
    type: str
    properties: JsonObject
    origin: Origin
    stack: Stack
    # False: the resource's Condition is false (it is not deployed); an Unknown: it rests on a
    # value only the deployment knows.
    condition: bool | Unknown = True
    condition_name: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    construct_path: str | None = None

    def address_of(self, reference: ResourceRef) -> str:
        if reference.stack is not None:
            return f"{reference.stack}{reference.logical_id}"
        return self.stack.address_of(reference.logical_id)


class Stack(Struct):
    """One template as deployed: its evaluator and resources, and where its addresses start."""

    name: str
    source: str  # the template's file, as shown
    evaluator: Evaluator
    prefix: str  # "" for a lone top-level stack; else "Name/"
    resources: dict[str, CfnResource] = field(default_factory=dict)
    transforms: tuple[str, ...] = ()
    notes: list[tuple[str, str, Origin]] = field(default_factory=list)  # address, message, where

    def address_of(self, logical_id: str) -> str:
        return f"{self.prefix}{logical_id}"

    def note(self, address: str, message: str, origin: Origin) -> None:
        self.notes.append((address, message, origin))


class StackOptions(Struct, frozen=True):
    """Parameter values for the top-level stacks (a parameters file, then --var)."""

    parameter_values: dict[str, Any] = field(default_factory=dict)
    attribute: AttributeHook | None = None
    importer: ImportHook | None = None


class _Budget:
    """The stacks and resources read so far from one input, within MAX_STACKS and
    MAX_RESOURCE_INSTANCES: a few nested-stack resources that deploy their own template again
    would otherwise ask for stacks without end."""

    def __init__(self) -> None:
        self.stacks = 0
        self.resources = 0

    def stack(self, origin: Origin) -> None:
        self.stacks += 1
        if self.stacks > MAX_STACKS:
            raise LimitError(
                f"the input deploys {self.stacks:,} stacks or more",
                MAX_STACKS,
                "stacks",
                origin.file,
                origin.line,
            )

    def resource(self, origin: Origin) -> None:
        self.resources += 1
        if self.resources > MAX_RESOURCE_INSTANCES:
            raise LimitError(
                f"the input's stacks hold {self.resources:,} resources or more",
                MAX_RESOURCE_INSTANCES,
                "resources",
                origin.file,
                origin.line,
            )


class Exports:
    """The exports of the stacks of one input, so that `Fn::ImportValue` of one of them reads
    its value (CDK's references between stacks); other imports stay unknown."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[Evaluator, Any, str]] = {}
        self._busy: set[str] = set()

    def add(self, evaluator: Evaluator, prefix: str) -> None:
        for output in evaluator.section("Outputs").values():
            export = output.get("Export") if isinstance(output, dict) else None
            if isinstance(export, dict):
                name = evaluator.value(export.get("Name"))
                if isinstance(name, str):
                    self._entries[name] = (evaluator, output.get("Value"), prefix)

    def __call__(self, name: str) -> Any:
        entry = self._entries.get(name)
        if entry is None or name in self._busy:
            return NotImplemented
        evaluator, node, prefix = entry
        self._busy.add(name)
        try:
            return _held_by(evaluator.value(node), prefix)
        finally:
            self._busy.discard(name)


def _held_by(value: Any, prefix: str) -> Any:
    """A value of another stack, its resource references naming that stack (in lists,
    mappings and the branches of an `Fn::If` too)."""
    if isinstance(value, ResourceRef) and value.stack is None:
        return ResourceRef(value.logical_id, value.attribute, prefix)
    if isinstance(value, Unknown) and value.alternatives is not None:
        branches = tuple(_held_by(item, prefix) for item in value.alternatives)
        return Unknown(*value.names, alternatives=branches)
    if isinstance(value, JsonArray):
        array = JsonArray(value.source, value.line)
        array.extend(_held_by(item, prefix) for item in value)
        array.item_lines.extend(value.item_lines)
        return array
    if isinstance(value, list):
        return [_held_by(item, prefix) for item in value]
    if isinstance(value, JsonObject):
        mapping = JsonObject(value.source, value.line)
        for key, item in value.items():
            mapping[key] = _held_by(item, prefix)
        mapping.key_lines.update(value.key_lines)
        return mapping
    if isinstance(value, dict):
        return {key: _held_by(item, prefix) for key, item in value.items()}
    return value


def read_stacks(path: Path, options: StackOptions) -> list[Stack]:
    """Every stack in the input at `path`: a template file or a cloud assembly directory."""
    if path.is_dir():
        if not is_assembly(path):
            raise InputError(
                "is a directory without .tf files or a cloud assembly manifest.json; expected "
                "a Terraform configuration or `cdk synth`'s output (cdk.out)",
                str(path),
            )
        artifacts = stack_artifacts(path)
        several = len(artifacts) > 1
        exports = Exports()
        nesting = _Nesting(options.attribute, exports)
        prepared = []
        used: set[str] = set()
        for artifact in artifacts:
            shown = _shown(artifact.template)
            document = read_template(artifact.template, shown)
            if not isinstance(document, dict):
                raise InputError("is not a CloudFormation template: expected a mapping", shown)
            # A value given on the command line is for the stacks that declare the parameter.
            declared = document.get("Parameters")
            names = set(declared) if isinstance(declared, dict) else set()
            used |= names
            own = {k: v for k, v in options.parameter_values.items() if k in names}
            prefix = f"{artifact.name}/" if several else ""
            place = nesting.top(document, shown, artifact.template, prefix, own)
            exports.add(place.evaluator, prefix)
            prepared.append((artifact, place))
        stacks: list[Stack] = []
        for artifact, place in prepared:
            stacks += _read(place, artifact.name, artifact.construct_paths, nesting)
        unused = sorted(set(options.parameter_values) - used)
        if unused:
            raise InputError(
                f"parameter {unused[0]!r} is given a value but no stack of the cloud assembly "
                "declares it",
                str(path),
            )
        return stacks
    shown = str(path)
    document = read_template(path, shown)
    if not isinstance(document, dict):
        raise InputError("is not a CloudFormation template: expected a mapping", shown)
    nesting = _Nesting(options.attribute, options.importer)
    place = nesting.top(document, shown, path, "", options.parameter_values)
    return _read(place, path.stem, {}, nesting)


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class _Place(Struct):
    """One stack's template as read: its evaluator and file, where its addresses start, and
    how deep it is nested (0: a top-level stack)."""

    evaluator: Evaluator
    path: Path
    shown: str
    prefix: str
    depth: int
    # Loops not written out: the loop's key, why, and its line.
    loops: list[tuple[str, str, int | None]] = field(default_factory=list)


class _Nesting:
    """The nested stacks of one input, each made once with the parameters its parent passes.

    Those parameters are the parent's values, evaluated in the parent (AWS: "the set value
    pairs that represent the parameters passed to CloudFormation when this nested stack is
    created"): a `Ref` to a parent resource reaches the child as a reference to that resource.
    It is also the `Fn::GetAtt` hook the input's evaluators share, so that a parent reads a
    nested stack's output (`Fn::GetAtt [Child, Outputs.Name]`) in the child, its resource
    references naming the child's resources; other attributes go to `attribute`. Every stack
    counts against MAX_STACKS when it is made, also one only an output is read from.
    """

    def __init__(self, attribute: AttributeHook | None, importer: ImportHook | None) -> None:
        self.attribute = attribute
        self.importer = importer
        self.budget = _Budget()
        self._places: dict[int, _Place] = {}  # by id() of the evaluator, which it holds
        self._children: dict[tuple[int, str], _Place] = {}  # (parent's evaluator, logical id)
        self._outputs: dict[tuple[int, str], Any] = {}
        self._busy: set[tuple[int, str]] = set()

    def top(
        self, document: dict[str, Any], shown: str, path: Path, prefix: str, values: dict[str, Any]
    ) -> _Place:
        self.budget.stack(Origin(file=shown))
        return self._place(document, shown, path, prefix, dict(values), 0)

    def _place(
        self,
        document: dict[str, Any],
        shown: str,
        path: Path,
        prefix: str,
        values: dict[str, Any],
        depth: int,
    ) -> _Place:
        evaluator = Evaluator(document, shown, values, self, importer=self.importer)
        place = _Place(evaluator, path, shown, prefix, depth)
        if has_loops(document):  # AWS::LanguageExtensions: written out, as the transform does
            expanded = expand_loops(
                document, shown, evaluator.value, lambda *note: place.loops.append(note)
            )
            place.evaluator = Evaluator(expanded, shown, values, self, importer=self.importer)
        self._places[id(place.evaluator)] = place  # the evaluator the stack reads with
        return place

    def child(
        self,
        parent: _Place,
        logical_id: str,
        properties: Mapping[str, Any],
        url: str,
        origin: Origin,
    ) -> _Place:
        """The stack that `parent`'s nested-stack resource `logical_id` deploys from the local
        template `url`."""
        key = (id(parent.evaluator), logical_id)
        made = self._children.get(key)
        if made is not None:
            return made
        if parent.depth + 1 > _MAX_NESTING:
            raise InputError(
                f"nests stacks more than {_MAX_NESTING} deep", origin.file, origin.line
            )
        self.budget.stack(origin)
        try:
            child_path = confined(parent.path.parent / url, input_root(parent.path))
        except InputError as error:  # named where the template writes it
            raise InputError(
                f"nested stack {logical_id}, TemplateURL {url[:200]!r}: {error.message}",
                origin.file,
                origin.line,
            ) from None
        shown = _shown(child_path)
        document = read_template(child_path, shown)
        if not isinstance(document, dict):
            raise InputError("is not a CloudFormation template: expected a mapping", shown)
        values = _passed(parent, logical_id, properties, document)
        prefix = f"{parent.prefix}{logical_id}/"
        made = self._place(document, shown, child_path, prefix, values, parent.depth + 1)
        self._children[key] = made
        return made

    def __call__(self, logical_id: str, attribute: str, evaluator: Evaluator) -> Any:
        if attribute.startswith("Outputs."):
            found = self._output(logical_id, attribute.removeprefix("Outputs."), evaluator)
            if found is not NotImplemented:
                return found
        if self.attribute is None:
            return NotImplemented
        return self.attribute(logical_id, attribute, evaluator)

    def _output(self, logical_id: str, name: str, evaluator: Evaluator) -> Any:
        """Output `name` of the nested stack `logical_id` deploys; NotImplemented when that is
        not a nested stack with a local template."""
        parent = self._places.get(id(evaluator))
        declared = evaluator.resources.get(logical_id)
        if parent is None or not isinstance(declared, dict):
            return NotImplemented
        kind = declared.get("Type")
        if kind not in (_NESTED_STACK, _SAM_APPLICATION):
            return NotImplemented
        key = (id(evaluator), logical_id)
        child = self._children.get(key)
        if child is None:
            if key in self._busy:  # the parameters it is passed read its own outputs
                return Unknown(f"{logical_id}.Outputs.{name}")
            self._busy.add(key)
            try:
                raw = declared.get("Properties")
                evaluated = evaluator.value(raw) if isinstance(raw, dict) else None
                properties = _as_mapping(evaluated, parent.shown, None)
                metadata = declared.get("Metadata")
                if properties is None:
                    return NotImplemented
                _, url = _template_url(str(kind), properties, metadata)
                if not isinstance(url, str) or url.startswith(_REMOTE):
                    return NotImplemented
                lines = evaluator.resources
                line = lines.key_lines.get(logical_id) if isinstance(lines, JsonObject) else None
                child = self.child(
                    parent, logical_id, properties, url, Origin(file=parent.shown, line=line)
                )
            finally:
                self._busy.discard(key)
        output = child.evaluator.section("Outputs").get(name)
        if not isinstance(output, dict) or "Value" not in output:
            return NotImplemented
        read = (id(child.evaluator), name)
        if read not in self._outputs:
            self._outputs[read] = _held_by(child.evaluator.value(output["Value"]), child.prefix)
        return self._outputs[read]


def _passed(
    parent: _Place, logical_id: str, properties: Mapping[str, Any], document: dict[str, Any]
) -> dict[str, Any]:
    """The parameters a nested-stack resource passes, as its parent evaluated them, resource
    references naming the parent's resources. A comma-joined list (`Fn::Join [",", [...]]`)
    passed to a list parameter is that list, as the child splits it."""
    given = properties.get("Parameters")
    if not isinstance(given, dict):
        return {}
    declared = document.get("Parameters")
    declared = declared if isinstance(declared, dict) else {}
    written = parent.evaluator.resources.get(logical_id)
    written = written.get("Properties") if isinstance(written, dict) else None
    written = written.get("Parameters") if isinstance(written, dict) else None
    written = written if isinstance(written, dict) else {}
    values: dict[str, Any] = {}
    for key, value in given.items():
        spec = declared.get(key)
        kind = spec.get("Type") if isinstance(spec, dict) else None
        if isinstance(value, Unknown) and isinstance(kind, str) and _listed(kind):
            items = _comma_joined(parent.evaluator, written.get(key))
            if items is not None:
                value = items
        values[key] = _held_by(value, parent.prefix)
    return values


def _listed(kind: str) -> bool:
    return kind == "CommaDelimitedList" or kind.startswith("List<")


def _comma_joined(evaluator: Evaluator, node: Any) -> list[Any] | None:
    """The items of `Fn::Join [",", items]` when each is known or one resource's id."""
    if not isinstance(node, dict) or len(node) != 1 or "Fn::Join" not in node:
        return None
    argument = node["Fn::Join"]
    if not isinstance(argument, list) or len(argument) != 2:
        return None
    if evaluator.value(argument[0]) != ",":
        return None
    items = evaluator.value(argument[1])
    if not isinstance(items, list):
        return None
    found: list[Any] = []
    for item in items:
        if isinstance(item, str):
            found += [part.strip() for part in item.split(",")] if item else []
        elif isinstance(item, ResourceRef) and item.attribute is None:
            found.append(item)
        else:
            return None
    return found


def _read(
    place: _Place, name: str, construct_paths: dict[str, str], nesting: _Nesting
) -> list[Stack]:
    evaluator, shown, budget = place.evaluator, place.shown, nesting.budget
    transforms = _transforms(evaluator.document, shown)
    stack = Stack(name, shown, evaluator, place.prefix, transforms=transforms)
    for key, message, line in place.loops:
        stack.note(stack.address_of(key), message, Origin(file=shown, line=line))
    stacks = [stack]
    resources = evaluator.resources
    for logical_id, declared in resources.items():
        origin = Origin(
            file=shown,
            line=resources.key_lines.get(logical_id) if isinstance(resources, JsonObject) else None,
        )
        budget.resource(origin)
        if not isinstance(declared, dict):
            raise InputError(f"resource {logical_id} must be a mapping", shown, origin.line)
        kind = declared.get("Type")
        if not isinstance(kind, str):
            raise InputError(f"resource {logical_id} has no Type", shown, origin.line)
        condition: bool | Unknown = True
        condition_name = declared.get("Condition")
        if condition_name is not None:
            if not isinstance(condition_name, str):
                raise InputError(
                    f"resource {logical_id}: Condition must name a condition", shown, origin.line
                )
            condition = evaluator.condition(condition_name, declared)
            if condition is False:
                continue
        raw = declared.get("Properties")
        if raw is None:
            raw = JsonObject(shown, origin.line)
        if not isinstance(raw, dict):
            raise InputError(
                f"resource {logical_id}: Properties must be a mapping", shown, origin.line
            )
        properties = _properties(evaluator.value(raw), logical_id, shown, origin.line)
        metadata = declared.get("Metadata")
        resource = CfnResource(
            address=stack.address_of(logical_id),
            logical_id=logical_id,
            type=kind,
            properties=properties,
            origin=origin,
            stack=stack,
            condition=condition,
            condition_name=condition_name,
            metadata=metadata if isinstance(metadata, dict) else {},
            construct_path=construct_paths.get(logical_id) or _cdk_path(metadata),
        )
        stack.resources[logical_id] = resource
        if kind in (_NESTED_STACK, _SAM_APPLICATION):
            stacks += _nested(resource, place, nesting)
    return stacks


def _properties(evaluated: Any, logical_id: str, shown: str, line: int | None) -> JsonObject:
    """A resource's Properties once evaluated: a mapping, also when written as an intrinsic."""
    mapping = _as_mapping(evaluated, shown, line)
    if mapping is None:
        raise InputError(
            f"resource {logical_id}: Properties must be a mapping (or an Fn::If of mappings)",
            shown,
            line,
        )
    return mapping


def _as_mapping(value: Any, shown: str, line: int | None) -> JsonObject | None:
    """`AWS::NoValue` leaves no properties; an `Fn::If` on a condition only the deployment
    decides (nested ones too) makes each property its branches write differently an unknown
    with the alternatives, and keeps what they write alike."""
    if isinstance(value, JsonObject):
        return value
    if value is NO_VALUE:
        return JsonObject(shown, line)
    if not isinstance(value, Unknown) or value.alternatives is None:
        return None
    sides = [_as_mapping(alternative, shown, line) for alternative in value.alternatives]
    known = [side for side in sides if side is not None]
    if len(known) < len(sides):
        return None
    merged = JsonObject(shown, line)
    for key in dict.fromkeys(k for side in known for k in side):
        values = tuple(side.get(key, NO_VALUE) for side in known)
        alike = all(_same(v, values[0]) for v in values[1:])
        merged[key] = values[0] if alike else Unknown(*value.names, alternatives=values)
        written_at = next((side.key_lines[key] for side in known if key in side.key_lines), None)
        if written_at is not None:
            merged.key_lines[key] = written_at
    return merged


def _same(left: Any, right: Any) -> bool:
    """Whether two evaluated values are the same: unknowns by what they rest on (each
    evaluation makes its own), True and 1 apart."""
    if type(left) is not type(right):
        return False
    if isinstance(left, Unknown):
        return left.names == right.names and _same(left.alternatives, right.alternatives)
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(_same(left[k], right[k]) for k in left)
    if isinstance(left, list | tuple):
        return len(left) == len(right) and all(map(_same, left, right))
    return bool(left == right)


def _transforms(document: Mapping[str, Any], shown: str) -> tuple[str, ...]:
    value = document.get("Transform")
    items = value if isinstance(value, list) else [value] if value is not None else []
    return tuple(item for item in items if isinstance(item, str))


def _cdk_path(metadata: Any) -> str | None:
    if isinstance(metadata, dict):
        path = metadata.get("aws:cdk:path")
        if isinstance(path, str):
            return path
    return None


def _template_url(kind: str, properties: Mapping[str, Any], metadata: Any) -> tuple[str, Any]:
    """The property that names a nested stack's template, and its value: the file `cdk synth`
    writes beside the parent when metadata names it."""
    field_name = "TemplateURL" if kind == _NESTED_STACK else "Location"
    url = properties.get(field_name)
    if isinstance(metadata, dict):
        asset = metadata.get("aws:asset:path")
        if isinstance(asset, str) and metadata.get("aws:asset:property") == field_name:
            url = asset
    return field_name, url


def _nested(parent: CfnResource, place: _Place, nesting: _Nesting) -> list[Stack]:
    """The stack a nested-stack resource deploys, when its template is a local file."""
    field_name, url = _template_url(parent.type, parent.properties, parent.metadata)
    stack = parent.stack
    if not isinstance(url, str):
        stack.note(
            parent.address,
            f"{parent.address}: the nested stack's {field_name} is known only at deployment; "
            "its resources are not read",
            parent.origin,
        )
        return []
    if url.startswith(_REMOTE):
        stack.note(
            parent.address,
            f"{parent.address}: the nested stack's template is remote ({url[:200]}); its "
            "resources are not read",
            parent.origin,
        )
        return []
    child = nesting.child(place, parent.logical_id, parent.properties, url, parent.origin)
    return _read(child, parent.logical_id, {}, nesting)
