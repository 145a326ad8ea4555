"""A centre's working-day calendar, built from its Holiday rows."""

from __future__ import annotations

from sqlalchemy import select

from app.core.auth.models import Holiday
from app.core.clock import WorkCalendar
from app.core.extensions import db


def calendar_for(centre_id: int | None) -> WorkCalendar:
    """The calendar of one centre: its holidays are off, its make-up days (调休) are on."""
    if centre_id is None:
        return WorkCalendar()
    rows = db.session.execute(
        select(Holiday.day, Holiday.is_workday).where(Holiday.centre_id == centre_id)
    ).all()
    holidays = {day for day, is_workday in rows if not is_workday}
    workdays = {day for day, is_workday in rows if is_workday}
    return WorkCalendar(holidays=holidays, workdays=workdays)
