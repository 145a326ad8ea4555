"""In chromium, an invitation tender (邀请招标) from the invitees to its result: the agency
draws three invitees from the centre's supplier library in the project page and sends
the invitation (投标邀请书) from the notice page; a supplier
not drawn is refused the documents on its own lot page; the invitees download, seal and
submit in their pages; after the opening and the committee's lowest-price report the
agency publishes the candidates and awards on the results page, and the result
announcement is on the public portal.

The opening (two custodians' shares) and the evaluation room run through their services
here: both have their own chromium runs (tests/bids, tests/remote_eval)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.extensions import db
from bidding.bids.models import Bid, BidStatus
from bidding.documents.models import DocumentDownload
from bidding.invitations.models import LotInvitee
from bidding.models import Lot, LotStatus, Method
from tests.bids.conftest import fast_scrypt  # noqa: F401  (fixture)
from tests.bids.test_browser_bid import _seal_and_submit
from tests.browser.method_runs import (
    as_user,
    hand_over_report,
    make_lot,
    open_bids,
    publicity_and_award,
    supplier,
)
from tests.browser.test_plan_flow import T0

pytestmark = pytest.mark.browser

PRICES = ["1080000.00", "998000.00", "1025000.00"]


def test_an_invitation_tender_runs_from_the_draw_to_its_result(
    live_server: str,
    browser: Any,
    shot: Any,
    fast_scrypt: None,  # noqa: F811
) -> None:
    clock.set_now(T0)
    lot, staff, custodians = make_lot(
        Method.INVITED, "乌兰察布市第一医院门诊楼改造工程", status=LotStatus.DRAFT
    )
    # The library: four suppliers of the centre; three are drawn.
    library = [supplier(f"乌兰察布市第{n}建筑工程有限公司") for n in "一二三四"]
    db.session.commit()

    agency = as_user(browser, live_server, staff)
    agency.goto(f"{live_server}/projects/{lot.project_id}")
    agency.fill("input[name=count]", "3")
    agency.click("[data-testid=draw-invitees]")
    agency.wait_for_load_state()
    assert "已邀请 3 家" in agency.inner_text("[data-testid=invitee-count]")
    shot(agency, "invitation-1366-01-drawn")
    drawn = set(db.session.execute(select(LotInvitee.supplier_id)).scalars())
    invitees = [u for u in library if u.organisation_id in drawn]
    outsider = next(u for u in library if u.organisation_id not in drawn)
    assert len(invitees) == 3

    # The agency sends the invitation (投标邀请书) from the notice page.
    agency.goto(f"{live_server}/lots/{lot.id}/tender-notice")
    assert agency.inner_text("h1") == "发布投标邀请书"
    agency.fill("textarea[name=requirements]", "门诊楼外立面及室内改造，详见采购文件。")
    agency.click("[data-testid=submit-tender]")
    agency.wait_for_load_state()
    db.session.expire_all()
    assert db.session.get(Lot, lot.id).status == LotStatus.PUBLISHED  # type: ignore[union-attr]

    # The supplier not drawn sees why on its own page and cannot take the documents.
    page = as_user(browser, live_server, outsider)
    page.goto(f"{live_server}/supplier/lots/{lot.id}")
    text = page.inner_text("main")
    assert "只有受邀的供应商可以获取采购文件和投标" in text, text
    assert page.locator("[data-testid=download]").count() == 0
    shot(page, "invitation-1366-02-not-invited")
    # Following a shared download link does not help: refused in its language, audited.
    refused = page.goto(f"{live_server}/supplier/lots/{lot.id}/download")
    assert refused is not None and refused.status == 403
    assert "只有受邀的供应商" in page.inner_text("body")
    shot(page, "invitation-1366-03-download-refused")
    page.context.close()

    # Each invitee downloads the documents and seals its bid in its own page.
    for user, price in zip(invitees, PRICES, strict=True):
        page = as_user(browser, live_server, user)
        page.goto(f"{live_server}/supplier/lots/{lot.id}")
        with page.expect_download():
            page.click("[data-testid=download]")
        _seal_and_submit(page, live_server, lot, price, "投标文件.pdf")
        assert "投标文件接收回执" in page.inner_text("h1")
        page.context.close()
    db.session.expire_all()
    assert (
        db.session.execute(
            select(func.count())
            .select_from(DocumentDownload)
            .where(DocumentDownload.supplier_id == outsider.organisation_id)
        ).scalar_one()
        == 0
    )
    assert (
        db.session.execute(
            select(func.count()).select_from(Bid).where(Bid.status == BidStatus.SUBMITTED)
        ).scalar_one()
        == 3
    )
    refusals = db.session.execute(
        select(AuditEntry.actor_id)
        .where(AuditEntry.action == "participation.refused")
        .order_by(AuditEntry.seq)
    ).all()
    assert [r.actor_id for r in refusals] == [outsider.id], refusals

    # The opening reads the prices the invitees typed; the committee ranks by price.
    bids = open_bids(lot, staff, custodians)
    assert sorted(b.price_form["total_price"] for b in bids) == sorted(PRICES)
    ranked = sorted(bids, key=lambda b: float(b.price_form["total_price"]))
    hand_over_report(lot, staff, bids, ranked=ranked)
    winner = ranked[0].supplier.name

    agency.goto(f"{live_server}/results/lots/{lot.id}")
    publicity_and_award(agency, live_server, lot, winner, shot, "invitation")
