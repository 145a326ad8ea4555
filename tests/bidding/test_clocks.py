"""The legal clocks as pure rules: no database, no request."""

from __future__ import annotations

import datetime as dt

from app.core import formatting
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


# 2026 calendar used below: 3 March is a Tuesday; Labour Day holidays 1–5 May (Friday to
# Tuesday) with Saturday 9 May made a working day (调休).
MAY_DAY = WorkCalendar(
    holidays={dt.date(2026, 5, d) for d in range(1, 6)}, workdays={dt.date(2026, 5, 9)}
)


def test_a_period_starts_the_day_after_the_event_whatever_its_hour() -> None:
    cal = WorkCalendar()
    for hour, minute in ((0, 0), (10, 0), (23, 59)):
        event = cst(2026, 3, 3, hour, minute)
        assert clocks.period_last_day(event, 20, cal) == dt.date(2026, 3, 23)
        # It ends at 24:00 of its last day, the first instant after it being 00:00 on the 24th.
        assert clocks.period_end(event, 20, cal) == cst(2026, 3, 24, 0, 0)


def test_a_period_ending_on_a_weekend_ends_on_the_next_working_day() -> None:
    # Thursday 5 March + 3 days = Sunday 8 March → Monday 9 March.
    assert clocks.period_last_day(cst(2026, 3, 5, 10), 3, WorkCalendar()) == dt.date(2026, 3, 9)
    assert clocks.period_end(cst(2026, 3, 5, 10), 3, WorkCalendar()) == cst(2026, 3, 10)


def test_a_period_ending_in_a_holiday_run_ends_after_it() -> None:
    # Tuesday 28 April + 3 days = Friday 1 May, a holiday until Tuesday 5 May.
    assert clocks.period_last_day(cst(2026, 4, 28, 10), 3, MAY_DAY) == dt.date(2026, 5, 6)
    # The day before the run is a working day: no shift.
    assert clocks.period_last_day(cst(2026, 4, 27, 10), 3, MAY_DAY) == dt.date(2026, 4, 30)


def test_a_make_up_workday_ends_a_period_on_itself() -> None:
    # Wednesday 6 May + 3 days = Saturday 9 May, a make-up working day.
    assert clocks.period_last_day(cst(2026, 5, 6, 10), 3, MAY_DAY) == dt.date(2026, 5, 9)
    assert clocks.period_last_day(cst(2026, 5, 6, 10), 3, WorkCalendar()) == dt.date(2026, 5, 11)


def test_days_are_counted_from_the_china_standard_time_date() -> None:
    # 2026-03-02 17:00 UTC is already 3 March 01:00 in Beijing.
    event = dt.datetime(2026, 3, 2, 17, 0, tzinfo=dt.UTC)
    assert clocks.period_last_day(event, 20, WorkCalendar()) == dt.date(2026, 3, 23)


def test_open_tender_needs_twenty_days_from_first_issue_of_documents() -> None:
    start = cst(2026, 3, 3, 10, 0)
    cal = WorkCalendar()
    assert clocks.bid_period_min_days("open", CONFIG) == 20
    assert clocks.earliest_deadline_date(start, 20, cal) == dt.date(2026, 3, 23)
    assert clocks.earliest_lawful_deadline(start, 20, cal) == cst(2026, 3, 23, 0, 0)
    # The twentieth day counts whole: an opening at 09:30 on it is lawful, although it is
    # less than 20 × 24 hours after the documents went out at 10:00.
    assert clocks.bid_period_is_lawful(start, cst(2026, 3, 23, 9, 30), 20, cal)
    assert clocks.bid_period_is_lawful(start, cst(2026, 3, 23, 0, 0), 20, cal)
    assert not clocks.bid_period_is_lawful(start, cst(2026, 3, 22, 23, 59), 20, cal)


def test_bid_period_whose_last_day_is_a_holiday_runs_to_the_next_working_day() -> None:
    # Saturday 11 April + 20 days = Friday 1 May: the deadline cannot fall before 6 May.
    start = cst(2026, 4, 11, 9, 0)
    assert clocks.earliest_deadline_date(start, 20, MAY_DAY) == dt.date(2026, 5, 6)
    assert not clocks.bid_period_is_lawful(start, cst(2026, 5, 5, 9, 30), 20, MAY_DAY)
    assert clocks.bid_period_is_lawful(start, cst(2026, 5, 6, 9, 30), 20, MAY_DAY)


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


def test_document_window_counts_working_days_after_the_first_day() -> None:
    cal = WorkCalendar()
    # Out on Tuesday 3 March (not counted): Wed 4, Thu 5, Fri 6, Mon 9, Tue 10 March.
    assert clocks.earliest_document_end_date(cst(2026, 3, 3, 9), cal, 5) == dt.date(2026, 3, 10)
    assert clocks.window_working_days(cst(2026, 3, 3, 9), cst(2026, 3, 10, 17), cal) == 5
    assert clocks.document_window_is_lawful(cst(2026, 3, 3, 9), cst(2026, 3, 10, 17), cal, 5)
    assert not clocks.document_window_is_lawful(cst(2026, 3, 3, 9), cst(2026, 3, 9, 23, 59), cal, 5)
    # Closing on the last day during office hours keeps the window (民法典 第二百零三条).
    assert clocks.document_window_is_lawful(cst(2026, 3, 3, 9), cst(2026, 3, 10, 9), cal, 5)


