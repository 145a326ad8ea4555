"""Who may do what with a lot's scoring scheme and in its evaluation, each rule under one name.

Relations to a session (checked in the API and again in the services):
- host: the agency staff member who formed the committee; runs the phases;
- member: an active (not removed) seat holder, acting only as themself;
- venue staff: staff of a centre where a member sits; they confirm identities there;
- supervisor: of the main centre or of any venue centre; watches read-only, decides
  roll-back and reopen requests.
Names are unsealed per member at sign-in, for every viewer alike.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.core.auth.models import Role
from app.core.errors import Forbidden
from app.core.extensions import db
from app.core.rooms import RoomKind
from bidding.bids.models import Bid
from bidding.documents.policies import OPEN_STATUSES
from bidding.models import Lot, LotStatus
from bidding.policies import can_manage_lot, can_oversee_lot, is_provincial_supervisor
from experts.policies import is_centre_staff
from remote_eval.models import EvalMember, EvalSession, MemberStatus, Phase

EVAL = RoomKind("eval")


def _authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def venue_centre_ids(session: EvalSession) -> set[int]:
    """The main centre and every centre where a member (even a removed one) sits."""
    return {session.main_centre_id} | {m.venue_centre_id for m in session.members}


def active_member_of(user: Any, session: EvalSession) -> EvalMember | None:
    if not _authenticated(user):
        return None
    return next(
        (m for m in session.members if m.user_id == user.id and m.status != MemberStatus.REMOVED),
        None,
    )


def can_form_committee(user: Any, lot: Lot) -> bool:
    """The lot's managing agency staff."""
    return can_manage_lot(user, lot)


def is_host(user: Any, session: EvalSession) -> bool:
    return _authenticated(user) and user.id == session.host_id


def is_venue_staff(user: Any, session: EvalSession) -> bool:
    if not _authenticated(user) or user.role != Role.STAFF:
        return False
    return any(is_centre_staff(user, c) for c in venue_centre_ids(session))


def can_supervise(user: Any, session: EvalSession) -> bool:
    return (
        _authenticated(user)
        and user.role == Role.SUPERVISOR
        and user.centre_id in venue_centre_ids(session)
    )


def can_confirm_identity(user: Any, member: EvalMember) -> bool:
    """Staff of the centre where the member sits (not the host's agency, not another venue)."""
    return (
        _authenticated(user)
        and user.role == Role.STAFF
        and is_centre_staff(user, member.venue_centre_id)
    )


def is_observer(user: Any, session: EvalSession) -> bool:
    """Watches without a seat: the host, the lot's agency staff, venue staff, supervisors of
    the centres involved. Observers see who submitted, never a score, until scoring ends."""
    if is_host(user, session) or is_venue_staff(user, session) or can_supervise(user, session):
        return True
    if is_provincial_supervisor(user):
        return True  # watches every centre's rooms, read-only
    lot = db.session.get(Lot, session.lot_id)
    return lot is not None and can_manage_lot(user, lot)


def can_watch(user: Any, session: EvalSession) -> bool:
    """Read the room (and what the committee reads): active members and observers."""
    return bool(active_member_of(user, session) or is_observer(user, session))


def can_post(user: Any, session: EvalSession) -> bool:
    """Write in the text channel: everyone who watches except supervisors (read-only)."""
    return bool(
        active_member_of(user, session) or is_host(user, session) or is_venue_staff(user, session)
    )


def may_join_eval(user: Any, room: str) -> bool:
    """Room policy for "eval:<session id>"."""
    ident = EVAL.ident(room)
    session = db.session.get(EvalSession, ident) if ident is not None else None
    return session is not None and can_watch(user, session)


# ---------------------------------------------------------------- ensure_* (403 otherwise)
def ensure_can_form_committee(user: Any, lot: Lot) -> None:
    if not can_form_committee(user, lot):
        raise Forbidden(_l("只有本项目代理机构的工作人员可以组建评标委员会。"))


def ensure_host(user: Any, session: EvalSession) -> None:
    if not is_host(user, session):
        raise Forbidden(_l("只有本次评标的主持人可以执行此操作。"))


def ensure_can_watch(user: Any, session: EvalSession) -> None:
    if not can_watch(user, session):
        raise Forbidden(_l("您不属于本评标室，无权查看。"))


def ensure_can_post(user: Any, session: EvalSession) -> None:
    if not can_post(user, session):
        if can_supervise(user, session):
            raise Forbidden(_l("监督人员只能旁观评标室，不能发言。"))
        raise Forbidden(_l("您不属于本评标室，不能发送消息。"))


