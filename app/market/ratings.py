"""Ratings (网上评价) after completion, one reply by the agency, and the credit score."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core import clock
from app.core.audit import record
from app.core.errors import Conflict, Forbidden, ValidationError
from app.core.extensions import db
from app.market import actions, policies
from app.market.models import AgencyProfile, Need, NeedStatus, Rating

SCORES = ("quality", "timeliness", "fee", "conduct")
# The documented formula, shown on every agency page: a start of 60, 2 points per completed
# service (at most 20), and 10 points per point the average rating lies above or below 3.
BASE, PER_JOB, MAX_JOBS, PER_POINT = 60, 2, 10, 10
CREDIT_FORMULA = _l(
    "信用分 = 60 + 2 × 已完成服务数（最多计 10 单）+ 10 × (平均评价 − 3)，取 0–100 的整数；"
    "平均评价为全部评价四项（服务质量、服务时效、收费合理、执业规范，各 1–5 分）的平均。"
)


def credit_parts(org_id: int) -> dict[str, Any]:
    completed = int(
        db.session.execute(
            select(func.count(Need.id)).where(
                Need.winner_org_id == org_id, Need.status == NeedStatus.COMPLETED
            )
        ).scalar_one()
    )
    ratings = ratings_of(org_id)
    average = sum(r.average for r in ratings) / len(ratings) if ratings else None
    score = BASE + PER_JOB * min(completed, MAX_JOBS)
    if average is not None:
        score += round(PER_POINT * (average - 3))
    return {
        "completed": completed,
        "ratings": len(ratings),
        "average": round(average, 2) if average is not None else None,
        "score": max(0, min(100, score)),
    }


def refresh_credit(org_id: int) -> int:
    profile = db.session.get(AgencyProfile, org_id)
    parts = credit_parts(org_id)
    if profile is not None:
        profile.credit_score = parts["score"]
    return int(parts["score"])


def ratings_of(org_id: int) -> list[Rating]:
    return list(
        db.session.execute(
            select(Rating).where(Rating.org_id == org_id).order_by(Rating.created_at.desc())
        ).scalars()
    )


def rating_of(need: Need) -> Rating | None:
    return db.session.execute(select(Rating).where(Rating.need_id == need.id)).scalar_one_or_none()


def rate(actor: Any, need: Need, data: dict[str, Any]) -> Rating:
    if not policies.is_buyer_of(actor, need):
        raise Forbidden(_l("只有购买该服务的采购人可以评价。"))
    if need.status != NeedStatus.COMPLETED:
        raise Conflict(_l("服务完成后方可评价。"))
    if rating_of(need) is not None:
        raise Conflict(_l("该服务已评价过，每项服务只能评价一次。"))
    values = {}
    for key in SCORES:
        try:
            values[key] = int(data.get(key, 0))
        except (TypeError, ValueError):
            values[key] = 0
        if not 1 <= values[key] <= 5:
            raise ValidationError(_l("每项评价为 1 到 5 分。"), field=key)
    assert need.winner_org_id is not None
    row = Rating(
        need_id=need.id,
        org_id=need.winner_org_id,
        rater_id=actor.id,
        comment=str(data.get("comment", "") or "").strip()[:2000],
        created_at=clock.now(),
        **values,
    )
    db.session.add(row)
    db.session.flush()
    score = refresh_credit(need.winner_org_id)
    record(actions.RATED, need, values | {"credit_score": score}, actor=actor)
    return row


def reply(actor: Any, rating: Rating, text: str) -> Rating:
    policies.ensure_agency_user(actor)
    if actor.organisation_id != rating.org_id:
        raise Forbidden(_l("只能回复对本机构的评价。"))
    if rating.replied_at is not None:
        raise Conflict(_l("每条评价只能回复一次。"))
    if not text.strip():
        raise ValidationError(_l("请填写回复内容。"), field="reply")
    rating.reply = text.strip()[:2000]
    rating.replied_at = clock.now()
    db.session.flush()
    record(actions.RATING_REPLIED, rating.need, {"rating_id": rating.id}, actor=actor)
    return rating
