"""What every evaluation method (评标办法) shares: its inputs and results, the price screen.

A method sees plain values, never the database: the evaluation room builds one
`BidderInput` per opened bid (review outcome, opened price, each member's scores) and
stores the `BidderResult`s it gets back. The shared steps live here so that every method
treats prices the same way:

1. a bid that failed a qualification or compliance item is out before prices are read;
2. a missing price, a price of zero or less, or a price above the ceiling is rejected (否决);
3. the rest are the valid prices. One below `abnormal_share` × their average is flagged
   abnormally low (异常低价): the committee must ask the bidder to explain it before
   the price is scored (`BidderInput.explained_ok` carries the committee's conclusion);
4. the method scores prices and ranks the valid bids by its own tie rules.

Amounts are Decimal yuan; scores are Decimal points with two places, ROUND_HALF_UP, as
printed in the report.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l

from app.core.errors import ValidationError
from remote_eval.methods import rules
from remote_eval.scheme import LOW_BASE, Scheme, SchemeError, ScoredItem, num

CENTS = Decimal("0.01")
POINTS = Decimal("0.01")
CANDIDATES = 3  # 中标候选人: the law asks for one to three, ranked

BidId = int | str


def points(value: Decimal) -> Decimal:
    return value.quantize(POINTS, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class BidderInput:
    bid_id: BidId
    name: str
    price: Decimal | None  # the opened total price (投标报价), yuan
    submitted_at: dt.datetime  # when the bid that counts was submitted (tie breaker)
    passed: bool = True  # passed every qualification and compliance item
    fail_reasons: list[str] = field(default_factory=list)  # the items failed, as recorded
    # member id → item id → points; empty for methods that do not score
    member_scores: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)
    explained_ok: bool = False  # an abnormally low price was explained to the committee


@dataclass(frozen=True)
class PriceOutcome:
    score: Decimal | None = None  # None for methods without a price score, or rejected
    rejected_reason: str = ""
    abnormally_low: bool = False


@dataclass
class BidderResult:
    bid_id: BidId
    name: str
    price: Decimal | None
    submitted_at: dt.datetime
    price_score: Decimal | None = None
    technical: Decimal | None = None  # average over members of the group's points
    commercial: Decimal | None = None
    total: Decimal | None = None
    rejected_reason: str = ""  # empty while the bid is valid
    abnormally_low: bool = False
    rank: int | None = None  # 1, 2, … for valid bids after ranking
    dispersed_items: list[str] = field(default_factory=list)  # members far apart on these

    @property
    def valid(self) -> bool:
        return not self.rejected_reason


@dataclass(frozen=True)
class Evaluation:
    results: list[BidderResult]  # every bidder, in input order
    candidates: list[BidderResult]  # the ranked candidates, at most CANDIDATES


def abnormal_threshold(valid_prices: Sequence[Decimal], share: Decimal) -> Decimal | None:
    """Prices strictly below this are abnormally low; None when nothing is valid.

    The average includes the low price itself: that is how centres compute it, and a
    lone bidder is never abnormal against itself (share < 1).
    """
    if not valid_prices:
        return None
    return share * sum(valid_prices, Decimal("0")) / len(valid_prices)


def screen_prices(
    bidders: Sequence[BidderInput], scheme: Scheme, ceiling: Decimal | None
) -> dict[BidId, PriceOutcome]:
    """Steps 2 and 3 above for bidders that passed the review; no scores yet."""
    outcomes: dict[BidId, PriceOutcome] = {}
    for b in bidders:
        if b.price is None:
            outcomes[b.bid_id] = PriceOutcome(rejected_reason=str(_l("未报价。")))
        elif b.price <= 0:
            outcomes[b.bid_id] = PriceOutcome(
                rejected_reason=str(_l("报价 %(p)s 元无效，应大于 0。", p=num(b.price)))
            )
        elif ceiling is not None and b.price > ceiling:
            outcomes[b.bid_id] = PriceOutcome(
                rejected_reason=str(
                    _l(
                        "报价 %(p)s 元超过最高限价 %(c)s 元。",
                        p=b.price.quantize(CENTS),
                        c=ceiling.quantize(CENTS),
                    )
                )
            )
    valid = [b.price for b in bidders if b.bid_id not in outcomes and b.price is not None]
    threshold = abnormal_threshold(valid, scheme.price.abnormal_share)
    for b in bidders:
        if b.bid_id not in outcomes:
            low = threshold is not None and b.price is not None and b.price < threshold
            outcomes[b.bid_id] = PriceOutcome(abnormally_low=low)
    return outcomes


def unexplained_low_reason(scheme: Scheme) -> str:
    return str(
        _l(
            "报价低于有效报价平均值的 %(share)s%%（异常低价），且未能说明其合理性。",
            share=num(scheme.price.abnormal_share * 100),
        )
    )


def dispersed_items(bidder: BidderInput, scheme: Scheme) -> list[str]:
    """Items whose highest and lowest member scores differ by more than the share of max.

    The summary shows these so that the leader can ask members to re-check (复核) before
    the scores are final; it is a warning, never a rejection.
    """
    out: list[str] = []
    for item in scheme.scored_items:
        given = [s[item.id] for s in bidder.member_scores.values() if item.id in s]
        if given and max(given) - min(given) > item.maximum * scheme.price.dispersion_share:
            out.append(item.id)
    return out


def score_problem(item: ScoredItem, value: Decimal) -> str:
    """Why a member's points for an item are not allowed by the scheme; "" when fine."""
    if item.type == "fixed":
        if value not in item.choices:
            allowed = "、".join(num(c) for c in item.choices)
            return str(_l("应为以下分值之一：%(allowed)s。", allowed=allowed))
        return ""
    if not Decimal("0") <= value <= item.maximum:
        return str(_l("应在 0–%(max)s 分之间。", max=num(item.maximum)))
    if value % item.step != 0:
        return str(_l("应为 %(step)s 分的整数倍。", step=num(item.step)))
    return ""


