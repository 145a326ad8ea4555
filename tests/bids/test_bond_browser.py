"""The bond pages in chromium: a supplier gets its sub-account and files a guarantee, the
centre's staff import a statement and check the guarantee, a supervisor reads the signals;
each page fits a 390-px phone without sideways scrolling."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from app.core import clock, formatting
from app.core.extensions import db
from bidding.bids import bonds
from bidding.bids.eligibility import bid_problems
from tests.bids.conftest import World, centre_officer, make_supplier, pay_bond
from tests.bids.test_browser_bid import _login

pytestmark = pytest.mark.browser
WIDTHS = (1366, 390)


def _fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def _as(browser: Any, base: str, user: Any) -> Any:
    """A logged-in page (one login per user: the login form is rate-limited)."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    _login(page, base, user)
    return page


def _look(page: Any, base: str, path: str, name: str, shot: Any) -> None:
    """Open `path` at each width: no sideways scroll, a screenshot of each."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(base + path)
        assert _fits(page), f"{path} scrolls sideways at {width}px"
        saved = shot(page, f"{name}-{width}")
        copy_to = os.environ.get("TENDERHALL_SHOTS_DIR")
        if copy_to:
            Path(copy_to).mkdir(parents=True, exist_ok=True)
            shutil.copy(saved, Path(copy_to) / saved.name)


def test_the_bond_pages_work_and_fit_a_phone(
    world: World, live_server: str, browser: Any, shot: Any, tmp_path: Path
) -> None:
    lot = world.lot
    supplier = make_supplier(lot, world.staff, bond=False)
    guarantor = make_supplier(lot, world.staff, bond=False)
    officer = centre_officer(lot)
    # Two bidders paid from one account: the supervisor's signal.
    for _i in range(2):
        pay_bond(lot, make_supplier(lot, world.staff, bond=False), payer_account="6222000055556666")
    db.session.commit()

    # The supplier asks for its sub-account in the browser.
    as_supplier = page = _as(browser, live_server, supplier)
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"{live_server}/bids/lots/{lot.id}")
    page.click('[data-testid="my-bond-link"]')
    page.click('[data-testid="issue-sub-account"]')
    page.wait_for_selector('[data-testid="sub-account"]')
    db.session.expire_all()
    sub = bonds.sub_account_of(lot, supplier.organisation)
    assert sub is not None and sub.number in page.content()

    # The guarantor files a letter in the browser.
    page = _as(browser, live_server, guarantor)
    page.goto(f"{live_server}/bonds/lots/{lot.id}/mine")
    letter = tmp_path / "保函.pdf"
    letter.write_bytes(b"%PDF-1.4 guarantee letter")
    form = page.locator('[data-testid="guarantee-form"]')
    form.locator('input[name="reference"]').fill("BG-2026-0302")
    form.locator('input[name="letter"]').set_input_files(str(letter))
    form.locator('button[type="submit"]').click()
    page.wait_for_load_state()
    page.context.close()
    db.session.expire_all()
    pending = bonds.bond_of(lot, guarantor.organisation)
    assert pending is not None and pending.status.value == "pending"

    # The centre's staff import the statement and accept the letter.
    statement = tmp_path / "statement.csv"
    statement.write_text(
        "交易流水号,虚拟子账号,金额,付款账号,付款户名,交易时间\n"
        f"BR-1,{sub.number},{lot.bid_bond},6222000077778888,某某公司,"
        f"{formatting.cst(clock.now(), formatting.SECOND)}\n"
        f"BR-2,1509009999999999,100.00,6222000011110000,不明付款人,2026-03-03 09:00:00\n",
        encoding="utf-8",
    )
    as_officer = page = _as(browser, live_server, officer)
    page.goto(f"{live_server}/bonds/centre")
    page.locator('[data-testid="statement-form"] input[name="file"]').set_input_files(
        str(statement)
    )
    page.click('[data-testid="statement-form"] button[type="submit"]')
    page.wait_for_selector('[data-testid="held"] >> text=BR-2')
    page.click(f'[data-testid="checks"] a >> text=G-{pending.id:06d}')
    page.click('[data-testid="accept-guarantee"]')
    page.wait_for_selector('[data-testid="checks"]')
    db.session.expire_all()
    assert bid_problems(lot, supplier.organisation) == []
    assert bid_problems(lot, guarantor.organisation) == []

    # A second letter waits for its check, for the screenshots of the check page.
    waiting = make_supplier(lot, world.staff, bond=False)
    later = bonds.submit_guarantee(
        lot,
        waiting,
        amount=lot.bid_bond,
        reference="BG-2026-0303",
        filename="保函.pdf",
        stream=io.BytesIO(b"%PDF-1.4 second letter"),
    )
    db.session.commit()

    _look(as_supplier, live_server, f"/bonds/lots/{lot.id}/mine", "bond-mine", shot)
    _look(as_officer, live_server, "/bonds/centre", "bond-desk", shot)
    _look(as_officer, live_server, f"/bonds/guarantees/{later.id}", "bond-check", shot)
    _look(as_officer, live_server, "/bonds/bank-keys", "bond-keys", shot)
    agency = _as(browser, live_server, world.staff)
    _look(agency, live_server, f"/bonds/lots/{lot.id}", "bond-agency", shot)
    assert supplier.organisation.name not in agency.content()  # type: ignore[union-attr]
    watcher = _as(browser, live_server, world.supervisor)
    _look(watcher, live_server, "/supervision/bond-signals", "bond-signals", shot)
    assert "6222000055556666" in watcher.content()
