"""Queries several rules share: a lot's current bids, its centre, values shared by bidders."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from app.core.extensions import db
from app.supervision.models import Level
from app.supervision.rules.registry import Finding, Scope, register_shared
from bidding.bids.models import Bid, BidStatus, FilesCheck

# The bid each bidder stands by: not replaced by a later version, not withdrawn.
CURRENT = (BidStatus.SUBMITTED, BidStatus.DECRYPTED, BidStatus.REVOKED, BidStatus.RETRACTED)


@dataclass(frozen=True)
class BidLine:
    """What the rules read of one current bid and its bidder (loaded once per run)."""

    lot_id: int
    supplier_id: int
    supplier_name: str
    contact_name: str
    contact_phone: str
    status: str
    files_check: str | None
    received_at: Any
    price_form: dict[str, Any] | None
    plaintext_files: list[dict[str, Any]] | None


def load_bids(scope: Scope) -> list[BidLine]:
    """The current bids in the scope as plain rows (not ORM objects: a sweep reads every
    bid of every lot)."""
    from app.core.auth.models import Organisation

    stmt = (
        select(
            Bid.lot_id,
            Bid.supplier_id,
            Organisation.name,
            Organisation.contact_name,
            Organisation.contact_phone,
            Bid.status,
            Bid.files_check,
            Bid.received_at,
            Bid.price_form,
            Bid.plaintext_files,
        )
        .join(Organisation, Organisation.id == Bid.supplier_id)
        .where(Bid.status.in_(CURRENT), scope.lots(Bid.lot_id))
        .order_by(Bid.lot_id, Bid.id)
    )
    return [BidLine(*row) for row in db.session.execute(stmt)]


register_shared("bids", load_bids)


def current_bids(
    scope: Scope, *, decrypted: bool = False, confirmed: bool = False
) -> list[BidLine]:
    """The current bids the run loaded for its rules (loaded here if it did not)."""
    lines = scope.shared.get("bids")
    if lines is None:
        lines = scope.shared["bids"] = load_bids(scope)
    scope.tick()
    if decrypted:
        lines = [b for b in lines if b.status == BidStatus.DECRYPTED]
    if confirmed:
        lines = [b for b in lines if b.files_check == FilesCheck.CONFIRMED]
    return lines


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


def group_by_lot(bids: list[BidLine]) -> dict[int, list[BidLine]]:
    by_lot: dict[int, list[BidLine]] = defaultdict(list)
    for bid in bids:
        by_lot[bid.lot_id].append(bid)
    return by_lot


def setting(name: str, default: Any) -> Any:
    """A rule's threshold from the config (`SUPERVISION_*`), of the default's type."""
    from flask import current_app

    return type(default)(current_app.config.get(name, default))


def window_start(scope: Scope) -> Any:
    """The earliest time the cross-lot rules look at (`SUPERVISION_WINDOW_DAYS` back)."""
    import datetime as dt

    return scope.now - dt.timedelta(days=setting("SUPERVISION_WINDOW_DAYS", 365))


def org_names(ids: set[int]) -> dict[int, str]:
    from app.core.auth.models import Organisation

    if not ids:
        return {}
    rows = db.session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
    ).all()
    return dict(rows)
