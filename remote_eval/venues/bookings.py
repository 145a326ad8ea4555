"""Seat bookings (工位预约) for a lot's evaluation, their release, and a room's calendar.

The time of a booking is cut into fixed slots (`VENUE_SLOT_MINUTES`); each seat and slot
is one `BookedSlot` row under a UNIQUE constraint, so two bookings that overlap on a seat
cannot both commit, on SQLite or PostgreSQL, whichever checks ran before. The checks here
only give the refusal its words; the constraint is the rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core import clock, formatting
from app.core.audit import record
from app.core.auth.models import User
from app.core.calendar import calendar_for
from app.core.errors import Conflict, NotFound, TooLate, ValidationError
from app.core.extensions import db
from bidding.models import Lot, LotStatus
from remote_eval.venues import actions, policies
from remote_eval.venues.models import (
    AssistanceRequest,
    AssistanceStatus,
    BookedSlot,
    BookingStatus,
    SeatBooking,
    Venue,
)

# A lot in one of these states has nothing left to evaluate.
ENDED = (
    LotStatus.FAILED,
    LotStatus.EVALUATED,
    LotStatus.PUBLICITY,
    LotStatus.AWARDED,
    LotStatus.CONTRACTED,
    LotStatus.TERMINATED,
)


def slot_length() -> dt.timedelta:
    return dt.timedelta(minutes=int(current_app.config["VENUE_SLOT_MINUTES"]))


def slots(start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """The fixed slots a period touches: from the slot holding `start` to the one before `end`."""
    step = slot_length()
    epoch = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    first = epoch + ((start - epoch) // step) * step
    out = []
    at = first
    while at < end:
        out.append(at)
        at += step
    return out


def get_booking(booking_id: int) -> SeatBooking:
    item = db.session.get(SeatBooking, booking_id)
    if item is None:
        raise NotFound(_l("预约不存在。"))
    return item


def check_period(venue: Venue, start: dt.datetime, end: dt.datetime) -> None:
    """Past, reversed, too long, or on a day the room's centre is closed: refused."""
    if end <= start:
        raise ValidationError(_l("结束时间须晚于开始时间。"), field="end_at")
    if start < clock.now():
        raise TooLate(
            _l("不能预约已过去的时间（%(t)s 北京时间）。", t=formatting.cst(start)),
            field="start_at",
        )
    hours = int(current_app.config["VENUE_MAX_BOOKING_HOURS"])
    if end - start > dt.timedelta(hours=hours):
        raise ValidationError(_l("一次预约最长 %(h)s 小时。", h=hours), field="end_at")
    cal = calendar_for(venue.centre_id)
    day = clock.cst_date(start)
    last = clock.cst_date(end - dt.timedelta(microseconds=1))
    while day <= last:
        if not cal.is_working_day(day):
            raise ValidationError(
                _l(
                    "%(d)s 是%(c)s的休息日，评标室不开放。",
                    d=day.isoformat(),
                    c=venue.centre.name,
                ),
                field="start_at",
            )
        day += dt.timedelta(days=1)


def busy_seat_ids(venue: Venue, start: dt.datetime, end: dt.datetime) -> set[int]:
    """Seats of the room held by an active booking in any slot of the period."""
    return set(
        db.session.execute(
            select(BookedSlot.seat_id)
            .join(SeatBooking, SeatBooking.id == BookedSlot.booking_id)
            .where(
                SeatBooking.venue_id == venue.id,
                SeatBooking.status == BookingStatus.ACTIVE,
                BookedSlot.slot_at.in_(slots(start, end)),
            )
            .distinct()
        ).scalars()
    )


def book_seats(
    lot: Lot,
    venue: Venue,
    actor: User,
    start: dt.datetime,
    end: dt.datetime,
    count: int,
    *,
    assistance: AssistanceRequest | None = None,
) -> SeatBooking:
    """Hold `count` free seats of the room for the lot from `start` to `end`.

    Without `assistance`, the lot's agency books at the main venue (a room of the lot's
    centre); with it, the asked centre reserves seats of its own room (the caller checked
    who may answer).
    """
    if assistance is None:
        policies.ensure_can_book_for_lot(actor, lot)
        if venue.centre_id != lot.project.centre_id:
            raise ValidationError(
                _l("主场工位只能在本项目所属交易中心的评标室预约；其他中心的工位请发协助请求。"),
                field="venue_id",
            )
    return hold_seats(lot, venue, actor, start, end, count, assistance=assistance)


