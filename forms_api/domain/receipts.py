"""Receipt numbers: typed by kind, dated, numbered per day, unique (ZX20261124-000123)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

PREFIXES = {
    "consultation": "ZX",
    "application": "SQ",
    "rating": "PJ",
    "case": "CP",
    "complaint": "TS",
    "visit": "HF",
    "audit": "SJ",
    "measure": "GJ",
}
"""咨询, 申请, 评价, 差评 (a case opened by a bad rating), 投诉建议, 回访, 审计 (the audit log's
entries), 改进 (an improvement measure)."""

PATTERN = re.compile(r"(?P<prefix>[A-Z]{2})(?P<day>\d{8})-(?P<n>\d{6})")


class Numbers:
    """Hands out the next number of a kind for a day; numbers already in the store are known
    from their keys, so numbering continues after a restart."""

    def __init__(self, existing: Iterable[str]) -> None:
        self._last: dict[tuple[str, str], int] = {}
        for key in existing:
            if match := PATTERN.fullmatch(key):
                slot = (match["prefix"], match["day"])
                self._last[slot] = max(self._last.get(slot, 0), int(match["n"]))

    def next(self, kind: str, day: dt.date) -> str:
        slot = (PREFIXES[kind], day.strftime("%Y%m%d"))
        number = self._last.get(slot, 0) + 1
        self._last[slot] = number
        return f"{slot[0]}{slot[1]}-{number:06d}"


def normalize(receipt_no: str) -> str:
    return receipt_no.strip().upper()


def kind_of(receipt_no: str) -> str | None:
    match = PATTERN.fullmatch(normalize(receipt_no))
    if not match:
        return None
    return next((kind for kind, prefix in PREFIXES.items() if prefix == match["prefix"]), None)
