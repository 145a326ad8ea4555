"""Use cases of invitations: invite in rank order, fill vacancies, answer, conflicts, sign-in.

Every seat of a draw is held by one invitation; an expert who declines, does not answer
in time or declares a conflict leaves a vacancy that the next reserve in order fills.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.core import clock, formatting
from app.core.audit import record
from app.core.auth.models import User
from app.core.errors import Conflict, TooEarly, TooLate, ValidationError
from app.core.extensions import db
from app.core.notify import notify
from bidding.models import Lot
from experts import actions, policies, settings
from experts.models import (
    ACTIVE_SEATS,
    Draw,
    DrawStatus,
    Expert,
    Invitation,
    InvitationState,
    RelationKind,
    Sitting,
)
from experts.records import add_relation
from experts.sms import send_after_commit


def tell_expert(inv: Invitation, title: str, body: str) -> None:
    """In-site notice (when the expert has an account) and an SMS after commit."""
    expert = inv.expert
    if expert.user is not None:
        try:
            link = url_for("experts.my_invitations")
        except RuntimeError:
            link = "/experts/my"
        notify(expert.user, "expert_invitation", title, body, link)
    send_after_commit(expert.phone, f"【Tender Hall】{title}：{body}")


# ---------------------------------------------------------------- when reserves are called
# Whether a lot's evaluation is sitting now (its committee formed and not yet done). The
# evaluation room is on a higher floor: it registers its answer here at start-up.
SittingCheck = Callable[[int], bool]
_sitting_checks: list[SittingCheck] = []


def register_sitting_check(fn: SittingCheck) -> None:
    if fn not in _sitting_checks:
        _sitting_checks.append(fn)


def evaluation_sitting(lot_id: int) -> bool:
    return any(check(lot_id) for check in _sitting_checks)


def reserve_answer_due(item: Draw) -> dt.datetime | None:
    """The one rule of calling reserves: until when a reserve invited now may answer, or
    None when no reserve is called any more.

    Before the evaluation time a reserve answers within the answer time, and at the latest
    at the evaluation time. After it, reserves are called only while the lot's evaluation
    sits (a member who declares a conflict at the commitment is replaced in the same room),
    and answer within the answer time from now.
    """
    if item.status not in (DrawStatus.DRAWN, DrawStatus.REVEALED):
        return None
    now = clock.now()
    if now < item.evaluation_at:
        return min(now + settings.answer_time(), item.evaluation_at)
    if evaluation_sitting(item.lot_id):
        return now + settings.answer_time()
    return None


def _invite(inv: Invitation, item: Draw, due: dt.datetime) -> None:
    now = clock.now()
    inv.state = InvitationState.INVITED
    inv.invited_at = now
    inv.answer_due_at = due
    lot = db.session.get(Lot, item.lot_id)
    assert lot is not None
    tell_expert(
        inv,
        _("评标专家邀请"),
        _(
            "您被随机抽取为“%(lot)s”的评标专家。评标时间：%(t)s（北京时间），地点：%(v)s。"
            "请于 %(d)s 前在站内答复参加或拒绝。",
            lot=lot.name,
            t=formatting.cst(item.evaluation_at),
            v=item.venue,
            d=formatting.cst(due),
        ),
    )
    record(
        actions.EXPERT_INVITED, inv, {"draw_id": inv.draw_id, "slot": inv.slot, "rank": inv.rank}
    )


def vacancies(root: Draw) -> dict[int, int]:
    """Seats still to fill per slot of a root draw."""
    rows = dict(
        db.session.execute(
            select(Invitation.slot, func.count())
            .where(Invitation.root_id == root.id, Invitation.state.in_(ACTIVE_SEATS))
            .group_by(Invitation.slot)
        ).all()
    )
    return {
        int(g["slot"]): int(g["count"]) - rows.get(int(g["slot"]), 0)
        for g in root.groups
        if int(g["count"]) > rows.get(int(g["slot"]), 0)
    }


def fill_vacancies(root: Draw) -> dict[int, int]:
    """Invite the next reserves in order for every empty seat; returns what is still short."""
    due = reserve_answer_due(root)
    if due is None:
        return {}
    short = vacancies(root)
    for slot, missing in list(short.items()):
        waiting = list(
            db.session.execute(
                select(Invitation)
                .join(Draw, Draw.id == Invitation.draw_id)
                .where(
                    Invitation.root_id == root.id,
                    Invitation.slot == slot,
                    Invitation.state == InvitationState.WAITING,
                    Draw.status.in_((DrawStatus.DRAWN, DrawStatus.REVEALED)),
                )
                .order_by(Invitation.draw_id, Invitation.rank)
                .limit(missing)
                .options(joinedload(Invitation.expert).joinedload(Expert.user))
            ).scalars()
        )
        for inv in waiting:
            _invite(inv, inv.draw, due)
        short[slot] = missing - len(waiting)
        if short[slot] <= 0:
            del short[slot]
    db.session.flush()
    return short


def _refill(inv: Invitation) -> None:
    root = db.session.get(Draw, inv.root_id)
    assert root is not None
    fill_vacancies(root)


def answer(inv: Invitation, user: User, join: bool, reason: str = "") -> Invitation:
    policies.ensure_can_answer(user, inv)
    item = inv.draw
    if inv.state != InvitationState.INVITED:
        raise Conflict(_l("该邀请已答复或已失效。"))
    now = clock.now()
    if inv.answer_due_at is not None and now > inv.answer_due_at:
        raise TooLate(_l("答复期限已过，邀请已转给候补专家。"))
    if not join and not reason.strip():
        raise ValidationError(_l("拒绝参加须填写原因。"), field="reason")
    inv.answered_at = now
    inv.reason = reason.strip()[:500]
    if join:
        inv.state = InvitationState.CONFIRMED
        lot = db.session.get(Lot, item.lot_id)
        assert lot is not None
        db.session.add(
            Sitting(
                expert_id=inv.expert_id,
                purchaser_id=lot.project.purchaser_id,
                lot_id=lot.id,
                at=item.evaluation_at,
            )
        )
    else:
        inv.state = InvitationState.DECLINED
    db.session.flush()
    record(actions.INVITATION_ANSWERED, inv, {"join": join, "reason": inv.reason}, actor=user)
    if not join:
        _refill(inv)
    return inv


def drop_sitting(inv: Invitation) -> None:
    """Forget the sitting a confirmed expert gave up (it no longer counts towards the cap)."""
    item = inv.draw
    sitting = db.session.execute(
        select(Sitting).where(Sitting.expert_id == inv.expert_id, Sitting.lot_id == item.lot_id)
    ).scalar_one_or_none()
    if sitting is not None:
        db.session.delete(sitting)


def declare_conflict(inv: Invitation, user: User, reason: str, code: str = "") -> Invitation:
    """An expert who finds a conflict after accepting (or while invited) is replaced."""
    policies.ensure_can_answer(user, inv)
    if inv.state not in ACTIVE_SEATS:
        raise Conflict(_l("只有已邀请或已确认的专家可以申报回避。"))
    if inv.signed_in_at is not None:
        raise Conflict(_l("已签到的专家须在评标现场向评标委员会申报回避。"))
    if not reason.strip():
        raise ValidationError(_l("申报回避须说明原因。"), field="reason")
    if code:
        add_relation(inv.expert, code, RelationKind.OTHER, reason, user)
    inv.state = InvitationState.REPLACED
    inv.reason = reason.strip()[:500]
    inv.answered_at = clock.now()
    drop_sitting(inv)
    db.session.flush()
    record(actions.CONFLICT_DECLARED, inv, {"reason": inv.reason}, actor=user)
    _refill(inv)
    return inv


def sign_in(inv: Invitation, user: User) -> Invitation:
    """Sign-in at the evaluation: from now on the requesting staff see this expert's name."""
    policies.ensure_can_answer(user, inv)
    if inv.state != InvitationState.CONFIRMED:
        raise Conflict(_l("只有已确认参加的专家可以签到。"))
    if inv.signed_in_at is not None:
        raise Conflict(_l("您已签到。"))
    item = inv.draw
    now = clock.now()
    opens = item.evaluation_at - settings.signin_early()
    if now < opens:
        raise TooEarly(
            _l(
                "评标签到于 %(t)s（北京时间）开放。",
                t=formatting.cst(opens),
            )
        )
    inv.signed_in_at = now
    db.session.flush()
    record(actions.EXPERT_SIGNED_IN, inv, {"draw_id": item.id}, actor=user)
    return inv


def invitations_of(user: User) -> list[Invitation]:
    """An expert's own invitations, newest first (reserves not yet called are not shown)."""
    expert = policies.expert_of(user)
    if expert is None:
        return []
    return list(
        db.session.execute(
            select(Invitation)
            .where(Invitation.expert_id == expert.id, Invitation.state != InvitationState.WAITING)
            .order_by(Invitation.id.desc())
        ).scalars()
    )
