"""ICMP messages: the type and code AWS rules name, on the port axis as type * 256 + code, and
the words reports use for them (read back by the diagram's legend)."""

from __future__ import annotations

import pytest

from reachlint.model.icmp import message_range, messages_from_text, messages_text
from reachlint.model.traffic import ALL_PORTS, IntervalSet, Traffic, parse_protocol


@pytest.mark.parametrize(
    ("icmp_type", "code", "expected"),
    [
        (8, None, (2048, 2303)),  # echo request, every code
        (8, 0, (2048, 2048)),
        (3, 4, (772, 772)),  # destination unreachable: fragmentation needed
        (0, 0, (0, 0)),  # echo reply: what from_port = 0, to_port = 0 names
        (None, None, None),
        (-1, -1, None),  # AWS's "every type"
        (256, 0, None),  # no such type: read as every message, as unknown ports are
        (3, -1, (768, 1023)),  # every code of type 3
    ],
)
def test_a_type_and_code_are_one_range(
    icmp_type: int | None, code: int | None, expected: tuple[int, int] | None
) -> None:
    assert message_range(icmp_type, code) == expected


@pytest.mark.parametrize(
    ("intervals", "words"),
    [
        ([(2048, 2303)], ["type 8"]),
        ([(0, 2047), (2304, 65535)], ["types 0-7", "types 9-255"]),
        ([(772, 772)], ["type 3 code 4"]),
        ([(768, 772)], ["type 3 codes 0-4"]),
        # A range that starts and ends part way through a type.
        ([(772, 1282)], ["type 3 codes 4-255", "type 4", "type 5 codes 0-2"]),
        ([(769, 1023)], ["type 3 codes 1-255"]),
    ],
)
def test_messages_read_as_words_and_back(
    intervals: list[tuple[int, int]], words: list[str]
) -> None:
    assert messages_text(intervals) == words
    assert IntervalSet(messages_from_text(words) or []) == IntervalSet(intervals)


@pytest.mark.parametrize(
    "words", [["echo"], ["type 300"], ["types 9-3"], ["types 3-5 codes 0-2"], ["type 3 code 9-1"]]
)
def test_words_it_does_not_write_stand_for_every_message(words: list[str]) -> None:
    assert messages_from_text(words) is None


def test_messages_bind_only_icmp_and_icmpv6() -> None:
    echo = IntervalSet([message_range(8) or (0, 0)])
    box = Traffic.box(messages=echo)
    assert box.text() == "tcp 0-65535; udp 0-65535; icmp type 8; icmpv6 type 8; other"
    assert Traffic.box(parse_protocol("tcp"), messages=echo) == Traffic.box(parse_protocol("tcp"))
    # Every message is the protocol whole, in the same canonical form as before.
    assert Traffic.box(parse_protocol("icmp"), messages=ALL_PORTS) == Traffic.box(
        parse_protocol("icmp")
    )
    everything_but_echo = Traffic.box(parse_protocol("icmp")) - Traffic.box(
        parse_protocol("icmp"), messages=echo
    )
    assert everything_but_echo.describe() == [
        {"protocol": "icmp", "messages": ["types 0-7", "types 9-255"]}
    ]


def test_a_part_by_addresses_keeps_its_messages() -> None:
    echo = Traffic.box(parse_protocol("icmp"), messages=IntervalSet([message_range(8) or (0, 0)]))
    office = IntervalSet([(3405803776, 3405804031)])  # 203.0.113.0/24
    https = Traffic.box(parse_protocol("tcp"), office, IntervalSet([(443, 443)]))
    parts = [(addresses, part.text()) for addresses, part in (echo | https).by_addresses()]
    assert [text for _, text in parts] == ["icmp type 8", "tcp 443"]


def test_a_baseline_reads_the_messages_it_recorded() -> None:
    # A baseline entry for "icmp type 8 code 0" must not cover every ICMP message.
    from reachlint.commands.changes.baseline import entries_traffic
    from reachlint.rules.findings import TrafficEntry, entries_text

    recorded = [TrafficEntry(protocol="icmp", messages=["type 8 code 0"])]
    assert entries_traffic(recorded) == Traffic.box(
        parse_protocol("icmp"), messages=IntervalSet([(2048, 2048)])
    )
    assert entries_text(recorded) == "icmp type 8 code 0"
