"""In chromium: a supervisor blacklists a supplier; the supplier is refused at the download
and at the bid, told why and until when; the public list shows the entry; pages at 1366
and 390 px."""

from __future__ import annotations

from typing import Any

import pytest

from app.core.auth.models import User
from app.core.extensions import db
from tests.bidding_docs.world import make_world, upload
from tests.factories import PASSWORD, totp_now

pytestmark = pytest.mark.browser


def login(browser: Any, base: str, user: User, width: int = 1366) -> Any:
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(base + "/login")
    page.fill('input[name="username"]', user.username)
    page.fill('input[name="password"]', PASSWORD)
    page.click('form button[type="submit"]')
    if "/login/2fa" in page.url:
        page.fill('input[name="code"]', totp_now(user))
        page.click('form button[type="submit"]')
    page.wait_for_load_state()
    assert "/login" not in page.url, page.content()[:2000]
    return page


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def test_a_banned_supplier_is_refused_at_download_and_bid(
    live_server: str, browser: Any, shot: Any
) -> None:
    w = make_world()
    upload(w)
    user = w.supplier(name="失信示例运输有限公司")
    org = user.organisation
    db.session.commit()
    errors: list[str] = []

    boss = login(browser, live_server, w.supervisor)
    boss.on("pageerror", lambda exc: errors.append(str(exc)))
    boss.click('[data-testid="nav-link"]:has-text("信用记录")')
    form = boss.locator('[data-testid="supplier-credit-form"]')
    form.locator('select[name="organisation_id"]').select_option(str(org.id))
    form.locator('select[name="kind"]').select_option("blacklist")
    form.locator('input[name="authority"]').fill("测试市财政局")
    form.locator('textarea[name="basis"]').fill("《政府采购法》第七十七条；测财采罚〔2026〕5号")
    form.locator('textarea[name="result"]').fill("禁止参加政府采购活动一年")
    form.locator('input[name="end_date"]').fill("2026-12-31")  # under a year from 2026-03-02
    form.locator('button[type="submit"]').click()
    assert "1–3 年" in boss.locator(".alert-error").inner_text()
    form = boss.locator('[data-testid="supplier-credit-form"]')
    form.locator('select[name="organisation_id"]').select_option(str(org.id))
    form.locator('select[name="kind"]').select_option("blacklist")
    form.locator('input[name="authority"]').fill("测试市财政局")
    form.locator('textarea[name="basis"]').fill("《政府采购法》第七十七条；测财采罚〔2026〕5号")
    form.locator('textarea[name="result"]').fill("禁止参加政府采购活动一年")
    form.locator('input[name="end_date"]').fill("2027-03-01")
    form.locator('button[type="submit"]').click()
    assert "已登记并公示" in boss.locator(".alert-success").inner_text()
    assert (
        "失信示例运输有限公司" in boss.locator('[data-testid="supplier-credit-table"]').inner_text()
    )
    shot(boss, "credit-manage-1366")
    no_sideways_scroll(boss)

    supplier = login(browser, live_server, user)
    supplier.goto(f"{live_server}/supplier/lots/{w.lot.id}")
    text = supplier.locator("main").inner_text()
    assert "测试市财政局" in text and "2027-03-01" in text, text
    resp = supplier.goto(f"{live_server}/supplier/lots/{w.lot.id}/download")
    assert resp is not None and resp.status == 403
    assert "失信" in supplier.locator("main").inner_text()
    shot(supplier, "credit-refused-download")
    supplier.goto(f"{live_server}/bids/lots/{w.lot.id}")
    problems = supplier.locator('[data-testid="bid-problems"]').inner_text()
    assert "测试市财政局" in problems and "2027-03-01" in problems
    shot(supplier, "credit-refused-bid")

    public = browser.new_context(viewport={"width": 390, "height": 800}).new_page()
    public.goto(f"{live_server}/credit/?kind=blacklist")
    assert "失信示例运输有限公司" in public.locator('[data-testid="credit-record"]').inner_text()
    no_sideways_scroll(public)
    shot(public, "credit-public-390")
    public.goto(f"{live_server}/credit/")
    shot(public, "credit-public-390-all")
    narrow = login(browser, live_server, w.supervisor, width=390)
    narrow.goto(f"{live_server}/credit/manage")
    no_sideways_scroll(narrow)
    shot(narrow, "credit-manage-390")
    assert errors == []
