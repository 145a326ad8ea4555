"""Giving a rating, the default after the window (默认好评), and the follow-up of a bad one.

The window opens when the lot is awarded and runs for five working days of the centre's
calendar (the award day not counted, ends 24:00 CST of the fifth working day).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, select

from app.core import clock
from app.core.audit import record
from app.core.calendar import calendar_for
from app.core.errors import Conflict, TooEarly, TooLate, ValidationError
from app.core.extensions import db
from bidding.bids.models import CURRENT_STATUSES, Bid
from bidding.clocks import start_of_day, working_period_last_day
from bidding.models import Lot, Project
from bidding.results.models import LotResult

from . import actions, policies
from .models import (
    BAD_LEVELS,
    DEFAULT_LEVEL,
    FollowUpStatus,
    RatingFollowUp,
    RatingTarget,
    ServiceRating,
)

WINDOW_WORKING_DAYS = 5
FOLLOW_UP_WORKING_DAYS = 5
COMMENT_MAX = 1000


@dataclass(frozen=True)
class Window:
    opens: dt.datetime
    closes: dt.datetime  # first instant after the window

    def is_open(self, at: dt.datetime) -> bool:
        return self.opens <= at < self.closes


def working_days_end(event_at: dt.datetime, days: int, centre_id: int) -> dt.datetime:
    last = working_period_last_day(event_at, days, calendar_for(centre_id))
    return start_of_day(last + dt.timedelta(days=1))


def window_for(lot: Lot) -> Window | None:
    """The lot's rating window, or None before its award."""
    awarded_at = db.session.execute(
        select(LotResult.awarded_at).where(LotResult.lot_id == lot.id)
    ).scalar_one_or_none()
    if awarded_at is None:
        return None
    return Window(
        awarded_at, working_days_end(awarded_at, WINDOW_WORKING_DAYS, lot.project.centre_id)
    )


def has_rated(lot_id: int, supplier_id: int) -> bool:
    return (
        db.session.execute(
            select(ServiceRating.id).where(
                ServiceRating.lot_id == lot_id, ServiceRating.supplier_id == supplier_id
            )
        ).first()
        is not None
    )


def _clean_level(value: Any, field: str) -> int:
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = 0
    if level < 1 or level > 5:
        raise ValidationError(_l("评价等级须为 1 至 5 级。"), field=field)
    return level


def _add(
    lot: Lot, supplier_id: int, target: RatingTarget, level: int, comment: str, user: Any
) -> ServiceRating:
    project: Project = lot.project
    rating = ServiceRating(
        lot_id=lot.id,
        supplier_id=supplier_id,
        target=target,
        centre_id=project.centre_id,
        agency_id=project.agency_id,
        level=level,
        comment=comment,
        rated_by_id=user.id if user is not None else None,
        is_default=user is None,
        rated_at=clock.now(),
    )
    db.session.add(rating)
    db.session.flush()
    record(
        actions.RATED if user is not None else actions.DEFAULTED,
        rating,
        {"lot_id": lot.id, "kind": target.value, "level": level},
        actor=user,
    )
    if level in BAD_LEVELS:
        db.session.add(
            RatingFollowUp(
                rating_id=rating.id,
                status=FollowUpStatus.OPEN,
                opened_at=rating.rated_at,
                answer_due_at=working_days_end(
                    rating.rated_at, FOLLOW_UP_WORKING_DAYS, project.centre_id
                ),
            )
        )
    return rating


def rate(user: Any, lot: Lot, answers: Mapping[str, Mapping[str, Any]]) -> list[ServiceRating]:
    """One supplier rates both parties of one lot, once, inside the window.

    `answers` is {"centre": {"level": 1..5, "comment": str}, "agency": {...}}.
    """
    policies.ensure_can_rate_lot(user, lot)
    window = window_for(lot)
    now = clock.now()
    if window is None or now < window.opens:
        raise TooEarly(_l("标段确定中标人后才能评价。"))
    if now >= window.closes:
        raise TooLate(_l("评价期已过（定标后 5 个工作日），系统已按“满意”记录。"))
    if has_rated(lot.id, user.organisation_id):
        raise Conflict(_l("本单位已评价过这个标段，不能重复评价。"))
    rows = []
    for target in (RatingTarget.CENTRE, RatingTarget.AGENCY):
        given = answers.get(target.value) or {}
        level = _clean_level(given.get("level"), f"{target.value}_level")
        comment = str(given.get("comment") or "").strip()
        if len(comment) > COMMENT_MAX:
            raise ValidationError(_l("评价意见不能超过 1000 字。"), field=f"{target.value}_comment")
        if level in BAD_LEVELS and not comment:
            raise ValidationError(
                _l("差评请写明不满意的原因，便于被评价方整改。"), field=f"{target.value}_comment"
            )
        rows.append((target, level, comment))
    return [_add(lot, user.organisation_id, t, lv, c, user) for t, lv, c in rows]


