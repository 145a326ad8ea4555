"""经评审的合理最低投标价法 (works tendering): the lowest price that is also reasonable.

Bids pass the review and the price screen as in 最低评标价法; then a price below the
abnormally-low threshold stays in only if the bidder explained it to the committee's
satisfaction (`explained_ok`), because 《招标投标法》第三十三条 forbids bidding below
cost. The threshold is computed once over all valid prices, before any such rejection,
so that rejecting one low bid never moves the line for the others.

Tie rule: as 最低评标价法 — lower price, then earlier submission, then opening order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from remote_eval.methods.base import BidderInput, BidId, PriceOutcome, unexplained_low_reason
from remote_eval.methods.lowest_price import LowestPrice
from remote_eval.scheme import Scheme


class ReasonableLowest(LowestPrice):
    code = "reasonable_lowest"
    label = _l("经评审的合理最低投标价法")

    def price_scores(
        self, prices: Sequence[BidderInput], scheme: Scheme, ceiling: Decimal | None
    ) -> dict[BidId, PriceOutcome]:
        outcomes = super().price_scores(prices, scheme, ceiling)
        explained = {b.bid_id for b in prices if b.explained_ok}
        for bid_id, outcome in outcomes.items():
            if outcome.abnormally_low and bid_id not in explained:
                outcomes[bid_id] = replace(outcome, rejected_reason=unexplained_low_reason(scheme))
        return outcomes