def test_holiday_lengthens_the_document_window() -> None:
    cal = WorkCalendar(holidays={dt.date(2026, 3, 5)})
    assert clocks.window_working_days(cst(2026, 3, 3, 9), cst(2026, 3, 10, 17), cal) == 4
    assert clocks.earliest_document_end_date(cst(2026, 3, 3, 9), cal, 5) == dt.date(2026, 3, 11)


def test_make_up_workday_counts_in_the_document_window() -> None:
    cal = WorkCalendar(holidays={dt.date(2026, 3, 5)}, workdays={dt.date(2026, 3, 7)})
    assert clocks.window_working_days(cst(2026, 3, 3, 9), cst(2026, 3, 10, 17), cal) == 5
    assert clocks.earliest_document_end_date(cst(2026, 3, 3, 9), cal, 5) == dt.date(2026, 3, 10)


def test_window_over_the_may_day_holidays() -> None:
    # Out on Wednesday 29 April: Thu 30 April, then the holidays, Wed 6, Thu 7, Fri 8 and the
    # make-up Saturday 9 May.
    start = cst(2026, 4, 29, 9)
    assert clocks.earliest_document_end_date(start, MAY_DAY, 5) == dt.date(2026, 5, 9)


def test_window_starting_on_a_weekend_counts_from_the_next_working_day() -> None:
    cal = WorkCalendar()
    # Saturday 7 March: the fifth working day after it is Friday 13 March.
    assert clocks.earliest_document_end_date(cst(2026, 3, 7, 9), cal, 5) == dt.date(2026, 3, 13)


def test_window_closing_the_day_it_opens_counts_nothing() -> None:
    cal = WorkCalendar()
    assert clocks.window_working_days(cst(2026, 3, 3, 9), cst(2026, 3, 3, 17), cal) == 0
    assert clocks.window_working_days(cst(2026, 3, 3, 9), cst(2026, 3, 2, 17), cal) == 0


def test_dates_are_counted_in_china_standard_time() -> None:
    cal = WorkCalendar()
    # 2026-03-08 20:00 UTC is already Monday 9 March in Beijing: the first day counted is
    # Tuesday 10 March.
    start = dt.datetime(2026, 3, 8, 20, 0, tzinfo=dt.UTC)
    assert clocks.earliest_document_end_date(start, cal, 1) == dt.date(2026, 3, 10)


def test_clarification_reaching_bidders_on_the_15th_day_keeps_the_deadline() -> None:
    cal = WorkCalendar()
    now = cst(2026, 3, 5, 10, 0)
    # 5 March is not counted; 6 … 20 March are the fifteen days: an opening at 09:30 on the
    # 20th keeps its date although it is less than 15 × 24 hours away.
    assert clocks.clarification_deadline(now, cst(2026, 3, 20, 9, 30), 15, cal) is None
    assert clocks.clarification_deadline(now, cst(2026, 3, 25, 9, 30), 15, cal) is None
    assert clocks.clarification_min_deadline(now, 15, cal) == cst(2026, 3, 20, 0, 0)


def test_clarification_less_than_15_days_moves_deadline_to_the_last_day() -> None:
    cal = WorkCalendar()
    now = cst(2026, 3, 5, 14, 0)
    moved = clocks.clarification_deadline(now, cst(2026, 3, 19, 9, 30), 15, cal)
    # The opening keeps its 09:30 slot on the 15th day, Friday 20 March.
    assert moved == cst(2026, 3, 20, 9, 30)


def test_clarification_whose_15th_day_is_a_weekend_moves_to_monday() -> None:
    cal = WorkCalendar()
    now = cst(2026, 3, 7, 9, 0)  # Saturday; 7 + 15 = Sunday 22 March
    assert clocks.clarification_deadline(now, cst(2026, 3, 20, 9, 30), 15, cal) == cst(
        2026, 3, 23, 9, 30
    )
    assert clocks.clarification_min_deadline(now, 15, cal) == cst(2026, 3, 23, 0, 0)


def test_clarification_whose_15th_day_is_a_holiday_moves_after_the_holidays() -> None:
    now = cst(2026, 4, 16, 10, 0)  # + 15 days = Friday 1 May
    assert clocks.clarification_deadline(now, cst(2026, 4, 30, 9, 0), 15, MAY_DAY) == cst(
        2026, 5, 6, 9, 0
    )
    # A deadline already set after the holidays stands.
    assert clocks.clarification_deadline(now, cst(2026, 5, 6, 9, 0), 15, MAY_DAY) is None


