"""The legal clocks as pure rules: no database, no request."""

from __future__ import annotations

import datetime as dt

from app.core.clock import CST, WorkCalendar
from bidding import clocks

CONFIG = {
    "BID_PERIOD_MIN_DAYS": 20,
    "BID_PERIOD_MIN_DAYS_BY_METHOD": {"open": 20, "negotiation": 3, "consultation": 10},
    "DOCUMENT_WINDOW_MIN_WORKING_DAYS": 5,
    "CLARIFICATION_MIN_DAYS": 15,
}


def cst(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CST)


def test_open_tender_needs_twenty_days_from_first_issue_of_documents() -> None:
    start = cst(2026, 3, 3, 9, 0)
    assert clocks.bid_period_min_days("open", CONFIG) == 20
    assert clocks.earliest_lawful_deadline(start, 20) == cst(2026, 3, 23, 9, 0)
    assert clocks.bid_period_is_lawful(start, cst(2026, 3, 23, 9, 0), 20)
    assert not clocks.bid_period_is_lawful(start, cst(2026, 3, 23, 8, 59), 20)


def test_bid_period_depends_on_the_method() -> None:
    assert clocks.bid_period_min_days("negotiation", CONFIG) == 3
    assert clocks.bid_period_min_days("consultation", CONFIG) == 10


def test_unlisted_method_falls_back_to_the_general_minimum() -> None:
    assert clocks.bid_period_min_days("inquiry", CONFIG) == 20


def test_centre_settings_override_the_bid_period_per_method() -> None:
    settings = {"bid_period_min_days_by_method": {"open": 25}}
    assert clocks.bid_period_min_days("open", CONFIG, settings) == 25
    assert clocks.bid_period_min_days("negotiation", CONFIG, settings) == 3


def test_centre_settings_override_window_and_clarification_minimums() -> None:
    settings = {"document_window_min_working_days": 7, "clarification_min_days": 16}
    assert clocks.document_window_min_working_days(CONFIG, settings) == 7
    assert clocks.clarification_min_days(CONFIG, settings) == 16
    assert clocks.document_window_min_working_days(CONFIG) == 5
    assert clocks.clarification_min_days(CONFIG) == 15


def test_document_window_counts_first_and_last_working_day() -> None:
    cal = WorkCalendar()
    # Tuesday 3 March to Monday 9 March 2026: Tue, Wed, Thu, Fri, Mon.
    assert clocks.window_working_days(cst(2026, 3, 3, 9), cst(2026, 3, 9, 17), cal) == 5
    assert clocks.document_window_is_lawful(cst(2026, 3, 3, 9), cst(2026, 3, 9, 17), cal, 5)
    assert not clocks.document_window_is_lawful(cst(2026, 3, 3, 9), cst(2026, 3, 6, 17), cal, 5)


def test_holiday_shortens_the_document_window() -> None:
    cal = WorkCalendar(holidays={dt.date(2026, 3, 5)})
    assert clocks.window_working_days(cst(2026, 3, 3, 9), cst(2026, 3, 9, 17), cal) == 4
    assert clocks.earliest_document_end_date(cst(2026, 3, 3, 9), cal, 5) == dt.date(2026, 3, 10)


def test_make_up_workday_counts_in_the_document_window() -> None:
    cal = WorkCalendar(holidays={dt.date(2026, 3, 5)}, workdays={dt.date(2026, 3, 7)})
    assert clocks.window_working_days(cst(2026, 3, 3, 9), cst(2026, 3, 9, 17), cal) == 5


def test_window_starting_on_a_weekend_counts_from_the_next_working_day() -> None:
    cal = WorkCalendar()
    # Saturday 7 March: the fifth working day is Friday 13 March.
    assert clocks.earliest_document_end_date(cst(2026, 3, 7, 9), cal, 5) == dt.date(2026, 3, 13)


def test_dates_are_counted_in_china_standard_time() -> None:
    cal = WorkCalendar()
    # 2026-03-08 20:00 UTC is already Monday 9 March in Beijing.
    start = dt.datetime(2026, 3, 8, 20, 0, tzinfo=dt.UTC)
    assert clocks.earliest_document_end_date(start, cal, 1) == dt.date(2026, 3, 9)


def test_clarification_15_days_or_more_before_the_deadline_keeps_it() -> None:
    now = cst(2026, 3, 5, 10, 0)
    assert clocks.clarification_deadline(now, cst(2026, 3, 20, 10, 0), 15) is None
    assert clocks.clarification_deadline(now, cst(2026, 3, 25, 9, 30), 15) is None


def test_clarification_less_than_15_days_moves_deadline() -> None:
    now = cst(2026, 3, 10, 14, 0)
    moved = clocks.clarification_deadline(now, cst(2026, 3, 20, 9, 30), 15)
    # now + 15 days is 25 March 14:00; the opening keeps its 09:30 slot, so the 26th.
    assert moved == cst(2026, 3, 26, 9, 30)
    assert moved >= now + dt.timedelta(days=15)


def test_moved_deadline_keeps_the_same_day_when_the_time_of_day_allows() -> None:
    now = cst(2026, 3, 10, 8, 0)
    assert clocks.clarification_deadline(now, cst(2026, 3, 20, 9, 30), 15) == cst(
        2026, 3, 25, 9, 30
    )


def test_check_timetable_lists_every_broken_clock() -> None:
    cal = WorkCalendar()
    problems = clocks.check_timetable(
        doc_start=cst(2026, 3, 3, 9),
        doc_end=cst(2026, 3, 5, 17),
        deadline=cst(2026, 3, 10, 9),
        min_bid_days=20,
        min_window_days=5,
        calendar=cal,
    )
    assert [p.code for p in problems] == ["bid_period", "document_window"]
    assert problems[0].bound == cst(2026, 3, 23, 9)
    assert problems[1].bound == dt.date(2026, 3, 9)
    assert problems[1].actual == 3


def test_lawful_timetable_has_no_problem() -> None:
    problems = clocks.check_timetable(
        doc_start=cst(2026, 3, 3, 9),
        doc_end=cst(2026, 3, 9, 17),
        deadline=cst(2026, 3, 24, 9, 30),
        min_bid_days=20,
        min_window_days=5,
        calendar=WorkCalendar(),
    )
    assert problems == []