class EvaluationMethod(ABC):
    """One evaluation method. Subclasses are stateless; the registry holds one instance."""

    code: ClassVar[str]
    label: ClassVar[Any]  # lazy Chinese name, as printed in the report
    uses_scores: ClassVar[bool]  # technical and commercial items are scored
    tie_rule: ClassVar[Any]  # lazy sentence under the ranking: how `sort_key` orders ties
    price_formulas: ClassVar[tuple[str, ...]] = (LOW_BASE,)

    def validate(
        self, scheme: Scheme, category_code: str, settings: Mapping[str, Any] | None = None
    ) -> list[SchemeError]:
        """Rules of this method beyond the item checks of `remote_eval.scheme.validate`.

        Scoring methods: both groups present, weights add up to 100, the price weight in
        the category's range. Others: no scored items and no price weight. Subclasses
        extend the list (call super) rather than replace it.
        """
        if self.uses_scores:
            errors = rules.scored_rules(scheme, category_code, settings)
        else:
            errors = rules.unscored_rules(scheme, self.label)
        if scheme.price.formula in self.price_formulas:
            return errors
        return errors + [
            SchemeError(
                "price.formula",
                _l(
                    "%(method)s的价格分计算方式应为 %(expected)s，现为“%(got)s”。",
                    method=self.label,
                    expected="、".join(self.price_formulas),
                    got=scheme.price.formula,
                ),
            )
        ]

    @abstractmethod
    def price_scores(
        self, prices: Sequence[BidderInput], scheme: Scheme, ceiling: Decimal | None
    ) -> dict[BidId, PriceOutcome]:
        """Score (or only screen) the prices of the bidders that passed the review."""

    @abstractmethod
    def sort_key(self, result: BidderResult) -> tuple[Any, ...]:
        """The order of valid bids, best first: the method's tie rules."""

    def rank(
        self, results: Sequence[BidderResult], scheme: Scheme, limit: int = CANDIDATES
    ) -> list[BidderResult]:
        """Number every valid result 1, 2, … (rejected ones keep rank None); return the top.

        Python's sort is stable, so results equal on the whole key keep input order; the
        room feeds bids in opening order, which is then the last resort.
        """
        ordered = sorted((r for r in results if r.valid), key=self.sort_key)
        for position, result in enumerate(ordered, start=1):
            result.rank = position
        for result in results:
            if not result.valid:
                result.rank = None
        return ordered[:limit]

    def evaluate(
        self, bidders: Sequence[BidderInput], scheme: Scheme, ceiling: Decimal | None
    ) -> Evaluation:
        """The whole method: review outcome, prices, scores, totals, ranking."""
        results = [BidderResult(b.bid_id, b.name, b.price, b.submitted_at) for b in bidders]
        by_id = {r.bid_id: r for r in results}
        if len(by_id) != len(results):
            raise ValidationError(_l("投标编号重复。"), field="bid_id")
        for b in bidders:
            if not b.passed:
                reason = "；".join(b.fail_reasons) or str(_l("未通过资格审查或符合性审查。"))
                by_id[b.bid_id].rejected_reason = reason
        passed = [b for b in bidders if b.passed]
        for bid_id, outcome in self.price_scores(passed, scheme, ceiling).items():
            result = by_id[bid_id]
            result.price_score = outcome.score
            result.rejected_reason = outcome.rejected_reason
            result.abnormally_low = outcome.abnormally_low
        if self.uses_scores:
            scored = [b for b in passed if by_id[b.bid_id].valid]
            _check_member_scores(scored, scheme)
            for b in scored:
                result = by_id[b.bid_id]
                result.technical = _group_average(b, scheme.technical)
                result.commercial = _group_average(b, scheme.commercial)
                # The total adds the rounded columns, so that the report's row adds up.
                result.total = result.technical + result.commercial + (result.price_score or 0)
                result.dispersed_items = dispersed_items(b, scheme)
        candidates = self.rank(results, scheme)
        return Evaluation(results=results, candidates=candidates)


