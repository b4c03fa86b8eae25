"""Deadlines of applications and consultations, in mainland working days.

**When the clock runs.** An application's clock starts at acceptance: the due date is the
item's 承诺办结时限 counted from the acceptance day (:func:`workdays.due_date`: day 1 is the
first working day after it). Until then — 已提交, and 需补正 before acceptance — there is
no deadline: the clock has not started. It stops for good at 已办结 or 不予受理.

**The pause rule (需补正 during 办理中).** Time the applicant spends on corrections is not
the centre's time. When a handler asks for corrections, the clock pauses and the record
keeps the working days that were left: ``working_days_between(pause day, due date)`` — the
pause day itself counts as used, as the acceptance day does. When the corrections arrive,
the new due date is that many working days after the arrival day (the arrival day is not
counted, like the acceptance day): ``add_working_days(arrival, left)``. With no days left
(paused on the due date) the case is due on the arrival day itself, or on the next working
day when the corrections arrive on a day off — a resumed due date never falls on a day off,
so a case cannot turn overdue before a working day has passed. A case paused while
already overdue by N working days resumes overdue by the same N: the new due date is the
working day N working days before the arrival day (see :func:`resume`). Holidays and 调休
working days fall out of the working-day arithmetic.

**Queues.** :func:`deadline_state` classifies a record for a given day: ``overdue`` (the due
date has passed), ``due_soon`` (due today or on the next working day), ``on_time`` or
``none`` (no clock running). Overdue records must carry an explanation (示警, F.3.3) given
for their current due date: :func:`needs_overdue_reason`.

Consultations are answered within the platform's ``consultation_reply_days`` working days
from the day they arrive (:func:`reply_due`), complaints within ``complaint_reply_days``;
their clock runs until the reply. A 差评 case is due ``bad_rating_days`` working days after
the rating, and its clock runs until it is closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, NamedTuple

from generator import workdays

from .rules import AWAITING_REPLY, OPEN_CASE_STATES, RUNNING_STATES, TO_VISIT

OPEN_STATES = OPEN_CASE_STATES | {TO_VISIT}

OVERDUE, DUE_SOON, ON_TIME, NONE = "overdue", "due_soon", "on_time", "none"
DEADLINE_LABELS = {OVERDUE: "已超期", DUE_SOON: "即将到期", ON_TIME: "未到期", NONE: "未计时"}


class Deadline(NamedTuple):
    """Where a record stands against its deadline on a given day.

    ``working_days_left``: working days after today up to and including the due date (0 on
    the due date). ``overdue_days``: working days after the due date up to and including
    today; it can be 0 while ``state`` is ``overdue`` — on the days off right after a due
    date, which has passed all the same.
    """

    state: str
    due: dt.date | None = None
    working_days_left: int = 0
    overdue_days: int = 0


_NOT_RUNNING = Deadline(NONE)


def running_due(record: Mapping[str, Any]) -> dt.date | None:
    """The due date of ``record`` if its clock is running, else None."""
    kind = record.get("kind")
    if kind in ("consultation", "complaint"):
        if record.get("status") in AWAITING_REPLY and record.get("reply_due"):
            return dt.date.fromisoformat(record["reply_due"])
        return None
    if kind in ("case", "visit"):
        if record.get("status") in OPEN_STATES and record.get("due_date"):
            return dt.date.fromisoformat(record["due_date"])
        return None
    if record.get("status") in RUNNING_STATES and record.get("accepted_at") and record.get("due_date"):
        return dt.date.fromisoformat(record["due_date"])
    return None


def classify(due: dt.date, today: dt.date) -> Deadline:
    """:class:`Deadline` of a running clock due on ``due``, seen on ``today``."""
    if today > due:
        return Deadline(OVERDUE, due, 0, workdays.working_days_between(due, today))
    left = workdays.working_days_between(today, due)
    return Deadline(DUE_SOON if left <= 1 else ON_TIME, due, left, 0)


def due_soon_until(today: dt.date) -> dt.date:
    """The last due date that is ``due_soon`` on ``today``: :func:`classify` calls a due date
    due soon when at most one working day lies after today up to it, so the range ends the day
    before the second working day after today. With the due dates of running clocks stored,
    "due soon" is the range ``today .. due_soon_until(today)`` and "overdue" ``.. today - 1``."""
    return workdays.add_working_days(today, 2).date - dt.timedelta(days=1)


def deadline_state(record: Mapping[str, Any], today: dt.date) -> Deadline:
    """Classify ``record`` for the queues on ``today`` (a date in China)."""
    due = running_due(record)
    return _NOT_RUNNING if due is None else classify(due, today)


def needs_overdue_reason(record: Mapping[str, Any], today: dt.date) -> bool:
    """Whether ``record`` is overdue on ``today`` without an explanation for its current due date.

    An explanation given before a pause does not cover the due date set on resuming.
    """
    if deadline_state(record, today).state != OVERDUE:
        return False
    explained = record.get("overdue_reason") or {}
    return explained.get("due_date") != record.get("due_date")


def reply_due(submitted: dt.date, reply_days: int) -> workdays.Due:
    """When a consultation received on ``submitted`` must be answered."""
    return workdays.add_working_days(submitted, reply_days)


def pause(due: dt.date, on: dt.date) -> int:
    """Working days left on the clock when it pauses on ``on``; negative when already overdue."""
    return workdays.working_days_between(on, due)


def resume(left: int, arrived: dt.date) -> workdays.Due:
    """The new due date when corrections arrive on ``arrived`` with ``left`` working days left.

    ``working_days_between(arrived, result) == left`` for ``left > 0`` (and for ``left == 0``
    when ``arrived`` is a working day; on a day off the result is the next working day), and
    ``working_days_between(result, arrived) == -left`` for ``left < 0`` (the result is then the
    working day that keeps the case overdue by as many working days as when it paused).
    """
    if left > 0 or (left == 0 and workdays.is_working_day(arrived).working):
        return workdays.add_working_days(arrived, left)
    if left == 0:  # due on the arrival day, which is a day off: the next working day instead
        return workdays.add_working_days(arrived, 1)
    day, provisional, owed = arrived, False, -left
    while owed:  # step back over `owed` working days: (day, arrived] holds exactly that many
        working, estimated = workdays.is_working_day(day)
        provisional = provisional or estimated
        owed -= working
        day -= dt.timedelta(days=1)
    while not (found := workdays.is_working_day(day)).working:  # land on a working day
        provisional = provisional or found.provisional
        day -= dt.timedelta(days=1)
    return workdays.Due(day, provisional or found.provisional)
