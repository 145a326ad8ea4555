"""In chromium: a purchaser files a plan line, the finance office returns it, the purchaser
corrects it, the finance office approves it, and an agency registers a project from it.
Every page is also looked at 390 px wide, where nothing may scroll sideways."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyotp
import pytest
from sqlalchemy import select

from app.core import clock
from app.core.auth.models import OrgKind, Role
from app.core.extensions import db
from bidding.models import Project
from bidding.plans.models import PlanLine, PlanStatus
from tests.factories import PASSWORD, make_centre, make_org, make_user

pytestmark = pytest.mark.browser

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=clock.CST)


def _login(page: Any, base: str, user: Any) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    if "/login/2fa" in page.url:
        page.fill("input[name=code]", pyotp.TOTP(user.totp_secret).at(clock.now()))
        page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, page.content()[:2000]


def _fits_phone(browser: Any, base: str, user: Any, paths: list[str], shot: Any, name: str) -> None:
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    _login(page, base, user)
    for i, path in enumerate(paths):
        page.goto(f"{base}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width}px wide at 390px"
        shot(page, f"plans-390-{name}-{i}")
    ctx.close()


def test_plan_line_filed_returned_corrected_approved_and_drawn(
    live_server: str, browser: Any, shot: Any
) -> None:
    clock.set_now(T0)
    centre = make_centre(code="150900", name="乌兰察布市公共资源交易中心", region="乌兰察布市")
    agency = make_org(OrgKind.AGENCY, name="内蒙古诚信招标代理有限公司", centre=centre)
    school = make_org(OrgKind.PURCHASER, name="集宁区第一中学", centre=centre)
    buyer = make_user(Role.PURCHASER, organisation=school, display_name="李会计")
    finance = make_user(Role.SUPERVISOR, centre=centre, display_name="赵科长")
    staff = make_user(Role.STAFF, organisation=agency, centre=centre, display_name="王代理")
    db.session.commit()

    # The purchaser files a line; above the threshold, another method needs a reason.
    bctx = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = bctx.new_page()
    _login(page, live_server, buyer)
    nav = page.inner_text("nav.mainnav")
    assert "采购计划" in nav and "项目管理" not in nav
    page.click("text=采购计划")
    page.click("[data-testid=new-plan-line]")
    page.fill("input[name=name]", "集宁区第一中学智慧教室设备采购")
    page.fill("input[name=budget_item_code]", "2050203-01")
    page.fill("input[name=funding_source]", "一般公共预算资金")
    page.fill("input[name=amount]", "4800000")
    page.select_option("select[name=category_code]", "B02")
    page.select_option("select[name=method]", "inquiry")
    page.fill("input[name=expected_month]", "2027-01")
    page.click("[data-testid=submit-plan]")
    assert "须说明理由" in page.inner_text(".alert")
    page.select_option("select[name=method]", "open")
    shot(page, "plans-1366-01-purchaser-form")
    page.click("[data-testid=submit-plan]")
    page.wait_for_load_state()
    assert page.inner_text("[data-testid=plan-status]") == "待审核"
    line = db.session.execute(select(PlanLine)).scalar_one()

    # The finance office returns it with a reason, from its workbench.
    fctx = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    fpage = fctx.new_page()
    _login(fpage, live_server, finance)
    fpage.goto(f"{live_server}/workbench")
    fpage.click("text=审核采购计划：集宁区第一中学智慧教室设备采购")
    shot(fpage, "plans-1366-02-finance-review")
    fpage.fill(
        "textarea[name=reason]", "计划金额与预算批复（集财预〔2026〕12 号）不符，请按批复金额报送。"
    )
    fpage.click("[data-testid=return-plan]")
    fpage.wait_for_load_state()
    assert fpage.inner_text("[data-testid=plan-status]") == "已退回"

    # The purchaser sees it on the workbench, corrects the amount, files it again.
    page.goto(f"{live_server}/workbench")
    page.click("text=修改被退回的采购计划：集宁区第一中学智慧教室设备采购")
    assert "集财预" in page.inner_text("[data-testid=return-reason]")
    page.fill("input[name=amount]", "4600000")
    page.click("[data-testid=submit-plan]")
    page.wait_for_load_state()
    assert page.inner_text("[data-testid=plan-status]") == "待审核"

    # The finance office approves it.
    fpage.goto(f"{live_server}/plans/{line.id}")
    fpage.fill("textarea[name=note]", "同意备案。")
    fpage.click("[data-testid=approve-plan]")
    fpage.wait_for_load_state()
    assert fpage.inner_text("[data-testid=plan-status]") == "已备案"
    db.session.expire_all()
    assert db.session.get(PlanLine, line.id).status == PlanStatus.APPROVED
    fpage.goto(f"{live_server}/plans")
    shot(fpage, "plans-1366-03-finance-list")

    # The agency registers a project from the line; the line shows what is left.
    sctx = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    spage = sctx.new_page()
    _login(spage, live_server, staff)
    spage.goto(f"{live_server}/projects/new")
    spage.fill("input[name=name]", "集宁区第一中学智慧教室设备采购项目")
    spage.select_option("select[name=purchaser_id]", label="集宁区第一中学")
    spage.select_option("select[name=plan_line_id]", str(line.id))
    spage.select_option("select[name=category_code]", "B02")
    spage.fill("input[name='lots-0-name']", "智慧教室设备")
    spage.select_option("select[name='lots-0-category_code']", "B0201")
    spage.fill("input[name='lots-0-budget']", "4500000.00")
    spage.fill("input[name='lots-0-bid_bond']", "20000")
    spage.fill("input[name='lots-0-committee_size']", "5")
    spage.fill("input[name='lots-0-doc_start_at']", "2026-12-01T10:00")
    spage.fill("input[name='lots-0-doc_end_at']", "2026-12-10T17:00")
    spage.fill("input[name='lots-0-bid_deadline']", "2026-12-28T09:30")
    spage.click("[data-testid=save-project]")
    spage.wait_for_load_state()
    assert line.code in spage.inner_text("[data-testid=project-plan-line]")
    project = db.session.execute(select(Project)).scalar_one()
    assert project.plan_line_id == line.id

    page.goto(f"{live_server}/plans/{line.id}")
    assert "100,000.00" in page.inner_text("[data-testid=plan-remaining]")
    assert project.code in page.content()
    shot(page, "plans-1366-04-purchaser-detail")

    _fits_phone(
        browser, live_server, buyer, ["/plans", "/plans/new", f"/plans/{line.id}"], shot, "buyer"
    )
    _fits_phone(
        browser,
        live_server,
        finance,
        ["/plans", f"/plans/{line.id}", "/workbench"],
        shot,
        "finance",
    )


def test_invitation_panel_draws_three_and_hides_the_names(
    live_server: str, browser: Any, shot: Any
) -> None:
    from bidding import projects

    clock.set_now(T0)
    centre = make_centre(code="150900", name="乌兰察布市公共资源交易中心", region="乌兰察布市")
    agency = make_org(OrgKind.AGENCY, name="内蒙古诚信招标代理有限公司", centre=centre)
    school = make_org(OrgKind.PURCHASER, name="集宁区第一中学", centre=centre)
    for n in range(5):
        make_org(OrgKind.SUPPLIER, name=f"乌兰察布市第{n + 1}建筑有限公司", centre=centre)
    staff = make_user(Role.STAFF, organisation=agency, centre=centre)
    finance = make_user(Role.SUPERVISOR, centre=centre)
    project = projects.create_project(
        staff,
        purchaser=school,
        name="集宁区第一中学风雨操场改造工程",
        method="invited",
        category_code="A",
        lots=[
            {"name": "施工", "category_code": "A08", "budget": "2600000.00", "committee_size": 5}
        ],
    )
    db.session.commit()
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = ctx.new_page()
    _login(page, live_server, staff)
    page.goto(f"{live_server}/projects/{project.id}")
    page.fill("input[name=count]", "3")
    page.click("[data-testid=draw-invitees]")
    page.wait_for_load_state()
    assert "已邀请 3 家" in page.inner_text("[data-testid=invitee-count]")
    assert "投标截止前保密" in page.inner_text("[data-testid=invite-panel]")
    shot(page, "invite-1366-01-agency")
    _fits_phone(browser, live_server, staff, [f"/projects/{project.id}"], shot, "invite-agency")
    fctx = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    fpage = fctx.new_page()
    _login(fpage, live_server, finance)
    fpage.goto(f"{live_server}/projects/{project.id}")
    assert fpage.inner_text("[data-testid=invite-panel]").count("随机抽取") == 3
    shot(fpage, "invite-1366-02-supervisor")
