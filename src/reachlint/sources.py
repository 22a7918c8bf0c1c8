"""Where a value comes from: the file and line it was written on, what a value known only after
deployment rests on, and the notes a reader makes on what it could not model or know. Every
layer names these, from the readers of input files up to the reports, so they sit below all of
them."""

from __future__ import annotations

from typing import Any, Literal

from msgspec import Struct, field


class Origin(Struct, kw_only=True):
    """Where an element was written: the file a reviewer edits and the line in it."""

    file: str | None = None
    line: int | None = None


class UnknownValue(Struct, kw_only=True, frozen=True):
    """A value not known before deployment: a variable or parameter without a value, a data
    source, an attribute known only after apply. As an address range it is a set of addresses
    the engine reasons about without knowing them."""

    # What it rests on, as the input names it: var.admin_range, data.aws_ip_ranges.office,
    # aws_instance.bastion.private_ip, parameters('subnetPrefix').
    sources: tuple[str, ...]
    # The one value it is exactly, when it is no more than that value: two ranges that are
    # exactly the same value are the same addresses, whatever they turn out to be.
    exactly: str | None = None
    version: Literal[4, 6] | None = None  # the address family, when the attribute fixes it


def not_known(path: str, ranges: list[UnknownValue]) -> str:
    """The note on a value that is not known, naming what it rests on."""
    rests_on = ", ".join(dict.fromkeys(source for r in ranges for source in r.sources))
    return f"{path} is not known (it rests on {rests_on})" if rests_on else f"{path} is not known"


class Note(Struct, kw_only=True):
    """Something the loader saw and did not model, or could not know."""

    address: str | None = None
    message: str
    origin: Origin = field(default_factory=Origin)


class _Unknown:
    """A value known only at deployment (after apply), or not given: every reader's one marker."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN: Any = _Unknown()
