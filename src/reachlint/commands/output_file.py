"""Writing a report or a baseline without following a symbolic link the input planted.

A pull request can commit a symbolic link where a report will be written (`reachlint.sarif ->
~/.bashrc`) or in place of a directory on the way to it (`reports -> ../.github`). So:

- the file is written to a temporary file beside the target, then renamed over it: a link at
  the target is replaced by the report, the file it pointed to is left alone, and a reader never
  sees half a report;
- a directory on the way that is a symbolic link is refused (exit 2) when it lies inside the
  working directory, where the checked-out input is; links above it (`/tmp` on macOS, the
  runner's folders) are the machine's, not the input's;
- a target that is not a regular file and not a link (`/dev/null`, a named pipe) and the
  streams named on the command line (`/dev/stdout`, `/dev/stderr`) are written to directly.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from reachlint.errors import InputError

STREAMS = frozenset({"/dev/stdout", "/dev/stderr", "/dev/null"})


def write_file(path: Path, text: str | Iterable[str], what: str = "report") -> None:
    """Write `text` (UTF-8), whole or in pieces, to `path` as described above; InputError says
    why it could not."""
    pieces = [text] if isinstance(text, str) else text
    try:
        if str(path) in STREAMS or _is_special(path):
            with contextlib.suppress(BrokenPipeError), path.open("w", encoding="utf-8") as stream:
                for piece in pieces:  # a reader that goes away (`| head`) ends it quietly
                    stream.write(piece)
            return
        _refuse_linked_directories(path, what)
        _replace(path, pieces)
    except OSError as error:
        reason = error.strerror or str(error)
        raise InputError(f"cannot write the {what}: {reason}", file=str(path)) from None


def _is_special(path: Path) -> bool:
    try:
        mode = path.lstat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISLNK(mode) or stat.S_ISDIR(mode))


def _refuse_linked_directories(path: Path, what: str) -> None:
    working = os.getcwd()
    current = Path(path.anchor) if path.is_absolute() else Path(working)
    for part in path.parent.parts[1 if path.is_absolute() else 0 :]:
        current = current / part
        if part in (".", "..") or not current.is_symlink():
            continue
        if _inside(os.path.abspath(current), working):
            raise InputError(
                f"{current} is a symbolic link; reachlint does not write a {what} through a link "
                "inside the working directory",
                file=str(path),
            )


def _inside(candidate: str, folder: str) -> bool:
    try:
        return os.path.commonpath([candidate, folder]) == folder
    except ValueError:  # another drive on Windows
        return False


# A large report is encoded a piece at a time, never held twice (as text and as UTF-8).
_PIECE = 1 << 20


def _replace(path: Path, pieces: Iterable[str]) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name[:50]}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            for text in pieces:  # a large piece a megabyte at a time, not encoded whole
                for start in range(0, len(text), _PIECE):
                    stream.write(text[start : start + _PIECE])
        os.chmod(temporary, 0o666 & ~_umask())  # as a new file would be, not mkstemp's 0600
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
