"""Nothing the input says becomes a CI command or a terminal escape.

GitHub's runner takes a line whose first non-blank characters are `::` for a workflow command,
and `##[name]` anywhere in a line for one of its older commands; Azure Pipelines takes
`##vso[` anywhere in a line (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands,
https://learn.microsoft.com/azure/devops/pipelines/scripts/logging-commands). Terminals act on
ESC, CSI (also as the single C1 byte 0x9b), OSC 8 hyperlinks and BEL, and draw bidi overrides.
Every text from the input — names, descriptions, keys, file names, reasons, notes and the
errors that quote them — reaches the text report, the annotations and standard error escaped.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
from typer.testing import CliRunner

from reachlint.commands.cli import app
from reachlint.reports import render, render_diff
from tests.security.hostile import (
    HOSTILE,
    MARKDOWN,
    hostile_diff,
    hostile_report,
    raw_controls,
    runner_commands,
)

REPO = Path(__file__).resolve().parents[2]
STACK = REPO / "fixtures" / "aws" / "diff-monitoring" / "head"
FORMATS = ("text", "json", "sarif", "github", "markdown", "junit", "gitlab", "asff")


def _hcl(text: str) -> str:
    """`text` as an HCL string literal: escapes for quotes, backslashes and control characters,
    and no template sequence."""
    out = []
    for character in text:
        if character in '"\\':
            out.append("\\" + character)
        elif character == "\n":
            out.append("\\n")
        elif not character.isprintable():
            out.append(f"\\u{ord(character):04x}")
        else:
            out.append(character)
    return '"' + "".join(out).replace("${", "$${").replace("%{", "%%{") + '"'


@pytest.fixture
def hostile_stack(tmp_path: Path) -> Path:
    """The monitoring stack, its SSH rule described and its host tagged by the attacker."""
    stack = tmp_path / "stack"
    stack.mkdir()
    shutil.copy(STACK / "providers.tf", stack / "providers.tf")
    main = (STACK / "main.tf").read_text(encoding="utf-8")
    main = main.replace('"SSH from the operations office"', _hcl(HOSTILE))
    main = main.replace('Role = "monitoring"', f"Role = {_hcl(HOSTILE)}")
    (stack / "main.tf").write_text(main, encoding="utf-8")
    return stack


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"NO_COLOR": "1"})
    return result.exit_code, result.stdout, result.stderr


def test_the_text_report_keeps_each_input_text_on_its_own_line() -> None:
    text = render(hostile_report(), "text")
    assert runner_commands(text) == []
    assert raw_controls(text) == []
    # Escaped, not dropped: the reader sees what the input says.
    assert "x\\n::error title=pwned::owned\\r  ::warning::cr\\u2028::notice::ls" in text
    assert "##\\[add-mask]hidden ##vso\\[task.setvariable" in text
    assert "\\x1b[31mred\\x1b[0m \\x1b]8;;https://evil.example\\x07link" in text
    assert "\\x9b2J \\x07 \\u202egnp.exe\\u202c \\u200b" in text


def test_reachlints_own_colours_still_work() -> None:
    text = render(hostile_report(), "text", color=True)
    assert "\x1b[31mhigh\x1b[0m" in text  # the severity, painted
    assert "\x1b[1mHOSTILE-RULE\x1b[0m" in text
    assert raw_controls(text, colour=True) == []  # the input's ESC is text
    assert runner_commands(text) == []


def test_the_diff_report_too() -> None:
    for color in (False, True):
        text = render_diff(hostile_diff(), "text", color=color)
        assert runner_commands(text) == []
        assert raw_controls(text, colour=True) == []


def _workflow_command(line: str) -> tuple[str, dict[str, str], str]:
    """A line read as GitHub's runner reads a workflow command (ActionCommand.TryParseV2)."""
    message = line.lstrip()
    end = message.index("::", 2)
    name, _, properties = message[2:end].partition(" ")
    found = {}
    for item in properties.strip().split(","):
        key, _, value = item.partition("=")
        for escaped, plain in (
            ("%0D", "\r"),
            ("%0A", "\n"),
            ("%3A", ":"),
            ("%2C", ","),
            ("%25", "%"),
        ):
            value = value.replace(escaped, plain)
        found[key] = value
    data = message[end + 2 :]
    for escaped, plain in (("%0D", "\r"), ("%0A", "\n"), ("%25", "%")):
        data = data.replace(escaped, plain)
    return name, found, data


