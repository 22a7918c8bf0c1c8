"""AWS Network Firewall from a Terraform plan: engines, order, defaults and unknowns.

AWS: https://docs.aws.amazon.com/network-firewall/latest/developerguide/firewall-rules-engines.html
and .../suricata-rule-evaluation-order.html (strict order; action order: pass before drop).
"""

from __future__ import annotations

from pathlib import Path

from reachlint.commands.check import run_check
from reachlint.inputs.load import build_model
from reachlint.model.network import FirewallPolicy, PortRange
from reachlint.providers.aws.firewall import PolicyBuilder, Variables, header_ports
from reachlint.sources import UNKNOWN, Origin

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "aws" / "network-firewall-igw"


def test_policy_from_the_plan() -> None:
    model = build_model([FIXTURE / "plan.json"])
    firewall = model.gateways["aws_networkfirewall_firewall.main"]
    assert (firewall.kind, firewall.subnet) == ("firewall", "aws_subnet.firewall")
    policy = firewall.policy
    assert policy is not None
    assert [(s.name, s.default) for s in policy.stages] == [
        ("stateless engine", "next"),
        ("stateful engine", "deny"),
    ]
    assert [(r.stage, r.name, r.action) for r in policy.rules] == [
        (0, "priority 10", "deny"),
        (1, "sid 1", "allow"),
        (1, "sid 2", "allow"),
        (1, "domain allow list", "allow"),
        (1, "domain allow list: other domains", "deny"),
    ]
    ssh = policy.rules[0]
    assert ssh.protocols == ["6"] and ssh.destination_ports == [PortRange(low=22, high=22)]
    assert policy.rules[3].sources.cidrs == ["10.0.0.0/16"]  # $HOME_NET: the VPC
    # Routes through the endpoint and the gateway's edge route table.
    public = model.route_tables["aws_route_table.public"].routes[0]
    assert (public.target_kind, public.target) == ("virtual-appliance", firewall.address)
    assert model.route_tables["aws_route_table.igw"].edge_gateways == ["aws_internet_gateway.main"]


def test_domain_list_is_named_in_the_findings_it_opens() -> None:
    rules = [FIXTURE / "rules.yaml"]
    report = run_check([FIXTURE / "plan.json"], rules, builtin=False, assume_unknown="open")
    (egress,) = [f for f in report.findings if f.rule == "WEB-EGRESS"]
    assert any(
        u.startswith("aws_networkfirewall_rule_group.domains: stateful rule domain allow list")
        for u in egress.depends_on_unknown
    )


def _stateful(action_order: bool) -> FirewallPolicy:
    builder = PolicyBuilder(
        FirewallPolicy(address="p", type="t"), Variables([]), lambda *_: Origin()
    )

    def rule(action: str, port: str) -> dict[str, object]:
        header = {"source": "ANY", "source_port": "ANY", "destination": "ANY",
                  "destination_port": port, "direction": "FORWARD", "protocol": "TCP"}  # fmt: skip
        return {"action": action, "header": [header], "rule_option": []}

    definition = [{"rules_source": [{"stateful_rule": [
        rule("DROP", "ANY"), rule("PASS", "443")]}]}]  # fmt: skip
    builder.stateful_group("g", "aws_networkfirewall_rule_group", "g", definition, 1)
    order = "DEFAULT_ACTION_ORDER" if action_order else "STRICT_ORDER"
    defaults = [] if action_order else ["aws:drop_established"]
    settings = {
        "stateful_engine_options": [{"rule_order": order}],
        "stateful_default_actions": defaults,
    }
    return builder.done([settings])


def test_action_order_passes_before_it_drops_and_strict_order_keeps_the_written_order() -> None:
    by_action = _stateful(action_order=True)
    assert [r.action for r in by_action.rules] == ["allow", "deny"]
    assert by_action.stages[1].default == "allow"
    strict = _stateful(action_order=False)
    assert [r.action for r in strict.rules] == ["deny", "allow"]
    assert strict.stages[1].default == "deny"


def test_suricata_port_ranges_open_at_either_end() -> None:
    # Suricata (as Snort): "1024:" is 1024 and up, ":1023" is 1023 and down.
    assert header_ports("1024:") == ([PortRange(low=1024, high=65535)], None)
    assert header_ports(":1023") == ([PortRange(low=0, high=1023)], None)
    assert header_ports("[80, 8000:8080]") == (
        [PortRange(low=80, high=80), PortRange(low=8000, high=8080)],
        None,
    )
    assert header_ports("ANY") == (None, None)


