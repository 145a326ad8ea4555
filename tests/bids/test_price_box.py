"""The bid price box reads the number back as typed and never lets a price above the
ceiling be sealed by accident."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from app.core.extensions import db
from bidding.bids.models import Bid
from tests.bids.conftest import World
from tests.bids.test_browser_bid import PDF, _login

pytestmark = pytest.mark.browser


def test_a_price_above_the_ceiling_needs_a_confirmation_before_sealing(
    world: World, live_server: str, browser: Any, shot: Any
) -> None:
    lot, supplier, org = world.lot, world.suppliers[0], world.orgs[0]
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.set_default_timeout(60_000)
    _login(page, live_server, supplier)
    page.goto(f"{live_server}/bids/lots/{lot.id}")
    box = '[data-testid="total-price"]'
    # The example is under the ceiling (4,800,000.00): 90 % of it.
    assert page.get_attribute(box, "placeholder") == "4,320,000.00"
    page.fill(box, "45万")
    assert "投标总价须为" in page.inner_text('[data-testid="price-reads"]')
    # A misplaced comma is read back as the number it makes, so the bidder sees the slip.
    page.fill(box, "4,9000")
    assert page.inner_text('[data-testid="price-reads"]') == "即 49,000.00 元"
    page.fill(box, "4900000")
    assert page.inner_text('[data-testid="price-reads"]') == "即 4,900,000.00 元"
    page.locator(box).blur()
    assert page.input_value(box) == "4,900,000.00"
    assert page.is_visible('[data-testid="over-ceiling"]')
    assert "4,800,000.00" in page.inner_text('[data-testid="over-ceiling"]')
    shot(page, "bids-price-over-ceiling-390")
    page.fill('[data-testid="duration"]', "180")
    page.fill('[data-testid="quality"]', "合格")
    page.set_input_files(
        '[data-testid="bid-files"]',
        {"name": "技术标.pdf", "mimeType": "application/pdf", "buffer": PDF},
    )
    page.click('[data-testid="seal-submit"]')
    page.wait_for_selector('[data-role="status"].alert-error')
    assert "确认" in page.inner_text('[data-role="status"]')
    db.session.expire_all()
    assert db.session.query(Bid).filter_by(supplier_id=org.id).count() == 0

    # A price back under the ceiling hides the warning; above it again, confirmed, it seals.
    page.fill(box, "4700000")
    assert not page.is_visible('[data-testid="over-ceiling"]')
    page.fill(box, "4,900,000.00")
    page.check('[data-testid="confirm-over-ceiling"]')
    page.click('[data-testid="seal-submit"]')
    page.wait_for_url("**/bids/receipts/*", timeout=60_000)
    db.session.expire_all()
    assert db.session.query(Bid).filter_by(supplier_id=org.id).count() == 1


def test_a_price_below_the_floor_needs_a_confirmation_before_sealing(
    world: World, live_server: str, browser: Any, shot: Any
) -> None:
    lot, supplier, org = world.lot, world.suppliers[0], world.orgs[0]
    lot.floor_price = Decimal("4000000.00")
    db.session.commit()
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.set_default_timeout(60_000)
    _login(page, live_server, supplier)
    page.goto(f"{live_server}/bids/lots/{lot.id}")
    box = '[data-testid="total-price"]'
    assert "最低限价 4,000,000.00" in page.inner_text("#bid-seal")
    page.fill(box, "3,500,000")
    page.locator(box).blur()
    assert page.is_visible('[data-testid="under-floor"]')
    assert not page.is_visible('[data-testid="over-ceiling"]')
    assert "4,000,000.00" in page.inner_text('[data-testid="under-floor"]')
    shot(page, "bids-price-under-floor-390")
    page.fill('[data-testid="duration"]', "180")
    page.fill('[data-testid="quality"]', "合格")
    page.set_input_files(
        '[data-testid="bid-files"]',
        {"name": "技术标.pdf", "mimeType": "application/pdf", "buffer": PDF},
    )
    page.click('[data-testid="seal-submit"]')
    page.wait_for_selector('[data-role="status"].alert-error')
    assert "最低限价" in page.inner_text('[data-role="status"]')
    db.session.expire_all()
    assert db.session.query(Bid).filter_by(supplier_id=org.id).count() == 0
    # Within the range the warning goes; below the floor again, confirmed, it seals.
    page.fill(box, "4200000")
    assert not page.is_visible('[data-testid="under-floor"]')
    page.fill(box, "3,500,000.00")
    page.check('[data-testid="confirm-under-floor"]')
    page.click('[data-testid="seal-submit"]')
    page.wait_for_url("**/bids/receipts/*", timeout=60_000)
    db.session.expire_all()
    assert db.session.query(Bid).filter_by(supplier_id=org.id).count() == 1
