"""The committee: forming it when the opening ends, sign-in, commitments and replacements.

Members are the accepted invitations of the lot's draw (root and 补抽) plus the purchaser's
representatives (业主代表, at most one third), each at a venue (the lot's centre is the
main venue) and a seat. A member's name is unsealed when they sign in: venue staff of
their centre confirm identity first, then the member signs in with a two-factor login.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core import clock
from app.core.audit import record
from app.core.auth.models import Centre, User
from app.core.errors import Conflict, Forbidden, NotFound, ValidationError
from app.core.extensions import db
from bidding.bids.models import Bid, BidStatus
from bidding.models import Lot, LotStatus
from experts import invitations as expert_invitations
from experts.models import Draw, DrawStatus, Invitation, InvitationState
from remote_eval import actions, flow, methods, policies, schemes
from remote_eval.models import EvalMember, EvalSession, MemberKind, MemberStatus, Phase
from remote_eval.room import member_view, publish

Placement = tuple[int, str]  # (venue centre id, seat)
REASON_MAX = 500


def root_draw(lot: Lot) -> Draw | None:
    """The lot's drawn root draw: the newest one whose committee was not sealed."""
    from experts.draws import is_released

    roots = db.session.execute(
        select(Draw)
        .where(
            Draw.lot_id == lot.id,
            Draw.parent_id.is_(None),
            Draw.status.in_((DrawStatus.DRAWN, DrawStatus.REVEALED)),
        )
        .order_by(Draw.id.desc())
    ).scalars()
    return next((r for r in roots if not is_released(r)), None)


def _link_sealed(lot: Lot, session: EvalSession) -> None:
    """The sealed records of the lot point to the committee that starts again."""
    from remote_eval.venues.models import SealedRecord

    for row in db.session.execute(
        select(SealedRecord).where(
            SealedRecord.lot_id == lot.id, SealedRecord.replaced_by_session_id.is_(None)
        )
    ).scalars():
        row.replaced_by_session_id = session.id
    db.session.flush()


def root_of_sealed_session(root: Draw) -> bool:
    """Whether a sealed session's committee came from this root draw (the family is spent:
    the lot may draw anew, without the experts of this family)."""
    return (
        db.session.execute(
            select(EvalMember.id)
            .join(EvalSession, EvalSession.id == EvalMember.session_id)
            .join(Invitation, Invitation.id == EvalMember.invitation_id)
            .where(EvalSession.sealed_at.is_not(None), Invitation.root_id == root.id)
            .limit(1)
        ).first()
        is not None
    )


def accepted_invitations(root: Draw) -> list[Invitation]:
    return list(
        db.session.execute(
            select(Invitation)
            .where(Invitation.root_id == root.id, Invitation.state == InvitationState.CONFIRMED)
            .order_by(Invitation.slot, Invitation.draw_id, Invitation.rank)
        ).scalars()
    )


def _centre(centre_id: int) -> int:
    if db.session.get(Centre, centre_id) is None:
        raise ValidationError(_l("场地所属交易中心不存在：%(id)s。", id=centre_id), field="venues")
    return centre_id


def _check_seats(placements: list[Placement]) -> None:
    seen: set[Placement] = set()
    for venue, seat in placements:
        if not seat:
            raise ValidationError(_l("每位评委都须安排座位。"), field="seat")
        if (venue, seat) in seen:
            raise ValidationError(_l("座位 %(s)s 被重复安排。", s=seat), field="seat")
        seen.add((venue, seat))


def _check_rep(lot: Lot, user: User) -> None:
    if user.organisation_id != lot.project.purchaser_id:
        raise ValidationError(
            _l("业主代表须是本项目采购人（招标人）单位的用户：%(u)s。", u=user.username),
            field="purchaser_reps",
        )


def get_session(session_id: int) -> EvalSession:
    """The evaluation named in a URL, or a 404 in the user's language."""
    session = db.session.get(EvalSession, session_id)
    if session is None:
        raise NotFound(_l("评标不存在。"))
    return session


def is_sitting(lot_id: int) -> bool:
    """Whether the lot's evaluation sits now: its committee formed and the session not done
    (the draw keeps calling reserves for seats freed in session; see experts.invitations)."""
    found = db.session.execute(
        select(EvalSession.id).where(
            EvalSession.lot_id == lot_id,
            EvalSession.phase != Phase.DONE,
            EvalSession.sealed_at.is_(None),
        )
    ).first()
    return found is not None


