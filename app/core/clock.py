"""The only place that reads the time. Tests move it with `frozen()` / `set_now()`.

Working days come from a per-centre holiday calendar (`Holiday` rows): a date marked as
a holiday is off even on a weekday; a date marked as a make-up workday (调休) is on even
on a weekend.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

CST = ZoneInfo("Asia/Shanghai")

_override: dt.datetime | None = None


def now() -> dt.datetime:
    if _override is not None:
        return _override
    return dt.datetime.now(dt.UTC)


def set_now(value: dt.datetime | None) -> None:
    global _override
    if value is not None and value.tzinfo is None:
        raise ValueError("set_now needs an aware datetime")
    _override = value.astimezone(dt.UTC) if value is not None else None


def advance(delta: dt.timedelta) -> dt.datetime:
    set_now(now() + delta)
    return now()


@contextlib.contextmanager
def frozen(at: dt.datetime) -> Iterator[None]:
    previous = _override
    set_now(at)
    try:
        yield
    finally:
        set_now(previous)


def to_cst(value: dt.datetime) -> dt.datetime:
    return value.astimezone(CST)


def cst_date(value: dt.datetime) -> dt.date:
    return to_cst(value).date()


def parse_cst(text: str) -> dt.datetime:
    """Parse a datetime typed by a user in China Standard Time ('YYYY-MM-DD HH:MM' or ISO)."""
    value = dt.datetime.fromisoformat(text.strip().replace(" ", "T"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=CST)
    return value.astimezone(dt.UTC)


class WorkCalendar:
    """Working-day arithmetic over explicit holiday and make-up-day sets."""

    def __init__(self, holidays: set[dt.date] | None = None, workdays: set[dt.date] | None = None):
        self.holidays = holidays or set()
        self.workdays = workdays or set()

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The date n working days after `start` (start itself not counted)."""
        day = start
        counted = 0
        while counted < n:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]."""
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count
