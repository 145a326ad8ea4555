"""In chromium: the agency records a single-source price negotiation on the lot's result
page, at 1366 px and on a phone (390 px, nothing scrolls sideways)."""

from __future__ import annotations

from typing import Any

import pytest

from app.core.extensions import db
from bidding.models import LotStatus
from tests.browser.test_plan_flow import _login
from tests.results.single_source import MINUTES, single_source_lot

pytestmark = pytest.mark.browser


def test_staff_record_the_negotiation_and_see_it_on_the_lot(
    live_server: str, browser: Any, shot: Any
) -> None:
    lot, staff, _other, _supplier = single_source_lot()
    url = f"{live_server}/results/lots/{lot.id}"
    for width, height in ((1366, 900), (390, 844)):
        ctx = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
        page = ctx.new_page()
        _login(page, live_server, staff)
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if width == 1366:
            assert page.is_visible("[data-testid=negotiation-form]")
            shot(page, f"single-source-{width}-01-form")
            page.fill("input[name=price]", "1180000.00")
            page.fill("textarea[name=minutes]", MINUTES)
            page.click("[data-testid=record-negotiation]")
            page.wait_for_load_state()
            assert "价格谈判已记录" in page.inner_text(".alert")
        assert page.inner_text("[data-testid=negotiated-price]").startswith("1,180,000.00")
        assert "第二谈判室" in page.inner_text("[data-testid=negotiation-minutes]")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shot(page, f"single-source-{width}-02-recorded")
        ctx.close()
    db.session.refresh(lot)
    assert lot.status == LotStatus.EVALUATED


def test_a_supplier_objects_to_the_publicity_on_a_phone_and_at_1366(
    live_server: str, browser: Any, shot: Any
) -> None:
    from bidding.models import Method
    from tests.bidding_docs.world import T0, make_world, upload

    w = make_world()
    upload(w)
    w.lot.project.method = Method.SINGLE_SOURCE
    w.lot.doc_start_at = T0
    user = w.supplier()
    db.session.commit()
    for width, height in ((1366, 900), (390, 844)):
        ctx = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
        page = ctx.new_page()
        _login(page, live_server, user)
        page.goto(f"{live_server}/supplier/lots/{w.lot.id}#objections")
        assert "2026-03-09 24:00" in page.inner_text("[data-testid=publicity-objection-hint]")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.locator("#objections").scroll_into_view_if_needed()
        shot(page, f"single-source-{width}-03-publicity-objection")
        ctx.close()
