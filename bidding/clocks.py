"""The legal clocks of a procurement, as pure functions (no database, no request).

Every limit is passed in or looked up from the settings mapping and a centre's own
settings, so that a centre can tune them and the tests can reason about them directly.
Datetimes are aware; calendar arithmetic happens on China Standard Time dates, which is
how the law and the centres count days.

How a period in days is counted, once for every clock (民法典 第二百零一条至第二百零四条):
- 第二百零一条: a period counted in days starts the day after the event; the event's own
  day is not counted, whatever its hour. So periods are counted in calendar dates, never
  in 24-hour spans from the time of posting.
- 第二百零三条第一款: when the last day is a statutory holiday (a weekend or a holiday of
  the centre's calendar; a make-up workday, 调休, is a working day), the period ends on
  the first working day after it.
- 第二百零三条第二款: the period ends at 24:00 of its last day (where an act must happen
  in business hours, at their close: a deadline or a document window set during the last
  day meets the period).
- 第二百零四条: these are the defaults; a law that counts otherwise wins. The
  procurement laws count "不少于 N 日" / "N 日前" / "N 日内" and leave the counting to
  the Civil Code, so every clock below follows it.

`period_last_day` / `period_end` are the rule; every clock that counts days calls them.
Working-day periods (the document window) count working days the same way: the event's
day is not counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.core.clock import CST, WorkCalendar

DEFAULT_BID_PERIOD_MIN_DAYS = 20
DEFAULT_DOCUMENT_WINDOW_MIN_WORKING_DAYS = 5
DEFAULT_CLARIFICATION_MIN_DAYS = 15
DEFAULT_OBJECTION_LAST_DAYS_BEFORE_DEADLINE = 10
DEFAULT_OBJECTION_ANSWER_DAYS = 3
DEFAULT_BID_BOND_MAX_RATIO = "0.02"
DEFAULT_COMMITTEE_MIN_SIZE = 5
DEFAULT_COMMITTEE_LARGE_MIN_SIZE = 7
DEFAULT_COMMITTEE_LARGE_BUDGET = "10000000"
# 财库〔2020〕10号: the procurement intent is public at least 30 days before the notice.
DEFAULT_INTENT_LEAD_DAYS = 30

# Looking for the next working day stops here: no calendar has a holiday this long, and a
# calendar filled by mistake must not hang a request.
_MAX_HOLIDAY_RUN = 60


# --- the rule: how a period in days is counted ---------------------------------------


def start_of_day(day: dt.date) -> dt.datetime:
    """00:00 of a CST date, as an aware UTC datetime (24:00 of the day before)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=CST).astimezone(dt.UTC)


def next_working_day_from(day: dt.date, calendar: WorkCalendar) -> dt.date:
    """`day` itself when it is a working day, else the first working day after it."""
    for _ in range(_MAX_HOLIDAY_RUN):
        if calendar.is_working_day(day):
            return day
        day += dt.timedelta(days=1)
    return day


def period_last_day(event_at: dt.datetime, days: int, calendar: WorkCalendar) -> dt.date:
    """The last day of a period of `days` calendar days that the event starts.

    民法典 第二百零一条: the event's day is not counted, so the last day is the CST date
    of the event plus `days`; 第二百零三条第一款: a last day that is a statutory holiday
    moves on to the next working day of the centre's calendar.
    """
    last = event_at.astimezone(CST).date() + dt.timedelta(days=days)
    return next_working_day_from(last, calendar)


def period_end(event_at: dt.datetime, days: int, calendar: WorkCalendar) -> dt.datetime:
    """The instant a period of `days` calendar days that the event starts runs out.

    民法典 第二百零三条第二款: 24:00 CST of the last day (`period_last_day`), returned as
    the first instant after it (00:00 of the next day, UTC-aware): a time `t` is within
    the period when `t < period_end(...)`.
    """
    return start_of_day(period_last_day(event_at, days, calendar) + dt.timedelta(days=1))


def working_period_last_day(
    event_at: dt.datetime, working_days: int, calendar: WorkCalendar
) -> dt.date:
    """The last day of a period of `working_days` working days that the event starts.

    The same counting for periods the law states in working days: the event's day is not
    counted (民法典 第二百零一条), and the n-th working day after it is the last.
    """
    return calendar.add_working_days(event_at.astimezone(CST).date(), working_days)


