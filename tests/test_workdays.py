"""Working days in mainland China: 调休, holidays, and the provisional weekday fallback.

Every calendar fact asserted here was read from the installed ``chinesecalendar`` (1.11,
which publishes 2004–2026) and matches the State Council's 2026 schedule: 国庆 Oct 1–7 off,
Sunday Sep 20 and Saturday Oct 10 worked; 中秋 Sep 25–27 off; 春节 Feb 15–23 off,
Saturdays Feb 14 and Feb 28 worked. Nothing here mocks the package.
"""

from __future__ import annotations

import datetime as dt
from datetime import date

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator import workdays
from generator.schema import TimeLimit
from generator.workdays import (
    Due,
    WorkingDay,
    add_working_days,
    due_date,
    is_working_day,
    working_days_between,
)


def published(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


FIRST_UNPUBLISHED = next(year for year in range(2026, 2200) if not published(year))

needs_2027_unpublished = pytest.mark.skipif(
    published(2027), reason="chinesecalendar now publishes 2027: move these cases to its successor"
)


# --- single days -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 1, 4),  # Sunday, 元旦 make-up
        date(2026, 2, 14),  # Saturday, 春节 make-up
        date(2026, 2, 28),  # Saturday, 春节 make-up
        date(2026, 5, 9),  # Saturday, 劳动节 make-up
        date(2026, 9, 20),  # Sunday, 国庆 make-up
        date(2026, 10, 10),  # Saturday, 国庆 make-up
    ],
)
def test_make_up_weekend_days_are_working_days(day: date) -> None:
    assert day.weekday() >= 5
    assert is_working_day(day) == WorkingDay(working=True, provisional=False)


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 2, 16),  # Monday in 春节
        date(2026, 2, 23),  # Monday, last day of 春节
        date(2026, 10, 1),  # Thursday, 国庆
        date(2026, 10, 7),  # Wednesday, last day of 国庆
        date(2026, 9, 19),  # an ordinary Saturday
    ],
)
def test_holidays_and_ordinary_weekends_are_days_off(day: date) -> None:
    assert is_working_day(day) == (False, False)


def test_published_year_agrees_with_the_package_day_by_day() -> None:
    day = date(2026, 1, 1)
    while day.year == 2026:
        assert is_working_day(day) == (chinese_calendar.is_workday(day), False), day
        day += dt.timedelta(days=1)


def test_unpublished_years_fall_back_to_weekdays_without_failing() -> None:
    jan1 = date(FIRST_UNPUBLISHED, 1, 1)
    monday = jan1 + dt.timedelta(days=7 - jan1.weekday())
    for offset, working in enumerate([True] * 5 + [False] * 2):
        assert is_working_day(monday + dt.timedelta(days=offset)) == (working, True)
    assert is_working_day(date(2100, 12, 24)) == (True, True)  # Friday
    assert is_working_day(date(2100, 12, 25)) == (False, True)  # Saturday


def test_years_before_2004_fall_back_to_weekdays() -> None:
    assert is_working_day(date(2003, 12, 26)) == (True, True)  # Friday
    assert is_working_day(date(2003, 12, 27)) == (False, True)  # Saturday
    assert is_working_day(date(2004, 1, 1)) == (False, False)  # 元旦, published


def test_datetimes_are_refused() -> None:
    with pytest.raises(TypeError):
        is_working_day(dt.datetime(2026, 10, 10, 9, 0))
    with pytest.raises(TypeError):
        add_working_days("2026-10-10", 1)  # type: ignore[arg-type]


# --- adding working days ---------------------------------------------------------------------


def test_across_national_day_the_count_lands_on_the_make_up_saturday() -> None:
    start = date(2026, 9, 28)  # Monday, after 中秋 (Sep 25–27)
    assert add_working_days(start, 1) == Due(date(2026, 9, 29), False)
    assert add_working_days(start, 2) == Due(date(2026, 9, 30), False)
    assert add_working_days(start, 3) == Due(date(2026, 10, 8), False)  # Oct 1–7 skipped
    assert add_working_days(start, 5) == Due(date(2026, 10, 10), False)  # 调休 Saturday
    assert add_working_days(start, 6) == Due(date(2026, 10, 12), False)  # Sunday Oct 11 off


def test_make_up_sunday_counts_before_national_day() -> None:
    assert add_working_days(date(2026, 9, 18), 1) == Due(date(2026, 9, 20), False)


def test_across_spring_festival() -> None:
    friday = date(2026, 2, 13)
    assert add_working_days(friday, 1) == Due(date(2026, 2, 14), False)  # 调休 Saturday
    assert add_working_days(friday, 2) == Due(date(2026, 2, 24), False)  # Feb 15–23 off
    assert add_working_days(date(2026, 2, 27), 1) == Due(date(2026, 2, 28), False)


def test_start_on_a_holiday_counts_from_the_next_working_day() -> None:
    assert add_working_days(date(2026, 10, 1), 1) == Due(date(2026, 10, 8), False)
    assert add_working_days(date(2026, 9, 26), 1) == Due(date(2026, 9, 28), False)  # 中秋 Saturday


def test_zero_working_days_is_the_start_itself() -> None:
    assert add_working_days(date(2026, 10, 1), 0) == Due(date(2026, 10, 1), False)
    assert add_working_days(date(2026, 9, 28), 0) == Due(date(2026, 9, 28), False)
    assert add_working_days(date(FIRST_UNPUBLISHED, 3, 1), 0).provisional is False


