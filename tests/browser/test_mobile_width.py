"""At a phone's width (390 px) every public page and every page of a supplier fits the
screen: no sideways scrolling. The pages are those a visitor and a supplier of a seeded
world reach by links; chromium measures each."""

from __future__ import annotations

from typing import Any

import pytest

from app.demo import DEMO_PASSWORD
from tests.portal.seeded_world import client_for, crawl, seed

WIDTH = 390
STARTS = {
    None: ["/", "/announcements", "/announcements?kind=candidates", "/register", "/login"],
    "supplier01": ["/", "/supplier/lots", "/bids/", "/profile", "/inbox"],
}


@pytest.mark.parametrize("who", list(STARTS))
def test_pages_fit_a_phone_without_sideways_scrolling(
    app: Any, live_server: str, browser: Any, shot: Any, who: str | None
) -> None:
    seed(app)
    paths = [p for p, _ in crawl(client_for(app, who), STARTS[who], limit=120, per_route=3)]
    assert len(paths) >= 10
    context = browser.new_context(viewport={"width": WIDTH, "height": 844})
    page = context.new_page()
    page.set_default_timeout(60_000)
    if who is not None:
        page.goto(f"{live_server}/login")
        page.fill("input[name=username]", who)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
    too_wide: dict[str, int] = {}
    for path in paths:
        page.goto(f"{live_server}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > WIDTH:
            too_wide[path] = width
            shot(page, f"too-wide-{who or 'visitor'}-{len(too_wide)}")
    context.close()
    assert not too_wide, too_wide
