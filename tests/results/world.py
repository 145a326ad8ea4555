"""A lot whose evaluation report was just signed, with its people, for the result stages.

The lot, its bids (DECRYPTED rows) and the report hand-off are built directly: the
evaluation room that produces the report is tested in tests/remote_eval (its last
signature calls the same `receive_report`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from decimal import Decimal

from app.core import clock
from app.core.auth.models import Holiday, OrgKind, Role, User
from app.core.extensions import db
from app.core.storage import get_store
from bidding.bids.models import Bid, BidStatus, LotFreeze
from bidding.documents.models import TenderDocument
from bidding.models import EvalMethod, Lot, LotStatus, Method, Project
from bidding.results.handoff import SignedReport, receive_report
from bidding.results.models import LotResult
from tests.factories import make_centre, make_org, make_user, token_headers

# Wednesday 1 April 2026, 09:00 Beijing time.
T0 = dt.datetime(2026, 4, 1, 1, 0, tzinfo=dt.UTC)
PRICES = ["880000.00", "910000.00", "950000.00", "700000.00"]


@dataclass
class ResultWorld:
    lot: Lot
    result: LotResult
    staff: User
    purchaser_staff: User
    supervisor: User
    other_supervisor: User
    bidders: list[User]  # A, B, C candidates in rank order; D rejected
    outsider: User  # a supplier who did not bid

    def headers(self, user: User) -> dict[str, str]:
        return token_headers(user)


def build(
    category: str = "B01",
    method: Method = Method.OPEN,
    valid: int = 3,
    ranked: tuple[int, ...] | None = None,
) -> ResultWorld:
    """`valid`: how many bids the report keeps as candidates (the rest are rejected);
    `ranked`: which bids (by index into PRICES) the committee ranked, best first."""
    order = ranked if ranked is not None else tuple(range(valid))
    clock.set_now(T0)
    centre = make_centre()
    other = make_centre()
    # 清明 2026: Monday 6 April is a holiday in this centre's calendar.
    db.session.add(Holiday(centre_id=centre.id, day=dt.date(2026, 4, 6), name="清明节"))
    agency = make_org(OrgKind.AGENCY, centre=centre)
    purchaser = make_org(OrgKind.PURCHASER, centre=centre)
    staff = make_user(Role.STAFF, organisation=agency, centre=centre)
    purchaser_staff = make_user(Role.STAFF, organisation=purchaser, centre=centre)
    supervisor = make_user(Role.SUPERVISOR, centre=centre)
    other_supervisor = make_user(Role.SUPERVISOR, centre=other)
    project = Project(
        code=f"TH-RS-{centre.id}",
        trade_id=f"TRADE-RS-{centre.id}",
        name="市政道路照明改造",
        centre_id=centre.id,
        purchaser_id=purchaser.id,
        agency_id=agency.id,
        method=method,
        category_code=category,
        created_by_id=staff.id,
        created_at=clock.now(),
    )
    db.session.add(project)
    db.session.flush()
    lot = Lot(
        project_id=project.id,
        seq=1,
        code=f"TH-RS-{centre.id}-01",
        name="照明设备采购",
        category_code=category,
        budget=Decimal("1200000.00"),
        ceiling_price=Decimal("1000000.00"),
        bid_bond=Decimal("10000.00"),
        evaluation_method=EvalMethod.COMPREHENSIVE,
        status=LotStatus.EVALUATING,
        bid_deadline=T0 - dt.timedelta(days=2),
        opening_place="开标大厅一号厅",
    )
    db.session.add(lot)
    db.session.flush()
    bidders, bids = [], []
    for i, price in enumerate(PRICES):
        org = make_org(OrgKind.SUPPLIER, name=f"投标人{'ABCD'[i]}有限公司")
        user = make_user(Role.SUPPLIER, organisation=org)
        bid = Bid(
            lot_id=lot.id,
            supplier_id=org.id,
            version=1,
            status=BidStatus.DECRYPTED,
            ciphertext_sha256=get_store().put_bytes(f"sealed bid {i}".encode() * 20)[0],
            size=len(f"sealed bid {i}".encode() * 20),
            received_at=T0 - dt.timedelta(days=3),
            submitted_by_id=user.id,
            opened_at=T0 - dt.timedelta(days=2),
            price_form={"total_price": price, "duration_days": 60, "quality": "合格"},
            plaintext_files=[],
        )
        db.session.add(bid)
        bids.append(bid)
        bidders.append(user)
    db.session.flush()
    # The deadline's freeze, as the bid period left it (4 bids: the lot was opened).
    db.session.add(
        LotFreeze(
            lot_id=lot.id,
            frozen_at=lot.bid_deadline,
            entries=[{"bid_id": b.id, "supplier_id": b.supplier_id} for b in bids],
            list_hash=hashlib.sha256(b"freeze").hexdigest(),
            bid_count=len(bids),
            failed=False,
            audit_seq=0,
        )
    )
    outsider = make_user(Role.SUPPLIER, organisation=make_org(OrgKind.SUPPLIER))
    doc_sha, doc_size = get_store().put_bytes(b"%PDF-1.4 tender documents\n%%EOF\n")
    db.session.add(
        TenderDocument(
            lot_id=lot.id,
            version=1,
            filename="招标文件.pdf",
            sha256=doc_sha,
            size=doc_size,
            uploaded_by_id=staff.id,
            uploaded_at=T0 - dt.timedelta(days=30),
        )
    )
    db.session.flush()
    scores = [("92.50", "30.00", "42.50", "20.00"), ("88.10", "28.90", "40.20", "19.00")]
    scores.append(("80.00", "27.60", "35.40", "17.00"))
    report = SignedReport(
        source="test",
        sha256=hashlib.sha256(b"report").hexdigest(),
        pdf_sha256=None,
        at=clock.now(),
        candidates=[
            {
                "rank": n + 1,
                "bid_id": bids[i].id,
                "supplier_id": bids[i].supplier_id,
                "supplier_name": bidders[i].organisation.name,
                "price": PRICES[i],
                "total": scores[n][0],
                "price_score": scores[n][1],
                "technical": scores[n][2],
                "commercial": scores[n][3],
            }
            for n, i in enumerate(order)
        ],
        rejected=[
            {
                "bid_id": bids[i].id,
                "supplier_id": bids[i].supplier_id,
                "supplier_name": bidders[i].organisation.name,
                "reason": "报价低于成本且未能合理说明" if i == 3 else "未按要求提交投标保证金",
            }
            for i in range(4)
            if i not in order
        ],
        valid=[
            {
                "bid_id": bids[i].id,
                "supplier_id": bids[i].supplier_id,
                "supplier_name": bidders[i].organisation.name,
                "price": PRICES[i],
                "received_at": bids[i].received_at.isoformat(),
            }
            for i in sorted(order)
        ],
    )
    result = receive_report(lot, report, staff)
    db.session.commit()
    return ResultWorld(
        lot, result, staff, purchaser_staff, supervisor, other_supervisor, bidders, outsider
    )


def pdf_file(text: str = "contract") -> io.BytesIO:
    return io.BytesIO(b"%PDF-1.4\n" + text.encode() + b"\n%%EOF\n")
