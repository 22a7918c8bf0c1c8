"""JUnit XML for CI systems that read test reports: a test suite per rule, a failing test case
per finding, suppressed findings skipped with their reason, a passing case for a rule that
holds. Text from the input is on one line (`one_line`): no control character, which XML 1.0
cannot hold, and no CI command when a log shows the report."""

from __future__ import annotations

from itertools import islice
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from reachlint.reports.places import PathLike, primary_place, step_text, steps
from reachlint.reports.text import addressed_traffic_text
from reachlint.safe_text import one_line as _s

if TYPE_CHECKING:
    from collections.abc import Iterator

    from reachlint.reports.schema import DiffReport, FlowChange, Report, SuppressionProblem
    from reachlint.rules.findings import Finding


def render_junit(report: Report) -> str:
    return "".join(junit_pieces(report))


def junit_pieces(report: Report) -> Iterator[str]:
    """render_junit's text in pieces, a test case at a time: what _document writes of the whole
    tree, with the counts known from the findings before their cases are made."""
    by_rule: dict[str, list[Finding]] = {}
    for finding in report.findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    titles = {rule.id: rule.title for rule in report.rules}
    rule_ids = [rule.id for rule in report.rules]
    rule_ids += [rule for rule in by_rule if rule not in titles]
    suites: list[tuple[ElementTree.Element, Iterator[ElementTree.Element]]] = []
    for rule_id in rule_ids:
        findings = by_rule.get(rule_id, [])
        title = titles.get(rule_id) or (findings[0].title if findings else rule_id)
        skipped = sum(1 for finding in findings if finding.suppressed is not None)
        suite = _counted(
            f"{_s(rule_id)}: {_s(title)}", max(len(findings), 1), len(findings) - skipped, skipped
        )
        suites.append((suite, _rule_cases(_s(rule_id), _s(title), findings, report.inputs)))
    problems = report.suppression_problems or []
    if problems:
        suite = _counted("reachlint suppressions", len(problems), len(problems), 0)
        suites.append((suite, (_problem_case(problem) for problem in problems)))
    root = ElementTree.Element("testsuites", name="reachlint")
    for key in ("tests", "failures", "skipped"):
        root.set(key, str(sum(int(suite.get(key, "0")) for suite, _ in suites)))
    root.set("errors", "0")
    if not suites:
        yield _document(root)
        return
    # As ElementTree.indent lays out the whole tree: two spaces a level.
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n{_open_tag(root)}'
    for suite, cases in suites:
        yield f"\n  {_open_tag(suite)}"
        # A few hundred cases a piece: ElementTree writes them in one call, as in the whole.
        while batch := list(islice(cases, _CASES_A_PIECE)):
            holder = ElementTree.Element("cases")
            holder.extend(batch)
            ElementTree.indent(holder, level=1)
            written = ElementTree.tostring(holder, encoding="unicode")
            yield written.removeprefix("<cases>").removesuffix("\n  </cases>")
        yield "\n  </testsuite>"
    yield "\n</testsuites>\n"


_CASES_A_PIECE = 256


def _counted(name: str, tests: int, failures: int, skipped: int) -> ElementTree.Element:
    """A test suite without its cases, with the counts _document sets."""
    suite = ElementTree.Element("testsuite", name=name)
    for key, value in (("tests", tests), ("failures", failures), ("skipped", skipped)):
        suite.set(key, str(value))
    suite.set("errors", "0")
    suite.set("time", "0")
    return suite


def _rule_cases(
    rule_id: str, title: str, findings: list[Finding], inputs: list[str]
) -> Iterator[ElementTree.Element]:
    if not findings:
        yield _case(None, f"reachlint.{rule_id}", title)
    for finding in findings:
        case = _case(None, f"{finding.tool}.{rule_id}", _name(finding), finding, inputs)
        if finding.suppressed is not None:
            ElementTree.SubElement(case, "skipped", message=_s(finding.suppressed.reason))
        else:
            failure = ElementTree.SubElement(
                case, "failure", message=_s(finding.message), type=finding.severity
            )
            failure.text = _details(finding, inputs)
        yield case


