"""How the result stage ranks a lot's candidates: the one place that reads the method's
`ResultRule` (bidding.methods) against a signed report.

- LOWEST_PRICE (询价, 竞争性谈判): the lowest price among the bids the committee found
  compliant wins, whatever scoring the evaluation used; equal prices rank by the earlier
  submission, then by opening order (the tie rule of 最低评标价法).
- COMPREHENSIVE and NEGOTIATED: the committee's own ranking, as the report states it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from bidding.methods import ResultRule, rule_for
from bidding.models import Lot

if TYPE_CHECKING:
    from bidding.results.handoff import SignedReport

# 中标（成交）候选人: the law asks for one to three, ranked.
CANDIDATES = 3

_FAR = dt.datetime.max.replace(tzinfo=dt.UTC)


def _price(row: dict[str, Any]) -> Decimal | None:
    try:
        return Decimal(str(row["price"])) if row.get("price") not in (None, "") else None
    except InvalidOperation:
        return None


def valid_bids(report: SignedReport) -> list[dict[str, Any]]:
    """Every bid the committee kept, in opening order; a report that lists only its
    candidates gives those (they are all valid)."""
    seen: dict[int, dict[str, Any]] = {}
    for row in [*report.valid, *report.candidates]:
        seen.setdefault(int(row["bid_id"]), row)
    return list(seen.values())


def _lowest_price(report: SignedReport) -> list[dict[str, Any]]:
    bids = valid_bids(report)
    order = {int(row["bid_id"]): n for n, row in enumerate(bids)}

    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        price = _price(row)
        at = row.get("received_at")
        received = dt.datetime.fromisoformat(at) if isinstance(at, str) and at else _FAR
        # A compliant bid without a readable price cannot beat one with a price.
        return (price is None, price or Decimal(0), received, order[int(row["bid_id"])])

    ranked = sorted((row for row in bids if _price(row) is not None), key=key)
    fields = ("bid_id", "supplier_id", "supplier_name", "price", "total", "price_score")
    fields += ("technical", "commercial")
    return [
        {"rank": n, **{f: row.get(f) for f in fields}}
        for n, row in enumerate(ranked[:CANDIDATES], start=1)
    ]


def _as_reported(report: SignedReport) -> list[dict[str, Any]]:
    return list(report.candidates)


_RANKERS: dict[ResultRule, Callable[[SignedReport], list[dict[str, Any]]]] = {
    ResultRule.LOWEST_PRICE: _lowest_price,
    ResultRule.COMPREHENSIVE: _as_reported,
    ResultRule.NEGOTIATED: _as_reported,
}


def result_rule(lot: Lot) -> ResultRule:
    return rule_for(lot.project.method).result_rule


def candidates(lot: Lot, report: SignedReport) -> list[dict[str, Any]]:
    """The lot's ranked candidates ({rank, bid_id, supplier_id, supplier_name, price, …}),
    best first, as its method decides the result."""
    return _RANKERS[result_rule(lot)](report)
