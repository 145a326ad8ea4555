"""The demo world: both centres publish rooms and share pools; the lot ready to evaluate
is remote, booked at the main venue and at 绵阳 through an accepted assistance request."""

from __future__ import annotations

from sqlalchemy import select

from app.core.extensions import db
from app.demo import seed
from app.demo.guide import evaluation_guide
from experts.models import PoolShare
from remote_eval.models import EvalSession
from remote_eval.venues import start
from remote_eval.venues.models import AssistanceRequest, AssistanceStatus, SeatBooking, Venue


def test_the_demo_has_rooms_shares_and_an_accepted_assistance_request() -> None:
    seed()
    db.session.commit()
    venues = db.session.execute(select(Venue)).scalars().all()
    assert len({v.centre_id for v in venues if v.published}) == 2
    assert len(db.session.execute(select(PoolShare)).scalars().all()) == 2
    item = db.session.execute(select(AssistanceRequest)).scalar_one()
    assert item.status == AssistanceStatus.ACCEPTED and item.booking is not None
    bookings = (
        db.session.execute(select(SeatBooking).where(SeatBooking.lot_id == item.lot_id))
        .scalars()
        .all()
    )
    assert sorted(b.seat_count for b in bookings) == [2, 3]
    session = db.session.execute(
        select(EvalSession).where(EvalSession.lot_id == item.lot_id)
    ).scalar_one()
    assert start.is_remote_session(session)
    assert start.secondary_centre_ids(session) == [item.to_centre_id]
    assert any(f"/lots/{item.lot_id}/venues" in line for line in evaluation_guide())
