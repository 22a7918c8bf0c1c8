"""`reachlint graph`: the network as a picture, in Mermaid or Graphviz DOT.

`drawing` decides what the picture shows (its docstring says how to read it), `picture` holds
its parts and `rendering` writes them in either language.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from reachlint.commands.design.common import Ends
from reachlint.commands.design.drawing import network_picture
from reachlint.commands.design.matrix import check_grouping, grouping_for
from reachlint.commands.design.rendering import render_picture

if TYPE_CHECKING:
    from reachlint.commands.design.selector_text import Groups
    from reachlint.engine.flows import Reachability
    from reachlint.engine.reach import AssumeUnknown
    from reachlint.inputs.load import LoadOptions
    from reachlint.model.network import NetworkModel
    from reachlint.rules.findings import Finding

FORMATS = ("mermaid", "dot")


def run_graph(
    paths: list[Path],
    *,
    output_format: str = "mermaid",
    groups_file: Path | None = None,
    by: str | None = None,
    rules_files: list[Path] | None = None,
    builtin: bool = True,
    assume_unknown: AssumeUnknown = "open",
    options: LoadOptions | None = None,
) -> str:
    """The picture of the model of `paths`, with the findings of the rules in red."""
    from reachlint.commands.design.common import analyse, require_format
    from reachlint.commands.design.selector_text import read_groups
    from reachlint.rules import evaluate, load_rules
    from reachlint.sensitive import Scrubber

    require_format(output_format, FORMATS)
    check_grouping(groups_file, by)
    ruleset = load_rules(rules_files or [], builtin=builtin)
    groups = read_groups(groups_file) if groups_file is not None else None
    model, analysis = analyse(paths, assume_unknown, options)
    findings = evaluate(ruleset, model, analysis.reachability)
    picture = draw(model, analysis.reachability, findings, output_format, groups=groups, by=by)
    return Scrubber(model.sensitive)(picture)


def draw(
    model: NetworkModel,
    reach: Reachability,
    findings: list[Finding],
    output_format: str = "mermaid",
    *,
    groups: Groups | None = None,
    by: str | None = None,
) -> str:
    """The picture of a checked model with its findings in red (the Markdown report's too)."""
    grouping = grouping_for(model, Ends(model, reach), groups, by)
    return render_picture(network_picture(model, reach, grouping, findings), output_format)
