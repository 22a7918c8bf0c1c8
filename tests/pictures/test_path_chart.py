"""A finding's path in a pull-request comment: top to bottom, one address per box, the reason
on each arrow, and a filter passed twice told apart by its direction."""

from __future__ import annotations

from reachlint.reports.path_chart import path_flowchart
from reachlint.reports.places import Step


def _step(address: str, detail: str = "", *, end: bool = False) -> Step:
    return Step(address, "kind-not-shown", detail, None, end=end)


def test_a_path_runs_down_with_the_reason_on_each_arrow() -> None:
    chart = path_flowchart(
        [
            _step("internet", end=True),
            _step("aws_internet_gateway.main", "admits internet traffic"),
            _step("aws_security_group.web", "aws_security_group.web allows tcp 22 from 0.0.0.0/0"),
            _step("aws_instance.web", end=True),
        ],
        "tcp 22",
    )
    assert chart == [
        "flowchart TB",
        '  s0(["internet"])',
        '  s1["aws_internet_gateway.main"]',
        '  s2["aws_security_group.web"]',
        '  s3(["aws_instance.web"])',
        '  s0 -- "tcp 22" --> s1',
        '  s1 -- "admits internet traffic" --> s2',
        '  s2 -- "allows tcp 22 from 0.0.0.0/0" --> s3',
    ]


def test_a_filter_passed_out_then_in_says_which_is_which() -> None:
    acl = "aws_vpc.main.default_network_acl"
    chart = path_flowchart(
        [
            _step("aws_instance.client", end=True),
            _step(acl, f"{acl} rule 100 allows all to 0.0.0.0/0"),
            _step(acl, f"{acl} rule 100 allows all from 0.0.0.0/0"),
            _step("aws_instance.server", end=True),
        ],
        "tcp 80",
    )
    assert f'  s1["{acl} · out"]' in chart
    assert f'  s2["{acl} · in"]' in chart
    assert '  s1 -- "rule 100 allows all to 0.0.0.0/0" --> s2' in chart


def test_a_step_repeated_without_a_direction_is_numbered() -> None:
    chart = path_flowchart(
        [
            _step("a", end=True),
            _step("aws_security_group.shared", "applies"),
            _step(
                "aws_security_group.shared", "aws_security_group.shared allows all to 10.0.0.0/8"
            ),
            _step("aws_security_group.shared", "applies again"),
            _step("b", end=True),
        ],
        "all",
    )
    names = [line for line in chart if "aws_security_group.shared ·" in line and "--" not in line]
    assert names == [
        '  s1["aws_security_group.shared · pass 1"]',
        '  s2["aws_security_group.shared · out"]',
        '  s3["aws_security_group.shared · pass 2"]',
    ]


def test_a_long_address_is_cut_in_its_middle_keeping_both_ends() -> None:
    from reachlint.reports.path_chart import NAME_LIMIT, _short

    name = (
        "DatabaseSecurityGroupfromProdWebAppStackBastionInstanceSecurityGroupC01E8C43IndirectPort"
    )
    short = _short(name)
    assert len(short) <= NAME_LIMIT and "…" in short
    assert short.startswith("DatabaseSecurityGroup") and short.endswith("IndirectPort")
    assert _short("BastionInstance") == "BastionInstance"
