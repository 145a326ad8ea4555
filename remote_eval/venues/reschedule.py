"""Moving a lot's evaluation to a new time: the purchaser's "reschedule" after a session
could not start in time (重新安排评标时间).

In the decision's transaction: the new time is checked (in the future, within the
booking length, on working days of every centre that hosts a venue, seats free), the
main venue's bookings move to it (the same rooms and seat counts; refused, with nothing
changed, when the seats are taken), every assistance request still open or accepted is
asked again at the new time (its reserved seats are freed and the other centre answers
anew by a new deadline), the session's time becomes the new one (kept on the decision:
the expert draws keep the time they committed to, which their verification checks), and
the committee's members and the staff of every venue are told. The session stays paused
until the host opens it at the new time; the scheduler watches the new time as it
watched the old one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock, formatting
from app.core.audit import record
from app.core.auth.models import OrgKind, Role, User
from app.core.calendar import calendar_for
from app.core.errors import TooLate, ValidationError
from app.core.extensions import db
from app.core.notify import notify
from bidding.models import Lot
from remote_eval.models import EvalSession
from remote_eval.room import publish
from remote_eval.venues import actions, bookings
from remote_eval.venues.models import (
    AssistanceRequest,
    AssistanceStatus,
    SeatBooking,
    StartOverdue,
)

# When nothing was booked, an evaluation is taken to last half a working day.
DEFAULT_LENGTH = dt.timedelta(hours=4)


def _length(main: list[SeatBooking], requests: list[AssistanceRequest]) -> dt.timedelta:
    for period in [*main, *requests]:
        return period.end_at - period.start_at
    return DEFAULT_LENGTH


def _check_days(start: dt.datetime, end: dt.datetime, centre_ids: set[int]) -> None:
    """Every day of the new period must be a working day of every hosting centre."""
    from app.core.auth.models import Centre

    for centre_id in sorted(centre_ids):
        cal = calendar_for(centre_id)
        day = clock.cst_date(start)
        while day <= clock.cst_date(end - dt.timedelta(microseconds=1)):
            if not cal.is_working_day(day):
                centre = db.session.get(Centre, centre_id)
                raise ValidationError(
                    _l(
                        "%(d)s 是%(c)s的休息日，不能安排评标。",
                        d=day.isoformat(),
                        c=centre.name if centre else "",
                    ),
                    field="start_at",
                )
            day += dt.timedelta(days=1)


def _open_requests(lot: Lot) -> list[AssistanceRequest]:
    return list(
        db.session.execute(
            select(AssistanceRequest)
            .where(
                AssistanceRequest.lot_id == lot.id,
                AssistanceRequest.status.in_((AssistanceStatus.PENDING, AssistanceStatus.ACCEPTED)),
            )
            .order_by(AssistanceRequest.id)
        ).scalars()
    )


def _ask_again(
    item: AssistanceRequest, lot: Lot, user: User, start: dt.datetime, end: dt.datetime
) -> None:
    """The other centre answers again: its seats are freed, the request is open anew."""
    from remote_eval.venues.assistance import _tell

    before = (item.start_at, item.status.value)
    if item.booking is not None:
        bookings.release_booking(item.booking, user, str(_l("评标时间已变更，等待重新答复。")))
    now = clock.now()
    hours = int(current_app.config["VENUE_ASSISTANCE_ANSWER_HOURS"])
    item.start_at, item.end_at = start, end
    item.status = AssistanceStatus.PENDING
    item.booking_id = None
    item.answered_by_id = None
    item.answered_at = None
    item.answer_due_at = min(now + dt.timedelta(hours=hours), start)
    item.version += 1
    db.session.flush()
    record(
        actions.ASSISTANCE_RESCHEDULED,
        item,
        {
            "from": before[0].isoformat(),
            "to": start.isoformat(),
            "end_at": end.isoformat(),
            "was": before[1],
            "answer_due_at": item.answer_due_at.isoformat(),
        },
        actor=user,
    )
    _tell(
        item,
        _l(
            "协助请求的评标时间已改为 %(t)s，请重新答复：%(lot)s",
            t=formatting.cst(start),
            lot=lot.name,
        ),
        target_centre=item.to_centre_id,
    )


def _venue_staff(centre_ids: set[int]) -> list[User]:
    people = db.session.execute(
        select(User).where(User.centre_id.in_(centre_ids), User.role == Role.STAFF)
    ).scalars()
    return [u for u in people if u.organisation and u.organisation.kind == OrgKind.CENTRE]


def move_evaluation(
    row: StartOverdue,
    session: EvalSession,
    lot: Lot,
    user: User,
    start: dt.datetime | None,
    end: dt.datetime | None,
) -> dict[str, Any]:
    """Move the lot's evaluation to `start` (and `end`; by default as long as it was
    booked). The caller holds the transaction and checked the purchaser's right."""
    if start is None:
        raise ValidationError(_l("重新安排须填写新的评标时间。"), field="start_at")
    if start.tzinfo is None:
        raise ValidationError(_l("请填写新的评标时间。"), field="start_at")
    main = [b for b in bookings.bookings_of(lot, active_only=True) if b.assistance_id is None]
    requests = _open_requests(lot)
    end = end or start + _length(main, requests)
    if end <= start:
        raise ValidationError(_l("结束时间须晚于开始时间。"), field="end_at")
    if start <= clock.now():
        raise TooLate(
            _l("新的评标时间须晚于当前时间（%(t)s 北京时间）。", t=formatting.cst(clock.now())),
            field="start_at",
        )
    hosts = {lot.project.centre_id} | {r.to_centre_id for r in requests}
    _check_days(start, end, hosts)
    reason = str(_l("评标时间变更为 %(t)s。", t=formatting.cst(start)))
    moved = []
    # Free first, then hold: a booking may keep its own seats at an overlapping time.
    for booking in main:
        bookings.release_booking(booking, user, reason)
    for booking in main:
        again = bookings.hold_seats(lot, booking.venue, user, start, end, booking.seat_count)
        moved.append(again.id)
    for item in requests:
        _ask_again(item, lot, user, start, end)
    old = row.rescheduled_to or row.evaluation_at
    row.rescheduled_to = start
    session.pause_reason = str(_l("评标时间已改为 %(t)s", t=formatting.cst(start)))
    db.session.flush()
    detail = {
        "from": old.isoformat(),
        "to": start.isoformat(),
        "end_at": end.isoformat(),
        "bookings": moved,
        "assistance": [r.id for r in requests],
    }
    record(actions.EVALUATION_RESCHEDULED, session, detail, actor=user)
    publish(session, "session.rescheduled", {"evaluation_at": start.isoformat()})
    title = str(_l("评标时间已改为 %(t)s：%(lot)s", t=formatting.cst(start), lot=lot.name))
    members = [db.session.get(User, m.user_id) for m in session.members if m.removed_at is None]
    for person in [*members, *_venue_staff(hosts)]:
        if person is not None:
            notify(person, "eval.rescheduled", title, title, "")
    return detail
