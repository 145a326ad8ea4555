"""In chromium: a lot whose evaluation left too few valid bids is announced as failed
(废标公告) from the results page and tendered again; the new lot links back to it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from app.core import clock
from app.core.extensions import db
from bidding.bids import freeze
from bidding.models import Announcement, AnnouncementKind, LotStatus
from tests.results import world as rw
from tests.results.test_browser import TIMEOUT, _page, cst

pytestmark = pytest.mark.browser


def test_failed_lot_is_announced_and_tendered_again(
    live_server: str, browser: Any, shot: Any
) -> None:
    w = rw.build(valid=2)
    clock.set_now(cst(2026, 4, 1, 15, 0))
    lot_url = f"{live_server}/results/lots/{w.lot.id}"
    staff = _page(browser, live_server, w.staff)
    staff.goto(lot_url)
    assert "有效投标不足 3 家（实际 2 家）" in staff.inner_text('[data-testid="failure-reason"]')
    shot(staff, "results-failed-1366")
    form = staff.locator('[data-testid="failure-form"]')
    form.locator('input[name="next_step"]').fill("招标人将重新组织招标。")
    staff.click('[data-testid="publish-failure"]')
    staff.wait_for_selector("text=流标/废标公告已发布")
    notice = db.session.execute(
        select(Announcement).where(Announcement.kind == AnnouncementKind.FAILURE)
    ).scalar_one()
    assert notice.fields["next_step"] == "招标人将重新组织招标。"

    # the portal shows the notice with its reason, in words
    staff.click('[data-testid="failure-notice"]')
    staff.wait_for_load_state()
    text = staff.inner_text("main")
    assert "废标公告" in text and "有效投标不足 3 家" in text and "未按要求提交投标保证金" in text
    shot(staff, "results-failure-notice")

    staff.goto(lot_url)
    staff.click('[data-testid="retender"]')
    staff.wait_for_selector('[data-testid="lot-history"]')
    db.session.expire_all()
    new = db.session.get(type(w.lot), freeze.get_freeze(w.lot).retendered_lot_id)
    assert new is not None and new.status == LotStatus.DRAFT
    assert w.lot.code in staff.inner_text('[data-testid="lot-history"]')
    shot(staff, "results-retendered-project")
    staff.click('[data-testid="lot-history"] a')
    staff.wait_for_selector('[data-testid="retendered-as"]')
    assert new.code in staff.inner_text('[data-testid="retendered-as"]')

    # a phone: the failed lot's page fits 390 px without sideways scroll
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    phone.set_default_timeout(TIMEOUT)
    phone.context.add_cookies(staff.context.cookies())
    phone.goto(lot_url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "results-failed-390")
    phone.goto(f"{live_server}/announcements/{notice.id}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "results-failure-notice-390")