def last_day_before(deadline: dt.datetime, days: int) -> dt.date:
    """The last date on which something due `days` days before the deadline may be done.

    Counted back by calendar dates from the deadline's day (民法典 第二百零一条 applied
    to a period that ends at the deadline): acting on date D leaves the days D+1 … the
    deadline's day, so D may be at most the deadline's date minus `days`. No holiday
    shift: 第二百零三条 lengthens a period for the one who must act; moving this day later
    would shorten the time the law keeps before the deadline.
    """
    return deadline.astimezone(CST).date() - dt.timedelta(days=days)


def reaches(at: dt.datetime, last_day: dt.date) -> bool:
    """Whether a deadline or end set at `at` lies on or after a period's last day.

    A deadline set on the last day keeps the period (第二百零三条第二款: where an act has
    business hours, their close ends the day), so only the date is compared.
    """
    return at.astimezone(CST).date() >= last_day


def _centre_value(centre_settings: Mapping[str, Any] | None, key: str) -> Any:
    if not centre_settings:
        return None
    return centre_settings.get(key)


def _setting(
    config: Mapping[str, Any],
    centre_settings: Mapping[str, Any] | None,
    key: str,
    config_key: str,
    default: int,
) -> int:
    value = _centre_value(centre_settings, key)
    if value is not None:
        return int(value)
    return int(config.get(config_key, default))


def bid_period_min_days(
    method: str,
    config: Mapping[str, Any],
    centre_settings: Mapping[str, Any] | None = None,
) -> int:
    """Minimum days from the first issue of documents to the deadline for a method."""
    method = str(method)
    override = _centre_value(centre_settings, "bid_period_min_days_by_method") or {}
    if method in override:
        return int(override[method])
    by_method = config.get("BID_PERIOD_MIN_DAYS_BY_METHOD") or {}
    if method in by_method:
        return int(by_method[method])
    return int(config.get("BID_PERIOD_MIN_DAYS", DEFAULT_BID_PERIOD_MIN_DAYS))


def intent_lead_days(
    config: Mapping[str, Any], centre_settings: Mapping[str, Any] | None = None
) -> int:
    return _setting(
        config, centre_settings, "intent_lead_days", "INTENT_LEAD_DAYS", DEFAULT_INTENT_LEAD_DAYS
    )


def earliest_notice_after_intent(
    intent_at: dt.datetime, days: int, calendar: WorkCalendar
) -> dt.date:
    """The first date on which the procurement notice may follow the intent: the intent's
    day is not counted and the notice may go out on the period's last day (a holiday last
    day moves on, as every period does)."""
    return period_last_day(intent_at, days, calendar)


def document_window_min_working_days(
    config: Mapping[str, Any], centre_settings: Mapping[str, Any] | None = None
) -> int:
    return _setting(
        config,
        centre_settings,
        "document_window_min_working_days",
        "DOCUMENT_WINDOW_MIN_WORKING_DAYS",
        DEFAULT_DOCUMENT_WINDOW_MIN_WORKING_DAYS,
    )


def clarification_min_days(
    config: Mapping[str, Any], centre_settings: Mapping[str, Any] | None = None
) -> int:
    return _setting(
        config,
        centre_settings,
        "clarification_min_days",
        "CLARIFICATION_MIN_DAYS",
        DEFAULT_CLARIFICATION_MIN_DAYS,
    )


def objection_last_days_before_deadline(
    config: Mapping[str, Any], centre_settings: Mapping[str, Any] | None = None
) -> int:
    return _setting(
        config,
        centre_settings,
        "objection_last_days_before_deadline",
        "OBJECTION_LAST_DAYS_BEFORE_DEADLINE",
        DEFAULT_OBJECTION_LAST_DAYS_BEFORE_DEADLINE,
    )


def objection_answer_days(
    config: Mapping[str, Any], centre_settings: Mapping[str, Any] | None = None
) -> int:
    return _setting(
        config,
        centre_settings,
        "objection_answer_days",
        "OBJECTION_ANSWER_DAYS",
        DEFAULT_OBJECTION_ANSWER_DAYS,
    )


# --- bid period (招标投标法 第二十四条: 自招标文件开始发出之日起至投标截止之日止，不得少于二十日)


def earliest_deadline_date(
    doc_start: dt.datetime, min_days: int, calendar: WorkCalendar
) -> dt.date:
    """The first date a deadline may fall on: the bid period's last day."""
    return period_last_day(doc_start, min_days, calendar)


