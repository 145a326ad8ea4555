"""The purchaser's "reschedule" moves the evaluation: the session's time, the main venue's
seats and the assistance request (asked again), in one transaction; refusals change
nothing; the scheduler watches the new time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.auth.models import Holiday
from app.core.extensions import db
from app.core.notify import Notification
from bidding.models import EvalMethod, Lot
from remote_eval import committee
from remote_eval.venues import assistance, bookings, faults, jobs, rooms
from remote_eval.venues.models import AssistanceStatus, BookingStatus
from tests.factories import token_headers
from tests.remote_eval import committee_world as cw
from tests.venues.world import seats

CST = dt.timezone(dt.timedelta(hours=8))
# The committee world's evaluation is Tuesday 2026-03-03 05:00 CST; Wednesday is free.
WEDNESDAY = dt.datetime(2026, 3, 4, 9, 0, tzinfo=CST)


def _overdue() -> dict[str, Any]:
    w = cw.build()
    assistance.mark_remote(w.lot, w.host)
    room = rooms.save_venue(w.staff_main, {"name": "第一评标室", "seats": seats(6)})
    rooms.set_published(room, w.staff_main, True)
    far = rooms.save_venue(w.staff_second, {"name": "远程评标室", "seats": seats(3)})
    rooms.set_published(far, w.staff_second, True)
    start, end = clock.now() + dt.timedelta(hours=3), clock.now() + dt.timedelta(hours=6)
    booking = bookings.book_seats(w.lot, room, w.host, start, end, 5)
    asked = assistance.request_assistance(
        w.lot,
        w.host,
        {"to_centre_id": w.second.id, "start_at": start, "end_at": end, "seats": 2},
    )
    assistance.accept(asked, w.staff_second, far)
    session = w.form()
    cw.sign_everyone_in(w, session)
    db.session.commit()
    clock.set_now(clock.now() + dt.timedelta(hours=3, minutes=1))
    assert jobs.sweep_faults()["start_overdue"] == 1
    db.session.commit()
    return {
        "w": w,
        "room": room,
        "far": far,
        "booking": booking,
        "asked": asked,
        "version": asked.version,
        "s": session,
    }


def _decide(client: Any, x: dict[str, Any], headers: Any = None, **body: Any) -> Any:
    return client.post(
        f"/api/v1/evaluations/{x['s'].id}/start-decision",
        json={"decision": "reschedule", **body},
        headers=headers or token_headers(x["w"].reps[0]),
    )


def _counts() -> tuple[int, int]:
    from remote_eval.venues.models import SeatBooking

    return (
        db.session.execute(select(func.count()).select_from(AuditEntry)).scalar_one(),
        db.session.execute(select(func.count()).select_from(SeatBooking)).scalar_one(),
    )


def test_rescheduling_moves_the_time_the_seats_and_the_assistance(client) -> None:  # type: ignore[no-untyped-def]
    x = _overdue()
    w = x["w"]
    end = WEDNESDAY + dt.timedelta(hours=3)
    resp = _decide(client, x, note="改期", start_at=WEDNESDAY.isoformat())
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["rescheduled_to"].startswith("2026-03-04T01:00")
    db.session.expire_all()
    session = committee.get_session(x["s"].id)
    assert faults._evaluation_at(session) == WEDNESDAY.astimezone(dt.UTC)
    assert session.paused and "2026-03-04 09:00" in session.pause_reason
    # The main venue's seats: the old booking is freed, the same room holds 5 seats then.
    assert bookings.get_booking(x["booking"].id).status == BookingStatus.RELEASED
    now_held = [b for b in bookings.bookings_of(w.lot, active_only=True) if not b.assistance_id]
    assert [(b.venue_id, b.seat_count, b.start_at, b.end_at) for b in now_held] == [
        (x["room"].id, 5, WEDNESDAY.astimezone(dt.UTC), end.astimezone(dt.UTC))
    ]
    # The other centre is asked again: its reserved seats are free, the request is open.
    asked = assistance.get_request(x["asked"].id)
    assert asked.status == AssistanceStatus.PENDING and asked.booking_id is None
    assert asked.start_at == WEDNESDAY.astimezone(dt.UTC) and asked.version == x["version"] + 1
    assert bookings.busy_seat_ids(x["far"], asked.start_at, asked.end_at) == set()
    clock.set_now(clock.now() + dt.timedelta(minutes=5))
    assistance.accept(asked, w.staff_second, x["far"])
    db.session.commit()
    assert len(bookings.busy_seat_ids(x["far"], asked.start_at, asked.end_at)) == 2
    # Told: the committee's members and both centres' venue staff; audited.
    told = set(
        db.session.execute(
            select(Notification.user_id).where(Notification.kind == "eval.rescheduled")
        ).scalars()
    )
    assert {m.user_id for m in session.members} | {w.staff_main.id, w.staff_second.id} <= told
    actions = [
        e.action
        for e in db.session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()
        if e.action.startswith(("venue.", "assistance."))
    ]
    decided = len(actions) - 1 - actions[::-1].index("venue.start_decided")
    assert actions[decided:] == [
        "venue.start_decided",
        "venue.booking_released",  # the main venue's old seats
        "venue.booked",  # the same room at the new time
        "venue.booking_released",  # the other centre's reserved seats
        "assistance.rescheduled",
        "venue.evaluation_rescheduled",
        "venue.booked",  # the other centre accepts again
        "assistance.accepted",
    ]
    # Two hours after the new time, still not started: the purchaser is asked again.
    clock.set_now(WEDNESDAY.astimezone(dt.UTC) + dt.timedelta(hours=1))
    assert jobs.sweep_faults()["start_overdue"] == 0
    clock.set_now(WEDNESDAY.astimezone(dt.UTC) + dt.timedelta(hours=2, minutes=1))
    assert jobs.sweep_faults()["start_overdue"] == 1
    row = faults.start_overdue(session)
    assert row is not None and row.decided_at is None
    assert row.evaluation_at == WEDNESDAY.astimezone(dt.UTC)


@pytest.mark.parametrize(
    ("when", "status", "words"),
    [
        (None, 422, "新的评标时间"),
        (dt.datetime(2026, 3, 3, 6, 0, tzinfo=CST), 409, "晚于当前时间"),
        (dt.datetime(2026, 3, 5, 9, 0, tzinfo=CST), 422, "休息日"),
        (WEDNESDAY, 409, "空闲工位"),
    ],
)
def test_a_bad_new_time_is_refused_and_nothing_changes(client, when, status, words) -> None:  # type: ignore[no-untyped-def]
    x = _overdue()
    w = x["w"]
    # Thursday is a holiday of the secondary venue's centre; on Wednesday another lot
    # holds two of the main room's six seats.
    db.session.add(Holiday(centre_id=w.second.id, day=dt.date(2026, 3, 5), name="地方假日"))
    other = Lot(
        project_id=w.lot.project_id,
        seq=2,
        code=w.lot.code + "-2",
        name="另一标段",
        category_code="A08",
        budget=Decimal("1000"),
        evaluation_method=EvalMethod.COMPREHENSIVE,
        committee_size=5,
    )
    db.session.add(other)
    db.session.flush()
    bookings.hold_seats(
        other, x["room"], w.host, WEDNESDAY.astimezone(dt.UTC), WEDNESDAY + dt.timedelta(hours=3), 2
    )
    db.session.commit()
    headers = token_headers(w.reps[0])
    db.session.commit()
    before = _counts()
    body = {"start_at": when.isoformat()} if when else {}
    resp = _decide(client, x, headers, **body)
    assert resp.status_code == status, resp.get_json()
    assert words in resp.get_json()["message"]
    db.session.expire_all()
    # Nothing half-written: no booking moved, the request still accepted, the decision
    # open; only the refusal itself is in the log.
    audit_after, bookings_after = _counts()
    added = db.session.execute(
        select(AuditEntry.action).order_by(AuditEntry.seq).offset(before[0])
    ).scalars()
    assert bookings_after == before[1] and list(added) == ["eval.refused"]
    assert bookings.get_booking(x["booking"].id).status == BookingStatus.ACTIVE
    assert assistance.get_request(x["asked"].id).status == AssistanceStatus.ACCEPTED
    row = faults.start_overdue(committee.get_session(x["s"].id))
    assert row is not None and row.decided_at is None and row.rescheduled_to is None


def test_the_purchaser_reschedules_on_the_faults_page(client) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import csrf_from, login

    x = _overdue()
    login(client, x["w"].reps[0])
    page = f"/evaluations/{x['s'].id}/faults"
    token = csrf_from(client, page)
    resp = client.post(
        f"/evaluations/{x['s'].id}/start-decision",
        data={"csrf_token": token, "decision": "reschedule", "day": "2026-03-04", "start": "14:00"},
        follow_redirects=True,
    )
    html = resp.get_data(as_text=True)
    assert 'data-testid="rescheduled-to"' in html and "2026-03-04 14:00" in html
