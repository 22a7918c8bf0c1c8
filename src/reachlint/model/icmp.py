"""ICMP and ICMPv6 messages on the port axis of a traffic set: type * 256 + code, so that one
type with every code is one interval. AWS names them so (a security group rule's from_port and
to_port, a network ACL entry's icmp_type and icmp_code; -1 for every one); Azure does not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

Interval = tuple[int, int]
_LAST_CODE = 255


def message_range(icmp_type: int | None, code: int | None = None) -> Interval | None:
    """One type (None or outside 0-255: every message, None) and one code of it (None or
    outside 0-255: every code)."""
    if icmp_type is None or not 0 <= icmp_type <= 255:
        return None
    first = icmp_type * 256
    if code is None or not 0 <= code <= _LAST_CODE:
        return first, first + _LAST_CODE
    return first + code, first + code


def messages_text(intervals: Iterable[Interval]) -> list[str]:
    """Messages in words: "type 8", "types 0-7", "type 3 code 4", "type 3 codes 0-4"."""
    out: list[str] = []
    for lo, hi in intervals:
        first_type, first_code = divmod(lo, 256)
        last_type, last_code = divmod(hi, 256)
        if first_code:  # a type entered part way
            end = last_code if last_type == first_type else _LAST_CODE
            out.append(_one_type(first_type, first_code, end))
            first_type += 1
        if first_type > last_type:
            continue
        whole_last = last_type if last_code == _LAST_CODE else last_type - 1
        if whole_last == first_type:
            out.append(f"type {first_type}")
        elif whole_last > first_type:
            out.append(f"types {first_type}-{whole_last}")
        if last_code != _LAST_CODE:
            out.append(_one_type(last_type, 0, last_code))
    return out


_WORDS = re.compile(r"types? (\d{1,3})(?:-(\d{1,3}))?(?: codes? (\d{1,3})(?:-(\d{1,3}))?)?")


def messages_from_text(texts: Iterable[str]) -> list[Interval] | None:
    """messages_text read back; None (every message) for words it does not write."""
    found: list[Interval] = []
    for text in texts:
        read = _WORDS.fullmatch(text.strip())
        if read is None:
            return None
        first_type, last_text, low_text, high_text = read.groups()
        first = int(first_type)
        last = first if last_text is None else int(last_text)
        low = 0 if low_text is None else int(low_text)
        high = _LAST_CODE if low_text is None else int(high_text or low_text)
        if not first <= last <= 255 or not low <= high <= _LAST_CODE:
            return None
        if last != first and low_text is not None:
            return None  # codes belong to one type
        found.append((first * 256 + low, last * 256 + high))
    return found


def _one_type(icmp_type: int, first_code: int, last_code: int) -> str:
    if first_code == 0 and last_code == _LAST_CODE:
        return f"type {icmp_type}"
    codes = f"code {first_code}" if first_code == last_code else f"codes {first_code}-{last_code}"
    return f"type {icmp_type} {codes}"
