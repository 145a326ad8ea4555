"""Who may join the evaluation room and read its state."""

from __future__ import annotations

import pytest

from app.core.auth.models import OrgKind, Role
from app.core.errors import Forbidden
from app.core.rooms import may_join
from remote_eval import committee, room
from remote_eval.policies import EVAL
from tests.factories import make_user
from tests.remote_eval.committee_world import build


def test_members_host_venue_staff_and_involved_supervisors_may_join() -> None:
    w = build()
    session = w.form()
    name = EVAL.name(session.id)
    for user in (
        session.members[0].user,
        w.host,
        w.staff_main,
        w.staff_second,
        w.supervisor_main,
        w.supervisor_second,
    ):
        assert may_join(user, name), user.username
    supplier = w.bids[0].supplier
    bidder = make_user(Role.SUPPLIER, organisation=supplier)
    for user in (bidder, w.supervisor_other, w.reps[2]):
        assert not may_join(user, name), user.username
    assert not may_join(w.host, EVAL.name(10_000))


def test_a_removed_member_leaves_the_room() -> None:
    w = build()
    session = w.form()
    from remote_eval import hosting
    from tests.remote_eval.committee_world import sign_everyone_in

    sign_everyone_in(w, session)
    hosting.advance(session, w.host)
    leaving = session.members[0]
    committee.sign_commitment(leaving, leaving.user, True, "亲属在投标单位")
    assert not may_join(leaving.user, EVAL.name(session.id))
    with pytest.raises(Forbidden):
        room.state(session, leaving.user)


def test_supervisors_watch_but_do_not_write() -> None:
    w = build()
    session = w.form()
    with pytest.raises(Forbidden, match="旁观"):
        room.post_message(session, w.supervisor_main, "提醒")
    event = room.post_message(session, w.staff_second, "副场已就绪")
    assert event.payload["author"]["role"] == "venue_staff"
    assert room.state(session, w.supervisor_second)["viewer"]["role"] == "supervisor"
    _ = OrgKind
