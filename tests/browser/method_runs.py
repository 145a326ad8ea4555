"""Shared steps for the per-method runs in chromium (invitation, request for quotation,
single source): a lot with its opening key and tender documents, the opening by the
custodians, the committee's report handed to the results, and the result stages driven
in the results pages up to the result announcement on the public portal.

The opening hall and the evaluation room have their own browser runs
(tests/bids/test_browser_bid.py, tests/remote_eval/test_e2e_browser.py); here they are
played through their services, and what a user does at the method's own steps is played
in pages."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app.core import clock
from app.core.auth.models import OrgKind, Role, User
from app.core.extensions import db
from app.core.storage import get_store
from bidding.bids import opening as hall
from bidding.bids.decryption import decrypt_bids
from bidding.bids.freeze import sweep_deadlines
from bidding.bids.models import Bid, BidStatus
from bidding.documents.models import TenderDocument
from bidding.models import (
    Announcement,
    AnnouncementKind,
    EvalMethod,
    Lot,
    LotStatus,
    Method,
    Project,
)
from bidding.results.handoff import SignedReport, receive_report
from tests.bids.conftest import PASSPHRASES, _install_opening_key, centre_officer
from tests.browser.test_plan_flow import _login
from tests.factories import make_centre, make_org, make_user

TIMEOUT = 60_000


def make_lot(
    method: Method, name: str, *, status: LotStatus = LotStatus.PUBLISHED, bond: str = "0"
) -> tuple[Lot, User, list[User]]:
    """A lot of `method` with its documents on offer until three days before a deadline
    twenty days on, its opening key held by three custodians; returns (lot, agency staff,
    custodians)."""
    now = clock.now()
    centre = make_centre()
    agency = make_org(OrgKind.AGENCY, centre=centre, name="内蒙古诚信招标代理有限公司")
    purchaser = make_org(OrgKind.PURCHASER, centre=centre, name="乌兰察布市第一医院")
    staff = make_user(Role.STAFF, organisation=agency, centre=centre, display_name="王代理")
    supervisor = make_user(Role.SUPERVISOR, centre=centre)
    project = Project(
        code=f"TH-MR-{centre.id}",
        trade_id=f"TRADE-MR-{centre.id}",
        name=name,
        centre_id=centre.id,
        purchaser_id=purchaser.id,
        agency_id=agency.id,
        method=method,
        category_code="A08",
        created_by_id=staff.id,
        created_at=now,
    )
    db.session.add(project)
    db.session.flush()
    lot = Lot(
        project_id=project.id,
        seq=1,
        code=f"TH-MR-{centre.id}-01",
        name="第一包",
        category_code="A08",
        budget=Decimal("1200000.00"),
        ceiling_price=Decimal("1150000.00"),
        bid_bond=Decimal(bond),
        evaluation_method=EvalMethod.LOWEST_PRICE,
        status=status,
        doc_start_at=now,
        doc_end_at=now + dt.timedelta(days=17),
        bid_deadline=now + dt.timedelta(days=20),
        opening_place="开标大厅一号厅",
        max_bid_bytes=2 * 1024 * 1024,
    )
    db.session.add(lot)
    db.session.flush()
    sha, size = get_store().put_bytes(b"%PDF-1.4\n% procurement documents\n%%EOF\n")
    db.session.add(
        TenderDocument(
            lot_id=lot.id,
            version=1,
            filename="采购文件.pdf",
            sha256=sha,
            size=size,
            uploaded_by_id=staff.id,
            uploaded_at=now,
        )
    )
    custodians = [staff, supervisor, centre_officer(lot)]
    _install_opening_key(lot, custodians)
    db.session.commit()
    return lot, staff, custodians


def supplier(name: str, centre: Any = None) -> User:
    org = make_org(OrgKind.SUPPLIER, name=name, centre=centre)
    return make_user(Role.SUPPLIER, organisation=org, totp=False, display_name="张经理")


def as_user(browser: Any, base: str, user: User, width: int = 1366) -> Any:
    ctx = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
    page = ctx.new_page()
    page.set_default_timeout(TIMEOUT)
    _login(page, base, user)
    return page


def open_bids(lot: Lot, staff: User, custodians: list[User]) -> list[Bid]:
    """The deadline passes, the list freezes, two custodians present their shares and the
    bids are decrypted (the hall's services); returns the opened bids in opening order."""
    assert lot.bid_deadline is not None
    clock.set_now(lot.bid_deadline + dt.timedelta(minutes=1))
    assert sweep_deadlines() == 1
    db.session.commit()
    for custodian, passphrase in zip(custodians[:2], PASSPHRASES, strict=False):
        hall.present_share(lot, custodian, passphrase)
    decrypt_bids(lot, staff)
    db.session.commit()
    db.session.expire_all()
    return list(
        db.session.execute(
            select(Bid)
            .where(Bid.lot_id == lot.id, Bid.status == BidStatus.DECRYPTED)
            .order_by(Bid.opened_at, Bid.id)
        ).scalars()
    )


def hand_over_report(
    lot: Lot,
    staff: User,
    bids: list[Bid],
    *,
    ranked: list[Bid],
    rejected: dict[int, str] | None = None,
) -> None:
    """The committee's signed report reaches the results, as the evaluation room's last
    signature hands it over (`receive_report`); prices are what the opening decrypted."""
    rejected = rejected or {}
    lot.status = LotStatus.EVALUATING

    def row(bid: Bid) -> dict[str, Any]:
        return {
            "bid_id": bid.id,
            "supplier_id": bid.supplier_id,
            "supplier_name": bid.supplier.name,
            "price": bid.price_form["total_price"],
            "received_at": bid.received_at.isoformat(),
        }

    report = SignedReport(
        source="committee",
        sha256=hashlib.sha256(f"report {lot.id}".encode()).hexdigest(),
        pdf_sha256=None,
        at=clock.now(),
        candidates=[{"rank": n + 1, **row(b)} for n, b in enumerate(ranked)],
        rejected=[{**row(b), "reason": rejected[b.id]} for b in bids if b.id in rejected],
        valid=[row(b) for b in bids if b.id not in rejected],
    )
    receive_report(lot, report, staff)
    db.session.commit()


def publicity_and_award(page: Any, base: str, lot: Lot, winner: str, shot: Any, name: str) -> None:
    """Staff publish the candidate publicity on the lot's results page; once it has run
    they confirm the award there."""
    url = f"{base}/results/lots/{lot.id}"
    page.goto(url)
    page.click('[data-testid="publish-publicity"]')
    page.wait_for_selector("text=中标候选人公示已发布")
    assert "候选人公示中" in page.inner_text('[data-testid="lot-status"]')
    assert winner in page.inner_text("main")
    clock.set_now(clock.now() + dt.timedelta(days=10))  # the publicity has run its days
    page.goto(url)
    page.click('[data-testid="confirm-award"]')
    page.wait_for_selector("text=已定标")
    assert winner in page.inner_text('[data-testid="winner"]')
    result_pages(page, base, lot, shot, name)


def direct_award(page: Any, base: str, lot: Lot, winner: str, shot: Any, name: str) -> None:
    """A method without candidate publicity (竞争性谈判, 磋商, 询价, 单一来源): the results
    page offers no publicity; staff confirm the 成交供应商 there at once, which publishes
    the 成交结果公告 and sends the 成交通知书."""
    url = f"{base}/results/lots/{lot.id}"
    page.goto(url)
    assert page.locator('[data-testid="publish-publicity"]').count() == 0
    assert "不进行候选人公示" in page.inner_text('[data-testid="award-direct"]')
    text = page.inner_text("main")
    assert "中标" not in text, text[max(0, text.find("中标") - 80) : text.find("中标") + 40]
    shot(page, f"{name}-1366-award-form")
    page.click('[data-testid="confirm-award"]')
    page.wait_for_selector("text=已确定成交供应商")
    assert winner in page.inner_text('[data-testid="winner"]')
    assert "成交供应商" in page.inner_text('[data-testid="result-summary"]')
    result_pages(page, base, lot, shot, name)


def result_pages(page: Any, base: str, lot: Lot, shot: Any, name: str) -> Announcement:
    """The lot's results page and the result announcement on the public portal, at 1366
    and 390 px (nothing scrolls sideways); returns the announcement."""
    db.session.expire_all()
    assert db.session.get(Lot, lot.id).status == LotStatus.AWARDED  # type: ignore[union-attr]
    ann = db.session.execute(
        select(Announcement).where(
            Announcement.lot_id == lot.id, Announcement.kind == AnnouncementKind.RESULT
        )
    ).scalar_one()
    assert ann.published_at is not None
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base}/results/lots/{lot.id}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shot(page, f"{name}-{width}-results")
    portal = page.context.browser.new_context(locale="zh-CN")
    public = portal.new_page()
    for width in (1366, 390):
        public.set_viewport_size({"width": width, "height": 900})
        public.goto(f"{base}/announcements/{ann.id}")
        assert public.evaluate("document.documentElement.scrollWidth") <= width
        shot(public, f"{name}-{width}-portal-result")
    page.set_viewport_size({"width": 1366, "height": 900})
    portal.close()
    return ann
