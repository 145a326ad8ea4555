"""In chromium: an agency registers and is listed, a buyer posts a need, two agencies bid
in a live auction with a soft-close extension (the clock moved), the buyer awards, uploads
the contract, records completion and rates; screenshots at 1366 and 390 px."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core import clock
from app.core.extensions import db
from app.market import auction
from app.market.models import Need
from remote_eval.ws import RoomServer
from tests.bids.test_browser_bid import _login
from tests.factories import PASSWORD, credit
from tests.market.world import START, build

pytestmark = pytest.mark.browser


@pytest.fixture
def rooms(app: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[RoomServer]:
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    server = RoomServer(app, "127.0.0.1", 0)
    server.start_in_thread()
    monkeypatch.setitem(app.config, "ROOMS_PUBLIC_URL", f"ws://127.0.0.1:{server.port}/")
    yield server
    server.stop()


def _until(page: Any, expr: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate(expr):
        assert time.monotonic() < deadline, f"timed out waiting for {expr}"
        page.wait_for_timeout(100)


def _text(testid: str) -> str:
    return f"document.querySelector('[data-testid={testid}]').textContent.trim()"


def _narrow(
    browser: Any, base: str, user: Any, path: str, shot: Any, name: str, width: int = 390
) -> None:
    page = browser.new_page(viewport={"width": width, "height": 844})
    if user is not None:
        _login(page, base, user)
    if name.endswith("-en"):
        page.goto(base + "/lang/en")
    page.goto(base + path)
    scroll = page.evaluate("document.documentElement.scrollWidth")
    shot(page, name)
    assert scroll <= width, (path, scroll)
    page.close()


def test_register_list_post_bid_live_with_extension_award_contract_complete_rate(
    app: Any, live_server: str, browser: Any, shot: Any, rooms: RoomServer, tmp_path: Path
) -> None:
    clock.set_now(START)
    world = build(n_agencies=1)
    other = world.agencies[0]
    base = live_server

    # An agency registers itself and adds a qualification: it is listed.
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.set_default_timeout(30_000)
    page.goto(base + "/market/register")
    form = '[data-testid="agency-register"] '
    page.fill(form + 'input[name="name"]', "内蒙古新锐环评咨询有限公司")
    page.fill(form + 'input[name="credit_code"]', credit())
    page.fill(form + 'input[name="contact_name"]', "刘工")
    page.fill(form + 'input[name="email"]', "liu@example.cn")
    page.fill(form + 'input[name="username"]', "xinrui")
    page.fill(form + 'input[name="password"]', PASSWORD)
    page.fill(form + 'input[name="password2"]', PASSWORD)
    shot(page, "market-register-1366")
    page.click(form + "button[type=submit]")
    page.fill('input[name="username"]', "xinrui")
    page.fill('input[name="password"]', PASSWORD)
    page.click('form button[type="submit"]')
    page.wait_for_load_state()
    assert "/market/my/profile" in page.url
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4 scanned certificate")
    q = '[data-testid="qualification-form"] '
    page.select_option(q + 'select[name="type_code"]', "ZX01")
    page.fill(q + 'input[name="name"]', "建设项目环境影响评价资质")
    page.select_option(q + 'select[name="level"]', "1")
    page.fill(q + 'input[name="number"]', "HP-2026-88")
    page.fill(q + 'input[name="issuer"]', "内蒙古自治区生态环境厅")
    page.fill(q + 'input[name="valid_until"]', "2028-06-30")
    page.set_input_files(q + 'input[name="certificate"]', str(scan))
    page.click(q + "button[type=submit]")
    page.wait_for_load_state()
    shot(page, "market-agency-profile-1366")
    page.goto(base + "/market/agencies")
    assert "内蒙古新锐环评咨询有限公司" in page.inner_text('[data-testid="agencies"]')
    shot(page, "market-directory-1366")
    agency_page = page

    # The buyer posts an auction need.
    buyer_ctx = browser.new_context(viewport={"width": 1366, "height": 900})
    buyer = buyer_ctx.new_page()
    _login(buyer, base, world.buyer)
    buyer.goto(base + "/market/buyer/new")
    f = '[data-testid="need-form"] '
    buyer.fill(f + 'input[name="title"]', "旗政府新建办公楼环境影响评价")
    buyer.select_option(f + 'select[name="type_code"]', "ZX01")
    buyer.fill(f + 'input[name="budget"]', "60000")
    buyer.fill(f + 'input[name="service_deadline"]', "2027-03-31")
    buyer.check(f + 'input[name="gov_commissioned"]')
    buyer.select_option(f + 'select[name="method"]', "auction")
    buyer.fill(f + 'input[name="starts_at"]', "2026-12-07T10:05")
    buyer.fill(f + 'input[name="closes_at"]', "2026-12-07T10:35")
    buyer.fill(f + 'input[name="step"]', "500")
    buyer.fill(f + 'input[name="extend_window_minutes"]', "5")
    buyer.fill(f + 'input[name="extend_minutes"]', "3")
    shot(buyer, "market-new-need-1366")
    buyer.click(f + "button[type=submit]")
    buyer.wait_for_load_state()
    need_id = int(buyer.url.rstrip("/").rsplit("/", 1)[1])
    assert "网上竞价" in buyer.inner_text("main")

    # Two agencies in the live room, each in a window of its own.
    clock.set_now(START + dt.timedelta(minutes=6))
    room_url = f"{base}/market/needs/{need_id}/auction"
    agency_page.goto(room_url)
    rival_ctx = browser.new_context(viewport={"width": 1366, "height": 900})
    rival = rival_ctx.new_page()
    _login(rival, base, other)
    rival.goto(room_url)
    for p in (agency_page, rival):
        _until(p, "document.getElementById('auction').dataset.live === '1'")
    agency_page.fill('[data-testid="bid-price"]', "59000")
    agency_page.click('[data-testid="bid-submit"]')
    _until(rival, f"{_text('auction-best')} === '59,000.00'")
    _until(agency_page, f"{_text('my-rank')} === '1'")
    rival.fill('[data-testid="bid-price"]', "58800")
    rival.click('[data-testid="bid-submit"]')
    _until(rival, f"{_text('bid-message')}.indexOf('500') >= 0")
    # Late in the auction: a bid extends the close for everyone.
    clock.set_now(START + dt.timedelta(minutes=33))
    rival.fill('[data-testid="bid-price"]', "58000")
    rival.click('[data-testid="bid-submit"]')
    _until(agency_page, f"{_text('auction-best')} === '58,000.00'")
    _until(agency_page, "document.getElementById('auction').dataset.extensions === '1'")
    _until(agency_page, f"{_text('my-rank')} === '2'")
    assert "刘工" not in agency_page.inner_text("#auction")
    assert other.organisation.name not in agency_page.inner_text("#auction")
    shot(agency_page, "market-auction-live-1366")
    need = db.session.get(Need, need_id)
    db.session.refresh(need)
    assert need.extensions == 1 and need.closes_at == START + dt.timedelta(minutes=36)

    # After the close the buyer awards, uploads the contract, records completion, rates.
    clock.set_now(START + dt.timedelta(minutes=37))
    auction.close_due()
    buyer.goto(f"{base}/market/buyer/needs/{need_id}")
    assert "58,000.00" in buyer.inner_text('[data-testid="best-price"]')
    buyer.click('[data-testid="confirm-award"]')
    buyer.wait_for_load_state()
    contract = tmp_path / "contract.pdf"
    contract.write_bytes(b"%PDF-1.4 signed contract")
    buyer.set_input_files('[data-testid="contract-form"] input[name="file"]', str(contract))
    buyer.click('[data-testid="contract-form"] button')
    buyer.wait_for_load_state()
    buyer.fill('[data-testid="complete-form"] textarea', "报告书已通过审查。")
    buyer.click('[data-testid="complete-form"] button')
    buyer.wait_for_load_state()
    buyer.select_option('[data-testid="rate-form"] select[name="fee"]', "4")
    buyer.fill('[data-testid="rate-form"] textarea', "按期完成，质量良好。")
    buyer.click('[data-testid="rate-form"] button')
    buyer.wait_for_load_state()
    assert "收费合理 4/5" in buyer.inner_text('[data-testid="rated"]')
    shot(buyer, "market-buyer-need-1366")
    buyer.goto(f"{base}/market/needs/{need_id}")
    result = buyer.inner_text('[data-testid="need-result"]')
    assert other.organisation.name in result and "58,000.00" in result
    buyer.goto(f"{base}/market/needs/{need_id}/replay")
    assert buyer.is_visible('[data-testid="replay-ok"]')
    shot(buyer, "market-replay-1366")
    buyer.goto(f"{base}/market/agencies/{other.organisation_id}")
    assert "按期完成，质量良好。" in buyer.inner_text('[data-testid="ratings"]')
    shot(buyer, "market-agency-page-1366")
    buyer.goto(f"{base}/market/")
    shot(buyer, "market-index-1366")

    for path, user, name in (
        ("/market/", None, "market-index-390"),
        (f"/market/agencies/{other.organisation_id}", None, "market-agency-page-390"),
        ("/market/agencies", None, "market-directory-390"),
        (f"/market/needs/{need_id}", None, "market-need-390"),
        (f"/market/buyer/needs/{need_id}", world.buyer, "market-buyer-need-390"),
        ("/market/buyer/new", world.buyer, "market-new-need-390"),
        (f"/market/needs/{need_id}/auction", other, "market-auction-390"),
        ("/market/my/profile", other, "market-profile-390"),
    ):
        _narrow(browser, base, user, path, shot, name)
    _narrow(
        browser,
        base,
        other,
        f"/market/needs/{need_id}/auction",
        shot,
        "market-auction-1366-en",
        1366,
    )
    _narrow(
        browser,
        base,
        None,
        f"/market/agencies/{other.organisation_id}",
        shot,
        "market-agency-390-en",
    )
    rival_ctx.close()
    buyer_ctx.close()
