"""Terraform plans (`terraform show -json`) as `TfResource` records.

A plan says what each resource will look like after apply, but in a new plan the ids that
connect resources are "known after apply". What connects them is the configuration section:
each attribute's expression lists the objects it refers to (`aws_vpc.main.id`, `var.vpc_id`,
`module.sg.id`). The reader (plan_reader) follows those references through module inputs and
outputs to the resource instances they end at, aligning `count.index` and `each.key` with the
referencing instance, and falls back to known ids and ARNs where a resource already exists.

The same reader accepts the output of `terraform show -json` on a state (existing resources).
"""

from __future__ import annotations

import codecs
import gc
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from msgspec import UNSET, Raw, Struct, UnsetType, field

from reachlint.errors import InputError
from reachlint.formats.terraform.plan_reader import PlanReader
from reachlint.formats.terraform.plan_values import (
    ResourceChange,
    as_dict,
    as_list,
    module_resources,
    value_modules,
)
from reachlint.formats.terraform.records import TfResource
from reachlint.limits import MAX_PLAN_BYTES, read_bounded, too_many_digits
from reachlint.sensitive import texts

SHOW_COMMAND = "`terraform show -json PLANFILE`"


class PlanResources(Struct):
    resources: list[TfResource]
    terraform_version: str | None
    format_version: str
    # Things seen in the plan and not understood, one sentence each.
    notes: list[str] = field(default_factory=list)
    # Known id or ARN -> address of the resource that carries it.
    ids: dict[str, str] = field(default_factory=dict)
    # Instance address -> configuration address (module.web.aws_instance.this).
    config_addresses: dict[str, str] = field(default_factory=dict)


def read_json(path: Path) -> Any:
    """Parse a JSON file; broken JSON is an InputError naming line and column."""
    raw = read_bounded(path, MAX_PLAN_BYTES, "Terraform plan or template")
    # Windows PowerShell redirection writes UTF-16 with a byte order mark.
    utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff"))
    if not utf16:
        document = _decoded_quickly(raw)
        if document is not _REFUSED:
            return document
    encoding = "utf-16" if utf16 else "utf-8-sig"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as err:
        raise InputError(
            f"is not UTF-8 text (undecodable byte at offset {err.start}); expected JSON", str(path)
        ) from None
    del raw  # a large plan is not held twice, as bytes and as text, while it is parsed
    if not text.strip():
        raise InputError("is empty; expected JSON", str(path))
    if text.startswith("\ufeff"):  # json's own words would advise Python's decoding
        raise InputError("starts with a second byte order mark; expected JSON", str(path), 1)
    try:
        with _collector_paused():
            return json.loads(text)
    except json.JSONDecodeError as err:
        if _is_streaming_log(text):
            raise InputError(_STREAMING_MESSAGE, str(path)) from None
        raise InputError(
            f"broken JSON at line {err.lineno} column {err.colno}: {err.msg}", str(path), err.lineno
        ) from None
    except RecursionError:
        raise InputError("is JSON nested too deeply to read", str(path)) from None
    except ValueError as error:
        raise too_many_digits(error, text, str(path)) or error from None


_REFUSED = object()


class _PlanShape(Struct):
    """The keys of a plan that reachlint reads, and those that tell a plan from a raw state
    or a log record (_check_document)."""

    format_version: Any = UNSET
    terraform_version: Any = UNSET
    variables: Any = UNSET
    planned_values: Any = UNSET
    resource_changes: list[ResourceChange] | UnsetType | None = UNSET
    prior_state: Any = UNSET
    configuration: Any = UNSET
    values: Any = UNSET
    lineage: Any = UNSET
    version: Any = UNSET
    resources: Any = UNSET
    level: Any = field(name="@level", default=UNSET)
    message: Any = field(name="@message", default=UNSET)


def _decoded_quickly(raw: bytes) -> Any:
    """msgspec's decoder, twice as fast as json's on a large plan and the same documents (the
    same numbers, the last of repeated keys). What it refuses (broken JSON or UTF-8, a number
    beyond a double, a lone surrogate, deep nesting) json reads again: its answers and its
    messages are the ones reachlint gives.

    A plan is decoded in its shape first, which leaves out what the reader never reads (half
    of a large plan's objects); anything else, or a plan of another shape, is decoded whole."""
    from msgspec import DecodeError, ValidationError
    from msgspec.json import decode

    body = memoryview(raw)[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    shaped = None
    # What the shape leaves undecoded is not checked to be UTF-8: the file is, first.
    if _utf8(raw):
        try:
            with _collector_paused():
                shaped = decode(body, type=_PlanShape)
        except ValidationError:  # not shaped as a plan: read whole, below
            shaped = None
        except (DecodeError, RecursionError):
            return _REFUSED
    if shaped is not None and any(_present(shaped, key) for key in _PLAN_KEYS):
        document = _document_of(shaped)
        _let_go_of_the_file(document)
        return document
    try:
        with _collector_paused():
            return decode(body)
    except (DecodeError, RecursionError):
        return _REFUSED


_PIECE = 1 << 20


def _utf8(raw: bytes) -> bool:
    """Whether the bytes are UTF-8, checked a piece at a time (a large plan decoded at once
    would be held twice)."""
    if raw.isascii():
        return True
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(raw)
    try:
        for start in range(0, len(raw), _PIECE):
            decoder.decode(view[start : start + _PIECE])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _present(shape: _PlanShape, key: str) -> bool:
    return getattr(shape, key) is not UNSET


def _document_of(shape: _PlanShape) -> dict[str, Any]:
    """A decoded shape as the dictionary a whole decode gives, with only the keys it had; its
    resource changes stay the reader's records."""
    document: dict[str, Any] = {}
    for name, key in zip(shape.__struct_fields__, shape.__struct_encode_fields__, strict=True):
        value = getattr(shape, name)
        if value is not UNSET:
            document[key] = value
    return document


def _let_go_of_the_file(document: dict[str, Any]) -> None:
    """An undecoded `after` holds the whole file's bytes. It is read only for a resource the
    value modules do not list: those few are copied out, the others dropped."""
    listed = {
        address
        for module in value_modules(document)
        for resource in module_resources(module)
        if isinstance(address := resource.get("address"), str)
    }
    for change in as_list(document.get("resource_changes")):
        planned = change.change
        if planned is not None:
            address = change.address
            needed = not isinstance(address, str) or address not in listed
            planned.after = planned.after.copy() if needed else _NULL


_NULL = Raw(b"null")


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Building many small objects that all stay alive makes the cyclic garbage collector
    rescan the whole document again and again; nothing built here is cyclic garbage."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_STREAMING_MESSAGE = (
    "looks like the streaming output of `terraform plan -json`; "
    f"give reachlint the output of {SHOW_COMMAND} instead"
)