def _group_average(bidder: BidderInput, items: Sequence[ScoredItem]) -> Decimal:
    sheets = list(bidder.member_scores.values())
    total = sum((sheet[i.id] for sheet in sheets for i in items), Decimal("0"))
    return points(total / len(sheets))


def _check_member_scores(bidders: Sequence[BidderInput], scheme: Scheme) -> None:
    """Every member scored every item of every valid bid, within the item's rule."""
    members = sorted({m for b in bidders for m in b.member_scores})
    if bidders and not members:
        raise ValidationError(_l("尚无评委提交评分。"), field="member_scores")
    for b in bidders:
        for member in members:
            sheet = b.member_scores.get(member, {})
            for item in scheme.scored_items:
                if item.id not in sheet:
                    raise ValidationError(
                        _l(
                            "评委 %(member)s 尚未对“%(bidder)s”的“%(item)s”打分。",
                            member=member,
                            bidder=b.name,
                            item=item.name,
                        ),
                        field="member_scores",
                    )
                problem = score_problem(item, sheet[item.id])
                if problem:
                    raise ValidationError(
                        _l(
                            "评委 %(member)s 对“%(bidder)s”的“%(item)s”打 %(v)s 分无效：%(why)s",
                            member=member,
                            bidder=b.name,
                            item=item.name,
                            v=num(sheet[item.id]),
                            why=problem,
                        ),
                        field="member_scores",
                    )
            unknown = sorted(set(sheet) - {i.id for i in scheme.scored_items})
            if unknown:
                raise ValidationError(
                    _l(
                        "评委 %(member)s 对“%(bidder)s”的评分含评分办法中没有的项：%(ids)s。",
                        member=member,
                        bidder=b.name,
                        ids="、".join(unknown),
                    ),
                    field="member_scores",
                )
