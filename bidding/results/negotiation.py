"""单一来源: the price negotiation with the one supplier, recorded by the agency's staff,
becomes the lot's result input (as a signed report does for the other methods).

The supplier's response has been opened; staff record the negotiated price and the
minutes, and the lot moves on through `handoff.receive_report` with the one candidate.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.audit import record
from app.core.auth.models import User
from app.core.errors import Conflict, ValidationError
from app.core.extensions import db
from bidding.bids.models import Bid, BidStatus
from bidding.forms import _money, text_field
from bidding.labels import method_label, status_label
from bidding.methods import ResultRule, rule_for
from bidding.models import Lot, LotStatus
from bidding.projects import lock_lot
from bidding.results import actions, policies
from bidding.results.handoff import SignedReport, receive_report, result_of
from bidding.results.models import PriceNegotiation

MINUTES_MAX = 5000
# The response has been opened (and an evaluation room may have been set up for it).
_READY = (LotStatus.OPENED, LotStatus.EVALUATING)


def negotiated(lot: Lot) -> bool:
    """Whether the lot's result comes from a price negotiation (its method says so)."""
    return rule_for(lot.project.method).result_rule == ResultRule.NEGOTIATED


def negotiation_of(lot: Lot) -> PriceNegotiation | None:
    return db.session.execute(
        select(PriceNegotiation).where(PriceNegotiation.lot_id == lot.id)
    ).scalar_one_or_none()


def _response(lot: Lot) -> Bid | None:
    """The opened response of the one supplier."""
    return db.session.execute(
        select(Bid)
        .where(Bid.lot_id == lot.id, Bid.status == BidStatus.DECRYPTED)
        .order_by(Bid.id)
        .limit(1)
    ).scalar_one_or_none()


def _quoted(bid: Bid) -> Decimal | None:
    try:
        return _money((bid.price_form or {}).get("total_price"), "", "", "price")
    except ValidationError:
        return None


def refusal(lot: Lot) -> str | None:
    """Why no negotiation can be recorded on the lot now, or None when it can."""
    if not negotiated(lot):
        return str(
            _l("%(m)s的结果由评审确定，不记录价格谈判。", m=method_label(lot.project.method))
        )
    if negotiation_of(lot) is not None or result_of(lot) is not None:
        return str(_l("该标段已记录价格谈判。"))
    if lot.status not in _READY:
        return str(
            _l(
                "标段当前状态为“%(s)s”：供应商的响应文件开启后方可记录价格谈判。",
                s=status_label(lot.status),
            )
        )
    if _response(lot) is None:
        return str(_l("没有已开启的供应商响应文件，不能记录价格谈判。"))
    return None


def record_negotiation(user: User, lot: Lot, price: Any, minutes: Any) -> PriceNegotiation:
    """Record the negotiated price and minutes; the lot's result follows in the same
    transaction (evaluation ended, publicity due)."""
    policies.ensure_can_record_negotiation(user, lot)
    lock_lot(lot)
    why = refusal(lot)
    if why is not None:
        raise Conflict(why)
    amount = _money(price, str(_l("谈判价格")), "", "price")
    if amount is None or amount <= 0:
        raise ValidationError(_l("请填写大于零的谈判价格（元）。"), field="price")
    ceiling = lot.ceiling_price or lot.budget
    if ceiling is not None and amount > ceiling:
        raise ValidationError(
            _l("谈判价格 %(p)s 元超过本标段的最高限价（预算）%(c)s 元。", p=amount, c=ceiling),
            field="price",
        )
    text = text_field(
        minutes, str(_l("谈判纪要")), "", "minutes", required=True, max_len=MINUTES_MAX
    )
    bid = _response(lot)
    assert bid is not None
    now = clock.now()
    row = PriceNegotiation(
        lot_id=lot.id,
        supplier_id=bid.supplier_id,
        bid_id=bid.id,
        quoted_price=_quoted(bid),
        price=amount,
        minutes=text,
        recorded_by_id=user.id,
        recorded_at=now,
    )
    db.session.add(row)
    db.session.flush()
    body = {
        "lot_id": lot.id,
        "bid_id": bid.id,
        "supplier_id": bid.supplier_id,
        "quoted_price": None if row.quoted_price is None else str(row.quoted_price),
        "price": str(amount),
        "minutes": text,
    }
    digest = hashlib.sha256(
        json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")
    ).hexdigest()
    record(actions.PRICE_NEGOTIATED, row, body | {"sha256": digest}, actor=user)
    if lot.status == LotStatus.OPENED:
        lot.status = LotStatus.EVALUATING
    report = SignedReport(
        source=f"price_negotiation:{row.id}",
        sha256=digest,
        pdf_sha256=None,
        at=now,
        candidates=[
            {
                "rank": 1,
                "bid_id": bid.id,
                "supplier_id": bid.supplier_id,
                "supplier_name": bid.supplier.name,
                "price": str(amount),
                "total": None,
                "price_score": None,
                "technical": None,
                "commercial": None,
            }
        ],
    )
    receive_report(lot, report, user)
    return row


def negotiation_view(lot: Lot) -> dict[str, Any] | None:
    row = negotiation_of(lot)
    if row is None:
        return None
    return {
        "id": row.id,
        "supplier_name": row.supplier.name,
        "quoted_price": row.quoted_price,
        "price": row.price,
        "minutes": row.minutes,
        "recorded_by": row.recorded_by.display_name,
        "recorded_at": row.recorded_at,
    }
