"""From PATHs to one network model: each input detected by its content, then read by its format
and translated by its dialect into the model.

Each phase's wall time is added to an optional `timings` dict (reachlint.timing).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec import Struct, field
from msgspec.structs import replace

from reachlint.errors import InputError
from reachlint.timing import Timings, phase

if TYPE_CHECKING:
    from reachlint.model.network import NetworkModel
    from reachlint.sources import Origin


class LoadOptions(Struct, frozen=True):
    """How to read inputs: Terraform variables, the configuration beside a plan, ARM parameters."""

    variables: dict[str, str] = field(default_factory=dict)  # --var NAME=VALUE
    var_files: tuple[Path, ...] = ()  # --var-file
    config_dir: Path | None = None  # the .tf files a plan was made from (default: beside it)
    parameters: Path | None = None  # an ARM or CloudFormation parameters file


class InputsSeen(Struct):
    """What building the model learnt about each input, for steps that read the inputs again
    (checkov): its kind, and for a plan the file and line of each resource's configuration."""

    kinds: dict[Path, str] = field(default_factory=dict)
    origins: dict[Path, dict[str, Origin]] = field(default_factory=dict)


def build_model(
    paths: list[Path],
    timings: Timings | None = None,
    options: LoadOptions | None = None,
    seen: InputsSeen | None = None,
) -> NetworkModel:
    """One network model from every PATH, each detected by its content; `seen` is told what
    each input is."""
    from reachlint.inputs.detect import inspect_input
    from reachlint.model.redact import redact_model
    from reachlint.sensitive import environment_secrets

    if not paths:
        raise InputError(
            "no input given; expected a Terraform plan or directory, an ARM template, a "
            "CloudFormation template or a cloud assembly (cdk.out)"
        )
    options = options or LoadOptions()
    models = []
    for path in paths:
        with phase(timings, "load"):
            detected = inspect_input(path)
        if seen is not None:
            seen.kinds[path] = detected.kind
        try:
            if detected.kind == "terraform-plan":
                models.append(_plan_model(path, detected.document, options, timings, seen))
            elif detected.kind == "terraform-dir":
                models.append(_directory_model(path, options, timings))
            elif detected.kind in ("cloudformation", "cloud-assembly"):
                models.append(_cloudformation_model(path, options, timings))
            else:
                models.append(
                    _template_model(path, detected.kind, detected.document, options, timings)
                )
        except RecursionError:
            # Values nested just below what the parsers accept, walked once more.
            raise InputError("is nested too deeply to read", str(path)) from None
    merged, *others = models
    with phase(timings, "model"):
        for model in others:
            merged.merge(model)
    redact_model(merged, {}, environment_secrets(os.environ))
    _name_counterparts(merged)
    return merged


def _plan_model(
    path: Path,
    document: object,
    options: LoadOptions,
    timings: Timings | None,
    seen: InputsSeen | None = None,
) -> NetworkModel:
    from reachlint.dialects.terraform.model import (
        PROVIDERS_CONFIGURED,
        attach_configuration,
        model_from_resources,
    )
    from reachlint.formats.terraform.plan import load_plan_resources, plan_variable_secrets
    from reachlint.model.redact import redact_model
    from reachlint.sources import Origin

    with phase(timings, "load"):
        plan = load_plan_resources(
            path, document if isinstance(document, dict) else None, PROVIDERS_CONFIGURED
        )
        config_notes: list[str] = []
        directory = options.config_dir or _configuration_beside(path)
        if directory is not None:
            config_notes = attach_configuration(
                plan.resources, directory, _plan_variables(document, options), options.var_files
            )
        if seen is not None:
            seen.origins[path] = {resource.address: resource.origin for resource in plan.resources}
    with phase(timings, "model"):
        model = model_from_resources(plan.resources, plan.ids, str(path))
        for message in [*plan.notes, *config_notes]:
            model.note(message, origin=Origin(file=str(path)))
        redact_model(model, {}, plan_variable_secrets(document))
    return model


def _configuration_beside(plan: Path) -> Path | None:
    """The directory a plan was made from, when the plan sits among its .tf files."""
    directory = plan.parent
    return directory if any(directory.glob("*.tf")) else None


def _plan_variables(document: object, options: LoadOptions) -> dict[str, str]:
    """The plan's own variable values (as --var text), then the command line's."""
    import json

    values: dict[str, str] = {}
    variables = document.get("variables") if isinstance(document, dict) else None
    if isinstance(variables, dict):
        for name, entry in variables.items():
            if isinstance(entry, dict) and "value" in entry:
                value = entry["value"]
                values[name] = value if isinstance(value, str) else json.dumps(value)
    values.update(options.variables)
    return values


def _directory_model(path: Path, options: LoadOptions, timings: Timings | None) -> NetworkModel:
    from reachlint.dialects.terraform.model import (
        PROVIDERS_CONFIGURED,
        PROVIDERS_VERSIONED,
        model_from_resources,
        rebase_origins,
        shown_path,
    )
    from reachlint.dialects.terraform.schema import check_configuration
    from reachlint.formats.terraform.directory import load_terraform_dir

    with phase(timings, "load"):
        # Terraform refuses blocks and arguments its provider does not declare.
        loaded = load_terraform_dir(
            path,
            dict(options.variables),
            list(options.var_files),
            validate=check_configuration,
            providers=PROVIDERS_CONFIGURED,
            versions_of=PROVIDERS_VERSIONED,
        )
        directory = path.parent if path.is_file() else path
        rebase_origins(loaded.resources, directory)
    with phase(timings, "model"):
        model = model_from_resources(loaded.resources, {}, str(path), loaded.requirements)
        for note in loaded.notes:
            origin = note.origin
            if origin.file is not None:
                origin = replace(origin, file=shown_path(directory / origin.file))
            model.note(note.message, note.address, origin)
    return model


def _template_model(
    path: Path, kind: str, document: object, options: LoadOptions, timings: Timings | None
) -> NetworkModel:
    if kind == "bicep":
        raise InputError(
            "reachlint reads Bicep through its compiled JSON; run `bicep build` (or "
            "`az bicep build`) and give reachlint the .json it writes",
            file=str(path),
        )
    from reachlint.dialects.arm import load_arm_template

    with phase(timings, "load"):
        # --var NAME=VALUE sets a template parameter (JSON values for arrays and objects).
        values = {name: _parameter_value(text) for name, text in options.variables.items()}
        return load_arm_template(path, options.parameters, document, parameter_values=values)


def _cloudformation_model(
    path: Path, options: LoadOptions, timings: Timings | None
) -> NetworkModel:
    from reachlint.dialects.cloudformation import load_cloudformation

    with phase(timings, "load"):
        # --var NAME=VALUE sets a template parameter, after the parameters file.
        return load_cloudformation(path, options.parameters, dict(options.variables))


def _parameter_value(text: str) -> object:
    import json

    try:
        return json.loads(text)
    except ValueError:
        return text


def _name_counterparts(model: NetworkModel) -> None:
    """AWS types with their counterparts in the other dialects, for selectors' `types`."""
    if not any(
        endpoint.type.startswith(("aws_", "AWS::")) for endpoint in model.endpoints.values()
    ):
        return
    from reachlint.inputs.types import Counterparts

    model.type_names = Counterparts()
