"""Every evaluation method on worked examples ranked by hand (the arithmetic is in comments)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.core.errors import ValidationError
from remote_eval import methods
from remote_eval.methods import BidderInput, BidderResult, EvaluationMethod, PriceOutcome
from remote_eval.methods.base import abnormal_threshold, dispersed_items
from remote_eval.scheme import CheckItem, PriceItem, Scheme, ScoredItem

D = Decimal
T0 = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def bidder(bid_id: str, price: str | None, minute: int = 0, **kw: object) -> BidderInput:
    return BidderInput(
        bid_id=bid_id,
        name=f"投标人{bid_id}",
        price=None if price is None else D(price),
        submitted_at=at(minute),
        **kw,  # type: ignore[arg-type]
    )


def sheet(t1: str, t2: str, c1: str) -> dict[str, Decimal]:
    return {"T1": D(t1), "T2": D(t2), "C1": D(c1)}


def by_id(results: list[BidderResult]) -> dict[object, BidderResult]:
    return {r.bid_id: r for r in results}


REVIEW = dict(
    qualification=(CheckItem("Q1", "营业执照"),),
    compliance=(CheckItem("K1", "投标有效期"),),
)
PASS_FAIL = Scheme(method="lowest_price", **REVIEW)  # type: ignore[arg-type]
SCORED = Scheme(
    method="comprehensive",
    price=PriceItem(weight=D(30)),
    technical=(
        ScoredItem("T1", "技术方案", D(40), "range", step=D("0.5")),
        ScoredItem("T2", "实施方案", D(10), "fixed", choices=(D(0), D(5), D(10))),
    ),
    commercial=(ScoredItem("C1", "售后服务", D(20), "fixed", choices=(D(0), D(10), D(20))),),
    **REVIEW,  # type: ignore[arg-type]
)


def test_registry_lists_every_method_once() -> None:
    assert [m.code for m in methods.all_methods()] == [
        "lowest_price",
        "comprehensive",
        "reasonable_lowest",
        "average_base",
    ]
    assert str(methods.get("comprehensive").label) == "综合评分法"
    assert methods.get("lowest_price").uses_scores is False
    assert methods.find("lottery") is None
    with pytest.raises(KeyError):
        methods.get("lottery")
    with pytest.raises(ValueError):
        methods.register(type(methods.get("comprehensive")))


def test_a_local_method_is_one_class_and_one_register_line() -> None:
    class Highest(EvaluationMethod):  # a toy, to show the extension point
        code = "test_highest"
        label = "最高价"
        uses_scores = False

        def price_scores(self, prices, scheme, ceiling):  # type: ignore[no-untyped-def]
            return {b.bid_id: PriceOutcome() for b in prices}

        def sort_key(self, result):  # type: ignore[no-untyped-def]
            return (-result.price,)

    methods.register(Highest)
    try:
        run = methods.get("test_highest").evaluate(
            [bidder("A", "1"), bidder("B", "2")], PASS_FAIL, None
        )
        assert [c.bid_id for c in run.candidates] == ["B", "A"]
    finally:
        methods._REGISTRY.pop("test_highest")


# 最低评标价法 / 经评审的合理最低投标价法: one field of six bids, ceiling 500 000.00
#   A 450 000 (10:00)   B 430 000 (10:05)   C 430 000 (09:50)
#   D 510 000 → above the ceiling, rejected
#   E failed the qualification review, its price is never read
#   F 180 000
# Valid prices: A, B, C, F. Average = (450 000 + 430 000 + 430 000 + 180 000) / 4
#   = 1 490 000 / 4 = 372 500; threshold = 0.5 × 372 500 = 186 250 → F is abnormally low.
CEILING = D("500000.00")


def field_of_six(f_explained: bool = False) -> list[BidderInput]:
    return [
        bidder("A", "450000.00", 60),
        bidder("B", "430000.00", 65),
        bidder("C", "430000.00", 50),
        bidder("D", "510000.00", 10),
        bidder("E", "300000.00", 20, passed=False, fail_reasons=["营业执照已过期"]),
        bidder("F", "180000.00", 30, explained_ok=f_explained),
    ]


def test_lowest_price_ranks_by_price_then_earlier_submission() -> None:
    run = methods.get("lowest_price").evaluate(field_of_six(), PASS_FAIL, CEILING)
    r = by_id(run.results)
    # F flagged but kept (this method only flags); B and C tie at 430 000: C submitted at
    # 09:50, before B at 10:05, so C ranks first of the two. A (450 000) is fourth.
    assert [c.bid_id for c in run.candidates] == ["F", "C", "B"]
    assert [(k, r[k].rank) for k in "ABCDEF"] == [
        ("A", 4),
        ("B", 3),
        ("C", 2),
        ("D", None),
        ("E", None),
        ("F", 1),
    ]
    assert r["F"].abnormally_low is True
    assert [r[k].abnormally_low for k in "ABCD"] == [False] * 4
    assert r["D"].rejected_reason == "报价 510000.00 元超过最高限价 500000.00 元。"
    assert r["E"].rejected_reason == "营业执照已过期"
    assert r["A"].price_score is None and r["A"].total is None


def test_reasonable_lowest_rejects_an_unexplained_abnormally_low_price() -> None:
    method = methods.get("reasonable_lowest")
    run = method.evaluate(field_of_six(f_explained=False), PASS_FAIL, CEILING)
    r = by_id(run.results)
    # F (180 000 < 186 250) did not explain its price: rejected. Then C, B (tie → C
    # earlier), A.
    assert r["F"].rejected_reason == (
        "报价低于有效报价平均值的 50%（异常低价），且未能说明其合理性。"
    )
    assert r["F"].abnormally_low is True and r["F"].rank is None
    assert [(c.bid_id, c.rank) for c in run.candidates] == [("C", 1), ("B", 2), ("A", 3)]
    # Explained to the committee's satisfaction: F stays and wins.
    run = method.evaluate(field_of_six(f_explained=True), PASS_FAIL, CEILING)
    assert [c.bid_id for c in run.candidates] == ["F", "C", "B"]


def test_a_price_at_the_ceiling_is_valid_and_a_missing_price_is_rejected() -> None:
    run = methods.get("lowest_price").evaluate(
        [bidder("A", "500000.00"), bidder("B", None), bidder("C", "0")], PASS_FAIL, CEILING
    )
    r = by_id(run.results)
    assert r["A"].rank == 1 and r["A"].valid
    assert r["B"].rejected_reason == "未报价。"
    assert r["C"].rejected_reason == "报价 0 元无效，应大于 0。"
    # no ceiling at all: nothing is too high
    run = methods.get("lowest_price").evaluate([bidder("A", "9999999.99")], PASS_FAIL, None)
    assert run.candidates[0].bid_id == "A"


def test_abnormal_threshold_is_a_share_of_the_average_valid_price() -> None:
    prices = [D("450000"), D("430000"), D("430000"), D("180000")]
    assert abnormal_threshold(prices, D("0.5")) == D("186250")
    assert abnormal_threshold([], D("0.5")) is None
    assert abnormal_threshold([D("100")], D("0.5")) == D("50")  # a lone bid is never below


# 综合评分法, weight 30, ceiling 1 000 000.00, three members m1 m2 m3
#   A 800 000.00    B 1 000 000.00 (at the ceiling: valid)
#   C 1 000 000.01 → above the ceiling, rejected
#   D failed the compliance item 投标有效期
# Base price = lowest valid = 800 000.
#   A price score = 800 000 / 800 000 × 30 = 30.00
#   B price score = 800 000 / 1 000 000 × 30 = 24.00
# A: m1 T1 30 + T2 5 = 35, C1 10; m2 31.5 + 5 = 36.5, C1 10; m3 32 + 10 = 42, C1 20
#   technical = (35 + 36.5 + 42) / 3 = 113.5 / 3 = 37.8333… → 37.83
#   commercial = (10 + 10 + 20) / 3 = 13.333… → 13.33
#   total = 37.83 + 13.33 + 30.00 = 81.16
# B: m1 38 + 10 = 48, 20; m2 39 + 10 = 49, 20; m3 40 + 10 = 50, 20
#   technical = 147 / 3 = 49.00, commercial = 20.00, total = 49 + 20 + 24 = 93.00
# Ranking: B (93.00), A (81.16).
def test_comprehensive_worked_example() -> None:
    bids = [
        bidder(
            "A",
            "800000.00",
            member_scores={
                "m1": sheet("30", "5", "10"),
                "m2": sheet("31.5", "5", "10"),
                "m3": sheet("32", "10", "20"),
            },
        ),
        bidder(
            "B",
            "1000000.00",
            member_scores={
                "m1": sheet("38", "10", "20"),
                "m2": sheet("39", "10", "20"),
                "m3": sheet("40", "10", "20"),
            },
        ),
        bidder("C", "1000000.01", member_scores={"m1": sheet("40", "10", "20")}),
        bidder("D", "700000.00", passed=False, fail_reasons=["投标有效期不足 90 日"]),
    ]
    run = methods.get("comprehensive").evaluate(bids, SCORED, D("1000000.00"))
    r = by_id(run.results)
    assert (r["A"].price_score, r["A"].technical, r["A"].commercial, r["A"].total) == (
        D("30.00"),
        D("37.83"),
        D("13.33"),
        D("81.16"),
    )
    assert (r["B"].price_score, r["B"].technical, r["B"].commercial, r["B"].total) == (
        D("24.00"),
        D("49.00"),
        D("20.00"),
        D("93.00"),
    )
    assert [(c.bid_id, c.rank) for c in run.candidates] == [("B", 1), ("A", 2)]
    assert r["C"].rejected_reason == "报价 1000000.01 元超过最高限价 1000000.00 元。"
    assert r["C"].total is None and r["C"].rank is None
    assert r["D"].rejected_reason == "投标有效期不足 90 日" and r["D"].price_score is None
    # Spread between members, against 20 % of the item's maximum: A's T1 32 − 30 = 2 ≤ 8,
    # T2 10 − 5 = 5 > 2, C1 20 − 10 = 10 > 4. B's T1 40 − 38 = 2 ≤ 8, T2 and C1 agree.
    assert r["A"].dispersed_items == ["T2", "C1"]
    assert r["B"].dispersed_items == []


# Ties, weight 30, one member (m1), no ceiling:
#   P 100 000 (09:10): price 30.00; T1 40 + T2 0 = 40; C1 10 → 80.00
#   Q 120 000 (09:00): price 100 000 / 120 000 × 30 = 25.00; 40 + 5 = 45; C1 10 → 80.00
#   R 100 000 (09:01): price 30.00; 30 + 0 = 30; C1 20 → 80.00
#   S 100 000 (09:05): exactly as P, submitted earlier
# Totals tie. Price score: P R S (30) before Q (25), though Q was first to submit.
# Technical: P S (40) before R (30), though R submitted before both.
# P and S tie on everything scored: S submitted first. Order S, P, R, then Q fourth.
def test_comprehensive_tie_rules() -> None:
    bids = [
        bidder("P", "100000", 10, member_scores={"m1": sheet("40", "0", "10")}),
        bidder("Q", "120000", 0, member_scores={"m1": sheet("40", "5", "10")}),
        bidder("R", "100000", 1, member_scores={"m1": sheet("30", "0", "20")}),
        bidder("S", "100000", 5, member_scores={"m1": sheet("40", "0", "10")}),
    ]
    run = methods.get("comprehensive").evaluate(bids, SCORED, None)
    totals = {r.bid_id: (r.total, r.price_score, r.technical) for r in run.results}
    assert totals == {
        "P": (D("80.00"), D("30.00"), D("40.00")),
        "Q": (D("80.00"), D("25.00"), D("45.00")),
        "R": (D("80.00"), D("30.00"), D("30.00")),
        "S": (D("80.00"), D("30.00"), D("40.00")),
    }
    assert [(c.bid_id, c.rank) for c in run.candidates] == [("S", 1), ("P", 2), ("R", 3)]
    assert by_id(run.results)["Q"].rank == 4


# Rounding is ROUND_HALF_UP on the exact quotient, weight 10 (services):
#   base 570 000, price 800 000: 570 000 × 10 / 800 000 = 7.125 → 7.13 (half-even: 7.12)
#   price 900 000: 5 700 000 / 900 000 = 6.333… → 6.33
# Average of valid prices = (570 000 + 800 000 + 900 000) / 3 = 756 666.67; half of it is
# 378 333.33: nothing is abnormally low.
def test_comprehensive_price_score_rounds_half_up() -> None:
    scheme = Scheme(
        method="comprehensive",
        price=PriceItem(weight=D(10)),
        technical=SCORED.technical,
        commercial=SCORED.commercial,
    )
    prices = [bidder("A", "570000"), bidder("B", "800000"), bidder("C", "900000")]
    outcomes = methods.get("comprehensive").price_scores(prices, scheme, None)
    assert {k: v.score for k, v in outcomes.items()} == {
        "A": D("10.00"),
        "B": D("7.13"),
        "C": D("6.33"),
    }
    assert not any(v.abnormally_low for v in outcomes.values())


# An abnormally low price under 综合评分法 is flagged, still scored, and sets the base:
#   prices 300 000, 800 000, 900 000; average = 2 000 000 / 3 = 666 666.67; half = 333 333.33
#   300 000 < 333 333.33 → flagged. Scores: 30.00, 300 000 × 30 / 800 000 = 11.25,
#   9 000 000 / 900 000 = 10.00.
def test_comprehensive_flags_an_abnormally_low_price() -> None:
    prices = [bidder("A", "300000"), bidder("B", "800000"), bidder("C", "900000")]
    outcomes = methods.get("comprehensive").price_scores(prices, SCORED, None)
    assert {k: (v.score, v.abnormally_low, v.rejected_reason) for k, v in outcomes.items()} == {
        "A": (D("30.00"), True, ""),
        "B": (D("11.25"), False, ""),
        "C": (D("10.00"), False, ""),
    }


def test_scores_must_be_complete_and_allowed_by_the_scheme() -> None:
    method = methods.get("comprehensive")
    incomplete = [
        bidder("A", "100", member_scores={"m1": sheet("40", "5", "10"), "m2": {"T1": D(1)}}),
    ]
    with pytest.raises(ValidationError) as caught:
        method.evaluate(incomplete, SCORED, None)
    assert str(caught.value.message) == "评委 m2 尚未对“投标人A”的“实施方案”打分。"
    off_grid = [bidder("A", "100", member_scores={"m1": sheet("40", "7", "10")})]
    with pytest.raises(ValidationError) as caught:
        method.evaluate(off_grid, SCORED, None)
    assert str(caught.value.message) == (
        "评委 m1 对“投标人A”的“实施方案”打 7 分无效：应为以下分值之一：0、5、10。"
    )
    too_high = [bidder("A", "100", member_scores={"m1": sheet("40.5", "5", "10")})]
    with pytest.raises(ValidationError) as caught:
        method.evaluate(too_high, SCORED, None)
    assert str(caught.value.message).endswith("“技术方案”打 40.5 分无效：应在 0–40 分之间。")
    off_step = [bidder("A", "100", member_scores={"m1": sheet("39.25", "5", "10")})]
    with pytest.raises(ValidationError) as caught:
        method.evaluate(off_step, SCORED, None)
    assert str(caught.value.message).endswith("应为 0.5 分的整数倍。")
    # The failed bid needs no scores; the valid one has none at all.
    nobody = [bidder("A", "100", passed=False), bidder("B", "100")]
    with pytest.raises(ValidationError) as caught:
        method.evaluate(nobody, SCORED, None)
    assert str(caught.value.message) == "尚无评委提交评分。"


def test_dispersion_share_is_configurable() -> None:
    scheme = Scheme(
        method="comprehensive",
        price=PriceItem(weight=D(30), dispersion_share=D("0.5")),
        technical=SCORED.technical,
        commercial=SCORED.commercial,
    )
    sheets = {"m1": sheet("30", "5", "10"), "m2": sheet("32", "10", "20")}
    b = bidder("A", "1", member_scores=sheets)
    # T2 spread 5 ≤ 10 × 0.5 = 5 and C1 spread 10 ≤ 20 × 0.5 = 10: nothing flagged;
    # at the default 0.2 both are (5 > 2, 10 > 4).
    assert dispersed_items(b, scheme) == []
    assert dispersed_items(b, SCORED) == ["T2", "C1"]


# 平均值基准价法, weight 30, E = 1 above the base, 0.5 below, ceiling 1 300 000, one member.
# Valid prices: 900 000, 950 000, 1 000 000, 1 050 000, 1 300 000 (five: trim the ends);
# 1 400 000 is above the ceiling and left out of everything.
#   base = (950 000 + 1 000 000 + 1 050 000) / 3 = 1 000 000.00
#   900 000: 10 % below → 30 − 10 × 0.5 = 25.00
#   950 000: 5 % below → 30 − 5 × 0.5 = 27.50
#   1 000 000: 30.00
#   1 050 000: 5 % above → 30 − 5 × 1 = 25.00
#   1 300 000: 30 % above → 30 − 30 × 1 = 0.00
# Technical + commercial: 70 for all except 900k (T1 40 + T2 10 = 50, C1 10 → 60) and
#   1050k (T1 30 + T2 10 = 40, C1 20 → 60).
# Totals: 900k 85.00, 950k 97.50, 1000k 100.00, 1050k 85.00, 1300k 70.00.
# 900k and 1050k tie on total (85) and price score (25): technical 50 > 40 → 900k first.
# Ranking: 1000k, 950k, 900k, 1050k, 1300k.
# Abnormal line: average of the five = 5 200 000 / 5 = 1 040 000, half = 520 000: none.
AVERAGE = Scheme(
    method="average_base",
    price=PriceItem(
        weight=D(30), formula="average_base", deviation_above=D(1), deviation_below=D("0.5")
    ),
    technical=SCORED.technical,
    commercial=SCORED.commercial,
)


def test_average_base_worked_example() -> None:
    full = {"m1": sheet("40", "10", "20")}
    bids = [
        bidder("900k", "900000", member_scores={"m1": sheet("40", "10", "10")}),
        bidder("950k", "950000", member_scores=full),
        bidder("1000k", "1000000", member_scores=full),
        bidder("1050k", "1050000", member_scores={"m1": sheet("30", "10", "20")}),
        bidder("1300k", "1300000", member_scores=full),
        bidder("1400k", "1400000"),
    ]
    run = methods.get("average_base").evaluate(bids, AVERAGE, D("1300000"))
    r = by_id(run.results)
    assert {k: (v.price_score, v.technical, v.total, v.rank) for k, v in r.items()} == {
        "900k": (D("25.00"), D("50.00"), D("85.00"), 3),
        "950k": (D("27.50"), D("50.00"), D("97.50"), 2),
        "1000k": (D("30.00"), D("50.00"), D("100.00"), 1),
        "1050k": (D("25.00"), D("40.00"), D("85.00"), 4),
        "1300k": (D("0.00"), D("50.00"), D("70.00"), 5),
        "1400k": (None, None, None, None),
    }
    assert r["1400k"].rejected_reason == "报价 1400000.00 元超过最高限价 1300000.00 元。"
    assert [c.bid_id for c in run.candidates] == ["1000k", "950k", "900k"]
    assert not any(v.abnormally_low for v in r.values())


# Four valid prices: no trimming. base = (900 000 + 1 000 000 + 1 100 000 + 1 200 000) / 4
#   = 1 050 000. 900 000: 150 000 / 1 050 000 × 100 = 14.2857… % below × 0.5 = 7.142857…
#   → 30 − 7.142857… = 22.857… → 22.86. 1 200 000: 14.2857… above × 1 → 15.714… → 15.71.
#   1 100 000: 4.7619… above → 25.238… → 25.24. 1 000 000: 4.7619… below × 0.5 = 2.38095…
#   → 27.619… → 27.62.
# A price 60 % above a base drops to 0, never below (weight 30 − 60 = −30 → 0.00).
def test_average_base_without_trimming_and_floor_at_zero() -> None:
    method = methods.get("average_base")
    prices = [D("900000"), D("1000000"), D("1100000"), D("1200000")]
    assert method.base_price(prices, AVERAGE) == D("1050000.00")  # type: ignore[attr-defined]
    outcomes = method.price_scores([bidder(str(p), str(p)) for p in prices], AVERAGE, None)
    assert [outcomes[str(p)].score for p in prices] == [
        D("22.86"),
        D("27.62"),
        D("25.24"),
        D("15.71"),
    ]
    assert method.price_score(D("160"), D("100"), AVERAGE) == D("0.00")  # type: ignore[attr-defined]
    # Trimmed base for five with an outlier: (2 + 3 + 4) / 3 = 3.00, the 100 is dropped.
    five = [D(1), D(2), D(3), D(4), D(100)]
    assert method.base_price(five, AVERAGE) == D("3.00")  # type: ignore[attr-defined]
