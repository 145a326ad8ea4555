"""In chromium: the purchaser reschedules a session that could not start, on the faults
page, at 1366 and 390 px."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import browser, live_server, shot  # noqa: F401  (fixtures)
from tests.venues.test_reschedule import _overdue
from tests.venues.test_venues_browser import _both, _page

pytestmark = pytest.mark.browser


def test_the_purchaser_picks_the_new_time_on_the_faults_page(
    browser: Any,  # noqa: F811
    live_server: str,  # noqa: F811
    shot: Any,  # noqa: F811
) -> None:
    x = _overdue()
    errors: list[str] = []
    page = _page(browser, live_server, x["w"].reps[0], errors)
    page.goto(f"{live_server}/evaluations/{x['s'].id}/faults")
    _both(page, shot, "reschedule-form")
    form = page.locator('[data-testid="start-decision"]')
    form.locator('select[name="decision"]').select_option("reschedule")
    form.locator('input[name="day"]').fill("2026-03-04")
    form.locator('input[name="start"]').fill("14:00")
    form.locator("button").click()
    page.wait_for_selector('[data-testid="rescheduled-to"]')
    assert "2026-03-04 14:00" in page.locator('[data-testid="rescheduled-to"]').inner_text()
    _both(page, shot, "rescheduled")
    assert not errors
