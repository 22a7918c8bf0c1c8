"""CloudFormation (templates, SAM, CDK's cloud assemblies) translated for the AWS provider."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reachlint.model.network import NetworkModel


def load_cloudformation(
    path: Path, parameters: Path | None, variables: dict[str, str]
) -> NetworkModel:
    """The network the template (or every stack of the cloud assembly) at `path` deploys."""
    from reachlint.dialects.cloudformation.attributes import Attributes
    from reachlint.dialects.cloudformation.parameters import read_parameters_file
    from reachlint.dialects.cloudformation.reading import Inventory
    from reachlint.dialects.cloudformation.stacks import StackOptions, read_stacks
    from reachlint.limits import LimitError, evaluation
    from reachlint.model.network import NetworkModel
    from reachlint.providers.aws.build import build

    values: dict[str, object] = read_parameters_file(parameters) if parameters else {}
    values.update(variables)
    model = NetworkModel(inputs=[str(path)])
    try:
        # Bounded in time as ARM's and Terraform's evaluation are (values are evaluated as
        # the model is built, too).
        with evaluation():
            stacks = read_stacks(path, StackOptions(values, Attributes()))
            inventory = Inventory(stacks)
            build(inventory, model)
    except LimitError as error:
        raise error.located(str(path), None) from None
    model.labels.update(inventory.labels())
    for stack in stacks:
        for address, message, origin in stack.notes:
            model.note(message, address, origin)
    for address, message, origin in inventory.notes:
        model.note(message, address, origin)
    return model
