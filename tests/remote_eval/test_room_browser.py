"""The evaluation room in chromium: a committee at two venues signs in, commits and elects
its leader, one page per person; events arrive live over the rooms server, and a dropped
connection reconnects and replays what it missed."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from app.core.extensions import db
from remote_eval import hosting
from remote_eval.models import EvalSession, Phase
from remote_eval.ws import RoomServer
from tests.browser.conftest import browser, live_server, shot  # noqa: F401  (fixtures)
from tests.browser.test_procurement_flow import _login
from tests.remote_eval.committee_world import active, build

pytestmark = pytest.mark.browser

WIDE, PHONE = 1366, 390


@pytest.fixture
def rooms(app: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[RoomServer]:
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    server = RoomServer(app, "127.0.0.1", 0)
    server.start_in_thread()
    monkeypatch.setitem(app.config, "ROOMS_PUBLIC_URL", f"ws://127.0.0.1:{server.port}/")
    yield server
    server.stop()


def _open(browser: Any, base: str, user: Any, path: str, errors: list[str]) -> Any:  # noqa: F811
    """A page in its own browser context (its own login), on `path`, connected to the room."""
    context = browser.new_context(viewport={"width": WIDE, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(page, base, user)
    page.goto(base + path)
    _until(page, "window.__evalRoom && window.__evalRoom.ready", 10)
    return page


def _until(page: Any, expr: str, timeout: float = 10) -> None:
    """Poll a script expression (the page's CSP forbids wait_for_function's eval)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expr):
        assert time.monotonic() < deadline, f"timed out waiting for {expr}"
        page.wait_for_timeout(50)


def _both_widths(page: Any, shot: Any, name: str) -> None:  # noqa: F811
    shot(page, f"eval-room-{name}-{WIDE}")
    page.set_viewport_size({"width": PHONE, "height": 900})
    shot(page, f"eval-room-{name}-{PHONE}")
    page.set_viewport_size({"width": WIDE, "height": 900})


def _seen_without_gaps(page: Any) -> None:
    room = page.evaluate("window.__evalRoom")
    seen = room["seen"]
    assert seen == list(range(room["start"] + 1, room["lastSeq"] + 1)), room


