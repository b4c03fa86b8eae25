"""Work that must follow a change, kept by the store beside the change (the outbox).

A :class:`Job` is what to do (a task name and a payload that holds no personal data, only
receipt numbers and the like), when (``run_at``), about which record, and under an id. It is
written **in the same store write as the change** that calls for it (``store.write(jobs=…)``),
so after any crash either both are there or neither. A job whose id is already stored is not
stored again: asking twice for the same reminder (two workers scheduling, a restart) queues it
once.

Both engines hand jobs to workers the same way:

- ``claim(worker, now, limit, lease)``: up to ``limit`` jobs due by ``now``, oldest due first,
  each now running for ``worker`` until ``now + lease`` seconds, one more attempt counted. No two
  workers get the same job; a job whose lease ran out without an outcome (its worker died) is
  due again;
- ``finish(run, now, inserts=…, updates=…, jobs=…)``: the job is done, in one write with what it
  changes; refused (False) when the job is no longer this run's (its lease ran out and another
  worker took it);
- ``release(run, now, error, retry_at)``: this attempt failed; the job is queued again at
  ``retry_at``, or with None it is :data:`FAILED` for good (a person may :meth:`requeue` it);
- ``requeue(job_id, now)``, ``job(job_id)``, ``jobs_of(record)``, ``failed_jobs(limit)``,
  ``job_counts()`` and ``next_job_at()`` for the console, the metrics and a worker's sleep.

Every attempt is kept in the job's ``history`` (when, by which worker, the outcome, the error),
which is what the console shows of a notice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

QUEUED = "queued"
RUNNING = "running"
DONE = "done"
FAILED = "failed"
STATUS_LABELS = {QUEUED: "待执行", RUNNING: "执行中", DONE: "已完成", FAILED: "失败"}

MAX_ATTEMPTS = 8
"""Attempts of a job before it is :data:`FAILED` (a task may ask for fewer)."""


def utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` in UTC (jobs are stored and compared in UTC)."""
    if moment.tzinfo is None:
        raise ValueError("job times must be aware datetimes")
    return moment.astimezone(dt.UTC)


def stamp(moment: dt.datetime) -> str:
    """How the embedded store keeps a moment: UTC ISO 8601 to the microsecond, so that text
    order is time order."""
    return utc(moment).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_stamp(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class Job:
    """A job to store with a change (``store.write(jobs=[…])``)."""

    id: str
    """Unique; a job whose id is stored already is not stored again."""
    task: str
    """Which handler runs it (``notice``, ``reminder``, …)."""
    payload: Mapping[str, Any]
    """What the handler needs, as JSON; never personal data (the handler reads the record)."""
    run_at: dt.datetime
    """Not before this moment (aware)."""
    record: str = ""
    """The receipt number it concerns, if any (the record page lists its jobs)."""
    max_attempts: int = MAX_ATTEMPTS


@dataclass(frozen=True)
class JobRun:
    """A job as a worker holds it (``claim``), or as the console shows it (``job``)."""

    id: str
    task: str
    payload: dict[str, Any]
    record: str
    status: str
    run_at: dt.datetime
    attempts: int
    """Attempts made so far, the current one included."""
    max_attempts: int
    worker: str = ""
    lease_until: dt.datetime | None = None
    last_error: str = ""
    created_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def last_attempt(self) -> bool:
        return self.attempts >= self.max_attempts


def attempt_entry(
    run: JobRun, now: dt.datetime, outcome: str, error: str = "", **details: Any
) -> dict[str, Any]:
    """One line of a job's ``history``: this attempt's outcome (and what the handler adds)."""
    entry = {"at": stamp(now), "attempt": run.attempts, "worker": run.worker, "outcome": outcome}
    if error:
        entry["error"] = error
    return {**entry, **details}
