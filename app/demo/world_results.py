"""Results of evaluated lots, through the result services: the report hand-off, candidate
publicity, an objection, the award and its notices, the contract, the archive.

The evaluation itself is not replayed here: the lot reaches its evaluating state with an
audit entry (world_projects.py), and the committee's ranking is handed over as the
signed report would hand it (`bidding.results.handoff.receive_report`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import Any

from app.core import clock
from app.core.auth.models import User
from app.core.crypto import canonical_json
from app.demo.catalogue import CENTRES
from app.demo.context import World
from app.demo.documents import pdf
from app.demo.world_bids import bid_factor, bid_round, opening_key, priced

SCORES: list[tuple[str, str, str, str]] = [
    ("92.36", "28.50", "45.86", "18.00"),
    ("88.75", "29.40", "42.35", "17.00"),
    ("85.10", "30.00", "39.10", "16.00"),
]
LOW_PRICE_REASON = (
    "投标报价明显低于其他投标报价，经评标委员会要求澄清后未能合理说明，按低于成本否决。"
)


def stage_bids(world: World, lot: Any, staff: User, bidders: list[User]) -> None:
    """Before the evaluation, in the centre whose custodians the demo prints: every bidder
    seals a bid, then the deadline closes the lot (the other centre's lots jump straight
    to their evaluation, as before)."""
    from bidding.bids import freeze

    if lot.project.centre.code != CENTRES[0]["code"]:
        return
    world.at(lot.doc_start_at + dt.timedelta(days=1))
    opening_key(world, lot, CENTRES[0]["key"])
    bid_round(world, lot, staff, bidders)
    world.at(lot.bid_deadline + dt.timedelta(minutes=1))
    freeze.close_lot(lot)


def _report(lot: Any, bidders: list[User]) -> Any:
    """The committee's ranking as the signed report hands it to the results."""
    from bidding.results.handoff import SignedReport

    # bid_round prices fall with each bidder: the cheapest of four is rejected as too low.
    order = list(reversed(bidders))
    rejected = order[:1] if len(order) > 3 else []
    ranked = order[len(rejected) :][:3]
    scored = lot.evaluation_method.value == "comprehensive"

    def price(user: User) -> str:
        j = bidders.index(user)
        return f"{priced(lot, bid_factor(j)):.2f}"

    candidates = [
        {
            "rank": i + 1,
            "bid_id": None,
            "supplier_id": u.organisation_id,
            "supplier_name": u.organisation.name if u.organisation else "",
            "price": price(u),
            "total": SCORES[i][0] if scored else None,
            "price_score": SCORES[i][1] if scored else None,
            "technical": SCORES[i][2] if scored else None,
            "commercial": SCORES[i][3] if scored else None,
        }
        for i, u in enumerate(ranked)
    ]
    refused = [
        {
            "bid_id": None,
            "supplier_id": u.organisation_id,
            "supplier_name": u.organisation.name if u.organisation else "",
            "reason": LOW_PRICE_REASON,
        }
        for u in rejected
    ]
    body = {"lot": lot.code, "candidates": candidates, "rejected": refused}
    return SignedReport(
        source="demo",
        sha256=hashlib.sha256(canonical_json(body)).hexdigest(),
        pdf_sha256=None,
        at=clock.now(),
        candidates=candidates,
        rejected=refused,
    )


def award(world: World, lot: Any, staff: User, bidders: list[User], *, final: bool) -> None:
    """From the report to the publicity; when `final`, the award, then (once signed) the
    contract; the first contracted lot of the seed is archived too. Where no bids were
    sealed (the second centre) nobody can object: its publicity lot stays at 评标结束 and
    its first awarded lot waits for its contract."""
    from bidding.bids.models import bidder_org_ids
    from bidding.results import filings, publicity
    from bidding.results.handoff import receive_report

    deadline = lot.bid_deadline
    has_bids = bool(bidder_org_ids(lot.id))
    world.at(deadline + dt.timedelta(days=1, hours=6))
    receive_report(lot, _report(lot, bidders), staff)
    if not (final or has_bids):
        return
    world.at(deadline + dt.timedelta(days=1, hours=8))
    publicity.publish_publicity(lot, staff)
    world.announcements += 1
    if not has_bids:
        _award(world, lot, staff)
        return
    objector = bidders[1]  # the second candidate (prices fall with each bidder)
    world.at(deadline + dt.timedelta(days=2, hours=3))
    objection = filings.file_filing(
        lot,
        objector,
        "objection",
        "我公司对第一中标候选人的业绩认定有异议：其所列类似项目业绩的合同金额与招标文件要求不符，"
        "请予复核。",
        attachments=[
            ("业绩核查说明.pdf", io.BytesIO(pdf("业绩核查说明", ["附：合同首页复印件。"])))
        ],
    )
    if not final:
        return  # the objection awaits the agency's answer: the award waits too
    world.at(deadline + dt.timedelta(days=3, hours=2))
    filings.answer_filing(
        objection,
        staff,
        "经复核，第一中标候选人提供的类似项目业绩合同金额满足招标文件要求，异议不成立。",
    )
    _award(world, lot, staff)


def _award(world: World, lot: Any, staff: User) -> None:
    from bidding.results import award as awarding

    result = awarding.loaded_result(lot)
    assert result.publicity_end is not None
    world.at(result.publicity_end + dt.timedelta(hours=10))
    awarding.confirm_award(lot, staff)
    world.announcements += 1
    if (
        lot.project.centre.code != CENTRES[0]["code"]
        and "awaiting_contract" not in world.lots
        and result.contract_due is not None
        and result.contract_due < world.real_now
    ):
        # Awarded long enough ago that its contract is now overdue: a case supervision
        # lights (app/demo/world_supervision.py).
        world.lots["awaiting_contract"] = lot
        return
    _contract(world, lot, staff, result)


def _contract(world: World, lot: Any, staff: User, result: Any) -> None:
    """The contract, eighteen days after the deadline; nothing while it is not yet signed."""
    from bidding.results import contracts

    signed = lot.bid_deadline + dt.timedelta(days=18)
    if signed + dt.timedelta(days=2) > world.real_now:
        return
    world.at(signed + dt.timedelta(days=2, hours=1))
    contracts.file_contract(
        lot,
        staff,
        number=f"HT-{lot.project.code}-01",
        lot_code=lot.code,
        supplier_id=result.winner_supplier_id,
        price=result.award_price,
        signed_on=clock.cst_date(signed),
        filename=f"{lot.code}-合同.pdf",
        stream=io.BytesIO(
            pdf(
                f"{lot.name} 合同",
                [
                    f"采购人：{lot.project.purchaser.name}",
                    f"供应商：{result.winner.name}",
                    f"合同金额：{result.award_price} 元",
                ],
            )
        ),
    )
    world.announcements += 1
    if "archived" not in world.lots:
        from app.archive.build import build_archive

        world.at(signed + dt.timedelta(days=3))
        build_archive(lot, staff)
        world.lots["archived"] = lot
