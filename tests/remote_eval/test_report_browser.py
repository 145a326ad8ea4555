"""Signing in chromium with real WebCrypto: a member creates a key in the page, the host
generates the report, a wrong passphrase is told apart, and the server verifies the
signature the page made. Screenshots of the report and signing pages at two widths."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from app.core.crypto import verify_p256
from app.core.extensions import db
from remote_eval import report, signatures
from remote_eval.models import EvalMember, EvalSignature
from tests.browser.conftest import browser, live_server, shot  # noqa: F401  (fixtures)
from tests.browser.test_procurement_flow import _login
from tests.remote_eval import review_world as rw
from tests.remote_eval.review_world import ReviewWorld
from tests.remote_eval.test_report import key, locked_comprehensive

pytestmark = pytest.mark.browser
comprehensive = rw.comprehensive
PASSPHRASE = "灯塔 照明 2026 春季评审"


@pytest.fixture
def signing(comprehensive: ReviewWorld) -> ReviewWorld:
    return locked_comprehensive(comprehensive)


def test_member_creates_a_key_and_signs_in_the_page(
    signing: ReviewWorld,
    live_server: str,  # noqa: F811
    browser: Any,  # noqa: F811
    shot: Any,  # noqa: F811
) -> None:
    w = signing
    m1, m2, m3 = w.members
    for n, m in ((1, m2), (2, m3)):
        signatures.register_key(m, m.user, key(n).public_key, key(n).wrapped)
    db.session.commit()
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    _login(page, live_server, m1.user)
    sign_url = f"{live_server}/evaluations/{w.session.id}/sign"
    page.goto(sign_url)
    assert "评标报告尚未生成" in page.inner_text("[data-testid=sign-card]")
    page.fill("[data-testid=new-pass]", PASSPHRASE)
    page.fill("[data-testid=new-pass2]", PASSPHRASE + "x")
    page.click("[data-testid=create-key]")
    assert "两次输入的口令不一致" in page.inner_text("[data-error]")
    page.fill("[data-testid=new-pass2]", PASSPHRASE)
    page.click("[data-testid=create-key]")
    page.wait_for_selector("[data-testid=key-id]", timeout=30_000)
    db.session.expire_all()
    member = db.session.get(EvalMember, m1.id)
    assert member is not None and member.public_key and member.wrapped_key
    assert member.wrapped_key["iterations"] >= 600_000
    assert "BEGIN" not in str(member.wrapped_key)  # only the wrapped blob reached the server

    rep = report.generate_report(w.session, w.host)
    db.session.commit()
    page.goto(sign_url)
    assert rep.sha256 in page.inner_text("[data-testid=sign-sha]")
    page.fill("[data-testid=sign-pass]", "不是这个口令")
    page.click("[data-testid=sign-report]")
    page.wait_for_selector("[data-error]:not([hidden])", timeout=30_000)
    assert page.inner_text("[data-error]").strip() == "口令错误"
    assert db.session.execute(select(EvalSignature)).first() is None
    shot(page, "eval-sign-1366")

    page.fill("[data-testid=sign-pass]", PASSPHRASE)
    page.click("[data-testid=sign-report]")
    page.wait_for_selector("text=已签署", timeout=30_000)
    db.session.expire_all()
    row = db.session.execute(select(EvalSignature)).scalar_one()
    assert row.member_id == m1.id
    assert verify_p256(row.public_key, report.signed_message(rep.sha256), row.signature)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(sign_url)
    shot(page, "eval-sign-390")
    report_url = f"{live_server}/evaluations/{w.session.id}/report"
    page.goto(report_url)
    assert "已签署" in page.inner_text("[data-testid=sign-status]")
    # On a phone no member's seat and name breaks across lines, and the page does not
    # scroll sideways (wide tables scroll inside their own frame).
    lines = page.eval_on_selector_all(
        ".report-doc .who", "els => els.map(e => e.getClientRects().length)"
    )
    assert lines and max(lines) == 1, lines
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "eval-report-390")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(report_url)
    assert page.locator("[data-testid=review-table]").count() == 4
    shot(page, "eval-report-1366")
    page.close()


def test_lowest_price_report_page_shows_evaluated_prices_at_both_widths(
    app: Any,
    live_server: str,  # noqa: F811
    browser: Any,  # noqa: F811
    shot: Any,  # noqa: F811
) -> None:
    from tests.remote_eval.test_report_columns import locked_lowest

    w = locked_lowest(
        rw.build_world(
            "lowest_price",
            ["450000.00", "430000.00", "430000.00", "510000.00", "300000.00", "180000.00"],
            ceiling="500000.00",
            minutes=[60, 65, 50, 10, 20, 30],
        )
    )
    report.generate_report(w.session, w.host)
    db.session.commit()
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    _login(page, live_server, w.host)
    report_url = f"{live_server}/evaluations/{w.session.id}/report"
    page.goto(report_url)
    heads = page.inner_text("[data-testid=summary-table] thead")
    assert "评标价" in heads and "递交时间" in heads and "总分" not in heads
    assert "递交在先者排名在前" in page.inner_text("[data-testid=tie-rule]")
    shot(page, "eval-report-lowest-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(report_url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "eval-report-lowest-390")
    page.close()
