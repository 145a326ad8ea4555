"""The statistics, open data and rating pages in chromium at 1366 and 390 px: charts drawn,
the phone copy shown on a phone, nothing wider than the screen; a supplier rates by form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from app.core import clock
from app.core.extensions import db
from app.supervision.ratings.models import FollowUpStatus, RatingFollowUp
from app.supervision.statistics.series import SERIES
from bidding.models import LotStatus
from tests.factories import PASSWORD, totp_now
from tests.statistics import world


def _login(page: Any, base: str, user: Any) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    if "/2fa" in page.url:
        page.fill("input[name=code]", totp_now(user))
        page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def test_statistics_rating_and_open_data_in_chromium(
    app: Any, live_server: str, browser: Any, shot: Any
) -> None:
    # The live server reads the real clock: the lots are dated back from it.
    now = clock.now()
    p = world.place(n_suppliers=4)
    for month in range(1, 6):
        deadline = now - dt.timedelta(days=30 * month + 10)
        world.lot(
            p,
            deadline=deadline,
            bidders=p.suppliers[: 1 + month % 4],
            status=LotStatus.FAILED if month % 4 < 2 else LotStatus.AWARDED,
            awarded_at=None if month % 4 < 2 else deadline + dt.timedelta(days=12),
            award_price="870000.00",
        )
    recent = world.lot(
        p,
        deadline=now - dt.timedelta(days=8),
        status=LotStatus.AWARDED,
        bidders=p.suppliers[:3],
        awarded_at=now - dt.timedelta(days=1),
        award_price="910000.00",
    )
    db.session.commit()
    base = live_server
    start = clock.cst_date(now - dt.timedelta(days=200)).isoformat()
    period = f"start={start}&end={clock.cst_date(now).isoformat()}"
    for width in (1366, 390):
        ctx = browser.new_context(viewport={"width": width, "height": 900})
        page = ctx.new_page()
        _login(page, base, p.supervisor)
        page.goto(f"{base}/supervision/statistics/?{period}")
        assert page.locator('[data-testid="series-volume"]').is_visible()
        wide = page.locator('[data-testid="series-savings"] .chart-wide svg')
        narrow = page.locator('[data-testid="series-savings"] .chart-narrow svg')
        assert wide.is_visible() is (width > 600) and narrow.is_visible() is (width <= 600)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shot(page, f"statistics-{width}")
        page.goto(f"{base}/supervision/statistics/?start=2026-06&end=2026-01-31")
        assert "不能早于开始日期" in page.locator('[data-testid="period-error"]').inner_text()
        ctx.close()
        anon = browser.new_context(viewport={"width": width, "height": 900})
        page = anon.new_page()
        page.goto(f"{base}/open-data/?{period}")
        assert page.locator("svg").count() == 2 * len(
            SERIES
        )  # a wide and a narrow chart per series
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shot(page, f"open-data-{width}")
        anon.close()
    # A bidder rates the recent lot on a phone: a bad agency rating opens a follow-up.
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    _login(page, base, p.supplier_users[0])
    page.goto(f"{base}/ratings/")
    page.click(f"text={recent.code}")
    page.select_option('[data-testid="agency-level"]', "2")
    page.fill('[data-testid="agency-comment"]', "答疑回复拖延")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "rating-form-390")
    page.click('[data-testid="submit-rating"]')
    page.wait_for_url(lambda url: url.rstrip("/").endswith("/ratings"))
    assert "不满意" in page.locator('[data-testid="my-ratings"]').inner_text()
    ctx.close()
    db.session.expire_all()
    follow_up = db.session.execute(select(RatingFollowUp)).scalar_one()
    assert follow_up.status == FollowUpStatus.OPEN
