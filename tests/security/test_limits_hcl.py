"""A Terraform directory that asks for unbounded work is refused in seconds, with its file and
line and the limit it passed: exit 2, never a MemoryError, RecursionError or a hang."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.security.subprocess_run import VPC, run, terraform, write


def check(directory: Path) -> list[str]:
    return ["check", str(directory), "--format", "json", "--no-builtin"]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        pytest.param(
            'resource "aws_security_group" "many" {\n  count = 100000000\n}',
            2,
            ["count asks for 100,000,000 instances", "10,000 instances of one resource"],
            id="count",
        ),
        pytest.param(
            'resource "aws_security_group" "many" {\n'
            '  for_each = toset([for i in range(1000) : format("%d-%d", i, i)])\n}\n'
            'resource "aws_security_group" "more" {\n'
            "  for_each = { for pair in setproduct(range(200), range(200)) : "
            'join("-", pair) => pair }\n}',
            5,
            ["for_each asks for 40,000 instances", "10,000 instances of one resource"],
            id="for_each",
        ),
        pytest.param(
            'locals {\n  padded = format("%999999999s", "x")\n}',
            2,
            ["format() asks for a width of 999,999,999", "limit of 1,000,000"],
            id="format-width",
        ),
        pytest.param(
            'locals {\n  padded = format("%.999999999f", 1)\n}',
            2,
            ["format() asks for a width of 999,999,999"],
            id="format-precision",
        ),
        pytest.param(
            "locals {\n  cube = setproduct(range(1024), range(1024), range(1024))\n}",
            2,
            ["setproduct() makes a collection of 1,048,576 elements", "100,000 elements"],
            id="setproduct",
        ),
        pytest.param(
            'locals {\n  wide = indent(999999999, "a\\nb")\n}',
            2,
            ["indent() makes a string of 1,000,000,002 characters"],
            id="indent",
        ),
        pytest.param(
            'locals {\n  l = [for i in range(5) : format("%1000000s", i)]\n'
            '  big = join("", local.l)\n}',
            3,
            ["join() makes a string of", "4,194,304 characters"],
            id="join",
        ),
        pytest.param(
            "locals {\n  l1 = [for i in range(1000) : [for j in range(1000) : j]]\n"
            "  l2 = flatten([for i in range(10) : local.l1])\n}",
            3,
            ["flatten() makes a collection of", "100,000 elements"],
            id="flatten",
        ),
        pytest.param(
            'locals {\n  s = format("%1000000s", "x")\n  r = replace(local.s, " ", local.s)\n}',
            3,
            ["replace() makes a string of", "4,194,304 characters"],
            id="replace",
        ),
        pytest.param(
            'locals {\n  s = format("%1000000s", "x")\n'
            '  l = [for i in range(1000) : "${local.s}${i}"]\n}',
            3,
            ["the evaluation makes too many values", "268,435,456 bytes per input"],
            id="volume",
        ),
        pytest.param(
            "locals {\n  l1 = [for i in range(1000) : i]\n"
            "  l2 = [for i in range(1000) : local.l1]\n"
            "  l3 = [for i in range(1000) : local.l2]\n}",
            4,
            ["the evaluation makes too many values"],
            id="shared-lists",
        ),
        pytest.param(
            "locals {\n  l1 = [for i in range(1000) : i]\n"
            "  l2 = [for i in range(1000) : local.l1]\n"
            "  text = jsonencode([for i in range(1000) : local.l2])\n}",
            4,
            ["jsonencode() makes a string of", "4,194,304 characters"],
            id="jsonencode-shared-lists",
        ),
    ],
)
def test_a_value_too_large_is_refused_with_its_line(
    text: str, line: int, words: list[str], tmp_path: Path
) -> None:
    terraform(tmp_path, text)
    run(*check(tmp_path), cwd=tmp_path).refused(f"main.tf:{line}:", *words)


def test_a_chain_of_locals_that_doubles_a_string_stops_at_the_string_limit(
    tmp_path: Path,
) -> None:
    doubling = [f'  s{i} = "${{local.s{i - 1}}}${{local.s{i - 1}}}"' for i in range(1, 64)]
    terraform(tmp_path, "\n".join(["locals {", '  s0 = "xxxxxxxxxxxxxxxx"', *doubling, "}"]))
    outcome = run(*check(tmp_path), cwd=tmp_path)
    # 16 characters doubled 18 times is 4,194,304, the limit; the 19th doubling passes it.
    outcome.refused("main.tf:21:", "the template makes a string of 8,388,608 characters")


def test_a_module_that_calls_itself_stops_at_the_module_depth(tmp_path: Path) -> None:
    terraform(tmp_path, 'module "again" {\n  source = "./"\n  count  = 2\n}')
    outcome = run(*check(tmp_path), cwd=tmp_path)
    outcome.refused("main.tf:1:", 'module "again" sits 41 modules deep', "40 levels of modules")


def test_a_module_that_calls_itself_with_a_counter_stops_at_the_module_total(
    tmp_path: Path,
) -> None:
    """Thirty levels, each doubling: a billion module instances within the depth limit."""
    terraform(
        tmp_path,
        'variable "depth" {\n  type    = number\n  default = 30\n}\n'
        'module "again" {\n  source = "./"\n  count  = var.depth > 0 ? 2 : 0\n'
        "  depth  = var.depth - 1\n}",
    )
    outcome = run(*check(tmp_path), cwd=tmp_path)
    outcome.refused("main.tf:5:", "module instances", "10,000 module instances in total")


def test_many_resources_in_modules_stop_at_the_instance_total(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": 'module "zone" {\n  source = "./zone"\n  count  = 20\n}\n' + VPC,
            "zone/main.tf": 'resource "aws_subnet" "s" {\n  count      = 9000\n'
            '  vpc_id     = "vpc-1"\n  cidr_block = "10.0.0.0/24"\n}\n',
        },
    )
    outcome = run(*check(tmp_path), cwd=tmp_path)
    outcome.refused("zone/main.tf:1:", "100,000 instances in total")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        pytest.param(
            "x = " + "(" * 100_000 + "1" + ")" * 100_000, ["levels of nesting"], id="parens"
        ),
        pytest.param("x = " + "[" * 100_000 + "]" * 100_000, ["levels of nesting"], id="tuples"),
        pytest.param("x = " + "!" * 100_000 + "true", ["levels of nesting"], id="not"),
        pytest.param(
            "x = " + '"${' * 10_000 + "1" + '}"' * 10_000, ["levels of nesting"], id="templates"
        ),
        pytest.param(
            'x = "' + "%{if true}" * 10_000 + "%{endif}" * 10_000 + '"',
            ["levels of nesting"],
            id="directives",
        ),
        pytest.param(
            "x = " + "+".join(["1"] * 100_000), ["2,000 levels of evaluation"], id="long-sum"
        ),
        pytest.param(
            "x = {a = 1}\n  y = local.x" + ".a" * 100_000,
            ["2,000 levels of evaluation"],
            id="long-traversal",
        ),
    ],
)
def test_an_expression_nested_too_deeply_is_refused(
    text: str, words: list[str], tmp_path: Path
) -> None:
    terraform(tmp_path, "locals {\n  " + text + "\n}")
    run(*check(tmp_path), cwd=tmp_path).refused("main.tf:", *words)


def test_blocks_nested_too_deeply_are_refused(tmp_path: Path) -> None:
    terraform(tmp_path, "a {\n" * 10_000 + "}\n" * 10_000)
    run(*check(tmp_path), cwd=tmp_path).refused("main.tf:257:", "256 levels of nesting")


def test_a_long_chain_of_locals_is_refused_with_a_line(tmp_path: Path) -> None:
    chain = [f"  l{i} = local.l{i + 1} + 1" for i in range(20_000)]
    terraform(tmp_path, "\n".join(["locals {", *chain, "  l20000 = 1", "}"]))
    run(*check(tmp_path), cwd=tmp_path).refused("main.tf:", "2,000 levels of evaluation")


def test_evaluation_that_takes_too_long_stops_at_the_time_budget(tmp_path: Path) -> None:
    """Small values, a billion steps: only the clock stops it (shortened here to 2 s)."""
    terraform(
        tmp_path,
        "locals {\n  n = length([for i in range(1000) : [for j in range(1000) : "
        "[for k in range(1000) : k]]])\n}",
    )
    # The byte budget out of the way: on a fast machine the values made would reach it first.
    prelude = (
        "import reachlint.limits as limits\nlimits.MAX_EVALUATION_SECONDS = 2.0\n"
        "limits.MAX_EVALUATION_BYTES = 1 << 40"
    )
    outcome = run(*check(tmp_path), cwd=tmp_path, prelude=prelude)
    outcome.refused("main.tf:2:", "the evaluation takes too long", "2 seconds")
    assert outcome.seconds < 15


def test_a_huge_integer_is_not_computed(tmp_path: Path) -> None:
    """Squaring a number 40 times would make an integer of a trillion bits."""
    squares = [f"  n{i} = local.n{i - 1} * local.n{i - 1}" for i in range(1, 41)]
    terraform(
        tmp_path,
        "\n".join(["locals {", "  n0 = 3", *squares, "}"])
        + '\nresource "aws_vpc" "tagged" {\n  cidr_block = "10.1.0.0/16"\n'
        "  tags = { n = local.n40 }\n}\n",
    )
    outcome = run(*check(tmp_path), cwd=tmp_path)
    assert outcome.code == 0, outcome.stderr
    assert outcome.seconds < 15


def test_a_file_below_the_input_that_links_to_a_device_is_not_read(tmp_path: Path) -> None:
    """Not part of the configuration, but searched for suppression comments: the link leads
    outside the input's root, so it is refused before anything is read from it."""
    terraform(tmp_path, "")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "ignored.tf").symlink_to("/dev/zero")
    run(*check(tmp_path), cwd=tmp_path).refused("ignored.tf", "leads outside", "--root")


def test_a_module_manifest_that_links_to_a_device_is_refused(tmp_path: Path) -> None:
    terraform(tmp_path, "")
    manifest = tmp_path / ".terraform" / "modules" / "modules.json"
    manifest.parent.mkdir(parents=True)
    manifest.symlink_to("/dev/zero")
    run(*check(tmp_path), cwd=tmp_path).refused("modules.json", "leads outside")


def test_a_configuration_file_larger_than_the_limit_is_refused(tmp_path: Path) -> None:
    terraform(tmp_path, "")
    with (tmp_path / "huge.tf").open("wb") as huge:
        huge.truncate(2 * 1024**3)  # sparse: two gigabytes that take no disk
    run(*check(tmp_path), cwd=tmp_path).refused(
        "huge.tf", "2,147,483,648 bytes", "16,777,216 bytes"
    )
