"""The jobs table (migrations/0004_jobs.sql) as :class:`~.store.PostgresStore` uses it: the SQL
of queuing, claiming and settling a job, each on a connection inside the caller's transaction.

Claiming locks the rows it takes with ``FOR UPDATE SKIP LOCKED``: two workers claiming at the
same moment each skip the rows the other holds, so no job goes to both, and neither waits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from psycopg.types.json import Jsonb

from ..jobs import DONE, FAILED, QUEUED, RUNNING, Job, JobRun, attempt_entry

_FIELDS = (
    "id, task, payload, record, status, run_at, attempts, max_attempts, worker, lease_until,"
    " last_error, created_at, finished_at, history"
)


def run_of(row: Sequence[Any]) -> JobRun:
    (job_id, task, payload, record, status, run_at, attempts, max_attempts, worker, lease_until,
     last_error, created_at, finished_at, history) = row  # fmt: skip
    return JobRun(
        id=job_id,
        task=task,
        payload=payload,
        record=record,
        status=status,
        run_at=run_at,
        attempts=attempts,
        max_attempts=max_attempts,
        worker=worker,
        lease_until=lease_until,
        last_error=last_error,
        created_at=created_at,
        finished_at=finished_at,
        history=list(history),
    )


async def queue(connection: Any, jobs: Sequence[Job]) -> None:
    """Insert ``jobs``, leaving out any whose id is stored already."""
    for job in jobs:
        await connection.execute(
            "INSERT INTO jobs (id, task, payload, record, status, run_at, max_attempts)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO NOTHING",
            (job.id, job.task, Jsonb(dict(job.payload)), job.record, QUEUED, job.run_at, job.max_attempts),
        )


async def claim(connection: Any, worker: str, now: dt.datetime, limit: int, lease: float) -> list[JobRun]:
    """Jobs whose lease ran out first (their workers died), then queued ones by due time."""
    until = now + dt.timedelta(seconds=lease)
    taken: list[JobRun] = []
    for waiting in (
        "SELECT id FROM jobs WHERE status = 'running' AND lease_until < %s"
        " ORDER BY lease_until LIMIT %s FOR UPDATE SKIP LOCKED",
        "SELECT id FROM jobs WHERE status = 'queued' AND run_at <= %s"
        " ORDER BY run_at LIMIT %s FOR UPDATE SKIP LOCKED",
    ):
        if len(taken) >= limit:
            break
        cursor = await connection.execute(
            f"UPDATE jobs SET status = %s, attempts = attempts + 1, worker = %s, lease_until = %s"
            f" WHERE id IN ({waiting}) RETURNING {_FIELDS}",
            (RUNNING, worker, until, now, limit - len(taken)),
        )
        # RETURNING keeps no order: oldest due first, as the embedded store hands them out
        taken += sorted((run_of(row) for row in await cursor.fetchall()), key=lambda j: (j.run_at, j.id))
    return taken


async def own(connection: Any, run: JobRun) -> bool:
    """Whether the job is still ``run``'s (locked until the transaction ends)."""
    cursor = await connection.execute(
        "SELECT 1 FROM jobs WHERE id = %s AND status = %s AND worker = %s AND attempts = %s FOR UPDATE",
        (run.id, RUNNING, run.worker, run.attempts),
    )
    return await cursor.fetchone() is not None


async def settle(
    connection: Any,
    run: JobRun,
    now: dt.datetime,
    outcome: str,
    *,
    error: str = "",
    retry_at: dt.datetime | None = None,
    note: Mapping[str, Any] | None = None,
) -> None:
    """Record the attempt's ``outcome`` (:data:`DONE`, :data:`QUEUED` again at ``retry_at``,
    or :data:`FAILED`) on a job :func:`own` has locked."""
    entry = attempt_entry(run, now, outcome, error, **(note or {}))
    await connection.execute(
        "UPDATE jobs SET status = %s, run_at = coalesce(%s, run_at), worker = '', lease_until = NULL,"
        " last_error = CASE WHEN %s = '' THEN last_error ELSE %s END,"
        " finished_at = CASE WHEN %s IN (%s, %s) THEN %s ELSE finished_at END,"
        " history = history || %s WHERE id = %s",
        (outcome, retry_at, error, error, outcome, DONE, FAILED, now, Jsonb([entry]), run.id),
    )


async def requeue(connection: Any, job_id: str, now: dt.datetime) -> bool:
    cursor = await connection.execute(
        "UPDATE jobs SET status = %s, run_at = %s, attempts = 0, finished_at = NULL"
        " WHERE id = %s AND status = %s RETURNING 1",
        (QUEUED, now, job_id, FAILED),
    )
    return await cursor.fetchone() is not None


SELECT_ONE = f"SELECT {_FIELDS} FROM jobs WHERE id = %s"
SELECT_OF_RECORD = f"SELECT {_FIELDS} FROM jobs WHERE record = %s ORDER BY position"
SELECT_FAILED = f"SELECT {_FIELDS} FROM jobs WHERE status = 'failed' ORDER BY position DESC LIMIT %s"
SELECT_COUNTS = "SELECT status, count(*) FROM jobs WHERE status <> 'done' GROUP BY status"
"""Done jobs are not counted: they only grow, and nobody waits for them."""
SELECT_NEXT = (
    "SELECT min(t) FROM (SELECT min(run_at) AS t FROM jobs WHERE status = 'queued'"
    " UNION ALL SELECT min(lease_until) FROM jobs WHERE status = 'running') AS due"
)


SELECT_ALL = f"SELECT {_FIELDS} FROM jobs ORDER BY position"


async def restore(connection: Any, runs: Sequence[JobRun]) -> None:
    """Jobs copied from another store, as they were there (one that was running is queued)."""
    for run in runs:
        await connection.execute(
            "INSERT INTO jobs (id, task, payload, record, status, run_at, attempts, max_attempts,"
            " last_error, history, created_at, finished_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, coalesce(%s, now()), %s)",
            (run.id, run.task, Jsonb(run.payload), run.record, QUEUED if run.status == RUNNING else run.status,
             run.run_at, run.attempts, run.max_attempts, run.last_error, Jsonb(run.history), run.created_at,
             run.finished_at),
        )  # fmt: skip