def test_annotations_hold_the_input_in_their_values_only() -> None:
    for text in (render(hostile_report(), "github"), render_diff(hostile_diff(), "github")):
        lines = text.rstrip("\n").split("\n")
        assert lines[-1].startswith("reachlint: ")
        for line in lines[:-1]:
            name, properties, data = _workflow_command(line)
            assert name in {"error", "warning", "notice"}
            assert set(properties) == {"file", "line", "title"}
            assert properties["line"].isdigit()
            # The message's own lines are reachlint's: the input's line breaks stay escaped.
            assert raw_controls(properties["title"]) == []
            assert raw_controls(data) == []
            assert runner_commands(data.replace("\n", " ")) == []
            # Nor in a property: the Azure Pipelines agent acts on ##vso[ anywhere in a line.
            assert "##[" not in line and "##vso[" not in line.lower()
        assert "\r" not in text and runner_commands("\n".join(lines[-1:])) == []
    # The file stays as the input names it, so that GitHub finds it, but for what a runner
    # would act on.
    first = _workflow_command(render(hostile_report(), "github").split("\n")[0])
    named = HOSTILE.replace("##[", "##\\[").replace("##vso[", "##vso\\[")
    assert first[1]["file"] == f"dir/{named}/sg.tf"
    assert "%0A::error::pct" in first[2]  # the input's own %0A is text, not a line break


def test_junit_is_well_formed_xml_with_no_command() -> None:
    text = render(hostile_report(), "junit")
    ElementTree.fromstring(text.split("\n", 1)[1])  # XML 1.0 holds no raw control character
    assert runner_commands(text) == []


def test_json_formats_on_standard_output_keep_their_values(hostile_stack: Path) -> None:
    for output_format in ("json", "sarif", "gitlab"):
        code, out, _ = _run("check", str(hostile_stack), "--format", output_format)
        assert code == 1
        assert runner_commands(out) == []
        json.loads(out)  # still JSON
    code, out, _ = _run("check", str(hostile_stack), "--format", "json")
    details = [hop["detail"] for item in json.loads(out)["findings"] for hop in item["path"]]
    assert any(HOSTILE in detail for detail in details)  # JSON says exactly what the input said


def test_json_formats_write_no_control_or_format_character_as_itself(
    hostile_stack: Path,
) -> None:
    # JSON's encoders escape only U+0000-U+001F; DEL, CSI as its C1 byte, bidi overrides and
    # line separators reach whoever displays the file (a code-scanning page, an editor) as
    # themselves unless escaped too, and decode to the same text when they are.
    main = hostile_stack / "main.tf"
    main.write_text(main.read_text(encoding="utf-8").replace("::ls", "::ls\u007f"))
    for output_format in ("json", "sarif", "gitlab", "asff"):
        code, out, _ = _run("check", str(hostile_stack), "--format", output_format)
        assert code == 1
        assert raw_controls(out) == [] and "\x7f" not in out, output_format
    code, out, _ = _run("check", str(hostile_stack), "--format", "json")
    details = [hop["detail"] for item in json.loads(out)["findings"] for hop in item["path"]]
    assert any(HOSTILE.replace("::ls", "::ls\x7f") in detail for detail in details)
    code, out, _ = _run("matrix", str(hostile_stack), "--format", "json")
    assert code == 0 and raw_controls(out) == [] and "\x7f" not in out


def test_a_hostile_configuration_end_to_end(hostile_stack: Path) -> None:
    for output_format in ("text", "github"):
        code, out, err = _run("check", str(hostile_stack), "--format", output_format)
        assert code == 1, err
        if output_format == "text":
            assert runner_commands(out) == [] and raw_controls(out) == []
            assert "##\\[add-mask]" in out
        else:
            assert all(
                line.startswith(("::error ", "::warning ", "::notice ", "reachlint: "))
                for line in out.rstrip("\n").split("\n")
            )
            assert raw_controls(out) == []
    for args in (
        ("matrix", "--by", "tag:Role"),
        ("graph", "--by", "tag:Role"),
        ("graph", "--format", "dot"),
    ):
        code, out, err = _run(*args, str(hostile_stack))
        assert code == 0, err
        assert runner_commands(out) == [] and raw_controls(out) == [], args


