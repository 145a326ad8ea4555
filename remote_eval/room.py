"""The live evaluation room: its events, its text channel and the snapshot a page starts from.

Every committed change of the session appends one event to the room "eval:<session id>"
(`publish`); the page folds the events onto `state()`. Events never carry what a viewer
may not see: a member appears as seat and venue until they sign in, a ballot as "who
voted" and never "for whom" (the tally is published when the round closes).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.audit import record
from app.core.auth.models import User
from app.core.errors import ValidationError
from app.core.realtime import RoomEvent, emit
from experts.models import Expert
from remote_eval import actions, policies
from remote_eval.flow import phase_label
from remote_eval.models import (
    ElectionRound,
    ElectionVote,
    EvalMember,
    EvalRequest,
    EvalSession,
    MemberStatus,
    Phase,
    RequestStatus,
)
from remote_eval.policies import EVAL

MESSAGE_MAX = 1000


def room_name(session: EvalSession) -> str:
    return EVAL.name(session.id)


def publish(session: EvalSession, kind: str, payload: dict[str, Any]) -> RoomEvent:
    """Append an event to the session's room (delivered after commit)."""
    return emit(room_name(session), kind, {"session_id": session.id, **payload})


def member_name(member: EvalMember) -> str | None:
    """The member's name once signed in (the moment it is unsealed for this lot), else None."""
    if member.signed_in_at is None:
        return None
    if member.expert_id is not None:
        from app.core.extensions import db

        expert = db.session.get(Expert, member.expert_id)
        if expert is not None:
            return expert.name
    return member.user.display_name


def member_view(member: EvalMember) -> dict[str, Any]:
    session = member.session
    return {
        "id": member.id,
        "kind": member.kind.value,
        "seat": member.seat,
        "venue_centre_id": member.venue_centre_id,
        "main_venue": member.venue_centre_id == session.main_centre_id,
        "status": member.status.value,
        "name": member_name(member),
        "identity_confirmed": member.identity_confirmed_at is not None,
        "signed_in": member.signed_in_at is not None,
        "committed": member.committed_at is not None,
        "declared": member.avoidance_declared_at is not None,
        "removed_reason": member.removed_reason if member.status == MemberStatus.REMOVED else "",
        "replaces_id": member.replaces_id,
        "leader": session.leader_id == member.id,
    }


def post_message(session: EvalSession, user: User, text: str) -> RoomEvent:
    """A line in the room's text channel: the room log is its record."""
    policies.ensure_can_post(user, session)
    text = (text or "").strip()
    if not text:
        raise ValidationError(_l("消息不能为空。"), field="text")
    if len(text) > MESSAGE_MAX:
        raise ValidationError(_l("消息不能超过 %(n)s 个字。", n=MESSAGE_MAX), field="text")
    member = policies.active_member_of(user, session)
    author: dict[str, Any] = {"user_id": user.id}
    if member is not None:
        author.update(member_id=member.id, seat=member.seat, name=member_name(member))
    elif policies.is_host(user, session):
        author.update(role="host", name=user.display_name)
    else:
        author.update(role="venue_staff", name=user.display_name)
    event = publish(session, "message", {"author": author, "text": text})
    record(
        actions.MESSAGE_POSTED,
        session,
        {"seq": event.seq, "length": len(text)},
        actor=user,
    )
    return event


def _rounds(session: EvalSession, viewer_member: EvalMember | None) -> list[dict[str, Any]]:
    from app.core.extensions import db

    rounds = db.session.execute(
        select(ElectionRound)
        .where(ElectionRound.session_id == session.id)
        .order_by(ElectionRound.number)
    ).scalars()
    out = []
    for r in rounds:
        votes = list(
            db.session.execute(select(ElectionVote).where(ElectionVote.round_id == r.id)).scalars()
        )
        mine = next((v for v in votes if viewer_member and v.voter_id == viewer_member.id), None)
        out.append(
            {
                "number": r.number,
                "open": r.closed_at is None,
                "voters": sorted(v.voter_id for v in votes),
                "tally": r.tally if r.closed_at is not None else None,
                "winner_id": r.winner_id,
                "my_vote": mine.candidate_id if mine else None,
            }
        )
    return out


def _pending_request(session: EvalSession) -> dict[str, Any] | None:
    from app.core.extensions import db

    req = db.session.execute(
        select(EvalRequest).where(
            EvalRequest.session_id == session.id, EvalRequest.status == RequestStatus.PENDING
        )
    ).scalar_one_or_none()
    return request_view(req) if req else None


def request_view(req: EvalRequest) -> dict[str, Any]:
    return {
        "id": req.id,
        "kind": req.kind.value,
        "target_phase": req.target_phase.value,
        "bid_id": req.bid_id,
        "reason": req.reason,
        "status": req.status.value,
        "note": req.note,
        "new_cycle": req.new_cycle,
    }


def viewer_role(session: EvalSession, viewer: User) -> str:
    if policies.active_member_of(viewer, session):
        return "member"
    if policies.is_host(viewer, session):
        return "host"
    if policies.is_venue_staff(viewer, session):
        return "venue_staff"
    return "supervisor"


def visible_members(session: EvalSession, viewer: User) -> list[EvalMember]:
    """Least exposure: staff of a secondary venue see only the members seated there; the
    host, the main venue's staff, supervisors and members see the whole committee."""
    if viewer_role(session, viewer) == "venue_staff" and viewer.centre_id != session.main_centre_id:
        return [m for m in session.members if m.venue_centre_id == viewer.centre_id]
    return list(session.members)


def state(session: EvalSession, viewer: User) -> dict[str, Any]:
    """A JSON-able snapshot of the room for `viewer` (who must be allowed to watch)."""
    from app.core.extensions import db

    policies.ensure_can_watch(viewer, session)
    me = policies.active_member_of(viewer, session)
    last = db.session.execute(
        select(RoomEvent.seq)
        .where(RoomEvent.room == room_name(session))
        .order_by(RoomEvent.seq.desc())
        .limit(1)
    ).scalar()
    return {
        "id": session.id,
        "lot_id": session.lot_id,
        "room": room_name(session),
        "seq": last or 0,
        "phase": session.phase.value,
        "phase_label": phase_label(session.phase),
        "cycle": session.cycle,
        "paused": session.paused,
        "pause_reason": session.pause_reason,
        "phase_started_at": session.phase_started_at.isoformat(),
        "phase_due_at": session.phase_due_at.isoformat() if session.phase_due_at else None,
        "now": clock.now().isoformat(),
        "method": session.method,
        "main_centre_id": session.main_centre_id,
        "leader_id": session.leader_id,
        "viewer": {"role": viewer_role(session, viewer), "member_id": me.id if me else None},
        "members": [member_view(m) for m in visible_members(session, viewer)],
        "rounds": _rounds(session, me),
        "pending_request": _pending_request(session),
        # The bidders' names are public since the opening; members declare against them.
        "bidders": _bidders(session) if session.phase != Phase.SIGNIN else [],
    }


def _bidders(session: EvalSession) -> list[dict[str, Any]]:
    from remote_eval.committee import bidders

    return bidders(session)
