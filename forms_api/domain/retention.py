"""Personal data kept no longer than the privacy page says (隐私政策，保存多久).

A record's personal data is erased once its kind's retention period (:data:`DEFAULT_DAYS`,
changed with the ``retention_days`` setting) has passed since it was closed: a consultation or
complaint answered, a return visit made, a 差评 case closed, an application completed or
refused; a rating from the day it was given. Records still open are kept, whatever their age.
Applications are business archives kept under the national archive rules, so by default
they are not erased (``application=0``); a centre whose archive rules give a period sets it.

Erasing keeps what the statistics and the evaluation report need (kind, numbers, item,
department, states, dates, levels) and removes the rest: the person's name, contact details
and ID number, free texts (subject, message, reply, comment, notes), and uploaded materials
and result documents. Each record is erased in one store write with its audit entry (actor
系统), so the audit log says when and what, without the data.

:func:`due_for_erasure` selects; the daily ``retention`` job (:mod:`.jobs.housekeeping`) and
``ipps retention --dry-run`` both use it, so the dry run lists exactly what the job erases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from forms_api.storage.query import Query
from generator.workdays import china_tz

from .transfer import stored_files
from .workflow.rules import COMPLETED, REFUSED, REPLIED, VISITED

DEFAULT_DAYS = {
    "consultation": 3 * 365,
    "complaint": 3 * 365,
    "visit": 3 * 365,
    "case": 3 * 365,
    "rating": 3 * 365,
    "application": 0,
}
"""Days from closing to erasure, as the privacy page states them (0: not erased)."""

CLOSED = {
    "application": {COMPLETED, REFUSED},
    "consultation": {REPLIED},
    "complaint": {REPLIED},
    "case": {COMPLETED},
    "visit": {VISITED},
}

PERSONAL = (
    "name",
    "email",
    "phone_enc",
    "phone_masked",
    "id_number_enc",
    "id_number_masked",
    "subject",
    "message",
    "comment",
)
"""Fields of a record (and of an application's ``applicant``) that are erased."""

ERASED = "（已按保存期限删除）"


def periods(retention: Mapping[str, int]) -> dict[str, int]:
    """The retention days of every kind: the defaults with the settings' changes."""
    return {**DEFAULT_DAYS, **retention}


def closed_on(record: Mapping[str, Any]) -> dt.date | None:
    """The day ``record`` was closed (a rating: the day it was given); None while open."""
    kind = record.get("kind")
    if kind == "rating":
        return _day(record.get("submitted_at"))
    if record.get("status") not in CLOSED.get(str(kind), ()):
        return None
    timeline = record.get("timeline") or [{}]
    return _day(timeline[-1].get("at")) or _day(record.get("submitted_at"))


def _day(stamp: Any) -> dt.date | None:
    if not stamp:
        return None
    moment = dt.datetime.fromisoformat(str(stamp))
    return (moment.astimezone(china_tz()) if moment.tzinfo else moment).date()


def queries(days: Mapping[str, int], today: dt.date) -> dict[str, Query]:
    """Per kind with a period: the records created early enough to be due (closing comes after
    creation, so only these can be), for :func:`due_for_erasure` to check one by one."""
    return {
        kind: Query(kind, created_until=today - dt.timedelta(days=period))
        for kind, period in days.items()
        if period > 0
    }


def due_for_erasure(record: Mapping[str, Any], days: Mapping[str, int], today: dt.date) -> bool:
    period = days.get(str(record.get("kind")), 0)
    if period <= 0 or record.get("erased_at"):
        return False
    closed = closed_on(record)
    return closed is not None and closed <= today - dt.timedelta(days=period)


def erasure(record: Mapping[str, Any], at: dt.datetime) -> dict[str, Any]:
    """The changes that erase ``record``'s personal data (files are removed by the caller)."""
    changes: dict[str, Any] = {field: _blank(field) for field in PERSONAL if record.get(field)}
    if isinstance(record.get("applicant"), Mapping):
        applicant = dict(record["applicant"])
        applicant.update({field: _blank(field) for field in PERSONAL if applicant.get(field)})
        changes["applicant"] = applicant
    if isinstance(record.get("reply"), Mapping):
        changes["reply"] = {**record["reply"], "text": ERASED}
    if isinstance(record.get("return_visit"), Mapping):
        changes["return_visit"] = {**record["return_visit"], "note": ERASED}
    for field in ("materials", "result"):
        if record.get(field):
            changes[field] = _without_files(record[field])
    if record.get("timeline"):
        changes["timeline"] = [{**step, "note": ""} for step in record["timeline"]]
    for field in ("corrections", "fields", "refusal_reason", "overdue_reason"):
        if record.get(field):
            changes[field] = ERASED if isinstance(record[field], str) else None
    changes["erased_at"] = at.isoformat(timespec="seconds")
    return changes


def files_of(record: Mapping[str, Any]) -> list[Any]:
    """The stored files ``record`` names (removed once its erasure is stored)."""
    return list(stored_files(record))


def _blank(field: str) -> Any:
    return ERASED if field in ("name", "subject", "message") else ""


def _without_files(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            k: _without_files(v) for k, v in value.items() if k not in ("stored_name", "sha256", "file_name")
        }
    if isinstance(value, list):
        return [_without_files(v) for v in value]
    return value


def key_of(record: Mapping[str, Any]) -> str:
    """The key ``record`` is stored under (a rating's own number, else the receipt number)."""
    return str(record["rating_no"] if record.get("kind") == "rating" else record["receipt_no"])


def listing(
    records: Iterator[Mapping[str, Any]], days: Mapping[str, int], today: dt.date
) -> list[tuple[str, str, str]]:
    """(kind, receipt number, closed on) of the records due for erasure among ``records``."""
    return [
        (str(r["kind"]), key_of(r), str(closed_on(r))) for r in records if due_for_erasure(r, days, today)
    ]
