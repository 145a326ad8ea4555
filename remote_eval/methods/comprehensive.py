"""综合评分法: total = members' average technical + commercial points + price score.

Price score (low_base): base price = the lowest valid price; each valid price scores
base / price × weight, two places ROUND_HALF_UP, so the lowest valid price scores the
full weight. An abnormally low price is flagged, not rejected: the committee asks for
the explanation before it confirms the scores (see `BidderInput.explained_ok`).

Tie rules (财政部令第87号 第六十三条 and common tender documents): higher total, then
higher price score, then higher technical score, then earlier submission, then opening
order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from remote_eval.methods.base import (
    BidderInput,
    BidderResult,
    BidId,
    EvaluationMethod,
    PriceOutcome,
    points,
    screen_prices,
)
from remote_eval.scheme import Scheme


class Comprehensive(EvaluationMethod):
    code = "comprehensive"
    label = _l("综合评分法")
    uses_scores = True
    tie_rule = _l(
        "按总分由高到低排序；总分相同的，依次按价格分、技术分由高到低排序，"
        "仍相同的，投标文件递交在先者排名在前。"
    )

    def price_scores(
        self, prices: Sequence[BidderInput], scheme: Scheme, ceiling: Decimal | None
    ) -> dict[BidId, PriceOutcome]:
        outcomes = screen_prices(prices, scheme, ceiling)
        valid = {b.bid_id: b.price for b in prices if not outcomes[b.bid_id].rejected_reason}
        if not valid:
            return outcomes
        base = self.base_price([p for p in valid.values() if p is not None], scheme)
        for bid_id, price in valid.items():
            assert price is not None  # screen_prices rejects a missing price
            outcomes[bid_id] = replace(
                outcomes[bid_id], score=self.price_score(price, base, scheme)
            )
        return outcomes

    def base_price(self, valid_prices: Sequence[Decimal], scheme: Scheme) -> Decimal:
        return min(valid_prices)

    def price_score(self, price: Decimal, base: Decimal, scheme: Scheme) -> Decimal:
        # Multiply before dividing: one rounding step (the final one) instead of two.
        return points(base * scheme.price.weight / price)

    def sort_key(self, result: BidderResult) -> tuple[Any, ...]:
        return (
            -(result.total or 0),
            -(result.price_score or 0),
            -(result.technical or 0),
            result.submitted_at,
        )
