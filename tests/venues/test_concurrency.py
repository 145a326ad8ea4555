"""Racing bookings on PostgreSQL: the UNIQUE (seat, slot) constraint lets one through.

Each thread has its own app context, session and connection, as two web workers would.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.core import clock
from app.core.errors import Conflict
from app.core.extensions import db
from bidding.models import Lot
from remote_eval.venues import bookings
from remote_eval.venues.models import BookedSlot, SeatBooking, Venue
from tests.venues.world import END, START, build

pytestmark = pytest.mark.skipif(
    not os.environ.get("TENDERHALL_TEST_DATABASE_URL"), reason="needs PostgreSQL"
)


def test_two_transactions_inserting_the_same_seat_and_slot(app: Any) -> None:
    """The second insert waits for the first transaction, then fails when it commits."""
    v = build()
    b = bookings.book_seats(v.w.lot, v.room, v.w.agency_staff, END, END + (END - START), 1)
    seat_id = v.room.seats[0].id
    db.session.commit()
    first_flushed = threading.Event()
    results: dict[str, str] = {}

    def insert(name: str, wait: threading.Event | None) -> None:
        with app.app_context():
            if wait is not None:
                wait.wait(10)
            try:
                db.session.add(BookedSlot(booking_id=b.id, seat_id=seat_id, slot_at=START))
                db.session.flush()
                if wait is None:
                    first_flushed.set()
                    # Hold the row uncommitted while the other transaction tries the same.
                    threading.Event().wait(0.5)
                db.session.commit()
                results[name] = "ok"
            except IntegrityError:
                db.session.rollback()
                results[name] = "refused"
            finally:
                db.session.remove()

    a = threading.Thread(target=insert, args=("a", None))
    c = threading.Thread(target=insert, args=("b", first_flushed))
    a.start()
    c.start()
    a.join(20)
    c.join(20)
    assert results == {"a": "ok", "b": "refused"}


def test_eight_agencies_racing_for_all_seats(app: Any) -> None:
    v = build(seat_count=3)
    lot_id, room_id, user_id = v.w.lot.id, v.room.id, v.w.agency_staff.id
    now = clock.now()
    db.session.commit()
    barrier = threading.Barrier(8)
    outcomes: list[str] = []
    lock = threading.Lock()

    def race() -> None:
        from app.core.auth.models import User

        with app.app_context():
            clock.set_now(now)
            try:
                lot = db.session.get(Lot, lot_id)
                room = db.session.get(Venue, room_id)
                user = db.session.get(User, user_id)
                assert lot is not None and room is not None and user is not None
                _ = list(room.seats), lot.project
                barrier.wait(10)
                bookings.book_seats(lot, room, user, START, END, 3)
                db.session.commit()
                result = "ok"
            except (Conflict, IntegrityError):
                db.session.rollback()
                result = "refused"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=race) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["ok"] + ["refused"] * 7
    assert db.session.execute(select(func.count()).select_from(SeatBooking)).scalar_one() == 1
    assert db.session.execute(select(func.count()).select_from(BookedSlot)).scalar_one() == 3 * 6
