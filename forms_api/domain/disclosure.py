"""信息公示专区 (annex F.4.3): the public facts of recent applications, without personal data.

Only the item, dates, status and a masked receipt number: enough for an applicant to find
their own application in the list, nothing about who applied. The page itself is
:mod:`forms_api.web.disclosure`.
"""

from __future__ import annotations

from typing import Any

from forms_api.storage.embedded import Store
from forms_api.storage.query import Query

LIMIT = 50
"""How many applications the list shows, newest first."""


def mask_receipt(receipt_no: str) -> str:
    """``SQ20261124-000123`` → ``SQ20261124-***123``: enough to recognise one's own, no more."""
    prefix, dash, serial = receipt_no.partition("-")
    return f"{prefix}{dash}***{serial[-3:]}" if dash else "***"


async def rows(store: Store, limit: int = LIMIT) -> list[dict[str, Any]]:
    """The public facts of the ``limit`` newest applications."""
    found = []
    for record in (await store.find(Query("application"), limit)).rows:
        found.append(
            {
                "receipt": mask_receipt(record["receipt_no"]),
                "item": record.get("item") or {},
                "submitted": record["submitted_at"][:10],
                "status": record["status"],
                "due_date": record.get("due_date"),
                "completed": (record.get("completed_at") or "")[:10] or None,
            }
        )
    return found
