"""Least exposure at a secondary venue: its staff see their own venue's members and the
bidders' names the room shows every watcher, and nothing of the bids themselves: no file,
no link to one, no score."""

from __future__ import annotations

from typing import Any

from app.core.extensions import db
from remote_eval import hosting
from remote_eval.room import member_name, state
from remote_eval.venues import assistance, start
from tests.factories import login
from tests.remote_eval import committee_world as cw


def test_secondary_venue_staff_see_nothing_of_the_bids(client: Any) -> None:
    w = cw.build()
    assistance.mark_remote(w.lot, w.host)
    session = w.form()
    cw.sign_everyone_in(w, session)
    start.confirm_ready(session, w.staff_second)
    hosting.advance(session, w.host)
    cw.commit_everyone(session)
    hosting.advance(session, w.host)
    db.session.commit()
    cw.elect(session, cw.active(session)[0])
    hosting.advance(session, w.host)
    db.session.commit()
    seen = state(session, w.staff_second)
    mine = [m for m in session.members if m.venue_centre_id == w.second.id]
    assert sorted(m["seat"] for m in seen["members"]) == sorted(m.seat for m in mine)
    bid = w.bids[0]
    login(client, w.staff_second)
    # A member of the committee reads the file; the venue's staff may not.
    assert client.get(f"/evaluations/{session.id}/bids/{bid.id}/files/0").status_code == 403
    page = client.get(f"/evaluations/{session.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"/bids/{bid.id}/files/" not in html
    others = [m for m in session.members if m.venue_centre_id != w.second.id]
    names = [member_name(m) for m in others]
    assert all(names) and not [n for n in names if n in html]
    assert "其他场地评委 1" in html  # their columns in the review grid, without names
    scores = client.get(f"/api/v1/evaluations/{session.id}/bids/{bid.id}/scores")
    assert scores.status_code in (403, 404) or not scores.get_json().get("scores")
