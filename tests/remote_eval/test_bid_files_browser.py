"""A committee member in chromium finds each bidder's price form and files in the room and
opens a PDF in a new tab, in the browser's own viewer."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path
from typing import Any

import pytest
from reportlab.pdfgen import canvas

from app.core.extensions import db
from remote_eval.ws import RoomServer
from tests.browser.conftest import browser, live_server, shot  # noqa: F401  (fixtures)
from tests.browser.test_procurement_flow import _login
from tests.remote_eval.review_world import build_world
from tests.remote_eval.test_bid_files import _keep_files, _openings
from tests.remote_eval.test_room_browser import rooms  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

WIDE, PHONE = 1366, 390
# Screenshots for a person to look at, when asked for (TENDERHALL_SHOTS=/some/dir).
SHOTS = os.environ.get("TENDERHALL_SHOTS")


def _pdf() -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out)
    for n in range(3):
        page.drawString(72, 720, f"Technical bid, page {n + 1}")
        page.showPage()
    page.save()
    return out.getvalue()


def _until(page: Any, expr: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate(expr):
        assert time.monotonic() < deadline, f"timed out waiting for {expr}"
        page.wait_for_timeout(100)


def test_member_opens_a_bidders_pdf_from_the_room(
    app: Any,
    rooms: RoomServer,  # noqa: F811
    live_server: str,  # noqa: F811
    browser: Any,  # noqa: F811
    shot: Any,  # noqa: F811
) -> None:
    w = build_world("comprehensive", ["800000.00", "900000.00", "950000.00"])
    pdf = _pdf()
    _keep_files(w.bids[0], [("技术标.pdf", pdf), ("资格证明.zip", b"PK\x03\x04 not really")])
    member = w.members[0]
    bid_id = w.bids[0].id
    context = browser.new_context(viewport={"width": WIDE, "height": 900}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(page, live_server, member.user)
    page.goto(f"{live_server}/evaluations/{w.session.id}")
    _until(page, "window.__evalRoom && window.__evalRoom.ready")
    files = page.get_by_test_id(f"files-{bid_id}")
    assert files.is_visible()
    assert "技术标.pdf" in files.inner_text() and "资格证明.zip" in files.inner_text()
    assert "800,000.00" in page.get_by_test_id(f"price-form-{bid_id}").inner_text()
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        for width in (WIDE, PHONE):
            page.set_viewport_size({"width": width, "height": 900})
            page.get_by_test_id("bid-files").scroll_into_view_if_needed()
            page.screenshot(path=f"{SHOTS}/bid-files-{width}.png", full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.set_viewport_size({"width": WIDE, "height": 900})

    # The link opens a new tab; the browser gets the PDF inline and shows its own viewer.
    answers: list[Any] = []
    context.on(
        "response", lambda r: answers.append(r) if f"/bids/{bid_id}/files/0" in r.url else None
    )
    with context.expect_page(timeout=30000) as opened:
        page.get_by_test_id(f"file-{bid_id}-0").click()
    tab = opened.value
    _until(page, "true")
    deadline = time.monotonic() + 30
    while not answers:
        assert time.monotonic() < deadline, "no answer for the file"
        page.wait_for_timeout(100)
    response = answers[0]
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    tab.wait_for_load_state()
    assert tab.url.endswith(f"/bids/{bid_id}/files/0")
    # The tab holds the PDF document itself, shown by chromium's own viewer (not a
    # download, not a page of ours).
    _until(tab, "document.contentType === 'application/pdf'", 30)
    if SHOTS:
        tab.wait_for_timeout(1500)
        tab.screenshot(path=f"{SHOTS}/bid-file-pdf-{WIDE}.png")
    assert [o["file"] for o in _openings(bid_id)] == ["技术标.pdf"]
    assert errors == []
    db.session.remove()
