"""Daily housekeeping, every day of the week (China time):

- ``uploads`` (03:00): uploaded files older than ``upload_grace_hours`` that no record names are
  removed. Only a crash between an upload and the write of its record leaves such a file (a
  refused submission removes its own); the grace period keeps uploads in flight safe. One
  audit entry counts what was removed;
- ``retention`` (03:30): records past their retention period have their personal data erased
  (:mod:`forms_api.domain.retention`), each in one write with its audit entry, then their files
  removed;
- ``no_shows`` (02:30): appointments of a day that has passed and that nobody marked are marked
  未到 by the system, which ends the person's turn (they may book the item again).

Both read every application (the only records with files) or every record old enough: a walk
of the store once a day, a page at a time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from anyio.to_thread import run_sync

from forms_api.storage.jobs import JobRun
from forms_api.storage.query import Query
from forms_api.storage.uploads import StoredFile
from generator.workdays import china_tz

from .. import retention
from ..appointments import BOOKED
from ..submissions import Service
from ..transfer import stored_files
from .reminders import records_of
from .runner import Finished, Handler, system_audit


def uploads_handler(service: Service) -> Handler:
    async def handle(run: JobRun) -> Finished:
        grace = dt.timedelta(hours=service.settings.upload_grace_hours)
        old = set(await run_sync(lambda: list(service.blobs.stored_before(run.run_at - grace))))
        if not old:
            return Finished(note={"removed": 0})
        async for record in records_of(service.store, Query("application")):
            old.difference_update(f.stored_name for f in stored_files(record))
            if not old:
                return Finished(note={"removed": 0})
        for name in sorted(old):
            await run_sync(service.blobs.remove, StoredFile(name, 0, "", ""))
        audit = await system_audit(service.numbers, "uploads_cleanup", None, {"removed": len(old)})
        return Finished(note={"removed": len(old)}, inserts=[audit])

    return handle


def no_shows_handler(appointments: Any) -> Handler:
    """``appointments``: the service's :class:`~forms_api.domain.appointments.Appointments`."""

    async def handle(run: JobRun) -> Finished:
        today = run.run_at.astimezone(china_tz()).date()
        marked = 0
        async for record in records_of(appointments.store, Query("appointment", status={BOOKED})):
            if record["day"] < today.isoformat():
                await appointments.mark(record["receipt_no"], False, "系统（预约日已过）")
                marked += 1
        return Finished(note={"marked": marked})

    return handle


def retention_handler(service: Service) -> Handler:
    async def handle(run: JobRun) -> Finished:
        days = retention.periods(service.settings.retention)
        today = run.run_at.astimezone(china_tz()).date()
        erased = 0
        for query in retention.queries(days, today).values():
            async for record in records_of(service.store, query):
                if retention.due_for_erasure(record, days, today):
                    await erase(service, record)
                    erased += 1
        return Finished(note={"erased": erased})

    return handle


async def erase(service: Service, record: dict[str, Any]) -> None:
    """Erase one record's personal data with its audit entry, then remove its files."""
    key = retention.key_of(record)
    changes = retention.erasure(record, dt.datetime.now(china_tz()))
    details = {
        "kind": record["kind"],
        "closed_on": str(retention.closed_on(record)),
        "fields": sorted(changes),
    }
    audit = await system_audit(service.numbers, "retention_erase", key, details)
    await service.store.write(inserts=[audit], updates=[(key, changes)])
    for stored in retention.files_of(record):
        await run_sync(service.blobs.remove, stored)
