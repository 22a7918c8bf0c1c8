"""Sensitive values: used to evaluate the input, never shown in what reachlint writes.

A value is sensitive when Terraform would mark it so — a variable declared `sensitive = true`,
an output declared sensitive, an attribute a plan lists in `sensitive_values` — when ARM would
hide it (a `securestring` or `secureObject` parameter), and, beyond both, when it comes from a
TF_VAR_ environment variable, where CI keeps its secrets. Everything computed from a sensitive
value is sensitive too, through every operator and function, as Terraform's marks are.

The evaluators wrap such values in `Sensitive` while they compute; the loaders unwrap them
where the network model is built and remember their text. What the model shows as text (a
rule's description, an NSG rule's name, a note) and every report format then print
`(sensitive value)` where that text would be, as Terraform's plan output does.
"""

from __future__ import annotations

import copy
import ipaddress
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

from msgspec import Struct

R = TypeVar("R", bound=Struct)
M = TypeVar("M", bound=Struct)

SHOWN = "(sensitive value)"
# Shorter texts are hidden only where a whole field is one of them: as part of other text,
# "prod" or "22" would hide far more than the secret.
MIN_SCRUBBED = 8


class Sensitive:
    """A sensitive value; `value` is the value itself, evaluated like any other."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return SHOWN


def mark(value: Any) -> Any:
    """`value` marked sensitive (null stays null: it reveals nothing)."""
    if value is None or isinstance(value, Sensitive):
        return value
    return Sensitive(value)


def has_marks(value: Any) -> bool:
    """Whether `value` is sensitive or holds a sensitive value anywhere inside."""
    if isinstance(value, Sensitive):
        return True
    if not isinstance(value, dict | list | tuple):
        return False
    return _holds_marks(value, set())


def _holds_marks(value: Any, seen: set[int]) -> bool:
    # A value may hold one list many times (ARM `createArray` of a variable): each container
    # is looked into once, or a few lines of template would take hours.
    if isinstance(value, Sensitive):
        return True
    if isinstance(value, dict):
        items: Any = value.values()
    elif isinstance(value, list | tuple):
        items = value
    else:
        return False
    if id(value) in seen:
        return False
    seen.add(id(value))
    return any(_holds_marks(item, seen) for item in items)


def unmark(value: Any) -> Any:
    """`value` without any mark, at any depth; containers are copied (keeping their type and
    attributes) only when a mark is inside, each once however often the value holds it."""
    while isinstance(value, Sensitive):
        value = value.value
    if not has_marks(value):
        return value
    return _unmarked(value, {})


def _unmarked(value: Any, done: dict[int, Any]) -> Any:
    while isinstance(value, Sensitive):
        value = value.value
    if not isinstance(value, dict | list | tuple):
        return value
    found = done.get(id(value))
    if found is not None:
        return found
    if isinstance(value, tuple):
        done[id(value)] = made = tuple(_unmarked(item, done) for item in value)
        return made
    if isinstance(value, dict):
        done[id(value)] = mapping = copy.copy(value)
        for key, item in value.items():
            mapping[key] = _unmarked(item, done)
        return mapping
    done[id(value)] = items = copy.copy(value)
    items[:] = [_unmarked(item, done) for item in value]
    return items


def texts(value: Any) -> Iterator[str]:
    """The strings inside a value: what would show if it were written out (each container
    looked into once, however often the value holds it)."""
    yield from _strings(value, marked_only=False)


def marked_texts(value: Any) -> Iterator[str]:
    """The strings inside the marked parts of a value."""
    yield from _strings(value, marked_only=True)


def _strings(value: Any, marked_only: bool) -> Iterator[str]:
    pending: list[tuple[Any, bool]] = [(value, not marked_only)]
    seen: set[tuple[int, bool]] = set()
    while pending:
        item, shown = pending.pop()
        if isinstance(item, Sensitive):
            pending.append((item.value, True))
        elif isinstance(item, str):
            if item and shown:
                yield str(item)  # a plain string, not a subclass (ARM's placeholders)
        elif isinstance(item, dict | list | tuple) and (id(item), shown) not in seen:
            seen.add((id(item), shown))
            if isinstance(item, dict):
                # Keys are written out too; a marked part's keys are its own.
                pending.extend((key, shown) for key in item if shown)
                pending.extend((entry, shown) for entry in item.values())
            else:
                pending.extend((entry, shown) for entry in item)


def hide_quoted(message: str, values: Iterable[Any] = ()) -> str:
    """An error message about sensitive values, without them: each one's text and every
    quoted string (how values are described in messages) become `(sensitive value)`."""
    found = {text for value in values for text in texts(value) if len(text) >= 4}
    for text in sorted(found, key=len, reverse=True):
        message = message.replace(text, SHOWN)
    message = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', SHOWN, message)
    return re.sub(r"\b(the (?:number|bool)) \S+", r"\1 " + SHOWN, message)


class Scrubber:
    """Finds sensitive texts inside other text and puts `(sensitive value)` in their place.

    A text is replaced where it stands on its own, not inside a longer word (or, for an
    address, a longer address), so that a secret equal to a common word does not eat the
    words that contain it. Texts shorter than `minimum` are left alone, addresses excepted.
    """

    def __init__(self, secrets: Iterable[str], minimum: int = MIN_SCRUBBED) -> None:
        words: set[str] = set()
        addresses: set[str] = set()
        for secret in secrets:
            if _is_address(secret):
                addresses.add(secret)
            elif len(secret) >= minimum:
                words.add(secret)
                # As JSON writes it inside a string, escaping non-ASCII or not.
                words.add(json.dumps(secret)[1:-1])
                words.add(json.dumps(secret, ensure_ascii=False)[1:-1])
        self._patterns = [
            re.compile(before + _alternatives(found) + after)
            for found, before, after in (
                (words, r"(?<!\w)", r"(?!\w)"),
                (addresses, r"(?<![\w.:/])", r"(?![\w:/]|\.\w)"),
            )
            if found
        ]

    def __call__(self, text: str) -> str:
        for pattern in self._patterns:
            text = pattern.sub(SHOWN, text)
        return text


def _alternatives(texts: set[str]) -> str:
    return "(?:" + "|".join(re.escape(t) for t in sorted(texts, key=len, reverse=True)) + ")"


def _is_address(text: str) -> bool:
    """An IP address or CIDR: paths and graphs show those, so they are hidden however short."""
    try:
        ipaddress.ip_interface(text)
    except ValueError:
        return False
    return True


def shown_label(label: str, secrets: set[str]) -> str:
    """A group's label as matrices and graphs show it: a tag's sensitive value hidden."""
    key, equals, value = label.partition("=")
    return f"{key}={SHOWN}" if equals and value in secrets else label


def environment_secrets(environ: Mapping[str, str]) -> set[str]:
    """The values of TF_VAR_ environment variables: CI's secrets, whatever the input does."""
    return {value for key, value in environ.items() if key.startswith("TF_VAR_") and value}


def hidden(model: M, secrets: set[str]) -> M:
    """A copy of `model` (an answer, a report) with the `secrets` hidden in its fields."""
    if not secrets:
        return model
    shown = copy.deepcopy(model)
    _scrub_fields(shown, Scrubber(secrets))
    return shown


def render_hidden(report: R, secrets: set[str], render: Callable[[R], str]) -> str:
    """`render(report)` with the `secrets` hidden: in the report's fields first, so that each
    format escapes `(sensitive value)` rather than a secret, then in the text written."""
    shown = hidden(report, secrets)
    shown.sensitive = set()  # type: ignore[attr-defined]
    return Scrubber(secrets)(render(shown))


def _scrub_fields(model: Struct, scrub: Scrubber) -> None:
    for name in model.__struct_fields__:
        setattr(model, name, _scrubbed(getattr(model, name), scrub))


def _scrubbed(value: Any, scrub: Scrubber) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, Struct):
        _scrub_fields(value, scrub)
        return value
    if isinstance(value, list):
        return [_scrubbed(item, scrub) for item in value]
    if isinstance(value, dict):
        return {key: _scrubbed(item, scrub) for key, item in value.items()}
    return value
