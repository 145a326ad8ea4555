"""Opened prices that look arranged: in arithmetic or geometric progression, or all
within a tiny band (串通投标 signals in the tendering regulations' own words)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.supervision.models import Level
from app.supervision.rules.common import BidLine, current_bids, group_by_lot
from app.supervision.rules.registry import Finding, Rule, Scope

TOLERANCE = Decimal("0.001")  # steps (or ratios) equal within 0.1 % of their size
BAND = Decimal("0.005")  # every price within 0.5 % of the lowest


def pattern(prices: list[Decimal]) -> str:
    """ "arithmetic", "geometric", "band" or "" for three or more prices."""
    p = sorted(prices)
    if len(p) < 3 or p[0] <= 0:
        return ""
    steps = [b - a for a, b in zip(p, p[1:], strict=False)]
    if steps[0] > 0 and all(abs(s - steps[0]) <= steps[0] * TOLERANCE for s in steps):
        return "arithmetic"
    ratios = [b / a for a, b in zip(p, p[1:], strict=False)]
    if ratios[0] > 1 and all(abs(r - ratios[0]) <= (ratios[0] - 1) * TOLERANCE for r in ratios):
        return "geometric"
    if (p[-1] - p[0]) <= p[0] * BAND:
        return "band"
    return ""


def _price(bid: BidLine) -> Decimal | None:
    try:
        return Decimal(str((bid.price_form or {}).get("total_price", "")))
    except InvalidOperation:
        return None


def check(scope: Scope) -> list[Finding]:
    found: list[Finding] = []
    bids = current_bids(scope, decrypted=True)
    for lot_id, lot_bids in group_by_lot(bids).items():
        scope.tick()
        priced = [(b, p) for b in lot_bids if (p := _price(b)) is not None]
        kind = pattern([p for _b, p in priced])
        if kind:
            found.append(
                Finding(
                    subject=f"lot:{lot_id}:prices",
                    lot_id=lot_id,
                    level=Level.YELLOW if kind == "band" else Level.RED,
                    facts={
                        "pattern": kind,
                        "prices": [
                            {"supplier": b.supplier_name, "price": str(p)}
                            for b, p in sorted(priced, key=lambda x: x[1])
                        ],
                    },
                )
            )
    return found


def describe(facts: dict[str, Any]) -> str:
    prices = "、".join(f"{x['supplier']} {x['price']}" for x in facts.get("prices", []))
    kind = facts.get("pattern")
    if kind == "arithmetic":
        return _("投标报价呈等差数列：%(p)s。", p=prices)
    if kind == "geometric":
        return _("投标报价呈等比数列：%(p)s。", p=prices)
    return _("全部投标报价集中在 0.5%% 以内：%(p)s。", p=prices)


RULE = Rule(
    "collusion.price_pattern",
    _l("报价呈规律性"),
    "collusion",
    check,
    ("opened",),
    describe,
    shares=("bids",),
)
