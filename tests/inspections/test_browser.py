"""In chromium: a supervisor creates a campaign, draws it, verifies the draw on the page
and with `flask inspections verify-draw`, a team member enters a result, the supervisor
publishes and the portal shows it; pages at 1366 and 390 px."""

from __future__ import annotations

from typing import Any

import pytest

from app.core.extensions import db
from app.inspections import campaigns
from app.inspections.models import Campaign, RosterEntry
from tests.credit.test_browser import login, no_sideways_scroll
from tests.inspections.world import build

pytestmark = pytest.mark.browser


def test_a_campaign_is_drawn_verified_inspected_and_published(
    app: Any, live_server: str, browser: Any, shot: Any
) -> None:
    w = build()
    db.session.commit()
    errors: list[str] = []
    boss = login(browser, live_server, w.supervisor)
    boss.on("pageerror", lambda exc: errors.append(str(exc)))
    boss.click('[data-testid="nav-link"]:has-text("双随机抽查")')
    form = boss.locator('[data-testid="campaign-form"]')
    form.locator('input[name="title"]').fill("2026 年第二季度双随机抽查")
    form.locator('input[name="inspector_count"]').fill("9")
    form.locator('button[type="submit"]').click()
    assert "只有 5 人，不能抽取 9 人" in boss.locator(".alert-error").inner_text()
    shot(boss, "inspections-manage-1366")
    no_sideways_scroll(boss)
    form = boss.locator('[data-testid="campaign-form"]')
    form.locator('input[name="title"]').fill("2026 年第二季度双随机抽查")
    form.locator('input[name="target_count"]').fill("3")
    form.locator('input[name="inspector_count"]').fill("4")
    form.locator('button[type="submit"]').click()
    boss.wait_for_url("**/inspections/campaigns/*")
    boss.click('[data-testid="draw"]')
    boss.wait_for_load_state()
    assert boss.locator('[data-testid="campaign-status"]').inner_text() == "检查中"
    assert boss.locator('[data-testid="team"]').count() == 3
    boss.click('[data-testid="verify"]')
    assert "复核一致" in boss.locator('[data-testid="verify-result"]').inner_text()
    shot(boss, "inspections-campaign-1366")

    item = db.session.execute(db.select(Campaign)).scalar_one()
    result = app.test_cli_runner().invoke(args=["inspections", "verify-draw", str(item.id)])
    assert result.exit_code == 0 and "MATCH" in result.output, result.output

    # a member of the first team enters a finding from their own page
    first = item.teams[0]
    member = db.session.get(RosterEntry, first["inspector_ids"][0]).user
    inspector = login(browser, live_server, member, width=390)
    inspector.goto(f"{live_server}/workbench")
    inspector.click("text=录入抽查结果")
    row = (
        inspector.locator('[data-testid="team"]').first.locator('[data-testid="result-form"]').first
    )
    row.locator('select[name="outcome"]').select_option("issues")
    row.locator('input[name="finding"]').fill("档案不全，责令整改")
    row.locator('button[type="submit"]').click()
    assert "已保存" in inspector.locator(".alert-success").inner_text()
    no_sideways_scroll(inspector)
    shot(inspector, "inspections-campaign-390")

    db.session.expire_all()
    item = db.session.get(Campaign, item.id)
    for t in item.teams:
        for i in item.item_ids:
            if (t["target_id"], i) not in {(first["target_id"], item.item_ids[0])}:
                campaigns.enter_result(w.supervisor, item, t["target_id"], i, "ok", "")
    db.session.commit()
    boss.goto(f"{live_server}/inspections/campaigns/{item.id}")
    boss.click('[data-testid="publish"]')
    assert "已在门户公开" in boss.locator(".alert-success").inner_text()

    public = browser.new_context(viewport={"width": 390, "height": 800}).new_page()
    public.goto(f"{live_server}/inspections/public/")
    public.click(f"text={item.title}")
    text = public.locator("main").inner_text()
    assert "档案不全，责令整改" in text and "发现问题，责令整改" in text
    no_sideways_scroll(public)
    shot(public, "inspections-public-390")
    assert errors == []