def form_committee(
    lot: Lot,
    host: User,
    *,
    purchaser_reps: list[tuple[User, int, str]],
    venues: Mapping[int, Placement],
) -> EvalSession:
    """Form the committee of an opened lot; the lot moves to evaluating (评标中).

    The committee evaluates with the scoring scheme the suppliers were shown: the version
    the tender notice froze, as amended by clarifications; it is copied into the session.
    """
    policies.ensure_can_form_committee(host, lot)
    sealed = (
        db.session.execute(
            select(EvalSession.id).where(
                EvalSession.lot_id == lot.id, EvalSession.sealed_at.is_not(None)
            )
        )
        .scalars()
        .all()
    )
    # After a sealed evaluation the lot is still "evaluating": a new committee starts again.
    if lot.status != LotStatus.OPENED and not (sealed and lot.status == LotStatus.EVALUATING):
        raise Conflict(_l("只有开标已结束（已开标）的标段可以组建评标委员会。"))
    if db.session.execute(
        select(EvalSession.id).where(EvalSession.lot_id == lot.id, EvalSession.sealed_at.is_(None))
    ).first():
        raise Conflict(_l("该标段的评标委员会已经组建。"))
    published = schemes.published_scheme(lot)
    if published is None:
        raise Conflict(_l("该标段没有随招标公告公布的评分办法，不能组建评标委员会。"))
    frozen, _row = published
    method = frozen.method
    if methods.find(method) is None:
        raise ValidationError(_l("未知的评标办法：%(m)s。", m=method), field="method")
    root = root_draw(lot)
    accepted = accepted_invitations(root) if root else []
    if not accepted:
        raise Conflict(_l("该标段没有已确认参加的抽取专家，不能组建评标委员会。"))
    total = len(accepted) + len(purchaser_reps)
    if len(purchaser_reps) * 3 > total:
        raise ValidationError(
            _l(
                "业主代表不得超过评标委员会成员总数的三分之一（共 %(t)s 人，业主代表 %(r)s 人）。",
                t=total,
                r=len(purchaser_reps),
            ),
            field="purchaser_reps",
        )
    main = lot.project.centre_id
    now = clock.now()
    session = EvalSession(
        lot_id=lot.id,
        phase=Phase.SIGNIN,
        cycle=1,
        paused=False,
        pause_reason="",
        phase_started_at=now,
        host_id=host.id,
        main_centre_id=main,
        method=method,
        scheme=frozen.to_dict(),
        created_at=now,
    )
    db.session.add(session)
    db.session.flush()
    rows: list[EvalMember] = []
    for n, inv in enumerate(accepted, start=1):
        if inv.expert.user_id is None:
            raise Conflict(
                _l("专家（席位 %(n)s）没有平台账户，无法进入评标室。", n=n), field="venues"
            )
        venue, seat = venues.get(inv.id) or venues.get(inv.expert_id) or (main, f"{n:02d}")
        rows.append(
            EvalMember(
                session_id=session.id,
                kind=MemberKind.EXPERT,
                user_id=inv.expert.user_id,
                expert_id=inv.expert_id,
                invitation_id=inv.id,
                venue_centre_id=_centre(venue),
                seat=str(seat),
            )
        )
    for user, venue, seat in purchaser_reps:
        _check_rep(lot, user)
        rows.append(
            EvalMember(
                session_id=session.id,
                kind=MemberKind.PURCHASER_REP,
                user_id=user.id,
                venue_centre_id=_centre(venue),
                seat=str(seat),
            )
        )
    if len({r.user_id for r in rows}) != len(rows):
        raise ValidationError(_l("同一用户不能在评标委员会中占两个席位。"), field="purchaser_reps")
    _check_seats([(r.venue_centre_id, r.seat) for r in rows])
    for r in rows:
        r.status = MemberStatus.EXPECTED
        db.session.add(r)
    lot.status = LotStatus.EVALUATING
    db.session.flush()
    db.session.refresh(session)
    if sealed:
        _link_sealed(lot, session)
    record(
        actions.COMMITTEE_FORMED,
        session,
        {
            "lot_id": lot.id,
            "method": method,
            "experts": len(accepted),
            "purchaser_reps": len(purchaser_reps),
            "venues": sorted({r.venue_centre_id for r in rows}),
            "replaces_sealed": sorted(sealed),
        },
        actor=host,
    )
    publish(session, "committee.formed", {"members": [member_view(m) for m in rows]})
    return session