def test_committee_signs_in_commits_and_elects_live(
    app: Any,
    rooms: RoomServer,
    live_server: str,  # noqa: F811
    browser: Any,  # noqa: F811
    shot: Any,  # noqa: F811
) -> None:
    w = build(bidders=2)
    session = w.form(reps=0)
    sid = session.id
    path = f"/evaluations/{sid}"
    members = active(session)
    second = [m for m in members if m.venue_centre_id == w.second.id]
    main = [m for m in members if m.venue_centre_id != w.second.id]
    errors: list[str] = []
    pages = {m.id: _open(browser, live_server, m.user, path, errors) for m in members}
    host = _open(browser, live_server, w.host, path, errors)
    desk_second = _open(browser, live_server, w.staff_second, path, errors)
    desk_main = _open(browser, live_server, w.staff_main, path, errors)
    first = pages[second[0].id]
    _both_widths(first, shot, "signin-waiting")

    # The host cannot move on yet, and the page says why.
    host.click('[data-testid="advance"]')
    host.wait_for_selector('[data-role="message"]:not([hidden])')
    assert "尚未签到" in host.inner_text('[data-role="message"]')

    # The secondary venue's desk confirms its members; the member's page shows the
    # sign-in button without a reload, from the room event.
    for m in second:
        desk_second.click(f'[data-testid="confirm-{m.id}"]')
    assert desk_second.locator(f'[data-testid="confirm-{main[0].id}"]').count() == 0
    first.wait_for_selector('[data-testid="signin"]', timeout=10000)
    _both_widths(desk_second, shot, "signin-desk")
    for m in main:
        desk_main.click(f'[data-testid="confirm-{m.id}"]')
    for m in members:
        pages[m.id].wait_for_selector('[data-testid="signin"]', timeout=10000)
        pages[m.id].click('[data-testid="signin"]')
    # Names are unsealed on the host's page as members sign in.
    names = [inv.expert.name for inv in w.accepted()]
    for name in names:
        host.wait_for_selector(f'[data-testid="members"] >> text={name}', timeout=10000)
    _both_widths(host, shot, "signin-done-host")

    # A dropped connection: the room moves on while this page is offline; after the
    # reconnect it has every event, in order, and shows the new phase.
    dropped = pages[main[0].id]
    dropped.evaluate("window.__evalRoom.socket.close()")
    _until(dropped, "!window.__evalRoom.ready")
    assert dropped.locator('[data-role="conn"]').is_visible()
    db.session.expire_all()
    live_session = db.session.get(EvalSession, sid)
    assert live_session is not None
    hosting.advance(live_session, w.host)
    db.session.commit()
    _until(dropped, "window.__evalRoom.ready", 15)
    dropped.wait_for_selector('[data-testid="commitment-form"]', timeout=10000)
    assert not dropped.locator('[data-role="conn"]').is_visible()
    _seen_without_gaps(dropped)

    # Commitment: each member sees the bidders and signs.
    for m in members:
        page = pages[m.id]
        page.wait_for_selector('[data-testid="commitment-form"]', timeout=10000)
        assert all(
            b.supplier.name in page.inner_text('[data-testid="bidder-list"]') for b in w.bids
        )
    _both_widths(first, shot, "commitment")
    for m in members:
        pages[m.id].click('[data-testid="commitment-submit"]')
        pages[m.id].wait_for_selector("text=您已签署承诺书", timeout=10000)
    _until(
        host,
        f"document.querySelectorAll('[data-testid=members] .badge-green').length >= {3 * len(members)}",
        10,
    )
    host.click('[data-testid="advance"]')

    # Election: every ballot but one for the first member; the last page sees them arrive.
    leader = second[0]
    for m in members:
        pages[m.id].wait_for_selector('[data-testid="vote-form"]', timeout=10000)
    _both_widths(first, shot, "election")
    for m in members[:-1]:
        page = pages[m.id]
        page.check(f'[data-testid="vote-form"] input[value="{leader.id}"]')
        page.click('[data-testid="vote-submit"]')
        page.wait_for_selector("text=您已在本轮投票", timeout=10000)
    last = pages[members[-1].id]
    last.wait_for_selector(f"text=已投 {len(members) - 1} 票", timeout=10000)
    last.check(f'[data-testid="vote-form"] input[value="{leader.id}"]')
    last.click('[data-testid="vote-submit"]')
    for page in [*pages.values(), host]:
        page.wait_for_selector('[data-testid="tally-1"] >> text=当选组长', timeout=10000)
    _both_widths(last, shot, "election-done")

    host.click('[data-testid="advance"]')
    pages[leader.id].wait_for_selector('[data-panel="review"]', timeout=10000)
    _both_widths(pages[leader.id], shot, "review-leader")
    _both_widths(host, shot, "review-host")
    db.session.expire_all()
    assert db.session.get(EvalSession, sid).phase == Phase.REVIEW  # type: ignore[union-attr]
    for page in pages.values():
        _seen_without_gaps(page)
    assert errors == []


def test_scoring_sheet_and_summary_in_the_page(
    app: Any,
    rooms: RoomServer,
    live_server: str,  # noqa: F811
    browser: Any,  # noqa: F811
    shot: Any,  # noqa: F811
) -> None:
    from remote_eval import scoring
    from tests.remote_eval.review_world import build_world, move, pass_all

    w = build_world("comprehensive", ["450000.00", "430000.00"])
    pass_all(w)
    move(w, Phase.SCORING)
    errors: list[str] = []
    path = f"/evaluations/{w.session.id}"
    first, *others = w.members
    page = _open(browser, live_server, first.user, path, errors)
    watcher = _open(browser, live_server, w.host, path, errors)
    bid = w.bids[0]
    sheet = page.locator(f'[data-testid="sheet-{bid.id}"]')
    sheet.locator('select[name="T2"]').select_option("5")
    sheet.locator('select[name="C1"]').select_option("10")
    sheet.locator('input[name="T1"]').fill("33.5")
    page.click(f'[data-testid="submit-{bid.id}"]')
    page.wait_for_selector("text=您已提交评分表", timeout=10000)
    watcher.wait_for_selector(f'[data-bid="{bid.id}"] >> text={first.seat}', timeout=10000)
    assert "33.5" not in watcher.inner_text("#eval-live")
    _both_widths(page, shot, "scoring-member")
    _both_widths(watcher, shot, "scoring-host")
    for m in others:
        for b in w.bids:
            scoring.save_scores(w.session, m, b, {"T1": "30", "T2": "5", "C1": "10"})
            scoring.submit_sheet(w.session, m, b)
    scoring.save_scores(w.session, first, w.bids[1], {"T1": "20", "T2": "5", "C1": "10"})
    scoring.submit_sheet(w.session, first, w.bids[1])
    db.session.commit()
    page.wait_for_selector(f'[data-testid="others-{bid.id}"]', timeout=10000)
    move(w, Phase.SUMMARY)
    page.reload()
    page.wait_for_selector('[data-testid="summary-table"]')
    _both_widths(page, shot, "summary-leader")
    assert errors == []
