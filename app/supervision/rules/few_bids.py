"""Fewer than three bids frozen at the deadline: too little competition (and, by law, no
opening)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.extensions import db
from app.supervision.models import Level
from app.supervision.rules.registry import Finding, Rule, Scope
from bidding.bids.models import LotFreeze

MIN_BIDS = 3


def check(scope: Scope) -> list[Finding]:
    # The frozen list is what the lot had at its deadline (bidding/bids/freeze.py).
    rows = db.session.execute(
        select(LotFreeze.lot_id, LotFreeze.bid_count).where(
            scope.lots(LotFreeze.lot_id), LotFreeze.bid_count < MIN_BIDS
        )
    ).all()
    return [
        Finding(subject=f"lot:{lot_id}", lot_id=lot_id, level=Level.YELLOW, facts={"bids": n})
        for lot_id, n in rows
    ]


def describe(facts: dict[str, Any]) -> str:
    return _("投标截止时只有 %(n)s 家投标，不足 3 家。", n=facts.get("bids", 0))


RULE = Rule(
    "competition.few_bids", _l("投标人不足三家"), "competition", check, ("frozen",), describe
)
