"""The opening hall follows its events live: the share counter of a page already open
moves when another custodian presents a share, and the feed's words are the reader's."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from app.core import clock
from app.core.extensions import db
from bidding.bids import opening as hall
from bidding.bids.freeze import sweep_deadlines
from remote_eval.ws import RoomServer
from tests.bids.conftest import DEADLINE, PASSPHRASES, World, seal, upload
from tests.bids.test_browser_bid import _login

pytestmark = pytest.mark.browser
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def rooms(app: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[RoomServer]:
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    server = RoomServer(app, "127.0.0.1", 0)
    server.start_in_thread()
    monkeypatch.setitem(app.config, "ROOMS_PUBLIC_URL", f"ws://127.0.0.1:{server.port}/")
    yield server
    server.stop()


def _until(page: Any, expr: str, timeout: float = 30) -> None:
    """Poll a script expression (the page's CSP forbids wait_for_function's eval)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expr):
        assert time.monotonic() < deadline, f"timed out waiting for {expr}"
        page.wait_for_timeout(100)


def test_the_share_counter_moves_when_another_custodian_presents(
    client: Any, world: World, live_server: str, browser: Any, shot: Any, rooms: RoomServer
) -> None:
    lot = world.lot
    for user, price in zip(
        world.suppliers, ("4500000.00", "4390000.00", "4620000.50"), strict=True
    ):
        resp = upload(client, world.headers(user), lot, seal(lot, user.organisation, price=price))
        assert resp.status_code == 201
    clock.set_now(DEADLINE + dt.timedelta(minutes=2))
    sweep_deadlines()
    db.session.commit()

    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.set_default_timeout(60_000)
    _login(page, live_server, world.staff)
    page.goto(f"{live_server}/lang/en")
    page.goto(f"{live_server}/bids/lots/{lot.id}/hall")
    page.fill('[data-testid="hall-share"] input[name="passphrase"]', PASSPHRASES[0])
    with page.expect_navigation():
        page.click('[data-testid="hall-share"] button')
    count = "document.querySelector('[data-testid=shares-count]').textContent.trim()"
    assert page.evaluate(count) == "1 / 2"
    _until(page, "document.getElementById('hall').dataset.live === '1'")

    # The second custodian presents elsewhere; this page is not reloaded.
    hall.present_share(lot, world.supervisor, PASSPHRASES[1])
    db.session.commit()
    _until(page, f"{count} === '2 / 2'")
    shot(page, "bids-hall-live-counter-1366")

    labels = page.evaluate("JSON.parse(document.getElementById('hall').dataset.labels)")
    assert labels["share_presented"] and not any(CJK.search(v) for v in labels.values())
    feed = page.inner_text('[data-role="events"]')
    assert "Key share presented" in feed
