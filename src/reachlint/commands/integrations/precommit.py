"""The pre-commit hooks' entry:
`python -m reachlint.commands.integrations.precommit KIND [CHECK OPTIONS --] FILES...`.

pre-commit passes the hook's arguments and then the changed files. KIND says what the files
are: `terraform` checks the directories of the changed .tf files (each directory is one
configuration), `plan` the changed Terraform plans, `template` the changed ARM templates and
Bicep files, `cloudformation` the changed CloudFormation templates and the cloud assemblies
(cdk.out) whose files changed. Files that are not of the kind (package.json, parameter files)
are skipped. Each input is checked on its own; the exit status is the worst of them.

File names come from the repository, so from whoever wrote the commit: a file named
`--output=main.tf` is a file, never an option. `check`'s options therefore end with `--` in the
hook's `args`; without `--` every argument is a file, and one that starts with `-` and is no
file is a hook set up the old way, refused with exit 2 and how to fix it.
"""

from __future__ import annotations

import sys
from pathlib import Path

KINDS = ("terraform", "plan", "template", "cloudformation")
USAGE = (
    "usage: python -m reachlint.commands.integrations.precommit "
    f"{{{'|'.join(KINDS)}}} [CHECK OPTIONS --] FILES..."
)


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if not arguments or arguments[0] not in KINDS:
        print(USAGE, file=sys.stderr)
        return 2
    kind, rest = arguments[0], arguments[1:]
    options, files = split_arguments(rest)
    if "--" not in rest:
        stray = next(
            (name for name in files if name.startswith("-") and not Path(name).exists()), None
        )
        if stray is not None:
            from reachlint.safe_text import for_output, one_line

            message = (
                f"reachlint: error: {one_line(stray)} is not a file; end the hook's options with "
                "`--` in `args` (args: [--fail-on, high, --]), since changed files come after them"
            )
            print(for_output(message), file=sys.stderr)
            return 2
    status = 0
    for target in targets(kind, [Path(file) for file in files]):
        status = max(status, _check(target, options))
    return status


def split_arguments(arguments: list[str]) -> tuple[list[str], list[str]]:
    """`check` options (before the first `--`) apart from the file names pre-commit appends
    (after it; all of them when there is no `--`)."""
    if "--" not in arguments:
        return [], list(arguments)
    cut = arguments.index("--")
    return arguments[:cut], arguments[cut + 1 :]


def targets(kind: str, files: list[Path]) -> list[Path]:
    """What to check for the changed files, each once, in a stable order."""
    if kind == "terraform":
        directories = {file.parent for file in files if file.parent.is_dir()}
        return sorted(directories, key=str)
    if kind == "cloudformation":
        return _cloudformation_targets(files)
    wanted = "terraform-plan" if kind == "plan" else "arm"
    chosen = []
    for file in sorted(set(files), key=str):
        if not file.is_file():
            continue
        if (kind == "template" and file.suffix == ".bicep") or _is_kind(file, wanted):
            chosen.append(file)
    return chosen


def _cloudformation_targets(files: list[Path]) -> list[Path]:
    """Changed templates, and for a changed file inside a cloud assembly the assembly itself."""
    chosen: set[Path] = set()
    for file in files:
        if not file.is_file():
            continue
        assembly = next((d for d in file.parents if (d / "manifest.json").is_file()), None)
        if assembly is not None and file.name.endswith((".template.json", "manifest.json")):
            chosen.add(assembly)
        elif _is_kind(file, "cloudformation"):
            chosen.add(file)
    return sorted(chosen, key=str)


def _is_kind(file: Path, wanted: str) -> bool:
    from reachlint.errors import InputError
    from reachlint.inputs.detect import inspect_input

    try:
        return inspect_input(file).kind == wanted
    except InputError:
        return False


def _check(target: Path, options: list[str]) -> int:
    from reachlint.commands.cli import app

    try:
        # After `--` the target is a path whatever its name looks like.
        app(args=["check", *options, "--", str(target)], prog_name="reachlint")
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
