"""What ratings a user has to give or answer, and the summaries (one GROUP BY each)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select

from app.core import clock
from app.core.auth.models import Centre, Organisation, Role
from app.core.extensions import db
from bidding.bids.models import CURRENT_STATUSES, Bid
from bidding.models import Lot
from bidding.results.models import LotResult

from .models import FollowUpStatus, RatingFollowUp, RatingTarget, ServiceRating
from .service import Window, has_rated, window_for

# Five working days never span more than this many calendar days (the longest holidays).
_LOOKBACK_DAYS = 20


@dataclass(frozen=True)
class ToRate:
    lot: Lot
    window: Window


def lots_to_rate(user: Any) -> list[ToRate]:
    """The awarded lots the user's organisation bid on, still unrated, window open."""
    if user.organisation_id is None:
        return []
    now = clock.now()
    lot_ids = (
        db.session.execute(
            select(Bid.lot_id)
            .join(LotResult, LotResult.lot_id == Bid.lot_id)
            .where(
                Bid.supplier_id == user.organisation_id,
                Bid.status.in_(CURRENT_STATUSES),
                LotResult.awarded_at.is_not(None),
                LotResult.awarded_at > now - dt.timedelta(days=_LOOKBACK_DAYS),
            )
            .distinct()
        )
        .scalars()
        .all()
    )
    out = []
    for lot_id in sorted(lot_ids):
        lot = db.session.get(Lot, lot_id)
        assert lot is not None
        window = window_for(lot)
        if window and window.is_open(now) and not has_rated(lot_id, user.organisation_id):
            out.append(ToRate(lot, window))
    return out


def follow_ups(
    *,
    status: tuple[FollowUpStatus, ...],
    centre_id: int | None = None,
    agency_id: int | None = None,
    target: RatingTarget | None = None,
) -> list[RatingFollowUp]:
    stmt = (
        select(RatingFollowUp)
        .join(ServiceRating, ServiceRating.id == RatingFollowUp.rating_id)
        .where(RatingFollowUp.status.in_(status))
        .order_by(RatingFollowUp.answer_due_at, RatingFollowUp.id)
    )
    if centre_id is not None:
        stmt = stmt.where(ServiceRating.centre_id == centre_id)
    if agency_id is not None:
        stmt = stmt.where(ServiceRating.agency_id == agency_id)
    if target is not None:
        stmt = stmt.where(ServiceRating.target == target)
    return list(db.session.execute(stmt).scalars())


def follow_ups_for(user: Any) -> list[RatingFollowUp]:
    """Every follow-up this user answers (rated party) or closes (supervisor), newest first."""
    from . import policies

    rows: list[RatingFollowUp] = []
    all_states = tuple(FollowUpStatus)
    if user.role == Role.SUPERVISOR and user.centre_id is not None:
        rows = follow_ups(status=all_states, centre_id=user.centre_id)
    elif user.organisation_id is not None:
        rows = follow_ups(status=all_states, agency_id=user.organisation_id) + follow_ups(
            status=all_states, centre_id=user.centre_id, target=RatingTarget.CENTRE
        )
        rows = [f for f in rows if policies.can_answer_follow_up(user, f)]
    return sorted({f.id: f for f in rows}.values(), key=lambda f: f.opened_at, reverse=True)


@dataclass(frozen=True)
class RatingSummary:
    party_id: int
    party: str
    target: str
    count: int
    average: float
    satisfied_rate: float  # share of 满意 and 非常满意
    defaults: int
    bad: int
    open_follow_ups: int


def summary(
    target: RatingTarget,
    start: dt.datetime,
    end: dt.datetime,
    centre_id: int | None = None,
) -> list[RatingSummary]:
    """Ratings of each centre (or each agency) given in [start, end)."""
    party = ServiceRating.centre_id if target == RatingTarget.CENTRE else ServiceRating.agency_id
    name_model = Centre if target == RatingTarget.CENTRE else Organisation
    stmt = (
        select(
            party,
            name_model.name,
            func.count(ServiceRating.id),
            func.avg(ServiceRating.level),
            func.sum(case((ServiceRating.level >= 4, 1), else_=0)),
            func.sum(case((ServiceRating.is_default, 1), else_=0)),
            func.sum(case((ServiceRating.level <= 2, 1), else_=0)),
            func.count(RatingFollowUp.id).filter(RatingFollowUp.status != FollowUpStatus.CLOSED),
        )
        .join(name_model, name_model.id == party)
        .outerjoin(RatingFollowUp, RatingFollowUp.rating_id == ServiceRating.id)
        .where(
            ServiceRating.target == target,
            ServiceRating.rated_at >= start,
            ServiceRating.rated_at < end,
        )
        .group_by(party, name_model.name)
        .order_by(name_model.name)
    )
    if centre_id is not None:
        stmt = stmt.where(ServiceRating.centre_id == centre_id)
    return [
        RatingSummary(
            party_id=pid,
            party=name,
            target=target.value,
            count=n,
            average=round(float(avg or 0), 2),
            satisfied_rate=round((sat or 0) / n, 4) if n else 0.0,
            defaults=int(defaults or 0),
            bad=int(bad or 0),
            open_follow_ups=int(open_n or 0),
        )
        for pid, name, n, avg, sat, defaults, bad, open_n in db.session.execute(stmt)
    ]
