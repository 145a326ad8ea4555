"""An evaluation broken off for more than 4 hours is sealed: frozen, signed, no command."""

from __future__ import annotations

import datetime as dt

import pytest

from app.core import clock
from app.core.crypto import platform_public_key, verify_receipt
from app.core.errors import Conflict
from app.core.extensions import db
from remote_eval import committee, hosting
from remote_eval.venues import faults, jobs, start
from tests.factories import token_headers
from tests.remote_eval import committee_world as cw


def test_a_pause_longer_than_four_hours_seals_the_record(client) -> None:  # type: ignore[no-untyped-def]
    w = cw.build()
    session = w.form()
    cw.sign_everyone_in(w, session)
    hosting.pause(session, w.host, "副场网络故障，暂停评标")
    db.session.commit()
    clock.set_now(clock.now() + dt.timedelta(hours=3, minutes=59))
    assert jobs.sweep_faults()["sealed"] == 0
    clock.set_now(clock.now() + dt.timedelta(minutes=2))
    assert jobs.sweep_faults()["sealed"] == 1
    assert jobs.sweep_faults()["sealed"] == 0
    row = faults.sealed_record(session)
    assert row is not None
    doc = faults.document(row)
    assert verify_receipt(doc, platform_public_key())
    assert doc["receipt"]["session_id"] == session.id
    assert len(doc["receipt"]["members"]) == len(session.members)
    # The sealed session takes no command, not even a resume.
    with pytest.raises(Conflict, match="已封存"):
        hosting.resume(session, w.host)
    with pytest.raises(Conflict, match="已封存"):
        hosting.advance(session, w.host)
    db.session.rollback()
    resp = client.get(
        f"/api/v1/evaluations/{session.id}/sealed-record", headers=token_headers(w.supervisor_main)
    )
    assert resp.status_code == 200 and resp.get_json()["sha256"] == row.sha256
    resp = client.get(
        f"/api/v1/evaluations/{session.id}/sealed-record", headers=token_headers(w.supervisor_other)
    )
    assert resp.status_code == 403


def test_a_dropped_venue_counts_as_a_break_and_a_return_ends_it() -> None:
    w = cw.build()
    session = w.form()
    start.heartbeat(session, w.staff_second)
    db.session.commit()
    clock.set_now(clock.now() + dt.timedelta(minutes=2))
    jobs.sweep_venues()
    assert faults.broken_since(session) is not None
    clock.set_now(clock.now() + dt.timedelta(hours=2))
    start.heartbeat(session, w.staff_second)  # back before 4 hours: no seal
    db.session.commit()
    assert faults.broken_since(session) is None
    clock.set_now(clock.now() + dt.timedelta(hours=5))
    assert jobs.sweep_faults()["sealed"] == 0
    assert committee.get_session(session.id).paused is False


def test_a_session_not_started_in_two_hours_waits_for_the_purchaser(client) -> None:  # type: ignore[no-untyped-def]
    from remote_eval.models import Phase
    from remote_eval.venues import bookings, rooms
    from remote_eval.venues.models import BookingStatus
    from tests.venues.world import seats

    w = cw.build()
    room = rooms.save_venue(w.staff_main, {"name": "第一评标室", "seats": seats(6)})
    rooms.set_published(room, w.staff_main, True)
    session = w.form()
    booking = bookings.book_seats(
        w.lot,
        room,
        w.host,
        clock.now() + dt.timedelta(hours=3),
        clock.now() + dt.timedelta(hours=6),
        5,
    )
    cw.sign_everyone_in(w, session)
    # The evaluation time is an hour away; two hours after it the purchaser must decide.
    clock.set_now(clock.now() + dt.timedelta(hours=2, minutes=59))
    assert jobs.sweep_faults()["start_overdue"] == 0
    clock.set_now(clock.now() + dt.timedelta(minutes=2))
    assert jobs.sweep_faults()["start_overdue"] == 1
    assert jobs.sweep_faults()["start_overdue"] == 0
    with pytest.raises(Conflict, match="采购人决定"):
        hosting.advance(session, w.host)
    db.session.rollback()
    resp = client.post(
        f"/api/v1/evaluations/{session.id}/start-decision",
        json={"decision": "later"},
        headers=token_headers(w.host),
    )
    assert resp.status_code == 403
    from tests.factories import login

    login(client, w.reps[0])
    assert "venues.start_decisions" in str(client.get("/api/v1/workbench").get_json())
    html = client.get(f"/evaluations/{session.id}/faults").get_data(as_text=True)
    assert 'data-testid="start-decision"' in html
    client.get("/logout")
    resp = client.post(
        f"/api/v1/evaluations/{session.id}/start-decision",
        json={
            "decision": "reschedule",
            "note": "改期至下周一",
            "start_at": "2026-03-09T09:00:00+08:00",
        },
        headers=token_headers(w.reps[0]),
    )
    assert resp.status_code == 200, resp.get_json()
    db.session.expire_all()
    session = committee.get_session(session.id)
    assert session.paused and session.phase == Phase.SIGNIN
    assert bookings.get_booking(booking.id).status == BookingStatus.RELEASED
    # The seats move with the evaluation (tests/venues/test_reschedule.py has the rest).
    moved = bookings.bookings_of(w.lot, active_only=True)
    assert [(b.venue_id, b.seat_count) for b in moved] == [(room.id, 5)]


def test_after_a_seal_a_new_draw_forms_a_new_committee_linked_to_the_old_record() -> None:
    from experts import invitations
    from experts.models import InvitationState
    from tests.experts.world import drawn_ids, make_pool, request, run

    w = cw.build()
    session = w.form()
    old_root = committee.root_draw(w.lot)
    assert old_root is not None
    cw.sign_everyone_in(w, session)
    hosting.pause(session, w.host, "主场停电，暂停评标")
    db.session.commit()
    clock.set_now(clock.now() + dt.timedelta(hours=4, minutes=1))
    assert jobs.sweep_faults()["sealed"] == 1
    # A new draw for the lot: the sealed committee's family is spent and none of its
    # experts is drawn again for this lot.
    make_pool(w.base.centre, 6, account=True)
    new = request(
        w.base,
        groups=[{"specialty": "A08", "count": 4, "reserves": 2}],
        purchaser_reps=1,
        evaluation_at=clock.now() + dt.timedelta(hours=2),
    )
    run(w.base, new)
    assert not drawn_ids(new) & drawn_ids(old_root)
    for inv in list(new.invitations):
        if inv.state == InvitationState.INVITED:
            invitations.answer(inv, inv.expert.user, True)
    db.session.commit()
    assert committee.root_draw(w.lot) == new
    from remote_eval.queries import agency_lots

    assert w.lot in agency_lots(w.host)[0]  # the room list offers to form it again
    again = w.form()
    assert again.id != session.id and again.sealed_at is None
    row = faults.sealed_record(session)
    assert row is not None and row.replaced_by_session_id == again.id
    assert committee.get_session(session.id).sealed_at is not None
    assert w.lot not in agency_lots(w.host)[0]
