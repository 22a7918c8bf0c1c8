"""Errors about the user's input: one sentence naming file and line, exit code 2."""

from __future__ import annotations


class InputError(Exception):
    """Bad input or command line. `str()` is the sentence shown to the user."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None) -> None:
        self.message = message
        self.file = file
        self.line = line
        super().__init__(self.render())

    def render(self) -> str:
        where = ""
        if self.file and self.line:
            where = f"{self.file}:{self.line}: "
        elif self.file:
            where = f"{self.file}: "
        return f"{where}{self.message}"