def earliest_response_date(
    doc_start: dt.datetime, min_days: int, calendar: WorkCalendar, *, working: bool = False
) -> dt.date:
    """The first date a response deadline may fall on, for a period the method states in
    calendar days (the bid period above) or in working days (询价, 竞争性谈判: the n-th
    working day after the day the documents go out)."""
    if working:
        return working_period_last_day(doc_start, min_days, calendar)
    return earliest_deadline_date(doc_start, min_days, calendar)


def earliest_lawful_deadline(
    doc_start: dt.datetime, min_days: int, calendar: WorkCalendar
) -> dt.datetime:
    """The first instant a deadline may fall on: 00:00 of the bid period's last day."""
    return start_of_day(earliest_deadline_date(doc_start, min_days, calendar))


def bid_period_is_lawful(
    doc_start: dt.datetime, deadline: dt.datetime, min_days: int, calendar: WorkCalendar
) -> bool:
    return reaches(deadline, earliest_deadline_date(doc_start, min_days, calendar))


# --- document window (政府采购货物和服务招标投标管理办法 第十九条: 不得少于5个工作日)


def window_working_days(start: dt.datetime, end: dt.datetime, calendar: WorkCalendar) -> int:
    """Working days on which documents are on offer: after the first CST date, up to the last.

    The day the documents go out is not counted (民法典 第二百零一条); the last day counts
    when the window closes on it.
    """
    first = start.astimezone(CST).date()
    last = end.astimezone(CST).date()
    if last <= first:
        return 0
    return calendar.working_days_between(first, last)


def earliest_document_end_date(
    start: dt.datetime, calendar: WorkCalendar, min_working_days: int
) -> dt.date:
    """The CST date of the n-th working day after the day the documents go out."""
    return working_period_last_day(start, min_working_days, calendar)


def document_window_is_lawful(
    start: dt.datetime, end: dt.datetime, calendar: WorkCalendar, min_working_days: int
) -> bool:
    return reaches(end, earliest_document_end_date(start, calendar, min_working_days))


# --- clarification (招标投标法 第二十三条: 截止时间至少十五日前，书面通知)


def clarification_min_deadline(
    now: dt.datetime, min_days: int, calendar: WorkCalendar
) -> dt.datetime:
    """The earliest deadline a clarification issued `now` allows: 00:00 of the period's
    last day (the deadline may be at any time of that day)."""
    return start_of_day(period_last_day(now, min_days, calendar))


def clarification_deadline(
    now: dt.datetime, deadline: dt.datetime, min_days: int, calendar: WorkCalendar
) -> dt.datetime | None:
    """The new deadline when a clarification issued `now` leaves too little time, else None.

    A clarification that can affect bid preparation must reach bidders at least
    `min_days` before the deadline, counted as the Civil Code counts (see the module's
    docstring). When it cannot, the deadline moves to the period's last day (already a
    working day), keeping the original opening time of day (CST) so the opening stays in
    office hours.
    """
    last = period_last_day(now, min_days, calendar)
    if reaches(deadline, last):
        return None
    local_deadline = deadline.astimezone(CST)
    moved = dt.datetime.combine(last, local_deadline.timetz().replace(tzinfo=None), tzinfo=CST)
    return moved.astimezone(dt.UTC)


# --- objections to the documents (招标投标法实施条例 第二十二条: 投标截止时间10日前提出；
# 自收到异议之日起3日内作出答复)


def objection_deadline(deadline: dt.datetime, days_before: int) -> dt.datetime:
    """The end of the last day an objection may be filed: 24:00 CST, `days_before`
    calendar days before the deadline's date (a time `t` is in time when `t <` this)."""
    return start_of_day(last_day_before(deadline, days_before) + dt.timedelta(days=1))


def publicity_objection_end(
    published_at: dt.datetime, working_days: int, calendar: WorkCalendar
) -> dt.datetime:
    """A publicity open to objections (单一来源: ≥5 working days) ends at 24:00 of its last
    working day, counted from the day after publication like every period."""
    return _working_period_end(published_at, working_days, calendar)


def objection_answer_due(filed_at: dt.datetime, days: int, calendar: WorkCalendar) -> dt.datetime:
    """When the answer to an objection filed at `filed_at` is due: the end of the period."""
    return period_end(filed_at, days, calendar)


@dataclass(frozen=True)
class TimetableProblem:
    """One broken clock: a machine code, the lawful bound, and the value that broke it."""

    code: str
    bound: Any
    actual: Any


