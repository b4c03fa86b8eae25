"""Receipt numbers: typed by kind, dated, numbered per day, unique (ZX20261124-000123)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Protocol

PREFIXES = {
    "consultation": "ZX",
    "application": "SQ",
    "rating": "PJ",
    "case": "CP",
    "complaint": "TS",
    "visit": "HF",
    "audit": "SJ",
    "measure": "GJ",
    "appointment": "YY",
    "registration": "BM",
}
"""咨询, 申请, 评价, 差评 (a case opened by a bad rating), 投诉建议, 回访, 审计 (the audit log's
entries), 改进 (an improvement measure), 预约 (a window appointment), 报名 (a lecture registration)."""

PATTERN = re.compile(r"(?P<prefix>[A-Z]{2})(?P<day>\d{8})-(?P<n>\d{6})")


class Counter(Protocol):
    async def next_number(self, series: str) -> int: ...


class Numbers:
    """Hands out the next number of a kind for a day. The store keeps the count of each
    series (kind and day), so numbering continues after a restart and is shared by every
    process that serves from the same store."""

    def __init__(self, store: Counter) -> None:
        self._store = store

    async def next(self, kind: str, day: dt.date) -> str:
        series = f"{PREFIXES[kind]}{day.strftime('%Y%m%d')}"
        return f"{series}-{await self._store.next_number(series):06d}"


def normalize(receipt_no: str) -> str:
    return receipt_no.strip().upper()


def kind_of(receipt_no: str) -> str | None:
    match = PATTERN.fullmatch(normalize(receipt_no))
    if not match:
        return None
    return next((kind for kind, prefix in PREFIXES.items() if prefix == match["prefix"]), None)
