"""The site header in chromium, per role, at 1366 and 390 px: the menu folds behind a button
on a phone, nothing overlaps or scrolls sideways, the account and language stay reachable."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest

from app.core import clock
from tests.browser.conftest import browser, live_server, shot  # noqa: F401  (chromium fixtures)
from tests.factories import PASSWORD
from tests.workbench.test_menus import _users

pytestmark = pytest.mark.browser


def _login(page: Any, base: str, user: Any) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    if "/login/2fa" in page.url:
        page.fill("input[name=code]", pyotp.TOTP(user.totp_secret).at(clock.now()))
        page.click("button[type=submit]")
    page.wait_for_url("**/workbench", timeout=30_000)


def _no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


def _boxes_apart(page: Any, a: str, b: str) -> None:
    one = page.locator(a).first.bounding_box()
    two = page.locator(b).first.bounding_box()
    assert one and two
    apart = (
        one["x"] + one["width"] <= two["x"]
        or two["x"] + two["width"] <= one["x"]
        or one["y"] + one["height"] <= two["y"]
        or two["y"] + two["height"] <= one["y"]
    )
    assert apart, f"{a} overlaps {b}: {one} {two}"


@pytest.mark.parametrize("who", ["agency_staff", "supplier", "expert", "supervisor", "admin"])
def test_header_fits_and_folds(live_server: str, browser: Any, shot: Any, who: str) -> None:  # noqa: F811
    user = _users()[who]
    for lang in ("zh", "en"):
        wide = browser.new_page(viewport={"width": 1366, "height": 900})
        if lang == "en":
            wide.goto(f"{live_server}/lang/en")
        _login(wide, live_server, user)
        assert wide.locator("[data-testid=nav-toggle]").is_hidden()
        assert wide.locator("[data-testid=nav-link]").first.is_visible()
        _boxes_apart(wide, ".brand", "[data-testid=account]")
        _boxes_apart(wide, ".mainnav", "[data-testid=account]")
        _no_sideways_scroll(wide)
        shot(wide, f"header-{who}-{lang}-1366")
        wide.close()

        phone = browser.new_page(viewport={"width": 390, "height": 844})
        if lang == "en":
            phone.goto(f"{live_server}/lang/en")
        _login(phone, live_server, user)
        toggle = phone.locator("[data-testid=nav-toggle]")
        assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
        assert phone.locator("[data-testid=nav-link]").first.is_hidden()
        assert phone.locator("[data-testid=lang-zh], [data-testid=lang-en]").first.is_visible()
        _boxes_apart(phone, ".brand", "[data-testid=nav-toggle]")
        _no_sideways_scroll(phone)
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
        links = phone.locator("[data-testid=nav-link]")
        for i in range(links.count()):
            assert links.nth(i).is_visible()
        assert phone.locator("[data-testid=account]").is_visible()
        assert phone.locator("[data-testid=logout]").is_visible()
        _no_sideways_scroll(phone)
        shot(phone, f"header-{who}-{lang}-390")
        phone.keyboard.press("Escape")
        assert phone.locator("[data-testid=nav-link]").first.is_hidden()
        phone.close()
