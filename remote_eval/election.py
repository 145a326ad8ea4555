"""Electing the leader (推选组长): secret rounds until one member has a majority.

Every active member votes once per round for an active member (themself allowed). When
the last vote of a round is in, the round closes with its tally: more than half of the
votes elects the leader, anything else (a tie, a split) opens the next round at once.
Rounds and ballots are kept; who voted is public, for whom only in the closed tally.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core import clock
from app.core.audit import record
from app.core.auth.models import User
from app.core.errors import Conflict, NotFound
from app.core.extensions import db
from remote_eval import actions, flow, policies
from remote_eval.models import (
    ElectionRound,
    ElectionVote,
    EvalMember,
    EvalSession,
    MemberStatus,
    Phase,
)
from remote_eval.policies import seated_members
from remote_eval.room import publish


def open_round(session: EvalSession) -> ElectionRound | None:
    """The open round, or a new one when none is open (idempotent; None once a leader exists)."""
    if session.leader_id is not None:
        return None
    current = db.session.execute(
        select(ElectionRound)
        .where(ElectionRound.session_id == session.id)
        .order_by(ElectionRound.number.desc())
        .limit(1)
    ).scalar_one_or_none()
    if current is not None and current.closed_at is None:
        return current
    number = (current.number if current else 0) + 1
    fresh = ElectionRound(session_id=session.id, number=number, opened_at=clock.now())
    db.session.add(fresh)
    db.session.flush()
    publish(session, "election.round_opened", {"number": number})
    return fresh


def _lock(session: EvalSession) -> None:
    # One vote at a time per session (PostgreSQL row lock; SQLite serialises writers):
    # the last ballot of a round is then always seen by the vote that closes it.
    db.session.refresh(session, with_for_update=True)


def cast_vote(member: EvalMember, user: User, candidate_id: int) -> ElectionVote:
    session = member.session
    flow.ensure_phase(session, Phase.ELECTION)
    policies.ensure_acting_member(user, member)
    _lock(session)
    if member.status != MemberStatus.SIGNED_IN or member.committed_at is None:
        raise Conflict(_l("只有已签到并签署承诺书的评委可以投票。"))
    candidate = db.session.get(EvalMember, candidate_id)
    if (
        candidate is None
        or candidate.session_id != session.id
        or candidate.status == MemberStatus.REMOVED
    ):
        raise NotFound(_l("候选人不是本评标委员会的在任成员。"), field="candidate_id")
    current = open_round(session)
    if current is None:
        raise Conflict(_l("组长已经选出，投票已结束。"))
    already = db.session.execute(
        select(ElectionVote.id).where(
            ElectionVote.round_id == current.id, ElectionVote.voter_id == member.id
        )
    ).first()
    if already:
        raise Conflict(_l("您已在第 %(n)s 轮投票，每轮只能投一票。", n=current.number))
    number = current.number  # readable after a failed flush, for the message
    vote = ElectionVote(
        round_id=current.id, voter_id=member.id, candidate_id=candidate.id, cast_at=clock.now()
    )
    db.session.add(vote)
    try:
        db.session.flush()
    except IntegrityError as exc:  # the same ballot from another request won the race
        raise Conflict(_l("您已在第 %(n)s 轮投票，每轮只能投一票。", n=number)) from exc
    closed = _close_if_complete(session, current)
    record(
        actions.VOTE_CAST,
        session,
        {"round": current.number, "voter": member.id, **(closed or {})},
        actor=user,
    )
    publish(session, "election.vote_cast", {"round": current.number, "voter_id": member.id})
    if closed:
        publish(session, "election.round_closed", closed)
        if closed["winner_id"] is not None:
            publish(session, "election.leader_elected", {"leader_id": closed["winner_id"]})
        else:
            open_round(session)
    return vote


def _close_if_complete(session: EvalSession, current: ElectionRound) -> dict[str, Any] | None:
    voters = {m.id for m in seated_members(session)}
    votes = list(
        db.session.execute(
            select(ElectionVote).where(ElectionVote.round_id == current.id)
        ).scalars()
    )
    if not voters <= {v.voter_id for v in votes}:
        return None
    counts = Counter(v.candidate_id for v in votes)
    tally = {str(k): n for k, n in sorted(counts.items())}
    top, top_votes = counts.most_common(1)[0]
    winner = top if top_votes * 2 > len(votes) else None
    current.closed_at = clock.now()
    current.tally = tally
    current.winner_id = winner
    if winner is not None:
        session.leader_id = winner
    db.session.flush()
    return {"round": current.number, "tally": tally, "winner_id": winner}


def _election_problems(session: EvalSession) -> list[Any]:
    return [] if session.leader_id is not None else [_l("尚未选出评标委员会组长。")]


flow.register_exit_check(Phase.ELECTION, _election_problems)
