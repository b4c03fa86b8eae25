"""Deadlines watched by the background jobs: 即将到期 reminders, automatic 催告 of overdue work
(F.3.4), and each department's daily digest. The daily jobs of :mod:`.schedule` fan out here:

- ``reminders`` queues a ``remind`` job for every record whose clock runs and falls due today
  or on the next working day (an application in hand, an unanswered consultation or
  complaint — the complaint's 3 working days of 9.3 c —, an open 差评 case, a return visit);
- ``overdue`` queues an ``overdue_remind`` job for every record past its due date, which takes
  the workflow's 催告 action as 系统 (the record's timeline and the audit log keep it, once per
  due date) and then mails those responsible;
- ``digest`` queues a ``digest_send`` job per department with somewhere to send it, which
  lists the department's overdue work, what is due today and on the next working day.

The jobs a daily job queues are due when it was (a worker catching up after a stop sends them
at once).

Who is responsible is the workflow's own rule (:func:`~forms_api.domain.workflow.responsible`):
a department (its mailbox in ``department_emails`` and the work addresses of its handlers),
or, before a consultation is assigned, the acceptors, and for a complaint nobody holds yet,
the supervisors. A reminder nobody can receive fails, naming what to configure, so that the
console shows it. Without a mail server (``smtp_host``) nothing is mailed, and the 催告 is
still recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Mapping
from typing import Any

from forms_api.delivery import staff_notices
from forms_api.delivery.notifier import DeliveryFailed, Notifier
from forms_api.storage.jobs import Job, JobRun
from forms_api.storage.query import Query

from ..casework import Casework
from ..queues import items_by_department
from ..staff.accounts import Accounts
from ..workflow import SYSTEM, Actor, Refused, responsible
from ..workflow.deadlines import due_soon_until, running_due
from ..workflow.rules import KIND_LABELS
from .runner import Failed, Finished, Handler

CLOCKED = ("application", "consultation", "complaint", "case", "visit")
"""The kinds of record whose clock a deadline watch follows."""

SYSTEM_ACTOR = Actor("系统", SYSTEM)
PAGE = 500


async def records_of(store: Any, query: Query) -> AsyncIterator[dict[str, Any]]:
    """Every record ``query`` selects, a page at a time."""
    cursor = None
    while True:
        page = await store.find(query, PAGE, after=cursor)
        for row in page.rows:
            yield row
        if page.next is None:
            return
        cursor = page.next


def _day(run: JobRun) -> dt.date:
    return dt.date.fromisoformat(run.payload["day"])


class Watch:
    """The deadline tasks of one service, with where they mail."""

    def __init__(self, casework: Casework, notifier: Notifier, accounts: Accounts) -> None:
        self.casework = casework
        self.service = casework.service
        self.notifier = notifier
        self.accounts = accounts

    @property
    def mailing(self) -> bool:
        return self.notifier.email is not None

    @property
    def console(self) -> str:
        return self.service.catalog.platform.website.rstrip("/")

    # --- fanning out --------------------------------------------------------------------------

    async def reminders(self, run: JobRun) -> Finished:
        if not self.mailing:
            return Finished(note={"skipped": "未配置邮件服务器"})
        day, jobs = _day(run), []
        for kind in CLOCKED:
            async for record in records_of(
                self.service.store, Query(kind, due_from=day, due_until=due_soon_until(day))
            ):
                due = running_due(record)
                if due is None:
                    continue
                when = "today" if due == day else "next"
                number = record["receipt_no"]
                payload = {"receipt_no": number, "due": due.isoformat(), "when": when}
                jobs.append(
                    Job(f"remind:{number}:{due}:{when}", "remind", payload, run.run_at, record=number)
                )
        return Finished(note={"queued": len(jobs)}, jobs=jobs)

    async def overdue(self, run: JobRun) -> Finished:
        day, jobs = _day(run), []
        for kind in CLOCKED:
            async for record in records_of(
                self.service.store, Query(kind, due_until=day - dt.timedelta(days=1))
            ):
                due = running_due(record)
                if due is None:
                    continue
                number = record["receipt_no"]
                payload = {"receipt_no": number, "due": due.isoformat()}
                jobs.append(
                    Job(f"overdue:{number}:{due}", "overdue_remind", payload, run.run_at, record=number)
                )
        return Finished(note={"queued": len(jobs)}, jobs=jobs)

    async def digest(self, run: JobRun) -> Finished:
        if not self.mailing:
            return Finished(note={"skipped": "未配置邮件服务器"})
        day, jobs = _day(run), []
        for department in self.service.catalog.departments:
            if self._addresses({"department": department}):
                payload = {"department": department, "day": day.isoformat()}
                jobs.append(Job(f"digest:{department}:{day}", "digest_send", payload, run.run_at))
        return Finished(note={"queued": len(jobs)}, jobs=jobs)

    # --- one record or department ---------------------------------------------------------------

    async def remind(self, run: JobRun) -> Finished:
        record = await self._still_due(run)
        if record is None:
            return Finished(note={"skipped": "已办理或期限已变，无需提醒"})
        return await self._mail_about(record, run.payload["when"], run)

    async def overdue_remind(self, run: JobRun) -> Finished:
        record = await self._still_due(run)
        if record is None:
            return Finished(note={"skipped": "已办理或期限已变，无需催告"})
        due = run.payload["due"]
        if not any(
            r.get("by") == SYSTEM_ACTOR.name and r.get("due") == due for r in record.get("reminders", [])
        ):
            try:  # the 催告 itself: timeline and audit log, once per due date
                done = await self.casework.act(
                    record["receipt_no"], "remind", SYSTEM_ACTOR, {"note": "系统自动催告"}
                )
            except Refused as refused:
                raise Failed(refused.message, temporary=False) from None
            record = done.record
        if not self.mailing:
            return Finished(note={"recorded": True})
        return await self._mail_about(record, "overdue", run)

    async def digest_send(self, run: JobRun) -> Finished:
        department, day = run.payload["department"], _day(run)
        to = self._addresses({"department": department})
        if not to:
            raise Failed(self._nobody({"department": department}), temporary=False)
        overdue, today, upcoming = await self._lines_of(department, day)
        if not (overdue or today or upcoming):
            return Finished(note={"skipped": "无到期或超期办件"})
        name = self._department_name(department)
        notice = staff_notices.digest(
            name, day, overdue, today, upcoming, to, self.console, self.service.catalog.platform.name
        )
        return await self._send(notice, run, len(to))

    # --- helpers ------------------------------------------------------------------------------

    async def _still_due(self, run: JobRun) -> dict[str, Any] | None:
        record = await self.service.store.get(run.payload["receipt_no"])
        if record is None:
            raise Failed(f"办件 {run.payload['receipt_no']} 不存在", temporary=False)
        due = running_due(record)
        return record if due is not None and due.isoformat() == run.payload["due"] else None

    async def _mail_about(self, record: Mapping[str, Any], when: str, run: JobRun) -> Finished:
        reminded = responsible(record, self.casework.rules(record))
        to = self._addresses(reminded)
        if not to:
            raise Failed(self._nobody(reminded), temporary=False)
        notice = staff_notices.reminder(
            self._line(record), when, to, self.console, self.service.catalog.platform.name
        )
        return await self._send(notice, run, len(to))

    async def _send(self, notice: Any, run: JobRun, recipients: int) -> Finished:
        try:
            await self.notifier.deliver(notice, "email", run.id)
        except DeliveryFailed as failure:
            raise Failed(str(failure), temporary=failure.temporary) from None
        return Finished(note={"channel": "email", "recipients": recipients})

    def _addresses(self, reminded: Mapping[str, str]) -> list[str]:
        users = [u for u in self.accounts.users() if u.email and not u.disabled]
        if "department" in reminded:
            department = reminded["department"]
            mailbox = self.service.settings.department_mailboxes.get(department)
            found = [mailbox] if mailbox else []
            found += [u.email for u in users if u.role.id == "handler" and department in u.departments]
        else:
            found = [u.email for u in users if u.role.id == reminded["role"]]
        return list(dict.fromkeys(found))

    def _nobody(self, reminded: Mapping[str, str]) -> str:
        if "department" in reminded:
            return (
                f"部门「{self._department_name(reminded['department'])}」没有接收提醒的邮箱："
                "请设置 department_emails，或用 ipps user email 为该部门的办理员设置工作邮箱"
            )
        role = {"acceptor": "受理员", "supervisor": "监督员"}.get(reminded["role"], reminded["role"])
        return f"没有设置工作邮箱的{role}：请用 ipps user email 为{role}设置工作邮箱"

    def _department_name(self, department: str) -> str:
        found = self.service.catalog.departments.get(department)
        return found.name if found else department

    def _line(self, record: Mapping[str, Any]) -> staff_notices.Line:
        kind = record["kind"]
        due = running_due(record)
        assert due is not None
        title = (record.get("item") or {}).get("name") or ""
        return staff_notices.Line(
            record["receipt_no"], KIND_LABELS.get(kind, kind), title, record["status"], due
        )

    async def _lines_of(
        self, department: str, day: dt.date
    ) -> tuple[list[staff_notices.Line], list[staff_notices.Line], list[staff_notices.Line]]:
        items = items_by_department(self.service).get(department, frozenset())
        overdue, today, upcoming = [], [], []
        until = due_soon_until(day)
        for kind in CLOCKED:
            narrowed = {"items": items} if kind == "application" else {"departments": frozenset({department})}
            async for record in records_of(self.service.store, Query(kind, due_until=until, **narrowed)):
                line = self._line(record)
                (overdue if line.due < day else today if line.due == day else upcoming).append(line)
        key = lambda line: (line.due, line.receipt_no)  # noqa: E731
        return sorted(overdue, key=key), sorted(today, key=key), sorted(upcoming, key=key)

    def handlers(self) -> dict[str, Handler]:
        return {
            "reminders": self.reminders,
            "overdue": self.overdue,
            "digest": self.digest,
            "remind": self.remind,
            "overdue_remind": self.overdue_remind,
            "digest_send": self.digest_send,
        }
