"""Loading rules files: schema and semantic errors with file and line, the pack, switching off."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml
from rules_scenario import rules_from

from reachlint.errors import InputError
from reachlint.model.traffic import TCP, UDP, IntervalSet, ports_from_spec
from reachlint.rules import (
    builtin_rules_dir,
    load_rules,
    parse_selector,
    rule_doc,
    rules_schema,
)
from reachlint.rules.selectors import Word

BUILTIN_IDS = {
    "INTERNET-ADMIN-PORTS",
    "INTERNET-DATA-STORES",
    "INTERNET-ALL-PORTS",
    "INTERNET-NON-WEB-PORTS",
    "REPLY-DROPPED",
}

BAD_FILES = {
    "unknown_key": (
        """\
version: 1
rules:
  - id: APP-ONLY-FROM-WEB
    match: {to: any}
    alow:
      - {from: any}
""",
        5,
        "rule APP-ONLY-FROM-WEB: unknown key 'alow', did you mean 'allow'? (expected one of: "
        "id, title, severity, description, match, allow, only_if, docs, defers_to)",
    ),
    "bad_cidr": (
        """\
version: 1
groups:
  office:
    cidrs:
      - 10.0.0.0/8
      - 10.0.0.0/33
""",
        6,
        "group office: '10.0.0.0/33' is not a CIDR",
    ),
    "port_out_of_range": (
        "version: 1\nrules:\n  - id: P\n    match:\n      ports: [22, 70000]\n",
        5,
        'rule P: port 70000 is not valid: expected a port 0-65535 or a range such as "8000-8080"',
    ),
    "reversed_port_range": (
        "version: 1\nrules:\n  - id: P\n    match:\n      ports:\n        - 22\n"
        '        - "90-80"\n',
        7,
        "rule P: '90-80' is not a port or a port range within 0-65535",
    ),
    "port_name": (
        "version: 1\nrules:\n  - id: P\n    match: {ports: [ssh]}\n",
        4,
        "rule P: port 'ssh' is not valid",
    ),
    "undefined_group": (
        """\
version: 1
groups:
  web: {tags: {Tier: web}}
rules:
  - id: P
    match:
      from: wbe
