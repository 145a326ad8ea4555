"""In chromium: the agency records why an urgent plan-line project goes out without the
30-day procurement intent (a too-short reason refused first), the supervisor reads it on
the project page; at 1366 and 390 px wide."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from app.core.extensions import db
from bidding import projects
from bidding.models import IntentExemption
from tests.bidding.helpers import lot_payload, make_world
from tests.browser.test_plan_flow import _login
from tests.plans.helpers import approved_line

pytestmark = pytest.mark.browser

REASON = "原教学楼机房于 2026 年 2 月遭雷击损毁，开学后须立即恢复教学，事前无法预见。"


def test_the_exemption_is_recorded_and_shown_to_the_supervisor(
    live_server: str, browser: Any, shot: Any
) -> None:
    world = make_world()
    line = approved_line(world, amount="2000000.00", expected_month="2026-03")
    project = projects.create_project(
        world.staff,
        purchaser=world.purchaser,
        name="乌兰察布市第一中学机房恢复项目",
        method="open",
        category_code="B02",
        lots=[lot_payload()],
        plan_line=line,
    )
    db.session.commit()
    url = f"{live_server}/projects/{project.id}"

    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = ctx.new_page()
    _login(page, live_server, world.staff)
    page.goto(url)
    panel = page.locator("[data-testid=intent-exemption-panel]")
    panel.locator("summary").click()
    # The browser asks for 10 characters itself; the server's refusal is tried without it.
    panel.locator("textarea[name=reason]").evaluate("el => el.removeAttribute('minlength')")
    panel.locator("textarea[name=reason]").fill("情况紧急")
    panel.locator("button").click()
    assert "至少 10 个字" in page.inner_text(".alert")
    panel = page.locator("[data-testid=intent-exemption-panel]")
    panel.locator("summary").click()
    panel.locator("textarea[name=reason]").fill(REASON)
    panel.locator("button").click()
    assert REASON in page.inner_text("[data-testid=intent-exemption]")
    shot(page, "intent-exemption-agency-1366")
    ctx.close()
    assert db.session.execute(select(IntentExemption)).scalar_one().reason == REASON

    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 900})
    sup = phone.new_page()
    _login(sup, live_server, world.supervisor)
    sup.goto(url)
    assert REASON in sup.inner_text("[data-testid=intent-exemption]")
    assert sup.locator("[data-testid=intent-exemption-panel]").count() == 0
    width = sup.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the project page is {width}px wide at 390px"
    shot(sup, "intent-exemption-supervisor-390")
    phone.close()