def hold_seats(
    lot: Lot,
    venue: Venue,
    actor: User,
    start: dt.datetime,
    end: dt.datetime,
    count: int,
    *,
    assistance: AssistanceRequest | None = None,
) -> SeatBooking:
    """The booking itself, once the caller has checked who may book (the agency, the asked
    centre, or the purchaser moving the evaluation): room open, period, free seats."""
    if not venue.published:
        raise Conflict(_l("评标室“%(n)s”尚未发布，不能预约。", n=venue.name), field="venue_id")
    if lot.status in ENDED:
        raise Conflict(_l("标段“%(n)s”已无待评标的工作，不能预约。", n=lot.name))
    if count < 1:
        raise ValidationError(_l("请至少预约一个工位。"), field="seats")
    total = len(venue.seats)
    if count > total:
        raise ValidationError(
            _l(
                "评标室“%(n)s”只有 %(t)s 个工位，不能预约 %(c)s 个。",
                n=venue.name,
                t=total,
                c=count,
            ),
            field="seats",
        )
    check_period(venue, start, end)
    busy = busy_seat_ids(venue, start, end)
    free = [s for s in venue.seats if s.id not in busy]
    if len(free) < count:
        raise Conflict(
            _l(
                "该时段评标室“%(n)s”仅剩 %(f)s 个空闲工位（共 %(t)s 个），不能再预约 %(c)s 个。",
                n=venue.name,
                f=len(free),
                t=total,
                c=count,
            ),
            field="seats",
        )
    now = clock.now()
    booking = SeatBooking(
        venue_id=venue.id,
        lot_id=lot.id,
        start_at=start,
        end_at=end,
        seat_count=count,
        status=BookingStatus.ACTIVE,
        assistance_id=assistance.id if assistance is not None else None,
        booked_by_id=actor.id,
        booked_at=now,
    )
    times = slots(start, end)
    for seat in free[:count]:
        for at in times:
            booking.slots.append(BookedSlot(seat_id=seat.id, slot_at=at))
    try:
        # A savepoint: a concurrent booking that took a seat first fails only this insert.
        with db.session.begin_nested():
            db.session.add(booking)
            db.session.flush()
    except IntegrityError as exc:
        raise Conflict(_l("所选时段的工位刚被他人预约，请刷新后重试。"), field="seats") from exc
    record(
        actions.SEATS_BOOKED,
        booking,
        {
            "lot_id": lot.id,
            "venue_id": venue.id,
            "start_at": start.isoformat(),
            "end_at": end.isoformat(),
            "seats": [s.label for s in free[:count]],
            "assistance_id": booking.assistance_id,
        },
        actor=actor,
    )
    return booking


def release_booking(booking: SeatBooking, actor: User | None, reason: str) -> SeatBooking:
    """Free the seats (the slot rows go, the booking stays in the record)."""
    if booking.status != BookingStatus.ACTIVE:
        return booking
    booking.status = BookingStatus.RELEASED
    booking.released_at = clock.now()
    booking.release_reason = reason[:2000]
    booking.slots.clear()
    db.session.flush()
    record(
        actions.BOOKING_RELEASED,
        booking,
        {"lot_id": booking.lot_id, "venue_id": booking.venue_id, "reason": reason},
        actor=actor,
    )
    return booking


def cancel_booking(booking: SeatBooking, actor: User, reason: str) -> SeatBooking:
    """The lot's agency cancels its own main-venue booking (assistance seats are released
    through their request)."""
    lot = db.session.get(Lot, booking.lot_id)
    assert lot is not None
    policies.ensure_can_book_for_lot(actor, lot)
    if booking.assistance_id is not None:
        raise Conflict(_l("该预约属于协助请求，由被请求中心处理。"))
    if booking.status != BookingStatus.ACTIVE:
        raise Conflict(_l("该预约已释放。"))
    text = str(reason or "").strip()
    if not text:
        raise ValidationError(_l("请填写取消原因。"), field="reason")
    return release_booking(booking, actor, text)


def release_for_lot(lot: Lot, user: User, why: str) -> None:
    """Bidding hook: a terminated or rescheduled lot frees its seats and withdraws the
    assistance it asked for (the other centre sees the withdrawal)."""
    reason = str(
        _l("标段已终止。") if lot.status == LotStatus.TERMINATED else _l("标段时间已变更。")
    )
    for booking in bookings_of(lot, active_only=True):
        release_booking(booking, user, reason)
    open_requests = db.session.execute(
        select(AssistanceRequest).where(
            AssistanceRequest.lot_id == lot.id,
            AssistanceRequest.status.in_((AssistanceStatus.PENDING, AssistanceStatus.ACCEPTED)),
        )
    ).scalars()
    for item in open_requests:
        item.status = AssistanceStatus.WITHDRAWN
        item.reason = reason
        db.session.flush()
        record(actions.ASSISTANCE_WITHDRAWN, item, {"reason": reason, "why": why}, actor=user)


def bookings_of(lot: Lot, *, active_only: bool = False) -> list[SeatBooking]:
    stmt = select(SeatBooking).where(SeatBooking.lot_id == lot.id).order_by(SeatBooking.id)
    if active_only:
        stmt = stmt.where(SeatBooking.status == BookingStatus.ACTIVE)
    return list(db.session.execute(stmt).scalars())


def seat_labels(booking: SeatBooking) -> list[str]:
    return sorted({s.seat.label for s in booking.slots})


@dataclass
class CalendarDay:
    day: dt.date
    open: bool
    bookings: list[SeatBooking]


def room_calendar(venue: Venue, first: dt.date, days: int = 14) -> list[CalendarDay]:
    """The room's next days: open or closed (the centre's holiday calendar), and bookings."""
    cal = calendar_for(venue.centre_id)
    start = clock.parse_cst(first.isoformat() + " 00:00")
    end = start + dt.timedelta(days=days)
    rows = list(
        db.session.execute(
            select(SeatBooking)
            .where(
                SeatBooking.venue_id == venue.id,
                SeatBooking.status == BookingStatus.ACTIVE,
                SeatBooking.start_at < end,
                SeatBooking.end_at > start,
            )
            .order_by(SeatBooking.start_at)
        ).scalars()
    )
    out = []
    for n in range(days):
        day = first + dt.timedelta(days=n)
        out.append(
            CalendarDay(
                day,
                cal.is_working_day(day),
                [b for b in rows if clock.cst_date(b.start_at) <= day <= clock.cst_date(b.end_at)],
            )
        )
    return out


def describe(booking: SeatBooking) -> dict[str, Any]:
    return {
        "id": booking.id,
        "lot_id": booking.lot_id,
        "venue_id": booking.venue_id,
        "venue_name": booking.venue.name,
        "centre_id": booking.venue.centre_id,
        "start_at": booking.start_at,
        "end_at": booking.end_at,
        "seat_count": booking.seat_count,
        "seats": seat_labels(booking),
        "status": booking.status.value,
        "assistance_id": booking.assistance_id,
        "released_at": booking.released_at,
        "release_reason": booking.release_reason,
    }
