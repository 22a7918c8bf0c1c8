"""Files an input leads reachlint to read stay inside the input's root.

An input names other files: variable files, module directories, the modules `terraform init`
downloaded, the parameters file beside a template, the configuration beside a plan, the files
suppressions are read from. Each is read only when it resolves, symbolic links followed, to a
regular file (or a directory) inside the input's root; anything else is refused with exit 2.
The root is the nearest directory at or above the input that holds `.git` (the repository's
root); without one, the current directory when the input lies inside it; else the input's own
directory. `--root DIR` on the command line names the root of the inputs inside DIR. Files named
on the command line (PATH, --var-file, --parameters, --rules, --config-dir) are the user's choice
and may be anywhere.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from reachlint.errors import InputError
from reachlint.limits import MAX_CONFIGURATION_FILE_BYTES, read_bounded


class ConfinementError(InputError):
    """A file the input leads to that reachlint refuses to read; never softened into a note."""


_OUTSIDE = (
    "leads outside {root}, the root of this input (a symbolic link or a path that climbs out); "
    "reachlint reads only files inside it (--root names a wider one)"
)


_REFUSED = "reachlint refuses to read it"


# The root the command line names (--root), for the command that runs.
_DECLARED_ROOT: ContextVar[Path | None] = ContextVar("declared_root", default=None)


@contextmanager
def declared_root(root: Path | None) -> Iterator[None]:
    """Inputs inside `root` have it as their root while the block runs (None: as found)."""
    token = _DECLARED_ROOT.set(Path(os.path.realpath(root)) if root is not None else None)
    try:
        yield
    finally:
        _DECLARED_ROOT.reset(token)


def input_root(path: Path) -> Path:
    """The root of the input `path` (a file or a directory), resolved."""
    # A file's own directory, not its link target's: a link must not choose its root.
    directory = Path(os.path.realpath(path if path.is_dir() else path.parent))
    declared = _DECLARED_ROOT.get()
    if declared is not None and directory.is_relative_to(declared):
        return declared
    return _root_of(directory, Path(os.path.realpath(Path.cwd())))


def _root_of(directory: Path, cwd: Path) -> Path:
    for candidate in (directory, *directory.parents):
        if (candidate / ".git").exists():
            return candidate
    if directory.is_relative_to(cwd):
        return cwd
    return directory


def not_a_file_name(text: str) -> str | None:
    """Why no file can have this name (a NUL character, a lone surrogate the file system's
    encoding cannot hold), or None."""
    if "\x00" in text:  # the operating system refuses it
        return "is not a file name: it holds a NUL character"
    try:
        os.fsencode(text)
    except UnicodeEncodeError:
        return "is not a file name: it holds a character no file name can hold"
    return None


def confined(path: Path, root: Path, *, directory: bool = False, shown: str | None = None) -> Path:
    """`path` resolved, when it is a regular file (or, with `directory`, a directory) inside
    `root`; otherwise InputError naming the file as `shown` (default: `path` as given)."""
    name = shown or str(path)
    problem = not_a_file_name(str(path))
    if problem is not None:
        raise ConfinementError(problem, name)
    resolved = Path(os.path.realpath(path))
    if not resolved.is_relative_to(root):
        raise ConfinementError(_OUTSIDE.format(root=root), name)
    try:
        mode = os.stat(resolved).st_mode
    except OSError as error:
        raise ConfinementError(f"cannot read it: {error.strerror or error}", name) from None
    wanted = stat.S_ISDIR(mode) if directory else stat.S_ISREG(mode)
    if not wanted:
        expected = "a directory" if directory else "a regular file"
        raise ConfinementError(f"is {_kind(mode)}, not {expected}; {_REFUSED}", name)
    return resolved


def read_confined(
    path: Path,
    root: Path,
    shown: str | None = None,
    *,
    max_bytes: int = MAX_CONFIGURATION_FILE_BYTES,
    what: str = "file",
) -> bytes:
    """The bytes of `path`, checked by `confined` and read within `max_bytes` (opened without
    blocking, so that a FIFO put in its place after the check is refused, not waited on)."""
    name = shown or str(path)
    return read_bounded(confined(path, root, shown=name), max_bytes, what, name)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a regular file"
