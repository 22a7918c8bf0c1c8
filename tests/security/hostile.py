"""Hostile text as a pull request can write it, reports that carry it in every field, and what a
CI runner or a terminal would make of the output."""

from __future__ import annotations

import re

import msgspec

from reachlint.reports.schema import (
    DiffReport,
    DiffSummary,
    FlowChange,
    NoteRef,
    Report,
    RuleInfo,
    Summary,
    SuppressionProblem,
    Tool,
)
from reachlint.rules.findings import EndRef, Finding, HopRef, Suppression, TrafficEntry

# Workflow commands after a line break (GitHub reads `::name::` at a line's start, after white
# space; `\r` and U+2028 end lines for some readers), the in-line command forms of GitHub's
# runner (`##[`) and Azure Pipelines (`##vso[`), terminal escapes (colour, an OSC 8 hyperlink,
# CSI as one C1 byte, BEL), a bidi override, a zero-width space and GitHub's own escapes.
HOSTILE = (
    "x\n::error title=pwned::owned\r  ::warning::cr\u2028::notice::ls"
    " ##[add-mask]hidden ##vso[task.setvariable variable=X]1"
    " \x1b[31mred\x1b[0m \x1b]8;;https://evil.example\x07link\x1b]8;;\x07 \x9b2J \x07"
    " \u202egnp.exe\u202c \u200b %0A::error::pct"
)
# What the Markdown comment must not turn into markup, links or notifications.
MARKDOWN = (
    "`x` ``y`` </summary></details><details><summary>z <img src=x onerror=alert(1)> <!-- c"
    " | a | b |\n# heading\n> quote\n- item\n1. one\n[link](https://evil.example)"
    " ![img](https://evil.example/i.png) <https://evil.example> https://evil.example"
    " www.evil.example @octocat @acme/security-team mail@example.com #12 GH-34 acme/net#56"
    " a5c3785ed8d6a35868bc169f07e40e889087fd2e **bold** _em_ ~~del~~ $x^2$"
)
# What a Mermaid label must not end or open.
MERMAID = 'a"] --> evil["x"]; click evil "https://evil.example" %%{init: {}}%% `md` <br> ]]'

# Characters no line of a report may hold raw: C0 but \n, DEL, C1, bidi and zero-width format
# characters, line and paragraph separators.
RAW_CONTROL = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069]"
)
# reachlint's own colours: Select Graphic Rendition, nothing else.
OWN_COLOUR = re.compile(r"\x1b\[[0-9;]*m")


def runner_commands(text: str) -> list[str]:
    """The lines GitHub's runner or the Azure Pipelines agent would take for a command."""
    found = []
    for line in re.split(r"\r\n|\r|\n", text):
        if line.lstrip().startswith("::") or "##[" in line or "##vso[" in line.lower():
            found.append(line)
    return found


def raw_controls(text: str, colour: bool = False) -> list[str]:
    """Control and format characters in `text` (reachlint's colours left out when `colour`)."""
    if colour:
        text = OWN_COLOUR.sub("", text)
    return RAW_CONTROL.findall(text)


def _finding(text: str, n: int, **extra: object) -> Finding:
    return msgspec.convert(
        {
            "rule": "HOSTILE-RULE",
            "severity": "high",
            "title": f"title {text}",
            "message": f"message {text}",
            "from": EndRef(address="internet", kind="internet"),
            "to": EndRef(
                address=f'aws_instance.web["{text}"]', kind="instance", file=f"{text}.tf", line=3
            ),
            "traffic": [TrafficEntry(protocol="tcp", ports=[(22, 22)])],
            "path": [
                HopRef(
                    address=f"aws_security_group_rule.r{n}",
                    kind="security-group-rule",
                    detail=f"allows tcp 22 from 0.0.0.0/0 ({text})",
                    file=f"dir/{text}/sg.tf",
                    line=7,
                )
            ],
            "addresses": [f"10.0.0.0/8 {text}"],
            "depends_on_unknown": [f"var.{text}"],
            "fingerprint": f"f{n}",
            **extra,
        },
        Finding,
    )


def hostile_report(
    text: str = HOSTILE, count: int = 1, notes: int = 1, suppressed: int = 1, problems: int = 1
) -> Report:
    """A report whose every text field from the input holds `text`."""
    findings = [_finding(text, n) for n in range(count)]
    findings += [
        _finding(
            text,
            count + n,
            suppressed=Suppression(
                kind="inline", reason=f"reason {text}", file=f"{text}.tf", line=2
            ),
        )
        for n in range(suppressed)
    ]
    return Report(
        tool=Tool(version="0.1.0"),
        inputs=[f"{text}.json"],
        findings=findings,
        summary=Summary(
            findings=count,
            by_severity={"high": count},
            rules=1,
            endpoints=2,
            suppressed=suppressed or None,
        ),
        notes=[NoteRef(address=f"module.{text}", message=f"note {text}", file=f"{text}.tf", line=1)]
        * notes,
        suppression_problems=[
            SuppressionProblem(message=f"problem {text}", rule="NOPE", file=f"{text}.tf", line=9)
        ]
        * problems,
        rules=[
            RuleInfo(id="HOSTILE-RULE", title=f"title {text}", severity="high", description=text)
        ],
    )


def hostile_diff(text: str = HOSTILE) -> DiffReport:
    change = msgspec.convert(
        {
            "from": EndRef(address="internet", kind="internet"),
            "to": EndRef(
                address=f'aws_instance.web["{text}"]', kind="instance", file=f"{text}.tf", line=3
            ),
            "traffic": [TrafficEntry(protocol="tcp", ports=[(22, 22)])],
            "path": [
                HopRef(
                    address="aws_security_group_rule.r",
                    kind="security-group-rule",
                    detail=f"allows tcp 22 ({text})",
                    file=f"{text}.tf",
                    line=7,
                )
            ],
            "addresses": [f"10.0.0.0/8 {text}"],
            "rules": ["HOSTILE-RULE"],
            "severity": "high",
        },
        FlowChange,
    )
    return DiffReport(
        tool=Tool(version="0.1.0"),
        base=[f"base {text}"],
        head=[f"head {text}"],
        opened=[change],
        closed=[change],
        summary=DiffSummary(opened=1, closed=1, by_severity={"high": 1}),
        notes=[NoteRef(address=f"module.{text}", message=f"note {text}")],
    )
