"""Running jobs (:mod:`forms_api.storage.jobs`): claim what is due, run it, settle it.

A handler (:data:`Handler`) gets the claimed :class:`~forms_api.storage.jobs.JobRun` and
returns :class:`Finished` (what the job changes, written with its completion in one store
write) or raises :class:`Failed` with a Chinese reason and whether a later attempt may help.
The :class:`Runner` then

- finishes the job; if its lease ran out meanwhile and another worker holds it, nothing of it
  is written (the other run decides);
- or, for a failure that may pass, queues it again after a back-off that doubles with each
  attempt (``retry_seconds``, 2×, 4×, … at most an hour, ±20 % so that jobs failed together
  do not all come back together), until its last attempt;
- or marks it failed for good, in one write with an audit entry (actor 系统) that the console
  shows, where a person can queue it again.

An exception a handler did not expect is a failure that may pass: its type is recorded, and
the traceback goes to the log. A worker that dies mid-job leaves the job running until its
lease ends; then any worker takes it again (a notice is sent under the same message id).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import random
import socket
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from forms_api.logs import REQUEST_ID
from forms_api.metrics import JOBS_RUN
from forms_api.settings import Settings
from forms_api.storage.embedded import Insert
from forms_api.storage.embedded.store import StoreUnavailable
from forms_api.storage.jobs import Job, JobRun
from generator.workdays import china_tz

from ..audit_labels import AUDIT_LABELS
from ..receipts import Numbers
from ..submissions import Service

log = logging.getLogger("ipps.jobs")

TICK = dt.timedelta(seconds=60)
"""How often a runner asks its schedule for the daily jobs."""

SYSTEM = "系统"
"""The actor of what the runner records."""


@dataclass(frozen=True)
class Finished:
    """What a job did: ``note`` goes into its history; the rest is written with its completion."""

    note: Mapping[str, Any] = field(default_factory=dict)
    inserts: Sequence[Insert] = ()
    updates: Sequence[tuple[str, dict[str, Any]]] = ()
    jobs: Sequence[Job] = ()


class Failed(Exception):
    """This attempt failed; ``str()`` says why (Chinese), ``temporary`` whether to try again."""

    def __init__(self, message: str, *, temporary: bool, note: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.temporary = temporary
        self.note = dict(note or {})


Handler = Callable[[JobRun], Awaitable[Finished]]


@dataclass(frozen=True)
class Policy:
    lease_seconds: float = 300.0
    """How long a claimed job is a worker's before another may take it."""
    retry_seconds: float = 30.0
    """The first back-off; it doubles with each attempt."""
    retry_cap_seconds: float = 3600.0
    batch: int = 20
    """Jobs claimed, and run concurrently, at a time."""
    poll_seconds: float = 0.5
    """How often an idle runner looks for due jobs (other processes may have queued some)."""

    @classmethod
    def of(cls, settings: Settings) -> Policy:
        return cls(lease_seconds=settings.job_lease_seconds, retry_seconds=settings.job_retry_seconds)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def worker_name() -> str:
    """``host:pid``, as the jobs' history and the console show who ran an attempt."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Runner:
    def __init__(
        self,
        service: Service,
        handlers: Mapping[str, Handler],
        *,
        worker: str | None = None,
        policy: Policy | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
        schedule: Callable[[dt.datetime], Sequence[Job]] | None = None,
    ) -> None:
        """``schedule(now)``: the daily jobs to queue (:func:`.schedule.daily_jobs`), asked
        about once a minute; their ids make asking again harmless."""
        self.service = service
        self.handlers = dict(handlers)
        self.worker = worker or worker_name()
        self.policy = policy or Policy()
        self.clock = clock
        self.schedule = schedule
        self._wake = asyncio.Event()
        self._ticked: dt.datetime | None = None

    def wake(self) -> None:
        """Look for due jobs now (this process has just queued some)."""
        self._wake.set()

    async def tick(self) -> None:
        """Queue today's daily jobs, if a minute has passed since this runner last did."""
        now = self.clock()
        if self.schedule is None or (self._ticked is not None and now - self._ticked < TICK):
            return
        await self.service.store.write(jobs=self.schedule(now))
        self._ticked = now

    async def run_due(self) -> int:
        """Claim one batch of due jobs and run them; how many were claimed."""
        await self.tick()
        store, policy = self.service.store, self.policy
        runs = await store.claim(self.worker, self.clock(), policy.batch, policy.lease_seconds)
        if runs:
            await asyncio.gather(*(self._run(run) for run in runs))
        return len(runs)

    async def drain(self) -> int:
        """Run due jobs until none is due (``ipps worker --once``); how many ran."""
        total = 0
        while ran := await self.run_due():
            total += ran
        return total

    async def run(self, stop: asyncio.Event) -> None:
        """Run jobs as they come due until ``stop`` is set; the batch in hand is finished."""
        while not stop.is_set():
            try:
                ran = await self.run_due()
            except StoreUnavailable as error:
                log.warning("后台任务暂停：%s", error)
                ran = 0
            if ran:
                continue
            self._wake.clear()
            waits = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
            await asyncio.wait(waits, timeout=self.policy.poll_seconds, return_when=asyncio.FIRST_COMPLETED)
            for waiting in waits:
                waiting.cancel()

    async def _run(self, run: JobRun) -> None:
        token = REQUEST_ID.set(str(run.payload.get("request_id") or run.id))  # its log lines say whose
        try:
            await self._attempt(run)
        finally:
            REQUEST_ID.reset(token)

    async def _attempt(self, run: JobRun) -> None:
        handler = self.handlers.get(run.task)
        try:
            if handler is None:
                raise Failed(f"未知的任务类型「{run.task}」", temporary=False)
            finished = await handler(run)
        except Failed as failure:
            await self._settle_failure(run, str(failure), failure.temporary, failure.note)
        except asyncio.CancelledError:
            raise  # the job stays running until its lease ends, then runs again
        except Exception as error:
            log.exception("后台任务 %s 出错", run.id)
            await self._settle_failure(run, f"内部错误（{type(error).__name__}）", True, {})
        else:
            JOBS_RUN.labels(run.task, "done").inc()
            try:
                if not await self.service.store.finish(
                    run,
                    self.clock(),
                    note=finished.note,
                    inserts=finished.inserts,
                    updates=finished.updates,
                    jobs=finished.jobs,
                ):
                    log.warning("后台任务 %s 已由其他进程接手，本次结果未记录", run.id)
            except StoreUnavailable as error:  # it runs again once its lease ends
                log.warning("后台任务 %s 已完成，但无法记录：%s", run.id, error)

    async def _settle_failure(
        self, run: JobRun, error: str, temporary: bool, note: Mapping[str, Any]
    ) -> None:
        now = self.clock()
        retry = temporary and not run.last_attempt
        JOBS_RUN.labels(run.task, "retry" if retry else "failed").inc()
        try:
            if retry:
                await self.service.store.release(run, now, error, now + self.backoff(run.attempts), note=note)
                log.info("后台任务 %s 第 %d 次尝试未成功，稍后重试：%s", run.id, run.attempts, error)
                return
            audit = await self._audit(run, error, now)
            await self.service.store.release(run, now, error, None, note=note, inserts=[audit])
            log.error("后台任务 %s 失败（第 %d 次尝试）：%s", run.id, run.attempts, error)
        except StoreUnavailable as failure:
            log.warning("后台任务 %s 的结果无法记录：%s", run.id, failure)

    def backoff(self, attempts: int) -> dt.timedelta:
        policy = self.policy
        seconds = min(policy.retry_seconds * 2 ** max(attempts - 1, 0), policy.retry_cap_seconds)
        return dt.timedelta(seconds=seconds * random.uniform(0.8, 1.2))

    async def _audit(self, run: JobRun, error: str, now: dt.datetime) -> Insert:
        details = {"job": run.id, "task": run.task, "attempts": run.attempts, "error": error}
        return await system_audit(self.service.numbers, "job_failed", run.record or None, details, now)


async def system_audit(
    numbers: Numbers,
    action: str,
    record: str | None,
    details: Mapping[str, Any],
    now: dt.datetime | None = None,
) -> Insert:
    """An audit entry by 系统 (what the background jobs and maintenance commands did on their
    own), numbered by ``numbers``, to write with it."""
    local = (now or utcnow()).astimezone(china_tz())
    audit_no = await numbers.next("audit", local.date())
    entry = {
        "audit_no": audit_no,
        "kind": "audit",
        "at": local.isoformat(timespec="seconds"),
        "actor": SYSTEM,
        "role": "system",
        "role_label": SYSTEM,
        "action": action,
        "label": AUDIT_LABELS[action],
        "record": record,
        "details": dict(details),
    }
    return Insert("audit", audit_no, entry)
