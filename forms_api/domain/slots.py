"""Appointment slots of a service point (预约办理, E.4.5): which window times can be booked.

A point that takes appointments (``appointments`` in catalog/service-points.yml) opens its
sessions on working days of the mainland calendar: no slots on public holidays, slots on
调休 Saturdays. Each session is cut into slots of ``slot_minutes``; a slot can be booked until
``cutoff_hours`` before it starts, up to ``days_ahead`` working days ahead (today included).
Pure: the time is passed in, so every rule is tested on fixed days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from generator import workdays
from generator.schema import ServicePoint

WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True, order=True)
class Slot:
    day: dt.date
    start: dt.time
    end: dt.time

    @property
    def key(self) -> str:
        """``2026-12-08T09:00``: how forms and the API name a slot."""
        return f"{self.day.isoformat()}T{self.start.strftime('%H:%M')}"

    def starts_at(self) -> dt.datetime:
        return dt.datetime.combine(self.day, self.start, workdays.china_tz())

    def label(self) -> str:
        """``12月8日（周二）09:00—09:30``."""
        return (
            f"{self.day.month}月{self.day.day}日（周{WEEKDAYS[self.day.weekday()]}）"
            f"{self.start.strftime('%H:%M')}—{self.end.strftime('%H:%M')}"
        )


def parse_key(key: str) -> tuple[dt.date, dt.time] | None:
    try:
        moment = dt.datetime.strptime(key, "%Y-%m-%dT%H:%M")
    except (TypeError, ValueError):
        return None
    return moment.date(), moment.time()


def _clock(text: str) -> dt.time:
    return dt.datetime.strptime(text, "%H:%M").time()


def slots_on(point: ServicePoint, day: dt.date) -> list[Slot]:
    """Every slot of ``day`` (none on a day the point is closed)."""
    rules = point.appointments
    if rules is None or not workdays.is_working_day(day).working:
        return []
    found = []
    step = dt.timedelta(minutes=rules.slot_minutes)
    for session in point.sessions:
        start = dt.datetime.combine(day, _clock(session.start))
        end = dt.datetime.combine(day, _clock(session.end))
        while start + step <= end:
            found.append(Slot(day, start.time(), (start + step).time()))
            start += step
    return found


def bookable_days(point: ServicePoint, now: dt.datetime) -> Iterator[dt.date]:
    """The working days a booking can be made for, from today: ``days_ahead`` of them."""
    rules = point.appointments
    if rules is None:
        return
    day, left = now.astimezone(workdays.china_tz()).date(), rules.days_ahead
    while left:
        if workdays.is_working_day(day).working:
            yield day
            left -= 1
        day += dt.timedelta(days=1)


def _before_cutoff(point: ServicePoint, slot: Slot, now: dt.datetime) -> bool:
    assert point.appointments is not None
    return slot.starts_at() - dt.timedelta(hours=point.appointments.cutoff_hours) > now


def open_for_booking(point: ServicePoint, slot: Slot, now: dt.datetime) -> bool:
    """Whether ``slot`` is one of the point's and may still be booked at ``now``."""
    if point.appointments is None or slot.day not in set(bookable_days(point, now)):
        return False
    return slot in slots_on(point, slot.day) and _before_cutoff(point, slot, now)


def bookable(point: ServicePoint, now: dt.datetime) -> list[Slot]:
    """Every slot that can be booked at ``now``, earliest first (the days are the bookable
    ones already: only the cut-off is left to check)."""
    return [
        slot
        for day in bookable_days(point, now)
        for slot in slots_on(point, day)
        if _before_cutoff(point, slot, now)
    ]


def find(point: ServicePoint, key: str) -> Slot | None:
    """The point's slot named ``key`` (``2026-12-08T09:00``), on whatever day."""
    parsed = parse_key(key)
    if parsed is None:
        return None
    return next((slot for slot in slots_on(point, parsed[0]) if slot.start == parsed[1]), None)