def ensure_can_confirm_identity(user: Any, member: EvalMember) -> None:
    if not can_confirm_identity(user, member):
        raise Forbidden(_l("只有该评委所在场地交易中心的工作人员可以核验身份。"))


def ensure_can_supervise(user: Any, session: EvalSession) -> None:
    if not can_supervise(user, session):
        raise Forbidden(_l("只有主场或副场交易中心的监督人员可以审批此申请。"))


def ensure_acting_member(user: Any, member: EvalMember) -> None:
    """A member acts only as themself, and only while on the committee."""
    if not _authenticated(user) or member.user_id != user.id:
        raise Forbidden(_l("评委只能以本人身份操作。"))
    if member.status == MemberStatus.REMOVED:
        raise Forbidden(_l("您已不在本评标委员会中。"))


# ---------------------------------------------------------------- the scoring scheme
def can_edit_scheme(user: Any, lot: Lot) -> bool:
    """The lot's managing staff (its project's agency) write the scheme."""
    return can_manage_lot(user, lot)


def can_read_scheme(user: Any, lot: Lot) -> bool:
    """Managing staff and the centre's supervisors read the working copy at any time."""
    return can_manage_lot(user, lot) or can_oversee_lot(user, lot)


def scheme_is_editable(lot: Lot) -> bool:
    """Before the tender notice the scheme is a draft of the tender documents."""
    return lot.status == LotStatus.DRAFT


def amendment_is_possible(lot: Lot) -> bool:
    """After the notice only a clarification changes it, and clarifications need an open lot."""
    return lot.status in OPEN_STATUSES


def ensure_can_edit_scheme(user: Any, lot: Lot) -> None:
    if not can_edit_scheme(user, lot):
        raise Forbidden(_l("只有本项目代理机构的工作人员可以编辑评分办法。"))


def ensure_can_read_scheme(user: Any, lot: Lot) -> None:
    if not can_read_scheme(user, lot):
        raise Forbidden(_l("您无权查看该标段的评分办法。"))


NO_READ = _l("评分办法随招标公告公开，此前仅本项目代理机构和监督人员可以查看。")


# ---------------------------------------------------------------- acting in the review
def is_acting(member: EvalMember) -> bool:
    """Signed in, committed, declared no conflict, and still on the committee."""
    return (
        member.status == MemberStatus.SIGNED_IN
        and member.removed_at is None
        and member.committed_at is not None
        and member.avoidance_declared_at is not None
    )


def acting_members(session: EvalSession) -> list[EvalMember]:
    return [m for m in session.members if is_acting(m)]


def seated_members(session: EvalSession) -> list[EvalMember]:
    """Everyone holding a seat (not removed), signed in or not: whom the phase waits for."""
    return [m for m in session.members if m.status != MemberStatus.REMOVED]


def member_of(session: EvalSession, user: Any) -> EvalMember | None:
    if not _authenticated(user):
        return None
    # From the committee's own list: a command asks for the acting members next anyway,
    # so the seat costs no query of its own.
    return next((m for m in session.members if m.user_id == user.id), None)


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


# ---------------------------------------------------------------- the bids in the room
# From the leader's election until the session is done, the committee reads the opened
# bids in the room (before that the members have not all signed the commitment).
BID_FILES_PHASES: tuple[Phase, ...] = (
    Phase.ELECTION,
    Phase.REVIEW,
    Phase.SCORING,
    Phase.SUMMARY,
    Phase.SIGNING,
)


def bid_files_open(session: EvalSession) -> bool:
    return session.phase in BID_FILES_PHASES


def can_read_bid_files(user: Any, session: EvalSession) -> bool:
    """Members of this committee who may act, while the evaluation is open; nobody else."""
    member = member_of(session, user)
    return bool(member is not None and is_acting(member) and bid_files_open(session))


def ensure_can_read_bid_files(user: Any, session: EvalSession) -> EvalMember:
    """The caller's seat when they may read the bids; a Forbidden saying why otherwise."""
    member = ensure_may_act(session, member_of(session, user))
    if session.phase == Phase.DONE:
        raise Forbidden(_l("评标已经结束，投标文件不再在评标室中提供查阅。"))
    if not bid_files_open(session):
        raise Forbidden(_l("评标开始（推选组长）后，评标委员会成员才能在评标室查阅投标文件。"))
    return member


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