def check_timetable(
    *,
    doc_start: dt.datetime,
    doc_end: dt.datetime,
    deadline: dt.datetime,
    min_bid_days: int,
    min_window_days: int,
    calendar: WorkCalendar,
    bid_period_working: bool = False,
    check_window: bool = True,
) -> list[TimetableProblem]:
    """Every legal clock the timetable of a tender notice breaks (empty when lawful).

    The bound of a broken bid period is the earliest lawful deadline date; of a broken
    document window, the earliest lawful end date. A method whose response period is in
    working days says so (`bid_period_working`); one without a minimum document window
    (`check_window` false) is not held to it.
    """
    problems: list[TimetableProblem] = []
    earliest = earliest_response_date(doc_start, min_bid_days, calendar, working=bid_period_working)
    if not reaches(deadline, earliest):
        problems.append(TimetableProblem("bid_period", earliest, deadline))
    if check_window and not document_window_is_lawful(
        doc_start, doc_end, calendar, min_window_days
    ):
        problems.append(
            TimetableProblem(
                "document_window",
                earliest_document_end_date(doc_start, calendar, min_window_days),
                window_working_days(doc_start, doc_end, calendar),
            )
        )
    return problems


# ---------------------------------------------------------------- result stages
# The periods of the result stages (DOMAIN.md §3): candidate publicity, objections,
# challenges (质疑) and complaints (投诉), the contract. Each is named once here and
# returns the instant it ends; the services compare `now` with it and the messages
# print it. Days are counted as every other clock counts them (`period_end`: from the day
# after the event, ending at 24:00 CST of the last day, a last day on a holiday moved to
# the next working day); working days follow the centre's calendar.
DEFAULT_PUBLICITY_WITHIN_DAYS = 3
DEFAULT_PUBLICITY_MIN_DAYS = 3
DEFAULT_RESULT_OBJECTION_ANSWER_DAYS = 3
DEFAULT_CHALLENGE_WORKING_DAYS = 7
DEFAULT_CHALLENGE_ANSWER_WORKING_DAYS = 7
DEFAULT_COMPLAINT_WORKING_DAYS = 15
DEFAULT_COMPLAINT_DAYS_TENDERING = 10
DEFAULT_COMPLAINT_DECISION_WORKING_DAYS = 30
DEFAULT_CONTRACT_FILING_DAYS = 30
DEFAULT_CONTRACT_NOTICE_WORKING_DAYS = 2
# The methods without a candidate publicity (竞争性谈判, 磋商, 询价, 单一来源): the report
# reaches the purchaser within 2 working days of the review, the purchaser confirms the
# supplier within 5 working days of receiving it, and the result is announced within 2
# working days of that (政府采购非招标采购方式管理办法 arts. 36-37; 竞争性磋商采购方式管理
# 暂行办法 arts. 28-29): 9 working days from the signed report at the latest.
DEFAULT_DEAL_RESULT_WITHIN_WORKING_DAYS = 9


def _working_period_end(event: dt.datetime, days: int, calendar: WorkCalendar) -> dt.datetime:
    """24:00 (CST) of the last of `days` working days after the event, as the first instant
    after it (a time `t` is within the period when `t <` this)."""
    return start_of_day(working_period_last_day(event, days, calendar) + dt.timedelta(days=1))


def result_period_days(
    key: str,
    method: str,
    default: int,
    config: Mapping[str, Any],
    centre_settings: Mapping[str, Any] | None = None,
) -> int:
    """One result-stage period in days: the centre's per-method value, its flat value,
    the platform's per-method value, the platform's flat value, then the legal default.
    `key` is the lower-case setting name; the platform's is its upper case."""
    centre = centre_settings or {}
    by_method = centre.get(f"{key}_by_method") or {}
    if method in by_method:
        return int(by_method[method])
    if centre.get(key) is not None:
        return int(centre[key])
    by_method = config.get(f"{key.upper()}_BY_METHOD") or {}
    if method in by_method:
        return int(by_method[method])
    return int(config.get(key.upper(), default))


def publicity_publish_by(
    report_at: dt.datetime, within_days: int, calendar: WorkCalendar
) -> dt.datetime:
    """The candidate publicity must go out within `within_days` of the signed report."""
    return period_end(report_at, within_days, calendar)


def deal_result_publish_by(
    report_at: dt.datetime, within_working_days: int, calendar: WorkCalendar
) -> dt.datetime:
    """A method without candidate publicity announces its result (成交结果公告) within
    `within_working_days` working days of the signed report."""
    return _working_period_end(report_at, within_working_days, calendar)


