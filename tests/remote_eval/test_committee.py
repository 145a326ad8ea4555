"""Forming the committee, sign-in with identity checks, commitments and replacements."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.errors import Conflict, Forbidden, ValidationError
from app.core.extensions import db
from app.core.realtime import RoomEvent
from bidding.models import LotStatus
from experts.models import InvitationState
from remote_eval import committee, hosting, room
from remote_eval.models import EvalMember, MemberKind, MemberStatus, Phase
from tests.remote_eval.committee_world import active, build, commit_everyone, sign_everyone_in


def test_forming_takes_the_accepted_experts_and_the_reps_and_starts_the_evaluation() -> None:
    w = build()
    session = w.form()
    kinds = [m.kind for m in session.members]
    assert kinds.count(MemberKind.EXPERT) == 4 and kinds.count(MemberKind.PURCHASER_REP) == 1
    assert session.phase == Phase.SIGNIN and w.lot.status == LotStatus.EVALUATING
    assert {m.venue_centre_id for m in session.members} == {w.base.centre.id, w.second.id}
    assert session.scheme["method"] == "comprehensive"
    formed = db.session.execute(
        select(AuditEntry)
        .where(AuditEntry.action == "eval.committee_formed")
        .order_by(AuditEntry.seq)
    ).scalar_one()
    assert formed.actor_id == w.host.id


def test_more_than_a_third_of_purchaser_reps_is_refused() -> None:
    w = build()
    with pytest.raises(ValidationError, match="三分之一"):
        w.form(reps=3)  # 3 of 7


def test_forming_is_refused_before_the_opening_has_ended() -> None:
    w = build()
    w.lot.status = LotStatus.CLOSED
    with pytest.raises(Conflict, match="开标已结束"):
        w.form()


def test_forming_is_refused_to_anyone_but_the_lots_agency_staff() -> None:
    w = build()
    for user in (w.staff_main, w.supervisor_main, w.reps[0]):
        with pytest.raises(Forbidden):
            w.form(host=user)


def test_a_second_committee_for_the_same_lot_is_refused() -> None:
    w = build()
    w.form()
    w.lot.status = LotStatus.OPENED
    with pytest.raises(Conflict, match="已经组建"):
        w.form()


def test_identity_is_confirmed_only_by_staff_of_the_members_own_venue() -> None:
    w = build()
    session = w.form()
    away = next(m for m in session.members if m.venue_centre_id == w.second.id)
    for wrong in (w.staff_main, w.host, w.supervisor_second):
        with pytest.raises(Forbidden):
            committee.confirm_identity(away, wrong)
    committee.confirm_identity(away, w.staff_second)
    assert away.identity_confirmed_by_id == w.staff_second.id


def test_sign_in_needs_the_identity_check_the_member_themself_and_two_factor() -> None:
    w = build()
    session = w.form()
    member, other = session.members[0], session.members[1]
    with pytest.raises(Conflict, match="核验身份"):
        committee.sign_in(member, member.user)
    committee.confirm_identity(member, w.venue_staff(member))
    with pytest.raises(Forbidden, match="本人"):
        committee.sign_in(member, other.user)
    member.user.totp_enabled = False
    with pytest.raises(Forbidden, match="两步验证"):
        committee.sign_in(member, member.user)
    member.user.totp_enabled = True
    committee.sign_in(member, member.user)
    assert member.status == MemberStatus.SIGNED_IN


def test_names_are_sealed_until_sign_in_for_every_viewer() -> None:
    w = build()
    session = w.form()
    member = session.members[0]
    for viewer in (w.host, w.supervisor_main, w.staff_main, session.members[1].user):
        seen = room.state(session, viewer)["members"]
        assert all(m["name"] is None for m in seen)
    committee.confirm_identity(member, w.venue_staff(member))
    committee.sign_in(member, member.user)
    db.session.commit()
    seen = room.state(session, w.host)["members"]
    assert seen[0]["name"] and all(m["name"] is None for m in seen[1:])
    events = db.session.execute(select(RoomEvent).order_by(RoomEvent.seq)).scalars().all()
    formed = next(e for e in events if e.kind == "committee.formed")
    assert all(m["name"] is None for m in formed.payload["members"])
    assert events[-1].kind == "member.signed_in" and events[-1].payload["member"]["name"]


def test_signin_cannot_end_until_every_member_has_signed_in() -> None:
    w = build()
    session = w.form()
    with pytest.raises(Conflict, match="尚未签到"):
        hosting.advance(session, w.host)
    sign_everyone_in(w, session)
    hosting.advance(session, w.host)
    assert session.phase == Phase.COMMITMENT


def test_commitment_lists_the_bidders_and_ends_when_everyone_has_signed() -> None:
    w = build()
    session = w.form()
    sign_everyone_in(w, session)
    hosting.advance(session, w.host)
    assert [b["supplier"] for b in committee.bidders(session)] == [b.supplier.name for b in w.bids]
    with pytest.raises(Conflict, match="承诺书"):
        hosting.advance(session, w.host)
    commit_everyone(session)
    with pytest.raises(Conflict, match="已签署"):
        committee.sign_commitment(session.members[0], session.members[0].user, False)
    hosting.advance(session, w.host)
    assert session.phase == Phase.ELECTION


def test_a_declared_conflict_removes_the_expert_and_the_reserve_takes_the_seat() -> None:
    w = build()
    session = w.form()
    sign_everyone_in(w, session)
    hosting.advance(session, w.host)
    leaving = next(m for m in session.members if m.venue_centre_id == w.second.id)
    with pytest.raises(ValidationError, match="原因"):
        committee.sign_commitment(leaving, leaving.user, True, " ")
    committee.sign_commitment(leaving, leaving.user, True, "曾在投标人单位任职")
    db.session.commit()
    assert leaving.status == MemberStatus.REMOVED
    inv = db.session.get(committee.Invitation, leaving.invitation_id)
    assert inv.state == InvitationState.REPLACED
    commit_everyone(session)
    with pytest.raises(Conflict, match="人数不足"):
        hosting.advance(session, w.host)
    # The next reserve was invited; once they accept, they join the same seat and venue.
    reserve = next(i for i in w.draw.invitations if i.state == InvitationState.INVITED)
    committee.expert_invitations.answer(reserve, reserve.expert.user, True)
    db.session.commit()
    added = committee.sync_members(session)
    db.session.commit()
    assert len(added) == 1
    new = added[0]
    assert (new.seat, new.venue_centre_id, new.replaces_id) == (
        leaving.seat,
        leaving.venue_centre_id,
        leaving.id,
    )
    assert committee.sync_members(session) == []  # idempotent
    sign_everyone_in(w, session)
    commit_everyone(session)
    hosting.advance(session, w.host)
    assert session.phase == Phase.ELECTION and len(active(session)) == 5


def test_a_rep_who_declares_a_conflict_is_replaced_by_the_host() -> None:
    w = build()
    session = w.form()
    sign_everyone_in(w, session)
    hosting.advance(session, w.host)
    rep = next(m for m in session.members if m.kind == MemberKind.PURCHASER_REP)
    committee.sign_commitment(rep, rep.user, True, "与投标人有利害关系")
    with pytest.raises(Forbidden):
        committee.add_purchaser_rep(session, w.staff_main, w.reps[1], w.base.centre.id)
    new = committee.add_purchaser_rep(session, w.host, w.reps[1], w.base.centre.id)
    assert new.seat == rep.seat and new.replaces_id == rep.id
    with pytest.raises(Conflict, match="没有需要补充"):
        committee.add_purchaser_rep(session, w.host, w.reps[2], w.base.centre.id)


def test_the_committee_evaluates_with_the_scheme_the_notice_froze() -> None:
    from remote_eval.models import ScoringScheme

    w = build()
    row = db.session.execute(
        select(ScoringScheme).where(ScoringScheme.lot_id == w.lot.id)
    ).scalar_one()
    row.frozen_at = None  # never published: suppliers were not shown it
    db.session.commit()
    with pytest.raises(Conflict, match="评分办法"):
        w.form()
    row.frozen_at = clock.now()
    db.session.commit()
    session = w.form()
    assert session.scheme == row.data and session.method == row.method


def test_two_page_loads_seating_the_same_reserve_at_once_leave_one_seat_and_no_error() -> None:
    """Every open page of the room reads it after a room event, and each read seats the
    reserves who have accepted: the load that loses the race keeps the other's seat."""
    w = build()
    session = w.form()
    sign_everyone_in(w, session)
    hosting.advance(session, w.host)
    leaving = session.members[0]
    committee.sign_commitment(leaving, leaving.user, True, "曾在投标人单位任职")
    db.session.commit()
    reserve = next(i for i in w.draw.invitations if i.state == InvitationState.INVITED)
    committee.expert_invitations.answer(reserve, reserve.expert.user, True)
    db.session.commit()
    assert len(session.members) == 5  # this load's view, read before the other one seats
    # The other load got there first: its row is in, this load's list does not show it.
    db.session.execute(
        insert(EvalMember).values(
            session_id=session.id,
            kind=MemberKind.EXPERT,
            user_id=reserve.expert.user_id,
            expert_id=reserve.expert_id,
            invitation_id=reserve.id,
            venue_centre_id=leaving.venue_centre_id,
            seat=leaving.seat,
            status=MemberStatus.EXPECTED,
            replaces_id=leaving.id,
        )
    )
    assert committee.sync_members(session) == []
    db.session.commit()
    seated = db.session.execute(
        select(EvalMember).where(
            EvalMember.session_id == session.id, EvalMember.replaces_id == leaving.id
        )
    ).scalars()
    assert len(list(seated)) == 1
