"""Who may act in the review, clarifications, scoring and summary of an evaluation.

- act: a member of this committee who has signed in, signed the commitment and the
  avoidance declaration and was not removed, acting as themself;
- lead: the acting member the committee elected (`EvalSession.leader_id`);
- watch: the host, the lot's agency staff, staff of a centre where a member sits (venue
  staff), and supervisors or administrators of those centres. Watchers see who has done
  what, never score values while scoring is independent;
- answer: users of the supplier organisation that submitted the bid a clarification is
  addressed to; they see nothing else of the evaluation.

Checked in the API and again in the services.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.auth.models import Role
from app.core.errors import Forbidden
from app.core.extensions import db
from bidding.bids.models import Bid
from bidding.models import Lot
from bidding.policies import can_manage_lot, can_oversee_centre
from experts.policies import is_centre_staff
from remote_eval.models import EvalMember, EvalSession, MemberStatus


def _authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_active(member: EvalMember) -> bool:
    """Signed in, committed, declared no conflict, and still on the committee."""
    return (
        member.status == MemberStatus.SIGNED_IN
        and member.removed_at is None
        and member.committed_at is not None
        and member.avoidance_declared_at is not None
    )


def active_members(session: EvalSession) -> list[EvalMember]:
    return [m for m in session.members if is_active(m)]


def member_of(session: EvalSession, user: Any) -> EvalMember | None:
    if not _authenticated(user):
        return None
    return db.session.execute(
        select(EvalMember).where(EvalMember.session_id == session.id, EvalMember.user_id == user.id)
    ).scalar_one_or_none()


def ensure_may_act(session: EvalSession, member: EvalMember | None) -> EvalMember:
    """The member, when it may act in this session; a Forbidden saying why otherwise."""
    if member is None or member.session_id != session.id:
        raise Forbidden(_l("您不是本项目评标委员会的成员。"))
    if member.status == MemberStatus.REMOVED or member.removed_at is not None:
        raise Forbidden(_l("您已退出本项目评标委员会，不能再进行评审操作。"))
    if member.status != MemberStatus.SIGNED_IN:
        raise Forbidden(_l("您尚未签到，签到后才能进行评审操作。"))
    if member.committed_at is None or member.avoidance_declared_at is None:
        raise Forbidden(_l("您尚未签署承诺书和回避声明。"))
    return member


def acting_member(session: EvalSession, user: Any) -> EvalMember:
    """The caller's seat on the committee, when the caller may act (API entry point)."""
    return ensure_may_act(session, member_of(session, user))


def is_leader(session: EvalSession, member: EvalMember) -> bool:
    return session.leader_id is not None and session.leader_id == member.id


def ensure_leader(session: EvalSession, member: EvalMember | None) -> EvalMember:
    member = ensure_may_act(session, member)
    if not is_leader(session, member):
        raise Forbidden(_l("只有评标委员会组长可以执行此操作。"))
    return member


def venue_centres(session: EvalSession) -> set[int]:
    return {session.main_centre_id} | {m.venue_centre_id for m in session.members}


def can_watch(user: Any, session: EvalSession) -> bool:
    """Host, the lot's agency staff, venue staff, supervisors of a venue's centre."""
    if not _authenticated(user):
        return False
    if user.id == session.host_id:
        return True
    lot = db.session.get(Lot, session.lot_id)
    if lot is not None and can_manage_lot(user, lot):
        return True
    return any(
        is_centre_staff(user, centre) or can_oversee_centre(user, centre)
        for centre in venue_centres(session)
    )


def can_see_room(user: Any, session: EvalSession) -> bool:
    """Read what the committee reads (clarifications, the summary): members and watchers."""
    member = member_of(session, user)
    return (member is not None and is_active(member)) or can_watch(user, session)


def ensure_can_see_room(user: Any, session: EvalSession) -> None:
    if not can_see_room(user, session):
        raise Forbidden(_l("您无权查看本项目的评标。"))


def can_answer_for(user: Any, bid: Bid) -> bool:
    """Users of the bidder's own organisation answer its clarifications."""
    return (
        _authenticated(user)
        and user.role == Role.SUPPLIER
        and user.organisation_id is not None
        and user.organisation_id == bid.supplier_id
    )


def ensure_can_answer_for(user: Any, bid: Bid) -> None:
    if not can_answer_for(user, bid):
        raise Forbidden(_l("只有被澄清的投标人可以答复此澄清。"))