def publicity_end(start: dt.datetime, min_days: int, calendar: WorkCalendar) -> dt.datetime:
    """The publicity lasts at least `min_days`: it ends at 24:00 of the last of them (a
    last day on a holiday moves to the next working day)."""
    return period_end(start, min_days, calendar)


def result_objection_answer_due(
    filed_at: dt.datetime, days: int, calendar: WorkCalendar
) -> dt.datetime:
    """An objection to the result (异议) is answered within `days` of its filing."""
    return period_end(filed_at, days, calendar)


def challenge_window_end(
    result_at: dt.datetime, working_days: int, calendar: WorkCalendar
) -> dt.datetime:
    """A challenge (质疑) is filed within `working_days` of the result announcement."""
    return _working_period_end(result_at, working_days, calendar)


def challenge_answer_due(
    filed_at: dt.datetime, working_days: int, calendar: WorkCalendar
) -> dt.datetime:
    return _working_period_end(filed_at, working_days, calendar)


def complaint_window_end(
    answered_at: dt.datetime, days: int, calendar: WorkCalendar, *, working: bool
) -> dt.datetime:
    """A complaint (投诉) follows the answer: working days in government procurement,
    calendar days under the tendering law."""
    if working:
        return _working_period_end(answered_at, days, calendar)
    return period_end(answered_at, days, calendar)


def complaint_decision_due(
    filed_at: dt.datetime, working_days: int, calendar: WorkCalendar
) -> dt.datetime:
    return _working_period_end(filed_at, working_days, calendar)


def contract_filing_due(awarded_at: dt.datetime, days: int, calendar: WorkCalendar) -> dt.datetime:
    """The signed contract is filed within `days` of the award notice."""
    return period_end(awarded_at, days, calendar)


def contract_notice_due(
    signed_on: dt.date, working_days: int, calendar: WorkCalendar
) -> dt.datetime:
    """A government-procurement contract is announced within `working_days` working days
    of its signing (政府采购法实施条例 art. 50); the day it was signed is not counted."""
    return _working_period_end(start_of_day(signed_on), working_days, calendar)


# --- prequalification (招标投标法实施条例 第十六条、第十七条) ---------------------------
# 第十六条: 资格预审文件的发售期不得少于5日. 第十七条: 提交资格预审申请文件的时间，自资格
# 预审文件停止发售之日起不得少于5日. Both are calendar days counted by the one rule above
# (the day the offer opens, or closes, is not counted; a last day on a holiday moves on).

DEFAULT_PREQUAL_OFFER_MIN_DAYS = 5
DEFAULT_PREQUAL_APPLICATION_MIN_DAYS = 5


def prequal_offer_min_days(
    config: Mapping[str, Any], centre_settings: Mapping[str, Any] | None = None
) -> int:
    return _setting(
        config,
        centre_settings,
        "prequal_offer_min_days",
        "PREQUAL_OFFER_MIN_DAYS",
        DEFAULT_PREQUAL_OFFER_MIN_DAYS,
    )


def prequal_application_min_days(
    config: Mapping[str, Any], centre_settings: Mapping[str, Any] | None = None
) -> int:
    return _setting(
        config,
        centre_settings,
        "prequal_application_min_days",
        "PREQUAL_APPLICATION_MIN_DAYS",
        DEFAULT_PREQUAL_APPLICATION_MIN_DAYS,
    )


def earliest_prequal_offer_end_date(
    offer_start: dt.datetime, min_days: int, calendar: WorkCalendar
) -> dt.date:
    """The first date the offer of the prequalification documents may close on."""
    return period_last_day(offer_start, min_days, calendar)


def earliest_prequal_application_date(
    offer_end: dt.datetime, min_days: int, calendar: WorkCalendar
) -> dt.date:
    """The first date applications may fall due on: counted from the day the offer closes."""
    return period_last_day(offer_end, min_days, calendar)


def prequal_offer_is_lawful(
    offer_start: dt.datetime, offer_end: dt.datetime, min_days: int, calendar: WorkCalendar
) -> bool:
    return reaches(offer_end, earliest_prequal_offer_end_date(offer_start, min_days, calendar))


def prequal_application_is_lawful(
    offer_end: dt.datetime, deadline: dt.datetime, min_days: int, calendar: WorkCalendar
) -> bool:
    return reaches(deadline, earliest_prequal_application_date(offer_end, min_days, calendar))
