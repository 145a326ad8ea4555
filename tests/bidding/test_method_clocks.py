"""Every method's minimum response period at its edges, with the Civil Code's counting: the
day documents go out is not counted; a calendar-day period ending on a holiday moves to the
next working day; a working-day period counts the centre's working days (调休 included)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from app.core.clock import CST, WorkCalendar
from bidding import clocks, methods
from bidding.methods import Audience, ResultRule
from bidding.models import Method
from config import BaseConfig

# Labour Day 2026: Friday 1 – Tuesday 5 May off, Saturday 9 May a make-up working day.
MAY_DAY = WorkCalendar(
    holidays={dt.date(2026, 5, d) for d in range(1, 6)}, workdays={dt.date(2026, 5, 9)}
)
# Documents go out on Wednesday 29 April at 10:00; that day is never counted.
OUT = dt.datetime(2026, 4, 29, 10, 0, tzinfo=CST)
CONFIG: dict[str, Any] = {
    "BID_PERIOD_MIN_DAYS": BaseConfig.BID_PERIOD_MIN_DAYS,
    "BID_PERIOD_MIN_DAYS_BY_METHOD": BaseConfig.BID_PERIOD_MIN_DAYS_BY_METHOD,
}

EARLIEST = {
    # 20 calendar days: 19 May, a Tuesday.
    Method.OPEN: dt.date(2026, 5, 19),
    Method.INVITED: dt.date(2026, 5, 19),
    # 10 calendar days: Saturday 9 May, a make-up working day, so no shift.
    Method.CONSULTATION: dt.date(2026, 5, 9),
    # 3 working days: Thu 30 April, then (after the holiday) Wed 6 and Thu 7 May.
    Method.NEGOTIATION: dt.date(2026, 5, 7),
    Method.INQUIRY: dt.date(2026, 5, 7),
    # 5 working days: 30 April, 6, 7, 8 May and the make-up Saturday 9 May.
    Method.SINGLE_SOURCE: dt.date(2026, 5, 9),
}


def _problems(method: Method, deadline: dt.datetime) -> list[clocks.TimetableProblem]:
    rule = methods.rule_for(method)
    period = methods.response_period(method, CONFIG, None)
    return clocks.check_timetable(
        doc_start=OUT,
        doc_end=deadline,
        deadline=deadline,
        min_bid_days=period.days,
        min_window_days=5,
        calendar=MAY_DAY,
        bid_period_working=period.working,
        check_window=rule.has_document_window,
    )


def test_every_method_has_a_rule() -> None:
    assert {r.method for r in methods.rules()} == set(Method)


@pytest.mark.parametrize("method", list(Method))
def test_each_method_earliest_date(method: Method) -> None:
    period = methods.response_period(method, CONFIG, None)
    assert period.last_day(OUT, MAY_DAY) == EARLIEST[method]


@pytest.mark.parametrize("method", list(Method))
def test_a_deadline_on_the_earliest_day_is_lawful_at_any_hour(method: Method) -> None:
    day = EARLIEST[method]
    for hour, minute in ((0, 0), (9, 30), (23, 59)):
        deadline = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=CST)
        assert [p.code for p in _problems(method, deadline)] == []


@pytest.mark.parametrize("method", list(Method))
def test_a_deadline_the_day_before_is_refused_with_the_earliest_date(method: Method) -> None:
    deadline = dt.datetime.combine(
        EARLIEST[method] - dt.timedelta(days=1), dt.time(23, 59), tzinfo=CST
    )
    problems = [p for p in _problems(method, deadline) if p.code == "bid_period"]
    assert len(problems) == 1
    assert problems[0].bound == EARLIEST[method]


def test_a_centre_changes_the_number_of_days_not_the_unit() -> None:
    settings = {"bid_period_min_days_by_method": {"inquiry": 4}}
    period = methods.response_period(Method.INQUIRY, CONFIG, settings)
    assert (period.days, period.working) == (4, True)
    assert period.last_day(OUT, MAY_DAY) == dt.date(2026, 5, 8)


def test_only_tendering_holds_documents_on_offer_for_a_minimum_window() -> None:
    # Documents of an inquiry may close with the responses, 3 working days out.
    deadline = dt.datetime(2026, 5, 7, 9, 0, tzinfo=CST)
    assert _problems(Method.INQUIRY, deadline) == []
    codes = [p.code for p in _problems(Method.OPEN, deadline)]
    assert codes == ["bid_period", "document_window"]


def test_what_each_method_allows() -> None:
    rule = methods.rule_for
    assert rule(Method.INVITED).audience == Audience.INVITEES
    assert rule(Method.SINGLE_SOURCE).audience == Audience.NAMED
    assert rule(Method.SINGLE_SOURCE).publicity_working_days == 5
    assert rule(Method.INQUIRY).responses_replaceable is False
    assert rule(Method.OPEN).responses_replaceable is True
    assert rule(Method.NEGOTIATION).result_rule == ResultRule.LOWEST_PRICE
    assert rule(Method.CONSULTATION).result_rule == ResultRule.COMPREHENSIVE
    assert [r.ocds_method for r in methods.rules()] == [
        "open",
        "selective",
        "limited",
        "limited",
        "selective",
        "direct",
    ]


def test_the_single_source_publicity_runs_over_a_holiday_to_its_fifth_working_day() -> None:
    # Published Wed 29 April: 30 April, then 6, 7, 8 May and the make-up Saturday 9 May.
    end = clocks.publicity_objection_end(OUT, 5, MAY_DAY)
    assert end == dt.datetime(2026, 5, 10, tzinfo=CST)
    assert dt.datetime(2026, 5, 9, 23, 59, tzinfo=CST) < end
    # Published on the holiday itself (Sat 2 May): the first working day counted is 6 May.
    on_holiday = dt.datetime(2026, 5, 2, 10, 0, tzinfo=CST)
    assert clocks.publicity_objection_end(on_holiday, 5, MAY_DAY) == dt.datetime(
        2026, 5, 12, tzinfo=CST
    )


@pytest.mark.parametrize(
    ("intent_day", "earliest"),
    [
        # 30 days after Thu 2 April is Sat 2 May, in the holiday: the notice waits to 6 May.
        (dt.date(2026, 4, 2), dt.date(2026, 5, 6)),
        # 30 days after Wed 8 April is Fri 8 May, a working day: no shift.
        (dt.date(2026, 4, 8), dt.date(2026, 5, 8)),
        # Ending on the make-up Saturday 9 May: a working day, so no shift either.
        (dt.date(2026, 4, 9), dt.date(2026, 5, 9)),
    ],
)
def test_the_intent_leads_the_notice_by_thirty_days_counted_as_every_period(
    intent_day: dt.date, earliest: dt.date
) -> None:
    for hour in (0, 23):  # the hour of the intent never matters
        at = dt.datetime.combine(intent_day, dt.time(hour, 30), tzinfo=CST)
        day = clocks.earliest_notice_after_intent(at, clocks.intent_lead_days({}), MAY_DAY)
        assert day == earliest
        assert clocks.reaches(dt.datetime.combine(earliest, dt.time(0, 0), tzinfo=CST), day)
        before = dt.datetime.combine(earliest - dt.timedelta(days=1), dt.time(23, 59), tzinfo=CST)
        assert not clocks.reaches(before, day)
