"""A report document as JSON's types: absent fields left out wherever they are, although only
the documents that can hold one are looked inside."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from reachlint.commands.changes.diff import run_diff
from reachlint.commands.check import run_check
from reachlint.reports.schema import DiffReport, Report
from reachlint.rules.findings import Omitting, Strict, _without_none, plain

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# Inputs in each of their folders, checked with the folder's rules.
CHECKED = [
    FIXTURES / "aws" / "three-tier" / "plan.json",
    FIXTURES / "aws" / "naa-noncompliant" / "plan.json",
    FIXTURES / "azure" / "firewall-dnat-fqdn" / "template.json",
]


def _documents(kind: type[Strict]) -> set[type[Strict]]:
    """Every document class a report document holds, itself included."""
    found: set[type[Strict]] = set()
    pending: list[msgspec.inspect.Type] = [msgspec.inspect.type_info(kind)]
    while pending:
        info = pending.pop()
        if isinstance(info, msgspec.inspect.StructType):
            if info.cls in found:
                continue
            found.add(info.cls)
            pending.extend(field.type for field in info.fields)
        for name in ("item_type", "key_type", "value_type"):
            if hasattr(info, name):
                pending.append(getattr(info, name))
        pending.extend(getattr(info, "types", ()))
    return found


def _shape(kind: msgspec.inspect.Type) -> tuple[bool, type[Strict]] | str | None:
    """A field's documents (a list of them?, their class), 'loose' for values of no fixed
    shape (they may hold None anywhere), None for JSON's own types."""
    if isinstance(kind, msgspec.inspect.UnionType):
        shapes = {_shape(member) for member in kind.types} - {None}
        return "loose" if len(shapes) > 1 else (shapes.pop() if shapes else None)
    if isinstance(kind, msgspec.inspect.StructType):
        return (False, kind.cls)
    if isinstance(kind, msgspec.inspect.ListType | msgspec.inspect.SetType):
        inner = _shape(kind.item_type)
        if inner is None:
            return None
        return (True, inner[1]) if isinstance(inner, tuple) and not inner[0] else "loose"
    if isinstance(kind, msgspec.inspect.DictType | msgspec.inspect.AnyType):
        return "loose"
    return None


def _may_hold_none(kind: type[Strict]) -> bool:
    """Whether `plain` must look inside the document: it writes None itself, or holds a
    document that may, or a value of no fixed shape."""
    if not kind.__struct_config__.omit_defaults:
        return True
    for field in msgspec.inspect.type_info(kind).fields:
        shape = _shape(field.type)
        if shape == "loose" or (isinstance(shape, tuple) and _may_hold_none(shape[1])):
            return True
    return False


@pytest.mark.parametrize("kind", [Report, DiffReport], ids=lambda kind: kind.__name__)
def test_each_document_names_what_plain_must_look_inside(kind: type[Strict]) -> None:
    for document in _documents(kind):
        holds, loose = [], []
        for field in msgspec.inspect.type_info(document).fields:
            shape = _shape(field.type)
            if shape == "loose":
                loose.append(field.encode_name)
            elif isinstance(shape, tuple) and _may_hold_none(shape[1]):
                holds.append((field.encode_name, *shape))
        assert list(document.holds) == holds, document.__name__
        assert list(document.loose) == loose, document.__name__


@pytest.mark.parametrize("kind", [Report, DiffReport], ids=lambda kind: kind.__name__)
def test_documents_that_leave_out_their_defaults_default_to_none_only(kind: type[Strict]) -> None:
    """msgspec leaves out a field equal to its default: any other default would go missing
    from the report, and a required field that may be None would be written as null."""
    for document in _documents(kind):
        if not issubclass(document, Omitting):
            continue
        for field in msgspec.inspect.type_info(document).fields:
            if field.required:
                optional = isinstance(field.type, msgspec.inspect.UnionType) and any(
                    isinstance(member, msgspec.inspect.NoneType) for member in field.type.types
                )
                assert not optional, f"{document.__name__}.{field.name} may be None"
            else:
                assert field.default is None, f"{document.__name__}.{field.name}"


@pytest.mark.parametrize("path", CHECKED, ids=lambda path: path.parent.name)
def test_a_report_is_written_as_a_deep_walk_would_write_it(path: Path) -> None:
    report = run_check([path], [path.parent / "rules.yaml"], diagram=True)
    assert report.findings  # the fixtures chosen have findings with paths
    assert plain(report) == _without_none(msgspec.to_builtins(report))


def test_a_diff_report_is_written_as_a_deep_walk_would_write_it() -> None:
    diff = FIXTURES / "aws" / "diff-monitoring"
    report = run_diff(diff / "base", diff / "head", [])
    assert report.opened
    assert plain(report) == _without_none(msgspec.to_builtins(report))