def test_negative_or_fractional_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        add_working_days(date(2026, 9, 28), -1)
    with pytest.raises(TypeError):
        add_working_days(date(2026, 9, 28), 2.5)  # type: ignore[arg-type]


def test_due_date_within_december_2026_is_not_provisional() -> None:
    # Thursday Dec 24 + 5: Dec 25, 28, 29, 30, 31, all published.
    assert add_working_days(date(2026, 12, 24), 5) == Due(date(2026, 12, 31), False)


@needs_2027_unpublished
def test_due_date_running_into_2027_is_provisional_and_skips_weekends() -> None:
    # Dec 29, 30, 31 (published), then the estimate: Fri Jan 1, (Jan 2–3 weekend), Mon Jan 4.
    assert add_working_days(date(2026, 12, 28), 5) == Due(date(2027, 1, 4), True)
    assert add_working_days(date(2026, 12, 31), 2) == Due(date(2027, 1, 4), True)
    assert add_working_days(date(2026, 12, 24), 6) == Due(date(2027, 1, 1), True)


def test_start_before_2004_is_provisional() -> None:
    assert add_working_days(date(2003, 12, 25), 1) == Due(date(2003, 12, 26), True)
    # Only published days counted: Jan 1 2004 (元旦) skipped, Friday Jan 2 is the first.
    assert add_working_days(date(2003, 12, 31), 1) == Due(date(2004, 1, 2), False)


# --- due dates of time limits ----------------------------------------------------------------


def test_due_date_in_working_days() -> None:
    limit = TimeLimit(value=5, unit="工作日")
    assert due_date(date(2026, 9, 28), limit) == Due(date(2026, 10, 10), False)


def test_due_date_in_calendar_days_ignores_holidays() -> None:
    limit = TimeLimit(value=10, unit="自然日")
    assert due_date(date(2026, 9, 28), limit) == Due(date(2026, 10, 8), False)
    # Calendar days need no published schedule: never provisional.
    assert due_date(date(2026, 12, 25), TimeLimit(value=20, unit="自然日")) == Due(date(2027, 1, 14), False)


def test_immediate_is_due_the_same_day() -> None:
    assert due_date(date(2026, 10, 1), TimeLimit(unit="即办")) == Due(date(2026, 10, 1), False)
    # A stray value on 即办 (flagged by validation rule E007) changes nothing.
    assert due_date(date(2026, 10, 1), TimeLimit(value=3, unit="即办")) == Due(date(2026, 10, 1), False)


def test_missing_value_is_refused() -> None:
    with pytest.raises(ValueError, match="value"):
        due_date(date(2026, 10, 1), TimeLimit(unit="工作日"))


# --- working days between two dates ----------------------------------------------------------


def test_between_counts_after_start_up_to_and_including_end() -> None:
    assert working_days_between(date(2026, 9, 28), date(2026, 9, 28)) == 0
    assert working_days_between(date(2026, 9, 28), date(2026, 9, 29)) == 1
    assert working_days_between(date(2026, 9, 28), date(2026, 10, 10)) == 5


def test_between_across_a_holiday() -> None:
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 7)) == 0  # all of 国庆 off
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 8)) == 1
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2  # Feb 14 and Feb 24


def test_between_backwards_is_negative() -> None:
    assert working_days_between(date(2026, 10, 10), date(2026, 9, 28)) == -5
    assert working_days_between(date(2026, 10, 8), date(2026, 9, 30)) == -1
    # Overdue: due Friday Oct 9, seen on Monday Oct 12 -> Oct 10 and Oct 12 have passed.
    assert working_days_between(date(2026, 10, 9), date(2026, 10, 12)) == 2
    assert working_days_between(date(2026, 10, 12), date(2026, 10, 9)) == -2


def test_between_beyond_the_published_calendar_counts_weekdays() -> None:
    assert working_days_between(date(2100, 12, 24), date(2100, 12, 27)) == 1  # Fri -> Mon


@given(
    start=st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
    n=st.integers(min_value=0, max_value=60),
)
def test_between_inverts_add(start: date, n: int) -> None:
    due = add_working_days(start, n)
    assert working_days_between(start, due.date) == n
    assert working_days_between(due.date, start) == -n
    if n:
        assert is_working_day(due.date).working
        assert due.provisional == (due.date.year >= FIRST_UNPUBLISHED)
    else:
        assert due == Due(start, False)


# --- today in China --------------------------------------------------------------------------


def _china_date_now() -> date:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=8)).date()


def test_today_is_the_date_in_china() -> None:
    before = _china_date_now()
    got = workdays.today()
    after = _china_date_now()
    assert got in {before, after}
    assert dt.datetime(2026, 1, 1, tzinfo=workdays.china_tz()).utcoffset() == dt.timedelta(hours=8)


def test_today_without_tzdata_uses_a_fixed_offset(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(key: str) -> dt.tzinfo:
        raise workdays.ZoneInfoNotFoundError(key)

    monkeypatch.setattr(workdays, "ZoneInfo", missing)
    assert workdays.china_tz() is workdays.CHINA_UTC_OFFSET
    before = _china_date_now()
    got = workdays.today()
    after = _china_date_now()
    assert got in {before, after}
