"""The ``visit`` task: a return visit (9.2) created when it falls due.

Completing an application that the schedule picks (``return_visit_sample_percent``,
:func:`~forms_api.domain.casework.sampled`) queues this job, in the same write, for 09:00 on
the next working day: the applicant has had the result for a day when the visit appears in
the 待回访 queue, due within :data:`VISIT_WITHIN_DAYS` working days. The visit carries the
further key ``visit-of:<receipt>``, so one application never gets two.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from forms_api.storage.embedded import Insert
from forms_api.storage.jobs import Job, JobRun
from generator import workdays
from generator.workdays import china_tz

from ..submissions import Service
from ..workflow.rules import TO_VISIT
from .runner import Failed, Finished, Handler
from .schedule import next_working_morning

TASK = "visit"
VISIT_WITHIN_DAYS = 5
"""Working days after the visit appears within which it is made."""


def visit_job(receipt_no: str, completed: dt.date) -> Job:
    """The job that creates the return visit of ``receipt_no``, completed on ``completed``."""
    return Job(
        f"{TASK}:{receipt_no}",
        TASK,
        {"receipt_no": receipt_no},
        next_working_morning(completed),
        record=receipt_no,
    )


def visit_handler(service: Service, department_of: Any) -> Handler:
    """``department_of(record)``: the department responsible for the visited record's item."""

    async def handle(run: JobRun) -> Finished:
        receipt_no = run.payload["receipt_no"]
        if await service.store.contains(f"visit-of:{receipt_no}"):
            return Finished(note={"skipped": "已有回访"})
        record = await service.store.get(receipt_no)
        if record is None:
            raise Failed(f"办件 {receipt_no} 不存在", temporary=False)
        at = dt.datetime.now(china_tz())
        due = workdays.add_working_days(at.date(), VISIT_WITHIN_DAYS)
        visit_no = await service.numbers.next("visit", at.date())
        visit = {
            "kind": "visit",
            "receipt_no": visit_no,
            "visited_receipt": receipt_no,
            "item": record.get("item"),
            "department": department_of(record),
            "status": TO_VISIT,
            "submitted_at": at.isoformat(timespec="seconds"),
            "scheduled_at": at.isoformat(timespec="seconds"),
            "due_date": due.date.isoformat(),
            "timeline": [
                {
                    "at": at.isoformat(timespec="seconds"),
                    "state": TO_VISIT,
                    "note": f"办件 {receipt_no} 办结，列入回访",
                }
            ],
        }
        return Finished(
            note={"visit": visit_no},
            inserts=[Insert("visit", visit_no, visit, unique=(f"visit-of:{receipt_no}",))],
        )

    return handle
