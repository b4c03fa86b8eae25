"""Working days in mainland China: due dates of time limits and "overdue by N working days".

Deadlines in the standard count 工作日, and weekends are not simply days off: the State
Council moves working days (调休), e.g. Saturday 2026-10-10 is a working day. The
``chinesecalendar`` package (``import chinese_calendar``) carries the published schedules,
from 2004 to the latest year the State Council has announced (a new year appears each
November); for any other year it raises ``NotImplementedError``.

Outside the published years this module never fails: it counts Monday to Friday as working
days and marks the answer *provisional*, so the console can show such a due date as an
estimate until the package publishes that year.

Dates are calendar dates in China. Pass ``datetime.date`` values, not ``datetime``: which
day a timestamp falls on depends on its time zone, so take ``.date()`` of a China-local
time (see :func:`today`) first.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import chinese_calendar

if TYPE_CHECKING:
    from generator.schema import TimeLimit

__all__ = [
    "CHINA_TZ_NAME",
    "CHINA_UTC_OFFSET",
    "Due",
    "WorkingDay",
    "add_working_days",
    "china_tz",
    "due_date",
    "is_working_day",
    "today",
    "working_days_between",
]

CHINA_TZ_NAME = "Asia/Shanghai"
CHINA_UTC_OFFSET = dt.timezone(dt.timedelta(hours=8), "CST")
"""Used when tzdata is missing; exact, as mainland China has kept UTC+8 without DST since 1991."""

_ONE_DAY = dt.timedelta(days=1)


class WorkingDay(NamedTuple):
    """Whether a day is a working day, and whether that is only the weekday estimate."""

    working: bool
    provisional: bool


@dataclass(frozen=True)
class Due:
    """A computed due date; ``provisional`` when it relies on the Monday–Friday estimate."""

    date: dt.date
    provisional: bool


def _check_date(value: object, name: str) -> dt.date:
    # datetime is a subclass of date: reject it rather than guess its day in China.
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise TypeError(f"{name} must be a datetime.date (not {type(value).__name__})")
    return value


def is_working_day(day: dt.date) -> WorkingDay:
    """Whether ``day`` is a working day in mainland China: ``(working, provisional)``.

    ``provisional`` is True when ``day`` lies outside the years the installed
    ``chinesecalendar`` publishes; ``working`` then means Monday to Friday.
    """
    _check_date(day, "day")
    return _working_day(day)


@functools.lru_cache(maxsize=8192)
def _working_day(day: dt.date) -> WorkingDay:
    # chinesecalendar checks its whole table's range on every call: remember the answers
    try:
        return WorkingDay(chinese_calendar.is_workday(day), False)
    except NotImplementedError:
        return WorkingDay(day.weekday() < 5, True)


def add_working_days(start: dt.date, n: int) -> Due:
    """The ``n``-th working day after ``start``.

    Day 1 is the first working day after ``start``, whether or not ``start`` itself is a
    working day; ``n == 0`` gives ``start`` itself (never provisional). The result is
    provisional when any day counted over lies outside the published calendar.
    """
    _check_date(start, "start")
    n = operator.index(n)  # a float would never count down to exactly zero
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    day, provisional, remaining = start, False, n
    while remaining:
        day += _ONE_DAY
        working, estimated = is_working_day(day)
        provisional = provisional or estimated
        if working:
            remaining -= 1
    return Due(day, provisional)


def due_date(start: dt.date, limit: TimeLimit) -> Due:
    """When a time limit running from ``start`` ends.

    工作日: ``limit.value`` working days after ``start`` (see :func:`add_working_days`);
    自然日: ``start`` plus ``limit.value`` days, never provisional; 即办: ``start`` itself.
    """
    _check_date(start, "start")
    if limit.unit == "即办":
        return Due(start, False)
    if limit.value is None:
        raise ValueError(f"时限单位为“{limit.unit}”，但未填写天数（value）")
    if limit.unit == "工作日":
        return add_working_days(start, limit.value)
    if limit.unit == "自然日":
        return Due(start + dt.timedelta(days=limit.value), False)
    raise ValueError(f"未知的时限单位：{limit.unit!r}")


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end``; negative if ``end < start``.

    ``working_days_between(start, add_working_days(start, n).date) == n``, so with ``due``
    and ``today()`` it gives the working days left (positive) and, the other way round,
    how many working days a case is overdue. ``working_days_between(a, b)`` is
    ``-working_days_between(b, a)``. Days outside the published calendar count Monday to
    Friday.
    """
    _check_date(start, "start")
    _check_date(end, "end")
    if end < start:
        return -working_days_between(end, start)
    count, day = 0, start
    while day < end:
        day += _ONE_DAY
        if is_working_day(day).working:
            count += 1
    return count


def china_tz() -> dt.tzinfo:
    """China's time zone: ``Asia/Shanghai``, or a fixed UTC+8 offset without tzdata."""
    try:
        return ZoneInfo(CHINA_TZ_NAME)
    except ZoneInfoNotFoundError:
        return CHINA_UTC_OFFSET


def today() -> dt.date:
    """Today's date in China, whatever the server's own time zone."""
    return dt.datetime.now(china_tz()).date()
