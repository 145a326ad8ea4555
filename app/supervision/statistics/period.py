"""The period a statistic covers: parsed from the query string, refused when impossible."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.core.errors import ValidationError
from bidding.clocks import start_of_day

MAX_MONTHS = 36
DEFAULT_MONTHS = 12
_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_MONTH = re.compile(r"^[0-9]{4}-[0-9]{2}$")


@dataclass(frozen=True)
class Period:
    start: dt.date  # first day counted (CST)
    end: dt.date  # last day counted (CST), inclusive

    @property
    def start_at(self) -> dt.datetime:
        return start_of_day(self.start)

    @property
    def end_at(self) -> dt.datetime:
        """The first instant after the period (exclusive bound)."""
        return start_of_day(self.end + dt.timedelta(days=1))

    def months(self) -> list[str]:
        out = []
        y, m = self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def as_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def _last_day_of_month(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


# Outside these years a date is a typing error, not a period anyone has data for.
FIRST_YEAR, LAST_YEAR = 1990, 2100


def _parse(value: str, *, is_end: bool, field: str) -> dt.date:
    value = value.strip()
    try:
        day: dt.date | None = None
        if _DAY.match(value):
            day = dt.date.fromisoformat(value)
        elif _MONTH.match(value):
            year, month = int(value[:4]), int(value[5:])
            day = _last_day_of_month(year, month) if is_end else dt.date(year, month, 1)
        if day is not None and FIRST_YEAR <= day.year <= LAST_YEAR:
            return day
    except ValueError:
        pass
    raise ValidationError(
        _l("日期“%(value)s”无法识别，请按 2026-03-01 或 2026-03 的格式填写。", value=value[:20]),
        field=field,
    )


def parse_period(start: str | None, end: str | None, today: dt.date) -> Period:
    """Both ends inclusive. Missing ends: the last twelve months up to today."""
    end_day = _parse(end, is_end=True, field="end") if end else today
    if start:
        start_day = _parse(start, is_end=False, field="start")
    else:
        y, m = end_day.year, end_day.month - (DEFAULT_MONTHS - 1)
        while m < 1:
            y, m = y - 1, m + 12
        start_day = dt.date(y, m, 1)
    if end_day < start_day:
        raise ValidationError(_l("结束日期不能早于开始日期。"), field="end")
    months = (end_day.year - start_day.year) * 12 + end_day.month - start_day.month + 1
    if months > MAX_MONTHS:
        raise ValidationError(
            _l("统计期间最长 %(n)s 个月，请缩短期间。", n=MAX_MONTHS), field="start"
        )
    return Period(start_day, end_day)
