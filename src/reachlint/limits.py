"""How much work one input may make reachlint do.

reachlint runs on pull requests whose author may be hostile: a few lines of Terraform or ARM can
ask for a hundred million instances, a string of a gigabyte or an expression nested a thousand
deep. Each bound below stops such an input within seconds and bounded memory, and sits far
above what real configurations use (SECURITY.md lists each with the largest value seen in a
corpus of public inputs). Passing one is an input error (exit 2) that names the file and line,
the bound and its value.

The checks sit where the work is done: the loop that makes instances, the function that builds
a string, the parser that descends into a nested expression. Only the clock and the total
volume are watched from one place, `WORK`, which every evaluation step reports to.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from reachlint.errors import InputError

MIB: Final = 1024 * 1024

# --- Files, each a regular file (links followed) of at most: ---
# A Terraform plan in JSON, or any JSON input before its kind is known. The benchmark's plan of
# 100,000 resources has 187 MB; reading a plan takes about ten times its size in memory.
MAX_PLAN_BYTES: Final = 512 * MIB
# An ARM template or parameters file: four times the 4 MB that Azure accepts for either.
MAX_TEMPLATE_BYTES: Final = 16 * MIB
# One .tf, .tfvars or .tfvars.json file, or .terraform/modules/modules.json.
MAX_CONFIGURATION_FILE_BYTES: Final = 16 * MIB
# A rules or groups file (YAML), and a baseline file (JSON).
MAX_RULES_FILE_BYTES: Final = 4 * MIB
MAX_BASELINE_BYTES: Final = 64 * MIB

# --- Structure of documents ---
# YAML (rules, groups): nesting, and values once aliases are expanded (a "billion laughs").
MAX_YAML_DEPTH: Final = 64
MAX_YAML_NODES: Final = 100_000
# JSON read with positions (ARM templates and parameters files): nesting.
MAX_JSON_DEPTH: Final = 256
# Expressions as written (the HCL and ARM parsers): nesting of brackets, calls, templates,
# blocks, and property accesses on one value.
MAX_EXPRESSION_DEPTH: Final = 256
# Evaluation: nesting of the expression being evaluated plus every reference followed from it
# (a local whose value uses another local ...).
MAX_EVALUATION_DEPTH: Final = 2_000

# A number written in an input: Python's own bound on the digits of an integer read from text
# (int_max_str_digits, there to keep reading one in linear time); no port, priority or count
# comes near it.
MAX_NUMBER_DIGITS: Final = 4_300

# --- Instances (Terraform count and for_each; ARM copy loops have ARM's own 800) ---
MAX_INSTANCES_PER_RESOURCE: Final = 10_000  # of one resource, data source or module call
MAX_RESOURCE_INSTANCES: Final = 100_000  # in one configuration or template, nested ones included
MAX_MODULE_DEPTH: Final = 40  # modules inside modules
MAX_MODULE_INSTANCES: Final = 10_000  # in one configuration

# --- CloudFormation: stacks read from one input, nested stacks (a template read again for each
# stack that deploys it) and a cloud assembly's stacks and nested assemblies together; their
# resources count against MAX_RESOURCE_INSTANCES. CloudFormation's own quota is 2,000 stacks per
# account and Region. ---
MAX_STACKS: Final = 2_000

# --- The analysis: pairs of endpoint classes judged, each class against every class of the
# networks it is connected to. Endpoints alike share a class; each security group of its own
# makes one, so a few lines can ask for a million pairs (about 30 s and 2 GB). The benchmark's
# plan of 100,000 resources asks for 548,176. ---
MAX_CLASS_PAIRS: Final = 1_000_000

# --- Values that evaluation makes ---
# A string: Azure refuses a template over 4 MB once expanded, so no deployable value is longer.
MAX_STRING_LENGTH: Final = 4 * MIB
MAX_COLLECTION_LENGTH: Final = 100_000  # elements of one list, set, tuple, map or object
MAX_FORMAT_WIDTH: Final = 1_000_000  # width or precision in a format; Go's fmt takes no more
# Everything one input's evaluation makes or keeps, in bytes as Python holds it (a character is
# a byte, a string or an element of a list or map about 64 more): many values, each within the
# bounds above, still fit in this much memory.
MAX_EVALUATION_BYTES: Final = 256 * MIB
MAX_EVALUATION_SECONDS: Final = 60.0  # evaluating one directory or template

_ELEMENT_BYTES = 64
_STRING_BYTES = 64


class LimitError(InputError):
    """An input that asks for more work than a bound allows."""

    def __init__(
        self,
        subject: str,
        limit: float,
        unit: str,
        file: str | None = None,
        line: int | None = None,
    ) -> None:
        shown = f"{limit:,}" if isinstance(limit, int) else f"{limit:g}"
        super().__init__(f"{subject}, more than reachlint's limit of {shown} {unit}", file, line)

    def located(self, file: str | None, line: int | None) -> LimitError:
        """This error with the file and line it happened at, where it has none yet."""
        if self.file is None:
            self.file = file
            self.line = self.line or line
        elif self.line is None and self.file == file:
            self.line = line
        self.args = (self.render(),)
        return self


# --- Files ---------------------------------------------------------------------------------------


def read_bounded(path: Path, max_bytes: int, what: str, shown: str | None = None) -> bytes:
    """The bytes of `path`, which must be a regular file (links followed) of at most
    `max_bytes`; an InputError naming it (as `shown`) otherwise. A named pipe is not waited on,
    a device not read from."""
    name = shown or str(path)
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise InputError(f"cannot read the {what}: {error.strerror or error}", name) from None
    try:
        _check_file(os.fstat(descriptor), max_bytes, what, name)
        with os.fdopen(descriptor, "rb", closefd=False) as stream:
            data = stream.read(max_bytes + 1)  # it may have grown since
    finally:
        os.close(descriptor)
    if len(data) > max_bytes:
        raise LimitError(f"the {what} has more than {max_bytes:,} bytes", max_bytes, "bytes", name)
    return data


def check_file(path: Path, max_bytes: int, what: str) -> None:
    """That `path` is a regular file (links followed) of at most `max_bytes`, before it is
    opened by something that would wait on a named pipe."""
    try:
        status = path.stat()
    except OSError as error:
        raise InputError(f"cannot read the {what}: {error.strerror or error}", str(path)) from None
    _check_file(status, max_bytes, what, str(path))


def _check_file(status: os.stat_result, max_bytes: int, what: str, name: str) -> None:
    if not stat.S_ISREG(status.st_mode):
        kind = _file_kind(status.st_mode)
        raise InputError(f"is not a regular file ({kind}); expected a {what}", name)
    if status.st_size > max_bytes:
        raise LimitError(f"the {what} has {status.st_size:,} bytes", max_bytes, "bytes", name)


def _file_kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


# --- Evaluation ----------------------------------------------------------------------------------


class Work:
    """What the evaluation under way has used: nesting depth, time and bytes.

    Outside `evaluation()` no clock runs and no bytes are counted (tests evaluate single
    expressions); depth always counts.
    """

    __slots__ = ("bytes_left", "deadline", "depth", "ticks")

    def __init__(self) -> None:
        self.depth = 0
        self.ticks = 0
        self.deadline = float("inf")
        self.bytes_left = float("inf")

    def tick(self) -> None:
        """One step of evaluation; every thousandth looks at the clock."""
        self.ticks += 1
        if not self.ticks & 1023 and time.monotonic() > self.deadline:
            self.deadline = float("inf")  # said once, while the error unwinds
            raise LimitError(
                "the evaluation takes too long", MAX_EVALUATION_SECONDS, "seconds per input"
            )

    def charge_text(self, length: int) -> None:
        """A string of `length` characters made or kept."""
        self._spend(length + _STRING_BYTES)

    def charge_items(self, count: int) -> None:
        """A collection of `count` elements made, kept or walked."""
        self._spend(count * _ELEMENT_BYTES)

    def charge_value(self, value: object) -> None:
        """A value just made (its own size, not that of values it holds)."""
        if isinstance(value, str):
            self._spend(len(value) + _STRING_BYTES)
        elif isinstance(value, list | dict):
            self._spend(len(value) * _ELEMENT_BYTES)

    def _spend(self, size: int) -> None:
        self.bytes_left -= size
        if self.bytes_left < 0:
            self.bytes_left = float("inf")
            raise LimitError(
                "the evaluation makes too many values", MAX_EVALUATION_BYTES, "bytes per input"
            )


WORK = Work()


# Evaluating a long chain of locals or variables recurses through the evaluator: Python's
# default limit is below what MAX_EVALUATION_DEPTH allows; anything deeper is reported.
_RECURSION_LIMIT = 12_000


@contextmanager
def evaluation() -> Iterator[Work]:
    """Bound the evaluation of one input (a directory or a template) in time and bytes, with
    room to recurse as deep as its bounds allow."""
    saved = (WORK.deadline, WORK.bytes_left)
    previous_limit = sys.getrecursionlimit()
    WORK.deadline = time.monotonic() + MAX_EVALUATION_SECONDS
    WORK.bytes_left = MAX_EVALUATION_BYTES
    sys.setrecursionlimit(max(previous_limit, _RECURSION_LIMIT))
    try:
        yield WORK
    finally:
        WORK.deadline, WORK.bytes_left = saved
        sys.setrecursionlimit(previous_limit)


def too_deep(line: int | None = None) -> LimitError:
    return LimitError(
        "the expression is nested too deeply",
        MAX_EVALUATION_DEPTH,
        "levels of evaluation",
        line=line,
    )


def check_string(length: int, what: str) -> None:
    """Before making a string of `length` characters."""
    if length > MAX_STRING_LENGTH:
        raise LimitError(
            f"{what} makes a string of {length:,} characters", MAX_STRING_LENGTH, "characters"
        )


def check_collection(length: int, what: str) -> None:
    """Before making a collection of `length` elements."""
    if length > MAX_COLLECTION_LENGTH:
        raise LimitError(
            f"{what} makes a collection of {length:,} elements",
            MAX_COLLECTION_LENGTH,
            "elements",
        )


def check_width(width: int, what: str) -> None:
    """Before padding to `width` characters or writing `width` digits."""
    if width > MAX_FORMAT_WIDTH:
        raise LimitError(f"{what} asks for a width of {width:,}", MAX_FORMAT_WIDTH, "characters")


def encoded_length(value: object, limit: int) -> int:
    """About the length of `value` as JSON, counted until it passes `limit`: a value that holds
    one list many times is small in memory and may be huge as text."""
    length = 0
    pending = [value]
    while pending and length <= limit:
        item = pending.pop()
        WORK.tick()
        if isinstance(item, str):
            length += len(item) + 2
        elif isinstance(item, dict):
            length += 2 + sum(len(str(key)) + 4 for key in item)
            pending.extend(item.values())
        elif isinstance(item, list):
            length += 2 + len(item)
            pending.extend(item)
        else:
            length += 5
    return length


def check_digits(literal: str, file: str | None = None, line: int | None = None) -> None:
    """Before reading `literal` as an integer."""
    digits = len(literal) - literal.startswith(("+", "-"))
    if digits > MAX_NUMBER_DIGITS:
        raise LimitError(f"a number of {digits:,} digits", MAX_NUMBER_DIGITS, "digits", file, line)


def is_too_many_digits(error: BaseException) -> bool:
    """Whether `error` is Python refusing to read a number longer than MAX_NUMBER_DIGITS."""
    return isinstance(error, ValueError) and "integer string conversion" in str(error)


def too_many_digits(error: ValueError, text: str, file: str) -> LimitError | None:
    """A parser's `error` as the input error it is when it read a number longer than Python
    reads as an integer, at the number's line; None when it had another cause."""
    if not is_too_many_digits(error):
        return None
    found = re.search(rf"[0-9]{{{MAX_NUMBER_DIGITS + 1},}}", text)  # only on this rare path
    if found is None:  # written with separators ("1_000..."): no line to name
        return LimitError("a number of too many digits", MAX_NUMBER_DIGITS, "digits", file)
    line = text.count("\n", 0, found.start()) + 1
    digits = found.end() - found.start()
    return LimitError(f"a number of {digits:,} digits", MAX_NUMBER_DIGITS, "digits", file, line)