def test_objection_may_be_filed_until_24_00_of_the_10th_day_before_the_deadline() -> None:
    deadline = cst(2026, 3, 23, 9, 30)
    assert clocks.last_day_before(deadline, 10) == dt.date(2026, 3, 13)
    end = clocks.objection_deadline(deadline, 10)
    assert end == cst(2026, 3, 14, 0, 0)
    # 10:00 on the 13th leaves the ten days 14 … 23 March: in time, although it is less
    # than 10 × 24 hours before the opening.
    assert cst(2026, 3, 13, 10, 0) < end
    assert cst(2026, 3, 13, 23, 59, 59) < end
    assert not cst(2026, 3, 14, 0, 0) < end


def test_objection_limit_is_not_moved_by_a_holiday() -> None:
    # Counted back, a holiday on the last day does not shorten the ten days left: the
    # limit is the same with or without one (no calendar enters the rule).
    deadline = cst(2026, 5, 11, 9, 30)
    assert clocks.last_day_before(deadline, 10) == dt.date(2026, 5, 1)
    assert clocks.objection_deadline(deadline, 10) == cst(2026, 5, 2, 0, 0)


def test_objection_answer_is_due_at_24_00_of_the_third_day() -> None:
    cal = WorkCalendar()
    # Filed Monday 2 March at 16:00: due by the end of Thursday 5 March.
    assert clocks.objection_answer_due(cst(2026, 3, 2, 16), 3, cal) == cst(2026, 3, 6, 0, 0)
    # Filed Thursday 5 March: the third day is Sunday 8 March, so Monday 9 March counts.
    assert clocks.objection_answer_due(cst(2026, 3, 5, 9), 3, cal) == cst(2026, 3, 10, 0, 0)
    # Over the May Day holidays, to the end of Wednesday 6 May.
    assert clocks.objection_answer_due(cst(2026, 4, 29, 9), 3, MAY_DAY) == cst(2026, 5, 7, 0, 0)


def test_centre_settings_override_the_objection_clocks() -> None:
    config = {"OBJECTION_LAST_DAYS_BEFORE_DEADLINE": 10, "OBJECTION_ANSWER_DAYS": 3}
    settings = {"objection_last_days_before_deadline": 12, "objection_answer_days": 5}
    assert clocks.objection_last_days_before_deadline(config) == 10
    assert clocks.objection_answer_days(config) == 3
    assert clocks.objection_last_days_before_deadline(config, settings) == 12
    assert clocks.objection_answer_days(config, settings) == 5


def test_a_period_end_reads_as_24_00_of_its_last_day() -> None:
    end = clocks.period_end(cst(2026, 3, 2, 16), 3, WorkCalendar())
    assert formatting.cst_until(end) == "2026-03-05 24:00"
    assert formatting.cst_until(end, formatting.CHINESE_MINUTE) == "2026年03月05日 24:00"
    assert formatting.cst_until(cst(2026, 3, 5, 9, 30)) == "2026-03-05 09:30"


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
    assert problems[0].bound == dt.date(2026, 3, 23)
    assert problems[1].bound == dt.date(2026, 3, 10)
    assert problems[1].actual == 2


def test_lawful_timetable_has_no_problem() -> None:
    problems = clocks.check_timetable(
        doc_start=cst(2026, 3, 3, 9),
        doc_end=cst(2026, 3, 10, 17),
        deadline=cst(2026, 3, 23, 9, 30),
        min_bid_days=20,
        min_window_days=5,
        calendar=WorkCalendar(),
    )
    assert problems == []


def test_result_periods_count_days_as_every_other_clock() -> None:
    """Publicity, objection answers, complaints under the tendering law and the contract
    filing end as `period_end` ends a period: a last day on a rest day moves on."""
    cal = WorkCalendar(holidays={dt.date(2026, 4, 6)})  # 清明, a Monday
    wednesday = dt.datetime(2026, 4, 1, 10, 0, tzinfo=CST)
    # 3 days end on Saturday the 4th; Sunday and 清明 follow: the last day is Tuesday the 7th
    end = dt.datetime(2026, 4, 8, 0, 0, tzinfo=CST)
    assert clocks.publicity_publish_by(wednesday, 3, cal) == end
    assert clocks.publicity_end(wednesday, 3, cal) == end
    assert clocks.result_objection_answer_due(wednesday, 3, cal) == end
    assert clocks.complaint_window_end(wednesday, 3, cal, working=False) == end
    assert clocks.publicity_end(wednesday, 3, cal) == clocks.period_end(wednesday, 3, cal)
    # a last day on a working day stays: 30 days from 8 April is Friday 8 May
    award = dt.datetime(2026, 4, 8, 10, 0, tzinfo=CST)
    assert clocks.contract_filing_due(award, 30, cal) == dt.datetime(2026, 5, 9, tzinfo=CST)
    # working days: the event's day not counted, 清明 skipped
    assert clocks.challenge_window_end(wednesday, 3, cal) == dt.datetime(2026, 4, 8, tzinfo=CST)
    assert clocks.complaint_window_end(wednesday, 3, cal, working=True) == dt.datetime(
        2026, 4, 8, tzinfo=CST
    )