def test_ports_a_rule_cannot_hold_are_named_not_read() -> None:
    for written in ("70000", "100:90", "[80,]", "$HTTP_PORTS", "!22", "http"):
        assert header_ports(written) == (None, f"ports {written}")


def test_values_of_the_wrong_type_are_passed_over_not_an_internal_error() -> None:
    # A plan is the pull request's to write: lists where Terraform writes lists, or not.
    builder = PolicyBuilder(
        FirewallPolicy(address="p", type="t"), Variables([]), lambda *_: Origin()
    )
    match = {"protocols": [True, "6", 17], "destination_port": [{"from_port": 53, "to_port": 53}]}
    rules = [
        {"priority": 1, "rule_definition": [{"actions": actions, "match_attributes": [match]}]}
        for actions in (True, ["aws:pass"])
    ]
    definition = [{"rules_source": [{"stateless_rules_and_custom_actions": [
        {"stateless_rule": rules}]}]}]  # fmt: skip
    builder.stateless_group("g", "aws_networkfirewall_rule_group", "g", definition, 1)
    lists = [{"targets": {"a": 1}, "target_types": 7, "generated_rules_type": "ALLOWLIST"}]
    builder.stateful_group(
        "d", "aws_networkfirewall_rule_group", "d", [{"rules_source": [
            {"rules_source_list": lists}]}], 2)  # fmt: skip
    policy = builder.done(
        [{"stateless_default_actions": [["aws:pass"], 3], "stateful_default_actions": True}]
    )
    # The rule without a list of actions decides nothing; the other reads its one protocol.
    stateless = [r for r in policy.rules if r.stage == 0]
    assert [(r.action, r.protocols) for r in stateless] == [("allow", ["17"])]
    assert policy.stages[0].default == "next"


def test_stateless_ports_known_only_after_apply_or_refused_make_the_rule_undecidable() -> None:
    builder = PolicyBuilder(
        FirewallPolicy(address="p", type="t"), Variables([]), lambda *_: Origin()
    )
    ports = [
        [{"from_port": 22, "to_port": UNKNOWN}],  # to_port = var.x, known after apply
        [{"from_port": 0, "to_port": 70000}],  # AWS refuses ports above 65535
        [{"from_port": 443, "to_port": 443}],
    ]
    rules = [
        {
            "priority": p,
            "rule_definition": [
                {"actions": ["aws:pass"], "match_attributes": [{"destination_port": written}]}
            ],
        }
        for p, written in enumerate(ports, start=1)
    ]
    definition = [{"rules_source": [{"stateless_rules_and_custom_actions": [
        {"stateless_rule": rules}]}]}]  # fmt: skip
    builder.stateless_group("g", "aws_networkfirewall_rule_group", "g", definition, 1)
    policy = builder.done([{}])
    assert [(r.undecidable, r.destination_ports) for r in policy.rules] == [
        ("ports not known", None),
        ("ports 0-70000", None),
        (None, [PortRange(low=443, high=443)]),
    ]


def test_a_stateful_rule_whose_port_is_not_known_is_named_and_closed_drops_it(
    tmp_path: Path,
) -> None:
    # The fixture read as a directory, sid 1 passing `destination_port = var.https_port`, a
    # variable without a value: what it passes is not known. Open, the internet reaches tcp 443
    # through it, named; closed, nothing (the security group admits 22 and 443, the stateless
    # group drops 22). Read as every port, it passed 443 for certain under both.
    main = (FIXTURE / "main.tf").read_text()
    written = 'destination      = "10.0.2.0/24"\n          destination_port = "443"'
    assert main.count(written) == 1
    (tmp_path / "main.tf").write_text(main.replace(written, written.replace('"443"', "var.port")))
    (tmp_path / "providers.tf").write_text((FIXTURE / "providers.tf").read_text())
    (tmp_path / "variables.tf").write_text('variable "port" {\n  type = string\n}\n')
    found = {}
    for assume in ("open", "closed"):
        report = run_check([tmp_path], [FIXTURE / "rules.yaml"], builtin=False,
                           assume_unknown=assume)  # fmt: skip
        found[assume] = [
            (f.traffic[0].protocol, f.traffic[0].ports, f.depends_on_unknown)
            for f in report.findings
            if f.rule == "INTERNET-TO-WEB"
        ]
    assert found == {
        "open": [
            (
                "tcp",
                [(443, 443)],
                ["aws_networkfirewall_rule_group.https: stateful rule sid 1 (ports not known)"],
            )
        ],
        "closed": [],
    }


