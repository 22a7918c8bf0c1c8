"""A command line reachlint cannot parse, said as reachlint says its other errors: one sentence
after "reachlint: error:", the option or argument first, then where the help is."""

from __future__ import annotations

import re
from typing import Any

# The argument parser's own words for a value outside a fixed set (an Enum option).
_NOT_ONE_OF = re.compile(r"(?P<value>.*) is not one of (?P<choices>'.*')\.?", re.DOTALL)
# Option and argument names the parser quotes: --fail-on, PATH.
_QUOTED_NAME = re.compile(r"'(-{1,2}[A-Za-z0-9][\w-]*|[A-Z][A-Z0-9_]*)'")


def usage_error_text(error: Any, command_path: str = "reachlint") -> str:
    """`error`: the argument parser's usage error (typer's click exception); `command_path`:
    the command the arguments name, for errors that do not know it."""
    param = getattr(error, "param", None)
    message = str(getattr(error, "message", "") or "")
    if param is not None and message and type(error).__name__ == "BadParameter":
        text = f"{_name(param)}: {_value_problem(message)}"
    else:
        text = _sentence(error.format_message())
    context = getattr(error, "ctx", None)
    command = getattr(context, "command_path", None) or command_path
    return f"reachlint: error: {text} (see {command} --help)"


def _name(param: Any) -> str:
    """--fail-on for an option, PATH for an argument."""
    if getattr(param, "param_type_name", "") == "option" and param.opts:
        return str(max(param.opts, key=len))
    return str(param.get_error_hint()).split(" / ")[0].strip("'")


def _value_problem(message: str) -> str:
    # pydantic's validation prefix says nothing to a user of the command line.
    message = message.removeprefix("Value error, ").strip()
    choice = _NOT_ONE_OF.fullmatch(message)
    if choice is not None:
        names = [name.strip().strip("'") for name in choice["choices"].split(",")]
        listed = ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]
        return f"{choice['value']} is not one of {listed}"
    return _sentence(message)


def _sentence(text: str) -> str:
    """The parser's message as part of one sentence: lower case, unquoted names, no stop."""
    text = _QUOTED_NAME.sub(r"\1", " ".join(text.split())).rstrip(".")
    text = text.replace("(Possible options:", "(possible options:")
    return text[:1].lower() + text[1:]


def command_path(root: Any, args: list[str]) -> str:
    """'reachlint rules show': the commands the leading arguments name, under `root` (a
    command group)."""
    path, group = ["reachlint"], root
    for arg in args:
        commands = getattr(group, "commands", None)
        if not isinstance(commands, dict) or arg not in commands:
            break
        path.append(arg)
        group = commands[arg]
    return " ".join(path)
