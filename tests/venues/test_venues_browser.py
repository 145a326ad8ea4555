"""In chromium: the agency books main-venue seats and asks another centre for help, that
centre accepts, and the host can open the remote evaluation only once the secondary venue
has confirmed its members seated and identified."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import pytest

from app.core.extensions import db
from remote_eval.models import EvalSession, Phase
from remote_eval.venues import rooms
from remote_eval.venues.models import AssistanceRequest, AssistanceStatus
from remote_eval.ws import RoomServer
from tests.browser.conftest import browser, live_server, shot  # noqa: F401  (fixtures)
from tests.browser.test_procurement_flow import _login
from tests.experts.world import make_pool
from tests.remote_eval import committee_world as cw
from tests.venues.world import seats

pytestmark = pytest.mark.browser
WIDE, PHONE = 1366, 390
DAY = "2026-03-03"  # the day after the world's Monday; the clock stands at 04:00 that day


@pytest.fixture
def rooms_server(app: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[RoomServer]:
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    server = RoomServer(app, "127.0.0.1", 0)
    server.start_in_thread()
    monkeypatch.setitem(app.config, "ROOMS_PUBLIC_URL", f"ws://127.0.0.1:{server.port}/")
    yield server
    server.stop()


def _page(browser: Any, base: str, user: Any, errors: list[str]) -> Any:  # noqa: F811
    context = browser.new_context(viewport={"width": WIDE, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(page, base, user)
    return page


def _both(page: Any, shot: Any, name: str) -> None:  # noqa: F811
    shot(page, f"venues-{name}-{WIDE}")
    page.set_viewport_size({"width": PHONE, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE, name
    shot(page, f"venues-{name}-{PHONE}")
    page.set_viewport_size({"width": WIDE, "height": 900})


def _until(page: Any, expr: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate(expr):
        assert time.monotonic() < deadline, f"timed out waiting for {expr}"
        page.wait_for_timeout(50)


def publish_rooms(w: Any) -> Any:
    """Both centres publish a room (6 and 4 seats) and the second shares experts; returns
    the second centre's room."""
    make_pool(w.second, 5, "A08.01.01.01")
    main_room = rooms.save_venue(w.staff_main, {"name": "第一评标室", "seats": seats(6)})
    rooms.set_published(main_room, w.staff_main, True)
    second_room = rooms.save_venue(w.staff_second, {"name": "远程评标室", "seats": seats(4)})
    rooms.set_published(second_room, w.staff_second, True)
    db.session.commit()
    return second_room


def book_remote_lot(
    w: Any,
    agency: Any,
    desk: Any,
    base: str,
    second_room: Any,
    shot: Any = None,  # noqa: F811
) -> None:
    """In the pages: the agency (`agency`, the lot's host) books three main-venue seats,
    marks the lot remote and asks the second centre for two seats and two experts; that
    centre's staff (`desk`) accept in `second_room`. With `shot`, the pages are captured."""
    # The agency books three seats at the main venue, then marks the lot remote.
    agency.goto(f"{base}/lots/{w.lot.id}/venues")
    form = agency.locator('[data-testid="book-form"]')
    form.locator("input[name=day]").fill(DAY)
    form.locator("input[name=seats]").fill("3")
    form.locator('[data-testid="book"]').click()
    agency.wait_for_selector('[data-testid="bookings"] >> text=已预约')
    # Booking more than the room has is refused with the reason, nothing saved.
    form = agency.locator('[data-testid="book-form"]')
    form.locator("input[name=day]").fill(DAY)
    form.locator("input[name=seats]").fill("7")
    form.locator('[data-testid="book"]').click()
    agency.wait_for_selector("text=只有 6 个工位")
    agency.click('[data-testid="mark-remote"]')
    ask = agency.locator('[data-testid="assist-form"]')
    ask.locator("select[name=to_centre_id]").select_option(str(w.second.id))
    ask.locator("input[name=day]").fill(DAY)
    ask.locator("input[name=seats]").fill("2")
    ask.locator("select[name=s1_specialty]").select_option("A08.01")
    ask.locator("input[name=s1_count]").fill("2")
    if shot:
        _both(agency, shot, "lot")
    ask.locator('[data-testid="ask"]').click()
    agency.wait_for_selector('[data-testid="assist-status"] >> text=待答复')

    # The other centre's staff accept, choosing their room: seats are reserved.
    item = db.session.query(AssistanceRequest).one()
    desk.goto(f"{base}/assistance/{item.id}")
    if shot:
        _both(desk, shot, "assistance-answer")
    desk.locator('[data-testid="accept-form"] select[name=venue_id]').select_option(
        str(second_room.id)
    )
    desk.click('[data-testid="accept"]')
    desk.wait_for_selector('[data-testid="assist-status"] >> text=已接受')
    assert "A01、A02" in desk.content()
    db.session.expire_all()
    assert db.session.get(AssistanceRequest, item.id).status == AssistanceStatus.ACCEPTED
    desk.goto(f"{base}/venues/{second_room.id}")
    if shot:
        _both(desk, shot, "room")


def test_booking_assistance_and_the_start_gate(
    app: Any,
    rooms_server: RoomServer,
    live_server: str,  # noqa: F811
    browser: Any,  # noqa: F811
    shot: Any,  # noqa: F811
) -> None:
    w = cw.build(bidders=2)
    second_room = publish_rooms(w)
    errors: list[str] = []

    agency = _page(browser, live_server, w.host, errors)
    desk = _page(browser, live_server, w.staff_second, errors)
    book_remote_lot(w, agency, desk, live_server, second_room, shot)

    # The committee sits at both venues; every member signs in.
    session = w.form()
    sid = session.id
    cw.sign_everyone_in(w, session)
    host = agency
    host.goto(f"{live_server}/evaluations/{sid}")
    _until(host, "window.__evalRoom && window.__evalRoom.ready")
    host.click('[data-testid="advance"]')
    host.wait_for_selector('[data-role="message"]:not([hidden])')
    assert "副场尚未确认" in host.inner_text('[data-role="message"]')
    desk.goto(f"{live_server}/evaluations/{sid}")
    _until(desk, "window.__evalRoom && window.__evalRoom.ready")
    _both(desk, shot, "start-gate-desk")
    desk.click('[data-testid="venue-ready"]')
    # The host's page shows the secondary venue ready from the room event, then opens.
    host.wait_for_selector(f'[data-venue="{w.second.id}"] >> text=已就绪', timeout=10000)
    host.click('[data-testid="advance"]')
    host.wait_for_selector(
        '[data-testid="commitment-form"], [data-panel="commitment"]', timeout=10000
    )
    db.session.expire_all()
    assert db.session.get(EvalSession, sid).phase == Phase.COMMITMENT
    _both(host, shot, "start-gate-host")

    # Broken off: the host pauses; with the clock moved past 4 hours the scheduler seals
    # the record, and the room says so (every command is refused from now on).
    from app.core import clock
    from remote_eval import hosting
    from remote_eval.venues import jobs

    live = db.session.get(EvalSession, sid)
    hosting.pause(live, w.host, "副场网络中断")
    db.session.commit()
    clock.set_now(clock.now() + dt.timedelta(hours=4, minutes=1))
    assert jobs.sweep_faults()["sealed"] == 1
    host.wait_for_selector('[data-testid="pause-banner"] >> text=已封存', timeout=10000)
    assert host.locator('[data-testid="resume"]').count() == 0
    _both(host, shot, "sealed-host")
    assert errors == []
