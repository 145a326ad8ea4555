"""The two clocks of prequalification (招标投标法实施条例 第十六条、第十七条) at their edges:
documents on offer ≥ 5 days, applications due ≥ 5 days after the offer closes; the day
of the event is not counted and a last day on a rest day or holiday moves on."""

from __future__ import annotations

import datetime as dt

from app.core.clock import CST, WorkCalendar
from bidding import clocks

CAL = WorkCalendar()


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CST)


def test_the_offer_runs_five_days_not_counting_the_day_it_opens() -> None:
    # Opens Tuesday 3 March 2026 at 16:00: the 5th day is Sunday 8 March, a rest day → Monday 9.
    start = at(2026, 3, 3, 16, 0)
    assert clocks.earliest_prequal_offer_end_date(start, 5, CAL) == dt.date(2026, 3, 9)
    assert clocks.prequal_offer_is_lawful(start, at(2026, 3, 9, 0, 0), 5, CAL)
    assert not clocks.prequal_offer_is_lawful(start, at(2026, 3, 8, 23, 59), 5, CAL)


def test_an_offer_ending_on_a_working_fifth_day_is_lawful_the_day_before_is_not() -> None:
    start = at(2026, 3, 2, 9, 0)  # Monday: the 5th day is Saturday 7 March → Monday 9
    start_wed = at(2026, 3, 4, 9, 0)  # Wednesday: the 5th day is Monday 9 March
    assert clocks.earliest_prequal_offer_end_date(start_wed, 5, CAL) == dt.date(2026, 3, 9)
    assert clocks.prequal_offer_is_lawful(start_wed, at(2026, 3, 9, 8, 0), 5, CAL)
    assert not clocks.prequal_offer_is_lawful(start_wed, at(2026, 3, 8, 17, 0), 5, CAL)
    assert clocks.earliest_prequal_offer_end_date(start, 5, CAL) == dt.date(2026, 3, 9)


def test_applications_are_due_five_days_after_the_day_the_offer_closes() -> None:
    end = at(2026, 3, 9, 17, 0)  # Monday: +5 is Saturday 14 March → Monday 16
    assert clocks.earliest_prequal_application_date(end, 5, CAL) == dt.date(2026, 3, 16)
    assert clocks.prequal_application_is_lawful(end, at(2026, 3, 16, 9, 0), 5, CAL)
    assert not clocks.prequal_application_is_lawful(end, at(2026, 3, 15, 23, 59), 5, CAL)
    end_tue = at(2026, 3, 10, 17, 0)  # +5 is Sunday 15 → Monday 16
    assert clocks.earliest_prequal_application_date(end_tue, 5, CAL) == dt.date(2026, 3, 16)
    end_wed = at(2026, 3, 11, 23, 59)  # +5 is Monday 16 itself
    assert clocks.prequal_application_is_lawful(end_wed, at(2026, 3, 16, 0, 0), 5, CAL)


def test_a_holiday_on_the_last_day_moves_it_to_the_next_working_day() -> None:
    holidays = {dt.date(2026, 3, 16), dt.date(2026, 3, 17)}
    cal = WorkCalendar(holidays=holidays)
    end = at(2026, 3, 11, 9, 0)  # +5 is Monday 16, a holiday, and 17 too → Wednesday 18
    assert clocks.earliest_prequal_application_date(end, 5, cal) == dt.date(2026, 3, 18)
    assert not clocks.prequal_application_is_lawful(end, at(2026, 3, 17, 12, 0), 5, cal)


def test_a_centre_may_lengthen_the_periods_in_its_settings() -> None:
    config = {"PREQUAL_OFFER_MIN_DAYS": 5, "PREQUAL_APPLICATION_MIN_DAYS": 5}
    assert clocks.prequal_offer_min_days(config) == 5
    assert clocks.prequal_offer_min_days(config, {"prequal_offer_min_days": 7}) == 7
    assert clocks.prequal_application_min_days(config, {"prequal_application_min_days": 6}) == 6
    assert clocks.prequal_application_min_days({}) == clocks.DEFAULT_PREQUAL_APPLICATION_MIN_DAYS
