"""The legal clocks of a procurement, as pure functions (no database, no request).

Every limit is passed in or looked up from the settings mapping and a centre's own
settings, so that a centre can tune them and the tests can reason about them directly.
Datetimes are aware; calendar arithmetic happens on China Standard Time dates, which is
how the law and the centres count days.
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
DEFAULT_BID_BOND_MAX_RATIO = "0.02"
DEFAULT_COMMITTEE_MIN_SIZE = 5
DEFAULT_COMMITTEE_LARGE_MIN_SIZE = 7
DEFAULT_COMMITTEE_LARGE_BUDGET = "10000000"


def _centre_value(centre_settings: Mapping[str, Any] | None, key: str) -> Any:
    if not centre_settings:
        return None
    return centre_settings.get(key)


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


def document_window_min_working_days(
    config: Mapping[str, Any], centre_settings: Mapping[str, Any] | None = None
) -> int:
    value = _centre_value(centre_settings, "document_window_min_working_days")
    if value is not None:
        return int(value)
    return int(
        config.get("DOCUMENT_WINDOW_MIN_WORKING_DAYS", DEFAULT_DOCUMENT_WINDOW_MIN_WORKING_DAYS)
    )


def clarification_min_days(
    config: Mapping[str, Any], centre_settings: Mapping[str, Any] | None = None
) -> int:
    value = _centre_value(centre_settings, "clarification_min_days")
    if value is not None:
        return int(value)
    return int(config.get("CLARIFICATION_MIN_DAYS", DEFAULT_CLARIFICATION_MIN_DAYS))


def earliest_lawful_deadline(doc_start: dt.datetime, min_days: int) -> dt.datetime:
    """The first instant a deadline may fall on: `min_days` full days after documents go out."""
    return doc_start + dt.timedelta(days=min_days)


def bid_period_is_lawful(doc_start: dt.datetime, deadline: dt.datetime, min_days: int) -> bool:
    return deadline >= earliest_lawful_deadline(doc_start, min_days)


def window_working_days(start: dt.datetime, end: dt.datetime, calendar: WorkCalendar) -> int:
    """Working days on which documents are on offer, counting the first and last CST dates."""
    first = start.astimezone(CST).date()
    last = end.astimezone(CST).date()
    if last < first:
        return 0
    return calendar.working_days_between(first - dt.timedelta(days=1), last)


def earliest_document_end_date(
    start: dt.datetime, calendar: WorkCalendar, min_working_days: int
) -> dt.date:
    """The CST date of the n-th working day on or after the first day of the window."""
    first = start.astimezone(CST).date()
    return calendar.add_working_days(first - dt.timedelta(days=1), min_working_days)


def document_window_is_lawful(
    start: dt.datetime, end: dt.datetime, calendar: WorkCalendar, min_working_days: int
) -> bool:
    return window_working_days(start, end, calendar) >= min_working_days


def clarification_deadline(
    now: dt.datetime, deadline: dt.datetime, min_days: int
) -> dt.datetime | None:
    """The new deadline when a clarification issued `now` leaves too little time, else None.

    A clarification that can affect bid preparation must reach bidders at least
    `min_days` before the deadline. When it cannot, the deadline moves to the first day
    at or after now + min_days, keeping the original opening time of day (CST) so the
    opening stays in office hours.
    """
    earliest = now + dt.timedelta(days=min_days)
    if deadline >= earliest:
        return None
    local_deadline = deadline.astimezone(CST)
    local_earliest = earliest.astimezone(CST)
    candidate = local_earliest.replace(
        hour=local_deadline.hour,
        minute=local_deadline.minute,
        second=local_deadline.second,
        microsecond=local_deadline.microsecond,
    )
    if candidate < local_earliest:
        candidate += dt.timedelta(days=1)
    return candidate.astimezone(dt.UTC)


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
) -> list[TimetableProblem]:
    """Every legal clock the timetable of a tender notice breaks (empty when lawful)."""
    problems: list[TimetableProblem] = []
    if not bid_period_is_lawful(doc_start, deadline, min_bid_days):
        problems.append(
            TimetableProblem(
                "bid_period", earliest_lawful_deadline(doc_start, min_bid_days), deadline
            )
        )
    if not document_window_is_lawful(doc_start, doc_end, calendar, min_window_days):
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
# print it. Days count from the day after the event and end at 24:00 (CST) of the last
# day; working days follow the centre's calendar.
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


def _end_of_cst_day(day: dt.date) -> dt.datetime:
    """24:00 (CST) of `day`, as an aware UTC instant."""
    midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=CST)
    return midnight.astimezone(dt.UTC)


def _days_after(event: dt.datetime, days: int) -> dt.datetime:
    return _end_of_cst_day(event.astimezone(CST).date() + dt.timedelta(days=days))


def _working_days_after(event: dt.datetime, days: int, calendar: WorkCalendar) -> dt.datetime:
    return _end_of_cst_day(calendar.add_working_days(event.astimezone(CST).date(), days))


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


def publicity_publish_by(report_at: dt.datetime, within_days: int) -> dt.datetime:
    """The candidate publicity must go out within `within_days` of the signed report."""
    return _days_after(report_at, within_days)


def publicity_end(start: dt.datetime, min_days: int) -> dt.datetime:
    """The publicity lasts at least `min_days`: it ends at 24:00 of the last of them."""
    return _days_after(start, min_days)


def result_objection_answer_due(filed_at: dt.datetime, days: int) -> dt.datetime:
    """An objection to the result (异议) is answered within `days` of its filing."""
    return _days_after(filed_at, days)


def challenge_window_end(
    result_at: dt.datetime, working_days: int, calendar: WorkCalendar
) -> dt.datetime:
    """A challenge (质疑) is filed within `working_days` of the result announcement."""
    return _working_days_after(result_at, working_days, calendar)


def challenge_answer_due(
    filed_at: dt.datetime, working_days: int, calendar: WorkCalendar
) -> dt.datetime:
    return _working_days_after(filed_at, working_days, calendar)


def complaint_window_end(
    answered_at: dt.datetime, days: int, calendar: WorkCalendar, *, working: bool
) -> dt.datetime:
    """A complaint (投诉) follows the answer: working days in government procurement,
    calendar days under the tendering law."""
    if working:
        return _working_days_after(answered_at, days, calendar)
    return _days_after(answered_at, days)


def complaint_decision_due(
    filed_at: dt.datetime, working_days: int, calendar: WorkCalendar
) -> dt.datetime:
    return _working_days_after(filed_at, working_days, calendar)


def contract_filing_due(awarded_at: dt.datetime, days: int) -> dt.datetime:
    """The signed contract is filed within `days` of the award notice."""
    return _days_after(awarded_at, days)


def contract_notice_due(
    filed_at: dt.datetime, working_days: int, calendar: WorkCalendar
) -> dt.datetime:
    return _working_days_after(filed_at, working_days, calendar)
