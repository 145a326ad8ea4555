"""The exit mechanism: supervisors suspend or remove an agency after a serious breach, or
restore it; the agency appeals once at a time, and a supervisor decides the appeal."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.audit import record
from app.core.errors import Conflict, ValidationError
from app.core.extensions import db
from app.market import actions, policies
from app.market.agencies import profile_of
from app.market.models import AgencyProfile, AgencyStatus, Appeal, AppealStatus


def set_status(actor: Any, profile: AgencyProfile, status: AgencyStatus, reason: str) -> None:
    """Suspend, remove or restore an agency, with the reason shown on its public page."""
    if actor is not None:
        policies.ensure_can_supervise_market(actor)
    if not reason.strip():
        raise ValidationError(_l("请填写原因。"), field="reason")
    if profile.status == status:
        raise Conflict(_l("该机构已是此状态。"), field="status")
    before = profile.status
    profile.status = status
    profile.status_reason = reason.strip()[:1000]
    db.session.flush()
    record(
        actions.AGENCY_STATUS,
        profile.org,
        {"from": before.value, "status": status.value, "reason": profile.status_reason},
        actor=actor,
    )


def open_appeal(org_id: int) -> Appeal | None:
    return db.session.execute(
        select(Appeal).where(Appeal.org_id == org_id, Appeal.status == AppealStatus.OPEN)
    ).scalar_one_or_none()


def appeals_of(org_id: int) -> list[Appeal]:
    return list(
        db.session.execute(
            select(Appeal).where(Appeal.org_id == org_id).order_by(Appeal.filed_at.desc())
        ).scalars()
    )


def pending_appeals() -> list[Appeal]:
    return list(
        db.session.execute(
            select(Appeal).where(Appeal.status == AppealStatus.OPEN).order_by(Appeal.filed_at)
        ).scalars()
    )


def file_appeal(actor: Any, text: str) -> Appeal:
    profile = profile_of(actor)
    if profile.status == AgencyStatus.ACTIVE:
        raise Conflict(_l("本机构状态正常，无需申诉。"))
    if open_appeal(profile.org_id) is not None:
        raise Conflict(_l("已有一件申诉待处理。"))
    if not text.strip():
        raise ValidationError(_l("请填写申诉理由。"), field="text")
    appeal = Appeal(
        org_id=profile.org_id,
        filed_by=actor.id,
        text=text.strip()[:4000],
        status=AppealStatus.OPEN,
        filed_at=clock.now(),
    )
    db.session.add(appeal)
    db.session.flush()
    record(actions.APPEAL_FILED, appeal, {"against": profile.status.value}, actor=actor)
    return appeal


def decide_appeal(actor: Any, appeal: Appeal, upheld: bool, answer: str) -> Appeal:
    policies.ensure_can_supervise_market(actor)
    if appeal.status != AppealStatus.OPEN:
        raise Conflict(_l("该申诉已处理。"))
    if not answer.strip():
        raise ValidationError(_l("请填写处理意见。"), field="answer")
    appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
    appeal.answer = answer.strip()[:4000]
    appeal.decided_by = actor.id
    appeal.decided_at = clock.now()
    db.session.flush()
    record(actions.APPEAL_DECIDED, appeal, {"status": appeal.status.value}, actor=actor)
    if upheld:
        set_status(actor, appeal.agency, AgencyStatus.ACTIVE, answer)
    return appeal
