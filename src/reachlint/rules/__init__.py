"""Reachability rules: the rules file format, the built-in pack and checking rules on flows."""

from reachlint.rules.evaluate import evaluate
from reachlint.rules.loader import load_rules, parse_selector
from reachlint.rules.pack import builtin_rules_dir, rule_doc
from reachlint.rules.ruleset import Entry, Rule, RuleSet
from reachlint.rules.schema import rules_schema
from reachlint.rules.selectors import EndSubject, Matcher, Selector, glob_match

__all__ = [
    "EndSubject",
    "Entry",
    "Matcher",
    "Rule",
    "RuleSet",
    "Selector",
    "builtin_rules_dir",
    "evaluate",
    "glob_match",
    "load_rules",
    "parse_selector",
    "rule_doc",
    "rules_schema",
]
