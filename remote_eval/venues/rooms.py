"""A centre's evaluation rooms (评标室): created and edited with their seats, published or
withdrawn by the centre's own staff."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.audit import record
from app.core.auth.models import User
from app.core.errors import Conflict, NotFound, ValidationError
from app.core.extensions import db
from remote_eval.venues import actions, policies
from remote_eval.venues.models import BookedSlot, BookingStatus, SeatBooking, Venue, VenueSeat

MAX_SEATS = 200


def get_venue(venue_id: int) -> Venue:
    venue = db.session.get(Venue, venue_id)
    if venue is None:
        raise NotFound(_l("评标室不存在。"))
    return venue


def venues_of(centre_id: int, *, published_only: bool = False) -> list[Venue]:
    stmt = select(Venue).where(Venue.centre_id == centre_id).order_by(Venue.name)
    if published_only:
        stmt = stmt.where(Venue.published.is_(True))
    return list(db.session.execute(stmt).scalars())


def published_venues() -> list[Venue]:
    return list(
        db.session.execute(
            select(Venue).where(Venue.published.is_(True)).order_by(Venue.centre_id, Venue.name)
        ).scalars()
    )


def _text(value: Any, label: Any, field: str, max_len: int, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError(_l("请填写%(f)s。", f=label), field=field)
    if len(text) > max_len:
        raise ValidationError(_l("%(f)s不能超过 %(n)s 个字。", f=label, n=max_len), field=field)
    return text


def _seats(rows: Any) -> list[tuple[str, str]]:
    """[{label, equipment}] → cleaned pairs; labels unique within the room."""
    if not isinstance(rows, list) or not rows:
        raise ValidationError(_l("评标室至少要有一个工位。"), field="seats")
    if len(rows) > MAX_SEATS:
        raise ValidationError(_l("一个评标室最多 %(n)s 个工位。", n=MAX_SEATS), field="seats")
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for row in rows:
        label = _text(row.get("label"), _l("工位编号"), "seats", 20, required=True)
        if label in seen:
            raise ValidationError(_l("工位编号“%(s)s”重复。", s=label), field="seats")
        seen.add(label)
        out.append((label, _text(row.get("equipment"), _l("工位设备"), "seats", 200)))
    return out


def save_venue(actor: User, data: dict[str, Any], venue: Venue | None = None) -> Venue:
    """Create a room of the actor's centre, or edit one (name, place, equipment, seats).

    A seat that holds a booking may not be removed: the booking would lose its seat.
    """
    centre_id = venue.centre_id if venue is not None else actor.centre_id
    policies.ensure_can_manage_venues(actor, centre_id)
    name = _text(data.get("name"), _l("评标室名称"), "name", 100, required=True)
    location = _text(data.get("location"), _l("位置"), "location", 200)
    equipment = _text(data.get("equipment"), _l("设备"), "equipment", 2000)
    seats = _seats(data.get("seats"))
    clash = db.session.execute(
        select(Venue.id).where(Venue.centre_id == centre_id, Venue.name == name)
    ).scalar()
    if clash is not None and (venue is None or clash != venue.id):
        raise Conflict(_l("本中心已有名为“%(n)s”的评标室。", n=name), field="name")
    created = venue is None
    if venue is None:
        venue = Venue(centre_id=centre_id, created_by_id=actor.id, created_at=clock.now())
        db.session.add(venue)
    venue.name, venue.location, venue.equipment = name, location, equipment
    wanted = dict(seats)
    for seat in list(venue.seats):
        if seat.label in wanted:
            seat.equipment = wanted.pop(seat.label)
            continue
        if seat.id is not None and _seat_held(seat.id):
            raise Conflict(
                _l("工位“%(s)s”已有预约，不能删除；请先释放预约。", s=seat.label), field="seats"
            )
        venue.seats.remove(seat)
    for label, kit in wanted.items():
        venue.seats.append(VenueSeat(label=label, equipment=kit))
    db.session.flush()
    record(
        actions.VENUE_SAVED,
        venue,
        {
            "created": created,
            "name": name,
            "location": location,
            "seats": [s.label for s in venue.seats],
        },
        actor=actor,
    )
    return venue


def _seat_held(seat_id: int) -> bool:
    return (
        db.session.execute(
            select(BookedSlot.id)
            .join(SeatBooking, SeatBooking.id == BookedSlot.booking_id)
            .where(
                BookedSlot.seat_id == seat_id,
                SeatBooking.status == BookingStatus.ACTIVE,
                BookedSlot.slot_at >= clock.now(),
            )
            .limit(1)
        ).scalar()
        is not None
    )


def set_published(venue: Venue, actor: User, published: bool) -> Venue:
    """Publish a room (bookable, listed to other centres) or withdraw it (bookings kept)."""
    policies.ensure_can_manage_venues(actor, venue.centre_id)
    if venue.published == published:
        return venue
    venue.published = published
    db.session.flush()
    record(
        actions.VENUE_PUBLISHED if published else actions.VENUE_UNPUBLISHED,
        venue,
        {"name": venue.name},
        actor=actor,
    )
    return venue