def test_stateless_and_stateful_values_not_known_make_the_rule_undecidable_and_wide() -> None:
    # A protocol, an address or an action not known (known only after apply, a variable without
    # a value) is no protocol, address or action at all: the rule may match any, named; AWS
    # matches any address or protocol listed, so what is known of a list is decided for sure
    # first. An action not known may allow or deny (`action_known`). Before, unknown protocols
    # matched all protocols for certain, unknown addresses none, an unknown action dropped
    # the rule.
    builder = PolicyBuilder(
        FirewallPolicy(address="p", type="t"), Variables([]), lambda *_: Origin()
    )
    attributes = [
        {"protocols": UNKNOWN, "destination_port": [{"from_port": 22, "to_port": 22}]},
        {"protocols": [6], "source": [{"address_definition": UNKNOWN}]},
        {"protocols": [6, UNKNOWN], "source": [{"address_definition": "0.0.0.0/0"},
                                               {"address_definition": UNKNOWN}]},
    ]  # fmt: skip
    rules = [
        {"priority": p, "rule_definition": [{"actions": ["aws:drop"], "match_attributes": [a]}]}
        for p, a in enumerate(attributes, start=1)
    ]
    rules.append({"priority": 4, "rule_definition": [{"actions": UNKNOWN}]})
    definition = [{"rules_source": [{"stateless_rules_and_custom_actions": [
        {"stateless_rule": rules}]}]}]  # fmt: skip
    builder.stateless_group("g", "aws_networkfirewall_rule_group", "g", definition, 1)
    header = {"source": UNKNOWN, "destination": "ANY", "destination_port": "443",
              "protocol": UNKNOWN}  # fmt: skip
    stateful = [{"rules_source": [{"stateful_rule": [
        {"action": UNKNOWN, "header": [header]}]}]}]  # fmt: skip
    builder.stateful_group("s", "aws_networkfirewall_rule_group", "s", stateful, 1)
    policy = builder.done([{}])
    assert [
        (r.name, r.action, r.action_known, r.protocols, r.sources.any, r.sources.cidrs,
         r.undecidable)
        for r in policy.rules
    ] == [
        ("priority 1", "deny", True, ["*"], True, [], "protocols not known"),
        ("priority 2", "deny", True, ["6"], True, [], "source addresses not known"),
        ("priority 3", "deny", True, ["6"], False, ["0.0.0.0/0"], None),
        ("priority 3", "deny", True, ["*"], True, [],
         "source addresses, protocols not known"),
        ("priority 4", "allow", False, ["*"], True, [], "action not known"),
        ("sid 0", "allow", False, ["*"], True, [],
         "action not known; an address not known; protocol not known"),
    ]  # fmt: skip


def test_an_action_not_known_passes_when_open_and_drops_when_closed(tmp_path: Path) -> None:
    # The fixture's stateless rule dropping tcp 22 with `actions = [var.action]`: it may drop,
    # pass or hand on. Open, the internet reaches tcp 22 too, resting on the rule; closed, the
    # rule drops all it matches (tcp to 10.0.2.0/24, port 22), so 443 still passes.
    main = (FIXTURE / "main.tf").read_text()
    written = 'actions = ["aws:drop"]'
    assert main.count(written) == 1
    (tmp_path / "main.tf").write_text(main.replace(written, "actions = [var.action]"))
    (tmp_path / "providers.tf").write_text((FIXTURE / "providers.tf").read_text())
    (tmp_path / "variables.tf").write_text('variable "action" {\n  type = string\n}\n')
    found = {}
    for assume in ("open", "closed"):
        report = run_check([tmp_path], [FIXTURE / "rules.yaml"], builtin=False,
                           assume_unknown=assume)  # fmt: skip
        found[assume] = [
            ([(t.protocol, t.ports) for t in f.traffic], f.depends_on_unknown)
            for f in report.findings
            if f.rule == "INTERNET-TO-WEB"
        ]
    rule = "aws_networkfirewall_rule_group.drop_ssh: stateless rule priority 10 (action not known)"
    assert found == {
        "open": [([("tcp", [(22, 22), (443, 443)])], [rule])],
        "closed": [([("tcp", [(443, 443)])], None)],
    }
