"""The audit log as a hash chain (8.2.6: tamper evidence).

Every audit entry the store writes carries ``prev``, the hash of the entry before it, and
``hash``, the SHA-256 of its own canonical JSON (keys sorted, no spaces, ``hash`` left out).
Editing an entry changes its hash, which no longer matches the one stored in it, and removing
or reordering entries breaks the next entry's ``prev``: :func:`verify` finds the first entry
where either happens.

The stores chain the entries as they write them, in the one order they are stored in: the
embedded store under a lock held until the write is durable (so a write the disk refuses leaves
the chain's head where it was), PostgreSQL under the row lock of the chain's head in the same
transaction (so every worker and host appends to one chain). An entry that comes already
chained (copied from another store by ``ipps store copy``) is kept as it is, and the head
moves to it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

CHAINED = "audit"
"""The kind of document the stores chain."""
GENESIS = "0" * 64
"""``prev`` of the first entry."""


def digest(document: Mapping[str, Any]) -> str:
    """The hash of ``document`` (its ``hash`` field left out)."""
    body = {key: value for key, value in document.items() if key not in ("hash", "_keys")}
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def link(document: dict[str, Any], head: str) -> str:
    """Chain ``document`` after ``head`` (in place, unless it comes chained); the new head."""
    if "hash" not in document:
        document["prev"] = head
        document["hash"] = digest(document)
    return str(document["hash"])


@dataclass(frozen=True)
class Verdict:
    entries: int
    """Entries looked at."""
    unchained: int
    """Entries written before the log was chained (at the start, by an earlier version)."""
    broken_at: int | None = None
    """Position (1-based) of the first entry that fails, or None."""
    number: str = ""
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify(entries: Iterable[Mapping[str, Any]]) -> Verdict:
    """Walk ``entries`` in the order stored: the first that was edited, or whose ``prev`` is not
    its predecessor's hash (one removed, inserted or moved), with why (Chinese)."""
    head, count, unchained = GENESIS, 0, 0
    for count, entry in enumerate(entries, start=1):
        number = str(entry.get("audit_no", ""))
        if "hash" not in entry:
            if head == GENESIS and unchained == count - 1:
                unchained += 1  # from before the chain began
                continue
            return Verdict(count, unchained, count, number, "该条记录缺少校验值（可能被替换或插入）")
        if entry.get("prev") != head:
            return Verdict(
                count, unchained, count, number, "与前一条记录的链接不符（前面有记录被删除、插入或调换）"
            )
        if digest(entry) != entry["hash"]:
            return Verdict(count, unchained, count, number, "内容与校验值不符（该条记录被改动过）")
        head = str(entry["hash"])
    return Verdict(count, unchained)