def _is_streaming_log(text: str) -> bool:
    first_line = text.lstrip().split("\n", 1)[0]
    try:
        record = json.loads(first_line)
    except ValueError:
        return False
    return _is_log_record(record)


def _is_log_record(document: object) -> bool:
    return isinstance(document, dict) and "@level" in document and "@message" in document


_PLAN_KEYS = frozenset({"planned_values", "resource_changes", "prior_state", "configuration"})


def looks_like_plan(document: object) -> bool:
    """Whether this JSON is Terraform's: a plan or shown state, or a raw state or plan log that
    `load_plan_resources` explains how to turn into one."""
    if not isinstance(document, dict):
        return False
    keys = document.keys()
    if _PLAN_KEYS & keys:
        return True
    if "format_version" in keys and (
        "values" in keys or keys <= {"format_version", "terraform_version"}
    ):
        return True
    return _is_raw_state(document) or _is_log_record(document)


def _is_raw_state(document: dict[str, Any]) -> bool:
    return "lineage" in document and "resources" in document and "version" in document


def load_plan_resources(
    path: Path,
    document: dict[str, Any] | None = None,
    providers: Mapping[str, frozenset[str]] | None = None,
) -> PlanResources:
    """Read a plan or shown state. `document` is the already parsed JSON of `path`, if any;
    it is taken over, and its resource changes let go of once read. `providers` names what of
    which providers' configurations each resource carries (see TfResource.provider).

    Values in the document are shared with the records, not copied, except where unknown
    values are marked.
    """
    if document is None:
        document = read_json(path)
    file = str(path)
    format_version = _check_document(document, file)
    terraform_version = document.get("terraform_version")
    reader = PlanReader(document, providers)
    try:
        with _collector_paused():
            reader.read()
    except RecursionError:
        raise InputError("is JSON nested too deeply to read", file) from None
    except ValueError as error:  # a value decoded only now holds a number Python will not read
        raise too_many_digits(error, "", file) or error from None
    return PlanResources(
        resources=list(reader.records.values()),
        terraform_version=terraform_version if isinstance(terraform_version, str) else None,
        format_version=format_version,
        notes=reader.notes,
        ids=reader.ids,
        config_addresses=reader.config_addresses,
    )


def _check_document(document: object, file: str) -> str:
    """The document's format version, or an InputError saying what the document is instead."""
    if not isinstance(document, dict):
        kind = "array" if isinstance(document, list) else "value"
        raise InputError(
            f"is a JSON {kind}, not a Terraform plan; "
            f"expected the object that {SHOW_COMMAND} writes",
            file,
        )
    if _is_log_record(document):
        raise InputError(_STREAMING_MESSAGE, file)
    if _is_raw_state(document):
        raise InputError(
            "is a raw Terraform state file; give reachlint the output of "
            "`terraform show -json` (of the state or of a plan) instead",
            file,
        )
    if not looks_like_plan(document):
        schema = document.get("$schema")
        if isinstance(schema, str) and "deploymenttemplate" in schema.lower():
            raise InputError(f"is an ARM template, not the output of {SHOW_COMMAND}", file)
        if "AWSTemplateFormatVersion" in document or "Resources" in document:
            raise InputError(
                f"looks like a CloudFormation template, not the output of {SHOW_COMMAND}", file
            )
        keys = sorted(str(key) for key in document)
        found = ", ".join(keys[:10]) + (", ..." if len(keys) > 10 else "") if keys else "none"
        raise InputError(
            f"is not a Terraform plan: found top-level keys {found}; expected format_version with "
            f"planned_values, resource_changes or values (the output of {SHOW_COMMAND})",
            file,
        )
    version = document.get("format_version")
    if version is None:
        return ""
    text = str(version)
    major = text.split(".", 1)[0]
    if not major.isdecimal() or int(major) > 1:
        raise InputError(
            f"unsupported plan format version {text} (reachlint reads 0.x and 1.x)", file
        )
    return text


def plan_variable_secrets(document: object) -> set[str]:
    """The texts of the plan's variables that its configuration declares sensitive."""
    if not isinstance(document, dict):
        return set()
    root = as_dict(as_dict(document.get("configuration")).get("root_module"))
    values = as_dict(document.get("variables"))
    found: set[str] = set()
    for name, declared in as_dict(root.get("variables")).items():
        if as_dict(declared).get("sensitive") is True:
            found.update(texts(as_dict(values.get(name)).get("value")))
    return found
