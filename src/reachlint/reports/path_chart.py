"""A path drawn as a Mermaid flowchart that reads at a pull-request comment's width.

The steps run top to bottom, one box per step named by its address alone, so a long path
grows down the comment instead of shrinking to fit across it. Each arrow says why the traffic
goes on: the first carries the traffic the source sends, every other the reason of the step it
leaves ("allows tcp 22 from 0.0.0.0/0", the route). A filter the path passes twice (a network
ACL or a security group out of one subnet and into the other) is told apart by its direction.
"""

from __future__ import annotations

import re
from collections import Counter

from reachlint.reports.places import Step
from reachlint.safe_text import mermaid_label

# A filter rule's detail says which way it lets traffic pass: "allows tcp 22 from ..." admits
# traffic in, "allows all to ..." lets it out.
_DIRECTION = re.compile(r"\b(?:allows|admits)\b.*?\b(from|to)\b")
# Long enough for a rule with its ports and range, short enough that mermaid 10, which does
# not wrap arrow labels, keeps the path within a comment (the list under it has the rest).
REASON_LIMIT = 80
# A box's name is cut in its middle past this, keeping both ends (a CloudFormation logical id
# such as `DatabaseSecurityGroupfrom...IndirectPort905EBA72` runs to 90 characters).
NAME_LIMIT = 60
_WAY = {"from": "in", "to": "out"}


def path_flowchart(path_steps: list[Step], traffic: str) -> list[str]:
    lines = ["flowchart TB"]
    names = _names(path_steps)
    for number, (step, name) in enumerate(zip(path_steps, names, strict=True)):
        label = mermaid_label(_short(name))
        shape = f'(["{label}"])' if step.end else f'["{label}"]'
        lines.append(f"  s{number}{shape}")
    for number, step in enumerate(path_steps[:-1]):
        reason = traffic if number == 0 else _reason(step)
        arrow = f'-- "{mermaid_label(reason, REASON_LIMIT)}" -->' if reason else "-->"
        lines.append(f"  s{number} {arrow} s{number + 1}")
    return lines


def _short(name: str) -> str:
    if len(name) <= NAME_LIMIT:
        return name
    keep = (NAME_LIMIT - 1) // 2
    return f"{name[:keep]}…{name[-keep:]}"


def _reason(step: Step) -> str:
    """The step's detail without its own address in front ("rule 100 allows all to ...")."""
    detail = " ".join(step.detail.split())
    return detail.removeprefix(f"{step.address} ")


def _names(path_steps: list[Step]) -> list[str]:
    """Each step's address, with its direction (and pass, if that repeats too) where the
    address repeats."""
    seen = Counter(step.address for step in path_steps)
    names: list[str] = []
    for step in path_steps:
        if seen[step.address] == 1:
            names.append(step.address)
            continue
        found = _DIRECTION.search(step.detail)
        name = f"{step.address} · {_WAY[found.group(1)] if found else 'pass'}"
        again = sum(1 for earlier in names if earlier.startswith(name))
        names.append(f"{name} {again + 1}" if again or not found else name)
    return names
