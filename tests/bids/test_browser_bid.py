"""In chromium: a supplier seals in the page, uploads, gets a receipt, replaces the bid and,
after the deadline, sees the frozen hash list; staff run the key ceremony and the hall."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

import pytest

from app.core import clock
from app.core.auth.models import Role, User
from app.core.extensions import db
from bidding.bids import opening as hall
from bidding.bids.decryption import decrypt_bids
from bidding.bids.eligibility import bid_problems
from bidding.bids.freeze import sweep_deadlines
from bidding.bids.models import Bid, BidStatus, LotOpeningKey, get_freeze
from bidding.models import Lot, LotStatus
from tests.bids.conftest import (
    DEADLINE,
    PASSPHRASES,
    World,
    make_supplier,
    pay_bond,
    seal,
    upload,
)
from tests.factories import PASSWORD, totp_now

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj << /Author (Li Si) >> endobj\n" + b"technical bid " * 4000


def _login(page: Any, base: str, user: User) -> None:
    page.goto(base + "/login")
    page.fill('input[name="username"]', user.username)
    page.fill('input[name="password"]', PASSWORD)
    page.click('form button[type="submit"]')
    if "/login/2fa" in page.url:
        page.fill('input[name="code"]', totp_now(user))
        page.click('form button[type="submit"]')
    page.wait_for_load_state()
    assert "/login" not in page.url, page.content()[:2000]


def _seal_and_submit(page: Any, base: str, lot: Lot, price: str, name: str) -> None:
    page.goto(f"{base}/bids/lots/{lot.id}")
    page.fill('[data-testid="total-price"]', price)
    page.fill('[data-testid="duration"]', "180")
    page.fill('[data-testid="quality"]', "合格")
    page.set_input_files(
        '[data-testid="bid-files"]',
        [
            {"name": name, "mimeType": "application/pdf", "buffer": PDF},
            {
                "name": "报价明细.xlsx",
                "mimeType": "application/vnd.ms-excel",
                "buffer": b"PK" * 900,
            },
        ],
    )
    page.click('[data-testid="seal-submit"]')
    page.wait_for_url("**/bids/receipts/*", timeout=30000)


def test_supplier_seals_in_the_browser_replaces_and_sees_the_frozen_list(
    world: World,
    live_server: str,
    browser: Any,
    shot: Any,
) -> None:
    lot, supplier, org = world.lot, world.suppliers[0], world.orgs[0]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(page, live_server, supplier)

    page.goto(f"{live_server}/bids/lots/{lot.id}")
    page.fill('[data-testid="total-price"]', "45万")
    page.set_input_files(
        '[data-testid="bid-files"]',
        {"name": "技术标.pdf", "mimeType": "application/pdf", "buffer": PDF},
    )
    page.fill('[data-testid="duration"]', "180")
    page.fill('[data-testid="quality"]', "合格")
    page.click('[data-testid="seal-submit"]')
    page.wait_for_selector('[data-role="status"].alert-error')
    assert "投标总价" in page.inner_text('[data-role="status"]')
    shot(page, "bids-supplier-bad-price")

    _seal_and_submit(page, live_server, lot, "4,500,000.00", "技术标.pdf")
    assert "投标文件接收回执" in page.inner_text("h1")
    shot(page, "bids-receipt")
    db.session.expire_all()
    first = db.session.query(Bid).filter_by(supplier_id=org.id).one()
    assert first.version == 1 and first.status == BidStatus.SUBMITTED
    assert first.receipt["receipt"]["ciphertext_sha256"] in page.content()

    _seal_and_submit(page, live_server, lot, "4400000.50", "技术标（修订）.pdf")
    db.session.expire_all()
    versions = {b.version: b for b in db.session.query(Bid).filter_by(supplier_id=org.id)}
    assert versions[1].status == BidStatus.REPLACED
    assert versions[2].status == BidStatus.SUBMITTED
    page.click('[data-testid="back-to-lot"]')
    page.wait_for_selector('[data-testid="my-bids"]')
    shot(page, "bids-supplier-lot-after-replace")

    for user in world.suppliers[1:]:
        resp = upload(
            live_client(), world.headers(user), lot, seal(lot, user.organisation, chunk_size=4096)
        )
        assert resp.status_code == 201, resp.get_json()
    # The server's clock passes the deadline; the scheduler's sweep freezes the list.
    clock.set_now(DEADLINE + dt.timedelta(minutes=1))
    assert sweep_deadlines() == 1
    db.session.commit()

    page.goto(f"{live_server}/bids/lots/{lot.id}")
    page.click('[data-testid="freeze-link"]')
    page.wait_for_selector("table")
    freeze = get_freeze(lot)
    assert freeze is not None
    text = page.content()
    assert freeze.list_hash in text and versions[2].ciphertext_sha256 in text
    assert versions[1].ciphertext_sha256 not in text
    shot(page, "bids-freeze-list")

    # What the supplier typed in the page is what the opening reads out.
    for custodian, passphrase in zip(world.custodians[:2], PASSPHRASES, strict=False):
        hall.present_share(lot, custodian, passphrase)
    decrypt_bids(lot, world.staff)
    db.session.commit()
    opened = db.session.get(Bid, versions[2].id)
    assert opened is not None and opened.status == BidStatus.DECRYPTED
    assert opened.price_form["total_price"] == "4400000.50"
    assert opened.price_form["duration_days"] == "180"
    files = {f["name"]: f for f in opened.plaintext_files or []}
    assert files["技术标（修订）.pdf"]["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert files["技术标（修订）.pdf"]["author"] == "Li Si"
    assert errors == []


def live_client() -> Any:
    from flask import current_app

    return current_app.test_client()


def test_staff_hold_the_key_ceremony_and_record_bonds_in_pages(
    world: World,
    live_server: str,
    browser: Any,
    shot: Any,
) -> None:
    lot = Lot(
        project_id=world.lot.project_id,
        seq=2,
        code="TH-2026-001-02",
        name="施工二标段",
        category_code="A08",
        budget=Decimal("3000000.00"),
        bid_bond=Decimal("30000.00"),
        evaluation_method=world.lot.evaluation_method,
        status=LotStatus.PUBLISHED,
        bid_deadline=DEADLINE,
        opening_place="开标大厅二号厅",
    )
    db.session.add(lot)
    db.session.flush()
    supplier = make_supplier(lot, world.staff, bond=False)
    db.session.commit()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _login(page, live_server, world.staff)

    page.goto(f"{live_server}/projects/{lot.project_id}")
    page.click(f'[data-testid="lot-card"]:has-text("{lot.code}") [data-testid="lot-ceremony"]')
    page.wait_for_selector('[data-testid="ceremony-form"]')
    people = [world.staff, world.supervisor, world.custodians[2]]
    for i, user in enumerate(people):
        page.select_option(f'select[name="user_{i}"]', str(user.id))
        page.fill(f'input[name="passphrase_{i}"]', PASSPHRASES[i])
        page.fill(f'input[name="confirm_{i}"]', PASSPHRASES[i] if i else "typo-typo-typo")
    shot(page, "bids-ceremony-form")
    page.click('[data-testid="ceremony-form"] button[type="submit"]')
    page.wait_for_selector(".alert-error")
    assert "不一致" in page.inner_text(".alert-error")
    db.session.expire_all()
    assert db.session.query(LotOpeningKey).filter_by(lot_id=lot.id).count() == 0
    for i, user in enumerate(people):
        page.select_option(f'select[name="user_{i}"]', str(user.id))
        page.fill(f'input[name="passphrase_{i}"]', PASSPHRASES[i])
        page.fill(f'input[name="confirm_{i}"]', PASSPHRASES[i])
    page.click('[data-testid="ceremony-form"] button[type="submit"]')
    page.wait_for_selector('[data-testid="key-summary"]')
    shot(page, "bids-ceremony-done")
    db.session.expire_all()
    key = db.session.query(LotOpeningKey).filter_by(lot_id=lot.id).one()
    assert (key.k, key.n) == (2, 3)
    assert key.fingerprint in page.content()

    # The agency's bond page says when the list opens, and names nobody before it.
    page.goto(f"{live_server}/bonds/lots/{lot.id}")
    page.wait_for_selector('[data-testid="bonds-secret"]')
    shot(page, "bids-bonds")
    assert supplier.organisation.name not in page.content()  # type: ignore[union-attr]
    pay_bond(lot, supplier)
    db.session.commit()
    db.session.expire_all()
    assert bid_problems(lot, supplier.organisation) == []
    assert db.session.get(User, supplier.id).role == Role.SUPPLIER


def test_custodians_open_the_bids_in_the_hall_while_bidders_watch(
    client: Any,
    world: World,
    live_server: str,
    browser: Any,
    shot: Any,
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

    def page_of(user: User) -> Any:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        _login(page, live_server, user)
        page.goto(f"{live_server}/bids/lots/{lot.id}/hall")
        return page

    def act(page: Any, selector: str) -> None:
        with page.expect_navigation():
            page.click(selector)

    bidder = page_of(world.suppliers[0])
    act(bidder, '[data-testid="hall-signin"]')
    assert world.orgs[0].name in bidder.inner_text('[data-field="signins"]')
    staff = page_of(world.staff)
    supervisor = page_of(world.supervisor)
    for page, passphrase in ((staff, PASSPHRASES[0]), (supervisor, PASSPHRASES[1])):
        page.fill('[data-testid="hall-share"] input[name="passphrase"]', passphrase)
        act(page, '[data-testid="hall-share"] button')
    shot(staff, "bids-hall-shares-presented")
    act(staff, '[data-testid="hall-decrypt"]')
    staff.wait_for_selector('[data-testid="hall-sign"]')
    rows = staff.locator('[data-testid="hall-lines"] tbody tr')
    assert rows.count() == 3
    assert "4,390,000.00" in staff.inner_text('[data-testid="hall-lines"]')

    bidder.reload()
    bidder.fill('[data-testid="hall-objection"] textarea', "请核对第二家投标人的工期是否满足要求。")
    act(bidder, '[data-testid="hall-objection"] button')
    act(bidder, '[data-testid="hall-confirm"]')
    shot(bidder, "bids-hall-bidder-reading")
    staff.reload()
    staff.fill(
        'form[data-form^="objections/"] input[name="answer"]', "经核对，工期满足招标文件要求。"
    )
    act(staff, 'form[data-form^="objections/"] button')
    act(staff, '[data-testid="hall-sign"]')
    act(staff, '[data-testid="hall-publish"]')
    shot(staff, "bids-hall-published")
    pdf = staff.request.get(f"{live_server}/bids/lots/{lot.id}/record.pdf")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    html = staff.request.get(f"{live_server}/bids/lots/{lot.id}/record.html").text()
    assert "经核对，工期满足招标文件要求。" in html
    opening = hall.get_opening(lot)
    db.session.refresh(opening)
    assert opening is not None and opening.published_at is not None
