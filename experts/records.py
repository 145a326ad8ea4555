"""Use cases of an expert's record: employment, relations, leave, credit and appraisal.

Each feeds the avoidance rules of the next draws (experts/avoidance.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.audit import record
from app.core.auth import credit_code
from app.core.auth.models import User
from app.core.errors import Conflict, TooEarly, ValidationError
from app.core.extensions import db
from bidding.models import Lot
from experts import actions, policies
from experts.models import (
    Appraisal,
    CreditEntry,
    CreditKind,
    Employment,
    Expert,
    Leave,
    Relation,
    RelationKind,
    Sitting,
)

T = TypeVar("T")

# 专家考评 checklist: each item passes or fails, plus an overall 1–5 score.
APPRAISAL_ITEMS: dict[str, Any] = {
    "on_time": _l("按时到场签到"),
    "discipline": _l("遵守评标纪律，未私下接触投标人"),
    "independent": _l("独立、客观、公正评审"),
    "competent": _l("评审意见专业、理由充分"),
    "avoidance": _l("如实申报回避"),
    "confidential": _l("保守评标秘密"),
    "signed": _l("按时签署评标报告"),
}


def _saved(item: T, expert: Expert, action: str, data: dict[str, Any], actor: User) -> T:
    """Store one entry of an expert's record and log it against the expert."""
    db.session.add(item)
    db.session.flush()
    record(action, expert, data, actor=actor)
    return item


def _period_dates(start: Any, end: Any) -> tuple[dt.date, dt.date | None]:
    try:
        s = start if isinstance(start, dt.date) else dt.date.fromisoformat(str(start))
        e = (end if isinstance(end, dt.date) else dt.date.fromisoformat(str(end))) if end else None
    except ValueError as exc:
        raise ValidationError(_l("日期格式无效，应为 YYYY-MM-DD。"), field="start_date") from exc
    if e is not None and e < s:
        raise ValidationError(_l("结束日期不能早于开始日期。"), field="end_date")
    return s, e


def add_employment(
    expert: Expert, code: str, name: str, start: Any, end: Any, actor: User
) -> Employment:
    policies.ensure_can_manage_pool(actor, expert.centre_id)
    code = credit_code.require_valid(code)
    s, e = _period_dates(start, end)
    item = Employment(
        expert_id=expert.id, credit_code=code, name=name.strip(), start_date=s, end_date=e
    )
    return _saved(
        item,
        expert,
        actions.EMPLOYMENT_ADDED,
        {"credit_code": code, "start": str(s), "end": str(e)},
        actor,
    )


def add_relation(
    expert: Expert, code: str, kind: RelationKind | str, note: str, actor: User
) -> Relation:
    """Declared by the expert themself or recorded by centre staff."""
    policies.ensure_can_act_for_expert(actor, expert)
    code = credit_code.require_valid(code)
    try:
        kind = RelationKind(kind)
    except ValueError as exc:
        allowed = "、".join(k.value for k in RelationKind)
        raise ValidationError(_l("关系类型须为：%(v)s", v=allowed), field="kind") from exc
    item = Relation(
        expert_id=expert.id,
        credit_code=code,
        kind=kind,
        note=note.strip()[:200],
        declared_at=clock.now(),
    )
    return _saved(
        item, expert, actions.RELATION_DECLARED, {"credit_code": code, "kind": kind.value}, actor
    )


def add_leave(
    expert: Expert, start: dt.datetime, end: dt.datetime, reason: str, actor: User
) -> Leave:
    policies.ensure_can_act_for_expert(actor, expert)
    if end <= start:
        raise ValidationError(_l("请假结束时间须晚于开始时间。"), field="end_at")
    item = Leave(expert_id=expert.id, start_at=start, end_at=end, reason=reason.strip()[:200])
    return _saved(
        item,
        expert,
        actions.LEAVE_ADDED,
        {"start": start.isoformat(), "end": end.isoformat()},
        actor,
    )


def add_credit_entry(
    expert: Expert,
    kind: CreditKind | str,
    reason: str,
    actor: User,
    *,
    points: int = 0,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    authority: str = "",
    basis: str = "",
) -> CreditEntry:
    policies.ensure_can_record_credit(actor, expert.centre_id)
    try:
        kind = CreditKind(kind)
    except ValueError as exc:
        raise ValidationError(
            _l("信用记录类型须为 reward、penalty 或 ban。"), field="kind"
        ) from exc
    if not reason.strip():
        raise ValidationError(_l("信用记录须填写事由。"), field="reason")
    start = start or clock.now()
    if kind == CreditKind.BAN and end is None:
        raise ValidationError(_l("禁评须填写截止时间（通常 1–3 年）。"), field="end_at")
    if end is not None and end <= start:
        raise ValidationError(_l("截止时间须晚于开始时间。"), field="end_at")
    item = CreditEntry(
        expert_id=expert.id,
        kind=kind,
        points=points,
        reason=reason.strip(),
        authority=authority.strip()[:200],
        basis=basis.strip(),
        start_at=start,
        end_at=end,
        created_by_id=actor.id,
        created_at=clock.now(),
    )
    return _saved(
        item,
        expert,
        actions.CREDIT_RECORDED,
        {
            "kind": kind.value,
            "points": points,
            "end": end.isoformat() if end else None,
            "authority": item.authority,
        },
        actor,
    )


def add_appraisal(
    expert: Expert, lot: Lot, checklist: dict[str, bool], score: int, comment: str, actor: User
) -> Appraisal:
    policies.ensure_can_appraise(actor, expert, lot)
    unknown = sorted(set(checklist) - set(APPRAISAL_ITEMS))
    if unknown:
        raise ValidationError(_l("未知的考评项：%(v)s", v="、".join(unknown)), field="checklist")
    if not 1 <= int(score) <= 5:
        raise ValidationError(_l("总体评分须为 1–5。"), field="score")
    sat = db.session.execute(
        select(Sitting.at).where(Sitting.expert_id == expert.id, Sitting.lot_id == lot.id)
    ).scalar_one_or_none()
    if sat is None:
        raise ValidationError(_l("该专家未确认参加本标段的评标，不能考评。"), field="expert_id")
    if clock.now() < sat:
        raise TooEarly(_l("评标开始后方可考评专家。"))
    exists = db.session.execute(
        select(Appraisal.id).where(Appraisal.expert_id == expert.id, Appraisal.lot_id == lot.id)
    ).first()
    if exists:
        raise Conflict(_l("该专家在本标段已有考评记录。"))
    full = {k: bool(checklist.get(k, False)) for k in APPRAISAL_ITEMS}
    item = Appraisal(
        expert_id=expert.id,
        lot_id=lot.id,
        checklist=full,
        score=int(score),
        comment=comment.strip(),
        created_by_id=actor.id,
        created_at=clock.now(),
    )
    return _saved(
        item,
        expert,
        actions.EXPERT_APPRAISED,
        {"lot_id": lot.id, "score": int(score), "failed": [k for k, v in full.items() if not v]},
        actor,
    )
