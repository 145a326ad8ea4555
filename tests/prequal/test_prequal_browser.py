"""In chromium: the agency publishes a prequalification notice, three suppliers apply
from their pages, the drawn committee is seated and reviews (one member in the browser),
the agency concludes (signed notices) and invites the passed applicants, who then appear
in the lot's invitation panel. Every new page is also looked at 390 px wide."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyotp
import pytest
from sqlalchemy import select

from app.core import clock
from app.core.clock import CST
from app.core.extensions import db
from bidding.invitations.models import LotInvitee
from bidding.prequal import review
from bidding.prequal.models import PrequalApplication, Prequalification
from tests.factories import PASSWORD
from tests.prequal.world import DEADLINE, build, draw_committee

pytestmark = pytest.mark.browser


def _login(page: Any, base: str, user: Any) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    # Wait for the answer to the password: the second factor's page, or signed in.
    page.wait_for_url(lambda url: not url.endswith("/login"))
    if "/login/2fa" in page.url:
        page.fill("input[name=code]", pyotp.TOTP(user.totp_secret).at(clock.now()))
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)


def _ctx(browser: Any, width: int = 1366) -> Any:
    return browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})


def _no_sideways(page: Any, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{what} is {width}px wide at 390px"


def test_prequalification_in_the_browser(
    live_server: str,
    browser: Any,
    shot: Any,
    client: Any,
    app: Any,
    tmp_path: Any,
    monkeypatch: Any,
) -> None:
    # Ten people sign in within a minute or two: more than one address may per minute.
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "100 per minute")
    w = build(client, suppliers=3)
    base = live_server
    doc = tmp_path / "资格预审文件.pdf"
    doc.write_bytes(b"%PDF-1.4 prequalification documents")

    # The agency publishes the notice from the project page's link.
    ctx = _ctx(browser)
    page = ctx.new_page()
    _login(page, base, w.base.staff)
    page.goto(f"{base}/projects/{w.lot.project_id}")
    page.click("[data-testid=prequal-link] a")
    page.fill("textarea[name=requirements]", "具有计算机设备销售资质；近三年无行贿犯罪记录。")
    page.fill("input[name=offer_start_at]", "2026-03-02T09:00")
    page.fill("input[name=offer_end_at]", "2026-03-06T17:00")  # 4 days: refused
    page.fill("input[name=application_deadline]", "2026-03-16T09:00")
    page.set_input_files("input[name=file]", str(doc))
    page.click("[data-testid=publish-prequal]")
    assert "最早可定在" in page.inner_text(".alert")
    page.fill("input[name=offer_end_at]", "2026-03-09T17:00")
    page.set_input_files("input[name=file]", str(doc))
    page.click("[data-testid=publish-prequal]")
    assert page.inner_text("[data-testid=prequal-status]") == "接受申请"
    shot(page, "prequal-1366-01-agency-published")
    ctx.close()
    item = db.session.execute(select(Prequalification)).scalar_one()
    assert item.announcement_id is not None

    # The notice is on the portal with the other announcements.
    anon = _ctx(browser).new_page()
    anon.goto(f"{base}/announcements?kind=prequal")
    anon.click(f"a[href$='/announcements/{item.announcement_id}']")
    assert "申请人资格要求" in anon.inner_text("main")
    shot(anon, "prequal-1366-02-portal-notice")
    anon.context.close()

    # Three suppliers apply from their own pages.
    clock.set_now(dt.datetime(2026, 3, 10, 10, 0, tzinfo=CST))
    for i, account in enumerate(w.accounts):
        sctx = _ctx(browser)
        sp = sctx.new_page()
        _login(sp, base, account)
        sp.click("nav.mainnav >> text=资格预审")
        sp.click("[data-testid=prequal-open] a")
        app_file = tmp_path / f"申请文件{i}.pdf"
        app_file.write_bytes(f"%PDF-1.4 application {i}".encode())
        sp.set_input_files("input[name=file]", str(app_file))
        sp.click("[data-testid=prequal-apply]")
        assert "回执已签发" in sp.inner_text(".alert")
        assert "SHA-256" in sp.inner_text("[data-testid=prequal-receipt]")
        if i == 0:
            shot(sp, "prequal-1366-03-supplier-receipt")
        sctx.close()

    # Before the deadline the agency sees the count only.
    clock.set_now(dt.datetime(2026, 3, 10, 11, 0, tzinfo=CST))
    ctx = _ctx(browser)
    page = ctx.new_page()
    _login(page, base, w.base.staff)
    page.goto(f"{base}/prequal/lots/{w.lot.id}")
    assert page.inner_text("[data-testid=applicant-count]") == "3 家"
    assert page.locator("[data-testid=applicants]").count() == 0
    ctx.close()

    # After the deadline: a drawn committee (4 experts + the purchaser's representative).
    clock.set_now(DEADLINE + dt.timedelta(hours=1))
    draw_committee(w)
    ctx = _ctx(browser)
    page = ctx.new_page()
    _login(page, base, w.base.staff)
    page.goto(f"{base}/prequal/lots/{w.lot.id}")
    page.check(f"input[name=representative_id][value='{w.representative.id}']")
    shot(page, "prequal-1366-04-agency-committee-form")
    page.click("[data-testid=seat-committee]")
    assert "资格审查委员会已组建" in page.inner_text(".alert")
    db.session.refresh(item)
    members = [m.user for m in item.members]
    assert len(members) == 5
    apps = {a.supplier_id: a for a in db.session.execute(select(PrequalApplication)).scalars()}
    a0, a1, a2 = (apps[w.suppliers[i].id] for i in range(3))

    # One member reviews in the browser; a fail needs a reason.
    mctx = _ctx(browser)
    mp = mctx.new_page()
    _login(mp, base, members[0])
    mp.goto(f"{base}/prequal/{item.id}/review")
    cards = mp.locator("[data-testid=review-application]")
    assert cards.count() == 3
    for n, (row, passed) in enumerate(((a0, True), (a1, False), (a2, True))):
        card = mp.locator("[data-testid=review-application]").nth(n)
        assert row.supplier.name in card.inner_text()
        if passed:
            card.locator("[data-testid=verdict-pass]").click()
        else:
            card.locator("textarea[name=reason]").fill("未提供有效的安全生产许可证")
            card.locator("[data-testid=verdict-fail]").click()
        assert "审查意见已记录" in mp.inner_text(".alert")
    shot(mp, "prequal-1366-05-member-review")
    mctx.close()
    with app.test_request_context("/"):
        for m in members[1:]:
            review.give_verdict(m, a0, True)
            review.give_verdict(m, a1, False, "未提供有效的安全生产许可证")
            review.give_verdict(m, a2, True)
        db.session.commit()

    # The agency concludes, then invites the passed applicants (two: a reason is needed).
    page.goto(f"{base}/prequal/lots/{w.lot.id}")
    page.click("[data-testid=conclude]")
    assert "通知书已发出" in page.inner_text(".alert")
    page.click("[data-testid=invite-passed]")
    assert "不少于 3 家" in page.inner_text(".alert")
    page.fill("textarea[name=short_reason]", "通过资格预审的申请人只有两家，经招标人同意继续邀请。")
    page.click("[data-testid=invite-passed]")
    assert "投标邀请书" in page.inner_text(".alert")
    shot(page, "prequal-1366-06-agency-concluded-invited")
    invited = {r.supplier_id for r in db.session.execute(select(LotInvitee)).scalars()}
    assert invited == {w.suppliers[0].id, w.suppliers[2].id}
    # The existing invitation flow takes over: the lot's invitation panel counts them.
    page.goto(f"{base}/projects/{w.lot.project_id}")
    assert "已邀请 2 家" in page.inner_text("[data-testid=invite-panel]")
    ctx.close()

    # The supplier who failed reads why, with its signed notice.
    clock.set_now(DEADLINE + dt.timedelta(hours=2))
    sctx = _ctx(browser)
    sp = sctx.new_page()
    _login(sp, base, w.accounts[1])
    sp.goto(f"{base}/prequal/{item.id}")
    assert "安全生产许可证" in sp.inner_text("[data-testid=prequal-outcome]")
    assert sp.locator("[data-testid=prequal-notice]").count() == 1
    shot(sp, "prequal-1366-07-supplier-failed")
    sctx.close()

    # 390 px: nothing scrolls sideways on the new pages.
    clock.set_now(DEADLINE + dt.timedelta(hours=3))
    for user, paths, name in (
        (w.base.staff, [f"/prequal/lots/{w.lot.id}"], "agency"),
        (w.accounts[0], ["/prequal/", f"/prequal/{item.id}"], "supplier"),
        (members[0], [f"/prequal/{item.id}/review"], "member"),
    ):
        pctx = _ctx(browser, 390)
        pp = pctx.new_page()
        _login(pp, base, user)
        for n, path in enumerate(paths):
            pp.goto(f"{base}{path}")
            _no_sideways(pp, path)
            shot(pp, f"prequal-390-{name}-{n}")
        pctx.close()
