"""In chromium, a request for quotation (询价) to its result: each supplier seals one quote
in its page; a second quote is refused in the page with the reason, nothing stored and
the attempt audited; after the opening the lowest compliant price wins, whatever order
the committee listed the bids in; the agency confirms the 成交供应商 on the results page (no candidate publicity),
and the result announcement is on the public portal.

The opening and the evaluation room run through their services here (they have their
own chromium runs in tests/bids and tests/remote_eval)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.extensions import db
from bidding.bids.models import Bid
from bidding.models import Method
from bidding.results.models import LotResult
from tests.bids.conftest import fast_scrypt  # noqa: F401  (fixture)
from tests.bids.test_browser_bid import _seal_and_submit
from tests.browser.method_runs import (
    as_user,
    direct_award,
    hand_over_report,
    make_lot,
    open_bids,
    supplier,
)
from tests.browser.test_plan_flow import T0
from tests.factories import token_headers

pytestmark = pytest.mark.browser

# The cheapest quote is not compliant; of the rest 998,000.00 is lowest.
QUOTES = {
    "乌兰察布市远航医疗器械有限公司": "950000.00",
    "内蒙古康泰医疗设备有限公司": "1020000.00",
    "集宁区华信科技有限公司": "998000.00",
    "乌兰察布市北疆医疗设备有限公司": "1050000.00",
}


def test_a_request_for_quotation_takes_one_quote_each_and_the_lowest_compliant_wins(
    live_server: str,
    browser: Any,
    shot: Any,
    fast_scrypt: None,  # noqa: F811
) -> None:
    clock.set_now(T0)
    lot, staff, custodians = make_lot(Method.INQUIRY, "乌兰察布市第一医院监护仪询价采购")
    suppliers = [supplier(name) for name in QUOTES]
    db.session.commit()

    for n, (user, price) in enumerate(zip(suppliers, QUOTES.values(), strict=True)):
        page = as_user(browser, live_server, user)
        page.goto(f"{live_server}/supplier/lots/{lot.id}")
        with page.expect_download():
            page.click("[data-testid=download]")
        _seal_and_submit(page, live_server, lot, price, "报价文件.pdf")
        assert "投标文件接收回执" in page.inner_text("h1")
        if n == 0:
            _second_quote_is_refused(page, live_server, lot, user, shot)
        page.context.close()

    db.session.expire_all()
    rows = db.session.execute(select(Bid.supplier_id, Bid.version).order_by(Bid.id)).all()
    assert [(r.supplier_id, r.version) for r in rows] == [(u.organisation_id, 1) for u in suppliers]
    refused = db.session.execute(
        select(AuditEntry.actor_id)
        .where(AuditEntry.action == "bid.quote_refused")
        .order_by(AuditEntry.seq)
    ).all()
    assert [r.actor_id for r in refused] == [suppliers[0].id]

    bids = open_bids(lot, staff, custodians)
    assert {b.supplier.name: b.price_form["total_price"] for b in bids} == QUOTES
    by_name = {b.supplier.name: b for b in bids}
    cheapest = by_name["乌兰察布市远航医疗器械有限公司"]
    # The committee lists the compliant bids in opening order; the method's rule ranks them.
    compliant = [b for b in bids if b is not cheapest]
    hand_over_report(
        lot,
        staff,
        bids,
        ranked=compliant,
        rejected={cheapest.id: "所投监护仪未提供医疗器械注册证，不满足询价文件实质性要求"},
    )
    result = db.session.execute(select(LotResult)).scalar_one()
    names = [c["supplier_name"] for c in result.candidates]
    assert names == ["集宁区华信科技有限公司", "内蒙古康泰医疗设备有限公司"] + [
        "乌兰察布市北疆医疗设备有限公司"
    ]

    agency = as_user(browser, live_server, staff)
    agency.goto(f"{live_server}/results/lots/{lot.id}")
    assert "未提供医疗器械注册证" in agency.inner_text("main")
    direct_award(agency, live_server, lot, "集宁区华信科技有限公司", shot, "inquiry")
    assert "998,000.00" in agency.inner_text('[data-testid="winner"]')


def _second_quote_is_refused(page: Any, base: str, lot: Any, user: Any, shot: Any) -> None:
    """The supplier comes back to quote again: the page says why it cannot and offers no
    replacement; the server refuses a second quote sent anyway and audits it."""
    page.goto(f"{base}/bids/lots/{lot.id}")
    assert "只能报出一次且不得更改" in page.inner_text("main")
    button = page.locator('[data-testid="seal-submit"]')
    assert button.is_disabled() and button.inner_text() == "报价已递交，不得更改"
    assert "报价已递交且不得更改" in page.inner_text("[data-testid=next-step]")
    shot(page, "inquiry-1366-01-second-quote")
    # The offline sealing tool's upload (the JSON API, the supplier's own token) is refused too.
    resp = page.request.post(
        f"{base}/api/v1/lots/{lot.id}/uploads", data={"size": 1000}, headers=token_headers(user)
    )
    assert resp.status == 409
    assert "只能报出一次且不得更改" in resp.json()["message"]
