"""In chromium: the agency corrects a prequalification notice (a too-short offer refused with
the earliest lawful date, then a lawful one), an applicant sees the correction on its page,
and the agency terminates the prequalification; at 1366 and 390 px wide."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from app.core import clock
from app.core.clock import CST
from app.core.extensions import db
from bidding.models import LotStatus
from bidding.prequal.models import Prequalification, PrequalStatus
from tests.prequal.test_prequal_browser import _ctx, _login, _no_sideways
from tests.prequal.world import apply, build, publish

pytestmark = pytest.mark.browser


def test_correction_and_withdrawal_in_the_browser(
    live_server: str, browser: Any, shot: Any, client: Any, app: Any, tmp_path: Any
) -> None:
    with app.test_request_context("/"):
        w = build(client, suppliers=2)
        assert publish(client, w).status_code == 201
        clock.set_now(dt.datetime(2026, 3, 4, 10, 0, tzinfo=CST))
        assert apply(client, w, 0).status_code == 201
    clock.set_now(dt.datetime(2026, 3, 5, 10, 0, tzinfo=CST))
    item = db.session.execute(select(Prequalification)).scalar_one()
    base = live_server
    doc = tmp_path / "资格预审文件（更正）.pdf"
    doc.write_bytes(b"%PDF-1.4 corrected")

    ctx = _ctx(browser)
    page = ctx.new_page()
    _login(page, base, w.base.staff)
    page.goto(f"{base}/prequal/lots/{w.lot.id}")
    form = page.locator("[data-testid=prequal-correct-form]")
    form.locator("textarea[name=content]").fill("申请人资格要求第 2 条更正。")
    form.locator("button").click()
    assert "2026年03月10日" in page.inner_text(".alert")
    form = page.locator("[data-testid=prequal-correct-form]")
    form.locator("textarea[name=content]").fill("申请人资格要求第 2 条更正，资格预审文件同步更新。")
    form.locator("input[name=offer_end_at]").fill("2026-03-10T17:00")
    form.locator("input[name=application_deadline]").fill("2026-03-17T09:00")
    form.locator("input[name=file]").set_input_files(str(doc))
    form.locator("button").click()
    assert page.locator("[data-testid=prequal-corrections] a").count() == 1
    shot(page, "prequal-corrected-1366")

    phone = _ctx(browser, 390).new_page()
    _login(phone, base, w.accounts[0])
    phone.goto(f"{base}/prequal/{item.id}")
    assert phone.locator("[data-testid=prequal-corrections] a").count() == 1
    assert "2026-03-17 09:00" in phone.inner_text("[data-testid=prequal-deadline]")
    _no_sideways(phone, "the supplier's prequalification page")
    shot(phone, "prequal-corrected-supplier-390")
    phone.click("[data-testid=prequal-corrections] a")
    assert "资格预审更正公告" in phone.inner_text("h1")
    _no_sideways(phone, "the correction notice")
    shot(phone, "prequal-correction-notice-390")

    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"{base}/prequal/lots/{w.lot.id}")
    _no_sideways(page, "the agency's prequalification page")
    shot(page, "prequal-manage-390")
    page.set_viewport_size({"width": 1366, "height": 900})
    form = page.locator("[data-testid=prequal-withdraw-form]")
    form.locator("textarea[name=reason]").fill("采购需求发生重大变化，终止招标。")
    form.locator("button").click()
    assert "采购需求发生重大变化" in page.inner_text("[data-testid=prequal-withdrawn]")
    shot(page, "prequal-withdrawn-1366")
    db.session.expire_all()
    assert item.status == PrequalStatus.WITHDRAWN and item.lot.status == LotStatus.TERMINATED
    ctx.close()
