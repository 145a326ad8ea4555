"""In chromium with its fake camera: two venue terminals stream to the host and to a
supervisor of each centre, who see both venues play; a terminal's recording uploads in
hashed chunks and is listed in the room record with its hash."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from typing import Any

import pytest

from app.core.extensions import db
from app.core.storage import get_store
from remote_eval.venues import assistance
from remote_eval.venues.models import VenueRecording
from remote_eval.ws import RoomServer
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, live_server, require_chromium, shot  # noqa: F401
from tests.browser.test_procurement_flow import _login
from tests.remote_eval import committee_world as cw

pytestmark = pytest.mark.browser
WIDE, PHONE = 1366, 390
# Chromium's fake camera and microphone, granted without asking.
MEDIA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
PLAYING = (
    "Array.from(document.querySelectorAll('[data-testid=remote-video]'))"
    ".every(v => v.videoWidth > 0 && !v.paused && v.readyState >= 2)"
)


@pytest.fixture
def media_browser() -> Iterator[Any]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS + MEDIA_ARGS, headless=True
        )
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def rooms_server(app: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[RoomServer]:
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    server = RoomServer(app, "127.0.0.1", 0)
    server.start_in_thread()
    monkeypatch.setitem(app.config, "ROOMS_PUBLIC_URL", f"ws://127.0.0.1:{server.port}/")
    yield server
    server.stop()


def media_page(browser: Any, base: str, user: Any, errors: list[str], path: str = "") -> Any:
    """A signed-in page of its own browser context (its own cookies), with the fake camera."""
    context = browser.new_context(viewport={"width": WIDE, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(page, base, user)
    if path:
        page.goto(f"{base}{path}")
    return page


def until(page: Any, expr: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate(expr):
        assert time.monotonic() < deadline, f"timed out waiting for {expr}"
        page.wait_for_timeout(100)


def both_widths(page: Any, shot: Any, name: str) -> None:  # noqa: F811
    shot(page, f"video-{name}-{WIDE}")
    page.set_viewport_size({"width": PHONE, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE, name
    shot(page, f"video-{name}-{PHONE}")
    page.set_viewport_size({"width": WIDE, "height": 900})


def remote_videos(page: Any) -> list[int]:
    return page.evaluate(
        "Array.from(document.querySelectorAll('[data-testid=remote-video]')).map(v => v.videoWidth)"
    )


def test_both_venues_stream_to_the_host_and_each_centres_supervisor_and_a_recording_uploads(
    app: Any,
    rooms_server: RoomServer,
    live_server: str,  # noqa: F811
    media_browser: Any,
    shot: Any,  # noqa: F811
) -> None:
    w = cw.build(bidders=2)
    assistance.mark_remote(w.lot, w.host)
    session = w.form()
    room = f"/evaluations/{session.id}"
    errors: list[str] = []

    # The two venues' terminals open the room: each streams its camera and records it.
    terminals = [
        media_page(media_browser, live_server, staff, errors, room)
        for staff in (w.staff_main, w.staff_second)
    ]
    for t in terminals:
        until(t, "window.__venueVideo && window.__venueVideo.ready")
        until(t, "document.querySelector('[data-testid=local-video]').videoWidth > 0")
    # The host and a supervisor of each centre see both venues live.
    walls = [
        media_page(media_browser, live_server, user, errors, room)
        for user in (w.host, w.supervisor_main, w.supervisor_second)
    ]
    for wall in walls:
        until(
            wall,
            f"document.querySelectorAll('[data-testid=remote-video]').length === 2 && {PLAYING}",
        )
        assert all(width > 0 for width in remote_videos(wall))
    both_widths(walls[0], shot, "wall-host")
    both_widths(terminals[1], shot, "terminal")

    # The secondary venue's terminal drops and comes back: the walls call it again.
    second = terminals[1]
    second.reload()
    until(second, "window.__venueVideo && window.__venueVideo.ready")
    for wall in walls:
        until(wall, PLAYING)

    # The main venue saves its recording: chunks hashed, whole file hashed, listed.
    main = terminals[0]
    until(main, "document.querySelector('[data-testid=save-recording]').hidden === false")
    main.wait_for_timeout(2500)  # a little more than one chunk of the recorder
    main.click('[data-testid="save-recording"]')
    until(main, "window.__venueVideo.recordings.length === 1")
    saved = main.evaluate("window.__venueVideo.recordings[0]")
    assert saved["size"] > 0 and len(saved["sha256"]) == 64
    db.session.expire_all()
    rec = db.session.get(VenueRecording, saved["id"])
    assert rec.centre_id == w.base.centre.id and rec.sha256 == saved["sha256"]
    with get_store().open(rec.sha256) as f:
        data = f.read()
    assert hashlib.sha256(data).hexdigest() == rec.sha256 and data[:4] == b"\x1aE\xdf\xa3"
    host = walls[0]
    host.wait_for_selector(f'[data-testid="recording-hash"] >> text={rec.sha256}', timeout=10000)
    # The video survives the panels re-rendering on that room event.
    until(host, PLAYING)
    both_widths(host, shot, "recordings-host")
    both_widths(walls[2], shot, "wall-supervisor-second")
    assert errors == []
