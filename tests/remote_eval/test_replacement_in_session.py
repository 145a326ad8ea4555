"""A conflict declared at the commitment, after the evaluation time: the draw still calls
its next reserve, who answers in time and joins the same room."""

from __future__ import annotations

import datetime as dt

from app.core import clock
from app.core.extensions import db
from experts import invitations
from experts.jobs import sweep_invitations
from experts.models import InvitationState
from remote_eval import committee, hosting
from remote_eval.models import MemberStatus, Phase
from tests.experts.world import EVAL_AT
from tests.remote_eval.committee_world import active, build, commit_everyone, sign_everyone_in


def _invited(w: object) -> list[invitations.Invitation]:
    return [i for i in w.draw.invitations if i.state == InvitationState.INVITED]  # type: ignore[attr-defined]


def test_a_conflict_declared_during_the_session_invites_the_next_reserve() -> None:
    w = build()
    session = w.form()
    clock.set_now(EVAL_AT + dt.timedelta(minutes=40))  # the session runs at the evaluation time
    sign_everyone_in(w, session)
    hosting.advance(session, w.host)
    leaving = active(session)[0]
    committee.sign_commitment(leaving, leaving.user, True, "与投标人存在利害关系")
    db.session.commit()
    assert leaving.status == MemberStatus.REMOVED
    (reserve,) = _invited(w)
    assert reserve.answer_due_at is not None and reserve.answer_due_at > clock.now()
    # The invitation sweep leaves a reserve called in session alone until its due time.
    sweep_invitations()
    db.session.commit()
    assert reserve.state == InvitationState.INVITED
    invitations.answer(reserve, reserve.expert.user, True)
    db.session.commit()
    (seated,) = committee.sync_members(session)
    db.session.commit()
    assert (seated.seat, seated.replaces_id, seated.session_id) == (
        leaving.seat,
        leaving.id,
        session.id,
    )
    sign_everyone_in(w, session)
    commit_everyone(session)
    hosting.advance(session, w.host)
    assert session.phase == Phase.ELECTION and len(active(session)) == 5


def test_a_reserve_who_declines_in_session_is_followed_by_the_next() -> None:
    w = build()
    session = w.form()
    clock.set_now(EVAL_AT + dt.timedelta(minutes=40))
    sign_everyone_in(w, session)
    hosting.advance(session, w.host)
    leaving = active(session)[0]
    committee.sign_commitment(leaving, leaving.user, True, "与投标人存在利害关系")
    db.session.commit()
    (first,) = _invited(w)
    invitations.answer(first, first.expert.user, False, "今天无法到场")
    db.session.commit()
    (second,) = _invited(w)
    assert second.id != first.id and second.answer_due_at > clock.now()  # type: ignore[operator]


def test_no_reserve_is_called_after_the_evaluation_time_when_no_session_sits() -> None:
    w = build()
    clock.set_now(EVAL_AT + dt.timedelta(minutes=40))
    accepted = w.accepted()[0]
    inv_before = len(_invited(w))
    accepted.state = InvitationState.REPLACED
    db.session.flush()
    root = w.draw
    assert invitations.fill_vacancies(root) == {}
    db.session.commit()
    assert len(_invited(w)) == inv_before
