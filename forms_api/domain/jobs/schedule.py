"""The daily jobs, in China time and the mainland's working days (调休 included).

Every runner asks, about once a minute, for today's daily jobs to be queued
(:func:`daily_jobs`); each has the id ``daily:<task>:<day>``, so however many runners ask, on
however many hosts, each is queued once a day. A daily job then queues one job per record or
department (:mod:`.reminders`), each retried on its own if its mail fails.

==============  ======  ==============  ================================================
task            at      days            does
==============  ======  ==============  ================================================
``digest``      08:00   working days    each department's digest of due and overdue work
``reminders``   08:30   working days    即将到期: work due today and on the next working day
``overdue``     09:00   working days    催告 (F.3.4) of work past its due date, recorded
``uploads``     03:00   every day       uploads no record names, after a grace period
``retention``   03:30   every day       personal data past its retention period erased
``no_shows``    02:30   every day       appointments of a past day still 已预约 marked 未到
==============  ======  ==============  ================================================

A day on which the server was down is not made up for: today's jobs cover what is due and
overdue today, whatever was missed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from forms_api.storage.jobs import Job
from generator import workdays
from generator.workdays import china_tz


@dataclass(frozen=True)
class Daily:
    task: str
    at: dt.time
    """China time."""
    working_days_only: bool = True


DAILY = (
    Daily("digest", dt.time(8, 0)),
    Daily("reminders", dt.time(8, 30)),
    Daily("overdue", dt.time(9, 0)),
    Daily("uploads", dt.time(3, 0), working_days_only=False),
    Daily("retention", dt.time(3, 30), working_days_only=False),
    Daily("no_shows", dt.time(2, 30), working_days_only=False),
)

TICK_SECONDS = 60.0
"""How often a runner asks for today's daily jobs."""


def daily_jobs(now: dt.datetime) -> list[Job]:
    """Today's daily jobs (China time), due at their hour: none of the working-day ones on a
    day off, all of them on a 调休 working Saturday."""
    day = now.astimezone(china_tz()).date()
    working = workdays.is_working_day(day).working
    return [
        Job(
            f"daily:{daily.task}:{day.isoformat()}",
            daily.task,
            {"day": day.isoformat()},
            dt.datetime.combine(day, daily.at, china_tz()),
            max_attempts=3,
        )
        for daily in DAILY
        if working or not daily.working_days_only
    ]


def next_working_morning(after: dt.date, at: dt.time = dt.time(9, 0)) -> dt.datetime:
    """``at`` on the first working day after ``after`` (China time)."""
    day = workdays.add_working_days(after, 1).date
    return dt.datetime.combine(day, at, china_tz())
