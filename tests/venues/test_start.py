"""The start gate of a remote evaluation, and venues dropping and coming back."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.errors import Conflict, Forbidden
from app.core.extensions import db
from remote_eval import committee, hosting
from remote_eval.models import Phase
from remote_eval.venues import assistance, jobs, start
from tests.factories import login, token_headers
from tests.remote_eval import committee_world as cw


def _remote() -> tuple[cw.CommitteeWorld, object]:
    w = cw.build()
    assistance.mark_remote(w.lot, w.host)
    session = w.form()
    return w, session


def test_the_host_opens_only_when_every_secondary_venue_confirmed(client) -> None:  # type: ignore[no-untyped-def]
    w, session = _remote()
    second = [m for m in session.members if m.venue_centre_id == w.second.id]
    # Not yet: the secondary venue's members have not signed in.
    with pytest.raises(Conflict, match="尚未核验身份或签到"):
        start.confirm_ready(session, w.staff_second)
    cw.sign_everyone_in(w, session)
    with pytest.raises(Conflict, match="副场尚未确认"):
        hosting.advance(session, w.host)
    db.session.rollback()
    # Only the secondary venue's own staff confirm; the main venue needs no confirmation.
    with pytest.raises(Forbidden):
        start.confirm_ready(session, w.supervisor_second)
    with pytest.raises(Conflict, match="主场无需确认"):
        start.confirm_ready(session, w.staff_main)
    resp = client.post(
        f"/api/v1/evaluations/{session.id}/venues/ready", headers=token_headers(w.staff_second)
    )
    assert resp.status_code == 200, resp.get_json()
    states = {v["centre_id"]: v for v in resp.get_json()}
    assert states[w.second.id]["ready"] and states[w.second.id]["seats"] == [m.seat for m in second]
    # Least exposure: the secondary venue's staff see their own seats, not the main venue's.
    assert states[w.base.centre.id]["seats"] == []
    db.session.expire_all()
    hosting.advance(session, w.host)
    db.session.commit()
    assert session.phase == Phase.COMMITMENT


def test_an_ordinary_evaluation_has_no_start_gate() -> None:
    w = cw.build()
    session = w.form()
    cw.sign_everyone_in(w, session)
    hosting.advance(session, w.host)
    assert session.phase == Phase.COMMITMENT


def test_a_silent_venue_is_marked_dropped_and_comes_back(client) -> None:  # type: ignore[no-untyped-def]
    w, session = _remote()
    start.heartbeat(session, w.staff_second)
    db.session.commit()
    assert jobs.sweep_venues()["dropped"] == 0
    clock.set_now(clock.now() + dt.timedelta(seconds=90))
    assert jobs.sweep_venues()["dropped"] == 1
    assert jobs.sweep_venues()["dropped"] == 0
    login(client, w.supervisor_main)
    html = client.get(f"/evaluations/{session.id}").get_data(as_text=True)
    assert 'data-testid="venue-dropped"' in html and w.second.name in html
    clock.set_now(clock.now() + dt.timedelta(seconds=30))
    start.heartbeat(session, w.staff_second)
    db.session.commit()
    actions = [
        e.action
        for e in db.session.execute(
            select(AuditEntry).where(AuditEntry.action.like("venue.%")).order_by(AuditEntry.seq)
        ).scalars()
    ]
    assert actions[-2:] == ["venue.dropped", "venue.reconnected"]
    last = db.session.execute(select(AuditEntry).order_by(AuditEntry.seq.desc())).scalars().first()
    assert last.action == "venue.reconnected" and json.loads(last.data)["away_seconds"] == 30
    assert not start.venue_states(session, w.host)[1]["dropped"]
    # Someone of a third centre has no venue here.
    with pytest.raises(Forbidden):
        start.heartbeat(session, w.supervisor_other)
    assert committee.get_session(session.id).phase == Phase.SIGNIN


def test_secondary_venue_staff_see_only_their_members_in_the_room() -> None:
    from remote_eval.room import state

    w, session = _remote()
    seats_here = {m["seat"] for m in state(session, w.staff_second)["members"]}
    assert seats_here == {m.seat for m in session.members if m.venue_centre_id == w.second.id}
    assert len(state(session, w.staff_main)["members"]) == len(session.members)
    assert len(state(session, w.supervisor_second)["members"]) == len(session.members)
