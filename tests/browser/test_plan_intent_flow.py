"""In chromium: a single-source project drawn on an approved plan line publishes its intent,
is refused a publicity before the intent's month is out (the page says until when), then
publishes the publicity with the reason and the supplier; when the lot is terminated the
finance office sees the budget back on the plan line. Each page also at 390 px."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from app.core import clock
from app.core.auth.models import OrgKind, Role
from app.core.extensions import db
from bidding import projects
from bidding.models import Announcement, AnnouncementKind, LotStatus
from bidding.plans import plans
from bidding.plans.models import PlanLine
from tests.browser.test_plan_flow import _fits_phone, _login
from tests.factories import make_centre, make_org, make_user

pytestmark = pytest.mark.browser

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=clock.CST)
REASON = "原有设备的系统软件与核心部件只能由原厂授权服务商维修升级，须保证与原有项目的一致性。"


def test_intent_then_single_source_publicity_then_budget_back(
    live_server: str, browser: Any, shot: Any
) -> None:
    clock.set_now(T0)
    centre = make_centre(code="150900", name="乌兰察布市公共资源交易中心", region="乌兰察布市")
    agency = make_org(OrgKind.AGENCY, name="内蒙古诚信招标代理有限公司", centre=centre)
    hospital = make_org(OrgKind.PURCHASER, name="乌兰察布市中心医院", centre=centre)
    make_org(OrgKind.SUPPLIER, name="原厂授权医疗设备服务有限公司", centre=centre)
    buyer = make_user(Role.PURCHASER, organisation=hospital, display_name="刘会计")
    finance = make_user(Role.SUPERVISOR, centre=centre, display_name="赵科长")
    staff = make_user(Role.STAFF, organisation=agency, centre=centre, display_name="王代理")
    db.session.commit()
    line = plans.file_line(
        buyer,
        {
            "name": "核磁共振设备原厂维保",
            "budget_item_code": "2100201-03",
            "funding_source": "一般公共预算资金",
            "amount": "1500000",
            "category_code": "C02",
            "method": "single_source",
            "expected_month": "2027-01",
        },
    )
    plans.approve_line(finance, line, "同意备案。")
    project = projects.create_project(
        staff,
        purchaser=hospital,
        name="乌兰察布市中心医院核磁共振设备原厂维保项目",
        method="single_source",
        category_code="C",
        description="3.0T 核磁共振设备一年期原厂维保。",
        plan_line=line,
        lots=[
            {
                "name": "原厂维保服务",
                "category_code": "C02",
                "budget": "1300000",
                "evaluation_method": "lowest_price",
                "committee_size": 5,
                "doc_start_at": dt.datetime(2027, 1, 4, 9, 0, tzinfo=clock.CST),
                "doc_end_at": dt.datetime(2027, 1, 13, 9, 30, tzinfo=clock.CST),
                "bid_deadline": dt.datetime(2027, 1, 13, 9, 30, tzinfo=clock.CST),
                "opening_place": "第二谈判室",
            }
        ],
    )
    db.session.commit()
    lot = project.lots[0]
    url = f"{live_server}/projects/{project.id}"

    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = ctx.new_page()
    _login(page, live_server, staff)
    page.goto(url)
    assert "采购意向尚未公开" in page.inner_text("[data-testid=lot-intent-hint]")

    # The intent, from the project page; it states the plan line.
    page.click("[data-testid=publish-intent]")
    assert page.input_value("input[name=expected_month]") == "2027-01"
    shot(page, "plan-intent-1366-01-form")
    page.click("[data-testid=submit-intent]")
    page.wait_for_load_state()
    assert "2026-12-31" in page.inner_text("[data-testid=lot-intent-hint]")
    intent = db.session.execute(
        select(Announcement).where(Announcement.kind == AnnouncementKind.INTENT)
    ).scalar_one()
    assert intent.fields["plan_code"] == line.code
    page.goto(f"{live_server}/announcements/{intent.id}")
    assert line.code in page.content()
    shot(page, "plan-intent-1366-02-portal")

    # Three weeks on, the publicity is refused with the earliest date; at 30 days it goes.
    def publicity() -> None:
        page.goto(url)
        page.click("[data-testid=publish-tender]")
        page.fill("[data-testid=method-field-single_source_reason]", REASON)
        page.fill("[data-testid=method-field-supplier_name]", "原厂授权医疗设备服务有限公司")
        page.fill("[data-testid=method-field-supplier_address]", "北京市海淀区中关村大街 1 号")
        page.click("[data-testid=submit-tender]")
        page.wait_for_load_state()

    clock.set_now(dt.datetime(2026, 12, 22, 9, 0, tzinfo=clock.CST))
    publicity()
    assert "最早可于 2026年12月31日 发布" in page.inner_text(".alert")
    shot(page, "plan-intent-1366-03-refused")
    db.session.expire_all()
    assert lot.status == LotStatus.DRAFT

    clock.set_now(dt.datetime(2027, 1, 4, 8, 30, tzinfo=clock.CST))
    publicity()
    db.session.expire_all()
    assert lot.status == LotStatus.PUBLISHED
    notice = db.session.execute(
        select(Announcement).where(Announcement.kind == AnnouncementKind.TENDER)
    ).scalar_one()
    assert notice.fields["supplier_name"] == "原厂授权医疗设备服务有限公司"

    # The purchase is called off: the lot's budget goes back to the line.
    page.goto(url)
    page.click("text=终止本标段")
    page.fill("textarea[name=reason]", "设备已列入报废计划，本年度不再维保。")
    page.click("[data-testid=terminate]")
    page.wait_for_load_state()
    db.session.expire_all()
    assert lot.status == LotStatus.TERMINATED
    assert db.session.get(PlanLine, line.id).used == Decimal("0")

    fctx = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    fpage = fctx.new_page()
    _login(fpage, live_server, finance)
    fpage.goto(f"{live_server}/plans/{line.id}")
    assert "1,300,000.00" in fpage.inner_text("[data-testid=plan-returned]")
    assert "标段终止" in fpage.inner_text("[data-testid=plan-returns]")
    shot(fpage, "plan-intent-1366-04-returned")
    fpage.goto(f"{live_server}/supervision/statistics/?start=2026-01&end=2027-12")
    assert "采购计划备案与使用" in fpage.content()
    section = fpage.locator("#series-plans")
    assert "1,300,000.00" in section.inner_text()  # returned
    section.screenshot(
        path=str(
            shot(fpage, "plan-intent-1366-05-statistics").parent / "plan-intent-1366-06-series.png"
        )
    )

    _fits_phone(
        browser,
        live_server,
        staff,
        [f"/projects/{project.id}", f"/projects/{project.id}/intent"],
        shot,
        "intent-staff",
    )
    _fits_phone(
        browser,
        live_server,
        finance,
        [f"/plans/{line.id}", "/supervision/statistics/?start=2026-01&end=2027-12"],
        shot,
        "intent-finance",
    )