def test_an_error_that_quotes_a_file_name_stays_one_line(tmp_path: Path) -> None:
    plan = tmp_path / "plan\n::error title=x::pwned \x1b[2J.json"
    plan.write_text("{ not json", encoding="utf-8")
    code, _out, err = _run("check", str(plan))
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("reachlint: error: ")
    assert runner_commands(err) == [] and raw_controls(err) == []
    assert "plan\\n::error title=x::pwned \\x1b[2J.json" in err


def test_an_error_that_quotes_a_rules_file_value(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: 1\ngroups:\n  corporate: {cidrs: ['##[add-mask]x ##vso[task.complete]']}\n"
        "rules: []\n",
        encoding="utf-8",
    )
    code, _out, err = _run("check", str(STACK / "plan.json"), "--rules", str(rules))
    assert code == 2 and "is not a CIDR" in err
    assert runner_commands(err) == []


def test_an_unpaired_surrogate_is_no_internal_error(tmp_path: Path) -> None:
    plan = (STACK / "plan.json").read_text(encoding="utf-8")
    hostile = tmp_path / "plan.json"
    hostile.write_text(plan.replace("SSH from the operations office", "SSH \\ud800 office"))
    for output_format in FORMATS:
        code, out, err = _run("check", str(hostile), "--format", output_format)
        assert code == 1, (output_format, err)
        assert "\\ud800" in out, output_format  # written as its escape
    code, out, _ = _run("check", str(hostile), "--format", "json")
    details = [hop["detail"] for item in json.loads(out)["findings"] for hop in item["path"]]
    assert any("SSH \ud800 office" in detail for detail in details)  # the same string back


