"""Terraform configuration directories (`.tf` files) as `TfResource` records, without a plan.

The records are the ones the plan loader makes: the same addresses (count and for_each
expanded, modules nested), the values Terraform knows before apply (variables, locals, module
inputs and outputs, functions, `dynamic` blocks all evaluated) and, for every attribute whose
value is an id known only after apply, the resource instances it refers to. Each record also
says where it is written, down to the line of every attribute and nested block.

Variables get their values as Terraform gives them, lowest precedence first: defaults, TF_VAR_
environment variables, terraform.tfvars, terraform.tfvars.json, *.auto.tfvars(.json) in name
order, `var_files` in order, then `variables` (the command line's --var).

What cannot be known before apply stays in the model, with a note: an attribute that depends
on it is UNKNOWN; a count or for_each that is unknown gives one instance addressed `x[*]`; one
decided by an unknown condition (`var.create ? 2 : 0`) gives every instance it can make. Local
modules are expanded; registry and remote modules only when `terraform init` has downloaded
them (.terraform/modules/modules.json). Data sources are kept with their arguments; what they
read is unknown.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from msgspec import Struct, field

from reachlint.confine import input_root, read_confined
from reachlint.errors import InputError
from reachlint.formats.hcl.config import ModuleConfig, VariableDecl, read_module, read_text
from reachlint.formats.hcl.evaluator import evaluate_constant
from reachlint.formats.hcl.expand import Expander
from reachlint.formats.hcl.parser import parse_expression, parse_file
from reachlint.formats.hcl.values import EvalError, Value
from reachlint.formats.terraform.export import to_resource
from reachlint.formats.terraform.records import ProviderConfig, TfResource
from reachlint.formats.terraform.versions import Requirement, requirement
from reachlint.limits import MAX_CONFIGURATION_FILE_BYTES, evaluation, too_many_digits
from reachlint.sensitive import mark
from reachlint.sources import Note

# Checks modules against a provider's schema; a note on what it could not check, or None.
Validator = Callable[[Iterable[ModuleConfig], Path], str | None]


class HclResources(Struct):
    resources: list[TfResource]
    # What was seen and not modelled, or cannot be known before apply, with file and line.
    notes: list[Note] = field(default_factory=list)
    # Every .tf file read, the root module's and its local modules'.
    files: list[Path] = field(default_factory=list)
    # What the configuration says of the versions of the providers asked about, by local name.
    requirements: dict[str, Requirement] = field(default_factory=dict)


def load_terraform_dir(
    path: Path,
    variables: dict[str, str] | None = None,
    var_files: list[Path] | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    validate: Validator | None = None,
    providers: Mapping[str, frozenset[str]] | None = None,
    versions_of: Mapping[str, str] | None = None,
) -> HclResources:
    """Load the configuration in `path` (a directory, or one of its .tf files).

    `variables` are --var NAME=VALUE pairs, `var_files` --var-file files; `environ` is where
    TF_VAR_ variables are read (the process environment by default). `validate` checks the
    modules as a provider's schema would (the dialect that knows the provider passes it): it
    raises on what the provider refuses, or returns a note on what it could not check.
    `providers` names the providers whose configurations are read, and what of each: each
    resource of one of them carries that part of the configuration it uses. `versions_of`
    names providers (local name: source) whose versions the configuration's requirements are
    read for.
    """
    directory = path.parent if path.is_file() else path
    shown_root = str(directory) if str(directory) not in ("", ".") else "."
    if not directory.is_dir():
        raise InputError("no such directory", str(path))
    boundary = input_root(directory)
    try:
        with evaluation():
            expander = _load(
                directory,
                shown_root,
                variables or {},
                var_files or [],
                environ,
                boundary,
                providers,
            )
            if validate is not None:
                unchecked = validate(expander.configs.values(), directory)
                if unchecked is not None:
                    expander.note(unchecked, None, None)
            exported: dict[int, ProviderConfig] = {}
            resources = [to_resource(record, exported) for record in expander.records]
            settings = [found for config in expander.configs.values() for found in config.settings]
            requirements = {
                name: requirement(settings, directory, source, name)
                for name, source in (versions_of or {}).items()
            }
    except RecursionError:
        raise InputError(
            "the configuration's expressions are nested too deeply to read", shown_root
        ) from None
    files = [
        Path(os.path.normpath(directory / file.origin))
        for module in expander.configs.values()
        for file in module.files
    ]
    return HclResources(
        resources=resources, notes=expander.notes, files=files, requirements=requirements
    )


def _load(
    directory: Path,
    shown_root: str,
    variables: dict[str, str],
    var_files: list[Path],
    environ: Mapping[str, str] | None,
    boundary: Path,
    providers: Mapping[str, frozenset[str]] | None,
) -> Expander:
    config = read_module(directory, directory, shown_root, boundary)
    if not config.files:
        raise InputError(
            "is a directory without .tf files; expected a Terraform configuration", shown_root
        )
    manifest = _module_manifest(directory, boundary)
    expander = Expander(directory, shown_root, {}, manifest, boundary, providers)
    expander.root_values = _root_variable_values(
        config.variables,
        directory,
        variables,
        var_files,
        os.environ if environ is None else environ,
        expander,
        boundary,
    )
    expander.run(config)
    return expander


def _root_variable_values(
    decls: Mapping[str, VariableDecl],
    directory: Path,
    variables: dict[str, str],
    var_files: list[Path],
    environ: Mapping[str, str],
    expander: Expander,
    boundary: Path,
) -> dict[str, Value]:
    values: dict[str, Value] = {}
    for key, raw in sorted(environ.items()):
        name = key[len("TF_VAR_") :]
        if key.startswith("TF_VAR_") and name in decls:
            # CI keeps its secrets here: sensitive, whatever the configuration declares.
            what = f"environment variable {key}"
            values[name] = mark(_parse_raw(raw, decls[name], what, sensitive=True))
    # Found by name, so read only inside the input's root: a link to a credentials file or a
    # FIFO named terraform.tfvars is refused, not read or waited on.
    automatic = sorted(
        child
        for child in directory.iterdir()
        if child.name.endswith((".auto.tfvars", ".auto.tfvars.json")) and not child.is_dir()
    )
    files = [directory / "terraform.tfvars", directory / "terraform.tfvars.json", *automatic]
    for file in files:
        if os.path.lexists(file):
            values.update(_read_var_file(file, str(file), decls, expander, boundary))
    for file in var_files:
        if not file.is_file():
            raise InputError("no such variables file", str(file))
        values.update(_read_var_file(file, str(file), decls, expander))
    for name, raw in variables.items():
        if name not in decls:
            raise InputError(
                f'--var {name}: the configuration declares no variable "{name}"', str(directory)
            )
        decl = decls[name]
        values[name] = _parse_raw(raw, decl, f"--var {name}", sensitive=decl.sensitive)
    return values


def _parse_raw(raw: str, decl: VariableDecl, what: str, sensitive: bool = False) -> Value:
    """A value given as text (--var, TF_VAR_): literal for simple types, HCL for the rest.
    A sensitive value that does not parse is refused without quoting it."""
    if not decl.type.is_complex:
        return raw
    try:
        expr = parse_expression(raw, what)
        return evaluate_constant(expr)
    except (InputError, EvalError) as err:
        if sensitive:
            raise InputError(
                f'{what} is not a valid value for variable "{decl.name}" (its text is not '
                "shown: it is sensitive)"
            ) from None
        if isinstance(err, InputError):
            raise
        raise InputError(f"{what}: {err.message}") from None


def _read_var_file(
    path: Path,
    shown: str,
    decls: Mapping[str, VariableDecl],
    expander: Expander,
    boundary: Path | None = None,
) -> dict[str, Value]:
    text = read_text(path, shown, boundary)
    values: dict[str, Value] = {}
    lines: dict[str, int | None] = {}
    if path.name.endswith(".json"):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as err:
            raise InputError(
                f"broken JSON at line {err.lineno} column {err.colno}: {err.msg}", shown, err.lineno
            ) from None
        except ValueError as error:
            raise too_many_digits(error, text, shown) or error from None
        if not isinstance(document, dict):
            raise InputError("must hold a JSON object of variable values", shown)
        for name, value in document.items():
            values[name] = _from_json(value)
            lines[name] = None
    else:
        body = parse_file(text, shown)
        for block in body.blocks:
            raise InputError(
                f'a variables file holds only NAME = VALUE lines, not a "{block.type}" block',
                shown,
                block.line,
            )
        for name, attribute in body.attributes.items():
            try:
                values[name] = evaluate_constant(attribute.expr)
            except EvalError as err:
                raise InputError(
                    f"{name}: {err.message}", shown, err.line or attribute.line
                ) from None
            lines[name] = attribute.line
    for name in list(values):
        if name not in decls:
            expander.note(
                f'{shown} sets "{name}", which the configuration does not declare; it is ignored',
                None,
                lines[name],
            )
            del values[name]
    return values


def _from_json(value: Value) -> Value:
    if isinstance(value, dict):
        return dict(sorted((key, _from_json(item)) for key, item in value.items()))
    if isinstance(value, list):
        return [_from_json(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _module_manifest(directory: Path, boundary: Path) -> dict[str, Path]:
    """Module call path -> directory, for modules `terraform init` has downloaded."""
    manifest = directory / ".terraform" / "modules" / "modules.json"
    if not os.path.lexists(manifest):
        return {}
    raw = read_confined(
        manifest, boundary, max_bytes=MAX_CONFIGURATION_FILE_BYTES, what="module manifest"
    )
    try:
        document = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        return {}
    found: dict[str, Path] = {}
    modules = document.get("Modules") if isinstance(document, dict) else None
    for entry in modules if isinstance(modules, list) else []:
        if isinstance(entry, dict):
            key, location = entry.get("Key"), entry.get("Dir")
            if isinstance(key, str) and key and isinstance(location, str):
                found[key] = directory / location
    return found
