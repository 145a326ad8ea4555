"""In chromium: the supervisor's board shows the seeded cases lit and lights a new one live
over the supervision room; the supervisor sends a warning, the staff member responsible
answers it from the workbench, the supervisor reads and closes it. Screenshots at 1366 and
390 px wide."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Iterator
from typing import Any

import pytest

from app.core import clock
from app.core.auth.models import User
from app.core.extensions import db
from app.supervision import runner
from app.supervision.rules import get_rule
from bidding.models import LotStatus
from bidding.results.models import LotResult
from remote_eval.ws import RoomServer
from tests.factories import PASSWORD, totp_now
from tests.supervision.crafted import NOW, World

pytestmark = pytest.mark.browser
TIMEOUT = 60_000


@pytest.fixture
def rooms(app: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[RoomServer]:
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    server = RoomServer(app, "127.0.0.1", 0)
    server.start_in_thread()
    monkeypatch.setitem(app.config, "ROOMS_PUBLIC_URL", f"ws://127.0.0.1:{server.port}/")
    yield server
    server.stop()


def _page(browser: Any, base: str, user: User, width: int = 1366) -> Any:
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(base + "/login")
    page.fill('input[name="username"]', user.username)
    page.fill('input[name="password"]', PASSWORD)
    page.click('form button[type="submit"]')
    if "/login/2fa" in page.url:
        page.fill('input[name="code"]', totp_now(user))
        page.click('form button[type="submit"]')
    page.wait_for_load_state()
    assert "/login" not in page.url
    return page


def _until(page: Any, expr: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate(expr):
        assert time.monotonic() < deadline, f"timed out waiting for {expr}"
        page.wait_for_timeout(100)


def _no_sideways_scroll(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_supervisor_sees_cases_sends_staff_answers_supervisor_closes(
    live_server: str, browser: Any, shot: Any, rooms: RoomServer
) -> None:
    clock.set_now(NOW)
    w = World()
    collusive = w.lot(LotStatus.OPENED, name="集宁区智慧校园安防系统建设")
    office = ("10.8.8.8", "ab" * 32)
    for price, shared in (("960000.00", True), ("930000.00", True), ("900000.00", False)):
        ip, device = office if shared else ("10.9.1.2", "cd" * 32)
        w.bid(collusive, price=price, ip=ip, device=device)
    overdue = w.lot(LotStatus.AWARDED, name="集宁区教育局校车租赁服务")
    db.session.add(
        LotResult(
            lot_id=overdue.id,
            source="test",
            report_sha256="0" * 64,
            report_at=NOW - dt.timedelta(days=45),
            publish_by=NOW - dt.timedelta(days=43),
            contract_due=NOW - dt.timedelta(days=2),
            created_at=NOW - dt.timedelta(days=45),
        )
    )
    honest = [w.lot(LotStatus.OPENED, name=f"乌兰察布市中心医院设备采购{i}") for i in range(3)]
    for lot in honest:
        for i, price in enumerate(("871000.00", "905500.00", "948800.00")):
            # A fingerprint is a SHA-256 hex (64 characters), whatever the lot's id.
            device = hashlib.sha256(f"{lot.id}-{i}".encode()).hexdigest()
            w.bid(lot, price=price, ip=f"10.{lot.id % 250}.0.{i}", device=device)
    later = w.lot(LotStatus.OPENED, name="察右前旗农村牧区道路硬化")
    db.session.commit()
    runner.run()
    db.session.commit()

    sup = _page(browser, live_server, w.supervisor)
    sup.goto(live_server + "/supervision/")
    row = f'[data-testid="lot-{collusive.id}"]'
    assert sup.get_attribute(f'{row} [data-point="collusion"]', "data-level") == "red"
    assert (
        sup.get_attribute(f'[data-testid="lot-{overdue.id}"] [data-point="clocks"]', "data-level")
        == "red"
    )
    for lot in honest:
        levels = sup.eval_on_selector_all(
            f'[data-testid="lot-{lot.id}"] [data-point]', "els => els.map(e => e.dataset.level)"
        )
        assert set(levels) == {"green"}
    _until(sup, "document.getElementById('board').dataset.live === '1'")
    shot(sup, "supervision-board-1366")

    # A new case arrives while the board is open: its row lights without a reload.
    for _ in range(2):
        w.bid(later, ip="10.7.7.7")
    db.session.commit()
    runner.run(rules=[get_rule("collusion.same_ip")])  # type: ignore[list-item]
    db.session.commit()
    _until(
        sup,
        f'(document.querySelector(\'[data-testid="lot-{later.id}"] [data-point="collusion"]\')'
        " || {dataset: {}}).dataset.level === 'red'",
    )

    sup.click(f"{row} .board-name a")
    sup.click('[data-testid^="warning-"] a:has-text("同一 IP 上传投标文件")')
    assert "10.8.8.8" in sup.inner_text('[data-testid="warning-text"]')
    sup.fill('textarea[name="message"]', "请核查两家投标人是否存在关联关系。")
    sup.click('button:has-text("发出")')
    sup.wait_for_selector("text=预警已发出。")
    warning_url = sup.url
    shot(sup, "supervision-warning-sent-1366")

    staff = _page(browser, live_server, w.staff)
    staff.goto(live_server + "/workbench")
    staff.click('a:has-text("监督预警待答复：同一 IP 上传投标文件")')
    staff.fill(
        'textarea[name="text"]', "经核查，两家公司同在一栋写字楼办公，共用网络出口，已要求说明。"
    )
    staff.click('button:has-text("提交答复")')
    staff.wait_for_selector("text=答复已提交。")

    sup.goto(warning_url)
    assert "共用网络出口" in sup.inner_text('[data-testid="warning-answer"]')
    sup.click('button:has-text("已阅答复")')
    sup.wait_for_selector("text=已标记为已阅。")
    sup.fill('textarea[name="note"]', "已记录，转入诚信档案核查。")
    sup.click('section:has-text("办结") button:has-text("办结")')
    sup.wait_for_selector("text=预警已办结。")
    assert "已办结" in sup.inner_text('[data-testid="warning-status"]')

    narrow = _page(browser, live_server, w.supervisor, width=390)
    narrow.goto(live_server + "/supervision/")
    _no_sideways_scroll(narrow)
    shot(narrow, "supervision-board-390")
    narrow.goto(warning_url)
    _no_sideways_scroll(narrow)
    shot(narrow, "supervision-warning-390")
