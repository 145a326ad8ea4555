"""最低评标价法: every bid that passes the review and the price screen is ranked by price.

The evaluated price is the opened price: the tender documents of this method list no
price adjustments (价格扣除 for small enterprises is applied by the room to the input).

Tie rule: equal prices rank by the earlier submission of the bid that counts
(`submitted_at`); bids equal on both keep opening order. An abnormally low price is only
flagged here; the committee asks for an explanation before it confirms the ranking.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from remote_eval.methods.base import (
    BidderInput,
    BidderResult,
    BidId,
    EvaluationMethod,
    PriceOutcome,
    screen_prices,
)
from remote_eval.scheme import Scheme


class LowestPrice(EvaluationMethod):
    code = "lowest_price"
    label = _l("最低评标价法")
    uses_scores = False
    tie_rule = _l("按评标价由低到高排序；评标价相同的，投标文件递交在先者排名在前。")

    def price_scores(
        self, prices: Sequence[BidderInput], scheme: Scheme, ceiling: Decimal | None
    ) -> dict[BidId, PriceOutcome]:
        return screen_prices(prices, scheme, ceiling)

    def sort_key(self, result: BidderResult) -> tuple[Any, ...]:
        return (result.price, result.submitted_at)
