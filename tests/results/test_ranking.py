"""The result stage ranks by the method's result rule: 询价 (lowest compliant price) from the
bids the committee kept, whatever order its scoring gave; open tendering keeps the
committee's ranking."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from sqlalchemy import select

from app.core.audit.models import AuditEntry
from app.core.extensions import db
from bidding.models import Method
from bidding.results import ranking
from bidding.results.handoff import SignedReport
from tests.results.world import PRICES, build


def _names(rows: list[dict[str, Any]]) -> list[str]:
    return [r["supplier_name"][3] for r in rows]  # 投标人X有限公司 → X


def test_an_inquiry_is_won_by_the_lowest_compliant_price(app: Any) -> None:
    # The committee kept B, C and A (in that order by its scores); D's 700000 was rejected.
    w = build(method=Method.INQUIRY, ranked=(1, 2, 0))
    assert _names(w.result.candidates) == ["A", "B", "C"]
    assert [c["rank"] for c in w.result.candidates] == [1, 2, 3]
    assert [c["price"] for c in w.result.candidates] == [PRICES[0], PRICES[1], PRICES[2]]
    data = json.loads(
        db.session.execute(
            select(AuditEntry.data).where(AuditEntry.action == "lot.evaluated")
        ).scalar_one()
    )
    assert data["ranked_by"] == "lowest_price"


def test_an_open_tender_keeps_the_committee_ranking(app: Any) -> None:
    w = build(method=Method.OPEN, ranked=(1, 2, 0))
    assert _names(w.result.candidates) == ["B", "C", "A"]


def test_equal_prices_rank_by_the_earlier_response_then_opening_order(app: Any) -> None:
    w = build(method=Method.INQUIRY, ranked=(1, 2, 0))
    base = {"supplier_id": 1, "total": None}
    rows = [
        {**base, "bid_id": 11, "supplier_name": "投标人E", "price": "500.00",
         "received_at": "2026-03-29T02:00:00+00:00"},
        {**base, "bid_id": 12, "supplier_name": "投标人F", "price": "500.00",
         "received_at": "2026-03-29T01:00:00+00:00"},
        {**base, "bid_id": 13, "supplier_name": "投标人G", "price": "499.99",
         "received_at": "2026-03-29T03:00:00+00:00"},
        {**base, "bid_id": 14, "supplier_name": "投标人H", "price": "500.00",
         "received_at": "2026-03-29T01:00:00+00:00"},
    ]  # fmt: skip
    report = SignedReport(source="t", sha256="0" * 64, pdf_sha256=None, at=w.result.report_at)
    ranked = ranking.candidates(w.lot, dataclasses.replace(report, valid=rows))
    assert _names(ranked) == ["G", "F", "H"]
    # A report listing only its candidates: those are the valid bids.
    only = dataclasses.replace(report, candidates=[rows[0], rows[2]])
    assert _names(ranking.candidates(w.lot, only)) == ["G", "E"]
    assert ranking.candidates(w.lot, report) == []
