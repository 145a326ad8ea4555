from __future__ import annotations

import datetime as dt

from app.core.auth.models import Holiday
from app.core.calendar import calendar_for
from app.core.extensions import db
from tests.factories import make_centre


def test_calendar_reads_the_centres_holidays_and_make_up_days() -> None:
    centre = make_centre()
    other = make_centre()
    db.session.add_all(
        [
            Holiday(centre_id=centre.id, day=dt.date(2026, 10, 1), name="国庆节"),
            Holiday(centre_id=centre.id, day=dt.date(2026, 10, 10), is_workday=True, name="调休"),
            Holiday(centre_id=other.id, day=dt.date(2026, 10, 12), name="别处假日"),
        ]
    )
    db.session.flush()
    cal = calendar_for(centre.id)
    assert not cal.is_working_day(dt.date(2026, 10, 1))  # a Thursday off
    assert cal.is_working_day(dt.date(2026, 10, 10))  # a Saturday on
    assert cal.is_working_day(dt.date(2026, 10, 12))  # another centre's holiday
    assert not cal.is_working_day(dt.date(2026, 10, 11))  # an ordinary Sunday


def test_no_centre_means_the_plain_monday_to_friday_week() -> None:
    cal = calendar_for(None)
    assert cal.is_working_day(dt.date(2026, 10, 1))
