"""In chromium, a single-source procurement (单一来源) to its result: the agency publishes
the publicity with the reason and the one supplier (refused without a reason), the
publicity is on the portal and open to objections for 5 working days (the clock moved
through them), the supplier seals its response, and after the opening the agency records
the price negotiation, confirms the 成交供应商 on the results page (no candidate publicity); the result announcement
is on the public portal.

The opening runs through its services here (the hall has its own chromium run)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from app.core import clock
from app.core.extensions import db
from bidding.models import Announcement, AnnouncementKind, LotStatus, Method
from tests.bids.conftest import fast_scrypt  # noqa: F401  (fixture)
from tests.bids.test_browser_bid import _seal_and_submit
from tests.browser.method_runs import (
    as_user,
    direct_award,
    make_lot,
    open_bids,
    supplier,
)
from tests.browser.test_plan_flow import T0

pytestmark = pytest.mark.browser

REASON = "该核磁共振设备为原厂专有技术，维保配件及软件升级只能由原厂授权服务商提供。"
ADDRESS = "北京市海淀区中关村南大街 8 号"
OPINION = "经三位医学影像设备专家论证，该设备维保只能由原厂授权服务商提供。"
MINUTES = "2026年12月22日上午在交易中心第二谈判室谈判。\n供应商同意在原报价基础上优惠 4 万元。"


def cst(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=clock.CST)


def test_a_single_source_runs_its_publicity_then_a_negotiation_to_its_result(
    live_server: str,
    browser: Any,
    shot: Any,
    fast_scrypt: None,  # noqa: F811
) -> None:
    clock.set_now(T0)  # Tuesday 1 December 2026, 09:00
    lot, staff, custodians = make_lot(
        Method.SINGLE_SOURCE, "乌兰察布市第一医院核磁共振设备维保", status=LotStatus.DRAFT
    )
    named = supplier("原厂授权医疗设备服务有限公司")
    rival = supplier("乌兰察布市康达医疗设备有限公司")
    db.session.commit()

    # The publicity: refused without a reason, published with it.
    agency = as_user(browser, live_server, staff)
    agency.goto(f"{live_server}/lots/{lot.id}/tender-notice")
    assert agency.inner_text("h1") == "发布单一来源采购公示"
    agency.fill(
        "textarea[name=requirements]", "3.0T 核磁共振设备一年期原厂维保，含保养与软件升级。"
    )
    agency.fill("[data-testid=method-field-single_source_reason]", "   ")
    agency.fill("[data-testid=method-field-supplier_name]", named.organisation.name)
    agency.click("[data-testid=submit-tender]")
    agency.wait_for_load_state()
    assert "采用单一来源方式的理由" in agency.inner_text("main"), agency.inner_text("main")
    db.session.expire_all()
    assert db.session.execute(select(Announcement.id)).first() is None
    agency.fill("[data-testid=method-field-single_source_reason]", REASON)
    agency.fill("[data-testid=method-field-supplier_name]", named.organisation.name)
    agency.fill("[data-testid=method-field-supplier_address]", ADDRESS)
    agency.fill("[data-testid=method-field-expert_opinion]", OPINION)
    shot(agency, "single-source-1366-01-publicity-form")
    agency.click("[data-testid=submit-tender]")
    agency.wait_for_load_state()
    db.session.expire_all()
    notice = db.session.execute(
        select(Announcement).where(Announcement.kind == AnnouncementKind.TENDER)
    ).scalar_one()
    assert notice.published_at is not None

    public = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    portal = public.new_page()
    for width in (1366, 390):
        portal.set_viewport_size({"width": width, "height": 900})
        portal.goto(f"{live_server}/announcements/{notice.id}")
        text = portal.inner_text("main")
        fields = portal.inner_text("[data-testid=fields]")
        for fact in (REASON, named.organisation.name, ADDRESS, OPINION):
            assert fact in text, fact
        # A publicity carries its period and how to object, no tender timetable.
        assert "公示截止" in fields and "2026-12-08 24:00" in fields, fields
        assert "2026-12-08 24:00" in portal.inner_text("[data-testid=publicity-period]")
        assert "异议方式" in fields
        for tender_only in ("投标截止", "开标", "招标文件获取", "文件获取"):
            assert tender_only not in text, tender_only
        assert portal.evaluate("document.documentElement.scrollWidth") <= width
        shot(portal, f"single-source-{width}-02-publicity-portal")
    public.close()

    # Day five of the publicity: any supplier may still object, until its end.
    clock.set_now(cst(2026, 12, 8, 16, 0))
    page = as_user(browser, live_server, rival)
    page.goto(f"{live_server}/supplier/lots/{lot.id}#objections")
    hint = page.inner_text("[data-testid=publicity-objection-hint]")
    assert "2026-12-08 24:00" in hint, hint
    assert page.locator("[data-testid=objection-closed]").count() == 0
    assert page.locator("textarea[name=text]").count() == 1  # the objection form
    shot(page, "single-source-1366-03-objection-open")
    # After its five working days the publicity takes no more objections.
    clock.set_now(cst(2026, 12, 9, 9, 0))
    page.goto(f"{live_server}/supplier/lots/{lot.id}")
    assert "异议期已过" in page.inner_text("[data-testid=objection-closed]")
    assert page.locator("textarea[name=text]").count() == 0
    shot(page, "single-source-1366-04-objection-closed")
    page.context.close()

    # The named supplier takes the documents and seals its response.
    page = as_user(browser, live_server, named)
    page.goto(f"{live_server}/supplier/lots/{lot.id}")
    with page.expect_download():
        page.click("[data-testid=download]")
    _seal_and_submit(page, live_server, lot, "1120000.00", "响应文件.pdf")
    assert "投标文件接收回执" in page.inner_text("h1")
    page.context.close()

    # The opening, then the recorded price negotiation on the results page.
    (bid,) = open_bids(lot, staff, custodians)
    assert bid.price_form["total_price"] == "1120000.00"
    clock.set_now(clock.now() + dt.timedelta(hours=1))
    agency.goto(f"{live_server}/results/lots/{lot.id}")
    agency.fill("input[name=price]", "1080000.00")
    agency.fill("textarea[name=minutes]", MINUTES)
    shot(agency, "single-source-1366-05-negotiation")
    agency.click("[data-testid=record-negotiation]")
    agency.wait_for_load_state()
    assert "价格谈判已记录" in agency.inner_text(".alert")
    assert agency.inner_text("[data-testid=negotiated-price]").startswith("1,080,000.00")

    direct_award(agency, live_server, lot, named.organisation.name, shot, "single-source")
    assert "1,080,000.00" in agency.inner_text('[data-testid="winner"]')