def add_purchaser_rep(
    session: EvalSession, host: User, user: User, venue_centre_id: int, seat: str = ""
) -> EvalMember:
    """The host names a representative in place of one removed after declaring a conflict."""
    policies.ensure_host(host, session)
    flow.ensure_phase(session, Phase.SIGNIN, Phase.COMMITMENT)
    lot = db.session.get(Lot, session.lot_id)
    assert lot is not None
    _check_rep(lot, user)
    vacant = [
        m
        for m in session.members
        if m.kind == MemberKind.PURCHASER_REP
        and m.status == MemberStatus.REMOVED
        and not any(o.replaces_id == m.id for o in session.members)
    ]
    if not vacant:
        raise Conflict(_l("没有需要补充的业主代表席位。"))
    if any(m.user_id == user.id for m in session.members):
        raise Conflict(_l("该用户已在本评标委员会中。"))
    old = vacant[0]
    member = EvalMember(
        session_id=session.id,
        kind=MemberKind.PURCHASER_REP,
        user_id=user.id,
        venue_centre_id=_centre(venue_centre_id),
        seat=seat or old.seat,
        status=MemberStatus.EXPECTED,
        replaces_id=old.id,
    )
    db.session.add(member)
    db.session.flush()
    db.session.refresh(session)
    record(actions.MEMBER_ADDED, member, {"replaces": old.id, "seat": member.seat}, actor=host)
    publish(session, "member.replaced", {"member": member_view(member), "replaces_id": old.id})
    return member


def sync_members(session: EvalSession) -> list[EvalMember]:
    """Seat the reserves who accepted after a removal at the removed member's venue and seat."""
    if session.phase == Phase.DONE:
        return []
    lot = db.session.get(Lot, session.lot_id)
    root = root_draw(lot) if lot else None
    if root is None:
        return []
    taken = {m.invitation_id for m in session.members if m.invitation_id}
    users = {m.user_id for m in session.members}
    vacant = [
        m
        for m in session.members
        if m.kind == MemberKind.EXPERT
        and m.status == MemberStatus.REMOVED
        and not any(o.replaces_id == m.id for o in session.members)
    ]
    added: list[EvalMember] = []
    for old in vacant:
        slot = db.session.get(Invitation, old.invitation_id).slot if old.invitation_id else None
        fresh = next(
            (
                inv
                for inv in accepted_invitations(root)
                if inv.slot == slot
                and inv.id not in taken
                and inv.expert.user_id is not None
                and inv.expert.user_id not in users
            ),
            None,
        )
        if fresh is None:
            continue
        member = EvalMember(
            session_id=session.id,
            kind=MemberKind.EXPERT,
            user_id=fresh.expert.user_id,
            expert_id=fresh.expert_id,
            invitation_id=fresh.id,
            venue_centre_id=old.venue_centre_id,
            seat=old.seat,
            status=MemberStatus.EXPECTED,
            replaces_id=old.id,
        )
        # Two page loads can seat the same reserve at once (every open page of the room
        # reads it after a room event): the database's one-seat-per-user constraint
        # decides, and the load that loses keeps the seat the other one made.
        try:
            with db.session.begin_nested():
                db.session.add(member)
                db.session.flush()
        except IntegrityError:
            db.session.expire(session, ["members"])
            continue
        taken.add(fresh.id)
        users.add(member.user_id)
        record(actions.MEMBER_REPLACED, member, {"replaces": old.id, "seat": old.seat})
        added.append(member)
    if added:
        db.session.refresh(session)
        for member in added:
            publish(
                session,
                "member.replaced",
                {"member": member_view(member), "replaces_id": member.replaces_id},
            )
    return added


# ---------------------------------------------------------------- sign-in
def confirm_identity(member: EvalMember, staff: User) -> EvalMember:
    """Venue staff of the member's centre have checked the member's identity papers."""
    session = member.session
    flow.ensure_phase(session, Phase.SIGNIN, Phase.COMMITMENT)
    policies.ensure_can_confirm_identity(staff, member)
    if member.status != MemberStatus.EXPECTED:
        raise Conflict(_l("该席位不在待签到状态。"))
    if member.identity_confirmed_at is not None:
        raise Conflict(_l("该评委的身份已经核验。"))
    member.identity_confirmed_by_id = staff.id
    member.identity_confirmed_at = clock.now()
    db.session.flush()
    record(actions.IDENTITY_CONFIRMED, member, {"seat": member.seat}, actor=staff)
    publish(session, "member.identity_confirmed", {"member_id": member.id, "seat": member.seat})
    return member


def sign_in(member: EvalMember, user: User) -> EvalMember:
    """The member signs in as themself.

    Two-factor: the platform has no per-login "verified" flag, but every login of an
    account with TOTP enabled (page or token) passes the code, so the account must have
    it enabled.
    """
    session = member.session
    flow.ensure_phase(session, Phase.SIGNIN, Phase.COMMITMENT)
    policies.ensure_acting_member(user, member)
    if member.status != MemberStatus.EXPECTED:
        raise Conflict(_l("您已签到。"))
    if member.identity_confirmed_at is None:
        raise Conflict(_l("请先由所在场地的工作人员核验身份，再签到。"))
    if not user.totp_enabled:
        raise Forbidden(_l("签到须使用两步验证登录，请先启用两步验证。"))
    member.status = MemberStatus.SIGNED_IN
    member.signed_in_at = clock.now()
    db.session.flush()
    record(actions.MEMBER_SIGNED_IN, member, {"seat": member.seat}, actor=user)
    publish(session, "member.signed_in", {"member": member_view(member)})
    return member


