"""In chromium, two windows: the negotiation group's leader and a supplier take a
竞争性谈判 through two rounds — the second the final quote (最后报价) — to its result; the
group's and the supplier's pages at 1366 px and on a phone (390 px, no sideways scroll).

Then to the result: the group locks its summary and signs the report (the signing page has
its own chromium run in tests/remote_eval, so the signatures go through the service); the
lowest final quote is the 成交候选人; with no candidate publicity for a negotiation, agency
staff confirm the 成交供应商 on the results page, which publishes the 成交结果公告 on the
portal and sends the 成交通知书; the supplier finds its notice on its own results page."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy import select

from app.core.extensions import db
from bidding.models import Announcement, AnnouncementKind, LotStatus
from bidding.results.handoff import result_of
from remote_eval import report, signatures, summary
from remote_eval.models import Phase
from remote_eval.negotiation import rounds, state
from tests.browser.method_runs import direct_award
from tests.browser.test_plan_flow import _login
from tests.negotiation.world import negotiation_world
from tests.remote_eval import review_world as rw
from tests.remote_eval.test_report import give_keys

pytestmark = pytest.mark.browser


def _fits(page: Any, width: int) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= width, f"{page.url} is {wide}px wide at {width}px"


def _quote_by_service(w: Any, i: int, price: str) -> None:
    """The other supplier of the round quotes from its own window (its service call)."""
    rnd = state.open_round(w.session)
    assert rnd is not None
    rounds.submit_quote(rnd, w.bidders[i], w.bids[i], price)
    db.session.commit()


def test_two_rounds_and_a_final_quote_in_two_windows(
    live_server: str, browser: Any, shot: Any
) -> None:
    w = negotiation_world()
    group_url = f"{live_server}/evaluations/{w.session.id}/negotiation"
    supplier_url = f"{live_server}/negotiations/{w.bids[0].id}"
    leader_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    supplier_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    group, supplier = leader_ctx.new_page(), supplier_ctx.new_page()
    _login(group, live_server, w.leader.user)
    _login(supplier, live_server, w.bidders[0])

    # round 1
    group.goto(group_url)
    group.click("[data-testid=nego-open]")
    group.wait_for_selector("[data-testid=nego-close]")
    supplier.goto(supplier_url)
    supplier.fill("[data-testid=nego-price]", "440000.00")
    supplier.click("[data-testid=nego-quote]")
    supplier.wait_for_selector("[data-testid=nego-sealed]")
    _quote_by_service(w, 1, "425000.00")
    group.reload()
    assert "已密封提交 2 份报价" in group.inner_text("[data-testid=nego-current]")
    assert "440,000.00" not in group.inner_text("[data-testid=nego-table]")
    shot(group, "negotiation-1366-01-group-round-open")
    # the group talks with this supplier alone
    group.fill("[data-testid=nego-say-text]", "请说明售后网点的位置和到场时间。")
    group.click("[data-testid=nego-say]")
    group.wait_for_selector("text=请说明售后网点的位置和到场时间。")
    supplier.reload()
    assert "售后网点" in supplier.inner_text("[data-testid=nego-talk]")
    supplier.fill("[data-testid=nego-say-text]", "本市设有两个服务网点，2 小时内到场。")
    supplier.click("[data-testid=nego-say]")
    supplier.wait_for_selector("text=本市设有两个服务网点，2 小时内到场。")
    shot(supplier, "negotiation-1366-02-supplier-sealed")
    group.click("[data-testid=nego-close]")
    group.wait_for_selector("[data-testid=nego-open-final]")
    table = group.inner_text("[data-testid=nego-table]")
    assert "440,000.00" in table and "425,000.00" in table

    # between the rounds: a written amendment
    group.fill("[data-testid=nego-amend-text]", "交货期由 60 天缩短为 45 天。")
    group.click("[data-testid=nego-amend]")
    group.wait_for_selector("text=交货期由 60 天缩短为 45 天。")

    # round 2: the final quote
    group.click("[data-testid=nego-open-final]")
    group.wait_for_selector("[data-testid=nego-close]")
    supplier.reload()
    assert "交货期由 60 天缩短为 45 天" in supplier.inner_text("[data-testid=nego-amendments]")
    assert "最后报价" in supplier.inner_text("[data-testid=nego-status]")
    supplier.fill("[data-testid=nego-price]", "420000.00")
    supplier.click("[data-testid=nego-quote]")
    supplier.wait_for_selector("[data-testid=nego-sealed]")
    _quote_by_service(w, 1, "422000.00")
    group.reload()
    group.click("[data-testid=nego-close]")
    group.wait_for_selector("[data-testid=nego-concluded]")
    assert "420,000.00" in group.inner_text("[data-testid=nego-table]")
    shot(group, "negotiation-1366-03-group-concluded")
    supplier.reload()
    assert "420,000.00" in supplier.inner_text("[data-testid=nego-live]")
    shot(supplier, "negotiation-1366-04-supplier-concluded")

    # the result: the review ends, the room ranks the final quotes
    rw.pass_all(w)
    rw.move(w, Phase.SUMMARY)
    _inputs, evaluation = summary.compute(w.session)
    assert [(c.name, str(c.price)) for c in evaluation.candidates][:2] == [
        ("投标人A有限公司", "420000.00"),
        ("投标人B有限公司", "422000.00"),
    ]
    group.goto(f"{live_server}/evaluations/{w.session.id}")
    assert "420,000.00" in group.inner_text("[data-testid=eval-live]")
    leader_ctx.close()

    # the group locks the summary and every member signs the report
    summary.lock_summary(w.session, w.leader)
    db.session.commit()
    rw.move(w, Phase.SIGNING)
    keys = give_keys(w)
    signed = report.generate_report(w.session, w.host)
    db.session.commit()
    for member in w.members:
        signatures.sign(w.session, member, keys[member.id].sign(signed.sha256), signed.sha256)
    db.session.commit()
    db.session.expire_all()
    result = result_of(w.lot)
    assert result is not None and w.lot.status == LotStatus.EVALUATED
    # the lowest final quote first, whatever the opening prices were (B opened lowest)
    assert [(c["supplier_name"], c["price"]) for c in result.candidates][:2] == [
        ("投标人A有限公司", "420000.00"),
        ("投标人B有限公司", "422000.00"),
    ]

    # no candidate publicity: the agency confirms the 成交供应商 at once
    agency_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    agency = agency_ctx.new_page()
    _login(agency, live_server, w.host)
    direct_award(agency, live_server, w.lot, "投标人A有限公司", shot, "negotiation")
    assert "420,000.00" in agency.inner_text("[data-testid=winner]")
    db.session.expire_all()
    notice = db.session.execute(
        select(Announcement).where(
            Announcement.lot_id == w.lot.id, Announcement.kind == AnnouncementKind.RESULT
        )
    ).scalar_one()
    assert notice.title.endswith("成交结果公告")
    agency.goto(f"{live_server}/announcements/{notice.id}")
    portal = agency.inner_text("main")
    assert "成交供应商" in portal and "420,000.00" in portal and "中标" not in portal
    agency_ctx.close()

    # the supplier reads its 成交通知书 on its own results page and downloads the PDF
    supplier.goto(f"{live_server}/results/lots/{w.lot.id}/mine")
    notices = supplier.inner_text("[data-testid=notices]")
    assert "成交通知书" in notices and "中标" not in supplier.inner_text("main")
    assert "420,000.00" in supplier.inner_text("[data-testid=winner]")
    href = supplier.locator("[data-testid=notices] a").first.get_attribute("href")
    pdf = supplier.request.get(f"{live_server}{href}")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    title = PdfFileReader(io.BytesIO(pdf.body())).trailer["/Info"]["/Title"]
    assert str(title) == "成交通知书"
    for width in (1366, 390):
        supplier.set_viewport_size({"width": width, "height": 900})
        supplier.reload()
        _fits(supplier, width)
        shot(supplier, f"negotiation-{width}-supplier-notice")
    supplier_ctx.close()

    # on a phone
    for user, url, name in (
        (w.leader.user, group_url, "group"),
        (w.bidders[0], supplier_url, "supplier"),
    ):
        ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
        page = ctx.new_page()
        _login(page, live_server, user)
        page.goto(url)
        _fits(page, 390)
        shot(page, f"negotiation-390-{name}")
        ctx.close()
