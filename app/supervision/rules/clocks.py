"""Shared by the clock rules: a deadline missed is red, within a day of it yellow."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.supervision.models import Level

WITHIN = dt.timedelta(days=1)


def level(due: dt.datetime, now: dt.datetime) -> Level | None:
    if due < now:
        return Level.RED
    if due - now <= WITHIN:
        return Level.YELLOW
    return None


def horizon(now: dt.datetime) -> Any:
    return now + WITHIN
