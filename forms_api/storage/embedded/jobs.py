"""The embedded store's jobs (:mod:`forms_api.storage.jobs`): documents of kind ``job``, written
through the journal like every other document, so a job queued with a change survives a crash
with it. :class:`JobBook` is what the store keeps in memory to hand them out: a heap of queued
jobs by due time, the running ones with their leases, the failed ones, and each record's jobs.
It is told of every job document as it is stored (:meth:`JobBook.note`), at start from the
shards and the journal as well, so it never disagrees with the documents.

One process owns an embedded store: at start, jobs left running by the process before it
(which is gone) are due at once rather than when their lease would have ended.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import Counter
from collections.abc import Mapping
from typing import Any

from ..jobs import FAILED, QUEUED, RUNNING, JobRun, parse_stamp, stamp

KIND = "job"


def document_of(job: Any, now: str) -> dict[str, Any]:
    """The stored document of a new :class:`~forms_api.storage.jobs.Job` (``now`` stamped)."""
    return {
        "job_id": job.id,
        "task": job.task,
        "payload": dict(job.payload),
        "record": job.record,
        "status": QUEUED,
        "run_at": stamp(job.run_at),
        "attempts": 0,
        "max_attempts": job.max_attempts,
        "worker": "",
        "lease_until": None,
        "last_error": "",
        "history": [],
        "created_at": now,
        "finished_at": None,
    }


def document_from_run(run: JobRun) -> dict[str, Any]:
    """The stored document of a job copied from another store, as it was there (a job that was
    running there is queued: the copy is made with the service stopped)."""

    def moment(value: dt.datetime | None) -> str | None:
        return stamp(value) if value else None

    running = run.status == RUNNING
    return {
        "job_id": run.id,
        "task": run.task,
        "payload": dict(run.payload),
        "record": run.record,
        "status": QUEUED if running else run.status,
        "run_at": stamp(run.run_at),
        "attempts": run.attempts,
        "max_attempts": run.max_attempts,
        "worker": "",
        "lease_until": None,
        "last_error": run.last_error,
        "history": list(run.history),
        "created_at": moment(run.created_at),
        "finished_at": moment(run.finished_at),
    }


def run_of(document: Mapping[str, Any]) -> JobRun:
    def moment(name: str) -> dt.datetime | None:
        value = document.get(name)
        return parse_stamp(value) if value else None

    return JobRun(
        id=document["job_id"],
        task=document["task"],
        payload=dict(document["payload"]),
        record=document.get("record", ""),
        status=document["status"],
        run_at=parse_stamp(document["run_at"]),
        attempts=document["attempts"],
        max_attempts=document["max_attempts"],
        worker=document.get("worker", ""),
        lease_until=moment("lease_until"),
        last_error=document.get("last_error", ""),
        created_at=moment("created_at"),
        finished_at=moment("finished_at"),
        history=list(document.get("history", [])),
    )


class JobBook:
    def __init__(self) -> None:
        self._due: list[tuple[str, str]] = []
        """A heap of (run_at, job id); an entry no longer true (the job ran, or was moved) is
        dropped when it comes up."""
        self._queued: dict[str, str] = {}
        """Queued job → its run_at (what makes a heap entry true)."""
        self._running: dict[str, str] = {}
        """Running job → the end of its lease."""
        self._failed: dict[str, None] = {}
        """Failed jobs, oldest first."""
        self._status: dict[str, str] = {}
        self._counts: Counter[str] = Counter()
        self._of_record: dict[str, list[str]] = {}

    def note(self, document: Mapping[str, Any]) -> None:
        """A job document as now stored."""
        job_id, status = document["job_id"], document["status"]
        before = self._status.get(job_id)
        if before is None and document.get("record"):
            self._of_record.setdefault(document["record"], []).append(job_id)
        self._status[job_id] = status
        if before is not None:
            self._counts[before] -= 1
        self._counts[status] += 1
        self._queued.pop(job_id, None)
        self._running.pop(job_id, None)
        self._failed.pop(job_id, None)
        if status == QUEUED:
            self._queued[job_id] = document["run_at"]
            heapq.heappush(self._due, (document["run_at"], job_id))
        elif status == RUNNING:
            self._running[job_id] = document["lease_until"] or ""
        elif status == FAILED:
            self._failed[job_id] = None

    def orphan_running(self) -> None:
        """At start: whoever ran these is gone; they are due now."""
        for job_id in self._running:
            self._running[job_id] = ""

    def take(self, now: str, limit: int) -> list[str]:
        """Up to ``limit`` jobs due by ``now`` (lease ended, or queued and due), taken out of
        the book until their documents say what became of them."""
        taken = [job_id for job_id, until in self._running.items() if until < now][:limit]
        for job_id in taken:
            del self._running[job_id]
        while self._due and len(taken) < limit and self._due[0][0] <= now:
            run_at, job_id = heapq.heappop(self._due)
            if self._queued.get(job_id) == run_at:
                del self._queued[job_id]
                taken.append(job_id)
        return taken

    def of_record(self, record: str) -> list[str]:
        return list(self._of_record.get(record, ()))

    def failed(self) -> list[str]:
        """Failed jobs, newest first."""
        return list(reversed(self._failed))

    def counts(self) -> dict[str, int]:
        return {status: self._counts[status] for status in (QUEUED, RUNNING, FAILED)}

    def next_at(self) -> dt.datetime | None:
        """When the next queued job is due (or a running one's lease ends)."""
        moments = [*self._running.values(), *(self._due[:1] and [self._due[0][0]])]
        if not moments:
            return None
        first = min(moments)
        return parse_stamp(first) if first else dt.datetime.min.replace(tzinfo=dt.UTC)
