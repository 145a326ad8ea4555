"""In chromium: a buyer posts a sealed-quote need (综合评审), two agencies hand in sealed
quotes and get receipts, the buyer opens them after the deadline and names three of its
representatives, each scores, the buyer confirms the highest total, uploads the contract
and records completion; the portal shows the score table. Screenshots at 1366 and 390 px."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from app.core import clock
from app.core.extensions import db, limiter
from app.market.models import Need, NeedStatus
from tests.bids.test_browser_bid import _login
from tests.market.sealed_world import representatives, seal_quote
from tests.market.test_browser import _narrow
from tests.market.world import START, build

pytestmark = pytest.mark.browser


def test_sealed_quotes_from_posting_to_award(
    app: Any, live_server: str, browser: Any, shot: Any, tmp_path: Path
) -> None:
    clock.set_now(START)
    world = build(n_agencies=2)
    reps = representatives(world)
    a1, a2 = world.agencies
    base = live_server

    buyer_ctx = browser.new_context(viewport={"width": 1366, "height": 900})
    buyer = buyer_ctx.new_page()
    buyer.set_default_timeout(30_000)
    _login(buyer, base, world.buyer)
    buyer.goto(base + "/market/buyer/new")
    f = '[data-testid="need-form"] '
    buyer.fill(f + 'input[name="title"]', "旗自然资源局土地整理项目工程造价咨询")
    buyer.select_option(f + 'select[name="type_code"]', "ZX01")
    buyer.fill(f + 'input[name="budget"]', "80000")
    buyer.fill(f + 'input[name="ceiling"]', "90000")
    buyer.fill(f + 'input[name="service_deadline"]', "2027-03-31")
    buyer.check(f + 'input[name="gov_commissioned"]')
    buyer.select_option(f + 'select[name="method"]', "sealed")
    buyer.fill(f + 'input[name="quote_deadline"]', "2026-12-07T16:00")
    shot(buyer, "market-sealed-new-need-1366")
    buyer.click(f + "button[type=submit]")
    buyer.wait_for_load_state()
    need_id = int(buyer.url.rstrip("/").rsplit("/", 1)[1])
    assert "综合评审" in buyer.inner_text("main")
    need = db.session.get(Need, need_id)
    assert need.scoring is not None and need.scoring["price_weight"] == "30"

    # Each agency seals on its own machine and uploads the container; a receipt comes back.
    for user, price, name in ((a1, "78000", "a1"), (a2, "72000", "a2")):
        ctx = browser.new_context(viewport={"width": 1366, "height": 900})
        page = ctx.new_page()
        _login(page, base, user)
        page.goto(f"{base}/market/needs/{need_id}")
        page.click('[data-testid="go-quote"]')
        page.wait_for_load_state()
        if name == "a1":
            shot(page, "market-sealed-quote-1366")
        if name == "a1":
            # Sealed in this browser (WebCrypto): only the ciphertext leaves it.
            proposal = tmp_path / "技术方案.pdf"
            proposal.write_bytes(b"%PDF-1.4 proposal a1")
            page.fill('[data-testid="quote-price"]', "78,000")
            page.set_input_files('[data-testid="quote-files"]', str(proposal))
            page.click('[data-testid="quote-submit"]')
        else:
            # Sealed offline in the command-line tool's format and uploaded as a file.
            sealed_file = tmp_path / f"{name}.thsb"
            sealed_file.write_bytes(seal_quote(need, user, price, b"%PDF-1.4 proposal a2"))
            page.click("details.offline summary")
            page.set_input_files('[data-testid="quote-form"] input[name="file"]', str(sealed_file))
            page.click('[data-testid="quote-form"] button')
        page.wait_for_selector('[data-testid="quote-receipt"]')
        if name == "a1":
            shot(page, "market-sealed-receipt-1366")
        ctx.close()
    buyer.goto(f"{base}/market/needs/{need_id}")
    assert buyer.inner_text('[data-testid="quote-count"]') == "2"
    assert "78,000" not in buyer.inner_text("main")

    # After the deadline the buyer opens them and names three representatives.
    clock.set_now(START + dt.timedelta(hours=7))
    buyer.goto(f"{base}/market/buyer/needs/{need_id}")
    buyer.click('[data-testid="open-quotes"]')
    buyer.wait_for_load_state()
    opened = buyer.inner_text('[data-testid="opened-quotes"]')
    assert "78,000.00" in opened and "72,000.00" in opened
    for rep in reps:
        buyer.check(f'[data-testid="committee-form"] input[value="{rep.id}"]')
    buyer.click('[data-testid="committee-form"] button')
    buyer.wait_for_load_state()
    shot(buyer, "market-sealed-opened-1366")

    # Each member scores on the review page (a1 better on the proposal, a2 cheaper).
    for n, rep in enumerate(reps):
        ctx = browser.new_context(viewport={"width": 1366, "height": 900})
        page = ctx.new_page()
        _login(page, base, rep)
        page.goto(f"{base}/market/sealed/{need_id}/review")
        form = page.locator('[data-testid="score-form"]')
        inputs = form.locator("input[inputmode=decimal]")
        values = ["38", "18", "9", "25", "12", "6"]
        if n == 0:
            # A score above the item's maximum is refused with the reason; nothing saved.
            for i in range(inputs.count()):
                inputs.nth(i).fill(values[i])
            inputs.nth(0).fill("41")
            form.locator("button").click()
            page.wait_for_load_state()
            assert "0–40" in page.inner_text("main")
            inputs = page.locator('[data-testid="score-form"] input[inputmode=decimal]')
            # What was typed stays; only the refused box is marked.
            assert inputs.nth(1).input_value() == "18"
            assert page.locator(".has-error input").input_value() == "41"
            page.set_viewport_size({"width": 390, "height": 844})
            shot(page, "market-sealed-review-form-390")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            page.set_viewport_size({"width": 1366, "height": 900})
        for i in range(inputs.count()):
            inputs.nth(i).fill(values[i])
        if n == 0:
            shot(page, "market-sealed-review-1366")
        page.locator('[data-testid="score-form"] button').click()
        page.wait_for_load_state()
        assert page.is_visible('[data-testid="scored"]')
        ctx.close()

    # The buyer confirms the highest total, then the usual contract and completion.
    buyer.goto(f"{base}/market/buyer/needs/{need_id}")
    results = buyer.inner_text('[data-testid="sealed-results"]')
    assert a1.organisation.name in results
    buyer.click('[data-testid="finish-review"]')
    buyer.wait_for_load_state()
    db.session.expire_all()
    need = db.session.get(Need, need_id)
    # a1: 72000/78000 × 30 = 27.69 + 65 = 92.69; a2: 30 + 43 = 73.
    assert need.status == NeedStatus.AWARDED and need.winner_org_id == a1.organisation_id
    contract = tmp_path / "contract.pdf"
    contract.write_bytes(b"%PDF-1.4 signed contract")
    buyer.set_input_files('[data-testid="contract-form"] input[name="file"]', str(contract))
    buyer.click('[data-testid="contract-form"] button')
    buyer.wait_for_load_state()
    buyer.fill('[data-testid="complete-form"] textarea', "咨询报告已交付。")
    buyer.click('[data-testid="complete-form"] button')
    buyer.wait_for_load_state()
    shot(buyer, "market-sealed-buyer-need-1366")
    buyer.goto(f"{base}/market/needs/{need_id}")
    public = buyer.inner_text('[data-testid="sealed-results"]')
    assert "92.69" in public and "73.00" in public
    assert a1.organisation.name in buyer.inner_text('[data-testid="need-result"]')
    shot(buyer, "market-sealed-need-1366")

    # Ten sign-ins from one address in a few minutes meet the login rate limit.
    limiter.reset()
    for path, user, name in (
        (f"/market/needs/{need_id}", None, "market-sealed-need-390"),
        (f"/market/buyer/needs/{need_id}", world.buyer, "market-sealed-buyer-need-390"),
        ("/market/buyer/new", world.buyer, "market-sealed-new-need-390"),
        (f"/market/sealed/{need_id}/quote", a2, "market-sealed-receipt-390"),
        (f"/market/sealed/{need_id}/review", reps[1], "market-sealed-review-390"),
    ):
        _narrow(browser, base, user, path, shot, name)
    _narrow(
        browser, base, None, f"/market/needs/{need_id}", shot, "market-sealed-need-1366-en", 1366
    )
    _narrow(
        browser,
        base,
        world.buyer,
        f"/market/buyer/needs/{need_id}",
        shot,
        "market-sealed-buyer-390-en",
    )
    buyer_ctx.close()