def _messages(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "message" and isinstance(value, dict) and "text" in value:
                yield value["text"]
            else:
                yield from _messages(value)
    elif isinstance(node, list):
        for item in node:
            yield from _messages(item)


def test_sarif_messages_link_only_to_reachlints_own_locations() -> None:
    """In a SARIF message `[text](target)` is an embedded link (SARIF 2.1.0 §3.11.6); the
    input's brackets are escaped, reachlint's links point at related locations by number."""
    document = json.loads(render(hostile_report(MARKDOWN), "sarif"))
    own_link = re.compile(r"(?<!\\)\[(?:\\.|[^\\\]])*\]\(\d+\)")
    texts = list(_messages(document))
    assert texts
    for text in texts:
        assert not re.search(r"(?<!\\)[\[\]]", own_link.sub("", text)), text


# A name that a terminal colour code would turn into workflow commands once a writer strips
# what looks like colour from output that is not a terminal.
COLOURED_COMMANDS = (
    "Sg\n\x1b[0m::add-mask::hunter2\n\x1b[m::error file=main.tf,line=1::forged\n"
    "##\x1b[0m[warning]x ##vso[task.complete result=Succeeded]\n"
)


def _group_template(name: str, suppressed: bool) -> str:
    group: dict[str, object] = {
        "Type": "AWS::EC2::SecurityGroup",
        "Properties": {
            "GroupDescription": "ssh",
            "SecurityGroupIngress": [
                {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}
            ],
        },
    }
    if suppressed:
        group["Metadata"] = {"reachlint:ignore": [{"rule": "INTERNET-ADMIN-PORTS", "reason": "ok"}]}
    # In the default VPC, whose subnets give public addresses: SSH from the internet.
    host = {
        "Type": "AWS::EC2::Instance",
        "Properties": {"ImageId": "ami-1", "SecurityGroupIds": [{"Ref": name}]},
    }
    return json.dumps({"Resources": {name: group, "Host": host}})


@pytest.mark.parametrize("output_format", ["text", "github", "junit", "markdown"])
def test_a_suppression_added_on_a_hostile_name_is_no_command_in_a_pipe(
    tmp_path: Path, output_format: str
) -> None:
    """`diff` as CI runs it, standard output a pipe: the added suppression's name stays
    escaped on its line, whatever a writer would strip."""
    for side, suppressed in (("base", False), ("head", True)):
        (tmp_path / side).mkdir()
        (tmp_path / side / "t.json").write_text(_group_template(COLOURED_COMMANDS, suppressed))
    code = "from reachlint.commands.cli import main\nmain()\n"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "diff",
            "base/t.json",
            "head/t.json",
            "--format",
            output_format,
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode in (0, 1), done.stderr
    assert "adds a suppression" in done.stdout or "NEW-SUPPRESSION" in done.stdout
    assert raw_controls(done.stdout) == []
    found = runner_commands(done.stdout)
    if output_format == "github":  # its own annotations, the name inside their values
        names = {_workflow_command(line)[0].split(" ")[0] for line in found}
        assert names == {"notice"}, found
        assert not [line for line in found if "##[" in line or "##vso[" in line.lower()]
    else:
        assert found == []
    if output_format == "junit":
        ElementTree.fromstring(done.stdout)


def test_a_rules_files_words_are_prose_in_sarif_help(tmp_path: Path) -> None:
    """A rule's help is Markdown that code scanning shows beside its alerts: the title and
    description a pull request writes are text, not an image, a link or a mention."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: 1\nrules:\n  - id: ADMIN\n"
        '    title: "Admin <img src=https://evil.example/p.png> @octocat"\n'
        '    description: "[Re-run](https://evil.example/phish) ![x](https://evil.example/x.png)"\n'
        "    severity: high\n    match: {from: internet, to: any, ports: [22]}\n"
    )
    template = tmp_path / "t.json"
    template.write_text(_group_template("Sg", False))
    code, out, err = _run(
        "check", str(template), "--rules", str(rules), "--no-builtin", "--format", "sarif"
    )
    assert code == 1, err
    (rule,) = json.loads(out)["runs"][0]["tool"]["driver"]["rules"]
    help_text = rule["help"]["markdown"]
    assert "<img" not in help_text and "](https://" not in help_text and "@octocat" not in help_text
    assert "&lt;img" in help_text and "Re-run" in help_text


def test_names_xml_may_not_hold_and_unpaired_surrogates_in_hashed_fields(tmp_path: Path) -> None:
    """U+FFFF in a name keeps JUnit well-formed; an unpaired surrogate in a suppression's rule
    or reason, which GitLab's fingerprints and new-suppression findings hash, is no internal
    error."""
    template = tmp_path / "t.json"
    template.write_text(_group_template("Web\uffff", False))
    code, out, err = _run("check", str(template), "--format", "junit")
    assert code == 1, err
    ElementTree.fromstring(out)
    ignored = json.loads(_group_template("Sg", True))
    ignored["Resources"]["Sg"]["Metadata"]["reachlint:ignore"][0]["rule"] = "X\ud800"
    template.write_text(json.dumps(ignored))
    code, _, err = _run("check", str(template), "--format", "gitlab")
    assert code in (0, 1) and "internal error" not in err, err
    base = tmp_path / "base.json"
    base.write_text(_group_template("Sg", False))
    ignored["Resources"]["Sg"]["Metadata"]["reachlint:ignore"][0] = {
        "rule": "INTERNET-ADMIN-PORTS",
        "reason": "ok \ud800",
    }
    template.write_text(json.dumps(ignored))
    code, _, err = _run("check", str(template), "--base", str(base))
    assert code in (0, 1) and "internal error" not in err, err


def test_a_sarif_location_is_never_a_uri_of_its_own(tmp_path: Path) -> None:
    """A directory named `https:` would make a scheme of a relative reference (RFC 3986
    §4.2): its colon stays encoded."""
    folder = tmp_path / "https:" / "evil.example"
    folder.mkdir(parents=True)
    (folder / "x.json").write_text(_group_template("Sg", False))
    code, out, err = _run("check", str(folder / "x.json"), "--format", "sarif")
    assert code == 1, err
    uris = re.findall(r'"uri": "([^"]*)"', out)
    assert uris and not [uri for uri in uris if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", uri)]
