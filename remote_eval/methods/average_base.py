"""平均值基准价法: comprehensive scoring whose price score rewards closeness to the average.

Base price = the average of the valid prices, after dropping the single highest and the
single lowest when there are five or more (so one extreme bid cannot drag the base),
rounded to the fen. Each valid price scores

    weight − |price − base| / base × 100 × E

with E = `price.deviation_above` points per 1 % above the base and
`price.deviation_below` per 1 % below (usually smaller: a lower price is less harmful),
two places ROUND_HALF_UP, never below 0.

Totals and tie rules are those of 综合评分法.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from remote_eval.methods.base import CENTS, points
from remote_eval.methods.comprehensive import Comprehensive
from remote_eval.scheme import AVERAGE_BASE, Scheme, SchemeError, num

TRIM_FROM = 5  # with at least this many valid prices, drop the highest and the lowest


class AverageBase(Comprehensive):
    code = "average_base"
    label = _l("平均值基准价法")
    price_formulas = (AVERAGE_BASE,)

    def validate(
        self, scheme: Scheme, category_code: str, settings: Mapping[str, Any] | None = None
    ) -> list[SchemeError]:
        errors = super().validate(scheme, category_code, settings)
        for key, value in (
            ("deviation_above", scheme.price.deviation_above),
            ("deviation_below", scheme.price.deviation_below),
        ):
            if value <= 0:
                errors.append(
                    SchemeError(
                        f"price.{key}",
                        _l("偏离基准价每 1%% 的扣分应大于 0，现为 %(v)s。", v=num(value)),
                    )
                )
        return errors

    def base_price(self, valid_prices: Sequence[Decimal], scheme: Scheme) -> Decimal:
        prices = sorted(valid_prices)
        if len(prices) >= TRIM_FROM:
            prices = prices[1:-1]
        return (sum(prices, Decimal("0")) / len(prices)).quantize(CENTS, rounding=ROUND_HALF_UP)

    def price_score(self, price: Decimal, base: Decimal, scheme: Scheme) -> Decimal:
        rate = scheme.price.deviation_above if price > base else scheme.price.deviation_below
        deduction = abs(price - base) * 100 * rate / base
        return max(points(scheme.price.weight - deduction), Decimal("0.00"))
