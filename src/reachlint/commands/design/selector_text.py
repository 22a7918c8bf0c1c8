"""Selectors written on the command line, and groups files that name selectors.

The selectors are those of a rules file (SPEC §2) in a shorter form for one option value:

    any, endpoints, internet, onprem      the words
    web                                   a group of the --groups file
    tag:Tier=web   tag:Tier               a tag with a value (a glob), or with any value
    type:aws_instance,aws_db_instance     resource types
    kind:database                         endpoint kinds
    subnet:...  network:... (vpc:, vnet:) sg:...   where it sits, which groups it is in
    address:...  cidr:10.0.0.0/8          resource address globs; addresses inside CIDRs
    aws_instance.db   module.app.*        a bare address glob
    10.0.1.0/24   10.0.1.5                a bare CIDR or IP address (same as cidr:)
    {tags: {Tier: web}, types: [aws_instance]}   a rules-file selector mapping, for the rest

After a prefix, commas separate alternatives (`type:a,b` is either type). Each form is turned
into the rules-file mapping and compiled by the rules loader, so both check it the same way.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
from pathlib import Path

from msgspec import Struct

from reachlint.errors import InputError
from reachlint.rules import RuleSet, Selector, parse_selector
from reachlint.rules.selectors import WORDS

# Prefix -> the rules-file selector key it stands for.
PREFIXES = {
    "address": "addresses",
    "type": "types",
    "kind": "kinds",
    "subnet": "subnets",
    "network": "networks",
    "vpc": "networks",
    "vnet": "networks",
    "sg": "security_groups",
    "cidr": "cidrs",
}
EXAMPLES = "tag:Tier=web, aws_instance.db, internet or cidr:10.0.0.0/8"
# A bare word with one of these is an address glob, not a group name.
_ADDRESS_CHARACTERS = frozenset(".*/[?")


class Groups(Struct):
    """The named selectors of a groups file (a rules file's `groups:`), in the file's order."""

    file: str
    names: list[str]
    rules: RuleSet


def read_groups(path: Path) -> Groups:
    """The groups of a rules file; its rules, if any, are checked but not used."""
    from reachlint.rules import load_rules
    from reachlint.rules.loader import read_rules_file

    document = read_rules_file(path)
    data = document.data
    defined = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(defined, dict) or not defined:
        raise InputError(
            "the groups file defines no groups; expected a 'groups:' mapping such as "
            "web: {tags: {Tier: web}}",
            str(path),
        )
    ruleset = load_rules([path], builtin=False)
    return Groups(file=str(path), names=[str(name) for name in defined], rules=ruleset)


# A CloudFormation logical id (`BusinessAppInstance`): letters and digits with a capital, never
# one of the selector words, which are lower case.
_LOGICAL_ID = re.compile(r"[A-Za-z0-9]*[A-Z][A-Za-z0-9]*")


def parse_cli_selector(text: str, groups: Groups | None, option: str) -> Selector:
    """The selector an option value names; an InputError naming the option if it names none."""
    text = text.strip()
    rules = groups.rules if groups is not None else None
    if not text:
        raise InputError(f"the selector is empty; expected a selector such as {EXAMPLES}", option)
    if text.startswith("{") or text in WORDS or (rules is not None and text in rules.groups):
        return parse_selector(text, rules, source=option)
    prefix, colon, value = text.partition(":")
    if colon and prefix == "tag":
        return parse_selector(json.dumps({"tags": _tag(value, option)}), rules, source=option)
    if colon and prefix in PREFIXES:
        items = [item.strip() for item in value.split(",") if item.strip()]
        if not items:
            raise InputError(f"{prefix}: needs a value, as in {prefix}:{_example(prefix)}", option)
        return parse_selector(json.dumps({PREFIXES[prefix]: items}), rules, source=option)
    if _is_network(text):
        return parse_selector(json.dumps({"cidrs": [text]}), rules, source=option)
    if _ADDRESS_CHARACTERS & set(text) or _LOGICAL_ID.fullmatch(text):
        return parse_selector(json.dumps({"addresses": [text]}), rules, source=option)
    raise InputError(_unknown_word(text, groups), option)


def _unknown_word(text: str, groups: Groups | None) -> str:
    known = [*WORDS, *(groups.names if groups is not None else [])]
    hint = difflib.get_close_matches(text, known, n=1)
    suggestion = f"did you mean {hint[0]!r}? " if hint else ""
    where = f"a group of {groups.file}" if groups is not None else "a group (with --groups FILE)"
    return (
        f"unknown selector {text!r}: {suggestion}expected any, endpoints, internet, onprem, "
        f"{where}, a resource address, or a condition such as {EXAMPLES}"
    )


def _tag(value: str, option: str) -> dict[str, str]:
    key, equals, wanted = value.partition("=")
    key = key.strip()
    if not key:
        raise InputError("tag: needs a key, as in tag:Tier=web or tag:Tier", option)
    return {key: wanted.strip() if equals else "*"}


def _is_network(text: str) -> bool:
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return True


def _example(prefix: str) -> str:
    return {
        "address": "module.app.*",
        "type": "aws_instance",
        "kind": "database",
        "subnet": "aws_subnet.private",
        "network": "aws_vpc.main",
        "vpc": "aws_vpc.main",
        "vnet": "Microsoft.Network/virtualNetworks/hub",
        "sg": "aws_security_group.web",
        "cidr": "10.0.0.0/8",
    }[prefix]
