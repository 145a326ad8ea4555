"""In chromium: a lot goes from its signed report through publicity, an objection
answered, the award, contract filing and the archive; the package verifies offline and
fails after one byte is changed."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.archive.models import LotArchive
from app.archive.verify import verify_package
from app.core import clock
from app.core.auth.models import User
from app.core.clock import CST
from app.core.crypto import platform_public_key
from app.core.extensions import db
from bidding.models import LotStatus
from tests.factories import PASSWORD, totp_now
from tests.results import world as rw

pytestmark = pytest.mark.browser
TIMEOUT = 60_000


def cst(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CST).astimezone(dt.UTC)


def _page(browser: Any, base: str, user: User) -> Any:
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
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


def test_from_report_to_archive(live_server: str, browser: Any, shot: Any, tmp_path: Path) -> None:
    w = rw.build()
    lot_url = f"{live_server}/results/lots/{w.lot.id}"
    staff = _page(browser, live_server, w.staff)
    clock.set_now(cst(2026, 4, 1, 10, 0))
    staff.goto(lot_url)
    staff.click('[data-testid="publish-publicity"]')
    staff.wait_for_selector("text=中标候选人公示已发布")
    assert "候选人公示中" in staff.inner_text('[data-testid="lot-status"]')

    bidder = _page(browser, live_server, w.bidders[1])
    clock.set_now(cst(2026, 4, 2, 9, 0))
    bidder.goto(lot_url)
    assert "报价低于成本" in bidder.content()
    form = bidder.locator('[data-testid="filing-form"]')
    form.locator('textarea[name="text"]').fill("第一名的技术分计算有误，请复核。")
    form.locator('input[name="attachments"]').set_input_files(
        files=[{"name": "复核申请.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 x"}]
    )
    bidder.click('[data-testid="file-filing"]')
    bidder.wait_for_selector("text=待答复")
    shot(bidder, "results-bidder-objection")

    clock.set_now(cst(2026, 4, 8, 9, 0))  # the publicity has ended; the objection is open
    staff.goto(lot_url)
    assert "暂停定标" in staff.inner_text('[data-testid="award-waits"]')
    staff.fill('[data-testid="answer-form"] textarea', "经复核，技术分计算无误。")
    staff.click('[data-testid="answer"]')
    staff.wait_for_selector('[data-testid="award-form"]')
    staff.click('[data-testid="confirm-award"]')
    staff.wait_for_selector("text=已定标")
    assert "投标人A有限公司" in staff.inner_text('[data-testid="winner"]')

    bidder.goto(lot_url)
    assert "经复核，技术分计算无误。" in bidder.content()
    assert "中标结果通知书" in bidder.inner_text('[data-testid="notices"]')

    clock.set_now(cst(2026, 4, 9, 9, 0))
    staff.goto(lot_url)
    contract = staff.locator('[data-testid="contract-form"]')
    contract.locator('input[name="number"]').fill("HT-2026-018")
    contract.locator('input[name="price"]').fill("880000.01")
    contract.locator('input[name="signed_on"]').fill("2026-04-08")
    contract.locator('input[name="file"]').set_input_files(
        files=[{"name": "合同.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 c"}]
    )
    staff.click('[data-testid="file-contract"]')
    staff.wait_for_selector("text=不一致")  # refused with the award amount named
    contract = staff.locator('[data-testid="contract-form"]')
    contract.locator('input[name="number"]').fill("HT-2026-018")
    contract.locator('input[name="price"]').fill("880000.00")
    contract.locator('input[name="signed_on"]').fill("2026-04-08")
    contract.locator('input[name="file"]').set_input_files(
        files=[{"name": "合同.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 c"}]
    )
    staff.click('[data-testid="file-contract"]')
    staff.wait_for_selector("text=合同公告已发布")
    shot(staff, "results-staff-contracted")

    staff.click('[data-testid="archive-link"]')
    staff.click('[data-testid="build-archive"]')
    staff.wait_for_selector("text=项目档案已生成")
    db.session.expire_all()
    assert w.lot.status == LotStatus.CONTRACTED
    row = db.session.execute(select(LotArchive)).scalar_one()
    resp = staff.request.get(f"{live_server}/api/v1/archives/{row.id}/package")
    assert resp.status == 200
    package = tmp_path / "archive.zip"
    package.write_bytes(resp.body())
    pem = platform_public_key().pem
    ok, message, _n = verify_package(str(package), pem)
    assert ok, message
    with zipfile.ZipFile(package) as zf:
        info = zf.getinfo("qa/questions.json")
    raw = bytearray(package.read_bytes())
    head = info.header_offset
    name_len = int.from_bytes(raw[head + 26 : head + 28], "little")
    extra_len = int.from_bytes(raw[head + 28 : head + 30], "little")
    raw[head + 30 + name_len + extra_len] ^= 0x01  # the file's first byte
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(raw))
    ok, message, _n = verify_package(str(damaged), pem)
    assert not ok and message.startswith("qa/questions.json")
