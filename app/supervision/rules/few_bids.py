"""Fewer than three bids at the deadline: too little competition (and, by law, no opening)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core.extensions import db
from app.supervision.models import Level
from app.supervision.rules.common import CURRENT
from app.supervision.rules.registry import Finding, Rule, Scope
from bidding.bids.models import Bid
from bidding.models import Lot, LotStatus

MIN_BIDS = 3
_NOT_YET = (LotStatus.DRAFT, LotStatus.PUBLISHED, LotStatus.SUSPENDED, LotStatus.TERMINATED)


def check(scope: Scope) -> list[Finding]:
    counts = (
        select(Bid.lot_id, func.count(func.distinct(Bid.supplier_id)).label("n"))
        .where(Bid.status.in_(CURRENT))
        .group_by(Bid.lot_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Lot.id, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.lot_id == Lot.id)
        .where(
            scope.lots(Lot.id),
            Lot.bid_deadline.is_not(None),
            Lot.bid_deadline <= scope.now,
            Lot.status.not_in(_NOT_YET),
            func.coalesce(counts.c.n, 0) < MIN_BIDS,
        )
    ).all()
    return [
        Finding(subject=f"lot:{lot_id}", lot_id=lot_id, level=Level.YELLOW, facts={"bids": n})
        for lot_id, n in rows
    ]


def describe(facts: dict[str, Any]) -> str:
    return _("投标截止时只有 %(n)s 家投标，不足 3 家。", n=facts.get("bids", 0))


RULE = Rule(
    "competition.few_bids", _l("投标人不足三家"), "competition", check, ("opened",), describe
)