def _problem_case(problem: SuppressionProblem) -> ElementTree.Element:
    case = _case(None, "reachlint.suppressions", f"{_s(problem.file)}:{problem.line}")
    case.set("file", _file(problem.file))
    case.set("line", str(problem.line))
    ElementTree.SubElement(case, "failure", message=_s(problem.message), type="suppression")
    return case


def _open_tag(element: ElementTree.Element) -> str:
    """An element's start tag, as ElementTree writes it."""
    whole = ElementTree.tostring(element, encoding="unicode", short_empty_elements=False)
    return whole.removesuffix(f"</{element.tag}>")


def render_junit_diff(diff: DiffReport) -> str:
    """Opened flows that break a rule fail; other opened and closed flows pass, described."""
    root = ElementTree.Element("testsuites", name="reachlint diff")
    for direction, changes, inputs in (
        ("opened", diff.opened, diff.head),
        ("closed", diff.closed, diff.base),
    ):
        suite = _suite(root, f"flows {direction}")
        for change in changes:
            case = _case(suite, f"reachlint.{direction}", _name(change), change, inputs)
            if direction == "opened" and change.rules:
                failure = ElementTree.SubElement(
                    case,
                    "failure",
                    message=f"opens a flow that breaks {', '.join(map(_s, change.rules))}",
                    type=change.severity or "low",
                )
                failure.text = _details(change, inputs)
            else:
                output = ElementTree.SubElement(case, "system-out")
                output.text = _details(change, inputs)
    if diff.new_suppressions:
        suite = _suite(root, "suppressions added")
        for finding in diff.new_suppressions:
            case = _case(suite, f"reachlint.{finding.rule}", _name(finding), finding, diff.head)
            failure = ElementTree.SubElement(
                case, "failure", message=_s(finding.message), type=finding.severity
            )
            failure.text = _details(finding, diff.head)
    return _document(root)


def _suite(root: ElementTree.Element, name: str) -> ElementTree.Element:
    return ElementTree.SubElement(root, "testsuite", name=name)


def _case(
    suite: ElementTree.Element | None,
    classname: str,
    name: str,
    item: PathLike | None = None,
    inputs: list[str] | None = None,
) -> ElementTree.Element:
    """A test case, in `suite` or (written a case at a time) alone."""
    attributes = {"classname": classname, "name": name, "time": "0"}
    case = (
        ElementTree.Element("testcase", attributes)
        if suite is None
        else ElementTree.SubElement(suite, "testcase", attributes)
    )
    if item is not None:
        place = primary_place(item, inputs or [])
        case.set("file", _file(place.file))
        case.set("line", str(place.line))
    return case


def _name(item: Finding | FlowChange) -> str:
    source, destination = _s(item.source.address), _s(item.destination.address)
    if item.source == item.destination:  # a checkov check on one resource
        return destination
    return f"{source} -> {destination} ({addressed_traffic_text(item)})"


def _details(item: PathLike, inputs: list[str]) -> str:
    lines = [
        f"traffic: {addressed_traffic_text(item)}",
        f"opened at: {primary_place(item, inputs)}",
        "path:",
    ]
    for number, step in enumerate(steps(item), start=1):
        where = f" [{step.place}]" if step.place else ""
        lines.append(f"  {number}. {step_text(step)}{where}")
    return "\n".join(lines)


def _document(root: ElementTree.Element) -> str:
    """Counts on every suite and on the root, as JUnit readers expect them."""
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for suite in root.iter("testsuite"):
        cases = suite.findall("testcase")
        counts = {
            "tests": len(cases),
            "failures": sum(1 for case in cases if case.find("failure") is not None),
            "skipped": sum(1 for case in cases if case.find("skipped") is not None),
        }
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("errors", "0")
        suite.set("time", "0")
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("errors", "0")
    ElementTree.indent(root)
    body = ElementTree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def _file(name: str) -> str:
    """A file name whole (CI tools link it to the file), escaped: the file exists, so the file
    system bounds its length."""
    return _s(name, len(name))