# ---------------------------------------------------------------- commitment
def bidders(session: EvalSession) -> list[dict[str, Any]]:
    """The suppliers whose bids were decrypted at the opening (what members declare against)."""
    bids = db.session.execute(
        select(Bid)
        .where(Bid.lot_id == session.lot_id, Bid.status == BidStatus.DECRYPTED)
        .order_by(Bid.id)
    ).scalars()
    return [{"bid_id": b.id, "supplier": b.supplier.name} for b in bids]


def _release_expert(member: EvalMember, user: User, reason: str) -> None:
    """Hand the seat back to the draw so the next reserve is invited."""
    inv = db.session.get(Invitation, member.invitation_id) if member.invitation_id else None
    if inv is None or inv.state not in (InvitationState.INVITED, InvitationState.CONFIRMED):
        return
    if inv.signed_in_at is None:
        expert_invitations.declare_conflict(inv, user, reason)
        return
    # Signed in on the draw's own page: the committee, not the draw page, takes the
    # declaration, so free the seat here and let the draw invite its next reserve.
    inv.state = InvitationState.REPLACED
    inv.reason = reason[:REASON_MAX]
    expert_invitations.drop_sitting(inv)
    db.session.flush()
    root = db.session.get(Draw, inv.root_id)
    if root is not None:
        expert_invitations.fill_vacancies(root)


def sign_commitment(
    member: EvalMember, user: User, declare_conflict: bool, reason: str = ""
) -> EvalMember:
    """Sign the integrity commitment (承诺书) and the avoidance declaration."""
    session = member.session
    flow.ensure_phase(session, Phase.COMMITMENT)
    policies.ensure_acting_member(user, member)
    if member.status != MemberStatus.SIGNED_IN:
        raise Conflict(_l("请先签到，再签署承诺书。"))
    if member.avoidance_declared_at is not None:
        raise Conflict(_l("您已签署承诺书和回避声明。"))
    reason = (reason or "").strip()
    if declare_conflict and not reason:
        raise ValidationError(_l("申报回避须说明原因。"), field="reason")
    now = clock.now()
    member.avoidance_declared_at = now
    if not declare_conflict:
        member.committed_at = now
        db.session.flush()
        record(actions.COMMITMENT_SIGNED, member, {"conflict": False}, actor=user)
        publish(session, "commitment.signed", {"member_id": member.id, "seat": member.seat})
        return member
    member.status = MemberStatus.REMOVED
    member.removed_at = now
    member.removed_reason = reason[:REASON_MAX]
    db.session.flush()
    if member.kind == MemberKind.EXPERT:
        _release_expert(member, user, reason)
    record(
        actions.MEMBER_REMOVED,
        member,
        {"conflict": True, "reason": member.removed_reason, "kind": member.kind.value},
        actor=user,
    )
    publish(
        session,
        "member.removed",
        {"member_id": member.id, "seat": member.seat, "reason": member.removed_reason},
    )
    if member.kind == MemberKind.EXPERT:
        sync_members(session)
    return member


# ---------------------------------------------------------------- exit checks
def _signin_problems(session: EvalSession) -> list[Any]:
    waiting = [m.seat for m in policies.seated_members(session) if m.signed_in_at is None]
    return [_l("尚未签到的席位：%(s)s。", s="、".join(waiting))] if waiting else []


def _vacant_seats(session: EvalSession) -> list[str]:
    return [
        m.seat
        for m in session.members
        if m.status == MemberStatus.REMOVED
        and not any(o.replaces_id == m.id for o in session.members)
    ]


def _commitment_problems(session: EvalSession) -> list[Any]:
    problems: list[Any] = []
    pending = [m.seat for m in policies.seated_members(session) if m.committed_at is None]
    if pending:
        problems.append(_l("尚未签署承诺书和回避声明的席位：%(s)s。", s="、".join(pending)))
    vacant = _vacant_seats(session)
    if vacant:
        problems.append(_l("评标委员会人数不足，待补充的席位：%(s)s。", s="、".join(vacant)))
    return problems


flow.register_exit_check(Phase.SIGNIN, _signin_problems)
flow.register_exit_check(Phase.COMMITMENT, _commitment_problems)
