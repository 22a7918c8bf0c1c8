"""The pre-commit hooks' entry: `python -m reachlint.precommit KIND [CHECK OPTIONS] FILES...`.

pre-commit passes the hook's arguments and then the changed files. KIND says what the files
are: `terraform` checks the directories of the changed .tf files (each directory is one
configuration), `plan` the changed Terraform plans, `template` the changed ARM templates and
Bicep files. JSON files that are not of the kind (package.json, ARM parameter files) are
skipped. Each input is checked on its own; the exit status is the worst of them.
"""

from __future__ import annotations

import sys
from pathlib import Path

KINDS = ("terraform", "plan", "template")
USAGE = f"usage: python -m reachlint.precommit {{{'|'.join(KINDS)}}} [CHECK OPTIONS] FILES..."


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if not arguments or arguments[0] not in KINDS:
        print(USAGE, file=sys.stderr)
        return 2
    kind, rest = arguments[0], arguments[1:]
    options, files = split_arguments(rest)
    status = 0
    for target in targets(kind, [Path(file) for file in files]):
        status = max(status, _check(target, options))
    return status


def split_arguments(arguments: list[str]) -> tuple[list[str], list[str]]:
    """`check` options (with their values) apart from the file names pre-commit appends."""
    takes_value = _options_with_values()
    options: list[str] = []
    files: list[str] = []
    position = 0
    while position < len(arguments):
        argument = arguments[position]
        if argument.startswith("-") and argument != "-":
            options.append(argument)
            if argument in takes_value and position + 1 < len(arguments):
                position += 1
                options.append(arguments[position])
        else:
            files.append(argument)
        position += 1
    return options, files


def _options_with_values() -> set[str]:
    """The `check` options that take a value, from the command itself, so none is missed."""
    import typer

    from reachlint.cli import app

    group = typer.main.get_command(app)
    command = getattr(group, "commands", {}).get("check", group)
    names: set[str] = set()
    for parameter in command.params:
        if parameter.param_type_name == "option" and not getattr(parameter, "is_flag", False):
            names.update(parameter.opts)
    return names


def targets(kind: str, files: list[Path]) -> list[Path]:
    """What to check for the changed files, each once, in a stable order."""
    if kind == "terraform":
        directories = {file.parent for file in files if file.parent.is_dir()}
        return sorted(directories, key=str)
    wanted = "terraform-plan" if kind == "plan" else "arm"
    chosen = []
    for file in sorted(set(files), key=str):
        if not file.is_file():
            continue
        if (kind == "template" and file.suffix == ".bicep") or _is_kind(file, wanted):
            chosen.append(file)
    return chosen


def _is_kind(file: Path, wanted: str) -> bool:
    from reachlint.errors import InputError
    from reachlint.loaders.detect import inspect_input

    try:
        return inspect_input(file).kind == wanted
    except InputError:
        return False


def _check(target: Path, options: list[str]) -> int:
    from reachlint.cli import app

    try:
        app(args=["check", str(target), *options], prog_name="reachlint")
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