""",
        7,
        "rule P: unknown selector 'wbe' (expected any, internet, onprem or a group name; "
        "did you mean 'web'?)",
    ),
    "duplicate_id": (
        "version: 1\nrules:\n  - id: P\n    match: {}\n  - id: P\n    match: {}\n",
        5,
        "duplicate rule id 'P' (first defined at",
    ),
    "builtin_id_reused": (
        "version: 1\nrules:\n  - id: INTERNET-ADMIN-PORTS\n    match: {}\n",
        3,
        "duplicate rule id 'INTERNET-ADMIN-PORTS': it is a built-in rule (add it to 'disable'",
    ),
    "yaml_syntax": (
        "version: 1\nrules:\n  - id: P\n    match: {from: any\n  - id: Q\n",
        5,
        "invalid YAML: expected ',' or '}', but got ':'",
    ),
    "unquoted_brackets": (
        "version: 1\ngroups:\n  web: {addresses: [aws_instance.web[0]]}\n",
        3,
        'quote addresses with brackets: "aws_instance.web[0]"',
    ),
    "group_cycle": (
        "version: 1\ngroups:\n  a: {any_of: [b]}\n  b: {not: c}\n  c: a\n",
        5,
        "group 'a' refers to itself through a -> b -> c -> a",
    ),
    "severity": (
        "version: 1\nrules:\n  - id: P\n    severity: hgh\n    match: {}\n",
        4,
        "rule P: severity 'hgh' is not one of: low, medium, high, critical",
    ),
    "version": ("version: 2\n", 1, "version 2 is not supported: expected 1"),
    "no_version": ("rules: []\n", 1, "missing required key 'version'"),
    "missing_match": (
        "version: 1\nrules:\n  - id: P\n    title: x\n",
        3,
        "rule P: missing required key 'match'",
    ),
    "selector_list": (
        "version: 1\nrules:\n  - id: P\n    match:\n      from: [web]\n",
        5,
        "rule P: from must be a selector: any (every end), endpoints, internet, onprem",
    ),
    "selector_key": (
        "version: 1\nrules:\n  - id: P\n    match:\n      from:\n        tag: {Tier: web}\n",
        6,
        "rule P: unknown key 'tag', did you mean 'tags'?",
    ),
    "tag_value_list": (
        "version: 1\ngroups:\n  g:\n    tags:\n      Tier: [web]\n",
        5,
        "group g: tag 'Tier' must be a string, a number or true or false, not a list",
    ),
    "protocol": (
        "version: 1\nrules:\n  - id: P\n    match: {protocol: tpc}\n",
        4,
        "rule P: protocol 'tpc' is not valid: expected tcp, udp, icmp, all or a protocol number",
    ),
    "ports_on_icmp": (
        "version: 1\nrules:\n  - id: P\n    match: {protocol: icmp, ports: [8]}\n",
        4,
        "rule P: ports apply only to tcp and udp, not to protocol 'icmp'",
    ),
    "endpoint_kind": (
        "version: 1\nrules:\n  - id: P\n    match:\n      to: {kinds: [databse]}\n",
        5,
        "rule P: 'databse' is not an endpoint kind (did you mean 'database'?",
    ),
    "internet_in_through": (
        "version: 1\nrules:\n  - id: P\n    match: {through: internet}\n",
        4,
        "rule P: 'internet' cannot be used in through",
    ),
    "cidrs_in_through": (
        "version: 1\nrules:\n  - id: P\n    match: {through: {cidrs: [10.0.0.0/8]}}\n",
        4,
        "rule P: cidrs cannot be used in through",
    ),
    "rule_id_pattern": (
        "version: 1\nrules:\n  - id: bad id\n    match: {}\n",
        3,
        "id 'bad id' is not valid: expected letters, digits, '_', '.' and '-'",
    ),
    "group_name_pattern": (
        "version: 1\ngroups:\n  bad name: any\n",
        3,
        "group name 'bad name' is not valid",
    ),
    "reserved_group_name": (
        "version: 1\ngroups:\n  internet: {tags: {a: b}}\n",
        3,
        "group name 'internet' is reserved",
    ),
    "disable_unknown": (
        "version: 1\ndisable:\n  - INTERNET-ADMN-PORTS\n",
        3,
        "cannot disable 'INTERNET-ADMN-PORTS': no built-in rule or rule of an earlier file has "
        "that id; did you mean 'INTERNET-ADMIN-PORTS'?",
    ),
    "not_a_mapping": ("- version: 1\n", 1, "the rules file must be a mapping, not a list"),
    "rules_not_a_list": (
        "version: 1\nrules:\n  id: P\n",
        2,
        "rules must be a list, not a mapping",
    ),
    "empty_ports": (
        "version: 1\nrules:\n  - id: P\n    match: {ports: []}\n",
        4,
        "rule P: ports must not be empty",
    ),
    "duplicate_key": ("version: 1\nversion: 1\n", 2, "duplicate key 'version'"),
    "python_tag": (
        "version: !!python/object/apply:os.system [ls]\n",
        1,
        "invalid YAML: unsupported tag",
    ),
    "alias_bomb": (
        "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n"
        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n",
        1,
        "the YAML is too large once its aliases are expanded",
    ),
}


@pytest.mark.parametrize(("text", "line", "message"), BAD_FILES.values(), ids=list(BAD_FILES))
def test_mistakes_name_file_line_and_expectation(
    text: str, line: int, message: str, tmp_path: Path
) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as raised:
        load_rules([path])
    error = raised.value
    assert (error.file, error.line) == (str(path), line)
    assert message in error.message
    assert "\n" not in str(error)
    assert str(error).startswith(f"{path}:{line}: ")


def test_empty_and_missing_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing yet\n")
    with pytest.raises(InputError, match="the rules file is empty"):
        load_rules([empty])
    with pytest.raises(InputError, match="rules file not found") as raised:
        load_rules([tmp_path / "missing.yaml"])
    assert raised.value.file == str(tmp_path / "missing.yaml")


def test_binary_file_is_an_input_error(tmp_path: Path) -> None:
    binary = tmp_path / "rules.yaml"
    binary.write_bytes(b"\xff\xfe\x00version")
    with pytest.raises(InputError, match="not UTF-8"):
        load_rules([binary])


def test_builtin_pack_has_exactly_the_documented_rules() -> None:
    rules = load_rules([])
    assert {rule.id for rule in rules.rules} == BUILTIN_IDS
    assert all(rule.builtin for rule in rules.rules)
    by_id = {rule.id: rule for rule in rules.rules}
    assert by_id["INTERNET-ADMIN-PORTS"].severity == "critical"
    assert by_id["INTERNET-DATA-STORES"].severity == "critical"
    assert by_id["INTERNET-ALL-PORTS"].severity == "high"
    assert by_id["INTERNET-ALL-PORTS"].only_if == "all-ports"
    assert by_id["INTERNET-NON-WEB-PORTS"].severity == "medium"
    assert by_id["REPLY-DROPPED"].match.state == "reply-dropped"


def test_builtin_files_follow_the_schema() -> None:
    files = sorted(builtin_rules_dir().glob("*.yaml"))
    assert files
    for path in files:
        jsonschema.validate(yaml.safe_load(path.read_text()), rules_schema())


def test_schema_is_a_valid_draft_2020_12_schema_and_a_copy() -> None:
    schema = rules_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert {"version", "builtin", "disable", "groups", "rules"} == set(schema["properties"])
    schema["properties"].clear()
    assert rules_schema()["properties"]


def test_each_builtin_rule_has_a_documentation_page() -> None:
    for rule_id in BUILTIN_IDS:
        page = rule_doc(rule_id)
        assert page is not None and page.startswith(f"# {rule_id}\n")
        sections = [line for line in page.splitlines() if line.startswith("## ")]
        assert sections == [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## How to fix",
            "## Precedence",
            "## Configuration",
        ]
        assert page.count("```hcl") == 2


def test_documentation_of_unknown_and_user_rules(tmp_path: Path) -> None:
    assert rule_doc("NO-SUCH-RULE") is None
    assert rule_doc("../../pyproject") is None
    rules = rules_from(
        "version: 1\nrules:\n  - id: MINE\n    title: Mine\n    description: Because.\n"
        "    docs: https://example.com/mine\n    match: {}\n",
        tmp_path,
    )
    page = rule_doc("MINE", rules)
    assert page is not None
    assert page.startswith("# MINE\n\nMine\n")
    assert "Because." in page and "https://example.com/mine" in page
    assert f"{tmp_path / 'rules.yaml'}:3" in page


def test_defaults(tmp_path: Path) -> None:
    rules = rules_from("version: 1\nrules:\n  - id: P\n    match: {ports: [53]}\n", tmp_path)
    (rule,) = rules.rules
    assert rule.severity == "medium"
    assert rule.heading == "P"
    assert isinstance(rule.match.source, Word) and rule.match.source.word == "any"
    assert isinstance(rule.match.destination, Word) and rule.match.destination.word == "any"
    assert rule.match.state == "reachable"
    # Ports without a protocol mean those ports on tcp and udp.
    assert rule.match.protocols == IntervalSet([(TCP, TCP), (UDP, UDP)])
    assert rule.match.ports == ports_from_spec([53])
    assert rule.origin.line == 3


def test_disable_and_builtin_switches(tmp_path: Path) -> None:
    first = tmp_path / "first.yaml"
    first.write_text(
        "version: 1\ndisable: [INTERNET-ADMIN-PORTS]\nrules:\n  - id: MINE\n    match: {}\n"
    )
    second = tmp_path / "second.yaml"
    second.write_text("version: 1\nbuiltin: false\ndisable: [MINE]\n")
    assert {rule.id for rule in load_rules([first]).rules} == (
        BUILTIN_IDS - {"INTERNET-ADMIN-PORTS"}
    ) | {"MINE"}
    assert load_rules([first, second]).rules == []
    third = tmp_path / "third.yaml"
    third.write_text("version: 1\nbuiltin: false\n")
    assert [rule.id for rule in load_rules([first, third]).rules] == ["MINE"]


def test_a_switched_off_rule_can_be_defined_again(tmp_path: Path) -> None:
    rules = rules_from(
        "version: 1\ndisable: [INTERNET-ADMIN-PORTS]\nrules:\n"
        "  - id: INTERNET-ADMIN-PORTS\n    severity: low\n    match: {from: internet}\n",
        tmp_path,
        builtin=True,
    )
    rule = rules.get("INTERNET-ADMIN-PORTS")
    assert rule is not None and rule.severity == "low" and not rule.builtin


def test_builtin_ids_can_be_disabled_when_the_pack_is_off(tmp_path: Path) -> None:
    rules = rules_from("version: 1\ndisable: [REPLY-DROPPED]\n", tmp_path, builtin=False)
    assert rules.rules == []


def test_groups_carry_over_to_later_files_and_cannot_be_redefined(tmp_path: Path) -> None:
    first = tmp_path / "groups.yaml"
    first.write_text("version: 1\ngroups:\n  web: {tags: {Tier: web}}\n")
    second = tmp_path / "rules.yaml"
    second.write_text("version: 1\nrules:\n  - id: P\n    match: {from: web}\n")
    rules = load_rules([first, second], builtin=False)
    assert set(rules.groups) == {"web"}
    assert [rule.id for rule in rules.rules] == ["P"]
    third = tmp_path / "again.yaml"
    third.write_text("version: 1\ngroups:\n  web: any\n")
    with pytest.raises(InputError, match=f"group 'web' is already defined at {first}:3"):
        load_rules([first, third])


def test_anchors_and_merge_keys_are_plain_yaml(tmp_path: Path) -> None:
    rules = rules_from(
        """\
version: 1
x-web: &web {protocol: tcp, ports: [80, 443]}
rules:
  - id: P
    match: {<<: *web, from: internet}
""",
        tmp_path,
    )
    assert rules.rules[0].match.ports == ports_from_spec([80, 443])


def test_parse_selector_for_the_command_line(tmp_path: Path) -> None:
    rules = rules_from("version: 1\ngroups:\n  web: {tags: {Tier: web}}\n", tmp_path)
    assert parse_selector("web", rules) is rules.groups["web"]
    assert isinstance(parse_selector("internet"), Word)
    with pytest.raises(InputError) as raised:
        parse_selector("{tag: {Tier: web}}", source="--from")
    assert str(raised.value).startswith("--from: unknown key 'tag'")
    with pytest.raises(InputError, match="--from: unknown selector 'wbe'"):
        parse_selector("wbe", rules, source="--from")
