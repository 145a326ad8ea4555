"""Rooms, seats and bookings: the refusals, the database rule against double booking, and
release when the lot is terminated or rescheduled."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.core.audit.models import AuditEntry
from app.core.auth.models import Holiday, OrgKind, Role
from app.core.errors import Conflict, Forbidden, TooLate, ValidationError
from app.core.extensions import db
from bidding import hooks
from bidding.termination import terminate_lot
from remote_eval.venues import bookings, rooms
from remote_eval.venues.models import BookedSlot, BookingStatus
from tests.factories import login, make_org, make_user, token_headers
from tests.venues.world import END, START, build, seats


def _slots() -> int:
    return db.session.execute(select(func.count()).select_from(BookedSlot)).scalar_one()


def test_agency_books_seats_held_one_row_per_seat_and_slot() -> None:
    v = build()
    b = bookings.book_seats(v.w.lot, v.room, v.w.agency_staff, START, END, 2)
    db.session.commit()
    # 3 hours in 30-minute slots, two seats.
    assert _slots() == 2 * 6
    assert bookings.seat_labels(b) == ["A01", "A02"]
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "venue.booked").order_by(AuditEntry.seq)
    ).scalar_one()
    assert json.loads(entry.data)["seats"] == ["A01", "A02"]
    # The third seat is still free at the same time, and all three right after.
    bookings.book_seats(v.w.lot, v.room, v.w.agency_staff, START, END, 1)
    bookings.book_seats(v.w.lot, v.room, v.w.agency_staff, END, END + dt.timedelta(hours=1), 3)


def test_refusals_past_closed_day_twice_and_too_many_seats() -> None:
    v = build()
    lot, room, staff = v.w.lot, v.room, v.w.agency_staff
    with pytest.raises(TooLate):
        bookings.book_seats(lot, room, staff, START - dt.timedelta(days=2), END, 1)
    # Saturday, and a holiday of the centre's calendar on Wednesday.
    saturday = START + dt.timedelta(days=4)
    with pytest.raises(ValidationError, match="休息日"):
        bookings.book_seats(lot, room, staff, saturday, saturday + dt.timedelta(hours=2), 1)
    wednesday = START + dt.timedelta(days=1)
    db.session.add(Holiday(centre_id=v.w.centre.id, day=wednesday.date(), name="测试假日"))
    db.session.flush()
    with pytest.raises(ValidationError, match="休息日"):
        bookings.book_seats(lot, room, staff, wednesday, wednesday + dt.timedelta(hours=2), 1)
    with pytest.raises(ValidationError, match="只有 3 个工位"):
        bookings.book_seats(lot, room, staff, START, END, 4)
    bookings.book_seats(lot, room, staff, START, END, 3)
    # Twice: an overlapping half hour is enough to be refused.
    with pytest.raises(Conflict, match="仅剩 0 个空闲工位"):
        bookings.book_seats(
            lot, room, staff, END - dt.timedelta(minutes=30), END + dt.timedelta(hours=1), 1
        )


def test_the_database_refuses_the_same_seat_and_slot_twice() -> None:
    v = build()
    b = bookings.book_seats(v.w.lot, v.room, v.w.agency_staff, START, END, 1)
    db.session.commit()
    seat_id = b.slots[0].seat_id
    with pytest.raises(IntegrityError):
        db.session.add(BookedSlot(booking_id=b.id, seat_id=seat_id, slot_at=START))
        db.session.flush()
    db.session.rollback()


def test_only_the_lots_agency_books_and_only_at_its_own_centre() -> None:
    v = build()
    with pytest.raises(Forbidden):
        bookings.book_seats(v.w.lot, v.room, v.w.centre_staff, START, END, 1)
    with pytest.raises(ValidationError, match="协助请求"):
        bookings.book_seats(v.w.lot, v.other_room, v.w.agency_staff, START, END, 1)
    rooms.set_published(v.room, v.w.centre_staff, False)
    with pytest.raises(Conflict, match="尚未发布"):
        bookings.book_seats(v.w.lot, v.room, v.w.agency_staff, START, END, 1)


def test_rooms_are_managed_by_centre_staff_and_booked_seats_stay() -> None:
    v = build()
    with pytest.raises(Forbidden):
        rooms.save_venue(v.w.agency_staff, {"name": "代理机构会议室", "seats": seats(2)})
    with pytest.raises(Forbidden):
        rooms.save_venue(v.other_staff, {"name": "改名", "seats": seats(2)}, v.room)
    bookings.book_seats(v.w.lot, v.room, v.w.agency_staff, START, END, 3)
    with pytest.raises(Conflict, match="已有预约"):
        rooms.save_venue(v.w.centre_staff, {"name": "第一评标室", "seats": seats(2)}, v.room)
    with pytest.raises(ValidationError, match="重复"):
        rooms.save_venue(
            v.w.centre_staff, {"name": "第二评标室", "seats": [{"label": "B1"}, {"label": "B1"}]}
        )


def test_termination_frees_the_seats(app) -> None:  # type: ignore[no-untyped-def]
    v = build()
    b = bookings.book_seats(v.w.lot, v.room, v.w.agency_staff, START, END, 3)
    db.session.commit()
    with app.test_request_context():
        terminate_lot(v.w.agency_staff, v.w.lot, "采购需求发生重大变化，终止本次采购")
    db.session.commit()
    assert b.status == BookingStatus.RELEASED
    assert b.release_reason == "标段已终止。"
    assert _slots() == 0


def test_rescheduling_frees_the_seats_for_another_lot() -> None:
    v = build()
    b = bookings.book_seats(v.w.lot, v.room, v.w.agency_staff, START, END, 3)
    hooks.lot_rescheduled(v.w.lot, v.w.agency_staff, "clarification")
    assert b.status == BookingStatus.RELEASED and _slots() == 0
    again = bookings.book_seats(v.w.lot, v.room, v.w.agency_staff, START, END, 3)
    assert again.status == BookingStatus.ACTIVE


def test_api_books_and_a_refusal_is_audited_with_nothing_saved(client) -> None:  # type: ignore[no-untyped-def]
    v = build()
    headers = token_headers(v.w.agency_staff)
    body = {
        "venue_id": v.room.id,
        "start_at": "2026-03-03T09:00:00+08:00",
        "end_at": "2026-03-03T12:00:00+08:00",
        "seats": 2,
    }
    resp = client.post(f"/api/v1/lots/{v.w.lot.id}/seat-bookings", json=body, headers=headers)
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["seats"] == ["A01", "A02"]
    resp = client.post(
        f"/api/v1/lots/{v.w.lot.id}/seat-bookings", json={**body, "seats": 5}, headers=headers
    )
    assert resp.status_code == 422
    assert "只有 3 个工位" in resp.get_json()["message"]
    resp = client.post(
        f"/api/v1/lots/{v.w.lot.id}/seat-bookings", json={**body, "seats": 2}, headers=headers
    )
    assert resp.status_code == 409
    assert _slots() == 2 * 6
    refused = (
        db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "venue.refused").order_by(AuditEntry.seq)
        )
        .scalars()
        .all()
    )
    assert [json.loads(e.data)["error"] for e in refused] == ["invalid", "conflict"]
    listed = client.get(f"/api/v1/lots/{v.w.lot.id}/seat-bookings", headers=headers).get_json()
    assert [b["status"] for b in listed] == ["active"]
    supplier = make_user(Role.SUPPLIER, organisation=make_org(OrgKind.SUPPLIER))
    db.session.commit()
    resp = client.get(f"/api/v1/lots/{v.w.lot.id}/seat-bookings", headers=token_headers(supplier))
    assert resp.status_code == 403


def test_pages_for_centre_and_agency_staff(client) -> None:  # type: ignore[no-untyped-def]
    v = build()
    bookings.book_seats(v.w.lot, v.room, v.w.agency_staff, START, END, 2)
    db.session.commit()
    login(client, v.w.centre_staff)
    html = client.get(f"/venues/{v.room.id}").get_data(as_text=True)
    assert "第一评标室" in html and "A03" in html and v.w.lot.code in html
    html = client.get("/venues").get_data(as_text=True)
    assert "远程评标室" in html  # the other centre's published room
    client.get("/logout")
    login(client, v.w.agency_staff)
    resp = client.get(f"/lots/{v.w.lot.id}/venues")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "已预约" in html and "active" not in html
