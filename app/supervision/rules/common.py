"""Queries several rules share: a lot's current bids, its centre, values shared by bidders."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select

from app.core.extensions import db
from app.supervision.models import Level
from app.supervision.rules.registry import Finding, Scope
from bidding.bids.models import Bid, BidStatus

# The bid each bidder stands by: not replaced by a later version, not withdrawn.
CURRENT = (BidStatus.SUBMITTED, BidStatus.DECRYPTED, BidStatus.REVOKED, BidStatus.RETRACTED)


def current_bids(scope: Scope, *extra: Any) -> list[Bid]:
    stmt = select(Bid).where(Bid.status.in_(CURRENT), scope.lots(Bid.lot_id), *extra)
    return list(db.session.execute(stmt.order_by(Bid.lot_id, Bid.id)).scalars())


def shared_column(scope: Scope, column: Any, key: str, level: Level) -> list[Finding]:
    """One finding per (lot, value of `column`) that two or more bidders share."""
    pairs = (
        select(Bid.lot_id, column)
        .where(Bid.status.in_(CURRENT), column != "", scope.lots(Bid.lot_id))
        .group_by(Bid.lot_id, column)
        .having(func.count(func.distinct(Bid.supplier_id)) >= 2)
    )
    found: list[Finding] = []
    for lot_id, value in db.session.execute(pairs).all():
        scope.tick()
        names = suppliers_sharing(lot_id, column, value)
        found.append(
            Finding(
                subject=f"lot:{lot_id}:{key}:{value}",
                lot_id=lot_id,
                level=level,
                facts={key: value, "suppliers": names},
            )
        )
    return found


def suppliers_sharing(lot_id: int, column: Any, value: Any) -> list[str]:
    from app.core.auth.models import Organisation

    rows = db.session.execute(
        select(Organisation.name)
        .join(Bid, Bid.supplier_id == Organisation.id)
        .where(Bid.lot_id == lot_id, Bid.status.in_(CURRENT), column == value)
        .distinct()
    ).scalars()
    return sorted(rows)


def group_by_lot(bids: list[Bid]) -> dict[int, list[Bid]]:
    by_lot: dict[int, list[Bid]] = defaultdict(list)
    for bid in bids:
        by_lot[bid.lot_id].append(bid)
    return by_lot
