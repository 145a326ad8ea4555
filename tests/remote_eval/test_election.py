"""Electing the leader: secret rounds, a tie opens a new round, a majority elects."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from app.core.errors import Conflict, Forbidden, NotFound
from app.core.extensions import db
from app.core.realtime import RoomEvent
from remote_eval import election, hosting
from remote_eval.models import ElectionRound, ElectionVote, Phase
from tests.factories import token_headers
from tests.remote_eval.committee_world import active, build, to_election


def _session():  # noqa: ANN202
    w = build(experts=4)  # 4 experts + 1 rep = 5 voters
    session = w.form()
    to_election(w, session)
    return w, session


def test_a_split_round_opens_the_next_and_a_majority_elects_the_leader() -> None:
    w, session = _session()
    a, b, c, d, e = active(session)
    for voter, choice in ((a, a), (b, a), (c, b), (d, b), (e, c)):  # 2-2-1: no majority
        election.cast_vote(voter, voter.user, choice.id)
    db.session.commit()
    first, second = db.session.execute(
        select(ElectionRound).order_by(ElectionRound.number)
    ).scalars()
    assert first.tally == {str(a.id): 2, str(b.id): 2, str(c.id): 1} and first.winner_id is None
    assert second.closed_at is None and session.leader_id is None
    with pytest.raises(Conflict, match="组长"):
        hosting.advance(session, w.host)
    for voter, choice in ((a, b), (b, b), (c, b), (d, a), (e, a)):
        election.cast_vote(voter, voter.user, choice.id)
    db.session.commit()
    assert session.leader_id == b.id
    kinds = [
        e.kind for e in db.session.execute(select(RoomEvent).order_by(RoomEvent.seq)).scalars()
    ]
    assert kinds.count("election.round_closed") == 2 and kinds[-1] == "election.leader_elected"
    votes = [
        e.payload
        for e in db.session.execute(select(RoomEvent)).scalars()
        if e.kind == "election.vote_cast"
    ]
    assert all("candidate_id" not in p for p in votes)  # who voted, never for whom
    hosting.advance(session, w.host)
    assert session.phase == Phase.REVIEW


def test_one_vote_per_member_per_round_and_only_for_an_active_member() -> None:
    w, session = _session()
    a, b = active(session)[:2]
    election.cast_vote(a, a.user, a.id)
    with pytest.raises(Conflict, match="每轮只能投一票"):
        election.cast_vote(a, a.user, b.id)
    with pytest.raises(NotFound):
        election.cast_vote(b, b.user, 10_000)
    with pytest.raises(Forbidden):
        election.cast_vote(b, a.user, a.id)


def test_votes_are_refused_outside_the_election() -> None:
    w = build()
    session = w.form()
    m = session.members[0]
    with pytest.raises(Conflict, match="推选组长"):
        election.cast_vote(m, m.user, m.id)


def test_two_simultaneous_ballots_of_one_member_land_once(app, client) -> None:  # noqa: ANN001
    w, session = _session()
    voter = active(session)[0]
    headers = token_headers(voter.user)
    url = f"/api/v1/evaluations/{session.id}/votes"
    candidate = voter.id
    codes: list[int] = []
    barrier = threading.Barrier(2)

    def vote() -> None:
        with app.app_context(), app.test_client() as c:
            barrier.wait()
            codes.append(c.post(url, json={"candidate_id": candidate}, headers=headers).status_code)

    threads = [threading.Thread(target=vote) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.session.expire_all()
    assert sorted(codes) == [201, 409]
    landed = db.session.execute(
        select(func.count()).select_from(ElectionVote).where(ElectionVote.voter_id == voter.id)
    ).scalar()
    assert landed == 1
