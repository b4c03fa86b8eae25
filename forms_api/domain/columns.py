"""What the store indexes of each stored record: the service's :data:`~forms_api.storage.query.Indexer`.

The store calls :func:`columns_of` whenever a record is written and selects on the result,
so the console's queues and search are indexed look-ups, not a walk over every record:

- ``status``, ``item`` (implementation code), ``department`` (where a consultation, case,
  visit or complaint is; an application's departments follow from its item in the catalog,
  so the console asks for the items of a department instead);
- ``due``: the due date while the record's clock runs (:func:`.workflow.deadlines.running_due`:
  an accepted application in hand, an unanswered consultation or complaint, an open case or
  visit), None otherwise; "overdue today" is then ``due < today``, a range the store can
  answer with today as a parameter (:mod:`.queues`);
- ``created``: the day it was submitted (an audit entry: when it was made; a measure: when it
  was registered);
- ``flag``: marked as a FAQ candidate;
- ``target`` and ``actor`` of an audit entry;
- ``text``: receipt number, the person's name and the subject, for the search.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from forms_api.storage.query import TEXT_SEPARATOR, Columns

from .workflow.deadlines import running_due


def columns_of(record: Mapping[str, Any]) -> Columns:
    person = record.get("applicant") or record
    item = record.get("item") or {}
    created = record.get("submitted_at") or record.get("created_at") or record.get("at") or ""
    number = record.get("receipt_no") or record.get("audit_no") or record.get("measure_no") or ""
    text = TEXT_SEPARATOR.join(
        str(part).upper() for part in (number, person.get("name", ""), record.get("subject", ""))
    )
    return Columns(
        status=str(record.get("status") or ""),
        item=str(item.get("code") or "") if isinstance(item, Mapping) else "",
        department=str(record.get("department") or ""),
        due=running_due(record),
        created=str(created)[:10],
        flag=bool(record.get("faq")),
        target=_target(record),
        actor=str(record.get("actor") or "") if record.get("kind") == "audit" else "",
        text=text,
    )


def _target(record: Mapping[str, Any]) -> str:
    """The record an audit entry is about; the point and day of an appointment (``point@day``);
    the event of a lecture registration."""
    if record.get("kind") == "audit":
        return str(record.get("record") or "")
    if record.get("kind") in ("appointment", "registration"):
        return str(record.get("target") or "")
    return ""