def default_overdue(limit: int = 500) -> int:
    """Record "satisfied" for every participant left silent past its lot's window.

    Idempotent: a lot and supplier that already have a rating are skipped; one pass
    handles at most `limit` lots (the next pass continues).
    """
    now = clock.now()
    # Five working days are at least five calendar days: lots awarded later cannot be due.
    earliest_due = now - dt.timedelta(days=WINDOW_WORKING_DAYS)
    missing = exists().where(
        Bid.lot_id == LotResult.lot_id,
        Bid.status.in_(CURRENT_STATUSES),
        ~exists().where(
            and_(ServiceRating.lot_id == Bid.lot_id, ServiceRating.supplier_id == Bid.supplier_id)
        ),
    )
    lot_ids = (
        db.session.execute(
            select(LotResult.lot_id)
            .where(LotResult.awarded_at.is_not(None), LotResult.awarded_at <= earliest_due, missing)
            .order_by(LotResult.awarded_at)
            .limit(limit)
        )
        .scalars()
        .all()
    )
    count = 0
    for lot_id in lot_ids:
        lot = db.session.get(Lot, lot_id)
        assert lot is not None
        window = window_for(lot)
        if window is None or now < window.closes:
            continue
        rated = set(
            db.session.execute(
                select(ServiceRating.supplier_id).where(ServiceRating.lot_id == lot_id)
            ).scalars()
        )
        for supplier_id in sorted(bidder_ids(lot_id) - rated):
            for target in (RatingTarget.CENTRE, RatingTarget.AGENCY):
                _add(lot, supplier_id, target, DEFAULT_LEVEL, "", None)
            count += 1
    return count


def bidder_ids(lot_id: int) -> set[int]:
    from bidding.bids.models import bidder_org_ids

    return bidder_org_ids(lot_id)


def answer_follow_up(user: Any, follow_up: RatingFollowUp, text: str) -> RatingFollowUp:
    policies.ensure_can_answer_follow_up(user, follow_up)
    if follow_up.status != FollowUpStatus.OPEN:
        raise Conflict(_l("这项整改已经答复过了。"))
    text = (text or "").strip()
    if not text:
        raise ValidationError(_l("请写明整改情况。"), field="answer")
    if len(text) > COMMENT_MAX * 2:
        raise ValidationError(_l("整改答复不能超过 2000 字。"), field="answer")
    follow_up.status = FollowUpStatus.ANSWERED
    follow_up.answer = text
    follow_up.answered_by_id = user.id
    follow_up.answered_at = clock.now()
    db.session.flush()
    record(actions.FOLLOW_UP_ANSWERED, follow_up, {"lot_id": follow_up.rating.lot_id}, actor=user)
    return follow_up


def close_follow_up(user: Any, follow_up: RatingFollowUp, note: str) -> RatingFollowUp:
    policies.ensure_can_close_follow_up(user, follow_up)
    if follow_up.status == FollowUpStatus.CLOSED:
        raise Conflict(_l("这项整改已经办结，不能再次办结。"))
    if follow_up.status != FollowUpStatus.ANSWERED:
        raise Conflict(_l("被评价方尚未答复，暂不能办结。"))
    note = (note or "").strip()
    if len(note) > COMMENT_MAX:
        raise ValidationError(_l("办结意见不能超过 1000 字。"), field="note")
    follow_up.status = FollowUpStatus.CLOSED
    follow_up.closing_note = note
    follow_up.closed_by_id = user.id
    follow_up.closed_at = clock.now()
    db.session.flush()
    record(actions.FOLLOW_UP_CLOSED, follow_up, {"lot_id": follow_up.rating.lot_id}, actor=user)
    return follow_up
